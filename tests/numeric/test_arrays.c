/* arrays.fn: gradients of array and loop programs against central finite
 * differences at seeded random points (negative values included) and
 * sizes down to 1, closed forms where there are any, and the API
 * conventions: every gradient element written even when a loop runs zero
 * times, NULL gradients skipped, gradients overwritten rather than
 * accumulated, no gradient argument for int and const parameters. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "arrays.h"
#include "check_array.h"

#define NPTS 4 /* random points per function and size */

/* What the adapters need besides the packed inputs: sizes and const data. */
struct ctx {
    int n, m, k;
    const double *c1, *c2;
};

static double *zalloc(int n)
{
    return check_xmalloc(sizeof(double) * (size_t)n, __FILE__, __LINE__);
}

/* ---- dot ---- */

static double v_dot(const void *c, const double *z)
{
    const struct ctx *d = c;
    return dot(d->n, z, z + d->n);
}

static double g_dot(const void *c, const double *z, double *g)
{
    const struct ctx *d = c;
    return dot_grad(d->n, z, z + d->n, g, g + d->n);
}

static void test_dot(void **state)
{
    static const int sizes[] = {1, 2, 7, 40};
    check_rng r = {1};
    (void)state;
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        struct ctx c = {sizes[s], 0, 0, NULL, NULL};
        int nz = 2 * c.n;
        double *z = zalloc(nz), *g = zalloc(nz);
        for (int p = 0; p < NPTS; p++) {
            check_fill_uniform(&r, z, nz, -3, 3);
            check_vec_fd(v_dot, g_dot, &c, nz, z);
            /* d/dx = y and d/dy = x, exactly: each is one product added to 0 */
            g_dot(&c, z, g);
            for (int i = 0; i < c.n; i++) {
                assert_same(g[i], z[c.n + i]);
                assert_same(g[c.n + i], z[i]);
            }
        }
        free(z);
        free(g);
    }
}

/* ---- extended Rosenbrock ---- */

static double v_ext_rosen(const void *c, const double *z)
{
    return ext_rosen(((const struct ctx *)c)->n, z);
}

static double g_ext_rosen(const void *c, const double *z, double *g)
{
    return ext_rosen_grad(((const struct ctx *)c)->n, z, g);
}

/* the gradient written out by hand */
static void ext_rosen_reference(int n, const double *x, double *g)
{
    for (int i = 0; i < n; i++)
        g[i] = 0;
    for (int i = 0; i + 1 < n; i++) {
        double b = x[i + 1] - x[i] * x[i];
        g[i] += -400 * x[i] * b - 2 * (1 - x[i]);
        g[i + 1] += 200 * b;
    }
}

static void test_ext_rosen(void **state)
{
    static const int sizes[] = {2, 5, 50};
    check_rng r = {2};
    (void)state;
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        struct ctx c = {sizes[s], 0, 0, NULL, NULL};
        double *x = zalloc(c.n), *g = zalloc(c.n), *ref = zalloc(c.n);
        for (int p = 0; p < NPTS; p++) {
            check_fill_uniform(&r, x, c.n, -2, 2);
            check_vec_fd(v_ext_rosen, g_ext_rosen, &c, c.n, x);
            g_ext_rosen(&c, x, g);
            ext_rosen_reference(c.n, x, ref);
            for (int i = 0; i < c.n; i++)
                assert_close(g[i], ref[i], 1e-13, 1e-12);
        }
        /* the minimum: value and gradient exactly 0 */
        for (int i = 0; i < c.n; i++)
            x[i] = 1;
        check_fill_garbage(g, c.n);
        assert_same(ext_rosen_grad(c.n, x, g), 0.0);
        assert_all_same(g, c.n, 0.0);
        free(x);
        free(g);
        free(ref);
    }
    /* the classic start in 2-D: grad = (-215.6, -88) */
    double x2[2] = {-1.2, 1}, g2[2];
    assert_close(ext_rosen_grad(2, x2, g2), 24.2, 1e-15, 0);
    assert_close(g2[0], -215.6, 1e-15, 0);
    assert_close(g2[1], -88, 1e-15, 0);
    /* n = 1: no pairs, f = 0, the gradient is written as 0 */
    double x1[1] = {-0.7}, g1[1] = {CHECK_GARBAGE};
    assert_same(ext_rosen_grad(1, x1, g1), 0.0);
    assert_same(g1[0], 0.0);
}

/* ---- x^T A x ---- */

static double v_quad(const void *c, const double *z)
{
    const struct ctx *d = c;
    return quad_form(d->n, z, z + d->n);
}

static double g_quad(const void *c, const double *z, double *g)
{
    const struct ctx *d = c;
    return quad_form_grad(d->n, z, z + d->n, g, g + d->n);
}

static void test_quad_form(void **state)
{
    static const int sizes[] = {1, 2, 3, 6};
    check_rng r = {3};
    (void)state;
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        int n = sizes[s];
        struct ctx c = {n, 0, 0, NULL, NULL};
        int nz = n + n * n;
        double *z = zalloc(nz), *g = zalloc(nz);
        for (int p = 0; p < NPTS; p++) {
            check_fill_uniform(&r, z, nz, -2, 2);
            check_vec_fd(v_quad, g_quad, &c, nz, z);
            /* grad_x = (A + A^T) x, grad_A = x x^T (row-major) */
            const double *x = z, *A = z + n;
            check_fill_garbage(g, nz);
            g_quad(&c, z, g);
            for (int i = 0; i < n; i++) {
                double e = 0;
                for (int j = 0; j < n; j++)
                    e += (A[i * n + j] + A[j * n + i]) * x[j];
                assert_close(g[i], e, 1e-13, 1e-13);
                for (int j = 0; j < n; j++)
                    assert_close(g[n + i * n + j], x[i] * x[j], 1e-15, 0);
            }
        }
        free(z);
        free(g);
    }
}

/* ---- stencil ---- */

static double v_stencil(const void *c, const double *z)
{
    return stencil(((const struct ctx *)c)->n, z);
}

static double g_stencil(const void *c, const double *z, double *g)
{
    return stencil_grad(((const struct ctx *)c)->n, z, g);
}

static void test_stencil(void **state)
{
    static const int sizes[] = {1, 2, 3, 4, 11};
    check_rng r = {4};
    (void)state;
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        struct ctx c = {sizes[s], 0, 0, NULL, NULL};
        double *x = zalloc(c.n);
        for (int p = 0; p < NPTS; p++) {
            check_fill_uniform(&r, x, c.n, -1.5, 1.5);
            check_vec_fd(v_stencil, g_stencil, &c, c.n, x);
        }
        free(x);
    }
    /* n = 1 and 2: no interior point, the only terms are u[i] cos(u[i]) = 0 */
    double x[2] = {0.3, -0.8}, g[2] = {CHECK_GARBAGE, CHECK_GARBAGE};
    assert_same(stencil_grad(2, x, g), 0.0);
    assert_all_same(g, 2, 0.0);
}

/* ---- product, through zeros ---- */

static double v_prod(const void *c, const double *z)
{
    return prod(((const struct ctx *)c)->n, z);
}

/* The value that prod_grad returns is checked in test_grad_value only, so
 * that a wrong one does not hide the gradient checks; likewise for logmap
 * and carried_if. */
static double g_prod(const void *c, const double *z, double *g)
{
    prod_grad(((const struct ctx *)c)->n, z, g);
    return prod(((const struct ctx *)c)->n, z);
}

static double prod_except(int n, const double *x, int skip)
{
    double p = 1;
    for (int i = 0; i < n; i++)
        if (i != skip)
            p *= x[i];
    return p;
}

static void test_prod(void **state)
{
    static const int sizes[] = {1, 2, 5, 9};
    check_rng r = {5};
    (void)state;
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        struct ctx c = {sizes[s], 0, 0, NULL, NULL};
        double *x = zalloc(c.n), *g = zalloc(c.n);
        for (int p = 0; p < NPTS; p++) {
            check_fill_uniform(&r, x, c.n, -1.8, 1.8);
            check_vec_fd(v_prod, g_prod, &c, c.n, x);
            g_prod(&c, x, g);
            for (int i = 0; i < c.n; i++)
                assert_close(g[i], prod_except(c.n, x, i), 1e-14, 0);
        }
        free(x);
        free(g);
    }

    /* one zero: its derivative is the product of the others (no 0/0), the
     * others' are exactly 0 */
    double x[6] = {1.5, -2.0, 0.0, 3.0, -0.5, 1.25}, g[6];
    check_fill_garbage(g, 6);
    prod_grad(6, x, g);
    for (int i = 0; i < 6; i++) {
        if (i == 2)
            assert_close(g[i], prod_except(6, x, 2), 1e-15, 0);
        else
            assert_same(g[i], 0.0);
    }
    assert_same(g[2], 5.625); /* 1.5 * -2 * 3 * -0.5 * 1.25, exact in binary */
    /* a zero first and last */
    double xf[3] = {0.0, 2.0, -3.0}, gf[3];
    prod_grad(3, xf, gf);
    assert_same(gf[0], -6.0);
    assert_same(gf[1], 0.0);
    assert_same(gf[2], 0.0);
    double xl[3] = {2.0, -3.0, 0.0};
    prod_grad(3, xl, gf);
    assert_same(gf[0], 0.0);
    assert_same(gf[1], 0.0);
    assert_same(gf[2], -6.0);
    /* two zeros: every derivative is 0 */
    x[4] = 0.0;
    check_fill_garbage(g, 6);
    prod_grad(6, x, g);
    for (int i = 0; i < 6; i++)
        assert_true(g[i] == 0.0);
    /* n = 1: d/dx x = 1 */
    double one[1] = {-4.5}, g1[1];
    prod_grad(1, one, g1);
    assert_same(g1[0], 1.0);
}

/* ---- log-sum-exp with a running max ---- */

static double v_lse(const void *c, const double *z)
{
    return lse(((const struct ctx *)c)->n, z);
}

static double g_lse(const void *c, const double *z, double *g)
{
    return lse_grad(((const struct ctx *)c)->n, z, g);
}

static void test_lse(void **state)
{
    static const int sizes[] = {1, 2, 6, 25};
    check_rng r = {6};
    (void)state;
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        struct ctx c = {sizes[s], 0, 0, NULL, NULL};
        double *x = zalloc(c.n), *g = zalloc(c.n);
        for (int p = 0; p < NPTS; p++) {
            check_fill_uniform(&r, x, c.n, -4, 4);
            check_vec_fd(v_lse, g_lse, &c, c.n, x);
            /* the gradient is softmax(x) */
            double v = g_lse(&c, x, g);
            for (int i = 0; i < c.n; i++)
                assert_close(g[i], exp(x[i] - v), 1e-12, 1e-16);
        }
        free(x);
        free(g);
    }
    /* large values: no overflow, still softmax */
    double big[3] = {1000.0, 999.0, 1001.0}, g[3];
    double v = lse_grad(3, big, g);
    assert_close(v, 1001.0 + log(1 + exp(-1) + exp(-2)), 1e-15, 0);
    for (int i = 0; i < 3; i++)
        assert_close(g[i], exp(big[i] - v), 1e-12, 0);
    /* a tie for the max: max() splits its adjoint, the sum is still 1/n each */
    double tie[3] = {2.0, 2.0, 2.0};
    lse_grad(3, tie, g);
    for (int i = 0; i < 3; i++)
        assert_close(g[i], 1.0 / 3.0, 1e-15, 0);
    /* n = 1: d/dx = 1 */
    double one[1] = {-7.0};
    assert_same(lse_grad(1, one, g), -7.0);
    assert_same(g[0], 1.0);
}

/* ---- the logistic map ---- */

static double v_logmap(const void *c, const double *z)
{
    return logmap(((const struct ctx *)c)->n, z[0], z[1]);
}

static double g_logmap(const void *c, const double *z, double *g)
{
    logmap_grad(((const struct ctx *)c)->n, z[0], z[1], &g[0], &g[1]);
    return logmap(((const struct ctx *)c)->n, z[0], z[1]);
}

static void test_logmap(void **state)
{
    /* r below the chaotic range (3.57...), where 30 steps do not amplify
     * the finite-difference step */
    static const double rs[] = {2.5, 2.7, 2.9, 3.0, 3.1, 3.2};
    check_rng rng = {7};
    struct ctx c = {30, 0, 0, NULL, NULL};
    (void)state;
    for (size_t s = 0; s < sizeof rs / sizeof rs[0]; s++) {
        for (int p = 0; p < NPTS; p++) {
            double z[2] = {rs[s], check_uniform(&rng, 0.05, 0.95)};
            check_vec_fd(v_logmap, g_logmap, &c, 2, z);
        }
    }
    /* the same derivatives by forward propagation in C */
    for (int p = 0; p < NPTS; p++) {
        double r = check_uniform(&rng, 2.5, 3.2), x = check_uniform(&rng, 0.05, 0.95);
        double gr, gx, dr = 0, dx = 1, xk = x;
        for (int k = 0; k < 30; k++) {
            dr = xk * (1 - xk) + r * (1 - 2 * xk) * dr;
            dx = r * (1 - 2 * xk) * dx;
            xk = r * xk * (1 - xk);
        }
        logmap_grad(30, r, x, &gr, &gx);
        assert_close(gr, dr, 1e-12, 1e-14);
        assert_close(gx, dx, 1e-12, 1e-14);
    }
    /* N = 0: x0 itself; N = 1: r x (1 - x) */
    double gr = CHECK_GARBAGE, gx = CHECK_GARBAGE;
    assert_same(logmap_grad(0, 2.9, 0.3, &gr, &gx), 0.3);
    assert_same(gr, 0.0);
    assert_same(gx, 1.0);
    logmap_grad(1, 2.9, 0.3, &gr, &gx);
    assert_close(gr, 0.3 * 0.7, 1e-15, 0);
    assert_close(gx, 2.9 * (1 - 0.6), 1e-15, 0);
    /* N < 0 runs no step */
    assert_same(logmap_grad(-3, 2.9, 0.3, &gr, &gx), 0.3);
    assert_same(gx, 1.0);
}

/* ---- an MLP: layer() with an out array, called from a loss ---- */

/* z packs W1[h][n], b1[h], W2[h][h], b2[h], x[n] */
static double v_mlp2(const void *c, const double *z)
{
    const struct ctx *d = c;
    int n = d->n, h = d->m;
    const double *W1 = z, *b1 = W1 + h * n, *W2 = b1 + h, *b2 = W2 + h * h, *x = b2 + h;
    return mlp2(n, h, W1, b1, W2, b2, x);
}

static double g_mlp2(const void *c, const double *z, double *g)
{
    const struct ctx *d = c;
    int n = d->n, h = d->m;
    const double *W1 = z, *b1 = W1 + h * n, *W2 = b1 + h, *b2 = W2 + h * h, *x = b2 + h;
    double *gW1 = g, *gb1 = gW1 + h * n, *gW2 = gb1 + h, *gb2 = gW2 + h * h, *gx = gb2 + h;
    return mlp2_grad(n, h, W1, b1, W2, b2, x, gW1, gb1, gW2, gb2, gx);
}

static void test_mlp2(void **state)
{
    static const int dims[][2] = {{1, 1}, {3, 4}, {5, 2}};
    check_rng r = {8};
    (void)state;
    for (size_t s = 0; s < sizeof dims / sizeof dims[0]; s++) {
        struct ctx c = {dims[s][0], dims[s][1], 0, NULL, NULL};
        int n = c.n, h = c.m, nz = h * n + h + h * h + h + n;
        double *z = zalloc(nz);
        for (int p = 0; p < NPTS; p++) {
            check_fill_uniform(&r, z, nz, -1.5, 1.5);
            check_vec_fd(v_mlp2, g_mlp2, &c, nz, z);
        }
        free(z);
    }
}

/* layer_vjp against FD of w . layer(x), with a NULL seed, and against the
 * gradient of layer_dot, a scalar function that calls layer */
static double v_layer_w(const void *c, const double *z)
{
    const struct ctx *d = c;
    int n = d->n, m = d->m;
    double *y = zalloc(m), s = 0;
    layer(n, m, z, z + m * n, z + m * n + m, y);
    for (int j = 0; j < m; j++)
        s += d->c1[j] * y[j];
    free(y);
    return s;
}

static double g_layer_w(const void *c, const double *z, double *g)
{
    const struct ctx *d = c;
    int n = d->n, m = d->m;
    double *y = zalloc(m), s = 0;
    check_fill_garbage(y, m);
    layer_vjp(n, m, z, z + m * n, z + m * n + m, y, d->c1, g, g + m * n, g + m * n + m);
    for (int j = 0; j < m; j++)
        s += d->c1[j] * y[j];
    free(y);
    return s;
}

static void test_layer_vjp(void **state)
{
    static const int dims[][2] = {{1, 1}, {4, 3}, {2, 6}};
    check_rng r = {9};
    (void)state;
    for (size_t s = 0; s < sizeof dims / sizeof dims[0]; s++) {
        int n = dims[s][0], m = dims[s][1], nz = m * n + m + n;
        double *w = zalloc(m), *z = zalloc(nz), *g = zalloc(nz), *g2 = zalloc(nz);
        double *y = zalloc(m), *y2 = zalloc(m);
        struct ctx c = {n, m, 0, w, NULL};
        for (int p = 0; p < NPTS; p++) {
            check_fill_uniform(&r, w, m, -2, 2);
            check_fill_uniform(&r, z, nz, -1.5, 1.5);
            check_vec_fd(v_layer_w, g_layer_w, &c, nz, z);

            /* the outputs equal the primal's; the gradient equals
             * layer_dot's, which calls layer with the same w */
            const double *W = z, *b = z + m * n, *x = z + m * n + m;
            check_fill_garbage(g, nz);
            check_fill_garbage(y, m);
            layer_vjp(n, m, W, b, x, y, w, g, g + m * n, g + m * n + m);
            layer(n, m, W, b, x, y2);
            for (int j = 0; j < m; j++)
                assert_same(y[j], y2[j]);
            check_fill_garbage(g2, nz);
            double v = layer_dot_grad(n, m, W, b, x, w, g2, g2 + m * n, g2 + m * n + m);
            double e = 0;
            for (int j = 0; j < m; j++)
                e += w[j] * y2[j];
            assert_close(v, e, 1e-15, 1e-15);
            for (int i = 0; i < nz; i++)
                assert_close(g[i], g2[i], 1e-14, 1e-15);

            /* a NULL seed counts as zeros: outputs still written */
            check_fill_garbage(g, nz);
            check_fill_garbage(y, m);
            layer_vjp(n, m, W, b, x, y, NULL, g, g + m * n, g + m * n + m);
            for (int j = 0; j < m; j++)
                assert_same(y[j], y2[j]);
            assert_all_same(g, nz, 0.0);
        }
        free(w);
        free(z);
        free(g);
        free(g2);
        free(y);
        free(y2);
    }
}

/* ---- hinge loss over const data ---- */

/* z packs w[d], bias; c1 = X[n][d], c2 = y[n] */
static double v_hinge(const void *c, const double *z)
{
    const struct ctx *d = c;
    return hinge(d->n, d->m, z, z[d->m], d->c1, d->c2);
}

static double g_hinge(const void *c, const double *z, double *g)
{
    const struct ctx *d = c;
    return hinge_grad(d->n, d->m, z, z[d->m], d->c1, d->c2, g, &g[d->m]);
}

/* the smallest |margin| over the data set: the FD step must not cross 0 */
static double hinge_min_margin(int n, int d, const double *w, double bias, const double *X,
                               const double *y)
{
    double mn = INFINITY;
    for (int i = 0; i < n; i++) {
        double z = bias;
        for (int j = 0; j < d; j++)
            z += w[j] * X[i * d + j];
        mn = fmin(mn, fabs(1 - y[i] * z));
    }
    return mn;
}

static void test_hinge(void **state)
{
    enum { N = 12, D = 3 };
    double X[N * D], y[N], z[D + 1], g[D + 1];
    check_rng r = {10};
    struct ctx c = {N, D, 0, X, y};
    int checked = 0;
    (void)state;
    check_fill_uniform(&r, X, N * D, -2, 2);
    for (int i = 0; i < N; i++)
        y[i] = check_uniform(&r, -1, 1) < 0 ? -1.0 : 1.0;
    while (checked < 2 * NPTS) {
        check_fill_uniform(&r, z, D + 1, -1.5, 1.5);
        if (hinge_min_margin(N, D, z, z[D], X, y) < 1e-3)
            continue;
        check_vec_fd(v_hinge, g_hinge, &c, D + 1, z);
        checked++;
    }
    /* the closed form: -(1/n) sum over active points of y_i [x_i, 1] + 0.02 w */
    z[0] = 0.3, z[1] = -0.6, z[2] = 0.9, z[3] = 0.1;
    hinge_grad(N, D, z, z[3], X, y, g, &g[3]);
    double e[D + 1] = {0};
    for (int i = 0; i < N; i++) {
        double s = z[3];
        for (int j = 0; j < D; j++)
            s += z[j] * X[i * D + j];
        if (1 - y[i] * s > 0) {
            for (int j = 0; j < D; j++)
                e[j] -= y[i] * X[i * D + j] / N;
            e[D] -= y[i] / N;
        }
    }
    for (int j = 0; j < D; j++)
        assert_close(g[j], e[j] + 0.02 * z[j], 1e-14, 1e-15);
    assert_close(g[D], e[D], 1e-14, 1e-15);
    /* one data point (n = 1), inactive: only the ridge */
    double X1[D] = {1, 1, 1}, y1[1] = {1}, w1[D] = {1, 1, 1};
    g[D] = CHECK_GARBAGE;
    hinge_grad(1, D, w1, 0.5, X1, y1, g, &g[D]);
    for (int j = 0; j < D; j++)
        assert_close(g[j], 0.02, 1e-15, 0);
    assert_same(g[D], 0.0);
}

/* ---- an array overwritten in place, R times ---- */

static double v_sin_rep(const void *c, const double *z)
{
    const struct ctx *d = c;
    return sin_rep(d->n, d->m, z);
}

static double g_sin_rep(const void *c, const double *z, double *g)
{
    const struct ctx *d = c;
    return sin_rep_grad(d->n, d->m, z, g);
}

static void test_sin_rep(void **state)
{
    static const int dims[][2] = {{1, 1}, {1, 4}, {5, 3}, {8, 6}};
    check_rng r = {11};
    (void)state;
    for (size_t s = 0; s < sizeof dims / sizeof dims[0]; s++) {
        struct ctx c = {dims[s][0], dims[s][1], 0, NULL, NULL};
        double *x = zalloc(c.n);
        for (int p = 0; p < NPTS; p++) {
            check_fill_uniform(&r, x, c.n, -2, 2);
            check_vec_fd(v_sin_rep, g_sin_rep, &c, c.n, x);
        }
        free(x);
    }
    /* R = 0: s = sum (i + 1) x[i] */
    double x[4] = {0.5, -1, 2, 3}, g[4];
    sin_rep_grad(4, 0, x, g);
    for (int i = 0; i < 4; i++)
        assert_same(g[i], i + 1.0);
}

/* ---- triangular loop nest: forward substitution ---- */

static double v_tri(const void *c, const double *z)
{
    const struct ctx *d = c;
    return tri_solve(d->n, z, z + d->n * d->n);
}

static double g_tri(const void *c, const double *z, double *g)
{
    const struct ctx *d = c;
    return tri_solve_grad(d->n, z, z + d->n * d->n, g, g + d->n * d->n);
}

static void test_tri_solve(void **state)
{
    static const int sizes[] = {1, 2, 4, 7};
    check_rng r = {12};
    (void)state;
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        int n = sizes[s], nz = n * n + n;
        struct ctx c = {n, 0, 0, NULL, NULL};
        double *z = zalloc(nz), *g = zalloc(nz);
        for (int p = 0; p < NPTS; p++) {
            check_fill_uniform(&r, z, nz, -1, 1);
            for (int i = 0; i < n; i++) /* a diagonal well away from 0 */
                z[i * n + i] = (check_uniform(&r, -1, 1) < 0 ? -1 : 1) * check_uniform(&r, 1.5, 3);
            check_vec_fd(v_tri, g_tri, &c, nz, z);
            /* the strict upper triangle is never read: exactly 0 */
            check_fill_garbage(g, nz);
            g_tri(&c, z, g);
            for (int i = 0; i < n; i++)
                for (int j = i + 1; j < n; j++)
                    assert_same(g[i * n + j], 0.0);
        }
        free(z);
        free(g);
    }
}

/* ---- 2-D arrays: C = A B ---- */

/* z packs A[m][k], B[k][n] */
static double v_matmul(const void *c, const double *z)
{
    const struct ctx *d = c;
    return matmul_loss(d->m, d->k, d->n, z, z + d->m * d->k);
}

static double g_matmul(const void *c, const double *z, double *g)
{
    const struct ctx *d = c;
    return matmul_loss_grad(d->m, d->k, d->n, z, z + d->m * d->k, g, g + d->m * d->k);
}

static void test_matmul(void **state)
{
    /* {m, k, n} */
    static const int dims[][3] = {{1, 1, 1}, {2, 3, 4}, {4, 2, 3}, {3, 5, 1}};
    check_rng r = {13};
    (void)state;
    for (size_t s = 0; s < sizeof dims / sizeof dims[0]; s++) {
        int m = dims[s][0], k = dims[s][1], n = dims[s][2], nz = m * k + k * n;
        struct ctx c = {n, m, k, NULL, NULL};
        double *z = zalloc(nz), *g = zalloc(nz);
        for (int p = 0; p < NPTS; p++) {
            check_fill_uniform(&r, z, nz, -2, 2);
            check_vec_fd(v_matmul, g_matmul, &c, nz, z);
            /* row-major: the value and gradient by hand */
            const double *A = z, *B = z + m * k;
            double e = 0;
            for (int i = 0; i < nz; i++)
                g[i] = 0;
            double *gA = g, *gB = g + m * k;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double cij = 0;
                    for (int l = 0; l < k; l++)
                        cij += A[i * k + l] * B[l * n + j];
                    double w = i + 2 * j + 1;
                    e += w * cij * cij;
                    for (int l = 0; l < k; l++) {
                        gA[i * k + l] += 2 * w * cij * B[l * n + j];
                        gB[l * n + j] += 2 * w * cij * A[i * k + l];
                    }
                }
            }
            double *got = zalloc(nz);
            assert_close(g_matmul(&c, z, got), e, 1e-14, 0);
            for (int i = 0; i < nz; i++)
                assert_close(got[i], g[i], 1e-13, 1e-13);
            free(got);
        }
        free(z);
        free(g);
    }
}

/* ---- an if on the carried value ---- */

static double v_carried(const void *c, const double *z)
{
    return carried_if(((const struct ctx *)c)->n, z);
}

static double g_carried(const void *c, const double *z, double *g)
{
    carried_if_grad(((const struct ctx *)c)->n, z, g);
    return carried_if(((const struct ctx *)c)->n, z);
}

/* the distance of the carried value from the branch point, and which
 * branches ran */
static double carried_margin(int n, const double *x, int *took_then, int *took_else)
{
    double s = 0, mn = INFINITY;
    for (int i = 0; i < n; i++) {
        mn = fmin(mn, fabs(s - 1));
        if (s > 1) {
            s = 0.5 * s + x[i];
            (*took_then)++;
        } else {
            s = s + x[i] * x[i];
            (*took_else)++;
        }
    }
    return mn;
}

static void test_carried_if(void **state)
{
    static const int sizes[] = {1, 3, 8, 20};
    check_rng r = {14};
    int took_then = 0, took_else = 0;
    (void)state;
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        struct ctx c = {sizes[s], 0, 0, NULL, NULL};
        double *x = zalloc(c.n);
        for (int p = 0; p < NPTS;) {
            check_fill_uniform(&r, x, c.n, -1.6, 1.6);
            int t = 0, e = 0;
            if (carried_margin(c.n, x, &t, &e) < 1e-3)
                continue;
            took_then += t;
            took_else += e;
            check_vec_fd(v_carried, g_carried, &c, c.n, x);
            p++;
        }
        free(x);
    }
    assert_true(took_then > 10 && took_else > 10); /* both branches ran */
}

/* ---- loops that run zero times, NULL and overwritten gradients ---- */

static void test_empty_loops(void **state)
{
    double x[5] = {1, -2, 3, -4, 5}, g[6], gy;
    (void)state;
    /* lo > hi, lo == hi: every element written as 0 */
    check_fill_garbage(g, 6);
    assert_same(empty_range_grad(3, 1, x, g), 0.0);
    assert_all_same(g, 5, 0.0);
    assert_same(g[5], CHECK_GARBAGE); /* nothing beyond the array */
    check_fill_garbage(g, 5);
    assert_same(empty_range_grad(2, 2, x, g), 0.0);
    assert_all_same(g, 5, 0.0);
    /* part of the array */
    check_fill_garbage(g, 5);
    assert_same(empty_range_grad(1, 3, x, g), 13.0);
    assert_same(g[0], 0.0);
    assert_same(g[1], -4.0);
    assert_same(g[2], 6.0);
    assert_same(g[3], 0.0);
    assert_same(g[4], 0.0);
    /* for i in 3..1 with literal bounds */
    check_fill_garbage(g, 3);
    gy = CHECK_GARBAGE;
    assert_same(fixed_empty_grad(x, 2.5, g, &gy), 2.5);
    assert_all_same(g, 3, 0.0);
    assert_same(gy, 1.0);

    /* n = 0: nothing to write, and nothing written */
    check_fill_garbage(g, 6);
    assert_same(dot_grad(0, x, x, g, g + 3), 0.0);
    assert_same(ext_rosen_grad(0, x, g), 0.0);
    assert_same(prod_grad(0, x, g), 1.0);
    assert_same(quad_form_grad(0, x, x, g, g + 3), 0.0);
    assert_same(stencil_grad(0, x, g), 0.0);
    assert_same(sin_rep_grad(0, 3, x, g), 0.0);
    assert_same(tri_solve_grad(0, x, x, g, g), 0.0);
    assert_same(carried_if_grad(0, x, g), 0.0);
    assert_all_same(g, 6, CHECK_GARBAGE);
    /* m = 0 in A[0][k] B[k][n]: A has no element, B's gradient is 0 */
    double gB[4];
    check_fill_garbage(gB, 4);
    assert_same(matmul_loss_grad(0, 2, 2, x, x, g, gB), 0.0);
    assert_all_same(g, 6, CHECK_GARBAGE);
    assert_all_same(gB, 4, 0.0);
    /* k = 0 in A[m][0] B[0][n]: C = 0, B's gradient has no element, A's neither */
    assert_same(matmul_loss_grad(2, 0, 2, x, x, g, g + 3), 0.0);
    assert_all_same(g, 6, CHECK_GARBAGE);
    /* an inner loop that runs zero times: m = 2, k = 2, n = 0 */
    check_fill_garbage(g, 6);
    assert_same(matmul_loss_grad(2, 2, 0, x, x, g, g + 4), 0.0);
    assert_all_same(g, 4, 0.0);
    assert_same(g[4], CHECK_GARBAGE);
    /* mlp2 with n = 0 inputs: the layers see only their biases */
    double b[2] = {0.3, -0.2}, W2[4] = {0.5, -1, 0.25, 2}, gb1[2], gb2[2], gW2[4];
    double gW1[1] = {CHECK_GARBAGE}, gx[1] = {CHECK_GARBAGE};
    check_fill_garbage(gb1, 2);
    mlp2_grad(0, 2, x, b, W2, b, x, gW1, gb1, gW2, gb2, gx);
    assert_same(gW1[0], CHECK_GARBAGE);
    assert_same(gx[0], CHECK_GARBAGE);
    assert_true(gb1[0] != CHECK_GARBAGE && gb1[1] != CHECK_GARBAGE);
}

static void test_null_gradients(void **state)
{
    enum { N = 5 };
    double x[N], y[N], A[N * N], gx[N], gy[N], gA[N * N], hx[N], hA[N * N];
    check_rng r = {15};
    (void)state;
    check_fill_uniform(&r, x, N, -2, 2);
    check_fill_uniform(&r, y, N, -2, 2);
    check_fill_uniform(&r, A, N * N, -2, 2);

    double v = dot(N, x, y);
    assert_same(dot_grad(N, x, y, NULL, NULL), v);
    check_fill_garbage(gy, N);
    assert_same(dot_grad(N, x, y, NULL, gy), v);
    for (int i = 0; i < N; i++)
        assert_same(gy[i], x[i]);
    check_fill_garbage(gx, N);
    assert_same(dot_grad(N, x, y, gx, NULL), v);
    for (int i = 0; i < N; i++)
        assert_same(gx[i], y[i]);

    /* each NULL alone leaves the other gradient as it is with both */
    quad_form_grad(N, x, A, gx, gA);
    check_fill_garbage(hx, N);
    quad_form_grad(N, x, A, hx, NULL);
    for (int i = 0; i < N; i++)
        assert_same(hx[i], gx[i]);
    check_fill_garbage(hA, N * N);
    quad_form_grad(N, x, A, NULL, hA);
    for (int i = 0; i < N * N; i++)
        assert_same(hA[i], gA[i]);
    assert_same(quad_form_grad(N, x, A, NULL, NULL), quad_form(N, x, A));

    assert_same(ext_rosen_grad(N, x, NULL), ext_rosen(N, x));
    double gr;
    logmap_grad(30, 2.9, 0.4, &gr, NULL);
    double gr2, gx0;
    logmap_grad(30, 2.9, 0.4, &gr2, &gx0);
    assert_same(gr, gr2);

    /* mlp2 with only the gradient of x asked for */
    double W1[6], b1[2], W2[4], b2[2], xs[3], g[6 + 2 + 4 + 2 + 3], hx3[3];
    check_fill_uniform(&r, W1, 6, -1, 1);
    check_fill_uniform(&r, b1, 2, -1, 1);
    check_fill_uniform(&r, W2, 4, -1, 1);
    check_fill_uniform(&r, b2, 2, -1, 1);
    check_fill_uniform(&r, xs, 3, -1, 1);
    mlp2_grad(3, 2, W1, b1, W2, b2, xs, g, g + 6, g + 8, g + 12, g + 14);
    check_fill_garbage(hx3, 3);
    assert_same(mlp2_grad(3, 2, W1, b1, W2, b2, xs, NULL, NULL, NULL, NULL, hx3),
                mlp2(3, 2, W1, b1, W2, b2, xs));
    for (int i = 0; i < 3; i++)
        assert_same(hx3[i], g[14 + i]);
}

static void test_overwritten(void **state)
{
    enum { N = 6 };
    double x[N], y[N], gx[N], gy[N], fx[N], fy[N];
    check_rng r = {16};
    (void)state;
    check_fill_uniform(&r, x, N, -2, 2);
    check_fill_uniform(&r, y, N, -2, 2);
    /* a fresh call into garbage, then into the result of another call */
    check_fill_garbage(fx, N);
    check_fill_garbage(fy, N);
    dot_grad(N, x, y, fx, fy);
    for (int i = 0; i < N; i++)
        gx[i] = gy[i] = 1e30;
    dot_grad(N, x, y, gx, gy);
    dot_grad(N, x, y, gx, gy);
    for (int i = 0; i < N; i++) {
        assert_same(gx[i], fx[i]);
        assert_same(gy[i], fy[i]);
    }
    /* through a tape, and through a called function's reverse */
    ext_rosen_grad(N, x, fx);
    prod_grad(N, y, gx);
    prod_grad(N, x, gx);
    prod_grad(N, x, fy);
    for (int i = 0; i < N; i++)
        assert_same(gx[i], fy[i]);
    double W[6], b[2], g1[6 + 2 + 3], g2[6 + 2 + 3], ys[2], w[2] = {0.7, -1.3};
    check_fill_uniform(&r, W, 6, -1, 1);
    check_fill_uniform(&r, b, 2, -1, 1);
    layer_dot_grad(3, 2, W, b, x, w, g1, g1 + 6, g1 + 8);
    layer_dot_grad(3, 2, W, b, x, w, g1, g1 + 6, g1 + 8);
    check_fill_garbage(g2, 11);
    layer_dot_grad(3, 2, W, b, x, w, g2, g2 + 6, g2 + 8);
    for (int i = 0; i < 11; i++)
        assert_same(g1[i], g2[i]);
    layer_vjp(3, 2, W, b, x, ys, w, g1, g1 + 6, g1 + 8);
    layer_vjp(3, 2, W, b, x, ys, w, g1, g1 + 6, g1 + 8);
    for (int i = 0; i < 11; i++)
        assert_same(g1[i], g2[i]);
    /* a scalar gradient: *g_y is assigned, not added to */
    double gy1 = 100;
    fixed_empty_grad(x, 1.5, NULL, &gy1);
    fixed_empty_grad(x, 1.5, NULL, &gy1);
    assert_same(gy1, 1.0);
}

/* ---- values carried around a loop through local arrays ---- */

static double v_array_carry(const void *c, const double *z)
{
    const struct ctx *d = c;
    return array_carry(d->n, d->m, z, z[d->n]);
}

static double g_array_carry(const void *c, const double *z, double *g)
{
    const struct ctx *d = c;
    return array_carry_grad(d->n, d->m, z, z[d->n], g, &g[d->n]);
}

static void test_loop_carried_arrays(void **state)
{
    /* {n, T}: T = 0 and 1 have no back edge to cross */
    static const int dims[][2] = {{1, 0}, {1, 1}, {1, 2}, {3, 1}, {3, 2}, {5, 4}};
    check_rng r = {19};
    double gx, gy;
    (void)state;
    /* carry1 = x y^2 */
    assert_close(carry1_grad(3, 2, &gx, &gy), 12, 1e-15, 0);
    assert_close(gx, 4, 1e-15, 0);
    assert_close(gy, 12, 1e-15, 0);
    for (size_t s = 0; s < sizeof dims / sizeof dims[0]; s++) {
        struct ctx c = {dims[s][0], dims[s][1], 0, NULL, NULL};
        double z[6];
        for (int p = 0; p < NPTS; p++) {
            check_fill_uniform(&r, z, c.n + 1, -1.2, 1.2);
            check_vec_fd(v_array_carry, g_array_carry, &c, c.n + 1, z);
        }
    }
}

/* f_grad returns the value of f, also when the variable it returns is one
 * that the reverse sweep restores from the tape (a running product, a
 * recurrence, a value carried through a branch), and with NULL gradients. */
static void test_grad_value(void **state)
{
    enum { N = 7 };
    double x[N], g[N], gr, gx;
    check_rng r = {18};
    (void)state;
    check_fill_uniform(&r, x, N, -1.5, 1.5);
    assert_same(prod_grad(N, x, g), prod(N, x));
    assert_same(prod_grad(N, x, NULL), prod(N, x));
    double one[1] = {-4.5};
    assert_same(prod_grad(1, one, g), -4.5);
    assert_same(logmap_grad(30, 2.9, 0.4, &gr, &gx), logmap(30, 2.9, 0.4));
    assert_same(logmap_grad(30, 2.9, 0.4, NULL, NULL), logmap(30, 2.9, 0.4));
    assert_close(logmap_grad(1, 2.9, 0.3, &gr, &gx), 2.9 * 0.3 * 0.7, 1e-15, 0);
    assert_same(carried_if_grad(N, x, g), carried_if(N, x));
    assert_same(sin_rep_grad(N, 3, x, g), sin_rep(N, 3, x));
    assert_same(stencil_grad(N, x, g), stencil(N, x));
    assert_same(lse_grad(N, x, g), lse(N, x));
}

/* int_const_grad(n, c, x, k, z, g_x, g_z): no gradient for n, c, k. That it
 * compiles with these arguments is half of the test. */
static double v_int_const(const void *c, const double *z)
{
    const struct ctx *d = c;
    return int_const(d->n, d->c1, z, d->c2[0], z[d->n]);
}

static double g_int_const(const void *c, const double *z, double *g)
{
    const struct ctx *d = c;
    return int_const_grad(d->n, d->c1, z, d->c2[0], z[d->n], g, &g[d->n]);
}

static void test_int_const(void **state)
{
    enum { N = 4 };
    double cdat[N], k[1], z[N + 1], g[N + 1];
    check_rng r = {17};
    struct ctx c = {N, 0, 0, cdat, k};
    (void)state;
    for (int p = 0; p < NPTS; p++) {
        check_fill_uniform(&r, cdat, N, -2, 2);
        k[0] = check_uniform(&r, -2, 2);
        check_fill_uniform(&r, z, N + 1, -2, 2);
        check_vec_fd(v_int_const, g_int_const, &c, N + 1, z);
        g_int_const(&c, z, g);
        double gz = 0;
        for (int i = 0; i < N; i++) {
            assert_close(g[i], 2 * cdat[i] * z[i] + k[0] * z[N], 1e-15, 1e-15);
            gz += k[0] * z[i];
        }
        assert_close(g[N], gz, 1e-14, 1e-15);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dot),
        cmocka_unit_test(test_ext_rosen),
        cmocka_unit_test(test_quad_form),
        cmocka_unit_test(test_stencil),
        cmocka_unit_test(test_prod),
        cmocka_unit_test(test_lse),
        cmocka_unit_test(test_logmap),
        cmocka_unit_test(test_mlp2),
        cmocka_unit_test(test_layer_vjp),
        cmocka_unit_test(test_hinge),
        cmocka_unit_test(test_sin_rep),
        cmocka_unit_test(test_tri_solve),
        cmocka_unit_test(test_matmul),
        cmocka_unit_test(test_carried_if),
        cmocka_unit_test(test_loop_carried_arrays),
        cmocka_unit_test(test_empty_loops),
        cmocka_unit_test(test_null_gradients),
        cmocka_unit_test(test_overwritten),
        cmocka_unit_test(test_grad_value),
        cmocka_unit_test(test_int_const),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
