/* samples/tobit.fn: the log-likelihood and its gradient against central
 * differences, and against the closed form with the C library's erfc
 * (censored: d log Q(z) / dz = -phi(z) / Q(z), the inverse Mills ratio),
 * deep in the tail too, where 1 - Phi(z) from erf would be 0. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "tobit.h"
#include "check_array.h"

enum { N = 20, D = 2 };

static const double SQRT2 = 1.41421356237309504880, SQRT2PI = 2.50662827463100050242;

struct data {
    double X[N * D], y[N];
};

/* y = max(0, 0.3 + x + noise): about a third of the observations at 0 */
static void make_data(struct data *s, check_rng *r)
{
    for (int i = 0; i < N; i++) {
        double x = check_uniform(r, -2, 2);
        s->X[i * D] = 1;
        s->X[i * D + 1] = x;
        s->y[i] = fmax(0, 0.3 + x + check_uniform(r, -1, 1));
    }
}

static double q_tail(double z)
{
    return 0.5 * erfc(z / SQRT2);
}

/* the value and its gradient (beta[D], log_sigma) by the closed form */
static double closed_form(const struct data *s, const double *beta, double log_sigma, double *g)
{
    double sigma = exp(log_sigma), l = 0;
    for (int j = 0; j <= D; j++)
        g[j] = 0;
    for (int i = 0; i < N; i++) {
        double xb = 0;
        for (int j = 0; j < D; j++)
            xb += s->X[i * D + j] * beta[j];
        if (s->y[i] > 0) {
            double e = (s->y[i] - xb) / sigma;
            l += -log_sigma - log(SQRT2PI) - e * e / 2;
            for (int j = 0; j < D; j++)
                g[j] += e / sigma * s->X[i * D + j];
            g[D] += e * e - 1;
        } else {
            double z = xb / sigma, mills = exp(-z * z / 2) / SQRT2PI / q_tail(z);
            l += log(q_tail(z));
            for (int j = 0; j < D; j++)
                g[j] -= mills / sigma * s->X[i * D + j];
            g[D] += mills * z;
        }
    }
    return l;
}

/* z packs beta[D], log_sigma */
static double v_loglik(const void *c, const double *z)
{
    const struct data *s = c;
    return tobit_loglik(N, D, z, z[D], s->X, s->y);
}

static double g_loglik(const void *c, const double *z, double *g)
{
    const struct data *s = c;
    return tobit_loglik_grad(N, D, z, z[D], s->X, s->y, g, &g[D]);
}

static void test_fd_and_closed_form(void **state)
{
    struct data s;
    check_rng r = {821};
    double z[D + 1], g[D + 1], e[D + 1];
    (void)state;
    make_data(&s, &r);
    for (int p = 0; p < 6; p++) {
        check_fill_uniform(&r, z, D, -1.5, 1.5);
        z[D] = check_uniform(&r, -0.7, 0.7);
        check_vec_fd(v_loglik, g_loglik, &s, D + 1, z);
        double l = g_loglik(&s, z, g);
        assert_close(l, closed_form(&s, z, z[D], e), 1e-13, 0);
        for (int j = 0; j <= D; j++)
            assert_close(g[j], e[j], 1e-12, 1e-13);
    }
}

/* One observation at 0 whose latent mean is z sigma's above it: log Q(z)
 * is about -z^2/2, finite where 1 - (1 + erf(z / sqrt 2)) / 2 is 0 (z > 8.3),
 * and its gradient the Mills ratio, about z. */
static void test_deep_tail(void **state)
{
    static const double zs[] = {3, 9, 20, 37};
    (void)state;
    for (size_t k = 0; k < sizeof zs / sizeof *zs; k++) {
        double X[2] = {1, 0}, y[1] = {0}, beta[2] = {2 * zs[k], 0}, g[3], e[3];
        double l = tobit_loglik_grad(1, 2, beta, log(2.0), X, y, g, &g[2]);
        double mills = exp(-zs[k] * zs[k] / 2) / SQRT2PI / q_tail(zs[k]);
        e[0] = -mills / 2;
        e[2] = mills * zs[k];
        assert_true(isfinite(l) && l < -zs[k] * zs[k] / 2);
        assert_close(l, log(q_tail(zs[k])), 1e-14, 0);
        assert_close(g[0], e[0], 1e-12, 0);
        assert_same(g[1], 0.0);
        assert_close(g[2], e[2], 1e-12, 0);
    }
}

static void test_norm_tail(void **state)
{
    static const double zs[] = {-3, -0.5, 0, 1.2, 6, 30};
    (void)state;
    for (size_t k = 0; k < sizeof zs / sizeof *zs; k++) {
        double g, z = zs[k];
        assert_close(norm_tail_grad(z, &g), q_tail(z), 4 * DBL_EPSILON, 0);
        /* exp(-z^2/2) turns a rounding of its argument into a relative
           error z^2/2 times as large, in either way of computing it */
        assert_close(g, -exp(-z * z / 2) / SQRT2PI, 1e-14 * (1 + z * z), 0);
    }
    assert_close(norm_tail(0), 0.5, 0, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fd_and_closed_form),
        cmocka_unit_test(test_deep_tail),
        cmocka_unit_test(test_norm_tail),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
