/* Every built-in of LANGUAGE.md section 4, alone and composed: the gradients
 * gradc generates against central finite differences of its own function
 * values, at several points of each domain (negative ones where it has any),
 * and the values against the C library. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "builtins.h"
#include "check.h"

CHECK_WRAP1(t_sqrt)
CHECK_WRAP1(t_cbrt)
CHECK_WRAP1(t_exp)
CHECK_WRAP1(t_expm1)
CHECK_WRAP1(t_log)
CHECK_WRAP1(t_log1p)
CHECK_WRAP1(t_log2)
CHECK_WRAP1(t_log10)
CHECK_WRAP1(t_sin)
CHECK_WRAP1(t_cos)
CHECK_WRAP1(t_tan)
CHECK_WRAP1(t_asin)
CHECK_WRAP1(t_acos)
CHECK_WRAP1(t_atan)
CHECK_WRAP1(t_sinh)
CHECK_WRAP1(t_cosh)
CHECK_WRAP1(t_tanh)
CHECK_WRAP1(t_asinh)
CHECK_WRAP1(t_acosh)
CHECK_WRAP1(t_atanh)
CHECK_WRAP1(t_erf)
CHECK_WRAP1(t_abs)
CHECK_WRAP2(t_pow)
CHECK_WRAP2(t_atan2)
CHECK_WRAP2(t_hypot)
CHECK_WRAP2(t_min)
CHECK_WRAP2(t_max)
CHECK_WRAP1(t_pi)
CHECK_WRAP1(t_erfc)
CHECK_WRAP1(t_lgamma)
CHECK_WRAP1(t_digamma)
CHECK_WRAP1(t_floor)
CHECK_WRAP1(t_ceil)
CHECK_WRAP1(t_sign)
CHECK_WRAP2(c_sin_prod)
CHECK_WRAP1(c_nested)
CHECK_WRAP2(c_logs)
CHECK_WRAP2(c_hyper)
CHECK_WRAP2(c_inverse)
CHECK_WRAP3(c_two_args)
CHECK_WRAP2(c_kinks)
CHECK_WRAP1(c_expm)
CHECK_WRAP2(c_trig)
CHECK_WRAP2(c_all)
CHECK_WRAP2(c_gamma)
CHECK_WRAP2(c_steps)

static void test_roots_exp_log(void **state)
{
    static const double pos[][1] = {{0.3}, {1.0}, {2.5}, {17.0}};
    static const double all[][1] = {{-2.5}, {-0.4}, {0.3}, {1.7}};
    static const double cbrts[][1] = {{-8.0}, {-0.3}, {0.7}, {27.0}};
    static const double log1ps[][1] = {{-0.6}, {-0.1}, {0.4}, {9.0}};
    (void)state;
    check_fd(t_sqrt, pos);
    check_fd(t_cbrt, cbrts);
    check_fd(t_exp, all);
    check_fd(t_expm1, all);
    check_fd(t_log, pos);
    check_fd(t_log1p, log1ps);
    check_fd(t_log2, pos);
    check_fd(t_log10, pos);
}

static void test_trig(void **state)
{
    static const double all[][1] = {{-2.0}, {-0.5}, {0.3}, {1.2}, {4.0}};
    static const double tans[][1] = {{-1.2}, {-0.4}, {0.3}, {1.0}, {2.5}};
    static const double unit[][1] = {{-0.8}, {-0.3}, {0.1}, {0.6}};
    static const double wide[][1] = {{-30.0}, {-1.5}, {0.2}, {7.0}};
    (void)state;
    check_fd(t_sin, all);
    check_fd(t_cos, all);
    check_fd(t_tan, tans);
    check_fd(t_asin, unit);
    check_fd(t_acos, unit);
    check_fd(t_atan, wide);
}

static void test_hyperbolic_erf(void **state)
{
    static const double all[][1] = {{-3.0}, {-0.5}, {0.2}, {2.0}};
    static const double acoshs[][1] = {{1.2}, {2.0}, {10.0}};
    static const double unit[][1] = {{-0.8}, {-0.3}, {0.1}, {0.6}};
    static const double asinhs[][1] = {{-40.0}, {-0.7}, {0.2}, {3.0}};
    static const double erfs[][1] = {{-2.0}, {-0.4}, {0.1}, {1.3}};
    (void)state;
    check_fd(t_sinh, all);
    check_fd(t_cosh, all);
    check_fd(t_tanh, all);
    check_fd(t_asinh, asinhs);
    check_fd(t_acosh, acoshs);
    check_fd(t_atanh, unit);
    check_fd(t_erf, erfs);
}

static void test_two_argument(void **state)
{
    /* pow at x > 0 only: at x < 0 the y-derivative (and FD in y) is NaN */
    static const double pows[][2] = {{2.0, 3.0}, {0.5, -1.5}, {3.0, 0.7}, {1.3, -2.0}};
    /* one point per quadrant, away from atan2's cut along x < 0, y = 0 */
    static const double quads[][2] = {{1.0, 2.0}, {1.5, -0.5}, {-0.7, -1.2}, {-2.0, 0.3}};
    static const double hyps[][2] = {{3.0, 4.0}, {-1.0, 2.0}, {0.5, -0.2}, {-3.0, -3.0}};
    /* away from ties, each argument the smaller in turn */
    static const double mins[][2] = {{1.0, 2.0}, {2.0, 1.0}, {-3.0, 0.5}, {0.5, -3.0}};
    (void)state;
    check_fd(t_pow, pows);
    check_fd(t_atan2, quads);
    check_fd(t_hypot, hyps);
    check_fd(t_min, mins);
    check_fd(t_max, mins);
}

static void test_abs_pi(void **state)
{
    static const double abss[][1] = {{-2.0}, {-0.25}, {0.5}, {3.0}};
    static const double pis[][1] = {{-1.5}, {0.3}, {2.0}};
    (void)state;
    check_fd(t_abs, abss);
    check_fd(t_pi, pis);
    double g = 0;
    assert_close(t_pi_grad(1.0, &g), 3.14159265358979323846, 4 * DBL_EPSILON, 0);
    assert_close(g, 2 * 3.14159265358979323846, 4 * DBL_EPSILON, 0);
}

/* erfc, lgamma and digamma on both sides of 0 (between lgamma's poles),
 * near 0 and far out; floor, ceil and sign away from their steps. */
static void test_special(void **state)
{
    static const double erfcs[][1] = {{-2.0}, {-0.4}, {0.1}, {1.3}, {4.0}};
    static const double gammas[][1] = {{-3.7}, {-2.5}, {-0.3}, {0.01}, {0.7}, {1.4616}, {3.2}, {40.5}};
    static const double steps[][1] = {{-2.5}, {-0.7}, {0.3}, {1.6}, {4.1}};
    static const double cg[][2] = {{0.5, 1.5}, {-1.2, 0.7}, {2.0, 3.0}, {-0.3, 0.2}, {1.9, 2.6}};
    static const double cs[][2] = {{0.2, 1.5}, {-1.2, 0.7}, {1.7, -0.4}, {0.9, -1.3}};
    (void)state;
    check_fd(t_erfc, erfcs);
    check_fd(t_lgamma, gammas);
    check_fd(t_digamma, gammas);
    check_fd(t_floor, steps);
    check_fd(t_ceil, steps);
    check_fd(t_sign, steps);
    check_fd(c_gamma, cg);
    check_fd(c_steps, cs);
}

/* The polygamma functions of the generated helpers against mpmath (30
 * digits; tests/unit/test_runtime.c has many more points): digamma's
 * value, its derivative (trigamma) from f_grad and f_jvp, its second
 * derivative (tetragamma) from f_hvp; lgamma's first and second
 * derivatives (digamma, trigamma). */
static void test_polygamma_values(void **state)
{
    static const struct { double x, psi, psi1, psi2; } at[] = {
        {0.5, -1.9635100260214234794, 4.9348022005446793094, -16.828796644234319996},
        {1.0, -0.57721566490153286061, 1.6449340668482264365, -2.4041138063191885708},
        {2.5, 0.70315664064524318723, 0.49035775610023486497, -0.236204051641727403},
        {7.25, 1.9104535268837360284, 0.14787923315893216965, -0.021828952295197739222},
        {-0.7, -2.0739527936287037831, 14.286180872638339627, -69.441632798638532998},
        {-2.5, 1.1031566406452431872, 9.5392466449891237539, -0.108204051641727403},
        {1e-3, -1000.5755719318102797, 1000001.6425331958273, -2000000002.3976321648},
    };
    (void)state;
    for (size_t k = 0; k < sizeof at / sizeof *at; k++) {
        double x = at[k].x, g = 0, df = 0, hv = 0;
        assert_close(t_digamma(x), at[k].psi, 1e-14, 0);
        assert_close(t_digamma_grad(x, &g), at[k].psi, 1e-14, 0);
        assert_close(g, at[k].psi1, 1e-14, 0);
        assert_close(t_digamma_jvp(x, 2.0, &df), at[k].psi, 1e-14, 0);
        assert_close(df, 2 * at[k].psi1, 1e-14, 0);
        t_digamma_hvp(x, 1.0, &g, &hv);
        assert_close(g, at[k].psi1, 1e-14, 0);
        assert_close(hv, at[k].psi2, 1e-14, 0);
        assert_close(t_lgamma_grad(x, &g), lgamma(x), 0, 0);
        assert_close(g, at[k].psi, 1e-14, 0);
        t_lgamma_hvp(x, -1.0, &g, &hv);
        assert_close(g, at[k].psi, 1e-14, 0);
        assert_close(hv, -at[k].psi1, 1e-14, 0);
    }
}

/* The values are the C library's: the generated code calls it. (volatile:
 * the compiler folds library calls on constants with its own, correctly
 * rounded, arithmetic; glibc's cbrt(-27) is -3.0000000000000004.) */
static void test_values(void **state)
{
    volatile double two = 2.0, m27 = -27.0, tiny = 1e-10, m1 = -1.0, half = 0.5;
    (void)state;
    assert_same(t_sqrt(two), sqrt(two));
    assert_same(t_cbrt(m27), cbrt(m27));
    assert_same(t_expm1(tiny), expm1(tiny));
    assert_same(t_log1p(tiny), log1p(tiny));
    assert_same(t_atan2(m1, m1), atan2(m1, m1));
    assert_same(t_hypot(3.0, 4.0), 5.0);
    assert_same(t_abs(-2.5), 2.5);
    assert_same(t_min(1.0, 2.0), 1.0);
    assert_same(t_max(1.0, 2.0), 2.0);
    assert_same(t_erf(half), erf(half));
    assert_same(t_erfc(half), erfc(half));
    assert_same(t_erfc(27.0), erfc(27.0));         /* where 1 - erf is 0 */
    assert_same(t_lgamma(m27 / 10), lgamma(m27 / 10));
    assert_same(t_lgamma(two), 0.0);
}

static void test_composed(void **state)
{
    static const double sp[][2] = {{0.5, 1.0}, {-1.2, 0.7}, {2.0, -1.5}, {-0.3, -0.4}};
    static const double ns[][1] = {{-2.0}, {-0.5}, {0.0}, {0.8}, {3.0}};
    static const double lg[][2] = {{0.5, 1.5}, {-1.2, 0.7}, {2.0, 3.0}, {-0.3, 0.2}};
    static const double hy[][2] = {{0.5, 1.0}, {-1.2, 0.7}, {2.0, -1.5}, {-3.0, -0.4}};
    static const double inv[][2] = {{0.5, 1.0}, {-1.2, 0.7}, {1.5, -2.5}, {-0.3, -0.4}};
    static const double two[][3] = {{0.5, 1.0, 2.0}, {-1.2, 0.7, -0.4}, {2.0, -1.5, 0.3},
                                    {-0.3, -0.4, -2.0}};
    static const double kinks[][2] = {{0.5, 1.0}, {-1.2, 0.7}, {2.0, -1.5}, {0.8, 0.3},
                                      {-0.3, -2.0}};
    static const double ex[][1] = {{-3.0}, {-0.5}, {0.25}, {2.0}};
    static const double tr[][2] = {{0.5, 1.0}, {-1.2, 0.7}, {2.0, -1.5}, {-0.3, -0.4}};
    static const double all[][2] = {{0.2, 1.0}, {-1.2, 0.7}, {2.0, -1.5}, {-0.3, -0.4},
                                    {0.9, 2.2}};
    (void)state;
    check_fd(c_sin_prod, sp);
    check_fd(c_nested, ns);
    check_fd(c_logs, lg);
    check_fd(c_hyper, hy);
    check_fd(c_inverse, inv);
    check_fd(c_two_args, two);
    check_fd(c_kinks, kinks);
    check_fd(c_expm, ex);
    check_fd(c_trig, tr);
    check_fd(c_all, all);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roots_exp_log),
        cmocka_unit_test(test_trig),
        cmocka_unit_test(test_hyperbolic_erf),
        cmocka_unit_test(test_two_argument),
        cmocka_unit_test(test_abs_pi),
        cmocka_unit_test(test_special),
        cmocka_unit_test(test_polygamma_values),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_composed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
