/* wave.fn: a 1-D full-waveform-inversion misfit against a C leapfrog solver
 * without ghost cells (the boundary handled by tests on the index), the
 * wavelet written from its definition; gradients against differences. The
 * trace is linear in the source amplitude, so the misfit is quadratic in
 * it: d2J/damp2 = |trace / amp|^2 exactly, and J vanishes with zero
 * gradient at the velocities and amplitude that made the data. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "wave.h"
#include "realistic.h"

enum { MAXN = 30, MAXT = 120 };

struct problem {
    int N, nt, is, ir;
    double dt, dx, f0, obs[MAXT];
};

static void simulate(const struct problem *p, const double *c, double amp, double *trace)
{
    double u0[MAXN] = {0}, u1[MAXN] = {0}, u2[MAXN];
    int N = p->N;
    for (int t = 0; t < p->nt; t++) {
        double tau = RL_PI * p->f0 * (t * p->dt - 1.2 / p->f0);
        double src = amp * (1 - 2 * tau * tau) * exp(-tau * tau);
        for (int i = 0; i < N; i++) {
            double left = i > 0 ? u1[i - 1] : 0, right = i + 1 < N ? u1[i + 1] : 0;
            double courant = c[i] * p->dt / p->dx;
            u2[i] = 2 * u1[i] - u0[i] + courant * courant * (left - 2 * u1[i] + right);
            if (i == p->is)
                u2[i] += p->dt * p->dt * src;
        }
        memcpy(u0, u1, sizeof u0);
        memcpy(u1, u2, sizeof u1);
        trace[t] = u1[p->ir];
    }
}

/* z packs c[N], amp */
static double reference(const void *cv, const double *z)
{
    const struct problem *p = cv;
    double trace[MAXT], J = 0;
    simulate(p, z, z[p->N], trace);
    for (int t = 0; t < p->nt; t++)
        J += (trace[t] - p->obs[t]) * (trace[t] - p->obs[t]);
    return J / 2;
}

#define ARGS(p, z) p->N, p->nt, p->is, p->ir, z, z[p->N], p->dt, p->dx, p->f0, p->obs

static double f_value(const void *c, const double *z)
{
    const struct problem *p = c;
    return fwi(ARGS(p, z));
}

static double f_grad(const void *c, const double *z, double *g)
{
    const struct problem *p = c;
    return fwi_grad(ARGS(p, z), g, g + p->N);
}

static double f_jvp(const void *c, const double *z, const double *v, double *df)
{
    const struct problem *p = c;
    return fwi_jvp(ARGS(p, z), v, v[p->N], df);
}

static double f_hvp(const void *c, const double *z, const double *v, double *g, double *hv)
{
    const struct problem *p = c;
    return fwi_hvp(ARGS(p, z), v, v[p->N], g, g + p->N, hv, hv + p->N);
}

static void test_misfit(void **state)
{
    /* {N, nt, is, ir} */
    static const int dims[][4] = {{1, 3, 0, 0}, {8, 40, 2, 6}, {30, 120, 5, 24}};
    rl_rng r = {2301};
    (void)state;
    for (size_t s = 0; s < sizeof dims / sizeof dims[0]; s++) {
        struct problem p = {dims[s][0], dims[s][1], dims[s][2], dims[s][3], 0, 0, 0, {0}};
        int n = p.N + 1;
        double truth[MAXN + 1], z[MAXN + 1], g[MAXN + 1], v[MAXN + 1], hv[MAXN + 1];
        double trace[MAXT], gscale = 0;
        p.dx = 10;
        p.dt = 0.5 * p.dx / 3000; /* Courant number <= 0.5 for c <= 3000 */
        p.f0 = 1 / (12 * p.dt);   /* a dozen steps per period */
        for (int i = 0; i < p.N; i++)
            truth[i] = 2000 + 500 * sin(0.3 * i);
        truth[p.N] = 1e4;
        simulate(&p, truth, truth[p.N], p.obs);
        for (int t = 0; t < p.nt; t++)
            p.obs[t] += 1e-3 * rl_uniform(&r, -1, 1) * truth[p.N] * p.dt * p.dt;
        rl_scalar chk = {"fwi", n, &p, reference, f_value, f_grad, f_jvp, f_hvp, 1e-11, 0, 0};
        for (int k = 0; k < 3; k++) {
            for (int i = 0; i <= p.N; i++)
                z[i] = truth[i] * rl_uniform(&r, 0.9, 1.1);
            rl_check_scalar(&chk, z, 26000 + 10 * s + k);
            f_grad(&p, z, g);
            gscale = fmax(gscale, rl_maxabs(g, n));

            /* quadratic in amp */
            memset(v, 0, sizeof v);
            v[p.N] = 1;
            f_hvp(&p, z, v, g, hv);
            simulate(&p, z, 1.0, trace);
            assert_close(hv[p.N], rl_dot(trace, trace, p.nt), 1e-11, 0);
        }
        /* noiseless data: the truth is a minimiser (zero to round-off,
         * relative to the gradient at the perturbed points) */
        simulate(&p, truth, truth[p.N], p.obs);
        double J = f_grad(&p, truth, g);
        assert_close(J, 0, 0, 1e-24);
        for (int i = 0; i <= p.N; i++)
            assert_close(g[i], 0, 0, 1e-10 * gscale);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_misfit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
