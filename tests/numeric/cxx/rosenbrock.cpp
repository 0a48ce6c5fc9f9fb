// The generated header read by a C++ compiler (-std=c++11 -fsyntax-only):
// it must compile after the usual C++ headers, and its declarations must
// have C linkage: redeclaring them extern "C" below is an error otherwise.
#include <cerrno>
#include <cfloat>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "rosenbrock.h"

extern "C" {
double rosenbrock(double, double);
double rosenbrock_grad(double, double, double *, double *);
double rosenbrock4(double, double, double, double);
double rosenbrock4_grad(double, double, double, double, double *, double *, double *, double *);
}

double call_rosenbrock()
{
    double g[4];
    return rosenbrock_grad(-1.2, 1, &g[0], &g[1])
           + rosenbrock4_grad(1, 1, 1, 1, &g[0], &g[1], &g[2], &g[3]);
}
