/* asian_mc.fn: a Monte Carlo Asian call price against a C simulation that
 * builds each path from the cumulative sum of its log-increments; pathwise
 * Greeks against differences of the reference (at points where no path's
 * average is near the strike), delta against its closed pathwise form
 * e^{-rT}/P sum_{ITM paths} avg/S0, and with one monitoring date and many
 * paths the price tends to Black-Scholes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "asian_mc.h"
#include "realistic.h"

enum { MAXP = 64, MAXM = 12, N = 5 };

struct problem {
    int P, M;
    double Z[MAXP * MAXM];
};

/* path p's average price; z = S0, K, r, sigma, T */
static double path_average(const struct problem *p, const double *z, int path)
{
    double S0 = z[0], r = z[2], sigma = z[3], T = z[4], dt = T / p->M;
    double logret = 0, sum = 0;
    for (int m = 0; m < p->M; m++) {
        logret += (r - sigma * sigma / 2) * dt + sigma * sqrt(dt) * p->Z[path * p->M + m];
        sum += S0 * exp(logret);
    }
    return sum / p->M;
}

static double reference(const void *c, const double *z)
{
    const struct problem *p = c;
    double total = 0;
    for (int path = 0; path < p->P; path++) {
        double a = path_average(p, z, path);
        if (a > z[1])
            total += a - z[1];
    }
    return exp(-z[2] * z[4]) * total / p->P;
}

/* how close the nearest path average is to the strike, relative */
static double kink_distance(const struct problem *p, const double *z)
{
    double d = INFINITY;
    for (int path = 0; path < p->P; path++)
        d = fmin(d, fabs(path_average(p, z, path) - z[1]) / z[1]);
    return d;
}

static double f_value(const void *c, const double *z)
{
    const struct problem *p = c;
    return asian_call(p->P, p->M, z[0], z[1], z[2], z[3], z[4], p->Z);
}

static double f_grad(const void *c, const double *z, double *g)
{
    const struct problem *p = c;
    return asian_call_grad(p->P, p->M, z[0], z[1], z[2], z[3], z[4], p->Z, g, g + 1, g + 2,
                           g + 3, g + 4);
}

static double f_jvp(const void *c, const double *z, const double *v, double *df)
{
    const struct problem *p = c;
    return asian_call_jvp(p->P, p->M, z[0], z[1], z[2], z[3], z[4], p->Z, v[0], v[1], v[2],
                          v[3], v[4], df);
}

static double f_hvp(const void *c, const double *z, const double *v, double *g, double *hv)
{
    const struct problem *p = c;
    return asian_call_hvp(p->P, p->M, z[0], z[1], z[2], z[3], z[4], p->Z, v[0], v[1], v[2],
                          v[3], v[4], g, g + 1, g + 2, g + 3, g + 4, hv, hv + 1, hv + 2, hv + 3,
                          hv + 4);
}

static void test_price(void **state)
{
    /* {P, M} */
    static const int dims[][2] = {{1, 1}, {16, 4}, {64, 12}};
    rl_rng r = {601};
    (void)state;
    for (size_t d = 0; d < sizeof dims / sizeof dims[0]; d++) {
        struct problem p = {dims[d][0], dims[d][1], {0}};
        double z[N], g[N];
        rl_fill_normal(&r, p.Z, p.P * p.M);
        rl_scalar chk = {"asian_call", N, &p, reference, f_value, f_grad, f_jvp, f_hvp, 0, 0, 0};
        for (int k = 0; k < 3; k++) {
            do {
                z[0] = rl_uniform(&r, 80, 120);   /* S0 */
                z[1] = rl_uniform(&r, 80, 120);   /* K */
                z[2] = rl_uniform(&r, 0.0, 0.08); /* r */
                z[3] = rl_uniform(&r, 0.1, 0.5);  /* sigma */
                z[4] = rl_uniform(&r, 0.25, 2);   /* T */
            } while (kink_distance(&p, z) < 1e-3 || reference(&p, z) == 0);
            rl_check_scalar(&chk, z, 7000 + 10 * d + k);

            /* pathwise delta: d avg / d S0 = avg / S0 on paths in the money */
            double delta = 0, dk = 0;
            for (int path = 0; path < p.P; path++) {
                double a = path_average(&p, z, path);
                if (a > z[1]) {
                    delta += a / z[0];
                    dk -= 1;
                }
            }
            f_grad(&p, z, g);
            assert_close(g[0], exp(-z[2] * z[4]) * delta / p.P, 1e-12, 1e-15);
            assert_close(g[1], exp(-z[2] * z[4]) * dk / p.P, 1e-12, 1e-15);
        }
    }
}

/* M = 1: a European call; with 20000 paths, within 3 standard errors of
 * Black-Scholes (100, 100, 0.05, 0.2, 1): 10.4506 */
static void test_black_scholes_limit(void **state)
{
    enum { PATHS = 20000 };
    double *Z = rl_alloc(PATHS);
    rl_rng r = {602};
    (void)state;
    rl_fill_normal(&r, Z, PATHS);
    double price = asian_call(PATHS, 1, 100, 100, 0.05, 0.2, 1, Z);
    assert_close(price, 10.450583572185565, 0, 3 * 14.7 / sqrt(PATHS));
    free(Z);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_price),
        cmocka_unit_test(test_black_scholes_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
