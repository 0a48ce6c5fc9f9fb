/* --eval: builds the generated code with the system C compiler beside a
 * small driver that calls the function at the given point, and prints the
 * value, each partial derivative from the generated gradient, and a central
 * finite difference beside it (an independent check). Its errors (a bad
 * call, a compiler that fails) go to the diagnostics as command errors. */
#include "eval.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "emit.h"
#include "gradc.h"
#include "interp.h"
#include "ir.h"

extern char **environ;

/* One argument of the call: a number or a (nested) list of numbers. */
typedef struct Arg {
    double *vals;
    int n;
    int ndims;                  /* the shape as written: [a, b] is one dimension of 2 */
    int shape[IR_MAX_DIMS];
    bool is_list;
} Arg;

typedef struct Parser {
    const char *s;
    size_t i;
    const char *err;
} Parser;

static void skip_ws(Parser *p)
{
    while (p->s[p->i] == ' ' || p->s[p->i] == '\t')
        p->i++;
}

static bool number(Parser *p, double *out)
{
    skip_ws(p);
    char *end;
    errno = 0;
    *out = strtod(p->s + p->i, &end);
    if (end == p->s + p->i) {
        p->err = "expected a number";
        return false;
    }
    if (!isfinite(*out)) {
        p->err = "a number must be finite";
        return false;
    }
    p->i = (size_t)(end - p->s);
    return true;
}

static void push_val(Arg *a, double v)
{
    a->vals = xrealloc(a->vals, sizeof *a->vals * (size_t)(a->n + 1));
    a->vals[a->n++] = v;
}

/* [1, 2, 3], [[1, 2], [3, 4]], ... up to IR_MAX_DIMS levels deep: every
 * element of a list is a number, or every one a list of the same shape. */
static bool list(Parser *p, Arg *a, int depth)
{
    if (depth >= IR_MAX_DIMS) {
        p->err = "arrays have at most 8 dimensions";
        return false;
    }
    p->i++;                             /* '[' */
    int count = 0;
    skip_ws(p);
    if (p->s[p->i] == ']') {
        p->err = "empty list";
        return false;
    }
    for (;;) {
        skip_ws(p);
        bool sub = p->s[p->i] == '[';
        if (a->ndims && sub != (depth + 1 < a->ndims)) {
            p->err = "lists of different depths";
            return false;
        }
        if (sub) {
            if (!list(p, a, depth + 1))
                return false;
        } else {
            double v;
            if (!number(p, &v))
                return false;
            push_val(a, v);
            a->ndims = depth + 1;
        }
        count++;
        skip_ws(p);
        if (p->s[p->i] == ',') {
            p->i++;
            continue;
        }
        if (p->s[p->i] == ']') {
            p->i++;
            if (a->shape[depth] && a->shape[depth] != count) {
                p->err = "rows of different lengths";
                return false;
            }
            a->shape[depth] = count;
            return true;
        }
        p->err = "expected ',' or ']'";
        return false;
    }
}

static bool ident(Parser *p, char *out, size_t cap)
{
    skip_ws(p);
    size_t n = 0;
    while ((p->s[p->i] >= 'a' && p->s[p->i] <= 'z') || (p->s[p->i] >= 'A' && p->s[p->i] <= 'Z') ||
           p->s[p->i] == '_' || (n > 0 && p->s[p->i] >= '0' && p->s[p->i] <= '9')) {
        if (n + 1 < cap)
            out[n++] = p->s[p->i];
        p->i++;
    }
    out[n] = '\0';
    if (n == 0)
        p->err = "expected a function name";
    return n > 0;
}

static bool expect(Parser *p, char c, const char *msg)
{
    skip_ws(p);
    if (p->s[p->i] != c) {
        p->err = msg;
        return false;
    }
    p->i++;
    return true;
}

static void free_args(Arg *args, int n)
{
    for (int i = 0; i < n; i++)
        free(args[i].vals);
    free(args);
}

/* number | list */
static bool one_arg(Parser *p, Arg **args, int *nargs)
{
    *args = xrealloc(*args, sizeof **args * (size_t)(*nargs + 1));
    Arg *a = &(*args)[(*nargs)++];
    memset(a, 0, sizeof *a);
    skip_ws(p);
    a->is_list = p->s[p->i] == '[';
    if (a->is_list)
        return list(p, a, 0);
    double v;
    if (!number(p, &v))
        return false;
    push_val(a, v);
    return true;
}

/* The arguments, after the function name and '(': [arg {',' arg}] ')',
 * and nothing after. */
static bool call_args(Parser *p, Arg **args, int *nargs)
{
    skip_ws(p);
    if (p->s[p->i] != ')') {
        for (;;) {
            if (!one_arg(p, args, nargs))
                return false;
            skip_ws(p);
            if (p->s[p->i] != ',')
                break;
            p->i++;
        }
    }
    if (!expect(p, ')', "expected ',' or ')'"))
        return false;
    skip_ws(p);
    if (p->s[p->i]) {
        p->err = "unexpected text after ')'";
        return false;
    }
    return true;
}

/* name '(' args ')': on an error, reports it with a caret under the place
 * in the call's text, and returns false. */
static bool parse_call(Diag *d, const char *text, char *name, size_t cap, Arg **args, int *nargs)
{
    Parser p = {text, 0, NULL};
    *args = NULL;
    *nargs = 0;
    if (ident(&p, name, cap) && expect(&p, '(', "expected '(' after the function name") &&
        call_args(&p, args, nargs))
        return true;
    Buf quoted;
    buf_init(&quoted);
    diag_quote(&quoted, text, strlen(text), 200);
    diag_cmd_error_at(d, text, p.i, "--eval '%s': %s at column %zu", quoted.data ? quoted.data : "",
                      p.err, p.i + 1);
    buf_free(&quoted);
    free_args(*args, *nargs);
    *args = NULL;
    *nargs = 0;
    return false;
}

/* ---- the driver ------------------------------------------------------- */

static void put_double(Buf *b, double x)
{
    char num[40];
    ir_fmt_real(num, sizeof num, x);
    if (isnan(x))
        buf_puts(b, "NAN");
    else if (isinf(x))
        buf_puts(b, x < 0 ? "-INFINITY" : "INFINITY");
    else
        buf_puts(b, num);
}

static int count_outputs(const IrFunc *f)
{
    int n = 0;
    for (int i = 0; i < f->params.len; i++) {
        const IrVar *p = f->params.items[i];
        n += p->ndims > 0 && !p->readonly;
    }
    return n;
}

static bool is_out(const IrVar *p)
{
    return p->ndims > 0 && !p->readonly;
}

/* The number of arguments: one per parameter, or one per parameter but
 * the `out` arrays (*omitted: they are outputs, made here). */
static bool check_count(Diag *d, const IrFunc *f, int nargs, bool *omitted)
{
    int nout = count_outputs(f);
    *omitted = nout > 0 && nargs == f->params.len - nout;
    if (nargs == f->params.len || *omitted)
        return true;
    int want = f->params.len - nout;
    diag_cmd_error(d, "--eval: '%s' takes %d argument%s but %d %s given", f->name, want,
                   want == 1 ? "" : "s", nargs, nargs == 1 ? "is" : "are");
    return false;
}

/* A scalar parameter p from a; an int's value goes to ints[p->id] for
 * the sizes of the arrays after it. */
static bool take_scalar(Diag *d, const IrVar *p, const Arg *a, int *ints, Arg *to)
{
    if (a->is_list) {
        diag_cmd_error(d, "--eval: '%s' is a scalar, not an array", p->name);
        return false;
    }
    double v = a->vals[0];
    if (p->type == IT_INT) {
        if (v != floor(v) || v < INT_MIN || v > INT_MAX) {
            diag_cmd_error(d, "--eval: '%s' is an int; %.17g is not one", p->name, v);
            return false;
        }
        ints[p->id] = (int)v;
    }
    *to = *a;
    to->vals = xmalloc(sizeof(double));
    to->vals[0] = v;
    return true;
}

static int int_arg(void *data, const IrVar *v)
{
    return ((const int *)data)[v->id];
}

/* 3 x 4 x 2 */
static void put_shape(Buf *b, const int *shape, int n)
{
    for (int k = 0; k < n; k++)
        buf_printf(b, k ? " x %d" : "%d", shape[k]);
}

/* An array parameter p from a (NULL: an omitted output, all zeros), with
 * the shape that its sizes give; an int array's elements must be ints. */
static bool take_array(Diag *d, const IrVar *p, const Arg *a, const int *ints, Arg *to)
{
    int dims[IR_MAX_DIMS];
    double total = 1;
    bool negative = false;
    for (int k = 0; k < p->ndims; k++) {
        dims[k] = ir_size_value(p->dims[k], int_arg, (void *)ints);
        negative |= dims[k] < 0;
        total *= dims[k];
    }
    Buf shape;
    buf_init(&shape);
    put_shape(&shape, dims, p->ndims);
    bool ok = true;
    if (negative || total > 1e6) {
        diag_cmd_error(d, "--eval: '%s' would have %s elements", p->name, shape.data);
        ok = false;
    } else if (a && (!a->is_list || a->ndims != p->ndims ||
                     memcmp(a->shape, dims, sizeof *dims * (size_t)p->ndims) != 0)) {
        if (p->ndims == 1)
            diag_cmd_error(d, "--eval: '%s' must be an array of %d numbers: [...]", p->name, dims[0]);
        else {
            Buf form;                   /* [[...], ...], [[[...], ...], ...] */
            buf_init(&form);
            for (int k = 0; k < p->ndims; k++)
                buf_putc(&form, '[');
            buf_puts(&form, "...");
            for (int k = 1; k < p->ndims; k++)
                buf_puts(&form, "], ...");
            buf_putc(&form, ']');
            diag_cmd_error(d, "--eval: '%s' must be a %s array: %s", p->name, shape.data, form.data);
            buf_free(&form);
        }
        ok = false;
    }
    for (int j = 0; ok && a && p->type == IT_INT && j < a->n; j++) {
        double v = a->vals[j];
        if (v != floor(v) || v < INT_MIN || v > INT_MAX) {
            diag_cmd_error(d, "--eval: '%s' is an int array; %.17g is not an int", p->name, v);
            ok = false;
        }
    }
    buf_free(&shape);
    if (!ok)
        return false;
    int n = (int)total;
    *to = (Arg){calloc((size_t)n + 1, sizeof(double)), n, p->ndims, {0}, true};
    memcpy(to->shape, dims, sizeof *dims * (size_t)p->ndims);
    if (a)
        memcpy(to->vals, a->vals, sizeof *to->vals * (size_t)n);
    return true;
}

/* Checks the arguments against the parameters, with the sizes they give;
 * `out` arguments may be left out (they are outputs). Returns the arguments
 * one per parameter in *full, or reports an error and returns false. */
static bool check_args(Diag *d, const IrFunc *f, const Arg *args, int nargs, Arg **full)
{
    bool omitted;
    if (!check_count(d, f, nargs, &omitted))
        return false;
    int *ints = calloc((size_t)f->vars.len + 1, sizeof *ints);
    *full = calloc((size_t)f->params.len + 1, sizeof **full);
    bool ok = true;
    for (int i = 0, k = 0; i < f->params.len && ok; i++) {
        const IrVar *p = f->params.items[i];
        const Arg *a = (omitted && is_out(p)) ? NULL : &args[k++];
        ok = p->ndims == 0 ? take_scalar(d, p, a, ints, &(*full)[i]) : take_array(d, p, a, ints, &(*full)[i]);
    }
    free(ints);
    if (!ok) {
        free_args(*full, f->params.len);
        *full = NULL;
    }
    return ok;
}

/* As written by a person: 100, 0.25, 1e-09 (no ".0" on integers). */
static void put_short(Buf *b, double x)
{
    char num[40];
    ir_fmt_real(num, sizeof num, x);
    size_t n = strlen(num);
    if (n > 2 && strcmp(num + n - 2, ".0") == 0)
        num[n - 2] = '\0';
    buf_puts(b, num);
}

/* The call as the user wrote it, normalised: f(2, 1), g([1, 2], 3). */
static void put_call_text(Buf *b, const IrFunc *f, const Arg *args)
{
    buf_printf(b, "%s(", f->name);
    for (int i = 0, k = 0; i < f->params.len; i++) {
        const Arg *a = &args[i];
        if (is_out(f->params.items[i]))
            continue;
        if (k++)
            buf_puts(b, ", ");
        if (!a->is_list) {
            put_short(b, a->vals[0]);
            continue;
        }
        /* before element j, a bracket closes and opens for every dimension
         * whose index wraps: ], [ or ]], [[ */
        for (int k = 0; k < a->ndims; k++)
            buf_putc(b, '[');
        for (int j = 0; j < a->n; j++) {
            if (j) {
                int wraps = 0;
                for (int k = a->ndims - 1, step = 1; k > 0; k--) {
                    step *= a->shape[k];
                    wraps += j % step == 0;
                }
                for (int k = 0; k < wraps; k++)
                    buf_putc(b, ']');
                buf_puts(b, ", ");
                for (int k = 0; k < wraps; k++)
                    buf_putc(b, '[');
            }
            put_short(b, a->vals[j]);
        }
        for (int k = 0; k < a->ndims; k++)
            buf_putc(b, ']');
    }
    buf_putc(b, ')');
}

/* The call of `f` (by its C name) on the flat input vector v. */
static void put_hvp_call(Buf *b, const IrFunc *f, const int *slot, const Arg *args)
{
    buf_printf(b, "%s_hvp(", f->name);
    for (int i = 0; i < f->params.len; i++) {
        const IrVar *p = f->params.items[i];
        if (i)
            buf_puts(b, ", ");
        if (p->type == IT_INT && p->ndims > 0)
            buf_printf(b, "gradc_i%d", i);
        else if (p->type == IT_INT)
            buf_printf(b, "%d", (int)args[i].vals[0]);
        else
            buf_printf(b, "%sgradc_%s[%d]", p->ndims ? "&" : "", p->src_const ? "c" : "v", slot[i]);
    }
    static const char *const groups[] = {"gradc_dir", "gradc_g2", "gradc_hv"};
    for (int k = 0; k < 3; k++) {
        for (int i = 0; i < f->params.len; i++) {
            const IrVar *p = f->params.items[i];
            if (p->type == IT_REAL && !p->src_const)
                buf_printf(b, k == 0 && !p->ndims ? ", %s[%d]" : ", &%s[%d]", groups[k], slot[i]);
        }
    }
    buf_putc(b, ')');
}

/* name(ARGS), with the seeds and gradients if grads, then tail (", H") */
static void put_call(Buf *b, const IrFunc *f, const char *name, const int *slot, const Arg *args,
                     bool grads, const char *tail);

/* The same for f's routine named with suffix ("_grad") */
static void put_routine_call(Buf *b, const IrFunc *f, const char *suffix, const int *slot,
                             const Arg *args, bool grads, const char *tail)
{
    char name[300];
    snprintf(name, sizeof name, "%s%s", f->name, suffix);
    put_call(b, f, name, slot, args, grads, tail);
}

static void put_call(Buf *b, const IrFunc *f, const char *name, const int *slot, const Arg *args,
                     bool grads, const char *tail)
{
    buf_printf(b, "%s(", name);
    for (int i = 0; i < f->params.len; i++) {
        const IrVar *p = f->params.items[i];
        if (i)
            buf_puts(b, ", ");
        if (p->type == IT_INT && p->ndims > 0)
            buf_printf(b, "gradc_i%d", i);
        else if (p->type == IT_INT)
            buf_printf(b, "%d", (int)args[i].vals[0]);
        else if (p->ndims > 0)
            buf_printf(b, "&gradc_%s[%d]", is_out(p) ? "o" : p->src_const ? "c" : "v", slot[i]);
        else
            buf_printf(b, "gradc_%s[%d]", p->src_const ? "c" : "v", slot[i]);
    }
    for (int i = 0; grads && i < f->params.len; i++) {
        const IrVar *p = f->params.items[i];
        if (is_out(p))
            buf_printf(b, ", &gradc_s[%d]", slot[i]);
    }
    if (grads) {
        for (int i = 0; i < f->params.len; i++) {
            const IrVar *p = f->params.items[i];
            if (p->type == IT_REAL && !p->src_const && !is_out(p))
                buf_printf(b, ", &gradc_g[%d]", slot[i]);
        }
    }
    buf_printf(b, "%s)", tail);
}

/* The names of the inputs (or of the outputs), element by element. */
static void put_names(Buf *b, const IrFunc *f, const Arg *args, const char *var, bool outs, int n)
{
    buf_printf(b, "static const char *const %s[%d] = {", var, n ? n : 1);
    int k = 0;
    for (int i = 0; i < f->params.len; i++) {
        const IrVar *p = f->params.items[i];
        if (p->type != IT_REAL || p->src_const || is_out(p) != outs)
            continue;
        for (int j = 0; j < args[i].n; j++, k++) {
            buf_puts(b, k ? ", " : "");
            buf_printf(b, "\"%s", p->name);
            /* x[j], A[i][j], T[i][j][k]: j written in the array's shape */
            int idx[IR_MAX_DIMS];
            for (int d = p->ndims - 1, rest = j; d >= 0; d--) {
                idx[d] = rest % args[i].shape[d];
                rest /= args[i].shape[d];
            }
            for (int d = 0; d < p->ndims; d++)
                buf_printf(b, "[%d]", idx[d]);
            buf_putc(b, '"');
        }
    }
    buf_printf(b, "%s};\n", k ? "" : "\"\"");
}

/* The sparse form's check, in the driver: its entries beside the dense
 * routine's and the central differences (fd), both m x n row-major, the
 * number of colours (sweeps) of the pattern, and what lies outside it. */
static const char sparse_check_fn[] =
    "static void gradc_sparse(const char *what, const char *sweep, int of, int nnz, const int *rows,\n"
    "                         const int *cols, const double *sv, int nc, int m, int n,\n"
    "                         const double *dense, const double *fd, const char *const *rn,\n"
    "                         const char *const *cn)\n"
    "{\n"
    "    int hess = strstr(what, \"Hessian\") != NULL, k = 0;\n"
    "    double from_dense = 0, from_fd = 0, out_dense = 0, out_fd = 0;\n"
    "    printf(\"\\nsparse %s: %d of %d entries%s can be nonzero; %d colour%s: %d directions of %s \"\n"
    "           \"instead of %d\\n\", what, nnz, hess ? n * (n + 1) / 2 : m * n,\n"
    "           hess ? \" of the lower triangle\" : \"\", nc, nc == 1 ? \"\" : \"s\", nc, sweep, of);\n"
    "    printf(\"%-12s%-12s%-24s%-24s%s\\n\", hess ? \"row\" : \"output\", hess ? \"column\" : \"input\",\n"
    "           \"sparse\", \"dense\", \"central difference\");\n"
    "    for (int i = 0; i < m; i++)\n"
    "        for (int j = 0; j < (hess ? i + 1 : n); j++) {\n"
    "            double d = dense[i * n + j], e = fd[i * n + j];\n"
    "            if (k < nnz && rows[k] == i && cols[k] == j) {\n"
    "                printf(\"%-12s%-12s\", rn[i], cn[j]);\n"
    "                gradc_put(sv[k], 24);\n"
    "                gradc_put(d, 24);\n"
    "                gradc_put(e, 0);\n"
    "                printf(\"\\n\");\n"
    "                from_dense = fabs(sv[k] - d) > from_dense || sv[k] != sv[k] ? fabs(sv[k] - d) : from_dense;\n"
    "                from_fd = fabs(sv[k] - e) > from_fd || sv[k] != sv[k] ? fabs(sv[k] - e) : from_fd;\n"
    "                k++;\n"
    "            } else {\n"
    "                out_dense = fabs(d) > out_dense || d != d ? fabs(d) : out_dense;\n"
    "                out_fd = fabs(e) > out_fd ? fabs(e) : out_fd;\n"
    "            }\n"
    "        }\n"
    "    printf(\"largest |sparse - dense|: %.2g; largest |sparse - central difference|: %.2g\\n\",\n"
    "           from_dense, from_fd);\n"
    "    printf(\"outside the pattern: largest |dense entry| %.2g, |central difference| %.2g\\n\",\n"
    "           out_dense, out_fd);\n"
    "    if (k != nnz)\n"
    "        printf(\"warning: the triplets are not sorted and in range (a bug in gradc)\\n\");\n"
    "    if (out_dense != 0)\n"
    "        printf(\"warning: the dense form has a nonzero outside the pattern (a bug in gradc)\\n\");\n"
    "}\n\n";

/* The sparse Jacobian (m outputs) or Hessian (m = 0: of n inputs) of f,
 * against the dense one and gradc_F, the central differences that the
 * driver holds by then; the colours from the pattern, by the colouring
 * f's sparse routine uses (the driver includes the generated C). */
static void put_sparse_check(Buf *b, const IrFunc *f, const int *slot, const Arg *args, int m, int n)
{
    bool hess = f->returns;
    int rows = hess ? n : m, size = rows * n;
    buf_printf(b, "    {\n"
        "        static double gradc_D[%d];\n"
        "        int gradc_nnz = ", size ? size : 1);
    put_routine_call(b, f, hess ? "_hess_nnz" : "_jac_nnz", slot, args, false, "");
    buf_printf(b, ", gradc_nc;\n"
        "        int *gradc_rows = malloc(sizeof(int) * (gradc_nnz > 0 ? gradc_nnz : 1));\n"
        "        int *gradc_cols = malloc(sizeof(int) * (gradc_nnz > 0 ? gradc_nnz : 1));\n"
        "        double *gradc_sv = malloc(sizeof(double) * (gradc_nnz > 0 ? gradc_nnz : 1));\n"
        "        gradc_pctx gradc_pc = {0};\n"
        "        gradc_pc.e = malloc(sizeof *gradc_pc.e * (gradc_nnz > 0 ? gradc_nnz : 1));\n"
        "        if (gradc_nnz < 0 || !gradc_rows || !gradc_cols || !gradc_sv || !gradc_pc.e) {\n"
        "            printf(\"out of memory for the sparse form\\n\");\n"
        "            return 1;\n"
        "        }\n        ");
    put_routine_call(b, f, hess ? "_hess" : "_jac", slot, args, hess, ", gradc_D");
    buf_puts(b, ";\n        ");
    put_routine_call(b, f, hess ? "_hess_sparse" : "_jac_sparse", slot, args, hess,
                     ", gradc_rows, gradc_cols, gradc_sv");
    buf_printf(b, ";\n"
        "        const char *gradc_sweep = \"%s_%s\";\n"
        "        int gradc_of = %d;\n"
        "        for (int gradc_k = 0; gradc_k < gradc_nnz; gradc_k++)\n"
        "            gradc_pc.e[gradc_k] = (gradc_mask)gradc_rows[gradc_k] << 32 | (gradc_mask)gradc_cols[gradc_k];\n"
        "        gradc_pc.nnz = (size_t)gradc_nnz;\n",
        f->name, hess ? "hvp" : "jvp", n);
    if (hess) {
        buf_printf(b, "        gradc_nc = gradc_star(&gradc_pc, %d);\n", n);
    } else {
        /* the choice f_jac_sparse makes: rows where they take fewer than half the colours */
        buf_printf(b, "        gradc_nc = gradc_colour(&gradc_pc, %d, %d, 0);\n"
            "        int gradc_nr = gradc_colour(&gradc_pc, %d, %d, 1);\n"
            "        if (gradc_nc > 1 && gradc_nr > 0 && 2 * gradc_nr < gradc_nc) {\n"
            "            gradc_nc = gradc_nr;\n"
            "            gradc_sweep = \"%s_vjp\";\n"
            "            gradc_of = %d;\n"
            "        }\n", m, n, m, n, f->name, m);
    }
    buf_printf(b,
        "        gradc_pat_free(&gradc_pc);\n"
        "        gradc_sparse(\"%s (%s_%s_sparse)\", gradc_sweep, gradc_of, gradc_nnz, gradc_rows, gradc_cols,\n"
        "                     gradc_sv, gradc_nc, %d, %d, gradc_D, &gradc_F[0][0], %s, gradc_names);\n"
        "        free(gradc_rows);\n        free(gradc_cols);\n        free(gradc_sv);\n"
        "    }\n",
        hess ? "Hessian" : "Jacobian", f->name, hess ? "hess" : "jac", rows, n,
        hess ? "gradc_names" : "gradc_onames");
}

/* For a function with outputs: the outputs, then each entry of the
 * Jacobian from f_vjp (one unit seed per output) beside a central
 * difference. */
static void put_out_main(Buf *b, const IrFunc *f, const int *slot, const Arg *args, int nv, int no,
                         bool sparse)
{
    buf_puts(b, "    (void)gradc_f;\n    printf(\"%s writes\\n\", \"");
    put_call_text(b, f, args);
    buf_printf(b, "\");\n"
        "    for (int gradc_j = 0; gradc_j < %d; gradc_j++) {\n"
        "        printf(\"  %%s = \", gradc_onames[gradc_j]);\n"
        "        gradc_put(gradc_o[gradc_j], 0);\n        printf(\"\\n\");\n    }\n"
        "    if (%d == 0) {\n        printf(\"(no real inputs: no derivatives)\\n\");\n        return 0;\n    }\n"
        "    static double gradc_F[%d][%d];\n"
        "    printf(\"\\n%%-12s%%-12s%%-24s%%-24s%%s\\n\", \"output\", \"input\", \"gradient (vjp)\", "
        "\"central difference\", \"|difference|\");\n"
        "    for (int gradc_j = 0; gradc_j < %d; gradc_j++) {\n"
        "        for (int gradc_i = 0; gradc_i < %d; gradc_i++)\n"
        "            gradc_s[gradc_i] = gradc_i == gradc_j;\n        ",
        no, nv, no ? no : 1, nv ? nv : 1, no, no);
    put_routine_call(b, f, "_vjp", slot, args, true, "");
    buf_printf(b, ";\n"
        "        for (int gradc_k = 0; gradc_k < %d; gradc_k++) {\n"
        "            double gradc_x = gradc_v[gradc_k];\n"
        "            double gradc_h = cbrt(DBL_EPSILON) * (fabs(gradc_x) > 1 ? fabs(gradc_x) : 1);\n"
        "            volatile double gradc_a = gradc_x + gradc_h, gradc_b = gradc_x - gradc_h;\n"
        "            gradc_v[gradc_k] = gradc_a;\n            gradc_value();\n"
        "            double gradc_fu = gradc_o[gradc_j];\n"
        "            gradc_v[gradc_k] = gradc_b;\n            gradc_value();\n"
        "            double gradc_fd = gradc_o[gradc_j];\n"
        "            gradc_v[gradc_k] = gradc_x;\n"
        "            double gradc_est = (gradc_fu - gradc_fd) / (gradc_a - gradc_b);\n"
        "            gradc_F[gradc_j][gradc_k] = gradc_est;\n"
        "            printf(\"%%-12s%%-12s\", gradc_onames[gradc_j], gradc_names[gradc_k]);\n"
        "            gradc_put(gradc_g[gradc_k], 24);\n            gradc_put(gradc_est, 24);\n"
        "            printf(\"%%.2g\\n\", fabs(gradc_g[gradc_k] - gradc_est));\n"
        "        }\n    }\n", nv);
    if (sparse)
        put_sparse_check(b, f, slot, args, no, nv);
    buf_puts(b, "    return 0;\n}\n");
}

/* The Hessian, one column per unit direction from f_hvp, beside central
 * differences of f_grad. */
static void put_hessian(Buf *b, const IrFunc *f, const int *slot, const Arg *args, int nv)
{
    buf_printf(b,
        "    static double gradc_H[%d][%d], gradc_F[%d][%d];\n"
        "    double gradc_worst = 0;\n"
        "    for (int gradc_j = 0; gradc_j < %d; gradc_j++) {\n"
        "        for (int gradc_i = 0; gradc_i < %d; gradc_i++)\n"
        "            gradc_dir[gradc_i] = gradc_i == gradc_j;\n        ",
        nv, nv, nv, nv, nv, nv);
    put_hvp_call(b, f, slot, args);
    buf_printf(b, ";\n"
        "        double gradc_x = gradc_v[gradc_j];\n"
        "        double gradc_h = cbrt(DBL_EPSILON) * (fabs(gradc_x) > 1 ? fabs(gradc_x) : 1);\n"
        "        volatile double gradc_a = gradc_x + gradc_h, gradc_b = gradc_x - gradc_h;\n"
        "        gradc_v[gradc_j] = gradc_a;\n        ");
    put_routine_call(b, f, "_grad", slot, args, true, "");
    buf_printf(b, ";\n"
        "        for (int gradc_i = 0; gradc_i < %d; gradc_i++)\n"
        "            gradc_F[gradc_i][gradc_j] = gradc_g[gradc_i];\n"
        "        gradc_v[gradc_j] = gradc_b;\n        ", nv);
    put_routine_call(b, f, "_grad", slot, args, true, "");
    buf_printf(b, ";\n"
        "        gradc_v[gradc_j] = gradc_x;\n"
        "        for (int gradc_i = 0; gradc_i < %d; gradc_i++) {\n"
        "            gradc_F[gradc_i][gradc_j] = (gradc_F[gradc_i][gradc_j] - gradc_g[gradc_i]) / (gradc_a - gradc_b);\n"
        "            gradc_H[gradc_i][gradc_j] = gradc_hv[gradc_i];\n"
        "            double gradc_d = fabs(gradc_H[gradc_i][gradc_j] - gradc_F[gradc_i][gradc_j]);\n"
        "            gradc_worst = gradc_d > gradc_worst || gradc_d != gradc_d ? gradc_d : gradc_worst;\n"
        "        }\n"
        "    }\n"
        "    for (int gradc_m = 0; gradc_m < 2; gradc_m++) {\n"
        "        printf(gradc_m ? \"\\ncentral differences of the gradient:\\n%%-12s\" : \"\\nHessian (f_hvp):\\n%%-12s\", \"\");\n"
        "        for (int gradc_j = 0; gradc_j < %d; gradc_j++)\n"
        "            printf(\"%%-24s\", gradc_names[gradc_j]);\n"
        "        printf(\"\\n\");\n"
        "        for (int gradc_i = 0; gradc_i < %d; gradc_i++) {\n"
        "            printf(\"%%-12s\", gradc_names[gradc_i]);\n"
        "            for (int gradc_j = 0; gradc_j < %d; gradc_j++)\n"
        "                gradc_put(gradc_m ? gradc_F[gradc_i][gradc_j] : gradc_H[gradc_i][gradc_j], 24);\n"
        "            printf(\"\\n\");\n"
        "        }\n"
        "    }\n"
        "    printf(\"\\nlargest |difference|: %%.2g\\n\", gradc_worst);\n", nv, nv, nv, nv);
}

/* The driver of --eval: the generated C included (its static pieces serve
 * the sparse check), f called at args, the derivatives printed beside
 * central differences; sparse: f's sparse routine exists, to check. */
static void put_driver(Buf *b, const IrFunc *f, const Arg *args, bool hessian, bool sparse)
{
    int nv = 0, nc = 0, no = 0;
    int *slot = xmalloc(sizeof *slot * (size_t)(f->params.len + 1));
    for (int i = 0; i < f->params.len; i++) {
        const IrVar *p = f->params.items[i];
        if (p->type != IT_REAL)
            continue;
        int *count = is_out(p) ? &no : p->src_const ? &nc : &nv;
        slot[i] = *count;
        *count += args[i].n;
    }
    buf_printf(b, "#include <float.h>\n#include <math.h>\n#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n"
                  "#include \"model.c\"\n\n");
    /* int arrays, each its own */
    for (int i = 0; i < f->params.len; i++) {
        const IrVar *p = f->params.items[i];
        if (p->type != IT_INT || p->ndims == 0)
            continue;
        buf_printf(b, "static const int gradc_i%d[%d] = {", i, args[i].n ? args[i].n : 1);
        for (int j = 0; j < args[i].n; j++)
            buf_printf(b, "%s%d", j ? ", " : "", (int)args[i].vals[j]);
        buf_puts(b, args[i].n ? "};\n" : "0};\n");
    }
    buf_printf(b, "static double gradc_v[%d] = {", nv ? nv : 1);
    int k = 0;
    for (int i = 0; i < f->params.len; i++) {
        const IrVar *p = f->params.items[i];
        for (int j = 0; p->type == IT_REAL && !p->src_const && !is_out(p) && j < args[i].n; j++, k++) {
            buf_puts(b, k ? ", " : "");
            put_double(b, args[i].vals[j]);
        }
    }
    buf_printf(b, "%s};\nstatic double gradc_c[%d] = {", k ? "" : "0", nc ? nc : 1);
    k = 0;
    for (int i = 0; i < f->params.len; i++) {
        const IrVar *p = f->params.items[i];
        for (int j = 0; p->type == IT_REAL && p->src_const && j < args[i].n; j++, k++) {
            buf_puts(b, k ? ", " : "");
            put_double(b, args[i].vals[j]);
        }
    }
    buf_printf(b, "%s};\nstatic double gradc_g[%d], gradc_dir[%d], gradc_g2[%d], gradc_hv[%d];\n",
               k ? "" : "0", nv ? nv : 1, nv ? nv : 1, nv ? nv : 1, nv ? nv : 1);
    buf_printf(b, "static double gradc_o[%d], gradc_s[%d], gradc_up[%d], gradc_down[%d];\n",
               no ? no : 1, no ? no : 1, no ? no : 1, no ? no : 1);
    put_names(b, f, args, "gradc_names", false, nv);
    put_names(b, f, args, "gradc_onames", true, no);
    buf_puts(b, "\nstatic double gradc_value(void)\n{\n    return ");
    if (f->returns) {
        put_call(b, f, f->name, slot, args, false, "");
    } else {
        buf_puts(b, "(");
        put_call(b, f, f->name, slot, args, false, "");
        buf_puts(b, ", 0.0)");
    }
    buf_puts(b, ";\n}\n\n");
    buf_puts(b,
        "static void gradc_put(double x, int width)\n{\n"
        "    char s[40];\n"
        "    int plain = fabs(x) >= 1e-4 && fabs(x) < 1e15;\n"
        "    for (int p = 1; p <= 17; p++) {\n"
        "        snprintf(s, sizeof s, \"%.*g\", p, x);\n"
        "        if ((strtod(s, NULL) == x && (!plain || !strchr(s, 'e'))) || x != x)\n"
        "            break;\n"
        "    }\n"
        "    printf(\"%-*s\", width, s);\n"
        "}\n\n");
    if (sparse && (!f->returns || hessian))
        buf_puts(b, sparse_check_fn);
    buf_puts(b, "int main(void)\n{\n"
                "    double gradc_f = gradc_value();\n");
    if (!f->returns) {
        put_out_main(b, f, slot, args, nv, no, sparse);
        free(slot);
        return;
    }
    buf_puts(b, "    double gradc_fg = ");
    put_routine_call(b, f, "_grad", slot, args, true, "");
    buf_puts(b, ";\n");
    buf_puts(b, "    printf(\"%s = \", \"");
    put_call_text(b, f, args);
    buf_puts(b, "\");\n");
    buf_printf(b,
        "    gradc_put(gradc_f, 0);\n    printf(\"\\n\");\n"
        "    if (!(gradc_fg == gradc_f || (gradc_fg != gradc_fg && gradc_f != gradc_f)))\n"
        "        printf(\"warning: %s_grad gives the value %%.17g\\n\", gradc_fg);\n"
        "    if (%d == 0) {\n        printf(\"(no real inputs: no gradient)\\n\");\n        return 0;\n    }\n"
        "    printf(\"\\n%%-12s%%-24s%%-24s%%s\\n\", \"input\", \"gradient\", \"central difference\", "
        "\"|difference|\");\n"
        "    for (int gradc_k = 0; gradc_k < %d; gradc_k++) {\n"
        "        double gradc_x = gradc_v[gradc_k];\n"
        "        double gradc_h = cbrt(DBL_EPSILON) * (fabs(gradc_x) > 1 ? fabs(gradc_x) : 1);\n"
        "        volatile double gradc_up = gradc_x + gradc_h, gradc_down = gradc_x - gradc_h;\n"
        "        gradc_v[gradc_k] = gradc_up;\n        double gradc_fu = gradc_value();\n"
        "        gradc_v[gradc_k] = gradc_down;\n        double gradc_fd = gradc_value();\n"
        "        gradc_v[gradc_k] = gradc_x;\n"
        "        double gradc_est = (gradc_fu - gradc_fd) / (gradc_up - gradc_down);\n"
        "        printf(\"%%-12s\", gradc_names[gradc_k]);\n"
        "        gradc_put(gradc_g[gradc_k], 24);\n        gradc_put(gradc_est, 24);\n"
        "        printf(\"%%.2g\\n\", fabs(gradc_g[gradc_k] - gradc_est));\n"
        "    }\n",
        f->name, nv, nv);
    if (hessian)
        put_hessian(b, f, slot, args, nv);
    if (hessian && sparse)
        put_sparse_check(b, f, slot, args, 0, nv);
    buf_puts(b, "    return 0;\n}\n");
    free(slot);
}

/* ---- running the compiler --------------------------------------------- */

/* Runs argv and waits for it; *status is its exit status (128 if a signal
 * ended it). Reports an error if it cannot be run at all. */
static bool run_program(Diag *d, char **argv, int *status)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid;
    int err = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ);
    int st = 0;
    if (err == 0 && waitpid(pid, &st, 0) < 0)
        err = errno;
    if (err != 0) {
        diag_cmd_error(d, "cannot run '%s': %s", argv[0], strerror(err));
        return false;
    }
    *status = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
    return true;
}

static bool write_file(const char *path, const Buf *text)
{
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return false;
    bool ok = fwrite(text->data, 1, text->len, fp) == text->len;
    return (fclose(fp) == 0) && ok;
}

/* The files of one evaluation, in its temporary folder. */
typedef struct EvalFiles {
    char dir[4096];
    char c[4200], h[4200], driver[4200], exe[4200];
} EvalFiles;

static bool make_files(Diag *d, EvalFiles *ef, const char *hname)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(ef->dir, sizeof ef->dir, "%s/gradc-eval-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(ef->dir)) {
        diag_cmd_error(d, "cannot make a temporary directory: %s", strerror(errno));
        return false;
    }
    snprintf(ef->c, sizeof ef->c, "%s/model.c", ef->dir);
    snprintf(ef->h, sizeof ef->h, "%s/%s", ef->dir, hname);
    snprintf(ef->driver, sizeof ef->driver, "%s/driver.c", ef->dir);
    snprintf(ef->exe, sizeof ef->exe, "%s/driver", ef->dir);
    return true;
}

static void remove_files(const EvalFiles *ef)
{
    remove(ef->c);
    remove(ef->h);
    remove(ef->driver);
    remove(ef->exe);
    rmdir(ef->dir);
}

/* $CC (default cc), split at blanks, on the driver (which includes the
 * model). */
static bool compile_driver(Diag *d, const EvalFiles *ef)
{
    const char *cc = getenv("CC");
    if (!cc || !*cc)
        cc = "cc";
    char *ccopy = xmalloc(strlen(cc) + 1);
    strcpy(ccopy, cc);
    char *argv[64];
    int argc = 0;
    for (char *tok = strtok(ccopy, " \t"); tok && argc < 48; tok = strtok(NULL, " \t"))
        argv[argc++] = tok;
    /* the driver includes the model */
    const char *extra[] = {"-std=c99", "-O1", "-o", ef->exe, ef->driver, "-lm", NULL};
    for (int i = 0; extra[i]; i++)
        argv[argc + i] = (char *)extra[i];
    argv[argc + 6] = NULL;
    int rc = 0;
    bool ok = argc > 0 && run_program(d, argv, &rc) && rc == 0;
    if (argc == 0)
        diag_cmd_error(d, "$CC ('%s') names no C compiler", cc);
    else if (rc != 0)
        diag_cmd_error(d, "the C compiler ('%s') failed on the generated code%s", cc,
                       rc == 127 ? "" : " (this is a bug in gradc; please report it)");
    free(ccopy);
    return ok;
}

static bool compile_and_run(Diag *d, const EvalFiles *ef, const Buf *c_text, const Buf *h_text,
                            const Buf *driver)
{
    if (!write_file(ef->c, c_text) || !write_file(ef->h, h_text) || !write_file(ef->driver, driver)) {
        diag_cmd_error(d, "cannot write in '%s': %s", ef->dir, strerror(errno));
        return false;
    }
    if (!compile_driver(d, ef))
        return false;
    char *run[] = {(char *)ef->exe, NULL};
    int rc;
    if (!run_program(d, run, &rc))
        return false;
    if (rc != 0)
        diag_cmd_error(d, "the evaluation failed (status %d)", rc);
    return rc == 0;
}

/* The call of --eval: parsed, its function found among the primal ones,
 * and its arguments checked against the parameters (one per parameter in
 * *args, out arrays made). Reports an error and returns false if any. */
static bool resolve_call(Cx *cx, const char *call, IrFunc **fp, Arg **args)
{
    char name[256];
    Arg *given;
    int ngiven;
    if (!parse_call(&cx->diag, call, name, sizeof name, &given, &ngiven))
        return false;
    IrFunc *f = NULL;
    for (int i = 0; i < cx->ir->funcs.len; i++) {
        IrFunc *g = cx->ir->funcs.items[i];
        if (g->role == ROLE_PRIMAL && strcmp(g->name, name) == 0)
            f = g;
    }
    bool ok = f && check_args(&cx->diag, f, given, ngiven, args);
    if (!f)
        diag_cmd_error(&cx->diag, "--eval: no function '%s' in '%s'", name, cx->diag.path);
    free_args(given, ngiven);
    *fp = f;
    return ok;
}

bool eval_run(Cx *cx, const char *call, bool hessian, const Buf *c_text, const Buf *h_text,
              const char *header_path)
{
    IrFunc *f;
    Arg *args;
    if (!resolve_call(cx, call, &f, &args))
        return false;
    int nargs = f->params.len;
    if (hessian && !f->returns) {
        diag_cmd_error(&cx->diag, "--hessian: '%s' has 'out' parameters; the Hessian is for "
                       "functions that return a value", f->name);
        free_args(args, nargs);
        return false;
    }
    const char *slash = strrchr(header_path, '/');
    const char *hname = slash ? slash + 1 : header_path;
    Buf driver;
    buf_init(&driver);
    bool sparse = false;
    for (int i = 0; i < cx->ir->funcs.len; i++) {
        const IrFunc *g = cx->ir->funcs.items[i];
        sparse |= g->primal == f && (g->role == ROLE_JAC_SPARSE || g->role == ROLE_HESS_SPARSE);
    }
    put_driver(&driver, f, args, hessian, sparse);
    EvalFiles ef;
    bool ok = make_files(&cx->diag, &ef, hname);
    if (ok) {
        ok = compile_and_run(&cx->diag, &ef, c_text, h_text, &driver);
        remove_files(&ef);
    }
    buf_free(&driver);
    free_args(args, nargs);
    return ok;
}

/* ---- the graph at a point --------------------------------------------- */

/* --emit=dot --eval CALL: runs the function and its gradient on the IR and
 * writes the graph with every node's value and adjoint. */
bool eval_dot(Cx *cx, const char *call, Buf *out)
{
    IrFunc *f;
    Arg *full;
    if (!resolve_call(cx, call, &f, &full))
        return false;
    int np = f->params.len;
    IrFunc *g = f->grad && f->returns ? f->grad : NULL;
    int ng = g ? g->params.len : np;
    double *scalars = calloc((size_t)ng + 1, sizeof *scalars);
    double **arrays = calloc((size_t)ng + 1, sizeof *arrays);
    double **grads = calloc((size_t)ng + 1, sizeof *grads);
    for (int k = 0; k < np; k++) {
        const IrVar *p = f->params.items[k];
        scalars[k] = full[k].vals[0];
        arrays[k] = p->ndims ? full[k].vals : NULL;
    }
    Interp run = {0}, grad = {0};
    interp_run(&run, f, scalars, arrays);
    double *adjoint = calloc((size_t)f->vars.len + 1, sizeof *adjoint);
    bool *has = calloc((size_t)f->vars.len + 1, sizeof *has);
    if (g) {
        /* a place for each gradient output: a double, or an array as the input's */
        for (int k = np; k < ng; k++) {
            const IrVar *gp = g->params.items[k];
            int size = gp->ndims ? full[gp->grad_of->origin->id].n : 1;
            grads[k] = calloc((size_t)size + 1, sizeof(double));
            arrays[k] = grads[k];
        }
        interp_run(&grad, g, scalars, arrays);
        for (int i = 0; i < g->vars.len; i++) {
            const IrVar *v = g->vars.items[i];
            const IrVar *of = v->adj_of ? v->adj_of->origin : NULL;
            if (of && !v->ndims && !has[of->id]) {
                adjoint[of->id] = grad.last[i];
                has[of->id] = true;
            }
        }
        /* the inputs' adjoints are the gradient */
        for (int k = np; k < ng; k++) {
            const IrVar *gp = g->params.items[k];
            if (!gp->ndims) {
                adjoint[gp->grad_of->origin->id] = grads[k][0];
                has[gp->grad_of->origin->id] = true;
            }
        }
    }
    emit_dot(cx, f, run.last, run.set, adjoint, has, out);
    interp_free(&run);
    interp_free(&grad);
    for (int k = 0; k < ng; k++)
        free(grads[k]);
    free(grads);
    free(scalars);
    free(arrays);
    free(adjoint);
    free(has);
    free_args(full, np);
    return true;
}
