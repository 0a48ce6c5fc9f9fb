/* mpc.fn: a bicycle-model MPC cost against a C rollout that keeps the state
 * as a struct and adds the cost terms per step in another order; gradients
 * in the controls against differences at control sequences that drive the
 * car past the speed limit and into the obstacle's margin for part of the
 * horizon (both penalties active, no step at a penalty's kink). The
 * gradient in the last acceleration has a closed form: a[H-1] changes only
 * the last speed (by dt), so d cost / d a[H-1] = 0.2 a + rate term
 * + 20 dt max(0, v - vmax). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "mpc.h"
#include "realistic.h"

enum { MAXH = 30 };

struct problem {
    int H;
    double s0[4], ref[MAXH * 2], dt, L, vmax, ox, oy, radius;
};

struct car {
    double x, y, heading, speed;
};

/* the cost; the smallest distance of a penalty from its kink out */
static double rollout(const struct problem *p, const double *z, double *kink)
{
    const double *a = z, *delta = z + p->H;
    struct car c = {p->s0[0], p->s0[1], p->s0[2], p->s0[3]};
    double track = 0, effort = 0, smooth = 0, speeding = 0, barrier = 0;
    *kink = INFINITY;
    for (int t = 0; t < p->H; t++) {
        struct car n = c;
        n.x += p->dt * c.speed * cos(c.heading);
        n.y += p->dt * c.speed * sin(c.heading);
        n.heading += p->dt * c.speed * tan(delta[t]) / p->L;
        n.speed += p->dt * a[t];
        c = n;
        double ex = c.x - p->ref[2 * t], ey = c.y - p->ref[2 * t + 1];
        track += ex * ex + ey * ey;
        effort += 0.1 * a[t] * a[t] + delta[t] * delta[t];
        if (t > 0)
            smooth += 0.5 * (a[t] - a[t - 1]) * (a[t] - a[t - 1])
                    + 5 * (delta[t] - delta[t - 1]) * (delta[t] - delta[t - 1]);
        double over = c.speed - p->vmax;
        double dist = sqrt((c.x - p->ox) * (c.x - p->ox) + (c.y - p->oy) * (c.y - p->oy));
        double inside = p->radius - dist;
        speeding += over > 0 ? 10 * over * over : 0;
        barrier += inside > 0 ? 20 * inside * inside : 0;
        *kink = fmin(*kink, fmin(fabs(over), fabs(inside)));
    }
    return track + effort + smooth + speeding + barrier;
}

static double reference(const void *c, const double *z)
{
    double kink;
    return rollout(c, z, &kink);
}

#define ARGS(p, z) p->H, z, z + p->H, p->s0, p->ref, p->dt, p->L, p->vmax, p->ox, p->oy, p->radius

static double f_value(const void *c, const double *z)
{
    const struct problem *p = c;
    return mpc_cost(ARGS(p, z));
}

static double f_grad(const void *c, const double *z, double *g)
{
    const struct problem *p = c;
    return mpc_cost_grad(ARGS(p, z), g, g + p->H);
}

static double f_jvp(const void *c, const double *z, const double *v, double *df)
{
    const struct problem *p = c;
    return mpc_cost_jvp(ARGS(p, z), v, v + p->H, df);
}

static double f_hvp(const void *c, const double *z, const double *v, double *g, double *hv)
{
    const struct problem *p = c;
    return mpc_cost_hvp(ARGS(p, z), v, v + p->H, g, g + p->H, hv, hv + p->H);
}

static void test_cost(void **state)
{
    static const int horizons[] = {1, 8, 30};
    rl_rng r = {2501};
    (void)state;
    for (size_t s = 0; s < sizeof horizons / sizeof horizons[0]; s++) {
        struct problem p = {horizons[s], {0, 0, 0.05, 4}, {0}, 0.1, 2.5, 4.5, 0, 0, 0.8};
        int H = p.H, n = 2 * H, speeding = 0, close = 0;
        double z[2 * MAXH], g[2 * MAXH], kink;
        for (int t = 0; t < H; t++) { /* a gentle curve */
            p.ref[2 * t] = 0.4 * (t + 1);
            p.ref[2 * t + 1] = 0.02 * (t + 1) * (t + 1);
        }
        /* the obstacle sits near the straight line the car starts on, a
         * third of the way along */
        p.ox = 0.4 * (H / 3 + 1) + 0.3;
        p.oy = 0.05 * p.ox + 0.2;
        rl_scalar chk = {"mpc_cost", n, &p, reference, f_value, f_grad, f_jvp, f_hvp, 0, 0, 0};
        for (int k = 0; k < 3; k++) {
            do {
                rl_fill(&r, z, H, -0.5, 2);        /* accelerations */
                rl_fill(&r, z + H, H, -0.3, 0.3);  /* steering */
            } while (rollout(&p, z, &kink), kink < 1e-3);
            rl_check_scalar(&chk, z, 28000 + 10 * s + k);

            /* the last acceleration's closed form */
            struct car c = {p.s0[0], p.s0[1], p.s0[2], p.s0[3]};
            for (int t = 0; t < H; t++)
                c.speed += p.dt * z[t];
            double over = c.speed - p.vmax, e = 0.2 * z[H - 1];
            if (H > 1)
                e += z[H - 1] - z[H - 2];
            e += over > 0 ? 20 * p.dt * over : 0;
            speeding += over > 0;
            f_grad(&p, z, g);
            assert_close(g[H - 1], e, 1e-12, 1e-14);
            struct problem q = p;
            double trash;
            q.radius = 0;
            close += rollout(&p, z, &trash) > rollout(&q, z, &trash) + 1e-9;
        }
        if (H > 1) {
            assert_true(speeding > 0);
            assert_true(close > 0);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cost),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
