/* newton_ode.fn: a backward-Euler fit whose steps solve a cubic by
 * Newton's method run until it has converged (a while loop whose trip
 * count depends on the inputs), against C that solves each step's cubic in
 * closed form (Cardano: one real root, since the cubic is increasing). The
 * derivative through the iterations that ran must agree with differences
 * of the exact solution map, i.e. with the implicit-function derivative. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "newton_ode.h"
#include "realistic.h"

enum { MAXT = 40 };

struct problem {
    int T;
    double h, obs[MAXT];
};

/* the root of y - y_old + h a (y^3 + y) - h b sin(t) = 0:
 * y^3 + P y + Q = 0 with P = (1 + h a) / (h a), Q = -(y_old + h b sin t) / (h a) */
static double cardano(double y_old, double t, double h, double a, double b)
{
    double P = (1 + h * a) / (h * a), Q = -(y_old + h * b * sin(t)) / (h * a);
    double D = sqrt(Q * Q / 4 + P * P * P / 27);
    /* u - P / (3u) with u the larger cube root, to avoid cancellation */
    double u = Q > 0 ? -cbrt(Q / 2 + D) : cbrt(-Q / 2 + D);
    return u - P / (3 * u);
}

/* z = a, b, y0 */
static double reference(const void *c, const double *z)
{
    const struct problem *p = c;
    double y = z[2], sse = 0;
    for (int n = 0; n < p->T; n++) {
        y = cardano(y, (n + 1) * p->h, p->h, z[0], z[1]);
        sse += (y - p->obs[n]) * (y - p->obs[n]);
    }
    return sse;
}

static double f_value(const void *c, const double *z)
{
    const struct problem *p = c;
    return stiff_fit(p->T, z[0], z[1], z[2], p->h, p->obs);
}

static double f_grad(const void *c, const double *z, double *g)
{
    const struct problem *p = c;
    return stiff_fit_grad(p->T, z[0], z[1], z[2], p->h, p->obs, g, g + 1, g + 2);
}

static double f_jvp(const void *c, const double *z, const double *v, double *df)
{
    const struct problem *p = c;
    return stiff_fit_jvp(p->T, z[0], z[1], z[2], p->h, p->obs, v[0], v[1], v[2], df);
}

static double f_hvp(const void *c, const double *z, const double *v, double *g, double *hv)
{
    const struct problem *p = c;
    return stiff_fit_hvp(p->T, z[0], z[1], z[2], p->h, p->obs, v[0], v[1], v[2], g, g + 1,
                         g + 2, hv, hv + 1, hv + 2);
}

static void test_fit(void **state)
{
    static const int lengths[] = {1, 10, 40};
    rl_rng r = {2203};
    (void)state;
    for (size_t s = 0; s < sizeof lengths / sizeof lengths[0]; s++) {
        struct problem p = {lengths[s], 0.1, {0}};
        double truth[3] = {20, 5, 1.5}, z[3];
        double y = truth[2];
        for (int n = 0; n < p.T; n++) {
            y = cardano(y, (n + 1) * p.h, p.h, truth[0], truth[1]);
            p.obs[n] = y + rl_uniform(&r, -0.05, 0.05);
        }
        /* the Newton step converges from y_old: a step solved by the .fn */
        double y1 = be_step(truth[2], p.h, p.h, truth[0], truth[1]);
        assert_close(y1, cardano(truth[2], p.h, p.h, truth[0], truth[1]), 1e-14, 1e-15);
        /* and its derivative in y_old is the implicit one, 1 / (1 + h a (3 y^2 + 1)) */
        double gy, gt, gh, ga, gb;
        be_step_grad(truth[2], p.h, p.h, truth[0], truth[1], &gy, &gt, &gh, &ga, &gb);
        assert_close(gy, 1 / (1 + p.h * truth[0] * (3 * y1 * y1 + 1)), 1e-12, 1e-14);
        rl_scalar chk = {"stiff_fit", 3, &p, reference, f_value, f_grad, f_jvp, f_hvp,
                         1e-10, 0, 0};
        for (int k = 0; k < 3; k++) {
            z[0] = truth[0] * rl_uniform(&r, 0.5, 1.5);
            z[1] = truth[1] * rl_uniform(&r, 0.5, 1.5);
            z[2] = truth[2] * rl_uniform(&r, 0.5, 1.5);
            rl_check_scalar(&chk, z, 25000 + 10 * s + k);
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
