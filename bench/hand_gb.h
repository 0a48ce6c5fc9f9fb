/* Hand-written gradients of the GradBench-style workloads of
 * bench/gradbench.fn, the reference that gradc's generated gradients are
 * checked and timed against. Each returns the value of the function and
 * overwrites the gradient (like the generated code). Arrays are row-major,
 * laid out as in the .fn file. Where the gradient needs the trajectory of
 * a recurrence (ode, lstm), the caller passes the work memory, sized by
 * the *_work function beside it; nothing is allocated inside. */
#ifndef GRADC_BENCH_HAND_GB_H
#define GRADC_BENCH_HAND_GB_H

#include <stddef.h>

/* 0.5 sum_i (y_i - sum_j x_j t_i^j)^2, t_i = -1 + 2i/(n-1); g[d] */
double hand_llsq_grad(int d, int n, const double *x, const double *y, double *g);

/* log sum_i exp(x_i), shifted by the max; g[n] */
double hand_lse_grad(int n, const double *x, double *g);

/* sum_i min_j |p_i - c_j|^2 over centroids c[k][d]; g[k][d] */
double hand_kmeans_grad(int k, int n, int d, const double *c, const double *p, double *g);

/* RK4 over s steps of y0' = x0, y_i' = x_i y_{i-1}, t from 0 to 2, from
 * y(0) = y0; the value is y_{n-1}(2); gradients gy0[n], gx[n]. */
size_t hand_ode_work(int n, int s);
double hand_ode_grad(int n, int s, const double *y0, const double *x, double *gy0, double *gx,
                     double *work);

/* one LSTM layer, h units, m inputs, gates packed as W[4h][m], U[4h][h],
 * b[4h] (input, forget, output gate, candidate), over X[T][m]; loss
 * sum_t |h_t - Y[t]|^2; gradients gW, gU, gb of the same shapes */
size_t hand_lstm_work(int h, int m, int T);
double hand_lstm_grad(int h, int m, int T, const double *W, const double *U, const double *b,
                      const double *X, const double *Y, double *gW, double *gU, double *gb,
                      double *work);

/* determinant of A[n][n], 2 <= n <= HAND_DET_MAX, by cofactor expansion
 * along the first row with explicit minors, as gradbench.fn computes it;
 * g[n][n] */
enum { HAND_DET_MAX = 12 };
double hand_det_grad(int n, const double *A, double *g);

#endif
