/* crank_nicolson.fn: a Crank-Nicolson diffusion fit (Thomas algorithm in the
 * .fn) against C that forms both step matrices densely and solves each step
 * by Gaussian elimination with partial pivoting; gradients against
 * differences. The final profile is linear in u0, u(T) = M^nt u0 with M
 * symmetric, so the Hessian in u0 is 2h M^(2 nt): checked exactly. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "crank_nicolson.h"
#include "realistic.h"

enum { MAXN = 20 };

struct problem {
    int N, nt;
    double dt, target[MAXN];
};

/* one step: solve (I - dt/2 A) y = (I + dt/2 A) x, A = D lap - k I */
static void cn_step(int N, double D, double k, double dt, const double *x, double *y)
{
    double h = 1.0 / (N + 1), Mx[MAXN][MAXN + 1];
    for (int i = 0; i < N; i++) {
        double b = 0;
        for (int j = 0; j < N; j++) {
            double a = (i == j ? -2 * D / (h * h) - k : 0) + (abs(i - j) == 1 ? D / (h * h) : 0);
            Mx[i][j] = (i == j) - dt / 2 * a;
            b += ((i == j) + dt / 2 * a) * x[j];
        }
        Mx[i][N] = b;
    }
    for (int c = 0; c < N; c++) {
        int piv = c;
        for (int i = c + 1; i < N; i++)
            if (fabs(Mx[i][c]) > fabs(Mx[piv][c]))
                piv = i;
        for (int j = 0; j <= N; j++) {
            double t = Mx[c][j];
            Mx[c][j] = Mx[piv][j];
            Mx[piv][j] = t;
        }
        for (int i = c + 1; i < N; i++) {
            double f = Mx[i][c] / Mx[c][c];
            for (int j = c; j <= N; j++)
                Mx[i][j] -= f * Mx[c][j];
        }
    }
    for (int i = N - 1; i >= 0; i--) {
        double s = Mx[i][N];
        for (int j = i + 1; j < N; j++)
            s -= Mx[i][j] * y[j];
        y[i] = s / Mx[i][i];
    }
}

/* z packs log_D, k, u0[N] */
static double reference(const void *c, const double *z)
{
    const struct problem *p = c;
    int N = p->N;
    double u[MAXN], t[MAXN], h = 1.0 / (N + 1), J = 0;
    memcpy(u, z + 2, sizeof(double) * (size_t)N);
    for (int s = 0; s < p->nt; s++) {
        cn_step(N, exp(z[0]), z[1], p->dt, u, t);
        memcpy(u, t, sizeof(double) * (size_t)N);
    }
    for (int i = 0; i < N; i++)
        J += (u[i] - p->target[i]) * (u[i] - p->target[i]);
    return h * J;
}

#define ARGS(p, z) p->N, p->nt, z[0], z[1], z + 2, p->dt, p->target

static double f_value(const void *c, const double *z)
{
    const struct problem *p = c;
    return cn_fit(ARGS(p, z));
}

static double f_grad(const void *c, const double *z, double *g)
{
    const struct problem *p = c;
    return cn_fit_grad(ARGS(p, z), g, g + 1, g + 2);
}

static double f_jvp(const void *c, const double *z, const double *v, double *df)
{
    const struct problem *p = c;
    return cn_fit_jvp(ARGS(p, z), v[0], v[1], v + 2, df);
}

static double f_hvp(const void *c, const double *z, const double *v, double *g, double *hv)
{
    const struct problem *p = c;
    return cn_fit_hvp(ARGS(p, z), v[0], v[1], v + 2, g, g + 1, g + 2, hv, hv + 1, hv + 2);
}

static void test_fit(void **state)
{
    /* {N, nt} */
    static const int dims[][2] = {{1, 1}, {2, 3}, {8, 10}, {20, 25}};
    rl_rng r = {2401};
    (void)state;
    for (size_t s = 0; s < sizeof dims / sizeof dims[0]; s++) {
        struct problem p = {dims[s][0], dims[s][1], 0.01, {0}};
        int N = p.N, n = N + 2;
        double z[MAXN + 2], v[MAXN + 2], g[MAXN + 2], hv[MAXN + 2], w[MAXN], t[MAXN];
        double h = 1.0 / (N + 1);
        for (int i = 0; i < N; i++)
            p.target[i] = 0.3 * sin(RL_PI * (i + 1) * h) + rl_uniform(&r, -0.02, 0.02);
        rl_scalar chk = {"cn_fit", n, &p, reference, f_value, f_grad, f_jvp, f_hvp, 1e-11, 0, 0};
        for (int k = 0; k < 3; k++) {
            z[0] = rl_uniform(&r, -1.5, 0.5);
            z[1] = rl_uniform(&r, 0, 2);
            for (int i = 0; i < N; i++)
                z[2 + i] = sin(RL_PI * (i + 1) * h) + rl_uniform(&r, -0.2, 0.2);
            rl_check_scalar(&chk, z, 27000 + 10 * s + k);

            /* H v along u0 only: 2h M^(2 nt) v */
            v[0] = v[1] = 0;
            rl_fill(&r, v + 2, N, -1, 1);
            f_hvp(&p, z, v, g, hv);
            memcpy(w, v + 2, sizeof(double) * (size_t)N);
            for (int st = 0; st < 2 * p.nt; st++) {
                cn_step(N, exp(z[0]), z[1], p.dt, w, t);
                memcpy(w, t, sizeof(double) * (size_t)N);
            }
            for (int i = 0; i < N; i++)
                assert_close(hv[2 + i], 2 * h * w[i], 1e-11, 1e-14);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
