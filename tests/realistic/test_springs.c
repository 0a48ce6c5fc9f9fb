/* springs.fn: a 2-D mass-spring chain's energy against C that measures
 * each turning angle as the difference of the segments' headings (wrapped
 * to (-pi, pi]); the gradient against hand-written spring forces when
 * bending is off, and two invariants: the x-components of the gradient sum
 * to zero (no horizontal external force) and the y-components to
 * n mass grav; a rigid rotation of the chain without gravity changes
 * nothing (the gradient is orthogonal to the rotation field). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "springs.h"
#include "realistic.h"

enum { MAXN = 12 };

struct problem {
    int n, m;
    double ks[MAXN], L[MAXN], kb, mass, grav;
};

static double heading(const double *P, int s)
{
    return atan2(P[2 * (s + 1) + 1] - P[2 * s + 1], P[2 * (s + 1)] - P[2 * s]);
}

static double reference(const void *c, const double *z)
{
    const struct problem *p = c;
    double e = 0;
    for (int s = 0; s < p->m; s++) {
        double dx = z[2 * (s + 1)] - z[2 * s], dy = z[2 * (s + 1) + 1] - z[2 * s + 1];
        double ext = sqrt(dx * dx + dy * dy) - p->L[s];
        e += 0.5 * p->ks[s] * ext * ext;
    }
    for (int s = 0; s + 1 < p->m; s++) {
        double turn = heading(z, s + 1) - heading(z, s);
        while (turn > RL_PI)
            turn -= 2 * RL_PI;
        while (turn <= -RL_PI)
            turn += 2 * RL_PI;
        e += 0.5 * p->kb * turn * turn;
    }
    for (int i = 0; i < p->n; i++)
        e += p->mass * p->grav * z[2 * i + 1];
    return e;
}

#define ARGS(p, z) p->n, p->m, z, p->ks, p->L, p->kb, p->mass, p->grav

static double f_value(const void *c, const double *z)
{
    const struct problem *p = c;
    return chain_energy(ARGS(p, z));
}

static double f_grad(const void *c, const double *z, double *g)
{
    const struct problem *p = c;
    return chain_energy_grad(ARGS(p, z), g);
}

static double f_jvp(const void *c, const double *z, const double *v, double *df)
{
    const struct problem *p = c;
    return chain_energy_jvp(ARGS(p, z), v, df);
}

static double f_hvp(const void *c, const double *z, const double *v, double *g, double *hv)
{
    const struct problem *p = c;
    return chain_energy_hvp(ARGS(p, z), v, g, hv);
}

/* a wiggly chain along x: turning angles well inside (-pi, pi) */
static void chain(rl_rng *r, int n, double *P)
{
    for (int i = 0; i < n; i++) {
        P[2 * i] = i + rl_uniform(r, -0.3, 0.3);
        P[2 * i + 1] = rl_uniform(r, -0.4, 0.4);
    }
}

static void test_energy(void **state)
{
    static const int sizes[] = {2, 3, 6, 12};
    rl_rng r = {1301};
    (void)state;
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        struct problem p = {sizes[s], sizes[s] - 1, {0}, {0}, 0.7, 0.2, 9.81};
        double P[2 * MAXN], g[2 * MAXN], Q[2 * MAXN];
        for (int i = 0; i < p.m; i++) {
            p.ks[i] = rl_uniform(&r, 50, 150);
            p.L[i] = rl_uniform(&r, 0.8, 1.2);
        }
        rl_scalar chk = {"chain_energy", 2 * p.n, &p, reference, f_value, f_grad, f_jvp, f_hvp,
                         0, 0, 0};
        for (int k = 0; k < 3; k++) {
            chain(&r, p.n, P);
            rl_check_scalar(&chk, P, 15000 + 10 * s + k);

            /* external forces: gravity only */
            double sx = 0, sy = 0, mag = 0;
            f_grad(&p, P, g);
            for (int i = 0; i < p.n; i++) {
                sx += g[2 * i];
                sy += g[2 * i + 1];
                mag += fabs(g[2 * i]) + fabs(g[2 * i + 1]);
            }
            assert_close(sx, 0, 0, 1e-12 * mag);
            assert_close(sy, p.n * p.mass * p.grav, 0, 1e-12 * mag);

            /* no gravity: rotating the chain rigidly changes nothing */
            struct problem q = p;
            q.grav = 0;
            double rot = rl_uniform(&r, 0, 2 * RL_PI), c = cos(rot), sn = sin(rot), gdot = 0;
            for (int i = 0; i < p.n; i++) {
                Q[2 * i] = c * P[2 * i] - sn * P[2 * i + 1] + 3;
                Q[2 * i + 1] = sn * P[2 * i] + c * P[2 * i + 1] - 1;
            }
            assert_close(f_value(&q, Q), f_value(&q, P), 1e-12, 1e-12);
            f_grad(&q, P, g);
            mag = 0;
            for (int i = 0; i < p.n; i++) {
                gdot += -P[2 * i + 1] * g[2 * i] + P[2 * i] * g[2 * i + 1];
                mag += fabs(P[2 * i + 1] * g[2 * i]) + fabs(P[2 * i] * g[2 * i + 1]);
            }
            assert_close(gdot, 0, 0, 1e-12 * mag);

            /* no bending: the gradient is minus the spring forces */
            q.kb = 0;
            double force[2 * MAXN] = {0};
            for (int sg = 0; sg < p.m; sg++) {
                double dx = P[2 * sg + 2] - P[2 * sg], dy = P[2 * sg + 3] - P[2 * sg + 1];
                double len = sqrt(dx * dx + dy * dy), t = p.ks[sg] * (len - p.L[sg]) / len;
                force[2 * sg] += t * dx;
                force[2 * sg + 1] += t * dy;
                force[2 * sg + 2] -= t * dx;
                force[2 * sg + 3] -= t * dy;
            }
            f_grad(&q, P, g);
            for (int i = 0; i < 2 * p.n; i++)
                assert_close(g[i], -force[i], 1e-12, 1e-12);
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
