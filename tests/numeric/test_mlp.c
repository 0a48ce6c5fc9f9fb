/* samples/mlp.fn: the loss gradient against central differences over all
 * weights at seeded random points and sizes down to 1, against a forward
 * and backward pass written by hand in C, the layers' vjps against the
 * loss gradient, and that gradient descent fits a small regression. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "mlp.h"
#include "check_array.h"

struct net {
    int B, ni, nh, no;
    const double *X, *Y;
};

static int nweights(const struct net *s)
{
    return s->nh * s->ni + s->nh + s->no * s->nh + s->no;
}

/* z packs W1[nh][ni], b1[nh], W2[no][nh], b2[no] */
static double v_loss(const void *c, const double *z)
{
    const struct net *s = c;
    const double *W1 = z, *b1 = W1 + s->nh * s->ni, *W2 = b1 + s->nh, *b2 = W2 + s->no * s->nh;
    return mlp_loss(s->B, s->ni, s->nh, s->no, W1, b1, W2, b2, s->X, s->Y);
}

static double g_loss(const void *c, const double *z, double *g)
{
    const struct net *s = c;
    const double *W1 = z, *b1 = W1 + s->nh * s->ni, *W2 = b1 + s->nh, *b2 = W2 + s->no * s->nh;
    double *gW1 = g, *gb1 = gW1 + s->nh * s->ni, *gW2 = gb1 + s->nh, *gb2 = gW2 + s->no * s->nh;
    return mlp_loss_grad(s->B, s->ni, s->nh, s->no, W1, b1, W2, b2, s->X, s->Y, gW1, gb1, gW2,
                         gb2);
}

/* the textbook backward pass */
static double reference(const struct net *s, const double *z, double *g)
{
    int ni = s->ni, nh = s->nh, no = s->no;
    const double *W1 = z, *b1 = W1 + nh * ni, *W2 = b1 + nh, *b2 = W2 + no * nh;
    double *gW1 = g, *gb1 = gW1 + nh * ni, *gW2 = gb1 + nh, *gb2 = gW2 + no * nh;
    double h[16], dh[16], loss = 0;
    for (int i = 0; i < nweights(s); i++)
        g[i] = 0;
    for (int k = 0; k < s->B; k++) {
        const double *x = s->X + k * ni, *y = s->Y + k * no;
        for (int j = 0; j < nh; j++) {
            double a = b1[j];
            for (int i = 0; i < ni; i++)
                a += W1[j * ni + i] * x[i];
            h[j] = tanh(a);
            dh[j] = 0;
        }
        for (int o = 0; o < no; o++) {
            double p = b2[o];
            for (int j = 0; j < nh; j++)
                p += W2[o * nh + j] * h[j];
            double e = p - y[o];
            loss += e * e;
            double dp = e / s->B; /* d/dp of e^2 / 2B */
            gb2[o] += dp;
            for (int j = 0; j < nh; j++) {
                gW2[o * nh + j] += dp * h[j];
                dh[j] += dp * W2[o * nh + j];
            }
        }
        for (int j = 0; j < nh; j++) {
            double da = dh[j] * (1 - h[j] * h[j]);
            gb1[j] += da;
            for (int i = 0; i < ni; i++)
                gW1[j * ni + i] += da * x[i];
        }
    }
    return loss / (2 * s->B);
}

static void test_fd_and_reference(void **state)
{
    /* {B, ni, nh, no} */
    static const int dims[][4] = {{1, 1, 1, 1}, {4, 3, 5, 2}, {6, 2, 3, 3}};
    check_rng r = {501};
    (void)state;
    for (size_t s = 0; s < sizeof dims / sizeof dims[0]; s++) {
        double X[64], Y[64], z[128], g[128], e[128];
        struct net net = {dims[s][0], dims[s][1], dims[s][2], dims[s][3], X, Y};
        int nz = nweights(&net);
        check_fill_uniform(&r, X, net.B * net.ni, -2, 2);
        check_fill_uniform(&r, Y, net.B * net.no, -1, 1);
        for (int p = 0; p < 4; p++) {
            check_fill_uniform(&r, z, nz, -1.5, 1.5);
            check_vec_fd(v_loss, g_loss, &net, nz, z);
            double v = g_loss(&net, z, g);
            assert_close(v, reference(&net, z, e), 1e-14, 1e-15);
            for (int i = 0; i < nz; i++)
                assert_close(g[i], e[i], 1e-13, 1e-15);
        }
    }
}

/* the output layer's vjp with seed (p - y) / B, summed over the batch, is
 * the loss gradient in W2 and b2; the hidden layer's vjp gives W1 and b1 */
static void test_layer_vjps(void **state)
{
    enum { B = 3, NI = 2, NH = 4, NO = 2 };
    double X[B * NI], Y[B * NO], z[NH * NI + NH + NO * NH + NO], g[sizeof z / sizeof z[0]];
    double acc[sizeof z / sizeof z[0]] = {0};
    struct net net = {B, NI, NH, NO, X, Y};
    check_rng r = {502};
    (void)state;
    check_fill_uniform(&r, X, B * NI, -2, 2);
    check_fill_uniform(&r, Y, B * NO, -1, 1);
    check_fill_uniform(&r, z, NH * NI + NH + NO * NH + NO, -1, 1);
    const double *W1 = z, *b1 = W1 + NH * NI, *W2 = b1 + NH, *b2 = W2 + NO * NH;
    double *aW1 = acc, *ab1 = aW1 + NH * NI, *aW2 = ab1 + NH, *ab2 = aW2 + NO * NH;
    for (int k = 0; k < B; k++) {
        double h[NH], p[NO], seed[NO], gW1[NH * NI], gb1[NH], gW2[NO * NH], gb2[NO], gh[NH];
        hidden(NI, NH, W1, b1, X + k * NI, h);
        output(NH, NO, W2, b2, h, p);
        for (int o = 0; o < NO; o++)
            seed[o] = (p[o] - Y[k * NO + o]) / B;
        check_fill_garbage(p, NO);
        output_vjp(NH, NO, W2, b2, h, p, seed, gW2, gb2, gh);
        hidden_vjp(NI, NH, W1, b1, X + k * NI, h, gh, gW1, gb1, NULL);
        for (int i = 0; i < NH * NI; i++)
            aW1[i] += gW1[i];
        for (int i = 0; i < NH; i++)
            ab1[i] += gb1[i];
        for (int i = 0; i < NO * NH; i++)
            aW2[i] += gW2[i];
        for (int i = 0; i < NO; i++)
            ab2[i] += gb2[i];
    }
    g_loss(&net, z, g);
    for (size_t i = 0; i < sizeof z / sizeof z[0]; i++)
        assert_close(g[i], acc[i], 1e-13, 1e-15);
}

/* fit y = sin(x0) cos(x1) on 16 points: the loss falls by 10x */
static void test_training(void **state)
{
    enum { B = 16, NI = 2, NH = 8, NO = 1, NZ = NH * NI + NH + NO * NH + NO };
    double X[B * NI], Y[B], z[NZ], g[NZ];
    struct net net = {B, NI, NH, NO, X, Y};
    check_rng r = {503};
    (void)state;
    check_fill_uniform(&r, X, B * NI, -1.5, 1.5);
    for (int k = 0; k < B; k++)
        Y[k] = sin(X[2 * k]) * cos(X[2 * k + 1]);
    check_fill_uniform(&r, z, NZ, -0.5, 0.5);
    double f0 = g_loss(&net, z, g), f = f0;
    for (int it = 0; it < 2000; it++) {
        for (int i = 0; i < NZ; i++)
            z[i] -= 0.1 * g[i];
        f = g_loss(&net, z, g);
    }
    print_message("mlp training: loss %g -> %g\n", f0, f);
    assert_true(f < f0 / 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fd_and_reference),
        cmocka_unit_test(test_layer_vjps),
        cmocka_unit_test(test_training),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
