/* LANGUAGE.md sections 5 and 6, checked exactly: the derivative at kinks and
 * singular points, the branch that does not run contributes nothing (not
 * NaN), constants have gradient 0, NULL outputs are skipped, and outputs are
 * overwritten, not accumulated. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "conventions.h"
#include "check.h"

/* Garbage that a gradient output holds before the call. */
#define GARBAGE 12345.678

static void test_abs_at_zero(void **state)
{
    double g = GARBAGE;
    (void)state;
    assert_same(k_abs_grad(0.0, &g), 0.0);
    assert_same(g, 0.0);
    g = GARBAGE;
    assert_same(k_abs_grad(-0.0, &g), 0.0);
    assert_same(g, 0.0);
    assert_same(k_abs_grad(-2.0, &g), 2.0);
    assert_same(g, -1.0);
    assert_same(k_abs_grad(0.5, &g), 0.5);
    assert_same(g, 1.0);
    /* the kink of an inner expression: x^2 - 4 = 0 at x = 2 and -2 */
    g = GARBAGE;
    assert_same(k_abs_chain_grad(2.0, &g), 0.0);
    assert_same(g, 0.0);
    g = GARBAGE;
    assert_same(k_abs_chain_grad(-2.0, &g), 0.0);
    assert_same(g, 0.0);
    assert_same(k_abs_chain_grad(1.0, &g), 9.0);
    assert_same(g, -6.0);
}

static void test_min_max_ties(void **state)
{
    double gx = GARBAGE, gy = GARBAGE;
    (void)state;
    assert_same(k_min_grad(1.5, 1.5, &gx, &gy), 1.5);
    assert_same(gx, 0.5);
    assert_same(gy, 0.5);
    gx = gy = GARBAGE;
    assert_same(k_max_grad(-2.0, -2.0, &gx, &gy), -2.0);
    assert_same(gx, 0.5);
    assert_same(gy, 0.5);
    /* away from a tie, all to the chosen one */
    k_min_grad(1.0, 2.0, &gx, &gy);
    assert_same(gx, 1.0);
    assert_same(gy, 0.0);
    k_max_grad(1.0, 2.0, &gx, &gy);
    assert_same(gx, 0.0);
    assert_same(gy, 1.0);
    /* half of the adjoint that arrives: 3 min(x, y) + max(2x, y).
     * At (0, 0) both tie: x gets 3/2 + 2 * 1/2, y gets 3/2 + 1/2. */
    assert_same(k_min_scaled_grad(0.0, 0.0, &gx, &gy), 0.0);
    assert_same(gx, 2.5);
    assert_same(gy, 2.0);
    /* At (1, 2) only max ties: x gets 3 + 2 * 1/2, y gets 1/2. */
    assert_same(k_min_scaled_grad(1.0, 2.0, &gx, &gy), 5.0);
    assert_same(gx, 4.0);
    assert_same(gy, 0.5);
}

static void test_roots_at_zero(void **state)
{
    double g = GARBAGE;
    (void)state;
    assert_same(k_sqrt_grad(0.0, &g), 0.0);
    assert_same(g, INFINITY);
    g = GARBAGE;
    assert_same(k_cbrt_grad(0.0, &g), 0.0);
    assert_same(g, INFINITY);
}

/* the chain multiplies the +inf of sqrt'(0), cbrt'(0) by 0: NaN */
static void test_roots_at_zero_chained(void **state)
{
    double g = GARBAGE;
    (void)state;
    assert_same(k_sqrt_chain_grad(0.0, &g), 0.0);
    assert_same(g, NAN);
    g = GARBAGE;
    assert_same(k_cbrt_chain_grad(0.0, &g), 0.0);
    assert_same(g, NAN);
}

/* "outside a function's domain (log(-1)): NaN, as the C library gives":
 * the derivative too, not the value of the formula (1/x for log) there.
 * All are checked, then the ones that are not NaN reported together. */
CHECK_WRAP1(k_sqrt_domain)
CHECK_WRAP1(k_asin)
CHECK_WRAP1(k_acos)
CHECK_WRAP1(k_acosh)
CHECK_WRAP1(k_log)
CHECK_WRAP1(k_log1p)
CHECK_WRAP1(k_log2)
CHECK_WRAP1(k_log10)
CHECK_WRAP1(k_atanh)

static void test_outside_domain(void **state)
{
    static const struct {
        const char *name;
        check_grad_fn fg;
        double x;
    } cases[] = {
        {"sqrt", check_g_k_sqrt_domain, -1.0}, {"asin", check_g_k_asin, 2.0},
        {"acos", check_g_k_acos, -2.0},        {"acosh", check_g_k_acosh, 0.5},
        {"log", check_g_k_log, -1.0},          {"log1p", check_g_k_log1p, -2.0},
        {"log2", check_g_k_log2, -1.0},        {"log10", check_g_k_log10, -1.0},
        {"atanh", check_g_k_atanh, 2.0},
    };
    int bad = 0;
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double x = cases[i].x, g = GARBAGE, v = cases[i].fg(&x, &g);
        if (!isnan(v) || !isnan(g)) {
            print_error("%s(%g): value %.17g, derivative %.17g; expected NaN, NaN\n",
                        cases[i].name, x, v, g);
            bad++;
        }
    }
    assert_int_equal(bad, 0);
}

/* floor, ceil, sign: 0 everywhere, in every routine, at their steps too */
static void test_steps_have_derivative_zero(void **state)
{
    static const double xs[] = {-2.0, -1.5, -0.0, 0.0, 0.25, 1.0, 3.5};
    (void)state;
    for (size_t i = 0; i < sizeof xs / sizeof *xs; i++) {
        double x = xs[i], g = GARBAGE, df = GARBAGE, hv = GARBAGE;
        assert_same(k_floor_grad(x, &g), floor(x));
        assert_same(g, 0.0);
        assert_same(k_ceil_grad(x, &g), ceil(x));
        assert_same(g, 0.0);
        g = GARBAGE;
        assert_same(k_sign_grad(x, &g), x > 0 ? 1.0 : x < 0 ? -1.0 : 0.0);
        assert_same(g, 0.0);
        assert_same(k_floor_jvp(x, 1.0, &df), floor(x));
        assert_same(df, 0.0);
        k_ceil_hvp(x, 1.0, &g, &hv);
        assert_same(g, 0.0);
        assert_same(hv, 0.0);
        k_sign_hvp(x, 1.0, &g, &hv);
        assert_same(g, 0.0);
        assert_same(hv, 0.0);
        /* x sign(x) = |x|: the sign's value carries the derivative, and at
         * 0 it is 0 as abs's is */
        assert_same(k_sign_abs_grad(x, &g), fabs(x));
        assert_same(g, x > 0 ? 1.0 : x < 0 ? -1.0 : 0.0);
    }
    double g = GARBAGE;
    assert_true(signbit(k_sign(-0.0)));          /* a zero keeps its sign */
    assert_true(isnan(k_sign_grad(NAN, &g)));    /* NaN stays NaN */
    assert_same(g, 0.0);
    assert_same(k_sign(INFINITY), 1.0);
}

/* At lgamma's poles (0, -1, -2, ...) the value is C's and the derivative
 * NaN, first and second; digamma is NaN there. */
static void test_lgamma_poles(void **state)
{
    static const double poles[] = {0.0, -0.0, -1.0, -2.0, -30.0};
    (void)state;
    for (size_t i = 0; i < sizeof poles / sizeof *poles; i++) {
        volatile double x = poles[i];
        double g = GARBAGE, df = GARBAGE, hv = GARBAGE;
        assert_same(k_lgamma_grad(x, &g), lgamma(x));
        assert_same(g, NAN);
        assert_same(k_lgamma_jvp(x, 1.0, &df), lgamma(x));
        assert_same(df, NAN);
        k_lgamma_hvp(x, 1.0, &g, &hv);
        assert_same(g, NAN);
        assert_same(hv, NAN);
        assert_same(k_digamma_grad(x, &g), NAN);
        assert_same(g, NAN);
        k_digamma_hvp(x, 1.0, &g, &hv);
        assert_same(hv, NAN);
    }
    double g = GARBAGE;
    assert_same(k_lgamma_grad(INFINITY, &g), INFINITY);
    assert_same(g, INFINITY);
    assert_same(k_digamma_grad(NAN, &g), NAN);
    assert_same(g, NAN);
}

static void test_integer_power_at_negative(void **state)
{
    double g = GARBAGE;
    (void)state;
    assert_same(k_powi_grad(-2.0, &g), -8.0);
    assert_same(g, 12.0);
    assert_same(k_powi_neg_grad(-2.0, &g), -0.125);
    assert_same(g, -3.0 / 16.0);
    assert_same(k_powi_even_grad(-1.5, &g), 2.25 + 2.25 * 2.25);
    assert_same(g, -3.0 + 4.0 * -3.375);
    assert_same(k_powi_grad(0.0, &g), 0.0);
    assert_same(g, 0.0);
    /* x^0 = 1 has no derivative, at 0 too */
    assert_same(k_pow_zero_grad(0.0, &g), 1.0);
    assert_same(g, 1.0);
    assert_same(k_pow_zero_grad(-3.0, &g), -2.0);
    assert_same(g, 1.0);
}

static void test_pow_at_zero_base(void **state)
{
    double gx = GARBAGE, gy = GARBAGE;
    (void)state;
    assert_same(k_pow_grad(0.0, 2.0, &gx, &gy), 0.0);
    assert_same(gx, 0.0);
    assert_same(gy, 0.0);
    gx = gy = GARBAGE;
    assert_same(k_caret_grad(0.0, 3.0, &gx, &gy), 0.0);
    assert_same(gx, 0.0);
    assert_same(gy, 0.0);
    gx = gy = GARBAGE;
    assert_same(k_caret_grad(0.0, 1.0, &gx, &gy), 0.0);
    assert_same(gx, 1.0);
    assert_same(gy, 0.0);
    /* x^0.5-like exponents keep their infinite x-derivative at 0 */
    gx = gy = GARBAGE;
    assert_same(k_pow_grad(0.0, 0.5, &gx, &gy), 0.0);
    assert_same(gx, INFINITY);
    assert_same(gy, 0.0);
    /* the y-derivative away from 0 has its log: 2^3 log 2 */
    k_pow_grad(2.0, 3.0, &gx, &gy);
    assert_same(gx, 12.0);
    assert_same(gy, 8.0 * log(2.0));
}

/* The branch that does not run contributes nothing, however singular. */
static void test_untaken_branches(void **state)
{
    double gx = GARBAGE, gy = GARBAGE;
    (void)state;
    assert_same(k_untaken_grad(-1.0, &gx), 0.0);
    assert_same(gx, 0.0);
    assert_same(k_untaken_grad(0.0, &gx), 0.0);
    assert_same(gx, 0.0);
    assert_same(k_untaken_grad(2.0, &gx), log(2.0));
    assert_same(gx, 0.5);
    assert_same(k_untaken_if_grad(-1.0, &gx), -2.0);
    assert_same(gx, 2.0);
    assert_same(k_untaken_if_grad(0.0, &gx), 0.0);
    assert_same(gx, 2.0);
    assert_same(k_untaken_div_grad(3.0, 0.0, &gx, &gy), 3.0);
    assert_same(gx, 1.0);
    assert_same(gy, 0.0);
    assert_same(k_untaken_let_grad(0.5, &gx), 0.5);
    assert_same(gx, 1.0);
    assert_same(k_untaken_let_grad(1.0, &gx), 1.0);
    assert_same(gx, 1.0);
}

static void test_constant_functions(void **state)
{
    double gx = GARBAGE, gy = GARBAGE;
    (void)state;
    assert_same(k_constant_grad(3.0, &gx), 42.0);
    assert_same(gx, 0.0);
    gx = GARBAGE;
    assert_same(k_constant_grad(NAN, &gx), 42.0);
    assert_same(gx, 0.0);
    gx = GARBAGE;
    assert_same(k_constant2_grad(1.0, -1.0, &gx, &gy), 2 * 3.14159265358979323846 + 1);
    assert_same(gx, 0.0);
    assert_same(gy, 0.0);
    gx = gy = GARBAGE;
    assert_same(k_cancel_grad(1.5, 2.5, &gx, &gy), 0.0);
    assert_same(gx, 0.0);
    assert_same(gy, 0.0);
}

/* k_three = x y + z^2 + sin(y z): the gradient, for the checks below */
static void expected_three(double x, double y, double z, double *g)
{
    g[0] = y;
    g[1] = x + z * cos(y * z);
    g[2] = 2 * z + y * cos(y * z);
}

static void test_null_outputs(void **state)
{
    const double x = 0.5, y = -1.25, z = 2.0;
    double e[3], g[3];
    (void)state;
    expected_three(x, y, z, e);
    double v = k_three(x, y, z);
    for (int skip = 0; skip < 8; skip++) {
        /* bit i of skip set: pass NULL for output i */
        for (int i = 0; i < 3; i++)
            g[i] = GARBAGE;
        double *p[3];
        for (int i = 0; i < 3; i++)
            p[i] = (skip >> i) & 1 ? NULL : &g[i];
        assert_same(k_three_grad(x, y, z, p[0], p[1], p[2]), v);
        for (int i = 0; i < 3; i++) {
            if ((skip >> i) & 1)
                assert_same(g[i], GARBAGE);
            else
                assert_close(g[i], e[i], 1e-15, 0);
        }
    }
    assert_same(k_constant_grad(1.0, NULL), 42.0);
    assert_same(k_abs_grad(-1.0, NULL), 1.0);
    assert_same(k_untaken_grad(-1.0, NULL), 0.0);
}

static void test_outputs_overwritten(void **state)
{
    double e[3], g[3] = {GARBAGE, -GARBAGE, INFINITY};
    (void)state;
    expected_three(0.5, -1.25, 2.0, e);
    k_three_grad(0.5, -1.25, 2.0, &g[0], &g[1], &g[2]);
    for (int i = 0; i < 3; i++)
        assert_close(g[i], e[i], 1e-15, 0);
    /* again into the same outputs: the same values, not twice them */
    k_three_grad(0.5, -1.25, 2.0, &g[0], &g[1], &g[2]);
    for (int i = 0; i < 3; i++)
        assert_close(g[i], e[i], 1e-15, 0);
    /* NaN garbage, and an untaken branch and a constant */
    double gx = NAN;
    k_untaken_grad(-1.0, &gx);
    assert_same(gx, 0.0);
    gx = NAN;
    k_constant_grad(1.0, &gx);
    assert_same(gx, 0.0);
    gx = NAN;
    k_abs_grad(0.0, &gx);
    assert_same(gx, 0.0);
    double gy = NAN;
    gx = NAN;
    k_min_grad(1.0, 1.0, &gx, &gy);
    assert_same(gx, 0.5);
    assert_same(gy, 0.5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_abs_at_zero),
        cmocka_unit_test(test_min_max_ties),
        cmocka_unit_test(test_roots_at_zero),
        cmocka_unit_test(test_roots_at_zero_chained),
        cmocka_unit_test(test_outside_domain),
        cmocka_unit_test(test_steps_have_derivative_zero),
        cmocka_unit_test(test_lgamma_poles),
        cmocka_unit_test(test_integer_power_at_negative),
        cmocka_unit_test(test_pow_at_zero_base),
        cmocka_unit_test(test_untaken_branches),
        cmocka_unit_test(test_constant_functions),
        cmocka_unit_test(test_null_outputs),
        cmocka_unit_test(test_outputs_overwritten),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
