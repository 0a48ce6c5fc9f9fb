/* Inlining: a call of a small function of the file is replaced by a copy of
 * its body, before differentiation. The derivative code then sees one
 * function: no helper that recomputes the callee's forward pass, values
 * shared with the caller, loops nested rather than behind calls. Callees
 * are inlined into their callers bottom-up (the call graph has no cycles);
 * a callee whose local arrays would need sizes the caller only knows later
 * is left as a call, so that all memory is still taken on entry. */
#include <string.h>

#include "gradc.h"
#include "inline.h"
#include "ir.h"

enum {
    INLINE_LIMIT = 400,         /* instructions of a callee, counted with its regions */
    CALLER_LIMIT = 20000,       /* a caller does not grow past this by inlining */
};

typedef struct Inliner {
    Cx *cx;
    IrFunc *f;                  /* the caller */
    const IrFunc *g;            /* the callee */
    Operand *map;               /* callee var id -> operand in the caller */
    IrVar *result;              /* the call's destination, or NULL */
} Inliner;

static int size_of(const IrBlock *b)
{
    int n = 0;
    for (int i = 0; i < b->instrs.len; i++) {
        const Instr *in = b->instrs.items[i];
        n++;
        if (in->then)
            n += size_of(in->then);
        if (in->els)
            n += size_of(in->els);
        if (in->body)
            n += size_of(in->body);
    }
    return n;
}

static Operand map_operand(const Inliner *in, Operand a)
{
    if ((a.kind == OK_VAR || a.kind == OK_REF) && in->map[a.var->id].kind != OK_NONE) {
        Operand m = in->map[a.var->id];
        if (a.kind == OK_REF)
            m.kind = OK_REF;
        return m;
    }
    return a;
}

static IrVar *map_var(const Inliner *in, const IrVar *v)
{
    Operand m = in->map[v->id];
    return m.kind == OK_VAR ? m.var : NULL;
}

static IrBlock *copy_block(Inliner *il, const IrBlock *b);

static Instr *copy_instr(Inliner *il, const Instr *src)
{
    Instr *in = ir_instr(il->cx, src->kind, src->span);
    *in = *src;
    in->note = NULL;
    if (src->kind == I_RETURN) {
        if (!il->result)
            return NULL;
        in->kind = I_OP;
        in->op = OP_COPY;
        in->acc = ACC_SET;
        in->dst = il->result;
        in->args[0] = map_operand(il, src->args[0]);
        return in;
    }
    if (src->dst)
        in->dst = map_var(il, src->dst);
    if (src->arr)
        in->arr = map_var(il, src->arr);
    if (src->ivar)
        in->ivar = map_var(il, src->ivar);
    for (int k = 0; k < IR_MAX_DIMS; k++)
        in->idx[k] = map_operand(il, src->idx[k]);
    for (int k = 0; k < src->nargs; k++)
        in->args[k] = map_operand(il, src->args[k]);
    in->cond = map_operand(il, src->cond);
    in->lo = map_operand(il, src->lo);
    in->hi = map_operand(il, src->hi);
    if (src->kind == I_CALL) {
        in->cargs = ARENA_ARRAY(il->cx->arena, Operand, src->ncargs + 1);
        for (int k = 0; k < src->ncargs; k++)
            in->cargs[k] = map_operand(il, src->cargs[k]);
    }
    if (src->then)
        in->then = copy_block(il, src->then);
    if (src->els)
        in->els = copy_block(il, src->els);
    if (src->body)
        in->body = copy_block(il, src->body);
    return in;
}

static IrBlock *copy_block(Inliner *il, const IrBlock *b)
{
    IrBlock *out = ir_block(il->cx);
    for (int i = 0; i < b->instrs.len; i++) {
        const Instr *src = b->instrs.items[i];
        if (src->kind == I_ALLOC)
            continue;                   /* the caller allocates */
        Instr *in = copy_instr(il, src);
        if (in)
            ir_append(il->cx, out, in);
    }
    return out;
}

/* The callee's locals become the caller's; a local array's sizes must be
 * known on the caller's entry (constants or the caller's parameters). */
static bool map_locals(Inliner *il)
{
    const IrFunc *g = il->g;
    for (int i = 0; i < g->vars.len; i++) {
        const IrVar *v = g->vars.items[i];
        if (v->is_param)
            continue;
        IrVar *c = ir_var(il->cx, il->f, v->name, v->type);
        c->ndims = v->ndims;
        for (int k = 0; k < v->ndims; k++) {
            Operand d = map_operand(il, v->dims[k]);
            if (d.kind == OK_VAR && !d.var->is_param)
                return false;
            c->dims[k] = d;
        }
        il->map[v->id] = ir_v(c);
    }
    return true;
}

static bool has_alloc(const IrBlock *b)
{
    for (int i = 0; i < b->instrs.len; i++)
        if (((const Instr *)b->instrs.items[i])->kind == I_ALLOC)
            return true;
    return false;
}

/* Replaces `call` (in b at position i) by the callee's body; false if it
 * cannot be inlined. */
static bool inline_call(Cx *cx, IrFunc *f, IrBlock *b, int i)
{
    Instr *call = b->instrs.items[i];
    const IrFunc *g = call->callee;
    Inliner il = {cx, f, g, ARENA_ARRAY(cx->arena, Operand, g->vars.len + 1), call->dst};
    int nvars = f->vars.len;
    for (int k = 0; k < g->params.len; k++)
        il.map[((IrVar *)g->params.items[k])->id] = call->cargs[k];
    if (!map_locals(&il)) {
        f->vars.len = nvars;            /* undo the locals made so far */
        return false;
    }
    IrBlock *body = copy_block(&il, g->body);
    PtrVec out = {0};
    for (int k = 0; k < i; k++)
        vec_push(cx->arena, &out, b->instrs.items[k]);
    for (int k = 0; k < body->instrs.len; k++)
        vec_push(cx->arena, &out, body->instrs.items[k]);
    for (int k = i + 1; k < b->instrs.len; k++)
        vec_push(cx->arena, &out, b->instrs.items[k]);
    b->instrs = out;
    bool arrays = false;
    for (int k = nvars; k < f->vars.len; k++)
        arrays |= ((IrVar *)f->vars.items[k])->ndims > 0;
    if (arrays && !has_alloc(f->body))
        vec_insert(cx->arena, &f->body->instrs, 0, ir_instr(cx, I_ALLOC, (Span){0}));
    return true;
}

static void inline_block(Cx *cx, IrFunc *f, IrBlock *b)
{
    for (int i = 0; i < b->instrs.len; i++) {
        Instr *in = b->instrs.items[i];
        if (in->then)
            inline_block(cx, f, in->then);
        if (in->els)
            inline_block(cx, f, in->els);
        if (in->body)
            inline_block(cx, f, in->body);
        if (in->kind != I_CALL || in->callee->role != ROLE_PRIMAL)
            continue;
        int callee = size_of(in->callee->body);
        if (callee > INLINE_LIMIT || size_of(f->body) + callee > CALLER_LIMIT)
            continue;
        int before = b->instrs.len;
        if (inline_call(cx, f, b, i))
            i += b->instrs.len - before;    /* past the copied body */
    }
}

/* Callees first: a function's calls are inlined into it before it is
 * inlined anywhere. */
static void visit(Cx *cx, IrFunc *f, char *state, PtrVec *order)
{
    if (state[f->src->index])
        return;
    state[f->src->index] = 1;
    PtrVec calls = {0};
    ir_collect_calls(cx, f->body, &calls);
    for (int i = 0; i < calls.len; i++) {
        IrFunc *g = ((Instr *)calls.items[i])->callee;
        if (g->role == ROLE_PRIMAL && g->src)
            visit(cx, g, state, order);
    }
    vec_push(cx->arena, order, f);
}

void inline_module(Cx *cx)
{
    PtrVec order = {0};
    char *state = ARENA_ARRAY(cx->arena, char, cx->prog.funcs.len + 1);
    for (int i = 0; i < cx->ir->funcs.len; i++) {
        IrFunc *f = cx->ir->funcs.items[i];
        if (f->role == ROLE_PRIMAL && f->src)
            visit(cx, f, state, &order);
    }
    for (int i = 0; i < order.len; i++) {
        IrFunc *f = order.items[i];
        inline_block(cx, f, f->body);
    }
}
