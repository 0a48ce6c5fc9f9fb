/* IR optimisation passes (exact in IEEE arithmetic). */
#ifndef GRADC_OPT_H
#define GRADC_OPT_H

#include <stdbool.h>

typedef struct Cx Cx;

/* Optimises the functions not yet optimised. primal_fills: whether the
 * primal functions' fills that change nothing may go (not before
 * reverse-mode differentiation, which reads where an array lives, inside
 * a loop or not, from its fills: ad_reverse.c, home_of). */
void opt_module(Cx *cx, bool primal_fills);
/* Then: the primal functions' fills that change nothing go. */
void opt_primal_fills(Cx *cx);
/* Only removes dead code (what -O0 still does). */
void opt_cleanup(Cx *cx);

#endif
