/* Open-addressing string table with insertion-ordered entries. */
#include "strtab.h"

#include <string.h>

unsigned strtab_hash(const void *p, size_t n)
{
    const unsigned char *s = p;
    unsigned h = 2166136261u;                     /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 16777619u;
    return h;
}

void strtab_init(StrTab *t, Arena *a)
{
    memset(t, 0, sizeof *t);
    t->arena = a;
}

void strtab_release(StrTab *t)
{
    if (t->arena) {
        arena_unblock(t->arena, t->slots, sizeof(int) * (size_t)t->nslots);
        arena_unblock(t->arena, t->entries, sizeof *t->entries * (size_t)t->cap);
    }
    strtab_init(t, t->arena);
}

static void rehash(StrTab *t)
{
    int n = t->nslots ? t->nslots * 2 : 64;
    size_t got;
    arena_unblock(t->arena, t->slots, sizeof(int) * (size_t)t->nslots);
    t->slots = arena_block(t->arena, sizeof(int) * (size_t)n, &got);
    t->nslots = n;
    for (int i = 0; i < t->len; i++) {
        unsigned j = t->entries[i].hash & (unsigned)(n - 1);
        while (t->slots[j])
            j = (j + 1) & (unsigned)(n - 1);
        t->slots[j] = i + 1;
    }
}

static int *lookup(StrTab *t, const char *key, size_t len, unsigned h)
{
    unsigned mask = (unsigned)t->nslots - 1, j = h & mask;
    for (;;) {
        int *slot = &t->slots[j];
        if (!*slot)
            return slot;
        StrTabEntry *e = &t->entries[*slot - 1];
        if (e->hash == h && e->len == len && memcmp(e->key, key, len) == 0)
            return slot;
        j = (j + 1) & mask;
    }
}

StrTabEntry *strtab_find(StrTab *t, const char *key, size_t len)
{
    if (!t->nslots)
        return NULL;
    int *slot = lookup(t, key, len, strtab_hash(key, len));
    return *slot ? &t->entries[*slot - 1] : NULL;
}

StrTabEntry *strtab_get(StrTab *t, const char *key, size_t len, int *added)
{
    if (t->len * 2 >= t->nslots)
        rehash(t);
    unsigned h = strtab_hash(key, len);
    int *slot = lookup(t, key, len, h);
    if (added)
        *added = !*slot;
    if (*slot)
        return &t->entries[*slot - 1];
    if (t->len == t->cap) {
        size_t got;
        StrTabEntry *e = arena_block(t->arena, sizeof *e * (size_t)(t->cap ? t->cap * 2 : 32), &got);
        int cap = (int)(got / sizeof *e);
        if (t->len)
            memcpy(e, t->entries, sizeof *e * (size_t)t->len);
        arena_unblock(t->arena, t->entries, sizeof *e * (size_t)t->cap);
        t->entries = e;
        t->cap = cap;
    }
    StrTabEntry *e = &t->entries[t->len];
    e->key = arena_strndup(t->arena, key, len);
    e->len = len;
    e->hash = h;
    e->value = NULL;
    *slot = ++t->len;
    return e;
}

const char *strtab_intern(StrTab *t, const char *key, size_t len)
{
    return strtab_get(t, key, len, NULL)->key;
}
