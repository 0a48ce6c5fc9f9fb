/* tape_mem.fn: the memory that the generated code takes, measured. The
 * generated .c is included here, after malloc, calloc, realloc and free are
 * defined to counting wrappers, so every allocation it makes (work arrays,
 * the tape) is counted; the peak of live bytes is what a call costs. The
 * wrappers also fail on demand, to check that a function that cannot get
 * memory returns NaN for its value and gradients, leaks nothing and does
 * not crash. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>

/* ---- the counting allocator ---- */

/* The live blocks and their sizes: the generated code holds a handful at
 * a time (work arrays, a tape). A table rather than a header before each
 * block, so that no pointer arithmetic crosses the caller's arrays. */
#define MEM_SLOTS 64
static struct {
    void *p;
    size_t size;
} mem_blocks[MEM_SLOTS];

static size_t mem_live;   /* bytes allocated and not freed */
static size_t mem_peak;   /* the most mem_live has been since mem_reset */
static long mem_calls;    /* allocations (malloc, calloc, realloc) since mem_reset */
static long mem_fail_at;  /* the index of the allocation that fails, or -1 */
static int mem_fail_all;  /* every allocation fails */

static void mem_reset(void)
{
    mem_peak = mem_live;
    mem_calls = 0;
    mem_fail_at = -1;
    mem_fail_all = 0;
}

static int mem_should_fail(void)
{
    return mem_fail_all || mem_calls++ == mem_fail_at;
}

static int mem_slot(const void *p)
{
    for (int i = 0; i < MEM_SLOTS; i++)
        if (mem_blocks[i].p == p)
            return i;
    return -1;
}

/* records a new block; a full table fails the allocation */
static void *mem_track(void *p, size_t n)
{
    int i = p ? mem_slot(NULL) : -1;
    if (i < 0) {
        free(p);
        return NULL;
    }
    mem_blocks[i].p = p;
    mem_blocks[i].size = n;
    mem_live += n;
    if (mem_live > mem_peak)
        mem_peak = mem_live;
    return p;
}

static void *mem_malloc(size_t n)
{
    if (mem_should_fail())
        return NULL;
    return mem_track(malloc(n ? n : 1), n);
}

static void *mem_calloc(size_t count, size_t size)
{
    if (size && count > (size_t)-1 / size)
        return NULL;
    if (mem_should_fail())
        return NULL;
    size_t n = count * size;
    return mem_track(calloc(n ? n : 1, 1), n);
}

static void mem_free(void *p)
{
    if (!p)
        return;
    int i = mem_slot(p);
    if (i < 0) {
        print_error("free of a block the counting allocator did not give\n");
        abort();
    }
    mem_live -= mem_blocks[i].size;
    mem_blocks[i].p = NULL;
    free(p);
}

/* counted as a new block and then the old one freed: the peak includes
 * both, as a realloc that moves the data needs both */
static void *mem_realloc(void *p, size_t n)
{
    if (!p)
        return mem_malloc(n);
    if (mem_should_fail())
        return NULL;
    int i = mem_slot(p);
    if (i < 0) {
        print_error("realloc of a block the counting allocator did not give\n");
        abort();
    }
    void *q = mem_track(malloc(n ? n : 1), n);
    if (!q)
        return NULL;
    size_t old = mem_blocks[i].size;
    memcpy(q, p, old < n ? old : n);
    mem_free(p);
    return q;
}

#define malloc(n) mem_malloc(n)
#define calloc(c, n) mem_calloc(c, n)
#define realloc(p, n) mem_realloc(p, n)
#define free(p) mem_free(p)
#include "tape_mem.c"
#undef malloc
#undef calloc
#undef realloc
#undef free

#include "check_array.h"

/* ---- memory use ---- */

/* The measuring tool itself: live bytes, peak, failures on demand. */
static void test_counting_allocator(void **state)
{
    (void)state;
    mem_reset();
    double *a = mem_malloc(100);
    double *b = mem_calloc(10, 8);
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(mem_live, 180);
    assert_true(b[0] == 0.0 && b[9] == 0.0);
    a = mem_realloc(a, 200); /* the old and the new block at once */
    assert_non_null(a);
    assert_int_equal(mem_live, 280);
    assert_int_equal(mem_peak, 380);
    mem_free(a);
    mem_free(b);
    assert_int_equal(mem_live, 0);
    assert_int_equal(mem_calls, 3);
    mem_reset();
    mem_fail_at = 1;
    a = mem_malloc(8);
    assert_non_null(a);
    assert_null(mem_realloc(a, 16));
    assert_null(mem_calloc((size_t)-1, 16));
    mem_free(a);
    assert_int_equal(mem_live, 0);
}

/* Extended Rosenbrock at n = 10^6: its loop saves nothing, so with g_x
 * given the gradient takes a small constant of memory, whatever n. */
static void test_rosenbrock_saves_nothing(void **state)
{
    enum { N = 1000000 };
    double *x = malloc(sizeof(double) * N), *g = malloc(sizeof(double) * N);
    check_rng r = {201};
    (void)state;
    assert_non_null(x);
    assert_non_null(g);
    check_fill_uniform(&r, x, N, -2, 2);
    check_fill_garbage(g, N);

    mem_reset();
    double v = ext_rosen_grad(N, x, g);
    print_message("ext_rosen_grad, n = %d: peak %zu bytes in %ld allocation(s)\n", N, mem_peak,
                  mem_calls);
    assert_true(mem_peak < 64 * 1024);
    assert_int_equal(mem_live, 0);
    assert_close(v, ext_rosen(N, x), 1e-15, 0);
    /* the gradient is right at both ends and in the middle */
    static const int at[] = {0, 1, N / 2, N - 2, N - 1};
    for (size_t k = 0; k < sizeof at / sizeof at[0]; k++) {
        int i = at[k];
        double e = 0;
        if (i + 1 < N)
            e += -400 * x[i] * (x[i + 1] - x[i] * x[i]) - 2 * (1 - x[i]);
        if (i > 0)
            e += 200 * (x[i] - x[i - 1] * x[i - 1]);
        assert_close(g[i], e, 1e-13, 1e-12);
    }
    /* with g_x NULL the adjoint of x needs n doubles of work, and no more */
    mem_reset();
    assert_close(ext_rosen_grad(N, x, NULL), v, 1e-15, 0);
    assert_true(mem_peak <= sizeof(double) * N + 64 * 1024);
    assert_int_equal(mem_live, 0);
    free(x);
    free(g);
}

/* A sum behind sqrt or log needs only the sum's final value: nothing per
 * iteration either. The terms are another matter: x[i]^2 is recomputed,
 * exp(x[i]) is saved (one double per term, never the partial sums), as
 * recomputing it would cost as much again as the sum itself. */
static void test_reductions_save_nothing(void **state)
{
    enum { N = 100000 };
    double *x = malloc(sizeof(double) * N), *g = malloc(sizeof(double) * N);
    check_rng r = {205};
    (void)state;
    check_fill_uniform(&r, x, N, -1, 1);
    mem_reset();
    double v = norm_grad(N, x, g);
    print_message("norm_grad, n = %d: peak %zu bytes\n", N, mem_peak);
    assert_true(mem_peak < 64 * 1024);
    assert_close(g[7], x[7] / v, 1e-13, 0);
    mem_reset();
    v = log_sum_grad(N, x, g);
    print_message("log_sum_grad, n = %d: peak %zu bytes\n", N, mem_peak);
    assert_close(g[7], exp(x[7] - v), 1e-12, 0);
    assert_true(mem_peak >= 8 * N && mem_peak <= 2 * 8 * N + 64 * 1024);
    assert_int_equal(mem_live, 0);
    free(x);
    free(g);
}

/* A running maximum saves the value it overwrites only where it moves:
 * for random data a few dozen doubles, not n; for increasing data, where
 * it moves at every step, n (the tape grows as it needs). Both forms,
 * max() and if. */
static void test_running_max_saves_moves(void **state)
{
    enum { N = 100000 };
    double *x = malloc(sizeof(double) * N), *g = malloc(sizeof(double) * N);
    check_rng r = {206};
    (void)state;
    check_fill_uniform(&r, x, N, -1, 1);
    double (*const fns[])(int, const double *, double *) = {run_max_grad, if_max_grad};
    for (int f = 0; f < 2; f++) {
        mem_reset();
        double v = fns[f](N, x, g);
        print_message("%s, n = %d, random: peak %zu bytes\n", f ? "if_max_grad" : "run_max_grad", N,
                      mem_peak);
        assert_true(mem_peak < 4 * 1024);
        assert_int_equal(mem_live, 0);
        int at = 0;
        for (int i = 1; i < N; i++)
            if (x[i] > x[at])
                at = i;
        assert_close(v, x[at] * x[at], 1e-15, 0);
        for (int i = 0; i < N; i++)
            assert_close(g[i], i == at ? 2 * x[at] : 0, 1e-15, 0);
    }
    for (int i = 0; i < N; i++)
        x[i] = i;
    mem_reset();
    run_max_grad(N, x, g);
    print_message("run_max_grad, n = %d, increasing: peak %zu bytes\n", N, mem_peak);
    assert_true(mem_peak >= 8 * (N - 1) && mem_peak <= 3 * 8 * N);
    assert_close(g[N - 1], 2.0 * (N - 1), 1e-15, 0);
    assert_int_equal(mem_live, 0);
    free(x);
    free(g);
}

static size_t logmap_peak(int n)
{
    double gr, gx;
    mem_reset();
    logmap_grad(n, 2.9, 0.3, &gr, &gx);
    assert_int_equal(mem_live, 0);
    assert_true(isfinite(gr) && isfinite(gx));
    return mem_peak;
}

/* A recurrence of N steps saves one double per step: O(N), not more. */
static void test_recurrence_saves_linear(void **state)
{
    (void)state;
    size_t p1 = logmap_peak(1000), p2 = logmap_peak(100000);
    print_message("logmap_grad: peak %zu bytes at N = 1000, %zu at N = 100000\n", p1, p2);
    /* 1 double per step; the tape may round its capacity up to twice that */
    assert_true(p1 <= 2 * 8 * 1000 + 1024);
    assert_true(p2 <= 2 * 8 * 100000 + 1024);
    double ratio = (double)p2 / (double)p1;
    assert_true(ratio > 50 && ratio < 200);
    /* N = 0 and 1: next to nothing */
    assert_true(logmap_peak(0) <= 1024);
    assert_true(logmap_peak(1) <= 1024);
}

/* An array overwritten in place R times saves two doubles per element and
 * pass, the element it overwrites and sin of it (cheaper to keep than to
 * recompute): 2 n R doubles, plus the local array and its adjoint. The
 * tape grows by doubling, and a realloc that moves needs the old and the
 * new block: at most 3 (2 n R) doubles at the peak. */
static void test_overwritten_array_saves_nR(void **state)
{
    enum { N = 1000, R = 20 };
    double *x = malloc(sizeof(double) * N), *g = malloc(sizeof(double) * N);
    check_rng r = {202};
    (void)state;
    check_fill_uniform(&r, x, N, -2, 2);
    mem_reset();
    sin_rep_grad(N, R, x, g);
    print_message("sin_rep_grad, n = %d, R = %d: peak %zu bytes\n", N, R, mem_peak);
    assert_true(mem_peak <= 3 * 2 * 8 * N * R + 2 * 8 * N + 1024);
    assert_int_equal(mem_live, 0);
    /* the primal needs only the local array */
    mem_reset();
    sin_rep(N, R, x);
    assert_true(mem_peak <= 8 * N + 64);
    assert_int_equal(mem_live, 0);
    free(x);
    free(g);
}

/* ---- allocation failure ---- */

/* One call of a generated function, with what it wrote. */
struct run {
    int n, R;         /* sizes */
    const double *x;  /* inputs */
    double g[64];     /* the gradients, packed */
    int ng;           /* how many of g the call writes */
    double y[8];      /* outputs of a vjp */
    double v;         /* the value returned */
};

typedef void (*run_fn)(struct run *d);

/* the calls that failed their checks: each test reports them all, then fails */
static int run_failures;

/* Runs call() once to count its allocations, then once failing each of
 * them in turn, and once failing them all; after each failed run, every
 * gradient must be NaN, and the value too when check_value. Nothing may
 * leak. Returns the number of allocations of a call that succeeds, and
 * counts a call whose results are wrong in run_failures. */
static long run_failing_each(const char *name, run_fn call, struct run *d, int check_value)
{
    mem_reset();
    call(d);
    long n = mem_calls;
    assert_int_equal(mem_live, 0);
    int bad = 0;
    /* a function that allocates nothing cannot run out of memory */
    for (long k = 0; k < n + (n > 0); k++) {
        mem_reset();
        if (k < n)
            mem_fail_at = k;
        else
            mem_fail_all = 1;
        check_fill_garbage(d->g, d->ng);
        call(d);
        mem_fail_at = -1;
        mem_fail_all = 0;
        assert_int_equal(mem_live, 0);
        const char *what = k < n ? "allocation failing" : "every allocation failing";
        for (int i = 0; i < d->ng; i++) {
            if (!isnan(d->g[i])) {
                print_error("%s, %s (%ld of %ld): gradient element %d is %.17g, not NaN\n",
                            name, what, k, n, i, d->g[i]);
                bad = 1;
                break;
            }
        }
        if (check_value && !isnan(d->v)) {
            print_error("%s, %s (%ld of %ld): the value is %.17g, not NaN\n", name, what, k, n,
                        d->v);
            bad = 1;
        }
    }
    run_failures += bad;
    return n;
}

static void run_rosen(struct run *d)
{
    d->v = ext_rosen_grad(d->n, d->x, d->g);
}

static void run_rosen_null(struct run *d)
{
    d->v = ext_rosen_grad(d->n, d->x, NULL);
}

static void run_logmap_sq(struct run *d)
{
    d->v = logmap_sq_grad(d->n, 2.9, 0.3, &d->g[0], &d->g[1]);
}

static void run_sin_rep(struct run *d)
{
    d->v = sin_rep_grad(d->n, d->R, d->x, d->g);
}

static void run_sin_rep_primal(struct run *d)
{
    d->v = sin_rep(d->n, d->R, d->x);
}

/* x packs W1[2][3], b1[2], W2[2][2], b2[2], x[3]: 17 inputs */
static void run_mlp(struct run *d)
{
    const double *z = d->x;
    double *g = d->g;
    d->v = mlp_grad(3, 2, z, z + 6, z + 8, z + 12, z + 14, g, g + 6, g + 8, g + 12, g + 14);
}

static void run_mlp_primal(struct run *d)
{
    const double *z = d->x;
    d->v = mlp(3, 2, z, z + 6, z + 8, z + 12, z + 14);
}

/* x packs W[2][3], b[2], x[3], then the seed w[2] */
static void run_layer_vjp(struct run *d)
{
    const double *z = d->x;
    check_fill_garbage(d->y, 2);
    layer_vjp(3, 2, z, z + 6, z + 8, d->y, z + 11, d->g, d->g + 6, d->g + 8);
    d->v = NAN;
}

static void setup_runs(struct run *rs, int nrun, double *x, int nx)
{
    check_rng r = {203};
    check_fill_uniform(&r, x, nx, -1.5, 1.5);
    for (int i = 0; i < nrun; i++)
        rs[i].x = x;
}

/* Whichever allocation fails (a work array, the tape, a callee's), the
 * gradients come out NaN, nothing leaks and nothing crashes; a vjp's
 * outputs are the primal's or NaN, never garbage. */
static void test_failure_gradients(void **state)
{
    double x[50];
    struct run d[6] = {{50, 0, NULL, {0}, 50, {0}, 0}, {40, 0, NULL, {0}, 2, {0}, 0},
                       {20, 3, NULL, {0}, 20, {0}, 0}, {0, 0, NULL, {0}, 17, {0}, 0},
                       {0, 0, NULL, {0}, 11, {0}, 0}, {50, 0, NULL, {0}, 0, {0}, 0}};
    (void)state;
    setup_runs(d, 6, x, 50);
    run_failures = 0;
    run_failing_each("ext_rosen_grad", run_rosen, &d[0], 0);
    assert_true(run_failing_each("logmap_sq_grad", run_logmap_sq, &d[1], 0) >= 1);
    assert_true(run_failing_each("sin_rep_grad", run_sin_rep, &d[2], 0) >= 2);
    /* mlp_grad makes fewer allocations when its layers are inlined */
    assert_true(run_failing_each("mlp_grad", run_mlp, &d[3], 0) >= 1);
    assert_true(run_failing_each("layer_vjp", run_layer_vjp, &d[4], 0) >= 1);
    double y[2];
    layer(3, 2, x, x + 6, x + 8, y);
    mem_reset();
    mem_fail_all = 1;
    run_layer_vjp(&d[4]);
    mem_fail_all = 0;
    for (int j = 0; j < 2; j++)
        assert_true(isnan(d[4].y[j]) || d[4].y[j] == y[j]);
    assert_int_equal(run_failures, 0);
}

/* The value is NaN too, as the project states the contract ("on
 * allocation failure the value and gradients are NaN"): in a primal with a
 * local array, and in a gradient whatever allocation fails, the tape's
 * included. */
static void test_failure_value(void **state)
{
    double x[50];
    struct run d[6] = {{50, 0, NULL, {0}, 0, {0}, 0}, {20, 3, NULL, {0}, 0, {0}, 0},
                       {0, 0, NULL, {0}, 0, {0}, 0}, {50, 0, NULL, {0}, 50, {0}, 0},
                       {40, 0, NULL, {0}, 2, {0}, 0}, {20, 3, NULL, {0}, 20, {0}, 0}};
    struct run m = {0, 0, NULL, {0}, 17, {0}, 0};
    (void)state;
    setup_runs(d, 6, x, 50);
    m.x = x;
    run_failures = 0;
    assert_true(run_failing_each("ext_rosen_grad(g_x = NULL)", run_rosen_null, &d[0], 1) >= 1);
    assert_true(run_failing_each("sin_rep", run_sin_rep_primal, &d[1], 1) >= 1);
    assert_true(run_failing_each("mlp", run_mlp_primal, &d[2], 1) >= 1);
    run_failing_each("ext_rosen_grad", run_rosen, &d[3], 1);
    run_failing_each("logmap_sq_grad", run_logmap_sq, &d[4], 1);
    run_failing_each("sin_rep_grad", run_sin_rep, &d[5], 1);
    run_failing_each("mlp_grad", run_mlp, &m, 1);
    assert_int_equal(run_failures, 0);
}

/* k-means: O(n k) doubles saved (the dist and best that min reads, per
 * pair), the same for d = 4 and d = 64: the partial sums of the innermost
 * loop are not saved. The gradient against the closed form: each point
 * pulls its nearest centroid. */
static size_t kmeans_peak(int n, int k, int d, check_rng *r)
{
    double *p = malloc(sizeof(double) * (size_t)(n * d)), *c = malloc(sizeof(double) * (size_t)(k * d));
    double *gp = malloc(sizeof(double) * (size_t)(n * d)), *gc = malloc(sizeof(double) * (size_t)(k * d));
    assert_true(p && c && gp && gc);
    check_fill_uniform(r, p, n * d, -1, 1);
    check_fill_uniform(r, c, k * d, -1, 1);
    mem_reset();
    double v = kmeans_grad(n, k, d, p, c, gp, gc);
    size_t peak = mem_peak;
    assert_int_equal(mem_live, 0);
    double total = 0, *ec = calloc((size_t)(k * d), sizeof(double));
    assert_non_null(ec);
    for (int i = 0; i < n; i++) {
        int bj = 0;
        double best = INFINITY;
        for (int j = 0; j < k; j++) {
            double dist = 0;
            for (int l = 0; l < d; l++)
                dist += (p[i * d + l] - c[j * d + l]) * (p[i * d + l] - c[j * d + l]);
            if (dist < best)
                best = dist, bj = j;
        }
        total += best;
        for (int l = 0; l < d; l++) {
            double e = 2 * (p[i * d + l] - c[bj * d + l]);
            assert_close(gp[i * d + l], e, 1e-13, 1e-14);
            ec[bj * d + l] -= e;
        }
    }
    assert_close(v, total, 1e-13, 0);
    for (int j = 0; j < k * d; j++)
        assert_close(gc[j], ec[j], 1e-12, 1e-12);
    free(p), free(c), free(gp), free(gc), free(ec);
    return peak;
}

static void test_kmeans_saves_nk(void **state)
{
    (void)state;
    check_rng r = {211};
    enum { N = 500, K = 20 };
    size_t p4 = kmeans_peak(N, K, 4, &r), p64 = kmeans_peak(N, K, 64, &r);
    print_message("kmeans_grad, n = %d, k = %d: peak %zu bytes at d = 4, %zu at d = 64\n", N, K, p4, p64);
    /* two doubles per pair and one per point; growing, the tape holds its
     * old and new blocks at once: at most 3 times that at the peak (before,
     * d + 2 doubles per pair: 2.7 MB at d = 64) */
    size_t bound = 3 * 8 * (2 * N * K + N) + 1024;
    assert_true(p4 <= bound);
    assert_true(p64 <= bound);
}

/* The carried sum: one double per outer iteration, not per element. */
static void test_carried_saves_per_outer(void **state)
{
    (void)state;
    enum { N = 100, M = 1000 };
    double *x = malloc(sizeof(double) * N * M), *g = malloc(sizeof(double) * N * M);
    assert_true(x && g);
    check_rng r = {212};
    check_fill_uniform(&r, x, N * M, -0.05, 0.05);
    mem_reset();
    double v = carried_grad(N, M, x, g);
    print_message("carried_grad, %d x %d: peak %zu bytes\n", N, M, mem_peak);
    assert_true(mem_peak <= 2 * 8 * N + 1024);
    /* against the closed form: d/dx[i][j] = 2 x[i][j] sum_{i' >= i} cos(s_i') */
    double s = 0, acc = 0, *cs = malloc(sizeof(double) * N);
    assert_non_null(cs);
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < M; j++)
            s += x[i * M + j] * x[i * M + j];
        acc += sin(s);
        cs[i] = cos(s);
    }
    assert_close(v, acc, 1e-13, 0);
    double tail = 0;
    for (int i = N - 1; i >= 0; i--) {
        tail += cs[i];
        for (int j = 0; j < M; j += 97)
            assert_close(g[i * M + j], 2 * x[i * M + j] * tail, 1e-12, 1e-15);
    }
    free(x), free(g), free(cs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counting_allocator),
        cmocka_unit_test(test_rosenbrock_saves_nothing),
        cmocka_unit_test(test_reductions_save_nothing),
        cmocka_unit_test(test_running_max_saves_moves),
        cmocka_unit_test(test_recurrence_saves_linear),
        cmocka_unit_test(test_overwritten_array_saves_nR),
        cmocka_unit_test(test_kmeans_saves_nk),
        cmocka_unit_test(test_carried_saves_per_outer),
        cmocka_unit_test(test_failure_gradients),
        cmocka_unit_test(test_failure_value),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
