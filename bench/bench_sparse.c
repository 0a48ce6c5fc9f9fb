/* gradc's sparse-derivative benchmark: f_hess_sparse and f_jac_sparse
 * (LANGUAGE.md section 6) on problems whose Hessian or Jacobian has O(N)
 * nonzeros (bench/sparse.fn), at N = 10^3, 10^4, 10^5, against the
 * function itself, the dense routine, N Hessian- or Jacobian-vector
 * products (one per unit vector) and a hand-written sparse derivative
 * (hand_sparse.c) that gives the same triplets in the same order.
 *
 * Every generated sparse derivative is checked first against the
 * hand-written one: the same number of entries, the same rows and
 * columns, values, gradient (or outputs) and value within 1e-12 relative
 * (absolute below 1); where the dense routine runs (N <= 2000), it is
 * checked against the same triplets too. A mismatch stops the benchmark.
 *
 * Times: a call that takes less than 0.2 s is timed in batches of at least
 * 20 ms, the median of SAMPLES batches (f, f_grad, the hand-written
 * derivative and the dense routine interleaved, batch by batch); a call of
 * 0.2 to 2 s is the median of 3 calls; a longer one is timed once.
 *
 * Everything that computes the pattern (the check, f_*_sparse with and
 * without rows and cols, f_*_nnz) runs in a child process with a time
 * limit of --limit=S seconds per row (default 10), which takes fewer
 * samples as the limit nears: a call the limit stops shows as a lower
 * bound, "> t". The mask sweep that computes the pattern is designed to
 * take ceil(N/64) sweeps of about the cost of f; the limit keeps the run
 * short where it takes more (when this was written, putting a Hessian's
 * entries together took time quadratic in N, seconds at N = 10^4, until
 * gradc_pat_pairs sorted only when its entries had doubled).
 *
 * The colours column is not measured here (the generated code does not
 * show its colouring): it was taken offline from the generated colouring
 * (`gradc bench/sparse.fn --eval 'rosen_chain(6, [...])' --hessian` prints
 * it at small sizes; at the benchmark's sizes, the generated star and
 * column colourings run on the hand-written patterns gave the same
 * numbers at N = 10^3, 10^4 and 10^5). */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hand_sparse.h"
#include "sparse.h"

enum { SAMPLES = 5 };
static unsigned limit_s = 10;           /* the child's time limit, per row */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static volatile double sink;
static double deadline = INFINITY;      /* no sample begun that would end after it */

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "gradc_bench_sparse: out of memory (%zu bytes)\n", n);
        exit(3);
    }
    return p;
}

static unsigned long long rng = 88172645463325252ull;

static double uniform(double lo, double hi)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return lo + (hi - lo) * (double)(rng >> 11) / 9007199254740992.0;
}

static double median(double *t, int n)
{
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && t[j] < t[j - 1]; j--) {
            double x = t[j];
            t[j] = t[j - 1];
            t[j - 1] = x;
        }
    return t[n / 2];
}

typedef double (*Fn)(void *ctx);

/* Seconds per call of each of fns[0..k), by the rules in the header
 * comment. prior[i] >= 0: one call of fns[i] already timed (it counts as
 * a sample if it took 0.2 s or more). Past the deadline, fewer samples
 * (at least one). */
static void time_fns(const Fn *fns, int k, void *ctx, const double *prior, double *out)
{
    enum { MAXF = 8 };
    long reps[MAXF];
    int need[MAXF], have[MAXF];
    double batch[MAXF];
    double t[MAXF][SAMPLES];
    k = k < MAXF ? k : MAXF;
    for (int i = 0; i < k; i++) {
        double one = prior ? prior[i] : -1;
        have[i] = 0;
        reps[i] = 1;
        if (one < 0) {
            double t0 = now();
            sink = fns[i](ctx);
            one = now() - t0;
        }
        if (one >= 0.2) {
            need[i] = one >= 2 ? 1 : 3;
            t[i][have[i]++] = one;
            batch[i] = one;
            continue;
        }
        need[i] = SAMPLES;
        for (;;) {
            double t0 = now();
            for (long r = 0; r < reps[i]; r++)
                sink = fns[i](ctx);
            batch[i] = now() - t0;
            if (batch[i] >= 0.02)
                break;
            reps[i] *= 2;
        }
    }
    for (int s = 0; s < SAMPLES; s++)
        for (int i = 0; i < k; i++)
            if (have[i] < need[i] && (have[i] == 0 || now() + 1.2 * batch[i] < deadline)) {
                double t0 = now();
                for (long r = 0; r < reps[i]; r++)
                    sink = fns[i](ctx);
                t[i][have[i]++] = (now() - t0) / reps[i];
            }
    for (int i = 0; i < k; i++)
        out[i] = median(t[i], have[i]);
}

/* ---- the problems ---------------------------------------------------- */

typedef struct Prob Prob;

typedef struct Kind {
    const char *name;
    int hess;                   /* 1: f_hess_sparse; 0: f_jac_sparse */
    int colours;                /* offline (see the header comment) */
    int square;                 /* N = n^2 (the grid), else N = n */
    double (*f)(Prob *);
    double (*grad)(Prob *);     /* f_grad into g; for a Jacobian f_vjp, seed 1 */
    int (*nnz)(Prob *);
    double (*sparse)(Prob *, int *rows, int *cols, double *vals);   /* g or r too */
    double (*dense)(Prob *);    /* into D */
    double (*dir)(Prob *);      /* f_hvp or f_jvp along v, into hv */
    int (*hand_nnz)(Prob *);
    double (*hand)(Prob *, int *rows, int *cols, double *vals);     /* gh or rh too */
} Kind;

struct Prob {
    const Kind *k;
    int n;                      /* the int argument: n, or s for the grid */
    int N;                      /* real inputs (and outputs, for Bratu) */
    int nnz;                    /* the hand-written pattern's */
    double lam, last;           /* last: what c_v's call returned */
    double *x, *g, *gh, *r, *rh, *v, *hv, *seed, *D, *vals, *valsh;
    int *rows, *cols, *rowsh, *colsh;
};

static double rc_f(Prob *p) { return rosen_chain(p->n, p->x); }
static double rc_grad(Prob *p) { return rosen_chain_grad(p->n, p->x, p->g); }
static int rc_nnz(Prob *p) { return rosen_chain_hess_nnz(p->n, p->x); }
static double rc_sparse(Prob *p, int *r, int *c, double *v)
{
    return rosen_chain_hess_sparse(p->n, p->x, p->g, r, c, v);
}
static double rc_dense(Prob *p) { return rosen_chain_hess(p->n, p->x, p->g, p->D); }
static double rc_dir(Prob *p) { return rosen_chain_hvp(p->n, p->x, p->v, NULL, p->hv); }
static int rc_hnnz(Prob *p) { return hand_rosen_chain_nnz(p->n); }
static double rc_hand(Prob *p, int *r, int *c, double *v)
{
    return hand_rosen_chain_hess_sparse(p->n, p->x, p->gh, r, c, v);
}

static double gr_f(Prob *p) { return grid(p->n, p->x, p->lam); }
static double gr_grad(Prob *p) { return grid_grad(p->n, p->x, p->lam, p->g); }
static int gr_nnz(Prob *p) { return grid_hess_nnz(p->n, p->x, p->lam); }
static double gr_sparse(Prob *p, int *r, int *c, double *v)
{
    return grid_hess_sparse(p->n, p->x, p->lam, p->g, r, c, v);
}
static double gr_dense(Prob *p) { return grid_hess(p->n, p->x, p->lam, p->g, p->D); }
static double gr_dir(Prob *p) { return grid_hvp(p->n, p->x, p->lam, p->v, NULL, p->hv); }
static int gr_hnnz(Prob *p) { return hand_grid_nnz(p->n); }
static double gr_hand(Prob *p, int *r, int *c, double *v)
{
    return hand_grid_hess_sparse(p->n, p->x, p->lam, p->gh, r, c, v);
}

static double ar_f(Prob *p) { return arrow(p->n, p->x); }
static double ar_grad(Prob *p) { return arrow_grad(p->n, p->x, p->g); }
static int ar_nnz(Prob *p) { return arrow_hess_nnz(p->n, p->x); }
static double ar_sparse(Prob *p, int *r, int *c, double *v)
{
    return arrow_hess_sparse(p->n, p->x, p->g, r, c, v);
}
static double ar_dense(Prob *p) { return arrow_hess(p->n, p->x, p->g, p->D); }
static double ar_dir(Prob *p) { return arrow_hvp(p->n, p->x, p->v, NULL, p->hv); }
static int ar_hnnz(Prob *p) { return hand_arrow_nnz(p->n); }
static double ar_hand(Prob *p, int *r, int *c, double *v)
{
    return hand_arrow_hess_sparse(p->n, p->x, p->gh, r, c, v);
}

static double br_f(Prob *p)
{
    bratu(p->n, p->x, p->lam, p->r);
    return p->r[0];
}
static double br_grad(Prob *p)
{
    bratu_vjp(p->n, p->x, p->lam, p->r, p->seed, p->g);
    return p->r[0];
}
static int br_nnz(Prob *p) { return bratu_jac_nnz(p->n, p->x, p->lam, p->r); }
static double br_sparse(Prob *p, int *r, int *c, double *v)
{
    bratu_jac_sparse(p->n, p->x, p->lam, p->r, r, c, v);
    return p->r[0];
}
static double br_dense(Prob *p)
{
    bratu_jac(p->n, p->x, p->lam, p->r, p->D);
    return p->r[0];
}
static double br_dir(Prob *p)
{
    bratu_jvp(p->n, p->x, p->lam, p->r, p->v, p->hv);
    return p->hv[0];
}
static int br_hnnz(Prob *p) { return hand_bratu_nnz(p->n); }
static double br_hand(Prob *p, int *r, int *c, double *v)
{
    hand_bratu_jac_sparse(p->n, p->x, p->lam, p->rh, r, c, v);
    return p->rh[0];
}

/* colours: a star colouring of a tridiagonal H takes 3, of the arrowhead
 * 2, of the grid's 5-point stencil 7 (greedy; 5 is the least); the
 * columns of Bratu's tridiagonal J take 3 */
static const Kind kinds[] = {
    {"chained Rosenbrock", 1, 3, 0, rc_f, rc_grad, rc_nnz, rc_sparse, rc_dense, rc_dir, rc_hnnz, rc_hand},
    {"grid membrane", 1, 7, 1, gr_f, gr_grad, gr_nnz, gr_sparse, gr_dense, gr_dir, gr_hnnz, gr_hand},
    {"arrowhead", 1, 2, 0, ar_f, ar_grad, ar_nnz, ar_sparse, ar_dense, ar_dir, ar_hnnz, ar_hand},
    {"Bratu residual", 0, 3, 0, br_f, br_grad, br_nnz, br_sparse, br_dense, br_dir, br_hnnz, br_hand},
};
enum { NKINDS = sizeof kinds / sizeof kinds[0], NSIZES = 3 };

static Prob make(const Kind *k, int n)
{
    Prob p = {0};
    p.k = k;
    p.n = n;
    p.N = k->square ? n * n : n;
    size_t N = (size_t)p.N;
    p.lam = k->hess ? 0.5 : 3.0;
    p.x = xmalloc(N * sizeof *p.x);
    for (size_t i = 0; i < N; i++)
        p.x[i] = k->hess ? uniform(-1, 1) : uniform(0, 1);
    p.g = xmalloc(N * sizeof *p.g);
    p.gh = xmalloc(N * sizeof *p.gh);
    p.r = xmalloc(N * sizeof *p.r);
    p.rh = xmalloc(N * sizeof *p.rh);
    p.hv = xmalloc(N * sizeof *p.hv);
    p.v = xmalloc(N * sizeof *p.v);
    p.seed = xmalloc(N * sizeof *p.seed);
    for (size_t i = 0; i < N; i++) {
        p.v[i] = 0;
        p.seed[i] = 1;
    }
    p.nnz = k->hand_nnz(&p);
    size_t nnz = (size_t)p.nnz;
    p.vals = xmalloc(nnz * sizeof *p.vals);
    p.valsh = xmalloc(nnz * sizeof *p.valsh);
    p.rows = xmalloc(nnz * sizeof *p.rows);
    p.cols = xmalloc(nnz * sizeof *p.cols);
    p.rowsh = xmalloc(nnz * sizeof *p.rowsh);
    p.colsh = xmalloc(nnz * sizeof *p.colsh);
    if (p.N <= 2000)
        p.D = xmalloc(N * N * sizeof *p.D);
    return p;
}

static void drop(Prob *p)
{
    free(p->x);
    free(p->g);
    free(p->gh);
    free(p->r);
    free(p->rh);
    free(p->hv);
    free(p->v);
    free(p->seed);
    free(p->vals);
    free(p->valsh);
    free(p->rows);
    free(p->cols);
    free(p->rowsh);
    free(p->colsh);
    free(p->D);
}

/* the timed calls */
static double c_f(void *c) { Prob *p = c; return p->k->f(p); }
static double c_grad(void *c) { Prob *p = c; return p->k->grad(p); }
static double c_dense(void *c) { Prob *p = c; return p->k->dense(p); }
static double c_hand(void *c) { Prob *p = c; return p->k->hand(p, NULL, NULL, p->valsh); }
static double c_pv(void *c) { Prob *p = c; return p->k->sparse(p, p->rows, p->cols, p->vals); }
static double c_v(void *c) { Prob *p = c; return p->last = p->k->sparse(p, NULL, NULL, p->vals); }
static double c_nnz(void *c) { Prob *p = c; return p->k->nnz(p); }

/* one product along the unit vector of the middle input */
static double c_dir1(void *c)
{
    Prob *p = c;
    p->v[p->N / 2] = 1;
    double y = p->k->dir(p);
    p->v[p->N / 2] = 0;
    return y + p->hv[p->N / 2];
}

/* N products, one per unit vector */
static double c_dirs(void *c)
{
    Prob *p = c;
    double acc = 0;
    for (int j = 0; j < p->N; j++) {
        p->v[j] = 1;
        p->k->dir(p);
        p->v[j] = 0;
        acc += p->hv[j];
    }
    return acc;
}

/* ---- checks ----------------------------------------------------------- */

static const double tol = 1e-12;

static int close_to(double a, double b)
{
    return fabs(a - b) <= tol * (fabs(b) > 1 ? fabs(b) : 1);
}

/* The first index where a and b[0..n) differ beyond tol, or -1. */
static long differ(const double *a, const double *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!close_to(a[i], b[i]))
            return (long)i;
    return -1;
}

/* gradc's triplets (rows, cols, vals), gradient or outputs against the
 * hand-written ones (rowsh, colsh, valsh, gh or rh) and the value v
 * against vh; "" if they agree, else what differs, in msg. */
static void check_sparse(const Prob *p, int nnz, double v, double vh, char *msg, size_t n)
{
    const char *what = p->k->hess ? "f_hess_sparse" : "f_jac_sparse";
    *msg = 0;
    if (nnz != p->nnz) {
        snprintf(msg, n, "%s_nnz gives %d entries, the hand-written pattern %d", p->k->hess ? "f_hess" : "f_jac",
                 nnz, p->nnz);
        return;
    }
    for (int k = 0; k < nnz; k++)
        if (p->rows[k] != p->rowsh[k] || p->cols[k] != p->colsh[k]) {
            snprintf(msg, n, "%s's pattern differs from the hand-written one at entry %d: (%d, %d), hand (%d, %d)",
                     what, k, p->rows[k], p->cols[k], p->rowsh[k], p->colsh[k]);
            return;
        }
    long at = differ(p->vals, p->valsh, (size_t)nnz);
    if (at >= 0) {
        snprintf(msg, n, "%s's value of entry %ld (%d, %d) is %.17g, the hand-written one %.17g", what, at,
                 p->rows[at], p->cols[at], p->vals[at], p->valsh[at]);
        return;
    }
    const double *a = p->k->hess ? p->g : p->r, *b = p->k->hess ? p->gh : p->rh;
    at = differ(a, b, (size_t)p->N);
    if (at >= 0) {
        snprintf(msg, n, "%s's %s[%ld] is %.17g, the hand-written one %.17g", what, p->k->hess ? "gradient" : "output",
                 at, a[at], b[at]);
        return;
    }
    if (p->k->hess && !close_to(v, vh))
        snprintf(msg, n, "%s's value is %.17g, the hand-written one %.17g", what, v, vh);
}

/* The dense H or J in D against the hand-written triplets: equal on the
 * pattern (both triangles for H), 0 elsewhere. */
static void check_dense(const Prob *p, char *msg, size_t n)
{
    size_t N = (size_t)p->N;
    unsigned char *in = calloc(N * N, 1);
    if (!in) {
        fprintf(stderr, "gradc_bench_sparse: out of memory\n");
        exit(3);
    }
    *msg = 0;
    for (int k = 0; k < p->nnz && !*msg; k++) {
        size_t i = (size_t)p->rowsh[k], j = (size_t)p->colsh[k];
        in[i * N + j] = 1;
        if (p->k->hess)
            in[j * N + i] = 1;
        if (!close_to(p->D[i * N + j], p->valsh[k]) || (p->k->hess && !close_to(p->D[j * N + i], p->valsh[k])))
            snprintf(msg, n, "the dense %s's entry (%zu, %zu) is %.17g, the hand-written one %.17g",
                     p->k->hess ? "f_hess" : "f_jac", i, j, p->D[i * N + j], p->valsh[k]);
    }
    for (size_t q = 0; q < N * N && !*msg; q++)
        if (!in[q] && !close_to(p->D[q], 0))
            snprintf(msg, n, "the dense %s's entry (%zu, %zu) is %.17g, outside the pattern",
                     p->k->hess ? "f_hess" : "f_jac", q / N, q % N, p->D[q]);
    free(in);
}

static void mismatch(const Prob *p, const char *msg)
{
    printf("\nMISMATCH: %s N=%d: %s\nThe benchmark stops here.\n", p->k->name, p->N, msg);
    fflush(stdout);
    fprintf(stderr, "gradc_bench_sparse: %s N=%d: %s\n", p->k->name, p->N, msg);
    exit(2);
}

/* ---- the child: everything that computes the pattern ------------------- */

/* The stages: the check (one call of f_*_nnz, one of f_*_sparse with the
 * pattern, each timed), then the timings: values only (and its check),
 * more calls with the pattern, more of f_*_nnz. */
enum { ST_CHECK, ST_V, ST_PV, ST_NNZ, ST_DONE };
enum { I_NNZ, I_PV, I_V, NI };

typedef struct Res {
    int stage;                  /* in progress (ST_DONE: all done) */
    double start;               /* when its current call began, seconds after the fork */
    double one[NI];             /* one call (the check's), if > 0 */
    double t[NI];               /* the timing, if > 0 */
    char msg[400];              /* a mismatch */
} Res;

static void send(int fd, const Res *r)
{
    if (write(fd, r, sizeof *r) != (ssize_t)sizeof *r)
        _exit(1);
}

static void stage(int fd, Res *r, int st, double t0)
{
    r->stage = st;
    r->start = now() - t0;
    send(fd, r);
}

/* values only, checked: vals as NaN first */
static void check_values(Prob *p, int nnz, double vh, char *msg, size_t n)
{
    for (int k = 0; k < nnz; k++)
        p->vals[k] = NAN;
    double v = p->k->sparse(p, NULL, NULL, p->vals);
    check_sparse(p, nnz, v, vh, msg, n);
}

static void child(Prob *p, int fd, double vh)
{
    Res r = {0};
    double t0 = now();
    alarm(limit_s);
    deadline = t0 + limit_s - 0.25;
    stage(fd, &r, ST_CHECK, t0);
    int nnz = p->k->nnz(p);
    r.one[I_NNZ] = now() - t0;
    stage(fd, &r, ST_CHECK, t0);
    double t1 = now();
    double v = p->k->sparse(p, p->rows, p->cols, p->vals);
    r.one[I_PV] = now() - t1;
    check_sparse(p, nnz, v, vh, r.msg, sizeof r.msg);
    if (*r.msg) {
        stage(fd, &r, ST_DONE, t0);
        _exit(0);
    }
    static const Fn fns[NI] = {c_nnz, c_pv, c_v};
    if (r.one[I_PV] < 0.2) {
        /* cheap: the three interleaved, batch by batch */
        stage(fd, &r, ST_V, t0);
        time_fns(fns, NI, p, NULL, r.t);
        check_values(p, nnz, vh, r.msg, sizeof r.msg);
        stage(fd, &r, ST_DONE, t0);
        _exit(0);
    }
    stage(fd, &r, ST_V, t0);
    double none = -1;
    for (int k = 0; k < nnz; k++)
        p->vals[k] = NAN;
    time_fns(&fns[I_V], 1, p, &none, &r.t[I_V]);
    check_sparse(p, nnz, p->last, vh, r.msg, sizeof r.msg);    /* the last call's */
    if (*r.msg) {
        stage(fd, &r, ST_DONE, t0);
        _exit(0);
    }
    stage(fd, &r, ST_PV, t0);
    time_fns(&fns[I_PV], 1, p, &r.one[I_PV], &r.t[I_PV]);
    stage(fd, &r, ST_NNZ, t0);
    time_fns(&fns[I_NNZ], 1, p, &r.one[I_NNZ], &r.t[I_NNZ]);
    stage(fd, &r, ST_DONE, t0);
    _exit(0);
}

/* A time: measured (tag ' '), estimated ('~'), a lower ('>') or upper
 * ('<') bound, or none ('-'). */
typedef struct Q {
    double x;
    char tag;
} Q;

static Q q(double x, char tag) { Q r = {x, tag}; return r; }

static int bound(char tag) { return tag == '>' ? 1 : tag == '<' ? -1 : 0; }

/* a / b, and what kind of number the quotient is */
static Q qdiv(Q a, Q b)
{
    int da = bound(a.tag), db = bound(b.tag);
    if (a.tag == '-' || b.tag == '-' || b.x <= 0 || (da && da == db))
        return q(0, '-');
    int d = da ? da : -db;
    return q(a.x / b.x, d > 0 ? '>' : d < 0 ? '<' : a.tag == '~' || b.tag == '~' ? '~' : ' ');
}

/* What the child measured: the columns nnz(), pattern + values, values */
static int run_child(Prob *p, double vh, Q *tnnz, Q *tpv, Q *tv)
{
    Res r = {0};
    int fd[2];
    *tnnz = *tpv = *tv = q(0, '-');
    fflush(stdout);
    if (pipe(fd) != 0) {
        perror("gradc_bench_sparse: pipe");
        exit(3);
    }
    pid_t pid = fork();
    if (pid < 0) {
        perror("gradc_bench_sparse: fork");
        exit(3);
    }
    if (pid == 0) {
        close(fd[0]);
        child(p, fd[1], vh);
    }
    close(fd[1]);
    Res got;
    size_t have = 0;
    ssize_t k;
    int any = 0;
    while ((k = read(fd[0], (char *)&got + have, sizeof got - have)) > 0) {
        have += (size_t)k;
        if (have == sizeof got) {
            r = got;
            any = 1;
            have = 0;
        }
    }
    close(fd[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (!any) {
        fprintf(stderr, "gradc_bench_sparse: %s N=%d: the child process died\n", p->k->name, p->N);
        exit(3);
    }
    if (*r.msg)
        mismatch(p, r.msg);
    int done = r.stage == ST_DONE;
    if (!done && !(WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)) {
        fprintf(stderr, "gradc_bench_sparse: %s N=%d: the child process died\n", p->k->name, p->N);
        exit(3);
    }
    /* each column: its timing if it finished; else the check's one call
       ("~"); else, for the call that the limit stopped, a lower bound */
    double left = limit_s - r.start;        /* the stopped call ran this long */
    Q *col[NI] = {tnnz, tpv, tv};
    for (int i = 0; i < NI; i++)
        *col[i] = r.t[i] > 0 ? q(r.t[i], ' ') : r.one[i] > 0 ? q(r.one[i], '~') : q(0, '-');
    if (r.stage == ST_CHECK)
        *col[r.one[I_NNZ] > 0 ? I_PV : I_NNZ] = q(left, '>');
    else if (r.stage == ST_V && !(r.t[I_V] > 0))
        *tv = q(left, '>');
    return r.stage > ST_CHECK;              /* checked */
}

/* ---- the table ---------------------------------------------------------- */

static void fmt_time(char *out, size_t n, Q t)
{
    char num[24];
    if (t.tag == '-') {
        snprintf(out, n, "-");
        return;
    }
    if (t.x < 1e-6)
        snprintf(num, sizeof num, "%.0f ns", t.x * 1e9);
    else if (t.x < 1e-3)
        snprintf(num, sizeof num, "%.1f us", t.x * 1e6);
    else if (t.x < 1)
        snprintf(num, sizeof num, "%.1f ms", t.x * 1e3);
    else
        snprintf(num, sizeof num, "%.2f s", t.x);
    snprintf(out, n, "%s%s", t.tag == ' ' ? "" : t.tag == '~' ? "~" : t.tag == '>' ? ">" : "<", num);
}

static void fmt_ratio(char *out, size_t n, Q r)
{
    if (r.tag == '-')
        snprintf(out, n, "-");
    else
        snprintf(out, n, "%s%.3g", r.tag == ' ' ? "" : r.tag == '~' ? "~" : r.tag == '>' ? ">" : "<", r.x);
}

typedef struct Row {
    int N, nnz, checked;
    Q sp_f, hand_f, sp_hand, vals_f;    /* for the summary */
} Row;

static Row run(const Kind *k, int n)
{
    Prob p = make(k, n);
    Row row = {p.N, p.nnz, 0, q(0, '-'), q(0, '-'), q(0, '-'), q(0, '-')};
    char msg[400];
    /* the hand-written triplets, for the checks */
    double vh = k->hand(&p, p.rowsh, p.colsh, p.valsh);
    Q tnnz, tpv, tv;
    row.checked = run_child(&p, vh, &tnnz, &tpv, &tv);
    if (p.D) {
        k->dense(&p);
        check_dense(&p, msg, sizeof msg);
        if (*msg)
            mismatch(&p, msg);
    }
    /* f, f_grad, the hand-written values (and the dense routine), interleaved */
    Fn fns[4] = {c_f, c_grad, c_hand, c_dense};
    double t[4];
    time_fns(fns, p.D ? 4 : 3, &p, NULL, t);
    Q tf = q(t[0], ' '), tg = q(t[1], ' '), th = q(t[2], ' '), td = p.D ? q(t[3], ' ') : q(0, '-');
    /* N products: all of them up to N = 10^4, else N times one */
    Q tdirs;
    if (p.N <= 10000) {
        Fn f = c_dirs;
        time_fns(&f, 1, &p, NULL, &tdirs.x);
        tdirs.tag = ' ';
    } else {
        Fn f = c_dir1;
        time_fns(&f, 1, &p, NULL, &tdirs.x);
        tdirs.x *= p.N;
        tdirs.tag = '~';
    }
    /* sp: the values-only call (the usual one) where it finished, else the
       one with the pattern, else f_*_nnz's lower bound (f_*_sparse computes
       the same pattern first) */
    Q sp = tv.tag != '-' ? tv : tpv.tag != '-' ? tpv : tnnz.tag == '>' ? tnnz : q(0, '-');
    if (sp.tag == '>' && tpv.tag != '-' && tpv.x > sp.x)
        sp = q(tpv.x, tpv.tag == '>' ? '>' : '~');
    Q vals = q(0, '-');                 /* the part after the pattern */
    if (tv.tag == ' ' && tnnz.tag == ' ' && tv.x - tnnz.x >= 0.2 * tv.x)
        vals = q(tv.x - tnnz.x, ' ');
    row.sp_f = qdiv(sp, tf);
    row.hand_f = qdiv(th, tf);
    row.sp_hand = qdiv(sp, th);
    row.vals_f = qdiv(vals, tf);
    Q dirs_sp = qdiv(tdirs, sp);
    char s[14][32];
    fmt_time(s[0], 32, tf);
    fmt_time(s[1], 32, tg);
    fmt_time(s[2], 32, tnnz);
    fmt_time(s[3], 32, tpv);
    fmt_time(s[4], 32, tv);
    fmt_time(s[5], 32, td);
    fmt_time(s[6], 32, tdirs);
    fmt_time(s[7], 32, th);
    fmt_ratio(s[8], 32, row.sp_f);
    fmt_ratio(s[9], 32, row.vals_f);
    fmt_ratio(s[10], 32, row.hand_f);
    fmt_ratio(s[11], 32, row.sp_hand);
    fmt_ratio(s[12], 32, dirs_sp);
    printf("%-18s %6d %6d %3d %9s %9s %9s %9s %9s %9s %9s %9s %8s %8s %6s %8s %8s\n", k->name, p.N, p.nnz,
           k->colours, s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9], s[10], s[11], s[12]);
    fflush(stdout);
    drop(&p);
    return row;
}

static void header(int hess)
{
    printf("\n%-18s %6s %6s %3s %9s %9s %9s %9s %9s %9s %9s %9s %8s %8s %6s %8s %8s\n",
           hess ? "Hessian" : "Jacobian", "N", "nnz", "col", "f", hess ? "f_grad" : "f_vjp",
           hess ? "hess_nnz" : "jac_nnz", "sp+pat", "sparse", hess ? "f_hess" : "f_jac", hess ? "N hvp" : "N jvp",
           "hand", "sparse/f", "(sp-nz)/f", "hand/f", "sp/hand", hess ? "Nhvp/sp" : "Njvp/sp");
}

/* "yes" or "no" from the rows of one problem, and why */
static void summary(const Kind *k, const Row *rows, int nr)
{
    const char *sp = k->hess ? "f_hess_sparse" : "f_jac_sparse";
    char buf[64], list[400] = "";
    double lo = INFINITY, hi = 0;
    int bounded = 1, within = 1, known = 1;
    for (int i = 0; i < nr; i++) {
        Q r = rows[i].sp_f;
        fmt_ratio(buf, sizeof buf, r);
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s at N=%d", i ? ", " : "", buf, rows[i].N);
        if (r.tag == '-' || r.tag == '<') {
            known = 0;
            continue;
        }
        if (r.tag == '>')
            bounded = 0;            /* only a lower bound: it counts as the high end */
        lo = r.x < lo ? r.x : lo;
        hi = r.x > hi ? r.x : hi;
    }
    int constant = hi <= 2 * lo && bounded && known && nr > 1;
    printf("%s: %s/f = %s: %s\n", k->name, sp, list,
           constant ? "constant in N (within 2x): target met"
           : hi > 2 * lo ? "grows with N: target missed"
           : nr < 2 ? "one N only: unknown" : "not all measured: unknown");
    list[0] = 0;
    int beyond = 0;
    for (int i = 0; i < nr; i++) {
        Q r = rows[i].sp_hand;
        fmt_ratio(buf, sizeof buf, r);
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "", buf);
        if (r.tag == '-' || r.tag == '>' || r.x > 2)
            within = 0;
        if (r.tag != '-' && r.tag != '<' && r.x > 2)
            beyond = 1;
    }
    printf("    %s/hand-written = %s: %s\n", sp, list,
           within ? "within 2x: target met" : beyond ? "not within 2x: target missed" : "unknown");
    list[0] = 0;
    lo = INFINITY;
    hi = 0;
    int some = 0;
    for (int i = 0; i < nr; i++) {
        Q r = rows[i].vals_f;
        if (r.tag != ' ')
            continue;
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%.3g at N=%d", some ? ", " : "", r.x,
                 rows[i].N);
        some++;
        lo = r.x < lo ? r.x : lo;
        hi = r.x > hi ? r.x : hi;
    }
    if (some)
        printf("    without the pattern ((sparse - %s_nnz)/f, the colours' sweeps): %s%s\n",
               k->hess ? "f_hess" : "f_jac", list,
               hi > 2 * lo ? ": grows with N" : some > 1 ? ": constant in N (within 2x)" : "");
}

int main(int argc, char **argv)
{
    int quick = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0)
            quick = 1;
        else if (strncmp(argv[i], "--limit=", 8) == 0 && atoi(argv[i] + 8) > 0)
            limit_s = (unsigned)atoi(argv[i] + 8);
        else {
            fprintf(stderr, "usage: gradc_bench_sparse [--quick] [--limit=SECONDS]\n"
                            "  --quick    N = 10^3 only\n"
                            "  --limit=S  the time limit of the pattern's calls per row (default 10)\n");
            return 2;
        }
    }
    printf("gradc sparse-derivative benchmark (bench/sparse.fn, hand-written derivatives in hand_sparse.c)\n");
    printf("Times per call: under 0.2 s the median of %d batches of >= 20 ms (f, f_grad, hand, dense interleaved),\n"
           "0.2-2 s the median of 3 calls, longer once. Every sparse derivative checked against the hand-written\n"
           "one first (pattern exactly; values, gradient or outputs within %.0e relative).\n", SAMPLES, tol);
    printf("Columns: nnz entries (Hessian: lower triangle); col: colours, i.e. f_hvp or f_jvp directions (offline, see\n"
           "bench_sparse.c); f; f_grad (f_vjp); *_nnz: the pattern alone; sp+pat: f_*_sparse with rows and cols;\n"
           "sparse: with rows = cols = NULL (values only; it still computes the pattern); f_hess/f_jac: the dense\n"
           "routine, N <= 2000; N hvp/jvp: N calls along the unit vectors, N <= 10^4, else ~ N times one call;\n"
           "hand: the hand-written sparse derivative (values only, with value and gradient or outputs).\n"
           "Ratios: sparse/f; (sp-nz)/f = (sparse - *_nnz)/f, the part after the pattern, where it is >= 20%% of\n"
           "sparse; hand/f; sp/hand = sparse/hand; N hvp / sparse. The pattern's calls run with a limit of %u s\n"
           "per row: > t is a lower bound (not finished in t), ~ one call or an estimate. Where f_*_nnz did not\n"
           "finish, its bound stands for sparse in the ratios (f_*_sparse computes the same pattern first).\n", limit_s);
    static const int sizes[NKINDS][NSIZES] = {
        {1000, 10000, 100000}, {32, 100, 316}, {1000, 10000, 100000}, {1000, 10000, 100000}};
    int nsizes = quick ? 1 : NSIZES;
    Row rows[NKINDS][NSIZES];
    for (int k = 0; k < NKINDS; k++) {
        if (k == 0 || kinds[k].hess != kinds[k - 1].hess)
            header(kinds[k].hess);
        for (int i = 0; i < nsizes; i++)
            rows[k][i] = run(&kinds[k], sizes[k][i]);
    }
    printf("\nTargets: f_*_sparse/f a small constant independent of N, and within 2x of the hand-written sparse "
           "derivative:\n");
    for (int k = 0; k < NKINDS; k++)
        summary(&kinds[k], rows[k], nsizes);
    int unchecked = 0;
    for (int k = 0; k < NKINDS; k++)
        for (int i = 0; i < nsizes; i++)
            if (!rows[k][i].checked)
                printf("%s%s N=%d", unchecked++ ? ", " : "\nNot checked (the checking call of f_*_sparse did not "
                       "finish within the limit): ", kinds[k].name, rows[k][i].N);
    if (unchecked)
        printf("\n");
    return 0;
}
