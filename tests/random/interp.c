/* The oracle: a tree interpreter of the program in double arithmetic, with
 * the semantics of LANGUAGE.md (row-major arrays, out and local arrays
 * zero-filled, ints converted before real operations, truncating int
 * division, short-circuit && ||). It also guards the tests: it refuses a
 * point where a value leaves the safe range (a domain margin, a large
 * magnitude, a comparison too close to call), since finite differences
 * and the comparison with gradc's code would mean nothing there. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "rt.h"
#include "util.h"

#define RT_PI 3.14159265358979323846
#define LIMIT 1e6          /* the largest magnitude accepted */
#define MAX_STEPS 2000000L

typedef struct {
    double *d;
    long dim[RT_MAXDIM];
    int ndim;
    long size;
} Arr;

typedef struct {
    const Func *f;
    double *rv;     /* real scalars, by var */
    long *iv;       /* ints, by var */
    Arr *av;        /* arrays, by var */
    double ret;
} Frame;

typedef struct {
    const Prog *p;
    jmp_buf jb;
    double scale;
    long steps;
    char *why;
    size_t nwhy;
    void **mem;
    int nmem, capmem;
    int kink;       /* abs(0), hypot(0, 0), min/max of equal values, a real tie in a comparison */
} Interp;

enum { FLOW_NEXT, FLOW_BREAK, FLOW_RETURN };

static void refuse(Interp *I, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(I->why, I->nwhy, fmt, ap);
    va_end(ap);
    longjmp(I->jb, 1);
}

static void *alloc(Interp *I, size_t n)
{
    if (I->nmem == I->capmem) {
        I->capmem = I->capmem ? 2 * I->capmem : 64;
        I->mem = xrealloc(I->mem, (size_t)I->capmem * sizeof *I->mem);
    }
    return I->mem[I->nmem++] = xcalloc(1, n);
}

static double note(Interp *I, double v, const char *what)
{
    if (!isfinite(v) || fabs(v) > LIMIT)
        refuse(I, "%s gives %g", what, v);
    if (fabs(v) > I->scale)
        I->scale = fabs(v);
    return v;
}

static double eval_real(Interp *I, Frame *F, const Expr *e);
static int eval_cond(Interp *I, Frame *F, const Expr *e);
static double call(Interp *I, Frame *F, const Expr *e);

static long eval_int(Interp *I, Frame *F, const Expr *e)
{
    long a, b;
    switch (e->op) {
    case OP_INT: return e->ival;
    case OP_VAR: return F->iv[e->var];
    case OP_NEG: return -eval_int(I, F, e->kid[0]);
    case OP_ADD: return eval_int(I, F, e->kid[0]) + eval_int(I, F, e->kid[1]);
    case OP_SUB: return eval_int(I, F, e->kid[0]) - eval_int(I, F, e->kid[1]);
    case OP_MUL: return eval_int(I, F, e->kid[0]) * eval_int(I, F, e->kid[1]);
    case OP_DIV:
    case OP_MOD:
        a = eval_int(I, F, e->kid[0]);
        b = eval_int(I, F, e->kid[1]);
        if (b == 0)
            refuse(I, "int division by zero");
        return e->op == OP_DIV ? a / b : a % b;
    default:
        refuse(I, "generator bug: op %d in an int expression", (int)e->op);
        return 0;
    }
}

/* The flat offset of var[idx...], or a refusal when out of bounds. */
static long offset(Interp *I, Frame *F, int var, Expr *const *idx, int n)
{
    const Arr *a = &F->av[var];
    if (n != a->ndim)
        refuse(I, "generator bug: %d indices for %d dimensions", n, a->ndim);
    long off = 0;
    for (int d = 0; d < n; d++) {
        long i = eval_int(I, F, idx[d]);
        if (i < 0 || i >= a->dim[d])
            refuse(I, "generator bug: index %ld out of [0, %ld) in %s", i, a->dim[d], F->f->var[var].name);
        off = off * a->dim[d] + i;
    }
    return off;
}

static double margin(Interp *I, double x, int bad, const char *fn)
{
    if (bad)
        refuse(I, "%s(%g) is too close to the edge of its domain", fn, x);
    return x;
}

static double builtin1(Interp *I, Builtin b, double x)
{
    const char *n = rt_builtins[b].name;
    switch (b) {
    case B_SQRT: return sqrt(margin(I, x, x < 1e-3, n));
    case B_CBRT: return cbrt(margin(I, x, fabs(x) < 1e-3, n));
    case B_EXP: return exp(margin(I, x, fabs(x) > 30, n));
    case B_EXPM1: return expm1(margin(I, x, fabs(x) > 30, n));
    case B_LOG: return log(margin(I, x, x < 1e-3, n));
    case B_LOG1P: return log1p(margin(I, x, x < -0.999, n));
    case B_LOG2: return log2(margin(I, x, x < 1e-3, n));
    case B_LOG10: return log10(margin(I, x, x < 1e-3, n));
    case B_SIN: return sin(x);
    case B_COS: return cos(x);
    case B_TAN: return tan(margin(I, x, fabs(cos(x)) < 0.05, n));
    case B_ASIN: return asin(margin(I, x, fabs(x) > 0.99, n));
    case B_ACOS: return acos(margin(I, x, fabs(x) > 0.99, n));
    case B_ATAN: return atan(x);
    case B_SINH: return sinh(margin(I, x, fabs(x) > 30, n));
    case B_COSH: return cosh(margin(I, x, fabs(x) > 30, n));
    case B_TANH: return tanh(x);
    case B_ASINH: return asinh(x);
    case B_ACOSH: return acosh(margin(I, x, x < 1.01, n));
    case B_ATANH: return atanh(margin(I, x, fabs(x) > 0.99, n));
    case B_ERF: return erf(x);
    case B_ABS: I->kink |= x == 0; return fabs(x);
    case B_ERFC: return erfc(x);
    case B_LGAMMA: return lgamma(margin(I, x, x < 1e-2, n));
    case B_FLOOR: return floor(x);
    case B_CEIL: return ceil(x);
    case B_SIGN: return (double)((x > 0) - (x < 0));
    default: refuse(I, "generator bug: builtin %d", (int)b); return 0;
    }
}

static double builtin2(Interp *I, Builtin b, double x, double y)
{
    switch (b) {
    case B_POW:
        margin(I, x, x < 1e-2, "pow");
        return pow(x, y);
    case B_ATAN2:
        if (hypot(x, y) < 1e-3 || (y < 0 && fabs(x) < 1e-6))
            refuse(I, "atan2(%g, %g) is near its singularity or branch cut", x, y);
        return atan2(x, y);
    case B_HYPOT: I->kink |= x == 0 && y == 0; return hypot(x, y);
    case B_MIN: I->kink |= x == y; return fmin(x, y);
    case B_MAX: I->kink |= x == y; return fmax(x, y);
    default: refuse(I, "generator bug: builtin %d", (int)b); return 0;
    }
}

static double power(Interp *I, Frame *F, const Expr *e)
{
    double x = eval_real(I, F, e->kid[0]);
    const Expr *r = e->kid[1];
    if (r->kind == K_INT) {
        long k = eval_int(I, F, r);
        if (k < 0 && fabs(x) < 1e-2)
            refuse(I, "%g^%ld divides by about 0", x, k);
        return pow(x, (double)k);
    }
    double y = eval_real(I, F, r);
    margin(I, x, x < 1e-2, "^");
    return pow(x, y);
}

static double eval_real(Interp *I, Frame *F, const Expr *e)
{
    double a, b;
    if (e->kind == K_INT)
        return (double)eval_int(I, F, e);
    switch (e->op) {
    case OP_NUM: return e->num;
    case OP_PI: return RT_PI;
    case OP_VAR: return F->rv[e->var];
    case OP_INDEX: return F->av[e->var].d[offset(I, F, e->var, e->kid, e->nkid)];
    case OP_NEG: return -eval_real(I, F, e->kid[0]);
    case OP_ADD: return note(I, eval_real(I, F, e->kid[0]) + eval_real(I, F, e->kid[1]), "+");
    case OP_SUB: return note(I, eval_real(I, F, e->kid[0]) - eval_real(I, F, e->kid[1]), "-");
    case OP_MUL: return note(I, eval_real(I, F, e->kid[0]) * eval_real(I, F, e->kid[1]), "*");
    case OP_DIV:
        a = eval_real(I, F, e->kid[0]);
        b = eval_real(I, F, e->kid[1]);
        if (fabs(b) < 1e-3)
            refuse(I, "division by %g", b);
        return note(I, a / b, "/");
    case OP_POW: return note(I, power(I, F, e), "^");
    case OP_TERN:
        return eval_cond(I, F, e->kid[0]) ? eval_real(I, F, e->kid[1]) : eval_real(I, F, e->kid[2]);
    case OP_BUILTIN:
        a = eval_real(I, F, e->kid[0]);
        if (e->nkid == 1)
            return note(I, builtin1(I, (Builtin)e->fn, a), rt_builtins[e->fn].name);
        b = eval_real(I, F, e->kid[1]);
        return note(I, builtin2(I, (Builtin)e->fn, a, b), rt_builtins[e->fn].name);
    case OP_CALL: return note(I, call(I, F, e), "call");
    default:
        refuse(I, "generator bug: op %d in a real expression", (int)e->op);
        return 0;
    }
}

/* A real comparison whose sides differ by a rounding error could go the
 * other way in gradc's code: refused. Exactly equal sides are fine. */
static int compare(Interp *I, Op op, double a, double b)
{
    double d = fabs(a - b);
    if (d != 0 && d <= 1e-7 * fmax(1, fmax(fabs(a), fabs(b))))
        refuse(I, "comparison of %.17g and %.17g is too close to call", a, b);
    switch (op) {
    case OP_LT: return a < b;
    case OP_LE: return a <= b;
    case OP_GT: return a > b;
    case OP_GE: return a >= b;
    case OP_EQ: return a == b;
    default: return a != b;
    }
}

static int eval_cond(Interp *I, Frame *F, const Expr *e)
{
    switch (e->op) {
    case OP_NOT: return !eval_cond(I, F, e->kid[0]);
    case OP_AND: return eval_cond(I, F, e->kid[0]) && eval_cond(I, F, e->kid[1]);
    case OP_OR: return eval_cond(I, F, e->kid[0]) || eval_cond(I, F, e->kid[1]);
    case OP_LT: case OP_LE: case OP_GT: case OP_GE: case OP_EQ: case OP_NE:
        if (e->kid[0]->kind == K_INT && e->kid[1]->kind == K_INT) {
            long a = eval_int(I, F, e->kid[0]), b = eval_int(I, F, e->kid[1]);
            return compare(I, e->op, (double)a, (double)b);
        }
        {
            double a = eval_real(I, F, e->kid[0]), b = eval_real(I, F, e->kid[1]);
            I->kink |= a == b;      /* on a branch boundary at the point */
            return compare(I, e->op, a, b);
        }
    default:
        refuse(I, "generator bug: op %d in a condition", (int)e->op);
        return 0;
    }
}

/* ---- frames and calls ------------------------------------------------------------ */

static void frame_init(Interp *I, Frame *F, const Func *f)
{
    F->f = f;
    F->rv = alloc(I, (size_t)f->nvar * sizeof *F->rv + 1);
    F->iv = alloc(I, (size_t)f->nvar * sizeof *F->iv + 1);
    F->av = alloc(I, (size_t)f->nvar * sizeof *F->av + 1);
    F->ret = 0;
}

/* Sizes of array var of frame F from its dimension expressions. */
static void shape(Interp *I, Frame *F, int var, Arr *a)
{
    const Var *v = &F->f->var[var];
    a->ndim = v->ndim;
    a->size = 1;
    for (int d = 0; d < v->ndim; d++) {
        a->dim[d] = eval_int(I, F, v->dim[d]);
        if (a->dim[d] < 1)
            refuse(I, "size %ld of %s", a->dim[d], v->name);
        a->size *= a->dim[d];
    }
}

static int exec_block(Interp *I, Frame *F, const Block *b);

static double call(Interp *I, Frame *F, const Expr *e)
{
    const Func *h = &I->p->fn[e->fn];
    Frame G;
    frame_init(I, &G, h);
    for (int k = 0; k < h->nparam; k++)   /* ints first: sizes need them */
        if (h->var[k].cls == V_INTP)
            G.iv[k] = eval_int(I, F, e->kid[k]);
    for (int k = 0; k < h->nparam; k++)   /* every argument before the out arrays are cleared */
        if (h->var[k].cls == V_REAL || h->var[k].cls == V_CONST)
            G.rv[k] = eval_real(I, F, e->kid[k]);
    for (int k = 0; k < h->nparam; k++) {
        const Var *v = &h->var[k];
        if (var_is_array(v)) {
            const Expr *a = e->kid[k];
            const Arr *src = &F->av[a->var];
            /* a sub-array A[i]...: the row's offset and size (v2) */
            long off = 0, size = src->size;
            for (int d = 0; a->op == OP_INDEX && d < a->nkid; d++) {
                long i = eval_int(I, F, a->kid[d]);
                if (i < 0 || i >= src->dim[d])
                    refuse(I, "generator bug: index %ld out of [0, %ld) in %s", i, src->dim[d],
                           F->f->var[a->var].name);
                off = off * src->dim[d] + i;
                size /= src->dim[d];
            }
            shape(I, &G, k, &G.av[k]);
            if (G.av[k].size > size)
                refuse(I, "generator bug: %s gets a smaller array", v->name);
            G.av[k].d = src->d + off * size;
            if (v->cls == V_OUT)
                memset(G.av[k].d, 0, (size_t)G.av[k].size * sizeof(double));
        }
    }
    exec_block(I, &G, &h->body);
    return G.ret;
}

/* ---- statements ----------------------------------------------------------------- */

static double combine(Interp *I, int aop, double old, double v)
{
    switch (aop) {
    case '+': return note(I, old + v, "+=");
    case '-': return note(I, old - v, "-=");
    case '*': return note(I, old * v, "*=");
    case '/':
        if (fabs(v) < 1e-3)
            refuse(I, "/= by %g", v);
        return note(I, old / v, "/=");
    default: return note(I, v, "=");
    }
}

static void assign(Interp *I, Frame *F, const Stmt *s)
{
    const Var *v = &F->f->var[s->var];
    if (v->cls == V_INTLOCAL) {
        long x = eval_int(I, F, s->e), *t = &F->iv[s->var];
        *t = s->aop == '+' ? *t + x : s->aop == '-' ? *t - x : s->aop == '*' ? *t * x : x;
        return;
    }
    double x = eval_real(I, F, s->e);
    if (s->nidx == 0) {
        F->rv[s->var] = combine(I, s->aop, F->rv[s->var], x);
        return;
    }
    double *t = &F->av[s->var].d[offset(I, F, s->var, s->idx, s->nidx)];
    *t = combine(I, s->aop, *t, x);
}

static int exec_for(Interp *I, Frame *F, const Stmt *s)
{
    long lo = eval_int(I, F, s->e), hi = eval_int(I, F, s->e2);
    for (long i = lo; i < hi; i++) {
        F->iv[s->var] = i;
        int flow = exec_block(I, F, &s->body);
        if (flow == FLOW_BREAK)
            break;
        if (flow == FLOW_RETURN)
            return flow;
    }
    return FLOW_NEXT;
}

static int exec_while(Interp *I, Frame *F, const Stmt *s)
{
    while (eval_cond(I, F, s->e)) {
        int flow = exec_block(I, F, &s->body);
        if (flow == FLOW_BREAK)
            break;
        if (flow == FLOW_RETURN)
            return flow;
    }
    return FLOW_NEXT;
}

static int exec_stmt(Interp *I, Frame *F, const Stmt *s)
{
    if (++I->steps > MAX_STEPS)
        refuse(I, "more than %ld steps", MAX_STEPS);
    switch (s->op) {
    case S_LET:
        if (F->f->var[s->var].cls == V_INTLOCAL)
            F->iv[s->var] = eval_int(I, F, s->e);
        else
            F->rv[s->var] = note(I, eval_real(I, F, s->e), "let");
        return FLOW_NEXT;
    case S_LETARR: {
        Arr *a = &F->av[s->var];
        shape(I, F, s->var, a);
        a->d = alloc(I, (size_t)a->size * sizeof(double));
        return FLOW_NEXT;
    }
    case S_ASSIGN: assign(I, F, s); return FLOW_NEXT;
    case S_IF: return exec_block(I, F, eval_cond(I, F, s->e) ? &s->body : &s->els);
    case S_FOR: return exec_for(I, F, s);
    case S_WHILE: return exec_while(I, F, s);
    case S_BREAK: return FLOW_BREAK;
    case S_CALL: call(I, F, s->e); return FLOW_NEXT;
    case S_RETURN: F->ret = note(I, eval_real(I, F, s->e), "return"); return FLOW_RETURN;
    }
    return FLOW_NEXT;
}

static int exec_block(Interp *I, Frame *F, const Block *b)
{
    for (int i = 0; i < b->n; i++) {
        int flow = exec_stmt(I, F, b->s[i]);
        if (flow != FLOW_NEXT)
            return flow;
    }
    return FLOW_NEXT;
}

/* ---- entry ---------------------------------------------------------------------- */

/* Binds fn[0]'s parameters: ints from p->ival, reals from the point, out
 * arrays to res->out (or scratch). */
static void bind_main(Interp *I, Frame *F, const double *point, double *out)
{
    const Func *f = F->f;
    size_t k = 0, o = 0;
    for (int i = 0; i < f->nparam; i++)
        if (f->var[i].cls == V_INTP)
            F->iv[i] = I->p->ival[i];
    for (int i = 0; i < f->nparam; i++) {
        const Var *v = &f->var[i];
        if (v->cls == V_REAL || v->cls == V_CONST) {
            F->rv[i] = point[k++];
        } else if (v->cls == V_ARR || v->cls == V_CONSTARR) {
            shape(I, F, i, &F->av[i]);
            F->av[i].d = alloc(I, (size_t)F->av[i].size * sizeof(double));
            memcpy(F->av[i].d, point + k, (size_t)F->av[i].size * sizeof(double));
            k += (size_t)F->av[i].size;
        } else if (v->cls == V_OUT) {
            shape(I, F, i, &F->av[i]);
            F->av[i].d = out ? out + o : alloc(I, (size_t)F->av[i].size * sizeof(double));
            memset(F->av[i].d, 0, (size_t)F->av[i].size * sizeof(double));
            o += (size_t)F->av[i].size;
        }
    }
}

int interp_run(const Prog *p, const double *point, EvalResult *res)
{
    Interp I = {.p = p, .why = res->why, .nwhy = sizeof res->why};
    res->why[0] = 0;
    int failed = 0;
    Frame F;
    if (setjmp(I.jb) == 0) {
        frame_init(&I, &F, &p->fn[0]);
        bind_main(&I, &F, point, res->out);
        exec_block(&I, &F, &p->fn[0].body);
        res->value = F.ret;
        res->scale = I.scale;
        res->kink = I.kink;
    } else {
        failed = 1;
    }
    for (int i = 0; i < I.nmem; i++)
        free(I.mem[i]);
    free(I.mem);
    return failed;
}

int prog_validate(const Prog *p, char *why, size_t n)
{
    int nout = prog_nout(p);
    double *out = xmalloc((size_t)(nout ? nout : 1) * sizeof(double));
    for (int k = 0; k < p->npt; k++) {
        EvalResult r = {.out = out};
        if (interp_run(p, p->pt[k], &r)) {
            snprintf(why, n, "point %d: %s", k, r.why);
            free(out);
            return 1;
        }
    }
    free(out);
    return 0;
}
