/* samples/gaussian.fn: the value against the closed form, the gradient
 * against central finite differences and against zero at the maximum
 * likelihood estimates. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "gaussian.h"
#include "check.h"

static const double ys[4] = {0.5, 1.5, 2.0, -0.25};

/* the data are fixed; the checker sees (mu, sigma) */
static double nll_v(const double *x) { return gaussian_nll(x[0], x[1], ys[0], ys[1], ys[2], ys[3]); }
static double nll_g(const double *x, double *g)
{
    return gaussian_nll_grad(x[0], x[1], ys[0], ys[1], ys[2], ys[3], &g[0], &g[1]);
}
static double nll_log_v(const double *x)
{
    return gaussian_nll_log(x[0], x[1], ys[0], ys[1], ys[2], ys[3]);
}
static double nll_log_g(const double *x, double *g)
{
    return gaussian_nll_log_grad(x[0], x[1], ys[0], ys[1], ys[2], ys[3], &g[0], &g[1]);
}
static double one_v(const double *x) { return normal_nll(x[0], x[1], x[2]); }
static double one_g(const double *x, double *g)
{
    return normal_nll_grad(x[0], x[1], x[2], &g[0], &g[1], &g[2]);
}

static const double pts[][2] = {{0.0, 1.0}, {1.2, 0.4}, {-2.0, 3.0}, {0.75, 0.9}};

static void test_fd(void **state)
{
    static const double logs[][2] = {{0.0, 0.0}, {1.2, -0.9}, {-2.0, 1.1}};
    static const double one[][3] = {{0.5, 0.0, 1.0}, {-1.0, 1.2, 0.4}, {2.0, -2.0, 3.0}};
    (void)state;
    check_gradient_points("gaussian_nll", nll_v, nll_g, 2, &pts[0][0], 4, __FILE__, __LINE__);
    check_gradient_points("gaussian_nll_log", nll_log_v, nll_log_g, 2, &logs[0][0], 3,
                          __FILE__, __LINE__);
    check_gradient_points("normal_nll", one_v, one_g, 3, &one[0][0], 3, __FILE__, __LINE__);
}

static void test_closed_form(void **state)
{
    (void)state;
    for (int p = 0; p < 4; p++) {
        double mu = pts[p][0], s = pts[p][1], v = 0, gmu = 0, gs = 0, g[2];
        for (int i = 0; i < 4; i++) {
            double r = ys[i] - mu;
            v += 0.5 * log(2 * 3.14159265358979323846) + log(s) + r * r / (2 * s * s);
            gmu -= r / (s * s);
            gs += 1 / s - r * r / (s * s * s);
        }
        assert_close(nll_g(pts[p], g), v, 1e-14, 0);
        assert_close(g[0], gmu, 1e-13, 1e-14);
        assert_close(g[1], gs, 1e-13, 1e-14);
    }
}

/* The gradient vanishes at the maximum likelihood estimates. */
static void test_mle(void **state)
{
    double mean = 0, var = 0, g[2];
    (void)state;
    for (int i = 0; i < 4; i++)
        mean += ys[i] / 4;
    for (int i = 0; i < 4; i++)
        var += (ys[i] - mean) * (ys[i] - mean) / 4;
    double x[2] = {mean, sqrt(var)};
    nll_g(x, g);
    assert_close(g[0], 0.0, 0, 1e-14);
    assert_close(g[1], 0.0, 0, 1e-14);
    x[1] = log(sqrt(var));
    nll_log_g(x, g);
    assert_close(g[0], 0.0, 0, 1e-14);
    assert_close(g[1], 0.0, 0, 1e-14);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fd),
        cmocka_unit_test(test_closed_form),
        cmocka_unit_test(test_mle),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
