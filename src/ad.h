/* Automatic differentiation: IR-to-IR transforms. */
#ifndef GRADC_AD_H
#define GRADC_AD_H

#include "ir.h"

/* Adds f_grad for every primal that returns a value. */
bool ad_reverse_module(Cx *cx);

/* The static helper that callers' reverse sweeps call for `primal`:
 * (args..., seed, &adjoint of each real input) -> value; it adds
 * seed * d primal / d input into each adjoint. Made on first request. */
IrFunc *ad_rev_helper(Cx *cx, IrFunc *primal);

/* Adds f_jvp for every primal (if jvp) and f_hvp, forward mode over f_grad,
 * for every primal returning a value (if hvp; needs ad_reverse_module). */
bool ad_forward_module(Cx *cx, bool jvp, bool hvp);

/* The static helper giving the value and tangent of f (any function) for
 * callers' tangent code: (args..., a tangent per real argument, &dres). */
IrFunc *ad_fwd_helper(Cx *cx, IrFunc *f);

#endif
