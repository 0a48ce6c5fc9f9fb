/* hmm.fn: an HMM's log-likelihood by the log-space forward algorithm against
 * the scaled forward algorithm in probability space (Rabiner: normalise
 * alpha at every step, log L = sum of the logs of the normalisers), and for
 * short sequences against brute-force enumeration of every state path;
 * gradients against differences. The gradient in the means equals the
 * posterior-weighted score sum_t gamma_t(k) (obs_t - mu_k) / sd_k^2 from
 * forward-backward (Fisher's identity). One point per size starts from all-
 * zero logits, the usual initialisation, where every max in the log-sum-exp
 * is a tie. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "hmm.h"
#include "realistic.h"

enum { MAXK = 4, MAXT = 30 };

struct problem {
    int K, T;
    double obs[MAXT];
};

struct model {
    double pi[MAXK], A[MAXK][MAXK], mu[MAXK], sd[MAXK];
};

/* z packs pi_logits[K], A_logits[K][K], mu[K], log_sd[K] */
static void unpack(const struct problem *p, const double *z, struct model *m)
{
    int K = p->K;
    double s = 0;
    for (int k = 0; k < K; k++)
        s += exp(z[k]);
    for (int k = 0; k < K; k++) {
        double rs = 0;
        m->pi[k] = exp(z[k]) / s;
        for (int j = 0; j < K; j++)
            rs += exp(z[K + k * K + j]);
        for (int j = 0; j < K; j++)
            m->A[k][j] = exp(z[K + k * K + j]) / rs;
        m->mu[k] = z[K + K * K + k];
        m->sd[k] = exp(z[2 * K + K * K + k]);
    }
}

static double emit(const struct model *m, int k, double x)
{
    double u = (x - m->mu[k]) / m->sd[k];
    return exp(-0.5 * u * u) / (m->sd[k] * sqrt(2 * RL_PI));
}

/* scaled forward pass; alphas (normalised) and scales out for the check */
static double forward(const struct problem *p, const struct model *m, double al[MAXT][MAXK],
                      double *c)
{
    double ll = 0;
    for (int t = 0; t < p->T; t++) {
        c[t] = 0;
        for (int j = 0; j < p->K; j++) {
            double a = 0;
            if (t == 0)
                a = m->pi[j];
            else
                for (int i = 0; i < p->K; i++)
                    a += al[t - 1][i] * m->A[i][j];
            al[t][j] = a * emit(m, j, p->obs[t]);
            c[t] += al[t][j];
        }
        for (int j = 0; j < p->K; j++)
            al[t][j] /= c[t];
        ll += log(c[t]);
    }
    return ll;
}

static double reference(const void *cv, const double *z)
{
    const struct problem *p = cv;
    struct model m;
    double al[MAXT][MAXK], c[MAXT];
    unpack(p, z, &m);
    return forward(p, &m, al, c);
}

/* sum over all K^T state paths of their joint probability */
static double brute_force(const struct problem *p, const double *z)
{
    struct model m;
    int path[MAXT] = {0}, total = 1;
    double L = 0;
    unpack(p, z, &m);
    for (int t = 0; t < p->T; t++)
        total *= p->K;
    for (int code = 0; code < total; code++) {
        double pr = 1;
        for (int t = 0, c = code; t < p->T; t++, c /= p->K)
            path[t] = c % p->K;
        for (int t = 0; t < p->T; t++)
            pr *= (t == 0 ? m.pi[path[0]] : m.A[path[t - 1]][path[t]])
                  * emit(&m, path[t], p->obs[t]);
        L += pr;
    }
    return log(L);
}

#define PARTS(p, z) z, z + p->K, z + p->K + p->K * p->K, z + 2 * p->K + p->K * p->K

static double f_value(const void *c, const double *z)
{
    const struct problem *p = c;
    return hmm_loglik(p->K, p->T, PARTS(p, z), p->obs);
}

static double f_grad(const void *c, const double *z, double *g)
{
    const struct problem *p = c;
    return hmm_loglik_grad(p->K, p->T, PARTS(p, z), p->obs, PARTS(p, g));
}

static double f_jvp(const void *c, const double *z, const double *v, double *df)
{
    const struct problem *p = c;
    return hmm_loglik_jvp(p->K, p->T, PARTS(p, z), p->obs, PARTS(p, v), df);
}

static double f_hvp(const void *c, const double *z, const double *v, double *g, double *hv)
{
    const struct problem *p = c;
    return hmm_loglik_hvp(p->K, p->T, PARTS(p, z), p->obs, PARTS(p, v), PARTS(p, g),
                          PARTS(p, hv));
}

static void test_loglik(void **state)
{
    /* {K, T} */
    static const int dims[][2] = {{1, 1}, {2, 5}, {3, 6}, {4, 30}};
    rl_rng r = {2101};
    (void)state;
    for (size_t s = 0; s < sizeof dims / sizeof dims[0]; s++) {
        struct problem p = {dims[s][0], dims[s][1], {0}};
        int K = p.K, n = 3 * K + K * K;
        double z[3 * MAXK + MAXK * MAXK], g[3 * MAXK + MAXK * MAXK];
        /* a regime-switching signal */
        int regime = 0;
        for (int t = 0; t < p.T; t++) {
            if (rl_uniform(&r, 0, 1) < 0.2)
                regime = (regime + 1) % K;
            p.obs[t] = 2.0 * regime + rl_normal(&r) * 0.7;
        }
        rl_scalar chk = {"hmm_loglik", n, &p, reference, f_value, f_grad, f_jvp, f_hvp,
                         1e-11, 0, 0};
        for (int k = 0; k < 3; k++) {
            rl_fill(&r, z, K + K * K, -1, 1);
            if (k == 0) /* the usual start: uniform logits, every max a tie */
                memset(z, 0, sizeof(double) * (size_t)(K + K * K));
            for (int j = 0; j < K; j++) {
                z[K + K * K + j] = 2.0 * j + rl_uniform(&r, -0.5, 0.5);
                z[2 * K + K * K + j] = rl_uniform(&r, -0.7, 0.3);
            }
            rl_check_scalar(&chk, z, 24000 + 10 * s + k);
            if (p.T <= 6)
                assert_close(f_value(&p, z), brute_force(&p, z), 1e-11, 1e-12);

            /* Fisher's identity for the means, posteriors by forward-backward */
            struct model m;
            double al[MAXT][MAXK], c[MAXT], be[MAXT][MAXK];
            unpack(&p, z, &m);
            forward(&p, &m, al, c);
            for (int j = 0; j < K; j++)
                be[p.T - 1][j] = 1;
            for (int t = p.T - 2; t >= 0; t--)
                for (int i = 0; i < K; i++) {
                    be[t][i] = 0;
                    for (int j = 0; j < K; j++)
                        be[t][i] += m.A[i][j] * emit(&m, j, p.obs[t + 1]) * be[t + 1][j];
                    be[t][i] /= c[t + 1];
                }
            f_grad(&p, z, g);
            for (int j = 0; j < K; j++) {
                double score = 0;
                for (int t = 0; t < p.T; t++)
                    score += al[t][j] * be[t][j] * (p.obs[t] - m.mu[j]) / (m.sd[j] * m.sd[j]);
                assert_close(g[K + K * K + j], score, 1e-10, 1e-12);
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_loglik),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
