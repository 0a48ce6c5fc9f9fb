/* Diagnostics: a counted sink for user errors, printed as
 * FILE:LINE:COL: error: MESSAGE, then the source line and a caret.
 * Only main() turns the count into an exit status. */
#ifndef GRADC_DIAG_H
#define GRADC_DIAG_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"

/* A place in the source: 1-based line and byte column, byte offset. */
typedef struct Span {
    int line, col;
    int off;
} Span;

typedef struct Diag {
    const char *path;       /* as given on the command line */
    const char *src;        /* the whole input, NUL-terminated copy */
    size_t len;
    int errors;
    int limit;              /* stop reporting after this many errors */
    Buf text;               /* what was reported, in order */
    int *offs;              /* offset of each error, in order */
} Diag;

void diag_init(Diag *d, const char *path, const char *src, size_t len);
void diag_fini(Diag *d);
void diag_error(Diag *d, Span at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void diag_note(Diag *d, Span at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
bool diag_full(const Diag *d);
/* Whether an error was reported in [from, to). */
bool diag_any_in(const Diag *d, int from, int to);

/* Writes a byte string for a message: printable ASCII as is, others as \xNN;
 * longer strings are cut with "...". */
void diag_quote(Buf *b, const char *s, size_t n, size_t max);

#endif
