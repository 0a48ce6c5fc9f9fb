/* samples/logreg.fn: the gradient against central differences at seeded
 * random weights over a random data set, against the closed form with the
 * sigmoid, stability at huge margins, the value at t = 0 (log 2), n = 1,
 * and that gradient descent lowers the loss. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "logreg.h"
#include "check_array.h"

enum { N = 20, D = 4 };

struct data {
    int n, d;
    double X[N * D], y[N], lambda;
};

static void make_data(struct data *s, check_rng *r)
{
    s->n = N;
    s->d = D;
    check_fill_uniform(r, s->X, N * D, -2, 2);
    for (int i = 0; i < N; i++)
        s->y[i] = check_uniform(r, 0, 1) < 0.5 ? -1.0 : 1.0;
    s->lambda = 0.05;
}

/* z packs w[d], b */
static double v_loss(const void *c, const double *z)
{
    const struct data *s = c;
    return logreg(s->n, s->d, z, z[s->d], s->X, s->y, s->lambda);
}

static double g_loss(const void *c, const double *z, double *g)
{
    const struct data *s = c;
    return logreg_grad(s->n, s->d, z, z[s->d], s->X, s->y, s->lambda, g, &g[s->d]);
}

static double sigmoid(double t)
{
    return 1 / (1 + exp(-t));
}

static void test_fd_and_closed_form(void **state)
{
    struct data s;
    check_rng r = {401};
    double z[D + 1], g[D + 1];
    (void)state;
    make_data(&s, &r);
    for (int p = 0; p < 6; p++) {
        check_fill_uniform(&r, z, D + 1, -2, 2);
        check_vec_fd(v_loss, g_loss, &s, D + 1, z);
        g_loss(&s, z, g);
        double e[D + 1] = {0};
        for (int i = 0; i < N; i++) {
            double zi = z[D];
            for (int j = 0; j < D; j++)
                zi += z[j] * s.X[i * D + j];
            double a = -s.y[i] * sigmoid(-s.y[i] * zi) / N;
            for (int j = 0; j < D; j++)
                e[j] += a * s.X[i * D + j];
            e[D] += a;
        }
        for (int j = 0; j < D; j++)
            assert_close(g[j], e[j] + s.lambda * z[j], 1e-13, 1e-15);
        assert_close(g[D], e[D], 1e-13, 1e-15);
    }
}

static void test_edges(void **state)
{
    double X[2] = {1, 2}, y[1] = {1}, w[2] = {0, 0}, g[3];
    (void)state;
    /* z = 0: loss log 2, the derivative sigmoid(0) = 1/2 exactly */
    assert_close(logreg_grad(1, 2, w, 0, X, y, 0, g, &g[2]), log(2.0), 1e-15, 0);
    assert_same(g[0], -0.5);
    assert_same(g[1], -1.0);
    assert_same(g[2], -0.5);
    /* a huge right margin: loss ~ 0, no overflow; a huge wrong one: loss ~ t */
    double big[2] = {400, 400};
    assert_true(logreg_grad(1, 2, big, 0, X, y, 0, g, &g[2]) >= 0);
    assert_true(isfinite(g[0]) && fabs(g[0]) < 1e-300);
    double y2[1] = {-1};
    assert_close(logreg_grad(1, 2, big, 0, X, y2, 0, g, &g[2]), 1200, 1e-15, 0);
    assert_same(g[0], 1.0);
    assert_same(g[1], 2.0);
    assert_same(g[2], 1.0);
}

static void test_descent(void **state)
{
    struct data s;
    check_rng r = {402};
    double z[D + 1] = {0}, g[D + 1];
    (void)state;
    make_data(&s, &r);
    double f = g_loss(&s, z, g);
    for (int it = 0; it < 50; it++) {
        for (int j = 0; j <= D; j++)
            z[j] -= 0.5 * g[j];
        double nf = g_loss(&s, z, g);
        assert_true(nf < f);
        f = nf;
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fd_and_closed_form),
        cmocka_unit_test(test_edges),
        cmocka_unit_test(test_descent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
