/* Forward (tangent) mode, IR -> IR. Each instruction is followed by its
 * tangent: dt = sum over the varied operands of (local derivative) * da,
 * from the same rules as reverse mode. It runs in one pass, loops stay
 * loops, and nothing is saved. Applied to the reverse-mode IR of f_grad it
 * gives Hessian-vector products (forward over reverse): the tangent of
 * every adjoint is computed beside it, and the tape carries tangents with
 * the values it saves. */
#include <string.h>

#include "activity.h"
#include "ad.h"
#include "deriv.h"
#include "gradc.h"

typedef struct Fwd {
    Cx *cx;
    IrFunc *p;                  /* the source */
    IrFunc *g;                  /* the tangent function being built */
    FuncRole role;              /* ROLE_JVP, ROLE_HVP or ROLE_FWD */
    int nvars;
    IrVar **map;                /* source var -> its value in g */
    IrVar **tan;                /* source var -> its tangent in g */
    bool *varied;
    IrVar *dres;                /* where the tangent of the result goes */
    IrVar **tparam;             /* source param -> its tangent parameter */
    IrBlock *blk;
    IrVar *dummy;
} Fwd;

/* `const` parameters have no tangent in the exported API; the helpers
 * for callers give them one (as inlining would). */
static bool carries_tangent(const IrVar *v, FuncRole role)
{
    return v->is_param && v->type == IT_REAL && (role == ROLE_FWD || !v->src_const);
}

static bool is_output(const IrVar *v)
{
    return v->is_param && ((v->ndims > 0 && !v->readonly) || v->by_ref);
}

static Operand map_operand(const Fwd *w, Operand a)
{
    if (a.kind == OK_VAR || a.kind == OK_REF)
        a.var = w->map[a.var->id];
    return a;
}

static Operand map_fn(void *data, Operand a)
{
    return map_operand(data, a);
}

/* A row of a call's argument or of a save, in the derived function. */
static IrRow *map_row(const Fwd *w, const IrRow *row)
{
    return ir_map_row(w->cx, row, map_fn, (void *)w);
}

static bool is_varied(const Fwd *w, Operand a)
{
    return (a.kind == OK_VAR || a.kind == OK_REF) && a.var->type == IT_REAL && w->varied[a.var->id];
}

/* The tangent of a source variable (made on first use). An adjoint array
 * kept in a gradient parameter has its tangent kept in that parameter's
 * tangent (f_hvp: d_x lives in g_x, its tangent in hv_x). */
static IrVar *tangent(Fwd *w, const IrVar *v)
{
    if (!w->tan[v->id]) {
        IrVar *t = ir_var_like(w->cx, w->g, v, NULL, map_fn, w);
        t->tan_of = w->map[v->id];
        if (v->alias && w->tparam[v->alias->id])
            t->alias = w->tparam[v->alias->id];
        w->tan[v->id] = t;
    }
    return w->tan[v->id];
}

static Instr *emit(Fwd *w, InstrKind kind, Span at)
{
    Instr *in = ir_instr(w->cx, kind, at);
    ir_append(w->cx, w->blk, in);
    return in;
}

static Instr *emit_op(Fwd *w, IrVar *dst, AccMode acc, Opcode op, int n, const Operand *args, Span at)
{
    Instr *in = emit(w, I_OP, at);
    in->dst = dst;
    in->acc = acc;
    in->op = op;
    in->nargs = n;
    for (int i = 0; i < n; i++)
        in->args[i] = args[i];
    return in;
}

static Instr *copy_instr(Fwd *w, const Instr *in);

/* ---- the tangent of one operation ------------------------------------- */

/* The tangent of a sum or difference of two varied values is their
 * tangents' sum or difference, one operation (dt = da + db rather than
 * dt = da; dt += db: the same rounding, half the instructions). False,
 * emitting nothing, where the rule is not that. */
static bool sum_tangent(Fwd *w, DerivCx *dc, IrVar *target, AccMode acc, Opcode op, const Operand *src_args,
                        const Operand *args, int nargs, Operand res)
{
    if (acc != ACC_SET || (op != OP_ADD && op != OP_SUB) || nargs != 2)
        return false;
    Contrib c[2];
    for (int i = 0; i < 2; i++) {
        if (!is_varied(w, src_args[i]) || !deriv_differentiable(op, i))
            return false;
        c[i] = deriv_contrib(dc, op, args, res, i, ir_v(tangent(w, src_args[i].var)));
        if (c[i].none || c[i].op != OP_COPY || c[i].nargs != 1)
            return false;
    }
    Operand pair[2] = {c[0].args[0], c[1].args[0]};
    if (c[0].negate && c[1].negate)
        return false;
    Opcode to = c[0].negate || c[1].negate ? OP_SUB : OP_ADD;
    if (c[0].negate) {
        pair[0] = c[1].args[0];                 /* -da + db is db - da */
        pair[1] = c[0].args[0];
    }
    emit_op(w, target, ACC_SET, to, 2, pair, dc->at);
    return true;
}

/* target acc= the sum over the varied operands of their contributions
 * (a plain assignment with none gives 0). */
static void put_tangent(Fwd *w, IrVar *target, AccMode acc, Opcode op, const Operand *src_args,
                        int nargs, Operand res, Span at)
{
    Operand args[IR_MAX_ARGS];
    for (int i = 0; i < nargs; i++)
        args[i] = map_operand(w, src_args[i]);
    DerivCx dc = {w->cx, w->g, w->blk, at};
    if (sum_tangent(w, &dc, target, acc, op, src_args, args, nargs, res))
        return;
    bool first = acc == ACC_SET;
    for (int i = 0; i < nargs; i++) {
        if (!is_varied(w, src_args[i]) || !deriv_differentiable(op, i))
            continue;
        Contrib c = deriv_contrib(&dc, op, args, res, i, ir_v(tangent(w, src_args[i].var)));
        if (c.none)
            continue;
        if (acc == ACC_SUB)
            c.negate = !c.negate;
        if (!first) {
            emit_op(w, target, c.negate ? ACC_SUB : ACC_ADD, c.op, c.nargs, c.args, at);
        } else if (c.negate && c.op != OP_COPY) {
            IrVar *t = ir_var(w->cx, w->g, NULL, IT_REAL);
            emit_op(w, t, ACC_SET, c.op, c.nargs, c.args, at);
            Operand v = ir_v(t);
            emit_op(w, target, ACC_SET, OP_NEG, 1, &v, at);
        } else {
            emit_op(w, target, ACC_SET, c.negate ? OP_NEG : c.op, c.nargs, c.args, at);
        }
        first = false;
    }
    if (first) {
        Operand zero = ir_real(0);
        emit_op(w, target, ACC_SET, OP_COPY, 1, &zero, at);
    }
}

static bool any_varied(const Fwd *w, const Operand *args, int n)
{
    for (int i = 0; i < n; i++)
        if (is_varied(w, args[i]))
            return true;
    return false;
}

/* Whether some rule for a varied operand reads the operation's result. */
static bool needs_result(const Fwd *w, const Instr *in)
{
    for (int i = 0; i < in->nargs; i++)
        if (is_varied(w, in->args[i]) && deriv_differentiable(in->op, i) && deriv_uses_result(in->op, i))
            return true;
    return false;
}

/* dst acc= op(args): the value, then its tangent. An accumulation whose
 * rule needs the operation's own result computes that apart first. */
static void fwd_op(Fwd *w, const Instr *in)
{
    const IrVar *v = in->dst;
    if (!w->varied[v->id] || (!any_varied(w, in->args, in->nargs) && in->acc != ACC_SET)) {
        copy_instr(w, in);
        return;
    }
    if (in->acc == ACC_SET) {
        copy_instr(w, in);
        put_tangent(w, tangent(w, v), ACC_SET, in->op, in->args, in->nargs, ir_v(w->map[v->id]), in->span);
        return;
    }
    Operand res = ir_real(0);
    if (needs_result(w, in)) {
        /* v += op(args) as r = op(args); v += r */
        IrVar *r = ir_var(w->cx, w->g, NULL, IT_REAL);
        Operand args[IR_MAX_ARGS];
        for (int i = 0; i < in->nargs; i++)
            args[i] = map_operand(w, in->args[i]);
        emit_op(w, r, ACC_SET, in->op, in->nargs, args, in->span);
        res = ir_v(r);
        emit_op(w, w->map[v->id], in->acc, OP_COPY, 1, &res, in->span);
    } else {
        copy_instr(w, in);
    }
    put_tangent(w, tangent(w, v), in->acc, in->op, in->args, in->nargs, res, in->span);
}

static void fwd_load(Fwd *w, const Instr *in)
{
    copy_instr(w, in);
    if (!w->varied[in->dst->id])
        return;
    if (!w->varied[in->arr->id]) {
        Operand zero = ir_real(0);
        emit_op(w, tangent(w, in->dst), ACC_SET, OP_COPY, 1, &zero, in->span);
        return;
    }
    Instr *ld = emit(w, I_LOAD, in->span);
    ld->dst = tangent(w, in->dst);
    ld->arr = tangent(w, in->arr);
    ir_index_slots(w->cx, ld);
    for (int k = 0; k < in->arr->ndims; k++)
        ld->idx[k] = map_operand(w, in->idx[k]);
}

static void fwd_store(Fwd *w, const Instr *in)
{
    if (!w->varied[in->arr->id]) {
        copy_instr(w, in);
        return;
    }
    Operand args[IR_MAX_ARGS];
    for (int i = 0; i < in->nargs; i++)
        args[i] = map_operand(w, in->args[i]);
    Operand res = ir_real(0);
    if (needs_result(w, in)) {
        IrVar *r = ir_var(w->cx, w->g, NULL, IT_REAL);
        emit_op(w, r, ACC_SET, in->op, in->nargs, args, in->span);
        res = ir_v(r);
        Instr *st = copy_instr(w, in);
        st->op = OP_COPY;
        st->nargs = 1;
        st->args[0] = res;
    } else {
        copy_instr(w, in);
    }
    if (in->acc != ACC_SET && !any_varied(w, in->args, in->nargs))
        return;
    IrVar *t = ir_var(w->cx, w->g, NULL, IT_REAL);
    put_tangent(w, t, ACC_SET, in->op, in->args, in->nargs, res, in->span);
    Operand dt = ir_v(t);
    Instr *st = emit(w, I_STORE, in->span);
    st->arr = tangent(w, in->arr);
    ir_index_slots(w->cx, st);
    for (int k = 0; k < in->arr->ndims; k++)
        st->idx[k] = map_operand(w, in->idx[k]);
    st->acc = in->acc;
    st->op = OP_COPY;
    st->nargs = 1;
    st->args[0] = dt;
}

/* ---- structure, calls and the tape ------------------------------------ */

static void fwd_block(Fwd *w, const IrBlock *b, IrBlock *into);

static IrVar *dummy(Fwd *w)
{
    if (!w->dummy) {
        w->dummy = ir_var(w->cx, w->g, "unused", IT_REAL);
        Instr *in = ir_instr(w->cx, I_OP, (Span){0});
        in->op = OP_COPY;
        in->dst = w->dummy;
        in->nargs = 1;
        in->args[0] = ir_real(0);
        vec_insert(w->cx->arena, &w->g->body->instrs, 0, in);
    }
    return w->dummy;
}

/* A call: the callee's tangent helper gives the value and its tangent,
 * and writes outputs with their tangents. */
static void fwd_call(Fwd *w, const Instr *in)
{
    bool varied = any_varied(w, in->cargs, in->ncargs) || (in->dst && w->varied[in->dst->id]);
    for (int k = 0; k < in->ncargs; k++)
        varied |= ir_call_writes(in, k) && is_varied(w, in->cargs[k]);
    if (!varied) {
        copy_instr(w, in);
        return;
    }
    IrFunc *h = ad_fwd_helper(w->cx, in->callee);
    Instr *out = emit(w, I_CALL, in->span);
    out->callee = h;
    out->dst = in->dst ? w->map[in->dst->id] : NULL;
    out->ncargs = h->params.len;
    out->cargs = ARENA_ARRAY(w->cx->arena, Operand, out->ncargs);
    int n = 0;
    for (int i = 0; i < in->ncargs; i++) {
        out->cargs[n] = map_operand(w, in->cargs[i]);
        ir_set_call_row(w->cx, out, n++, map_row(w, ir_call_row(in, i)));
    }
    for (int i = 0; i < in->ncargs; i++) {
        const IrVar *p = in->callee->params.items[i];
        if (!carries_tangent(p, ROLE_FWD))
            continue;
        Operand a = in->cargs[i];
        bool v = is_varied(w, a);
        if (p->ndims > 0 && v) {
            out->cargs[n] = ir_v(tangent(w, a.var));
            ir_set_call_row(w->cx, out, n++, map_row(w, ir_call_row(in, i)));
        } else if (p->ndims > 0)
            out->cargs[n++] = (Operand){.kind = OK_NULL};
        else if (p->by_ref)
            out->cargs[n++] = ir_ref(v ? tangent(w, a.var) : dummy(w));
        else
            out->cargs[n++] = v ? ir_v(tangent(w, a.var)) : ir_real(0);
    }
    if (in->callee->returns)
        out->cargs[n++] = ir_ref(in->dst && w->varied[in->dst->id] ? tangent(w, in->dst) : dummy(w));
    if (n != out->ncargs)
        die("forward: call to %s has %d arguments, expected %d", h->name, n, out->ncargs);
}

static void fwd_if(Fwd *w, const Instr *in)
{
    Instr *out = emit(w, I_IF, in->span);
    out->cond = map_operand(w, in->cond);
    out->note = in->note;
    out->then = ir_block(w->cx);
    fwd_block(w, in->then, out->then);
    if (in->els) {
        out->els = ir_block(w->cx);
        fwd_block(w, in->els, out->els);
    }
}

static void fwd_for(Fwd *w, const Instr *in)
{
    Instr *out = emit(w, I_FOR, in->span);
    *out = *in;
    out->ivar = w->map[in->ivar->id];
    out->lo = map_operand(w, in->lo);
    out->hi = map_operand(w, in->hi);
    out->cond = map_operand(w, in->cond);       /* the exit flag, if any */
    out->body = ir_block(w->cx);
    fwd_block(w, in->body, out->body);
}

static void fwd_instr(Fwd *w, const Instr *in)
{
    switch (in->kind) {
    case I_OP:
        fwd_op(w, in);
        break;
    case I_LOAD:
        fwd_load(w, in);
        break;
    case I_STORE:
        fwd_store(w, in);
        break;
    case I_IF:
        fwd_if(w, in);
        break;
    case I_FOR:
        fwd_for(w, in);
        break;
    case I_CALL:
        fwd_call(w, in);
        break;
    case I_RETURN:
        if (w->dres) {
            Operand a = in->args[0];
            Operand t = is_varied(w, a) ? ir_v(tangent(w, a.var)) : ir_real(0);
            emit_op(w, w->dres, ACC_SET, OP_COPY, 1, &t, in->span);
        }
        copy_instr(w, in);
        break;
    case I_FILL:
        copy_instr(w, in);
        if (w->varied[in->arr->id])
            emit(w, I_FILL, in->span)->arr = tangent(w, in->arr);
        break;
    case I_ACOPY: {
        copy_instr(w, in);
        if (!w->varied[in->arr->id])
            break;
        if (is_varied(w, in->args[0])) {
            Instr *c = emit(w, I_ACOPY, in->span);
            c->arr = tangent(w, in->arr);
            c->nargs = 1;
            c->args[0] = ir_v(tangent(w, in->args[0].var));
        } else {
            emit(w, I_FILL, in->span)->arr = tangent(w, in->arr);
        }
        break;
    }
    case I_PUSH:
        copy_instr(w, in);
        if (is_varied(w, in->args[0])) {
            Instr *p = emit(w, I_PUSH, in->span);
            p->nargs = 1;
            p->args[0] = ir_v(tangent(w, in->args[0].var));
        }
        break;
    case I_POP:
        /* pushed value, then tangent: popped the other way round */
        if (w->varied[in->dst->id])
            emit(w, I_POP, in->span)->dst = tangent(w, in->dst);
        copy_instr(w, in);
        break;
    case I_PUSHA:
        copy_instr(w, in);
        if (w->varied[in->arr->id]) {
            Instr *push = emit(w, I_PUSHA, in->span);
            push->arr = tangent(w, in->arr);
            push->row = map_row(w, in->row);
            push->per = in->per;            /* a snapshot's copy is one too */
        }
        break;
    case I_POPA:
        if (w->varied[in->arr->id]) {
            Instr *pop = emit(w, I_POPA, in->span);
            pop->arr = tangent(w, in->arr);
            pop->row = map_row(w, in->row);
        }
        copy_instr(w, in);
        break;
    case I_RESERVE: {
        Instr *r = copy_instr(w, in);
        r->per = in->per * 2;               /* room for the tangents too */
        break;
    }
    case I_ALLOC:
        copy_instr(w, in);
        break;
    }
}

static Instr *copy_instr(Fwd *w, const Instr *in)
{
    Instr *out = ir_clone_instr(w->cx, in, map_fn, w, false);
    ir_append(w->cx, w->blk, out);
    return out;
}

static void fwd_block(Fwd *w, const IrBlock *b, IrBlock *into)
{
    IrBlock *saved = w->blk;
    w->blk = into;
    for (int i = 0; i < b->instrs.len; i++)
        fwd_instr(w, b->instrs.items[i]);
    w->blk = saved;
}

/* ---- the signature ---------------------------------------------------- */

static IrVar *clone_var(Fwd *w, const IrVar *v)
{
    IrVar *c = ir_var(w->cx, w->g, v->name, v->type);
    ir_set_shape(w->cx, c, v->ndims);
    for (int k = 0; k < v->ndims; k++)
        c->dims[k] = ir_map_size(w->cx, v->dims[k], map_fn, w);
    c->readonly = v->readonly;
    c->src_const = v->src_const;
    c->by_ref = v->by_ref;
    c->nullable = v->nullable;
    c->grad_of = v->grad_of;
    c->seed_of = v->seed_of;
    c->is_out = v->is_out;
    return c;
}

static void add_clone(Fwd *w, const IrVar *v)
{
    IrVar *c = clone_var(w, v);
    c->is_param = true;
    c->grad_of = v->grad_of ? w->map[v->grad_of->id] : NULL;
    c->seed_of = v->seed_of ? w->map[v->seed_of->id] : NULL;
    vec_push(w->cx->arena, &w->g->params, c);
    w->map[v->id] = c;
}

/* The tangent parameter of v: a value for a scalar input, a pointer for
 * an output or an array. Exported functions take NULL for an array
 * tangent (zeros in, nothing out); the function works on scratch then. */
static void add_tangent(Fwd *w, const IrVar *v, const char *prefix)
{
    const char *base = v->grad_of ? v->grad_of->name : v->name;
    IrVar *t = ir_var_like(w->cx, w->g, v, arena_printf(w->cx->arena, "%s%s", prefix, base), map_fn, w);
    t->is_param = true;
    t->by_ref = v->by_ref;
    t->readonly = v->ndims > 0 && v->readonly;
    t->nullable = v->ndims > 0 || (v->by_ref && w->role != ROLE_FWD);
    vec_push(w->cx->arena, &w->g->params, t);
    w->varied[v->id] = true;
    w->tparam[v->id] = t;
    if (v->ndims > 0) {
        IrVar *a = tangent(w, v);
        a->alias = t;
        a->readonly = t->readonly;          /* an input's tangent is only read */
    } else {
        w->tan[v->id] = t;
    }
}

static bool is_grad(const IrVar *v)
{
    return v->grad_of != NULL;
}

/* Parameters, in the order of LANGUAGE.md section 6:
 *   f_jvp:  ARGS, TANGENTS, OUT_TANGENTS, [df]
 *   f_hvp:  ARGS, TANGENTS, GRADS, HV          (from f_grad)
 *   helper: ARGS, a tangent for each, [dres] */
static void add_params(Fwd *w)
{
    const PtrVec *ps = &w->p->params;
    for (int i = 0; i < ps->len; i++)
        if (w->role != ROLE_HVP || !is_grad(ps->items[i]))
            add_clone(w, ps->items[i]);
    for (int i = 0; i < ps->len; i++) {
        const IrVar *v = ps->items[i];
        bool first = w->role == ROLE_FWD || (w->role == ROLE_JVP ? !is_output(v) : !is_grad(v));
        if (carries_tangent(v, w->role) && first)
            add_tangent(w, v, "d");
    }
    for (int i = 0; w->role == ROLE_HVP && i < ps->len; i++)
        if (is_grad(ps->items[i]))
            add_clone(w, ps->items[i]);
    for (int i = 0; w->role != ROLE_FWD && i < ps->len; i++) {
        const IrVar *v = ps->items[i];
        if (w->role == ROLE_JVP && carries_tangent(v, w->role) && is_output(v))
            add_tangent(w, v, "d");
        if (w->role == ROLE_HVP && is_grad(v))
            add_tangent(w, v, "hv_");
    }
    if (w->p->returns && w->role != ROLE_HVP) {
        w->dres = ir_param(w->cx, w->g, w->role == ROLE_FWD ? "dres" : "df", IT_REAL);
        w->dres->by_ref = true;
        w->dres->nullable = w->role == ROLE_JVP;
    }
}

static IrFunc *forward(Cx *cx, IrFunc *p, FuncRole role, const char *name)
{
    Fwd w = {0};
    w.cx = cx;
    w.p = p;
    w.role = role;
    w.g = ir_func(cx, name, role);
    w.g->returns = p->returns;
    w.g->src = p->src;
    w.g->primal = p->primal ? p->primal : p;
    w.g->nline = p->nline;
    int n = w.nvars = p->vars.len;
    w.map = ARENA_ARRAY(cx->arena, IrVar *, n);
    w.tan = ARENA_ARRAY(cx->arena, IrVar *, n);
    w.varied = ARENA_ARRAY(cx->arena, bool, n);
    w.tparam = ARENA_ARRAY(cx->arena, IrVar *, n);
    add_params(&w);
    for (int i = 0; i < n; i++) {
        const IrVar *v = p->vars.items[i];
        if (!v->is_param) {
            IrVar *c = clone_var(&w, v);
            c->adj_of = v->adj_of ? w.map[v->adj_of->id] : NULL;
            c->alias = v->alias ? w.map[v->alias->id] : NULL;
            w.map[v->id] = c;
        }
    }
    /* outputs are written whatever the inputs: their tangents too */
    for (int i = 0; i < p->params.len; i++) {
        const IrVar *v = p->params.items[i];
        if (carries_tangent(v, w.role) && is_output(v))
            w.varied[v->id] = true;
    }
    /* and so are adjoint arrays kept in them (f_hvp: d_x in g_x, whose
     * tangent is hv_x, written even where H v is zero) */
    for (int i = 0; i < n; i++) {
        const IrVar *v = p->vars.items[i];
        if (v->alias && carries_tangent(v->alias, w.role) && is_output(v->alias))
            w.varied[v->id] = true;
    }
    activity_varied(p, w.varied);
    w.g->body = ir_block(cx);
    fwd_block(&w, p->body, w.g->body);
    ir_ensure_alloc(cx, w.g);
    return w.g;
}

IrFunc *ad_fwd_helper(Cx *cx, IrFunc *f)
{
    if (!f->fwd) {
        const char *name = arena_printf(cx->arena, "%s__fwd", f->name);
        f->fwd = forward(cx, f, ROLE_FWD, name);
        vec_push(cx->arena, &cx->ir->funcs, f->fwd);
    }
    return f->fwd;
}

bool ad_forward_module(Cx *cx, bool jvp, bool hvp)
{
    int n = cx->ir->funcs.len;
    for (int i = 0; i < n; i++) {
        IrFunc *p = cx->ir->funcs.items[i];
        if (p->role != ROLE_PRIMAL)
            continue;
        if (jvp) {
            IrFunc *g = forward(cx, p, ROLE_JVP, arena_printf(cx->arena, "%s_jvp", p->name));
            g->exported = true;
            vec_push(cx->arena, &cx->ir->funcs, g);
        }
        if (hvp && p->returns && p->grad) {
            IrFunc *g = forward(cx, p->grad, ROLE_HVP, arena_printf(cx->arena, "%s_hvp", p->name));
            g->exported = true;
            vec_push(cx->arena, &cx->ir->funcs, g);
        }
    }
    return true;
}
