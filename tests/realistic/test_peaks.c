/* peaks.fn: a Gaussian-peaks residual vector against C, and its Jacobian
 * products against differences; besides, the whole Jacobian assembled from
 * peaks_vjp (rows, unit seeds) and from peaks_jvp (columns, unit tangents)
 * against the closed-form partial derivatives of each residual. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "peaks.h"
#include "realistic.h"

enum { MAXN = 30, MAXK = 3, MAXZ = 3 * MAXK + 2 };

struct problem {
    int n, K;
    double t[MAXN], y[MAXN];
};

/* z packs A[K], mu[K], log_s[K], c0, c1 */
static void reference(const void *c, const double *z, double *r)
{
    const struct problem *p = c;
    int K = p->K;
    for (int i = 0; i < p->n; i++) {
        double m = z[3 * K] + z[3 * K + 1] * p->t[i];
        for (int k = 0; k < K; k++) {
            double s = exp(z[2 * K + k]), u = p->t[i] - z[K + k];
            m += z[k] * exp(-u * u / (2 * s * s));
        }
        r[i] = m - p->y[i];
    }
}

/* the Jacobian, row i, column j, in closed form */
static void jacobian(const struct problem *p, const double *z, double J[MAXN][MAXZ])
{
    int K = p->K;
    for (int i = 0; i < p->n; i++) {
        for (int k = 0; k < K; k++) {
            double s = exp(z[2 * K + k]), u = p->t[i] - z[K + k];
            double e = exp(-u * u / (2 * s * s));
            J[i][k] = e;
            J[i][K + k] = z[k] * e * u / (s * s);
            J[i][2 * K + k] = z[k] * e * u * u / (s * s);
        }
        J[i][3 * K] = 1;
        J[i][3 * K + 1] = p->t[i];
    }
}

#define ARGS(p, z) p->n, p->K, z, z + p->K, z + 2 * p->K, z[3 * p->K], z[3 * p->K + 1], p->t, p->y

static void f_out(const void *c, const double *z, double *y)
{
    const struct problem *p = c;
    peaks(ARGS(p, z), y);
}

static void f_vjp(const void *c, const double *z, const double *w, double *y, double *g)
{
    const struct problem *p = c;
    int K = p->K;
    peaks_vjp(ARGS(p, z), y, w, g, g + K, g + 2 * K, g + 3 * K, g + 3 * K + 1);
}

static void f_jvp(const void *c, const double *z, const double *v, double *y, double *dy)
{
    const struct problem *p = c;
    int K = p->K;
    peaks_jvp(ARGS(p, z), y, v, v + K, v + 2 * K, v[3 * K], v[3 * K + 1], dy);
}

static void test_residuals(void **state)
{
    /* {n, K} */
    static const int dims[][2] = {{1, 1}, {10, 2}, {30, 3}};
    rl_rng r = {1701};
    (void)state;
    for (size_t s = 0; s < sizeof dims / sizeof dims[0]; s++) {
        struct problem p = {dims[s][0], dims[s][1], {0}, {0}};
        int nz = 3 * p.K + 2;
        double z[MAXZ], J[MAXN][MAXZ], y[MAXN], e[MAXZ > MAXN ? MAXZ : MAXN], g[MAXZ];
        double dy[MAXN];
        for (int i = 0; i < p.n; i++) {
            p.t[i] = p.n > 1 ? 10.0 * i / (p.n - 1) : 5;
            p.y[i] = rl_uniform(&r, -0.2, 0.2) + 2 * exp(-(p.t[i] - 4) * (p.t[i] - 4) / 2);
        }
        rl_vector chk = {"peaks", nz, p.n, &p, reference, f_out, f_vjp, f_jvp, 0, 0, 0};
        for (int k = 0; k < 3; k++) {
            for (int a = 0; a < p.K; a++) {
                z[a] = rl_uniform(&r, 0.5, 3);
                z[p.K + a] = rl_uniform(&r, 1, 9);
                z[2 * p.K + a] = rl_uniform(&r, -0.5, 0.7);
            }
            z[3 * p.K] = rl_uniform(&r, -1, 1);
            z[3 * p.K + 1] = rl_uniform(&r, -0.1, 0.1);
            rl_check_vector(&chk, z, 20000 + 10 * s + k);

            jacobian(&p, z, J);
            for (int i = 0; i < p.n; i++) { /* rows from the vjp */
                memset(e, 0, sizeof e);
                e[i] = 1;
                f_vjp(&p, z, e, y, g);
                for (int j = 0; j < nz; j++)
                    assert_close(g[j], J[i][j], 1e-12, 1e-14);
            }
            for (int j = 0; j < nz; j++) { /* columns from the jvp */
                memset(e, 0, sizeof e);
                e[j] = 1;
                f_jvp(&p, z, e, y, dy);
                for (int i = 0; i < p.n; i++)
                    assert_close(dy[i], J[i][j], 1e-12, 1e-14);
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_residuals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
