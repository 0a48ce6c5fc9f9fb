/* gradc's benchmark: for each workload, the time of the function, of its
 * generated gradient and of a careful hand-written gradient, their ratios,
 * the memory the generated gradient allocates per call, and central finite
 * differences for small sizes. Every time is the median of repeated
 * batches measured in this run, the batches of f, f_grad and the
 * hand-written gradient interleaved; every generated gradient is checked
 * against the hand-written one first.
 *
 * The workloads: the samples (the .fn files of samples/, hand-written
 * gradients in hand.c), six GradBench-style ones (gradbench.fn,
 * hand_gb.c) and the v2 samples (rnn, conv1d, cloth, lu_logdet, bundle;
 * hand_v2.c). A GradBench-style or v2 workload whose gradient disagrees
 * with the hand-written one stops the benchmark. Arguments: --quick,
 * --count, and filters (only the workloads whose name contains one).
 *
 * The memory column: each generated file is compiled a second time with
 * its allocations counted and its functions renamed memcount_* (memcount.h,
 * memwrap.cmake); one call of that copy gives the most bytes live at once
 * inside f_grad (work arrays and tape).
 *
 * Where ADOL-C is built in (adolc.h), one more column: ADOL-C's taped
 * gradient. Its tape is recorded once per workload, untimed; the time is
 * that of gradient(), which sweeps the tape forward at the point and back.
 * It is checked against the hand-written gradient like gradc's, at the
 * point and at a second point without retaping. Each workload's ADOL-C part
 * runs in a child process of its own (see adolc_run). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "adolc.h"
#include "bundle.h"
#include "cloth.h"
#include "conv1d.h"
#include "ext_rosenbrock.h"
#include "gmm.h"
#include "gradbench.h"
#include "hand.h"
#include "hand_gb.h"
#include "hand_v2.h"
#include "logreg.h"
#include "lu_logdet.h"
#include "memcount.h"
#include "memcount_bundle.h"
#include "memcount_cloth.h"
#include "memcount_conv1d.h"
#include "memcount_ext_rosenbrock.h"
#include "memcount_gmm.h"
#include "memcount_gradbench.h"
#include "memcount_logreg.h"
#include "memcount_lu_logdet.h"
#include "memcount_mlp.h"
#include "memcount_rnn.h"
#include "memcount_seed.h"
#include "mlp.h"
#include "rnn.h"
#include "seed.h"

#ifndef GRADC_BENCH_ADOLC_VERSION
#define GRADC_BENCH_ADOLC_VERSION ""
#endif

enum { SAMPLES = 9 };

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static volatile double sink;

typedef double (*Fn)(void *ctx);

/* Calls per batch so that a batch of fn takes at least 20 ms. */
static long batch_reps(Fn fn, void *ctx)
{
    long reps = 1;
    for (;;) {
        double t0 = now();
        for (long r = 0; r < reps; r++)
            sink = fn(ctx);
        if (now() - t0 > 0.02)
            return reps;
        reps *= 2;
    }
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

/* Median times of one call of each of fns[0..k), over SAMPLES batches of
 * at least 20 ms each. The batches are interleaved (a batch of each
 * function, then the next round), so that a change in the machine's load
 * during the measurement falls on all of them alike and their ratios keep
 * meaning on a shared machine. */
static void time_calls(const Fn *fns, int k, void *ctx, double *out)
{
    enum { MAXF = 4 };
    long reps[MAXF];
    double t[MAXF][SAMPLES];
    for (int f = 0; f < k && f < MAXF; f++)
        reps[f] = batch_reps(fns[f], ctx);
    for (int s = 0; s < SAMPLES; s++)
        for (int f = 0; f < k && f < MAXF; f++) {
            double t0 = now();
            for (long r = 0; r < reps[f]; r++)
                sink = fns[f](ctx);
            t[f][s] = (now() - t0) / reps[f];
        }
    for (int f = 0; f < k && f < MAXF; f++)
        out[f] = median(t[f], SAMPLES);
}

/* Median time of one call, over SAMPLES batches of at least 20 ms. */
static double time_call(Fn fn, void *ctx)
{
    double t;
    time_calls(&fn, 1, ctx, &t);
    return t;
}

static unsigned long long rng = 88172645463325252ull;

static double uniform(double lo, double hi)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return lo + (hi - lo) * (double)(rng >> 11) / 9007199254740992.0;
}

static double *vec(size_t n, double lo, double hi)
{
    double *v = malloc(sizeof *v * (n ? n : 1));
    for (size_t i = 0; i < n; i++)
        v[i] = uniform(lo, hi);
    return v;
}

static double max_rel_diff(const double *a, const double *b, size_t n)
{
    double worst = 0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs(a[i] - b[i]) / (fabs(b[i]) > 1 ? fabs(b[i]) : 1);
        worst = d > worst || d != d ? d : worst;
    }
    return worst;
}

/* ---- workloads ---------------------------------------------------------- */

typedef struct Work Work;
typedef int (*Tape)(Work *w, int tag);  /* records ADOL-C's tape at x */

/* What ADOL-C's part of a workload found */
typedef struct Adolc {
    int ok;                     /* checked and timed; else msg says why not */
    int tag;                    /* the tape's, while it is alive */
    double t;                   /* gradient(), median */
    double ttape;               /* recording the tape, once */
    size_t ops, bytes;          /* the tape's operations and memory */
    int rc, rc2;                /* gradient()'s return code at x, at -x */
    char msg[160];
} Adolc;

struct Work {
    const char *name, *size;
    Fn f, grad, hand;
    Fn gmem;                    /* f_grad's counted copy (memcount_*), into g */
    int strict;                 /* a mismatch stops the benchmark */
    Tape tape;                  /* NULL: no ADOL-C column */
    int nfd;                    /* inputs, for finite differences (0: skip) */
    double *x;                  /* the flat input the finite differences move */
    double *g, *gh, *ga;        /* gradients: gradc's, hand-written, ADOL-C's */
    size_t ng;
    Adolc adolc;
    /* workload data */
    int n, d, K, T, m, B, ni, nh, no, k, s, h, C, F, nc, np;
    int *ints, *ints2;
    double *p1, *p2, *p3, *p4, *data, *labels, *work, scalar, scalar2;
};

static double seed_f(void *c) { Work *w = c; return f(w->x[0], w->x[1]); }
static double seed_g(void *c) { Work *w = c; return f_grad(w->x[0], w->x[1], &w->g[0], &w->g[1]); }
static double seed_h(void *c) { Work *w = c; return hand_seed_grad(w->x[0], w->x[1], &w->gh[0], &w->gh[1]); }

static double seed_m(void *c) { Work *w = c; return memcount_f_grad(w->x[0], w->x[1], &w->g[0], &w->g[1]); }

static double rosen_f(void *c) { Work *w = c; return ext_rosenbrock(w->n, w->x); }
static double rosen_g(void *c) { Work *w = c; return ext_rosenbrock_grad(w->n, w->x, w->g); }
static double rosen_h(void *c) { Work *w = c; return hand_rosen_grad(w->n, w->x, w->gh); }
static double rosen_m(void *c) { Work *w = c; return memcount_ext_rosenbrock_grad(w->n, w->x, w->g); }

/* GMM: x holds alphas, means, icf one after the other */
static double gmm_f(void *c)
{
    Work *w = c;
    double *a = w->x, *mu = a + w->K, *icf = mu + w->K * w->d;
    return gmm(w->d, w->K, w->n, w->T, a, mu, icf, w->data, w->scalar, w->m);
}

static double gmm_g(void *c)
{
    Work *w = c;
    double *a = w->x, *mu = a + w->K, *icf = mu + w->K * w->d;
    double *ga = w->g, *gmu = ga + w->K, *gicf = gmu + w->K * w->d;
    return gmm_grad(w->d, w->K, w->n, w->T, a, mu, icf, w->data, w->scalar, w->m, ga, gmu, gicf);
}

static double gmm_m(void *c)
{
    Work *w = c;
    double *a = w->x, *mu = a + w->K, *icf = mu + w->K * w->d;
    double *ga = w->g, *gmu = ga + w->K, *gicf = gmu + w->K * w->d;
    return memcount_gmm_grad(w->d, w->K, w->n, w->T, a, mu, icf, w->data, w->scalar, w->m, ga, gmu,
                             gicf);
}

static double gmm_h(void *c)
{
    Work *w = c;
    double *a = w->x, *mu = a + w->K, *icf = mu + w->K * w->d;
    double *ga = w->gh, *gmu = ga + w->K, *gicf = gmu + w->K * w->d;
    return hand_gmm_grad(w->d, w->K, w->n, w->T, a, mu, icf, w->data, w->scalar, w->m, ga, gmu,
                         gicf, w->work);
}

/* MLP: x holds W1, b1, W2, b2 */
static double mlp_f(void *c)
{
    Work *w = c;
    double *W1 = w->x, *b1 = W1 + w->nh * w->ni, *W2 = b1 + w->nh, *b2 = W2 + w->no * w->nh;
    return mlp_loss(w->B, w->ni, w->nh, w->no, W1, b1, W2, b2, w->data, w->labels);
}

static double mlp_g(void *c)
{
    Work *w = c;
    double *W1 = w->x, *b1 = W1 + w->nh * w->ni, *W2 = b1 + w->nh, *b2 = W2 + w->no * w->nh;
    double *g1 = w->g, *gb1 = g1 + w->nh * w->ni, *g2 = gb1 + w->nh, *gb2 = g2 + w->no * w->nh;
    return mlp_loss_grad(w->B, w->ni, w->nh, w->no, W1, b1, W2, b2, w->data, w->labels, g1, gb1, g2, gb2);
}

static double mlp_m(void *c)
{
    Work *w = c;
    double *W1 = w->x, *b1 = W1 + w->nh * w->ni, *W2 = b1 + w->nh, *b2 = W2 + w->no * w->nh;
    double *g1 = w->g, *gb1 = g1 + w->nh * w->ni, *g2 = gb1 + w->nh, *gb2 = g2 + w->no * w->nh;
    return memcount_mlp_loss_grad(w->B, w->ni, w->nh, w->no, W1, b1, W2, b2, w->data, w->labels, g1,
                                  gb1, g2, gb2);
}

static double mlp_h(void *c)
{
    Work *w = c;
    double *W1 = w->x, *b1 = W1 + w->nh * w->ni, *W2 = b1 + w->nh, *b2 = W2 + w->no * w->nh;
    double *g1 = w->gh, *gb1 = g1 + w->nh * w->ni, *g2 = gb1 + w->nh, *gb2 = g2 + w->no * w->nh;
    return hand_mlp_grad(w->B, w->ni, w->nh, w->no, W1, b1, W2, b2, w->data, w->labels, g1, gb1, g2,
                         gb2, w->work);
}

/* logistic regression: x holds w then b */
static double logreg_f(void *c)
{
    Work *w = c;
    return logreg(w->n, w->d, w->x, w->x[w->d], w->data, w->labels, w->scalar);
}

static double logreg_g(void *c)
{
    Work *w = c;
    return logreg_grad(w->n, w->d, w->x, w->x[w->d], w->data, w->labels, w->scalar, w->g, &w->g[w->d]);
}

static double logreg_m(void *c)
{
    Work *w = c;
    return memcount_logreg_grad(w->n, w->d, w->x, w->x[w->d], w->data, w->labels, w->scalar, w->g,
                                &w->g[w->d]);
}

static double logreg_h(void *c)
{
    Work *w = c;
    return hand_logreg_grad(w->n, w->d, w->x, w->x[w->d], w->data, w->labels, w->scalar, w->gh,
                            &w->gh[w->d]);
}

/* ADOL-C: the tapes take the workload's data as the C functions do, and
 * number their inputs as in x, so one gradient call serves them all */
static int seed_tape(Work *w, int tag) { return adolc_tape_seed(tag, w->x[0], w->x[1]); }
static int rosen_tape(Work *w, int tag) { return adolc_tape_rosen(tag, w->n, w->x); }

static int gmm_tape(Work *w, int tag)
{
    double *a = w->x, *mu = a + w->K, *icf = mu + w->K * w->d;
    return adolc_tape_gmm(tag, w->d, w->K, w->n, w->T, a, mu, icf, w->data, w->scalar, w->m);
}

static int mlp_tape(Work *w, int tag)
{
    double *W1 = w->x, *b1 = W1 + w->nh * w->ni, *W2 = b1 + w->nh, *b2 = W2 + w->no * w->nh;
    return adolc_tape_mlp(tag, w->B, w->ni, w->nh, w->no, W1, b1, W2, b2, w->data, w->labels);
}

static int logreg_tape(Work *w, int tag)
{
    return adolc_tape_logreg(tag, w->n, w->d, w->x, w->x[w->d], w->data, w->labels, w->scalar);
}

/* the timed call: gradient() on the recorded tape */
static double adolc_g(void *c)
{
    Work *w = c;
    return adolc_gradient(w->adolc.tag, (int)w->ng, w->x, w->ga);
}

static Work make(const char *name, const char *size, Fn fn, Fn g, Fn h, Tape tape, size_t nx, int fd)
{
    Work w = {0};
    w.name = name;
    w.size = size;
    w.f = fn;
    w.grad = g;
    w.hand = h;
    w.tape = tape;
    w.ng = nx;
    w.x = vec(nx, -1, 1);
    w.g = calloc(nx + 1, sizeof(double));
    w.gh = calloc(nx + 1, sizeof(double));
    w.ga = calloc(nx + 1, sizeof(double));
    w.nfd = fd ? (int)nx : 0;
    return w;
}

static Work seed_work(void)
{
    Work w = make("seed", "2", seed_f, seed_g, seed_h, seed_tape, 2, 1);
    w.gmem = seed_m;
    w.x[0] = 2;
    w.x[1] = 1;
    return w;
}

static Work rosen_work(int n, const char *size)
{
    Work w = make("ext. Rosenbrock", size, rosen_f, rosen_g, rosen_h, rosen_tape, (size_t)n, n <= 1000);
    w.gmem = rosen_m;
    w.n = n;
    return w;
}

static Work gmm_work(int d, int K, int n, const char *size)
{
    int T = d * (d + 1) / 2;
    Work w = make("GMM objective", size, gmm_f, gmm_g, gmm_h, gmm_tape, (size_t)(K + K * d + K * T), 0);
    w.gmem = gmm_m;
    w.d = d;
    w.K = K;
    w.n = n;
    w.T = T;
    w.m = 0;
    w.scalar = 1.0;
    w.data = vec((size_t)n * d, -1, 1);
    for (int k = 0; k < K; k++)                 /* modest precisions */
        for (int j = 0; j < T; j++)
            w.x[K + K * d + k * T + j] *= 0.3;
    w.work = calloc((size_t)(K + 3 * K * d) + 1, sizeof(double));
    return w;
}

static Work mlp_work(int B, int ni, int nh, int no, const char *size)
{
    size_t nx = (size_t)nh * ni + nh + (size_t)no * nh + no;
    Work w = make("MLP loss", size, mlp_f, mlp_g, mlp_h, mlp_tape, nx, 0);
    w.gmem = mlp_m;
    w.B = B;
    w.ni = ni;
    w.nh = nh;
    w.no = no;
    for (size_t i = 0; i < nx; i++)
        w.x[i] *= 0.3;
    w.data = vec((size_t)B * ni, -1, 1);
    w.labels = vec((size_t)B * no, -1, 1);
    w.work = calloc((size_t)(nh + no) + 1, sizeof(double));
    return w;
}

static Work logreg_work(int n, int d, const char *size)
{
    Work w = make("logistic regression", size, logreg_f, logreg_g, logreg_h, logreg_tape, (size_t)d + 1, 0);
    w.gmem = logreg_m;
    w.n = n;
    w.d = d;
    w.scalar = 0.01;
    w.data = vec((size_t)n * d, -1, 1);
    w.labels = vec((size_t)n, -1, 1);
    for (int i = 0; i < n; i++)
        w.labels[i] = w.labels[i] < 0 ? -1 : 1;
    return w;
}

/* ---- GradBench-style workloads (gradbench.fn, hand_gb.c) --------------- */

/* llsq: x holds the d coefficients; data the n values y */
static double llsq_f(void *c) { Work *w = c; return llsq(w->d, w->n, w->x, w->data); }
static double llsq_g(void *c) { Work *w = c; return llsq_grad(w->d, w->n, w->x, w->data, w->g); }
static double llsq_m(void *c) { Work *w = c; return memcount_llsq_grad(w->d, w->n, w->x, w->data, w->g); }
static double llsq_h(void *c) { Work *w = c; return hand_llsq_grad(w->d, w->n, w->x, w->data, w->gh); }

static double lse_f(void *c) { Work *w = c; return lse(w->n, w->x); }
static double lse_g(void *c) { Work *w = c; return lse_grad(w->n, w->x, w->g); }
static double lse_m(void *c) { Work *w = c; return memcount_lse_grad(w->n, w->x, w->g); }
static double lse_h(void *c) { Work *w = c; return hand_lse_grad(w->n, w->x, w->gh); }

/* k-means: x holds the centroids c[k][d]; data the points p[n][d] */
static double kmeans_f(void *c) { Work *w = c; return kmeans(w->k, w->n, w->d, w->x, w->data); }
static double kmeans_g(void *c) { Work *w = c; return kmeans_grad(w->k, w->n, w->d, w->x, w->data, w->g); }
static double kmeans_m(void *c)
{
    Work *w = c;
    return memcount_kmeans_grad(w->k, w->n, w->d, w->x, w->data, w->g);
}
static double kmeans_h(void *c)
{
    Work *w = c;
    return hand_kmeans_grad(w->k, w->n, w->d, w->x, w->data, w->gh);
}

/* ODE: x holds y0[n] then the parameters x[n] */
static double ode_f(void *c) { Work *w = c; return ode(w->n, w->s, w->x, w->x + w->n); }
static double ode_g(void *c) { Work *w = c; return ode_grad(w->n, w->s, w->x, w->x + w->n, w->g, w->g + w->n); }
static double ode_m(void *c)
{
    Work *w = c;
    return memcount_ode_grad(w->n, w->s, w->x, w->x + w->n, w->g, w->g + w->n);
}
static double ode_h(void *c)
{
    Work *w = c;
    return hand_ode_grad(w->n, w->s, w->x, w->x + w->n, w->gh, w->gh + w->n, w->work);
}

/* LSTM: x holds W[4h][m], U[4h][h], b[4h]; data X[T][m], labels Y[T][h] */
static double lstm_f(void *c)
{
    Work *w = c;
    double *W = w->x, *U = W + 4 * w->h * w->m, *b = U + 4 * w->h * w->h;
    return lstm(w->h, w->m, 4 * w->h, w->T, W, U, b, w->data, w->labels);
}
static double lstm_g(void *c)
{
    Work *w = c;
    double *W = w->x, *U = W + 4 * w->h * w->m, *b = U + 4 * w->h * w->h;
    double *gW = w->g, *gU = gW + 4 * w->h * w->m, *gb = gU + 4 * w->h * w->h;
    return lstm_grad(w->h, w->m, 4 * w->h, w->T, W, U, b, w->data, w->labels, gW, gU, gb);
}
static double lstm_m(void *c)
{
    Work *w = c;
    double *W = w->x, *U = W + 4 * w->h * w->m, *b = U + 4 * w->h * w->h;
    double *gW = w->g, *gU = gW + 4 * w->h * w->m, *gb = gU + 4 * w->h * w->h;
    return memcount_lstm_grad(w->h, w->m, 4 * w->h, w->T, W, U, b, w->data, w->labels, gW, gU, gb);
}
static double lstm_h(void *c)
{
    Work *w = c;
    double *W = w->x, *U = W + 4 * w->h * w->m, *b = U + 4 * w->h * w->h;
    double *gW = w->gh, *gU = gW + 4 * w->h * w->m, *gb = gU + 4 * w->h * w->h;
    return hand_lstm_grad(w->h, w->m, w->T, W, U, b, w->data, w->labels, gW, gU, gb, w->work);
}

/* det: x holds A[n][n]; gradbench.fn has one function per size */
typedef double (*DetFn)(const double *A);
typedef double (*DetGrad)(const double *A, double *g);
static const DetFn det_f_of[] = {NULL, NULL, det2, det3, det4, det5, det6, det7, det8, det9};
static const DetGrad det_g_of[] = {NULL, NULL, det2_grad, det3_grad, det4_grad, det5_grad,
                                   det6_grad, det7_grad, det8_grad, det9_grad};
static const DetGrad det_m_of[] = {NULL, NULL, memcount_det2_grad, memcount_det3_grad,
                                   memcount_det4_grad, memcount_det5_grad, memcount_det6_grad,
                                   memcount_det7_grad, memcount_det8_grad, memcount_det9_grad};
static double det_f(void *c) { Work *w = c; return det_f_of[w->n](w->x); }
static double det_g(void *c) { Work *w = c; return det_g_of[w->n](w->x, w->g); }
static double det_m(void *c) { Work *w = c; return det_m_of[w->n](w->x, w->g); }
static double det_h(void *c) { Work *w = c; return hand_det_grad(w->n, w->x, w->gh); }

static Work gb_make(const char *name, const char *size, Fn fn, Fn g, Fn m, Fn h, size_t nx, int fd)
{
    Work w = make(name, size, fn, g, h, NULL, nx, fd);
    w.gmem = m;
    w.strict = 1;
    return w;
}

static Work llsq_work(int d, int n, const char *size)
{
    Work w = gb_make("llsq", size, llsq_f, llsq_g, llsq_m, llsq_h, (size_t)d, d <= 16);
    w.d = d;
    w.n = n;
    w.data = vec((size_t)n, -1, 1);
    return w;
}

static Work lse_work(int n, const char *size)
{
    Work w = gb_make("lse", size, lse_f, lse_g, lse_m, lse_h, (size_t)n, n <= 1000);
    w.n = n;
    for (int i = 0; i < n; i++)
        w.x[i] *= 3;
    return w;
}

static Work kmeans_work(int k, int n, int d, const char *size)
{
    Work w = gb_make("k-means", size, kmeans_f, kmeans_g, kmeans_m, kmeans_h, (size_t)k * d, 0);
    w.k = k;
    w.n = n;
    w.d = d;
    w.data = vec((size_t)n * d, -1, 1);
    return w;
}

static Work ode_work(int n, int s, const char *size)
{
    Work w = gb_make("ODE (RK4)", size, ode_f, ode_g, ode_m, ode_h, (size_t)2 * n, s <= 100);
    w.n = n;
    w.s = s;
    w.work = calloc(hand_ode_work(n, s), sizeof(double));
    return w;
}

static Work lstm_work(int h, int m, int T, const char *size)
{
    size_t nx = (size_t)4 * h * m + (size_t)4 * h * h + (size_t)4 * h;
    Work w = gb_make("LSTM", size, lstm_f, lstm_g, lstm_m, lstm_h, nx, T <= 20);
    w.h = h;
    w.m = m;
    w.T = T;
    for (size_t i = 0; i < nx; i++)
        w.x[i] *= 0.5;
    w.data = vec((size_t)T * m, -1, 1);
    w.labels = vec((size_t)T * h, -0.5, 0.5);
    w.work = calloc(hand_lstm_work(h, m, T), sizeof(double));
    return w;
}

static Work det_work(int n, const char *size)
{
    Work w = gb_make("det (cofactors)", size, det_f, det_g, det_m, det_h, (size_t)n * n, n <= 5);
    w.n = n;
    return w;
}

/* ---- the v2 samples (rnn, conv1d, cloth, lu_logdet, bundle; hand_v2.c) -- */

/* RNN: x holds Wx[h][m], Wh[h][h], b[h], wy[h]; data X[T][m], labels y[T] */
#define RNN_ARGS(x) x, (x) + w->h * w->m, (x) + w->h * w->m + w->h * w->h, \
                    (x) + w->h * w->m + w->h * w->h + w->h
static double rnn_f(void *c) { Work *w = c; return rnn_loss(w->h, w->m, w->T, RNN_ARGS(w->x), w->data, w->labels); }
static double rnn_g(void *c)
{
    Work *w = c;
    return rnn_loss_grad(w->h, w->m, w->T, RNN_ARGS(w->x), w->data, w->labels, RNN_ARGS(w->g));
}
static double rnn_m(void *c)
{
    Work *w = c;
    return memcount_rnn_loss_grad(w->h, w->m, w->T, RNN_ARGS(w->x), w->data, w->labels, RNN_ARGS(w->g));
}
static double rnn_h(void *c)
{
    Work *w = c;
    return hand_rnn_grad(w->h, w->m, w->T, RNN_ARGS(w->x), w->data, w->labels, RNN_ARGS(w->gh), w->work);
}

/* conv1d: x holds W[F][C][K], b[F]; data x[C][n], labels Y[F][n-K+1] */
static double conv_f(void *c)
{
    Work *w = c;
    return conv1d_loss(w->C, w->F, w->K, w->n, w->x, w->x + w->F * w->C * w->K, w->data, w->labels);
}
static double conv_g(void *c)
{
    Work *w = c;
    int nW = w->F * w->C * w->K;
    return conv1d_loss_grad(w->C, w->F, w->K, w->n, w->x, w->x + nW, w->data, w->labels, w->g, w->g + nW);
}
static double conv_m(void *c)
{
    Work *w = c;
    int nW = w->F * w->C * w->K;
    return memcount_conv1d_loss_grad(w->C, w->F, w->K, w->n, w->x, w->x + nW, w->data, w->labels, w->g,
                                     w->g + nW);
}
static double conv_h(void *c)
{
    Work *w = c;
    int nW = w->F * w->C * w->K;
    return hand_conv1d_grad(w->C, w->F, w->K, w->n, w->x, w->x + nW, w->data, w->labels, w->gh, w->gh + nW);
}

/* cloth: x holds X[nv][3]; ints the edges E[ne][2], data the rest lengths;
 * scalar the stiffness, scalar2 gravity */
static double cloth_f(void *c)
{
    Work *w = c;
    return cloth_energy(w->n, w->k, w->ints, w->data, w->x, w->scalar, w->scalar2);
}
static double cloth_g(void *c)
{
    Work *w = c;
    return cloth_energy_grad(w->n, w->k, w->ints, w->data, w->x, w->scalar, w->scalar2, w->g);
}
static double cloth_m(void *c)
{
    Work *w = c;
    return memcount_cloth_energy_grad(w->n, w->k, w->ints, w->data, w->x, w->scalar, w->scalar2, w->g);
}
static double cloth_h(void *c)
{
    Work *w = c;
    return hand_cloth_grad(w->n, w->k, w->ints, w->data, w->x, w->scalar, w->scalar2, w->gh);
}

/* LU log|det|: x holds A[n][n] */
static double lu_f(void *c) { Work *w = c; return lu_logdet(w->n, w->x); }
static double lu_g(void *c) { Work *w = c; return lu_logdet_grad(w->n, w->x, w->g); }
static double lu_m(void *c) { Work *w = c; return memcount_lu_logdet_grad(w->n, w->x, w->g); }
static double lu_h(void *c) { Work *w = c; return hand_lu_logdet_grad(w->n, w->x, w->gh, w->work); }

/* bundle adjustment: x holds C[nc][7], P[np][3]; ints cam[nobs], ints2
 * pt[nobs] (nobs in n), data obs[nobs][2] */
static double ba_f(void *c)
{
    Work *w = c;
    return ba_objective(w->nc, w->np, w->n, w->ints, w->ints2, w->x, w->x + 7 * w->nc, w->data);
}
static double ba_g(void *c)
{
    Work *w = c;
    return ba_objective_grad(w->nc, w->np, w->n, w->ints, w->ints2, w->x, w->x + 7 * w->nc, w->data, w->g,
                             w->g + 7 * w->nc);
}
static double ba_m(void *c)
{
    Work *w = c;
    return memcount_ba_objective_grad(w->nc, w->np, w->n, w->ints, w->ints2, w->x, w->x + 7 * w->nc, w->data,
                                      w->g, w->g + 7 * w->nc);
}
static double ba_h(void *c)
{
    Work *w = c;
    return hand_ba_grad(w->nc, w->np, w->n, w->ints, w->ints2, w->x, w->x + 7 * w->nc, w->data, w->gh,
                        w->gh + 7 * w->nc);
}

/* The v2 rows are checked as strictly as the GradBench-style ones: a
 * gradient that disagrees with the hand-written one stops the benchmark. */
static Work rnn_work(int h, int m, int T, const char *size)
{
    size_t nx = (size_t)h * m + (size_t)h * h + 2 * (size_t)h;
    Work w = gb_make("RNN (Elman)", size, rnn_f, rnn_g, rnn_m, rnn_h, nx, T <= 50);
    w.h = h;
    w.m = m;
    w.T = T;
    for (size_t i = 0; i < nx; i++)
        w.x[i] *= 1.0 / sqrt(h + m);          /* states that do not saturate */
    w.data = vec((size_t)T * m, -1, 1);
    w.labels = vec((size_t)T, -1, 1);
    w.work = calloc(hand_rnn_work(h, m, T), sizeof(double));
    return w;
}

static Work conv_work(int C, int F, int K, int n, const char *size)
{
    size_t nx = (size_t)F * C * K + (size_t)F;
    Work w = gb_make("conv1d", size, conv_f, conv_g, conv_m, conv_h, nx, n <= 256);
    w.C = C;
    w.F = F;
    w.K = K;
    w.n = n;
    for (size_t i = 0; i < nx; i++)
        w.x[i] *= 1.0 / sqrt(C * K);
    w.data = vec((size_t)C * n, -1, 1);
    w.labels = vec((size_t)F * (n - K + 1), -0.5, 0.5);
    return w;
}

/* a g x g grid of unit spacing, its edges along both axes and both
 * diagonals of every cell; rest lengths those of the flat grid, the
 * vertices moved from it by up to 0.2 in each coordinate */
static Work cloth_work(int g, const char *size)
{
    int nv = g * g, ne = 2 * g * (g - 1) + 2 * (g - 1) * (g - 1);
    Work w = gb_make("cloth", size, cloth_f, cloth_g, cloth_m, cloth_h, (size_t)3 * nv, nv <= 100);
    w.n = nv;
    w.k = ne;
    w.scalar = 10.0;
    w.scalar2 = 9.81;
    w.ints = malloc(sizeof *w.ints * 2 * (size_t)ne);
    w.data = malloc(sizeof *w.data * (size_t)ne);
    int s = 0;
    for (int i = 0; i < g; i++)
        for (int j = 0; j < g; j++) {
            int v = i * g + j;
            w.x[3 * v] = j + 0.2 * w.x[3 * v];
            w.x[3 * v + 1] = i + 0.2 * w.x[3 * v + 1];
            w.x[3 * v + 2] *= 0.2;
            int to[4][3] = {{0, 1, 0}, {1, 0, 0}, {1, 1, 1}, {1, -1, 1}};  /* di, dj, diagonal */
            for (int e = 0; e < 4; e++) {
                int i2 = i + to[e][0], j2 = j + to[e][1];
                if (i2 >= g || j2 < 0 || j2 >= g)
                    continue;
                w.ints[2 * s] = v;
                w.ints[2 * s + 1] = i2 * g + j2;
                w.data[s++] = to[e][2] ? sqrt(2.0) : 1.0;
            }
        }
    if (s != ne)
        abort();
    return w;
}

static Work lu_work(int n, const char *size)
{
    Work w = gb_make("LU log|det|", size, lu_f, lu_g, lu_m, lu_h, (size_t)n * n, n <= 8);
    w.n = n;
    w.work = calloc(hand_lu_logdet_work(n), sizeof(double));
    return w;
}

/* nc cameras 5 to 6 units from points in the unit cube, rotations up to
 * 0.3 rad (camera 0: none, the .fn's first-order branch); observation o
 * is of point o % np by a random camera, its target the projection of the
 * point moved by up to 0.05 */
static Work ba_work(int nc, int np, int nobs, const char *size)
{
    Work w = gb_make("bundle adjustment", size, ba_f, ba_g, ba_m, ba_h, (size_t)7 * nc + (size_t)3 * np,
                     nobs <= 100);
    w.nc = nc;
    w.np = np;
    w.n = nobs;
    for (int c = 0; c < nc; c++) {
        double *cm = w.x + 7 * c;
        for (int q = 0; q < 3; q++)
            cm[q] = c ? 0.17 * cm[q] : 0;
        cm[3] *= 0.5;
        cm[4] *= 0.5;
        cm[5] = 5.5 + 0.5 * cm[5];
        cm[6] = 1 + 0.1 * cm[6];
    }
    w.ints = malloc(sizeof *w.ints * (size_t)nobs);
    w.ints2 = malloc(sizeof *w.ints2 * (size_t)nobs);
    w.data = malloc(sizeof *w.data * 2 * (size_t)nobs);
    for (int o = 0; o < nobs; o++) {
        int c = (int)uniform(0, nc), j = o % np;
        c = c < nc ? c : nc - 1;
        w.ints[o] = c;
        w.ints2[o] = j;
        const double *cm = w.x + 7 * c, *X = w.x + 7 * nc + 3 * j;
        double x = X[0] + uniform(-0.05, 0.05), y = X[1] + uniform(-0.05, 0.05);
        double z = X[2] + uniform(-0.05, 0.05);
        project(cm[0], cm[1], cm[2], cm[3], cm[4], cm[5], cm[6], x, y, z, w.data + 2 * o);
    }
    return w;
}

/* central differences: 2 evaluations per input */
static double fd_call(void *c)
{
    Work *w = c;
    double acc = 0;
    for (int i = 0; i < w->nfd; i++) {
        double x = w->x[i], h = 6.0554544523933395e-06 * (fabs(x) > 1 ? fabs(x) : 1);
        w->x[i] = x + h;
        double up = w->f(w);
        w->x[i] = x - h;
        double down = w->f(w);
        w->x[i] = x;
        acc += (up - down) / (2 * h);
    }
    return acc;
}

static void fmt_time(char *out, size_t n, double t)
{
    if (t < 1e-6)
        snprintf(out, n, "%.0f ns", t * 1e9);
    else if (t < 1e-3)
        snprintf(out, n, "%.2f us", t * 1e6);
    else if (t < 1)
        snprintf(out, n, "%.2f ms", t * 1e3);
    else
        snprintf(out, n, "%.2f s", t);
}

static double rel_diff(double a, double b)
{
    return fabs(a - b) / (fabs(b) > 1 ? fabs(b) : 1);
}

/* ADOL-C's part of a workload. Untimed: record the tape at x, then check
 * gradient() on it against the hand-written gradient at x and, without
 * retaping, at -x, where the max and abs of GMM and logistic regression
 * take other branches. Then time gradient() at x. */
static Adolc adolc_measure(Work *w, int tag)
{
    Adolc r = {0};
    r.tag = w->adolc.tag = tag;
    double t0 = now();
    int taped = w->tape(w, tag);
    r.ttape = now() - t0;
    adolc_tape_size(tag, &r.ops, &r.bytes);
    if (taped != 0) {
        snprintf(r.msg, sizeof r.msg, "ADOL-C: the tape did not fit in memory");
        return r;
    }
    double diff = 0, vdiff = 0;
    for (int at = 0; at < 2; at++) {            /* at x, then at -x */
        double vh = w->hand(w), vf = w->f(w);
        int rc = adolc_gradient(tag, (int)w->ng, w->x, w->ga);
        double va = adolc_value(tag, (int)w->ng, w->x);
        if (at)
            r.rc2 = rc;
        else
            r.rc = rc;
        double d = max_rel_diff(w->ga, w->gh, w->ng), vd = rel_diff(va, vf) + rel_diff(vh, vf);
        diff = d > diff || d != d ? d : diff;
        vdiff = vd > vdiff || vd != vd ? vd : vdiff;
        for (size_t i = 0; i < w->ng; i++)
            w->x[i] = -w->x[i];
    }
    if (r.rc < 0 || r.rc2 < 0)
        snprintf(r.msg, sizeof r.msg, "ADOL-C: retaping needed (gradient() returned %d at x, %d at -x)",
                 r.rc, r.rc2);
    else if (diff > 1e-9 || vdiff > 1e-9)
        snprintf(r.msg, sizeof r.msg, "MISMATCH: ADOL-C's gradient differs by %.2g, value by %.2g", diff,
                 vdiff);
    else {
        r.t = time_call(adolc_g, w);
        r.ok = 1;
    }
    return r;
}

/* adolc_measure in a child process. ADOL-C's state outlives its tapes: its
 * store of adouble locations only grows, and every later gradient() sweeps
 * all of it (a tape ends by saving every location), so after Rosenbrock
 * n=10^6 a small tape would carry a million locations. A fresh process
 * gives each workload the ADOL-C of a program of its own. */
static Adolc adolc_run(Work *w, int tag)
{
    Adolc r = {0};
    int fd[2];
    fflush(stdout);
    if (pipe(fd) != 0) {
        snprintf(r.msg, sizeof r.msg, "ADOL-C: no pipe");
        return r;
    }
    pid_t pid = fork();
    if (pid == 0) {
        close(fd[0]);
        r = adolc_measure(w, tag);
        adolc_drop(tag);                        /* and its files, had it any */
        _exit(write(fd[1], &r, sizeof r) == (ssize_t)sizeof r ? 0 : 1);
    }
    close(fd[1]);
    size_t got = 0;
    ssize_t k = 1;
    while (pid > 0 && got < sizeof r && (k = read(fd[0], (char *)&r + got, sizeof r - got)) > 0)
        got += (size_t)k;
    close(fd[0]);
    if (pid > 0)
        waitpid(pid, NULL, 0);
    if (got != sizeof r) {
        memset(&r, 0, sizeof r);
        snprintf(r.msg, sizeof r.msg, "ADOL-C: %s", pid < 0 ? "cannot fork" : "the child process died");
    }
    return r;
}

static void fmt_bytes(char *out, size_t n, size_t bytes)
{
    if (bytes < 10000)
        snprintf(out, n, "%zu B", bytes);
    else if (bytes < 10000000)
        snprintf(out, n, "%.1f KB", bytes / 1e3);
    else
        snprintf(out, n, "%.1f MB", bytes / 1e6);
}

/* The strict check of the GradBench-style workloads: gradc's gradient
 * against the hand-written one, relative to the gradient's largest entry,
 * and the values relative to each other; on a mismatch the benchmark stops
 * with what differs, where. */
static const double strict_tol = 1e-8;

static double norm_rel_diff(const double *a, const double *b, size_t n, size_t *at)
{
    double scale = 0, worst = 0;
    for (size_t i = 0; i < n; i++)
        scale = fabs(b[i]) > scale ? fabs(b[i]) : scale;
    if (scale == 0)
        scale = 1;
    *at = 0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs(a[i] - b[i]) / scale;
        if (d > worst || d != d) {
            worst = d;
            *at = i;
            if (d != d)
                break;
        }
    }
    return worst;
}

static void strict_check(Work *w, const char *what, const double *g, double v, double vh, double vf)
{
    size_t at;
    double diff = norm_rel_diff(g, w->gh, w->ng, &at);
    double vscale = fabs(vh) > 1e-6 ? fabs(vh) : 1e-6;
    double vdiff = fabs(v - vh) / vscale, fdiff = fabs(vf - vh) / vscale;
    if (diff <= strict_tol && vdiff <= strict_tol && fdiff <= strict_tol)
        return;
    printf("%-20s %-16s MISMATCH between %s and the hand-written gradient (tolerance %.0e):\n"
           "    gradient: largest difference %.3g of the largest entry, at input %zu (%s %.17g, hand %.17g)\n"
           "    value: %s %.17g, hand %.17g, f %.17g\n"
           "The benchmark stops here: gradc's gradient of this workload is wrong, or the hand-written one.\n",
           w->name, w->size, what, strict_tol, diff, at, what, g[at], w->gh[at], what, v, vh, vf);
    fflush(stdout);
    fprintf(stderr, "gradc_bench: %s %s: %s disagrees with the hand-written gradient\n", w->name, w->size,
            what);
    exit(2);
}

static int run(Work *w, int tag, int *bad)
{
    /* check first: the generated gradient against the hand-written one */
    double v = w->grad(w), vh = w->hand(w), vf = w->f(w);
    if (w->strict) {
        strict_check(w, "gradc's f_grad", w->g, v, vh, vf);
    } else {
        double diff = max_rel_diff(w->g, w->gh, w->ng);
        double vdiff = fabs(v - vf) / (fabs(vf) > 1 ? fabs(vf) : 1) + fabs(vh - vf) / (fabs(vf) > 1 ? fabs(vf) : 1);
        if (diff > 1e-9 || vdiff > 1e-9) {
            printf("%-20s %-16s MISMATCH: gradient differs by %.2g, value by %.2g\n", w->name, w->size, diff,
                   vdiff);
            *bad = 1;
            return 1;
        }
    }
    /* the memory: one call of the counted copy, which must agree too */
    char sm[32] = "-";
    if (w->gmem) {
        for (size_t i = 0; i < w->ng; i++)
            w->g[i] = NAN;
        memcount_reset();
        double vm = w->gmem(w);
        size_t peak = memcount_peak();
        if (memcount_live() != 0) {
            printf("%-20s %-16s f_grad leaked %zu bytes\n", w->name, w->size, memcount_live());
            *bad = 1;
            return 1;
        }
        if (w->strict)
            strict_check(w, "f_grad's counted copy", w->g, vm, vh, vf);
        else if (max_rel_diff(w->g, w->gh, w->ng) > 1e-9) {
            printf("%-20s %-16s MISMATCH: f_grad's counted copy differs\n", w->name, w->size);
            *bad = 1;
            return 1;
        }
        fmt_bytes(sm, sizeof sm, peak);
    }
    if (adolc_available() && w->tape) {
        w->adolc = adolc_run(w, tag);
        if (!w->adolc.ok) {
            printf("%-20s %-16s %s\n", w->name, w->size, w->adolc.msg);
            *bad = 1;
            return 1;
        }
    }
    Fn fns[3] = {w->f, w->grad, w->hand};
    double t[3];
    time_calls(fns, 3, w, t);
    double tf = t[0], tg = t[1], th = t[2];
    char sf[32], sg[32], sh[32], sfd[32] = "-", rfd[32] = "-", sa[32] = "-", ra[32] = "-";
    fmt_time(sf, sizeof sf, tf);
    fmt_time(sg, sizeof sg, tg);
    fmt_time(sh, sizeof sh, th);
    if (w->nfd) {
        double tfd = time_call(fd_call, w);
        fmt_time(sfd, sizeof sfd, tfd);
        snprintf(rfd, sizeof rfd, "%.0f", tfd / tf);
    }
    if (adolc_available() && w->tape) {
        fmt_time(sa, sizeof sa, w->adolc.t);
        snprintf(ra, sizeof ra, "%.2f", w->adolc.t / tf);
    }
    printf("%-20s %-16s %11s %11s %7.2f %11s %7.2f %10.2f %10s %11s %7s %11s %8s\n", w->name, w->size, sf, sg,
           tg / tf, sh, th / tf, tg / th, sm, sfd, rfd, sa, ra);
    fflush(stdout);
    return 0;
}

/* After the table: ADOL-C's tapes, and gradient()'s return code at -x
 * (2: a max or abs switched branch, handled on the tape; no retaping). */
static void adolc_notes(const Work *works, int nw)
{
    printf("\nADOL-C's tapes, recorded once at x (not timed); gradient() checked at x and, on the same "
           "tape, at -x:\n");
    printf("%-20s %-16s %11s %11s %11s  %s\n", "workload", "size", "recording", "operations", "memory",
           "gradient() at -x");
    for (int i = 0; i < nw; i++) {
        const Adolc *a = &works[i].adolc;
        if (!a->ok)
            continue;
        char st[32];
        fmt_time(st, sizeof st, a->ttape);
        printf("%-20s %-16s %11s %11zu %8.1f MB  %d%s\n", works[i].name, works[i].size, st, a->ops,
               a->bytes / 1e6, a->rc2,
               a->rc2 == 3 ? " (same branches)" : a->rc2 == 2 ? " (max/abs switched; tape still valid)" : "");
    }
}

/* Whether workload w is to run: no filters given, or its name contains
 * one of them (case-sensitive), e.g. "LU" or "cloth". */
static int wanted(const Work *w, char **filters, int nfilters)
{
    for (int i = 0; i < nfilters; i++)
        if (strstr(w->name, filters[i]))
            return 1;
    return nfilters == 0;
}

int main(int argc, char **argv)
{
    /* --quick: the small sizes only. --count: one call of each function,
     * for instruction counts under valgrind --tool=callgrind (repeatable
     * where timings are noisy). Any other argument is a filter: only the
     * workloads whose name contains one of the filters run. */
    int quick = 0, count = 0, nfilters = 0;
    char **filters = argv + 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0)
            quick = 1;
        else if (strcmp(argv[i], "--count") == 0)
            count = 1;
        else
            filters[nfilters++] = argv[i];
    }
    quick |= count;
    printf("gradc benchmark: medians of %d batches of >= 20 ms (f, f_grad, hand grad interleaved); every "
           "gradient checked against a hand-written one\n", SAMPLES);
    printf("f_grad mem: the most bytes that one call of f_grad holds at once from malloc, calloc and "
           "realloc (work arrays, tape)\n");
    if (adolc_available())
        printf("ADOL-C%s%s included: taped gradients, the tape recorded once per workload and not timed; "
               "the time is gradient() on it\n\n", *GRADC_BENCH_ADOLC_VERSION ? " " : "",
               GRADC_BENCH_ADOLC_VERSION);
    else
        printf("ADOL-C not included (the benchmark was built without it)\n\n");
    printf("%-20s %-16s %11s %11s %7s %11s %7s %10s %10s %11s %7s %11s %8s\n", "workload", "size", "f",
           "f_grad", "grad/f", "hand grad", "hand/f", "gradc/hand", "f_grad mem", "central FD", "FD/f", "ADOL-C",
           "ADOL-C/f");
    Work works[48];
    int nw = 0;
    works[nw++] = seed_work();
    works[nw++] = rosen_work(10, "n=10");
    works[nw++] = rosen_work(1000, "n=1000");
    if (!quick)
        works[nw++] = rosen_work(1000000, "n=10^6");
    works[nw++] = gmm_work(2, 3, 50, "d=2 K=3 n=50");
    works[nw++] = gmm_work(10, 25, 1000, "d=10 K=25 n=1000");
    if (!quick)
        works[nw++] = gmm_work(20, 50, 5000, "d=20 K=50 n=5000");
    works[nw++] = mlp_work(64, 16, 32, 4, "B=64 16-32-4");
    if (!quick)
        works[nw++] = mlp_work(256, 64, 128, 10, "B=256 64-128-10");
    works[nw++] = logreg_work(1000, 20, "n=1000 d=20");
    /* GradBench-style */
    works[nw++] = llsq_work(8, 128, "d=8 n=128");
    if (!quick)
        works[nw++] = llsq_work(128, 16392, "d=128 n=16392");
    works[nw++] = lse_work(100, "n=100");
    if (!quick)
        works[nw++] = lse_work(40000, "n=4*10^4");
    works[nw++] = kmeans_work(10, 1000, 16, "k=10 n=1000 d=16");
    if (!quick)
        works[nw++] = kmeans_work(100, 10000, 8, "k=100 n=10^4 d=8");
    works[nw++] = ode_work(4, 10, "n=4 s=10");
    if (!quick)
        works[nw++] = ode_work(8, 2000, "n=8 s=2000");
    works[nw++] = lstm_work(4, 4, 20, "h=4 m=4 T=20");
    if (!quick)
        works[nw++] = lstm_work(8, 8, 100, "h=8 m=8 T=100");
    works[nw++] = det_work(4, "4x4");
    if (!quick)
        works[nw++] = det_work(9, "9x9");
    /* the v2 samples */
    works[nw++] = rnn_work(8, 4, 50, "h=8 m=4 T=50");
    if (!quick)
        works[nw++] = rnn_work(32, 16, 200, "h=32 m=16 T=200");
    works[nw++] = conv_work(4, 8, 5, 256, "C=4 F=8 K=5 n=256");
    if (!quick)
        works[nw++] = conv_work(16, 32, 9, 4096, "C=16 F=32 K=9 n=4096");
    works[nw++] = cloth_work(5, "nv=25 ne=72");
    if (!quick)
        works[nw++] = cloth_work(50, "nv=2500 ne=9702");
    works[nw++] = lu_work(8, "n=8");
    if (!quick)
        works[nw++] = lu_work(64, "n=64");
    works[nw++] = ba_work(3, 20, 60, "nc=3 np=20 nobs=60");
    if (!quick)
        works[nw++] = ba_work(20, 2000, 10000, "nc=20 np=2000 nobs=10^4");
    /* GRADC_BENCH_ONLY="lse,LSTM": only the workloads of exactly those names
     * (the arguments above select by part of a name) */
    const char *only = getenv("GRADC_BENCH_ONLY");
    int bad = 0;
    for (int i = 0; i < nw; i++) {
        Work *w = &works[i];
        if (!wanted(w, filters, nfilters))
            continue;
        if (only && *only) {
            char list[256];
            snprintf(list, sizeof list, ",%s,", only);
            char name[64];
            snprintf(name, sizeof name, ",%s,", w->name);
            if (!strstr(list, name))
                continue;
        }
        if (count) {
            sink = w->f(w) + w->grad(w) + w->hand(w);
            /* ADOL-C: recording, then one gradient(); in this process, as
             * callgrind does not follow children unless asked to */
            if (adolc_available() && w->tape) {
                w->tape(w, i + 1);
                sink += adolc_gradient(i + 1, (int)w->ng, w->x, w->ga);
                adolc_drop(i + 1);
            }
            continue;
        }
        run(w, i + 1, &bad);
    }
    if (adolc_available() && !count)
        adolc_notes(works, nw);
    return bad;
}
