// The generated header of samples/mlp.fn read by a C++ compiler: it
// compiles after the usual C++ headers and declares C linkage.
#include <cmath>
#include <cstdlib>

#include "mlp.h"

extern "C" {
void hidden(int, int, const double *, const double *, const double *, double *);
void hidden_vjp(int, int, const double *, const double *, const double *, double *,
                const double *, double *, double *, double *);
void output(int, int, const double *, const double *, const double *, double *);
void output_vjp(int, int, const double *, const double *, const double *, double *,
                const double *, double *, double *, double *);
double mlp_loss(int, int, int, int, const double *, const double *, const double *,
                const double *, const double *, const double *);
double mlp_loss_grad(int, int, int, int, const double *, const double *, const double *,
                     const double *, const double *, const double *, double *, double *,
                     double *, double *);
}

double call_mlp()
{
    const double W1[1] = {0.5}, b1[1] = {0}, W2[1] = {1}, b2[1] = {0}, X[1] = {1}, Y[1] = {0};
    double g[4];
    return mlp_loss_grad(1, 1, 1, 1, W1, b1, W2, b2, X, Y, &g[0], &g[1], &g[2], &g[3]);
}
