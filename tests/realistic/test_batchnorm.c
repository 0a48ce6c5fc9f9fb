/* batchnorm.fn: a batch-normalised ReLU layer with a linear head against C
 * that computes the batch statistics in one pass with Welford's algorithm;
 * gradients against differences away from the ReLU kinks. Batch norm makes
 * the loss invariant to scaling a row of W1 (exactly when eps = 0), so the
 * gradient in W1 is orthogonal to each row: W1[j] . dL/dW1[j] = 0. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "batchnorm.h"
#include "realistic.h"

enum { MAXB = 16, MAXD = 4, MAXH = 5 };

struct problem {
    int B, D, H;
    double X[MAXB * MAXD], Y[MAXB], eps;
};

enum { W1, GAMMA, BETA, W2, C, NPARTS };

static int offsets(const struct problem *p, int *o)
{
    int size[NPARTS] = {p->H * p->D, p->H, p->H, p->H, 1}, n = 0;
    for (int k = 0; k < NPARTS; k++) {
        o[k] = n;
        n += size[k];
    }
    return n;
}

static double forward(const struct problem *p, const double *z, double *kink)
{
    int o[NPARTS], B = p->B, H = p->H, D = p->D;
    double pre[MAXB][MAXH], pred[MAXB], loss = 0;
    offsets(p, o);
    *kink = INFINITY;
    for (int b = 0; b < B; b++)
        pred[b] = z[o[C]];
    for (int j = 0; j < H; j++) {
        double mean = 0, m2 = 0;
        for (int b = 0; b < B; b++) {
            double zz = 0;
            for (int d = 0; d < D; d++)
                zz += z[o[W1] + j * D + d] * p->X[b * D + d];
            pre[b][j] = zz;
            double delta = zz - mean;
            mean += delta / (b + 1);
            m2 += delta * (zz - mean);
        }
        double sd = sqrt(m2 / B + p->eps);
        for (int b = 0; b < B; b++) {
            double a = z[o[GAMMA] + j] * (pre[b][j] - mean) / sd + z[o[BETA] + j];
            *kink = fmin(*kink, fabs(a));
            pred[b] += z[o[W2] + j] * (a > 0 ? a : 0);
        }
    }
    for (int b = 0; b < B; b++)
        loss += (pred[b] - p->Y[b]) * (pred[b] - p->Y[b]);
    return loss / B;
}

static double reference(const void *c, const double *z)
{
    double kink;
    return forward(c, z, &kink);
}

#define ARGS(p, z, o) p->B, p->D, p->H, z + o[W1], z + o[GAMMA], z + o[BETA], z + o[W2], \
                      z[o[C]], p->X, p->Y, p->eps
#define PARTS(v, o) v + o[W1], v + o[GAMMA], v + o[BETA], v + o[W2]

static double f_value(const void *c, const double *z)
{
    const struct problem *p = c;
    int o[NPARTS];
    offsets(p, o);
    return batchnorm_mlp(ARGS(p, z, o));
}

static double f_grad(const void *c, const double *z, double *g)
{
    const struct problem *p = c;
    int o[NPARTS];
    offsets(p, o);
    return batchnorm_mlp_grad(ARGS(p, z, o), PARTS(g, o), g + o[C]);
}

static double f_jvp(const void *c, const double *z, const double *v, double *df)
{
    const struct problem *p = c;
    int o[NPARTS];
    offsets(p, o);
    return batchnorm_mlp_jvp(ARGS(p, z, o), PARTS(v, o), v[o[C]], df);
}

static double f_hvp(const void *c, const double *z, const double *v, double *g, double *hv)
{
    const struct problem *p = c;
    int o[NPARTS];
    offsets(p, o);
    return batchnorm_mlp_hvp(ARGS(p, z, o), PARTS(v, o), v[o[C]], PARTS(g, o), g + o[C],
                             PARTS(hv, o), hv + o[C]);
}

static void test_loss(void **state)
{
    /* {B, D, H} */
    static const int dims[][3] = {{2, 1, 1}, {6, 3, 4}, {16, 4, 5}};
    rl_rng r = {2601};
    (void)state;
    for (size_t s = 0; s < sizeof dims / sizeof dims[0]; s++) {
        struct problem p = {dims[s][0], dims[s][1], dims[s][2], {0}, {0}, 1e-5};
        int o[NPARTS], n = offsets(&p, o);
        double z[MAXH * MAXD + 4 * MAXH + 1], g[MAXH * MAXD + 4 * MAXH + 1], kink;
        rl_fill(&r, p.X, p.B * p.D, -2, 2);
        rl_fill(&r, p.Y, p.B, -1, 1);
        for (int k = 0; k < 4; k++) {
            p.eps = k < 3 ? 1e-5 : 0;
            rl_scalar chk = {"batchnorm_mlp", n, &p, reference, f_value, f_grad, f_jvp, f_hvp,
                             1e-11, 0, 0};
            do
                rl_fill(&r, z, n, -1, 1);
            while (forward(&p, z, &kink), kink < 1e-2);
            rl_check_scalar(&chk, z, 29000 + 10 * s + k);
            if (p.eps == 0) {
                f_grad(&p, z, g);
                for (int j = 0; j < p.H; j++) {
                    const double *row = z + o[W1] + j * p.D, *grow = g + o[W1] + j * p.D;
                    double mag = rl_absdot(row, grow, p.D);
                    assert_close(rl_dot(row, grow, p.D), 0, 0, 1e-12 * (1 + mag));
                }
            }
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
