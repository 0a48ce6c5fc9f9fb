/* Hand-written gradients of the benchmark workloads: the reference that
 * gradc's generated code is measured (and checked) against. Each returns
 * the value and writes the gradient. */
#ifndef GRADC_BENCH_HAND_H
#define GRADC_BENCH_HAND_H

double hand_seed_grad(double x0, double x1, double *g0, double *g1);
double hand_rosen_grad(int n, const double *x, double *g);
double hand_gmm_grad(int d, int K, int n, int T, const double *alphas, const double *means,
                     const double *icf, const double *x, double gamma, int m, double *g_alphas,
                     double *g_means, double *g_icf, double *work);
double hand_mlp_grad(int B, int ni, int nh, int no, const double *W1, const double *b1,
                     const double *W2, const double *b2, const double *X, const double *Y,
                     double *gW1, double *gb1, double *gW2, double *gb2, double *work);
double hand_logreg_grad(int n, int d, const double *w, double b, const double *X, const double *y,
                        double lambda, double *gw, double *gb);

#endif
