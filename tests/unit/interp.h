/* A small interpreter of gradc's IR, for the unit tests: it runs primal
 * and derived functions with the semantics of the C that gradc writes
 * (every variable starts at zero, as the emitter declares them; x^k with a
 * constant k as the emitter spells it; the kink helpers as LANGUAGE.md
 * section 5 fixes them), computing each operation from its own table, not
 * the compiler's. It lets the tests check the derivative rules and
 * the reverse transform numerically, without a C compiler. Malformed IR
 * (an index out of range, an int division by zero, a missing array) fails
 * the calling test; an instruction kind it does not know yet (added to
 * ir.h after it was written) skips the calling test with a message: add
 * its case to run_instr in interp.c. */
#ifndef GRADC_UNIT_INTERP_H
#define GRADC_UNIT_INTERP_H

#include "unit.h"

/* One argument per parameter of the function called: r for a real scalar,
 * i for an int, p for an array or a scalar passed by reference (p may be
 * NULL for a nullable gradient output). */
typedef struct IVal {
    double r;
    int i;
    double *p;
} IVal;

/* What the real operation op (one whose result is real) computes on
 * v[0..arity-1], ints as their values; literal_exponent: powi's exponent
 * is a literal, spelled as products in the generated C. The interpreter's
 * own table, independent of the compiler's: false if op has no entry. */
bool interp_real_op(Opcode op, const double *v, bool literal_exponent, double *out);

/* Runs f; returns its value (NaN for a function that returns nothing). */
double interp_call(const IrFunc *f, const IVal *args);

/* For functions whose parameters are all real scalars: f(x[0], ...). */
double interp_scalar(const IrFunc *f, const double *x);

/* name_grad(x..., &g[0], ...) for a function `name` whose parameters are
 * all real scalars; returns the value. */
double interp_grad(Cx *cx, const char *name, const double *x, double *g);

/* The central finite difference of parameter i of an all-real-scalar
 * function at x, with step h. */
double interp_fd(const IrFunc *f, const double *x, int i, double h);

#endif
