/* Names that the C gradc writes must not take: C and C++ keywords, the C
 * standard library (with POSIX and glibc extensions of its headers), and
 * names reserved to the implementation. Also the scope that hands out
 * unique C names in generated code. */
#ifndef GRADC_NAMES_H
#define GRADC_NAMES_H

#include <stdbool.h>

#include "strtab.h"

bool names_is_keyword(const char *s);       /* C (to C23) or C++ keyword */
bool names_is_library(const char *s);       /* function, macro or type of the C library */
bool names_is_implementation(const char *s); /* _X..., __..., gradc_... */
bool names_lists_sorted(void);              /* for the unit test */
/* Not usable as a C name as is: any of the three above. */
bool names_is_reserved(const char *s);

/* A set of C names in use. scope_take returns `base` if it is free and not
 * reserved, else the first of base_1, base_2, ... that is. */
typedef struct NameScope {
    StrTab taken;
    StrTab next;                /* base -> the next suffix to try (as intptr_t) */
    const struct NameScope *parent;
} NameScope;

void scope_init(NameScope *s, Arena *a, const NameScope *parent);
/* Forgets the names s holds (the strings stay valid) and gives its tables
 * back to the arena; s can then be initialised again. */
void scope_release(NameScope *s);
bool scope_has(const NameScope *s, const char *name);
void scope_reserve(NameScope *s, const char *name);
const char *scope_take(NameScope *s, const char *base);

/* Takes name, which the caller knows is free in s and not reserved. */
const char *scope_take_free(NameScope *s, const char *name);

#endif
