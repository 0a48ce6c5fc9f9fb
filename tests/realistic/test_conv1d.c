/* conv1d.fn: a conv + ReLU + max-pool + linear readout network against a C
 * forward pass that computes each pooled value directly from the signal
 * window; the gradient against differences at points where no ReLU or pool
 * sits at its kink (checked), and the gradient in the readout weights
 * against its closed form 2/B sum_e r_e p_e. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "conv1d.h"
#include "realistic.h"

enum { MAXB = 5, MAXN = 16, MAXF = 3, MAXK = 4 };

struct problem {
    int B, N, F, K, M, P;
    double X[MAXB * MAXN], Y[MAXB];
};

/* z packs W[F][K], bias[F], V[F][P], c0 */
static int offsets(const struct problem *p, int *ob, int *ov, int *oc)
{
    *ob = p->F * p->K;
    *ov = *ob + p->F;
    *oc = *ov + p->F * p->P;
    return *oc + 1;
}

/* pooled feature (f, q) of signal x: the larger of two rectified filters */
static double pooled(const struct problem *p, const double *z, const double *x, int f, int q,
                     double *kink)
{
    double best = 0, second = 0;
    for (int s = 0; s < 2; s++) {
        int j = 2 * q + s;
        double a = z[p->F * p->K + f];
        for (int k = 0; k < p->K; k++)
            a += z[f * p->K + k] * x[j + k];
        /* distance to the nearest kink: relu at 0, the pool's tie */
        *kink = fmin(*kink, fabs(a));
        a = a > 0 ? a : 0;
        if (s == 0)
            best = a;
        else
            second = a;
    }
    if (best > 0 || second > 0)
        *kink = fmin(*kink, fabs(best - second));
    return best > second ? best : second;
}

static double loss_and_kink(const struct problem *p, const double *z, double *kink)
{
    int ob, ov, oc;
    double loss = 0;
    offsets(p, &ob, &ov, &oc);
    *kink = INFINITY;
    for (int e = 0; e < p->B; e++) {
        double y = z[oc];
        for (int f = 0; f < p->F; f++)
            for (int q = 0; q < p->P; q++)
                y += z[ov + f * p->P + q] * pooled(p, z, p->X + e * p->N, f, q, kink);
        loss += (y - p->Y[e]) * (y - p->Y[e]);
    }
    return loss / p->B;
}

static double reference(const void *c, const double *z)
{
    double kink;
    return loss_and_kink(c, z, &kink);
}

#define ARGS(p, z) p->B, p->N, p->F, p->K, p->M, p->P, z, z + ob, z + ov

static double f_value(const void *c, const double *z)
{
    const struct problem *p = c;
    int ob, ov, oc;
    offsets(p, &ob, &ov, &oc);
    return cnn_loss(ARGS(p, z), z[oc], p->X, p->Y);
}

static double f_grad(const void *c, const double *z, double *g)
{
    const struct problem *p = c;
    int ob, ov, oc;
    offsets(p, &ob, &ov, &oc);
    return cnn_loss_grad(ARGS(p, z), z[oc], p->X, p->Y, g, g + ob, g + ov, g + oc);
}

static double f_jvp(const void *c, const double *z, const double *v, double *df)
{
    const struct problem *p = c;
    int ob, ov, oc;
    offsets(p, &ob, &ov, &oc);
    return cnn_loss_jvp(ARGS(p, z), z[oc], p->X, p->Y, v, v + ob, v + ov, v[oc], df);
}

static double f_hvp(const void *c, const double *z, const double *v, double *g, double *hv)
{
    const struct problem *p = c;
    int ob, ov, oc;
    offsets(p, &ob, &ov, &oc);
    return cnn_loss_hvp(ARGS(p, z), z[oc], p->X, p->Y, v, v + ob, v + ov, v[oc], g, g + ob,
                        g + ov, g + oc, hv, hv + ob, hv + ov, hv + oc);
}

static void test_loss(void **state)
{
    /* {B, N, F, K} */
    static const int dims[][4] = {{1, 3, 1, 2}, {3, 9, 2, 3}, {5, 16, 3, 4}};
    rl_rng r = {301};
    (void)state;
    for (size_t d = 0; d < sizeof dims / sizeof dims[0]; d++) {
        struct problem p = {dims[d][0], dims[d][1], dims[d][2], dims[d][3], 0, 0, {0}, {0}};
        p.M = p.N - p.K + 1;
        p.P = p.M / 2;
        int ob, ov, oc, n = offsets(&p, &ob, &ov, &oc);
        double z[MAXF * MAXK + MAXF + MAXF * MAXN + 1], g[sizeof z / sizeof z[0]];
        rl_fill(&r, p.X, p.B * p.N, -1, 1);
        rl_fill(&r, p.Y, p.B, -1, 1);
        rl_scalar chk = {"cnn_loss", n, &p, reference, f_value, f_grad, f_jvp, f_hvp, 0, 0, 0};
        for (int k = 0; k < 3; k++) {
            double kink;
            /* a point whose kinks are all farther than the differences reach */
            do {
                rl_fill(&r, z, n, -1, 1);
                loss_and_kink(&p, z, &kink);
            } while (kink < 0.01);
            rl_check_scalar(&chk, z, 4000 + 10 * d + k);

            /* closed form in V and c0: d/dV[f][q] = 2/B sum_e r_e p_e[f][q] */
            f_grad(&p, z, g);
            double gv[MAXF * MAXN] = {0}, gc = 0;
            for (int e = 0; e < p.B; e++) {
                double feat[MAXF * MAXN], y = z[oc], unused = 0;
                for (int f = 0; f < p.F; f++)
                    for (int q = 0; q < p.P; q++) {
                        feat[f * p.P + q] = pooled(&p, z, p.X + e * p.N, f, q, &unused);
                        y += z[ov + f * p.P + q] * feat[f * p.P + q];
                    }
                double rr = 2 * (y - p.Y[e]) / p.B;
                gc += rr;
                for (int i = 0; i < p.F * p.P; i++)
                    gv[i] += rr * feat[i];
            }
            assert_close(g[oc], gc, 1e-12, 1e-14);
            for (int i = 0; i < p.F * p.P; i++)
                assert_close(g[ov + i], gv[i], 1e-12, 1e-14);
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
