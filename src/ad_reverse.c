/* Reverse mode, IR -> IR. The new function runs the primal (the forward
 * sweep), then walks the primal's instructions backwards (the reverse
 * sweep): each active operation adds seed * local derivative into its
 * operands' adjoints. Adjoints are locals that start at zero in every call
 * (the reset), so nothing leaks from one evaluation into the next.
 *
 * Only active values get adjoints: those that depend on a differentiated
 * input (varied) and influence the result (useful). An adjoint that has
 * received nothing is zero, so its operation is skipped: untaken branches
 * and constants cost nothing and cannot turn 0 into NaN. */
#include <string.h>

#include "ad.h"
#include "deriv.h"
#include "gradc.h"

/* A block of the reverse sweep being built, for the primal block it
 * reverses. */
typedef struct Open {
    const IrBlock *primal;
    IrBlock *rev;
} Open;

typedef struct Rev {
    Cx *cx;
    IrFunc *p;                  /* the primal */
    IrFunc *g;                  /* the function being built */
    IrVar **map;                /* primal var -> its value in g */
    IrVar **adj;                /* primal var -> its adjoint in g */
    bool *varied, *useful;
    bool *init;                 /* the adjoint has been given a value */
    IrBlock **home;             /* primal var -> innermost block holding all its definitions */
    Open *open;
    int nopen, capopen;
    IrVar *dummy;               /* sink for adjoints of arguments that are constants */
    IrVar **gparam;             /* primal param -> its gradient parameter in g */
} Rev;

/* ---- activity --------------------------------------------------------- */

static bool any_varied(const Rev *r, const Operand *args, int n)
{
    for (int i = 0; i < n; i++)
        if ((args[i].kind == OK_VAR || args[i].kind == OK_REF) && args[i].var->type == IT_REAL &&
            r->varied[args[i].var->id])
            return true;
    return false;
}

static bool set_flag(bool *flags, const IrVar *v)
{
    if (!v || flags[v->id] || v->type != IT_REAL)
        return false;
    flags[v->id] = true;
    return true;
}

static bool varied_block(Rev *r, const IrBlock *b)
{
    bool changed = false;
    for (int i = 0; i < b->instrs.len; i++) {
        const Instr *in = b->instrs.items[i];
        switch (in->kind) {
        case I_OP:
            if (any_varied(r, in->args, in->nargs))
                changed |= set_flag(r->varied, in->dst);
            break;
        case I_LOAD:
            if (r->varied[in->arr->id])
                changed |= set_flag(r->varied, in->dst);
            break;
        case I_STORE:
            if (any_varied(r, in->args, in->nargs))
                changed |= set_flag(r->varied, in->arr);
            break;
        case I_IF:
            changed |= varied_block(r, in->then);
            if (in->els)
                changed |= varied_block(r, in->els);
            break;
        case I_FOR:
            changed |= varied_block(r, in->body);
            break;
        case I_CALL:
            if (any_varied(r, in->cargs, in->ncargs)) {
                changed |= set_flag(r->varied, in->dst);
                for (int k = 0; k < in->ncargs; k++) {
                    const IrVar *p = in->callee->params.items[k];
                    if (p->ndims > 0 && !p->readonly)
                        changed |= set_flag(r->varied, in->cargs[k].var);
                }
            }
            break;
        case I_FILL:
        case I_RETURN:
            break;
        }
    }
    return changed;
}

static bool mark_useful(Rev *r, const Operand *args, int n)
{
    bool changed = false;
    for (int i = 0; i < n; i++)
        if (args[i].kind == OK_VAR)
            changed |= set_flag(r->useful, args[i].var);
    return changed;
}

static bool useful_block(Rev *r, const IrBlock *b)
{
    bool changed = false;
    for (int i = b->instrs.len - 1; i >= 0; i--) {
        const Instr *in = b->instrs.items[i];
        switch (in->kind) {
        case I_OP:
            if (r->useful[in->dst->id])
                changed |= mark_useful(r, in->args, in->nargs);
            break;
        case I_LOAD:
            if (r->useful[in->dst->id])
                changed |= set_flag(r->useful, in->arr);
            break;
        case I_STORE:
            if (r->useful[in->arr->id])
                changed |= mark_useful(r, in->args, in->nargs);
            break;
        case I_IF:
            changed |= useful_block(r, in->then);
            if (in->els)
                changed |= useful_block(r, in->els);
            break;
        case I_FOR:
            changed |= useful_block(r, in->body);
            break;
        case I_CALL: {
            bool out_useful = in->dst && r->useful[in->dst->id];
            for (int k = 0; k < in->ncargs; k++) {
                const IrVar *p = in->callee->params.items[k];
                if (p->ndims > 0 && !p->readonly && r->useful[in->cargs[k].var->id])
                    out_useful = true;
            }
            if (out_useful)
                changed |= mark_useful(r, in->cargs, in->ncargs);
            break;
        }
        case I_RETURN:
            changed |= mark_useful(r, in->args, in->nargs);
            break;
        case I_FILL:
            break;
        }
    }
    return changed;
}

static void analyse_activity(Rev *r)
{
    for (int i = 0; i < r->p->params.len; i++) {
        const IrVar *v = r->p->params.items[i];
        if (v->type == IT_REAL && !(v->src_const))
            r->varied[v->id] = true;
    }
    while (varied_block(r, r->p->body))
        ;
    while (useful_block(r, r->p->body))
        ;
}

static bool active(const Rev *r, const IrVar *v)
{
    return v->type == IT_REAL && r->varied[v->id] && r->useful[v->id];
}

/* ---- where adjoints live ---------------------------------------------- */

static void note_def(Rev *r, IrVar *v, IrBlock *b)
{
    r->home[v->id] = r->home[v->id] ? ir_common_block(r->home[v->id], b) : b;
}

static void find_homes(Rev *r, IrBlock *b)
{
    for (int i = 0; i < b->instrs.len; i++) {
        Instr *in = b->instrs.items[i];
        if (in->kind == I_OP || in->kind == I_LOAD || (in->kind == I_CALL && in->dst))
            note_def(r, in->dst, b);
        else if (in->kind == I_STORE || in->kind == I_FILL)
            note_def(r, in->arr, b);
        else if (in->kind == I_IF) {
            find_homes(r, in->then);
            if (in->els)
                find_homes(r, in->els);
        } else if (in->kind == I_FOR) {
            note_def(r, in->ivar, in->body);
            find_homes(r, in->body);
        }
    }
}

static IrBlock *home_of(const Rev *r, const IrVar *v)
{
    return v->is_param || !r->home[v->id] ? r->p->body : r->home[v->id];
}

/* ---- building the reverse sweep --------------------------------------- */

static IrBlock *cur_block(const Rev *r)
{
    return r->open[r->nopen - 1].rev;
}

static Instr *emit(Rev *r, IrBlock *b, IrVar *dst, AccMode acc, Opcode op, int n, const Operand *args)
{
    Instr *in = ir_instr(r->cx, I_OP, (Span){0});
    in->op = op;
    in->acc = acc;
    in->dst = dst;
    in->nargs = n;
    for (int i = 0; i < n; i++)
        in->args[i] = args[i];
    ir_append(r->cx, b, in);
    return in;
}

static IrVar *adjoint(Rev *r, const IrVar *pv)
{
    if (!r->adj[pv->id]) {
        IrVar *a = ir_var(r->cx, r->g, NULL, IT_REAL);
        a->adj_of = r->map[pv->id];
        r->adj[pv->id] = a;
    }
    return r->adj[pv->id];
}

/* Gives pv's adjoint its zero where it lives, if nothing has yet. */
static void ensure_init(Rev *r, const IrVar *pv)
{
    if (r->init[pv->id])
        return;
    const IrBlock *home = home_of(r, pv);
    IrBlock *at = r->open[0].rev;
    for (int k = r->nopen - 1; k >= 0; k--) {
        if (r->open[k].primal == home) {
            at = r->open[k].rev;
            break;
        }
    }
    Operand zero = ir_real(0);
    emit(r, at, adjoint(r, pv), ACC_SET, OP_COPY, 1, &zero);
    r->init[pv->id] = true;
}

/* adj(pv) += c. The first contribution, made where the adjoint lives,
 * defines it instead. */
static void accumulate(Rev *r, const IrVar *pv, Contrib c, Span at)
{
    if (c.none)
        return;
    IrBlock *b = cur_block(r);
    IrVar *d = adjoint(r, pv);
    Instr *in;
    if (!r->init[pv->id] && home_of(r, pv) == r->open[r->nopen - 1].primal) {
        r->init[pv->id] = true;
        if (c.negate && c.op != OP_COPY) {
            IrVar *t = ir_var(r->cx, r->g, NULL, IT_REAL);
            emit(r, b, t, ACC_SET, c.op, c.nargs, c.args)->span = at;
            Operand v = ir_v(t);
            in = emit(r, b, d, ACC_SET, OP_NEG, 1, &v);
        } else {
            in = emit(r, b, d, ACC_SET, c.negate ? OP_NEG : c.op, c.nargs, c.args);
        }
    } else {
        ensure_init(r, pv);
        in = emit(r, b, d, c.negate ? ACC_SUB : ACC_ADD, c.op, c.nargs, c.args);
    }
    in->span = at;
}

static Operand map_operand(const Rev *r, Operand a)
{
    if (a.kind == OK_VAR || a.kind == OK_REF)
        a.var = r->map[a.var->id];
    return a;
}

static DerivCx deriv_cx(Rev *r, Span at)
{
    return (DerivCx){r->cx, r->g, cur_block(r), at};
}

static void rev_block(Rev *r, const IrBlock *pb, IrBlock *rb);

static void rev_op(Rev *r, const Instr *in)
{
    const IrVar *pv = in->dst;
    if (!active(r, pv) || !r->init[pv->id])
        return;                             /* its adjoint is zero */
    Operand args[IR_MAX_ARGS];
    for (int i = 0; i < in->nargs; i++)
        args[i] = map_operand(r, in->args[i]);
    Operand seed = ir_v(adjoint(r, pv));
    DerivCx dc = deriv_cx(r, in->span);
    for (int i = 0; i < in->nargs; i++) {
        const Operand a = in->args[i];
        if (a.kind != OK_VAR || !active(r, a.var) || !deriv_differentiable(in->op, i))
            continue;
        Contrib c = deriv_contrib(&dc, in->op, args, ir_v(r->map[pv->id]), i, seed);
        if (in->acc == ACC_SUB)
            c.negate = !c.negate;
        accumulate(r, a.var, c, in->span);
    }
}

static void rev_if(Rev *r, const Instr *in)
{
    IrBlock *then = ir_block(r->cx), *els = ir_block(r->cx);
    rev_block(r, in->then, then);
    if (in->els)
        rev_block(r, in->els, els);
    if (then->instrs.len == 0 && els->instrs.len == 0)
        return;
    Instr *out = ir_instr(r->cx, I_IF, in->span);
    out->cond = map_operand(r, in->cond);
    out->then = then;
    out->els = els->instrs.len ? els : NULL;
    if (then->instrs.len == 0) {
        IrVar *nc = ir_var(r->cx, r->g, NULL, IT_BOOL);
        emit(r, cur_block(r), nc, ACC_SET, OP_NOT, 1, &out->cond)->span = in->span;
        out->cond = ir_v(nc);
        out->then = els;
        out->els = NULL;
    }
    ir_append(r->cx, cur_block(r), out);
}

static IrVar *dummy(Rev *r)
{
    if (!r->dummy) {
        r->dummy = ir_var(r->cx, r->g, "unused", IT_REAL);
        Operand zero = ir_real(0);
        Instr *in = ir_instr(r->cx, I_OP, (Span){0});
        in->op = OP_COPY;
        in->dst = r->dummy;
        in->nargs = 1;
        in->args[0] = zero;
        vec_insert(r->cx->arena, &r->open[0].rev->instrs, 0, in);
    }
    return r->dummy;
}

/* y = g(args): g's reverse helper adds seed * dg/dargs into their adjoints. */
static void rev_call(Rev *r, const Instr *in)
{
    if (!in->dst || !active(r, in->dst) || !r->init[in->dst->id])
        return;
    IrFunc *rev = ad_rev_helper(r->cx, in->callee);
    Instr *out = ir_instr(r->cx, I_CALL, in->span);
    out->callee = rev;
    out->dst = ir_var(r->cx, r->g, NULL, IT_REAL);
    out->ncargs = rev->params.len;
    out->cargs = ARENA_ARRAY(r->cx->arena, Operand, out->ncargs);
    int k = 0;
    for (int i = 0; i < in->ncargs; i++)
        out->cargs[k++] = map_operand(r, in->cargs[i]);
    out->cargs[k++] = ir_v(adjoint(r, in->dst));
    for (int i = 0; i < in->ncargs; i++) {
        const IrVar *p = in->callee->params.items[i];
        if (p->type != IT_REAL || p->src_const || p->ndims > 0)
            continue;
        Operand a = in->cargs[i];
        if (a.kind == OK_VAR && active(r, a.var)) {
            ensure_init(r, a.var);
            out->cargs[k++] = ir_ref(adjoint(r, a.var));
        } else {
            out->cargs[k++] = ir_ref(dummy(r));
        }
    }
    if (k != out->ncargs)
        die("reverse: call to %s has %d arguments, expected %d", rev->name, k, out->ncargs);
    ir_append(r->cx, cur_block(r), out);
}

static void rev_instr(Rev *r, const Instr *in)
{
    switch (in->kind) {
    case I_OP:
        rev_op(r, in);
        break;
    case I_IF:
        rev_if(r, in);
        break;
    case I_CALL:
        rev_call(r, in);
        break;
    case I_RETURN:
        break;
    case I_LOAD:
    case I_STORE:
    case I_FILL:
    case I_FOR:
        die("reverse mode of arrays and loops is not implemented yet");
    }
}

static void rev_block(Rev *r, const IrBlock *pb, IrBlock *rb)
{
    if (r->nopen == r->capopen) {
        int cap = r->capopen ? r->capopen * 2 : 16;
        Open *o = ARENA_ARRAY(r->cx->arena, Open, cap);
        if (r->nopen)
            memcpy(o, r->open, sizeof *o * (size_t)r->nopen);
        r->open = o;
        r->capopen = cap;
    }
    r->open[r->nopen++] = (Open){pb, rb};
    for (int i = pb->instrs.len - 1; i >= 0; i--)
        rev_instr(r, pb->instrs.items[i]);
    r->nopen--;
}

/* ---- the forward sweep ------------------------------------------------ */

static IrBlock *clone_block(Rev *r, const IrBlock *b, Operand *ret);

static Instr *clone_instr(Rev *r, const Instr *in)
{
    Instr *out = ir_instr(r->cx, in->kind, in->span);
    *out = *in;
    if (in->dst)
        out->dst = r->map[in->dst->id];
    if (in->arr)
        out->arr = r->map[in->arr->id];
    if (in->ivar)
        out->ivar = r->map[in->ivar->id];
    for (int i = 0; i < IR_MAX_DIMS; i++)
        out->idx[i] = map_operand(r, in->idx[i]);
    for (int i = 0; i < in->nargs; i++)
        out->args[i] = map_operand(r, in->args[i]);
    out->cond = map_operand(r, in->cond);
    out->lo = map_operand(r, in->lo);
    out->hi = map_operand(r, in->hi);
    if (in->kind == I_CALL) {
        out->cargs = ARENA_ARRAY(r->cx->arena, Operand, in->ncargs + 1);
        for (int i = 0; i < in->ncargs; i++)
            out->cargs[i] = map_operand(r, in->cargs[i]);
    }
    if (in->then)
        out->then = clone_block(r, in->then, NULL);
    if (in->els)
        out->els = clone_block(r, in->els, NULL);
    if (in->body)
        out->body = clone_block(r, in->body, NULL);
    return out;
}

static IrBlock *clone_block(Rev *r, const IrBlock *b, Operand *ret)
{
    IrBlock *out = ir_block(r->cx);
    for (int i = 0; i < b->instrs.len; i++) {
        const Instr *in = b->instrs.items[i];
        if (in->kind == I_RETURN) {
            if (ret)
                *ret = map_operand(r, in->args[0]);
            continue;
        }
        ir_append(r->cx, out, clone_instr(r, in));
    }
    return out;
}

static IrVar *clone_var(Rev *r, const IrVar *v)
{
    IrVar *c = ir_var(r->cx, r->g, v->name, v->type);
    c->ndims = v->ndims;
    for (int k = 0; k < v->ndims; k++)
        c->dims[k] = map_operand(r, v->dims[k]);
    c->readonly = v->readonly;
    c->src_const = v->src_const;
    return c;
}

/* ---- the transform ---------------------------------------------------- */

static const char *grad_param_name(Rev *r, const IrVar *p)
{
    return arena_printf(r->cx->arena, "g_%s", p->name);
}

static void add_params(Rev *r, FuncRole role)
{
    IrFunc *p = r->p, *g = r->g;
    for (int i = 0; i < p->params.len; i++) {
        const IrVar *v = p->params.items[i];
        IrVar *c = clone_var(r, v);
        c->is_param = true;
        vec_push(r->cx->arena, &g->params, c);
        r->map[v->id] = c;
    }
    if (role == ROLE_REV)
        ir_param(r->cx, g, "seed", IT_REAL);
    for (int i = 0; i < p->params.len; i++) {
        const IrVar *v = p->params.items[i];
        if (v->type != IT_REAL || v->src_const)
            continue;
        IrVar *gp = ir_param(r->cx, g, grad_param_name(r, v), IT_REAL);
        gp->by_ref = true;
        gp->nullable = role == ROLE_GRAD;
        gp->grad_of = r->map[v->id];
        r->gparam[v->id] = gp;
    }
}

static void clone_locals(Rev *r)
{
    for (int i = 0; i < r->p->vars.len; i++) {
        const IrVar *v = r->p->vars.items[i];
        if (!v->is_param)
            r->map[v->id] = clone_var(r, v);
    }
}

/* The gradient outputs: written (f_grad) or added to the caller's (helper). */
static void write_gradients(Rev *r, FuncRole role)
{
    IrBlock *b = r->g->body;
    for (int i = 0; i < r->p->params.len; i++) {
        const IrVar *pv = r->p->params.items[i];
        IrVar *gp = r->gparam[pv->id];
        if (!gp)
            continue;
        Operand v = r->init[pv->id] ? ir_v(r->adj[pv->id]) : ir_real(0);
        if (role == ROLE_GRAD)
            emit(r, b, gp, ACC_SET, OP_COPY, 1, &v);
        else if (r->init[pv->id])
            emit(r, b, gp, ACC_ADD, OP_COPY, 1, &v);
    }
}

static IrFunc *reverse(Cx *cx, IrFunc *p, FuncRole role, const char *name)
{
    Rev r = {0};
    r.cx = cx;
    r.p = p;
    r.g = ir_func(cx, name, role);
    r.g->returns = p->returns;
    r.g->src = p->src;
    r.g->primal = p;
    r.g->nline = p->nline;
    int n = p->vars.len;
    r.map = ARENA_ARRAY(cx->arena, IrVar *, n);
    r.adj = ARENA_ARRAY(cx->arena, IrVar *, n);
    r.varied = ARENA_ARRAY(cx->arena, bool, n);
    r.useful = ARENA_ARRAY(cx->arena, bool, n);
    r.init = ARENA_ARRAY(cx->arena, bool, n);
    r.home = ARENA_ARRAY(cx->arena, IrBlock *, n);
    r.gparam = ARENA_ARRAY(cx->arena, IrVar *, n);

    ir_link_blocks(p);
    analyse_activity(&r);
    find_homes(&r, p->body);
    add_params(&r, role);
    clone_locals(&r);

    Operand ret = {0};
    IrBlock *fwd = clone_block(&r, p->body, &ret);
    IrBlock *rev = ir_block(cx);
    r.g->body = fwd;
    if (fwd->instrs.len)
        ((Instr *)fwd->instrs.items[0])->note = "forward sweep";

    /* the seed, then the instructions in reverse */
    r.open = NULL;
    r.nopen = r.capopen = 0;
    {
        Open first = {p->body, rev};
        r.open = ARENA_ARRAY(cx->arena, Open, 16);
        r.capopen = 16;
        r.open[r.nopen++] = first;
        Operand ret_primal = {0};
        const IrBlock *pb = p->body;
        if (pb->instrs.len) {
            const Instr *last = pb->instrs.items[pb->instrs.len - 1];
            if (last->kind == I_RETURN)
                ret_primal = last->args[0];
        }
        if (ret_primal.kind == OK_VAR && active(&r, ret_primal.var)) {
            Operand seed = role == ROLE_REV ? ir_v(r.g->params.items[p->params.len]) : ir_real(1);
            accumulate(&r, ret_primal.var, (Contrib){.op = OP_COPY, .nargs = 1, .args = {seed}},
                       ((Instr *)pb->instrs.items[pb->instrs.len - 1])->span);
        }
        for (int i = pb->instrs.len - 1; i >= 0; i--)
            rev_instr(&r, pb->instrs.items[i]);
        r.nopen = 0;
    }
    if (rev->instrs.len)
        ((Instr *)rev->instrs.items[0])->note = "reverse sweep";
    for (int i = 0; i < rev->instrs.len; i++)
        ir_append(cx, fwd, rev->instrs.items[i]);
    write_gradients(&r, role);
    if (p->returns) {
        Instr *in = ir_instr(cx, I_RETURN, (Span){0});
        in->nargs = 1;
        in->args[0] = ret;
        ir_append(cx, fwd, in);
    }
    return r.g;
}

IrFunc *ad_rev_helper(Cx *cx, IrFunc *primal)
{
    if (!primal->rev) {
        const char *name = arena_printf(cx->arena, "%s__rev", primal->name);
        primal->rev = reverse(cx, primal, ROLE_REV, name);
        vec_push(cx->arena, &cx->ir->funcs, primal->rev);
    }
    return primal->rev;
}

bool ad_reverse_module(Cx *cx)
{
    int n = cx->ir->funcs.len;
    for (int i = 0; i < n; i++) {
        IrFunc *p = cx->ir->funcs.items[i];
        if (p->role != ROLE_PRIMAL || !p->returns)
            continue;
        const char *name = arena_printf(cx->arena, "%s_grad", p->name);
        IrFunc *g = reverse(cx, p, ROLE_GRAD, name);
        g->exported = true;
        p->grad = g;
        vec_push(cx->arena, &cx->ir->funcs, g);
    }
    return true;
}
