/* Counting allocator for the benchmark's "f_grad memory" column. The
 * generated C of each benchmark .fn file is compiled a second time, by a
 * wrapper that bench/memwrap.cmake writes, with malloc, calloc, realloc and
 * free redirected here by the macros below and every exported function
 * renamed memcount_NAME, so that the timed code stays untouched. A call of
 * the counted copy between memcount_reset() and memcount_peak() gives the
 * most bytes that the generated code held at once during the call.
 *
 * A realloc counts the old and the new block together at that moment (the
 * copy needs both unless the block grows in place); malloc(0) and
 * calloc(0, n) count 0 bytes. Not thread-safe: the benchmark is one thread.
 * C99, as it is included by the wrappers around generated code. */
#ifndef GRADC_BENCH_MEMCOUNT_H
#define GRADC_BENCH_MEMCOUNT_H

#include <stddef.h>

void *memcount_malloc(size_t n);
void *memcount_calloc(size_t count, size_t size);
void *memcount_realloc(void *p, size_t n);
void memcount_free(void *p);

/* Starts a measurement: the peak is set to the bytes now live (normally 0). */
void memcount_reset(void);
/* The most bytes live at once since memcount_reset(), minus those live then. */
size_t memcount_peak(void);
/* Bytes live now, allocations made since memcount_reset(). */
size_t memcount_live(void);
long memcount_calls(void);

/* In a wrapper: after every system header, before the generated code. */
#ifdef MEMCOUNT_REDIRECT
#define malloc(n) memcount_malloc(n)
#define calloc(c, n) memcount_calloc(c, n)
#define realloc(p, n) memcount_realloc(p, n)
#define free(p) memcount_free(p)
#endif

#endif
