// The generated header of samples/logreg.fn read by a C++ compiler: it
// compiles after the usual C++ headers and declares C linkage.
#include <cmath>
#include <cstdlib>

#include "logreg.h"

extern "C" {
double logreg(int, int, const double *, double, const double *, const double *, double);
double logreg_grad(int, int, const double *, double, const double *, const double *, double,
                   double *, double *);
}

double call_logreg()
{
    const double w[2] = {0.5, -1}, X[4] = {1, 2, -1, 0.5}, y[2] = {1, -1};
    double gw[2], gb;
    return logreg_grad(2, 2, w, 0.1, X, y, 0.01, gw, &gb);
}
