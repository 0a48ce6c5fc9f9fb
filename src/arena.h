/* Memory for one compilation: a bump arena freed once, growable vectors that
 * live in it, and a string builder (Buf) that owns heap memory of its own.
 * Nothing allocated from an arena is ever freed on its own. */
#ifndef GRADC_ARENA_H
#define GRADC_ARENA_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct ArenaChunk ArenaChunk;

enum { ARENA_CLASSES = 28 };

typedef struct Arena {
    ArenaChunk *head;
    size_t used_total;
    void **free[ARENA_CLASSES];     /* blocks given back, by size class */
} Arena;

Arena *arena_new(void);
void arena_free(Arena *a);
/* Forgets everything allocated, keeping the largest chunk for reuse. */
void arena_reset(Arena *a);
void *arena_alloc(Arena *a, size_t size);      /* zero-filled, 8-byte aligned */
char *arena_strndup(Arena *a, const char *s, size_t n);
char *arena_strdup(Arena *a, const char *s);
char *arena_printf(Arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Memory that grows by doubling (vectors, tables): a block of at least
 * `bytes` (zero-filled; *got says its size), which arena_unblock gives back
 * for reuse by the next request of that size class. */
void *arena_block(Arena *a, size_t bytes, size_t *got);
void arena_unblock(Arena *a, void *p, size_t got);
/* Under AddressSanitizer, makes n bytes at p unreadable and returns true:
 * memory given back that must then never be reused. Elsewhere false. */
bool arena_poison(void *p, size_t n);

#define ARENA_NEW(a, T) ((T *)arena_alloc((a), sizeof(T)))
#define ARENA_ARRAY(a, T, n) ((T *)arena_alloc((a), sizeof(T) * (size_t)(n)))

/* A vector of pointers in the arena. Its items are an arena_block: one that
 * growth or vec_release gives up is reused by the next that needs one. */
typedef struct PtrVec {
    void **items;
    int len, cap;
} PtrVec;

void vec_push(Arena *a, PtrVec *v, void *p);
void vec_insert(Arena *a, PtrVec *v, int at, void *p);
void vec_remove(PtrVec *v, int at);
/* Gives v's items back to the arena (v must no longer be read) and empties v. */
void vec_release(Arena *a, PtrVec *v);

/* Growable heap string, for output text and messages. */
typedef struct Buf {
    char *data;
    size_t len, cap;
} Buf;

void buf_init(Buf *b);
void buf_free(Buf *b);
void buf_putc(Buf *b, char c);
void buf_puts(Buf *b, const char *s);
void buf_putn(Buf *b, const char *s, size_t n);
void buf_printf(Buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void buf_vprintf(Buf *b, const char *fmt, va_list ap);
void buf_indent(Buf *b, int level);

/* Allocation failure is fatal: gradc cannot do anything useful without
 * memory, and a half-written output must never appear (outputs are written
 * only after a whole compilation succeeds). */
void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);
_Noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
