/* Inlining: a call of a small function of the file is replaced by a copy of
 * its body, before differentiation. The derivative code then sees one
 * function: no helper that recomputes the callee's forward pass, values
 * shared with the caller, loops nested rather than behind calls. Callees
 * are inlined into their callers bottom-up (the call graph has no cycles);
 * a callee whose local arrays would need sizes the caller only knows later
 * is left as a call, so that all memory is still taken on entry.
 *
 * Inlining has a budget: a callee is inlined only if it is small, its
 * caller stays below a size, and the module as a whole grows by no more
 * than a bound (the larger of INLINE_GROWTH and the module's own size);
 * past it, calls stay calls. Without one, 40 functions that each call a
 * 360-operation helper 50 times grow to millions of instructions. */
#include <string.h>

#include "gradc.h"
#include "inline.h"
#include "ir.h"

enum {
    INLINE_LIMIT = 400,         /* instructions of a callee, counted with its regions */
    CALLER_LIMIT = 20000,       /* a caller does not grow past this by inlining */
    INLINE_GROWTH = 20000,      /* the whole module grows by at most this (or its size) */
};

/* What inlining may still add, and the caller's size as it grows. */
typedef struct Budget {
    long module;
    int caller;
} Budget;

typedef struct Inliner {
    Cx *cx;
    IrFunc *f;                  /* the caller */
    const IrFunc *g;            /* the callee */
    Operand *map;               /* callee var id -> operand in the caller */
    IrVar *result;              /* the call's destination, or NULL */
    const IrRow **rows;         /* callee var id -> the row of an array passed as A[i] */
    IrVar **bases;              /* ... and that array */
} Inliner;

/* A callee's variable as the caller sees it: the argument passed for a
 * parameter, the caller's copy of a local. */
static Operand map_operand(void *data, Operand a)
{
    const Inliner *il = data;
    return il->map[a.var->id].kind != OK_NONE ? il->map[a.var->id] : a;
}

/* An instruction of the callee that names a parameter passed as a row
 * A[i] names A itself, its indices the row's first: the row is read and
 * written in place. */
static Operand *row_indices(Inliner *il, const IrRow *row, const Operand *idx, int n)
{
    Operand *out = ARENA_ARRAY(il->cx->arena, Operand, row->nfix + n + 1);
    memcpy(out, row->fix, sizeof(Operand) * (size_t)row->nfix);
    if (n)
        memcpy(out + row->nfix, idx, sizeof(Operand) * (size_t)n);
    return out;
}

/* The callee's body for the caller: its allocation is the caller's, its
 * return a copy into the call's destination. */
static IrBlock *copy_body(Inliner *il, const IrBlock *b)
{
    IrBlock *out = ir_block(il->cx);
    for (int i = 0; i < b->instrs.len; i++) {
        const Instr *src = b->instrs.items[i];
        if (src->kind == I_ALLOC || (src->kind == I_RETURN && !il->result))
            continue;
        const IrRow *row = src->arr ? il->rows[src->arr->id] : NULL;
        if (src->kind == I_FILL && row) {
            ir_fill(il->cx, il->f, out, src->span, il->bases[src->arr->id], row);
            continue;
        }
        Instr *in = ir_clone_instr(il->cx, src, map_operand, il, false);
        in->note = NULL;
        if (row) {
            if (src->kind != I_LOAD && src->kind != I_STORE)
                die("inline: a row parameter in an instruction of kind %d", src->kind);
            in->arr = il->bases[src->arr->id];
            in->idx = row_indices(il, row, in->idx, src->arr->ndims);
        }
        for (int k = 0; in->kind == I_CALL && k < in->ncargs; k++) {
            Operand a = src->cargs[k];
            const IrRow *outer = a.kind == OK_VAR ? il->rows[a.var->id] : NULL;
            if (!outer)
                continue;
            const IrRow *inner = ir_call_row(in, k);
            IrRow whole = {.nfix = outer->nfix};
            memcpy(whole.fix, outer->fix, sizeof(Operand) * (size_t)outer->nfix);
            for (int j = 0; inner && j < inner->nfix; j++)
                whole.fix[whole.nfix++] = inner->fix[j];
            in->cargs[k] = ir_v(il->bases[a.var->id]);
            ir_set_call_row(il->cx, in, k, &whole);
        }
        if (src->kind == I_RETURN) {
            in->kind = I_OP;
            in->op = OP_COPY;
            in->acc = ACC_SET;
            in->dst = il->result;
        }
        if (src->then)
            in->then = copy_body(il, src->then);
        if (src->els)
            in->els = copy_body(il, src->els);
        if (src->body)
            in->body = copy_body(il, src->body);
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
        ir_set_shape(il->cx, c, v->ndims);
        for (int k = 0; k < v->ndims; k++) {
            Operand d = v->dims[k].kind == OK_VAR ? map_operand(il, v->dims[k]) : v->dims[k];
            if (d.kind == OK_VAR && !d.var->is_param)
                return false;
            c->dims[k] = d;
        }
        il->map[v->id] = ir_v(c);
    }
    return true;
}

/* Replaces `call` (in b at position i) by the callee's body; false if it
 * cannot be inlined. */
static bool inline_call(Cx *cx, IrFunc *f, IrBlock *b, int i)
{
    Instr *call = b->instrs.items[i];
    const IrFunc *g = call->callee;
    Inliner il = {cx, f, g, ARENA_ARRAY(cx->arena, Operand, g->vars.len + 1), call->dst,
                  ARENA_ARRAY(cx->arena, const IrRow *, g->vars.len + 1),
                  ARENA_ARRAY(cx->arena, IrVar *, g->vars.len + 1)};
    int nvars = f->vars.len;
    for (int k = 0; k < g->params.len; k++) {
        int id = ((IrVar *)g->params.items[k])->id;
        const IrRow *row = ir_call_row(call, k);
        if (row) {                      /* named by the fix-up in copy_body, not the map */
            il.rows[id] = row;
            il.bases[id] = call->cargs[k].var;
        } else {
            il.map[id] = call->cargs[k];
        }
    }
    if (!map_locals(&il)) {
        f->vars.len = nvars;            /* undo the locals made so far */
        return false;
    }
    IrBlock *body = copy_body(&il, g->body);
    PtrVec out = {0};
    for (int k = 0; k < i; k++)
        vec_push(cx->arena, &out, b->instrs.items[k]);
    for (int k = 0; k < body->instrs.len; k++)
        vec_push(cx->arena, &out, body->instrs.items[k]);
    for (int k = i + 1; k < b->instrs.len; k++)
        vec_push(cx->arena, &out, b->instrs.items[k]);
    vec_release(cx->arena, &body->instrs);
    vec_release(cx->arena, &b->instrs);
    b->instrs = out;
    ir_ensure_alloc(cx, f);
    return true;
}

static void inline_block(Cx *cx, IrFunc *f, IrBlock *b, Budget *budget)
{
    for (int i = 0; i < b->instrs.len; i++) {
        Instr *in = b->instrs.items[i];
        if (in->then)
            inline_block(cx, f, in->then, budget);
        if (in->els)
            inline_block(cx, f, in->els, budget);
        if (in->body)
            inline_block(cx, f, in->body, budget);
        if (in->kind != I_CALL || in->callee->role != ROLE_PRIMAL)
            continue;
        int callee = ir_count(in->callee->body);
        if (callee > INLINE_LIMIT || budget->caller + callee > CALLER_LIMIT || callee > budget->module)
            continue;
        int before = b->instrs.len;
        if (inline_call(cx, f, b, i)) {
            i += b->instrs.len - before;    /* past the copied body */
            budget->caller += callee;
            budget->module -= callee;
        }
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
    Budget budget = {INLINE_GROWTH, 0};
    long size = 0;
    for (int i = 0; i < order.len; i++)
        size += ir_count(((IrFunc *)order.items[i])->body);
    if (size > budget.module)
        budget.module = size;
    for (int i = 0; i < order.len; i++) {
        IrFunc *f = order.items[i];
        budget.caller = ir_count(f->body);
        inline_block(cx, f, f->body, &budget);
    }
}
