/* resnet.fn: a weight-tied residual MLP as a vector-valued layer (f_vjp,
 * f_jvp against differences of a C forward pass that applies the blocks as
 * x + max(z, 0.1 z)) and a scalar loss on it (gradient, jvp, hvp), at points
 * where no pre-activation is near the leaky ReLU's kink. The loss gradient
 * equals the layer's vjp with the loss's output seed plus the direct term
 * in x0 (chain rule across two generated functions). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "resnet.h"
#include "realistic.h"

enum { MAXN = 6 };

struct problem {
    int n, L;
};

/* the network; the smallest |pre-activation| out */
static void forward(const struct problem *p, const double *z, double *y, double *kink)
{
    int n = p->n;
    const double *W = z, *x0 = z + n * n;
    double h[MAXN];
    memcpy(h, x0, sizeof(double) * (size_t)n);
    *kink = INFINITY;
    for (int depth = 0; depth <= p->L; depth++) {
        double pre[MAXN];
        for (int i = 0; i < n; i++) {
            pre[i] = 0;
            for (int j = 0; j < n; j++)
                pre[i] += W[i * n + j] * h[j];
            *kink = fmin(*kink, fabs(pre[i]));
        }
        double scale = depth < p->L ? 1 + 0.1 * depth : 1;
        for (int i = 0; i < n; i++)
            h[i] = (h[i] + fmax(pre[i], 0.1 * pre[i])) * scale;
    }
    memcpy(y, h, sizeof(double) * (size_t)n);
}

static void ref_out(const void *c, const double *z, double *y)
{
    double kink;
    forward(c, z, y, &kink);
}

static double ref_loss(const void *c, const double *z)
{
    const struct problem *p = c;
    double y[MAXN], kink, s = 0;
    forward(p, z, y, &kink);
    for (int i = 0; i < p->n; i++)
        s += (i + 1) * y[i] * y[i] / p->n + y[i] * z[p->n * p->n + i];
    return s;
}

/* z packs W[n][n], x0[n] */
static void f_out(const void *c, const double *z, double *y)
{
    const struct problem *p = c;
    resnet(p->n, p->L, z, z + p->n * p->n, y);
}

static void f_vjp(const void *c, const double *z, const double *w, double *y, double *g)
{
    const struct problem *p = c;
    resnet_vjp(p->n, p->L, z, z + p->n * p->n, y, w, g, g + p->n * p->n);
}

static void f_jvp(const void *c, const double *z, const double *v, double *y, double *dy)
{
    const struct problem *p = c;
    resnet_jvp(p->n, p->L, z, z + p->n * p->n, y, v, v + p->n * p->n, dy);
}

static double l_value(const void *c, const double *z)
{
    const struct problem *p = c;
    return resnet_loss(p->n, p->L, z, z + p->n * p->n);
}

static double l_grad(const void *c, const double *z, double *g)
{
    const struct problem *p = c;
    return resnet_loss_grad(p->n, p->L, z, z + p->n * p->n, g, g + p->n * p->n);
}

static double l_jvp(const void *c, const double *z, const double *v, double *df)
{
    const struct problem *p = c;
    return resnet_loss_jvp(p->n, p->L, z, z + p->n * p->n, v, v + p->n * p->n, df);
}

static double l_hvp(const void *c, const double *z, const double *v, double *g, double *hv)
{
    const struct problem *p = c;
    return resnet_loss_hvp(p->n, p->L, z, z + p->n * p->n, v, v + p->n * p->n, g,
                           g + p->n * p->n, hv, hv + p->n * p->n);
}

static void test_resnet(void **state)
{
    /* {n, L} */
    static const int dims[][2] = {{1, 0}, {3, 2}, {6, 5}};
    rl_rng r = {2801};
    (void)state;
    for (size_t s = 0; s < sizeof dims / sizeof dims[0]; s++) {
        struct problem p = {dims[s][0], dims[s][1]};
        int n = p.n * p.n + p.n;
        double z[MAXN * MAXN + MAXN], y[MAXN], seed[MAXN], g[MAXN * MAXN + MAXN];
        double gl[MAXN * MAXN + MAXN], kink;
        rl_vector layer = {"resnet", n, p.n, &p, ref_out, f_out, f_vjp, f_jvp, 1e-11, 0, 0};
        rl_scalar loss = {"resnet_loss", n, &p, ref_loss, l_value, l_grad, l_jvp, l_hvp,
                          1e-11, 0, 0};
        for (int k = 0; k < 3; k++) {
            do {
                rl_fill(&r, z, p.n * p.n, -0.6, 0.6);
                rl_fill(&r, z + p.n * p.n, p.n, -1, 1);
                forward(&p, z, y, &kink);
            } while (kink < 1e-2);
            rl_check_vector(&layer, z, 31000 + 10 * s + k);
            rl_check_scalar(&loss, z, 31100 + 10 * s + k);

            /* chain rule across the two functions */
            f_out(&p, z, y);
            for (int i = 0; i < p.n; i++)
                seed[i] = 2 * (i + 1) * y[i] / p.n + z[p.n * p.n + i];
            f_vjp(&p, z, seed, y, g);
            for (int i = 0; i < p.n; i++)
                g[p.n * p.n + i] += y[i];
            l_grad(&p, z, gl);
            for (int i = 0; i < n; i++)
                assert_close(gl[i], g[i], 1e-12, 1e-14);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resnet),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
