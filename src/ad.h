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

#endif
