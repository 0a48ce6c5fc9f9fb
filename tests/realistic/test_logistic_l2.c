/* logistic_l2.fn: L2-regularised logistic regression against the closed
 * forms: the loss as the mean cross-entropy -[y log p + (1-y) log(1-p)]
 * with p = sigmoid(z); the gradient X^T (p - y) / n + lambda w; the Hessian
 * X^T diag(p (1-p)) X / n + lambda I applied to v; also at scores large
 * enough (|z| ~ 40) that the naive formula would lose everything. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "logistic_l2.h"
#include "realistic.h"

enum { MAXN = 50, MAXD = 6 };

struct problem {
    int n, d;
    double X[MAXN * MAXD], y[MAXN], lambda;
};

static double score(const struct problem *p, const double *z, int i)
{
    double s = z[p->d];
    for (int j = 0; j < p->d; j++)
        s += p->X[i * p->d + j] * z[j];
    return s;
}

/* z packs w[d], b; the cross-entropy via log(p) = -log1p(e^-z) */
static double reference(const void *c, const double *z)
{
    const struct problem *p = c;
    double ce = 0, reg = 0;
    for (int i = 0; i < p->n; i++) {
        double s = score(p, z, i);
        double logp = s > 0 ? -log1p(exp(-s)) : s - log1p(exp(s));
        double log1mp = s > 0 ? -s - log1p(exp(-s)) : -log1p(exp(s));
        ce -= p->y[i] * logp + (1 - p->y[i]) * log1mp;
    }
    for (int j = 0; j < p->d; j++)
        reg += z[j] * z[j];
    return ce / p->n + 0.5 * p->lambda * reg;
}

static double f_value(const void *c, const double *z)
{
    const struct problem *p = c;
    return logistic_l2(p->n, p->d, z, z[p->d], p->X, p->y, p->lambda);
}

static double f_grad(const void *c, const double *z, double *g)
{
    const struct problem *p = c;
    return logistic_l2_grad(p->n, p->d, z, z[p->d], p->X, p->y, p->lambda, g, g + p->d);
}

static double f_jvp(const void *c, const double *z, const double *v, double *df)
{
    const struct problem *p = c;
    return logistic_l2_jvp(p->n, p->d, z, z[p->d], p->X, p->y, p->lambda, v, v[p->d], df);
}

static double f_hvp(const void *c, const double *z, const double *v, double *g, double *hv)
{
    const struct problem *p = c;
    return logistic_l2_hvp(p->n, p->d, z, z[p->d], p->X, p->y, p->lambda, v, v[p->d], g,
                           g + p->d, hv, hv + p->d);
}

static void check_closed_forms(const struct problem *p, const double *z, const double *v)
{
    int d = p->d;
    double g[MAXD + 1], hv[MAXD + 1], eg[MAXD + 1] = {0}, eh[MAXD + 1] = {0};
    f_hvp(p, z, v, g, hv);
    for (int i = 0; i < p->n; i++) {
        double s = score(p, z, i), prob = 1 / (1 + exp(-s)), xv = v[d];
        for (int j = 0; j < d; j++)
            xv += p->X[i * d + j] * v[j];
        for (int j = 0; j <= d; j++) {
            double xij = j < d ? p->X[i * d + j] : 1;
            eg[j] += (prob - p->y[i]) * xij / p->n;
            eh[j] += prob * (1 - prob) * xv * xij / p->n;
        }
    }
    for (int j = 0; j < d; j++) {
        eg[j] += p->lambda * z[j];
        eh[j] += p->lambda * v[j];
    }
    for (int j = 0; j <= d; j++) {
        assert_close(g[j], eg[j], 1e-12, 1e-15);
        assert_close(hv[j], eh[j], 1e-11, 1e-15);
    }
}

static void test_loss(void **state)
{
    /* {n, d} */
    static const int dims[][2] = {{1, 1}, {10, 3}, {50, 6}};
    rl_rng r = {1201};
    (void)state;
    for (size_t s = 0; s < sizeof dims / sizeof dims[0]; s++) {
        struct problem p = {dims[s][0], dims[s][1], {0}, {0}, 0.1};
        int n = p.d + 1;
        double z[MAXD + 1], v[MAXD + 1];
        rl_fill(&r, p.X, p.n * p.d, -2, 2);
        for (int i = 0; i < p.n; i++)
            p.y[i] = rl_uniform(&r, 0, 1) < 0.5 ? 0 : 1;
        rl_scalar chk = {"logistic_l2", n, &p, reference, f_value, f_grad, f_jvp, f_hvp,
                         0, 0, 0};
        for (int k = 0; k < 3; k++) {
            rl_fill(&r, z, n, -1.5, 1.5);
            rl_fill(&r, v, n, -1, 1);
            rl_check_scalar(&chk, z, 14000 + 10 * s + k);
            check_closed_forms(&p, z, v);
        }
        /* large weights: scores in the tens, exp(-z) underflows in the
         * naive form but the branches stay exact */
        for (int j = 0; j < n; j++)
            z[j] = 8 * (j % 2 ? 1 : -1);
        check_closed_forms(&p, z, v);
        rl_check_scalar(&chk, z, 14100 + s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_loss),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
