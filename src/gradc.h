/* The compilation context (always named `cx`): everything one run of the
 * compiler owns. Two compilations in one process share nothing. */
#ifndef GRADC_H
#define GRADC_H

#include <stdbool.h>

#include "arena.h"
#include "ast.h"
#include "diag.h"
#include "strtab.h"

#define GRADC_VERSION "0.1.0"

typedef struct IrModule IrModule;

enum {
    MAX_NESTING = 1000000,      /* expression and statement depth */
    MAX_IDENT = 255,            /* identifier length */
};

struct Cx {
    Arena *arena;
    Diag diag;
    StrTab ids;                 /* interned identifiers */
    Program prog;
    int dropped_funcs;          /* functions lost to syntax errors */
    IrModule *ir;
};

/* Sets up a compilation of `src` (len bytes; may hold NUL bytes). */
Cx *cx_new(const char *path, const char *src, size_t len);
void cx_free(Cx *cx);

/* The stages, in pipeline order; each returns false if it reported errors. */
bool parse_program(Cx *cx);             /* parser.y */
bool sema_check(Cx *cx);                /* sema.c */
/* What to do instead of taking a derivative inside .fn, for errors of the
 * parser and of sema alike; fn names the function when it is known. */
void sema_put_derivative_advice(Buf *b, const Cx *cx, const char *fn, bool has_out);
bool lower_program(Cx *cx);             /* lower.c: cx->ir, the primals */

#endif
