/* fwd_gen: writes the driver of one numeric.fwd.<stem> test. It reads the
 * parameter lists of every function of a .fn file, and the argument table
 * fwd_args.txt, and writes a C file that calls the functions gradc generated
 * for it (f, f_grad or f_vjp, f_jvp, f_hvp) through one adapter each, with
 * a descriptor of the parameters (kinds, shapes, int values, ranges) for the
 * generic checker fwd_check.h.
 *
 *     fwd_gen PROG.fn STEM fwd_args.txt OUT.c
 *
 * The .fn file gives the shapes, which the header gradc writes does not; the
 * adapters are compiled against that header with -Werror, so a prototype
 * that disagrees with LANGUAGE.md section 6 breaks the build. Exit status: 0,
 * or 1 with a message on standard error (an input it cannot read, an entry
 * of the table that names no function or parameter). */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXFN 256
#define MAXP 32
#define MAXDIM 4
#define MAXNAME 256

enum kind { K_INT, K_REAL, K_CONST, K_OUT };

typedef struct param {
    char name[MAXNAME];
    enum kind kind;
    int ndim;
    char dim[MAXDIM][MAXNAME];  /* an int parameter's name or a literal */
    int ival;                   /* K_INT: the value passed */
    double lo, hi;              /* K_REAL, K_CONST: the range of random values */
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

/* param: ["int" | "out" | "const"] NAME ("[" (NAME | INT) "]")* ; t holds
 * its first token, and on return the token after it */
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
            die("%s:%d: more than %d dimensions", g->fn_path, t->line, MAXDIM);
        next(g, t);
        strcpy(p->dim[p->ndim++], t->text);
        expect(g, t, "]");
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

/* applies VALUE to parameter p: an int, a range lo..hi, or one number */
static void set_param(param *p, const char *value, const char *where)
{
    if (p->kind == K_INT) {
        p->ival = (int)to_double(value, where);
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
        char where[600];
        char stem[MAXNAME], fname[MAXNAME], rest[2048];
        rest[0] = '\0';
        if (sscanf(s, "%255s %255s %2047[^\n]", stem, fname, rest) < 2)
            continue;
        if (strcmp(stem, g->stem) != 0 || (strcmp(fname, "*") == 0) != (pass == 0))
            continue;
        snprintf(where, sizeof where, "%s: %s %s", g->table_path, stem, fname);
        func *only = pass ? find_fn(g, fname) : NULL;
        if (pass && !only)
            die("%s: %s.fn has no function %s", where, stem, fname);
        for (int star = 1; star >= 0; star--) {
            char copy[2048];
            strcpy(copy, rest);
            for (char *kv = copy; *kv;) {
                while (isspace((unsigned char)*kv))
                    kv++;
                if (!*kv)
                    break;
                char *end = kv;
                while (*end && !isspace((unsigned char)*end))
                    end++;
                if (*end)
                    *end++ = '\0';
                char *eq = strchr(kv, '=');
                if (!eq)
                    die("%s: expected KEY=VALUE, found '%s'", where, kv);
                *eq = '\0';
                if ((strcmp(kv, "*") == 0) == star) {
                    int used = 0;
                    for (int i = 0; i < g->nf; i++)
                        if (!only || &g->f[i] == only)
                            used |= apply(&g->f[i], kv, eq + 1, where);
                    if (!used)
                        die("%s: no parameter %s", where, kv);
                }
                kv = end;
            }
        }
    }
    free(text);
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
        fprintf(out, "s[%d].i", k);
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
        fputs(";\n    default:\n        return ", out);
        put_call(out, f, "_hvp", hvp, 4, NULL);
        fputs(";\n    }\n}\n\n", out);
    } else {
        fputs("    case FWD_VALUE:\n        ", out);
        put_call(out, f, "", value, 1, NULL);
        fputs(";\n        break;\n    case FWD_GRAD:\n        ", out);
        put_call(out, f, "_vjp", vjp, 3, NULL);
        fputs(";\n        break;\n    default:\n        ", out);
        put_call(out, f, "_jvp", jvp_out, 3, NULL);
        fputs(";\n        break;\n    }\n    (void)df;\n    return 0.0;\n}\n\n", out);
    }
}

static const char *kind_name(enum kind k)
{
    return k == K_INT ? "FWD_INT" : k == K_REAL ? "FWD_REAL" : k == K_CONST ? "FWD_CONST" : "FWD_OUT";
}

/* a dimension: a literal, or -1 - k for the value of int parameter k */
static int dim_code(gen *g, const func *f, const char *d)
{
    if (isdigit((unsigned char)d[0]))
        return atoi(d);
    for (int k = 0; k < f->np; k++)
        if (strcmp(f->p[k].name, d) == 0 && f->p[k].kind == K_INT)
            return -1 - k;
    die("%s:%d: size %s of %s is no int parameter", g->fn_path, f->line, d, f->name);
    return 0;
}

static void put_descriptor(FILE *out, gen *g, const func *f)
{
    fprintf(out, "static const fwd_param fwd_params_%s[] = {\n", f->name);
    for (int k = 0; k < f->np; k++) {
        const param *p = &f->p[k];
        fprintf(out, "    {\"%s\", %s, %d, {", p->name, kind_name(p->kind), p->ndim);
        for (int d = 0; d < MAXDIM; d++)
            fprintf(out, "%s%d", d ? ", " : "", d < p->ndim ? dim_code(g, f, p->dim[d]) : 0);
        fprintf(out, "}, %d, %.17g, %.17g},\n", p->ival, p->lo, p->hi);
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
    write_driver(&g, argv[4]);
    free(g.src);
    free(g.f);
    return 0;
}
