/* gmm_fit.fn: a GMM's negative log-likelihood (GradBench parametrisation,
 * rows packed row by row) against a C implementation that forms each
 * precision matrix Lambda_k = Q_k^T Q_k and evaluates the log-density
 * log N(x; mu_k, Lambda_k^-1) + log w_k with w = softmax(alphas); gradients
 * against differences for d = 1, 2, 3. Invariants: the gradient in the
 * alphas sums to zero, and with one component it is exactly zero. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "gmm_fit.h"
#include "realistic.h"

enum { MAXD = 3, MAXK = 4, MAXN = 6, MAXT = MAXD * (MAXD + 1) / 2 };

struct problem {
    int d, K, n, T, m;
    double x[MAXN * MAXD], gamma;
};

static int nparams(const struct problem *p)
{
    return p->K + p->K * p->d + p->K * p->T;
}

/* z packs alphas[K], means[K][d], icf[K][T] */
static double reference(const void *c, const double *z)
{
    const struct problem *p = c;
    int d = p->d, K = p->K, T = p->T;
    const double *alphas = z, *means = z + K, *icf = z + K + K * d;
    double Q[MAXD][MAXD], Lam[MAXK][MAXD][MAXD], logdetQ[MAXK], logw[MAXK];
    double amax = -INFINITY, asum = 0, prior = 0, ll = 0;
    for (int k = 0; k < K; k++)
        amax = fmax(amax, alphas[k]);
    for (int k = 0; k < K; k++)
        asum += exp(alphas[k] - amax);
    for (int k = 0; k < K; k++) {
        const double *f = icf + k * T;
        int idx = d;
        logw[k] = alphas[k] - amax - log(asum);
        logdetQ[k] = 0;
        memset(Q, 0, sizeof Q);
        for (int r = 0; r < d; r++) {
            Q[r][r] = exp(f[r]);
            logdetQ[k] += f[r];
            prior += 0.5 * p->gamma * p->gamma * Q[r][r] * Q[r][r] - p->m * f[r];
            for (int col = 0; col < r; col++) {
                Q[r][col] = f[idx++];
                prior += 0.5 * p->gamma * p->gamma * Q[r][col] * Q[r][col];
            }
        }
        for (int a = 0; a < d; a++)
            for (int b = 0; b < d; b++) {
                Lam[k][a][b] = 0;
                for (int j = 0; j < d; j++)
                    Lam[k][a][b] += Q[j][a] * Q[j][b];
            }
    }
    for (int i = 0; i < p->n; i++) {
        double lp[MAXK], mx = -INFINITY, s = 0;
        for (int k = 0; k < K; k++) {
            double dx[MAXD], maha = 0;
            for (int a = 0; a < d; a++)
                dx[a] = p->x[i * d + a] - means[k * d + a];
            for (int a = 0; a < d; a++)
                for (int b = 0; b < d; b++)
                    maha += dx[a] * Lam[k][a][b] * dx[b];
            /* log det Lambda^(1/2) = log det Q */
            lp[k] = logw[k] - 0.5 * d * log(2 * RL_PI) + logdetQ[k] - 0.5 * maha;
            mx = fmax(mx, lp[k]);
        }
        for (int k = 0; k < K; k++)
            s += exp(lp[k] - mx);
        ll += mx + log(s);
    }
    return prior - ll;
}

#define ARGS(p, z) p->d, p->K, p->n, p->T, z, z + p->K, z + p->K + p->K * p->d
#define DATA(p) p->x, p->gamma, p->m
#define PARTS(p, v) v, v + p->K, v + p->K + p->K * p->d

static double f_value(const void *c, const double *z)
{
    const struct problem *p = c;
    return gmm_nll(ARGS(p, z), DATA(p));
}

static double f_grad(const void *c, const double *z, double *g)
{
    const struct problem *p = c;
    return gmm_nll_grad(ARGS(p, z), DATA(p), PARTS(p, g));
}

static double f_jvp(const void *c, const double *z, const double *v, double *df)
{
    const struct problem *p = c;
    return gmm_nll_jvp(ARGS(p, z), DATA(p), PARTS(p, v), df);
}

static double f_hvp(const void *c, const double *z, const double *v, double *g, double *hv)
{
    const struct problem *p = c;
    return gmm_nll_hvp(ARGS(p, z), DATA(p), PARTS(p, v), PARTS(p, g), PARTS(p, hv));
}

static void test_nll(void **state)
{
    /* {d, K, n} */
    static const int dims[][3] = {{1, 1, 1}, {2, 3, 4}, {3, 4, 6}};
    rl_rng r = {801};
    (void)state;
    for (size_t s = 0; s < sizeof dims / sizeof dims[0]; s++) {
        struct problem p = {dims[s][0], dims[s][1], dims[s][2], 0, 3, {0}, 1.2};
        p.T = p.d * (p.d + 1) / 2;
        int n = nparams(&p);
        double z[MAXK + MAXK * MAXD + MAXK * MAXT], g[sizeof z / sizeof z[0]];
        rl_fill(&r, p.x, p.n * p.d, -2, 2);
        rl_scalar chk = {"gmm_nll", n, &p, reference, f_value, f_grad, f_jvp, f_hvp, 0, 0, 0};
        for (int k = 0; k < 3; k++) {
            rl_fill(&r, z, n, -1, 1);
            if (k == 0) /* equal weights: every max in lse(alphas) is a tie */
                memset(z, 0, sizeof(double) * (size_t)p.K);
            rl_check_scalar(&chk, z, 9000 + 10 * s + k);
            /* the weights are a softmax: shifting all alphas changes nothing */
            f_grad(&p, z, g);
            double sum = 0, mag = 0;
            for (int a = 0; a < p.K; a++) {
                sum += g[a];
                mag += fabs(g[a]);
            }
            assert_close(sum, 0, 0, 1e-13 * (1 + mag));
            if (p.K == 1)
                assert_close(g[0], 0, 0, 1e-15);
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
