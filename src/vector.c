/* Vector mode, IR -> IR: a copy of f_jvp in which every value that
 * depends on the direction (the tangents, and what is computed from them)
 * gains a trailing dimension of VEC_WIDTH, and each run of consecutive
 * instructions that compute such values is wrapped in one loop over the
 * directions, `for d in 0..nd`. The values (the primal computation, local
 * derivatives, branches, loop bounds) are computed once for all the
 * directions. Tangent code is linear in the tangents and never writes a
 * value, so a run of it can be repeated direction by direction. A scalar
 * tangent that lives within one such loop stays a scalar, a C local of
 * the loop. */
#include "vector.h"

#include "gradc.h"
#include "ir.h"

typedef struct Vec {
    Cx *cx;
    IrFunc *src, *g;
    IrVar **map;                /* src var -> its copy in g */
    bool *dep;                  /* by g's var id: depends on the direction */
    IrVar *nd;                  /* the number of directions */
    bool failed;
    PtrVec runs;                /* the loops over the directions */
    int nwide;                  /* variables that were there before the rewrite */
} Vec;

static Operand map_fn(void *data, Operand a)
{
    const Vec *v = data;
    if ((a.kind == OK_VAR || a.kind == OK_REF) && a.var)
        a.var = v->map[a.var->id];
    return a;
}

/* g: src's variables and parameters, copied. */
static void copy_vars(Vec *v)
{
    IrFunc *src = v->src;
    for (int i = 0; i < src->vars.len; i++) {
        const IrVar *s = src->vars.items[i];
        IrVar *c = ir_var(v->cx, v->g, s->name, s->type);
        c->ndims = s->ndims;
        c->is_param = s->is_param;
        c->by_ref = s->by_ref;
        c->readonly = s->readonly;
        c->nullable = s->nullable;
        c->src_const = s->src_const;
        c->is_out = s->is_out;
        v->map[s->id] = c;
    }
    for (int i = 0; i < src->vars.len; i++) {
        const IrVar *s = src->vars.items[i];
        IrVar *c = v->map[s->id];
        c->tan_of = s->tan_of ? v->map[s->tan_of->id] : NULL;
        c->adj_of = s->adj_of ? v->map[s->adj_of->id] : NULL;
        c->alias = s->alias ? v->map[s->alias->id] : NULL;
        ir_set_shape(v->cx, c, s->ndims);
        for (int d = 0; d < s->ndims; d++)
            c->dims[d] = ir_map_size(v->cx, s->dims[d], map_fn, v);
    }
    for (int i = 0; i < src->params.len; i++)
        vec_push(v->cx->arena, &v->g->params, v->map[((IrVar *)src->params.items[i])->id]);
}

static bool dep_operand(const Vec *v, Operand a)
{
    return (a.kind == OK_VAR || a.kind == OK_REF) && v->dep[a.var->id];
}

/* The variable an instruction writes (a result or an array), or NULL. */
static IrVar *written(const Instr *in)
{
    switch (in->kind) {
    case I_OP:
    case I_LOAD:
        return in->dst;
    case I_STORE:
    case I_FILL:
    case I_ACOPY:
        return in->arr;
    default:
        return NULL;
    }
}

static bool reads_dep(const Vec *v, const Instr *in)
{
    if (in->kind == I_LOAD && v->dep[in->arr->id])
        return true;
    for (int i = 0; i < in->nargs; i++)
        if (dep_operand(v, in->args[i]))
            return true;
    return false;
}

/* Marks what depends on the direction, to a fixed point; returns whether
 * something changed. Fails on instructions the transform does not handle. */
static bool spread(Vec *v, const IrBlock *b)
{
    bool changed = false;
    for (int i = 0; i < b->instrs.len; i++) {
        const Instr *in = b->instrs.items[i];
        if (in->then)
            changed |= spread(v, in->then);
        if (in->els)
            changed |= spread(v, in->els);
        if (in->body)
            changed |= spread(v, in->body);
        IrVar *w = written(in);
        if (w && !v->dep[w->id] && reads_dep(v, in)) {
            v->dep[w->id] = true;
            changed = true;
        }
    }
    return changed;
}

/* Instructions that touch a direction-dependent value in a way the
 * transform does not rewrite: calls, the tape, conditions. */
static void check(Vec *v, const IrBlock *b)
{
    for (int i = 0; i < b->instrs.len && !v->failed; i++) {
        const Instr *in = b->instrs.items[i];
        const IrBlock *sub[3] = {in->then, in->els, in->body};
        for (int k = 0; k < 3; k++)
            if (sub[k])
                check(v, sub[k]);
        switch (in->kind) {
        case I_OP:
        case I_LOAD:
        case I_STORE:
        case I_FILL:
        case I_ALLOC:
            break;
        case I_ACOPY:
            v->failed |= v->dep[in->arr->id] && !dep_operand(v, in->args[0]) &&
                         in->args[0].kind != OK_NULL;
            break;
        case I_IF:
        case I_FOR:
        case I_RETURN:
            v->failed |= in->kind == I_RETURN ? dep_operand(v, in->args[0]) : dep_operand(v, in->cond);
            break;
        default: {
            const Operand *a;
            for (IrSlots s = ir_slots(in); (a = ir_slot_next(&s)) != NULL;)
                v->failed |= dep_operand(v, *a);
            IrVar *w = in->dst ? in->dst : in->arr;
            v->failed |= w && v->dep[w->id];
            break;
        }
        }
    }
}

/* ---- the rewrite ------------------------------------------------------ */

typedef struct Run {
    Instr *loop;                /* the open loop over the directions, or NULL */
    IrVar *d;
} Run;

static void add(Vec *v, IrBlock *b, Instr *in)
{
    ir_append(v->cx, b, in);
}

/* An operand read in direction d: a dependent scalar is loaded from its
 * element d first. */
static Operand lane(Vec *v, IrBlock *b, Operand a, IrVar *d, Span at)
{
    if (!dep_operand(v, a))
        return a;
    IrVar *t = ir_var(v->cx, v->g, NULL, IT_REAL);
    Instr *ld = ir_instr(v->cx, I_LOAD, at);
    ld->dst = t;
    ld->arr = a.var;
    ir_index_slots(v->cx, ld);
    ld->idx[0] = ir_v(d);
    add(v, b, ld);
    return ir_v(t);
}

/* idx of an element of arr (without its new last dimension), then d */
static void lane_index(Vec *v, Instr *out, const Instr *in, IrVar *d)
{
    ir_index_slots(v->cx, out);
    int n = out->arr->ndims;
    for (int k = 0; k < n - 1; k++)
        out->idx[k] = in->idx[k];
    out->idx[n - 1] = ir_v(d);
}

/* in (a copy in g's variables), for direction d, into b */
static void rewrite_lane(Vec *v, IrBlock *b, const Instr *in, IrVar *d)
{
    Instr *st = ir_instr(v->cx, I_STORE, in->span);
    st->note = in->note;
    if (in->kind == I_LOAD) {
        Operand x;
        if (v->dep[in->arr->id]) {
            IrVar *t = ir_var(v->cx, v->g, NULL, IT_REAL);
            Instr *ld = ir_instr(v->cx, I_LOAD, in->span);
            ld->dst = t;
            ld->arr = in->arr;
            lane_index(v, ld, in, d);
            add(v, b, ld);
            x = ir_v(t);
        } else {
            /* a value loaded into a dependent variable: the same in every direction */
            IrVar *t = ir_var(v->cx, v->g, NULL, IT_REAL);
            Instr *ld = ir_instr(v->cx, I_LOAD, in->span);
            ld->dst = t;
            ld->arr = in->arr;
            ir_index_slots(v->cx, ld);
            for (int k = 0; k < in->arr->ndims; k++)
                ld->idx[k] = in->idx[k];
            add(v, b, ld);
            x = ir_v(t);
        }
        st->arr = in->dst;
        ir_index_slots(v->cx, st);
        st->idx[0] = ir_v(d);
        st->acc = ACC_SET;
        st->op = OP_COPY;
        st->nargs = 1;
        st->args[0] = x;
        add(v, b, st);
        return;
    }
    st->acc = in->acc;
    st->op = in->op;
    st->nargs = in->nargs;
    for (int i = 0; i < in->nargs; i++)
        st->args[i] = lane(v, b, in->args[i], d, in->span);
    if (in->kind == I_OP) {
        st->arr = in->dst;
        ir_index_slots(v->cx, st);
        st->idx[0] = ir_v(d);
    } else {
        st->arr = in->arr;
        lane_index(v, st, in, d);
    }
    add(v, b, st);
}

static void rewrite_block(Vec *v, IrBlock *b);

/* Whether in computes a dependent value element by element. */
static bool per_lane(const Vec *v, const Instr *in)
{
    IrVar *w = written(in);
    return w && v->dep[w->id] && (in->kind == I_OP || in->kind == I_LOAD || in->kind == I_STORE);
}

/* Whether primal instruction p writes something that per-lane instruction
 * l reads (a scalar operand, or the array it loads from). */
static bool clobbers(const Instr *p, const Instr *l)
{
    IrVar *w = written(p);
    if (!w)
        return p->kind != I_OP && p->kind != I_LOAD;   /* anything else: assume so */
    if (l->kind == I_LOAD && l->arr == w)
        return true;
    const Operand *a;
    for (IrSlots s = ir_slots(l); (a = ir_slot_next(&s)) != NULL;)
        if (ir_mentions(*a, w))
            return true;
    return false;
}

/* Within each stretch of straight-line code (no regions, fills or copies
 * of tangents), the value instructions first and the per-direction ones
 * after them, in their order, so that they share one loop over the
 * directions: allowed when no value instruction moved ahead overwrites
 * what a per-direction instruction before it reads. */
static void schedule(Vec *v, IrBlock *b)
{
    int n = b->instrs.len, start = 0;
    for (int end = 0; end <= n; end++) {
        const Instr *in = end < n ? b->instrs.items[end] : NULL;
        bool plain = in && (in->kind == I_OP || in->kind == I_LOAD || in->kind == I_STORE);
        if (plain)
            continue;
        bool ok = true;
        for (int i = start; i < end && ok; i++)
            for (int j = i + 1; j < end && ok && per_lane(v, b->instrs.items[i]); j++)
                ok = per_lane(v, b->instrs.items[j]) || !clobbers(b->instrs.items[j], b->instrs.items[i]);
        if (ok && end > start) {
            PtrVec seg = {0};
            for (int pass = 0; pass < 2; pass++)
                for (int i = start; i < end; i++)
                    if (per_lane(v, b->instrs.items[i]) == (pass == 1))
                        vec_push(v->cx->arena, &seg, b->instrs.items[i]);
            for (int i = start; i < end; i++)
                b->instrs.items[i] = seg.items[i - start];
        }
        start = end + 1;
    }
}

static void rewrite_block(Vec *v, IrBlock *b)
{
    schedule(v, b);
    PtrVec old = b->instrs;
    b->instrs = (PtrVec){0};
    Run run = {0};
    for (int i = 0; i < old.len; i++) {
        Instr *in = old.items[i];
        if (!per_lane(v, in)) {
            run.loop = NULL;
            if (in->then)
                rewrite_block(v, in->then);
            if (in->els)
                rewrite_block(v, in->els);
            if (in->body)
                rewrite_block(v, in->body);
            add(v, b, in);
            continue;
        }
        if (!run.loop) {
            run.loop = ir_instr(v->cx, I_FOR, in->span);
            run.d = ir_var(v->cx, v->g, NULL, IT_INT);
            run.loop->ivar = run.d;
            run.loop->lo = ir_int(0);
            run.loop->hi = ir_v(v->nd);
            run.loop->body = ir_block(v->cx);
            run.loop->note = in->note;
            in->note = NULL;
            add(v, b, run.loop);
            vec_push(v->cx->arena, &v->runs, run.loop);
        }
        rewrite_lane(v, run.loop->body, in, run.d);
    }
}

/* A load or store that indexes an array widen() widened gets the slot of
 * its new dimension (lane 0 until rewrite_lane gives each direction its
 * own), so that whatever reads it before then (schedule, ir_slots) finds
 * as many indices as the array has dimensions. */
static void widen_index(Instr *in, void *data)
{
    Vec *v = data;
    if ((in->kind != I_LOAD && in->kind != I_STORE) || !v->dep[in->arr->id])
        return;
    int n = in->arr->ndims;
    Operand *idx = ARENA_ARRAY(v->cx->arena, Operand, n);
    for (int k = 0; k < n - 1; k++)
        idx[k] = in->idx[k];
    idx[n - 1] = ir_int(0);
    in->idx = idx;
}

/* Each dependent variable gains the trailing dimension VEC_WIDTH. */
static void widen(Vec *v)
{
    for (int i = 0; i < v->g->vars.len; i++) {
        IrVar *x = v->g->vars.items[i];
        if (i >= v->src->vars.len || !v->dep[x->id])
            continue;
        if (x->ndims >= IR_MAX_DIMS || x->by_ref || x->type != IT_REAL) {
            v->failed = true;
            return;
        }
        Operand *dims = ARENA_ARRAY(v->cx->arena, Operand, x->ndims + 1);
        for (int k = 0; k < x->ndims; k++)
            dims[k] = x->dims[k];
        dims[x->ndims] = ir_int(VEC_WIDTH);
        x->dims = dims;
        x->ndims++;
        if (x->is_param && x->ndims == 1)
            x->readonly = true;     /* a scalar input's tangents, now an array */
    }
    ir_walk(v->g->body, widen_index, v);
}

/* A tangent that was a scalar and lives within one loop over the
 * directions, set there before it is read, is a scalar again: a C local
 * of that loop rather than an array of VEC_WIDTH. */
static void narrow(Vec *v)
{
    int n = v->nwide;
    Instr **owner = ARENA_ARRAY(v->cx->arena, Instr *, n + 1);
    bool *keep = ARENA_ARRAY(v->cx->arena, bool, n + 1);
    for (int r = 0; r < v->runs.len; r++) {
        Instr *loop = v->runs.items[r];
        const PtrVec *body = &loop->body->instrs;
        for (int i = 0; i < body->len; i++) {
            const Instr *in = body->items[i];
            IrVar *a = in->arr;
            if (a && a->id < n) {
                bool first = !owner[a->id];
                keep[a->id] |= (owner[a->id] && owner[a->id] != loop) ||
                               (first && !(in->kind == I_STORE && in->acc == ACC_SET));
                owner[a->id] = loop;
            }
        }
    }
    /* a load of such a scalar into a temporary of the rewrite goes: the
     * temporary's one use, in the store that follows, reads the scalar */
    IrVar **subst = ARENA_ARRAY(v->cx->arena, IrVar *, v->g->vars.len + 1);
    for (int r = 0; r < v->runs.len; r++) {
        Instr *loop = v->runs.items[r];
        PtrVec *body = &loop->body->instrs;
        int w = 0;
        for (int i = 0; i < body->len; i++) {
            Instr *in = body->items[i];
            for (int k = 0; k < in->nargs; k++)
                if (in->args[k].kind == OK_VAR && subst[in->args[k].var->id])
                    in->args[k].var = subst[in->args[k].var->id];
            IrVar *a = in->arr;
            if (!a || a->id >= n || keep[a->id] || a->ndims != 1 || a->is_param || a->alias) {
                body->items[w++] = in;
                continue;
            }
            if (in->kind == I_LOAD && in->dst->id >= n && !in->dst->name) {
                subst[in->dst->id] = a;
                continue;
            }
            if (in->kind == I_STORE) {
                in->kind = I_OP;
                in->dst = a;
            } else {
                in->kind = I_OP;
                in->acc = ACC_SET;
                in->op = OP_COPY;
                in->nargs = 1;
                in->args[0] = ir_v(a);
            }
            in->arr = NULL;
            in->idx = NULL;
            body->items[w++] = in;
        }
        body->len = w;
    }
    for (int i = 0; i < n; i++) {
        IrVar *a = v->g->vars.items[i];
        if (owner[i] && !keep[i] && a->ndims == 1 && !a->is_param && !a->alias) {
            a->ndims = 0;
            a->dims = NULL;
        }
    }
}

IrFunc *vec_jvp(Cx *cx, IrFunc *jvp, int nargs)
{
    Vec v = {0};
    v.cx = cx;
    v.src = jvp;
    v.g = ir_func(cx, arena_printf(cx->arena, "%s__vec", jvp->name), ROLE_JVP);
    v.g->exported = true;
    v.g->internal = true;
    v.g->returns = jvp->returns;
    v.g->src = jvp->src;
    v.g->primal = jvp->primal;
    v.g->nline = jvp->nline;
    v.map = ARENA_ARRAY(cx->arena, IrVar *, jvp->vars.len);
    copy_vars(&v);
    v.g->body = ir_clone_block(cx, jvp->body, map_fn, &v);
    v.nd = ir_param(cx, v.g, "nd", IT_INT);
    v.dep = ARENA_ARRAY(cx->arena, bool, v.g->vars.len + 1);
    /* the tangents: parameters after ARGS, the variables kept in them, and
     * every tangent variable */
    for (int i = nargs; i < jvp->params.len; i++)
        v.dep[v.map[((IrVar *)jvp->params.items[i])->id]->id] = true;
    for (int i = 0; i < jvp->vars.len; i++) {
        IrVar *x = v.map[i];
        if (x->tan_of || (x->alias && v.dep[x->alias->id]))
            v.dep[x->id] = true;
    }
    while (spread(&v, v.g->body))
        ;
    check(&v, v.g->body);
    if (jvp->returns)
        v.failed = true;
    widen(&v);
    if (v.failed)
        return NULL;
    v.nwide = v.g->vars.len;
    rewrite_block(&v, v.g->body);
    narrow(&v);
    ir_ensure_alloc(cx, v.g);
    return v.g;
}
