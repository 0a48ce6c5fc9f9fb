/* IR optimisation passes (exact in IEEE arithmetic). */
#ifndef GRADC_OPT_H
#define GRADC_OPT_H

typedef struct Cx Cx;

void opt_module(Cx *cx);
/* Only removes dead code (what -O0 still does). */
void opt_cleanup(Cx *cx);

#endif
