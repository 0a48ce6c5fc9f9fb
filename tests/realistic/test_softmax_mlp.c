/* softmax_mlp.fn: a tanh MLP classifier's softmax cross-entropy against a C
 * forward pass that takes -log of the normalised probability of the true
 * class; the gradient in the output layer against its closed form
 * (1/B) sum_e (softmax(s_e) - Y[e]) h_e^T, and the whole gradient, Jacobian
 * and Hessian products against differences. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "softmax_mlp.h"
#include "realistic.h"

enum { MAXB = 8, MAXD = 4, MAXH = 6, MAXC = 4 };

struct problem {
    int B, D, H, C;
    double X[MAXB * MAXD], Y[MAXB * MAXC], lambda;
    int label[MAXB];
};

/* z packs W1[H][D], b1[H], W2[C][H], b2[C] */
enum { W1, B1, W2, B2, NPARTS };

static int offsets(const struct problem *p, int *o)
{
    int size[NPARTS] = {p->H * p->D, p->H, p->C * p->H, p->C}, n = 0;
    for (int k = 0; k < NPARTS; k++) {
        o[k] = n;
        n += size[k];
    }
    return n;
}

/* probabilities of example e; hidden layer out */
static void forward(const struct problem *p, const double *z, int e, double *h, double *prob)
{
    int o[NPARTS];
    double s[MAXC], mx = -INFINITY, sum = 0;
    offsets(p, o);
    for (int i = 0; i < p->H; i++) {
        double a = z[o[B1] + i];
        for (int j = 0; j < p->D; j++)
            a += z[o[W1] + i * p->D + j] * p->X[e * p->D + j];
        h[i] = tanh(a);
    }
    for (int k = 0; k < p->C; k++) {
        s[k] = z[o[B2] + k];
        for (int j = 0; j < p->H; j++)
            s[k] += z[o[W2] + k * p->H + j] * h[j];
        mx = fmax(mx, s[k]);
    }
    for (int k = 0; k < p->C; k++)
        sum += (prob[k] = exp(s[k] - mx));
    for (int k = 0; k < p->C; k++)
        prob[k] /= sum;
}

static double reference(const void *c, const double *z)
{
    const struct problem *p = c;
    double loss = 0, decay = 0, h[MAXH], prob[MAXC];
    for (int e = 0; e < p->B; e++) {
        forward(p, z, e, h, prob);
        loss -= log(prob[p->label[e]]);
    }
    for (int i = 0; i < p->H * p->D; i++)
        decay += z[i] * z[i];
    return loss / p->B + 0.5 * p->lambda * decay;
}

#define ARGS(p, z, o) p->B, p->D, p->H, p->C, z + o[W1], z + o[B1], z + o[W2], z + o[B2], \
                      p->X, p->Y, p->lambda
#define PARTS(v, o) v + o[W1], v + o[B1], v + o[W2], v + o[B2]

static double f_value(const void *c, const double *z)
{
    const struct problem *p = c;
    int o[NPARTS];
    offsets(p, o);
    return mlp_xent(ARGS(p, z, o));
}

static double f_grad(const void *c, const double *z, double *g)
{
    const struct problem *p = c;
    int o[NPARTS];
    offsets(p, o);
    return mlp_xent_grad(ARGS(p, z, o), PARTS(g, o));
}

static double f_jvp(const void *c, const double *z, const double *v, double *df)
{
    const struct problem *p = c;
    int o[NPARTS];
    offsets(p, o);
    return mlp_xent_jvp(ARGS(p, z, o), PARTS(v, o), df);
}

static double f_hvp(const void *c, const double *z, const double *v, double *g, double *hv)
{
    const struct problem *p = c;
    int o[NPARTS];
    offsets(p, o);
    return mlp_xent_hvp(ARGS(p, z, o), PARTS(v, o), PARTS(g, o), PARTS(hv, o));
}

static void test_loss(void **state)
{
    /* {B, D, H, C} */
    static const int dims[][4] = {{1, 1, 1, 2}, {4, 3, 5, 3}, {8, 4, 6, 4}};
    rl_rng r = {401};
    (void)state;
    for (size_t d = 0; d < sizeof dims / sizeof dims[0]; d++) {
        struct problem p = {dims[d][0], dims[d][1], dims[d][2], dims[d][3], {0}, {0}, 0.01, {0}};
        int o[NPARTS], n = offsets(&p, o);
        double z[MAXH * MAXD + MAXH + MAXC * MAXH + MAXC], g[sizeof z / sizeof z[0]];
        rl_fill(&r, p.X, p.B * p.D, -2, 2);
        for (int e = 0; e < p.B; e++) {
            p.label[e] = (int)(rl_next(&r) % (uint64_t)p.C);
            p.Y[e * p.C + p.label[e]] = 1;
        }
        rl_scalar chk = {"mlp_xent", n, &p, reference, f_value, f_grad, f_jvp, f_hvp, 0, 0, 0};
        for (int k = 0; k < 3; k++) {
            rl_fill(&r, z, n, -1.5, 1.5);
            rl_check_scalar(&chk, z, 5000 + 10 * d + k);

            /* the output layer's gradient in closed form */
            double gw2[MAXC * MAXH] = {0}, gb2[MAXC] = {0}, h[MAXH], prob[MAXC];
            f_grad(&p, z, g);
            for (int e = 0; e < p.B; e++) {
                forward(&p, z, e, h, prob);
                for (int c = 0; c < p.C; c++) {
                    double delta = (prob[c] - p.Y[e * p.C + c]) / p.B;
                    gb2[c] += delta;
                    for (int j = 0; j < p.H; j++)
                        gw2[c * p.H + j] += delta * h[j];
                }
            }
            for (int c = 0; c < p.C; c++) {
                assert_close(g[o[B2] + c], gb2[c], 1e-12, 1e-15);
                for (int j = 0; j < p.H; j++)
                    assert_close(g[o[W2] + c * p.H + j], gw2[c * p.H + j], 1e-12, 1e-15);
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
