/* The checks that gradc_random's generated drivers run, one program at a
 * time, at each of its points. A driver (written by driver.c) wraps each
 * tested function in seven adapters over flat vectors and lists them in a
 * table; this file compares them:
 *   value      f against the generator's own evaluation (the oracle);
 *   grad.*     f_grad / f_vjp: the value it returns, the gradient against
 *              central differences of f's values at two step sizes (flagged
 *              only when both disagree with it and agree with each other,
 *              so a kink or a branch boundary never raises a false alarm),
 *              and NULL gradient pointers leaving the others unchanged;
 *   jvp.*      f_jvp: value, and seed . (J v) == (J^T seed) . v;
 *   hvp.*      f_hvp: value, gradient equal to f_grad's, H v against central
 *              differences of f_grad along v;
 *   whole.*    f_jac / f_hess: outputs, or value and gradient, equal to f's
 *              and f_grad's, and each column j of J (of H) equal to f_jvp's
 *              (f_hvp's) along the unit vector e_j;
 *   sparse.*   f_jac_nnz / f_jac_sparse, f_hess_nnz / f_hess_sparse: a
 *              pattern of nnz entries, in range, strictly sorted, the same
 *              at every point, holding every nonzero of f_jac's J (f_hess's
 *              H), with f_jac's (f_hess's) values; outputs, or value and
 *              gradient, equal to f's and f_grad's; NULL rows/cols or vals.
 * Every output buffer starts as garbage, so an output that is not written
 * shows. Failures are printed as "F <prog> <check> pt=<k> <detail>"; each
 * program is bracketed by "B <prog>" and "E <prog>" so that the runner can
 * tell which one crashed. C99, strict warnings clean. */
#ifndef GRADC_RANDOM_CHECK_DRIVER_H
#define GRADC_RANDOM_CHECK_DRIVER_H

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RT_GARBAGE (-7.0e77)
#define RT_H1 1e-4      /* finite-difference steps, relative to max(1, |x|) */
#define RT_H2 2.5e-5

typedef double (*rt_f_fn)(const double *a, double *o);
typedef double (*rt_g_fn)(const double *a, const double *seed, double *g, double *o, unsigned nul);
typedef double (*rt_j_fn)(const double *a, const double *v, double *o, double *d);
typedef double (*rt_h_fn)(const double *a, const double *v, double *g, double *hv);
typedef double (*rt_w_fn)(const double *a, double *g, double *o, double *W);
typedef int (*rt_n_fn)(const double *a, double *o);
typedef double (*rt_s_fn)(const double *a, double *g, double *o, int *rows, int *cols, double *vals);

typedef struct {
    int npt, nall, nact, nout, ngp;
    const double *pts;       /* npt x nall: every real argument */
    const double *expect;    /* npt x max(1, nout): the oracle */
    const double *scale;     /* npt: largest magnitude in the evaluation */
    const int *kink;         /* npt: the evaluation met a kink exactly (abs(0), a min/max tie) */
    const int *act;          /* nact: position in pts of each gradient entry */
    const int *gp;           /* nact: which gradient argument holds it */
    rt_f_fn f;
    rt_g_fn g;
    rt_j_fn j;
    rt_h_fn h;               /* NULL for functions with out parameters */
    rt_w_fn w;               /* f_jac, or f_hess */
    rt_n_fn nnz;             /* f_jac_nnz, or f_hess_nnz */
    rt_s_fn sp;              /* f_jac_sparse, or f_hess_sparse */
    unsigned long long rng;  /* seeds and directions: the same for a program and its reductions */
} RtProg;

typedef struct {
    const RtProg *p;
    int id, pt;
    double *x, *g, *o, *o2, *seed, *v, *d, *tmp, *tmp2, *hv, *w, *col;
    unsigned long long rng;
    int nfail;
    int *prow, *pcol, pnnz, ppt;  /* the sparse pattern at point ppt, the first (pnnz -1: none yet) */
} RtCx;

static double rt_rand(RtCx *c)
{
    c->rng = c->rng * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(c->rng >> 11) * (1.0 / 9007199254740992.0) * 2 - 1;
}

static void rt_fill(double *x, int n, double v)
{
    for (int i = 0; i < n; i++)
        x[i] = v;
}

/* comp: the gradient entry (>= 0), output k as -2-k, or -1 for none. */
static void rt_fail(RtCx *c, const char *check, int comp, const char *fmt, ...)
{
    va_list ap;
    c->nfail++;
    printf("F %d %s pt=%d comp=%d ", c->id, check, c->pt, comp);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
}

static int rt_close(double a, double b, double tol)
{
    if (a == b || (isnan(a) && isnan(b)))
        return 1;
    return fabs(a - b) <= tol;
}

/* Outputs that still hold the garbage they started with were not written:
 * reported once as check.unwritten; the comparisons skip them. */
static void rt_unwritten(RtCx *c, const char *check, const double *x, int n, int out)
{
    for (int i = 0; i < n; i++)
        if (x[i] == RT_GARBAGE) {
            rt_fail(c, check, out ? -2 - i : i, "not written (%d entries start as garbage)", n);
            return;
        }
}

/* The scalar that is differentiated: f's value, or seed . outputs. */
static double rt_phi(RtCx *c, const double *x)
{
    const RtProg *p = c->p;
    double y = p->f(x, c->tmp);
    if (!p->nout)
        return y;
    double s = 0;
    for (int k = 0; k < p->nout; k++)
        s += c->seed[k] * c->tmp[k];
    return s;
}

static double rt_central(RtCx *c, int pos, double h)
{
    double *x = c->x, x0 = x[pos], step = h * fmax(1, fabs(x0));
    x[pos] = x0 + step;
    double up = rt_phi(c, x);
    x[pos] = x0 - step;
    double down = rt_phi(c, x);
    x[pos] = x0;
    return (up - down) / (2 * step);
}

/* Whether the point sits on a kink of f along x[pos] (a branch boundary:
 * `0 < x` at x = 0): the one-sided slopes differ by an amount that does
 * not shrink with the step, where on a smooth function it shrinks in
 * proportion. Central differences there give the mean of the two slopes,
 * at every step, so they agree with each other and prove nothing. */
static int rt_kink(RtCx *c, int pos)
{
    double *x = c->x, x0 = x[pos], y0 = rt_phi(c, x), d[2], m = 0;
    double hs[2] = {RT_H1, RT_H1 / 4};
    for (int k = 0; k < 2; k++) {
        double step = hs[k] * fmax(1, fabs(x0));
        x[pos] = x0 + step;
        double fwd = (rt_phi(c, x) - y0) / step;
        x[pos] = x0 - step;
        double bwd = (y0 - rt_phi(c, x)) / step;
        d[k] = fabs(fwd - bwd);
        m = fmax(m, fabs(fwd) + fabs(bwd));
    }
    x[pos] = x0;
    return d[0] > 1e-6 * (1 + m) && d[1] > 0.5 * d[0];
}

/* Whether f_grad's entry i jumps at the point along x[pos]: its values a
 * step to either side differ from the one at the point (an equality such
 * as x1[1] == x1[2] that holds at the point only, where the gradient is
 * the taken branch's, though differences see the other one). A gradient
 * that is wrong around the point as well is still flagged. */
static int rt_jumps(RtCx *c, int i, int pos)
{
    const RtProg *p = c->p;
    double *x = c->x, x0 = x[pos], step = RT_H1 * fmax(1, fabs(x0)), g0 = c->g[i];
    double *g = c->tmp;
    int jump = 0;
    for (int s = -1; s <= 1; s += 2) {
        x[pos] = x0 + s * step;
        p->g(x, c->seed, g, c->o2, 0);
        if (!(fabs(g[i] - g0) <= 1e-3 * (fabs(g0) + fabs(g[i])) + 1e-6))
            jump = 1;
    }
    x[pos] = x0;
    return jump;
}

/* Whether a derivative `ad` is contradicted by two central differences
 * that agree with each other, and better than with it. */
static int rt_contradicts(double ad, double fd1, double fd2, double abs_tol)
{
    if (!isfinite(fd1) || !isfinite(fd2))
        return 0;
    if (!isfinite(ad))
        return fabs(fd1 - fd2) <= 1e-5 * (fabs(fd1) + 1);
    double e1 = fabs(ad - fd1), e2 = fabs(ad - fd2), d12 = fabs(fd1 - fd2);
    double tol = 1e-6 * (fabs(ad) + fabs(fd1)) + abs_tol;
    /* the two differences must also agree in their own right: where the
     * function is ill-conditioned both are noise, however far off ad is */
    return e1 > tol && e2 > tol && d12 <= 0.1 * fmin(e1, e2) && d12 <= 1e-4 * (fabs(fd1) + fabs(fd2)) + abs_tol;
}

static void rt_check_value(RtCx *c, const double *e, double scale)
{
    const RtProg *p = c->p;
    rt_fill(c->o, p->nout, RT_GARBAGE);
    double y = p->f(c->x, c->o);
    double tol = 1e-9 * (1 + scale);
    if (!p->nout) {
        if (!rt_close(y, e[0], tol))
            rt_fail(c, "value", -1, "f=%.17g expected=%.17g (scale %g)", y, e[0], scale);
        return;
    }
    rt_unwritten(c, "value.unwritten", c->o, p->nout, 1);
    for (int k = 0; k < p->nout; k++)
        if (c->o[k] != RT_GARBAGE && !rt_close(c->o[k], e[k], tol)) {
            rt_fail(c, "value", -2 - k, "out=%.17g expected=%.17g (scale %g)", c->o[k], e[k], scale);
            return;
        }
}

/* What a derived routine returned beside its derivatives (got, or the
 * outputs in c->o2) equals f's (y, or c->o) within tol. */
static void rt_same_value(RtCx *c, const char *check, const char *fn, const char *outfn, double got,
                          double y, double tol)
{
    const RtProg *p = c->p;
    if (!p->nout && !rt_close(got, y, tol))
        rt_fail(c, check, -1, "%s=%.17g f=%.17g", fn, got, y);
    for (int k = 0; k < p->nout; k++)
        if (!rt_close(c->o2[k], c->o[k], tol)) {
            rt_fail(c, check, -2 - k, "%s out=%.17g f out=%.17g", outfn, c->o2[k], c->o[k]);
            break;
        }
}

/* f_grad / f_vjp: the value (or outputs) it returns and every gradient
 * entry against central differences. Leaves the gradient in c->g. */
static double rt_check_grad(RtCx *c, double scale)
{
    const RtProg *p = c->p;
    double y = p->f(c->x, c->o);
    rt_fill(c->g, p->nact, RT_GARBAGE);
    rt_fill(c->o2, p->nout, RT_GARBAGE);
    double yg = p->g(c->x, c->seed, c->g, c->o2, 0);
    rt_same_value(c, "grad.value", "f_grad", "vjp", yg, y, 1e-12 * (1 + scale));
    rt_unwritten(c, "grad.unwritten", c->g, p->nact, 0);
    int bad = 0;
    for (int i = 0; i < p->nact; i++) {
        if (c->g[i] == RT_GARBAGE)
            continue;
        double fd1 = rt_central(c, p->act[i], RT_H1), fd2 = rt_central(c, p->act[i], RT_H2);
        if (rt_contradicts(c->g[i], fd1, fd2, 1e-8 * (1 + scale)) && !rt_kink(c, p->act[i]) &&
            !rt_jumps(c, i, p->act[i]) && !bad++)
            rt_fail(c, "grad.fd", i, "grad=%.17g fd=%.17g fd2=%.17g", c->g[i], fd1, fd2);
    }
    return y;
}

/* NULL for some gradient arguments: the others come out the same. */
static void rt_check_null(RtCx *c)
{
    const RtProg *p = c->p;
    if (p->ngp < 2)
        return;
    unsigned all = (1u << p->ngp) - 1, mask = 0;
    while (mask == 0 || mask == all)
        mask = (unsigned)((rt_rand(c) + 1) * 0.5 * (double)all) & all;
    rt_fill(c->tmp2, p->nact, RT_GARBAGE);
    p->g(c->x, c->seed, c->tmp2, c->o2, mask);
    for (int i = 0; i < p->nact; i++)
        if (!(mask & (1u << p->gp[i])) && !rt_close(c->tmp2[i], c->g[i], 1e-12 * (1 + fabs(c->g[i])))) {
            rt_fail(c, "grad.null", i, "grad=%.17g without NULLs=%.17g (mask %g)", c->tmp2[i], c->g[i], (double)mask);
            return;
        }
}

/* f_jvp: seed . (J v) against (J^T seed) . v; on a mismatch, a directional
 * central difference says which side is wrong. */
static void rt_check_jvp(RtCx *c, double y, double scale)
{
    const RtProg *p = c->p;
    int nd = p->nout ? p->nout : 1;
    rt_fill(c->o2, p->nout, RT_GARBAGE);
    rt_fill(c->d, nd, RT_GARBAGE);
    double yj = p->j(c->x, c->v, c->o2, c->d);
    rt_same_value(c, "jvp.value", "f_jvp", "jvp", yj, y, 1e-12 * (1 + scale));
    rt_unwritten(c, "jvp.unwritten", c->d, nd, 1);
    for (int k = 0; k < nd; k++)
        if (c->d[k] == RT_GARBAGE)
            return;
    double dj = 0, dg = 0, mag = 0;
    for (int k = 0; k < p->nout; k++)
        dj += c->seed[k] * c->d[k];
    if (!p->nout)
        dj = c->d[0];
    for (int i = 0; i < p->nact; i++) {
        dg += c->g[i] * c->v[i];
        mag += fabs(c->g[i] * c->v[i]);
    }
    if (rt_close(dj, dg, 1e-8 * (mag + fabs(dj)) + 1e-10 * (1 + scale)))
        return;
    /* which one is wrong: central differences along v */
    double fd[2], h[2] = {RT_H1, RT_H2};
    for (int s = 0; s < 2; s++) {
        memcpy(c->tmp2, c->x, (size_t)p->nall * sizeof(double));
        for (int i = 0; i < p->nact; i++)
            c->x[p->act[i]] += h[s] * c->v[i];
        double up = rt_phi(c, c->x);
        memcpy(c->x, c->tmp2, (size_t)p->nall * sizeof(double));
        for (int i = 0; i < p->nact; i++)
            c->x[p->act[i]] -= h[s] * c->v[i];
        double down = rt_phi(c, c->x);
        memcpy(c->x, c->tmp2, (size_t)p->nall * sizeof(double));
        fd[s] = (up - down) / (2 * h[s]);
    }
    if (rt_contradicts(dj, fd[0], fd[1], 1e-8 * (1 + scale)) || !rt_contradicts(dg, fd[0], fd[1], 1e-8 * (1 + scale)))
        rt_fail(c, "jvp.dot", -1, "jvp=%.17g grad.v=%.17g fd=%.17g fd2=%.17g", dj, dg, fd[0], fd[1]);
    else
        rt_fail(c, "grad.dot", -1, "grad.v=%.17g jvp=%.17g fd=%.17g fd2=%.17g", dg, dj, fd[0], fd[1]);
}

/* f_hvp: value, gradient equal to f_grad's, and H v against central
 * differences of f_grad along v. */
static void rt_check_hvp(RtCx *c, double y, double scale)
{
    const RtProg *p = c->p;
    int n = p->nact;
    double *g3 = c->tmp2, *gp = c->tmp, *gm = c->tmp + n, *fd1 = c->tmp + 2 * n, *fd2 = c->tmp + 3 * n;
    rt_fill(g3, n, RT_GARBAGE);
    rt_fill(c->hv, n, RT_GARBAGE);
    double yh = p->h(c->x, c->v, g3, c->hv);
    if (!rt_close(yh, y, 1e-12 * (1 + scale)))
        rt_fail(c, "hvp.value", -1, "f_hvp=%.17g f=%.17g", yh, y);
    rt_unwritten(c, "hvp.unwritten", c->hv, n, 0);
    rt_unwritten(c, "hvp.unwritten", g3, n, 0);
    double gmax = 0;
    for (int i = 0; i < n; i++)
        gmax = fmax(gmax, fabs(c->g[i]));
    for (int i = 0; i < n; i++)
        if (g3[i] != RT_GARBAGE && !rt_close(g3[i], c->g[i], 1e-9 * (fabs(c->g[i]) + gmax) + 1e-12)) {
            rt_fail(c, "hvp.grad", i, "hvp grad=%.17g f_grad=%.17g", g3[i], c->g[i]);
            break;
        }
    double h[2] = {RT_H1, RT_H2}, *fd[2] = {fd1, fd2};
    double *x0 = c->o2;   /* spare nall-sized buffer */
    memcpy(x0, c->x, (size_t)p->nall * sizeof(double));
    for (int s = 1; s >= 0; s--) {          /* gp, gm end at the step h[0] */
        for (int i = 0; i < n; i++)
            c->x[p->act[i]] = x0[p->act[i]] + h[s] * c->v[i];
        p->g(c->x, NULL, gp, NULL, 0);
        for (int i = 0; i < n; i++)
            c->x[p->act[i]] = x0[p->act[i]] - h[s] * c->v[i];
        p->g(c->x, NULL, gm, NULL, 0);
        for (int i = 0; i < n; i++)
            fd[s][i] = (gp[i] - gm[i]) / (2 * h[s]);
    }
    memcpy(c->x, x0, (size_t)p->nall * sizeof(double));
    /* The gradient jumps across a branch boundary the point sits on (x2 == a^2
     * at a = 0): central differences of both steps agree there and are
     * meaningless. One-sided differences from the two sides then disagree
     * by far more than the O(h) of a smooth gradient: no verdict. */
    for (int i = 0; i < n; i++) {
        double fwd = (gp[i] - c->g[i]) / h[0], bwd = (c->g[i] - gm[i]) / h[0];
        if (!(fabs(fwd - bwd) <= 0.01 * (fabs(fwd) + fabs(bwd)) + 1e-6 * (1 + gmax)))
            return;
    }
    /* On a kink met exactly, the convention fixes the first derivative
     * (abs'(0) = 0), and the second follows the chain rule from it: for
     * cosh(abs(x)) at 0 that is cosh(0) * abs'(0)^2 = 0, though the function
     * is smooth there and differences of f_grad see 1. No verdict. */
    if (p->kink[c->pt])
        return;
    for (int i = 0; i < n; i++)
        if (c->hv[i] != RT_GARBAGE && rt_contradicts(c->hv[i], fd1[i], fd2[i], 1e-8 * (1 + gmax))) {
            rt_fail(c, "hvp.fd", i, "hv=%.17g fd=%.17g fd2=%.17g", c->hv[i], fd1[i], fd2[i]);
            break;
        }
}

/* f_jac or f_hess: what it returns beside the matrix equals f's (and
 * f_grad's), and column j of the matrix equals f_jvp's tangent (f_hvp's
 * H v) along e_j. Those are checked against differences of f above. */
static void rt_check_whole(RtCx *c, double y, double scale)
{
    const RtProg *p = c->p;
    int n = p->nact, m = p->nout ? p->nout : n;
    double *W = c->w, *g3 = c->tmp2, *e = c->v, *col = c->col;
    rt_fill(W, m * n, RT_GARBAGE);
    rt_fill(g3, n, RT_GARBAGE);
    rt_fill(c->o2, p->nout, RT_GARBAGE);
    double yw = p->w(c->x, g3, c->o2, W);
    rt_same_value(c, "whole.value", "f_hess", "f_jac", yw, y, 1e-12 * (1 + scale));
    for (int i = 0; !p->nout && i < n; i++)
        if (!rt_close(g3[i], c->g[i], 1e-9 * (fabs(c->g[i]) + 1) + 1e-12)) {
            rt_fail(c, "whole.grad", i, "f_hess grad=%.17g f_grad=%.17g", g3[i], c->g[i]);
            break;
        }
    rt_unwritten(c, "whole.unwritten", W, m * n, 0);
    rt_fill(e, n, 0);
    for (int j = 0; j < n; j++) {
        e[j] = 1;
        if (p->nout)
            p->j(c->x, e, c->o2, col);
        else
            p->h(c->x, e, c->tmp, col);
        e[j] = 0;
        double mag = 0;
        for (int i = 0; i < m; i++)
            mag = fmax(mag, fabs(col[i]));
        for (int i = 0; i < m; i++)
            if (W[i * n + j] != RT_GARBAGE && !rt_close(W[i * n + j], col[i], 1e-9 * (1 + mag))) {
                rt_fail(c, "whole.column", j, "%s[%d][%d]=%.17g %s=%.17g", p->nout ? "J" : "H", i, j,
                        W[i * n + j], p->nout ? "f_jvp" : "f_hvp", col[i]);
                return;
            }
    }
}

/* ---- the sparse forms ---------------------------------------------------------- */

#define RT_IGARBAGE (-1000000007)   /* what rows and cols start as */
#define RT_GUARD 8                  /* entries past the most a pattern can hold */

static void rt_ifill(int *x, int n, int v)
{
    for (int i = 0; i < n; i++)
        x[i] = v;
}

static void *rt_alloc(int n, size_t size)
{
    void *b = malloc((size_t)(n > 0 ? n : 1) * size);
    if (!b) {
        printf("out of memory\n");
        exit(3);
    }
    return b;
}

/* One call of f_jac_sparse / f_hess_sparse at x with rows, cols, vals
 * (each NULL or of cap entries, set to garbage here), the outputs into
 * c->o2 and the gradient into g. When x is the point, what it writes
 * beside the pattern must be f's outputs (f's value and f_grad's
 * gradient). `what` names the call in messages. */
static void rt_sparse_call(RtCx *c, const char *what, const double *x, double y, double scale, double *g,
                           int *rows, int *cols, double *vals, int cap)
{
    const RtProg *p = c->p;
    int n = p->nact;
    if (rows)
        rt_ifill(rows, cap, RT_IGARBAGE);
    if (cols)
        rt_ifill(cols, cap, RT_IGARBAGE);
    if (vals)
        rt_fill(vals, cap, RT_GARBAGE);
    rt_fill(g, n, RT_GARBAGE);
    rt_fill(c->o2, p->nout, RT_GARBAGE);
    double ys = p->sp(x, g, c->o2, rows, cols, vals);
    if (x != c->x)
        return;
    rt_unwritten(c, "sparse.unwritten", c->o2, p->nout, 1);
    if (!p->nout)
        rt_unwritten(c, "sparse.unwritten", g, n, 0);
    rt_same_value(c, "sparse.value", what, what, ys, y, 1e-12 * (1 + scale));
    for (int i = 0; !p->nout && i < n; i++)
        if (g[i] != RT_GARBAGE && !rt_close(g[i], c->g[i], 1e-9 * (fabs(c->g[i]) + 1) + 1e-12)) {
            rt_fail(c, "sparse.grad", i, "%s grad=%.17g f_grad=%.17g", what, g[i], c->g[i]);
            break;
        }
}

/* The entries a call wrote (rows, cols, vals: those not NULL) against
 * nnz: as many as nnz says, none past them, each written whole. */
static void rt_sparse_count(RtCx *c, const char *what, const char *nnzfn, const int *rows, const int *cols,
                            const double *vals, int nnz, int cap)
{
    int wrote = 0, partial = -1;
    for (int k = 0; k < cap; k++) {
        int r = rows && rows[k] != RT_IGARBAGE, cl = cols && cols[k] != RT_IGARBAGE;
        int v = vals && vals[k] != RT_GARBAGE;
        if (r || cl || v)
            wrote = k + 1;
        if (k < nnz && partial < 0 && ((rows && !r) || (cols && !cl) || (vals && !v)))
            partial = k;
    }
    if (wrote != nnz)
        rt_fail(c, "sparse.count", -1, "%s wrote %s%d entries, %s=%d", what, wrote == cap ? "at least " : "",
                wrote, nnzfn, nnz);
    else if (partial >= 0)
        rt_fail(c, "sparse.unwritten", -1, "%s left entry %d of %d as it was: row %d col %d val %.17g", what,
                partial, nnz, rows ? rows[partial] : 0, cols ? cols[partial] : 0, vals ? vals[partial] : 0.0);
}

/* rows and cols: in range (m x n; for the Hessian row >= col), strictly
 * sorted by row, then column (so no entry twice). */
static void rt_sparse_pattern(RtCx *c, const char *what, const int *rows, const int *cols, int nnz, int m, int n)
{
    int hess = !c->p->nout, prev = -1;
    const char *mat = hess ? "H" : "J";
    for (int k = 0; k < nnz; k++) {
        int r = rows[k], cl = cols[k];
        if (r == RT_IGARBAGE || cl == RT_IGARBAGE) {   /* sparse.count said so */
            prev = -1;
            continue;
        }
        if (r < 0 || r >= m || cl < 0 || cl >= n) {
            rt_fail(c, "sparse.pattern", -1, "%s entry %d of %d: (%d, %d) outside the %d x %d %s", what, k, nnz,
                    r, cl, m, n, mat);
            return;
        }
        if (hess && r < cl) {
            rt_fail(c, "sparse.pattern", -1, "%s entry %d of %d: (%d, %d) above the diagonal of H", what, k,
                    nnz, r, cl);
            return;
        }
        if (prev >= 0 && (rows[prev] > r || (rows[prev] == r && cols[prev] >= cl))) {
            rt_fail(c, "sparse.pattern", -1, "%s entries %d, %d of %d: (%d, %d) then (%d, %d): %s", what, prev,
                    k, nnz, rows[prev], cols[prev], r, cl,
                    rows[prev] == r && cols[prev] == cl ? "twice" : "not sorted by row, then column");
            return;
        }
        prev = k;
    }
}

/* The pattern `here` (nnz, rows, cols) is the one `there` (nnz0, rows0,
 * cols0): at the first point, or at the point before it was moved. */
static void rt_sparse_same(RtCx *c, const char *here, const char *there, int nnz, const int *rows,
                           const int *cols, int nnz0, const int *rows0, const int *cols0)
{
    if (nnz != nnz0) {
        rt_fail(c, "sparse.stable", -1, "nnz=%d %s, %d %s", nnz, here, nnz0, there);
        return;
    }
    for (int k = 0; k < nnz; k++)
        if (rows[k] != rows0[k] || cols[k] != cols0[k]) {
            rt_fail(c, "sparse.stable", -1, "entry %d of %d: (%d, %d) %s, (%d, %d) %s", k, nnz, rows[k], cols[k],
                    here, rows0[k], cols0[k], there);
            return;
        }
}

/* f_jac_nnz and f_jac_sparse (f_hess_nnz and f_hess_sparse) against
 * f_jac's J (f_hess's H): a pattern that holds every entry of J (of H's
 * lower triangle) that is nonzero at the point, with J's values, and
 * nothing else; what the call writes beside it is f's (and f_grad's);
 * NULL rows and cols give the same values, NULL vals the same pattern;
 * the pattern is the same at every point, and at the point moved a
 * little (it depends on the ints only, and they stay fixed). */
static void rt_check_sparse(RtCx *c, double y, double scale)
{
    const RtProg *p = c->p;
    int n = p->nact, m = p->nout ? p->nout : n, hess = !p->nout;
    const char *mat = hess ? "H" : "J", *nnzfn = hess ? "f_hess_nnz" : "f_jac_nnz";
    const char *fn = hess ? "f_hess_sparse" : "f_jac_sparse";
    int full = hess ? n * (n + 1) / 2 : m * n;
    int nnz = p->nnz(c->x, c->o2);
    if (nnz < 0 || nnz > full) {
        rt_fail(c, "sparse.nnz", -1, "%s=%d, %s has %d entries%s", nnzfn, nnz, mat, full,
                hess ? " on and below the diagonal" : "");
        return;
    }
    int cap = full + RT_GUARD;
    int *rows = rt_alloc(cap, sizeof(int)), *cols = rt_alloc(cap, sizeof(int));
    int *rows2 = rt_alloc(cap, sizeof(int)), *cols2 = rt_alloc(cap, sizeof(int));
    int *where = rt_alloc(m * n, sizeof(int));
    double *vals = rt_alloc(cap, sizeof(double)), *vals2 = rt_alloc(cap, sizeof(double));
    double *rmax = rt_alloc(m, sizeof(double)), *cmax = rt_alloc(n, sizeof(double));
    double *x2 = rt_alloc(p->nall, sizeof(double)), *g = c->tmp2, *W = c->w;
    char what[80];

    /* the dense matrix */
    rt_fill(W, m * n, RT_GARBAGE);
    p->w(c->x, g, c->o2, W);

    snprintf(what, sizeof what, "%s(rows, cols, vals)", fn);
    rt_sparse_call(c, what, c->x, y, scale, g, rows, cols, vals, cap);
    rt_sparse_count(c, what, nnzfn, rows, cols, vals, nnz, cap);
    rt_sparse_pattern(c, what, rows, cols, nnz, m, n);

    /* every nonzero of the dense matrix in the pattern, with its value */
    rt_ifill(where, m * n, -1);
    for (int k = 0; k < nnz; k++)
        if (rows[k] >= 0 && rows[k] < m && cols[k] >= 0 && cols[k] < n && where[rows[k] * n + cols[k]] < 0)
            where[rows[k] * n + cols[k]] = k;
    rt_fill(rmax, m, 0);
    rt_fill(cmax, n, 0);
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            double w = W[i * n + j];
            if (w != RT_GARBAGE && isfinite(w)) {
                rmax[i] = fmax(rmax[i], fabs(w));
                cmax[j] = fmax(cmax[j], fabs(w));
            }
        }
    int missing = 0, wrong = 0;
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            double w = W[i * n + j];
            if (w == RT_GARBAGE || !isfinite(w))     /* whole.unwritten said so / no verdict */
                continue;
            int r = hess && i < j ? j : i, cl = hess && i < j ? i : j, k = where[r * n + cl];
            if (k < 0) {
                if (w != 0 && !missing++)
                    rt_fail(c, "sparse.missing", j, "%s[%d][%d]=%.17g is not in the pattern%s (%s=%d)", mat, i, j,
                            w, r != i ? " (as its mirror below the diagonal)" : "", nnzfn, nnz);
            } else if (r == i && vals[k] != RT_GARBAGE &&
                       !rt_close(vals[k], w, 1e-9 * (1 + fmax(rmax[i], cmax[j]))) && !wrong++) {
                rt_fail(c, "sparse.vals", j, "vals[%d] (%s[%d][%d])=%.17g %s=%.17g", k, mat, i, j, vals[k],
                        hess ? "f_hess" : "f_jac", w);
            }
        }

    /* rows = cols = NULL: the same values */
    snprintf(what, sizeof what, "%s(NULL, NULL, vals)", fn);
    rt_sparse_call(c, what, c->x, y, scale, g, NULL, NULL, vals2, cap);
    rt_sparse_count(c, what, nnzfn, NULL, NULL, vals2, nnz, cap);
    for (int k = 0; k < nnz; k++)
        if (vals[k] != RT_GARBAGE && vals2[k] != RT_GARBAGE &&
            !rt_close(vals2[k], vals[k], 1e-12 * (1 + fabs(vals[k])))) {
            rt_fail(c, "sparse.null", -1, "%s: vals[%d]=%.17g, with rows and cols %.17g", what, k, vals2[k],
                    vals[k]);
            break;
        }
    /* vals = NULL: the same pattern */
    snprintf(what, sizeof what, "%s(rows, cols, NULL)", fn);
    rt_sparse_call(c, what, c->x, y, scale, g, rows2, cols2, NULL, cap);
    rt_sparse_count(c, what, nnzfn, rows2, cols2, NULL, nnz, cap);
    for (int k = 0; k < nnz; k++)
        if (rows2[k] != rows[k] || cols2[k] != cols[k]) {
            rt_fail(c, "sparse.null", -1, "%s: entry %d (%d, %d), with vals (%d, %d)", what, k, rows2[k],
                    cols2[k], rows[k], cols[k]);
            break;
        }
    /* all three NULL: the outputs (value, gradient) still */
    snprintf(what, sizeof what, "%s(NULL, NULL, NULL)", fn);
    rt_sparse_call(c, what, c->x, y, scale, g, NULL, NULL, NULL, cap);

    /* the same pattern at every point ... */
    char here[32], there[32];
    snprintf(here, sizeof here, "at point %d", c->pt);
    if (c->pnnz < 0) {
        c->pnnz = nnz;
        c->ppt = c->pt;
        c->prow = rt_alloc(nnz, sizeof(int));
        c->pcol = rt_alloc(nnz, sizeof(int));
        memcpy(c->prow, rows, (size_t)nnz * sizeof(int));
        memcpy(c->pcol, cols, (size_t)nnz * sizeof(int));
    } else {
        snprintf(there, sizeof there, "at point %d", c->ppt);
        rt_sparse_same(c, here, there, nnz, rows, cols, c->pnnz, c->prow, c->pcol);
    }
    /* ... and at the point moved by about 1e-4 (relative) along a random
     * direction, every real argument (zeros become nonzero) */
    unsigned long long saved = c->rng;
    memcpy(x2, c->x, (size_t)p->nall * sizeof(double));
    for (int i = 0; i < p->nall; i++) {
        double r = rt_rand(c);   /* a zero moves by 3.3e-5 to 1e-4 */
        x2[i] += RT_H1 * fmax(1, fabs(x2[i])) * (r < 0 ? r - 0.5 : r + 0.5) / 1.5;
    }
    c->rng = saved;   /* the directions of the other checks as they were */
    int nnz2 = p->nnz(x2, c->o2);
    if (nnz2 != nnz) {
        rt_fail(c, "sparse.stable", -1, "%s=%d at the point moved by 1e-4, %d %s", nnzfn, nnz2, nnz, here);
    } else {
        snprintf(what, sizeof what, "%s(rows, cols, NULL) at the moved point", fn);
        rt_sparse_call(c, what, x2, y, scale, g, rows2, cols2, NULL, cap);
        rt_sparse_count(c, what, nnzfn, rows2, cols2, NULL, nnz, cap);
        rt_sparse_same(c, "at the point moved by 1e-4", here, nnz, rows2, cols2, nnz, rows, cols);
    }
    free(rows); free(cols); free(rows2); free(cols2); free(where);
    free(vals); free(vals2); free(rmax); free(cmax); free(x2);
}

static void rt_check_point(RtCx *c)
{
    const RtProg *p = c->p;
    int ne = p->nout ? p->nout : 1;
    double scale = p->scale[c->pt];
    memcpy(c->x, p->pts + (size_t)c->pt * (size_t)p->nall, (size_t)p->nall * sizeof(double));
    for (int k = 0; k < p->nout; k++)
        c->seed[k] = rt_rand(c);
    for (int i = 0; i < p->nact; i++)
        c->v[i] = rt_rand(c);
    rt_check_value(c, p->expect + (size_t)c->pt * (size_t)ne, scale);
    double y = rt_check_grad(c, scale);
    rt_check_null(c);
    rt_check_jvp(c, y, scale);
    if (p->h && !p->nout)
        rt_check_hvp(c, y, scale);
    if (p->w && (p->nout || p->h))
        rt_check_whole(c, y, scale);            /* it uses v as e_j */
    if (p->w && p->nnz && p->sp && (p->nout || p->h))
        rt_check_sparse(c, y, scale);
}

static double *rt_buf(int n)
{
    double *b = malloc((size_t)(n > 0 ? n : 1) * sizeof(double));
    if (!b) {
        printf("out of memory\n");
        exit(3);
    }
    return b;
}

static void rt_check_prog(const RtProg *p, int id)
{
    int big = p->nall + p->nact + p->nout + 1;
    RtCx c = {p, id, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, NULL, NULL, -1, 0};
    c.x = rt_buf(p->nall);
    c.g = rt_buf(p->nact);
    c.o = rt_buf(p->nout);
    c.o2 = rt_buf(big);
    c.seed = rt_buf(p->nout);
    c.v = rt_buf(p->nact);
    c.d = rt_buf(p->nout + 1);
    c.tmp = rt_buf(4 * big);
    c.tmp2 = rt_buf(big);
    c.hv = rt_buf(p->nact);
    c.w = rt_buf((p->nout ? p->nout : p->nact) * p->nact);
    c.col = rt_buf((p->nout > p->nact ? p->nout : p->nact) + 1);
    c.rng = p->rng;
    for (c.pt = 0; c.pt < p->npt; c.pt++)
        rt_check_point(&c);
    free(c.x); free(c.g); free(c.o); free(c.o2); free(c.seed);
    free(c.v); free(c.d); free(c.tmp); free(c.tmp2); free(c.hv); free(c.w); free(c.col);
    free(c.prow); free(c.pcol);
}

/* main of every driver: checks programs from argv[1] (default 0) on. */
static int rt_main(const RtProg *progs, int n, int argc, char **argv)
{
    int first = argc > 1 ? atoi(argv[1]) : 0;
    for (int k = first; k < n; k++) {
        printf("B %d\n", k);
        fflush(stdout);
        rt_check_prog(&progs[k], k);
        printf("E %d\n", k);
        fflush(stdout);
    }
    return 0;
}

#endif
