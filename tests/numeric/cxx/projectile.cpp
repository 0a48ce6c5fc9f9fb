// The generated header read by a C++ compiler (-std=c++11 -fsyntax-only):
// it must compile after the usual C++ headers, and its declarations must
// have C linkage: redeclaring them extern "C" below is an error otherwise.
#include <cerrno>
#include <cfloat>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "projectile.h"

extern "C" {
double flight_time(double, double, double, double);
double flight_time_grad(double, double, double, double, double *, double *, double *, double *);
double projectile_range(double, double, double, double);
double projectile_range_grad(double, double, double, double,
                             double *, double *, double *, double *);
double max_height(double, double, double, double);
double max_height_grad(double, double, double, double, double *, double *, double *, double *);
double impact_speed(double, double, double, double);
double impact_speed_grad(double, double, double, double, double *, double *, double *, double *);
}

double call_projectile()
{
    double g[4];
    return projectile_range_grad(20, 0.7, 1.5, 9.81, &g[0], &g[1], &g[2], &g[3]);
}
