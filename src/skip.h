#ifndef GRADC_SKIP_H
#define GRADC_SKIP_H

#include "gradc.h"
#include "ir.h"

/* Puts each reverse loop that adds only zeros when its adjoint seeds are
 * zero under `if (seed != 0)` (skip.c), in every derived function. Runs
 * last: f_hvp must be derived from the unguarded f_grad. */
void skip_zero_seeds(Cx *cx);

#endif
