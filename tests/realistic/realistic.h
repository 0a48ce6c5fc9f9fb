/* Shared checks of the realistic programs: a seeded generator for data and
 * points, closeness assertions, and the checks every driver runs on its
 * program. Self-contained (nothing from tests/numeric), so that these tests
 * stand on their own. Include after <cmocka.h>.
 *
 * A driver packs every real input that gets a derivative into one vector z
 * (n values, in parameter order, arrays row-major) and the rest (sizes,
 * const data) behind a context pointer, and gives adapters that call its
 * independent C reference and the generated f, f_grad, f_jvp, f_hvp (or, for
 * a program with out arrays, f, f_vjp, f_jvp) from z. Then, at a point z:
 *
 *   scalar programs (rl_check_scalar):
 *     (a) f(z) equals the reference within val_rel;
 *     (b) f_grad returns f(z) and writes every entry of the gradient (the
 *         buffer starts as garbage), each within fd_rel of the five-point
 *         difference of the REFERENCE along that input;
 *     (c) f_jvp returns f(z), and df agrees with g . v (dot-product test);
 *     (d) f_hvp returns f(z) and f_grad's gradient, and Hv agrees with the
 *         five-point difference of f_grad along v; u.(Hv) equals v.(Hu)
 *         (the Hessian is symmetric).
 *   programs with outputs (rl_check_vector):
 *     (a) f's outputs equal the reference's within val_rel;
 *     (b) f_vjp writes f's outputs, and its gradient agrees with the
 *         five-point difference of w . reference(z) along each input;
 *     (c) f_jvp writes f's outputs, and J v agrees with the five-point
 *         difference of the reference along v;
 *     (d) <w, J v> from f_jvp equals <J^T w, v> from f_vjp.
 *
 * Finite differences: the five-point stencil with step h (a power of two,
 * about 1e-3 times the input's magnitude, so that z +- h is exact) has
 * truncation error ~h^4 and rounding error ~eps |f| / h, both far below the
 * tolerance for the smooth programs here. A derivative passes if it agrees
 * with the difference at h, h/8 or h/64 (the smaller steps for points near
 * a kink or a steep region); a wrong derivative is off by far more. */
#ifndef GRADC_TESTS_REALISTIC_H
#define GRADC_TESTS_REALISTIC_H

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RL_PI 3.14159265358979323846 /* M_PI is not ISO C */

/* tolerances (each check can override the first three) */
#define RL_VAL_REL 1e-12   /* f against the reference: same math, other order */
#define RL_FD_REL 1e-6     /* a derivative against finite differences */
#define RL_FD_ABS 1e-8     /* ... plus this times the scale of the values */
#define RL_ROUND_REL 1e-10 /* two computations of one derivative (jvp vs grad) */
#define RL_FD_STEP 1e-3

/* the most disagreements printed per check */
#define RL_MAX_REPORTS 10

/* ---- random data: splitmix64, the same sequence everywhere ---- */

typedef struct rl_rng {
    uint64_t s;
} rl_rng;

static inline uint64_t rl_next(rl_rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

/* uniform in [lo, hi) */
static inline double rl_uniform(rl_rng *r, double lo, double hi)
{
    return lo + (hi - lo) * ((double)(rl_next(r) >> 11) * 0x1.0p-53);
}

/* standard normal (Box-Muller) */
static inline double rl_normal(rl_rng *r)
{
    double u = rl_uniform(r, DBL_MIN, 1.0), v = rl_uniform(r, 0.0, 1.0);
    return sqrt(-2.0 * log(u)) * cos(2.0 * RL_PI * v);
}

static inline void rl_fill(rl_rng *r, double *a, int n, double lo, double hi)
{
    for (int i = 0; i < n; i++)
        a[i] = rl_uniform(r, lo, hi);
}

static inline void rl_fill_normal(rl_rng *r, double *a, int n)
{
    for (int i = 0; i < n; i++)
        a[i] = rl_normal(r);
}

/* a value no derivative or output can be: unwritten outputs show */
#define RL_GARBAGE (-12345.678)

static inline void rl_fill_garbage(double *a, int n)
{
    for (int i = 0; i < n; i++)
        a[i] = RL_GARBAGE;
}

static inline void *rl_alloc(int n)
{
    void *p = malloc(sizeof(double) * (size_t)(n > 0 ? n : 1));
    if (!p) {
        print_error("out of memory in the test\n");
        fail();
    }
    return p;
}

static inline double rl_dot(const double *a, const double *b, int n)
{
    double s = 0;
    for (int i = 0; i < n; i++)
        s += a[i] * b[i];
    return s;
}

static inline double rl_absdot(const double *a, const double *b, int n)
{
    double s = 0;
    for (int i = 0; i < n; i++)
        s += fabs(a[i] * b[i]);
    return s;
}

static inline double rl_maxabs(const double *a, int n)
{
    double m = 0;
    for (int i = 0; i < n; i++)
        m = fmax(m, fabs(a[i]));
    return m;
}

/* ---- closeness ---- */

/* a and b agree within abs_tol + rel * max(|a|, |b|); NaN agrees with nothing */
static inline int rl_is_close(double a, double b, double rel, double abs_tol)
{
    if (a == b)
        return 1;
    if (isnan(a) || isnan(b) || isinf(a) || isinf(b))
        return 0;
    return fabs(a - b) <= abs_tol + rel * fmax(fabs(a), fabs(b));
}

static inline void rl_close_at(double a, double b, double rel, double abs_tol, const char *sa,
                               const char *sb, const char *file, int line)
{
    if (rl_is_close(a, b, rel, abs_tol))
        return;
    print_error("%s = %.17g is not close to %s = %.17g (|difference| %.3g, rel %g, abs %g)\n",
                sa, a, sb, b, fabs(a - b), rel, abs_tol);
    _fail(file, line);
}

#define assert_close(a, b, rel, abs_tol) \
    rl_close_at((a), (b), (rel), (abs_tol), #a, #b, __FILE__, __LINE__)

/* ---- finite differences ---- */

/* a power-of-two step about RL_FD_STEP times max(1, |x|): x +- h, x +- 2h are
 * exact, so the differences divide by the step actually taken */
static inline double rl_step(double x)
{
    return ldexp(1.0, ilogb(fmax(1.0, fabs(x))) - 10);
}

/* (phi(-2h) - 8 phi(-h) + 8 phi(h) - phi(2h)) / 12h from the four values */
static inline double rl_five_point(double m2, double m1, double p1, double p2, double h)
{
    return (m2 - 8.0 * m1 + 8.0 * p1 - p2) / (12.0 * h);
}

/* ---- scalar programs ---- */

typedef double (*rl_value_fn)(const void *ctx, const double *z);
typedef double (*rl_grad_fn)(const void *ctx, const double *z, double *g);
typedef double (*rl_jvp_fn)(const void *ctx, const double *z, const double *v, double *df);
typedef double (*rl_hvp_fn)(const void *ctx, const double *z, const double *v, double *g,
                            double *hv);

typedef struct rl_scalar {
    const char *name;
    int n;               /* inputs packed into z */
    const void *ctx;     /* sizes and data, for the adapters */
    rl_value_fn ref;     /* the independent reference */
    rl_value_fn f;       /* gradc's f */
    rl_grad_fn grad;     /* gradc's f_grad */
    rl_jvp_fn jvp;       /* gradc's f_jvp */
    rl_hvp_fn hvp;       /* gradc's f_hvp */
    double val_rel;      /* 0: RL_VAL_REL */
    double fd_rel;       /* 0: RL_FD_REL */
    double fd_abs;       /* 0: RL_FD_ABS */
} rl_scalar;

static inline double rl_or(double x, double dflt)
{
    return x > 0 ? x : dflt;
}

/* the five-point difference of p->ref along input i, at step h */
static inline double rl_fd_coord(const rl_scalar *p, double *z, int i, double h)
{
    double z0 = z[i], v[4];
    static const double k[4] = {-2, -1, 1, 2};
    for (int s = 0; s < 4; s++) {
        z[i] = z0 + k[s] * h;
        v[s] = p->ref(p->ctx, z);
    }
    z[i] = z0;
    return rl_five_point(v[0], v[1], v[2], v[3], h);
}

/* does d agree with the five-point difference of input i at one of three steps? */
static inline int rl_fd_agrees(const rl_scalar *p, double *z, int i, double d, double rel,
                               double abs_tol, double *fd_out)
{
    double h = rl_step(z[i]);
    for (int s = 0; s < 3; s++, h /= 8) {
        double fd = rl_fd_coord(p, z, i, h);
        if (s == 0)
            *fd_out = fd;
        if (rl_is_close(d, fd, rel, abs_tol))
            return 1;
    }
    return 0;
}

/* Hv against five-point differences of f_grad along v */
static inline int rl_check_hv(const rl_scalar *p, const double *z, const double *v,
                              const double *hv, double scale, double rel, double abs_tol)
{
    int n = p->n, bad = 0;
    double *zt = rl_alloc(n), *gs[4], *fd = rl_alloc(n), *ok = rl_alloc(n);
    static const double k[4] = {-2, -1, 1, 2};
    for (int s = 0; s < 4; s++)
        gs[s] = rl_alloc(n);
    for (int i = 0; i < n; i++)
        ok[i] = 0;
    double zmax = rl_maxabs(z, n), vmax = rl_maxabs(v, n);
    double h = RL_FD_STEP * fmax(1.0, zmax) / fmax(1e-300, vmax);
    for (int level = 0; level < 3; level++, h /= 8) {
        for (int s = 0; s < 4; s++) {
            for (int i = 0; i < n; i++)
                zt[i] = z[i] + k[s] * h * v[i];
            p->grad(p->ctx, zt, gs[s]);
        }
        for (int i = 0; i < n; i++) {
            double d = rl_five_point(gs[0][i], gs[1][i], gs[2][i], gs[3][i], h);
            if (level == 0)
                fd[i] = d;
            if (rl_is_close(hv[i], d, rel, abs_tol * scale))
                ok[i] = 1;
        }
    }
    for (int i = 0; i < n; i++)
        if (!ok[i]) {
            if (bad < RL_MAX_REPORTS)
                print_error("%s_hvp: (Hv)[%d] = %.17g, difference of the gradient %.17g\n",
                            p->name, i, hv[i], fd[i]);
            bad++;
        }
    for (int s = 0; s < 4; s++)
        free(gs[s]);
    free(zt);
    free(fd);
    free(ok);
    return bad;
}

/* every check of the header comment at z; random directions from seed */
static inline void rl_check_scalar_at(const rl_scalar *p, const double *z0, uint64_t seed,
                                      const char *file, int line)
{
    int n = p->n, bad = 0;
    double val_rel = rl_or(p->val_rel, RL_VAL_REL);
    double fd_rel = rl_or(p->fd_rel, RL_FD_REL), fd_abs = rl_or(p->fd_abs, RL_FD_ABS);
    double *z = rl_alloc(n), *g = rl_alloc(n), *g2 = rl_alloc(n), *v = rl_alloc(n);
    double *u = rl_alloc(n), *hv = rl_alloc(n), *hu = rl_alloc(n);
    rl_rng r = {seed};

    memcpy(z, z0, sizeof(double) * (size_t)n);
    /* (a) the value */
    double fr = p->ref(p->ctx, z), f = p->f(p->ctx, z);
    if (!rl_is_close(f, fr, val_rel, val_rel * 1e-3)) {
        print_error("%s = %.17g, the reference gives %.17g\n", p->name, f, fr);
        bad++;
    }
    /* (b) the gradient */
    rl_fill_garbage(g, n);
    double fg = p->grad(p->ctx, z, g);
    if (!rl_is_close(fg, f, 1e-14, 0)) {
        print_error("%s_grad returns %.17g, %s %.17g\n", p->name, fg, p->name, f);
        bad++;
    }
    double gmax = rl_maxabs(g, n);
    double scale = 1.0 + fabs(f) + gmax;
    for (int i = 0; i < n; i++) {
        double fd = 0;
        if (!rl_fd_agrees(p, z, i, g[i], fd_rel, fd_abs * scale, &fd)) {
            if (bad < RL_MAX_REPORTS)
                print_error("%s_grad: input %d (of %d) at %.17g: derivative %.17g, "
                            "five-point difference %.17g (|difference| %.3g)\n",
                            p->name, i, n, z[i], g[i], fd, fabs(g[i] - fd));
            bad++;
        }
    }
    /* (c) forward mode: df = g . v */
    rl_fill(&r, v, n, -1, 1);
    rl_fill(&r, u, n, -1, 1);
    double df = RL_GARBAGE;
    double fj = p->jvp(p->ctx, z, v, &df);
    if (!rl_is_close(fj, f, 1e-14, 0)) {
        print_error("%s_jvp returns %.17g, %s %.17g\n", p->name, fj, p->name, f);
        bad++;
    }
    if (!rl_is_close(df, rl_dot(g, v, n), RL_ROUND_REL, RL_ROUND_REL * rl_absdot(g, v, n))) {
        print_error("%s_jvp: df = %.17g, but g . v = %.17g from %s_grad\n", p->name, df,
                    rl_dot(g, v, n), p->name);
        bad++;
    }
    /* (d) Hessian-vector products */
    rl_fill_garbage(g2, n);
    rl_fill_garbage(hv, n);
    double fh = p->hvp(p->ctx, z, v, g2, hv);
    if (!rl_is_close(fh, f, 1e-14, 0)) {
        print_error("%s_hvp returns %.17g, %s %.17g\n", p->name, fh, p->name, f);
        bad++;
    }
    for (int i = 0; i < n; i++)
        if (!rl_is_close(g2[i], g[i], 1e-12, 1e-14 * gmax)) {
            if (bad < RL_MAX_REPORTS)
                print_error("%s_hvp: gradient[%d] = %.17g, %s_grad gives %.17g\n", p->name, i,
                            g2[i], p->name, g[i]);
            bad++;
        }
    double hvmax = rl_maxabs(hv, n);
    bad += rl_check_hv(p, z, v, hv, 1.0 + gmax + hvmax, fd_rel, fd_abs);
    rl_fill_garbage(hu, n);
    p->hvp(p->ctx, z, u, g2, hu);
    double uhv = rl_dot(u, hv, n), vhu = rl_dot(v, hu, n);
    double mag = rl_absdot(u, hv, n) + rl_absdot(v, hu, n);
    if (!rl_is_close(uhv, vhu, RL_ROUND_REL, RL_ROUND_REL * mag + 1e-300)) {
        print_error("%s_hvp: u.(Hv) = %.17g but v.(Hu) = %.17g (H not symmetric)\n", p->name,
                    uhv, vhu);
        bad++;
    }
    free(z);
    free(g);
    free(g2);
    free(v);
    free(u);
    free(hv);
    free(hu);
    if (bad) {
        print_error("%s: %d disagreement(s)\n", p->name, bad);
        _fail(file, line);
    }
}

#define rl_check_scalar(p, z, seed) rl_check_scalar_at((p), (z), (seed), __FILE__, __LINE__)

/* ---- programs with out arrays ---- */

typedef void (*rl_out_fn)(const void *ctx, const double *z, double *y);
typedef void (*rl_vjp_fn)(const void *ctx, const double *z, const double *w, double *y,
                          double *g);
typedef void (*rl_jvpo_fn)(const void *ctx, const double *z, const double *v, double *y,
                           double *dy);

typedef struct rl_vector {
    const char *name;
    int n, m;            /* inputs packed into z, outputs into y */
    const void *ctx;
    rl_out_fn ref;       /* the independent reference */
    rl_out_fn f;         /* gradc's f */
    rl_vjp_fn vjp;       /* gradc's f_vjp, seeds w */
    rl_jvpo_fn jvp;      /* gradc's f_jvp */
    double val_rel, fd_rel, fd_abs;
} rl_vector;

static inline void rl_check_vector_at(const rl_vector *p, const double *z0, uint64_t seed,
                                      const char *file, int line)
{
    int n = p->n, m = p->m, bad = 0;
    double val_rel = rl_or(p->val_rel, RL_VAL_REL);
    double fd_rel = rl_or(p->fd_rel, RL_FD_REL), fd_abs = rl_or(p->fd_abs, RL_FD_ABS);
    double *z = rl_alloc(n), *g = rl_alloc(n), *v = rl_alloc(n);
    double *y = rl_alloc(m), *yr = rl_alloc(m), *y2 = rl_alloc(m), *w = rl_alloc(m);
    double *dy = rl_alloc(m), *ys[4], *ok = rl_alloc(m > n ? m : n), *fdv = rl_alloc(m);
    static const double k[4] = {-2, -1, 1, 2};
    rl_rng r = {seed};

    for (int s = 0; s < 4; s++)
        ys[s] = rl_alloc(m);
    memcpy(z, z0, sizeof(double) * (size_t)n);
    /* (a) the outputs */
    rl_fill_garbage(y, m);
    p->f(p->ctx, z, y);
    p->ref(p->ctx, z, yr);
    double ymax = rl_maxabs(yr, m);
    for (int j = 0; j < m; j++)
        if (!rl_is_close(y[j], yr[j], val_rel, val_rel * 1e-3 * (1 + ymax))) {
            if (bad < RL_MAX_REPORTS)
                print_error("%s: output %d = %.17g, the reference gives %.17g\n", p->name, j,
                            y[j], yr[j]);
            bad++;
        }
    /* (b) the vector-Jacobian product against differences of w . ref */
    rl_fill(&r, w, m, -1, 1);
    rl_fill(&r, v, n, -1, 1);
    rl_fill_garbage(y2, m);
    rl_fill_garbage(g, n);
    p->vjp(p->ctx, z, w, y2, g);
    for (int j = 0; j < m; j++)
        if (!rl_is_close(y2[j], y[j], 1e-14, 0)) {
            if (bad < RL_MAX_REPORTS)
                print_error("%s_vjp: output %d = %.17g, %s gives %.17g\n", p->name, j, y2[j],
                            p->name, y[j]);
            bad++;
        }
    double gmax = rl_maxabs(g, n), wy = rl_absdot(w, yr, m);
    for (int i = 0; i < n; i++) {
        double z0i = z[i], h = rl_step(z0i), fd0 = 0;
        int agree = 0;
        for (int level = 0; level < 3 && !agree; level++, h /= 8) {
            double phi[4];
            for (int s = 0; s < 4; s++) {
                z[i] = z0i + k[s] * h;
                p->ref(p->ctx, z, ys[s]);
                phi[s] = rl_dot(w, ys[s], m);
            }
            z[i] = z0i;
            double fd = rl_five_point(phi[0], phi[1], phi[2], phi[3], h);
            if (level == 0)
                fd0 = fd;
            agree = rl_is_close(g[i], fd, fd_rel, fd_abs * (1 + wy + gmax));
        }
        if (!agree) {
            if (bad < RL_MAX_REPORTS)
                print_error("%s_vjp: input %d (of %d) at %.17g: w.J column = %.17g, "
                            "five-point difference %.17g (|difference| %.3g)\n",
                            p->name, i, n, z[i], g[i], fd0, fabs(g[i] - fd0));
            bad++;
        }
    }
    /* (c) the Jacobian-vector product against differences along v */
    rl_fill_garbage(y2, m);
    rl_fill_garbage(dy, m);
    p->jvp(p->ctx, z, v, y2, dy);
    for (int j = 0; j < m; j++)
        if (!rl_is_close(y2[j], y[j], 1e-14, 0)) {
            if (bad < RL_MAX_REPORTS)
                print_error("%s_jvp: output %d = %.17g, %s gives %.17g\n", p->name, j, y2[j],
                            p->name, y[j]);
            bad++;
        }
    double dymax = rl_maxabs(dy, m);
    for (int j = 0; j < m; j++)
        ok[j] = 0;
    double h = RL_FD_STEP * fmax(1.0, rl_maxabs(z, n)) / fmax(1e-300, rl_maxabs(v, n));
    double *zt = rl_alloc(n);
    for (int level = 0; level < 3; level++, h /= 8) {
        for (int s = 0; s < 4; s++) {
            for (int i = 0; i < n; i++)
                zt[i] = z[i] + k[s] * h * v[i];
            p->ref(p->ctx, zt, ys[s]);
        }
        for (int j = 0; j < m; j++) {
            double fd = rl_five_point(ys[0][j], ys[1][j], ys[2][j], ys[3][j], h);
            if (level == 0)
                fdv[j] = fd;
            if (rl_is_close(dy[j], fd, fd_rel, fd_abs * (1 + ymax + dymax)))
                ok[j] = 1;
        }
    }
    free(zt);
    for (int j = 0; j < m; j++)
        if (!ok[j]) {
            if (bad < RL_MAX_REPORTS)
                print_error("%s_jvp: (Jv)[%d] = %.17g, five-point difference %.17g\n", p->name,
                            j, dy[j], fdv[j]);
            bad++;
        }
    /* (d) the dot-product test */
    double wjv = rl_dot(w, dy, m), jtwv = rl_dot(g, v, n);
    double mag = rl_absdot(w, dy, m) + rl_absdot(g, v, n);
    if (!rl_is_close(wjv, jtwv, RL_ROUND_REL, RL_ROUND_REL * mag + 1e-300)) {
        print_error("%s: <w, Jv> = %.17g (f_jvp) but <J^T w, v> = %.17g (f_vjp)\n", p->name,
                    wjv, jtwv);
        bad++;
    }
    for (int s = 0; s < 4; s++)
        free(ys[s]);
    free(z);
    free(g);
    free(v);
    free(y);
    free(yr);
    free(y2);
    free(w);
    free(dy);
    free(ok);
    free(fdv);
    if (bad) {
        print_error("%s: %d disagreement(s)\n", p->name, bad);
        _fail(file, line);
    }
}

#define rl_check_vector(p, z, seed) rl_check_vector_at((p), (z), (seed), __FILE__, __LINE__)

#endif
