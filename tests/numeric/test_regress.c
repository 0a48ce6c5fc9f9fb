/* regress.fn: programs that once gave a wrong gradient, crashed gradc or
 * gave C that did not compile (issue 9). Each gradient is checked against
 * central differences of the function's values (never of another
 * derivative), and against a closed form where there is one. */
#include <stdarg.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "regress.h"
#include "check_array.h"

struct ctx {
    int n, m;
};

/* ---- 1. results read after a loop overwrote their variable ---- */

static double v_div(const void *c, const double *z)
{
    return div_then_loop(((const struct ctx *)c)->n, z[0], z[1]);
}

static double g_div(const void *c, const double *z, double *g)
{
    return div_then_loop_grad(((const struct ctx *)c)->n, z[0], z[1], &g[0], &g[1]);
}

static double v_exp(const void *c, const double *z)
{
    return exp_then_loop(((const struct ctx *)c)->n, z[0]);
}

static double g_exp(const void *c, const double *z, double *g)
{
    return exp_then_loop_grad(((const struct ctx *)c)->n, z[0], &g[0]);
}

static double v_st(const void *c, const double *z)
{
    return sqrt_tanh_then_loops(((const struct ctx *)c)->n, z[0], z[1]);
}

static double g_st(const void *c, const double *z, double *g)
{
    return sqrt_tanh_then_loops_grad(((const struct ctx *)c)->n, z[0], z[1], &g[0], &g[1]);
}

static void result_after_loop(void **state)
{
    (void)state;
    /* the point of the report: d/dp (a/p) / 2^4 */
    double g[2];
    div_then_loop_grad(4, 1.2, -1.46, &g[0], &g[1]);
    assert_close(g[1], -1.2 / (1.46 * 1.46) / 16, 1e-14, 0);
    exp_then_loop_grad(4, 0.3, &g[0]);
    assert_close(g[0], exp(0.3) / 16, 1e-14, 0);
    check_rng r = {9};
    for (int n = 0; n < 6; n++) {
        struct ctx c = {n, 0};
        for (int p = 0; p < 3; p++) {
            double z[2] = {check_uniform(&r, -2, 2), check_uniform(&r, 0.5, 2)};
            if (p == 2)
                z[1] = -z[1];
            check_vec_fd(v_div, g_div, &c, 2, z);
            check_vec_fd(v_exp, g_exp, &c, 1, z);
            check_vec_fd(v_st, g_st, &c, 2, z);
        }
    }
}

/* ---- 2. zero-filled out arrays of inlined calls ---- */

static double v_fill(const void *c, const double *z)
{
    return fill_overwrites(((const struct ctx *)c)->n, z);
}

static double g_fill(const void *c, const double *z, double *g)
{
    return fill_overwrites_grad(((const struct ctx *)c)->n, z, g);
}

static double v_twice(const void *c, const double *z)
{
    (void)c;
    return acc_twice(z[0]);
}

static double g_twice(const void *c, const double *z, double *g)
{
    (void)c;
    return acc_twice_grad(z[0], &g[0]);
}

static double v_rnn(const void *c, const double *z)
{
    const struct ctx *d = c;
    return rnn(d->n, d->m, z, z + d->n * d->n);
}

static double g_rnn(const void *c, const double *z, double *g)
{
    const struct ctx *d = c;
    return rnn_grad(d->n, d->m, z, z + d->n * d->n, g, g + d->n * d->n);
}

static void zero_filled_outputs(void **state)
{
    (void)state;
    double x[2] = {3, 1}, g[2];
    /* t[0] is zeroed by the call: f = x0, so d/dx0 = 1 */
    fill_overwrites_grad(2, x, g);
    assert_same(g[0], 1.0);
    assert_same(g[1], 0.0);
    /* the second call zero-fills a first: f = x * x^2, 3x^2 = 27 at 3 */
    acc_twice_grad(3, &g[0]);
    assert_close(g[0], 27, 1e-15, 0);
    check_rng r = {4};
    for (int p = 0; p < 3; p++) {
        double z[2] = {check_uniform(&r, -2, 2), check_uniform(&r, -2, 2)};
        struct ctx c = {2, 0};
        check_vec_fd(v_fill, g_fill, &c, 2, z);
        check_vec_fd(v_twice, g_twice, &c, 1, z);
    }
    for (int n = 1; n <= 3; n++) {
        for (int T = 0; T <= 4; T++) {
            struct ctx c = {n, T};
            double z[3 * 3 + 3];
            check_fill_uniform(&r, z, n * n + n, -0.8, 0.8);
            check_vec_fd(v_rnn, g_rnn, &c, n * n + n, z);
        }
    }
}

/* ---- 3. local arrays sized by expressions ---- */

static double v_sized(const void *c, const double *z)
{
    const struct ctx *d = c;
    return sized(d->n, d->m, z);
}

static double g_sized(const void *c, const double *z, double *g)
{
    const struct ctx *d = c;
    return sized_grad(d->n, d->m, z, g);
}

static void sized_locals(void **state)
{
    (void)state;
    check_rng r = {5};
    for (int n = 1; n <= 5; n++) {
        for (int m = 1; m <= 3; m++) {
            struct ctx c = {n, m};
            double z[5];
            check_fill_uniform(&r, z, n, -2, 2);
            check_vec_fd(v_sized, g_sized, &c, n, z);
            /* h[n] = sum x^2 and b[0][0] = a[nm-1] = h[n]: f = 2 sum x^2 */
            double g[5], sum = 0;
            for (int i = 0; i < n; i++)
                sum += z[i] * z[i];
            assert_close(sized_grad(n, m, z, g), 2 * sum, 1e-14, 0);
            for (int i = 0; i < n; i++)
                assert_close(g[i], 4 * z[i], 1e-15, 0);
        }
    }
    double gx;
    assert_same(unused_sized_grad(3, 2.5, &gx), 2.5);
    assert_same(gx, 1.0);
}

/* ---- 5. what once did not compile ---- */

static double v_tape(const void *c, const double *z)
{
    return tape_only(((const struct ctx *)c)->n, z[0]);
}

static double g_tape(const void *c, const double *z, double *g)
{
    return tape_only_grad(((const struct ctx *)c)->n, z[0], &g[0]);
}

static void compiles(void **state)
{
    (void)state;
    check_rng r = {6};
    for (int n = 0; n < 5; n++) {
        struct ctx c = {n, 0};
        double z[1] = {check_uniform(&r, -2, 2)};
        check_vec_fd(v_tape, g_tape, &c, 1, z);
    }
    double g;
    assert_same(ignores_n_grad(7, 1.5, &g), 2.25);
    assert_same(g, 3.0);
}

/* ---- 6. a loop with nothing active that saves values ---- */

static double v_ils(const void *c, const double *z)
{
    return inactive_loop_saves(((const struct ctx *)c)->n, z[0]);
}

static double g_ils(const void *c, const double *z, double *g)
{
    return inactive_loop_saves_grad(((const struct ctx *)c)->n, z[0], &g[0]);
}

static double v_ila(const void *c, const double *z)
{
    return inactive_loop_after(((const struct ctx *)c)->n, z[0]);
}

static double g_ila(const void *c, const double *z, double *g)
{
    return inactive_loop_after_grad(((const struct ctx *)c)->n, z[0], &g[0]);
}

static void inactive_loops(void **state)
{
    (void)state;
    check_rng r = {7};
    for (int n = 0; n < 6; n++) {
        struct ctx c = {n, 0};
        for (int k = 0; k < 4; k++) {
            double z[1] = {check_uniform(&r, -1.5, 1.5)};
            check_vec_fd(v_ils, g_ils, &c, 1, z);
            check_vec_fd(v_ila, g_ila, &c, 1, z);
        }
    }
}

/* ---- 7. C that warned: the values and derivatives are still right ---- */

static void no_warnings(void **state)
{
    (void)state;
    double gx, gy, x[3] = {0.5, -2, 3}, g[3], y[9] = {0}, seed[9] = {0};
    assert_same(zero_power_grad(NAN, 1.5, &gx, &gy), 2.5);
    assert_same(gx, 0.0);
    assert_same(gy, 1.0);
    assert_same(zero_power_load_grad(3, x, g), 4.0);
    assert_same(g[0], 0.0);
    assert_same(g[2], 1.0);
    seed[0] = 1;
    zero_power_out_vjp(3, y, x, seed, g);
    assert_same(y[0], 0.5);
    assert_same(g[0], 1.0);
    assert_same(g[1], 0.0);
    assert_same(self_compare_grad(4, 1.5, &gx), 2.25);
    assert_same(gx, 3.0);
}

/* ---- 8, 9. f_hvp: a linear power at 0; H v zero for an array ---- */

static void hvp_edges(void **state)
{
    (void)state;
    double g, hv, gy, hvy;
    /* x^1 and pow(x, 1) at 0: gradient 1 (+ 2x), H v = 0 (+ 2 v) */
    pow_int_hvp(0.0, 1, 0.75, &g, &hv);
    assert_same(g, 1.0);
    assert_same(hv, 0.0);
    pow_real_hvp(0.0, 1.0, 0.75, 0.0, &g, &gy, &hv, &hvy);
    assert_same(g, 1.0);
    assert_same(hv, 1.5);
    /* k = 0: nothing but zeros either */
    pow_int_hvp(0.0, 0, 0.75, &g, &hv);
    assert_same(g, 0.0);
    assert_same(hv, 0.0);
    /* away from 0 the usual k (k-1) x^(k-2) v */
    pow_int_hvp(1.5, 3, 0.5, &g, &hv);
    assert_close(g, 3 * 1.5 * 1.5, 1e-15, 0);
    assert_close(hv, 6 * 1.5 * 0.5, 1e-15, 0);

    double x[2] = {0.5, -1}, dx[2] = {0.25, 2}, gx[2], hx[2] = {NAN, 42};
    linear_array_hvp(2, x, 2.0, dx, 0.5, gx, &gy, hx, &hvy);
    assert_same(gx[0], 2.0);
    assert_same(gx[1], 0.0);
    assert_same(hx[0], 0.0);
    assert_same(hx[1], 0.0);
    assert_same(hvy, 6.0);

    /* x^-2147483647 at 1: k, and k (k - 1) */
    pow_min_hvp(1.0, 1.0, &g, &hv);
    assert_same(g, -2147483647.0);
    assert_same(hv, 2147483647.0 * 2147483648.0);
    /* pow(a, b) at b = 0: H = [0, 1/a; 1/a, log(a)^2], gradient (0, log a) */
    double ga, gb, ha, hb;
    pow_exp_zero_hvp(1.7, 0.0, 0.5, -2.0, &ga, &gb, &ha, &hb);
    assert_same(ga, 0.0);
    assert_close(gb, log(1.7), 1e-15, 0);
    assert_close(ha, -2.0 / 1.7, 1e-15, 0);
    assert_close(hb, 0.5 / 1.7 - 2.0 * log(1.7) * log(1.7), 1e-15, 0);
    pow_int_hvp(1.0, INT_MIN, 1.0, &g, &hv);
    assert_same(g, (double)INT_MIN);
    assert_same(hv, 2147483648.0 * 2147483649.0);
}

/* ---- 12. loops fused with their reverse sweep, and look-alikes ---- */

static double v_fw(const void *c, const double *z)
{
    int n = ((const struct ctx *)c)->n;
    return fuse_weighted(n, z, z[n]);
}

static double g_fw(const void *c, const double *z, double *g)
{
    int n = ((const struct ctx *)c)->n;
    return fuse_weighted_grad(n, z, z[n], g, &g[n]);
}

static double v_fn(const void *c, const double *z)
{
    return fuse_nonlinear(((const struct ctx *)c)->n, z);
}

static double g_fn(const void *c, const double *z, double *g)
{
    return fuse_nonlinear_grad(((const struct ctx *)c)->n, z, g);
}

static double v_fc(const void *c, const double *z)
{
    return fuse_carried(((const struct ctx *)c)->n, z);
}

static double g_fc(const void *c, const double *z, double *g)
{
    return fuse_carried_grad(((const struct ctx *)c)->n, z, g);
}

static double v_f2(const void *c, const double *z)
{
    int n = ((const struct ctx *)c)->n;
    return fuse_two(n, z, z + n);
}

static double g_f2(const void *c, const double *z, double *g)
{
    int n = ((const struct ctx *)c)->n;
    return fuse_two_grad(n, z, z + n, g, g + n);
}

static void fused_loops(void **state)
{
    (void)state;
    check_rng r = {12};
    for (int n = 1; n <= 6; n++) {
        struct ctx c = {n, 0};
        for (int k = 0; k < 3; k++) {
            double z[13];
            check_fill_uniform(&r, z, 2 * n + 1, -1, 1.5);
            check_vec_fd(v_fw, g_fw, &c, n + 1, z);
            check_vec_fd(v_fn, g_fn, &c, n, z);
            check_vec_fd(v_fc, g_fc, &c, n, z);
            check_vec_fd(v_f2, g_f2, &c, 2 * n, z);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(result_after_loop),
        cmocka_unit_test(zero_filled_outputs),
        cmocka_unit_test(sized_locals),
        cmocka_unit_test(compiles),
        cmocka_unit_test(inactive_loops),
        cmocka_unit_test(no_warnings),
        cmocka_unit_test(hvp_edges),
        cmocka_unit_test(fused_loops),
    };
    return cmocka_run_group_tests_name("regress", tests, NULL, NULL);
}
