// The generated header read by a C++ compiler (-std=c++11 -fsyntax-only):
// it must compile after the usual C++ headers, and its declarations must
// have C linkage: redeclaring them extern "C" below is an error otherwise.
#include <cerrno>
#include <cfloat>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "seed.h"

extern "C" {
double f(double, double);
double f_grad(double, double, double *, double *);
}

double call_seed()
{
    double g[2];
    return f(2, 1) + f_grad(2, 1, &g[0], nullptr);
}
