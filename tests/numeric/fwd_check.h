/* The generic checker of f_jvp and f_hvp behind the numeric.fwd.* tests. A
 * driver written by fwd_gen gives, per function, a descriptor of its
 * parameters and one adapter that calls f, f_grad (or f_vjp), f_jvp or f_hvp
 * from an array of argument slots; everything below works on that. Include
 * after <cmocka.h> and the generated header.
 *
 * The real inputs that are not const are packed into one vector z (n of
 * them), the outputs into y (m: the out arrays, or the one value), so the
 * function is y = F(z) with Jacobian J. At seeded random points, with random
 * v (a tangent, n) and w (a seed, m), it checks
 *   (a) the dot-product test <w, J v> (f_jvp) = <J^T w, v> (f_vjp, or w f_grad),
 *       and every entry of J built by columns from f_jvp against J built by
 *       rows from f_vjp / f_grad, to round-off;
 *   (b) J v from f_jvp against five-point differences of F along v;
 *   (c) H v from f_hvp against five-point differences of f_grad along v;
 *   (d) the Hessian built from f_hvp along e_1 .. e_n: symmetric, and H v
 *       equal to the sum of its columns weighted by v, to round-off;
 *   (e) exactly: the values of f_jvp, f_vjp, f_hvp and f_hvp's gradient are
 *       f's and f_grad's; outputs are overwritten, never accumulated (out
 *       arrays included, which start as garbage); NULL gradient, Hv, df and
 *       output-tangent pointers are skipped without changing the rest; a NULL
 *       tangent array is the same as zeros; zero tangents give zero.
 *   (f) the whole Jacobian from f_jac: every entry against J from f_jvp (a),
 *       to round-off, and each column against differences of F along e_j;
 *       f_jac's outputs are f's, also with a NULL J;
 *   (g) the whole Hessian from f_hess: every entry against H from f_hvp (d),
 *       to round-off, and each column against differences of f_grad along
 *       e_j; its value and gradient are f's and f_grad's, also with a NULL
 *       H; NULL gradient pointers leave H as it is.
 * (c), (d) and (g) are for functions that return a value (they have an
 * f_hvp and an f_hess), (f) for those with out arrays (an f_jac).
 * Int arrays (index tables, labels) are inputs like the ints: fixed lists,
 * or drawn afresh at each point from a range; they have no derivative. */
#ifndef GRADC_TESTS_NUMERIC_FWD_CHECK_H
#define GRADC_TESTS_NUMERIC_FWD_CHECK_H

#include <stdarg.h>
#include <string.h>

#include "check_array.h"

#define FWD_MAXP 32
#define FWD_MAXDIM 8     /* LANGUAGE.md section 2: 1 to 8 dimensions */

/* Round-off: (a) and (d) compare two computations of one quantity in
 * different orders. Each entry agrees within FWD_ROUND_REL of the sum of the
 * magnitudes it is made of, plus FWD_ROUND_ABS of a scale of the terms it
 * may have been computed from: the largest entry of the matrix and the
 * largest value (and gradient, for the Hessian). A derivative that is small
 * through cancellation (exp(a) / (1 + a^2) near a = 1) carries the rounding
 * error of its larger terms. */
#define FWD_ROUND_REL 1e-12
#define FWD_ROUND_ABS 1e-13

/* Finite differences: the five-point stencil
 *     (phi(-2h) - 8 phi(-h) + 8 phi(h) - phi(2h)) / 12h
 * has truncation error h^4 phi^(5) / 30 and rounding error ~1.5 eps |phi| / h:
 * with h = 1e-3 both are ~1e-12 relative for the smooth functions and the
 * ranges here (|z| <= 120, so the step taken along each input is exact to
 * ~1e-11). A result passes if it agrees with the estimate at h, h/8 or h/64
 * (the smaller steps for points near a kink or a steep region, and for
 * polynomials of high degree): within FD rel (the descriptor's, else
 * FWD_FD_REL) plus FWD_FD_ABS times the scale of the differenced values. A
 * wrong derivative is off by far more than the three disagree. */
#define FWD_FD_REL 1e-7
#define FWD_FD_ABS 1e-9
#define FWD_FD_STEP 1e-3

/* The most disagreements printed per function and point. */
#define FWD_MAX_REPORTS 12

enum fwd_kind { FWD_INT, FWD_REAL, FWD_CONST, FWD_OUT };
enum fwd_routine { FWD_VALUE, FWD_GRAD, FWD_JVP, FWD_HVP, FWD_JAC, FWD_HESS };

/* One .fn parameter, as fwd_gen writes it. */
typedef struct fwd_param {
    const char *name;
    int kind;                /* enum fwd_kind; FWD_INT with ndim > 0: an int array */
    int ndim;                /* 0 for a scalar */
    int dim[FWD_MAXDIM];     /* the sizes, evaluated by fwd_gen from the int values */
    int ival;                /* FWD_INT scalar: the value passed */
    double lo, hi;           /* FWD_REAL, FWD_CONST: random values are uniform in [lo, hi) */
    const int *ivals;        /* int array: its elements, row-major; NULL: drawn at each */
    int ilo, ihi;            /* point uniformly from the ints ilo .. ihi-1 */
} fwd_param;

/* The arguments of one parameter in one call; the adapter passes the fields
 * that its kind and the routine need, in the order of LANGUAGE.md section 6. */
typedef struct fwd_slot {
    int i;                   /* int */
    const int *ia;           /* int array */
    double x, dx;            /* real scalar (or const scalar) and its tangent */
    const double *a, *da;    /* real array (or const array) and its tangent */
    double *o, *dout;        /* out array and its tangent */
    const double *seed;      /* the seed of an out array, for f_vjp */
    double *g, *hv;          /* gradient and Hessian-vector outputs */
} fwd_slot;

/* Calls one routine; df is f_jvp's output for a function that returns a
 * value, and the matrix of f_jac (J) and f_hess (H). Returns the value (0
 * for a function with out arrays). */
typedef double (*fwd_call_fn)(int routine, const fwd_slot *s, double *df);

typedef struct fwd_fn {
    const char *file, *name;
    int returns;             /* returns a value (else has out arrays) */
    int np;
    const fwd_param *p;
    fwd_call_fn call;
    int points;
    double fd_rel;           /* 0: FWD_FD_REL */
} fwd_fn;

/* The buffers of one function's checks; n = inputs, m = outputs. */
typedef struct fwd_work {
    double *z, *v, *w, *vz;              /* point, tangent, seed, tangent with zeros */
    double *y0, *y1, *y2, *dy1, *yt, *dyt;
    double *g, *gw, *g3, *hv3, *gt, *hvt;
    double *zt, *fd1, *fd2, *fd3, *acc;
    double *J1, *J2, *H;                 /* m x n by columns and by rows; n x n */
    double *J3, *H3, *H4, *col;          /* from f_jac, f_hess (twice); a column */
    double *zero;
} fwd_work;

typedef struct fwd_ctx {
    const fwd_fn *fn;
    int size[FWD_MAXP];      /* elements of each parameter */
    int off[FWD_MAXP];       /* where in z (FWD_REAL), y (FWD_OUT), data (FWD_CONST) */
                             /* or idata (int arrays) */
    int n, m, nd, ni;
    double *data;            /* the const inputs */
    int *idata;              /* the int arrays */
    fwd_slot s[FWD_MAXP];
    fwd_work wk;
    double *mem;             /* all the doubles above, one block */
    int point;
    int bad;                 /* disagreements at this point */
} fwd_ctx;

/* One call: inputs z with tangents v (NULL: zero), gradient or J^T w into
 * g, H v into hv, outputs into y (y[0] the value), seeds w, output tangents
 * (df) into dy. Bit k of a mask passes NULL for parameter k's gradient
 * (gnull), Hv (hvnull), tangent array (dnull) or output tangent (onull). */
typedef struct fwd_args {
    const double *z, *v;
    double *g, *hv, *y;
    const double *w;
    double *dy;
    unsigned long gnull, hvnull, dnull, onull;
} fwd_args;

static double fwd_run(fwd_ctx *c, int routine, const fwd_args *a)
{
    const fwd_fn *fn = c->fn;
    for (int k = 0; k < fn->np; k++) {
        const fwd_param *p = &fn->p[k];
        fwd_slot *s = &c->s[k];
        int o = c->off[k];
        unsigned long bit = 1ul << k;
        *s = (fwd_slot){0};
        switch (p->kind) {
        case FWD_INT:
            if (p->ndim)
                s->ia = c->idata + o;
            else
                s->i = p->ival;
            break;
        case FWD_CONST:
            if (p->ndim)
                s->a = c->data + o;
            else
                s->x = c->data[o];
            break;
        case FWD_REAL:
            if (p->ndim) {
                s->a = a->z + o;
                s->da = a->v && !(a->dnull & bit) ? a->v + o : NULL;
            } else {
                s->x = a->z[o];
                s->dx = a->v ? a->v[o] : 0.0;
            }
            s->g = a->g && !(a->gnull & bit) ? a->g + o : NULL;
            s->hv = a->hv && !(a->hvnull & bit) ? a->hv + o : NULL;
            break;
        default:
            s->o = a->y + o;
            s->seed = a->w ? a->w + o : NULL;
            s->dout = a->dy && !(a->onull & bit) ? a->dy + o : NULL;
            break;
        }
    }
    int matrix = routine == FWD_JAC || routine == FWD_HESS;
    double r = fn->call(routine, c->s, fn->returns || matrix ? a->dy : NULL);
    if (fn->returns && a->y)
        a->y[0] = r;
    return r;
}

/* ---- reporting ---- */

static void fwd_report(fwd_ctx *c, const char *fmt, ...)
{
    va_list ap;
    if (c->bad++ >= FWD_MAX_REPORTS)
        return;
    print_error("%s.fn %s, point %d: ", c->fn->file, c->fn->name, c->point);
    va_start(ap, fmt);
    vprint_error(fmt, ap);
    va_end(ap);
    print_error("\n");
}

/* a and b are the same double (NaN matches NaN) */
static void fwd_same(fwd_ctx *c, const char *what, int i, double a, double b)
{
    if (a == b || (isnan(a) && isnan(b)))
        return;
    fwd_report(c, "%s[%d]: %.17g, expected exactly %.17g", what, i, a, b);
}

static void fwd_same_vec(fwd_ctx *c, const char *what, const double *a, const double *b, int n)
{
    for (int i = 0; i < n; i++)
        fwd_same(c, what, i, a[i], b[i]);
}

static void fwd_close(fwd_ctx *c, const char *what, int i, double a, double b, double tol)
{
    if (fabs(a - b) <= tol)
        return;
    fwd_report(c, "%s[%d]: %.17g against %.17g (|difference| %.3g, tolerance %.3g)", what, i,
               a, b, fabs(a - b), tol);
}

static double fwd_maxabs(const double *a, int n)
{
    double m = 0;
    for (int i = 0; i < n; i++)
        m = fmax(m, fabs(a[i]));
    return m;
}

static void fwd_fill(double *a, int n, double v)
{
    for (int i = 0; i < n; i++)
        a[i] = v;
}

/* ---- set-up ---- */

static int fwd_size(const fwd_param *p)
{
    int size = 1;
    for (int d = 0; d < p->ndim; d++)
        size *= p->dim[d];
    return size;
}

static int fwd_setup(void **state)
{
    const fwd_fn *fn = *state;
    if (fn->np > FWD_MAXP)
        return -1;
    fwd_ctx *c = check_xmalloc(sizeof *c, __FILE__, __LINE__);
    memset(c, 0, sizeof *c);
    c->fn = fn;
    for (int k = 0; k < fn->np; k++) {
        const fwd_param *p = &fn->p[k];
        int *count = p->kind == FWD_REAL ? &c->n : p->kind == FWD_OUT ? &c->m
                     : p->kind == FWD_CONST ? &c->nd : p->ndim ? &c->ni : NULL;
        c->size[k] = fwd_size(p);
        if (count) {
            c->off[k] = *count;
            *count += c->size[k];
        }
    }
    if (fn->returns)
        c->m = 1;

    int n = c->n, m = c->m, big = (n > m ? n : m) + 1;
    double **vec[] = {&c->wk.z, &c->wk.v, &c->wk.w, &c->wk.vz, &c->wk.y0, &c->wk.y1,
                      &c->wk.y2, &c->wk.dy1, &c->wk.yt, &c->wk.dyt, &c->wk.g, &c->wk.gw,
                      &c->wk.g3, &c->wk.hv3, &c->wk.gt, &c->wk.hvt, &c->wk.zt, &c->wk.fd1,
                      &c->wk.fd2, &c->wk.fd3, &c->wk.acc, &c->wk.zero, &c->wk.col};
    int nvec = (int)(sizeof vec / sizeof vec[0]);
    size_t total = (size_t)nvec * big + 3 * (size_t)m * n + 3 * (size_t)n * n + c->nd + 1;
    c->mem = check_xmalloc(total * sizeof(double), __FILE__, __LINE__);
    double *p = c->mem;
    for (int i = 0; i < nvec; i++, p += big)
        *vec[i] = p;
    c->wk.J1 = p;
    p += (size_t)m * n;
    c->wk.J2 = p;
    p += (size_t)m * n;
    c->wk.H = p;
    p += (size_t)n * n;
    c->wk.J3 = p;
    p += (size_t)m * n;
    c->wk.H3 = p;
    p += (size_t)n * n;
    c->wk.H4 = p;
    p += (size_t)n * n;
    c->data = p;
    /* int arrays given as lists keep their elements; fwd_draw fills the rest */
    c->idata = check_xmalloc(((size_t)c->ni + 1) * sizeof(int), __FILE__, __LINE__);
    for (int k = 0; k < fn->np; k++)
        if (fn->p[k].kind == FWD_INT && fn->p[k].ivals)
            memcpy(c->idata + c->off[k], fn->p[k].ivals, (size_t)c->size[k] * sizeof(int));
    *state = c;
    return 0;
}

static int fwd_teardown(void **state)
{
    fwd_ctx *c = *state;
    free(c->mem);
    free(c->idata);
    free(c);
    return 0;
}

/* FNV-1a, so that each function's points depend on its name only */
static uint64_t fwd_hash(const char *a, const char *b)
{
    uint64_t h = 1469598103934665603u;
    for (const char *s = a; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    h = (h ^ '.') * 1099511628211u;
    for (const char *s = b; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

/* uniform in the ints lo .. hi-1 (hi - lo < 2^32) */
static int fwd_uniform_int(check_rng *r, int lo, int hi)
{
    uint64_t range = (uint64_t)((int64_t)hi - lo);
    return (int)((int64_t)lo + (int64_t)(((check_rng_next(r) >> 32) * range) >> 32));
}

/* the point: inputs and const data from their ranges, v and w in [-1, 1);
 * int arrays without a list from theirs (a stream of their own, so that
 * they change no real value) */
static void fwd_draw(fwd_ctx *c)
{
    const fwd_fn *fn = c->fn;
    /* the point's seed, mixed, so that no two points share a stretch of one
     * splitmix64 sequence */
    check_rng seeder = {fwd_hash(fn->file, fn->name) ^ (0xD1B54A32D192ED03u * (uint64_t)(c->point + 1))};
    check_rng r = {check_rng_next(&seeder)};
    check_rng ri = {check_rng_next(&seeder)};
    for (int k = 0; k < fn->np; k++) {
        const fwd_param *p = &fn->p[k];
        if (p->kind == FWD_REAL)
            check_fill_uniform(&r, c->wk.z + c->off[k], c->size[k], p->lo, p->hi);
        else if (p->kind == FWD_CONST)
            check_fill_uniform(&r, c->data + c->off[k], c->size[k], p->lo, p->hi);
        else if (p->kind == FWD_INT && p->ndim && !p->ivals)
            for (int i = 0; i < c->size[k]; i++)
                c->idata[c->off[k] + i] = fwd_uniform_int(&ri, p->ilo, p->ihi);
    }
    check_fill_uniform(&r, c->wk.v, c->n, -1, 1);
    check_fill_uniform(&r, c->wk.w, c->m, -1, 1);
}

/* ---- the checks ---- */

/* y = F(z) into y */
static void fwd_value(fwd_ctx *c, const double *z, double *y)
{
    fwd_fill(y, c->m, CHECK_GARBAGE);
    fwd_run(c, FWD_VALUE, &(fwd_args){.z = z, .y = y});
}

/* J^T w into gw (w f_grad for a function that returns a value) */
static void fwd_vjp(fwd_ctx *c, const double *z, const double *w, double *gw, double *y)
{
    fwd_fill(gw, c->n, CHECK_GARBAGE);
    fwd_fill(y, c->m, CHECK_GARBAGE);
    fwd_run(c, FWD_GRAD, &(fwd_args){.z = z, .g = gw, .y = y, .w = w});
    if (c->fn->returns)
        for (int i = 0; i < c->n; i++)
            gw[i] *= w[0];
}

/* (e) the values agree exactly, and (a) the dot-product test */
static void fwd_check_dot(fwd_ctx *c)
{
    fwd_work *k = &c->wk;
    int n = c->n, m = c->m;

    fwd_value(c, k->z, k->y0);
    fwd_fill(k->y1, m, CHECK_GARBAGE);
    fwd_fill(k->dy1, m, CHECK_GARBAGE);
    fwd_run(c, FWD_JVP, &(fwd_args){.z = k->z, .v = k->v, .y = k->y1, .dy = k->dy1});
    fwd_same_vec(c, "(e) f_jvp's value or outputs against f's", k->y1, k->y0, m);

    fwd_vjp(c, k->z, k->w, k->gw, k->y2);
    fwd_same_vec(c, "(e) f_grad's or f_vjp's value or outputs against f's", k->y2, k->y0, m);

    double lhs = 0, rhs = 0, scale = 0;
    for (int i = 0; i < m; i++) {
        lhs += k->w[i] * k->dy1[i];
        scale += fabs(k->w[i] * k->dy1[i]);
    }
    for (int i = 0; i < n; i++) {
        rhs += k->gw[i] * k->v[i];
        scale += fabs(k->gw[i] * k->v[i]);
    }
    fwd_close(c, "(a) dot-product test: <w, J v> from f_jvp against <J^T w, v> from "
              "f_vjp or f_grad", 0, lhs, rhs,
              FWD_ROUND_REL * scale + FWD_ROUND_ABS * fwd_maxabs(k->y0, m));
}

/* (a) J by columns from f_jvp along e_j against J by rows from f_vjp along
 * e_i (f_grad, for one output) */
static void fwd_check_jacobian(fwd_ctx *c)
{
    fwd_work *k = &c->wk;
    int n = c->n, m = c->m;

    fwd_fill(k->vz, n, 0);
    for (int j = 0; j < n; j++) {
        k->vz[j] = 1;
        fwd_fill(k->dyt, m, CHECK_GARBAGE);
        fwd_run(c, FWD_JVP, &(fwd_args){.z = k->z, .v = k->vz, .y = k->yt, .dy = k->dyt});
        for (int i = 0; i < m; i++)
            k->J1[i * n + j] = k->dyt[i];
        k->vz[j] = 0;
    }
    fwd_fill(k->acc, m, 0);
    for (int i = 0; i < m; i++) {
        k->acc[i] = 1;
        fwd_vjp(c, k->z, k->acc, k->gt, k->yt);
        for (int j = 0; j < n; j++)
            k->J2[i * n + j] = k->gt[j];
        k->acc[i] = 0;
    }
    double big = fmax(fwd_maxabs(k->J1, m * n), fwd_maxabs(k->J2, m * n)) + fwd_maxabs(k->y0, m);
    for (int e = 0; e < m * n; e++)
        fwd_close(c, "(a) Jacobian entry (output * n + input) from f_jvp against f_vjp/f_grad",
                  e, k->J1[e], k->J2[e],
                  FWD_ROUND_REL * (fabs(k->J1[e]) + fabs(k->J2[e])) + FWD_ROUND_ABS * big);
}

/* the five-point difference of F (routine FWD_VALUE, m values) or of
 * f_grad (FWD_GRAD, n values) along v with step h, into out */
static void fwd_fd(fwd_ctx *c, int routine, const double *v, double h, double *out)
{
    static const double t[4] = {-2, -1, 1, 2}, coef[4] = {1, -8, 8, -1};
    fwd_work *k = &c->wk;
    int len = routine == FWD_VALUE ? c->m : c->n;

    fwd_fill(out, len, 0);
    for (int s = 0; s < 4; s++) {
        for (int i = 0; i < c->n; i++)
            k->zt[i] = k->z[i] + t[s] * h * v[i];
        if (routine == FWD_VALUE)
            fwd_value(c, k->zt, k->acc);
        else
            fwd_run(c, FWD_GRAD, &(fwd_args){.z = k->zt, .g = k->acc, .y = k->yt});
        for (int i = 0; i < len; i++)
            out[i] += coef[s] * k->acc[i];
    }
    for (int i = 0; i < len; i++)
        out[i] /= 12 * h;
}

/* the differences of routine along v at steps h, h/8, h/64 into fd1..fd3 */
static void fwd_fd3(fwd_ctx *c, int routine, const double *v)
{
    fwd_fd(c, routine, v, FWD_FD_STEP, c->wk.fd1);
    fwd_fd(c, routine, v, FWD_FD_STEP / 8, c->wk.fd2);
    fwd_fd(c, routine, v, FWD_FD_STEP / 64, c->wk.fd3);
}

/* an against fd1, fd2 or fd3, each element within rel plus FWD_FD_ABS times
 * (1 + scale[i] or scale0) */
static void fwd_fd_compare(fwd_ctx *c, const char *what, const double *an, int len,
                           const double *scale, double scale0)
{
    const fwd_work *k = &c->wk;
    double rel = c->fn->fd_rel > 0 ? c->fn->fd_rel : FWD_FD_REL;
    for (int i = 0; i < len; i++) {
        double abs_tol = FWD_FD_ABS * (1 + (scale ? fabs(scale[i]) : scale0));
        if (close_within(an[i], k->fd1[i], rel, abs_tol) ||
            close_within(an[i], k->fd2[i], rel, abs_tol) ||
            close_within(an[i], k->fd3[i], rel, abs_tol))
            continue;
        fwd_report(c, "%s[%d]: %.17g, five-point differences %.17g (h), %.17g (h/8), "
                   "%.17g (h/64)", what, i, an[i], k->fd1[i], k->fd2[i], k->fd3[i]);
    }
}


/* (b) J v from f_jvp against differences of F along v */
static void fwd_check_jvp_fd(fwd_ctx *c)
{
    fwd_work *k = &c->wk;
    fwd_fd3(c, FWD_VALUE, k->v);
    fwd_fd_compare(c, "(b) f_jvp's J v against differences of f", k->dy1, c->m, k->y0, 0);
}

/* (e) f_hvp's value and gradient; (c) H v against differences of f_grad */
static void fwd_check_hvp_fd(fwd_ctx *c)
{
    fwd_work *k = &c->wk;
    int n = c->n;

    fwd_fill(k->g, n, CHECK_GARBAGE);
    fwd_run(c, FWD_GRAD, &(fwd_args){.z = k->z, .g = k->g, .y = k->yt});
    fwd_fill(k->g3, n, CHECK_GARBAGE);
    fwd_fill(k->hv3, n, CHECK_GARBAGE);
    double f3 = fwd_run(c, FWD_HVP, &(fwd_args){.z = k->z, .v = k->v, .g = k->g3, .hv = k->hv3});
    fwd_same(c, "(e) f_hvp's value against f's", 0, f3, k->y0[0]);
    fwd_same_vec(c, "(e) f_hvp's gradient against f_grad's", k->g3, k->g, n);

    fwd_fd3(c, FWD_GRAD, k->v);
    fwd_fd_compare(c, "(c) f_hvp's H v against differences of f_grad", k->hv3, n, NULL,
                   fwd_maxabs(k->g, n));
}

/* (d) the Hessian by columns from f_hvp: symmetric; and H v (from
 * fwd_check_hvp_fd) is the combination of the columns */
static void fwd_check_hessian(fwd_ctx *c)
{
    fwd_work *k = &c->wk;
    int n = c->n;

    fwd_fill(k->vz, n, 0);
    for (int j = 0; j < n; j++) {
        k->vz[j] = 1;
        fwd_fill(k->gt, n, CHECK_GARBAGE);
        fwd_fill(k->hvt, n, CHECK_GARBAGE);
        fwd_run(c, FWD_HVP, &(fwd_args){.z = k->z, .v = k->vz, .g = k->gt, .hv = k->hvt});
        fwd_same_vec(c, "(e) f_hvp's gradient along e_j against f_grad's", k->gt, k->g, n);
        for (int i = 0; i < n; i++)
            k->H[i * n + j] = k->hvt[i];
        k->vz[j] = 0;
    }
    /* the scale of round-off: the Hessian's entries, or where they vanish or
     * cancel (a function linear in its inputs through cancelling terms), the
     * gradient's and the value's */
    double big = fwd_maxabs(k->H, n * n) + fwd_maxabs(k->g, n) + fabs(k->y0[0]);
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++) {
            double a = k->H[i * n + j], b = k->H[j * n + i];
            fwd_close(c, "(d) Hessian symmetry: H[i][j] (i * n + j) against H[j][i]",
                      i * n + j, a, b, FWD_ROUND_REL * (fabs(a) + fabs(b)) + FWD_ROUND_ABS * big);
        }
    for (int i = 0; i < n; i++) {
        double s = 0, scale = fabs(k->hv3[i]);
        for (int j = 0; j < n; j++) {
            s += k->H[i * n + j] * k->v[j];
            scale += fabs(k->H[i * n + j] * k->v[j]);
        }
        fwd_close(c, "(d) f_hvp's H v against the Hessian's columns times v", i, k->hv3[i], s,
                  FWD_ROUND_REL * scale + FWD_ROUND_ABS * big);
    }
}

/* bit k for each real input (FWD_REAL) or each out array (FWD_OUT) k whose
 * ordinal among them has the given parity */
static unsigned long fwd_mask(const fwd_ctx *c, int kind, int parity)
{
    unsigned long mask = 0;
    int ord = 0;
    for (int k = 0; k < c->fn->np; k++)
        if (c->fn->p[k].kind == kind && ord++ % 2 == parity)
            mask |= 1ul << k;
    return mask;
}

/* compares a and b on the elements of the parameters not in mask */
static void fwd_same_unmasked(fwd_ctx *c, const char *what, int kind, unsigned long mask,
                              const double *a, const double *b)
{
    for (int k = 0; k < c->fn->np; k++)
        if (c->fn->p[k].kind == kind && !(mask & (1ul << k)))
            for (int i = c->off[k]; i < c->off[k] + c->size[k]; i++)
                fwd_same(c, what, i, a[i], b[i]);
}

/* (e) overwritten outputs and NULL pointers, for f_jvp */
static void fwd_check_jvp_nulls(fwd_ctx *c)
{
    fwd_work *k = &c->wk;
    int n = c->n, m = c->m;

    /* outputs and out arrays that start as NaN are overwritten all the same */
    fwd_fill(k->yt, m, NAN);
    fwd_fill(k->dyt, m, NAN);
    fwd_run(c, FWD_JVP, &(fwd_args){.z = k->z, .v = k->v, .y = k->yt, .dy = k->dyt});
    fwd_same_vec(c, "(e) f_jvp's outputs, NaN on entry", k->yt, k->y0, m);
    fwd_same_vec(c, "(e) f_jvp's derivatives, NaN on entry", k->dyt, k->dy1, m);

    /* no df / no output tangents */
    fwd_fill(k->yt, m, CHECK_GARBAGE);
    fwd_run(c, FWD_JVP, &(fwd_args){.z = k->z, .v = k->v, .y = k->yt});
    fwd_same_vec(c, "(e) f_jvp's value or outputs with a NULL df or NULL output tangents",
                 k->yt, k->y0, m);
    for (int parity = 0; parity < 2 && !c->fn->returns; parity++) {
        unsigned long mask = fwd_mask(c, FWD_OUT, parity);
        fwd_fill(k->yt, m, CHECK_GARBAGE);
        fwd_fill(k->dyt, m, CHECK_GARBAGE);
        fwd_run(c, FWD_JVP,
                &(fwd_args){.z = k->z, .v = k->v, .y = k->yt, .dy = k->dyt, .onull = mask});
        fwd_same_vec(c, "(e) f_jvp's outputs with some output tangents NULL", k->yt, k->y0, m);
        fwd_same_unmasked(c, "(e) f_jvp's other output tangents with some NULL", FWD_OUT, mask,
                          k->dyt, k->dy1);
    }

    /* a NULL tangent array is zeros: each array in turn, zeroed in vz and
     * passed as NULL, against vz passed as it is */
    for (int a = 0; a < c->fn->np; a++) {
        const fwd_param *p = &c->fn->p[a];
        if (p->kind != FWD_REAL || !p->ndim)
            continue;
        memcpy(k->vz, k->v, sizeof(double) * (size_t)n);
        fwd_fill(k->vz + c->off[a], c->size[a], 0);
        fwd_fill(k->acc, m, CHECK_GARBAGE);
        fwd_fill(k->dyt, m, CHECK_GARBAGE);
        fwd_run(c, FWD_JVP, &(fwd_args){.z = k->z, .v = k->vz, .y = k->yt, .dy = k->acc});
        fwd_run(c, FWD_JVP, &(fwd_args){.z = k->z, .v = k->vz, .y = k->yt, .dy = k->dyt,
                                        .dnull = 1ul << a});
        fwd_same_vec(c, "(e) f_jvp with one tangent array NULL, against it zero", k->dyt, k->acc,
                     m);
    }

    /* zero tangents, arrays NULL, give zero */
    fwd_fill(k->zero, n, 0);
    fwd_fill(k->dyt, m, CHECK_GARBAGE);
    fwd_run(c, FWD_JVP, &(fwd_args){.z = k->z, .v = k->zero, .y = k->yt, .dy = k->dyt,
                                    .dnull = ~0ul});
    for (int i = 0; i < m; i++)
        fwd_same(c, "(e) f_jvp along zero tangents (arrays NULL)", i, k->dyt[i], 0.0);
}

/* (e) overwritten outputs and NULL pointers, for f_hvp */
static void fwd_check_hvp_nulls(fwd_ctx *c)
{
    fwd_work *k = &c->wk;
    int n = c->n;
    double f0 = k->y0[0], f;

    fwd_fill(k->gt, n, NAN);
    fwd_fill(k->hvt, n, NAN);
    f = fwd_run(c, FWD_HVP, &(fwd_args){.z = k->z, .v = k->v, .g = k->gt, .hv = k->hvt});
    fwd_same(c, "(e) f_hvp's value, outputs NaN on entry", 0, f, f0);
    fwd_same_vec(c, "(e) f_hvp's gradient, NaN on entry", k->gt, k->g3, n);
    fwd_same_vec(c, "(e) f_hvp's H v, NaN on entry", k->hvt, k->hv3, n);

    fwd_fill(k->hvt, n, CHECK_GARBAGE);
    f = fwd_run(c, FWD_HVP, &(fwd_args){.z = k->z, .v = k->v, .hv = k->hvt});
    fwd_same(c, "(e) f_hvp's value, gradient NULL", 0, f, f0);
    fwd_same_vec(c, "(e) f_hvp's H v, gradient NULL", k->hvt, k->hv3, n);

    fwd_fill(k->gt, n, CHECK_GARBAGE);
    f = fwd_run(c, FWD_HVP, &(fwd_args){.z = k->z, .v = k->v, .g = k->gt});
    fwd_same(c, "(e) f_hvp's value, H v NULL", 0, f, f0);
    fwd_same_vec(c, "(e) f_hvp's gradient, H v NULL", k->gt, k->g3, n);

    f = fwd_run(c, FWD_HVP, &(fwd_args){.z = k->z, .v = k->v});
    fwd_same(c, "(e) f_hvp's value, all outputs NULL", 0, f, f0);

    for (int parity = 0; parity < 2; parity++) {
        unsigned long gmask = fwd_mask(c, FWD_REAL, parity);
        unsigned long hmask = fwd_mask(c, FWD_REAL, !parity);
        fwd_fill(k->gt, n, CHECK_GARBAGE);
        fwd_fill(k->hvt, n, CHECK_GARBAGE);
        f = fwd_run(c, FWD_HVP, &(fwd_args){.z = k->z, .v = k->v, .g = k->gt, .hv = k->hvt,
                                            .gnull = gmask, .hvnull = hmask});
        fwd_same(c, "(e) f_hvp's value, some outputs NULL", 0, f, f0);
        fwd_same_unmasked(c, "(e) f_hvp's other gradients, some NULL", FWD_REAL, gmask, k->gt,
                          k->g3);
        fwd_same_unmasked(c, "(e) f_hvp's other H v, some NULL", FWD_REAL, hmask, k->hvt,
                          k->hv3);
    }

    for (int a = 0; a < c->fn->np; a++) {
        const fwd_param *p = &c->fn->p[a];
        if (p->kind != FWD_REAL || !p->ndim)
            continue;
        memcpy(k->vz, k->v, sizeof(double) * (size_t)n);
        fwd_fill(k->vz + c->off[a], c->size[a], 0);
        fwd_fill(k->acc, n, CHECK_GARBAGE);
        fwd_fill(k->hvt, n, CHECK_GARBAGE);
        fwd_fill(k->gt, n, CHECK_GARBAGE);
        fwd_run(c, FWD_HVP, &(fwd_args){.z = k->z, .v = k->vz, .hv = k->acc});
        fwd_run(c, FWD_HVP, &(fwd_args){.z = k->z, .v = k->vz, .g = k->gt, .hv = k->hvt,
                                        .dnull = 1ul << a});
        fwd_same_vec(c, "(e) f_hvp's H v with one tangent array NULL, against it zero", k->hvt,
                     k->acc, n);
        fwd_same_vec(c, "(e) f_hvp's gradient with one tangent array NULL", k->gt, k->g3, n);
    }

    fwd_fill(k->zero, n, 0);
    fwd_fill(k->gt, n, CHECK_GARBAGE);
    fwd_fill(k->hvt, n, CHECK_GARBAGE);
    fwd_run(c, FWD_HVP, &(fwd_args){.z = k->z, .v = k->zero, .g = k->gt, .hv = k->hvt,
                                    .dnull = ~0ul});
    fwd_same_vec(c, "(e) f_hvp's gradient along zero tangents", k->gt, k->g3, n);
    for (int i = 0; i < n; i++)
        fwd_same(c, "(e) f_hvp's H v along zero tangents (arrays NULL)", i, k->hvt[i], 0.0);
}

/* Column j of the mat (rows x n) against five-point differences of
 * routine (F or f_grad) along e_j: at step h, and only where that
 * disagrees at h/8 and h/64 too (as fwd_fd_compare) */
static void fwd_fd_columns(fwd_ctx *c, const char *what, int routine, const double *mat, int rows,
                           const double *scale, double scale0)
{
    fwd_work *k = &c->wk;
    int n = c->n;
    double rel = c->fn->fd_rel > 0 ? c->fn->fd_rel : FWD_FD_REL;

    fwd_fill(k->vz, n, 0);
    for (int j = 0; j < n; j++) {
        int bad = 0;
        k->vz[j] = 1;
        for (int i = 0; i < rows; i++)
            k->col[i] = mat[i * n + j];
        fwd_fd(c, routine, k->vz, FWD_FD_STEP, k->fd1);
        for (int i = 0; i < rows && !bad; i++)
            bad = !close_within(k->col[i], k->fd1[i], rel,
                                FWD_FD_ABS * (1 + (scale ? fabs(scale[i]) : scale0)));
        if (bad) {
            fwd_fd(c, routine, k->vz, FWD_FD_STEP / 8, k->fd2);
            fwd_fd(c, routine, k->vz, FWD_FD_STEP / 64, k->fd3);
            char buf[160];
            snprintf(buf, sizeof buf, "%s, column %d", what, j);
            fwd_fd_compare(c, buf, k->col, rows, scale, scale0);
        }
        k->vz[j] = 0;
    }
}

/* (f) f_jac: outputs exactly f's, J against f_jvp's columns and against
 * differences of F; a NULL J writes the outputs all the same */
static void fwd_check_jac(fwd_ctx *c)
{
    fwd_work *k = &c->wk;
    int n = c->n, m = c->m;

    fwd_fill(k->yt, m, NAN);
    fwd_fill(k->J3, m * n, NAN);
    fwd_run(c, FWD_JAC, &(fwd_args){.z = k->z, .y = k->yt, .dy = k->J3});
    fwd_same_vec(c, "(f) f_jac's outputs against f's", k->yt, k->y0, m);
    double big = fwd_maxabs(k->J1, m * n) + fwd_maxabs(k->y0, m);
    for (int e = 0; e < m * n; e++)
        fwd_close(c, "(f) f_jac's entry (output * n + input) against f_jvp's", e, k->J3[e],
                  k->J1[e], FWD_ROUND_REL * (fabs(k->J1[e]) + fabs(k->J3[e])) + FWD_ROUND_ABS * big);
    fwd_fd_columns(c, "(f) f_jac's J against differences of f", FWD_VALUE, k->J3, m, k->y0, 0);

    fwd_fill(k->yt, m, NAN);
    fwd_run(c, FWD_JAC, &(fwd_args){.z = k->z, .y = k->yt});
    fwd_same_vec(c, "(f) f_jac's outputs with a NULL J", k->yt, k->y0, m);
}

/* (g) f_hess: value and gradient exactly f's and f_grad's, H against
 * f_hvp's columns and against differences of f_grad; NULL H, NULL
 * gradients */
static void fwd_check_hess(fwd_ctx *c)
{
    fwd_work *k = &c->wk;
    int n = c->n;
    double f0 = k->y0[0], f;

    fwd_fill(k->gt, n, NAN);
    fwd_fill(k->H3, n * n, NAN);
    f = fwd_run(c, FWD_HESS, &(fwd_args){.z = k->z, .g = k->gt, .dy = k->H3});
    fwd_same(c, "(g) f_hess's value against f's", 0, f, f0);
    fwd_same_vec(c, "(g) f_hess's gradient against f_grad's", k->gt, k->g, n);
    double big = fwd_maxabs(k->H, n * n) + fwd_maxabs(k->g, n) + fabs(f0);
    for (int e = 0; e < n * n; e++)
        fwd_close(c, "(g) f_hess's entry (i * n + j) against f_hvp's", e, k->H3[e], k->H[e],
                  FWD_ROUND_REL * (fabs(k->H[e]) + fabs(k->H3[e])) + FWD_ROUND_ABS * big);
    fwd_fd_columns(c, "(g) f_hess's H against differences of f_grad", FWD_GRAD, k->H3, n, NULL,
                   fwd_maxabs(k->g, n));

    fwd_fill(k->gt, n, NAN);
    f = fwd_run(c, FWD_HESS, &(fwd_args){.z = k->z, .g = k->gt});
    fwd_same(c, "(g) f_hess's value with a NULL H", 0, f, f0);
    fwd_same_vec(c, "(g) f_hess's gradient with a NULL H", k->gt, k->g, n);

    for (int parity = 0; parity < 2; parity++) {
        unsigned long gmask = fwd_mask(c, FWD_REAL, parity);
        fwd_fill(k->gt, n, CHECK_GARBAGE);
        fwd_fill(k->H4, n * n, NAN);
        f = fwd_run(c, FWD_HESS, &(fwd_args){.z = k->z, .g = k->gt, .dy = k->H4, .gnull = gmask});
        fwd_same(c, "(g) f_hess's value with some gradients NULL", 0, f, f0);
        fwd_same_unmasked(c, "(g) f_hess's other gradients, some NULL", FWD_REAL, gmask, k->gt, k->g);
        fwd_same_vec(c, "(g) f_hess's H with some gradients NULL", k->H4, k->H3, n * n);
    }
}

/* The environment variable FWD_POINTS, when set, replaces every function's
 * number of points (a longer soak: FWD_POINTS=200 ctest -R numeric.fwd). */
static int fwd_points(const fwd_fn *fn)
{
    const char *s = getenv("FWD_POINTS");
    int n = s ? atoi(s) : 0;
    return n > 0 ? n : fn->points;
}

static void fwd_test(void **state)
{
    fwd_ctx *c = *state;
    int failed = 0;
    int points = fwd_points(c->fn);
    for (c->point = 0; c->point < points; c->point++) {
        c->bad = 0;
        fwd_draw(c);
        fwd_check_dot(c);
        fwd_check_jacobian(c);
        fwd_check_jvp_fd(c);
        fwd_check_jvp_nulls(c);
        if (c->fn->returns) {
            fwd_check_hvp_fd(c);
            fwd_check_hessian(c);
            fwd_check_hvp_nulls(c);
            fwd_check_hess(c);
        } else {
            fwd_check_jac(c);
        }
        if (c->bad) {
            print_error("%s.fn %s, point %d: %d disagreement(s) at z = (", c->fn->file,
                        c->fn->name, c->point, c->bad);
            for (int i = 0; i < c->n && i < 8; i++)
                print_error("%s%.17g", i ? ", " : "", c->wk.z[i]);
            print_error("%s), v = (", c->n > 8 ? ", ..." : "");
            for (int i = 0; i < c->n && i < 8; i++)
                print_error("%s%.17g", i ? ", " : "", c->wk.v[i]);
            print_error("%s)", c->n > 8 ? ", ..." : "");
            for (int k = 0; k < c->fn->np; k++) {
                const fwd_param *p = &c->fn->p[k];
                if (p->kind != FWD_INT || !p->ndim)
                    continue;
                print_error(", %s = (", p->name);
                for (int i = 0; i < c->size[k] && i < 16; i++)
                    print_error("%s%d", i ? ", " : "", c->idata[c->off[k] + i]);
                print_error("%s)", c->size[k] > 16 ? ", ..." : "");
            }
            print_error("\n");
            failed = 1;
        }
    }
    if (failed)
        fail();
}

/* the cmocka test of one generated descriptor */
#define fwd_unit_test(desc) \
    { #desc, fwd_test, fwd_setup, fwd_teardown, (void *)&(desc) }

#endif
