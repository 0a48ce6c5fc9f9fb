/* Inlining small functions of the file into their callers (before AD). */
#ifndef GRADC_INLINE_H
#define GRADC_INLINE_H

typedef struct Cx Cx;

void inline_module(Cx *cx);

#endif
