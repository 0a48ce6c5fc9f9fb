/* bundle_adjust.fn: bundle-adjustment residuals against C that builds each
 * camera's rotation matrix R = I + sin(t) K + (1 - cos(t)) K^2 (K the cross-
 * product matrix of the unit axis), and the Jacobian products f_vjp, f_jvp
 * against differences of it; at a camera with zero rotation (the first-order
 * branch of Rodrigues' formula) too. The rotation helper alone: R is
 * orthogonal, so its Jacobian in x is R and J^T J = I. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "bundle_adjust.h"
#include "realistic.h"

enum { MAXC = 3, MAXP = 4, MAXO = MAXC * MAXP };

struct problem {
    int nc, np, nobs;
    double feats[MAXO * 2];
};

static int sizes(const struct problem *p, int *ox, int *ow)
{
    *ox = 11 * p->nc;
    *ow = *ox + 3 * p->np;
    return *ow + p->nobs;
}

static void rotation(const double *r, double R[3][3])
{
    double t = sqrt(r[0] * r[0] + r[1] * r[1] + r[2] * r[2]);
    double K[3][3] = {{0}}, K2[3][3];
    if (t > 0) {
        double a[3] = {r[0] / t, r[1] / t, r[2] / t};
        K[0][1] = -a[2];
        K[0][2] = a[1];
        K[1][0] = a[2];
        K[1][2] = -a[0];
        K[2][0] = -a[1];
        K[2][1] = a[0];
    }
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            K2[i][j] = 0;
            for (int k = 0; k < 3; k++)
                K2[i][j] += K[i][k] * K[k][j];
        }
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            R[i][j] = (i == j) + sin(t) * K[i][j] + (1 - cos(t)) * K2[i][j];
}

/* z packs cams[nc][11], X[np][3], w[nobs]; y packs reproj[nobs][2], werr[nobs] */
static void reference(const void *c, const double *z, double *y)
{
    const struct problem *p = c;
    int ox, ow;
    sizes(p, &ox, &ow);
    for (int ci = 0; ci < p->nc; ci++) {
        const double *cam = z + 11 * ci;
        double R[3][3];
        rotation(cam, R);
        for (int pi = 0; pi < p->np; pi++) {
            int o = ci * p->np + pi;
            double q[3], wo = z[ow + o];
            for (int i = 0; i < 3; i++) {
                q[i] = 0;
                for (int j = 0; j < 3; j++)
                    q[i] += R[i][j] * (z[ox + 3 * pi + j] - cam[3 + j]);
            }
            double u = q[0] / q[2], v = q[1] / q[2], r2 = u * u + v * v;
            double scale = cam[6] * (1 + r2 * (cam[9] + r2 * cam[10]));
            y[2 * o] = wo * (scale * u + cam[7] - p->feats[2 * o]);
            y[2 * o + 1] = wo * (scale * v + cam[8] - p->feats[2 * o + 1]);
            y[2 * p->nobs + o] = 1 - wo * wo;
        }
    }
}

#define ARGS(p, z) p->nc, p->np, p->nobs, z, z + ox, z + ow, p->feats

static void f_out(const void *c, const double *z, double *y)
{
    const struct problem *p = c;
    int ox, ow;
    sizes(p, &ox, &ow);
    ba(ARGS(p, z), y, y + 2 * p->nobs);
}

static void f_vjp(const void *c, const double *z, const double *w, double *y, double *g)
{
    const struct problem *p = c;
    int ox, ow;
    sizes(p, &ox, &ow);
    ba_vjp(ARGS(p, z), y, y + 2 * p->nobs, w, w + 2 * p->nobs, g, g + ox, g + ow);
}

static void f_jvp(const void *c, const double *z, const double *v, double *y, double *dy)
{
    const struct problem *p = c;
    int ox, ow;
    sizes(p, &ox, &ow);
    ba_jvp(ARGS(p, z), y, y + 2 * p->nobs, v, v + ox, v + ow, dy, dy + 2 * p->nobs);
}

/* cameras at distance ~10 looking at points near the origin */
static void scene(rl_rng *r, const struct problem *p, double *z, int zero_rotation)
{
    int ox, ow;
    sizes(p, &ox, &ow);
    for (int c = 0; c < p->nc; c++) {
        double *cam = z + 11 * c;
        rl_fill(r, cam, 3, -0.3, 0.3);
        if (zero_rotation && c == 0)
            cam[0] = cam[1] = cam[2] = 0;
        cam[3] = rl_uniform(r, -1, 1);
        cam[4] = rl_uniform(r, -1, 1);
        cam[5] = rl_uniform(r, -12, -8);
        cam[6] = rl_uniform(r, 400, 600);
        cam[7] = rl_uniform(r, -5, 5);
        cam[8] = rl_uniform(r, -5, 5);
        cam[9] = rl_uniform(r, -0.1, 0.1);
        cam[10] = rl_uniform(r, -0.01, 0.01);
    }
    rl_fill(r, z + ox, 3 * p->np, -1, 1);
    rl_fill(r, z + ow, p->nobs, 0.5, 1.5);
}

static void test_residuals(void **state)
{
    /* {nc, np} */
    static const int dims[][2] = {{1, 1}, {2, 3}, {3, 4}};
    rl_rng r = {1401};
    (void)state;
    for (size_t s = 0; s < sizeof dims / sizeof dims[0]; s++) {
        struct problem p = {dims[s][0], dims[s][1], dims[s][0] * dims[s][1], {0}};
        int ox, ow, n = sizes(&p, &ox, &ow);
        double z[11 * MAXC + 3 * MAXP + MAXO];
        rl_fill(&r, p.feats, 2 * p.nobs, -30, 30);
        rl_vector chk = {"ba", n, 3 * p.nobs, &p, reference, f_out, f_vjp, f_jvp, 1e-11, 0, 0};
        for (int k = 0; k < 4; k++) {
            scene(&r, &p, z, k == 3);
            rl_check_vector(&chk, z, 16000 + 10 * s + k);
        }
    }
}

static void rot_ref(const void *c, const double *z, double *y)
{
    double R[3][3];
    (void)c;
    rotation(z, R);
    for (int i = 0; i < 3; i++)
        y[i] = R[i][0] * z[3] + R[i][1] * z[4] + R[i][2] * z[5];
}

static void rot_f(const void *c, const double *z, double *y)
{
    (void)c;
    rodrigues(z, z + 3, y);
}

static void rot_vjp(const void *c, const double *z, const double *w, double *y, double *g)
{
    (void)c;
    rodrigues_vjp(z, z + 3, y, w, g, g + 3);
}

static void rot_jvp(const void *c, const double *z, const double *v, double *y, double *dy)
{
    (void)c;
    rodrigues_jvp(z, z + 3, y, v, v + 3, dy);
}

static void test_rodrigues(void **state)
{
    rl_rng r = {1402};
    rl_vector chk = {"rodrigues", 6, 3, NULL, rot_ref, rot_f, rot_vjp, rot_jvp, 0, 0, 0};
    (void)state;
    for (int k = 0; k < 4; k++) {
        double z[6], y[3], g[6], e[3];
        rl_fill(&r, z, 6, -2, 2);
        if (k == 3)
            z[0] = z[1] = z[2] = 0;
        rl_check_vector(&chk, z, 17000 + k);
        /* J_x = R: the rows of J^T e_i are R's rows, orthonormal */
        double rows[3][3];
        for (int i = 0; i < 3; i++) {
            memset(e, 0, sizeof e);
            e[i] = 1;
            rodrigues_vjp(z, z + 3, y, e, g, g + 3);
            memcpy(rows[i], g + 3, sizeof rows[i]);
        }
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                assert_close(rl_dot(rows[i], rows[j], 3), i == j, 0, 1e-14);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_residuals),
        cmocka_unit_test(test_rodrigues),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
