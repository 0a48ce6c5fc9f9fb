/* ADOL-C's taped gradients of the benchmark workloads (bench/adolc.cpp),
 * behind a plain C interface. Built in only where ADOL-C is installed
 * (libadolc-dev): CMake then defines GRADC_BENCH_ADOLC=1. Without it the
 * functions below are stubs and adolc_available() is 0.
 *
 * Use: record a tape of the function once at a point (adolc_tape_*: the
 * inputs are the same as the C workload's, and the independent variables
 * are numbered in the order of the benchmark's flat input vector), then
 * evaluate the gradient from the tape at any point (adolc_gradient), and
 * drop the tape when done. Tags are small positive integers, one per
 * tape alive at a time. */
#ifndef GRADC_BENCH_ADOLC_H
#define GRADC_BENCH_ADOLC_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if GRADC_BENCH_ADOLC

int adolc_available(void);

/* Recording. Each returns 0, or -1 if the tape did not fit in memory (ADOL-C
 * would then read it back from files, which is not what is measured). */
int adolc_tape_seed(int tag, double x0, double x1);
int adolc_tape_rosen(int tag, int n, const double *x);
int adolc_tape_gmm(int tag, int d, int K, int n, int T, const double *alphas, const double *means,
                   const double *icf, const double *x, double gamma, int m);
int adolc_tape_mlp(int tag, int B, int ni, int nh, int no, const double *W1, const double *b1,
                   const double *W2, const double *b2, const double *X, const double *Y);
int adolc_tape_logreg(int tag, int n, int d, const double *w, double b, const double *X,
                      const double *y, double lambda);

/* ADOL-C's gradient(): a forward sweep over the tape at x (keeping the
 * values the reverse sweep needs), then the reverse sweep; writes g[nx].
 * Returns ADOL-C's code: 3 when every min/max/abs took the branch it took
 * while recording, 2 when one switched (the tape stays valid: they are
 * operations on it, not branches), 1 at a tie, < 0 if retaping is needed. */
int adolc_gradient(int tag, int nx, const double *x, double *g);

/* The function's value at x from the tape (zero-order forward sweep). */
double adolc_value(int tag, int nx, const double *x);

/* Size of a recorded tape: operations, and bytes of the operation,
 * location and constant tapes plus the values a gradient() stores. */
void adolc_tape_size(int tag, size_t *ops, size_t *bytes);

void adolc_drop(int tag);

#else /* built without ADOL-C: stubs, never called past adolc_available() */

static inline int adolc_available(void) { return 0; }
static inline int adolc_tape_seed(int tag, double x0, double x1)
{
    (void)tag, (void)x0, (void)x1;
    return -1;
}
static inline int adolc_tape_rosen(int tag, int n, const double *x)
{
    (void)tag, (void)n, (void)x;
    return -1;
}
static inline int adolc_tape_gmm(int tag, int d, int K, int n, int T, const double *alphas,
                                 const double *means, const double *icf, const double *x,
                                 double gamma, int m)
{
    (void)tag, (void)d, (void)K, (void)n, (void)T, (void)alphas, (void)means, (void)icf, (void)x,
        (void)gamma, (void)m;
    return -1;
}
static inline int adolc_tape_mlp(int tag, int B, int ni, int nh, int no, const double *W1,
                                 const double *b1, const double *W2, const double *b2,
                                 const double *X, const double *Y)
{
    (void)tag, (void)B, (void)ni, (void)nh, (void)no, (void)W1, (void)b1, (void)W2, (void)b2,
        (void)X, (void)Y;
    return -1;
}
static inline int adolc_tape_logreg(int tag, int n, int d, const double *w, double b,
                                    const double *X, const double *y, double lambda)
{
    (void)tag, (void)n, (void)d, (void)w, (void)b, (void)X, (void)y, (void)lambda;
    return -1;
}
static inline int adolc_gradient(int tag, int nx, const double *x, double *g)
{
    (void)tag, (void)nx, (void)x, (void)g;
    return -1;
}
static inline double adolc_value(int tag, int nx, const double *x)
{
    (void)tag, (void)nx, (void)x;
    return 0;
}
static inline void adolc_tape_size(int tag, size_t *ops, size_t *bytes)
{
    (void)tag;
    *ops = *bytes = 0;
}
static inline void adolc_drop(int tag) { (void)tag; }

#endif

#ifdef __cplusplus
}
#endif

#endif
