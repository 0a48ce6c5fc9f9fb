/* samples/ext_rosenbrock.fn: the known values at the usual start and at the
 * minimum, the gradient against central differences at seeded random points
 * for n = 2, 5, 50, against the gradient written by hand, and agreement with
 * samples/rosenbrock.fn's four-variable form. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "ext_rosenbrock.h"
#include "check_array.h"

static double v_f(const void *c, const double *x)
{
    return ext_rosenbrock(*(const int *)c, x);
}

static double g_f(const void *c, const double *x, double *g)
{
    return ext_rosenbrock_grad(*(const int *)c, x, g);
}

static void test_known_values(void **state)
{
    double x[4] = {-1.2, 1, -1.2, 1}, g[4];
    (void)state;
    /* 2 * 24.2 + the middle pair (1, -1.2): 0 + 100 * 2.2^2 */
    assert_close(ext_rosenbrock_grad(4, x, g), 532.4, 1e-15, 0);
    assert_close(g[0], -215.6, 1e-14, 0);
    assert_close(g[1], 792, 1e-14, 0);  /* -88 + (-400 (-1.2 - 1) - 0) */
    assert_close(g[2], -655.6, 1e-14, 0);
    assert_close(g[3], -88, 1e-14, 0);
    double ones[7] = {1, 1, 1, 1, 1, 1, 1}, g7[7];
    check_fill_garbage(g7, 7);
    assert_same(ext_rosenbrock_grad(7, ones, g7), 0.0);
    assert_all_same(g7, 7, 0.0);
    /* n = 1: nothing to sum, a zero gradient written */
    double g1 = CHECK_GARBAGE;
    assert_same(ext_rosenbrock_grad(1, x, &g1), 0.0);
    assert_same(g1, 0.0);
}

static void test_fd(void **state)
{
    static const int sizes[] = {2, 5, 50};
    check_rng r = {301};
    (void)state;
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        int n = sizes[s];
        double x[50], g[50];
        for (int p = 0; p < 5; p++) {
            check_fill_uniform(&r, x, n, -2, 2);
            check_vec_fd(v_f, g_f, &n, n, x);
            ext_rosenbrock_grad(n, x, g);
            for (int i = 0; i < n; i++) {
                double e = 0;
                if (i + 1 < n)
                    e += -400 * x[i] * (x[i + 1] - x[i] * x[i]) - 2 * (1 - x[i]);
                if (i > 0)
                    e += 200 * (x[i] - x[i - 1] * x[i - 1]);
                assert_close(g[i], e, 1e-13, 1e-12);
            }
        }
    }
}

/* steepest descent with a backtracking step goes downhill */
static void test_descent(void **state)
{
    double x[10], g[10], t[10];
    (void)state;
    for (int i = 0; i < 10; i++)
        x[i] = i % 2 ? 1.0 : -1.2;
    double f = ext_rosenbrock_grad(10, x, g);
    for (int it = 0; it < 100; it++) {
        double step = 1e-2, nf;
        do {
            step /= 2;
            for (int i = 0; i < 10; i++)
                t[i] = x[i] - step * g[i];
            nf = ext_rosenbrock(10, t);
        } while (nf >= f && step > 1e-12);
        assert_true(nf < f);
        for (int i = 0; i < 10; i++)
            x[i] = t[i];
        f = ext_rosenbrock_grad(10, x, g);
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
