/* The counting allocator of memcount.h. Each block carries a header with
 * its size, aligned for any type, in front of what the caller gets. */
#include "memcount.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef union {
    size_t size;
    max_align_t align;
} Header;

static size_t live, base, peak;
static long calls;

static void *track(Header *h, size_t n)
{
    if (!h)
        return NULL;
    h->size = n;
    live += n;
    if (live > peak)
        peak = live;
    return h + 1;
}

void *memcount_malloc(size_t n)
{
    calls++;
    if (n > SIZE_MAX - sizeof(Header))
        return NULL;
    return track(malloc(sizeof(Header) + n), n);
}

void *memcount_calloc(size_t count, size_t size)
{
    calls++;
    if (size && count > (SIZE_MAX - sizeof(Header)) / size)
        return NULL;
    return track(calloc(1, sizeof(Header) + count * size), count * size);
}

void memcount_free(void *p)
{
    if (!p)
        return;
    Header *h = (Header *)p - 1;
    live -= h->size;
    free(h);
}

void *memcount_realloc(void *p, size_t n)
{
    if (!p)
        return memcount_malloc(n);
    calls++;
    if (n > SIZE_MAX - sizeof(Header))
        return NULL;
    /* a new block, the data copied, the old one freed: the peak sees both */
    Header *old = (Header *)p - 1;
    void *q = track(malloc(sizeof(Header) + n), n);
    if (!q)
        return NULL;
    memcpy(q, p, old->size < n ? old->size : n);
    memcount_free(p);
    return q;
}

void memcount_reset(void)
{
    base = peak = live;
    calls = 0;
}

size_t memcount_peak(void)
{
    return peak - base;
}

size_t memcount_live(void)
{
    return live;
}

long memcount_calls(void)
{
    return calls;
}
