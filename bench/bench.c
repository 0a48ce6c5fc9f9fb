/* gradc's benchmark: for each workload, the time of the function, of its
 * generated gradient and of a careful hand-written gradient, their ratios,
 * and central finite differences for small sizes. Every time is the median
 * of repeated batches measured in this run; every generated gradient is
 * checked against the hand-written one first.
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
#include "ext_rosenbrock.h"
#include "gmm.h"
#include "hand.h"
#include "logreg.h"
#include "mlp.h"
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

/* Median time of one call, over SAMPLES batches of at least 20 ms. */
static double time_call(Fn fn, void *ctx)
{
    long reps = 1;
    for (;;) {
        double t0 = now();
        for (long r = 0; r < reps; r++)
            sink = fn(ctx);
        if (now() - t0 > 0.02)
            break;
        reps *= 2;
    }
    double t[SAMPLES];
    for (int s = 0; s < SAMPLES; s++) {
        double t0 = now();
        for (long r = 0; r < reps; r++)
            sink = fn(ctx);
        t[s] = (now() - t0) / reps;
    }
    for (int i = 1; i < SAMPLES; i++)
        for (int j = i; j > 0 && t[j] < t[j - 1]; j--) {
            double x = t[j];
            t[j] = t[j - 1];
            t[j - 1] = x;
        }
    return t[SAMPLES / 2];
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
    Tape tape;
    int nfd;                    /* inputs, for finite differences (0: skip) */
    double *x;                  /* the flat input the finite differences move */
    double *g, *gh, *ga;        /* gradients: gradc's, hand-written, ADOL-C's */
    size_t ng;
    Adolc adolc;
    /* workload data */
    int n, d, K, T, m, B, ni, nh, no;
    double *p1, *p2, *p3, *p4, *data, *labels, *work, scalar, scalar2;
};

static double seed_f(void *c) { Work *w = c; return f(w->x[0], w->x[1]); }
static double seed_g(void *c) { Work *w = c; return f_grad(w->x[0], w->x[1], &w->g[0], &w->g[1]); }
static double seed_h(void *c) { Work *w = c; return hand_seed_grad(w->x[0], w->x[1], &w->gh[0], &w->gh[1]); }

static double rosen_f(void *c) { Work *w = c; return ext_rosenbrock(w->n, w->x); }
static double rosen_g(void *c) { Work *w = c; return ext_rosenbrock_grad(w->n, w->x, w->g); }
static double rosen_h(void *c) { Work *w = c; return hand_rosen_grad(w->n, w->x, w->gh); }

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
    w.x[0] = 2;
    w.x[1] = 1;
    return w;
}

static Work rosen_work(int n, const char *size)
{
    Work w = make("ext. Rosenbrock", size, rosen_f, rosen_g, rosen_h, rosen_tape, (size_t)n, n <= 1000);
    w.n = n;
    return w;
}

static Work gmm_work(int d, int K, int n, const char *size)
{
    int T = d * (d + 1) / 2;
    Work w = make("GMM objective", size, gmm_f, gmm_g, gmm_h, gmm_tape, (size_t)(K + K * d + K * T), 0);
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
    w.n = n;
    w.d = d;
    w.scalar = 0.01;
    w.data = vec((size_t)n * d, -1, 1);
    w.labels = vec((size_t)n, -1, 1);
    for (int i = 0; i < n; i++)
        w.labels[i] = w.labels[i] < 0 ? -1 : 1;
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

static int run(Work *w, int tag, int *bad)
{
    /* check first: the generated gradient against the hand-written one */
    double v = w->grad(w), vh = w->hand(w), vf = w->f(w);
    double diff = max_rel_diff(w->g, w->gh, w->ng);
    double vdiff = fabs(v - vf) / (fabs(vf) > 1 ? fabs(vf) : 1) + fabs(vh - vf) / (fabs(vf) > 1 ? fabs(vf) : 1);
    if (diff > 1e-9 || vdiff > 1e-9) {
        printf("%-20s %-16s MISMATCH: gradient differs by %.2g, value by %.2g\n", w->name, w->size, diff,
               vdiff);
        *bad = 1;
        return 1;
    }
    if (adolc_available()) {
        w->adolc = adolc_run(w, tag);
        if (!w->adolc.ok) {
            printf("%-20s %-16s %s\n", w->name, w->size, w->adolc.msg);
            *bad = 1;
            return 1;
        }
    }
    double tf = time_call(w->f, w), tg = time_call(w->grad, w), th = time_call(w->hand, w);
    char sf[32], sg[32], sh[32], sfd[32] = "-", rfd[32] = "-", sa[32] = "-", ra[32] = "-";
    fmt_time(sf, sizeof sf, tf);
    fmt_time(sg, sizeof sg, tg);
    fmt_time(sh, sizeof sh, th);
    if (w->nfd) {
        double tfd = time_call(fd_call, w);
        fmt_time(sfd, sizeof sfd, tfd);
        snprintf(rfd, sizeof rfd, "%.0f", tfd / tf);
    }
    if (adolc_available()) {
        fmt_time(sa, sizeof sa, w->adolc.t);
        snprintf(ra, sizeof ra, "%.2f", w->adolc.t / tf);
    }
    printf("%-20s %-16s %11s %11s %7.2f %11s %7.2f %9.2f %11s %7s %11s %8s\n", w->name, w->size, sf, sg,
           tg / tf, sh, th / tf, tg / th, sfd, rfd, sa, ra);
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

int main(int argc, char **argv)
{
    int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
    /* --count: one call of each function, for instruction counts under
     * valgrind --tool=callgrind (repeatable where timings are noisy) */
    int count = argc > 1 && strcmp(argv[1], "--count") == 0;
    quick |= count;
    printf("gradc benchmark: medians of %d batches of >= 20 ms; every gradient checked against a "
           "hand-written one\n", SAMPLES);
    if (adolc_available())
        printf("ADOL-C%s%s included: taped gradients, the tape recorded once per workload and not timed; "
               "the time is gradient() on it\n\n", *GRADC_BENCH_ADOLC_VERSION ? " " : "",
               GRADC_BENCH_ADOLC_VERSION);
    else
        printf("ADOL-C not included (the benchmark was built without it)\n\n");
    printf("%-20s %-16s %11s %11s %7s %11s %7s %9s %11s %7s %11s %8s\n", "workload", "size", "f", "f_grad",
           "grad/f", "hand grad", "hand/f", "gradc/hand", "central FD", "FD/f", "ADOL-C", "ADOL-C/f");
    Work works[16];
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
    int bad = 0;
    for (int i = 0; i < nw; i++) {
        Work *w = &works[i];
        if (count) {
            sink = w->f(w) + w->grad(w) + w->hand(w);
            /* ADOL-C: recording, then one gradient(); in this process, as
             * callgrind does not follow children unless asked to */
            if (adolc_available()) {
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
