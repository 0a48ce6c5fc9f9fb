/* rnn.fn: an Elman RNN's sequence loss against a forward pass written in C,
 * at seeded random weights for three network sizes (one of them a single
 * unit over one step), and the step helper's vjp and jvp on their own. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "rnn.h"
#include "realistic.h"

enum { MAXT = 12, MAXI = 3, MAXH = 5 };

struct net {
    int T, ni, nh;
    double X[MAXT * MAXI], Y[MAXT];
};

/* z packs Wh[nh][nh], Wx[nh][ni], b[nh], Wo[nh], bo, h0[nh]: offsets of each */
enum { WH, WX, B, WO, BO, H0, NPARTS };

static int offsets(const struct net *s, int *off)
{
    int size[NPARTS] = {s->nh * s->nh, s->nh * s->ni, s->nh, s->nh, 1, s->nh}, n = 0;
    for (int k = 0; k < NPARTS; k++) {
        off[k] = n;
        n += size[k];
    }
    return n;
}

/* h_t = tanh(Wh h + Wx x + b); the residuals are collected first, then the
 * loss is their mean square over two */
static double reference(const void *c, const double *z)
{
    const struct net *s = c;
    int off[NPARTS], nh = s->nh, ni = s->ni;
    double h[MAXH], a[MAXH], r[MAXT], loss = 0;
    offsets(s, off);
    memcpy(h, z + off[H0], sizeof(double) * (size_t)nh);
    for (int t = 0; t < s->T; t++) {
        const double *x = s->X + t * ni;
        for (int i = 0; i < nh; i++) {
            a[i] = z[off[B] + i];
            for (int j = 0; j < ni; j++)
                a[i] += z[off[WX] + i * ni + j] * x[j];
            for (int j = 0; j < nh; j++)
                a[i] += z[off[WH] + i * nh + j] * h[j];
        }
        double y = z[off[BO]];
        for (int i = 0; i < nh; i++) {
            h[i] = tanh(a[i]);
            y += z[off[WO] + i] * h[i];
        }
        r[t] = y - s->Y[t];
    }
    for (int t = 0; t < s->T; t++)
        loss += r[t] * r[t];
    return loss / (2.0 * s->T);
}

static double f_value(const void *c, const double *z)
{
    const struct net *s = c;
    int o[NPARTS];
    offsets(s, o);
    return rnn_loss(s->T, s->ni, s->nh, z + o[WH], z + o[WX], z + o[B], z + o[WO], z[o[BO]],
                    z + o[H0], s->X, s->Y);
}

static double f_grad(const void *c, const double *z, double *g)
{
    const struct net *s = c;
    int o[NPARTS];
    offsets(s, o);
    return rnn_loss_grad(s->T, s->ni, s->nh, z + o[WH], z + o[WX], z + o[B], z + o[WO],
                         z[o[BO]], z + o[H0], s->X, s->Y, g + o[WH], g + o[WX], g + o[B],
                         g + o[WO], g + o[BO], g + o[H0]);
}

static double f_jvp(const void *c, const double *z, const double *v, double *df)
{
    const struct net *s = c;
    int o[NPARTS];
    offsets(s, o);
    return rnn_loss_jvp(s->T, s->ni, s->nh, z + o[WH], z + o[WX], z + o[B], z + o[WO],
                        z[o[BO]], z + o[H0], s->X, s->Y, v + o[WH], v + o[WX], v + o[B],
                        v + o[WO], v[o[BO]], v + o[H0], df);
}

static double f_hvp(const void *c, const double *z, const double *v, double *g, double *hv)
{
    const struct net *s = c;
    int o[NPARTS];
    offsets(s, o);
    return rnn_loss_hvp(s->T, s->ni, s->nh, z + o[WH], z + o[WX], z + o[B], z + o[WO],
                        z[o[BO]], z + o[H0], s->X, s->Y, v + o[WH], v + o[WX], v + o[B],
                        v + o[WO], v[o[BO]], v + o[H0], g + o[WH], g + o[WX], g + o[B],
                        g + o[WO], g + o[BO], g + o[H0], hv + o[WH], hv + o[WX], hv + o[B],
                        hv + o[WO], hv + o[BO], hv + o[H0]);
}

static void test_loss(void **state)
{
    /* {T, ni, nh} */
    static const int dims[][3] = {{1, 1, 1}, {6, 2, 3}, {12, 3, 5}};
    rl_rng r = {101};
    (void)state;
    for (size_t d = 0; d < sizeof dims / sizeof dims[0]; d++) {
        struct net s = {dims[d][0], dims[d][1], dims[d][2], {0}, {0}};
        int off[NPARTS];
        int n = offsets(&s, off);
        double z[MAXH * MAXH + MAXH * MAXI + 3 * MAXH + 1];
        rl_fill(&r, s.X, s.T * s.ni, -1, 1);
        rl_fill(&r, s.Y, s.T, -1, 1);
        rl_scalar p = {"rnn_loss", n, &s, reference, f_value, f_grad, f_jvp, f_hvp, 0, 0, 0};
        for (int k = 0; k < 3; k++) {
            rl_fill(&r, z, n, -0.8, 0.8);
            rl_check_scalar(&p, z, 1000 + 10 * d + k);
        }
    }
}

/* the step on its own: inputs Wh, Wx, b, h, x (nh = 3, ni = 2) */
enum { CH = 3, CI = 2, CN = CH * CH + CH * CI + CH + CH + CI };

static void cell_ref(const void *c, const double *z, double *y)
{
    const double *Wh = z, *Wx = z + CH * CH, *b = Wx + CH * CI, *h = b + CH, *x = h + CH;
    (void)c;
    for (int i = 0; i < CH; i++) {
        double a = b[i];
        for (int j = 0; j < CH; j++)
            a += Wh[i * CH + j] * h[j];
        for (int j = 0; j < CI; j++)
            a += Wx[i * CI + j] * x[j];
        y[i] = tanh(a);
    }
}

static void cell_f(const void *c, const double *z, double *y)
{
    (void)c;
    cell(CH, CI, z, z + 9, z + 15, z + 18, z + 21, y);
}

static void cell_v(const void *c, const double *z, const double *w, double *y, double *g)
{
    (void)c;
    cell_vjp(CH, CI, z, z + 9, z + 15, z + 18, z + 21, y, w, g, g + 9, g + 15, g + 18, g + 21);
}

static void cell_j(const void *c, const double *z, const double *v, double *y, double *dy)
{
    (void)c;
    cell_jvp(CH, CI, z, z + 9, z + 15, z + 18, z + 21, y, v, v + 9, v + 15, v + 18, v + 21, dy);
}

static void test_cell(void **state)
{
    rl_rng r = {102};
    double z[CN];
    rl_vector p = {"cell", CN, CH, NULL, cell_ref, cell_f, cell_v, cell_j, 0, 0, 0};
    (void)state;
    for (int k = 0; k < 3; k++) {
        rl_fill(&r, z, CN, -1, 1);
        rl_check_vector(&p, z, 2000 + k);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_loss),
        cmocka_unit_test(test_cell),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
