/* samples/logistic.fn: the loss against the textbook cross-entropy, its
 * gradient against sum (p - label) x, and central finite differences,
 * with z on both sides of softplus's branch. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "logistic.h"
#include "check.h"

CHECK_WRAP1(softplus)

static const double LAM = 0.01;
static const double data[3][3] = {{1.0, 2.0, 1}, {-1.5, 0.5, 0}, {0.3, -2.0, 1}};

static double loss_v(const double *w) { return logistic_loss(w[0], w[1], w[2], LAM); }
static double loss_g(const double *w, double *g)
{
    return logistic_loss_grad(w[0], w[1], w[2], LAM, &g[0], &g[1], &g[2]);
}

static const double ws[][3] = {{0.5, -0.25, 0.1}, {-1.0, 2.0, -0.5}, {3.0, 1.5, 2.0},
                               {0.0, 0.0, 0.0}, {-4.0, -3.0, 1.0}};

static void test_fd(void **state)
{
    static const double zs[][1] = {{-30.0}, {-2.0}, {-0.1}, {0.1}, {2.0}, {30.0}};
    (void)state;
    check_fd(softplus, zs);
    check_gradient_points("logistic_loss", loss_v, loss_g, 3, &ws[0][0],
                          (int)(sizeof ws / sizeof ws[0]), __FILE__, __LINE__);
}

static void test_closed_form(void **state)
{
    (void)state;
    for (size_t p = 0; p < sizeof ws / sizeof ws[0]; p++) {
        double w1 = ws[p][0], w2 = ws[p][1], b = ws[p][2], v = 0, e[3] = {0, 0, 0}, g[3];
        for (int i = 0; i < 3; i++) {
            double z = w1 * data[i][0] + w2 * data[i][1] + b, y = data[i][2];
            double pr = 1 / (1 + exp(-z));
            v -= y * log(pr) + (1 - y) * log(1 - pr);
            e[0] += (pr - y) * data[i][0];
            e[1] += (pr - y) * data[i][1];
            e[2] += pr - y;
        }
        v += LAM * (w1 * w1 + w2 * w2) / 2;
        e[0] += LAM * w1;
        e[1] += LAM * w2;
        assert_close(loss_g(ws[p], g), v, 1e-12, 1e-14);
        for (int k = 0; k < 3; k++)
            assert_close(g[k], e[k], 1e-12, 1e-14);
    }
}

/* softplus stays finite where the textbook form overflows */
static void test_no_overflow(void **state)
{
    double g;
    (void)state;
    assert_close(softplus_grad(800.0, &g), 800.0, 1e-15, 0);
    assert_same(g, 1.0);
    assert_close(softplus_grad(-800.0, &g), 0.0, 0, 1e-300);
    assert_close(g, 0.0, 0, 1e-300);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fd),
        cmocka_unit_test(test_closed_form),
        cmocka_unit_test(test_no_overflow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
