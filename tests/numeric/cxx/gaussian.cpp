// The generated header read by a C++ compiler (-std=c++11 -fsyntax-only):
// it must compile after the usual C++ headers, and its declarations must
// have C linkage: redeclaring them extern "C" below is an error otherwise.
#include <cerrno>
#include <cfloat>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "gaussian.h"

extern "C" {
double normal_nll(double, double, double);
double normal_nll_grad(double, double, double, double *, double *, double *);
double gaussian_nll(double, double, double, double, double, double);
double gaussian_nll_grad(double, double, double, double, double, double, double *, double *);
double gaussian_nll_log(double, double, double, double, double, double);
double gaussian_nll_log_grad(double, double, double, double, double, double, double *, double *);
}

double call_gaussian()
{
    double g[2];
    return gaussian_nll_grad(0, 1, 0.5, 1.5, 2, -0.25, &g[0], &g[1])
           + gaussian_nll_log(0, 0, 0.5, 1.5, 2, -0.25);
}
