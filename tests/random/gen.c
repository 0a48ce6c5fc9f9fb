/* The generator's statements: loops with runtime and triangular bounds,
 * local arrays sized by expressions, recurrences, accumulations, in-place
 * updates, copies, branches, calls of helpers with out arrays (fresh
 * buffers made when none of the right shape exists), and the endings that
 * make the body's work reach the result. */
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "util.h"

/* ---- scope -------------------------------------------------------------------- */

void gen_push(Gen *g, int var)
{
    if (g->nscope == g->capscope) {
        g->capscope = g->capscope ? 2 * g->capscope : 32;
        g->scope = xrealloc(g->scope, (size_t)g->capscope * sizeof *g->scope);
    }
    g->scope[g->nscope++] = var;
}

int gen_new_var(Gen *g, const char *name, VarClass cls)
{
    return fn_add_var(g->f, name, cls);
}

int gen_count(Gen *g, int (*ok)(const Var *))
{
    int n = 0;
    for (int i = 0; i < g->nscope; i++)
        n += ok(&g->f->var[g->scope[i]]);
    return n;
}

int gen_pick(Gen *g, int (*ok)(const Var *))
{
    int n = gen_count(g, ok);
    if (!n)
        return -1;
    int k = rng_int(g->r, n);
    for (int i = 0; i < g->nscope; i++)
        if (ok(&g->f->var[g->scope[i]]) && k-- == 0)
            return g->scope[i];
    return -1;
}

int is_readable_scalar(const Var *v)
{
    return var_is_real_scalar(v);
}

int is_readable_array(const Var *v)
{
    return var_is_array(v);
}

int is_writable_array(const Var *v)
{
    return v->cls == V_LOCALARR || v->cls == V_OUT;
}

int is_int_scalar(const Var *v)
{
    return v->cls == V_INTP || v->cls == V_LOOP || v->cls == V_INTLOCAL;
}

static int is_local_scalar(const Var *v)
{
    return v->cls == V_LOCAL;
}

static int is_int_param(const Var *v)
{
    return v->cls == V_INTP;
}

static int is_local_1d(const Var *v)
{
    return v->cls == V_LOCALARR && v->ndim == 1;
}

/* ---- small builders ----------------------------------------------------------- */

static Expr *num(double v)
{
    return ex_num(v);
}

Stmt *st_assign(int var, int aop, Expr *value)
{
    Stmt *s = st_new(S_ASSIGN);
    s->var = var;
    s->aop = aop;
    s->e = value;
    return s;
}

static const char *loop_name(int depth)
{
    static const char *names[GEN_MAXLOOP] = {"i", "j", "k", "l", "q", "r", "u", "w"};
    return names[depth];
}

/* Starts `for i in lo..hi`: a new index whose range the loop stack holds
 * while the body is written (gen_end_loop pops it). NULL if the range
 * cannot be proved. */
Stmt *gen_begin_loop(Gen *g, Expr *lo, Expr *hi)
{
    Poly l1, h1, l2, h2, one;
    if (g->nloop == GEN_MAXLOOP || !gen_range(g, lo, &l1, &h1) || !gen_range(g, hi, &l2, &h2)) {
        ex_free(lo);
        ex_free(hi);
        return NULL;
    }
    Stmt *s = st_new(S_FOR);
    s->var = gen_new_var(g, loop_name(g->nloop), V_LOOP);
    s->e = lo;
    s->e2 = hi;
    poly_const(&one, 1);
    LoopInfo *li = &g->loop[g->nloop++];
    li->var = s->var;
    li->lo = l1;
    poly_add(&li->hi, &h2, &one, -1);
    gen_push(g, s->var);
    return s;
}

void gen_end_loop(Gen *g)
{
    g->nloop--;
    g->nscope--;
}

static void gen_block(Gen *g, Block *b, int n);

/* for i.. { for j.. { } } over every dimension of array `var`: returns the
 * outermost loop and sets *inner to the innermost, whose indices are the
 * last ndim of the loop stack (gen_end_loop once per dimension after);
 * NULL, with nothing begun, if a range cannot be proved. The var table
 * grows here: no Var pointer may be held across this call. */
static Stmt *gen_nest(Gen *g, int var, Stmt **inner)
{
    int ndim = g->f->var[var].ndim;
    Stmt *outer = NULL, *in = NULL;
    for (int d = 0; d < ndim; d++) {
        Stmt *s = gen_begin_loop(g, ex_int(0), ex_clone(g->f->var[var].dim[d]));
        if (!s) {
            for (int k = 0; k < d; k++)
                gen_end_loop(g);
            st_free(outer);
            return NULL;
        }
        if (in)
            blk_add(&in->body, s);
        else
            outer = s;
        in = s;
    }
    *inner = in;
    return outer;
}

/* var[i][j] with the indices of the innermost loops of a gen_nest. */
static Expr *nest_element(Gen *g, int var)
{
    int ndim = g->f->var[var].ndim;
    Expr *e = ex_new(OP_INDEX, K_REAL);
    e->var = var;
    for (int d = 0; d < ndim; d++)
        ex_add_kid(e, ex_var(g->loop[g->nloop - ndim + d].var, K_INT));
    return e;
}

static void nest_end(Gen *g, int var)
{
    for (int d = 0; d < g->f->var[var].ndim; d++)
        gen_end_loop(g);
}

/* var[i][j] = value (or op=) at the innermost loops of a gen_nest. */
static Stmt *nest_assign(Gen *g, int var, int aop, Expr *value)
{
    Expr *el = nest_element(g, var);
    Stmt *a = st_assign(var, aop, value);
    for (int d = 0; d < el->nkid; d++)
        a->idx[a->nidx++] = ex_clone(el->kid[d]);
    ex_free(el);
    return a;
}

/* for i in 0..D { t[i] = e } over every dimension of t (nested loops). */
static void gen_fill(Gen *g, Block *b, int var)
{
    Stmt *inner, *outer = gen_nest(g, var, &inner);
    if (!outer)
        return;
    blk_add(&inner->body, nest_assign(g, var, '=', gen_real(g, 2)));
    nest_end(g, var);
    blk_add(b, outer);
}

/* ---- sizes ------------------------------------------------------------------ */

/* A size >= 1: an int parameter, a literal, or (where allowed) an
 * expression of them. */
Expr *gen_size(Gen *g, int allow_expr)
{
    int p = gen_pick(g, is_int_param);
    if (p < 0 || rng_chance(g->r, 0.15))
        return ex_int(rng_chance(g->r, 0.1) ? 1 : rng_range(g->r, 2, 4));
    Expr *n = ex_var(p, K_INT);
    if (!allow_expr || rng_chance(g->r, 0.5))
        return n;
    int q = gen_pick(g, is_int_param);
    switch (rng_int(g->r, 5)) {
    case 4:   /* n/2 + 1, n%3 + 1: truncating int arithmetic in a size */
        if (rng_chance(g->r, 0.5))
            return ex_bin(OP_ADD, K_INT, ex_bin(OP_DIV, K_INT, n, ex_int(2)), ex_int(1));
        return ex_bin(OP_ADD, K_INT, ex_bin(OP_MOD, K_INT, n, ex_int(3)), ex_int(1));
    case 0: return ex_bin(OP_ADD, K_INT, n, ex_int(1));
    case 1: return ex_bin(OP_MUL, K_INT, n, ex_var(q, K_INT));
    case 2: return ex_bin(OP_MUL, K_INT, ex_int(2), n);
    default: return ex_bin(OP_ADD, K_INT, n, ex_var(q, K_INT));
    }
}

static int gen_local_array(Gen *g, Block *b, int fill)
{
    char name[16];
    snprintf(name, sizeof name, "t%d", ++g->narr);
    int v = gen_new_var(g, name, V_LOCALARR);
    Var *var = &g->f->var[v];
    var->ndim = (g->feat & F_2D) && rng_chance(g->r, 0.25) ? 2 : 1;
    for (int d = 0; d < var->ndim; d++)
        g->f->var[v].dim[d] = gen_size(g, 1);
    Stmt *s = st_new(S_LETARR);
    s->var = v;
    blk_add(b, s);
    gen_push(g, v);
    if (fill)
        gen_fill(g, b, v);
    return v;
}

/* ---- statements --------------------------------------------------------------- */

static int pick_aop(Gen *g)
{
    static const int ops[] = {'=', '=', '=', '+', '+', '+', '+', '-', '-', '*', '/'};
    return ops[rng_int(g->r, 11)];
}

static Expr *gen_rhs(Gen *g, int aop)
{
    if (aop == '*')
        return rng_chance(g->r, 0.5) ? gen_bounded(g, 2)
                                     : ex_bin(OP_ADD, K_REAL, num(1), ex_bin(OP_MUL, K_REAL, num(0.5), gen_bounded(g, 2)));
    if (aop == '/')
        return gen_pos(g, 2);
    return gen_real(g, 3);
}

static void gen_let(Gen *g, Block *b)
{
    char name[16];
    snprintf(name, sizeof name, "a%d", ++g->nlocal);
    Stmt *s = st_new(S_LET);
    s->e = gen_real(g, 3);   /* before the name is visible */
    s->var = gen_new_var(g, name, V_LOCAL);
    blk_add(b, s);
    gen_push(g, s->var);
}

static void gen_let_int(Gen *g, Block *b)
{
    char name[16];
    snprintf(name, sizeof name, "m%d", ++g->nlocal);
    Stmt *s = st_new(S_LET);
    int q = gen_pick(g, is_int_scalar);
    s->e = q >= 0 ? ex_bin(OP_ADD, K_INT, ex_var(q, K_INT), ex_int(1)) : ex_int(1);
    s->var = gen_new_var(g, name, V_INTLOCAL);
    blk_add(b, s);
    gen_push(g, s->var);
}

static void gen_assign_elem(Gen *g, Block *b)
{
    int v = gen_pick(g, is_writable_array);
    Expr *el = gen_element(g, v);
    int aop = pick_aop(g);
    Expr *rhs = gen_rhs(g, aop);
    if (aop == '=' && rng_chance(g->r, 0.4)) {
        /* in place: t[i] = f(t[i], ...), the old value read, then overwritten */
        Expr *old = ex_clone(el);
        rhs = ex_bin(OP_ADD, K_REAL, (g->feat & F_BUILTINS) ? ex_builtin(B_SIN, old, NULL)
                                                            : ex_bin(OP_MUL, K_REAL, num(0.5), old), rhs);
    }
    Stmt *s = st_assign(v, aop, rhs);
    for (int d = 0; d < el->nkid; d++)
        s->idx[s->nidx++] = ex_clone(el->kid[d]);
    ex_free(el);
    blk_add(b, s);
}

static int same_shape(const Var *a, const Var *b)
{
    if (a->ndim != b->ndim)
        return 0;
    for (int d = 0; d < a->ndim; d++)
        if (!ex_equal(a->dim[d], b->dim[d]))
            return 0;
    return 1;
}

/* for i.. { t[i] = u[i]; }: an array copied into a local or out array of
 * the same shape (h = h2 after an RNN cell writes h2); 0 if none fits. */
static int gen_copy(Gen *g, Block *b)
{
    int dst = gen_pick(g, is_writable_array);
    int cand[64], nc = 0;
    for (int i = 0; i < g->nscope && nc < 64; i++) {
        int v = g->scope[i];
        if (v != dst && is_readable_array(&g->f->var[v]) && same_shape(&g->f->var[v], &g->f->var[dst]))
            cand[nc++] = v;
    }
    if (!nc)
        return 0;
    int src = cand[rng_int(g->r, nc)];
    Stmt *inner, *outer = gen_nest(g, dst, &inner);
    if (!outer)
        return 0;
    blk_add(&inner->body, nest_assign(g, dst, '=', nest_element(g, src)));
    nest_end(g, dst);
    blk_add(b, outer);
    return 1;
}

static void gen_if(Gen *g, Block *b)
{
    Stmt *s = st_new(S_IF);
    s->e = gen_cond(g, 2);
    gen_block(g, &s->body, rng_range(g->r, 1, 3));
    if (rng_chance(g->r, 0.15) && g->budget > 0)
        gen_if(g, &s->els);
    else if (rng_chance(g->r, 0.5))
        gen_block(g, &s->els, rng_range(g->r, 1, 2));
    blk_add(b, s);
}

/* The bounds of a new loop: over a dimension of a visible array (0..D,
 * 1..D, 0..D-1), triangular on an enclosing index (i..n, 0..i), or up to
 * an int parameter or a literal. */
static void loop_bounds(Gen *g, Expr **lo, Expr **hi)
{
    int a = gen_pick(g, is_readable_array);
    int w = rng_int(g->r, 10);
    if (w < 5 && a >= 0) {
        const Var *v = &g->f->var[a];
        Expr *d = ex_clone(v->dim[rng_int(g->r, v->ndim)]);
        int shift = rng_int(g->r, 6);
        *lo = ex_int(shift == 1 || shift == 3);
        *hi = shift >= 2 && shift <= 3 ? ex_bin(OP_SUB, K_INT, d, ex_int(1)) : d;
        return;
    }
    if (w < 8 && g->nloop) {
        Expr *i = ex_var(g->loop[g->nloop - 1].var, K_INT);
        Expr *n = gen_size(g, 0);
        switch (rng_int(g->r, 4)) {
        case 0: *lo = i; *hi = n; return;
        case 1: *lo = ex_bin(OP_ADD, K_INT, i, ex_int(1)); *hi = n; return;
        case 2: *lo = ex_int(0); *hi = i; ex_free(n); return;
        default: *lo = ex_int(0); *hi = ex_bin(OP_ADD, K_INT, i, ex_int(1)); ex_free(n); return;
        }
    }
    *lo = ex_int(rng_chance(g->r, 0.2));
    *hi = gen_size(g, 0);
}

static void gen_for(Gen *g, Block *b)
{
    Expr *lo, *hi;
    loop_bounds(g, &lo, &hi);
    Stmt *s = gen_begin_loop(g, lo, hi);
    if (!s)
        return;
    int saved_for = g->in_for;
    g->in_for = 1;
    gen_block(g, &s->body, rng_range(g->r, 1, 4));
    if ((g->feat & F_BREAK) && rng_chance(g->r, 0.3)) {
        Stmt *br = st_new(S_IF);
        br->e = gen_cond(g, 1);
        blk_add(&br->body, st_new(S_BREAK));
        blk_insert(&s->body, rng_int(g->r, s->body.n + 1), br);
    }
    g->in_for = saved_for;
    gen_end_loop(g);
    blk_add(b, s);
}

/* let int c = 0; while (c < n && cond) { ...; c += 1; } (v2) */
static void gen_while(Gen *g, Block *b)
{
    char name[16];
    snprintf(name, sizeof name, "c%d", ++g->nlocal);
    Stmt *let = st_new(S_LET);
    let->e = ex_int(0);
    let->var = gen_new_var(g, name, V_INTLOCAL);
    blk_add(b, let);
    gen_push(g, let->var);
    Stmt *s = st_new(S_WHILE);
    s->e = ex_bin(OP_LT, K_COND, ex_var(let->var, K_INT), gen_pos_int(g));
    if (rng_chance(g->r, 0.5))
        s->e = ex_bin(OP_AND, K_COND, s->e, gen_cond(g, 1));
    gen_block(g, &s->body, rng_range(g->r, 1, 3));
    Stmt *inc = st_assign(let->var, '+', ex_int(1));
    blk_add(&s->body, inc);
    blk_add(b, s);
}

/* t[i+1] = f(t[i]) + e over a local array: values written by the previous
 * iteration are read by the next. */
static void gen_recurrence(Gen *g, Block *b)
{
    int t = gen_pick(g, is_local_1d);
    const Var *v = &g->f->var[t];
    int forward = rng_chance(g->r, 0.5);
    Stmt *s = gen_begin_loop(g, ex_int(forward ? 0 : 1),
                             forward ? ex_bin(OP_SUB, K_INT, ex_clone(v->dim[0]), ex_int(1))
                                     : ex_clone(v->dim[0]));
    if (!s)
        return;
    Expr *i = ex_var(s->var, K_INT);
    Expr *prev = ex_new(OP_INDEX, K_REAL);
    prev->var = t;
    ex_add_kid(prev, forward ? ex_clone(i) : ex_bin(OP_SUB, K_INT, ex_clone(i), ex_int(1)));
    Expr *f;
    switch (rng_int(g->r, 3)) {
    case 0: f = ex_builtin(B_TANH, ex_bin(OP_ADD, K_REAL, ex_bin(OP_MUL, K_REAL, num(0.5), prev), gen_real(g, 2)), NULL); break;
    case 1: f = ex_bin(OP_ADD, K_REAL, ex_bin(OP_MUL, K_REAL, num(0.5), prev), gen_bounded(g, 2)); break;
    default: f = ex_bin(OP_MUL, K_REAL, ex_builtin(B_SIN, prev, NULL), gen_bounded(g, 2)); break;
    }
    Stmt *a = st_assign(t, rng_chance(g->r, 0.8) ? '=' : '+', f);
    a->idx[a->nidx++] = forward ? ex_bin(OP_ADD, K_INT, i, ex_int(1)) : i;
    blk_add(&s->body, a);
    gen_end_loop(g);
    blk_add(b, s);
}

/* let w = c; for i in lo..hi { ...; s += e * w; w = w * c2 (+ c3); }: a
 * value the loop carries without a derivative and its reverse reads, which
 * the reverse sweep computes again by running the loop forwards (gradc's
 * replayed loops); sometimes from an entry value that is not a constant. */
static void gen_power(Gen *g, Block *b)
{
    static const double factors[] = {0.5, 0.75, 0.9, 1.1, -0.8};
    int target = gen_pick(g, is_local_scalar);
    char name[16];
    snprintf(name, sizeof name, "w%d", ++g->nlocal);
    Stmt *let = st_new(S_LET);
    let->e = num(0.5 + 0.25 * rng_int(g->r, 4));
    let->var = gen_new_var(g, name, V_LOCAL);
    blk_add(b, let);
    gen_push(g, let->var);
    int w = let->var;
    if (rng_chance(g->r, 0.3))
        blk_add(b, st_assign(w, '*', num(factors[rng_int(g->r, 5)])));
    Expr *lo, *hi;
    loop_bounds(g, &lo, &hi);
    Stmt *s = gen_begin_loop(g, lo, hi);
    if (!s)
        return;
    gen_block(g, &s->body, rng_range(g->r, 1, 2));
    blk_add(&s->body, st_assign(target, '+', ex_bin(OP_MUL, K_REAL, gen_real(g, 2), ex_var(w, K_REAL))));
    double f = factors[rng_int(g->r, 5)];
    Expr *next = ex_bin(OP_MUL, K_REAL, ex_var(w, K_REAL), num(f));
    if (rng_chance(g->r, 0.5))
        next = ex_bin(OP_ADD, K_REAL, next, num(0.25));
    blk_add(&s->body, st_assign(w, '=', next));
    gen_end_loop(g);
    blk_add(b, s);
}

/* for s in lo..hi { for i in 0..n { x += e * t[i]; } ...; for i in 0..n {
 * t[i] = f(t[i], x); } }: the iteration reads an array in a nested loop,
 * then rewrites it (an RNN step); gradc saves the array whole just before
 * the statement that first writes it (late snapshots). */
static void gen_state(Gen *g, Block *b)
{
    int t = gen_pick(g, is_local_1d);
    int target = gen_pick(g, is_local_scalar);
    Expr *dim = ex_clone(g->f->var[t].dim[0]);
    Expr *lo, *hi;
    loop_bounds(g, &lo, &hi);
    Stmt *s = gen_begin_loop(g, lo, hi);
    if (!s) {
        ex_free(dim);
        return;
    }
    Stmt *r = gen_begin_loop(g, ex_int(0), ex_clone(dim));
    if (r) {
        Expr *rd = ex_new(OP_INDEX, K_REAL);
        rd->var = t;
        ex_add_kid(rd, ex_var(r->var, K_INT));
        blk_add(&r->body, st_assign(target, '+', ex_bin(OP_MUL, K_REAL, gen_bounded(g, 1), rd)));
        gen_end_loop(g);
        blk_add(&s->body, r);
    }
    if (rng_chance(g->r, 0.5))
        gen_block(g, &s->body, 1);
    Stmt *w = gen_begin_loop(g, ex_int(0), dim);
    if (w) {
        Expr *old = ex_new(OP_INDEX, K_REAL);
        old->var = t;
        ex_add_kid(old, ex_var(w->var, K_INT));
        Expr *x = ex_bin(OP_MUL, K_REAL, num(0.25), ex_var(target, K_REAL));
        Expr *f = rng_chance(g->r, 0.5)
                      ? ex_builtin(B_TANH, ex_bin(OP_ADD, K_REAL, ex_bin(OP_MUL, K_REAL, num(0.5), old), x), NULL)
                      : ex_bin(OP_MUL, K_REAL, num(0.9), ex_builtin(B_SIN, ex_bin(OP_ADD, K_REAL, old, x), NULL));
        Stmt *a = st_assign(t, '=', f);
        a->idx[a->nidx++] = ex_var(w->var, K_INT);
        blk_add(&w->body, a);
        gen_end_loop(g);
        blk_add(&s->body, w);
    }
    gen_end_loop(g);
    blk_add(b, s);
}

static int out_callee(Gen *g)
{
    int c[16], n = 0;
    for (int j = g->fi + 1; j < g->p->nfn && n < 16; j++)
        if (g->p->fn[j].has_out)
            c[n++] = j;
    return n ? c[rng_int(g->r, n)] : -1;
}

/* A callee's size expression in the caller's terms: its int parameters
 * replaced by their arguments (bound to a fresh size when still free). */
static Expr *caller_size(Gen *g, const Expr *hd, Expr **bind)
{
    if (hd->op == OP_VAR) {
        if (!bind[hd->var])
            bind[hd->var] = gen_size(g, 1);
        return ex_clone(bind[hd->var]);
    }
    Expr *c = ex_clone(hd);
    for (int i = 0; i < c->nkid; i++) {
        ex_free(c->kid[i]);
        c->kid[i] = caller_size(g, hd->kid[i], bind);
    }
    return c;
}

/* A local array of the callee parameter's shape, the int arguments bound
 * so far substituted (and the free ones bound to a fresh choice). */
static int fresh_array_for(Gen *g, Block *b, const Func *h, int param, Expr **bind, int fill)
{
    const Var *pv = &h->var[param];
    char name[16];
    snprintf(name, sizeof name, "t%d", ++g->narr);
    int v = gen_new_var(g, name, V_LOCALARR);
    g->f->var[v].ndim = pv->ndim;
    for (int d = 0; d < pv->ndim; d++)
        g->f->var[v].dim[d] = caller_size(g, pv->dim[d], bind);
    Stmt *s = st_new(S_LETARR);
    s->var = v;
    blk_add(b, s);
    gen_push(g, v);
    if (fill)
        gen_fill(g, b, v);
    return v;
}

/* h(args, outs); with out arrays that are local arrays or the caller's own
 * out arrays; arrays of the right shape that do not exist yet are made. */
static Expr *gen_out_call(Gen *g, Block *b, int j)
{
    const Func *h = &g->p->fn[j];
    Expr *bind[64] = {0}, *arg[64] = {0};
    int used[64], nused = 0;
    for (int k = 0; k < h->nparam; k++)
        if (h->var[k].cls == V_OUT) {
            int nfix = 0;
            int v = rng_chance(g->r, 0.85) ? gen_bind_array(g, h, k, bind, 1, used, nused, &nfix) : -1;
            if (v < 0) {
                v = fresh_array_for(g, b, h, k, bind, 0);
                nfix = 0;
            }
            used[nused++] = v;
            arg[k] = gen_array_arg(g, v, nfix);
        }
    for (int k = 0; k < h->nparam; k++)
        if (h->var[k].cls == V_ARR || h->var[k].cls == V_CONSTARR) {
            int nfix = 0;
            int v = gen_bind_array(g, h, k, bind, 0, used, nused, &nfix);
            if (v < 0) {
                v = fresh_array_for(g, b, h, k, bind, 1);
                nfix = 0;
            }
            arg[k] = gen_array_arg(g, v, nfix);
        }
    Expr *call = ex_new(OP_CALL, K_REAL);
    call->fn = j;
    for (int k = 0; k < h->nparam; k++) {
        Expr *a = arg[k];
        if (h->var[k].cls == V_INTP)
            a = bind[k] ? bind[k] : gen_pos_int(g);
        else if (!a)
            a = gen_real(g, 2);
        ex_add_kid(call, a);
    }
    return call;
}

static void gen_call_stmt(Gen *g, Block *b)
{
    int j = out_callee(g);
    Stmt *s = st_new(S_CALL);
    s->e = gen_out_call(g, b, j);
    blk_add(b, s);
    if (!rng_chance(g->r, 0.4))
        return;
    /* the same buffers again, other scalar arguments: g(x, a); g(x*x, a); */
    Stmt *again = st_new(S_CALL);
    again->e = ex_clone(s->e);
    const Func *h = &g->p->fn[j];
    for (int k = 0; k < h->nparam; k++)
        if (var_is_real_scalar(&h->var[k])) {
            ex_free(again->e->kid[k]);
            again->e->kid[k] = gen_real(g, 2);
        }
    blk_add(b, again);
}

typedef enum { W_LET, W_LETARR, W_ASSIGN, W_ELEM, W_IF, W_FOR, W_CALL, W_REC, W_COPY, W_WHILE, W_LETINT, W_POWER, W_STATE, W_N } StmtKind;

static int stmt_weight(Gen *g, StmtKind k)
{
    int top_ok = g->nloop == 0 || (g->feat & F_LETLOOP);
    switch (k) {
    case W_LET: return top_ok ? 3 : 0;
    case W_LETARR: return (g->feat & F_LOCALARR) && top_ok ? 1 : 0;
    case W_ASSIGN: return gen_count(g, is_local_scalar) ? 3 : 0;
    case W_ELEM: return gen_count(g, is_writable_array) ? 4 : 0;
    case W_IF: return (g->feat & F_IF) && g->depth < 3 ? 2 : 0;
    case W_FOR: return (g->feat & F_LOOPS) && g->nloop < 3 ? 3 : 0;
    case W_CALL: return (g->feat & F_OUTCALLS) && out_callee(g) >= 0 ? (g->nloop ? 3 : 2) : 0;
    case W_COPY: return (g->feat & F_LOOPS) && gen_count(g, is_writable_array) && g->nloop < 2 ? 1 : 0;
    case W_REC: return (g->feat & F_LOOPS) && gen_count(g, is_local_1d) ? 1 : 0;
    case W_WHILE: return (g->feat & F_WHILE) && (g->feat & F_LETINT) && g->depth < 2 ? 1 : 0;
    case W_LETINT: return (g->feat & F_LETINT) && top_ok ? 1 : 0;
    case W_POWER: return (g->feat & F_LOOPS) && g->nloop < 3 && top_ok && gen_count(g, is_local_scalar) ? 1 : 0;
    case W_STATE:
        return (g->feat & F_LOOPS) && g->nloop < 2 && gen_count(g, is_local_1d) && gen_count(g, is_local_scalar) ? 1 : 0;
    default: return 0;
    }
}

void gen_stmt(Gen *g, Block *b)
{
    int w[W_N], total = 0;
    for (int k = 0; k < W_N; k++)
        total += w[k] = stmt_weight(g, (StmtKind)k);
    int x = rng_int(g->r, total);
    StmtKind k = 0;
    while (x >= w[k])
        x -= w[k++];
    g->budget--;
    g->depth++;
    switch (k) {
    case W_LET: gen_let(g, b); break;
    case W_LETARR: gen_local_array(g, b, rng_chance(g->r, 0.7)); break;
    case W_ASSIGN: {
        int aop = pick_aop(g);
        int v = gen_pick(g, is_local_scalar);
        blk_add(b, st_assign(v, aop, gen_rhs(g, aop)));
        break;
    }
    case W_ELEM: gen_assign_elem(g, b); break;
    case W_IF: gen_if(g, b); break;
    case W_FOR: gen_for(g, b); break;
    case W_CALL: gen_call_stmt(g, b); break;
    case W_REC: gen_recurrence(g, b); break;
    case W_COPY:
        if (!gen_copy(g, b))
            gen_assign_elem(g, b);
        break;
    case W_WHILE: gen_while(g, b); break;
    case W_LETINT: gen_let_int(g, b); break;
    case W_POWER: gen_power(g, b); break;
    case W_STATE: gen_state(g, b); break;
    default: break;
    }
    g->depth--;
}

/* Up to n statements (fewer when the budget runs out), in a scope of their own. */
static Expr *gen_term(Gen *g, int var);

/* Locals that die with their block would be dead code: most of them are
 * folded into a local of an enclosing block (acc += f(a)). */
static void fold_out(Gen *g, Block *b, int saved)
{
    int outer[64], no = 0;
    for (int i = 0; i < saved && no < 64; i++)
        if (g->f->var[g->scope[i]].cls == V_LOCAL)
            outer[no++] = g->scope[i];
    if (!no)
        return;
    for (int i = saved; i < g->nscope; i++) {
        int v = g->scope[i], acc = outer[rng_int(g->r, no)];
        VarClass c = g->f->var[v].cls;
        if (c == V_LOCAL && rng_chance(g->r, 0.7)) {
            int aop = rng_chance(g->r, 0.8) ? '+' : '-';
            blk_add(b, st_assign(acc, aop, gen_term(g, v)));
        } else if (c == V_LOCALARR && rng_chance(g->r, 0.5)) {
            blk_add(b, st_assign(acc, '+', gen_element(g, v)));
        }
    }
}

static void gen_block(Gen *g, Block *b, int n)
{
    int saved = g->nscope;
    for (int k = 0; k < n && g->budget > 0; k++)
        gen_stmt(g, b);
    if (!b->n && gen_count(g, is_local_scalar)) {   /* a block is never empty */
        int v = gen_pick(g, is_local_scalar);
        blk_add(b, st_assign(v, '+', gen_real(g, 2)));
    } else if (!b->n) {
        gen_let(g, b);
    }
    fold_out(g, b, saved);
    g->nscope = saved;
}

/* ---- endings: what makes the body's work reach the result ---------------------- */

/* let r = 0; for i.. { r += w(t[i..]) } for a local array t. */
static int gen_reduction(Gen *g, Block *b, int t)
{
    char name[16];
    snprintf(name, sizeof name, "a%d", ++g->nlocal);
    Stmt *let = st_new(S_LET);
    let->e = num(0);
    let->var = gen_new_var(g, name, V_LOCAL);
    blk_add(b, let);
    Stmt *inner, *outer = gen_nest(g, t, &inner);
    if (!outer)
        return let->var;
    Expr *el = nest_element(g, t);
    Expr *w;
    switch (rng_int(g->r, 4)) {
    case 0: w = el; break;
    case 1: w = ex_bin(OP_POW, K_REAL, el, ex_int(2)); break;
    case 2: w = ex_builtin((g->feat & F_BUILTINS) ? B_SIN : B_ABS, el, NULL); break;
    default: w = ex_bin(OP_MUL, K_REAL, el, gen_real(g, 1)); break;
    }
    blk_add(&inner->body, st_assign(let->var, '+', w));
    nest_end(g, t);
    blk_add(b, outer);
    gen_push(g, let->var);
    return let->var;
}

static Expr *gen_term(Gen *g, int var)
{
    Expr *x = ex_var(var, K_REAL);
    switch (rng_int(g->r, 4)) {
    case 0: return x;
    case 1: return ex_bin(OP_MUL, K_REAL, num(rng_chance(g->r, 0.5) ? 0.5 : 2), x);
    case 2: return (g->feat & F_BUILTINS) ? ex_builtin(B_SIN, x, NULL) : x;
    default: return ex_bin(OP_POW, K_REAL, x, ex_int(2));
    }
}

/* return: a combination of the locals in scope (after reductions of the
 * local arrays), so that most of the body matters. */
void gen_return(Gen *g, Block *b)
{
    int n = g->nscope;
    for (int i = 0; i < n; i++) {
        int v = g->scope[i];
        if (g->f->var[v].cls == V_LOCALARR && rng_chance(g->r, 0.8))
            gen_reduction(g, b, v);
    }
    Expr *e = NULL;
    for (int i = 0; i < g->nscope; i++) {
        int v = g->scope[i];
        if (g->f->var[v].cls != V_LOCAL || rng_chance(g->r, 0.15))
            continue;
        Expr *t = gen_term(g, v);
        e = e ? ex_bin(rng_chance(g->r, 0.8) ? OP_ADD : OP_SUB, K_REAL, e, t) : t;
    }
    if (!e || rng_chance(g->r, 0.5))
        e = e ? ex_bin(OP_ADD, K_REAL, e, gen_real(g, 2)) : gen_real(g, 3);
    Stmt *s = st_new(S_RETURN);
    s->e = e;
    blk_add(b, s);
}

/* for i.. { y[i..] += e } for every out array, so that each is written. */
void gen_write_outs(Gen *g, Block *b, double p)
{
    for (int k = 0; k < g->f->nparam; k++) {
        if (g->f->var[k].cls != V_OUT || !rng_chance(g->r, p))
            continue;
        Stmt *inner, *outer = gen_nest(g, k, &inner);
        if (!outer)
            continue;
        int aop = rng_chance(g->r, 0.7) ? '+' : '=';
        blk_add(&inner->body, nest_assign(g, k, aop, gen_real(g, 3)));
        nest_end(g, k);
        blk_add(b, outer);
    }
}

