/* The derivative rules (deriv.c), checked numerically: for every built-in
 * and operator, the gradient that the reverse transform writes, run on the
 * IR interpreter, against the derivative written out by hand here and
 * against central finite differences; and the values at kinks that
 * LANGUAGE.md section 5 fixes. */
#include "interp.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const double PI_ = 3.14159265358979323846;

/* Gradient of `name` at x (n all-real parameters), compiled with and
 * without the optimiser: the value must equal the primal's, each partial
 * must match want[i] (if want is not NULL) and, if fd, the central finite
 * difference (not at kinks, where it means nothing). */
static void check(const char *src, const char *name, const double *x, int n, const double *want,
                  double tol, bool fd_too)
{
    for (int opt = 0; opt <= 1; opt++) {
        Cx *cx = unit_ok(src, UNIT_ALL, opt);
        IrFunc *f = unit_func(cx, name);
        assert_non_null(f);
        double g[8];
        double v = interp_grad(cx, name, x, g);
        double v0 = interp_scalar(f, x);
        if (!(v == v0 || (isnan(v) && isnan(v0))))
            fail_msg("%s: the gradient function's value %.17g differs from the value %.17g",
                     src, v, v0);
        for (int i = 0; i < n; i++) {
            double h = 1e-6 * fmax(1, fabs(x[i]));
            double fd = interp_fd(f, x, i, h);
            if (want) {
                if (!(fabs(g[i] - want[i]) <= tol * fmax(1, fabs(want[i])) ||
                      (isnan(g[i]) && isnan(want[i])) || g[i] == want[i]))
                    fail_msg("%s (opt %d): partial %d at x[0]=%g is %.17g, expected %.17g", src, opt,
                             i, x[0], g[i], want[i]);
            }
            if (fd_too && isfinite(fd) && !(fabs(g[i] - fd) <= 1e-5 * fmax(1, fabs(fd))))
                fail_msg("%s (opt %d): partial %d at x[0]=%g is %.17g, finite difference %.17g", src,
                         opt, i, x[0], g[i], fd);
        }
        cx_free(cx);
    }
}

static void check_gradient(const char *src, const char *name, const double *x, int n,
                           const double *want, double tol)
{
    check(src, name, x, n, want, tol, true);
}

/* At a kink: against the value LANGUAGE.md fixes only. */
static void check_kink(const char *src, const char *name, const double *x, int n, const double *want)
{
    check(src, name, x, n, want, 0, false);
}

/* ---- one-argument built-ins -------------------------------------------------- */

static double d_sqrt(double x) { return 0.5 / sqrt(x); }
static double d_cbrt(double x) { return 1 / (3 * cbrt(x) * cbrt(x)); }
static double d_exp(double x) { return exp(x); }
static double d_log(double x) { return 1 / x; }
static double d_log1p(double x) { return 1 / (1 + x); }
static double d_log2(double x) { return 1 / (x * log(2.0)); }
static double d_log10(double x) { return 1 / (x * log(10.0)); }
static double d_sin(double x) { return cos(x); }
static double d_cos(double x) { return -sin(x); }
static double d_tan(double x) { return 1 / (cos(x) * cos(x)); }
static double d_asin(double x) { return 1 / sqrt(1 - x * x); }
static double d_acos(double x) { return -1 / sqrt(1 - x * x); }
static double d_atan(double x) { return 1 / (1 + x * x); }
static double d_sinh(double x) { return cosh(x); }
static double d_cosh(double x) { return sinh(x); }
static double d_tanh(double x) { return 1 / (cosh(x) * cosh(x)); }
static double d_asinh(double x) { return 1 / sqrt(x * x + 1); }
static double d_acosh(double x) { return 1 / sqrt(x * x - 1); }
static double d_atanh(double x) { return 1 / (1 - x * x); }
static double d_erf(double x) { return 2 / sqrt(PI_) * exp(-x * x); }
static double d_erfc(double x) { return -2 / sqrt(PI_) * exp(-x * x); }
static double d_abs(double x) { return x > 0 ? 1 : -1; }

static const struct Unary {
    const char *name;
    double (*f)(double);
    double (*df)(double);
    double x[3];
} unaries[] = {
    {"sqrt", sqrt, d_sqrt, {2.3, 0.01, 1e4}},
    {"cbrt", cbrt, d_cbrt, {2.3, -3.1, 1e-3}},
    {"exp", exp, d_exp, {0.7, -3, 10}},
    {"expm1", expm1, d_exp, {-0.4, 1e-5, 2}},
    {"log", log, d_log, {2.5, 0.01, 100}},
    {"log1p", log1p, d_log1p, {0.3, -0.5, 1e-6}},
    {"log2", log2, d_log2, {3, 0.25, 1024}},
    {"log10", log10, d_log10, {7, 0.5, 1e3}},
    {"sin", sin, d_sin, {0.9, -2, 10}},
    {"cos", cos, d_cos, {0.9, -2, 10}},
    {"tan", tan, d_tan, {0.6, -1.2, 3}},
    {"asin", asin, d_asin, {0.4, -0.9, 0}},
    {"acos", acos, d_acos, {-0.3, 0.9, 0}},
    {"atan", atan, d_atan, {2, -0.5, 30}},
    {"sinh", sinh, d_sinh, {0.8, -2, 5}},
    {"cosh", cosh, d_cosh, {-1.2, 0.3, 4}},
    {"tanh", tanh, d_tanh, {0.5, -2, 0}},
    {"asinh", asinh, d_asinh, {-2, 0.5, 1e3}},
    {"acosh", acosh, d_acosh, {2.5, 1.1, 50}},
    {"atanh", atanh, d_atanh, {0.3, -0.8, 0}},
    {"erf", erf, d_erf, {0.7, -1.5, 0}},
    {"abs", fabs, d_abs, {-1.5, 2, 1e-3}},
    {"erfc", erfc, d_erfc, {0.7, -1.5, 3}},
};

/* t(x, y) = op(x) * y: the rule's seed is a variable (y), not a folded 1. */
static void unary_builtins(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof unaries / sizeof *unaries; k++) {
        const struct Unary *u = &unaries[k];
        char src[200];
        snprintf(src, sizeof src, "fn t(x, y) = %s(x) * y;", u->name);
        for (int j = 0; j < 3; j++) {
            double x[2] = {u->x[j], 1.7};
            double want[2] = {u->df(x[0]) * x[1], u->f(x[0])};
            check_gradient(src, "t", x, 2, want, 1e-13);
        }
    }
}

/* t(x) = op(op(x)): the chain through two of the same rule. */
static void unary_chains(void **state)
{
    (void)state;
    static const char *const chains[] = {
        "sin(cos(x))", "exp(sin(x))", "log(1 + x * x)", "sqrt(1 + exp(x))", "tanh(atan(x))",
        "erf(x / 2) * asinh(x)", "log10(cosh(x)) + log2(2 + sin(x))", "cbrt(expm1(x) + 2)",
        "lgamma(2 + x * x) + digamma(3 + sin(x))", "erfc(x) * floor(x + 5) + sign(x) * x",
    };
    for (size_t k = 0; k < sizeof chains / sizeof *chains; k++) {
        char src[200];
        snprintf(src, sizeof src, "fn t(x) = %s;", chains[k]);
        double xs[] = {0.3, -1.1, 2.2};
        for (int j = 0; j < 3; j++)
            check_gradient(src, "t", &xs[j], 1, NULL, 0);
    }
}

/* lgamma, digamma: their derivatives are the next polygamma function,
 * here mpmath's values (30 digits); at the poles, NaN. */
static void lgamma_digamma(void **state)
{
    (void)state;
    static const struct { double x, psi, psi1; } at[] = {
        {2.5, 0.70315664064524318723, 0.49035775610023486497},
        {-1.5, 0.70315664064524318723, 9.3792466449891237539},
        {0.3, -3.5025242222001331249, 12.245364546107731301},
        {7.25, 1.9104535268837360284, 0.14787923315893216965},
        {-0.7, -2.0739527936287037831, 14.286180872638339627},
    };
    for (size_t k = 0; k < sizeof at / sizeof *at; k++) {
        double x[2] = {at[k].x, 1.7};
        double w_lgamma[2] = {at[k].psi * x[1], lgamma(x[0])};
        check_gradient("fn t(x, y) = lgamma(x) * y;", "t", x, 2, w_lgamma, 1e-14);
        double w_digamma[2] = {at[k].psi1 * x[1], at[k].psi};
        check_gradient("fn t(x, y) = digamma(x) * y;", "t", x, 2, w_digamma, 1e-14);
    }
    double poles[][2] = {{0, 1.7}, {-2, 1.7}};
    for (int k = 0; k < 2; k++) {
        double w[2] = {NAN, lgamma(poles[k][0])};
        check_kink("fn t(x, y) = lgamma(x) * y;", "t", poles[k], 2, w);
        double wd[2] = {NAN, NAN};
        check_kink("fn t(x, y) = digamma(x) * y;", "t", poles[k], 2, wd);
    }
}

/* floor, ceil, sign: derivative 0 everywhere, on a step too
 * (LANGUAGE.md section 5); the other operand's is their value. */
static void piecewise_constant(void **state)
{
    (void)state;
    static const char *const names[] = {"floor", "ceil", "sign"};
    static const double xs[] = {2.5, -0.3, 2, 0, -1};
    for (int k = 0; k < 3; k++) {
        char src[100];
        snprintf(src, sizeof src, "fn t(x, y) = %s(x) * y + %s(x * y);", names[k], names[k]);
        for (size_t j = 0; j < sizeof xs / sizeof *xs; j++) {
            double x[2] = {xs[j], 1.7}, f = k == 0 ? floor(xs[j]) : k == 1 ? ceil(xs[j])
                                                   : (xs[j] > 0) - (xs[j] < 0);
            double w[2] = {0, f};
            check_kink(src, "t", x, 2, w);
        }
    }
}

/* ---- two-argument built-ins and operators ----------------------------------- */

static void binary_builtins(void **state)
{
    (void)state;
    double a = 1.3, b = 2.7;
    double x[2] = {a, b};
    double w_pow[2] = {b * pow(a, b - 1), pow(a, b) * log(a)};
    check_gradient("fn t(a, b) = pow(a, b);", "t", x, 2, w_pow, 1e-13);
    check_gradient("fn t(a, b) = a ^ b;", "t", x, 2, w_pow, 1e-13);
    double r2 = a * a + b * b;
    double w_atan2[2] = {b / r2, -a / r2};
    check_gradient("fn t(a, b) = atan2(a, b);", "t", x, 2, w_atan2, 1e-13);
    double h = hypot(a, b);
    double w_hypot[2] = {a / h, b / h};
    check_gradient("fn t(a, b) = hypot(a, b);", "t", x, 2, w_hypot, 1e-13);
    double w_min[2] = {1, 0}, w_max[2] = {0, 1};
    check_gradient("fn t(a, b) = min(a, b);", "t", x, 2, w_min, 0);
    check_gradient("fn t(a, b) = max(a, b);", "t", x, 2, w_max, 0);
    double y[2] = {-2, -5};
    double w_min2[2] = {0, 1}, w_max2[2] = {1, 0};
    check_gradient("fn t(a, b) = min(a, b);", "t", y, 2, w_min2, 0);
    check_gradient("fn t(a, b) = max(a, b);", "t", y, 2, w_max2, 0);
    /* atan2 in all four quadrants */
    double q[4][2] = {{1, 1}, {1, -1}, {-1, -1}, {-1, 1}};
    for (int i = 0; i < 4; i++)
        check_gradient("fn t(a, b) = atan2(a, b);", "t", q[i], 2, NULL, 0);
}

static void arithmetic_operators(void **state)
{
    (void)state;
    double x[2] = {1.5, -0.8};
    double w_add[2] = {1, 1}, w_sub[2] = {1, -1}, w_mul[2] = {x[1], x[0]};
    double w_div[2] = {1 / x[1], -x[0] / (x[1] * x[1])}, w_neg[2] = {-1, 0};
    check_gradient("fn t(a, b) = a + b;", "t", x, 2, w_add, 0);
    check_gradient("fn t(a, b) = a - b;", "t", x, 2, w_sub, 0);
    check_gradient("fn t(a, b) = a * b;", "t", x, 2, w_mul, 0);
    check_gradient("fn t(a, b) = a / b;", "t", x, 2, w_div, 1e-15);
    check_gradient("fn t(a, b) = -a;", "t", x, 2, w_neg, 0);
    double w_sq[2] = {2 * x[0], 0};
    check_gradient("fn t(a, b) = a * a;", "t", x, 2, w_sq, 0);
    double w_self[2] = {0, 0};
    check_gradient("fn t(a, b) = a / a + b - b;", "t", x, 2, w_self, 0);
    /* compound assignments */
    double w_comp[2] = {(x[1] + 2) * 3 / x[1] - 1, 0};
    w_comp[1] = (x[0] * 3 / x[1] - x[0] * (x[1] + 2) * 3 / (x[1] * x[1]));
    check_gradient("fn t(a, b) { let s = b; s += 2; s *= a; s *= 3; s /= b; s -= a; return s; }",
                   "t", x, 2, w_comp, 1e-14);
}

/* x^k with an integer literal k: k x^(k-1), and no log term, so negative x
 * works (LANGUAGE.md section 5). */
static void integer_powers(void **state)
{
    (void)state;
    static const int ks[] = {-3, -2, -1, 0, 1, 2, 3, 4, 7};
    double xs[] = {1.7, -2, 0.5};
    for (size_t i = 0; i < sizeof ks / sizeof *ks; i++) {
        char src[100];
        snprintf(src, sizeof src, "fn t(x) = x^%d;", ks[i]);
        if (ks[i] < 0)
            snprintf(src, sizeof src, "fn t(x) = x^-%d;", -ks[i]);
        for (int j = 0; j < 3; j++) {
            double k = ks[i];
            double want = k == 0 ? 0 : k * pow(xs[j], k - 1);
            check_gradient(src, "t", &xs[j], 1, &want, 1e-14);
        }
    }
    /* at x = -2, x^3 has derivative 12 exactly */
    double m2 = -2, twelve = 12;
    check_gradient("fn t(x) = x^3;", "t", &m2, 1, &twelve, 0);
}

/* x^n with an int parameter n (the dpowi helper). */
static void int_parameter_power(void **state)
{
    (void)state;
    for (int opt = 0; opt <= 1; opt++) {
        Cx *cx = unit_ok("fn t(x, int n) = x^n;", UNIT_ALL, opt);
        IrFunc *g = unit_func(cx, "t_grad");
        assert_non_null(g);
        static const int ns[] = {-2, 0, 1, 3};
        for (int i = 0; i < 4; i++) {
            double gx = NAN;
            IVal args[3] = {{0}};
            args[0].r = -1.5;
            args[1].i = ns[i];
            args[2].p = &gx;
            double v = interp_call(g, args);
            assert_close(v, pow(-1.5, ns[i]), 1e-15, 1e-15);
            assert_close(gx, ns[i] == 0 ? 0 : ns[i] * pow(-1.5, ns[i] - 1), 1e-15, 1e-15);
        }
        cx_free(cx);
    }
}

/* Int exponents computed from int parameters: x^(c ? 2 : 3), x^(n / 2)
 * (int division: the exponent is an int context), x^(-n). */
static double dk(double x, int k)
{
    return k == 0 ? 0 : k * pow(x, k - 1);
}

static void computed_int_exponents(void **state)
{
    (void)state;
    for (int opt = 0; opt <= 1; opt++) {
        Cx *cx = unit_ok("fn t(x, int n) = x^(n > 0 ? 2 : 3) + x^(n / 2) + x^(-n);", UNIT_ALL, opt);
        IrFunc *g = unit_func(cx, "t_grad");
        static const int ns[] = {-3, -2, 0, 1, 3, 4};
        for (int i = 0; i < 6; i++) {
            int n = ns[i], a = n > 0 ? 2 : 3, b = n / 2, c = -n;
            double x = -1.25, gx = NAN;
            IVal args[3] = {{0}};
            args[0].r = x;
            args[1].i = n;
            args[2].p = &gx;
            double v = interp_call(g, args);
            assert_close(v, pow(x, a) + pow(x, b) + pow(x, c), 1e-14, 1e-14);
            assert_close(gx, dk(x, a) + dk(x, b) + dk(x, c), 1e-14, 1e-14);
        }
        cx_free(cx);
    }
}

/* ---- values at kinks (LANGUAGE.md section 5) --------------------------------- */

static void kink_abs(void **state)
{
    (void)state;
    double z = 0, zero = 0;
    check_kink("fn t(x) = abs(x);", "t", &z, 1, &zero);
    double w = 0;
    check_kink("fn t(x) = abs(x) * 5 + abs(-x);", "t", &z, 1, &w);
}

static void kink_min_max_tie(void **state)
{
    (void)state;
    double x[2] = {0.75, 0.75};
    double half[2] = {0.5, 0.5};
    check_kink("fn t(a, b) = min(a, b);", "t", x, 2, half);
    check_kink("fn t(a, b) = max(a, b);", "t", x, 2, half);
    double w[2] = {3 * 0.5, 3 * 0.5};
    check_kink("fn t(a, b) = 3 * max(a, b);", "t", x, 2, w);
    /* min(x, x): both halves reach x */
    double one = 1;
    check_kink("fn t(a) = min(a, a);", "t", x, 1, &one);
}

static void kink_sqrt_cbrt_at_zero(void **state)
{
    (void)state;
    double z = 0, inf = INFINITY;
    check_kink("fn t(x) = sqrt(x);", "t", &z, 1, &inf);
    check_kink("fn t(x) = cbrt(x);", "t", &z, 1, &inf);
    /* the chain multiplies the infinity by 0: NaN */
    double nan_ = NAN;
    check_kink("fn t(x) = 0 * sqrt(x);", "t", &z, 1, &nan_);
}

static void kink_pow_at_zero_base(void **state)
{
    (void)state;
    double x[2] = {0, 2.5};
    double want[2] = {0, 0};                /* 2.5 * 0^1.5 = 0, and the y-derivative is 0 */
    check_kink("fn t(a, b) = pow(a, b);", "t", x, 2, want);
    check_kink("fn t(a, b) = a ^ b;", "t", x, 2, want);
    double y[2] = {0, 1};
    double want1[2] = {1, 0};
    check_kink("fn t(a, b) = pow(a, b);", "t", y, 2, want1);
    /* pow(a, 0) has no a-derivative, even at a = 0 */
    double z[2] = {0, 0};
    double want0[2] = {0, 0};
    check_kink("fn t(a, b) = pow(a, b);", "t", z, 2, want0);
}

/* Outside a function's domain the derivative is NaN, as the C library
 * gives for the value (LANGUAGE.md section 5: log(-1)). */
static void outside_the_domain(void **state)
{
    (void)state;
    static const struct {
        const char *src;
        double x;
    } cases[] = {
        {"fn t(x) = sqrt(x);", -1},
        {"fn t(x) = asin(x);", 2},
        {"fn t(x) = acos(x);", -2},
        {"fn t(x) = acosh(x);", 0.5},
        {"fn t(x) = log(x);", -1},
        {"fn t(x) = log2(x);", -1},
        {"fn t(x) = log10(x);", -1},
        {"fn t(x) = log1p(x);", -2},
        {"fn t(x) = atanh(x);", 2},
    };
    int bad = 0;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        Cx *cx = unit_ok(cases[i].src, UNIT_ALL, true);
        double g = 0;
        double v = interp_grad(cx, "t", &cases[i].x, &g);
        assert_true(isnan(v));
        if (!isnan(g)) {
            print_error("%s at %g: the value is NaN but the derivative is %g, not NaN\n",
                        cases[i].src, cases[i].x, g);
            bad++;
        }
        cx_free(cx);
    }
    assert_int_equal(bad, 0);
}

/* An adjoint that is exactly zero does not turn into NaN: the branch that
 * did not run contributes nothing (DESIGN.md, numerics). */
static void untaken_branch_gives_no_nan(void **state)
{
    (void)state;
    double z = 0, one = 1;
    check_kink("fn t(x) { let y = x; if (x > 0) { y = sqrt(x); } return y; }", "t", &z, 1,
                   &one);
    double zero = 0;
    check_kink("fn t(x) = x > 0 ? sqrt(x) : 0;", "t", &z, 1, &zero);
    check_kink("fn t(x) = x > 0 ? log(x) * sqrt(x) : 0;", "t", &z, 1, &zero);
    double m = -1, mone = -1;
    check_kink("fn t(x) = x >= 0 ? sqrt(x) : -x;", "t", &m, 1, &mone);
}

/* c ? a : b over plain values is a select: the adjoint goes to the chosen one. */
static void select_rule(void **state)
{
    (void)state;
    double x[2] = {1.5, -2};
    double w1[2] = {1, 0};
    check_gradient("fn t(a, b) = a > b ? a : b;", "t", x, 2, w1, 0);
    double y[2] = {-3, -2};
    double w2[2] = {0, 1};
    check_gradient("fn t(a, b) = a > b ? a : b;", "t", y, 2, w2, 0);
    double w3[2] = {0, 0};
    check_gradient("fn t(a, b) = a > b ? 1 : 2;", "t", y, 2, w3, 0);
}

/* pi and int conversions have no derivative of their own. */
static void constants_and_conversions(void **state)
{
    (void)state;
    double x = 0.4, w = 2 * PI_ * cos(PI_ * x);
    check_gradient("fn t(x) = 2 * sin(pi * x);", "t", &x, 1, &w, 1e-14);
    for (int opt = 0; opt <= 1; opt++) {
        Cx *cx = unit_ok("fn t(x, int n) = x * n / 4 + n;", UNIT_ALL, opt);
        IrFunc *g = unit_func(cx, "t_grad");
        double gx = NAN;
        IVal args[3] = {{0}};
        args[0].r = 2;
        args[1].i = 3;
        args[2].p = &gx;
        assert_close(interp_call(g, args), 2 * 3 / 4.0 + 3, 0, 0);
        assert_close(gx, 0.75, 0, 0);
        cx_free(cx);
    }
}

/* ---- the oracle's own table of operations ---------------------------------- */

static bool real_result(Opcode op)
{
    return ir_ops[op].result == 'R';
}

/* Every real operation of ops.def has an entry in the interpreter's table:
 * a new operation without one fails here, by name. */
static void oracle_covers_every_real_op(void **state)
{
    (void)state;
    char missing[1024] = "";
    for (int op = 0; op < OP_COUNT; op++) {
        double v[3] = {0.5, 2, 1}, r;
        if (real_result((Opcode)op) && !interp_real_op((Opcode)op, v, false, &r))
            snprintf(missing + strlen(missing), sizeof missing - strlen(missing), " %s", ir_ops[op].name);
    }
    if (missing[0])
        fail_msg("real operations with no entry in tests/unit/interp.c's table:%s", missing);
}

/* The compiler's value of op at v (ir_op_value: constant folding,
 * --emit=dot) is the oracle's, to rounding, or both are NaN. The
 * polygamma functions are two approximations, the oracle's in long double:
 * to the generated helpers' accuracy (1e-14 relative; beside digamma's
 * roots, such as -0.504, 2e-15 absolute: test_runtime.c says why). */
static void agree_at(Opcode op, const double *v, bool lit)
{
    double want, got = ir_op_value(op, v, lit);
    bool approx = op == OP_DIGAMMA || op == OP_TRIGAMMA || op == OP_TETRAGAMMA;
    assert_true(interp_real_op(op, v, lit, &want));
    if (!(isnan(got) && isnan(want)) && !close_within(got, want, approx ? 1e-14 : 1e-15, approx ? 2e-15 : 0))
        fail_msg("%s(%g, %g, %g)%s: the compiler gives %.17g, the oracle %.17g", ir_ops[op].name, v[0],
                 v[1], v[2], lit ? " (literal exponent)" : "", got, want);
}

/* ... at every combination of ordinary points, kinks, ties, zeros and NaN
 * (integers for int operands). */
static void oracle_agrees_with_compiler_values(void **state)
{
    (void)state;
    static const double reals[] = {-2.5, -1, -0.5, 0, 0.5, 1, 3, NAN};
    static const double ints[] = {-2, -1, 0, 1, 2, 3, 5};
    enum { NR = sizeof reals / sizeof *reals, NI = sizeof ints / sizeof *ints };
    for (int op = 0; op < OP_COUNT; op++) {
        if (!real_result((Opcode)op))
            continue;
        const char *sig = ir_ops[op].sig;
        int n = ir_ops[op].arity, total = 1;
        for (int k = 0; k < n; k++)
            total *= sig[k] == 'I' ? NI : NR;
        for (int at = 0; at < 2 * total; at++) {
            double v[3] = {0, 0, 0};
            for (int k = 0, rest = at % total; k < n; k++) {
                int m = sig[k] == 'I' ? NI : NR;
                v[k] = sig[k] == 'I' ? ints[rest % m] : reals[rest % m];
                rest /= m;
            }
            agree_at((Opcode)op, v, at >= total);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(unary_builtins),
        cmocka_unit_test(unary_chains),
        cmocka_unit_test(lgamma_digamma),
        cmocka_unit_test(piecewise_constant),
        cmocka_unit_test(binary_builtins),
        cmocka_unit_test(arithmetic_operators),
        cmocka_unit_test(integer_powers),
        cmocka_unit_test(int_parameter_power),
        cmocka_unit_test(computed_int_exponents),
        cmocka_unit_test(kink_abs),
        cmocka_unit_test(kink_min_max_tie),
        cmocka_unit_test(kink_sqrt_cbrt_at_zero),
        cmocka_unit_test(kink_pow_at_zero_base),
        cmocka_unit_test(outside_the_domain),
        cmocka_unit_test(untaken_branch_gives_no_nan),
        cmocka_unit_test(select_rule),
        cmocka_unit_test(constants_and_conversions),
        cmocka_unit_test(oracle_covers_every_real_op),
        cmocka_unit_test(oracle_agrees_with_compiler_values),
    };
    return cmocka_run_group_tests_name("deriv", tests, NULL, NULL);
}
