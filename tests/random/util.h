/* Small helpers of gradc_random: allocation that cannot fail quietly, a
 * growing string buffer, and files. */
#ifndef GRADC_RANDOM_UTIL_H
#define GRADC_RANDOM_UTIL_H

#include <stdarg.h>
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
void rt_die(const char *fmt, ...);

typedef struct {
    char *s;
    size_t len, cap;
} Buf;

void buf_printf(Buf *b, const char *fmt, ...);
void buf_vprintf(Buf *b, const char *fmt, va_list ap);
void buf_free(Buf *b);

/* Reads a whole file (NUL-terminated); NULL if it cannot be read. */
char *read_file(const char *path, size_t *len);
int write_file(const char *path, const char *text);

#endif
