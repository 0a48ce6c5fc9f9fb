/* The pipeline, as the command and the tests call it. */
#ifndef GRADC_COMPILE_H
#define GRADC_COMPILE_H

#include <stdbool.h>

typedef struct Cx Cx;

enum { GRADC_SPLIT_DEFAULT = 2000 };   /* statements; see --split */

typedef struct CompileOptions {
    bool optimize;              /* run the IR optimiser (-O0 turns it off) */
    bool no_inline;             /* keep calls as calls (--no-inline) */
    bool primal_only;           /* stop before differentiation */
    bool no_grad, no_jvp, no_hvp;   /* routines left out (--routines) */
    bool jac, hess;             /* f_jac, f_hess written (--routines) */
    bool where_fit;             /* jac and hess only for the functions they fit, and no error
                                   if none does (--eval shows them where it can) */
    int split;                  /* split functions of more statements than this; 0: never */
} CompileOptions;

/* Parse and check; false if the input has errors (in cx->diag). */
bool compile_front(Cx *cx);
/* The whole pipeline to the IR of every generated function. */
bool compile_all(Cx *cx, const CompileOptions *opt);

#endif
