/* Arithmetic and powers: the gradients of ^ (integer, negative, fractional
 * and variable exponents), pow, unary minus, division and pi against central
 * finite differences, and the values of integer powers exactly. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "arith.h"
#include "check.h"

CHECK_WRAP1(p_sq)
CHECK_WRAP1(p_cube)
CHECK_WRAP1(p_inv2)
CHECK_WRAP1(p_half)
CHECK_WRAP2(p_xy)
CHECK_WRAP2(p_pow)
CHECK_WRAP1(p_ints)
CHECK_WRAP1(p_right)
CHECK_WRAP1(p_negpow)
CHECK_WRAP2(p_exprpow)
CHECK_WRAP2(p_neg)
CHECK_WRAP2(p_div)
CHECK_WRAP3(p_mixed)
CHECK_WRAP1(p_pi)
CHECK_WRAP1(p_self)

static void test_integer_powers(void **state)
{
    static const double all[][1] = {{-3.0}, {-0.7}, {0.0}, {0.4}, {2.5}};
    static const double nonzero[][1] = {{-3.0}, {-0.7}, {0.4}, {2.5}};
    (void)state;
    check_fd(p_sq, all);
    check_fd(p_cube, all);
    check_fd(p_inv2, nonzero);
    check_fd(p_ints, nonzero);
    check_fd(p_negpow, all);
}

static void test_integer_power_values(void **state)
{
    double g;
    (void)state;
    assert_same(p_sq_grad(-3.0, &g), 9.0);
    assert_same(g, -6.0);
    assert_same(p_cube_grad(-2.0, &g), -8.0);
    assert_same(g, 12.0);
    assert_same(p_inv2_grad(-2.0, &g), 0.25);
    assert_same(g, 0.25);                      /* -2 * (-2)^-3 */
    /* 1 + x + x^4 + 1/x + x^-3 + x^7 at x = -1 */
    assert_same(p_ints_grad(-1.0, &g), 1.0 - 1.0 + 1.0 - 1.0 - 1.0 - 1.0);
    assert_same(g, 0.0 + 1.0 - 4.0 - 1.0 - 3.0 + 7.0);
    assert_same(p_negpow_grad(-2.0, &g), -4.0 + 4.0 * -2.0);
    assert_same(g, 4.0 + 3.0 * 4.0);          /* -2x + 3x^2 */
}

static void test_real_powers(void **state)
{
    static const double pos[][1] = {{0.1}, {1.0}, {2.5}, {40.0}};
    static const double xy[][2] = {{2.0, 3.0}, {0.5, -1.5}, {3.0, 0.7}, {1.3, -2.0}, {0.2, 2.5}};
    static const double right[][1] = {{-1.5}, {-0.3}, {0.0}, {0.8}, {2.0}};
    static const double ep[][2] = {{0.5, 1.0}, {-1.2, 0.7}, {2.0, -1.5}, {-0.3, -0.4}};
    (void)state;
    check_fd(p_half, pos);
    check_fd(p_xy, xy);
    check_fd(p_pow, xy);
    check_fd(p_right, right);
    check_fd(p_exprpow, ep);
    double g[2];
    assert_close(p_xy_grad(2.0, 3.0, &g[0], &g[1]), 8.0, 4 * DBL_EPSILON, 0);
    assert_close(g[0], 12.0, 4 * DBL_EPSILON, 0);
    assert_close(g[1], 8.0 * log(2.0), 4 * DBL_EPSILON, 0);
}

static void test_negation_division(void **state)
{
    static const double pts[][2] = {{0.5, 1.0}, {-1.2, 0.7}, {2.0, -1.5}, {-0.3, -0.4}};
    static const double pts3[][3] = {{0.5, 1.0, 2.0}, {-1.2, 0.7, -0.4}, {2.0, -1.5, 0.3},
                                     {-0.3, -0.4, -2.0}};
    static const double ones[][1] = {{-2.0}, {-0.5}, {0.3}, {1.5}};
    (void)state;
    check_fd(p_neg, pts);
    check_fd(p_div, pts);
    check_fd(p_mixed, pts3);
    check_fd(p_pi, ones);
    check_fd(p_self, ones);
    double g[2];
    p_div_grad(1.0, 2.0, &g[0], &g[1]);
    /* x/y + 1/(xy) - y/(x+3) + x^2/y^2 at (1, 2) */
    assert_close(g[0], 0.5 - 0.5 + 2.0 / 16.0 + 2.0 / 4.0, 1e-14, 0);
    assert_close(g[1], -0.25 - 0.25 - 0.25 - 2.0 / 8.0, 1e-14, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_integer_powers),
        cmocka_unit_test(test_integer_power_values),
        cmocka_unit_test(test_real_powers),
        cmocka_unit_test(test_negation_division),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
