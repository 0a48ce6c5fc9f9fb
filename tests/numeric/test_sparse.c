/* Sparse Jacobians and Hessians (LANGUAGE.md section 6): f_jac_nnz,
 * f_jac_sparse, f_hess_nnz, f_hess_sparse of the structured problems of
 * sparse.fn. Each expected pattern is built here by hand from the
 * structure of the program (not by gradc), and the routines are checked
 * against it:
 *   - nnz is the expected count; rows/cols are the expected entries, sorted
 *     by row then column, without duplicates (Hessian: row >= col only),
 *     the buffers untouched beyond nnz;
 *   - vals equal the dense f_jac / f_hess entries (1e-10 relative), and the
 *     dense entries outside the pattern are exactly 0;
 *   - vals agree with central differences of the outputs (Jacobian) or of
 *     f_grad's gradient (Hessian); outside the pattern the differences are
 *     0 (so the expected pattern does cover the true one);
 *   - rows = cols = NULL gives the same vals; vals = NULL the same rows and
 *     cols; the outputs (value, gradient) are f's (f_grad's) every time;
 *     a NULL gradient skips only the gradient.
 * Sizes cross the 64-column chunks of the implementation (N = 65, 130). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sparse.h"
#include "check.h"

/* Tolerances: vals against the dense routines; values, outputs and
 * gradients of the sparse routines against f's and f_grad's; central
 * differences (h = cbrt(eps) max(1, |x|)), relative and absolute (the
 * latter times 1 + the largest output or gradient entry). */
#define VALS_REL 1e-10
#define SAME_REL 1e-13
#define FD_REL 1e-6
#define FD_ABS 1e-8

/* Entries past nnz that must stay untouched; how many mismatches a check
 * prints before it stops listing. */
#define GUARD 8
#define SENTINEL_INT (-7777)
#define SENTINEL_VAL 12345.678
#ifndef MAX_REPORTS
#define MAX_REPORTS 12
#endif

/* The arguments besides the real inputs: sizes, int tables, const data. */
typedef struct Args {
    int n, m;
    const int *i1, *i2;
    double c;
    const double *cv;
} Args;

/* ------------------------------------------------------------------ helpers */

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

/* uniform in [lo, hi), from a fixed LCG: the same points every run */
static double uniform(double lo, double hi)
{
    rng_state = rng_state * 6364136223846793005u + 1442695040888963407u;
    return lo + (hi - lo) * (double)(rng_state >> 11) / 9007199254740992.0;
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    assert_non_null(p);
    return p;
}

/* Memory that a test hands to check_jac or check_hess (patterns, const
 * data): freed when the check ends, also when it fails (cmocka leaves the
 * test by longjmp). */
static void *owned[4];
static int nowned;

static void *own(void *p)
{
    assert_true(nowned < (int)(sizeof owned / sizeof owned[0]));
    owned[nowned++] = p;
    return p;
}

static void release(void)
{
    while (nowned > 0)
        free(owned[--nowned]);
}

static int failures;

/* One mismatch: printed (up to MAX_REPORTS per check), counted. */
static void report(const char *label, const char *fmt, ...)
{
    if (failures++ < MAX_REPORTS) {
        va_list ap;
        char msg[400];
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        print_error("%s: %s\n", label, msg);
    } else if (failures == MAX_REPORTS + 1) {
        print_error("%s: (further mismatches not listed)\n", label);
    }
}

static double max_abs(const double *v, int n)
{
    double m = 0;
    for (int i = 0; i < n; i++)
        m = fmax(m, fabs(v[i]));
    return m;
}

static double fd_step(double x)
{
    return cbrt(DBL_EPSILON) * fmax(1.0, fabs(x));
}

/* The expected triplets of a pattern (M x N, row-major): returns the count,
 * writes rows and cols if not NULL. Lower: only row >= col. */
static int pattern_list(const unsigned char *pat, int M, int N, int lower, int *rows, int *cols)
{
    int k = 0;
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N && (!lower || j <= i); j++)
            if (pat[(size_t)i * N + j]) {
                if (rows) {
                    rows[k] = i;
                    cols[k] = j;
                }
                k++;
            }
    return k;
}

/* Compares the triplet list (rows, cols) of length nnz that a sparse
 * routine gave with the expected pattern: sorted by row then column, no
 * duplicates, in range, row >= col if lower, the same entries. Lists the
 * missing and extra entries with the dense value D there. Fills pos (M x N)
 * with the index of each entry in the list, -1 elsewhere. */
static void compare_lists(const char *label, const unsigned char *pat, int M, int N, int lower,
                          const int *rows, const int *cols, int nnz, const double *D, int *pos)
{
    for (size_t e = 0; e < (size_t)M * N; e++)
        pos[e] = -1;
    for (int k = 0; k < nnz; k++) {
        int i = rows[k], j = cols[k];
        if (i < 0 || i >= M || j < 0 || j >= N) {
            report(label, "entry %d is (%d, %d), out of range %d x %d", k, i, j, M, N);
            continue;
        }
        if (lower && j > i)
            report(label, "entry %d is (%d, %d), above the diagonal", k, i, j);
        if (k > 0 && !(rows[k - 1] < i || (rows[k - 1] == i && cols[k - 1] < j)))
            report(label, "entry %d (%d, %d) does not follow entry %d (%d, %d) in order%s", k, i, j,
                   k - 1, rows[k - 1], cols[k - 1],
                   rows[k - 1] == i && cols[k - 1] == j ? " (duplicate)" : "");
        if (pos[(size_t)i * N + j] < 0)
            pos[(size_t)i * N + j] = k;
        if (!pat[(size_t)i * N + j] || (lower && j > i))
            report(label, "extra entry (%d, %d) (dense value %.17g)", i, j,
                   D ? D[(size_t)i * N + j] : NAN);
    }
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N && (!lower || j <= i); j++)
            if (pat[(size_t)i * N + j] && pos[(size_t)i * N + j] < 0)
                report(label, "missing entry (%d, %d) (dense value %.17g)", i, j,
                       D ? D[(size_t)i * N + j] : NAN);
}

static void check_guards(const char *label, const int *rows, const int *cols, const double *vals,
                         int from, int to)
{
    for (int k = from; k < to; k++) {
        if (rows && rows[k] != SENTINEL_INT)
            report(label, "rows[%d] written past nnz = %d", k, from);
        if (cols && cols[k] != SENTINEL_INT)
            report(label, "cols[%d] written past nnz = %d", k, from);
        if (vals && vals[k] != SENTINEL_VAL)
            report(label, "vals[%d] written past nnz = %d", k, from);
    }
}

static void fill_sentinels(int *rows, int *cols, double *vals, int cap)
{
    for (int k = 0; k < cap; k++) {
        rows[k] = cols[k] = SENTINEL_INT;
        vals[k] = SENTINEL_VAL;
    }
}

static void fill_nan(double *v, int n)
{
    for (int i = 0; i < n; i++)
        v[i] = NAN;
}

/* got (length n) against want, SAME_REL relative to the largest of want */
static void same_vector(const char *label, const char *what, const double *got, const double *want,
                        int n)
{
    double scale = max_abs(want, n);
    for (int i = 0; i < n; i++)
        if (!close_within(got[i], want[i], SAME_REL, SAME_REL * scale))
            report(label, "%s[%d] = %.17g, expected %.17g", what, i, got[i], want[i]);
}

/* --------------------------------------------------------------- Jacobians */

typedef struct JacFns {
    const char *name;
    void (*f)(const Args *, const double *x, double *y);
    void (*jac)(const Args *, const double *x, double *y, double *J);
    int (*nnz)(const Args *, const double *x, double *y);
    void (*sparse)(const Args *, const double *x, double *y, int *rows, int *cols, double *vals);
} JacFns;

/* JAC_ADAPT(f, arguments...): adapters of f, f_jac, f_jac_nnz and
 * f_jac_sparse to JacFns, the arguments written with a (Args), x (the real
 * inputs, concatenated) and y (the outputs). */
#define JAC_ADAPT(fn, ...) \
    static void fn##_F(const Args *a, const double *x, double *y) \
    { (void)a; fn(__VA_ARGS__); } \
    static void fn##_J(const Args *a, const double *x, double *y, double *J) \
    { (void)a; fn##_jac(__VA_ARGS__, J); } \
    static int fn##_Z(const Args *a, const double *x, double *y) \
    { (void)a; return fn##_jac_nnz(__VA_ARGS__); } \
    static void fn##_S(const Args *a, const double *x, double *y, int *rows, int *cols, \
                       double *vals) \
    { (void)a; fn##_jac_sparse(__VA_ARGS__, rows, cols, vals); } \
    static const JacFns fn##_fns = {#fn, fn##_F, fn##_J, fn##_Z, fn##_S};

JAC_ADAPT(bratu, a->n, x, a->c, y)
JAC_ADAPT(burgers, a->n, x, a->c, y)
JAC_ADAPT(pendulum, a->n, x, x + 2, a->c, y)
JAC_ADAPT(scatter, a->m, a->n, a->i1, a->i2, x, y)
JAC_ADAPT(assemble, a->m, a->n, a->i1, x, y)
JAC_ADAPT(branchy, x, y)
JAC_ADAPT(relax, a->n, x, y)
JAC_ADAPT(cons, a->n, x, y)

/* Every check of the file's header comment for one Jacobian at one point
 * x0 (N inputs), M outputs, expected pattern pat (M x N). */
static void check_jac_at(const char *label, const JacFns *fns, const Args *a, int M, int N,
                         const unsigned char *pat, const double *x0)
{
    int nexp = pattern_list(pat, M, N, 0, NULL, NULL);
    double *x = xmalloc(sizeof(double) * N);
    double *yf = xmalloc(sizeof(double) * M), *y = xmalloc(sizeof(double) * M);
    double *yp = xmalloc(sizeof(double) * M), *ym = xmalloc(sizeof(double) * M);
    double *J = xmalloc(sizeof(double) * M * N);
    int *pos = xmalloc(sizeof(int) * M * N);
    memcpy(x, x0, sizeof(double) * N);

    fill_nan(yf, M);
    fns->f(a, x, yf);
    double yscale = max_abs(yf, M);

    fill_nan(y, M);
    fns->jac(a, x, y, J);
    same_vector(label, "f_jac output", y, yf, M);

    /* the expected pattern covers every nonzero of the dense J */
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++)
            if (!pat[(size_t)i * N + j] && J[(size_t)i * N + j] != 0)
                report(label, "TEST: f_jac's J[%d][%d] = %.17g outside the expected pattern", i,
                       j, J[(size_t)i * N + j]);

    int nnz = fns->nnz(a, x, y);
    if (nnz != nexp)
        report(label, "f_jac_nnz = %d, expected %d", nnz, nexp);
    if (nnz < 0) {
        print_error("%s: f_jac_nnz < 0: cannot go on\n", label);
        _fail(__FILE__, __LINE__);
    }
    int cap = (nnz > nexp ? nnz : nexp) + GUARD;
    int *rows = xmalloc(sizeof(int) * cap), *cols = xmalloc(sizeof(int) * cap);
    double *vals = xmalloc(sizeof(double) * cap);
    fill_sentinels(rows, cols, vals, cap);
    fill_nan(y, M);
    fns->sparse(a, x, y, rows, cols, vals);
    same_vector(label, "f_jac_sparse output", y, yf, M);
    check_guards(label, rows, cols, vals, nnz, cap);
    compare_lists(label, pat, M, N, 0, rows, cols, nnz, J, pos);

    double Jscale = max_abs(J, M * N);
    for (int k = 0; k < nnz; k++) {
        if (rows[k] < 0 || rows[k] >= M || cols[k] < 0 || cols[k] >= N)
            continue;
        double d = J[(size_t)rows[k] * N + cols[k]];
        if (!close_within(vals[k], d, VALS_REL, 1e-14 * Jscale))
            report(label, "vals[%d] at (%d, %d) = %.17g, f_jac gives %.17g", k, rows[k], cols[k],
                   vals[k], d);
    }

    /* central differences of the outputs, column by column */
    for (int j = 0; j < N; j++) {
        volatile double xp = x0[j] + fd_step(x0[j]), xm = x0[j] - fd_step(x0[j]);
        x[j] = xp;
        fns->f(a, x, yp);
        x[j] = xm;
        fns->f(a, x, ym);
        x[j] = x0[j];
        for (int i = 0; i < M; i++) {
            double fd = (yp[i] - ym[i]) / (xp - xm);
            int k = pos[(size_t)i * N + j];
            if (pat[(size_t)i * N + j]) {
                double v = k >= 0 ? vals[k] : J[(size_t)i * N + j];
                if (!close_within(v, fd, FD_REL, FD_ABS * (1 + yscale)))
                    report(label, "d y[%d] / d x[%d]: sparse %.17g, central difference %.17g", i,
                           j, v, fd);
            } else if (fd != 0) {
                report(label, "TEST: d y[%d] / d x[%d] has central difference %.17g outside "
                       "the expected pattern", i, j, fd);
            }
        }
    }

    /* rows = cols = NULL: the same vals */
    double *vals2 = xmalloc(sizeof(double) * cap);
    for (int k = 0; k < cap; k++)
        vals2[k] = SENTINEL_VAL;
    fill_nan(y, M);
    fns->sparse(a, x, y, NULL, NULL, vals2);
    same_vector(label, "f_jac_sparse (rows = cols = NULL) output", y, yf, M);
    check_guards(label, NULL, NULL, vals2, nnz, cap);
    for (int k = 0; k < nnz; k++)
        if (!(vals2[k] == vals[k] || (isnan(vals2[k]) && isnan(vals[k]))))
            report(label, "rows = cols = NULL: vals[%d] = %.17g, with rows and cols %.17g", k,
                   vals2[k], vals[k]);

    /* vals = NULL: the same rows and cols */
    int *rows2 = xmalloc(sizeof(int) * cap), *cols2 = xmalloc(sizeof(int) * cap);
    for (int k = 0; k < cap; k++)
        rows2[k] = cols2[k] = SENTINEL_INT;
    fill_nan(y, M);
    fns->sparse(a, x, y, rows2, cols2, NULL);
    same_vector(label, "f_jac_sparse (vals = NULL) output", y, yf, M);
    check_guards(label, rows2, cols2, NULL, nnz, cap);
    for (int k = 0; k < nnz; k++)
        if (rows2[k] != rows[k] || cols2[k] != cols[k])
            report(label, "vals = NULL: entry %d is (%d, %d), with vals (%d, %d)", k, rows2[k],
                   cols2[k], rows[k], cols[k]);

    /* rows alone */
    for (int k = 0; k < cap; k++)
        rows2[k] = SENTINEL_INT;
    fill_nan(y, M);
    fns->sparse(a, x, y, rows2, NULL, NULL);
    same_vector(label, "f_jac_sparse (cols = vals = NULL) output", y, yf, M);
    check_guards(label, rows2, NULL, NULL, nnz, cap);
    for (int k = 0; k < nnz; k++)
        if (rows2[k] != rows[k])
            report(label, "cols = vals = NULL: rows[%d] = %d, with cols and vals %d", k, rows2[k],
                   rows[k]);

    /* the pattern does not depend on the real inputs */
    for (int j = 0; j < N; j++)
        x[j] = 1e3 * (j % 3 - 1) + 0.25;
    int nnz2 = fns->nnz(a, x, y);
    if (nnz2 != nnz)
        report(label, "f_jac_nnz = %d at other real inputs, %d at the point", nnz2, nnz);

    free(x);
    free(yf);
    free(y);
    free(yp);
    free(ym);
    free(J);
    free(pos);
    free(rows);
    free(cols);
    free(vals);
    free(vals2);
    free(rows2);
    free(cols2);
}

/* check_jac_at at npts points, x uniform in [lo, hi); fails the test on any
 * mismatch. */
static void check_jac(const JacFns *fns, const Args *a, const char *what, int M, int N,
                      const unsigned char *pat, int npts, double lo, double hi)
{
    double *x = xmalloc(sizeof(double) * N);
    failures = 0;
    for (int p = 0; p < npts; p++) {
        char label[160];
        snprintf(label, sizeof label, "%s (%s, M = %d, N = %d), point %d", fns->name, what, M, N,
                 p);
        for (int j = 0; j < N; j++)
            x[j] = uniform(lo, hi);
        check_jac_at(label, fns, a, M, N, pat, x);
    }
    free(x);
    release();
    if (failures)
        fail_msg("%s (%s): %d mismatches", fns->name, what, failures);
}

static unsigned char *new_pattern(int M, int N)
{
    unsigned char *p = own(xmalloc((size_t)M * N));
    memset(p, 0, (size_t)M * N);
    return p;
}

/* tridiagonal n x n */
static unsigned char *tridiagonal(int n)
{
    unsigned char *p = new_pattern(n, n);
    for (int i = 0; i < n; i++)
        for (int j = i - 1; j <= i + 1; j++)
            if (j >= 0 && j < n)
                p[(size_t)i * n + j] = 1;
    return p;
}

static const int pde_sizes[] = {1, 2, 3, 63, 64, 65, 130};

static void test_bratu(void **state)
{
    (void)state;
    for (size_t s = 0; s < sizeof pde_sizes / sizeof pde_sizes[0]; s++) {
        int n = pde_sizes[s];
        Args a = {.n = n, .c = 0.8};
        unsigned char *p = tridiagonal(n);
        assert_int_equal(pattern_list(p, n, n, 0, NULL, NULL), 3 * n - 2);
        char what[32];
        snprintf(what, sizeof what, "n = %d", n);
        check_jac(&bratu_fns, &a, what, n, n, p, 3, -1, 1);
    }
}

static void test_burgers(void **state)
{
    (void)state;
    for (size_t s = 0; s < sizeof pde_sizes / sizeof pde_sizes[0]; s++) {
        int n = pde_sizes[s];
        Args a = {.n = n, .c = 0.05};
        unsigned char *p = tridiagonal(n);
        char what[32];
        snprintf(what, sizeof what, "n = %d", n);
        check_jac(&burgers_fns, &a, what, n, n, p, 3, -1, 1);
    }
}

/* Rows 2t (angle) and 2t + 1 (velocity) after step t; columns y0[0],
 * y0[1], then u[s] at 2 + s. */
static void test_pendulum(void **state)
{
    static const int steps[] = {1, 2, 5, 31, 62, 63, 70};
    (void)state;
    for (size_t s = 0; s < sizeof steps / sizeof steps[0]; s++) {
        int T = steps[s], M = 2 * T, N = 2 + T;
        Args a = {.n = T, .c = 0.1};
        unsigned char *p = new_pattern(M, N);
        for (int t = 0; t < T; t++)
            for (int c = 0; c < 2; c++) {
                int i = 2 * t + c;
                p[(size_t)i * N + 0] = p[(size_t)i * N + 1] = 1;
                for (int u = 0; u < (c == 0 ? t : t + 1); u++)
                    p[(size_t)i * N + 2 + u] = 1;
            }
        /* y0: 2 per row; the controls: t per angle row, t + 1 per velocity */
        assert_int_equal(pattern_list(p, M, N, 0, NULL, NULL), T * T + 4 * T);
        char what[32];
        snprintf(what, sizeof what, "T = %d", T);
        check_jac(&pendulum_fns, &a, what, M, N, p, 3, -1, 1);
    }
}

static unsigned char *scatter_pattern(int m, int n, const int *idx, const int *idx2)
{
    unsigned char *p = new_pattern(m, n);
    for (int k = 0; k < m; k++)
        p[(size_t)k * n + idx[k]] = p[(size_t)k * n + idx2[k]] = 1;
    return p;
}

/* The same program, two pairs of index tables: two patterns. The first
 * has idx[k] == idx2[k] (squares: one entry), the second none. */
static void test_scatter(void **state)
{
    static const int idx_a[7] = {0, 3, 3, 8, 5, 1, 2}, idx2_a[7] = {0, 4, 3, 1, 5, 8, 7};
    static const int idx_b[7] = {6, 2, 0, 4, 8, 7, 1}, idx2_b[7] = {1, 5, 2, 3, 6, 0, 4};
    (void)state;
    const int *tables[2][2] = {{idx_a, idx2_a}, {idx_b, idx2_b}};
    int counts[2];
    for (int t = 0; t < 2; t++) {
        Args a = {.m = 7, .n = 9, .i1 = tables[t][0], .i2 = tables[t][1]};
        unsigned char *p = scatter_pattern(7, 9, tables[t][0], tables[t][1]);
        counts[t] = pattern_list(p, 7, 9, 0, NULL, NULL);
        check_jac(&scatter_fns, &a, t == 0 ? "tables a" : "tables b", 7, 9, p, 3, -1.5, 1.5);
    }
    assert_int_equal(counts[0], 11);
    assert_int_equal(counts[1], 14);

    /* 100 rows over 150 columns: entries in every chunk of 64 columns */
    enum { BM = 100, BN = 150 };
    int idx[BM], idx2[BM];
    for (int k = 0; k < BM; k++) {
        idx[k] = (k * 37) % BN;
        idx2[k] = (k * k + 3 * k + 1) % BN;
    }
    Args a = {.m = BM, .n = BN, .i1 = idx, .i2 = idx2};
    unsigned char *p = scatter_pattern(BM, BN, idx, idx2);
    check_jac(&scatter_fns, &a, "100 x 150", BM, BN, p, 2, -1.5, 1.5);
}

static unsigned char *assemble_pattern(int m, int n, const int *E)
{
    unsigned char *p = new_pattern(n, n);
    for (int e = 0; e < m; e++) {
        int u = E[2 * e], v = E[2 * e + 1];
        p[(size_t)u * n + u] = p[(size_t)u * n + v] = p[(size_t)v * n + u] =
            p[(size_t)v * n + v] = 1;
    }
    return p;
}

/* Edge lists with a repeated edge, a reversed one, nodes on no edge. */
static void test_assemble(void **state)
{
    static const int E1[][2] = {{0, 1}, {1, 2}, {2, 0}, {4, 7}, {7, 4}, {0, 1}, {8, 3}};
    static const int E2[][2] = {{9, 0}, {5, 6}, {6, 2}, {2, 9}};
    (void)state;
    int counts[2];
    for (int t = 0; t < 2; t++) {
        const int *E = t == 0 ? &E1[0][0] : &E2[0][0];
        int m = t == 0 ? 7 : 4;
        Args a = {.m = m, .n = 10, .i1 = E};
        unsigned char *p = assemble_pattern(m, 10, E);
        counts[t] = pattern_list(p, 10, 10, 0, NULL, NULL);
        check_jac(&assemble_fns, &a, t == 0 ? "edges 1" : "edges 2", 10, 10, p, 3, -1, 1);
    }
    assert_int_equal(counts[0], 7 + 2 * 5); /* nodes 0 1 2 3 4 7 8; edges 01 12 02 47 38 */
    assert_int_equal(counts[1], 5 + 2 * 4); /* nodes 0 2 5 6 9; edges 09 56 26 29 */

    /* a ring of 140 with chords across the chunks */
    enum { BN = 140, BM = 2 * BN };
    int E[BM][2];
    for (int i = 0; i < BN; i++) {
        E[i][0] = i;
        E[i][1] = (i + 1) % BN;
        E[BN + i][0] = (i * 53) % BN;
        E[BN + i][1] = (i * 53 + 70) % BN;
    }
    Args a = {.m = BM, .n = BN, .i1 = &E[0][0]};
    unsigned char *p = assemble_pattern(BM, BN, &E[0][0]);
    check_jac(&assemble_fns, &a, "ring of 140 with chords", BN, BN, p, 2, -1, 1);
}

/* Each combination of the three real conditions (x[0] > 0, x[2] > 0.5,
 * x[4]^2 > 1), away from their boundaries: the pattern is the union of the
 * branches at all of them, the values those of the branch taken. */
static void test_branchy(void **state)
{
    static const double pts[8][5] = {
        {0.7, -0.4, 0.9, 1.3, 1.6},   {0.7, -0.4, 0.9, 1.3, 0.3},
        {0.6, 1.1, 0.1, -0.8, -1.7},  {0.6, 1.1, 0.1, -0.8, -0.4},
        {-0.5, 0.3, 1.2, 0.4, 1.4},   {-0.5, 0.3, 1.2, 0.4, 0.6},
        {-1.2, -0.9, -0.3, 0.8, -2.1}, {-1.2, -0.9, -0.3, 0.8, 0.2},
    };
    static const unsigned char pat[3][5] = {
        {1, 1, 0, 1, 1},    /* y0: x0 x1 | x3 - x0; + x4^2 (?: on x2) */
        {1, 0, 1, 0, 0},    /* y1: sin(x2) + x0 */
        {0, 1, 1, 0, 0},    /* y2: exp(x1), + x2 or * 2 (if on x4 only) */
    };
    (void)state;
    Args a = {0};
    failures = 0;
    for (int p = 0; p < 8; p++) {
        char label[80];
        snprintf(label, sizeof label, "branchy, point %d", p);
        check_jac_at(label, &branchy_fns, &a, 3, 5, &pat[0][0], pts[p]);
    }
    if (failures)
        fail_msg("branchy: %d mismatches", failures);
}

/* The while's dependencies: the upper triangle, however few iterations
 * ran at the point (it may run up to 100 times, more than n - 1: every
 * entry j >= i can be nonzero, none j < i can). */
static void test_relax(void **state)
{
    static const int sizes[] = {1, 2, 6, 70};
    (void)state;
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        int n = sizes[s];
        Args a = {.n = n};
        unsigned char *p = new_pattern(n, n);
        for (int i = 0; i < n; i++)
            for (int j = i; j < n; j++)
                p[(size_t)i * n + j] = 1;
        char what[32];
        snprintf(what, sizeof what, "n = %d", n);
        check_jac(&relax_fns, &a, what, n, n, p, 3, -1, 1);
    }
}

/* Few rows over all the columns: reverse sweeps by row colours from n = 5
 * (2 row colours against n column colours), tangent sweeps below. */
static void test_cons(void **state)
{
    static const int sizes[] = {1, 2, 4, 5, 9, 64, 130};
    (void)state;
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        int n = sizes[s];
        Args a = {.n = n};
        unsigned char *p = new_pattern(3, n);
        for (int j = 0; j < n; j++) {
            p[j] = j % 2 == 0;
            p[n + j] = 1;
            p[2 * n + j] = j % 2 == 1;
        }
        char what[32];
        snprintf(what, sizeof what, "n = %d", n);
        check_jac(&cons_fns, &a, what, 3, n, p, 3, -1, 1);
    }
}

/* ---------------------------------------------------------------- Hessians */

typedef struct HessFns {
    const char *name;
    double (*f)(const Args *, const double *x);
    double (*grad)(const Args *, const double *x, double *g);
    double (*hess)(const Args *, const double *x, double *g, double *H);
    int (*nnz)(const Args *, const double *x);
    double (*sparse)(const Args *, const double *x, double *g, int *rows, int *cols, double *vals);
} HessFns;

/* HESS_ADAPT(f, arguments...): adapters of f, f_grad, f_hess, f_hess_nnz,
 * f_hess_sparse of a function with one real array input (GRADS = g). */
#define HESS_ADAPT(fn, ...) \
    static double fn##_F(const Args *a, const double *x) { (void)a; return fn(__VA_ARGS__); } \
    static double fn##_G(const Args *a, const double *x, double *g) \
    { (void)a; return fn##_grad(__VA_ARGS__, g); } \
    static double fn##_H(const Args *a, const double *x, double *g, double *H) \
    { (void)a; return fn##_hess(__VA_ARGS__, g, H); } \
    static int fn##_Z(const Args *a, const double *x) \
    { (void)a; return fn##_hess_nnz(__VA_ARGS__); } \
    static double fn##_S(const Args *a, const double *x, double *g, int *rows, int *cols, \
                         double *vals) \
    { (void)a; return fn##_hess_sparse(__VA_ARGS__, g, rows, cols, vals); } \
    static const HessFns fn##_fns = {#fn, fn##_F, fn##_G, fn##_H, fn##_Z, fn##_S};

HESS_ADAPT(chain, a->n, x)
HESS_ADAPT(arrow, a->n, x)
HESS_ADAPT(blocks, a->n, x)
HESS_ADAPT(cells, a->n, x, a->cv)
HESS_ADAPT(ring, a->n, x)
HESS_ADAPT(bilinear, a->n, x)
HESS_ADAPT(cancel, x)
HESS_ADAPT(mesh, a->m, a->n, a->i1, x)
HESS_ADAPT(lagrangian, a->n, x, a->c, a->cv)

/* trilinear(a, b, c): three scalar inputs, three gradient pointers */
#define G3(g) (g) ? (g) : NULL, (g) ? (g) + 1 : NULL, (g) ? (g) + 2 : NULL
static double trilinear_F(const Args *a, const double *x)
{
    (void)a;
    return trilinear(x[0], x[1], x[2]);
}
static double trilinear_G(const Args *a, const double *x, double *g)
{
    (void)a;
    return trilinear_grad(x[0], x[1], x[2], G3(g));
}
static double trilinear_H(const Args *a, const double *x, double *g, double *H)
{
    (void)a;
    return trilinear_hess(x[0], x[1], x[2], G3(g), H);
}
static int trilinear_Z(const Args *a, const double *x)
{
    (void)a;
    return trilinear_hess_nnz(x[0], x[1], x[2]);
}
static double trilinear_S(const Args *a, const double *x, double *g, int *rows, int *cols,
                          double *vals)
{
    (void)a;
    return trilinear_hess_sparse(x[0], x[1], x[2], G3(g), rows, cols, vals);
}
static const HessFns trilinear_fns = {"trilinear", trilinear_F, trilinear_G, trilinear_H,
                                      trilinear_Z, trilinear_S};

/* Every check of the file's header comment for one Hessian at x0 (N
 * inputs); pat is N x N, only its lower triangle read. */
static void check_hess_at(const char *label, const HessFns *fns, const Args *a, int N,
                          const unsigned char *pat, const double *x0)
{
    int nexp = pattern_list(pat, N, N, 1, NULL, NULL);
    double *x = xmalloc(sizeof(double) * N);
    double *gf = xmalloc(sizeof(double) * N), *g = xmalloc(sizeof(double) * N);
    double *gp = xmalloc(sizeof(double) * N), *gm = xmalloc(sizeof(double) * N);
    double *H = xmalloc(sizeof(double) * N * N);
    int *pos = xmalloc(sizeof(int) * N * N);
    memcpy(x, x0, sizeof(double) * N);

    double vf = fns->f(a, x);
    fill_nan(gf, N);
    double vg = fns->grad(a, x, gf);
    if (!close_within(vg, vf, SAME_REL, 0))
        report(label, "f_grad = %.17g, f = %.17g", vg, vf);
    double gscale = max_abs(gf, N);

    fill_nan(g, N);
    double vh = fns->hess(a, x, g, H);
    if (!close_within(vh, vf, SAME_REL, 0))
        report(label, "f_hess = %.17g, f = %.17g", vh, vf);
    same_vector(label, "f_hess gradient", g, gf, N);

    /* the expected pattern covers every nonzero of the dense H */
    double Hscale = max_abs(H, N * N);
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            int in = i >= j ? pat[(size_t)i * N + j] : pat[(size_t)j * N + i];
            if (!in && H[(size_t)i * N + j] != 0)
                report(label, "TEST: f_hess's H[%d][%d] = %.17g outside the expected pattern", i,
                       j, H[(size_t)i * N + j]);
            if (!close_within(H[(size_t)i * N + j], H[(size_t)j * N + i], VALS_REL,
                              1e-14 * Hscale))
                report(label, "f_hess: H[%d][%d] = %.17g, H[%d][%d] = %.17g", i, j,
                       H[(size_t)i * N + j], j, i, H[(size_t)j * N + i]);
        }

    int nnz = fns->nnz(a, x);
    if (nnz != nexp)
        report(label, "f_hess_nnz = %d, expected %d", nnz, nexp);
    if (nnz < 0) {
        print_error("%s: f_hess_nnz < 0: cannot go on\n", label);
        _fail(__FILE__, __LINE__);
    }
    int cap = (nnz > nexp ? nnz : nexp) + GUARD;
    int *rows = xmalloc(sizeof(int) * cap), *cols = xmalloc(sizeof(int) * cap);
    double *vals = xmalloc(sizeof(double) * cap);
    fill_sentinels(rows, cols, vals, cap);
    fill_nan(g, N);
    double vs = fns->sparse(a, x, g, rows, cols, vals);
    if (!close_within(vs, vf, SAME_REL, 0))
        report(label, "f_hess_sparse = %.17g, f = %.17g", vs, vf);
    same_vector(label, "f_hess_sparse gradient", g, gf, N);
    check_guards(label, rows, cols, vals, nnz, cap);
    compare_lists(label, pat, N, N, 1, rows, cols, nnz, H, pos);

    for (int k = 0; k < nnz; k++) {
        if (rows[k] < 0 || rows[k] >= N || cols[k] < 0 || cols[k] >= N)
            continue;
        double d = H[(size_t)rows[k] * N + cols[k]];
        if (!close_within(vals[k], d, VALS_REL, 1e-14 * Hscale))
            report(label, "vals[%d] at (%d, %d) = %.17g, f_hess gives %.17g", k, rows[k],
                   cols[k], vals[k], d);
    }

    /* central differences of f_grad's gradient, column by column */
    for (int j = 0; j < N; j++) {
        volatile double xp = x0[j] + fd_step(x0[j]), xm = x0[j] - fd_step(x0[j]);
        x[j] = xp;
        fns->grad(a, x, gp);
        x[j] = xm;
        fns->grad(a, x, gm);
        x[j] = x0[j];
        for (int i = j; i < N; i++) {
            double fd = (gp[i] - gm[i]) / (xp - xm);
            int k = pos[(size_t)i * N + j];
            if (pat[(size_t)i * N + j]) {
                double v = k >= 0 ? vals[k] : H[(size_t)i * N + j];
                if (!close_within(v, fd, FD_REL, FD_ABS * (1 + gscale)))
                    report(label, "d2f / dx[%d] dx[%d]: sparse %.17g, central difference %.17g",
                           i, j, v, fd);
            } else if (!close_within(fd, 0, 0, FD_ABS * (1 + gscale))) {
                report(label, "TEST: d2f / dx[%d] dx[%d] has central difference %.17g outside "
                       "the expected pattern", i, j, fd);
            }
        }
    }

    /* rows = cols = NULL: the same vals */
    double *vals2 = xmalloc(sizeof(double) * cap);
    for (int k = 0; k < cap; k++)
        vals2[k] = SENTINEL_VAL;
    fill_nan(g, N);
    vs = fns->sparse(a, x, g, NULL, NULL, vals2);
    if (!close_within(vs, vf, SAME_REL, 0))
        report(label, "f_hess_sparse (rows = cols = NULL) = %.17g, f = %.17g", vs, vf);
    same_vector(label, "f_hess_sparse (rows = cols = NULL) gradient", g, gf, N);
    check_guards(label, NULL, NULL, vals2, nnz, cap);
    for (int k = 0; k < nnz; k++)
        if (!(vals2[k] == vals[k] || (isnan(vals2[k]) && isnan(vals[k]))))
            report(label, "rows = cols = NULL: vals[%d] = %.17g, with rows and cols %.17g", k,
                   vals2[k], vals[k]);

    /* vals = NULL: the same rows and cols */
    int *rows2 = xmalloc(sizeof(int) * cap), *cols2 = xmalloc(sizeof(int) * cap);
    for (int k = 0; k < cap; k++)
        rows2[k] = cols2[k] = SENTINEL_INT;
    fill_nan(g, N);
    vs = fns->sparse(a, x, g, rows2, cols2, NULL);
    if (!close_within(vs, vf, SAME_REL, 0))
        report(label, "f_hess_sparse (vals = NULL) = %.17g, f = %.17g", vs, vf);
    same_vector(label, "f_hess_sparse (vals = NULL) gradient", g, gf, N);
    check_guards(label, rows2, cols2, NULL, nnz, cap);
    for (int k = 0; k < nnz; k++)
        if (rows2[k] != rows[k] || cols2[k] != cols[k])
            report(label, "vals = NULL: entry %d is (%d, %d), with vals (%d, %d)", k, rows2[k],
                   cols2[k], rows[k], cols[k]);

    /* rows alone */
    for (int k = 0; k < cap; k++)
        rows2[k] = SENTINEL_INT;
    fill_nan(g, N);
    vs = fns->sparse(a, x, g, rows2, NULL, NULL);
    if (!close_within(vs, vf, SAME_REL, 0))
        report(label, "f_hess_sparse (cols = vals = NULL) = %.17g, f = %.17g", vs, vf);
    same_vector(label, "f_hess_sparse (cols = vals = NULL) gradient", g, gf, N);
    check_guards(label, rows2, NULL, NULL, nnz, cap);
    for (int k = 0; k < nnz; k++)
        if (rows2[k] != rows[k])
            report(label, "cols = vals = NULL: rows[%d] = %d, with cols and vals %d", k, rows2[k],
                   rows[k]);

    /* a NULL gradient: the same value and vals */
    for (int k = 0; k < cap; k++)
        vals2[k] = SENTINEL_VAL;
    vs = fns->sparse(a, x, NULL, NULL, NULL, vals2);
    if (!close_within(vs, vf, SAME_REL, 0))
        report(label, "f_hess_sparse (gradient NULL) = %.17g, f = %.17g", vs, vf);
    for (int k = 0; k < nnz; k++)
        if (!(vals2[k] == vals[k] || (isnan(vals2[k]) && isnan(vals[k]))))
            report(label, "gradient NULL: vals[%d] = %.17g, with the gradient %.17g", k,
                   vals2[k], vals[k]);

    /* the pattern does not depend on the real inputs */
    for (int j = 0; j < N; j++)
        x[j] = 1e3 * (j % 3 - 1) + 0.25;
    int nnz2 = fns->nnz(a, x);
    if (nnz2 != nnz)
        report(label, "f_hess_nnz = %d at other real inputs, %d at the point", nnz2, nnz);

    free(x);
    free(gf);
    free(g);
    free(gp);
    free(gm);
    free(H);
    free(pos);
    free(rows);
    free(cols);
    free(vals);
    free(vals2);
    free(rows2);
    free(cols2);
}

static void check_hess(const HessFns *fns, const Args *a, const char *what, int N,
                       const unsigned char *pat, int npts, double lo, double hi)
{
    double *x = xmalloc(sizeof(double) * N);
    failures = 0;
    for (int p = 0; p < npts; p++) {
        char label[160];
        snprintf(label, sizeof label, "%s (%s, N = %d), point %d", fns->name, what, N, p);
        for (int j = 0; j < N; j++)
            x[j] = uniform(lo, hi);
        check_hess_at(label, fns, a, N, pat, x);
    }
    free(x);
    release();
    if (failures)
        fail_msg("%s (%s): %d mismatches", fns->name, what, failures);
}

/* sets (i, j) of a symmetric pattern: in the lower triangle */
static void couple(unsigned char *p, int N, int i, int j)
{
    if (i < j) {
        int t = i;
        i = j;
        j = t;
    }
    p[(size_t)i * N + j] = 1;
}

static void test_chain(void **state)
{
    static const int sizes[] = {1, 2, 3, 64, 65, 130};
    (void)state;
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        int n = sizes[s];
        Args a = {.n = n};
        unsigned char *p = new_pattern(n, n);
        for (int i = 0; i < n; i++) {
            couple(p, n, i, i);
            if (i + 1 < n)
                couple(p, n, i + 1, i);
        }
        assert_int_equal(pattern_list(p, n, n, 1, NULL, NULL), 2 * n - 1);
        char what[32];
        snprintf(what, sizeof what, "n = %d", n);
        check_hess(&chain_fns, &a, what, n, p, 3, -1, 1);
    }
}

/* n = 1: the sum is empty, f = 0, no entry at all */
static void test_arrow(void **state)
{
    static const int sizes[] = {1, 2, 5, 70};
    (void)state;
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        int n = sizes[s];
        Args a = {.n = n};
        unsigned char *p = new_pattern(n, n);
        for (int i = 1; i < n; i++) {
            couple(p, n, 0, 0);
            couple(p, n, i, i);
            couple(p, n, i, 0);
        }
        assert_int_equal(pattern_list(p, n, n, 1, NULL, NULL), n == 1 ? 0 : 2 * n - 1);
        char what[32];
        snprintf(what, sizeof what, "n = %d", n);
        check_hess(&arrow_fns, &a, what, n, p, 3, -1, 1);
    }
}

static void test_blocks(void **state)
{
    static const int sizes[] = {1, 4, 22, 45};
    (void)state;
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        int nb = sizes[s], N = 3 * nb;
        Args a = {.n = nb};
        unsigned char *p = new_pattern(N, N);
        for (int b = 0; b < nb; b++) {
            couple(p, N, 3 * b, 3 * b);         /* sin(X0) */
            couple(p, N, 3 * b + 1, 3 * b);     /* X0 X1 */
            couple(p, N, 3 * b + 2, 3 * b + 2); /* X2^2 */
        }
        char what[32];
        snprintf(what, sizeof what, "nb = %d", nb);
        check_hess(&blocks_fns, &a, what, N, p, 3, -1, 1);
    }
}

/* cell(c) = c0 exp(c1) + c2 c1 on each row, through a call */
static void test_cells(void **state)
{
    static const int sizes[] = {1, 3, 22, 30};
    (void)state;
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        int nb = sizes[s], N = 3 * nb;
        double *w = own(xmalloc(sizeof(double) * nb));
        for (int b = 0; b < nb; b++)
            w[b] = 0.5 + 0.1 * b;
        Args a = {.n = nb, .cv = w};
        unsigned char *p = new_pattern(N, N);
        for (int b = 0; b < nb; b++) {
            couple(p, N, 3 * b + 1, 3 * b);
            couple(p, N, 3 * b + 1, 3 * b + 1);
            couple(p, N, 3 * b + 2, 3 * b + 1);
        }
        assert_int_equal(pattern_list(p, N, N, 1, NULL, NULL), N);
        char what[32];
        snprintf(what, sizeof what, "nb = %d", nb);
        check_hess(&cells_fns, &a, what, N, p, 3, -1, 1);
    }
}

/* pair(x[i], x[(i + 1) % n]) and polar(x[n / 2], x[n - 1]): each call
 * couples (a, b) and (b, b) */
static void test_ring(void **state)
{
    static const int sizes[] = {1, 2, 3, 8, 67};
    (void)state;
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        int n = sizes[s];
        Args a = {.n = n};
        unsigned char *p = new_pattern(n, n);
        for (int i = 0; i < n; i++) {
            int j = (i + 1) % n;
            couple(p, n, i, j);
            couple(p, n, j, j);
        }
        couple(p, n, n / 2, n - 1);
        couple(p, n, n - 1, n - 1);
        char what[32];
        snprintf(what, sizeof what, "n = %d", n);
        check_hess(&ring_fns, &a, what, n, p, 3, -1, 1);
    }
}

/* products of distinct inputs only: no diagonal */
static void test_products(void **state)
{
    static const int sizes[] = {1, 2, 10, 66};
    (void)state;
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        int n = sizes[s];
        Args a = {.n = n};
        unsigned char *p = new_pattern(n, n);
        for (int i = 0; i + 1 < n; i++)
            couple(p, n, i + 1, i);
        assert_int_equal(pattern_list(p, n, n, 1, NULL, NULL), n - 1);
        char what[32];
        snprintf(what, sizeof what, "n = %d", n);
        check_hess(&bilinear_fns, &a, what, n, p, 3, -1, 1);
    }
    static const unsigned char tri[3][3] = {{0, 0, 0}, {1, 0, 0}, {1, 1, 0}};
    Args a = {0};
    check_hess(&trilinear_fns, &a, "a b c + 2 a - c", 3, &tri[0][0], 3, -2, 2);
}

/* (x0 + x1)(x0 - x1): (1, 0) is structurally there, its value 0 */
static void test_cancel(void **state)
{
    static const unsigned char pat[2][2] = {{1, 0}, {1, 1}};
    (void)state;
    Args a = {0};
    check_hess(&cancel_fns, &a, "(x0 + x1)(x0 - x1)", 2, &pat[0][0], 3, -2, 2);
    double H[4], g[2];
    const double x[2] = {0.3, -1.1};
    cancel_hess(x, g, H);
    assert_true(H[1] == 0 && H[2] == 0);
}

static unsigned char *mesh_pattern(int m, int n, const int *E)
{
    unsigned char *p = new_pattern(n, n);
    for (int e = 0; e < m; e++) {
        int u = E[2 * e], v = E[2 * e + 1];
        couple(p, n, u, u);
        couple(p, n, v, v);
        couple(p, n, u, v);
    }
    return p;
}

/* Two edge lists on 12 nodes (a repeated edge, a reversed one, nodes on
 * no edge), then a 10 x 10 grid (100 nodes: edges across the 64-column
 * chunks). */
static void test_mesh(void **state)
{
    static const int E1[][2] = {{0, 1}, {1, 2}, {2, 3}, {3, 0}, {5, 9}, {9, 5}, {1, 2}, {11, 6}};
    static const int E2[][2] = {{10, 4}, {4, 7}, {7, 10}, {0, 11}};
    (void)state;
    int counts[2];
    for (int t = 0; t < 2; t++) {
        const int *E = t == 0 ? &E1[0][0] : &E2[0][0];
        int m = t == 0 ? 8 : 4;
        Args a = {.m = m, .n = 12, .i1 = E};
        unsigned char *p = mesh_pattern(m, 12, E);
        counts[t] = pattern_list(p, 12, 12, 1, NULL, NULL);
        check_hess(&mesh_fns, &a, t == 0 ? "edges 1" : "edges 2", 12, p, 3, -1, 1);
    }
    assert_int_equal(counts[0], 8 + 6); /* nodes 0 1 2 3 5 9 11 6; edges 01 12 23 30 59 6-11 */
    assert_int_equal(counts[1], 5 + 4); /* nodes 10 4 7 0 11; edges 4-10 4-7 7-10 0-11 */

    /* a 10 x 10 grid, edges right and down */
    enum { G = 10, BN = G * G, BM = 2 * G * (G - 1) };
    int E[BM][2], m = 0;
    for (int r = 0; r < G; r++)
        for (int c = 0; c < G; c++) {
            if (c + 1 < G) {
                E[m][0] = r * G + c;
                E[m++][1] = r * G + c + 1;
            }
            if (r + 1 < G) {
                E[m][0] = r * G + c;
                E[m++][1] = (r + 1) * G + c;
            }
        }
    assert_int_equal(m, BM);
    Args a = {.m = BM, .n = BN, .i1 = &E[0][0]};
    unsigned char *p = mesh_pattern(BM, BN, &E[0][0]);
    assert_int_equal(pattern_list(p, BN, BN, 1, NULL, NULL), BN + BM);
    check_hess(&mesh_fns, &a, "10 x 10 grid", BN, p, 2, -1, 1);
}

/* The multipliers are const: not columns, and scaling by them couples
 * nothing new. */
static void test_lagrangian(void **state)
{
    static const int sizes[] = {3, 4, 7, 68};
    (void)state;
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        int n = sizes[s];
        double *lam = own(xmalloc(sizeof(double) * (n - 2)));
        for (int k = 0; k < n - 2; k++)
            lam[k] = uniform(0.5, 1.5) * (k % 2 ? -1 : 1);
        Args a = {.n = n, .c = 1.3, .cv = lam};
        unsigned char *p = new_pattern(n, n);
        for (int k = 0; k < n - 2; k++) {
            couple(p, n, k, k);
            couple(p, n, k + 2, k + 1);
        }
        couple(p, n, n - 1, n - 1);
        assert_int_equal(pattern_list(p, n, n, 1, NULL, NULL), 2 * (n - 2) + 1);
        char what[32];
        snprintf(what, sizeof what, "n = %d", n);
        check_hess(&lagrangian_fns, &a, what, n, p, 3, -1, 1);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bratu),    cmocka_unit_test(test_burgers),
        cmocka_unit_test(test_pendulum), cmocka_unit_test(test_scatter),
        cmocka_unit_test(test_assemble), cmocka_unit_test(test_branchy),
        cmocka_unit_test(test_relax),    cmocka_unit_test(test_cons),     cmocka_unit_test(test_chain),
        cmocka_unit_test(test_arrow),    cmocka_unit_test(test_blocks),
        cmocka_unit_test(test_cells),    cmocka_unit_test(test_ring),
        cmocka_unit_test(test_products), cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_mesh),     cmocka_unit_test(test_lagrangian),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
