// The generated header of samples/gmm.fn read by a C++ compiler: it
// compiles after the usual C++ headers and declares C linkage (the
// parameter gamma, a C library name, is renamed in the C that gradc writes).
#include <cmath>
#include <cstdlib>

#include "gmm.h"

extern "C" {
double logsumexp(int, const double *);
double logsumexp_grad(int, const double *, double *);
double gmm(int, int, int, int, const double *, const double *, const double *, const double *,
           double, int);
double gmm_grad(int, int, int, int, const double *, const double *, const double *,
                const double *, double, int, double *, double *, double *);
}

double call_gmm()
{
    const double alphas[1] = {0}, means[1] = {0}, icf[1] = {0}, x[1] = {0.5};
    double ga[1], gm[1], gi[1];
    return gmm_grad(1, 1, 1, 1, alphas, means, icf, x, 1.0, 0, ga, gm, gi);
}
