/* vjp.fn: f_vjp of functions with out arrays. With random seeds w, the
 * gradients it writes are J^T w, checked against central differences of
 * w . out(x); the outputs it writes equal the primal's; a NULL seed counts
 * as zeros; it agrees with f_grad of a scalar function that calls f. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "vjp.h"
#include "check_array.h"

#define NPTS 4

struct ctx {
    int n, m, k;
    const double *w1, *w2; /* the seeds, one per out array */
};

static double *zalloc(int n)
{
    return check_xmalloc(sizeof(double) * (size_t)n, __FILE__, __LINE__);
}

static double wdot(const double *w, const double *y, int n)
{
    double s = 0;
    for (int i = 0; i < n; i++)
        s += w[i] * y[i];
    return s;
}

/* ---- two_out: z packs A[m][n], x[n], s ---- */

static double v_two_out(const void *c, const double *z)
{
    const struct ctx *d = c;
    int n = d->n, m = d->m;
    double *y = zalloc(m), *Z = zalloc(m * n);
    two_out(n, m, z, z + m * n, z[m * n + n], y, Z);
    double r = wdot(d->w1, y, m) + wdot(d->w2, Z, m * n);
    free(y);
    free(Z);
    return r;
}

static double g_two_out(const void *c, const double *z, double *g)
{
    const struct ctx *d = c;
    int n = d->n, m = d->m;
    double *y = zalloc(m), *Z = zalloc(m * n);
    check_fill_garbage(y, m);
    check_fill_garbage(Z, m * n);
    two_out_vjp(n, m, z, z + m * n, z[m * n + n], y, Z, d->w1, d->w2, g, g + m * n,
                g + m * n + n);
    double r = wdot(d->w1, y, m) + wdot(d->w2, Z, m * n);
    free(y);
    free(Z);
    return r;
}

static double g_two_out_dot(const void *c, const double *z, double *g)
{
    const struct ctx *d = c;
    int n = d->n, m = d->m;
    return two_out_dot_grad(n, m, z, z + m * n, z[m * n + n], d->w1, d->w2, g, g + m * n,
                            g + m * n + n);
}

static void test_two_out(void **state)
{
    /* {n, m} */
    static const int dims[][2] = {{1, 1}, {3, 2}, {2, 5}};
    check_rng r = {101};
    (void)state;
    for (size_t s = 0; s < sizeof dims / sizeof dims[0]; s++) {
        int n = dims[s][0], m = dims[s][1], nz = m * n + n + 1;
        double *wy = zalloc(m), *wZ = zalloc(m * n), *z = zalloc(nz);
        double *g = zalloc(nz), *h = zalloc(nz);
        double *y = zalloc(m), *Z = zalloc(m * n), *y0 = zalloc(m), *Z0 = zalloc(m * n);
        struct ctx c = {n, m, 0, wy, wZ};
        for (int p = 0; p < NPTS; p++) {
            check_fill_uniform(&r, wy, m, -2, 2);
            check_fill_uniform(&r, wZ, m * n, -2, 2);
            check_fill_uniform(&r, z, nz, -1.5, 1.5);
            check_vec_fd(v_two_out, g_two_out, &c, nz, z);
            /* the same as the gradient of the scalar function that calls it */
            check_fill_garbage(g, nz);
            check_fill_garbage(h, nz);
            g_two_out(&c, z, g);
            assert_close(g_two_out_dot(&c, z, h), v_two_out(&c, z), 1e-14, 1e-15);
            for (int i = 0; i < nz; i++)
                assert_close(g[i], h[i], 1e-13, 1e-14);

            const double *A = z, *x = z + m * n;
            double sc = z[m * n + n];
            two_out(n, m, A, x, sc, y0, Z0);
            /* one NULL seed: the same as zeros there */
            double *zeros = zalloc(m * n);
            for (int i = 0; i < m * n; i++)
                zeros[i] = 0;
            check_fill_garbage(g, nz);
            check_fill_garbage(y, m);
            check_fill_garbage(Z, m * n);
            two_out_vjp(n, m, A, x, sc, y, Z, wy, NULL, g, g + m * n, g + m * n + n);
            for (int i = 0; i < m; i++)
                assert_same(y[i], y0[i]);
            for (int i = 0; i < m * n; i++)
                assert_same(Z[i], Z0[i]);
            two_out_vjp(n, m, A, x, sc, y, Z, wy, zeros, h, h + m * n, h + m * n + n);
            for (int i = 0; i < nz; i++)
                assert_same(g[i], h[i]);
            check_fill_garbage(g, nz);
            two_out_vjp(n, m, A, x, sc, y, Z, NULL, wZ, g, g + m * n, g + m * n + n);
            two_out_vjp(n, m, A, x, sc, y, Z, zeros, wZ, h, h + m * n, h + m * n + n);
            for (int i = 0; i < nz; i++)
                assert_same(g[i], h[i]);
            /* both NULL: outputs written, every gradient 0 */
            check_fill_garbage(g, nz);
            check_fill_garbage(y, m);
            check_fill_garbage(Z, m * n);
            two_out_vjp(n, m, A, x, sc, y, Z, NULL, NULL, g, g + m * n, g + m * n + n);
            for (int i = 0; i < m; i++)
                assert_same(y[i], y0[i]);
            for (int i = 0; i < m * n; i++)
                assert_same(Z[i], Z0[i]);
            assert_all_same(g, nz, 0.0);
            /* NULL gradients: the others unchanged, outputs written */
            g_two_out(&c, z, h);
            check_fill_garbage(g, nz);
            check_fill_garbage(y, m);
            two_out_vjp(n, m, A, x, sc, y, Z, wy, wZ, NULL, g + m * n, NULL);
            for (int i = 0; i < n; i++)
                assert_same(g[m * n + i], h[m * n + i]);
            assert_same(g[0], CHECK_GARBAGE);
            assert_same(g[m * n + n], CHECK_GARBAGE);
            for (int i = 0; i < m; i++)
                assert_same(y[i], y0[i]);
            check_fill_garbage(y, m);
            two_out_vjp(n, m, A, x, sc, y, Z, wy, wZ, NULL, NULL, NULL);
            for (int i = 0; i < m; i++)
                assert_same(y[i], y0[i]);
            /* overwritten, not accumulated */
            two_out_vjp(n, m, A, x, sc, y, Z, wy, wZ, g, g + m * n, g + m * n + n);
            two_out_vjp(n, m, A, x, sc, y, Z, wy, wZ, g, g + m * n, g + m * n + n);
            for (int i = 0; i < nz; i++)
                assert_same(g[i], h[i]);
            free(zeros);
        }
        free(wy);
        free(wZ);
        free(z);
        free(g);
        free(h);
        free(y);
        free(Z);
        free(y0);
        free(Z0);
    }
}

/* ---- rec_out and out_through: z packs a[n] (and b) ---- */

static double v_rec_out(const void *c, const double *z)
{
    const struct ctx *d = c;
    double *u = zalloc(d->n);
    rec_out(d->n, d->m, z, u);
    double r = wdot(d->w1, u, d->n);
    free(u);
    return r;
}

static double g_rec_out(const void *c, const double *z, double *g)
{
    const struct ctx *d = c;
    double *u = zalloc(d->n);
    check_fill_garbage(u, d->n);
    rec_out_vjp(d->n, d->m, z, u, d->w1, g);
    double r = wdot(d->w1, u, d->n);
    free(u);
    return r;
}

static double v_out_through(const void *c, const double *z)
{
    const struct ctx *d = c;
    double *v = zalloc(d->n);
    out_through(d->n, z, z[d->n], v);
    double r = wdot(d->w1, v, d->n);
    free(v);
    return r;
}

static double g_out_through(const void *c, const double *z, double *g)
{
    const struct ctx *d = c;
    double *v = zalloc(d->n);
    check_fill_garbage(v, d->n);
    out_through_vjp(d->n, z, z[d->n], v, d->w1, g, &g[d->n]);
    double r = wdot(d->w1, v, d->n);
    free(v);
    return r;
}

static void test_recurrence_in_out(void **state)
{
    /* {n, T} */
    static const int dims[][2] = {{1, 3}, {2, 1}, {5, 0}, {6, 4}};
    check_rng r = {102};
    (void)state;
    for (size_t s = 0; s < sizeof dims / sizeof dims[0]; s++) {
        int n = dims[s][0];
        double *w = zalloc(n), *z = zalloc(n + 1);
        struct ctx c = {n, dims[s][1], 0, w, NULL};
        for (int p = 0; p < NPTS; p++) {
            check_fill_uniform(&r, w, n, -2, 2);
            check_fill_uniform(&r, z, n + 1, -2, 2);
            check_vec_fd(v_rec_out, g_rec_out, &c, n, z);
            check_vec_fd(v_out_through, g_out_through, &c, n + 1, z);
        }
        free(w);
        free(z);
    }
    /* T = 0 is a copy: the vjp is the seed */
    double a[3] = {0.5, -1, 2}, u[3], w[3] = {0.25, -3, 7}, g[3];
    check_fill_garbage(g, 3);
    rec_out_vjp(3, 0, a, u, w, g);
    for (int i = 0; i < 3; i++) {
        assert_same(u[i], a[i]);
        assert_same(g[i], w[i]);
    }
}

static void test_copy_const(void **state)
{
    double x[4] = {1, -2, 3, -4}, y[4], c[2], wy[4] = {0.5, -0.25, 8, 3}, wc[2] = {9, -9};
    double g[5];
    (void)state;
    check_fill_garbage(g, 5);
    check_fill_garbage(y, 4);
    check_fill_garbage(c, 2);
    copy_const_vjp(4, x, y, c, wy, wc, g);
    for (int i = 0; i < 4; i++) {
        assert_same(y[i], x[i]);
        assert_same(g[i], wy[i]);
    }
    assert_same(g[4], CHECK_GARBAGE);
    assert_same(c[0], 1.0);
    assert_same(c[1], 2.0);
    /* only the constant output seeded: a zero gradient, written */
    check_fill_garbage(g, 4);
    copy_const_vjp(4, x, y, c, NULL, wc, g);
    assert_all_same(g, 4, 0.0);
    /* n = 0 */
    check_fill_garbage(c, 2);
    check_fill_garbage(g, 1);
    copy_const_vjp(0, x, y, c, wy, wc, g);
    assert_same(c[0], 1.0);
    assert_same(g[0], CHECK_GARBAGE);
}

/* ---- batch_calls: z packs x[n], w ---- */

static double v_batch(const void *c, const double *z)
{
    const struct ctx *d = c;
    return batch_calls(d->n, d->m, z, z[d->n]);
}

static double g_batch(const void *c, const double *z, double *g)
{
    const struct ctx *d = c;
    return batch_calls_grad(d->n, d->m, z, z[d->n], g, &g[d->n]);
}

static void test_batch_calls(void **state)
{
    static const int dims[][2] = {{1, 1}, {3, 4}, {6, 3}, {4, 0}};
    check_rng r = {103};
    (void)state;
    for (size_t s = 0; s < sizeof dims / sizeof dims[0]; s++) {
        int n = dims[s][0];
        double *z = zalloc(n + 1);
        struct ctx c = {n, dims[s][1], 0, NULL, NULL};
        for (int p = 0; p < NPTS; p++) {
            check_fill_uniform(&r, z, n + 1, -2, 2);
            check_vec_fd(v_batch, g_batch, &c, n + 1, z);
        }
        free(z);
    }
}

/* ---- iterate: step() called in a loop, its output fed back ---- */

static double v_iterate(const void *c, const double *z)
{
    const struct ctx *d = c;
    double *y = zalloc(d->n);
    iterate(d->n, d->m, z, y);
    double r = wdot(d->w1, y, d->n);
    free(y);
    return r;
}

static double g_iterate(const void *c, const double *z, double *g)
{
    const struct ctx *d = c;
    double *y = zalloc(d->n);
    check_fill_garbage(y, d->n);
    iterate_vjp(d->n, d->m, z, y, d->w1, g);
    double r = wdot(d->w1, y, d->n);
    free(y);
    return r;
}

static void test_iterate(void **state)
{
    /* {n, T}: T = 1 has no back edge to cross */
    static const int dims[][2] = {{1, 1}, {3, 1}, {1, 2}, {3, 2}, {4, 3}};
    check_rng r = {104};
    (void)state;
    for (size_t s = 0; s < sizeof dims / sizeof dims[0]; s++) {
        int n = dims[s][0];
        double w[4], z[4];
        struct ctx c = {n, dims[s][1], 0, w, NULL};
        for (int p = 0; p < NPTS; p++) {
            check_fill_uniform(&r, w, n, -2, 2);
            check_fill_uniform(&r, z, n, -1.2, 1.2);
            check_vec_fd(v_iterate, g_iterate, &c, n, z);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_out),
        cmocka_unit_test(test_recurrence_in_out),
        cmocka_unit_test(test_copy_const),
        cmocka_unit_test(test_batch_calls),
        cmocka_unit_test(test_iterate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
