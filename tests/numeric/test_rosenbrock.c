/* samples/rosenbrock.fn: the known values at the usual start (-1.2, 1) and
 * the minimum (1, 1), the gradient against its closed form, central finite
 * differences, and steepest descent whose every step lowers f as the
 * gradient predicts. */
#include <math.h>
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

/* The gradient of (1 - x)^2 + 100 (y - x^2)^2, written out. */
static void exact_grad(double x, double y, double *gx, double *gy)
{
    *gx = -2 * (1 - x) - 400 * x * (y - x * x);
    *gy = 200 * (y - x * x);
}

/* The gradient equals the closed form on a grid over the valley and
 * around it (to rounding: a tolerance relative to the terms' sizes, since
 * the two terms of df/dx may cancel); rosenbrock4's is the sum of its
 * pairs' gradients. */
static void test_closed_form(void **state)
{
    (void)state;
    for (double x = -2; x <= 2; x += 0.25) {
        for (double y = -1; y <= 3; y += 0.25) {
            double gx, gy, ex, ey, b = y - x * x;
            double f = rosenbrock_grad(x, y, &gx, &gy);
            exact_grad(x, y, &ex, &ey);
            assert_close(f, (1 - x) * (1 - x) + 100 * b * b, 1e-14, 0);
            assert_close(gx, ex, 0, 1e-14 * (2 * fabs(1 - x) + 400 * fabs(x * b) + 400 * x * x));
            assert_close(gy, ey, 1e-14, 1e-14 * x * x);
        }
    }
    static const double p4[][4] = {{-1.2, 1.0, 0.5, -0.3}, {0.9, 0.8, 1.1, 1.3}, {2.0, -1.5, 0.25, 3.0}};
    for (int i = 0; i < 3; i++) {
        const double *x = p4[i];
        double g[4], want[4] = {0, 0, 0, 0};
        rosenbrock4_grad(x[0], x[1], x[2], x[3], &g[0], &g[1], &g[2], &g[3]);
        for (int k = 0; k < 3; k++) {
            double a, b;
            exact_grad(x[k], x[k + 1], &a, &b);
            want[k] += a;
            want[k + 1] += b;
        }
        for (int k = 0; k < 4; k++)
            assert_close(g[k], want[k], 1e-13, 1e-10);
    }
}

/* Steepest descent from (-1.2, 1) with a backtracking line search. Along
 * the unit direction u = -g / |g| the slope of f is -|g|: the central
 * difference of f along u must give it, so a gradient of the right sign
 * but the wrong size or direction fails. Each step must satisfy Armijo's
 * condition f(x - t g) <= f(x) - t |g|^2 / 2 for some t that is not tiny,
 * and 1000 steps must bring f from 24.2 to near 0 at (1, 1). */
static void test_descent(void **state)
{
    double x = -1.2, y = 1.0, gx, gy;
    double f = rosenbrock_grad(x, y, &gx, &gy);
    (void)state;
    for (int i = 0; i < 1000; i++) {
        double norm = sqrt(gx * gx + gy * gy), ux = -gx / norm, uy = -gy / norm, h = 1e-6;
        double slope = (rosenbrock(x + h * ux, y + h * uy) - rosenbrock(x - h * ux, y - h * uy)) / (2 * h);
        assert_close(slope, -norm, 1e-5, 1e-8);
        double t = 1;
        while (rosenbrock(x - t * gx, y - t * gy) > f - 0.5 * t * norm * norm) {
            t /= 2;
            assert_true(t > 1e-12);
        }
        x -= t * gx;
        y -= t * gy;
        double next = rosenbrock_grad(x, y, &gx, &gy);
        assert_true(next < f);
        f = next;
    }
    assert_true(f < 1e-3);
    assert_close(x, 1, 0, 0.05);
    assert_close(y, 1, 0, 0.1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_values),
        cmocka_unit_test(test_closed_form),
        cmocka_unit_test(test_fd),
        cmocka_unit_test(test_descent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
