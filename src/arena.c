/* The compilation's arena, arena vectors and the heap string builder. */
#if defined(__linux__) && !defined(_DEFAULT_SOURCE)
#define _DEFAULT_SOURCE 1       /* MAP_ANONYMOUS, madvise */
#endif
#include "arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

struct ArenaChunk {
    ArenaChunk *next;
    size_t size, used;
    bool mapped;                /* by chunk_new's mmap: munmap it */
    _Alignas(16) unsigned char data[];
};

enum { CHUNK_MIN = 64 * 1024 };

/* Under AddressSanitizer a block given back is poisoned until reused, so
 * that a read through a stale pointer to it is reported. */
#if defined(__SANITIZE_ADDRESS__)
#define GRADC_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define GRADC_ASAN 1
#endif
#endif
#ifdef GRADC_ASAN
void __asan_poison_memory_region(void const volatile *addr, size_t size);
void __asan_unpoison_memory_region(void const volatile *addr, size_t size);
#define POISON(p, n) __asan_poison_memory_region((p), (n))
#define UNPOISON(p, n) __asan_unpoison_memory_region((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

/* On Linux, chunks of 4 MiB and more are mapped with transparent huge
 * pages asked for: a large input touches a gigabyte of new memory, and
 * faulting it in 4 KiB pages (each cleared by the kernel) was a third of
 * the time; 2 MiB pages take a quarter of the time off. Elsewhere, or if
 * mmap fails, calloc. Either way the memory comes zeroed. Not under
 * AddressSanitizer: the poison of memory given back would outlive a
 * munmap (its shadow is not cleared) and be found in the next mapping at
 * that address; its own allocator keeps the shadow right. */
#if defined(__linux__) && defined(MAP_ANONYMOUS) && defined(MADV_HUGEPAGE) && !defined(GRADC_ASAN)
#define GRADC_HUGE_CHUNKS 1
enum { HUGE_CHUNK = 4 << 20 };
#endif

static ArenaChunk *chunk_new(size_t bytes)
{
#ifdef GRADC_HUGE_CHUNKS
    if (bytes >= HUGE_CHUNK) {
        void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p != MAP_FAILED) {
            madvise(p, bytes, MADV_HUGEPAGE);   /* a hint: failure changes nothing */
            ArenaChunk *c = p;
            c->mapped = true;
            return c;
        }
    }
#endif
    return calloc(1, bytes);
}

static void chunk_free(ArenaChunk *c)
{
#ifdef GRADC_HUGE_CHUNKS
    if (c && c->mapped) {
        munmap(c, sizeof *c + c->size);
        return;
    }
#endif
    free(c);
}

static _Noreturn void out_of_memory(void)
{
    fputs("gradc: error: out of memory\n", stderr);
    exit(2);
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        out_of_memory();
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        out_of_memory();
    return q;
}

_Noreturn void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("gradc: internal error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}

Arena *arena_new(void)
{
    Arena *a = xmalloc(sizeof *a);
    memset(a, 0, sizeof *a);
    return a;
}

void arena_free(Arena *a)
{
    if (!a)
        return;
    ArenaChunk *c = a->head;
    while (c) {
        ArenaChunk *next = c->next;
        chunk_free(c);
        c = next;
    }
    free(a);
}

void arena_reset(Arena *a)
{
    ArenaChunk *keep = NULL;
    for (ArenaChunk *c = a->head, *next; c; c = next) {
        next = c->next;
        if (!keep || c->size > keep->size) {
            chunk_free(keep);
            keep = c;
        } else {
            chunk_free(c);
        }
    }
    if (keep) {
        UNPOISON(keep->data, keep->size);
        memset(keep->data, 0, keep->used);
        keep->used = 0;
        keep->next = NULL;
    }
    a->head = keep;
    a->used_total = 0;
    memset(a->free, 0, sizeof a->free);
}

void *arena_alloc(Arena *a, size_t size)
{
    size = (size + 7) & ~(size_t)7;
    ArenaChunk *c = a->head;
    if (!c || c->size - c->used < size) {
        size_t want = size > CHUNK_MIN ? size : CHUNK_MIN;
        if (c && c->size * 2 > want && c->size < (size_t)16 << 20)
            want = c->size * 2;
        /* zeroed: large chunks come straight from the system, already
           zero, so memory is touched only when it is used */
        c = chunk_new(sizeof *c + want);
        if (!c)
            out_of_memory();
        c->size = want;
        c->next = a->head;
        a->head = c;
    }
    void *p = c->data + c->used;
    c->used += size;
    a->used_total += size;
    return p;
}

char *arena_strndup(Arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_strdup(Arena *a, const char *s)
{
    return arena_strndup(a, s, strlen(s));
}

char *arena_printf(Arena *a, const char *fmt, ...)
{
    Buf b;
    buf_init(&b);
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    char *s = arena_strndup(a, b.data, b.len);
    buf_free(&b);
    return s;
}

/* Blocks of 32 << k bytes: from the free list of their class when one was
 * given back, else new. */
static int block_class(size_t bytes)
{
    int k = 0;
    while (((size_t)32 << k) < bytes)
        k++;
    return k;
}

void *arena_block(Arena *a, size_t bytes, size_t *got)
{
    int k = block_class(bytes);
    *got = (size_t)32 << k;
    if (k < ARENA_CLASSES && a->free[k]) {
        void **p = a->free[k];
        a->free[k] = p[0];
        UNPOISON(p, *got);
        memset(p, 0, *got);
        return p;
    }
    return arena_alloc(a, *got);
}

void arena_unblock(Arena *a, void *p, size_t bytes)
{
    int k = block_class(bytes);
    if (!p || ((size_t)32 << k) != bytes || k >= ARENA_CLASSES)
        return;
    void **q = p;
    q[0] = a->free[k];
    a->free[k] = q;
    POISON(q + 1, bytes - sizeof *q);
}

bool arena_poison(void *p, size_t n)
{
#ifdef GRADC_ASAN
    POISON(p, n);
    return true;
#else
    (void)p;
    (void)n;
    return false;
#endif
}

void vec_release(Arena *a, PtrVec *v)
{
    if (v->items)
        arena_unblock(a, v->items, sizeof(void *) * (size_t)v->cap);
    v->items = NULL;
    v->len = v->cap = 0;
}

static void vec_grow(Arena *a, PtrVec *v)
{
    size_t got;
    void **items = arena_block(a, sizeof(void *) * (size_t)(v->cap ? v->cap * 2 : 4), &got);
    int cap = (int)(got / sizeof(void *));
    if (v->len)
        memcpy(items, v->items, sizeof(void *) * (size_t)v->len);
    PtrVec old = *v;
    vec_release(a, &old);
    v->items = items;
    v->cap = cap;
}

void vec_push(Arena *a, PtrVec *v, void *p)
{
    if (v->len == v->cap)
        vec_grow(a, v);
    v->items[v->len++] = p;
}

void vec_insert(Arena *a, PtrVec *v, int at, void *p)
{
    if (v->len == v->cap)
        vec_grow(a, v);
    memmove(v->items + at + 1, v->items + at, sizeof(void *) * (size_t)(v->len - at));
    v->items[at] = p;
    v->len++;
}

void vec_remove(PtrVec *v, int at)
{
    memmove(v->items + at, v->items + at + 1, sizeof(void *) * (size_t)(v->len - at - 1));
    v->len--;
}

void buf_init(Buf *b)
{
    b->data = NULL;
    b->len = b->cap = 0;
}

void buf_free(Buf *b)
{
    free(b->data);
    buf_init(b);
}

static void buf_reserve(Buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1)
        cap *= 2;
    b->data = xrealloc(b->data, cap);
    b->cap = cap;
}

void buf_putn(Buf *b, const char *s, size_t n)
{
    buf_reserve(b, n);
    if (n == 0) {
        b->data[b->len] = '\0';
        return;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void buf_putc(Buf *b, char c)
{
    buf_putn(b, &c, 1);
}

void buf_puts(Buf *b, const char *s)
{
    buf_putn(b, s, strlen(s));
}

void buf_vprintf(Buf *b, const char *fmt, va_list ap)
{
    /* format once into the room there is; again only when it did not fit */
    buf_reserve(b, 64);
    va_list ap2;
    va_copy(ap2, ap);
    size_t room = b->cap - b->len;
    int n = vsnprintf(b->data + b->len, room, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        die("vsnprintf failed for format '%s'", fmt);
    if ((size_t)n >= room) {
        buf_reserve(b, (size_t)n);
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    }
    b->len += (size_t)n;
}

void buf_printf(Buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void buf_indent(Buf *b, int level)
{
    for (int i = 0; i < level; i++)
        buf_puts(b, "    ");
}
