// The generated header read by a C++ compiler (-std=c++11 -fsyntax-only):
// it must compile after the usual C++ headers, and its declarations must
// have C linkage: redeclaring them extern "C" below is an error otherwise.
#include <cerrno>
#include <cfloat>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "black_scholes.h"

extern "C" {
double norm_cdf(double);
double norm_cdf_grad(double, double *);
double bs_d1(double, double, double, double, double);
double bs_d1_grad(double, double, double, double, double,
                  double *, double *, double *, double *, double *);
double bs_call(double, double, double, double, double);
double bs_call_grad(double, double, double, double, double,
                    double *, double *, double *, double *, double *);
double bs_put(double, double, double, double, double);
double bs_put_grad(double, double, double, double, double,
                   double *, double *, double *, double *, double *);
}

double call_black_scholes()
{
    double delta;
    return bs_call_grad(100, 100, 0.05, 0.2, 1, &delta, nullptr, nullptr, nullptr, nullptr)
           + bs_put(100, 100, 0.05, 0.2, 1) + delta;
}
