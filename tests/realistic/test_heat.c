/* heat.fn: an explicit heat-equation source fit against C that advances the
 * solution by multiplying with the tridiagonal step matrix (with ghost
 * zeros at the boundaries); gradients against differences; and a linear-
 * algebra closed form: with kappa fixed, u(T) = A^nt u0 + sum_k A^k dt s is
 * affine in s, so the misfit's Hessian in s is h B^T B + alpha/h D^T D with
 * B = dt sum_k A^k, applied to v exactly. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "heat.h"
#include "realistic.h"

enum { MAXN = 16 };

struct problem {
    int N, nt;
    double u0[MAXN], target[MAXN], dt, alpha;
};

/* y = A x, A = I + lam (tridiagonal 1 -2 1) */
static void step_matrix(int N, double lam, const double *x, double *y)
{
    double ghost[MAXN + 2] = {0};
    memcpy(ghost + 1, x, sizeof(double) * (size_t)N);
    for (int i = 0; i < N; i++)
        y[i] = x[i] + lam * (ghost[i] - 2 * ghost[i + 1] + ghost[i + 2]);
}

static double reference(const void *c, const double *z)
{
    const struct problem *p = c;
    int N = p->N;
    double h = 1.0 / (N + 1), lam = exp(z[N]) * p->dt / (h * h), u[MAXN], t[MAXN], J = 0;
    memcpy(u, p->u0, sizeof u);
    for (int k = 0; k < p->nt; k++) {
        step_matrix(N, lam, u, t);
        for (int i = 0; i < N; i++)
            u[i] = t[i] + p->dt * z[i];
    }
    for (int i = 0; i < N; i++)
        J += (u[i] - p->target[i]) * (u[i] - p->target[i]);
    J *= h / 2;
    for (int i = 0; i + 1 < N; i++)
        J += p->alpha / (2 * h) * (z[i + 1] - z[i]) * (z[i + 1] - z[i]);
    return J;
}

/* z packs s[N], log_kappa */
#define ARGS(p, z) p->N, p->nt, z, z[p->N], p->u0, p->target, p->dt, p->alpha

static double f_value(const void *c, const double *z)
{
    const struct problem *p = c;
    return heat_misfit(ARGS(p, z));
}

static double f_grad(const void *c, const double *z, double *g)
{
    const struct problem *p = c;
    return heat_misfit_grad(ARGS(p, z), g, g + p->N);
}

static double f_jvp(const void *c, const double *z, const double *v, double *df)
{
    const struct problem *p = c;
    return heat_misfit_jvp(ARGS(p, z), v, v[p->N], df);
}

static double f_hvp(const void *c, const double *z, const double *v, double *g, double *hv)
{
    const struct problem *p = c;
    return heat_misfit_hvp(ARGS(p, z), v, v[p->N], g, g + p->N, hv, hv + p->N);
}

static void test_misfit(void **state)
{
    /* {N, nt} */
    static const int dims[][2] = {{1, 1}, {5, 20}, {16, 60}};
    rl_rng r = {1501};
    (void)state;
    for (size_t s = 0; s < sizeof dims / sizeof dims[0]; s++) {
        struct problem p = {dims[s][0], dims[s][1], {0}, {0}, 0, 1e-3};
        int N = p.N;
        double h = 1.0 / (N + 1), z[MAXN + 1], v[MAXN + 1], g[MAXN + 1], hv[MAXN + 1];
        p.dt = 0.2 * h * h; /* kappa up to 2: lam <= 0.4 */
        for (int i = 0; i < N; i++) {
            double x = (i + 1) * h;
            p.u0[i] = sin(RL_PI * x);
            p.target[i] = 0.5 * sin(RL_PI * x) + 0.2 * sin(2 * RL_PI * x);
        }
        rl_scalar chk = {"heat_misfit", N + 1, &p, reference, f_value, f_grad, f_jvp, f_hvp,
                         0, 0, 0};
        for (int k = 0; k < 3; k++) {
            rl_fill(&r, z, N, -5, 5);
            z[N] = rl_uniform(&r, -1, log(2));
            rl_check_scalar(&chk, z, 18000 + 10 * s + k);

            /* the Hessian in s along (v_s, 0): h B^T B v + alpha/h D^T D v */
            rl_fill(&r, v, N, -1, 1);
            v[N] = 0;
            f_hvp(&p, z, v, g, hv);
            double lam = exp(z[N]) * p.dt / (h * h), Bv[MAXN] = {0}, t[MAXN], w[MAXN];
            /* B v = dt sum_{k<nt} A^k v; B^T = B (A symmetric) */
            memcpy(w, v, sizeof(double) * (size_t)N);
            for (int it = 0; it < p.nt; it++) {
                for (int i = 0; i < N; i++)
                    Bv[i] += p.dt * w[i];
                step_matrix(N, lam, w, t);
                memcpy(w, t, sizeof(double) * (size_t)N);
            }
            double BtBv[MAXN] = {0};
            memcpy(w, Bv, sizeof(double) * (size_t)N);
            for (int it = 0; it < p.nt; it++) {
                for (int i = 0; i < N; i++)
                    BtBv[i] += p.dt * w[i];
                step_matrix(N, lam, w, t);
                memcpy(w, t, sizeof(double) * (size_t)N);
            }
            for (int i = 0; i < N; i++) {
                double dtd = (i > 0 ? v[i] - v[i - 1] : 0) - (i + 1 < N ? v[i + 1] - v[i] : 0);
                assert_close(hv[i], h * BtBv[i] + p.alpha / h * dtd, 1e-10, 1e-14);
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_misfit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
