/* The runtime pieces as the emitter uses them: which pieces a generated
 * file needs (each with the pieces it needs), their #include lines and
 * their text. The table itself is generated from runtime/ at build time. */
#include "runtime.h"

#include <string.h>

/* The piece whose name is the n characters at name, or -1. */
static int find_n(const char *name, size_t n)
{
    for (int k = 0; k < rt_npieces; k++)
        if (strncmp(rt_pieces[k].name, name, n) == 0 && rt_pieces[k].name[n] == '\0')
            return k;
    return -1;
}

int rt_find(const char *name)
{
    return find_n(name, strlen(name));
}

/* The next word of a space-separated list at *p (its length in *n), moving
 * *p past it; false at the end. */
static bool next_word(const char **p, const char **word, size_t *n)
{
    *p += strspn(*p, " ");
    if (**p == '\0')
        return false;
    *word = *p;
    *n = strcspn(*p, " ");
    *p += *n;
    return true;
}

static void require(RtSet *s, int k)
{
    if (s->has[k])
        return;
    s->has[k] = true;
    const char *p = rt_pieces[k].needs, *w;
    size_t n;
    while (next_word(&p, &w, &n)) {
        int dep = find_n(w, n);
        if (dep < 0)    /* the embedder checks this; a bad table is a bug */
            die("runtime: piece '%s' needs '%.*s', which is not in the table",
                rt_pieces[k].name, (int)n, w);
        require(s, dep);
    }
}

void rt_require(RtSet *s, const char *name)
{
    int k = rt_find(name);
    if (k < 0)
        die("runtime: no piece named '%s' in runtime/", name);
    require(s, k);
}

/* strcmp order of two words given by their lengths. */
static int word_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    int c = memcmp(a, b, an < bn ? an : bn);
    return c ? c : an < bn ? -1 : an > bn;
}

/* The least word of list greater than the word last (none if last is
 * NULL), if less than *best (any if *best is NULL). */
static void least_after(const char *list, const char *last, size_t lastn,
                        const char **best, size_t *bestn)
{
    const char *p = list ? list : "", *w;
    size_t n;
    while (next_word(&p, &w, &n))
        if ((!last || word_cmp(w, n, last, lastn) > 0)
            && (!*best || word_cmp(w, n, *best, *bestn) < 0)) {
            *best = w;
            *bestn = n;
        }
}

/* A handful of headers: each round writes the least one not yet written,
 * which sorts and removes duplicates without any memory. */
void rt_headers(Buf *out, const RtSet *s, const char *extra)
{
    const char *last = NULL;
    size_t lastn = 0;
    for (;;) {
        const char *best = NULL;
        size_t bestn = 0;
        least_after(extra, last, lastn, &best, &bestn);
        for (int k = 0; k < rt_npieces; k++)
            if (s->has[k])
                least_after(rt_pieces[k].headers, last, lastn, &best, &bestn);
        if (!best)
            return;
        buf_printf(out, "#include %.*s\n", (int)bestn, best);
        last = best;
        lastn = bestn;
    }
}

void rt_write(Buf *out, const RtSet *s)
{
    for (int k = 0; k < rt_npieces; k++)
        if (s->has[k]) {
            buf_putc(out, '\n');
            buf_puts(out, rt_pieces[k].code);
        }
}
