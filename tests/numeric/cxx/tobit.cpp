// The generated header of samples/tobit.fn read by a C++ compiler: it
// compiles after the usual C++ headers and declares C linkage.
#include <cmath>
#include <cstdlib>

#include "tobit.h"

extern "C" {
double norm_tail(double);
double tobit_loglik(int, int, const double *, double, const double *, const double *);
double tobit_loglik_grad(int, int, const double *, double, const double *, const double *,
                         double *, double *);
}

double call_tobit()
{
    const double beta[2] = {0.5, 1}, X[6] = {1, 0.3, 1, -2, 1, 1}, y[3] = {1.2, 0, 2.5};
    double gb[2], gs;
    return tobit_loglik_grad(3, 2, beta, 0, X, y, gb, &gs) + norm_tail(1);
}
