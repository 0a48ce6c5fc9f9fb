/* robust_fit.fn: a Huber regression with clipped predictions and a learnt
 * scale against C that writes Huber's loss as 0.5 m^2 + delta (|r| - m),
 * m = min(|r|, delta), and the clip with fmin/fmax; gradients against
 * differences at points away from every kink (the Huber threshold, the clip
 * bounds, w_j = 0), and the gradient in w and b against the closed form
 * -sum psi(r_i) / sigma X[i] over unclipped examples (psi = Huber's
 * influence function) plus the penalty's mu sigmoid(|w_j| - 1) sign(w_j). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "robust_fit.h"
#include "realistic.h"

enum { MAXN = 40, MAXD = 4 };

struct problem {
    int n, d;
    double X[MAXN * MAXD], y[MAXN], delta, cap, mu;
};

static double raw_pred(const struct problem *p, const double *z, int i)
{
    double s = z[p->d];
    for (int j = 0; j < p->d; j++)
        s += z[j] * p->X[i * p->d + j];
    return s;
}

/* z packs w[d], b, log_sigma */
static double reference(const void *c, const double *z)
{
    const struct problem *p = c;
    double sigma = exp(z[p->d + 1]), loss = 0;
    for (int i = 0; i < p->n; i++) {
        double pred = fmin(fmax(raw_pred(p, z, i), -p->cap), p->cap);
        double a = fabs(p->y[i] - pred) / sigma, m = fmin(a, p->delta);
        loss += 0.5 * m * m + p->delta * (a - m) + z[p->d + 1];
    }
    for (int j = 0; j < p->d; j++) {
        double t = fabs(z[j]) - 1;
        loss += p->mu * (fmax(t, 0) + log1p(exp(-fabs(t))));
    }
    return loss;
}

/* the distance, relative, from the nearest kink */
static double kink_distance(const struct problem *p, const double *z)
{
    double sigma = exp(z[p->d + 1]), dist = INFINITY;
    for (int i = 0; i < p->n; i++) {
        double raw = raw_pred(p, z, i);
        dist = fmin(dist, fabs(fabs(raw) - p->cap));
        double pred = fmin(fmax(raw, -p->cap), p->cap);
        dist = fmin(dist, fabs(fabs(p->y[i] - pred) / sigma - p->delta));
    }
    for (int j = 0; j < p->d; j++)
        dist = fmin(dist, fabs(z[j]));
    return dist;
}

#define ARGS(p, z) p->n, p->d, z, z[p->d], z[p->d + 1], p->X, p->y, p->delta, p->cap, p->mu

static double f_value(const void *c, const double *z)
{
    const struct problem *p = c;
    return robust_fit(ARGS(p, z));
}

static double f_grad(const void *c, const double *z, double *g)
{
    const struct problem *p = c;
    return robust_fit_grad(ARGS(p, z), g, g + p->d, g + p->d + 1);
}

static double f_jvp(const void *c, const double *z, const double *v, double *df)
{
    const struct problem *p = c;
    return robust_fit_jvp(ARGS(p, z), v, v[p->d], v[p->d + 1], df);
}

static double f_hvp(const void *c, const double *z, const double *v, double *g, double *hv)
{
    const struct problem *p = c;
    return robust_fit_hvp(ARGS(p, z), v, v[p->d], v[p->d + 1], g, g + p->d, g + p->d + 1, hv,
                          hv + p->d, hv + p->d + 1);
}

static void test_loss(void **state)
{
    /* {n, d} */
    static const int dims[][2] = {{1, 1}, {12, 2}, {40, 4}};
    rl_rng r = {1601};
    (void)state;
    for (size_t s = 0; s < sizeof dims / sizeof dims[0]; s++) {
        struct problem p = {dims[s][0], dims[s][1], {0}, {0}, 1.0, 3.0, 0.5};
        int n = p.d + 2, clipped = 0, outliers = 0;
        double z[MAXD + 2], g[MAXD + 2];
        rl_fill(&r, p.X, p.n * p.d, -2, 2);
        /* a line plus noise, with every fourth point an outlier */
        for (int i = 0; i < p.n; i++) {
            p.y[i] = 0.5 + rl_uniform(&r, -0.3, 0.3);
            for (int j = 0; j < p.d; j++)
                p.y[i] += (j % 2 ? -0.8 : 1.2) * p.X[i * p.d + j];
            if (i % 4 == 3)
                p.y[i] += rl_uniform(&r, 0, 1) < 0.5 ? -6 : 6;
        }
        rl_scalar chk = {"robust_fit", n, &p, reference, f_value, f_grad, f_jvp, f_hvp, 0, 0, 0};
        for (int k = 0; k < 4; k++) {
            do {
                rl_fill(&r, z, p.d, -1.8, 1.8);
                z[p.d] = rl_uniform(&r, -1, 1);
                z[p.d + 1] = rl_uniform(&r, -1.5, 0.5);
            } while (kink_distance(&p, z) < 1e-2);
            rl_check_scalar(&chk, z, 19000 + 10 * s + k);

            double sigma = exp(z[p.d + 1]), eg[MAXD + 1] = {0};
            f_grad(&p, z, g);
            for (int i = 0; i < p.n; i++) {
                double raw = raw_pred(&p, z, i);
                if (fabs(raw) >= p.cap) {
                    clipped++;
                    continue;
                }
                double res = (p.y[i] - raw) / sigma;
                double psi = fmin(fmax(res, -p.delta), p.delta);
                outliers += fabs(res) > p.delta;
                for (int j = 0; j <= p.d; j++)
                    eg[j] -= psi / sigma * (j < p.d ? p.X[i * p.d + j] : 1);
            }
            for (int j = 0; j < p.d; j++)
                eg[j] += p.mu / (1 + exp(1 - fabs(z[j]))) * (z[j] > 0 ? 1 : -1);
            for (int j = 0; j <= p.d; j++)
                assert_close(g[j], eg[j], 1e-12, 1e-14);
        }
        /* the larger problems exercise every branch */
        if (p.n > 1) {
            assert_true(clipped > 0);
            assert_true(outliers > 0);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_loss),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
