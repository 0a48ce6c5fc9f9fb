/* kmeans.fn: the k-means objective against a C assignment step (argmin per
 * point, then the sum of squared distances); the gradient against the
 * closed form 2 sum_{i in k} (C_k - X_i) and against differences, the
 * Hessian-vector product against the exact 2 n_k v_k, and one Newton step
 * from gradc's derivatives is one Lloyd step (centroids to cluster means). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "kmeans.h"
#include "realistic.h"

enum { MAXN = 40, MAXK = 5, MAXD = 3 };

struct problem {
    int n, K, d;
    double X[MAXN * MAXD];
};

/* nearest centroid of point i, and the gap to the second nearest */
static int assign(const struct problem *p, const double *C, int i, double *dist, double *gap)
{
    int best = -1;
    double b1 = INFINITY, b2 = INFINITY;
    for (int k = 0; k < p->K; k++) {
        double s = 0;
        for (int j = 0; j < p->d; j++) {
            double e = p->X[i * p->d + j] - C[k * p->d + j];
            s += e * e;
        }
        if (s < b1) {
            b2 = b1;
            b1 = s;
            best = k;
        } else if (s < b2) {
            b2 = s;
        }
    }
    *dist = b1;
    *gap = b2 - b1;
    return best;
}

static double reference(const void *c, const double *z)
{
    const struct problem *p = c;
    double total = 0, dist, gap;
    for (int i = 0; i < p->n; i++) {
        assign(p, z, i, &dist, &gap);
        total += dist;
    }
    return total;
}

static double min_gap(const struct problem *p, const double *C)
{
    double g = INFINITY, dist, gap;
    for (int i = 0; i < p->n; i++) {
        assign(p, C, i, &dist, &gap);
        g = fmin(g, gap);
    }
    return g;
}

static double f_value(const void *c, const double *z)
{
    const struct problem *p = c;
    return kmeans(p->n, p->K, p->d, z, p->X);
}

static double f_grad(const void *c, const double *z, double *g)
{
    const struct problem *p = c;
    return kmeans_grad(p->n, p->K, p->d, z, p->X, g);
}

static double f_jvp(const void *c, const double *z, const double *v, double *df)
{
    const struct problem *p = c;
    return kmeans_jvp(p->n, p->K, p->d, z, p->X, v, df);
}

static double f_hvp(const void *c, const double *z, const double *v, double *g, double *hv)
{
    const struct problem *p = c;
    return kmeans_hvp(p->n, p->K, p->d, z, p->X, v, g, hv);
}

static void test_objective(void **state)
{
    /* {n, K, d} */
    static const int dims[][3] = {{1, 1, 1}, {10, 3, 2}, {40, 5, 3}};
    rl_rng r = {901};
    (void)state;
    for (size_t s = 0; s < sizeof dims / sizeof dims[0]; s++) {
        struct problem p = {dims[s][0], dims[s][1], dims[s][2], {0}};
        int n = p.K * p.d;
        double C[MAXK * MAXD], g[MAXK * MAXD], v[MAXK * MAXD], hv[MAXK * MAXD];
        double cg[MAXK * MAXD], cnt[MAXK], mean[MAXK * MAXD];
        rl_fill(&r, p.X, p.n * p.d, -3, 3);
        rl_scalar chk = {"kmeans", n, &p, reference, f_value, f_grad, f_jvp, f_hvp, 0, 0, 0};
        for (int k = 0; k < 3; k++) {
            do
                rl_fill(&r, C, n, -3, 3);
            while (min_gap(&p, C) < 1e-2);
            rl_check_scalar(&chk, C, 10000 + 10 * s + k);

            /* closed forms */
            memset(cg, 0, sizeof cg);
            memset(cnt, 0, sizeof cnt);
            memset(mean, 0, sizeof mean);
            for (int i = 0; i < p.n; i++) {
                double dist, gap;
                int a = assign(&p, C, i, &dist, &gap);
                cnt[a] += 1;
                for (int j = 0; j < p.d; j++) {
                    cg[a * p.d + j] += 2 * (C[a * p.d + j] - p.X[i * p.d + j]);
                    mean[a * p.d + j] += p.X[i * p.d + j];
                }
            }
            rl_fill(&r, v, n, -1, 1);
            f_hvp(&p, C, v, g, hv);
            for (int a = 0; a < p.K; a++)
                for (int j = 0; j < p.d; j++) {
                    int i = a * p.d + j;
                    assert_close(g[i], cg[i], 1e-12, 1e-12);
                    assert_close(hv[i], 2 * cnt[a] * v[i], 1e-14, 1e-14);
                }
            /* Newton on the nonempty clusters: C - g / (2 n_k) = the mean */
            for (int a = 0; a < p.K; a++)
                for (int j = 0; j < p.d; j++)
                    if (cnt[a] > 0) {
                        int i = a * p.d + j;
                        assert_close(C[i] - g[i] / (2 * cnt[a]), mean[i] / cnt[a], 1e-12, 1e-12);
                    }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_objective),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
