/* Activity analysis: varied (depends on a differentiated input) and useful
 * (influences an output) variables, as flags indexed by variable id. */
#ifndef GRADC_ACTIVITY_H
#define GRADC_ACTIVITY_H

#include <stdbool.h>

#include "ir.h"

/* Spreads `varied`, set for the differentiated inputs, through f. */
void activity_varied(const IrFunc *f, bool *varied);
/* Spreads `useful`, set for the outputs and the returned value, back through f. */
void activity_useful(const IrFunc *f, bool *useful);

#endif
