/* lstm.fn: the ADBench/GradBench LSTM objective against a C implementation
 * of its definition (the state kept as separate hidden and cell arrays per
 * layer, the log-softmax taken over the whole prediction), for 1 and 2
 * layers; logsumexp's gradient is the softmax. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "lstm.h"
#include "realistic.h"

enum { MAXL = 2, MAXC = 6, MAXB = 4 };

struct problem {
    int l, c, b;
    double seq[MAXC * MAXB];
};

/* z packs main_params[2l][4b], extra_params[3][b], state[2l][b] */
static int sizes(const struct problem *p, int *nmain, int *nextra)
{
    *nmain = 2 * p->l * 4 * p->b;
    *nextra = 3 * p->b;
    return *nmain + *nextra + 2 * p->l * p->b;
}

static double sig(double x)
{
    return 1.0 / (1.0 + exp(-x));
}

static double reference(const void *c, const double *z)
{
    const struct problem *p = c;
    int nm, ne, b = p->b;
    sizes(p, &nm, &ne);
    const double *mainp = z, *extra = z + nm, *state = z + nm + ne;
    double hidden[MAXL][MAXB], cell[MAXL][MAXB], total = 0;
    for (int k = 0; k < p->l; k++)
        for (int i = 0; i < b; i++) {
            hidden[k][i] = state[(2 * k) * b + i];
            cell[k][i] = state[(2 * k + 1) * b + i];
        }
    for (int t = 0; t + 1 < p->c; t++) {
        double x[MAXB];
        for (int i = 0; i < b; i++)
            x[i] = p->seq[t * b + i] * extra[i];
        for (int k = 0; k < p->l; k++) {
            const double *w = mainp + (2 * k) * 4 * b, *bias = w + 4 * b;
            for (int i = 0; i < b; i++) {
                double f = sig(x[i] * w[i] + bias[i]);
                double in = sig(hidden[k][i] * w[b + i] + bias[b + i]);
                double o = sig(x[i] * w[2 * b + i] + bias[2 * b + i]);
                double ch = tanh(hidden[k][i] * w[3 * b + i] + bias[3 * b + i]);
                cell[k][i] = cell[k][i] * f + in * ch;
                hidden[k][i] = o * tanh(cell[k][i]);
                x[i] = hidden[k][i];
            }
        }
        double y[MAXB], sum = 0;
        for (int i = 0; i < b; i++) {
            y[i] = x[i] * extra[b + i] + extra[2 * b + i];
            sum += exp(y[i]);   /* the values are small: no shift needed */
        }
        for (int i = 0; i < b; i++)
            total += p->seq[(t + 1) * b + i] * (y[i] - log(sum));
    }
    return -total / ((p->c - 1) * b);
}

#define ARGS(p, z) p->l, p->c, p->b, 2 * p->l, 4 * p->b, z, z + nm, z + nm + ne, p->seq

static double f_value(const void *c, const double *z)
{
    const struct problem *p = c;
    int nm, ne;
    sizes(p, &nm, &ne);
    return lstm_objective(ARGS(p, z));
}

static double f_grad(const void *c, const double *z, double *g)
{
    const struct problem *p = c;
    int nm, ne;
    sizes(p, &nm, &ne);
    return lstm_objective_grad(ARGS(p, z), g, g + nm, g + nm + ne);
}

static double f_jvp(const void *c, const double *z, const double *v, double *df)
{
    const struct problem *p = c;
    int nm, ne;
    sizes(p, &nm, &ne);
    return lstm_objective_jvp(ARGS(p, z), v, v + nm, v + nm + ne, df);
}

static double f_hvp(const void *c, const double *z, const double *v, double *g, double *hv)
{
    const struct problem *p = c;
    int nm, ne;
    sizes(p, &nm, &ne);
    return lstm_objective_hvp(ARGS(p, z), v, v + nm, v + nm + ne, g, g + nm, g + nm + ne, hv,
                              hv + nm, hv + nm + ne);
}

static void test_objective(void **state)
{
    /* {l, c, b} */
    static const int dims[][3] = {{1, 2, 1}, {1, 5, 3}, {2, 6, 4}};
    rl_rng r = {201};
    (void)state;
    for (size_t d = 0; d < sizeof dims / sizeof dims[0]; d++) {
        struct problem p = {dims[d][0], dims[d][1], dims[d][2], {0}};
        int nm, ne, n = sizes(&p, &nm, &ne);
        double z[2 * MAXL * 4 * MAXB + 3 * MAXB + 2 * MAXL * MAXB];
        /* GradBench's sequences are one-hot-like: nonnegative, summing to 1 */
        for (int t = 0; t < p.c; t++) {
            double s = 0;
            for (int i = 0; i < p.b; i++)
                s += (p.seq[t * p.b + i] = rl_uniform(&r, 0.05, 1));
            for (int i = 0; i < p.b; i++)
                p.seq[t * p.b + i] /= s;
        }
        rl_scalar chk = {"lstm_objective", n, &p, reference, f_value, f_grad, f_jvp, f_hvp,
                         0, 0, 0};
        for (int k = 0; k < 3; k++) {
            rl_fill(&r, z, n, -1, 1);
            rl_check_scalar(&chk, z, 3000 + 10 * d + k);
        }
    }
}

/* d logsumexp / dv = softmax(v), exactly; its Hessian is diag(s) - s s^T */
static void test_logsumexp(void **state)
{
    rl_rng r = {202};
    (void)state;
    for (int k = 0; k < 3; k++) {
        enum { N = 5 };
        double v[N], g[N], u[N], g2[N], hv[N], s[N], sum = 0, su = 0;
        rl_fill(&r, v, N, -3, 3);
        rl_fill(&r, u, N, -1, 1);
        double mx = v[0];
        for (int i = 1; i < N; i++)
            mx = fmax(mx, v[i]);
        for (int i = 0; i < N; i++)
            sum += exp(v[i] - mx);
        double lse = logsumexp_grad(N, v, g);
        assert_close(lse, mx + log(sum), 1e-15, 0);
        for (int i = 0; i < N; i++) {
            s[i] = exp(v[i] - mx) / sum;
            su += s[i] * u[i];
            assert_close(g[i], s[i], 1e-14, 1e-16);
        }
        logsumexp_hvp(N, v, u, g2, hv);
        for (int i = 0; i < N; i++)
            assert_close(hv[i], s[i] * u[i] - s[i] * su, 1e-12, 1e-15);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_objective),
        cmocka_unit_test(test_logsumexp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
