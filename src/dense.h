/* Whole Jacobians and Hessians: f_jac and f_hess (LANGUAGE.md section 6). */
#ifndef GRADC_DENSE_H
#define GRADC_DENSE_H

#include <stdbool.h>

#include "ir.h"

typedef struct Cx Cx;

/* Adds f_jac (if jac) for every function with out parameters and f_hess
 * (if hess) for every function returning a value. They call f_jvp and
 * f_vjp, or f_hvp and f_grad, which must be in the module. */
void dense_module(Cx *cx, bool jac, bool hess);

/* A new exported function named f's name + suffix, with from's
 * parameters (copies, sizes mapped), derived from f. */
IrFunc *dense_like(Cx *cx, IrFunc *f, IrFunc *from, FuncRole role, const char *suffix);

/* f's exported routine of that role; dies if there is none. */
IrFunc *dense_find(Cx *cx, const IrFunc *f, FuncRole role);

/* Whether some function of the file takes f_jac (has out parameters) or
 * f_hess (returns a value). */
bool dense_fits(Cx *cx, bool hess);

#endif
