/* Shared helpers of the numeric tests: assert_close (tests/common, shared
 * with the unit tests), assert_same, and a central finite-difference oracle
 * for the gradients that gradc generates. Include after <cmocka.h>. */
#ifndef GRADC_TESTS_NUMERIC_CHECK_H
#define GRADC_TESTS_NUMERIC_CHECK_H

#include <float.h>
#include <math.h>
#include <stdio.h>

#include "assert_close.h"

/* Tolerances of the finite-difference check. The central difference with
 * h = cbrt(eps) * max(1, |x|) has a truncation error of about h^2 |f'''| / 6
 * and a rounding error of about eps |f| / h, both ~1e-11 relative for the
 * smooth functions and points used here; 1e-6 leaves room for the rest. */
#define CHECK_FD_REL 1e-6
#define CHECK_FD_ABS 1e-8

/* The most inputs of a function checked through the adapters. */
#define CHECK_MAXN 16

/* The interface the checker sees: f(x) and f_grad(x, g), x and g of length n.
 * Each driver wraps the generated functions in adapters of these types. */
typedef double (*check_value_fn)(const double *x);
typedef double (*check_grad_fn)(const double *x, double *g);

/* Exact equality for the conventions of LANGUAGE.md section 5, where the
 * result is fixed, not approximate: a == b, or both NaN. */
static inline void check_same_at(double a, double b, const char *sa, const char *sb,
                                 const char *file, int line)
{
    if (a == b || (isnan(a) && isnan(b)))
        return;
    print_error("%s = %.17g, expected exactly %s = %.17g\n", sa, a, sb, b);
    _fail(file, line);
}

#define assert_same(a, b) check_same_at((a), (b), #a, #b, __FILE__, __LINE__)

static inline void check_print_point(const char *name, int n, const double *x)
{
    print_error("%s(", name);
    for (int i = 0; i < n; i++)
        print_error("%s%.17g", i ? ", " : "", x[i]);
    print_error(")");
}

/* Checks fg against f at x: the value fg returns equals f(x), and each
 * partial derivative agrees with the central difference of f within
 * CHECK_FD_REL relative plus CHECK_FD_ABS * (1 + |f(x)|) absolute. The
 * gradient buffer starts as NaN garbage, so every output must be written. */
static inline void check_gradient_at(const char *name, check_value_fn f, check_grad_fn fg,
                                     int n, const double *x0, const char *file, int line)
{
    double x[CHECK_MAXN], g[CHECK_MAXN];
    int bad = 0;

    if (n > CHECK_MAXN) {
        print_error("%s: %d inputs, the checker takes at most %d\n", name, n, CHECK_MAXN);
        _fail(file, line);
    }
    for (int i = 0; i < n; i++) {
        x[i] = x0[i];
        g[i] = NAN;
    }
    double v = f(x);
    double vg = fg(x, g);
    if (!close_within(vg, v, 4 * DBL_EPSILON, 0)) {
        check_print_point(name, n, x0);
        print_error(": f_grad returns %.17g, f returns %.17g\n", vg, v);
        bad = 1;
    }
    for (int i = 0; i < n; i++) {
        /* volatile: the step actually taken is the difference of two doubles */
        volatile double xp = x0[i] + cbrt(DBL_EPSILON) * fmax(1.0, fabs(x0[i]));
        volatile double xm = x0[i] - cbrt(DBL_EPSILON) * fmax(1.0, fabs(x0[i]));
        x[i] = xp;
        double fp = f(x);
        x[i] = xm;
        double fm = f(x);
        x[i] = x0[i];
        double fd = (fp - fm) / (xp - xm);
        if (!close_within(g[i], fd, CHECK_FD_REL, CHECK_FD_ABS * (1.0 + fabs(v)))) {
            check_print_point(name, n, x0);
            print_error(": d/dx%d is %.17g, central difference %.17g (|difference| %.3g)\n",
                        i, g[i], fd, fabs(g[i] - fd));
            bad = 1;
        }
    }
    if (bad)
        _fail(file, line);
}

/* check_gradient_at at each of npts points, stored row after row in pts. */
static inline void check_gradient_points(const char *name, check_value_fn f, check_grad_fn fg,
                                         int n, const double *pts, int npts,
                                         const char *file, int line)
{
    for (int p = 0; p < npts; p++)
        check_gradient_at(name, f, fg, n, pts + p * n, file, line);
}

/* Adapters from generated functions of 1 to 6 scalar inputs to the
 * interfaces above: CHECK_WRAPn(f) defines check_v_f and check_g_f (inline,
 * so that an unused one does not warn). Write them without a trailing
 * semicolon (ISO C has no empty file-scope declaration). */
#define CHECK_WRAP1(f) \
    static inline double check_v_##f(const double *x) { return f(x[0]); } \
    static inline double check_g_##f(const double *x, double *g) { return f##_grad(x[0], &g[0]); }
#define CHECK_WRAP2(f) \
    static inline double check_v_##f(const double *x) { return f(x[0], x[1]); } \
    static inline double check_g_##f(const double *x, double *g) \
    { return f##_grad(x[0], x[1], &g[0], &g[1]); }
#define CHECK_WRAP3(f) \
    static inline double check_v_##f(const double *x) { return f(x[0], x[1], x[2]); } \
    static inline double check_g_##f(const double *x, double *g) \
    { return f##_grad(x[0], x[1], x[2], &g[0], &g[1], &g[2]); }
#define CHECK_WRAP4(f) \
    static inline double check_v_##f(const double *x) { return f(x[0], x[1], x[2], x[3]); } \
    static inline double check_g_##f(const double *x, double *g) \
    { return f##_grad(x[0], x[1], x[2], x[3], &g[0], &g[1], &g[2], &g[3]); }
#define CHECK_WRAP5(f) \
    static inline double check_v_##f(const double *x) { return f(x[0], x[1], x[2], x[3], x[4]); } \
    static inline double check_g_##f(const double *x, double *g) \
    { return f##_grad(x[0], x[1], x[2], x[3], x[4], &g[0], &g[1], &g[2], &g[3], &g[4]); }
#define CHECK_WRAP6(f) \
    static inline double check_v_##f(const double *x) { return f(x[0], x[1], x[2], x[3], x[4], x[5]); } \
    static inline double check_g_##f(const double *x, double *g) \
    { return f##_grad(x[0], x[1], x[2], x[3], x[4], x[5], \
                      &g[0], &g[1], &g[2], &g[3], &g[4], &g[5]); }

/* check_fd(f, pts): the FD check of a wrapped f at the points of the 2-D
 * array pts (one row per point, one column per input). */
#define check_fd(f, pts) \
    check_gradient_points(#f, check_v_##f, check_g_##f, \
                          (int)(sizeof(pts[0]) / sizeof(pts[0][0])), &pts[0][0], \
                          (int)(sizeof(pts) / sizeof(pts[0])), __FILE__, __LINE__)

#endif
