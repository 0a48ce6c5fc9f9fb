/* The generator's programs, deterministic in (seed, index): a tested
 * function and up to three helpers (returning a real, or writing out
 * arrays, some of them RNN-style matrix-vector cells) that it calls, with
 * parameters in a random order, int arguments and points. Each candidate
 * is evaluated by the interpreter at its points and thrown away if it
 * leaves the safe range there; the next sub-seed is tried. */
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "util.h"

/* ---- parameters --------------------------------------------------------------- */

static int add_param(Gen *g, const char *prefix, int num, VarClass cls)
{
    char name[16];
    snprintf(name, sizeof name, "%s%d", prefix, num);
    int v = gen_new_var(g, name, cls);
    g->f->nparam++;
    gen_push(g, v);
    return v;
}

/* Array dimensions: int parameters or literals (and size expressions
 * when F_PARAMSIZE allows them, v2). */
static void array_dims(Gen *g, int v, int ndim)
{
    Var *var = &g->f->var[v];
    var->ndim = ndim;
    for (int d = 0; d < ndim; d++)
        g->f->var[v].dim[d] = gen_size(g, (g->feat & F_PARAMSIZE) != 0);
}

static int dim_uses(const Expr *e, int var)
{
    if ((e->op == OP_VAR || e->op == OP_INDEX) && e->var == var)
        return 1;
    for (int i = 0; i < e->nkid; i++)
        if (dim_uses(e->kid[i], var))
            return 1;
    return 0;
}

static int param_ready(const Func *f, int v, const int *placed)
{
    for (int d = 0; d < f->var[v].ndim; d++)
        for (int q = 0; q < f->nparam; q++)
            if (!placed[q] && dim_uses(f->var[v].dim[d], q))
                return 0;
    return 1;
}

/* Puts the parameters in a random order in which every int parameter comes
 * before the arrays whose sizes use it, renumbering the sizes. Called
 * before the body exists; the scope is all parameters again; map[old] is
 * the new number of each parameter. */
static void shuffle_params(Gen *g, int *map)
{
    Func *f = g->f;
    int n = f->nparam, perm[64], placed[64] = {0};
    for (int k = 0; k < n; k++) {
        int cand[64], nc = 0;
        for (int v = 0; v < n; v++)
            if (!placed[v] && param_ready(f, v, placed))
                cand[nc++] = v;
        perm[k] = cand[rng_int(g->r, nc)];
        placed[perm[k]] = 1;
    }
    Var tmp[64];
    for (int k = 0; k < n; k++) {
        tmp[k] = f->var[perm[k]];
        map[perm[k]] = k;
    }
    for (int k = 0; k < n; k++) {
        f->var[k] = tmp[k];
        for (int d = 0; d < f->var[k].ndim; d++)
            ex_renumber(f->var[k].dim[d], map, n);
    }
    g->nscope = 0;
    for (int k = 0; k < n; k++)
        gen_push(g, k);
}

/* ---- functions ---------------------------------------------------------------- */

static void gen_begin_fn(Gen *g, int fi)
{
    g->fi = fi;
    g->f = &g->p->fn[fi];
    g->nscope = 0;
    g->nloop = 0;
    g->in_for = 0;
    g->depth = 0;
    g->nlocal = 0;
    g->narr = 0;
}

/* Statements at the top of the body until the budget is spent. */
static void gen_top(Gen *g, int budget)
{
    g->budget = budget;
    {   /* an accumulator for the blocks below */
        char name[16];
        snprintf(name, sizeof name, "a%d", ++g->nlocal);
        Stmt *s = st_new(S_LET);
        s->e = rng_chance(g->r, 0.5) ? ex_num(0) : gen_real(g, 1);
        s->var = gen_new_var(g, name, V_LOCAL);
        blk_add(&g->f->body, s);
        gen_push(g, s->var);
    }
    while (g->budget > 0)
        gen_stmt(g, &g->f->body);
}

static int add_array_param(Gen *g, const char *prefix, int num, VarClass cls, int ndim)
{
    int v = add_param(g, prefix, num, cls);
    array_dims(g, v, ndim);
    return v;
}

/* fn h(int n1, x1[n1], s1, s2) returning a real; expression form when it
 * has no array and F_EXPRFORM allows. */
static void gen_helper_value(Gen *g, int fi)
{
    gen_begin_fn(g, fi);
    int arrays = (g->feat & F_ARRAYS) && rng_chance(g->r, 0.5), map[64];
    if (arrays) {
        add_param(g, "n", 1, V_INTP);
        int ndim = (g->feat & F_2D) && rng_chance(g->r, 0.25) ? 2 : 1;
        VarClass cls = (g->feat & F_CONST) && rng_chance(g->r, 0.15) ? V_CONSTARR : V_ARR;
        add_array_param(g, cls == V_ARR ? "x" : "d", 1, cls, ndim);
    }
    int ns = rng_range(g->r, 1, 3);
    for (int k = 1; k <= ns; k++)
        add_param(g, "s", k, V_REAL);
    if ((g->feat & F_CONST) && rng_chance(g->r, 0.2))
        add_param(g, "c", 1, V_CONST);
    shuffle_params(g, map);
    if ((g->feat & F_EXPRFORM) && !arrays && rng_chance(g->r, 0.5)) {
        g->f->expr_form = 1;
        Stmt *s = st_new(S_RETURN);
        s->e = gen_real(g, 3);
        blk_add(&g->f->body, s);
        return;
    }
    gen_top(g, rng_range(g->r, 1, 4));
    gen_return(g, &g->f->body);
}

/* for i in 0..R { for j in 0..C { y[i] += W[i][j] * x[j]; } y[i] = f(y[i]); }:
 * an RNN cell's matrix-vector product accumulated into its out array. */
static void gen_matvec(Gen *g, int W, int x, int y)
{
    Stmt *outer = gen_begin_loop(g, ex_int(0), ex_clone(g->f->var[W].dim[0]));
    Stmt *inner = gen_begin_loop(g, ex_int(0), ex_clone(g->f->var[W].dim[1]));
    int i = outer->var, j = inner->var;
    Expr *w = ex_new(OP_INDEX, K_REAL);
    w->var = W;
    ex_add_kid(w, ex_var(i, K_INT));
    ex_add_kid(w, ex_var(j, K_INT));
    Expr *xj = ex_new(OP_INDEX, K_REAL);
    xj->var = x;
    ex_add_kid(xj, ex_var(j, K_INT));
    Stmt *acc = st_assign(y, '+', ex_bin(OP_MUL, K_REAL, w, xj));
    acc->idx[acc->nidx++] = ex_var(i, K_INT);
    blk_add(&inner->body, acc);
    gen_end_loop(g);
    blk_add(&outer->body, inner);
    Expr *yi = ex_new(OP_INDEX, K_REAL);
    yi->var = y;
    ex_add_kid(yi, ex_var(i, K_INT));
    Expr *act = ex_bin(OP_ADD, K_REAL, yi, gen_real(g, 1));
    if (g->feat & F_BUILTINS)
        act = ex_builtin(rng_chance(g->r, 0.7) ? B_TANH : B_SIN, act, NULL);
    Stmt *set = st_assign(y, '=', act);
    set->idx[set->nidx++] = ex_var(i, K_INT);
    blk_add(&outer->body, set);
    gen_end_loop(g);
    blk_add(&g->f->body, outer);
}

/* fn h(int n1, x1[n1], ..., out y1[n1]): writes its out arrays, returns
 * nothing; a matrix-vector cell now and then. */
static void gen_helper_out(Gen *g, int fi)
{
    gen_begin_fn(g, fi);
    g->f->has_out = 1;
    int map[64];
    int n1 = add_param(g, "n", 1, V_INTP);
    int n2 = (g->feat & F_2D) && rng_chance(g->r, 0.4) ? add_param(g, "n", 2, V_INTP) : n1;
    int cell = (g->feat & F_2D) && (g->feat & F_LOOPS) && rng_chance(g->r, 0.5);
    int W = -1, x = -1, y;
    if (cell) {
        W = add_param(g, "W", 1, V_ARR);
        g->f->var[W].ndim = 2;
        g->f->var[W].dim[0] = ex_var(n2, K_INT);
        g->f->var[W].dim[1] = ex_var(n1, K_INT);
        x = add_param(g, "x", 1, V_ARR);
        g->f->var[x].ndim = 1;
        g->f->var[x].dim[0] = ex_var(n1, K_INT);
        y = add_param(g, "y", 1, V_OUT);
        g->f->var[y].ndim = 1;
        g->f->var[y].dim[0] = ex_var(n2, K_INT);
    } else {
        int na = rng_range(g->r, 1, 2);
        for (int k = 1; k <= na; k++)
            add_array_param(g, "x", k, V_ARR, 1);
        y = add_array_param(g, "y", 1, V_OUT, 1);
    }
    if (rng_chance(g->r, 0.25))
        add_array_param(g, "y", 2, V_OUT, 1);
    if (rng_chance(g->r, 0.6))
        add_param(g, "s", 1, V_REAL);
    shuffle_params(g, map);
    if (cell) {
        gen_matvec(g, map[W], map[x], map[y]);
        g->budget = rng_range(g->r, 0, 2);
        while (g->budget > 0)
            gen_stmt(g, &g->f->body);
        gen_write_outs(g, &g->f->body, 0.3);
        return;
    }
    gen_top(g, rng_range(g->r, 1, 5));
    gen_write_outs(g, &g->f->body, 1.0);
}

static int weighted(Rng *r, const int *w, int n)
{
    int total = 0;
    for (int i = 0; i < n; i++)
        total += w[i];
    int x = rng_int(r, total);
    for (int i = 0; i < n; i++) {
        if (x < w[i])
            return i;
        x -= w[i];
    }
    return n - 1;
}

/* The tested function: int sizes, real scalars and arrays, const data,
 * maybe out arrays; a body of about cfg->max_stmts statements. */
static void gen_main(Gen *g)
{
    static const int wint[] = {1, 6, 3}, warr[] = {2, 4, 3, 2};
    gen_begin_fn(g, 0);
    int map[64];
    int nint = (g->feat & (F_LOOPS | F_ARRAYS)) ? weighted(g->r, wint, 3) : 0;
    for (int k = 1; k <= nint; k++)
        add_param(g, "n", k, V_INTP);
    int narr = (g->feat & F_ARRAYS) ? weighted(g->r, warr, 4) : 0;
    for (int k = 1; k <= narr; k++) {
        int c = (g->feat & F_CONST) && rng_chance(g->r, 0.2);
        int ndim = (g->feat & F_2D) && rng_chance(g->r, 0.3) ? 2 : 1;
        if ((g->feat & F_3D) && rng_chance(g->r, 0.1))
            ndim = 3;
        add_array_param(g, c ? "d" : "x", k, c ? V_CONSTARR : V_ARR, ndim);
    }
    int ns = rng_range(g->r, narr ? 0 : 1, 3);
    for (int k = 1; k <= ns; k++)
        add_param(g, "s", k, V_REAL);
    if ((g->feat & F_CONST) && rng_chance(g->r, 0.25))
        add_param(g, "c", 1, V_CONST);
    if ((g->feat & F_OUT) && rng_chance(g->r, 0.25)) {
        g->f->has_out = 1;
        int no = rng_range(g->r, 1, 2);
        for (int k = 1; k <= no; k++)
            add_array_param(g, "y", k, V_OUT, (g->feat & F_2D) && rng_chance(g->r, 0.2) ? 2 : 1);
    }
    shuffle_params(g, map);
    int lo = g->cfg->max_stmts / 2;
    gen_top(g, rng_range(g->r, lo > 1 ? lo : 1, g->cfg->max_stmts));
    if (g->f->has_out)
        gen_write_outs(g, &g->f->body, 0.8);
    else
        gen_return(g, &g->f->body);
}

/* ---- programs ------------------------------------------------------------------ */

static void gen_values(Prog *p, Rng *r)
{
    static const int wval[] = {2, 7, 7, 4};
    const Func *f = &p->fn[0];
    for (int i = 0; i < f->nparam; i++)
        if (f->var[i].cls == V_INTP)
            p->ival[i] = 1 + weighted(r, wval, 4);
    /* keep the gradient small: at most 48 real inputs */
    while (prog_nreal(p) > 48) {
        int big = -1;
        for (int i = 0; i < f->nparam; i++)
            if (f->var[i].cls == V_INTP && p->ival[i] > 1 && (big < 0 || p->ival[i] > p->ival[big]))
                big = i;
        if (big < 0)
            break;
        p->ival[big]--;
    }
    int n = prog_nreal(p);
    for (int k = 0; k < p->npt; k++) {
        /* now and then a point with exact zeros and ones: where the
         * conventions of LANGUAGE.md section 5 and 0 * inf lurk */
        int special = rng_chance(r, 0.3);
        p->pt[k] = xmalloc((size_t)(n ? n : 1) * sizeof(double));
        for (int j = 0; j < n; j++) {
            double x = 1.5 * rng_sym(r), u = rng_unit(r);
            p->pt[k][j] = !special || u > 0.35 ? x : u < 0.25 ? 0 : x < 0 ? -1 : 1;
        }
    }
}

static Prog *gen_one(const GenCfg *cfg, uint64_t sub)
{
    static const int wh[] = {3, 4, 3, 1};
    Rng r;
    rng_seed(&r, sub);
    Prog *p = xcalloc(1, sizeof *p);
    p->features = cfg->features;
    p->max_stmts = cfg->max_stmts;
    int nh = (cfg->features & (F_CALLS | F_OUTCALLS)) ? weighted(&r, wh, 4) : 0;
    p->nfn = 1 + nh;
    p->fn = xcalloc((size_t)p->nfn, sizeof *p->fn);
    p->order = xmalloc((size_t)p->nfn * sizeof *p->order);
    Gen g = {.r = &r, .cfg = cfg, .feat = cfg->features, .p = p};
    for (int j = 1; j <= nh; j++) {
        int want_out = (cfg->features & F_OUTCALLS) && (cfg->features & F_ARRAYS) &&
                       (!(cfg->features & F_CALLS) || rng_chance(&r, 0.5));
        p->fn[j].has_out = want_out;
        snprintf(p->fn[j].name, sizeof p->fn[j].name, "_h%d", j);
    }
    for (int j = nh; j >= 1; j--) {
        if (p->fn[j].has_out)
            gen_helper_out(&g, j);
        else
            gen_helper_value(&g, j);
    }
    gen_main(&g);
    free(g.scope);
    for (int i = 0; i < p->nfn; i++)
        p->order[i] = i;
    for (int i = p->nfn - 1; i > 0; i--) {
        int j = rng_int(&r, i + 1), t = p->order[i];
        p->order[i] = p->order[j];
        p->order[j] = t;
    }
    p->npt = cfg->npoints;
    gen_values(p, &r);
    return p;
}

Prog *gen_program(const GenCfg *cfg, uint64_t seed, int index, int *tries)
{
    char why[200];
    for (int t = 0; t < 500; t++) {
        Prog *p = gen_one(cfg, rt_mix(rt_mix(seed, (uint64_t)index), (uint64_t)t));
        p->seed = seed;
        p->index = index;
        snprintf(p->prefix, sizeof p->prefix, "r%d", index);
        if (tries)
            *tries = t + 1;
        if (!prog_check_scopes(p, why, sizeof why) && !prog_validate(p, why, sizeof why))
            return p;
        if (getenv("GRADC_RANDOM_DEBUG")) {
            fprintf(stderr, "rejected %d.%d: %s\n", index, t, why);
            if (strstr(why, "bug"))
                prog_print(stderr, p);
        }
        prog_free(p);
    }
    return NULL;
}
