// The generated header of samples/negbin.fn read by a C++ compiler: it
// compiles after the usual C++ headers and declares C linkage.
#include <cmath>
#include <cstdlib>

#include "negbin.h"

extern "C" {
double negbin_loglik(int, int, const double *, double, const double *, const double *);
double negbin_loglik_grad(int, int, const double *, double, const double *, const double *,
                          double *, double *);
double negbin_score_r(int, int, const double *, double, const double *, const double *);
}

double call_negbin()
{
    const double beta[2] = {0.3, -0.2}, X[6] = {1, 0.5, 1, -1, 1, 2}, y[3] = {2, 0, 5};
    double gb[2], gr;
    return negbin_loglik_grad(3, 2, beta, 0.5, X, y, gb, &gr) + negbin_score_r(3, 2, beta, 1.6, X, y);
}
