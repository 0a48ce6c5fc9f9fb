/* fwd_gen: writes the driver of one numeric.fwd.<stem> test. It reads the
 * parameter lists of every function of a .fn file, and the argument table
 * fwd_args.txt, and writes a C file that calls the functions gradc generated
 * for it (f, f_grad or f_vjp, f_jvp, f_hvp, f_jac or f_hess) through one
 * adapter each, with a descriptor of the parameters (kinds, shapes, int
 * values, ranges) for the generic checker fwd_check.h.
 *
 *     fwd_gen PROG.fn STEM fwd_args.txt OUT.c
 *
 * The .fn file gives the shapes, which the header gradc writes does not; the
 * adapters are compiled against that header with -Werror, so a prototype
 * that disagrees with LANGUAGE.md section 6 breaks the build. Sizes are int
 * expressions of literals and earlier int parameters (`y[n+1]`, `W[4*h][n]`);
 * fwd_gen evaluates them from the int values of the table and writes the
 * sizes themselves into the descriptor. Int arrays (`int idx[m]`) get their
 * elements from the table, as a list or a range to draw them from. Exit
 * status: 0, or 1 with a message on standard error (an input it cannot
 * read, an entry of the table that names no function or parameter, a size
 * it cannot evaluate or that is negative, an int list of the wrong length). */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXFN 256
#define MAXP 32
#define MAXDIM 8     /* LANGUAGE.md section 2: 1 to 8 dimensions */
#define MAXNAME 256

enum kind { K_INT, K_REAL, K_CONST, K_OUT };

typedef struct param {
    char name[MAXNAME];
    enum kind kind;             /* K_INT with ndim > 0: an int array */
    int ndim;
    char *dim[MAXDIM];          /* each size's tokens, separated by spaces */
    int size[MAXDIM];           /* their values, once the table is read */
    int ival;                   /* K_INT scalar: the value passed */
    double lo, hi;              /* K_REAL, K_CONST: the range of random values */
    char *ivalue;               /* int array: its table value, as written */
    int *ivals, nivals;         /* int array given as a list: its elements */
    int ilo, ihi;               /* int array given as LO..HI: drawn from LO..HI-1 */
} param;

typedef struct func {
    char name[MAXNAME];
    int line;
    int np;
    param p[MAXP];
    int returns;        /* no out parameter */
    int points;
    double fd_rel;
} func;

typedef struct gen {
    const char *fn_path, *stem, *table_path;
    char *src;          /* the .fn text */
    size_t pos;
    int line;
    func *f;
    int nf;
} gen;

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("fwd_gen: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static char *read_file(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        die("cannot open %s: %s", path, strerror(errno));
    size_t cap = 4096, n = 0;
    char *s = malloc(cap);
    size_t got;
    while (s && (got = fread(s + n, 1, cap - n - 1, fp)) > 0) {
        n += got;
        if (cap - n - 1 == 0)
            s = realloc(s, cap *= 2);
    }
    if (!s)
        die("out of memory");
    if (ferror(fp))
        die("cannot read %s", path);
    fclose(fp);
    s[n] = '\0';
    return s;
}

/* ---- a scanner for the parts of .fn that matter here: identifiers,
 * numbers and punctuation, comments skipped ---- */

typedef struct token {
    char text[MAXNAME];
    int line;
} token;

static void skip_space(gen *g)
{
    for (;;) {
        char c = g->src[g->pos];
        if (c == '\n') {
            g->line++;
            g->pos++;
        } else if (isspace((unsigned char)c)) {
            g->pos++;
        } else if (c == '#' || (c == '/' && g->src[g->pos + 1] == '/')) {
            while (g->src[g->pos] && g->src[g->pos] != '\n')
                g->pos++;
        } else {
            return;
        }
    }
}

/* the next token into t; an empty text at the end of the file */
static void next(gen *g, token *t)
{
    skip_space(g);
    t->line = g->line;
    size_t start = g->pos;
    char c = g->src[g->pos];
    if (c == '\0') {
        t->text[0] = '\0';
        return;
    }
    if (isalpha((unsigned char)c) || c == '_') {
        while (isalnum((unsigned char)g->src[g->pos]) || g->src[g->pos] == '_')
            g->pos++;
    } else if (isdigit((unsigned char)c) || c == '.') {
        while (isalnum((unsigned char)g->src[g->pos]) || g->src[g->pos] == '.' ||
               ((g->src[g->pos] == '+' || g->src[g->pos] == '-') &&
                (g->src[g->pos - 1] == 'e' || g->src[g->pos - 1] == 'E')))
            g->pos++;
    } else {
        g->pos++;
    }
    size_t n = g->pos - start;
    if (n >= MAXNAME)
        die("%s:%d: token too long for fwd_gen", g->fn_path, g->line);
    memcpy(t->text, g->src + start, n);
    t->text[n] = '\0';
}

static int is(const token *t, const char *s) { return strcmp(t->text, s) == 0; }

static int is_ident(const char *s) { return isalpha((unsigned char)s[0]) || s[0] == '_'; }

static void expect(gen *g, token *t, const char *s)
{
    next(g, t);
    if (!is(t, s))
        die("%s:%d: expected '%s', found '%s'", g->fn_path, t->line, s, t->text);
}

/* param: ["int" | "out" | "const"] NAME ("[" SIZE "]")* ; t holds its first
 * token, and on return the token after it. A SIZE is kept as its tokens up
 * to the matching "]", to be evaluated once the int values are known. */
static void parse_param(gen *g, token *t, param *p)
{
    memset(p, 0, sizeof *p);
    p->kind = K_REAL;
    if (is(t, "int") || is(t, "out") || is(t, "const")) {
        p->kind = is(t, "int") ? K_INT : is(t, "out") ? K_OUT : K_CONST;
        next(g, t);
    }
    if (!is_ident(t->text))
        die("%s:%d: expected a parameter name, found '%s'", g->fn_path, t->line, t->text);
    strcpy(p->name, t->text);
    for (next(g, t); is(t, "["); next(g, t)) {
        if (p->ndim == MAXDIM)
            die("%s:%d: %s has more than %d dimensions", g->fn_path, t->line, p->name, MAXDIM);
        size_t len = 0, cap = 64;
        char *e = malloc(cap);
        if (!e)
            die("out of memory");
        e[0] = '\0';
        for (int depth = 1;;) {
            next(g, t);
            if (t->text[0] == '\0')
                die("%s: the file ends inside a size of %s", g->fn_path, p->name);
            if (is(t, "["))
                depth++;
            else if (is(t, "]") && --depth == 0)
                break;
            size_t n = strlen(t->text);
            if (len + n + 2 > cap) {
                cap = 2 * (len + n + 2);
                e = realloc(e, cap);
                if (!e)
                    die("out of memory");
            }
            if (len)
                e[len++] = ' ';
            memcpy(e + len, t->text, n + 1);
            len += n;
        }
        if (!len)
            die("%s:%d: an empty size of %s", g->fn_path, t->line, p->name);
        p->dim[p->ndim++] = e;
    }
}

/* skips a function body: "= EXPR ;" or a braced block */
static void skip_body(gen *g, token *t)
{
    int depth = 0;
    next(g, t);
    int block = is(t, "{");
    if (!block && !is(t, "="))
        die("%s:%d: expected '=' or '{' after the parameters", g->fn_path, t->line);
    if (block)
        depth = 1;
    for (;;) {
        next(g, t);
        if (t->text[0] == '\0')
            die("%s: the file ends inside a function", g->fn_path);
        if (is(t, "(") || is(t, "[") || is(t, "{"))
            depth++;
        else if (is(t, ")") || is(t, "]") || is(t, "}"))
            depth--;
        if ((block && depth == 0) || (!block && depth == 0 && is(t, ";")))
            return;
    }
}

/* file: ("fn" NAME "(" [param ("," param)*] ")" body)* */
static void parse_fn_file(gen *g)
{
    token t;
    g->src = read_file(g->fn_path);
    g->line = 1;
    g->f = calloc(MAXFN, sizeof *g->f);
    if (!g->f)
        die("out of memory");
    for (next(g, &t); t.text[0]; next(g, &t)) {
        if (!is(&t, "fn"))
            die("%s:%d: expected 'fn', found '%s'", g->fn_path, t.line, t.text);
        if (g->nf == MAXFN)
            die("%s: more than %d functions", g->fn_path, MAXFN);
        func *f = &g->f[g->nf++];
        next(g, &t);
        strcpy(f->name, t.text);
        f->line = t.line;
        f->returns = 1;
        expect(g, &t, "(");
        next(g, &t);
        while (!is(&t, ")")) {
            if (f->np == MAXP)
                die("%s:%d: more than %d parameters", g->fn_path, t.line, MAXP);
            parse_param(g, &t, &f->p[f->np]);
            if (f->p[f->np].kind == K_OUT)
                f->returns = 0;
            f->np++;
            if (is(&t, ","))
                next(g, &t);
            else if (!is(&t, ")"))
                die("%s:%d: expected ',' or ')', found '%s'", g->fn_path, t.line, t.text);
        }
        skip_body(g, &t);
    }
}

/* ---- the argument table ---- */

static func *find_fn(gen *g, const char *name)
{
    for (int i = 0; i < g->nf; i++)
        if (strcmp(g->f[i].name, name) == 0)
            return &g->f[i];
    return NULL;
}

static param *find_param(func *f, const char *name)
{
    for (int i = 0; i < f->np; i++)
        if (strcmp(f->p[i].name, name) == 0)
            return &f->p[i];
    return NULL;
}

static double to_double(const char *s, const char *where)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno)
        die("%s: '%s' is not a number", where, s);
    return v;
}

/* an int literal, optionally signed, that fits in an int */
static int to_int(const char *s, const char *where)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end || errno || v < INT_MIN || v > INT_MAX)
        die("%s: '%s' is not an int", where, s);
    return (int)v;
}

static char *xstrdup(const char *s)
{
    char *d = malloc(strlen(s) + 1);
    if (!d)
        die("out of memory");
    return strcpy(d, s);
}

/* applies VALUE to parameter p: for an int, its value; for an int array,
 * its list or range, kept as written until the sizes are known; for a real
 * or const input, a range lo..hi or one number */
static void set_param(param *p, const char *value, const char *where)
{
    if (p->kind == K_INT && p->ndim) {
        free(p->ivalue);
        p->ivalue = xstrdup(value);
        return;
    }
    if (p->kind == K_INT) {
        p->ival = to_int(value, where);
        return;
    }
    if (p->kind == K_OUT)
        die("%s: %s is an out parameter: it takes no value", where, p->name);
    char buf[MAXNAME];
    snprintf(buf, sizeof buf, "%s", value);
    char *dots = strstr(buf, "..");
    if (dots) {
        *dots = '\0';
        p->lo = to_double(buf, where);
        p->hi = to_double(dots + 2, where);
    } else {
        p->lo = p->hi = to_double(buf, where);
    }
    if (p->lo > p->hi)
        die("%s: empty range %s", where, value);
}

/* applies KEY=VALUE to f; returns whether KEY named anything in f */
static int apply(func *f, const char *key, const char *value, const char *where)
{
    if (strcmp(key, "points") == 0) {
        f->points = (int)to_double(value, where);
        return 1;
    }
    if (strcmp(key, "rel") == 0) {
        f->fd_rel = to_double(value, where);
        return 1;
    }
    if (strcmp(key, "*") == 0) {
        for (int i = 0; i < f->np; i++)
            if (f->p[i].kind == K_REAL || f->p[i].kind == K_CONST)
                set_param(&f->p[i], value, where);
        return 1;
    }
    param *p = find_param(f, key);
    if (p)
        set_param(p, value, where);
    return p != NULL;
}

/* the next word of *cursor, ended in place by a space; NULL at the end */
static char *next_word(char **cursor)
{
    char *s = *cursor;
    while (isspace((unsigned char)*s))
        s++;
    if (!*s) {
        *cursor = s;
        return NULL;
    }
    char *w = s;
    while (*s && !isspace((unsigned char)*s))
        s++;
    if (*s)
        *s++ = '\0';
    *cursor = s;
    return w;
}

/* the next KEY=VALUE of *cursor, ended in place; 0 at the end. A VALUE
 * that starts with '[' runs to its matching ']', spaces included. */
static int next_kv(char **cursor, char **key, char **value, const char *where)
{
    char *s = *cursor;
    while (isspace((unsigned char)*s))
        s++;
    if (!*s)
        return 0;
    char *eq = s;
    while (*eq && *eq != '=' && !isspace((unsigned char)*eq))
        eq++;
    if (*eq != '=') {
        *cursor = s;
        die("%s: expected KEY=VALUE, found '%s'", where, next_word(cursor));
    }
    *eq = '\0';
    *key = s;
    *value = eq + 1;
    char *end = eq + 1;
    if (*end == '[') {
        int depth = 0;
        do
            depth += (*end == '[') - (*end == ']');
        while (*++end && depth);
        if (depth)
            die("%s: %s=%s: no ']' closes the list", where, *key, *value);
        if (*end && !isspace((unsigned char)*end))
            die("%s: %s=...: expected a space after the list's ']'", where, *key);
    } else {
        while (*end && !isspace((unsigned char)*end))
            end++;
    }
    if (*end)
        *end++ = '\0';
    *cursor = end;
    return 1;
}

/* One pass of the table: the lines of this stem whose function is "*"
 * (file defaults, pass 0) or a name (pass 1). A line is
 *     STEM FUNCTION KEY=VALUE ...
 * and '#' starts a comment. Within a line, '*' goes first, so that a named
 * parameter overrides it. */
static void read_table(gen *g, int pass)
{
    char *text = read_file(g->table_path);
    for (char *s = strtok(text, "\n"); s; s = strtok(NULL, "\n")) {
        char *hash = strchr(s, '#');
        if (hash)
            *hash = '\0';
        char *rest = s;
        char *stem = next_word(&rest);
        char *fname = stem ? next_word(&rest) : NULL;
        if (!fname)
            continue;
        if (strcmp(stem, g->stem) != 0 || (strcmp(fname, "*") == 0) != (pass == 0))
            continue;
        char where[600];
        snprintf(where, sizeof where, "%s: %.255s %.255s", g->table_path, stem, fname);
        func *only = pass ? find_fn(g, fname) : NULL;
        if (pass && !only)
            die("%s: %s.fn has no function %s", where, stem, fname);
        for (int star = 1; star >= 0; star--) {
            char *copy = xstrdup(rest), *cursor = copy, *key, *value;
            while (next_kv(&cursor, &key, &value, where)) {
                if ((strcmp(key, "*") == 0) == star) {
                    int used = 0;
                    for (int i = 0; i < g->nf; i++)
                        if (!only || &g->f[i] == only)
                            used |= apply(&g->f[i], key, value, where);
                    if (!used)
                        die("%s: no parameter %s", where, key);
                }
            }
            free(copy);
        }
    }
    free(text);
}

/* ---- int expressions: the sizes of parameters, and the bounds of an int
 * array's range in the table ----
 *
 *     expr    = term (("+" | "-") term)*
 *     term    = unary (("*" | "/" | "%") unary)*
 *     unary   = ("-" | "+") unary | primary
 *     primary = INT | NAME | "(" expr ")"
 *
 * with C's int semantics (truncating / and %). A NAME is a scalar int
 * parameter of the function among its first `visible` ones. Anything else,
 * a division by zero and a value outside int stop fwd_gen. */

typedef struct ieval {
    const char *s;           /* the rest of the text */
    const char *text;        /* all of it, for messages */
    const func *f;
    int visible;
    const char *where;
} ieval;

static void ie_die(const ieval *e, const char *msg, const char *arg)
{
    die("%s: '%s': %s%s", e->where, e->text, msg, arg ? arg : "");
}

static void ie_space(ieval *e)
{
    while (isspace((unsigned char)*e->s))
        e->s++;
}

static int ie_peek(ieval *e, char c)
{
    ie_space(e);
    return *e->s == c;
}

static long long ie_check(const ieval *e, long long v)
{
    if (v < INT_MIN || v > INT_MAX)
        ie_die(e, "the value overflows an int", NULL);
    return v;
}

static long long ie_expr(ieval *e);

static long long ie_primary(ieval *e)
{
    ie_space(e);
    const char *s = e->s;
    if (*s == '(') {
        e->s++;
        long long v = ie_expr(e);
        if (!ie_peek(e, ')'))
            ie_die(e, "expected ')'", NULL);
        e->s++;
        return v;
    }
    char word[MAXNAME];
    size_t n = 0;
    while (isalnum((unsigned char)s[n]) || s[n] == '_' || s[n] == '.')
        n++;
    if (n == 0) {
        char c[2] = {*s, '\0'};
        ie_die(e, *s ? "unexpected " : "the expression ends early", *s ? c : NULL);
    }
    if (n >= sizeof word)
        ie_die(e, "a word is too long", NULL);
    memcpy(word, s, n);
    word[n] = '\0';
    e->s += n;
    if (isdigit((unsigned char)word[0])) {
        for (size_t i = 0; i < n; i++)
            if (!isdigit((unsigned char)word[i]))
                ie_die(e, "not an int literal: ", word);
        errno = 0;
        long long v = strtoll(word, NULL, 10);
        if (errno)
            ie_die(e, "the value overflows an int", NULL);
        return ie_check(e, v);
    }
    if (!is_ident(word) || strchr(word, '.'))
        ie_die(e, "not a name or an int literal: ", word);
    for (int k = 0; k < e->f->np; k++) {
        const param *p = &e->f->p[k];
        if (strcmp(p->name, word) != 0)
            continue;
        if (p->kind != K_INT)
            ie_die(e, "not an int parameter: ", word);
        if (p->ndim)
            ie_die(e, "an int array, not an int: ", word);
        if (k >= e->visible)
            ie_die(e, "a size may use only the int parameters declared before the "
                      "array: ", word);
        return p->ival;
    }
    ie_die(e, "no parameter of the function is named ", word);
    return 0;
}

static long long ie_unary(ieval *e)
{
    if (ie_peek(e, '-')) {
        e->s++;
        return ie_check(e, -ie_unary(e));
    }
    if (ie_peek(e, '+')) {
        e->s++;
        return ie_unary(e);
    }
    return ie_primary(e);
}

static long long ie_term(ieval *e)
{
    long long v = ie_unary(e);
    while (ie_peek(e, '*') || ie_peek(e, '/') || ie_peek(e, '%')) {
        char op = *e->s++;
        long long r = ie_unary(e);
        if (op != '*' && r == 0)
            ie_die(e, op == '/' ? "division by zero" : "remainder by zero", NULL);
        v = ie_check(e, op == '*' ? v * r : op == '/' ? v / r : v % r);
    }
    return v;
}

static long long ie_expr(ieval *e)
{
    long long v = ie_term(e);
    while (ie_peek(e, '+') || ie_peek(e, '-')) {
        char op = *e->s++;
        long long r = ie_term(e);
        v = ie_check(e, op == '+' ? v + r : v - r);
    }
    return v;
}

/* the value of the int expression text in f, over its first visible
 * parameters */
static int eval_int(const func *f, int visible, const char *text, const char *where)
{
    ieval e = {text, text, f, visible, where};
    long long v = ie_expr(&e);
    ie_space(&e);
    if (*e.s) {
        char c[2] = {*e.s, '\0'};
        ie_die(&e, "unexpected ", c);
    }
    return (int)v;
}

/* ---- after the table: sizes and int arrays ---- */

/* the elements of p, or INT_MAX + 1 if there are more */
static long long param_size(const param *p)
{
    long long n = 1;
    for (int d = 0; d < p->ndim; d++)
        if ((n *= p->size[d]) > INT_MAX)
            return (long long)INT_MAX + 1;
    return n;
}

/* an int array's elements from its table value: "[a, b, ...]", row-major,
 * as many as the array has; "LO..HI", drawn at each point from LO..HI-1;
 * or one int expression, every element */
static void resolve_int_array(gen *g, const char *fwhere, func *f, param *p)
{
    char where[800];
    long long size = param_size(p);
    snprintf(where, sizeof where, "%s: %s=%s", fwhere, p->name, p->ivalue ? p->ivalue : "");
    if (!p->ivalue)
        die("%s: the int array %s has no value in %s (%s=[a, b, ...] or %s=LO..HI)", fwhere,
            p->name, g->table_path, p->name, p->name);
    char *v = p->ivalue;
    if (v[0] == '[') {
        p->ivals = malloc(sizeof(int) * (size_t)(size ? size : 1));
        if (!p->ivals)
            die("out of memory");
        char *s = v + 1;
        while (isspace((unsigned char)*s))
            s++;
        long long count = 0;
        while (*s != ']') {
            char *end;
            errno = 0;
            long x = strtol(s, &end, 10);
            if (end == s) {
                if (*s == '[')
                    die("%s: write the elements of an int array as one flat list, row-major",
                        where);
                die("%s: expected an int at '%s'", where, s);
            }
            if (errno || x < INT_MIN || x > INT_MAX)
                die("%s: an element overflows an int", where);
            if (count < size)
                p->ivals[count] = (int)x;
            count++;
            for (s = end; isspace((unsigned char)*s); s++)
                ;
            if (*s == ',') {
                for (s++; isspace((unsigned char)*s); s++)
                    ;
                if (*s == ']')
                    die("%s: a ',' before the list's ']'", where);
            } else if (*s != ']') {
                die("%s: expected ',' or ']' at '%s'", where, s);
            }
        }
        if (count != size) {
            char shape[MAXDIM * 16 + 1] = "";
            for (int d = 0; d < p->ndim; d++)
                snprintf(shape + strlen(shape), sizeof shape - strlen(shape), "[%d]",
                         p->size[d]);
            die("%s: the list has %lld element(s), but %s%s of %s has %lld", where, count,
                p->name, shape, f->name, size);
        }
        p->nivals = (int)size;
        return;
    }
    char *dots = strstr(v, "..");
    if (dots) {
        *dots = '\0';
        p->ilo = eval_int(f, f->np, v, where);
        p->ihi = eval_int(f, f->np, dots + 2, where);
        *dots = '.';
        if (p->ihi <= p->ilo)
            die("%s: the range LO..HI gives the ints LO to HI-1: it is empty", where);
        if ((long long)p->ihi - p->ilo > INT_MAX)
            die("%s: the range is too wide", where);
    } else {
        p->ilo = eval_int(f, f->np, v, where);
        p->ihi = p->ilo + 1;
    }
}

/* evaluates the sizes of f's arrays and resolves its int arrays */
static void resolve(gen *g, func *f)
{
    char fwhere[600];
    snprintf(fwhere, sizeof fwhere, "%s:%d: %s", g->fn_path, f->line, f->name);
    for (int k = 0; k < f->np; k++) {
        param *p = &f->p[k];
        for (int d = 0; d < p->ndim; d++) {
            char where[900];
            snprintf(where, sizeof where, "%s: size %d of %s", fwhere, d + 1, p->name);
            p->size[d] = eval_int(f, k, p->dim[d], where);
            if (p->size[d] < 0)
                die("%s: [%s] is %d, and a size is never negative (the int values are in %s)",
                    where, p->dim[d], p->size[d], g->table_path);
        }
        if (param_size(p) > INT_MAX)
            die("%s: %s has more than %d elements", fwhere, p->name, INT_MAX);
        if (p->kind == K_INT && p->ndim)
            resolve_int_array(g, fwhere, f, p);
    }
}

/* ---- output ---- */

static int has_real_input(const func *f)
{
    for (int i = 0; i < f->np; i++)
        if (f->p[i].kind == K_REAL)
            return 1;
    return 0;
}

/* the C expression of the k-th argument of f in the adapter */
static void put_arg(FILE *out, const param *p, int k)
{
    if (p->kind == K_INT)
        fprintf(out, p->ndim ? "s[%d].ia" : "s[%d].i", k);
    else if (p->kind == K_OUT)
        fprintf(out, "s[%d].o", k);
    else
        fprintf(out, p->ndim ? "s[%d].a" : "s[%d].x", k);
}

enum group { G_ARGS, G_TANGENTS, G_GRADS, G_HV, G_SEEDS, G_OUT_TANGENTS };

static void put_group(FILE *out, const func *f, enum group grp, int *first)
{
    for (int k = 0; k < f->np; k++) {
        const param *p = &f->p[k];
        const char *fmt = NULL;
        if (grp == G_ARGS) {
            fputs(*first ? "" : ", ", out);
            put_arg(out, p, k);
            *first = 0;
            continue;
        }
        if (p->kind == K_REAL && grp == G_TANGENTS)
            fmt = p->ndim ? "s[%d].da" : "s[%d].dx";
        else if (p->kind == K_REAL && grp == G_GRADS)
            fmt = "s[%d].g";
        else if (p->kind == K_REAL && grp == G_HV)
            fmt = "s[%d].hv";
        else if (p->kind == K_OUT && grp == G_SEEDS)
            fmt = "s[%d].seed";
        else if (p->kind == K_OUT && grp == G_OUT_TANGENTS)
            fmt = "s[%d].dout";
        if (fmt) {
            fputs(*first ? "" : ", ", out);
            fprintf(out, fmt, k);
            *first = 0;
        }
    }
}

/* "NAME_SUFFIX(groups...)" */
static void put_call(FILE *out, const func *f, const char *suffix, const enum group *grp, int n,
                     const char *extra)
{
    int first = 1;
    fprintf(out, "%s%s(", f->name, suffix);
    for (int i = 0; i < n; i++)
        put_group(out, f, grp[i], &first);
    if (extra)
        fprintf(out, "%s%s", first ? "" : ", ", extra);
    fputs(")", out);
}

static void put_adapter(FILE *out, const char *stem, const func *f)
{
    static const enum group value[] = {G_ARGS};
    static const enum group grad[] = {G_ARGS, G_GRADS};
    static const enum group vjp[] = {G_ARGS, G_SEEDS, G_GRADS};
    static const enum group jvp[] = {G_ARGS, G_TANGENTS};
    static const enum group jvp_out[] = {G_ARGS, G_TANGENTS, G_OUT_TANGENTS};
    static const enum group hvp[] = {G_ARGS, G_TANGENTS, G_GRADS, G_HV};
    static const enum group hess[] = {G_ARGS, G_GRADS};

    fprintf(out, "/* %s, %s.fn:%d */\n", f->name, stem, f->line);
    fprintf(out, "static double fwd_call_%s(int routine, const fwd_slot *s, double *df)\n{\n",
            f->name);
    fputs("    switch (routine) {\n", out);
    if (f->returns) {
        fputs("    case FWD_VALUE:\n        return ", out);
        put_call(out, f, "", value, 1, NULL);
        fputs(";\n    case FWD_GRAD:\n        return ", out);
        put_call(out, f, "_grad", grad, 2, NULL);
        fputs(";\n    case FWD_JVP:\n        return ", out);
        put_call(out, f, "_jvp", jvp, 2, "df");
        fputs(";\n    case FWD_HESS:\n        return ", out);
        put_call(out, f, "_hess", hess, 2, "df");
        fputs(";\n    default:\n        return ", out);
        put_call(out, f, "_hvp", hvp, 4, NULL);
        fputs(";\n    }\n}\n\n", out);
    } else {
        fputs("    case FWD_VALUE:\n        ", out);
        put_call(out, f, "", value, 1, NULL);
        fputs(";\n        break;\n    case FWD_GRAD:\n        ", out);
        put_call(out, f, "_vjp", vjp, 3, NULL);
        fputs(";\n        break;\n    case FWD_JAC:\n        ", out);
        put_call(out, f, "_jac", value, 1, "df");
        fputs(";\n        break;\n    default:\n        ", out);
        put_call(out, f, "_jvp", jvp_out, 3, NULL);
        fputs(";\n        break;\n    }\n    (void)df;\n    return 0.0;\n}\n\n", out);
    }
}

static const char *kind_name(enum kind k)
{
    return k == K_INT ? "FWD_INT" : k == K_REAL ? "FWD_REAL" : k == K_CONST ? "FWD_CONST" : "FWD_OUT";
}

/* the descriptor of f's parameters: the sizes evaluated (the expressions
 * in a comment), and the elements of the int arrays given as lists */
static void put_descriptor(FILE *out, gen *g, const func *f)
{
    for (int k = 0; k < f->np; k++) {
        const param *p = &f->p[k];
        if (!p->ivals || !p->nivals)
            continue;
        fprintf(out, "static const int fwd_ivals_%s_%d[%d] = {", f->name, k, p->nivals);
        for (int i = 0; i < p->nivals; i++)
            fprintf(out, "%s%s%d", i ? "," : "", i % 16 ? " " : "\n    ", p->ivals[i]);
        fputs("\n};\n", out);
    }
    fprintf(out, "static const fwd_param fwd_params_%s[] = {\n", f->name);
    for (int k = 0; k < f->np; k++) {
        const param *p = &f->p[k];
        fprintf(out, "    {\"%s\", %s, %d, {", p->name, kind_name(p->kind), p->ndim);
        for (int d = 0; d < p->ndim || d == 0; d++)
            fprintf(out, "%s%d", d ? ", " : "", d < p->ndim ? p->size[d] : 0);
        fprintf(out, "}, %d, %.17g, %.17g, ", p->ival, p->lo, p->hi);
        if (p->ivals && p->nivals)
            fprintf(out, "fwd_ivals_%s_%d, 0, 0},", f->name, k);
        else
            fprintf(out, "NULL, %d, %d},", p->ilo, p->ihi);
        if (p->ndim) {
            fputs(" /* ", out);
            for (int d = 0; d < p->ndim; d++)
                fprintf(out, "[%s]", p->dim[d]);
            fputs(" */", out);
        }
        fputc('\n', out);
    }
    fputs("};\n", out);
    fprintf(out,
            "static const fwd_fn fwd_fn_%s = {\"%s\", \"%s\", %d, %d, fwd_params_%s, "
            "fwd_call_%s, %d, %.17g};\n\n",
            f->name, g->stem, f->name, f->returns, f->np, f->name, f->name, f->points,
            f->fd_rel);
}

static void write_driver(gen *g, const char *out_path)
{
    /* written to a temporary file and renamed, so that a failed run leaves
     * no half driver for make to take as up to date */
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", out_path);
    FILE *out = fopen(tmp, "w");
    if (!out)
        die("cannot write %s: %s", tmp, strerror(errno));
    fprintf(out,
            "/* Generated by fwd_gen from %s.fn and fwd_args.txt: the numeric test\n"
            " * numeric.fwd.%s, one adapter and one parameter descriptor per function\n"
            " * for the checker fwd_check.h. Do not edit. */\n"
            "#include <stdarg.h>\n#include <stddef.h>\n#include <setjmp.h>\n"
            "#include <cmocka.h>\n\n#include \"%s.h\"\n#include \"fwd_check.h\"\n\n",
            g->stem, g->stem, g->stem);
    int tested = 0;
    for (int i = 0; i < g->nf; i++) {
        if (!has_real_input(&g->f[i]))
            continue;
        put_adapter(out, g->stem, &g->f[i]);
        put_descriptor(out, g, &g->f[i]);
        tested++;
    }
    fputs("int main(void)\n{\n    const struct CMUnitTest tests[] = {\n", out);
    for (int i = 0; i < g->nf; i++)
        if (has_real_input(&g->f[i]))
            fprintf(out, "        fwd_unit_test(fwd_fn_%s),\n", g->f[i].name);
    if (!tested)
        die("%s: no function with real inputs", g->fn_path);
    fprintf(out, "    };\n    return cmocka_run_group_tests_name(\"fwd.%s\", tests, NULL, NULL);\n}\n",
            g->stem);
    if (fclose(out) != 0 || rename(tmp, out_path) != 0)
        die("cannot write %s: %s", out_path, strerror(errno));
}

int main(int argc, char **argv)
{
    gen g = {0};
    if (argc != 5) {
        fprintf(stderr, "usage: fwd_gen PROG.fn STEM fwd_args.txt OUT.c\n");
        return 2;
    }
    g.fn_path = argv[1];
    g.stem = argv[2];
    g.table_path = argv[3];
    parse_fn_file(&g);
    for (int i = 0; i < g.nf; i++) {
        func *f = &g.f[i];
        if (strncmp(f->name, "fwd_", 4) == 0)
            die("%s:%d: %s: the prefix fwd_ is the driver's", g.fn_path, f->line, f->name);
        f->points = 5;
        for (int k = 0; k < f->np; k++) {
            f->p[k].ival = 3;
            f->p[k].lo = -1;
            f->p[k].hi = 1;
        }
    }
    read_table(&g, 0);
    read_table(&g, 1);
    for (int i = 0; i < g.nf; i++)
        if (has_real_input(&g.f[i]))
            resolve(&g, &g.f[i]);
    write_driver(&g, argv[4]);
    for (int i = 0; i < g.nf; i++)
        for (int k = 0; k < g.f[i].np; k++) {
            param *p = &g.f[i].p[k];
            for (int d = 0; d < p->ndim; d++)
                free(p->dim[d]);
            free(p->ivalue);
            free(p->ivals);
        }
    free(g.src);
    free(g.f);
    return 0;
}
