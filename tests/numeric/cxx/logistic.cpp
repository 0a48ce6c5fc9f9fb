// The generated header read by a C++ compiler (-std=c++11 -fsyntax-only):
// it must compile after the usual C++ headers, and its declarations must
// have C linkage: redeclaring them extern "C" below is an error otherwise.
#include <cerrno>
#include <cfloat>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "logistic.h"

extern "C" {
double softplus(double);
double softplus_grad(double, double *);
double example_loss(double, double, double, double, double, double);
double example_loss_grad(double, double, double, double, double, double,
                         double *, double *, double *);
double logistic_loss(double, double, double, double);
double logistic_loss_grad(double, double, double, double, double *, double *, double *);
}

double call_logistic()
{
    double g[3];
    return logistic_loss_grad(0.5, -0.25, 0.1, 0.01, &g[0], &g[1], &g[2]);
}
