/* Calls between .fn functions: the gradients of callers, through callees
 * defined before and after them, against central finite differences, and
 * against the callees' own gradients combined by hand. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "calls.h"
#include "check.h"

CHECK_WRAP1(before)
CHECK_WRAP2(helper)
CHECK_WRAP2(twice)
CHECK_WRAP1(uses_before)
CHECK_WRAP1(chain3)
CHECK_WRAP1(level1)
CHECK_WRAP1(level2)
CHECK_WRAP2(level3)
CHECK_WRAP1(const_args)
CHECK_WRAP2(nested_args)
CHECK_WRAP2(block_calls)
CHECK_WRAP2(call_in_branch)
CHECK_WRAP1(same_call)
CHECK_WRAP2(uses_ignores)
CHECK_WRAP2(call_in_condition)
CHECK_WRAP1(dead_call)
CHECK_WRAP1(uses_scaled)

static const double pts1[][1] = {{-1.7}, {-0.4}, {0.3}, {1.1}, {2.0}};
static const double pts2[][2] = {{0.5, 1.0}, {-1.2, 0.7}, {2.0, -1.5}, {-0.3, -0.4}, {1.5, 0.2}};

static void test_callees(void **state)
{
    (void)state;
    check_fd(before, pts1);
    check_fd(helper, pts2);
    check_fd(level1, pts1);
    check_fd(level2, pts1);
    check_fd(level3, pts2);
}

static void test_callers(void **state)
{
    (void)state;
    check_fd(twice, pts2);
    check_fd(uses_before, pts1);
    check_fd(chain3, pts1);
    check_fd(const_args, pts1);
    check_fd(nested_args, pts2);
    check_fd(block_calls, pts2);
    check_fd(same_call, pts1);
    check_fd(uses_ignores, pts2);
}

/* pts2 takes both branches of call_in_branch's if and of its ?: */
static void test_call_in_branch(void **state)
{
    static const double more[][2] = {{-0.5, -1.0}, {0.3, 0.9}};
    (void)state;
    check_fd(call_in_branch, pts2);
    check_fd(call_in_branch, more);
}

static void test_call_in_condition(void **state)
{
    /* helper(x, y) > 1 and not; helper(y, 0.5) > 0 and not */
    static const double pts[][2] = {{1.5, 1.0}, {0.5, 0.2}, {-1.0, -0.5}, {2.0, -0.3},
                                    {-1.0, -2.0}};
    (void)state;
    check_fd(call_in_condition, pts);
    check_fd(dead_call, pts1);
    check_fd(uses_scaled, pts1);
    double g;
    assert_same(dead_call_grad(0.5, &g), 1.5);
    assert_same(g, 3.0);
}

/* The chain rule across a call, by hand from the callee's own gradient:
 * twice(x, y) = 2 helper(x, y) + helper(y, x). */
static void test_against_callee_gradients(void **state)
{
    double x = 0.7, y = -1.3, ha, hb, ka, kb, gx, gy;
    (void)state;
    helper_grad(x, y, &ha, &hb);
    helper_grad(y, x, &ka, &kb);
    assert_close(twice_grad(x, y, &gx, &gy), 2 * helper(x, y) + helper(y, x), 1e-15, 0);
    assert_close(gx, 2 * ha + kb, 1e-14, 0);
    assert_close(gy, 2 * hb + ka, 1e-14, 0);

    /* chain3(x) = 3 level2(x^2) + x, level2(u) = sin(level3(u, 2)) + u */
    double u = x * x, l2u, l3u, l3k;
    level2_grad(u, &l2u);
    assert_close(chain3_grad(x, &gx), 3 * level2(u) + x, 1e-15, 0);
    assert_close(gx, 3 * l2u * 2 * x + 1, 1e-14, 0);
    /* level3(u, k) = u k + log(1 + u^2) */
    level3_grad(u, 2, &l3u, &l3k);
    assert_close(l3u, 2 + 2 * u / (1 + u * u), 1e-14, 0);
    assert_close(l3k, u, 1e-15, 0);

    /* uses_ignores(x, y) = 3y + 7x */
    assert_same(uses_ignores_grad(2.0, 5.0, &gx, &gy), 29.0);
    assert_same(gx, 7.0);
    assert_same(gy, 3.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_callees),
        cmocka_unit_test(test_callers),
        cmocka_unit_test(test_call_in_branch),
        cmocka_unit_test(test_call_in_condition),
        cmocka_unit_test(test_against_callee_gradients),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
