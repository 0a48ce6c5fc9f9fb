/* Helpers of the numeric tests for functions with array parameters: a seeded
 * random generator for test points, and a central finite-difference check
 * of a gradient over any number of inputs, packed into one vector. Builds on
 * check.h (tolerances, assert_close); include after <cmocka.h>. */
#ifndef GRADC_TESTS_NUMERIC_CHECK_ARRAY_H
#define GRADC_TESTS_NUMERIC_CHECK_ARRAY_H

#include <stdint.h>
#include <stdlib.h>

#include "check.h"

/* splitmix64: small, seeded, the same sequence on every platform, so a
 * failing point can be reproduced from the seed. */
typedef struct check_rng {
    uint64_t s;
} check_rng;

static inline uint64_t check_rng_next(check_rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

/* uniform in [lo, hi) */
static inline double check_uniform(check_rng *r, double lo, double hi)
{
    return lo + (hi - lo) * ((double)(check_rng_next(r) >> 11) * 0x1.0p-53);
}

static inline void check_fill_uniform(check_rng *r, double *a, int n, double lo, double hi)
{
    for (int i = 0; i < n; i++)
        a[i] = check_uniform(r, lo, hi);
}

/* Fills a with a value no gradient can be: outputs that a function must
 * write are pre-filled with it, so an unwritten one shows. */
#define CHECK_GARBAGE (-12345.678)

static inline void check_fill_garbage(double *a, int n)
{
    for (int i = 0; i < n; i++)
        a[i] = CHECK_GARBAGE;
}

/* The interface the vector checker sees: every real input that the
 * gradient covers, packed into z[0..n), and whatever else the call needs
 * (ints, const data, sizes) behind ctx. The gradient g has the packing of z. */
typedef double (*check_vec_value_fn)(const void *ctx, const double *z);
typedef double (*check_vec_grad_fn)(const void *ctx, const double *z, double *g);

static inline void *check_xmalloc(size_t n, const char *file, int line)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        print_error("out of memory in the test\n");
        _fail(file, line);
    }
    return p;
}

/* Checks fg against f at z0, as check_gradient_at does: fg returns f(z0)
 * (within 4 ulp), writes every element of g (pre-filled with garbage), and
 * each element agrees with the central difference of f within rel relative
 * plus abs_tol * (1 + |f(z0)|) absolute. Reports at most a few elements. */
static inline void check_vec_gradient_at(const char *name, check_vec_value_fn f,
                                         check_vec_grad_fn fg, const void *ctx, int n,
                                         const double *z0, double rel, double abs_tol,
                                         const char *file, int line)
{
    double *z = check_xmalloc(sizeof(double) * (size_t)n, file, line);
    double *g = check_xmalloc(sizeof(double) * (size_t)n, file, line);
    int bad = 0;

    for (int i = 0; i < n; i++) {
        z[i] = z0[i];
        g[i] = CHECK_GARBAGE;
    }
    double v = f(ctx, z);
    double vg = fg(ctx, z, g);
    if (!close_within(vg, v, 4 * DBL_EPSILON, 0)) {
        print_error("%s: the gradient function returns %.17g, the function %.17g\n", name, vg, v);
        bad++;
    }
    for (int i = 0; i < n; i++) {
        volatile double zp = z0[i] + cbrt(DBL_EPSILON) * fmax(1.0, fabs(z0[i]));
        volatile double zm = z0[i] - cbrt(DBL_EPSILON) * fmax(1.0, fabs(z0[i]));
        z[i] = zp;
        double fp = f(ctx, z);
        z[i] = zm;
        double fm = f(ctx, z);
        z[i] = z0[i];
        double fd = (fp - fm) / (zp - zm);
        if (!close_within(g[i], fd, rel, abs_tol * (1.0 + fabs(v)))) {
            if (bad < 8)
                print_error("%s: input %d (of %d) at %.17g: derivative %.17g, central "
                            "difference %.17g (|difference| %.3g)\n",
                            name, i, n, z0[i], g[i], fd, fabs(g[i] - fd));
            bad++;
        }
    }
    free(z);
    free(g);
    if (bad) {
        print_error("%s: %d disagreement(s)\n", name, bad);
        _fail(file, line);
    }
}

/* check_vec_fd(f, fg, ctx, n, z): the check with the tolerances of check.h */
#define check_vec_fd(f, fg, ctx, n, z) \
    check_vec_gradient_at(#f, (f), (fg), (ctx), (n), (z), CHECK_FD_REL, CHECK_FD_ABS, \
                          __FILE__, __LINE__)
#define check_vec_fd_tol(f, fg, ctx, n, z, rel, abs_tol) \
    check_vec_gradient_at(#f, (f), (fg), (ctx), (n), (z), (rel), (abs_tol), __FILE__, __LINE__)

/* Every element of a is exactly v (NaN matches NaN). */
#define assert_all_same(a, n, v) \
    do { \
        for (int check_i_ = 0; check_i_ < (n); check_i_++) \
            check_same_at((a)[check_i_], (v), #a "[i]", #v, __FILE__, __LINE__); \
    } while (0)

#endif
