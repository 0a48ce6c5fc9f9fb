/* The runtime: each support helper of generated code (runtime/) at its
 * edges (kinks, zero sizes, SIZE_MAX, a failed tape), compiled as C99 the
 * way generated files are; and the table embedded into gradc (rt_pieces),
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
