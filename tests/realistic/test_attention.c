/* attention.fn: causal single-head self-attention against C that forms the
 * whole score matrix, masks it with -infinity and normalises each row with
 * its log-sum-exp; f_vjp and f_jvp against differences of it; the first
 * token attends only to itself (Y[0] = V[0] exactly, whatever Wq, Wk). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "attention.h"
#include "realistic.h"

enum { MAXT = 6, MAXD = 4, MAXE = 3 };

struct problem {
    int T, D, E;
};

static void matmul(int n, int k, int m, const double *a, const double *b, double *c)
{
    for (int i = 0; i < n; i++)
        for (int j = 0; j < m; j++) {
            c[i * m + j] = 0;
            for (int l = 0; l < k; l++)
                c[i * m + j] += a[i * k + l] * b[l * m + j];
        }
}

/* z packs X[T][D], Wq, Wk, Wv [D][E] */
static void reference(const void *c, const double *z, double *Y)
{
    const struct problem *p = c;
    int T = p->T, D = p->D, E = p->E;
    const double *X = z, *W = z + T * D;
    double Q[MAXT * MAXE], K[MAXT * MAXE], V[MAXT * MAXE], S[MAXT][MAXT];
    matmul(T, D, E, X, W, Q);
    matmul(T, D, E, X, W + D * E, K);
    matmul(T, D, E, X, W + 2 * D * E, V);
    for (int i = 0; i < T; i++) {
        double mx = -INFINITY, sum = 0;
        for (int j = 0; j < T; j++) {
            double dot = 0;
            for (int e = 0; e < E; e++)
                dot += Q[i * E + e] * K[j * E + e];
            S[i][j] = j <= i ? dot / sqrt((double)E) : -INFINITY;
            mx = fmax(mx, S[i][j]);
        }
        for (int j = 0; j < T; j++)
            sum += exp(S[i][j] - mx);
        double lse = mx + log(sum);
        for (int e = 0; e < E; e++) {
            Y[i * E + e] = 0;
            for (int j = 0; j < T; j++)
                Y[i * E + e] += exp(S[i][j] - lse) * V[j * E + e];
        }
    }
}

#define PARTS(p, z) z, z + p->T * p->D, z + p->T * p->D + p->D * p->E, \
                    z + p->T * p->D + 2 * p->D * p->E

static int ninputs(const struct problem *p)
{
    return p->T * p->D + 3 * p->D * p->E;
}

static void f_out(const void *c, const double *z, double *y)
{
    const struct problem *p = c;
    attention(p->T, p->D, p->E, PARTS(p, z), y);
}

static void f_vjp(const void *c, const double *z, const double *w, double *y, double *g)
{
    const struct problem *p = c;
    attention_vjp(p->T, p->D, p->E, PARTS(p, z), y, w, PARTS(p, g));
}

static void f_jvp(const void *c, const double *z, const double *v, double *y, double *dy)
{
    const struct problem *p = c;
    attention_jvp(p->T, p->D, p->E, PARTS(p, z), y, PARTS(p, v), dy);
}

static void test_layer(void **state)
{
    /* {T, D, E} */
    static const int dims[][3] = {{1, 1, 1}, {3, 2, 2}, {6, 4, 3}};
    rl_rng r = {1901};
    (void)state;
    for (size_t s = 0; s < sizeof dims / sizeof dims[0]; s++) {
        struct problem p = {dims[s][0], dims[s][1], dims[s][2]};
        int n = ninputs(&p), m = p.T * p.E;
        double z[MAXT * MAXD + 3 * MAXD * MAXE], y[MAXT * MAXE], V0[MAXE];
        rl_vector chk = {"attention", n, m, &p, reference, f_out, f_vjp, f_jvp, 0, 0, 0};
        for (int k = 0; k < 3; k++) {
            rl_fill(&r, z, n, -1, 1);
            rl_check_vector(&chk, z, 22000 + 10 * s + k);
            /* token 0 sees only itself: Y[0] = V[0] = X[0] Wv */
            f_out(&p, z, y);
            matmul(1, p.D, p.E, z, z + p.T * p.D + 2 * p.D * p.E, V0);
            for (int e = 0; e < p.E; e++)
                assert_close(y[e], V0[e], 1e-14, 1e-15);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
