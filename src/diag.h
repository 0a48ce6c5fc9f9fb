/* Diagnostics: a counted sink for user errors, printed as
 * FILE:LINE:COL: error: MESSAGE, then the source line and a caret. Errors
 * of the command rather than of the input file (a bad --eval call, a file
 * that cannot be written, a program that cannot be run) are counted apart.
 * Only main() turns the counts into an exit status. */
#ifndef GRADC_DIAG_H
#define GRADC_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

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
    int errors;             /* in the input file */
    int cmd_errors;         /* of the command: usage, --eval, I/O */
    int limit;              /* stop reporting after this many errors */
    Buf text;               /* what was reported, in order */
    size_t shown;           /* how much of text diag_flush has written */
    int *offs;              /* offset of each error, in order */
} Diag;

void diag_init(Diag *d, const char *path, const char *src, size_t len);
void diag_fini(Diag *d);
void diag_error(Diag *d, Span at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void diag_note(Diag *d, Span at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
bool diag_full(const Diag *d);

/* An error of the command, not located in the input file: printed as
 * "gradc: error: MESSAGE" and counted in cmd_errors. */
void diag_cmd_error(Diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same for an error inside the text of an option (the --eval call):
 * the message, then that text and a caret under its byte `col` (0-based). */
void diag_cmd_error_at(Diag *d, const char *text, size_t col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Writes to fp what was reported since the last flush. */
void diag_flush(Diag *d, FILE *fp);
/* Whether an error was reported in [from, to). */
bool diag_any_in(const Diag *d, int from, int to);

/* Writes a byte string for a message: printable ASCII as is, others as \xNN;
 * longer strings are cut with "...". */
void diag_quote(Buf *b, const char *s, size_t n, size_t max);

#endif
