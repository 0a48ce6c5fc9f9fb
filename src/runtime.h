/* The runtime: support code that generated files carry (tape, allocation,
 * kink helpers), written as ordinary C in runtime/ and embedded at build
 * time as a table of pieces. The emitter marks the pieces that its IR uses
 * and writes their #include lines and their text into the generated file. */
#ifndef GRADC_RUNTIME_H
#define GRADC_RUNTIME_H

#include <stdbool.h>

#include "arena.h"

typedef struct RtPiece {
    const char *name;           /* "gradc_room": what the generated code calls */
    const char *needs;          /* pieces it uses, space-separated, all earlier in the table */
    const char *headers;        /* "<stdint.h> <stdlib.h>": what its text uses */
    const char *file;           /* "tape.c", in runtime/ */
    const char *code;           /* its text with its comment, ending in a newline */
} RtPiece;

/* Every piece of runtime/, files in name order, pieces in file order
 * (runtime_pieces.c in the build tree, by cmake/embed_runtime.cmake). */
extern const RtPiece rt_pieces[];
extern const int rt_npieces;

enum { RT_MAX_PIECES = 64 };    /* the build stops if runtime/ has more */

/* The pieces one generated file uses; starts empty: RtSet s = {0}. */
typedef struct RtSet {
    bool has[RT_MAX_PIECES];    /* indexed like rt_pieces */
} RtSet;

/* The index of the piece called name in rt_pieces, or -1. */
int rt_find(const char *name);

/* Adds the piece called name to s, with the pieces it needs. An unknown
 * name is a compiler bug: it dies. */
void rt_require(RtSet *s, const char *name);

/* "#include <h>\n" for each header that the pieces of s or the list extra
 * (space-separated, e.g. "<math.h>" for the generated code's own calls; may
 * be NULL) name: each once, in strcmp order. */
void rt_headers(Buf *out, const RtSet *s, const char *extra);

/* The text of the pieces of s, in table order, each after a blank line. */
void rt_write(Buf *out, const RtSet *s);

#endif
