/* logdet.fn: log|det A| by elimination against the closed forms: the value
 * against log|det| from an LU factorisation with partial pivoting, the
 * gradient against A^-T (inverse by Gauss-Jordan), the Hessian-vector
 * product against -(A^-1 V A^-1)^T; and against differences. det3 against
 * the rule of Sarrus, its gradient against the cofactor matrix. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "logdet.h"
#include "realistic.h"

enum { MAXN = 6 };

struct problem {
    int n;
};

/* log|det| by LU with partial pivoting */
static double reference(const void *c, const double *z)
{
    int n = ((const struct problem *)c)->n;
    double U[MAXN][MAXN], s = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            U[i][j] = z[i * n + j];
    for (int k = 0; k < n; k++) {
        int piv = k;
        for (int i = k + 1; i < n; i++)
            if (fabs(U[i][k]) > fabs(U[piv][k]))
                piv = i;
        for (int j = 0; j < n; j++) {
            double t = U[k][j];
            U[k][j] = U[piv][j];
            U[piv][j] = t;
        }
        for (int i = k + 1; i < n; i++) {
            double f = U[i][k] / U[k][k];
            for (int j = k; j < n; j++)
                U[i][j] -= f * U[k][j];
        }
        s += log(fabs(U[k][k]));
    }
    return s;
}

/* Gauss-Jordan inverse */
static void inverse(int n, const double *a, double inv[MAXN][MAXN])
{
    double M[MAXN][2 * MAXN];
    for (int i = 0; i < n; i++)
        for (int j = 0; j < 2 * n; j++)
            M[i][j] = j < n ? a[i * n + j] : (j - n == i);
    for (int k = 0; k < n; k++) {
        double d = M[k][k];
        for (int j = 0; j < 2 * n; j++)
            M[k][j] /= d;
        for (int i = 0; i < n; i++)
            if (i != k) {
                double f = M[i][k];
                for (int j = 0; j < 2 * n; j++)
                    M[i][j] -= f * M[k][j];
            }
    }
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            inv[i][j] = M[i][n + j];
}

static double f_value(const void *c, const double *z)
{
    return logabsdet(((const struct problem *)c)->n, z);
}

static double f_grad(const void *c, const double *z, double *g)
{
    return logabsdet_grad(((const struct problem *)c)->n, z, g);
}

static double f_jvp(const void *c, const double *z, const double *v, double *df)
{
    return logabsdet_jvp(((const struct problem *)c)->n, z, v, df);
}

static double f_hvp(const void *c, const double *z, const double *v, double *g, double *hv)
{
    return logabsdet_hvp(((const struct problem *)c)->n, z, v, g, hv);
}

static void test_logabsdet(void **state)
{
    static const int sizes[] = {1, 2, 4, 6};
    rl_rng r = {1101};
    (void)state;
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        struct problem p = {sizes[s]};
        int n = p.n;
        double A[MAXN * MAXN], V[MAXN * MAXN], g[MAXN * MAXN], hv[MAXN * MAXN];
        double inv[MAXN][MAXN];
        rl_scalar chk = {"logabsdet", n * n, &p, reference, f_value, f_grad, f_jvp, f_hvp,
                         0, 0, 0};
        for (int k = 0; k < 3; k++) {
            /* diagonally dominant, diagonal of either sign */
            rl_fill(&r, A, n * n, -1, 1);
            for (int i = 0; i < n; i++)
                A[i * n + i] = (rl_uniform(&r, 0, 1) < 0.5 ? -1 : 1) * (n + rl_uniform(&r, 0, 1));
            rl_check_scalar(&chk, A, 12000 + 10 * s + k);

            rl_fill(&r, V, n * n, -1, 1);
            f_hvp(&p, A, V, g, hv);
            inverse(n, A, inv);
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++) {
                    /* -(A^-1 V A^-1)^T [i][j] = -(A^-1 V A^-1)[j][i] */
                    double h = 0;
                    for (int a = 0; a < n; a++)
                        for (int b = 0; b < n; b++)
                            h -= inv[j][a] * V[a * n + b] * inv[b][i];
                    assert_close(g[i * n + j], inv[j][i], 1e-12, 1e-14);
                    assert_close(hv[i * n + j], h, 1e-11, 1e-13);
                }
        }
    }
}

static double det3_ref(const void *c, const double *a)
{
    (void)c;
    return a[0] * a[4] * a[8] + a[1] * a[5] * a[6] + a[2] * a[3] * a[7]
         - a[2] * a[4] * a[6] - a[0] * a[5] * a[7] - a[1] * a[3] * a[8];
}

static double det3_f(const void *c, const double *z)
{
    (void)c;
    return det3(z);
}

static double det3_g(const void *c, const double *z, double *g)
{
    (void)c;
    return det3_grad(z, g);
}

static double det3_j(const void *c, const double *z, const double *v, double *df)
{
    (void)c;
    return det3_jvp(z, v, df);
}

static double det3_h(const void *c, const double *z, const double *v, double *g, double *hv)
{
    (void)c;
    return det3_hvp(z, v, g, hv);
}

static void test_det3(void **state)
{
    rl_rng r = {1102};
    rl_scalar chk = {"det3", 9, NULL, det3_ref, det3_f, det3_g, det3_j, det3_h, 0, 0, 0};
    (void)state;
    for (int k = 0; k < 3; k++) {
        double A[9], g[9], inv[MAXN][MAXN];
        rl_fill(&r, A, 9, -2, 2);
        rl_check_scalar(&chk, A, 13000 + k);
        /* the gradient is the cofactor matrix, det A^-T */
        double det = det3_grad(A, g);
        inverse(3, A, inv);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                assert_close(g[i * 3 + j], det * inv[j][i], 1e-10, 1e-12);
        /* and log|det3| is logabsdet */
        assert_close(logabsdet(3, A), log(fabs(det)), 1e-10, 1e-12);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_logabsdet),
        cmocka_unit_test(test_det3),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
