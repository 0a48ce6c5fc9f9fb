/* Running IR functions (for --emit=dot at a point). */
#ifndef GRADC_INTERP_H
#define GRADC_INTERP_H

#include "ir.h"

typedef struct Interp {
    const IrFunc *watch;        /* the function whose values are kept */
    double *last;               /* by var id: the last value it took */
    bool *set;                  /* by var id: it took one (its code ran) */
} Interp;

/* Calls f: scalars[k] for scalar parameter k, arrays[k] for array and
 * by-reference parameters (NULL where the caller passes NULL). Returns f's
 * value; it->last holds f's variables afterwards. */
double interp_run(Interp *it, const IrFunc *f, const double *scalars, double **arrays);
void interp_free(Interp *it);


#endif
