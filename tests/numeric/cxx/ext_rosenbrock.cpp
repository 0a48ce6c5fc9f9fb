// The generated header of samples/ext_rosenbrock.fn read by a C++ compiler
// (-std=c++11 -fsyntax-only): it must compile after the usual C++ headers,
// and its declarations must have C linkage: redeclaring them extern "C"
// below is an error otherwise.
#include <cmath>
#include <cstdlib>

#include "ext_rosenbrock.h"

extern "C" {
double ext_rosenbrock(int, const double *);
double ext_rosenbrock_grad(int, const double *, double *);
}

double call_ext_rosenbrock()
{
    const double x[2] = {-1.2, 1};
    double g[2];
    return ext_rosenbrock_grad(2, x, g);
}
