/* The program tree of gradc_random: constructors, deep copies (the reducer
 * edits copies), sizes of parameters, and the .fn printer. */
#include <stdlib.h>
#include <string.h>

#include "rt.h"
#include "util.h"

const BuiltinInfo rt_builtins[B_COUNT] = {
    [B_SQRT] = {"sqrt", 1, 0},   [B_CBRT] = {"cbrt", 1, 0},   [B_EXP] = {"exp", 1, 0},
    [B_EXPM1] = {"expm1", 1, 0}, [B_LOG] = {"log", 1, 0},     [B_LOG1P] = {"log1p", 1, 0},
    [B_LOG2] = {"log2", 1, 0},   [B_LOG10] = {"log10", 1, 0}, [B_SIN] = {"sin", 1, 0},
    [B_COS] = {"cos", 1, 0},     [B_TAN] = {"tan", 1, 0},     [B_ASIN] = {"asin", 1, 0},
    [B_ACOS] = {"acos", 1, 0},   [B_ATAN] = {"atan", 1, 0},   [B_SINH] = {"sinh", 1, 0},
    [B_COSH] = {"cosh", 1, 0},   [B_TANH] = {"tanh", 1, 0},   [B_ASINH] = {"asinh", 1, 0},
    [B_ACOSH] = {"acosh", 1, 0}, [B_ATANH] = {"atanh", 1, 0}, [B_ERF] = {"erf", 1, 0},
    [B_ABS] = {"abs", 1, 0},     [B_POW] = {"pow", 2, 0},     [B_ATAN2] = {"atan2", 2, 0},
    [B_HYPOT] = {"hypot", 2, 0}, [B_MIN] = {"min", 2, 0},     [B_MAX] = {"max", 2, 0},
    [B_ERFC] = {"erfc", 1, 1},   [B_LGAMMA] = {"lgamma", 1, 1}, [B_FLOOR] = {"floor", 1, 1},
    [B_CEIL] = {"ceil", 1, 1},   [B_SIGN] = {"sign", 1, 1},
};

/* ---- expressions ---------------------------------------------------------- */

Expr *ex_new(Op op, Kind kind)
{
    Expr *e = xcalloc(1, sizeof *e);
    e->op = op;
    e->kind = kind;
    e->var = -1;
    e->fn = -1;
    return e;
}

Expr *ex_num(double v)
{
    Expr *e = ex_new(OP_NUM, K_REAL);
    e->num = v;
    return e;
}

Expr *ex_int(long v)
{
    Expr *e = ex_new(OP_INT, K_INT);
    e->ival = v;
    return e;
}

Expr *ex_var(int var, Kind kind)
{
    Expr *e = ex_new(OP_VAR, kind);
    e->var = var;
    return e;
}

void ex_add_kid(Expr *e, Expr *k)
{
    e->kid = xrealloc(e->kid, (size_t)(e->nkid + 1) * sizeof *e->kid);
    e->kid[e->nkid++] = k;
}

Expr *ex_un(Op op, Kind kind, Expr *a)
{
    Expr *e = ex_new(op, kind);
    ex_add_kid(e, a);
    return e;
}

Expr *ex_bin(Op op, Kind kind, Expr *a, Expr *b)
{
    Expr *e = ex_new(op, kind);
    ex_add_kid(e, a);
    ex_add_kid(e, b);
    return e;
}

Expr *ex_builtin(Builtin b, Expr *a, Expr *c)
{
    Expr *e = ex_new(OP_BUILTIN, K_REAL);
    e->fn = (int)b;
    ex_add_kid(e, a);
    if (c)
        ex_add_kid(e, c);
    return e;
}

Expr *ex_clone(const Expr *e)
{
    if (!e)
        return NULL;
    Expr *c = xmalloc(sizeof *c);
    *c = *e;
    c->kid = NULL;
    c->nkid = 0;
    for (int i = 0; i < e->nkid; i++)
        ex_add_kid(c, ex_clone(e->kid[i]));
    return c;
}

void ex_free(Expr *e)
{
    if (!e)
        return;
    for (int i = 0; i < e->nkid; i++)
        ex_free(e->kid[i]);
    free(e->kid);
    free(e);
}

int ex_equal(const Expr *a, const Expr *b)
{
    if (a->op != b->op || a->nkid != b->nkid || a->var != b->var || a->fn != b->fn)
        return 0;
    if ((a->op == OP_NUM && a->num != b->num) || (a->op == OP_INT && a->ival != b->ival))
        return 0;
    for (int i = 0; i < a->nkid; i++)
        if (!ex_equal(a->kid[i], b->kid[i]))
            return 0;
    return 1;
}

/* Maps the variables below n through map (the others are left alone). */
void ex_renumber(Expr *e, const int *map, int n)
{
    if (!e)
        return;
    if ((e->op == OP_VAR || e->op == OP_INDEX) && e->var >= 0 && e->var < n)
        e->var = map[e->var];
    for (int i = 0; i < e->nkid; i++)
        ex_renumber(e->kid[i], map, n);
}

int ex_size(const Expr *e)
{
    int n = 1;
    for (int i = 0; i < e->nkid; i++)
        n += ex_size(e->kid[i]);
    return n;
}

/* ---- statements ----------------------------------------------------------- */

Stmt *st_new(SOp op)
{
    Stmt *s = xcalloc(1, sizeof *s);
    s->op = op;
    s->var = -1;
    s->aop = '=';
    return s;
}

void blk_insert(Block *b, int at, Stmt *s)
{
    if (b->n == b->cap) {
        b->cap = b->cap ? 2 * b->cap : 4;
        b->s = xrealloc(b->s, (size_t)b->cap * sizeof *b->s);
    }
    memmove(b->s + at + 1, b->s + at, (size_t)(b->n - at) * sizeof *b->s);
    b->s[at] = s;
    b->n++;
}

void blk_add(Block *b, Stmt *s)
{
    blk_insert(b, b->n, s);
}

/* Takes statement `at` out of the block without freeing it. */
void blk_remove(Block *b, int at)
{
    memmove(b->s + at, b->s + at + 1, (size_t)(b->n - at - 1) * sizeof *b->s);
    b->n--;
}

void blk_clone(Block *dst, const Block *src)
{
    memset(dst, 0, sizeof *dst);
    for (int i = 0; i < src->n; i++)
        blk_add(dst, st_clone(src->s[i]));
}

void blk_free(Block *b)
{
    for (int i = 0; i < b->n; i++)
        st_free(b->s[i]);
    free(b->s);
    memset(b, 0, sizeof *b);
}

Stmt *st_clone(const Stmt *s)
{
    Stmt *c = xmalloc(sizeof *c);
    *c = *s;
    for (int i = 0; i < s->nidx; i++)
        c->idx[i] = ex_clone(s->idx[i]);
    c->e = ex_clone(s->e);
    c->e2 = ex_clone(s->e2);
    blk_clone(&c->body, &s->body);
    blk_clone(&c->els, &s->els);
    return c;
}

void st_free(Stmt *s)
{
    if (!s)
        return;
    for (int i = 0; i < s->nidx; i++)
        ex_free(s->idx[i]);
    ex_free(s->e);
    ex_free(s->e2);
    blk_free(&s->body);
    blk_free(&s->els);
    free(s);
}

/* ---- functions and programs ------------------------------------------------ */

int fn_add_var(Func *f, const char *name, VarClass cls)
{
    if (f->nvar == f->capvar) {
        f->capvar = f->capvar ? 2 * f->capvar : 16;
        f->var = xrealloc(f->var, (size_t)f->capvar * sizeof *f->var);
    }
    Var *v = &f->var[f->nvar];
    memset(v, 0, sizeof *v);
    snprintf(v->name, sizeof v->name, "%s", name);
    v->cls = cls;
    return f->nvar++;
}

void fn_clone(Func *dst, const Func *src)
{
    *dst = *src;
    dst->var = xmalloc((size_t)(src->capvar ? src->capvar : 1) * sizeof *dst->var);
    for (int i = 0; i < src->nvar; i++) {
        dst->var[i] = src->var[i];
        for (int d = 0; d < src->var[i].ndim; d++)
            dst->var[i].dim[d] = ex_clone(src->var[i].dim[d]);
    }
    blk_clone(&dst->body, &src->body);
}

void fn_free(Func *f)
{
    for (int i = 0; i < f->nvar; i++)
        for (int d = 0; d < f->var[i].ndim; d++)
            ex_free(f->var[i].dim[d]);
    free(f->var);
    blk_free(&f->body);
}

Prog *prog_clone(const Prog *p)
{
    Prog *c = xmalloc(sizeof *c);
    *c = *p;
    c->fn = xmalloc((size_t)p->nfn * sizeof *c->fn);
    c->order = xmalloc((size_t)p->nfn * sizeof *c->order);
    for (int i = 0; i < p->nfn; i++) {
        fn_clone(&c->fn[i], &p->fn[i]);
        c->order[i] = p->order[i];
    }
    int n = prog_nreal(p);
    for (int k = 0; k < p->npt; k++) {
        c->pt[k] = xmalloc((size_t)(n ? n : 1) * sizeof(double));
        memcpy(c->pt[k], p->pt[k], (size_t)n * sizeof(double));
    }
    return c;
}

void prog_free(Prog *p)
{
    if (!p)
        return;
    for (int i = 0; i < p->nfn; i++)
        fn_free(&p->fn[i]);
    free(p->fn);
    free(p->order);
    for (int k = 0; k < p->npt; k++)
        free(p->pt[k]);
    free(p);
}

int var_is_array(const Var *v)
{
    return v->cls == V_ARR || v->cls == V_CONSTARR || v->cls == V_OUT || v->cls == V_LOCALARR;
}

int var_is_real_scalar(const Var *v)
{
    return v->cls == V_REAL || v->cls == V_CONST || v->cls == V_LOCAL;
}

int var_is_input(const Var *v)
{
    return v->cls == V_REAL || v->cls == V_CONST || v->cls == V_ARR || v->cls == V_CONSTARR;
}

/* The value of an int expression of fn[0]'s int parameters and literals. */
long prog_dim_value(const Prog *p, const Func *f, const Expr *e)
{
    switch (e->op) {
    case OP_INT:
        return e->ival;
    case OP_VAR:
        (void)f;
        return p->ival[e->var];
    case OP_ADD:
        return prog_dim_value(p, f, e->kid[0]) + prog_dim_value(p, f, e->kid[1]);
    case OP_SUB:
        return prog_dim_value(p, f, e->kid[0]) - prog_dim_value(p, f, e->kid[1]);
    case OP_MUL:
        return prog_dim_value(p, f, e->kid[0]) * prog_dim_value(p, f, e->kid[1]);
    case OP_DIV:
    case OP_MOD: {
        long a = prog_dim_value(p, f, e->kid[0]), b = prog_dim_value(p, f, e->kid[1]);
        return b == 0 ? 0 : e->op == OP_DIV ? a / b : a % b;
    }
    default:
        return 0;
    }
}

/* The number of doubles of fn[0]'s parameter `param` (1 for a scalar). */
int prog_param_size(const Prog *p, int param)
{
    const Func *f = &p->fn[0];
    const Var *v = &f->var[param];
    long n = 1;
    for (int d = 0; d < v->ndim; d++)
        n *= prog_dim_value(p, f, v->dim[d]);
    return (int)n;
}

static int count_params(const Prog *p, int want_const, int want_active, int want_out)
{
    const Func *f = &p->fn[0];
    int n = 0;
    for (int i = 0; i < f->nparam; i++) {
        VarClass c = f->var[i].cls;
        int is_const = c == V_CONST || c == V_CONSTARR;
        int is_active = c == V_REAL || c == V_ARR;
        if ((want_const && is_const) || (want_active && is_active) || (want_out && c == V_OUT))
            n += prog_param_size(p, i);
    }
    return n;
}

int prog_nreal(const Prog *p)
{
    return count_params(p, 1, 1, 0);
}

int prog_nactive(const Prog *p)
{
    return count_params(p, 0, 1, 0);
}

int prog_nout(const Prog *p)
{
    return count_params(p, 0, 0, 1);
}

/* ---- printing -------------------------------------------------------------- */

/* Binding strength, loosest first, as in LANGUAGE.md section 4. */
enum { P_TERN = 1, P_OR, P_AND, P_CMP, P_ADD, P_MUL, P_UNARY, P_POW, P_POSTFIX };

static int ex_prec(const Expr *e)
{
    switch (e->op) {
    case OP_TERN: return P_TERN;
    case OP_OR: return P_OR;
    case OP_AND: return P_AND;
    case OP_LT: case OP_LE: case OP_GT: case OP_GE: case OP_EQ: case OP_NE: return P_CMP;
    case OP_ADD: case OP_SUB: return P_ADD;
    case OP_MUL: case OP_DIV: case OP_MOD: return P_MUL;
    case OP_NEG: case OP_NOT: return P_UNARY;
    case OP_POW: return P_POW;
    default: return P_POSTFIX;
    }
}

static const char *ex_opname(Op op)
{
    switch (op) {
    case OP_ADD: return " + ";
    case OP_SUB: return " - ";
    case OP_MUL: return "*";
    case OP_DIV: return "/";
    case OP_MOD: return " % ";
    case OP_POW: return "^";
    case OP_LT: return " < ";
    case OP_LE: return " <= ";
    case OP_GT: return " > ";
    case OP_GE: return " >= ";
    case OP_EQ: return " == ";
    case OP_NE: return " != ";
    case OP_AND: return " && ";
    case OP_OR: return " || ";
    default: return "?";
    }
}

typedef struct {
    FILE *out;
    const Func *f;
    const Prog *p;
} Printer;

static void pr_expr(Printer *pr, const Expr *e, int minprec);

static void pr_number(FILE *out, double v)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%.17g", v);
    /* the shortest form that reads back the same */
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    fputs(buf, out);
}

static void pr_args(Printer *pr, const Expr *e)
{
    fputc('(', pr->out);
    for (int i = 0; i < e->nkid; i++) {
        if (i)
            fputs(", ", pr->out);
        pr_expr(pr, e->kid[i], P_TERN);
    }
    fputc(')', pr->out);
}

static void pr_binary(Printer *pr, const Expr *e)
{
    int p = ex_prec(e);
    int lp = p, rp = p + 1;
    if (p == P_CMP)
        lp = rp = P_ADD;
    if (e->op == OP_POW) {
        lp = P_POSTFIX;
        rp = P_POSTFIX;
    }
    pr_expr(pr, e->kid[0], lp);
    fputs(ex_opname(e->op), pr->out);
    /* x^-2: a negative int literal exponent is written bare */
    const Expr *r = e->kid[1];
    if (e->op == OP_POW && r->op == OP_NEG && r->kid[0]->op == OP_INT) {
        fprintf(pr->out, "-%ld", r->kid[0]->ival);
        return;
    }
    pr_expr(pr, r, rp);
}

static void pr_expr_bare(Printer *pr, const Expr *e)
{
    FILE *out = pr->out;
    switch (e->op) {
    case OP_NUM: pr_number(out, e->num); break;
    case OP_INT: fprintf(out, "%ld", e->ival); break;
    case OP_PI: fputs("pi", out); break;
    case OP_VAR: fputs(pr->f->var[e->var].name, out); break;
    case OP_INDEX:
        fputs(pr->f->var[e->var].name, out);
        for (int i = 0; i < e->nkid; i++) {
            fputc('[', out);
            pr_expr(pr, e->kid[i], P_TERN);
            fputc(']', out);
        }
        break;
    case OP_NEG:
    case OP_NOT:
        fputc(e->op == OP_NEG ? '-' : '!', out);
        pr_expr(pr, e->kid[0], e->kid[0]->op == e->op || e->kid[0]->op == OP_NEG ? P_POSTFIX : P_UNARY);
        break;
    case OP_TERN:
        pr_expr(pr, e->kid[0], P_OR);
        fputs(" ? ", out);
        pr_expr(pr, e->kid[1], P_OR);
        fputs(" : ", out);
        pr_expr(pr, e->kid[2], P_OR);
        break;
    case OP_BUILTIN:
        fputs(rt_builtins[e->fn].name, out);
        pr_args(pr, e);
        break;
    case OP_CALL:
        fprintf(out, "%s%s", pr->p->prefix, pr->p->fn[e->fn].name);
        pr_args(pr, e);
        break;
    default:
        pr_binary(pr, e);
        break;
    }
}

static void pr_expr(Printer *pr, const Expr *e, int minprec)
{
    int paren = ex_prec(e) < minprec;
    if (paren)
        fputc('(', pr->out);
    pr_expr_bare(pr, e);
    if (paren)
        fputc(')', pr->out);
}

void ex_print(FILE *out, const Func *f, const Prog *p, const Expr *e)
{
    Printer pr = {out, f, p};
    pr_expr(&pr, e, P_TERN);
}

static void pr_block(Printer *pr, const Block *b, int ind);

static void pr_indent(FILE *out, int ind)
{
    for (int i = 0; i < ind; i++)
        fputs("    ", out);
}

static void pr_dims(Printer *pr, const Var *v)
{
    for (int d = 0; d < v->ndim; d++) {
        fputc('[', pr->out);
        pr_expr(pr, v->dim[d], P_TERN);
        fputc(']', pr->out);
    }
}

static void pr_if(Printer *pr, const Stmt *s, int ind)
{
    FILE *out = pr->out;
    fputs("if (", out);
    pr_expr(pr, s->e, P_TERN);
    fputs(") {\n", out);
    pr_block(pr, &s->body, ind + 1);
    pr_indent(out, ind);
    fputc('}', out);
    if (s->els.n == 1 && s->els.s[0]->op == S_IF) {
        fputs(" else ", out);
        pr_if(pr, s->els.s[0], ind);
        return;
    }
    if (s->els.n) {
        fputs(" else {\n", out);
        pr_block(pr, &s->els, ind + 1);
        pr_indent(out, ind);
        fputc('}', out);
    }
}

static void pr_stmt(Printer *pr, const Stmt *s, int ind)
{
    FILE *out = pr->out;
    const Var *v = s->var >= 0 ? &pr->f->var[s->var] : NULL;
    pr_indent(out, ind);
    switch (s->op) {
    case S_LET:
        fprintf(out, "let %s%s = ", v->cls == V_INTLOCAL ? "int " : "", v->name);
        pr_expr(pr, s->e, P_TERN);
        fputs(";\n", out);
        return;
    case S_LETARR:
        fprintf(out, "let %s", v->name);
        pr_dims(pr, v);
        fputs(";\n", out);
        return;
    case S_ASSIGN:
        fputs(v->name, out);
        for (int i = 0; i < s->nidx; i++) {
            fputc('[', out);
            pr_expr(pr, s->idx[i], P_TERN);
            fputc(']', out);
        }
        if (s->aop == '=')
            fputs(" = ", out);
        else
            fprintf(out, " %c= ", s->aop);
        pr_expr(pr, s->e, P_TERN);
        fputs(";\n", out);
        return;
    case S_IF:
        pr_if(pr, s, ind);
        fputc('\n', out);
        return;
    case S_FOR:
        fprintf(out, "for %s in ", v->name);
        pr_expr(pr, s->e, P_TERN);
        fputs("..", out);
        pr_expr(pr, s->e2, P_TERN);
        fputs(" {\n", out);
        pr_block(pr, &s->body, ind + 1);
        pr_indent(out, ind);
        fputs("}\n", out);
        return;
    case S_WHILE:
        fputs("while (", out);
        pr_expr(pr, s->e, P_TERN);
        fputs(") {\n", out);
        pr_block(pr, &s->body, ind + 1);
        pr_indent(out, ind);
        fputs("}\n", out);
        return;
    case S_BREAK:
        fputs("break;\n", out);
        return;
    case S_CALL:
        pr_expr(pr, s->e, P_TERN);
        fputs(";\n", out);
        return;
    case S_RETURN:
        fputs("return ", out);
        pr_expr(pr, s->e, P_TERN);
        fputs(";\n", out);
        return;
    }
}

static void pr_block(Printer *pr, const Block *b, int ind)
{
    for (int i = 0; i < b->n; i++)
        pr_stmt(pr, b->s[i], ind);
}

static void pr_params(Printer *pr, const Func *f)
{
    FILE *out = pr->out;
    for (int i = 0; i < f->nparam; i++) {
        const Var *v = &f->var[i];
        if (i)
            fputs(", ", out);
        if (v->cls == V_INTP)
            fputs("int ", out);
        else if (v->cls == V_CONST || v->cls == V_CONSTARR)
            fputs("const ", out);
        else if (v->cls == V_OUT)
            fputs("out ", out);
        fputs(v->name, out);
        pr_dims(pr, v);
    }
}

static void pr_func(FILE *out, const Prog *p, const Func *f)
{
    Printer pr = {out, f, p};
    fprintf(out, "fn %s%s(", p->prefix, f->name);
    pr_params(&pr, f);
    if (f->expr_form && f->body.n == 1 && f->body.s[0]->op == S_RETURN) {
        fputs(") = ", out);
        pr_expr(&pr, f->body.s[0]->e, P_TERN);
        fputs(";\n", out);
        return;
    }
    fputs(") {\n", out);
    pr_block(&pr, &f->body, 1);
    fputs("}\n", out);
}

void prog_print(FILE *out, const Prog *p)
{
    fprintf(out, "# gradc_random seed=%llu index=%d stmts=%d points=%d features=0x%x: %s%s is tested\n",
            (unsigned long long)p->seed, p->index, p->max_stmts, p->npt, p->features, p->prefix, p->fn[0].name);
    for (int i = 0; i < p->nfn; i++)
        pr_func(out, p, &p->fn[p->order[i]]);
}

/* [[1, 2], [3, 4]]: dimension d of v onward, row-major from a. */
static void print_nested(FILE *out, const Prog *p, const Var *v, int d, const double *a)
{
    long n = prog_dim_value(p, &p->fn[0], v->dim[d]), inner = 1;
    for (int e = d + 1; e < v->ndim; e++)
        inner *= prog_dim_value(p, &p->fn[0], v->dim[e]);
    fputc('[', out);
    for (long i = 0; i < n; i++) {
        if (i)
            fputs(", ", out);
        if (d + 1 < v->ndim)
            print_nested(out, p, v, d + 1, a + i * inner);
        else
            fprintf(out, "%.17g", a[i]);
    }
    fputc(']', out);
}

/* "f(3, 0.25, [1, 2])": the call at point `pt`, as gradc --eval takes it. */
void prog_print_point(FILE *out, const Prog *p, int pt)
{
    const Func *f = &p->fn[0];
    const double *a = p->pt[pt];
    fprintf(out, "%s%s(", p->prefix, f->name);
    int first = 1;
    for (int i = 0, k = 0; i < f->nparam; i++) {
        const Var *v = &f->var[i];
        if (v->cls == V_OUT)   /* --eval lets out arguments be left out */
            continue;
        if (!first)
            fputs(", ", out);
        first = 0;
        if (v->cls == V_INTP) {
            fprintf(out, "%ld", p->ival[i]);
            continue;
        }
        int n = prog_param_size(p, i);
        if (v->ndim == 0) {
            fprintf(out, "%.17g", a[k++]);
            continue;
        }
        print_nested(out, p, v, 0, a + k);
        k += n;
    }
    fputc(')', out);
}
