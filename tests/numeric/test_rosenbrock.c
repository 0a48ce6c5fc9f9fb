/* samples/rosenbrock.fn: the known values at the usual start (-1.2, 1) and
 * the minimum (1, 1), and central finite differences elsewhere. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "rosenbrock.h"
#include "check.h"

CHECK_WRAP2(rosenbrock)
CHECK_WRAP4(rosenbrock4)

static void test_known_values(void **state)
{
    double gx, gy;
    (void)state;
    /* f = 2.2^2 + 100 * 0.44^2; df/dx = -2 (1 - x) - 400 x (y - x^2);
     * df/dy = 200 (y - x^2) */
    assert_close(rosenbrock_grad(-1.2, 1.0, &gx, &gy), 24.2, 1e-15, 0);
    assert_close(gx, -215.6, 1e-15, 0);
    assert_close(gy, -88.0, 1e-15, 0);
    assert_same(rosenbrock_grad(1.0, 1.0, &gx, &gy), 0.0);
    assert_same(gx, 0.0);
    assert_same(gy, 0.0);
    double g[4];
    assert_same(rosenbrock4_grad(1.0, 1.0, 1.0, 1.0, &g[0], &g[1], &g[2], &g[3]), 0.0);
    for (int i = 0; i < 4; i++)
        assert_same(g[i], 0.0);
}

static void test_fd(void **state)
{
    static const double p2[][2] = {{-1.2, 1.0}, {0.5, -0.3}, {2.0, 4.5}, {-0.4, -1.1}};
    static const double p4[][4] = {{-1.2, 1.0, 0.5, -0.3}, {0.9, 0.8, 1.1, 1.3},
                                   {-2.0, 3.0, -0.5, 0.25}};
    (void)state;
    check_fd(rosenbrock, p2);
    check_fd(rosenbrock4, p4);
}

/* Gradient descent from (-1.2, 1) goes downhill: the gradient is a descent
 * direction at every step. */
static void test_descent(void **state)
{
    double x = -1.2, y = 1.0, gx, gy;
    double f = rosenbrock_grad(x, y, &gx, &gy);
    (void)state;
    for (int i = 0; i < 200; i++) {
        double nf = rosenbrock(x - 1e-4 * gx, y - 1e-4 * gy);
        assert_true(nf < f);
        x -= 1e-4 * gx;
        y -= 1e-4 * gy;
        f = rosenbrock_grad(x, y, &gx, &gy);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_values),
        cmocka_unit_test(test_fd),
        cmocka_unit_test(test_descent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
