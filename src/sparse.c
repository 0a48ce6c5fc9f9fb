/* Sparse Jacobians and Hessians. The pattern comes from a mask sweep: a
 * copy of the primal (ROLE_MASK) that the emitter writes with every real
 * value replaced by the set of inputs it depends on, 64 inputs per sweep
 * (runtime/sparse.c). Int values are computed as in f, so loops, int
 * index arrays and calls give the pattern of the sizes and int data they
 * have. Where an if tests a real value, the pattern is the union of the
 * two branches: the mask sweep runs both, and a variable either may set
 * is joined rather than replaced; a loop left on a real test runs every
 * pass (a while loop: until no set grows), joining. Ints set there depend
 * on real values; where one decides an index, a loop bound or a call's
 * argument the function has no mask sweep, and its pattern is every entry,
 * which is still true about what can be nonzero, only not sparse.
 *
 * The values then come from one directional derivative per colour of the
 * columns (runtime/sparse.c, gradc_colour): f_jvp (in vector mode where it
 * exists) for J, f_hvp for H. Here the functions get their parameters and
 * the routines they call; the emitter writes their bodies (emit_c.c). */
#include "sparse.h"

#include <stdlib.h>

#include "dense.h"
#include "gradc.h"
#include "ir.h"

/* ---- which ints and bools depend on real values ---------------------- */

typedef struct Taint {
    bool changed;
    bool bad;                   /* the pattern would depend on real values */
    int *defs;                  /* by var id: instructions that set it */
} Taint;

static void count_def(Instr *in, void *data)
{
    int *defs = data;
    if (in->dst)
        defs[in->dst->id]++;
    if (in->kind == I_FOR)
        defs[in->ivar->id]++;
}

static bool tainted(Operand a)
{
    return a.kind == OK_VAR && (a.var->type == IT_REAL ? false : a.var->mtaint);
}

static void taint(Taint *t, IrVar *v)
{
    if (!v->mtaint) {
        v->mtaint = true;
        t->changed = true;
    }
}

static void taint_block(Taint *t, IrBlock *b, bool region);

static void taint_instr(Taint *t, Instr *in, bool region)
{
    bool from = false;          /* an operand depends on real values */
    Operand *a;
    for (IrSlots s = ir_slots(in); (a = ir_slot_next(&s)) != NULL;)
        if (a->kind == OK_VAR && a->var->ndims == 0 &&
            (a->var->type == IT_REAL ? in->kind == I_OP && in->dst->type != IT_REAL : a->var->mtaint))
            from = true;
    switch (in->kind) {
    case I_OP:
    case I_LOAD:
        if (in->dst->type == IT_REAL)
            break;
        if (from || (region && in->dst->mor) || (in->kind == I_LOAD && in->arr->mtaint))
            taint(t, in->dst);
        break;
    case I_STORE:
    case I_FILL:
    case I_ACOPY:
        if (in->arr->type != IT_REAL && (region || from))
            taint(t, in->arr);
        break;
    case I_IF:
        taint_block(t, in->then, region || tainted(in->cond));
        if (in->els)
            taint_block(t, in->els, region || tainted(in->cond));
        break;
    case I_FOR:
        /* left on a real test: any number of iterations may run */
        taint_block(t, in->body, region || tainted(in->cond));
        break;
    case I_CALL:
        for (int k = 0; region && k < in->ncargs; k++)
            if (in->cargs[k].kind == OK_VAR && in->cargs[k].var->ndims > 0 && ir_call_writes(in, k))
                t->bad = true;  /* the callee would replace, not join, what it writes */
        if (in->dst && in->dst->type != IT_REAL && (from || region))
            taint(t, in->dst);
        break;
    case I_RETURN:
        if (region)
            t->bad = true;
        break;
    default:
        break;
    }
}

static void taint_block(Taint *t, IrBlock *b, bool region)
{
    for (int i = 0; i < b->instrs.len; i++)
        taint_instr(t, b->instrs.items[i], region);
}

/* Where an int that depends on real values decides what the pattern is:
 * an index, a loop bound, a call's argument. */
static void misuse(Instr *in, void *data)
{
    Taint *t = data;
    int n = in->kind == I_LOAD || in->kind == I_STORE ? in->arr->ndims : 0;
    for (int k = 0; k < n; k++)
        t->bad |= tainted(in->idx[k]);
    if (in->kind == I_FOR) {
        t->bad |= tainted(in->lo) || tainted(in->hi);
        /* a while loop on reals runs to a fixed point, not counting */
        if (tainted(in->cond) && in->hi.kind == OK_NONE && ir_names_within(in, in->ivar)) {
            bool reads = false;
            for (int i = 0; i < in->body->instrs.len; i++)
                reads |= ir_names_within(in->body->instrs.items[i], in->ivar);
            t->bad |= reads;
        }
    }
    for (int k = 0; in->kind == I_CALL && k < in->ncargs; k++) {
        const IrRow *row = ir_call_row(in, k);
        t->bad |= in->cargs[k].kind == OK_VAR && in->cargs[k].var->type != IT_REAL && in->cargs[k].var->mtaint;
        for (int j = 0; row && j < row->nfix; j++)
            t->bad |= tainted(row->fix[j]);    /* which row is passed */
    }
}

/* Marks m's variables (mtaint, mor); false if its pattern would depend on
 * real values. */
static bool analyse(IrFunc *m)
{
    Taint t = {0};
    t.defs = xmalloc(sizeof(int) * (size_t)(m->vars.len + 1));
    for (int i = 0; i <= m->vars.len; i++)
        t.defs[i] = 0;
    ir_walk(m->body, count_def, t.defs);
    for (int i = 0; i < m->vars.len; i++) {
        IrVar *v = m->vars.items[i];
        v->mor = t.defs[i] > 1 || v->is_param;
        v->mtaint = false;
    }
    do {
        t.changed = false;
        taint_block(&t, m->body, false);
    } while (t.changed && !t.bad);
    if (!t.bad)
        ir_walk(m->body, misuse, &t);
    free(t.defs);
    return !t.bad;
}

/* ---- the mask sweep --------------------------------------------------- */

typedef struct Calls {
    Cx *cx;
    bool ok;
} Calls;

static IrFunc *mask_of(Cx *cx, IrFunc *f);

static void retarget(Instr *in, void *data)
{
    Calls *c = data;
    if (in->kind != I_CALL)
        return;
    IrFunc *m = mask_of(c->cx, in->callee);
    if (m)
        in->callee = m;
    else
        c->ok = false;
}

/* f's mask sweep: a copy of f, analysed, calling its callees' mask sweeps;
 * NULL if f or a callee has none. */
static IrFunc *mask_of(Cx *cx, IrFunc *f)
{
    if (f->mask_tried)
        return f->mask;
    f->mask_tried = true;
    IrFunc *m = ir_func(cx, arena_printf(cx->arena, "%s__mask", f->name), ROLE_MASK);
    m->returns = f->returns;
    m->src = f->src;
    m->primal = f;
    m->nline = f->nline;
    IrVarMap map = {ARENA_ARRAY(cx->arena, IrVar *, f->vars.len)};
    for (int i = 0; i < f->vars.len; i++) {
        const IrVar *v = f->vars.items[i];
        IrVar *w = ir_var(cx, m, v->name, v->type);
        int id = w->id;
        *w = *v;
        w->id = id;
        w->cname = NULL;
        map.to[v->id] = w;
    }
    for (int i = 0; i < f->vars.len; i++) {
        const IrVar *v = f->vars.items[i];
        IrVar *w = map.to[v->id];
        if (v->ndims > 0) {
            ir_set_shape(cx, w, v->ndims);
            for (int d = 0; d < v->ndims; d++)
                w->dims[d] = ir_map_size(cx, v->dims[d], ir_map_by_id, &map);
        }
        w->alias = v->alias ? map.to[v->alias->id] : NULL;
    }
    for (int i = 0; i < f->params.len; i++)
        vec_push(cx->arena, &m->params, map.to[((IrVar *)f->params.items[i])->id]);
    m->body = ir_clone_block(cx, f->body, ir_map_by_id, &map);
    Calls calls = {cx, analyse(m)};
    if (calls.ok)
        ir_walk(m->body, retarget, &calls);
    if (!calls.ok)
        return NULL;
    f->mask = m;
    vec_push(cx->arena, &cx->ir->funcs, m);
    return m;
}

/* ---- the routines ------------------------------------------------------ */

static IrVar *triplet(Cx *cx, IrFunc *g, const char *name, IrType type)
{
    IrVar *p = ir_param(cx, g, name, type);
    ir_set_shape(cx, p, 1);
    p->dims[0] = ir_int(0);     /* its length is what the nnz routine gives */
    p->nullable = true;
    return p;
}

static IrFunc *sparse_func(Cx *cx, IrFunc *f, IrFunc *from, FuncRole role, const char *suffix,
                           IrFunc *pattern)
{
    IrFunc *g = dense_like(cx, f, from, role, suffix);
    g->sweep[0] = pattern;
    if (role == ROLE_JAC_SPARSE || role == ROLE_HESS_SPARSE) {
        triplet(cx, g, "rows", IT_INT);
        triplet(cx, g, "cols", IT_INT);
        triplet(cx, g, "vals", IT_REAL);
    }
    vec_push(cx->arena, &cx->ir->funcs, g);
    return g;
}

void sparse_module(Cx *cx, bool jac, bool hess)
{
    int n = cx->ir->funcs.len;
    for (int i = 0; i < n; i++) {
        IrFunc *f = cx->ir->funcs.items[i];
        if (f->role != ROLE_PRIMAL || !f->exported || (f->returns ? !hess : !jac))
            continue;
        IrFunc *pat = dense_like(cx, f, f, ROLE_PATTERN, "__pattern");
        pat->exported = false;
        pat->sweep[0] = mask_of(cx, f);
        vec_push(cx->arena, &cx->ir->funcs, pat);
        if (f->returns) {
            sparse_func(cx, f, f, ROLE_HESS_NNZ, "_hess_nnz", pat);
            IrFunc *grad = dense_find(cx, f, ROLE_GRAD);
            IrFunc *g = sparse_func(cx, f, grad, ROLE_HESS_SPARSE, "_hess_sparse", pat);
            g->sweep[1] = dense_find(cx, f, ROLE_HVP);
            g->sweep[2] = grad;
        } else {
            sparse_func(cx, f, f, ROLE_JAC_NNZ, "_jac_nnz", pat);
            IrFunc *g = sparse_func(cx, f, f, ROLE_JAC_SPARSE, "_jac_sparse", pat);
            IrFunc *dense = dense_find(cx, f, ROLE_JAC);
            g->sweep[1] = dense->sweep[0];     /* f_jvp, or its vector mode */
            g->vector = dense->sweep[2] != NULL;
            g->sweep[2] = dense->sweep[1];     /* f_vjp, for J's rows */
        }
    }
}
