/* gradc --eval: compile the generated code, call it, check the gradient. */
#ifndef GRADC_EVAL_H
#define GRADC_EVAL_H

#include <stdbool.h>

#include "arena.h"

typedef struct Cx Cx;

/* Runs `call` (such as "f(2, 1)") against the generated c_text/h_text,
 * with the Hessian if asked. Errors (a bad call, a C compiler that fails)
 * go to cx->diag as command errors; returns whether there was none. */
bool eval_run(Cx *cx, const char *call, bool hessian, const Buf *c_text, const Buf *h_text,
              const char *header_path);

/* --emit=dot with --eval: the graph of the called function with each
 * node's value and adjoint at that point. Errors as eval_run's. */
bool eval_dot(Cx *cx, const char *call, Buf *out);

#endif
