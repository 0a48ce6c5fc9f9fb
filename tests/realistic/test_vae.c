/* vae.fn: a VAE's negative ELBO with fixed reparameterisation noise against
 * C that evaluates the Bernoulli log-likelihood as
 * x log sigmoid(t) + (1 - x) log(1 - sigmoid(t)) (via log1p) and the KL of
 * each latent as -log(sigma) + (sigma^2 + mu^2 - 1) / 2; gradients against
 * differences. With zero noise, the variance head only enters the KL term:
 * dL/dWv[l][i] = (1/B) sum_b (exp(logvar) - 1) / 2 h_i, checked exactly. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "vae.h"
#include "realistic.h"

enum { MAXB = 6, MAXD = 8, MAXHD = 5, MAXL = 3 };

struct problem {
    int B, D, Hd, L;
    double X[MAXB * MAXD], eps[MAXB * MAXL];
};

enum { WE, BE, WM, WV, WD, BD, NPARTS };

static int offsets(const struct problem *p, int *o)
{
    int size[NPARTS] = {p->Hd * p->D, p->Hd, p->L * p->Hd, p->L * p->Hd, p->D * p->L, p->D};
    int n = 0;
    for (int k = 0; k < NPARTS; k++) {
        o[k] = n;
        n += size[k];
    }
    return n;
}

/* encoder of example b: hidden, mean and log-variance out */
static void encode(const struct problem *p, const double *z, int b, double *h, double *mu,
                   double *lv)
{
    int o[NPARTS];
    offsets(p, o);
    for (int i = 0; i < p->Hd; i++) {
        double a = z[o[BE] + i];
        for (int d = 0; d < p->D; d++)
            a += z[o[WE] + i * p->D + d] * p->X[b * p->D + d];
        h[i] = tanh(a);
    }
    for (int l = 0; l < p->L; l++) {
        mu[l] = lv[l] = 0;
        for (int i = 0; i < p->Hd; i++) {
            mu[l] += z[o[WM] + l * p->Hd + i] * h[i];
            lv[l] += z[o[WV] + l * p->Hd + i] * h[i];
        }
    }
}

static double log_sigmoid(double t)
{
    return t >= 0 ? -log1p(exp(-t)) : t - log1p(exp(t));
}

static double reference(const void *c, const double *z)
{
    const struct problem *p = c;
    int o[NPARTS];
    double total = 0;
    offsets(p, o);
    for (int b = 0; b < p->B; b++) {
        double h[MAXHD], mu[MAXL], lv[MAXL], lat[MAXL], kl = 0, ll = 0;
        encode(p, z, b, h, mu, lv);
        for (int l = 0; l < p->L; l++) {
            double sigma = exp(lv[l] / 2);
            lat[l] = mu[l] + sigma * p->eps[b * p->L + l];
            kl += -log(sigma) + (sigma * sigma + mu[l] * mu[l] - 1) / 2;
        }
        for (int d = 0; d < p->D; d++) {
            double t = z[o[BD] + d], x = p->X[b * p->D + d];
            for (int l = 0; l < p->L; l++)
                t += z[o[WD] + d * p->L + l] * lat[l];
            ll += x * log_sigmoid(t) + (1 - x) * log_sigmoid(-t);
        }
        total += kl - ll;
    }
    return total / p->B;
}

#define ARGS(p, z, o) p->B, p->D, p->Hd, p->L, z + o[WE], z + o[BE], z + o[WM], z + o[WV], \
                      z + o[WD], z + o[BD], p->X, p->eps
#define PARTS(v, o) v + o[WE], v + o[BE], v + o[WM], v + o[WV], v + o[WD], v + o[BD]

static double f_value(const void *c, const double *z)
{
    const struct problem *p = c;
    int o[NPARTS];
    offsets(p, o);
    return vae_loss(ARGS(p, z, o));
}

static double f_grad(const void *c, const double *z, double *g)
{
    const struct problem *p = c;
    int o[NPARTS];
    offsets(p, o);
    return vae_loss_grad(ARGS(p, z, o), PARTS(g, o));
}

static double f_jvp(const void *c, const double *z, const double *v, double *df)
{
    const struct problem *p = c;
    int o[NPARTS];
    offsets(p, o);
    return vae_loss_jvp(ARGS(p, z, o), PARTS(v, o), df);
}

static double f_hvp(const void *c, const double *z, const double *v, double *g, double *hv)
{
    const struct problem *p = c;
    int o[NPARTS];
    offsets(p, o);
    return vae_loss_hvp(ARGS(p, z, o), PARTS(v, o), PARTS(g, o), PARTS(hv, o));
}

static void test_elbo(void **state)
{
    /* {B, D, Hd, L} */
    static const int dims[][4] = {{1, 1, 1, 1}, {3, 5, 3, 2}, {6, 8, 5, 3}};
    rl_rng r = {2701};
    (void)state;
    for (size_t s = 0; s < sizeof dims / sizeof dims[0]; s++) {
        struct problem p = {dims[s][0], dims[s][1], dims[s][2], dims[s][3], {0}, {0}};
        int o[NPARTS], n = offsets(&p, o);
        double z[MAXHD * MAXD + MAXHD + 2 * MAXL * MAXHD + MAXD * MAXL + MAXD];
        double g[sizeof z / sizeof z[0]];
        for (int i = 0; i < p.B * p.D; i++)
            p.X[i] = rl_uniform(&r, 0, 1) < 0.4 ? 1 : 0;
        rl_scalar chk = {"vae_loss", n, &p, reference, f_value, f_grad, f_jvp, f_hvp, 1e-11,
                         0, 0};
        for (int k = 0; k < 3; k++) {
            rl_fill_normal(&r, p.eps, p.B * p.L);
            rl_fill(&r, z, n, -1, 1);
            rl_check_scalar(&chk, z, 30000 + 10 * s + k);
        }
        /* no noise: the variance head's gradient comes from the KL alone */
        memset(p.eps, 0, sizeof p.eps);
        rl_fill(&r, z, n, -1, 1);
        f_grad(&p, z, g);
        for (int l = 0; l < p.L; l++)
            for (int i = 0; i < p.Hd; i++) {
                double e = 0;
                for (int b = 0; b < p.B; b++) {
                    double h[MAXHD], mu[MAXL], lv[MAXL];
                    encode(&p, z, b, h, mu, lv);
                    e += 0.5 * (exp(lv[l]) - 1) * h[i] / p.B;
                }
                assert_close(g[o[WV] + l * p.Hd + i], e, 1e-12, 1e-15);
            }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_elbo),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
