/* ode_fit.fn: the sum of squared errors of a Lotka-Volterra trajectory,
 * integrated by RK4, against a C integrator of the system written as a
 * vector field (Butcher tableau loop); gradients in the rates and the
 * initial state against differences. At the true parameters of synthetic
 * observations the objective is zero and so is its gradient. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "ode_fit.h"
#include "realistic.h"

enum { MAXT = 10, N = 6 };

struct problem {
    int T, S;
    double dt, obs[MAXT * 2];
};

/* z = alpha, beta, gamma, delta, u0, v0 */
static void field(const double *z, const double *y, double *dy)
{
    double prey = y[0], pred = y[1];
    dy[0] = prey * (z[0] - z[1] * pred);
    dy[1] = pred * (z[3] * prey - z[2]);
}

/* the classical tableau: stages at 0, 1/2, 1/2, 1, weights 1/6 1/3 1/3 1/6 */
static void rk4(const double *z, double dt, double *y)
{
    static const double a[4] = {0, 0.5, 0.5, 1}, w[4] = {1, 2, 2, 1};
    double k[2] = {0, 0}, acc[2] = {0, 0};
    for (int s = 0; s < 4; s++) {
        double ys[2] = {y[0] + a[s] * dt * k[0], y[1] + a[s] * dt * k[1]};
        field(z, ys, k);
        acc[0] += w[s] * k[0];
        acc[1] += w[s] * k[1];
    }
    y[0] += dt * acc[0] / 6;
    y[1] += dt * acc[1] / 6;
}

static void trajectory(const struct problem *p, const double *z, double *states)
{
    double y[2] = {z[4], z[5]};
    for (int t = 0; t < p->T; t++) {
        for (int s = 0; s < p->S; s++)
            rk4(z, p->dt, y);
        states[2 * t] = y[0];
        states[2 * t + 1] = y[1];
    }
}

static double reference(const void *c, const double *z)
{
    const struct problem *p = c;
    double states[MAXT * 2], sse = 0;
    trajectory(p, z, states);
    for (int i = 0; i < 2 * p->T; i++)
        sse += (states[i] - p->obs[i]) * (states[i] - p->obs[i]);
    return sse;
}

static double f_value(const void *c, const double *z)
{
    const struct problem *p = c;
    return lv_sse(p->T, p->S, z[0], z[1], z[2], z[3], z[4], z[5], p->dt, p->obs);
}

static double f_grad(const void *c, const double *z, double *g)
{
    const struct problem *p = c;
    return lv_sse_grad(p->T, p->S, z[0], z[1], z[2], z[3], z[4], z[5], p->dt, p->obs, g, g + 1,
                       g + 2, g + 3, g + 4, g + 5);
}

static double f_jvp(const void *c, const double *z, const double *v, double *df)
{
    const struct problem *p = c;
    return lv_sse_jvp(p->T, p->S, z[0], z[1], z[2], z[3], z[4], z[5], p->dt, p->obs, v[0], v[1],
                      v[2], v[3], v[4], v[5], df);
}

static double f_hvp(const void *c, const double *z, const double *v, double *g, double *hv)
{
    const struct problem *p = c;
    return lv_sse_hvp(p->T, p->S, z[0], z[1], z[2], z[3], z[4], z[5], p->dt, p->obs, v[0], v[1],
                      v[2], v[3], v[4], v[5], g, g + 1, g + 2, g + 3, g + 4, g + 5, hv, hv + 1,
                      hv + 2, hv + 3, hv + 4, hv + 5);
}

static void test_fit(void **state)
{
    /* {T, S} */
    static const int dims[][2] = {{1, 1}, {4, 3}, {10, 5}};
    rl_rng r = {501};
    (void)state;
    for (size_t d = 0; d < sizeof dims / sizeof dims[0]; d++) {
        struct problem p = {dims[d][0], dims[d][1], 0.05, {0}};
        double truth[N] = {1.1, 0.4, 0.4, 0.1, 10, 5}, z[N], g[N];
        /* noisy observations of the true trajectory */
        trajectory(&p, truth, p.obs);
        for (int i = 0; i < 2 * p.T; i++)
            p.obs[i] += rl_uniform(&r, -0.3, 0.3);
        rl_scalar chk = {"lv_sse", N, &p, reference, f_value, f_grad, f_jvp, f_hvp, 0, 0, 0};
        for (int k = 0; k < 3; k++) {
            for (int i = 0; i < N; i++)
                z[i] = truth[i] * rl_uniform(&r, 0.8, 1.2);
            rl_check_scalar(&chk, z, 6000 + 10 * d + k);
        }
        /* noiseless data: zero residuals, zero gradient at the truth */
        trajectory(&p, truth, p.obs);
        double v = f_grad(&p, truth, g);
        assert_close(v, 0, 0, 1e-24);
        for (int i = 0; i < N; i++)
            assert_close(g[i], 0, 0, 1e-10);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
