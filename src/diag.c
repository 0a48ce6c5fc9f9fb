/* The diagnostics sink: formats located messages with the offending source
 * line and a caret, and counts errors (the input's, and the command's own
 * apart) so that main() can decide the exit. */
#include "diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { DEFAULT_LIMIT = 50, LINE_WINDOW = 150 };

void diag_init(Diag *d, const char *path, const char *src, size_t len)
{
    d->path = path;
    d->src = src;
    d->len = len;
    d->errors = 0;
    d->cmd_errors = 0;
    d->shown = 0;
    d->limit = DEFAULT_LIMIT;
    d->offs = NULL;
    buf_init(&d->text);
}

void diag_fini(Diag *d)
{
    buf_free(&d->text);
    free(d->offs);
}

bool diag_any_in(const Diag *d, int from, int to)
{
    for (int i = 0; i < d->errors; i++)
        if (d->offs[i] >= from && d->offs[i] < to)
            return true;
    return false;
}

bool diag_full(const Diag *d)
{
    return d->errors >= d->limit;
}

void diag_quote(Buf *b, const char *s, size_t n, size_t max)
{
    size_t shown = n > max ? max : n;
    for (size_t i = 0; i < shown; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f)
            buf_putc(b, (char)c);
        else
            buf_printf(b, "\\x%02x", c);
    }
    if (shown < n)
        buf_puts(b, "...");
}

/* The line of src (len bytes) that holds byte `off`, shown so that the caret
 * lands under it: tabs are kept, other unprintable bytes become '?', and a
 * very long line is cut to a window around the column. */
static void show_line(Buf *b, const char *src, size_t len, size_t off)
{
    size_t start = off;
    while (start > 0 && src[start - 1] != '\n')
        start--;
    size_t end = off;
    while (end < len && src[end] != '\n' && src[end] != '\r')
        end++;
    size_t col = off - start;
    size_t from = 0, to = end - start;
    if (to > LINE_WINDOW) {
        from = col > LINE_WINDOW / 3 ? col - LINE_WINDOW / 3 : 0;
        to = from + LINE_WINDOW < to ? from + LINE_WINDOW : to;
    }
    const char *line = src + start;
    buf_puts(b, " ");
    if (from > 0)
        buf_puts(b, "...");
    for (size_t i = from; i < to; i++) {
        unsigned char c = (unsigned char)line[i];
        buf_putc(b, c == '\t' || (c >= 0x20 && c < 0x7f) ? (char)c : '?');
    }
    if (to < end - start)
        buf_puts(b, "...");
    buf_puts(b, "\n ");
    if (from > 0)
        buf_puts(b, "   ");
    for (size_t i = from; i < col && i < to; i++)
        buf_putc(b, line[i] == '\t' ? '\t' : ' ');
    buf_puts(b, "^\n");
}

static void report(Diag *d, Span at, const char *kind, const char *fmt, va_list ap)
{
    buf_printf(&d->text, "%s:%d:%d: %s: ", d->path, at.line, at.col, kind);
    buf_vprintf(&d->text, fmt, ap);
    buf_putc(&d->text, '\n');
    if (d->src && at.off >= 0 && (size_t)at.off <= d->len)
        show_line(&d->text, d->src, d->len, (size_t)at.off);
}

void diag_error(Diag *d, Span at, const char *fmt, ...)
{
    if (d->errors >= d->limit)
        return;
    va_list ap;
    va_start(ap, fmt);
    report(d, at, "error", fmt, ap);
    va_end(ap);
    d->offs = xrealloc(d->offs, sizeof *d->offs * (size_t)(d->errors + 1));
    d->offs[d->errors] = at.off;
    if (++d->errors == d->limit)
        buf_printf(&d->text, "%s: too many errors (%d); stopping\n", d->path, d->limit);
}

void diag_note(Diag *d, Span at, const char *fmt, ...)
{
    if (d->errors >= d->limit)
        return;
    va_list ap;
    va_start(ap, fmt);
    report(d, at, "note", fmt, ap);
    va_end(ap);
}

static void report_cmd(Diag *d, const char *fmt, va_list ap)
{
    buf_puts(&d->text, "gradc: error: ");
    buf_vprintf(&d->text, fmt, ap);
    buf_putc(&d->text, '\n');
    d->cmd_errors++;
}

void diag_cmd_error(Diag *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report_cmd(d, fmt, ap);
    va_end(ap);
}

void diag_cmd_error_at(Diag *d, const char *text, size_t col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report_cmd(d, fmt, ap);
    va_end(ap);
    size_t len = strlen(text);
    show_line(&d->text, text, len, col < len ? col : len);
}

void diag_flush(Diag *d, FILE *fp)
{
    if (d->text.len > d->shown)
        fwrite(d->text.data + d->shown, 1, d->text.len - d->shown, fp);
    d->shown = d->text.len;
}
