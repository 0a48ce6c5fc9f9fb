/* gp_nll.fn: a GP's negative log marginal likelihood (Cholesky written in
 * the .fn) against C that inverts K by Gauss-Jordan with partial pivoting
 * and takes log det from the pivots; the gradient against differences and
 * against the classical closed form
 *     d nll / d theta = 1/2 tr((K^-1 - alpha alpha^T) dK/dtheta),
 * alpha = K^-1 y, for every hyperparameter. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "gp_nll.h"
#include "realistic.h"

enum { MAXN = 10, MAXD = 3 };

struct problem {
    int n, d;
    double X[MAXN * MAXD], y[MAXN];
};

/* the kernel matrix and its derivatives in each hyperparameter:
 * dK[k] for log_ell[k], dK[d] for log_sf, dK[d+1] for log_sn */
static void kernel(const struct problem *p, const double *z, double K[MAXN][MAXN],
                   double dK[MAXD + 2][MAXN][MAXN])
{
    int n = p->n, d = p->d;
    double sf2 = exp(2 * z[d]), sn2 = exp(2 * z[d + 1]);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double r2 = 0, parts[MAXD];
            for (int k = 0; k < d; k++) {
                double ell = exp(z[k]), diff = p->X[i * d + k] - p->X[j * d + k];
                parts[k] = diff * diff / (ell * ell);
                r2 += parts[k];
            }
            double se = sf2 * exp(-r2 / 2);
            K[i][j] = se + (i == j ? sn2 : 0);
            for (int k = 0; k < d; k++)
                dK[k][i][j] = se * parts[k]; /* d/dlog_ell of -r2/2 is +parts */
            dK[d][i][j] = 2 * se;
            dK[d + 1][i][j] = i == j ? 2 * sn2 : 0;
        }
}

/* K^-1 and log det K by Gauss-Jordan with partial pivoting */
static double invert(int n, double K[MAXN][MAXN], double inv[MAXN][MAXN])
{
    double M[MAXN][2 * MAXN], logdet = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < 2 * n; j++)
            M[i][j] = j < n ? K[i][j] : (j - n == i);
    for (int c = 0; c < n; c++) {
        int piv = c;
        for (int i = c + 1; i < n; i++)
            if (fabs(M[i][c]) > fabs(M[piv][c]))
                piv = i;
        for (int j = 0; j < 2 * n; j++) {
            double t = M[c][j];
            M[c][j] = M[piv][j];
            M[piv][j] = t;
        }
        double dg = M[c][c];
        logdet += log(fabs(dg));
        for (int j = 0; j < 2 * n; j++)
            M[c][j] /= dg;
        for (int i = 0; i < n; i++)
            if (i != c) {
                double f = M[i][c];
                for (int j = 0; j < 2 * n; j++)
                    M[i][j] -= f * M[c][j];
            }
    }
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            inv[i][j] = M[i][n + j];
    return logdet;
}

/* z packs log_ell[d], log_sf, log_sn */
static double reference(const void *c, const double *z)
{
    const struct problem *p = c;
    static double K[MAXN][MAXN], dK[MAXD + 2][MAXN][MAXN], inv[MAXN][MAXN];
    kernel(p, z, K, dK);
    double logdet = invert(p->n, K, inv), quad = 0;
    for (int i = 0; i < p->n; i++)
        for (int j = 0; j < p->n; j++)
            quad += p->y[i] * inv[i][j] * p->y[j];
    return 0.5 * quad + 0.5 * logdet + 0.5 * p->n * log(2 * RL_PI);
}

#define ARGS(p, z) p->n, p->d, z, z[p->d], z[p->d + 1], p->X, p->y

static double f_value(const void *c, const double *z)
{
    const struct problem *p = c;
    return gp_nll(ARGS(p, z));
}

static double f_grad(const void *c, const double *z, double *g)
{
    const struct problem *p = c;
    return gp_nll_grad(ARGS(p, z), g, g + p->d, g + p->d + 1);
}

static double f_jvp(const void *c, const double *z, const double *v, double *df)
{
    const struct problem *p = c;
    return gp_nll_jvp(ARGS(p, z), v, v[p->d], v[p->d + 1], df);
}

static double f_hvp(const void *c, const double *z, const double *v, double *g, double *hv)
{
    const struct problem *p = c;
    return gp_nll_hvp(ARGS(p, z), v, v[p->d], v[p->d + 1], g, g + p->d, g + p->d + 1, hv,
                      hv + p->d, hv + p->d + 1);
}

static void test_nll(void **state)
{
    /* {n, d} */
    static const int dims[][2] = {{1, 1}, {5, 2}, {10, 3}};
    static double K[MAXN][MAXN], dK[MAXD + 2][MAXN][MAXN], inv[MAXN][MAXN];
    rl_rng r = {1801};
    (void)state;
    for (size_t s = 0; s < sizeof dims / sizeof dims[0]; s++) {
        struct problem p = {dims[s][0], dims[s][1], {0}, {0}};
        int nz = p.d + 2;
        double z[MAXD + 2], g[MAXD + 2];
        rl_fill(&r, p.X, p.n * p.d, 0, 3);
        for (int i = 0; i < p.n; i++)
            p.y[i] = sin(2 * p.X[i * p.d]) + rl_uniform(&r, -0.1, 0.1);
        rl_scalar chk = {"gp_nll", nz, &p, reference, f_value, f_grad, f_jvp, f_hvp,
                         1e-10, 0, 0};
        for (int k = 0; k < 3; k++) {
            rl_fill(&r, z, p.d, -0.7, 0.7);
            z[p.d] = rl_uniform(&r, -0.5, 0.5);
            z[p.d + 1] = rl_uniform(&r, -2.5, -1);
            rl_check_scalar(&chk, z, 21000 + 10 * s + k);

            /* 1/2 tr((K^-1 - alpha alpha^T) dK) */
            double alpha[MAXN] = {0};
            kernel(&p, z, K, dK);
            invert(p.n, K, inv);
            for (int i = 0; i < p.n; i++)
                for (int j = 0; j < p.n; j++)
                    alpha[i] += inv[i][j] * p.y[j];
            f_grad(&p, z, g);
            for (int h = 0; h < nz; h++) {
                double tr = 0, mag = 0;
                for (int i = 0; i < p.n; i++)
                    for (int j = 0; j < p.n; j++) {
                        double t = (inv[i][j] - alpha[i] * alpha[j]) * dK[h][j][i];
                        tr += t;
                        mag += fabs(t);
                    }
                assert_close(g[h], 0.5 * tr, 1e-9, 1e-12 * mag);
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nll),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
