/* Hand-written gradients of the v2 samples (samples/rnn.fn, conv1d.fn,
 * cloth.fn, lu_logdet.fn, bundle.fn), the reference that gradc's generated
 * gradients are checked and timed against. Each returns the value of the
 * function and overwrites the gradient (like the generated code). Arrays
 * are row-major, laid out as in the .fn file. Where the gradient needs
 * memory (the trajectory of the RNN, the LU factors), the caller passes it,
 * sized by the *_work function beside it; nothing is allocated inside. */
#ifndef GRADC_BENCH_HAND_V2_H
#define GRADC_BENCH_HAND_V2_H

#include <stddef.h>

/* Elman RNN: H[0] = 0, H[t+1] = tanh(Wx X[t] + Wh H[t] + b); loss
 * 0.5/T sum_t (wy . H[t+1] - y[t])^2; gradients of Wx[h][m], Wh[h][h],
 * b[h], wy[h] by backpropagation through time */
size_t hand_rnn_work(int h, int m, int T);
double hand_rnn_grad(int h, int m, int T, const double *Wx, const double *Wh, const double *b,
                     const double *wy, const double *X, const double *y, double *gWx, double *gWh,
                     double *gb, double *gwy, double *work);

/* 1-D convolution, valid padding, W[F][C][K], b[F] over x[C][n], tanh;
 * loss 0.5 |y - Y|^2 with Y[F][n-K+1]; gradients gW, gb */
double hand_conv1d_grad(int C, int F, int K, int n, const double *W, const double *b,
                        const double *x, const double *Y, double *gW, double *gb);

/* mass-spring energy sum_s 0.5 k (|X[a] - X[b]| - L[s])^2 over edges
 * E[ne][2] = (a, b), plus sum_v g X[v][2]; gradient gX[nv][3] */
double hand_cloth_grad(int nv, int ne, const int *E, const double *L, const double *X, double k,
                       double g, double *gX);

/* log |det A| by LU with partial pivoting (as lu_logdet.fn); the gradient
 * is inv(A)^T, row j of it the solution of A x = e_j from the factors */
size_t hand_lu_logdet_work(int n);
double hand_lu_logdet_grad(int n, const double *A, double *gA, double *work);

/* bundle adjustment: sum_o |project(C[cam[o]], P[pt[o]]) - obs[o]|^2,
 * the camera C[c] = [r0 r1 r2 t0 t1 t2 f] with the angle-axis rotation r;
 * gradients gC[nc][7], gP[np][3] */
double hand_ba_grad(int nc, int np, int nobs, const int *cam, const int *pt, const double *C,
                    const double *P, const double *obs, double *gC, double *gP);

#endif
