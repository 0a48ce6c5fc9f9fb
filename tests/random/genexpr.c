/* The generator's expressions: int ranges proved with polynomials of the
 * int parameters, indices that stay in bounds, real expressions whose
 * built-ins get arguments inside their domains, conditions, and calls of
 * helpers that return a real. The interpreter rejects what still leaves
 * the safe range (gen.c tries another program). */
#include <string.h>

#include "gen.h"

/* ---- polynomials ----------------------------------------------------------- */

static int mono_cmp(int a1, int b1, int a2, int b2)
{
    return a1 != a2 ? (a1 < a2 ? -1 : 1) : b1 != b2 ? (b1 < b2 ? -1 : 1) : 0;
}

/* Adds c * (a b) to p, keeping terms sorted and nonzero; 0 if full. */
static int poly_term(Poly *p, long c, int a, int b)
{
    if (a > b) {
        int t = a;
        a = b;
        b = t;
    }
    int i = 0;
    while (i < p->n && mono_cmp(p->a[i], p->b[i], a, b) < 0)
        i++;
    if (i < p->n && mono_cmp(p->a[i], p->b[i], a, b) == 0) {
        p->c[i] += c;
        if (p->c[i] == 0) {
            memmove(p->c + i, p->c + i + 1, (size_t)(p->n - i - 1) * sizeof p->c[0]);
            memmove(p->a + i, p->a + i + 1, (size_t)(p->n - i - 1) * sizeof p->a[0]);
            memmove(p->b + i, p->b + i + 1, (size_t)(p->n - i - 1) * sizeof p->b[0]);
            p->n--;
        }
        return 1;
    }
    if (c == 0)
        return 1;
    if (p->n == POLY_MAX)
        return 0;
    memmove(p->c + i + 1, p->c + i, (size_t)(p->n - i) * sizeof p->c[0]);
    memmove(p->a + i + 1, p->a + i, (size_t)(p->n - i) * sizeof p->a[0]);
    memmove(p->b + i + 1, p->b + i, (size_t)(p->n - i) * sizeof p->b[0]);
    p->c[i] = c;
    p->a[i] = a;
    p->b[i] = b;
    p->n++;
    return 1;
}

void poly_const(Poly *p, long c)
{
    p->n = 0;
    poly_term(p, c, -1, -1);
}

void poly_var(Poly *p, int v)
{
    p->n = 0;
    poly_term(p, 1, -1, v);
}

int poly_add(Poly *r, const Poly *x, const Poly *y, long sy)
{
    Poly t = *x;
    for (int i = 0; i < y->n; i++)
        if (!poly_term(&t, sy * y->c[i], y->a[i], y->b[i]))
            return 0;
    *r = t;
    return 1;
}

int poly_mul(Poly *r, const Poly *x, const Poly *y)
{
    Poly t;
    t.n = 0;
    for (int i = 0; i < x->n; i++)
        for (int j = 0; j < y->n; j++) {
            int v[4] = {x->a[i], x->b[i], y->a[j], y->b[j]}, k = 0, m[2] = {-1, -1};
            for (int q = 0; q < 4; q++)
                if (v[q] >= 0) {
                    if (k == 2)
                        return 0;
                    m[k++] = v[q];
                }
            if (!poly_term(&t, x->c[i] * y->c[j], m[0], m[1]))
                return 0;
        }
    *r = t;
    return 1;
}

/* True when p >= 0 for every value >= 1 of the parameters: each monomial
 * grows with them, so nonnegative coefficients and p(1, ..., 1) >= 0
 * suffice (a proof, not a decision: some true facts are missed). */
int poly_nonneg(const Poly *p)
{
    long at_one = 0;
    for (int i = 0; i < p->n; i++) {
        if ((p->a[i] >= 0 || p->b[i] >= 0) && p->c[i] < 0)
            return 0;
        at_one += p->c[i];
    }
    return at_one >= 0;
}

int poly_equal(const Poly *x, const Poly *y)
{
    Poly d;
    return poly_add(&d, x, y, -1) && d.n == 0;
}

/* ---- ranges of int expressions ---------------------------------------------- */

static int range_var(Gen *g, int var, Poly *lo, Poly *hi)
{
    const Var *v = &g->f->var[var];
    if (v->cls == V_INTP) {
        poly_var(lo, var);
        *hi = *lo;
        return 1;
    }
    for (int k = g->nloop - 1; k >= 0; k--)
        if (g->loop[k].var == var) {
            *lo = g->loop[k].lo;
            *hi = g->loop[k].hi;
            return 1;
        }
    return 0;
}

/* Bounds lo <= e <= hi of an int expression, as polynomials; 0 when they
 * cannot be proved (an int local, a division). */
int gen_range(Gen *g, const Expr *e, Poly *lo, Poly *hi)
{
    Poly l1, h1, l2, h2;
    switch (e->op) {
    case OP_INT:
        poly_const(lo, e->ival);
        *hi = *lo;
        return 1;
    case OP_VAR:
        return range_var(g, e->var, lo, hi);
    case OP_ADD:
    case OP_SUB: {
        if (!gen_range(g, e->kid[0], &l1, &h1) || !gen_range(g, e->kid[1], &l2, &h2))
            return 0;
        if (e->op == OP_ADD)
            return poly_add(lo, &l1, &l2, 1) && poly_add(hi, &h1, &h2, 1);
        return poly_add(lo, &l1, &h2, -1) && poly_add(hi, &h1, &l2, -1);
    }
    case OP_MUL: {
        if (!gen_range(g, e->kid[0], &l1, &h1) || !gen_range(g, e->kid[1], &l2, &h2))
            return 0;
        if (!poly_equal(&l1, &h1)) {   /* the exact factor second */
            Poly t = l1; l1 = l2; l2 = t;
            t = h1; h1 = h2; h2 = t;
        }
        if (!poly_equal(&l2, &h2) || !poly_nonneg(&l2) || !poly_nonneg(&l1))
            return 0;
        return poly_mul(lo, &l1, &l2) && poly_mul(hi, &h1, &l2);
    }
    case OP_DIV: {
        /* a / c for a >= 0 and a literal c >= 1 is in [0, a] */
        if (!gen_range(g, e->kid[0], &l1, &h1) || e->kid[1]->op != OP_INT || e->kid[1]->ival < 1 ||
            !poly_nonneg(&l1))
            return 0;
        poly_const(lo, 0);
        *hi = h1;
        return 1;
    }
    case OP_MOD: {
        Poly one;
        if (!gen_range(g, e->kid[0], &l1, &h1) || !gen_range(g, e->kid[1], &l2, &h2))
            return 0;
        poly_const(&one, 1);
        if (!poly_nonneg(&l1) || !poly_equal(&l2, &h2))
            return 0;
        poly_const(lo, 0);
        return poly_add(hi, &l2, &one, -1) && poly_nonneg(hi);
    }
    default:
        return 0;
    }
}

/* A lower bound of a size (the size itself unless it has / or %): indices
 * proved below it are in range. */
int gen_dim_poly(Gen *g, const Expr *dim, Poly *out)
{
    Poly hi;
    return gen_range(g, dim, out, &hi);
}

/* ---- indices --------------------------------------------------------------- */

static int index_ok(Gen *g, const Expr *ix, const Poly *dim)
{
    Poly lo, hi, room, one;
    if (!gen_range(g, ix, &lo, &hi))
        return 0;
    poly_const(&one, 1);
    if (!poly_add(&room, dim, &hi, -1) || !poly_add(&room, &room, &one, -1))
        return 0;
    return poly_nonneg(&lo) && poly_nonneg(&room);
}

static Expr *loop_var(Gen *g)
{
    /* the innermost loops are the likeliest */
    int k = g->nloop - 1;
    while (k > 0 && rng_chance(g->r, 0.35))
        k--;
    return ex_var(g->loop[k].var, K_INT);
}

static Expr *plus(Expr *a, long c)
{
    if (c == 0)
        return a;
    return ex_bin(c > 0 ? OP_ADD : OP_SUB, K_INT, a, ex_int(c > 0 ? c : -c));
}

/* One random index expression; it may be out of range (the caller checks). */
static Expr *index_candidate(Gen *g, const Expr *dim)
{
    int n = g->nloop;
    switch (n ? rng_int(g->r, 12) : 8 + rng_int(g->r, 4)) {
    case 0: case 1: case 2: case 3:
        return loop_var(g);
    case 4: {
        Expr *i = loop_var(g);
        return plus(i, rng_chance(g->r, 0.5) ? 1 : -1);
    }
    case 5: {
        if (!(g->feat & F_INTMATH))
            return loop_var(g);
        Expr *i = loop_var(g), *j = loop_var(g);
        return ex_bin(OP_MOD, K_INT, ex_bin(OP_ADD, K_INT, i, j), ex_clone(dim));
    }
    case 6:
        return ex_bin(OP_SUB, K_INT, plus(ex_clone(dim), -1), loop_var(g));
    case 7: {
        /* row-major flattening: i*m + j */
        int q = gen_pick(g, is_int_scalar);
        if (q < 0 || g->f->var[q].cls != V_INTP)
            return loop_var(g);
        Expr *i = loop_var(g), *j = loop_var(g);
        return ex_bin(OP_ADD, K_INT, ex_bin(OP_MUL, K_INT, i, ex_var(q, K_INT)), j);
    }
    case 8: case 9:
        return ex_int(rng_int(g->r, 2));
    case 10:
        return dim->op == OP_INT ? ex_int(dim->ival - 1) : plus(ex_clone(dim), -1);
    default:
        return ex_int(0);
    }
}

/* An index into a dimension of size `dim` that is in range for every
 * iteration of the enclosing loops and every int argument >= 1. */
Expr *gen_index(Gen *g, const Expr *dim)
{
    Poly d;
    if (!gen_dim_poly(g, dim, &d))
        return ex_int(0);
    for (int tries = 0; tries < 12; tries++) {
        Expr *ix = index_candidate(g, dim);
        if (index_ok(g, ix, &d))
            return ix;
        ex_free(ix);
    }
    return ex_int(0);
}

Expr *gen_element(Gen *g, int var)
{
    const Var *v = &g->f->var[var];
    Expr *e = ex_new(OP_INDEX, K_REAL);
    e->var = var;
    for (int d = 0; d < v->ndim; d++)
        ex_add_kid(e, gen_index(g, v->dim[d]));
    return e;
}

/* An int >= 1: a size argument that no array fixes. */
Expr *gen_pos_int(Gen *g)
{
    int q = gen_pick(g, is_int_scalar);
    if (q >= 0 && g->f->var[q].cls == V_INTP && rng_chance(g->r, 0.6))
        return ex_var(q, K_INT);
    return ex_int(rng_range(g->r, 1, 3));
}

/* ---- real expressions ------------------------------------------------------- */

static const double literals[] = {0.5, 1.5, 2, 0.25, 3, 1, 0.75, 1.25, 0.125, 2.5};

static Expr *lit(Gen *g)
{
    return ex_num(literals[rng_int(g->r, (int)(sizeof literals / sizeof literals[0]))]);
}

static Expr *mul(Expr *a, Expr *b)
{
    return ex_bin(OP_MUL, K_REAL, a, b);
}

static Expr *add(Expr *a, Expr *b)
{
    return ex_bin(OP_ADD, K_REAL, a, b);
}

static Expr *tern(Expr *c, Expr *a, Expr *b)
{
    Expr *e = ex_bin(OP_TERN, K_REAL, c, a);
    ex_add_kid(e, b);
    return e;
}

static Expr *ipow(Expr *a, long k)
{
    Expr *e = ex_int(k < 0 ? -k : k);
    return ex_bin(OP_POW, K_REAL, a, k < 0 ? ex_un(OP_NEG, K_INT, e) : e);
}

static Expr *leaf(Gen *g)
{
    int ns = gen_count(g, is_readable_scalar), na = gen_count(g, is_readable_array);
    int ni = (g->feat & F_INTMATH) ? gen_count(g, is_int_scalar) : 0;
    for (;;) {
        int w = rng_int(g->r, 20);
        if (w < 8 && ns)
            return ex_var(gen_pick(g, is_readable_scalar), K_REAL);
        if (w < 16 && na)
            return gen_element(g, gen_pick(g, is_readable_array));
        if (w < 18 || (!ns && !na))
            return lit(g);
        if (w == 18 && ni)
            return ex_var(gen_pick(g, is_int_scalar), K_INT);
        if (w == 19)
            return ex_new(OP_PI, K_REAL);
    }
}

/* Values in about [-3, 3]: the argument of exp, sinh, cosh. */
Expr *gen_bounded(Gen *g, int depth)
{
    static const Builtin squash[] = {B_SIN, B_COS, B_TANH, B_ATAN, B_ERF};
    Expr *e = gen_real(g, depth);
    if (!(g->feat & F_BUILTINS))
        return mul(ex_num(0.5), e);
    if (rng_chance(g->r, 0.2))
        return mul(ex_num(0.5), e);
    return ex_builtin(squash[rng_int(g->r, 5)], e, NULL);
}

/* Values >= about 0.5: logarithms, square roots, denominators, bases of
 * real powers. */
Expr *gen_pos(Gen *g, int depth)
{
    Expr *e = gen_real(g, depth);
    int b = (g->feat & F_BUILTINS) != 0;
    switch (rng_int(g->r, b ? 9 : 3)) {
    case 0: return add(lit(g), ipow(e, 2));
    case 1: return add(ex_num(1), mul(e, ex_clone(e)));
    case 2: ex_free(e); return lit(g);
    case 3: return add(lit(g), ex_builtin(B_ABS, e, NULL));
    case 4: return add(ex_num(2), ex_builtin(rng_chance(g->r, 0.5) ? B_SIN : B_COS, e, NULL));
    case 5: ex_free(e); return ex_builtin(B_EXP, gen_bounded(g, depth), NULL);
    case 6: ex_free(e); return ex_builtin(B_COSH, gen_bounded(g, depth), NULL);
    case 7: return ex_builtin(B_HYPOT, e, ex_num(1));
    default: return add(ex_num(1.5), ex_builtin(B_TANH, e, NULL));
    }
}

/* Values in about [-0.9, 0.9]: asin, acos, atanh, tan. */
static Expr *gen_unit(Gen *g, int depth)
{
    Expr *e = gen_real(g, depth);
    switch (rng_int(g->r, 4)) {
    case 0: return mul(ex_num(0.75), ex_builtin(B_TANH, e, NULL));
    case 1: return mul(ex_num(0.5), ex_builtin(B_SIN, e, NULL));
    case 2: return mul(ex_num(0.5), ex_builtin(B_COS, e, NULL));
    default: return mul(ex_num(0.5), ex_builtin(B_ERF, e, NULL));
    }
}

static Expr *gen_nonneg(Gen *g, int depth)
{
    Expr *e = gen_real(g, depth);
    return rng_chance(g->r, 0.5) ? ipow(e, 2) : ex_builtin(B_ABS, e, NULL);
}

static Expr *gen_builtin(Gen *g, int depth)
{
    int nb = (g->feat & F_V2BUILTINS) ? B_COUNT : B_ERFC;
    Builtin b = (Builtin)rng_int(g->r, nb);
    int raw = rng_chance(g->r, 0.08);   /* now and then a bare argument: the
                                           interpreter rejects it if unsafe */
    switch (b) {
    case B_SQRT: case B_LOG: case B_LOG2: case B_LOG10: case B_LGAMMA:
        return ex_builtin(b, raw ? gen_real(g, depth) : gen_pos(g, depth), NULL);
    case B_LOG1P:
        return ex_builtin(b, raw ? gen_real(g, depth) : gen_nonneg(g, depth), NULL);
    case B_CBRT:
        return ex_builtin(b, rng_chance(g->r, 0.5) ? gen_real(g, depth) : gen_pos(g, depth), NULL);
    case B_EXP: case B_EXPM1: case B_SINH: case B_COSH:
        return ex_builtin(b, raw ? gen_real(g, depth) : gen_bounded(g, depth), NULL);
    case B_TAN: case B_ASIN: case B_ACOS: case B_ATANH:
        return ex_builtin(b, raw ? gen_real(g, depth) : gen_unit(g, depth), NULL);
    case B_ACOSH:
        return ex_builtin(b, add(ex_num(1), gen_pos(g, depth)), NULL);
    case B_POW: {
        /* arguments one after the other: C leaves the order of a call's
         * argument evaluation open, and the programs must not depend on it */
        Expr *x = gen_pos(g, depth);
        return ex_builtin(b, x, rng_chance(g->r, 0.5) ? lit(g) : gen_bounded(g, depth));
    }
    case B_ATAN2: {
        Expr *y = gen_real(g, depth);
        return ex_builtin(b, y, rng_chance(g->r, 0.6) ? gen_pos(g, depth) : gen_real(g, depth));
    }
    case B_HYPOT: case B_MIN: case B_MAX: {
        Expr *x = gen_real(g, depth);
        return ex_builtin(b, x, gen_real(g, depth));
    }
    default:   /* sin cos atan tanh asinh erf abs erfc floor ceil sign */
        return ex_builtin(b, gen_real(g, depth), NULL);
    }
}

static Expr *gen_power(Gen *g, int depth)
{
    static const long ks[] = {2, 2, 2, 3, 3, -1, -2, 4, 1};
    int real_exp = (g->feat & F_POW) && rng_chance(g->r, 0.3);
    if (real_exp) {
        Expr *ex = rng_chance(g->r, 0.5) ? lit(g) : gen_bounded(g, depth);
        if (rng_chance(g->r, 0.15) && (g->feat & F_INTMATH) && gen_count(g, is_int_scalar)) {
            ex_free(ex);   /* x^n with an int variable: pow(x, n) */
            Expr *x = gen_real(g, depth);
            return ex_bin(OP_POW, K_REAL, x, ex_var(gen_pick(g, is_int_scalar), K_INT));
        }
        return ex_bin(OP_POW, K_REAL, gen_pos(g, depth), ex);
    }
    long k = rng_chance(g->r, 0.03) ? 0 : ks[rng_int(g->r, 9)];   /* x^0 now and then */
    return ipow(k < 0 ? gen_pos(g, depth) : gen_real(g, depth), k);
}

/* Ints in a real expression: i / n is real division there. */
static Expr *gen_intmath(Gen *g, int depth)
{
    int q = gen_pick(g, is_int_scalar);
    if (q < 0)
        return gen_real(g, depth);
    Expr *i = ex_var(q, K_INT);
    switch (rng_int(g->r, 3)) {
    case 0: {
        Expr *x = gen_real(g, depth);
        return mul(x, ex_bin(OP_DIV, K_REAL, i, gen_pos_int(g)));
    }
    case 1: return mul(gen_real(g, depth), ex_bin(OP_MOD, K_INT, i, ex_int(2)));
    default: return add(gen_real(g, depth), mul(i, ex_num(0.25)));
    }
}

Expr *gen_real(Gen *g, int depth)
{
    if (depth <= 0 || rng_chance(g->r, 0.25))
        return leaf(g);
    int d = depth - 1;
    for (;;) {
        switch (rng_int(g->r, 22)) {
        case 0: case 1: case 2: case 3: {
            Op op = rng_chance(g->r, 0.5) ? OP_ADD : OP_SUB;
            Expr *a = gen_real(g, d);
            return ex_bin(op, K_REAL, a, gen_real(g, d));
        }
        case 4: case 5: case 6: {
            Expr *a = gen_real(g, d);
            return mul(a, gen_real(g, d));
        }
        case 7: {
            Expr *a = gen_real(g, d);
            return ex_bin(OP_DIV, K_REAL, a, gen_pos(g, d));
        }
        case 8:
            return ex_un(OP_NEG, K_REAL, gen_real(g, d));
        case 9: case 10:
            return gen_power(g, d);
        case 11: case 12: case 13: case 14:
            if (g->feat & F_BUILTINS)
                return gen_builtin(g, d);
            break;
        case 15:
            if (g->feat & F_TERNARY) {
                Expr *c = gen_cond(g, d), *a = gen_real(g, d);
                return tern(c, a, gen_real(g, d));
            }
            break;
        case 16: case 17: {
            Expr *c = (g->feat & F_CALLS) ? gen_value_call(g, d) : NULL;
            if (c)
                return c;
            break;
        }
        case 18:
            if (g->feat & F_INTMATH)
                return gen_intmath(g, d);
            break;
        default:
            return leaf(g);
        }
    }
}

/* ---- conditions -------------------------------------------------------------- */

static Op cmp_op(Gen *g)
{
    static const Op ops[] = {OP_LT, OP_LE, OP_GT, OP_GE, OP_LT, OP_GT, OP_EQ, OP_NE};
    return ops[rng_int(g->r, 8)];
}

static Expr *int_cond(Gen *g, int q)
{
    Expr *i = ex_var(q, K_INT), *rhs;
    Op op = OP_LT;
    switch (rng_int(g->r, 4)) {
    case 0: rhs = gen_pos_int(g); break;
    case 1: op = OP_EQ; rhs = ex_int(0); break;
    case 2:
        op = OP_EQ;
        i = ex_bin(OP_MOD, K_INT, i, ex_int(2));
        rhs = ex_int(rng_int(g->r, 2));
        break;
    default:
        op = rng_chance(g->r, 0.5) ? OP_GT : OP_LE;
        rhs = ex_var(gen_pick(g, is_int_scalar), K_INT);
        break;
    }
    if (ex_equal(i, rhs)) {   /* i < i: a constant that C compilers warn about */
        ex_free(rhs);
        rhs = ex_int(1);
    }
    return ex_bin(op, K_COND, i, rhs);
}

Expr *gen_cond(Gen *g, int depth)
{
    int d = depth > 0 ? depth - 1 : 0;
    int w = rng_int(g->r, 10);
    if (w < 2 && depth > 0 && (g->feat & F_LOGIC)) {
        Op op = rng_chance(g->r, 0.5) ? OP_AND : OP_OR;
        Expr *a = gen_cond(g, d);
        return ex_bin(op, K_COND, a, gen_cond(g, d));
    }
    if (w == 2 && (g->feat & F_LOGIC))
        return ex_un(OP_NOT, K_COND, gen_cond(g, d));
    int q = gen_pick(g, is_int_scalar);
    if (w == 3 && q >= 0)
        return int_cond(g, q);
    Expr *lhs = gen_real(g, d), *rhs = rng_chance(g->r, 0.3) ? lit(g) : gen_real(g, d);
    if (ex_equal(lhs, rhs)) {   /* x < x: a constant C compilers warn about */
        ex_free(rhs);
        rhs = lit(g);
    }
    if (rng_chance(g->r, 0.2))
        rhs = ex_un(OP_NEG, K_REAL, rhs);
    return ex_bin(cmp_op(g), K_COND, lhs, rhs);
}

/* ---- calls ------------------------------------------------------------------ */

/* Whether caller array `v`, with its first `fix` indices fixed (a sub-
 * array, v2), can be passed for the callee's array `param` given the int
 * arguments bound so far; binds the free ones into `bind`. */
static int shape_matches(Gen *g, const Func *callee, int param, int v, int fix, Expr **bind,
                         Expr **newbind)
{
    const Var *pv = &callee->var[param], *cv = &g->f->var[v];
    if (pv->ndim + fix != cv->ndim)
        return 0;
    for (int d = 0; d < pv->ndim; d++) {
        const Expr *h = pv->dim[d], *c = cv->dim[fix + d];
        if (h->op == OP_INT) {
            if (c->op != OP_INT || c->ival != h->ival)
                return 0;
        } else if (h->op == OP_VAR) {
            const Expr *b = bind[h->var] ? bind[h->var] : newbind[h->var];
            if (b && !ex_equal(b, c))
                return 0;
            if (!b)
                newbind[h->var] = (Expr *)c;
        } else {
            return 0;
        }
    }
    return 1;
}

static int in_list(int v, const int *list, int n)
{
    for (int i = 0; i < n; i++)
        if (list[i] == v)
            return 1;
    return 0;
}

/* Picks a visible array of the caller for the callee's array parameter
 * `param` (one the caller may write when want_write), not in `used`:
 * the whole array, or, with F_SUBARR, a sub-array of a bigger one (*nfix
 * leading indices to fix). Returns its var and binds the callee's int
 * parameters its shape fixes; -1 when no array fits. */
int gen_bind_array(Gen *g, const Func *callee, int param, Expr **bind, int want_write,
                   const int *used, int nused, int *nfix)
{
    int cand[64], cfix[64], nc = 0;
    int maxfix = g->feat & F_SUBARR ? RT_MAXDIM - 1 : 0;
    for (int i = 0; i < g->nscope && nc < 64; i++) {
        int v = g->scope[i];
        const Var *cv = &g->f->var[v];
        if (!(want_write ? is_writable_array(cv) : is_readable_array(cv)) || in_list(v, used, nused))
            continue;
        if (in_list(v, cand, nc))
            continue;
        for (int fix = 0; fix <= maxfix && nc < 64; fix++) {
            Expr *nb[64] = {0};
            if (shape_matches(g, callee, param, v, fix, bind, nb)) {
                cand[nc] = v;
                cfix[nc++] = fix;
                break;
            }
        }
    }
    if (!nc)
        return -1;
    int c = rng_int(g->r, nc), v = cand[c];
    Expr *nb[64] = {0};
    shape_matches(g, callee, param, v, cfix[c], bind, nb);
    for (int k = 0; k < callee->nparam; k++)
        if (nb[k])
            bind[k] = ex_clone(nb[k]);
    *nfix = cfix[c];
    return v;
}

/* The argument for array v with its first nfix indices fixed: v itself,
 * or the sub-array v[i]... */
Expr *gen_array_arg(Gen *g, int v, int nfix)
{
    if (nfix == 0)
        return ex_var(v, K_REAL);
    Expr *e = ex_new(OP_INDEX, K_REAL);
    e->var = v;
    for (int d = 0; d < nfix; d++)
        ex_add_kid(e, gen_index(g, g->f->var[v].dim[d]));
    return e;
}

static int value_callee(Gen *g)
{
    int c[16], n = 0;
    for (int j = g->fi + 1; j < g->p->nfn && n < 16; j++)
        if (!g->p->fn[j].has_out)
            c[n++] = j;
    return n ? c[rng_int(g->r, n)] : -1;
}

/* A call of a helper that returns a real; NULL when none can be called
 * here (no helper, or no array of the shapes it takes). */
Expr *gen_value_call(Gen *g, int depth)
{
    int j = value_callee(g);
    if (j < 0)
        return NULL;
    const Func *h = &g->p->fn[j];
    Expr *bind[64] = {0}, *arg[64] = {0};
    int ok = 1;
    for (int k = 0; k < h->nparam && ok; k++)
        if (var_is_array(&h->var[k])) {
            int nfix = 0, v = gen_bind_array(g, h, k, bind, 0, NULL, 0, &nfix);
            ok = v >= 0;
            if (ok)
                arg[k] = gen_array_arg(g, v, nfix);
        }
    Expr *call = ex_new(OP_CALL, K_REAL);
    call->fn = j;
    for (int k = 0; k < h->nparam; k++) {
        Expr *a = arg[k];
        if (!ok) {
            ex_free(a);
            ex_free(bind[k]);
            continue;
        }
        if (h->var[k].cls == V_INTP)
            a = bind[k] ? bind[k] : gen_pos_int(g);
        else if (!a)
            a = gen_real(g, depth);
        ex_add_kid(call, a);
    }
    if (!ok) {
        ex_free(call);
        return NULL;
    }
    return call;
}
