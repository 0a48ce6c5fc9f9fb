/* samples/gmm.fn: the ADBench GMM objective. Its value against an
 * independent C implementation of ADBench's definition (full Q matrices,
 * lgamma for the constant that gmm.fn leaves out), its gradient against
 * central differences at seeded random points for d = 1, 2, 3, K = 3, n = 5,
 * and two invariants: the alphas' gradient sums to 0, and shifting every
 * alpha by the same amount changes nothing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "gmm.h"
#include "check_array.h"

#define GMM_PI 3.14159265358979323846 /* M_PI is not ISO C */

enum { MAXD = 3, MAXK = 3, MAXN = 5, MAXT = MAXD * (MAXD + 1) / 2 };

struct problem {
    int d, K, n, T, m;
    double x[MAXN * MAXD], gamma;
};

/* log Gamma_p(a), the multivariate log-gamma */
static double log_gamma_multi(double a, int p)
{
    double r = 0.25 * p * (p - 1) * log(GMM_PI);
    for (int j = 1; j <= p; j++)
        r += lgamma(a + 0.5 * (1 - j));
    return r;
}

/* ADBench's objective from its definition: alphas[K], means[K][d],
 * icf[K][T] packed in z */
static double reference(const struct problem *p, const double *z)
{
    int d = p->d, K = p->K, T = p->T;
    const double *alphas = z, *means = z + K, *icf = z + K + K * d;
    double Q[MAXK][MAXD][MAXD], sumq[MAXK], slse = 0;
    for (int k = 0; k < K; k++) {
        int idx = d;
        sumq[k] = 0;
        for (int r = 0; r < d; r++)
            for (int c = 0; c < d; c++)
                Q[k][r][c] = 0;
        for (int j = 0; j < d; j++) {
            Q[k][j][j] = exp(icf[k * T + j]);
            sumq[k] += icf[k * T + j];
        }
        for (int c = 0; c < d; c++)       /* column by column */
            for (int r = c + 1; r < d; r++)
                Q[k][r][c] = icf[k * T + idx++];
    }
    for (int i = 0; i < p->n; i++) {
        double t[MAXK], mx = -INFINITY, s = 0;
        for (int k = 0; k < K; k++) {
            double sq = 0;
            for (int r = 0; r < d; r++) {
                double q = 0;
                for (int c = 0; c < d; c++)
                    q += Q[k][r][c] * (p->x[i * d + c] - means[k * d + c]);
                sq += q * q;
            }
            t[k] = alphas[k] + sumq[k] - 0.5 * sq;
            mx = fmax(mx, t[k]);
        }
        for (int k = 0; k < K; k++)
            s += exp(t[k] - mx);
        slse += mx + log(s);
    }
    double amx = -INFINITY, as = 0;
    for (int k = 0; k < K; k++)
        amx = fmax(amx, alphas[k]);
    for (int k = 0; k < K; k++)
        as += exp(alphas[k] - amx);
    double prior = 0;
    int N = d + p->m + 1;
    double C = N * d * (log(p->gamma) - 0.5 * log(2.0)) - log_gamma_multi(0.5 * N, d);
    for (int k = 0; k < K; k++) {
        double fro = 0;
        for (int r = 0; r < d; r++)
            for (int c = 0; c < d; c++)
                fro += Q[k][r][c] * Q[k][r][c];
        prior += 0.5 * p->gamma * p->gamma * fro - p->m * sumq[k];
    }
    prior -= K * C;
    return -p->n * d * 0.5 * log(2 * GMM_PI) + slse - p->n * (amx + log(as)) + prior;
}

static double v_gmm(const void *c, const double *z)
{
    const struct problem *p = c;
    int K = p->K, d = p->d;
    return gmm(d, K, p->n, p->T, z, z + K, z + K + K * d, p->x, p->gamma, p->m);
}

static double g_gmm(const void *c, const double *z, double *g)
{
    const struct problem *p = c;
    int K = p->K, d = p->d;
    return gmm_grad(d, K, p->n, p->T, z, z + K, z + K + K * d, p->x, p->gamma, p->m, g, g + K,
                    g + K + K * d);
}

static int setup(struct problem *p, int d, check_rng *r, double *z)
{
    p->d = d;
    p->K = MAXK;
    p->n = MAXN;
    p->T = d * (d + 1) / 2;
    p->m = d % 2;  /* ADBench's data use m = 0; 1 exercises the m term */
    p->gamma = 1.0;
    check_fill_uniform(r, p->x, p->n * d, -2, 2);
    int nz = p->K + p->K * d + p->K * p->T;
    check_fill_uniform(r, z, nz, -1, 1);
    return nz;
}

static void test_value(void **state)
{
    check_rng r = {601};
    (void)state;
    for (int d = 1; d <= MAXD; d++) {
        struct problem p;
        double z[MAXK + MAXK * MAXD + MAXK * MAXT];
        for (int t = 0; t < 4; t++) {
            setup(&p, d, &r, z);
            p.gamma = check_uniform(&r, 0.5, 2);
            double lgd = log_gamma_multi(0.5 * (d + p.m + 1), d);
            assert_close(v_gmm(&p, z) + p.K * lgd, reference(&p, z), 1e-13, 1e-12);
        }
    }
}

static void test_fd(void **state)
{
    check_rng r = {602};
    (void)state;
    for (int d = 1; d <= MAXD; d++) {
        struct problem p;
        double z[MAXK + MAXK * MAXD + MAXK * MAXT];
        for (int t = 0; t < 4; t++) {
            int nz = setup(&p, d, &r, z);
            check_vec_fd(v_gmm, g_gmm, &p, nz, z);
        }
    }
}

static void test_invariants(void **state)
{
    check_rng r = {603};
    struct problem p;
    double z[MAXK + MAXK * MAXD + MAXK * MAXT], g[sizeof z / sizeof z[0]], h[sizeof g / sizeof g[0]];
    (void)state;
    int nz = setup(&p, 3, &r, z);
    double v = g_gmm(&p, z, g);
    assert_close(g[0] + g[1] + g[2], 0, 0, 1e-12);
    for (int k = 0; k < p.K; k++)
        z[k] += 3.5;
    assert_close(g_gmm(&p, z, h), v, 1e-13, 1e-12);
    for (int i = 0; i < nz; i++)
        assert_close(h[i], g[i], 1e-10, 1e-12);
    /* logsumexp's gradient is the softmax */
    double a[4] = {0.5, -1, 2, 0.25}, ga[4];
    double l = logsumexp_grad(4, a, ga);
    for (int i = 0; i < 4; i++)
        assert_close(ga[i], exp(a[i] - l), 1e-14, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_value),
        cmocka_unit_test(test_fd),
        cmocka_unit_test(test_invariants),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
