/* A string-keyed hash map in the arena: interns identifiers (so names compare
 * by pointer) and maps names to symbols. Insertion order is kept, so walks
 * over a table are deterministic. */
#ifndef GRADC_STRTAB_H
#define GRADC_STRTAB_H

#include <stddef.h>

#include "arena.h"

typedef struct StrTabEntry {
    const char *key;
    size_t len;
    unsigned hash;
    void *value;
} StrTabEntry;

typedef struct StrTab {
    Arena *arena;
    int *slots;             /* index into entries + 1; 0 is empty */
    int nslots;
    StrTabEntry *entries;
    int len, cap;
} StrTab;

/* The table's hash of n bytes (FNV-1a), for other tables keyed by bytes. */
unsigned strtab_hash(const void *p, size_t n);
void strtab_init(StrTab *t, Arena *a);
/* Empties t and gives its tables back to the arena for reuse; the keys it
 * handed out stay valid. */
void strtab_release(StrTab *t);
/* Finds the entry for key, or NULL. */
StrTabEntry *strtab_find(StrTab *t, const char *key, size_t len);
/* Finds or adds the entry for key (the key is copied into the arena). */
StrTabEntry *strtab_get(StrTab *t, const char *key, size_t len, int *added);
/* The interned copy of key. */
const char *strtab_intern(StrTab *t, const char *key, size_t len);

#endif
