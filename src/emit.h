/* Writing the generated C. */
#ifndef GRADC_EMIT_H
#define GRADC_EMIT_H

#include <stdbool.h>

#include "arena.h"

typedef struct Cx Cx;

typedef struct EmitOptions {
    const char *source_name;    /* the .fn file, for comments */
    const char *header_name;    /* the header, for #include and its guard */
    const char *c_name;         /* the C file, for #line */
    bool no_line;               /* no #line directives */
} EmitOptions;

void emit_c(Cx *cx, const EmitOptions *opt, Buf *out);
void emit_h(Cx *cx, const EmitOptions *opt, Buf *out);

#endif
