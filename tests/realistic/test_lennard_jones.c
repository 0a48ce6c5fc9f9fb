/* lennard_jones.fn: a truncated, shifted Lennard-Jones energy against C
 * that loops over all ordered pairs (halving the sum) and computes
 * distances with sqrt and powers of sigma/r with pow(); the gradient
 * against the analytic forces 24 eps (2 (s/r)^12 - (s/r)^6) r_ij / r^2 and
 * against differences; translation invariance (forces sum to zero) and, by
 * Newton's third law, zero net torque. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "lennard_jones.h"
#include "realistic.h"

enum { MAXN = 27 };

struct problem {
    int N;
    double eps, sigma, rc;
};

static double phi(const struct problem *p, double r)
{
    return 4 * p->eps * (pow(p->sigma / r, 12) - pow(p->sigma / r, 6));
}

static double dist(const double *R, int i, int j)
{
    double s = 0;
    for (int k = 0; k < 3; k++)
        s += (R[3 * i + k] - R[3 * j + k]) * (R[3 * i + k] - R[3 * j + k]);
    return sqrt(s);
}

static double reference(const void *c, const double *z)
{
    const struct problem *p = c;
    double E = 0;
    for (int i = 0; i < p->N; i++)
        for (int j = 0; j < p->N; j++)
            if (i != j && dist(z, i, j) < p->rc)
                E += 0.5 * (phi(p, dist(z, i, j)) - phi(p, p->rc));
    return E;
}

static double f_value(const void *c, const double *z)
{
    const struct problem *p = c;
    return lj_energy(p->N, z, p->eps, p->sigma, p->rc);
}

static double f_grad(const void *c, const double *z, double *g)
{
    const struct problem *p = c;
    return lj_energy_grad(p->N, z, p->eps, p->sigma, p->rc, g);
}

static double f_jvp(const void *c, const double *z, const double *v, double *df)
{
    const struct problem *p = c;
    return lj_energy_jvp(p->N, z, p->eps, p->sigma, p->rc, v, df);
}

static double f_hvp(const void *c, const double *z, const double *v, double *g, double *hv)
{
    const struct problem *p = c;
    return lj_energy_hvp(p->N, z, p->eps, p->sigma, p->rc, v, g, hv);
}

/* a jittered cubic lattice of spacing 1.15 sigma, no pair near the cutoff */
static void lattice(rl_rng *r, const struct problem *p, double *R)
{
    int side = 1;
    while (side * side * side < p->N)
        side++;
    for (;;) {
        double near = INFINITY;
        for (int i = 0; i < p->N; i++) {
            int a[3] = {i % side, i / side % side, i / (side * side)};
            for (int k = 0; k < 3; k++)
                R[3 * i + k] = 1.15 * p->sigma * a[k] + rl_uniform(r, -0.08, 0.08);
        }
        for (int i = 0; i < p->N; i++)
            for (int j = i + 1; j < p->N; j++)
                near = fmin(near, fabs(dist(R, i, j) - p->rc));
        if (near > 1e-2)
            return;
    }
}

static void test_energy(void **state)
{
    static const int sizes[] = {2, 8, 27};
    rl_rng r = {2001};
    (void)state;
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        struct problem p = {sizes[s], 1.0, 1.0, 2.5};
        int n = 3 * p.N;
        double R[3 * MAXN], g[3 * MAXN];
        rl_scalar chk = {"lj_energy", n, &p, reference, f_value, f_grad, f_jvp, f_hvp,
                         1e-11, 0, 0};
        for (int k = 0; k < 3; k++) {
            lattice(&r, &p, R);
            rl_check_scalar(&chk, R, 23000 + 10 * s + k);

            double F[3 * MAXN] = {0}, net[3] = {0}, torque[3] = {0}, mag = 0;
            f_grad(&p, R, g);
            for (int i = 0; i < p.N; i++)
                for (int j = 0; j < p.N; j++) {
                    double rr = dist(R, i, j);
                    if (i == j || rr >= p.rc)
                        continue;
                    double sr6 = pow(p.sigma / rr, 6);
                    double f = 24 * p.eps * (2 * sr6 * sr6 - sr6) / (rr * rr);
                    for (int a = 0; a < 3; a++)
                        F[3 * i + a] += f * (R[3 * i + a] - R[3 * j + a]);
                }
            for (int i = 0; i < n; i++) {
                assert_close(g[i], -F[i], 1e-10, 1e-10);
                net[i % 3] += g[i];
                mag += fabs(g[i]);
            }
            for (int i = 0; i < p.N; i++) {
                const double *x = R + 3 * i, *f = g + 3 * i;
                torque[0] += x[1] * f[2] - x[2] * f[1];
                torque[1] += x[2] * f[0] - x[0] * f[2];
                torque[2] += x[0] * f[1] - x[1] * f[0];
            }
            for (int a = 0; a < 3; a++) {
                assert_close(net[a], 0, 0, 1e-12 * mag);
                assert_close(torque[a], 0, 0, 1e-11 * mag);
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_energy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
