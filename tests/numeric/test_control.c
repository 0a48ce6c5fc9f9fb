/* Statements and conditions: let, reassignment, compound assignment,
 * if / else if / else, ?:, && || ! and comparisons. Each function is checked
 * against central finite differences at points that take every branch. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "control.h"
#include "check.h"

CHECK_WRAP2(s_let)
CHECK_WRAP2(s_reassign)
CHECK_WRAP2(s_compound)
CHECK_WRAP1(s_chain)
CHECK_WRAP2(s_nested_if)
CHECK_WRAP1(s_branch_compound)
CHECK_WRAP2(s_ternary)
CHECK_WRAP1(s_ternary_chain)
CHECK_WRAP2(s_ternary_inner)
CHECK_WRAP2(s_logic)
CHECK_WRAP2(s_compare)
CHECK_WRAP2(s_reuse)
CHECK_WRAP2(o_branch_reads)
CHECK_WRAP1(o_self)
CHECK_WRAP2(o_common)
CHECK_WRAP2(o_deep)
CHECK_WRAP1(o_same_select)
CHECK_WRAP2(o_copies)
CHECK_WRAP1(o_identities)
CHECK_WRAP2(o_cse)

static const double pts2[][2] = {{0.5, 1.0}, {-1.2, 0.7}, {2.0, -1.5}, {-0.3, -0.4},
                                 {1.5, 0.2}};

static void test_assignments(void **state)
{
    (void)state;
    check_fd(s_let, pts2);
    check_fd(s_reassign, pts2);
    check_fd(s_compound, pts2);
}

static void test_compound_value(void **state)
{
    double gx, gy;
    (void)state;
    /* x = 1, y = 2: a = 1; 5; 3; 6; 3; 6; 36; 35; 17.5 */
    assert_same(s_compound_grad(1.0, 2.0, &gx, &gy), 17.5);
    /* f = (A^2 - x) / y with A = 2 (y^2 - x) y / (1 + x^2) = 6,
     * dA/dx = -8, dA/dy = 11 */
    assert_close(gx, (2 * 6 * -8.0 - 1) / 2, 1e-15, 0);
    assert_close(gy, 2 * 6 * 11.0 / 2 - 35.0 / 4, 1e-15, 0);
}

static void test_if_chains(void **state)
{
    /* s_chain: two points in each of its four branches */
    static const double chain[][1] = {{-3.0}, {-1.5}, {-0.7}, {-0.2}, {0.3}, {0.8},
                                      {1.5}, {4.0}};
    /* s_nested_if: x > 0 with y > 0 and y <= 0, x <= 0 with y > x and y <= x;
     * a > 1 and a <= 1 after them */
    static const double nested[][2] = {{1.5, 1.0}, {0.2, 0.3}, {2.0, -1.5}, {0.3, -0.2},
                                       {-1.2, 0.7}, {-0.3, 2.5}, {-0.3, -0.4}, {-2.0, -3.0}};
    /* s_branch_compound: x > 0, -1 < x <= 0, x <= -1 */
    static const double bc[][1] = {{1.5}, {0.4}, {-0.5}, {-0.9}, {-1.5}, {-3.0}};
    (void)state;
    check_fd(s_chain, chain);
    check_fd(s_nested_if, nested);
    check_fd(s_branch_compound, bc);
}

/* The branch taken decides the value: the exact values name the branch. */
static void test_if_chain_values(void **state)
{
    double g;
    (void)state;
    assert_same(s_chain_grad(-2.0, &g), 16.0);        /* x^4 */
    assert_same(g, -32.0);
    assert_same(s_chain_grad(-0.5, &g), 2 * sin(-0.5) * -0.5);
    assert_close(g, 2 * sin(-0.5) + 2 * cos(-0.5) * -0.5, 1e-15, 0);
    assert_same(s_chain_grad(0.0, &g), 0.0);          /* (e^x - 1) x */
    assert_same(g, 0.0);
    assert_close(s_chain_grad(2.0, &g), (log(2.0) + 2) * 2, 1e-15, 0);
    assert_close(g, log(2.0) + 2 + (0.5 + 1) * 2, 1e-15, 0);
    assert_same(s_branch_compound_grad(-0.5, &g), 0.25);
    assert_same(g, -1.0);
}

static void test_ternaries(void **state)
{
    static const double chain[][1] = {{-3.0}, {-1.5}, {-0.7}, {0.2}, {0.8}, {1.5}, {4.0}};
    static const double inner[][2] = {{0.5, 1.0}, {-1.2, 0.7}, {2.0, -1.5}, {-0.3, -0.4}};
    (void)state;
    check_fd(s_ternary, pts2);
    check_fd(s_ternary_chain, chain);
    check_fd(s_ternary_inner, inner);
}

static void test_conditions(void **state)
{
    /* s_logic: x, y > 0; x < 0; y < -1; neither; x <= y and x > y
     * (x == y is in test_equality_branch: FD would straddle the jump) */
    static const double logic[][2] = {{0.5, 1.0}, {1.5, 0.2}, {-1.2, 0.7}, {-0.3, -0.4},
                                      {2.0, -1.5}, {0.5, -0.5}};
    /* s_compare: x < y, x > y; x against 2y both ways */
    static const double cmp[][2] = {{0.5, 1.0}, {1.5, 0.2}, {-1.2, 0.7}, {-0.3, -0.4},
                                    {3.0, 1.0}};
    (void)state;
    check_fd(s_logic, logic);
    check_fd(s_compare, cmp);
    check_fd(s_reuse, pts2);
}

/* At x == y the equality branches run; the gradient is the one of that
 * branch (FD there would straddle the kink, so check it exactly). */
static void test_equality_branch(void **state)
{
    double gx, gy;
    (void)state;
    /* s_compare(1, 1): r = 2; *= x -> 2; *= y -> 2; -= x -> 1; += sin(1) */
    assert_close(s_compare_grad(1.0, 1.0, &gx, &gy), 1.0 + sin(1.0), 1e-15, 0);
    /* r = (x + y) x y - x + sin x */
    assert_close(gx, 2.0 * 1.0 + 1.0 - 1.0 + cos(1.0), 1e-15, 0);
    assert_close(gy, 3.0, 1e-15, 0);

    /* s_logic(-0.6, -0.6): only x == y makes the last condition true;
     * r = 2 (x y - y^2) + 1 + x */
    assert_close(s_logic_grad(-0.6, -0.6, &gx, &gy), 0.4, 1e-15, 0);
    assert_close(gx, 2 * -0.6 + 1, 1e-14, 0);
    assert_close(gy, 2 * (-0.6 - 2 * -0.6), 1e-14, 0);
    /* s_logic(0.7, 0.7): r = x y + x^2, doubled, + 1 + x */
    assert_close(s_logic_grad(0.7, 0.7, &gx, &gy), 2 * (0.49 + 0.49) + 1.7, 1e-15, 0);
    assert_close(gx, 2 * (0.7 + 1.4) + 1, 1e-14, 0);
    assert_close(gy, 2 * 0.7, 1e-14, 0);
}

/* s_const(x, const c) with c = 2.5: the checker sees x only */
static double s_const_v(const double *x) { return s_const(x[0], 2.5); }
static double s_const_g(const double *x, double *g) { return s_const_grad(x[0], 2.5, &g[0]); }

static void test_const_input(void **state)
{
    static const double xs[] = {-1.5, 0.3, 4.0};
    double gx = NAN;
    (void)state;
    check_gradient_points("s_const", s_const_v, s_const_g, 1, xs, 3, __FILE__, __LINE__);
    assert_same(s_const_grad(3.0, 2.0, &gx), 10.0);
    assert_same(gx, 2.0);
}

static void test_optimiser_traps(void **state)
{
    /* every combination of the two ifs of o_branch_reads */
    static const double quad[][2] = {{0.5, 1.3}, {-0.5, 1.3}, {0.5, -1.3}, {-0.5, -1.3}};
    /* o_common: x > y, x < -y, neither */
    static const double common[][2] = {{1.0, 0.5}, {-2.0, 0.5}, {-0.2, 0.5}, {0.3, 2.0}};
    /* o_deep: x > y > 0, y >= x > 0, x > 0 >= y, x <= 0 */
    static const double deep[][2] = {{2.0, 1.0}, {1.0, 2.0}, {1.0, -1.0}, {-1.0, 0.5},
                                     {-0.5, -2.0}};
    static const double ones[][1] = {{-1.5}, {-0.3}, {0.7}, {1.7}};
    /* o_cse: v = (xy)^2 > 1 and <= 1 */
    static const double cse[][2] = {{2.0, 3.0}, {0.1, 0.2}, {-1.5, 1.2}, {-0.4, -0.9}};
    double g;
    (void)state;
    check_fd(o_branch_reads, quad);
    check_fd(o_self, ones);
    check_fd(o_common, common);
    check_fd(o_deep, deep);
    check_fd(o_same_select, ones);
    check_fd(o_copies, quad);
    check_fd(o_identities, ones);
    check_fd(o_cse, cse);
    /* o_self is 2 - 2x; o_identities is 4x */
    assert_same(o_self_grad(1.75, &g), 2 - 2 * 1.75);
    assert_same(g, -2.0);
    assert_same(o_identities_grad(1.25, &g), 5.0);
    assert_same(g, 4.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_assignments),
        cmocka_unit_test(test_compound_value),
        cmocka_unit_test(test_if_chains),
        cmocka_unit_test(test_if_chain_values),
        cmocka_unit_test(test_ternaries),
        cmocka_unit_test(test_conditions),
        cmocka_unit_test(test_equality_branch),
        cmocka_unit_test(test_const_input),
        cmocka_unit_test(test_optimiser_traps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
