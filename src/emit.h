/* Writing the generated C. */
#ifndef GRADC_EMIT_H
#define GRADC_EMIT_H

#include <stdbool.h>
#include <stdio.h>

#include "arena.h"

typedef struct Cx Cx;

typedef struct EmitOptions {
    const char *source_name;    /* the .fn file, for comments */
    const char *header_name;    /* the header, for #include and its guard */
    const char *c_name;         /* the C file, for #line */
    bool no_line;               /* no #line directives */
    FILE *sink;                 /* emit_c: where the text goes, a function at a time, as it is
                                   written (NULL: all of it stays in out) */
} EmitOptions;

/* The C file, in out; with a sink, written to the sink as it is made (out
 * is then a buffer of one function's text at most, empty at the end; check
 * the sink with ferror). */
void emit_c(Cx *cx, const EmitOptions *opt, Buf *out);
void emit_h(Cx *cx, const EmitOptions *opt, Buf *out);

typedef struct IrFunc IrFunc;

/* The computational graph (Graphviz). Every primal function, or with
 * `only` that one, with each node's value and adjoint when given (arrays
 * by primal variable id; `ran` says which values were computed, and
 * has_adjoint which adjoints exist). */
void emit_dot(Cx *cx, const IrFunc *only, const double *value, const bool *ran,
              const double *adjoint, const bool *has_adjoint, Buf *out);

#endif
