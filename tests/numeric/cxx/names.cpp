// The generated header read by a C++ compiler (-std=c++11 -fsyntax-only):
// it must compile after the usual C++ headers, and its declarations must
// have C linkage: redeclaring them extern "C" below is an error otherwise.
#include <cerrno>
#include <cfloat>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include <cstddef>
#include <cstdbool>
#include "names.h"

// parameters named after C++ keywords and C macros (class, new, and, bool,
// NULL, INFINITY, errno, ...) must not reach the C++ compiler as such
extern "C" {
double n_brief(double, double, double, double, double, double);
double n_brief_grad(double, double, double, double, double, double,
                    double *, double *, double *, double *, double *, double *);
double n_swapped(double, double, double, double, double, double);
double n_generated(double, double, double, double, double, double);
double n_callee(double, double);
double n_calls(double, double, double);
double n_ckeywords(double, double, double, double, double, double);
double n_cxx(double, double, double, double, double, double);
double n_cxx_grad(double, double, double, double, double, double,
                  double *, double *, double *, double *, double *, double *);
double n_macros(double, double, double, double, double, double);
double n_macros_grad(double, double, double, double, double, double,
                     double *, double *, double *, double *, double *, double *);
}

double call_names()
{
    double g[6];
    return n_cxx_grad(1, 2, 3, 4, 5, 6, &g[0], &g[1], &g[2], &g[3], &g[4], &g[5]);
}
