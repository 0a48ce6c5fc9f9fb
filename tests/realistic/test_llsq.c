/* llsq.fn: a polynomial least-squares objective against C that forms the
 * Vandermonde matrix A with pow(); the gradient is exactly A^T (A x - y) and
 * the Hessian-vector product A^T A v (closed forms, to round-off), besides
 * the differences; the normal equations' solution has zero gradient. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "llsq.h"
#include "realistic.h"

enum { MAXN = 32, MAXM = 6 };

struct problem {
    int n, m;
    double y[MAXN], A[MAXN][MAXM];
};

static void vandermonde(struct problem *p)
{
    for (int i = 0; i < p->n; i++) {
        double t = -1.0 + 2.0 * i / (p->n - 1);
        for (int j = 0; j < p->m; j++)
            p->A[i][j] = j == 0 ? 1.0 : pow(t, j);
    }
}

static double residual(const struct problem *p, const double *x, int i)
{
    double s = 0;
    for (int j = 0; j < p->m; j++)
        s += p->A[i][j] * x[j];
    return s - p->y[i];
}

static double reference(const void *c, const double *z)
{
    const struct problem *p = c;
    double s = 0;
    for (int i = 0; i < p->n; i++)
        s += residual(p, z, i) * residual(p, z, i);
    return 0.5 * s;
}

static double f_value(const void *c, const double *z)
{
    const struct problem *p = c;
    return llsq(p->n, p->m, z, p->y);
}

static double f_grad(const void *c, const double *z, double *g)
{
    const struct problem *p = c;
    return llsq_grad(p->n, p->m, z, p->y, g);
}

static double f_jvp(const void *c, const double *z, const double *v, double *df)
{
    const struct problem *p = c;
    return llsq_jvp(p->n, p->m, z, p->y, v, df);
}

static double f_hvp(const void *c, const double *z, const double *v, double *g, double *hv)
{
    const struct problem *p = c;
    return llsq_hvp(p->n, p->m, z, p->y, v, g, hv);
}

/* solves the normal equations by Gaussian elimination (small, SPD) */
static void solve_normal(const struct problem *p, double *x)
{
    double M[MAXM][MAXM + 1];
    int m = p->m;
    for (int a = 0; a < m; a++) {
        for (int b = 0; b <= m; b++) {
            M[a][b] = 0;
            for (int i = 0; i < p->n; i++)
                M[a][b] += p->A[i][a] * (b < m ? p->A[i][b] : p->y[i]);
        }
    }
    for (int k = 0; k < m; k++)
        for (int a = k + 1; a < m; a++) {
            double f = M[a][k] / M[k][k];
            for (int b = k; b <= m; b++)
                M[a][b] -= f * M[k][b];
        }
    for (int a = m - 1; a >= 0; a--) {
        double s = M[a][m];
        for (int b = a + 1; b < m; b++)
            s -= M[a][b] * x[b];
        x[a] = s / M[a][a];
    }
}

static void test_llsq(void **state)
{
    /* {n, m} */
    static const int dims[][2] = {{2, 1}, {7, 3}, {32, 6}};
    rl_rng r = {1001};
    (void)state;
    for (size_t s = 0; s < sizeof dims / sizeof dims[0]; s++) {
        struct problem p = {dims[s][0], dims[s][1], {0}, {{0}}};
        double x[MAXM], g[MAXM], v[MAXM], hv[MAXM], g2[MAXM];
        vandermonde(&p);
        for (int i = 0; i < p.n; i++) /* GradBench's data: the sign of t, plus noise */
            p.y[i] = (p.A[i][p.m > 1 ? 1 : 0] < 0 ? -1 : 1) + rl_uniform(&r, -0.1, 0.1);
        rl_scalar chk = {"llsq", p.m, &p, reference, f_value, f_grad, f_jvp, f_hvp, 0, 0, 0};
        for (int k = 0; k < 3; k++) {
            rl_fill(&r, x, p.m, -2, 2);
            rl_fill(&r, v, p.m, -1, 1);
            rl_check_scalar(&chk, x, 11000 + 10 * s + k);
            f_hvp(&p, x, v, g, hv);
            for (int j = 0; j < p.m; j++) {
                double gj = 0, hj = 0, mag = 0;
                for (int i = 0; i < p.n; i++) {
                    double av = 0;
                    for (int b = 0; b < p.m; b++)
                        av += p.A[i][b] * v[b];
                    gj += p.A[i][j] * residual(&p, x, i);
                    hj += p.A[i][j] * av;
                    mag += fabs(p.A[i][j] * residual(&p, x, i));
                }
                assert_close(g[j], gj, 1e-12, 1e-13 * mag);
                assert_close(hv[j], hj, 1e-12, 1e-13 * p.n);
            }
        }
        solve_normal(&p, x);
        f_grad(&p, x, g2);
        for (int j = 0; j < p.m; j++)
            assert_close(g2[j], 0, 0, 1e-10);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_llsq),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
