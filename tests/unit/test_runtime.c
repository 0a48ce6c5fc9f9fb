/* The runtime: each support helper of generated code (runtime/) at its
 * edges (kinks, zero sizes, SIZE_MAX, a failed tape; the sparsity patterns
 * and colourings against brute force), compiled as C99 the way generated
 * files are; and the table embedded into gradc (rt_pieces),
 * checked against the runtime sources as read here, with its own reading
 * of the marker lines. */
#include "unit.h"

#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime.h"

#include "../../runtime/kinks.c"
#include "../../runtime/memory.c"
#include "../../runtime/sparse.c"
#include "../../runtime/special.c"
#include "../../runtime/tape.c"

#include "polygamma_ref.h"

/* Exact equality of doubles, NaN equal to NaN; the values shown if not. */
#define assert_same(a, b) same_double((a), (b), #a, __FILE__, __LINE__)
static void same_double(double a, double b, const char *expr, const char *file, int line)
{
    if ((a != a && b != b) || (a == b && signbit(a) == signbit(b)))
        return;
    print_error("%s = %.17g, expected %.17g\n", expr, a, b);
    _fail(file, line);
}

/* ---- kinks ---------------------------------------------------------------- */

static void dabs_sign_and_zero(void **state)
{
    (void)state;
    assert_same(gradc_dabs(2.0, 3.0), 3.0);
    assert_same(gradc_dabs(-2.0, 3.0), -3.0);
    assert_same(gradc_dabs(0.0, 3.0), 0.0);
    assert_same(gradc_dabs(-0.0, 3.0), 0.0);
    assert_same(gradc_dabs(-INFINITY, 3.0), -3.0);
    assert_same(gradc_dabs(1e-300, -3.0), -3.0);
    assert_same(gradc_dabs(NAN, 3.0), 0.0);        /* neither side of the kink */
}

static void dmin_dmax_ties_give_half(void **state)
{
    (void)state;
    assert_same(gradc_dmin(1.0, 2.0, 4.0), 4.0);
    assert_same(gradc_dmin(2.0, 1.0, 4.0), 0.0);
    assert_same(gradc_dmin(1.0, 1.0, 4.0), 2.0);
    assert_same(gradc_dmin(-0.0, 0.0, 4.0), 2.0);  /* -0 == 0: a tie */
    assert_same(gradc_dmin(1.0, NAN, 4.0), 4.0);   /* fmin(a, NaN) is a */
    assert_same(gradc_dmin(NAN, 1.0, 4.0), 0.0);   /* fmin(NaN, b) is b */
    assert_same(gradc_dmax(2.0, 1.0, 4.0), 4.0);
    assert_same(gradc_dmax(1.0, 2.0, 4.0), 0.0);
    assert_same(gradc_dmax(3.0, 3.0, -4.0), -2.0);
    assert_same(gradc_dmax(1.0, NAN, 4.0), 4.0);
    assert_same(gradc_dmax(NAN, 1.0, 4.0), 0.0);
    /* the shares of a and b add up to the adjoint */
    assert_same(gradc_dmin(1.0, 2.0, 3.0) + gradc_dmin(2.0, 1.0, 3.0), 3.0);
    assert_same(gradc_dmin(5.0, 5.0, 3.0) + gradc_dmin(5.0, 5.0, 3.0), 3.0);
    assert_same(gradc_dmax(1.0, 2.0, 3.0) + gradc_dmax(2.0, 1.0, 3.0), 3.0);
}

static void dpow_at_zero(void **state)
{
    (void)state;
    /* d/da a^b = b a^(b-1) */
    assert_same(gradc_dpowx(2.0, 3.0, 1.0), 12.0);
    assert_same(gradc_dpowx(2.0, 3.0, 0.5), 6.0);
    assert_same(gradc_dpowx(0.0, 0.0, 1.0), 0.0);      /* a^0 is constant, even at 0 */
    assert_same(gradc_dpowx(NAN, 0.0, 1.0), 0.0);
    assert_same(gradc_dpowx(0.0, 1.0, 3.0), 3.0);      /* 1 * 0^0 */
    assert_same(gradc_dpowx(0.0, 2.0, 3.0), 0.0);
    assert_same(gradc_dpowx(0.0, 0.5, 1.0), INFINITY);  /* the square root's slope */
    /* d/db a^b = a^b log(a), with t = a^b */
    assert_same(gradc_dpowy(0.0, 0.0, 1.0), 0.0);      /* 0 * log(0) would be NaN */
    assert_same(gradc_dpowy(0.0, 1.0, 5.0), 0.0);
    assert_same(gradc_dpowy(1.0, 1.0, 5.0), 0.0);
    assert_close(gradc_dpowy(2.0, 8.0, 1.0), 8.0 * 0.69314718055994530942, 1e-15, 1e-15);
    assert_same(gradc_dpowy(-2.0, 4.0, 1.0), NAN);
}

static void dhypot_at_origin(void **state)
{
    (void)state;
    assert_same(gradc_dhypot(0.0, 0.0, 1.0), 0.0);
    assert_same(gradc_dhypot(0.0, 0.0, NAN), 0.0);
    assert_close(gradc_dhypot(3.0, 5.0, 2.0), 1.2, 1e-15, 1e-15);
    assert_close(gradc_dhypot(-4.0, 5.0, 1.0), -0.8, 1e-15, 1e-15);
    assert_same(gradc_dhypot(0.0, 5.0, 1.0), 0.0);
}

static void dpowi_k_zero(void **state)
{
    (void)state;
    assert_same(gradc_dpowi(2.0, 0, 1.0), 0.0);
    assert_same(gradc_dpowi(0.0, 0, 1.0), 0.0);
    assert_same(gradc_dpowi(NAN, 0, 1.0), 0.0);
    assert_same(gradc_dpowi(2.0, 3, 1.0), 12.0);
    assert_same(gradc_dpowi(-2.0, 3, 0.5), 6.0);
    assert_same(gradc_dpowi(0.0, 1, 5.0), 5.0);
    assert_same(gradc_dpowi(2.0, -1, 1.0), -0.25);
    assert_same(gradc_dpowi(0.0, -1, 1.0), -INFINITY);
    assert_same(gradc_dpowi(0.0, 2, 1.0), 0.0);
}

static void dom_passes_nan(void **state)
{
    (void)state;
    assert_same(gradc_dom(NAN, 5.0), NAN);
    assert_same(gradc_dom(-NAN, 0.0), NAN);
    assert_same(gradc_dom(1.0, 5.0), 5.0);
    assert_same(gradc_dom(INFINITY, 5.0), 5.0);
    assert_same(gradc_dom(0.0, NAN), NAN);
}

/* ---- special functions ----------------------------------------------------- */

static void sign_of_everything(void **state)
{
    (void)state;
    assert_same(gradc_sign(2.5), 1.0);
    assert_same(gradc_sign(-1e-310), -1.0);        /* subnormal */
    assert_same(gradc_sign(INFINITY), 1.0);
    assert_same(gradc_sign(-INFINITY), -1.0);
    assert_same(gradc_sign(0.0), 0.0);
    assert_same(gradc_sign(-0.0), -0.0);           /* a zero keeps its sign */
    assert_same(gradc_sign(NAN), NAN);
}

typedef double (*Special)(double);
static const Special polygamma_fn[3] = {gradc_digamma, gradc_trigamma, gradc_tetragamma};
static const char *const polygamma_name[3] = {"digamma", "trigamma", "tetragamma"};

/* Against mpmath's values (polygamma_ref.py): relative error 1e-14 at most
 * away from the poles and the roots of digamma. The worst is printed: it is
 * the accuracy the README states. */
static void polygamma_against_mpmath(void **state)
{
    (void)state;
    enum { N = sizeof polygamma_far / sizeof *polygamma_far };
    for (int n = 0; n < 3; n++) {
        double worst = 0, at = 0;
        for (int i = 0; i < N; i++) {
            double x = polygamma_far[i][0], want = polygamma_far[i][n + 1];
            double got = polygamma_fn[n](x), rel = fabs(got - want) / fabs(want);
            if (!(rel <= 1e-14))
                fail_msg("%s(%.17g) = %.17g, mpmath %.17g: relative error %.3g", polygamma_name[n], x, got,
                         want, rel);
            if (rel > worst) {
                worst = rel;
                at = x;
            }
        }
        print_message("%s: worst relative error %.2g (at %.17g) over %d points\n", polygamma_name[n], worst,
                      at, N);
    }
}

/* Beside a root of digamma (there is one between each two poles, and one
 * at 1.4616...) its value is a difference of terms of size 1 to 4 that
 * nearly cancel: the relative error of the result has no bound, so the
 * check is relative plus an absolute 2e-15, a few rounding errors of those
 * terms. trigamma and tetragamma have no root there: relative. */
static void polygamma_near_roots(void **state)
{
    (void)state;
    enum { N = sizeof polygamma_near_root / sizeof *polygamma_near_root };
    for (int n = 0; n < 3; n++) {
        for (int i = 0; i < N; i++) {
            double x = polygamma_near_root[i][0], want = polygamma_near_root[i][n + 1];
            double got = polygamma_fn[n](x), err = fabs(got - want);
            double tol = n == 0 ? 1e-14 * fabs(want) + 2e-15 : 1e-14 * fabs(want);
            if (!(err <= tol))
                fail_msg("%s(%.17g) = %.17g, mpmath %.17g: error %.3g", polygamma_name[n], x, got, want, err);
        }
    }
}

/* The poles of lgamma (0, -1, -2, ... and -inf) give NaN, as does NaN;
 * the ends of the range overflow and underflow as the values do. */
static void polygamma_poles_and_ends(void **state)
{
    (void)state;
    static const double poles[] = {0.0, -0.0, -1.0, -2.0, -17.0, -1e6, -4503599627370496.0, -1e300,
                                   -INFINITY, NAN};
    for (int n = 0; n < 3; n++)
        for (size_t i = 0; i < sizeof poles / sizeof *poles; i++)
            if (!isnan(polygamma_fn[n](poles[i])))
                fail_msg("%s(%g) = %g, not NaN", polygamma_name[n], poles[i], polygamma_fn[n](poles[i]));
    assert_same(gradc_digamma(INFINITY), INFINITY);
    assert_same(gradc_trigamma(INFINITY), 0.0);
    assert_true(gradc_tetragamma(INFINITY) == 0);
    assert_close(gradc_digamma(1e-300), -1e300, 1e-15, 0);
    assert_same(gradc_trigamma(1e-300), INFINITY);
    assert_same(gradc_tetragamma(1e-300), -INFINITY);
    assert_same(gradc_trigamma(-1e-300), INFINITY);
    assert_close(gradc_digamma(1e300), 690.77552789821368, 1e-15, 0);
    assert_close(gradc_trigamma(1e300), 1e-300, 1e-15, 0);
    assert_true(gradc_tetragamma(1e300) <= 0 && gradc_tetragamma(1e300) > -1e-300);
    /* beside a pole: the pole's term dominates, with its sign */
    assert_close(gradc_digamma(-3 + 0x1p-40), -0x1p40, 1e-10, 0);
    assert_close(gradc_digamma(-3 - 0x1p-40), 0x1p40, 1e-10, 0);
    assert_close(gradc_trigamma(-3 + 0x1p-40), 0x1p80, 1e-10, 0);
}

/* ---- memory ------------------------------------------------------------- */

static void count_saturates(void **state)
{
    (void)state;
    assert_true(gradc_count(3, 4) == 12);
    assert_true(gradc_count(3, 0) == 0);
    assert_true(gradc_count(0, 5) == 0);
    assert_true(gradc_count(INT_MAX, 1) == (size_t)INT_MAX);
    assert_true(gradc_count(-1, 2) == SIZE_MAX);
    assert_true(gradc_count(2, -1) == SIZE_MAX);
    assert_true(gradc_count(INT_MIN, 0) == SIZE_MAX);
    assert_true(gradc_count(0, -1) == SIZE_MAX);
    /* INT_MAX^2 overflows a 32-bit size_t, not a 64-bit one */
    uintmax_t big = (uintmax_t)INT_MAX * INT_MAX;
    assert_true(gradc_count(INT_MAX, INT_MAX) == (big > SIZE_MAX ? SIZE_MAX : (size_t)big));
}

static void scale_saturates(void **state)
{
    (void)state;
    assert_true(gradc_scale(gradc_count(3, 4), 5) == 60);
    assert_true(gradc_scale(12, 0) == 0);
    assert_true(gradc_scale(0, 7) == 0);
    assert_true(gradc_scale(12, -1) == SIZE_MAX);
    assert_true(gradc_scale(SIZE_MAX, 1) == SIZE_MAX);
    assert_true(gradc_scale(SIZE_MAX, 0) == SIZE_MAX);     /* an overflow stays one */
    assert_true(gradc_scale(SIZE_MAX / 2 + 1, 2) == SIZE_MAX);
    assert_true(gradc_scale(SIZE_MAX / 2, 2) == SIZE_MAX - 1);
}

static void sum_saturates(void **state)
{
    (void)state;
    assert_true(gradc_sum(0, 0) == 0);
    assert_true(gradc_sum(1, 2) == 3);
    assert_true(gradc_sum(SIZE_MAX - 1, 1) == SIZE_MAX);
    assert_true(gradc_sum(SIZE_MAX, 1) == SIZE_MAX);
    assert_true(gradc_sum(1, SIZE_MAX) == SIZE_MAX);
    assert_true(gradc_sum(SIZE_MAX / 2 + 1, SIZE_MAX / 2 + 1) == SIZE_MAX);
    assert_true(gradc_sum(SIZE_MAX, 0) == SIZE_MAX);
    /* a saturated size stays saturated down a chain of sums */
    assert_true(gradc_sum(gradc_sum(gradc_count(-1, 1), 5), 7) == SIZE_MAX);
}

static void alloc_zero_and_too_big(void **state)
{
    (void)state;
    double none[1] = {0.0};
    assert_ptr_equal(gradc_alloc(0, none), none);
    assert_null(gradc_alloc(SIZE_MAX, none));
    assert_null(gradc_alloc(SIZE_MAX / sizeof(double) + 1, none));
    double *a = gradc_alloc(5, none);
    assert_non_null(a);
    assert_ptr_not_equal(a, none);
    for (int i = 0; i < 5; i++)
        assert_same(a[i], 0.0);
    free(a);
}

static void fill_and_copy(void **state)
{
    (void)state;
    double a[4] = {1.0, 2.0, 3.0, 4.0};
    gradc_fill(a, 3);
    assert_same(a[0], 0.0);
    assert_same(a[2], 0.0);
    assert_same(a[3], 4.0);
    gradc_fill_nan(a, 2);
    assert_same(a[0], NAN);
    assert_same(a[1], NAN);
    assert_same(a[2], 0.0);
    double b[4] = {5.0, 6.0, 7.0, 8.0};
    gradc_copy(a, b, 4);
    for (int i = 0; i < 4; i++)
        assert_same(a[i], b[i]);
    gradc_copy(a, NULL, 3);        /* a NULL source counts as zeros */
    assert_same(a[0], 0.0);
    assert_same(a[2], 0.0);
    assert_same(a[3], 8.0);
    gradc_fill(NULL, 0);
    gradc_copy(NULL, NULL, 0);
    int k[3] = {7, 8, 9};
    gradc_filli(k, 2);
    assert_int_equal(k[0], 0);
    assert_int_equal(k[1], 0);
    assert_int_equal(k[2], 9);
    gradc_filli(k, SIZE_MAX);
    assert_int_equal(k[2], 9);
}

/* SIZE_MAX stands for a size that overflowed: nothing is touched (the
 * pointers are far too short for anything else to pass the sanitizers). */
static void size_max_does_nothing(void **state)
{
    (void)state;
    double a[2] = {1.0, 2.0}, b[2] = {3.0, 4.0};
    gradc_fill(a, SIZE_MAX);
    gradc_fill_nan(a, SIZE_MAX);
    gradc_copy(a, b, SIZE_MAX);
    gradc_copy(a, NULL, SIZE_MAX);
    assert_same(a[0], 1.0);
    assert_same(a[1], 2.0);
}

/* ---- the tape ------------------------------------------------------------ */

static void push_pop_lifo_across_growth(void **state)
{
    (void)state;
    gradc_tape t = {NULL, 0, 0, 0};
    for (int i = 0; i < 1000; i++)
        gradc_push(&t, i + 0.5);
    assert_int_equal(t.len, 1000);
    assert_true(t.cap >= 1000);
    assert_int_equal(t.failed, 0);
    for (int i = 999; i >= 0; i--)
        assert_same(gradc_pop(&t), i + 0.5);
    assert_int_equal(t.len, 0);
    assert_same(gradc_pop(&t), 0.0);
    assert_int_equal(t.failed, 0);      /* an empty pop is not a failure */
    free(t.data);
}

static void pop_on_empty_gives_zero(void **state)
{
    (void)state;
    gradc_tape t = {NULL, 0, 0, 0};
    assert_same(gradc_pop(&t), 0.0);
    assert_int_equal(t.len, 0);
    assert_int_equal(t.failed, 0);
    assert_null(t.data);
}

static void reserve_makes_room(void **state)
{
    (void)state;
    gradc_tape t = {NULL, 0, 0, 0};
    gradc_reserve(&t, 5, 2, 3);         /* no iterations: nothing to allocate */
    assert_null(t.data);
    assert_int_equal(t.failed, 0);
    gradc_reserve(&t, -10, 90, 3);      /* 300 values */
    assert_true(t.cap >= 300);
    assert_int_equal(t.len, 0);
    size_t cap = t.cap;
    for (int i = 0; i < 300; i++)
        gradc_push(&t, i);
    assert_true(t.cap == cap);          /* no growth inside the loop */
    assert_same(gradc_pop(&t), 299.0);
    assert_int_equal(t.failed, 0);
    free(t.data);
}

static void reserve_overflow_fails(void **state)
{
    (void)state;
    gradc_tape t = {NULL, 0, 0, 0};
    gradc_push(&t, 1.0);
    /* INT_MAX - INT_MIN iterations of SIZE_MAX / 2 values: past SIZE_MAX */
    gradc_reserve(&t, INT_MIN, INT_MAX, SIZE_MAX / 2);
    assert_int_equal(t.failed, 1);
    assert_int_equal(t.len, 1);         /* what was saved stays */
    free(t.data);

    gradc_tape u = {NULL, 0, 0, 0};
    gradc_reserve(&u, 0, 2, SIZE_MAX / 2 + 1);
    assert_int_equal(u.failed, 1);
    assert_null(u.data);
}

static void room_after_failure(void **state)
{
    (void)state;
    gradc_tape t = {NULL, 0, 0, 0};
    assert_int_equal(gradc_room(&t, SIZE_MAX), 0);
    assert_int_equal(t.failed, 1);
    assert_null(t.data);                /* nothing was tried */
    assert_int_equal(gradc_room(&t, 0), 0);
    assert_int_equal(gradc_room(&t, 1), 0);
    gradc_push(&t, 1.0);                /* a failed tape saves nothing more */
    double a[3] = {1.0, 2.0, 3.0};
    gradc_pusha(&t, a, 3);
    assert_int_equal(t.len, 0);
    assert_null(t.data);
    assert_same(gradc_pop(&t), 0.0);
    assert_int_equal(t.failed, 1);      /* and the failure stays */

    /* a room request that cannot be met, on a tape that holds data */
    gradc_tape u = {NULL, 0, 0, 0};
    gradc_push(&u, 7.0);
    assert_int_equal(gradc_room(&u, SIZE_MAX - 1), 0);
    assert_int_equal(u.failed, 1);
    assert_same(gradc_pop(&u), 7.0);    /* saved values are still there */
    free(u.data);
}

static void pusha_popa_round_trip(void **state)
{
    (void)state;
    gradc_tape t = {NULL, 0, 0, 0};
    double a[100], b[100];
    for (int i = 0; i < 100; i++)
        a[i] = i * 1.5;
    gradc_push(&t, -1.0);
    gradc_pusha(&t, a, 100);            /* grows from 64 */
    gradc_pusha(&t, a, 0);
    gradc_pusha(&t, a, SIZE_MAX);       /* an overflowed size: nothing */
    assert_int_equal(t.len, 101);
    assert_int_equal(t.failed, 0);
    gradc_popa(&t, b, 0);
    gradc_popa(&t, b, 100);
    for (int i = 0; i < 100; i++)
        assert_same(b[i], a[i]);        /* in the order pushed */
    assert_same(gradc_pop(&t), -1.0);
    assert_int_equal(t.len, 0);
    assert_int_equal(t.failed, 0);
    free(t.data);
}

static void pushai_popai_round_trip(void **state)
{
    (void)state;
    gradc_tape t = {NULL, 0, 0, 0};
    int a[70], b[70];
    for (int i = 0; i < 70; i++)
        a[i] = i % 2 ? INT_MAX - i : INT_MIN + i;      /* exact as doubles */
    gradc_push(&t, -1.0);
    gradc_pushai(&t, a, 70);
    gradc_pushai(&t, a, SIZE_MAX);
    assert_int_equal(t.len, 71);
    gradc_popai(&t, b, 70);
    for (int i = 0; i < 70; i++)
        assert_int_equal(b[i], a[i]);
    assert_same(gradc_pop(&t), -1.0);
    gradc_popai(&t, b, 1);                  /* underflow */
    assert_int_equal(t.failed, 1);
    assert_int_equal(b[0], a[0]);
    free(t.data);
}

static void popa_underflow_fails(void **state)
{
    (void)state;
    gradc_tape t = {NULL, 0, 0, 0};
    gradc_push(&t, 1.0);
    gradc_push(&t, 2.0);
    double b[3] = {9.0, 9.0, 9.0};
    gradc_popa(&t, b, 3);
    assert_int_equal(t.failed, 1);
    assert_int_equal(t.len, 2);         /* nothing taken */
    assert_same(b[0], 9.0);
    t.failed = 0;
    gradc_popa(&t, b, SIZE_MAX);
    assert_int_equal(t.failed, 1);
    assert_int_equal(t.len, 2);
    free(t.data);
}

/* ---- sparsity patterns --------------------------------------------------- */

/* A fixed pseudo-random sequence (splitmix64): a failure repeats. */
static unsigned long long sp_seed;

static unsigned long long sp_next(void)
{
    unsigned long long z = (sp_seed += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* 0 .. n - 1 */
static size_t sp_below(size_t n)
{
    return (size_t)(sp_next() % n);
}

/* Where a check runs (shown when it fails), if not "". */
static char sp_where[160];

static gradc_pctx sp_ctx(int rec)
{
    gradc_pctx c;
    memset(&c, 0, sizeof c);
    c.rec = rec;
    return c;
}

/* The bits of the columns < n of the chunk from c0. */
static gradc_mask sp_valid(size_t c0, size_t n)
{
    return n - c0 >= 64 ? ~(gradc_mask)0 : ((gradc_mask)1 << (n - c0)) - 1;
}

/* The entries of c (got: what gradc_pat_end or gradc_pat_all returned)
   are exactly the cells set in the m x n matrix want (row-major), in
   row-major order, each once; read through gradc_pat_rc, rows and columns
   together and each alone. */
static void assert_pattern(const gradc_pctx *c, int got, const unsigned char *want, size_t m, size_t n)
{
    size_t count = 0;
    for (size_t k = 0; k < m * n; k++)
        count += want[k] != 0;
    size_t room = (c->nnz > count ? c->nnz : count) + 1;
    int *rows = malloc(room * sizeof *rows), *cols = malloc(room * sizeof *cols);
    int *rows2 = malloc(room * sizeof *rows2), *cols2 = malloc(room * sizeof *cols2);
    assert_true(rows && cols && rows2 && cols2);
    for (size_t k = 0; k < room; k++)
        rows[k] = cols[k] = rows2[k] = cols2[k] = -7;
    gradc_pat_rc(c, rows, cols);
    gradc_pat_rc(c, rows2, NULL);
    gradc_pat_rc(c, NULL, cols2);
    gradc_pat_rc(c, NULL, NULL);
    size_t k = 0;
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++) {
            if (!want[i * n + j])
                continue;
            if (k >= c->nnz || rows[k] != (int)i || cols[k] != (int)j) {
                if (*sp_where)
                    print_error("%s: ", sp_where);
                if (k < c->nnz)
                    print_error("entry %zu is (%d, %d), expected (%zu, %zu)\n", k, rows[k], cols[k], i, j);
                else
                    print_error("entry %zu is missing, expected (%zu, %zu)\n", k, i, j);
                free(rows), free(cols), free(rows2), free(cols2);
                fail();
            }
            k++;
        }
    if (c->nnz != count && *sp_where)
        print_error("%s: ", sp_where);
    if (c->nnz > count)
        print_error("entry %zu is (%d, %d), one too many\n", count, rows[count], cols[count]);
    assert_int_equal(c->nnz, count);
    assert_int_equal(got, count);
    for (k = 0; k < count; k++) {
        assert_int_equal(rows2[k], rows[k]);
        assert_int_equal(cols2[k], cols[k]);
    }
    assert_int_equal(rows[count], -7);  /* nothing written beyond nnz */
    assert_int_equal(cols[count], -7);
    free(rows), free(cols), free(rows2), free(cols2);
}

/* Element i of an array that starts at column at is column at + i: its
   bit is in the chunk from 64 * ((at + i) / 64), and only there. */
static void mbits_exactly_the_chunk(void **state)
{
    (void)state;
    static const size_t ats[] = {0, 1, 5, 60, 63, 64, 65, 100, 127, 128, 191, 200};
    static const size_t ns[] = {0, 1, 3, 4, 10, 63, 64, 65, 130, 200};
    gradc_mask m[202];
    for (size_t ia = 0; ia < sizeof ats / sizeof *ats; ia++)
        for (size_t in = 0; in < sizeof ns / sizeof *ns; in++) {
            size_t at = ats[ia], n = ns[in];
            int seen[201] = {0};
            for (size_t c0 = 0; c0 <= 448; c0 += 64) {
                for (size_t i = 0; i <= n; i++)
                    m[i] = 0xdeadbeefull;
                gradc_mbits(m, n, at, c0);
                for (size_t i = 0; i < n; i++) {
                    size_t col = at + i;
                    gradc_mask want = col / 64 * 64 == c0 ? (gradc_mask)1 << col % 64 : 0;
                    if (m[i] != want)
                        print_error("at %zu, n %zu, c0 %zu: element %zu\n", at, n, c0, i);
                    assert_int_equal(m[i], want);
                    seen[i] += m[i] != 0;
                }
                assert_int_equal(m[n], 0xdeadbeefull);
            }
            for (size_t i = 0; i < n; i++)
                assert_int_equal(seen[i], 1);
        }
    gradc_mbits(NULL, 0, 3, 0);
}

static void copym_or_fillm(void **state)
{
    (void)state;
    /* without c: a plain copy, NULL as zeros */
    gradc_mask a[4] = {1, 2, 4, 8}, b[4] = {3, 2, 0, 16};
    gradc_copym(a, b, 3, NULL);
    assert_int_equal(a[0], 3);
    assert_int_equal(a[1], 2);
    assert_int_equal(a[2], 0);
    assert_int_equal(a[3], 8);
    gradc_copym(a, NULL, 2, NULL);
    assert_int_equal(a[0], 0);
    assert_int_equal(a[1], 0);
    assert_int_equal(a[2], 0);
    assert_int_equal(a[3], 8);
    /* with c: a join, growth noted only when a bit is added */
    gradc_pctx c = sp_ctx(0);
    gradc_mask x[4] = {5, 6, 0, 8}, y[4] = {1, 2, 0, 16};
    gradc_copym(x, y, 3, &c);               /* y[0..2] are inside x */
    assert_int_equal(x[0], 5);
    assert_int_equal(x[1], 6);
    assert_int_equal(x[2], 0);
    assert_int_equal(c.grew, 0);
    gradc_copym(x, NULL, 4, &c);            /* joins nothing */
    assert_int_equal(x[3], 8);
    assert_int_equal(c.grew, 0);
    gradc_copym(x, y, 4, &c);
    assert_int_equal(x[3], 24);
    assert_int_equal(c.grew, 1);
    c.grew = 0;
    gradc_copym(x, y, 4, &c);               /* again: nothing new */
    assert_int_equal(x[3], 24);
    assert_int_equal(c.grew, 0);
    y[1] = (gradc_mask)1 << 63;
    gradc_copym(x, y, 4, &c);
    assert_int_equal(x[1], 6 | (gradc_mask)1 << 63);
    assert_int_equal(x[0], 5);
    assert_int_equal(c.grew, 1);
    c.grew = 1;                             /* a join never clears it */
    gradc_copym(x, y, 4, &c);
    assert_int_equal(c.grew, 1);
    c.grew = 0;
    gradc_copym(x, y, 0, &c);
    gradc_copym(x, y, SIZE_MAX, &c);        /* an overflowed size: nothing */
    gradc_copym(x, NULL, SIZE_MAX, NULL);
    gradc_copym(NULL, NULL, 0, NULL);
    assert_int_equal(c.grew, 0);
    assert_int_equal(x[0], 5);
    /* gradc_or */
    assert_int_equal(gradc_or(&c, 6, 2), 6);
    assert_int_equal(gradc_or(&c, 6, 0), 6);
    assert_int_equal(gradc_or(&c, 0, 0), 0);
    assert_int_equal(c.grew, 0);
    assert_int_equal(gradc_or(&c, 6, 9), 15);
    assert_int_equal(c.grew, 1);
    assert_int_equal(gradc_or(&c, 15, 1), 15);
    assert_int_equal(c.grew, 1);
    c.grew = 0;
    assert_int_equal(gradc_or(&c, 1, (gradc_mask)1 << 63), 1 | (gradc_mask)1 << 63);
    assert_int_equal(c.grew, 1);
    /* gradc_fillm */
    gradc_mask z[3] = {7, 8, 9};
    gradc_fillm(z, 2);
    assert_int_equal(z[0], 0);
    assert_int_equal(z[1], 0);
    assert_int_equal(z[2], 9);
    gradc_fillm(z + 2, SIZE_MAX);
    gradc_fillm(NULL, 0);
    assert_int_equal(z[2], 9);
}

/* Entries come sorted by row, then column, each once. */
static void pat_add_sorts_and_dedups(void **state)
{
    (void)state;
    gradc_pctx c = sp_ctx(0);
    assert_int_equal(gradc_pat_end(&c, 0, 0), 0);    /* no entries */
    static const size_t add[][2] = {{3, 1}, {0, 2}, {3, 0}, {0, 2}, {1, 1}, {0, 0}, {3, 1}, {3, 1}, {2, 3}};
    unsigned char want[4 * 4] = {0};
    for (size_t k = 0; k < sizeof add / sizeof *add; k++) {
        gradc_pat_add(&c, add[k][0], add[k][1]);
        want[add[k][0] * 4 + add[k][1]] = 1;
    }
    assert_int_equal(c.nnz, 9);
    assert_pattern(&c, gradc_pat_end(&c, 0, 4), want, 4, 4);
    /* ending twice changes nothing */
    assert_pattern(&c, gradc_pat_end(&c, 0, 4), want, 4, 4);
    gradc_pat_free(&c);
    /* many, in reverse, each three times, past several growths */
    c = sp_ctx(0);
    unsigned char *big = calloc(40 * 50, 1);
    assert_non_null(big);
    for (int t = 0; t < 3; t++)
        for (size_t k = 40 * 50; k-- > 0;)
            if (k % 7 != 3) {
                gradc_pat_add(&c, k / 50, k % 50);
                big[k] = 1;
            }
    assert_pattern(&c, gradc_pat_end(&c, 0, 50), big, 40, 50);
    free(big);
    gradc_pat_free(&c);
    /* the largest row and column that an int holds; past them, failure */
    c = sp_ctx(0);
    gradc_pat_add(&c, 0x7fffffff, 0x7fffffff);
    gradc_pat_add(&c, 0, 0x7fffffff);
    assert_int_equal(gradc_pat_end(&c, 0, 1), 2);
    int r[2], q[2];
    gradc_pat_rc(&c, r, q);
    assert_int_equal(r[0], 0);
    assert_int_equal(q[0], 0x7fffffff);
    assert_int_equal(r[1], 0x7fffffff);
    assert_int_equal(q[1], 0x7fffffff);
    gradc_pat_add(&c, 0x80000000u, 0);
    assert_int_equal(c.failed, 1);
    assert_int_equal(gradc_pat_end(&c, 0, 1), -1);
    gradc_pat_free(&c);
    c = sp_ctx(0);
    gradc_pat_add(&c, 0, 0x80000000u);
    assert_int_equal(c.failed, 1);
    assert_int_equal(gradc_pat_end(&c, 1, 1), -1);
    gradc_pat_free(&c);
}

/* A Jacobian's pattern from the output masks of every chunk's sweep, the
   outputs in two arrays (the second at an offset), the first written
   twice; against the dependencies it was made from. */
static void jacobian_pattern_by_chunks(void **state)
{
    (void)state;
    static const size_t size[][2] = {{1, 1}, {3, 64}, {5, 65}, {70, 150}, {40, 257}, {0, 10}, {6, 0}};
    sp_seed = 1;
    for (size_t s = 0; s < sizeof size / sizeof *size; s++) {
        size_t m = size[s][0], n = size[s][1], split = m / 3;
        snprintf(sp_where, sizeof sp_where, "%zu x %zu", m, n);
        unsigned char *dep = calloc(m * n + 1, 1);
        gradc_mask *ms = malloc((m + 1) * sizeof *ms);
        assert_true(dep && ms);
        for (size_t i = 0; i < m; i++) {
            size_t kind = sp_below(5);     /* empty, dense, or 1 in 2, 8, 32 */
            for (size_t j = 0; j < n; j++)
                dep[i * n + j] = kind == 1 || (kind > 1 && sp_below((size_t)1 << (2 * kind - 3)) == 0);
        }
        gradc_pctx c = sp_ctx(0);
        for (size_t c0 = 0; c0 < n; c0 += 64) {
            c.c0 = c0;
            c.k = 0;
            for (size_t i = 0; i < m; i++) {
                ms[i] = 0;
                for (size_t j = c0; j < n && j < c0 + 64; j++)
                    if (dep[i * n + j])
                        ms[i] |= (gradc_mask)1 << (j - c0);
            }
            gradc_pat_out(&c, ms, split, 0);
            gradc_pat_out(&c, ms + split, m - split, split);
            gradc_pat_out(&c, ms, split, 0);
        }
        assert_int_equal(c.nr, 0);
        assert_pattern(&c, gradc_pat_end(&c, 0, n), dep, m, n);
        gradc_pat_free(&c);
        free(dep);
        free(ms);
    }
    sp_where[0] = '\0';
}

/* ---- Hessian records ---- */

/* What the records of operation k say: the columns of its a sets and of
   its b sets, over all chunks (K operations of n columns). */
typedef struct SpSets {
    size_t K, n;
    unsigned char *a, *b;
} SpSets;

static SpSets sp_sets(size_t K, size_t n)
{
    SpSets r = {K, n, calloc(K * n + 1, 1), calloc(K * n + 1, 1)};
    assert_true(r.a && r.b);
    return r;
}

/* gradc_mrec as generated code calls it, and the same into the sets. */
static void sp_rec(gradc_pctx *c, SpSets *r, gradc_mask a, gradc_mask b)
{
    size_t k = c->k;
    assert_true(k < r->K);
    for (size_t t = 0; t < 64; t++) {
        if (a >> t & 1) {
            assert_true(c->c0 + t < r->n);
            r->a[k * r->n + c->c0 + t] = 1;
        }
        if (b >> t & 1) {
            assert_true(c->c0 + t < r->n);
            r->b[k * r->n + c->c0 + t] = 1;
        }
    }
    gradc_mrec(c, a, b);
}

/* The Hessian's lower triangle from the sets, by brute force: for each k,
   each i of its a sets with each j of its b sets gives {max, min}. */
static unsigned char *sp_pairs(const SpSets *r)
{
    size_t n = r->n;
    unsigned char *want = calloc(n * n + 1, 1);
    assert_non_null(want);
    for (size_t k = 0; k < r->K; k++)
        for (size_t i = 0; i < n; i++)
            if (r->a[k * n + i])
                for (size_t j = 0; j < n; j++)
                    if (r->b[k * n + j])
                        want[(i > j ? i : j) * n + (i > j ? j : i)] = 1;
    return want;
}

static void sp_sets_free(SpSets *r)
{
    free(r->a);
    free(r->b);
}

/* Starts the sweep of the chunk from c0, as generated code does. */
static void sp_sweep(gradc_pctx *c, size_t c0)
{
    c->c0 = c0;
    c->k = 0;
}

static void hessian_records_small(void **state)
{
    (void)state;
    /* not recording: nothing, though k counts */
    gradc_pctx c = sp_ctx(0);
    sp_sweep(&c, 0);
    gradc_mrec(&c, 3, 3);
    gradc_mrec(&c, 1, 2);
    assert_int_equal(c.k, 2);
    assert_int_equal(c.nr, 0);
    assert_int_equal(gradc_pat_end(&c, 1, 2), 0);
    gradc_pat_free(&c);

    /* zero masks: nothing */
    c = sp_ctx(1);
    for (size_t c0 = 0; c0 < 192; c0 += 64) {
        sp_sweep(&c, c0);
        gradc_mrec(&c, 0, 0);
        gradc_mrec(&c, 0, 0);
        assert_int_equal(c.k, 2);
    }
    assert_int_equal(c.nr, 0);
    assert_int_equal(gradc_pat_end(&c, 1, 150), 0);
    gradc_pat_free(&c);

    /* one side empty in every chunk: no pairs */
    c = sp_ctx(1);
    sp_sweep(&c, 0);
    gradc_mrec(&c, 5, 0);
    gradc_mrec(&c, 0, 6);
    assert_int_equal(c.nr, 2);
    assert_int_equal(gradc_pat_end(&c, 1, 3), 0);
    gradc_pat_free(&c);

    /* a and b of one operation from different chunks: a = {0} in the
       first, b = {65} in the second, and the other way for operation 1 */
    c = sp_ctx(1);
    sp_sweep(&c, 0);
    gradc_mrec(&c, 1, 0);
    gradc_mrec(&c, 0, 4);           /* b = {2} */
    sp_sweep(&c, 64);
    gradc_mrec(&c, 0, 2);           /* b = {65} */
    gradc_mrec(&c, 8, 0);           /* a = {67} */
    {
        unsigned char want[70 * 70] = {0};
        want[65 * 70 + 0] = 1;
        want[67 * 70 + 2] = 1;
        assert_pattern(&c, gradc_pat_end(&c, 1, 70), want, 70, 70);
    }
    gradc_pat_free(&c);

    /* several records of one operation in one chunk (the passes of a
       while loop) are joined: A = {0, 1}, B = {0, 2} gives (0,0) (1,0)
       (2,0) (2,1), not only (0,0) and (2,1) */
    c = sp_ctx(1);
    sp_sweep(&c, 0);
    gradc_mrec(&c, 1, 1);
    c.k = 0;
    gradc_mrec(&c, 2, 4);
    {
        unsigned char want[3 * 3] = {0};
        want[0 * 3 + 0] = want[1 * 3 + 0] = want[2 * 3 + 0] = want[2 * 3 + 1] = 1;
        assert_pattern(&c, gradc_pat_end(&c, 1, 3), want, 3, 3);
    }
    gradc_pat_free(&c);

    /* operations kept apart: 0 couples {0} with {1}, 1 couples {2} with
       {3}; no (3,0) or (2,1) */
    c = sp_ctx(1);
    sp_sweep(&c, 0);
    gradc_mrec(&c, 1, 2);
    gradc_mrec(&c, 4, 8);
    {
        unsigned char want[4 * 4] = {0};
        want[1 * 4 + 0] = want[3 * 4 + 2] = 1;
        assert_pattern(&c, gradc_pat_end(&c, 1, 4), want, 4, 4);
    }
    gradc_pat_free(&c);

    /* every operation coupling everything: the whole lower triangle, many
       times over (and so past the sorted passes that thin repeats out) */
    c = sp_ctx(1);
    SpSets r = sp_sets(12, 150);
    for (size_t c0 = 0; c0 < 150; c0 += 64) {
        sp_sweep(&c, c0);
        for (int k = 0; k < 12; k++)
            sp_rec(&c, &r, sp_valid(c0, 150), sp_valid(c0, 150));
    }
    unsigned char *want = sp_pairs(&r);
    assert_pattern(&c, gradc_pat_end(&c, 1, 150), want, 150, 150);
    assert_int_equal(c.nnz, 150 * 151 / 2);
    free(want);
    sp_sets_free(&r);
    gradc_pat_free(&c);

    /* operation k couples the 60 columns from 60 k among themselves, in
       two passes of a loop: blocks that no later operation repeats, so
       that the sorted passes must keep what they thin out */
    c = sp_ctx(1);
    r = sp_sets(5, 300);
    for (size_t c0 = 0; c0 < 300; c0 += 64) {
        sp_sweep(&c, c0);
        for (size_t p = 0; p < 2; p++) {
            c.k = 0;
            for (size_t k = 0; k < 5; k++) {
                gradc_mask w = 0;
                for (size_t j = 60 * k; j < 60 * k + 60; j++)
                    if (j >= c0 && j < c0 + 64)
                        w |= (gradc_mask)1 << (j - c0);
                sp_rec(&c, &r, w, w);
            }
        }
    }
    want = sp_pairs(&r);
    assert_pattern(&c, gradc_pat_end(&c, 1, 300), want, 300, 300);
    assert_int_equal(c.nnz, 5 * 60 * 61 / 2);
    free(want);
    sp_sets_free(&r);
    gradc_pat_free(&c);
}

/* A random mask of the columns < n of the chunk from c0: none, one, a
   few, many, or all. */
static gradc_mask sp_mask(size_t c0, size_t n)
{
    gradc_mask v = sp_valid(c0, n), w;
    switch (sp_below(10)) {
    case 0:
    case 1:
        return 0;
    case 2:
    case 3:
    case 4:
        w = (gradc_mask)1 << sp_below(n - c0 < 64 ? n - c0 : 64);
        break;
    case 5:
    case 6:
        w = sp_next() & sp_next() & sp_next() & sp_next();
        break;
    case 7:
    case 8:
        w = sp_next() & sp_next();
        break;
    default:
        w = sp_below(3) ? 0 : v;
        break;
    }
    return w & v;
}

/* Random "programs": in every chunk's sweep the same sequence of
   operations, some in while loops whose body runs a number of passes
   that differs by chunk (each pass starts again at the loop's k); the
   records against the brute-force pairs. */
static void hessian_records_random(void **state)
{
    (void)state;
    static const size_t ns[] = {1, 2, 63, 64, 65, 150, 200, 300};
    sp_seed = 2;
    for (size_t in = 0; in < sizeof ns / sizeof *ns; in++)
        for (int trial = 0; trial < 4; trial++) {
            size_t n = ns[in];
            /* the program: segments of plain operations and of loops */
            size_t nseg = 1 + sp_below(6), len[6], loop[6], K = 0;
            for (size_t g = 0; g < nseg; g++) {
                len[g] = sp_below(8);       /* a loop may have no records */
                loop[g] = sp_below(2);
                K += len[g];
            }
            gradc_pctx c = sp_ctx(1);
            SpSets r = sp_sets(K ? K : 1, n);
            for (size_t c0 = 0; c0 < n; c0 += 64) {
                sp_sweep(&c, c0);
                for (size_t g = 0; g < nseg; g++) {
                    size_t k0 = c.k, passes = loop[g] ? 1 + sp_below(3) : 1;
                    for (size_t p = 0; p < passes; p++) {
                        c.k = k0;
                        for (size_t t = 0; t < len[g]; t++)
                            sp_rec(&c, &r, sp_mask(c0, n), sp_mask(c0, n));
                    }
                }
                assert_int_equal(c.k, K);
            }
            unsigned char *want = sp_pairs(&r);
            snprintf(sp_where, sizeof sp_where, "n %zu, trial %d", n, trial);
            assert_pattern(&c, gradc_pat_end(&c, 1, n), want, n, n);
            sp_where[0] = '\0';
            free(want);
            sp_sets_free(&r);
            gradc_pat_free(&c);
        }
}

/* A long chain, as a tridiagonal Hessian's mask sweeps record it: each
   operation k couples {k, k+1} with itself, so neighbours repeat (k+1,
   k+1) and the entries pass the 4096 of the first sorted pass many times
   over; the result is the band exactly (and takes O(n log n): the passes
   once sorted at every operation past a mark, quadratic in n). */
static void hessian_records_long_chain(void **state)
{
    (void)state;
    const size_t n = 20000;
    gradc_pctx c = sp_ctx(1);
    for (size_t c0 = 0; c0 < n; c0 += 64) {
        sp_sweep(&c, c0);
        for (size_t k = 0; k + 1 < n; k++) {
            gradc_mask w = 0;
            for (size_t t = k; t <= k + 1; t++)
                if (t >= c0 && t < c0 + 64)
                    w |= (gradc_mask)1 << (t - c0);
            gradc_mrec(&c, w, w);
        }
    }
    assert_int_equal(gradc_pat_end(&c, 1, n), 2 * n - 1);
    for (size_t i = 0, k = 0; i < n; i++)
        for (size_t j = i ? i - 1 : 0; j <= i; j++, k++)
            assert_true(c.e[k] == ((gradc_mask)i << 32 | (gradc_mask)j));
    gradc_pat_free(&c);
}

static void pat_all_everything(void **state)
{
    (void)state;
    static const size_t size[][2] = {{3, 4}, {1, 1}, {0, 5}, {4, 0}, {0, 0}, {70, 90}};
    for (size_t s = 0; s < sizeof size / sizeof *size; s++) {
        size_t m = size[s][0], n = size[s][1];
        unsigned char *want = malloc(m * n + 1);
        assert_non_null(want);
        memset(want, 1, m * n + 1);
        gradc_pctx c = sp_ctx(0);
        assert_pattern(&c, gradc_pat_all(&c, m, n, 0), want, m, n);
        assert_int_equal(c.nnz, m * n);
        gradc_pat_free(&c);
        free(want);
    }
    static const size_t hn[] = {0, 1, 2, 5, 100};
    for (size_t s = 0; s < sizeof hn / sizeof *hn; s++) {
        size_t n = hn[s];
        unsigned char *want = calloc(n * n + 1, 1);
        assert_non_null(want);
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j <= i; j++)
                want[i * n + j] = 1;
        gradc_pctx c = sp_ctx(1);
        assert_pattern(&c, gradc_pat_all(&c, n, n, 1), want, n, n);
        assert_int_equal(c.nnz, n * (n + 1) / 2);
        gradc_pat_free(&c);
        free(want);
    }
}

/* ---- colouring ---- */

/* The colouring in c (ncol colours) of the m x n pattern in c: colours
   in [0, ncol), each up to ncol - 1 met; no two columns with an entry in
   the same row alike; at least as many colours as a row has entries, at
   most one more than a column has neighbours (greedy). */
static void check_colouring(const gradc_pctx *c, size_t m, size_t n, int ncol)
{
    unsigned char *full = calloc(m * n + 1, 1), *conf = calloc(n * n + 1, 1);
    size_t *in_row = malloc((n + 1) * sizeof *in_row);
    assert_true(full && conf && in_row);
    for (size_t k = 0; k < c->nnz; k++) {
        size_t i = (size_t)(c->e[k] >> 32), j = (size_t)(c->e[k] & 0xffffffffu);
        assert_true(i < m && j < n);
        full[i * n + j] = 1;
    }
    size_t maxrow = 0, maxdeg = 0;
    for (size_t i = 0; i < m; i++) {
        size_t cnt = 0;
        for (size_t j = 0; j < n; j++)
            if (full[i * n + j])
                in_row[cnt++] = j;
        if (cnt > maxrow)
            maxrow = cnt;
        for (size_t p = 0; p < cnt; p++)
            for (size_t q = p + 1; q < cnt; q++)
                conf[in_row[p] * n + in_row[q]] = conf[in_row[q] * n + in_row[p]] = 1;
    }
    int top = -1;
    for (size_t j = 0; j < n; j++) {
        size_t deg = 0;
        for (size_t q = 0; q < n; q++)
            deg += conf[j * n + q];
        if (deg > maxdeg)
            maxdeg = deg;
        assert_true(c->colour[j] >= 0 && c->colour[j] < ncol);
        if (c->colour[j] > top)
            top = c->colour[j];
    }
    assert_int_equal(ncol, top + 1);
    for (size_t p = 0; p < n; p++)
        for (size_t q = p + 1; q < n; q++)
            if (conf[p * n + q] && c->colour[p] == c->colour[q]) {
                print_error("%zu x %zu: columns %zu and %zu share a row and colour %d\n", m, n, p, q,
                            c->colour[p]);
                fail();
            }
    assert_true((size_t)ncol >= maxrow);
    assert_true((size_t)ncol <= 1 + maxdeg || n == 0);
    free(full);
    free(conf);
    free(in_row);
}

/* The star colouring in c (ncol colours) of the symmetric n x n pattern
   whose lower triangle c holds, checked by brute force: colours in
   [0, ncol), each met; neighbours differ; no path of four vertices has
   two colours; and what it is for: with H any symmetric matrix of that
   pattern (distinct values), the products H s_col for every colour give,
   through gradc_hvals, every entry exactly. */
static void check_star(const gradc_pctx *c, size_t n, int ncol)
{
    unsigned char *adj = calloc(n * n + 1, 1);
    double *h = calloc(n * n + 1, sizeof *h), *s = malloc((n + 1) * sizeof *s);
    double *hv = malloc((n + 1) * sizeof *hv), *vals = malloc((c->nnz + 1) * sizeof *vals);
    assert_true(adj && h && s && hv && vals);
    for (size_t k = 0; k < c->nnz; k++) {
        size_t i = (size_t)(c->e[k] >> 32), j = (size_t)(c->e[k] & 0xffffffffu);
        assert_true(j <= i && i < n);
        h[i * n + j] = h[j * n + i] = 1.0 + (double)k / 8;
        adj[i * n + j] = adj[j * n + i] = i != j;
        vals[k] = NAN;
    }
    int top = -1;
    for (size_t j = 0; j < n; j++) {
        assert_true(c->colour[j] >= 0 && c->colour[j] < ncol);
        top = c->colour[j] > top ? c->colour[j] : top;
    }
    assert_int_equal(ncol, top + 1);
    for (size_t b = 0; b < n; b++)
        for (size_t d = 0; d < n; d++) {
            if (!adj[b * n + d])
                continue;
            if (c->colour[b] == c->colour[d]) {
                print_error("star n=%zu: neighbours %zu and %zu share colour %d\n", n, b, d, c->colour[b]);
                fail();
            }
            /* a - b - d - e with a of d's colour and e of b's */
            int left = 0, right = 0;
            for (size_t a = 0; a < n; a++) {
                left |= a != d && adj[a * n + b] && c->colour[a] == c->colour[d];
                right |= a != b && adj[a * n + d] && c->colour[a] == c->colour[b];
            }
            if (left && right) {
                print_error("star n=%zu: a path through %zu - %zu has two colours\n", n, b, d);
                fail();
            }
        }
    for (int col = 0; col < ncol; col++) {
        for (size_t j = 0; j < n; j++)
            s[j] = c->colour[j] == col;
        for (size_t i = 0; i < n; i++) {
            hv[i] = 0;
            for (size_t j = 0; j < n; j++)
                hv[i] += h[i * n + j] * s[j];
        }
        gradc_hvals(c, col, hv, vals);
    }
    for (size_t k = 0; k < c->nnz; k++) {
        size_t i = (size_t)(c->e[k] >> 32), j = (size_t)(c->e[k] & 0xffffffffu);
        if (!(vals[k] == h[i * n + j])) {
            print_error("star n=%zu: H[%zu][%zu] recovered as %g, not %g\n", n, i, j, vals[k], h[i * n + j]);
            fail();
        }
    }
    free(adj);
    free(h);
    free(s);
    free(hv);
    free(vals);
}

static void colour_random_patterns(void **state)
{
    (void)state;
    /* m, n, 1 in how many cells, a dense row */
    static const size_t cases[][4] = {
        {1, 1, 1, 0}, {5, 1, 2, 0}, {1, 7, 2, 0}, {1, 7, 1, 0}, {0, 4, 1, 0}, {3, 0, 1, 0}, {0, 0, 1, 0},
        {10, 10, 4, 0}, {50, 20, 8, 0}, {20, 50, 8, 1}, {100, 100, 30, 0}, {100, 100, 5, 1},
        {300, 200, 50, 0}, {150, 300, 20, 1}, {300, 300, 100, 0}, {300, 300, 1000, 0}, {64, 65, 3, 0},
    };
    sp_seed = 3;
    for (size_t s = 0; s < sizeof cases / sizeof *cases; s++)
        for (int sym = 0; sym < 2; sym++) {
            size_t m = cases[s][0], n = sym ? cases[s][0] : cases[s][1], every = cases[s][2];
            gradc_pctx c = sp_ctx(sym);
            size_t dense = m ? sp_below(m) : 0;
            for (size_t i = 0; i < m; i++) {
                int empty = sp_below(5) == 0;
                for (size_t j = 0; j < (sym ? i + 1 : n); j++)
                    if ((cases[s][3] && i == dense) || (!empty && sp_below(every) == 0 && j % 11 != 5))
                        gradc_pat_add(&c, i, j);
            }
            int nnz = gradc_pat_end(&c, 0, n);
            assert_true(nnz >= 0);
            int ncol = sym ? gradc_star(&c, n) : gradc_colour(&c, m, n, 0);
            if (sym)
                check_star(&c, n, ncol);
            else
                check_colouring(&c, m, n, ncol);
            if (cases[s][3] && !sym)
                assert_int_equal(ncol, n);     /* the dense row needs them all */
            if (!sym) {
                /* J's rows coloured are the columns of its transpose coloured */
                gradc_pctx t = sp_ctx(0);
                for (size_t k = 0; k < c.nnz; k++)
                    gradc_pat_add(&t, (size_t)(c.e[k] & 0xffffffffu), (size_t)(c.e[k] >> 32));
                assert_true(gradc_pat_end(&t, 0, m) >= 0);
                int nrow = gradc_colour(&c, m, n, 1), ntrans = gradc_colour(&t, n, m, 0);
                check_colouring(&t, n, m, ntrans);
                assert_int_equal(nrow, ntrans);
                for (size_t i = 0; i < m; i++)
                    assert_int_equal(c.rcolour[i], t.colour[i]);
                gradc_pat_free(&t);
            }
            gradc_pat_free(&c);
        }
}

/* Bands: greedy in column order gives column j the colour j mod the
   band's width; the star colouring of the symmetric band given as its
   lower half takes no more colours than that. */
static void colour_bands(void **state)
{
    (void)state;
    static const size_t ns[] = {1, 2, 3, 4, 5, 6, 10, 100, 301};
    for (size_t s = 0; s < sizeof ns / sizeof *ns; s++)
        for (size_t half = 0; half <= 2; half++)
            for (int sym = 0; sym < 2; sym++) {
                size_t n = ns[s];
                gradc_pctx c = sp_ctx(sym);
                for (size_t i = 0; i < n; i++)
                    for (size_t j = i > half ? i - half : 0; j < n && j <= (sym ? i : i + half); j++)
                        gradc_pat_add(&c, i, j);
                assert_true(gradc_pat_end(&c, 0, n) >= 0);
                size_t width = 2 * half + 1 < n ? 2 * half + 1 : n;
                /* twice: the second colouring replaces the first */
                for (int t = 0; t < 2; t++) {
                    int ncol = sym ? gradc_star(&c, n) : gradc_colour(&c, n, n, 0);
                    if (sym) {
                        check_star(&c, n, ncol);
                        assert_true(ncol <= (int)width);
                        continue;
                    }
                    check_colouring(&c, n, n, ncol);
                    assert_int_equal(ncol, width);
                    for (size_t j = 0; j < n; j++)
                        assert_int_equal(c.colour[j], j % width);
                }
                gradc_pat_free(&c);
            }
}

/* Symmetry is what the star colouring is for: an arrowhead (a diagonal,
   and hubs coupled to everything) takes hubs + 1 colours wherever the hubs
   are, where a colouring of the whole pattern's columns takes n; a 2-D
   grid's 5-point stencil takes 3 to 7 (here; 5 is the least for large
   grids, as for a distance-2 colouring). */
static void colour_arrowheads_and_grids(void **state)
{
    (void)state;
    static const size_t ns[] = {2, 3, 5, 17, 64, 200};
    for (size_t s = 0; s < sizeof ns / sizeof *ns; s++)
        for (int where = 0; where < 3; where++)
            for (size_t hubs = 1; hubs <= 3 && hubs < ns[s]; hubs++) {
                size_t n = ns[s], first = where == 0 ? 0 : where == 1 ? n - hubs : (n - hubs) / 2;
                gradc_pctx c = sp_ctx(1);
                for (size_t i = 0; i < n; i++)
                    for (size_t j = 0; j <= i; j++)
                        if (i == j || (i >= first && i < first + hubs) || (j >= first && j < first + hubs))
                            gradc_pat_add(&c, i, j);
                assert_true(gradc_pat_end(&c, 0, n) >= 0);
                int ncol = gradc_star(&c, n);
                check_star(&c, n, ncol);
                if (ncol != (int)(n > hubs ? hubs + 1 : hubs)) {
                    print_error("arrowhead n=%zu, %zu hubs at %zu: %d colours\n", n, hubs, first, ncol);
                    fail();
                }
                gradc_pat_free(&c);
            }
    for (size_t side = 1; side <= 12; side++) {
        size_t n = side * side;
        gradc_pctx c = sp_ctx(1);
        for (size_t i = 0; i < n; i++) {
            gradc_pat_add(&c, i, i);
            if (i % side > 0)
                gradc_pat_add(&c, i, i - 1);
            if (i >= side)
                gradc_pat_add(&c, i, i - side);
        }
        assert_true(gradc_pat_end(&c, 0, n) >= 0);
        int ncol = gradc_star(&c, n);
        check_star(&c, n, ncol);
        assert_true(ncol <= 7);         /* what the greedy order gives: 5 is the least */
        gradc_pat_free(&c);
    }
}

/* ---- the table embedded into gradc ---------------------------------------- */

/* A piece as read here from runtime/, independently of the embedder. */
typedef struct Piece {
    char name[64], needs[256], headers[256], file[64];
    char *code;
} Piece;

typedef struct Pieces {
    Piece p[RT_MAX_PIECES];
    int n;
} Pieces;

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot read %s", path);
    char *text = NULL;
    size_t len = 0, cap = 0, got;
    char chunk[4096];
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (len + got + 1 > cap) {
            cap = 2 * (len + got + 1);
            text = realloc(text, cap);
            assert_non_null(text);
        }
        memcpy(text + len, chunk, got);
        len += got;
    }
    fclose(f);
    if (!text)
        text = calloc(1, 1);
    text[len] = '\0';
    return text;
}

/* The words after "gradc-piece:" (up to the closing comment) into p. */
static void parse_marker(const char *words, Piece *p)
{
    char *field = p->name;
    size_t size = sizeof p->name;
    const char *w = words;
    for (;;) {
        w += strspn(w, " \t");
        size_t n = strcspn(w, " \t");
        if (n == 0 || strncmp(w, "*/", 2) == 0)
            return;
        if (n == 6 && strncmp(w, "needs:", 6) == 0) {
            field = p->needs;
            size = sizeof p->needs;
        } else if (n == 8 && strncmp(w, "headers:", 8) == 0) {
            field = p->headers;
            size = sizeof p->headers;
        } else {
            size_t len = strlen(field);
            snprintf(field + len, size - len, "%s%.*s", len ? " " : "", (int)n, w);
        }
        w += n;
    }
}

static void read_pieces(const char *file, Pieces *ps)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", GRADC_RUNTIME_DIR, file);
    char *text = read_file(path);
    Piece *open = NULL;
    size_t start = 0;
    for (char *line = text; *line;) {
        char *nl = strchr(line, '\n');
        char *next = nl ? nl + 1 : line + strlen(line);
        if (strncmp(line, "/* gradc-piece:", 15) == 0) {
            assert_null(open);
            assert_true(ps->n < RT_MAX_PIECES);
            open = &ps->p[ps->n++];
            memset(open, 0, sizeof *open);
            snprintf(open->file, sizeof open->file, "%s", file);
            if (nl)
                *nl = '\0';
            parse_marker(line + 15, open);
            start = (size_t)(next - text);
        } else if (strncmp(line, "/* gradc-end */", 15) == 0) {
            assert_non_null(open);
            size_t n = (size_t)(line - text) - start;
            open->code = malloc(n + 1);
            memcpy(open->code, text + start, n);
            open->code[n] = '\0';
            open = NULL;
        }
        line = next;
    }
    assert_null(open);
    free(text);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every piece of every .c file of runtime/, files in name order. */
static void read_runtime(Pieces *ps)
{
    DIR *dir = opendir(GRADC_RUNTIME_DIR);
    assert_non_null(dir);
    char *files[64];
    int n = 0;
    struct dirent *de;
    while ((de = readdir(dir)) != NULL) {
        size_t len = strlen(de->d_name);
        if (len > 2 && strcmp(de->d_name + len - 2, ".c") == 0) {
            assert_true(n < 64);
            files[n] = malloc(len + 1);
            memcpy(files[n++], de->d_name, len + 1);
        }
    }
    closedir(dir);
    qsort(files, (size_t)n, sizeof files[0], cmp_names);
    ps->n = 0;
    for (int i = 0; i < n; i++) {
        read_pieces(files[i], ps);
        free(files[i]);
    }
}

static void free_pieces(Pieces *ps)
{
    for (int i = 0; i < ps->n; i++)
        free(ps->p[i].code);
}

static void table_is_the_runtime_sources(void **state)
{
    (void)state;
    static Pieces ps;
    read_runtime(&ps);
    assert_int_equal(rt_npieces, ps.n);
    for (int k = 0; k < ps.n; k++) {
        const RtPiece *r = &rt_pieces[k];
        const Piece *p = &ps.p[k];
        assert_string_equal(r->name, p->name);
        assert_string_equal(r->needs, p->needs);
        assert_string_equal(r->headers, p->headers);
        assert_string_equal(r->file, p->file);
        assert_string_equal(r->code, p->code);
        assert_int_equal(rt_find(p->name), k);
    }
    free_pieces(&ps);
}

/* What generated C needs of each piece: it defines what it is named after,
 * ends its last line, and comes after the pieces it needs. */
static void table_is_well_formed(void **state)
{
    (void)state;
    assert_true(rt_npieces > 0 && rt_npieces <= RT_MAX_PIECES);
    for (int k = 0; k < rt_npieces; k++) {
        const RtPiece *r = &rt_pieces[k];
        assert_non_null(strstr(r->code, r->name));
        size_t len = strlen(r->code);
        assert_true(len > 0 && r->code[len - 1] == '\n');
        RtSet s = {{false}};
        rt_require(&s, r->name);
        for (int j = k + 1; j < rt_npieces; j++)
            assert_false(s.has[j]);
        for (int j = 0; j < k; j++)
            assert_true(rt_find(rt_pieces[j].name) == j);   /* names are unique */
    }
}

static int count_marked(const RtSet *s)
{
    int n = 0;
    for (int k = 0; k < rt_npieces; k++)
        n += s->has[k];
    return n;
}

static void require_marks_what_is_needed(void **state)
{
    (void)state;
    RtSet s = {{false}};
    rt_require(&s, "gradc_push");
    assert_int_equal(count_marked(&s), 3);
    assert_true(s.has[rt_find("gradc_push")]);
    assert_true(s.has[rt_find("gradc_room")]);
    assert_true(s.has[rt_find("gradc_tape")]);
    rt_require(&s, "gradc_push");       /* twice is once */
    assert_int_equal(count_marked(&s), 3);
    rt_require(&s, "gradc_popa");
    assert_int_equal(count_marked(&s), 4);
    rt_require(&s, "gradc_reserve");
    assert_int_equal(count_marked(&s), 5);

    RtSet k = {{false}};
    rt_require(&k, "gradc_dabs");
    assert_int_equal(count_marked(&k), 1);
    assert_true(k.has[rt_find("gradc_dabs")]);
}

static void find_matches_whole_names(void **state)
{
    (void)state;
    int fill = rt_find("gradc_fill"), nan = rt_find("gradc_fill_nan");
    assert_true(fill >= 0 && nan >= 0 && fill != nan);
    assert_int_equal(rt_find("gradc_fil"), -1);
    assert_int_equal(rt_find("gradc_fill_"), -1);
    assert_int_equal(rt_find(""), -1);
    assert_int_equal(rt_find("gradc_room("), -1);
}

static void require_unknown(void *arg)
{
    RtSet s = {{false}};
    rt_require(&s, arg);
}

static void require_unknown_dies(void **state)
{
    (void)state;
    char err[1024];
    int st = unit_in_child(require_unknown, (void *)"gradc_nosuch", err, sizeof err);
    assert_false(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    assert_contains(err, "internal error");
    assert_contains(err, "gradc_nosuch");
}

static void headers_sorted_once(void **state)
{
    (void)state;
    Buf b;
    buf_init(&b);
    RtSet s = {{false}};
    rt_headers(&b, &s, NULL);
    assert_true(b.len == 0);
    rt_headers(&b, &s, " <math.h>  <math.h> ");
    assert_string_equal(b.data, "#include <math.h>\n");
    buf_free(&b);

    buf_init(&b);
    rt_require(&s, "gradc_push");
    rt_require(&s, "gradc_dpowx");
    rt_require(&s, "gradc_count");
    rt_headers(&b, &s, "<stdlib.h> <math.h>");
    assert_string_equal(b.data, "#include <math.h>\n#include <stddef.h>\n"
                                "#include <stdint.h>\n#include <stdlib.h>\n");
    buf_free(&b);

    buf_init(&b);
    RtSet k = {{false}};
    rt_require(&k, "gradc_dabs");
    rt_headers(&b, &k, "");
    assert_true(b.len == 0);
    buf_free(&b);
}

static void write_in_table_order(void **state)
{
    (void)state;
    RtSet s = {{false}};
    Buf b;
    buf_init(&b);
    rt_write(&b, &s);
    assert_true(b.len == 0);
    rt_require(&s, "gradc_push");
    rt_require(&s, "gradc_dabs");
    rt_write(&b, &s);
    const char *order[] = {"gradc_dabs", "gradc_tape", "gradc_room", "gradc_push"};
    Buf want;
    buf_init(&want);
    for (int i = 0; i < 4; i++) {
        buf_putc(&want, '\n');
        buf_puts(&want, rt_pieces[rt_find(order[i])].code);
    }
    assert_string_equal(b.data, want.data);
    buf_free(&want);
    buf_free(&b);
}

/* ---- the embedder ---------------------------------------------------------- */

/* Runs cmake/embed_runtime.cmake on a directory that holds one file, bad.c
 * with text: its exit status; its messages into err (whitespace runs made
 * one space), the table it wrote into out (heap; NULL if none). */
static int embed(const char *text, char *err, size_t n, char **out)
{
    char dir[] = "/tmp/gradc_runtime_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char src[64], table[64], msgs[64], cmd[4096];
    snprintf(src, sizeof src, "%s/bad.c", dir);
    snprintf(table, sizeof table, "%s/out.c", dir);
    snprintf(msgs, sizeof msgs, "%s/err.txt", dir);
    FILE *f = fopen(src, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "'%s' -DRUNTIME_DIR=%s -DOUTPUT=%s -P '%s' >%s 2>&1",
             GRADC_CMAKE_COMMAND, dir, table, GRADC_EMBED_SCRIPT, msgs);
    int st = system(cmd);
    char *m = read_file(msgs);
    size_t k = 0;
    for (const char *p = m; *p && k + 1 < n; p++)
        if (!isspace((unsigned char)*p))
            err[k++] = *p;
        else if (k && err[k - 1] != ' ')
            err[k++] = ' ';
    err[k] = '\0';
    free(m);
    FILE *t = fopen(table, "r");
    *out = NULL;
    if (t) {
        fclose(t);
        *out = read_file(table);
    }
    remove(src);
    remove(table);
    remove(msgs);
    rmdir(dir);
    return st;
}

static void embedder_stops_at_bad_markers(void **state)
{
    (void)state;
    static const struct {
        const char *text, *where, *what;
    } cases[] = {
        {"/* gradc-piece: gradc_a */\nint a;\n", "bad.c:1:", "'gradc_a' has no /* gradc-end */"},
        {"int a;\n/* gradc-end */\n", "bad.c:2:", "with no piece open"},
        {"/* gradc-piece: gradc_a */\nint a;\n/* gradc-piece: gradc_b */\n", "bad.c:3:",
         "starts inside piece 'gradc_a'"},
        {"/* gradc-piece: gradc_a */\nA\n/* gradc-end */\n/* gradc-piece: gradc_a */\nB\n/* gradc-end */\n",
         "bad.c:4:", "a second piece named 'gradc_a'"},
        {"/* gradc-piece: gradc_a  needs: gradc_b */\nA\n/* gradc-end */\n"
         "/* gradc-piece: gradc_b */\nB\n/* gradc-end */\n", "bad.c:1:", "'gradc_a' needs 'gradc_b'"},
        {"  /* gradc-piece: gradc_a */\nA\n/* gradc-end */\n", "bad.c:1:", "a marker is a whole line"},
        {"/* gradc-piece: 9a */\nA\n/* gradc-end */\n", "bad.c:1:", "C identifier, not '9a'"},
        {"/* gradc-piece: gradc_a gradc_b */\nA\n/* gradc-end */\n", "bad.c:1:", "one name per piece"},
        {"/* gradc-piece: gradc_a  headers: stdio.h */\nA\n/* gradc-end */\n", "bad.c:1:",
         "<name.h>, not 'stdio.h'"},
        {"/* gradc-piece: needs: gradc_b */\nA\n/* gradc-end */\n", "bad.c:1:", "names its piece"},
        {"/* gradc-piece: gradc_a */\n/* gradc-end */\n", "bad.c:2:", "'gradc_a' is empty"},
        {"int a;\n", "", "no pieces"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char err[4096];
        char *out;
        int st = embed(cases[i].text, err, sizeof err, &out);
        assert_true(st != 0);
        assert_null(out);               /* nothing half-written */
        assert_contains(err, cases[i].where);
        assert_contains(err, cases[i].what);
    }
}

/* Names, lists and text as the table holds them; C sees the text as
 * written: quotes, backslashes, tabs and would-be trigraphs escaped. */
static void embedder_writes_literals(void **state)
{
    (void)state;
    char err[4096];
    char *out;
    int st = embed("/* outside */\n#include <stdio.h>\n"
                   "/* gradc-piece: gradc_a  headers: <stdio.h>  */\n"
                   "\tA \"q\" \\ ?\?= ?\?\?/ ; [\n"   /* would-be trigraphs */
                   "\n"
                   "/* gradc-end */\n"
                   "/* gradc-piece: gradc_b needs: gradc_a headers: <math.h> <stdio.h> */\n"
                   "B\n"
                   "/* gradc-end */   \n",
                   err, sizeof err, &out);
    assert_int_equal(st, 0);
    assert_non_null(out);
    assert_contains(out, "{\"gradc_a\", \"\", \"<stdio.h>\", \"bad.c\",\n"
                         "     \"\\tA \\\"q\\\" \\\\ ?\\?= ?\\?\\?/ ; [\\n\"\n"
                         "     \"\\n\"\n    },");
    assert_contains(out, "{\"gradc_b\", \"gradc_a\", \"<math.h> <stdio.h>\", \"bad.c\",\n"
                         "     \"B\\n\"\n    },");
    assert_not_contains(out, "outside");
    assert_not_contains(out, "??");
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dabs_sign_and_zero),
        cmocka_unit_test(dmin_dmax_ties_give_half),
        cmocka_unit_test(dpow_at_zero),
        cmocka_unit_test(dhypot_at_origin),
        cmocka_unit_test(dpowi_k_zero),
        cmocka_unit_test(dom_passes_nan),
        cmocka_unit_test(sign_of_everything),
        cmocka_unit_test(polygamma_against_mpmath),
        cmocka_unit_test(polygamma_near_roots),
        cmocka_unit_test(polygamma_poles_and_ends),
        cmocka_unit_test(count_saturates),
        cmocka_unit_test(scale_saturates),
        cmocka_unit_test(sum_saturates),
        cmocka_unit_test(alloc_zero_and_too_big),
        cmocka_unit_test(fill_and_copy),
        cmocka_unit_test(size_max_does_nothing),
        cmocka_unit_test(push_pop_lifo_across_growth),
        cmocka_unit_test(pop_on_empty_gives_zero),
        cmocka_unit_test(reserve_makes_room),
        cmocka_unit_test(reserve_overflow_fails),
        cmocka_unit_test(room_after_failure),
        cmocka_unit_test(pusha_popa_round_trip),
        cmocka_unit_test(pushai_popai_round_trip),
        cmocka_unit_test(popa_underflow_fails),
        cmocka_unit_test(mbits_exactly_the_chunk),
        cmocka_unit_test(copym_or_fillm),
        cmocka_unit_test(pat_add_sorts_and_dedups),
        cmocka_unit_test(jacobian_pattern_by_chunks),
        cmocka_unit_test(hessian_records_small),
        cmocka_unit_test(hessian_records_random),
        cmocka_unit_test(hessian_records_long_chain),
        cmocka_unit_test(pat_all_everything),
        cmocka_unit_test(colour_random_patterns),
        cmocka_unit_test(colour_bands),
        cmocka_unit_test(colour_arrowheads_and_grids),
        cmocka_unit_test(table_is_the_runtime_sources),
        cmocka_unit_test(table_is_well_formed),
        cmocka_unit_test(require_marks_what_is_needed),
        cmocka_unit_test(find_matches_whole_names),
        cmocka_unit_test(require_unknown_dies),
        cmocka_unit_test(headers_sorted_once),
        cmocka_unit_test(write_in_table_order),
        cmocka_unit_test(embedder_stops_at_bad_markers),
        cmocka_unit_test(embedder_writes_literals),
    };
    return cmocka_run_group_tests_name("runtime", tests, NULL, NULL);
}
