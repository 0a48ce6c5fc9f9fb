/* IR construction, the opcode table, the text printer and the verifier. */
#include "ir.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gradc.h"

IrModule *ir_module(Cx *cx)
{
    return ARENA_NEW(cx->arena, IrModule);
}

IrFunc *ir_func(Cx *cx, const char *name, FuncRole role)
{
    IrFunc *f = ARENA_NEW(cx->arena, IrFunc);
    f->name = name;
    f->role = role;
    f->body = ir_block(cx);
    return f;
}

void ir_add_func(Cx *cx, IrModule *m, IrFunc *f)
{
    vec_push(cx->arena, &m->funcs, f);
}

IrVar *ir_var(Cx *cx, IrFunc *f, const char *name, IrType type)
{
    IrVar *v = ARENA_NEW(cx->arena, IrVar);
    v->id = f->vars.len;
    v->name = name;
    v->type = type;
    vec_push(cx->arena, &f->vars, v);
    return v;
}

Operand ir_dim(Cx *cx, Opcode op, Operand a, Operand b)
{
    int folded;
    if (a.kind == OK_INT && (op == OP_INEG || b.kind == OK_INT)
        && ir_fold_int(op, a.ival, op == OP_INEG ? 0 : b.ival, &folded))
        return ir_int(folded);
    IrDim *d = ARENA_NEW(cx->arena, IrDim);
    d->op = op;
    d->a = a;
    d->b = b;
    return (Operand){.kind = OK_DIM, .dim = d};
}

Operand ir_map_size(Cx *cx, Operand a, IrMapFn map, void *data)
{
    if (a.kind == OK_VAR)
        return map(data, a);
    if (a.kind != OK_DIM)
        return a;
    Operand b = a.dim->op == OP_INEG ? a.dim->b : ir_map_size(cx, a.dim->b, map, data);
    return ir_dim(cx, a.dim->op, ir_map_size(cx, a.dim->a, map, data), b);
}

int ir_size_value(Operand a, IrIntOf get, void *data)
{
    if (a.kind == OK_INT)
        return a.ival;
    if (a.kind == OK_VAR)
        return get(data, a.var);
    if (a.kind != OK_DIM)
        return 0;
    double v[IR_MAX_ARGS] = {ir_size_value(a.dim->a, get, data),
                   a.dim->op == OP_INEG ? 0 : ir_size_value(a.dim->b, get, data)};
    return ir_as_int(ir_op_value(a.dim->op, v, false));
}

void ir_size_vars(Operand a, void (*fn)(void *data, IrVar *v), void *data)
{
    if (a.kind == OK_VAR)
        fn(data, a.var);
    if (a.kind != OK_DIM)
        return;
    ir_size_vars(a.dim->a, fn, data);
    if (a.dim->op != OP_INEG)
        ir_size_vars(a.dim->b, fn, data);
}

Operand ir_size_operand(Cx *cx, IrFunc *f, IrBlock *b, Span at, Operand d)
{
    if (d.kind != OK_DIM)
        return d;
    Instr *in = ir_instr(cx, I_OP, at);
    in->op = d.dim->op;
    in->acc = ACC_SET;
    in->args[in->nargs++] = ir_size_operand(cx, f, b, at, d.dim->a);
    if (d.dim->op != OP_INEG)
        in->args[in->nargs++] = ir_size_operand(cx, f, b, at, d.dim->b);
    in->dst = ir_var(cx, f, NULL, IT_INT);
    ir_append(cx, b, in);
    return ir_v(in->dst);
}

void ir_set_shape(Cx *cx, IrVar *v, int ndims)
{
    v->ndims = ndims;
    v->dims = ndims > 0 ? ARENA_ARRAY(cx->arena, Operand, ndims) : NULL;
}

void ir_index_slots(Cx *cx, Instr *in)
{
    in->idx = ARENA_ARRAY(cx->arena, Operand, in->arr->ndims);
}

IrVar *ir_param(Cx *cx, IrFunc *f, const char *name, IrType type)
{
    IrVar *v = ir_var(cx, f, name, type);
    v->is_param = true;
    vec_push(cx->arena, &f->params, v);
    return v;
}

IrBlock *ir_block(Cx *cx)
{
    return ARENA_NEW(cx->arena, IrBlock);
}

Instr *ir_instr(Cx *cx, InstrKind kind, Span at)
{
    Instr *in;
    if (cx->ir && cx->ir->spare.len > 0) {
        in = cx->ir->spare.items[--cx->ir->spare.len];
        memset(in, 0, sizeof *in);
    } else {
        in = ARENA_NEW(cx->arena, Instr);
    }
    in->kind = kind;
    in->span = at;
    return in;
}

void ir_free_instr(Cx *cx, Instr *in)
{
    if (!arena_poison(in, sizeof *in))
        vec_push(cx->arena, &cx->ir->spare, in);
}

void ir_append(Cx *cx, IrBlock *b, Instr *in)
{
    vec_push(cx->arena, &b->instrs, in);
}

Operand ir_v(IrVar *v)
{
    return (Operand){.kind = OK_VAR, .var = v};
}

Operand ir_real(double x)
{
    return (Operand){.kind = OK_REAL, .real = x};
}

Operand ir_int(int i)
{
    return (Operand){.kind = OK_INT, .ival = i};
}

Operand ir_bool(bool b)
{
    return (Operand){.kind = OK_BOOL, .ival = b};
}

Operand ir_ref(IrVar *v)
{
    return (Operand){.kind = OK_REF, .var = v};
}

int ir_self_compare(Opcode op, Operand a, Operand b)
{
    if (!(a.kind == OK_VAR && ir_same(a, b) && a.var->type == IT_INT))
        return -1;
    switch (op) {
    case OP_EQ: case OP_LE: case OP_GE: return 1;
    case OP_NE: case OP_LT: case OP_GT: return 0;
    default: return -1;
    }
}

bool ir_same(Operand a, Operand b)
{
    if (a.kind != b.kind)
        return false;
    switch (a.kind) {
    case OK_NONE:
        return true;
    case OK_VAR:
    case OK_REF:
        return a.var == b.var;
    case OK_REAL:
        return memcmp(&a.real, &b.real, sizeof a.real) == 0;
    case OK_INT:
    case OK_BOOL:
        return a.ival == b.ival;
    case OK_NULL:
        return true;
    case OK_DIM:
        return a.dim->op == b.dim->op && ir_same(a.dim->a, b.dim->a) &&
               (a.dim->op == OP_INEG || ir_same(a.dim->b, b.dim->b));
    }
    return false;
}

bool ir_is_var(Operand a, const IrVar *v)
{
    return a.kind == OK_VAR && a.var == v;
}

IrType ir_operand_type(Operand a)
{
    switch (a.kind) {
    case OK_VAR:
    case OK_REF:
        return a.var->type;
    case OK_INT:
    case OK_DIM:
        return IT_INT;
    case OK_BOOL:
        return IT_BOOL;
    default:
        return IT_REAL;
    }
}

static void walk_block(IrBlock *b, IrVisit fn, void *data)
{
    for (int i = 0; i < b->instrs.len; i++) {
        Instr *in = b->instrs.items[i];
        fn(in, data);
        if (in->kind == I_IF) {
            walk_block(in->then, fn, data);
            if (in->els)
                walk_block(in->els, fn, data);
        } else if (in->kind == I_FOR) {
            walk_block(in->body, fn, data);
        }
    }
}

bool ir_exits_early(const Instr *loop)
{
    return loop->kind == I_FOR && loop->cond.kind != OK_NONE;
}

void ir_walk(IrBlock *b, IrVisit fn, void *data)
{
    walk_block(b, fn, data);
}

void ir_collect_calls(Cx *cx, IrBlock *b, PtrVec *calls)
{
    for (int i = 0; i < b->instrs.len; i++) {
        Instr *in = b->instrs.items[i];
        if (in->kind == I_CALL)
            vec_push(cx->arena, calls, in);
        if (in->then)
            ir_collect_calls(cx, in->then, calls);
        if (in->els)
            ir_collect_calls(cx, in->els, calls);
        if (in->body)
            ir_collect_calls(cx, in->body, calls);
    }
}

static void link_block(IrBlock *b, IrBlock *parent, Instr *owner)
{
    b->parent = parent;
    b->owner = owner;
    b->depth = parent ? parent->depth + 1 : 0;
    b->in_loop = (parent && parent->in_loop) || (owner && owner->kind == I_FOR);
    for (int i = 0; i < b->instrs.len; i++) {
        Instr *in = b->instrs.items[i];
        in->block = b;
        if (in->kind == I_IF) {
            link_block(in->then, b, in);
            if (in->els)
                link_block(in->els, b, in);
        } else if (in->kind == I_FOR) {
            link_block(in->body, b, in);
        }
    }
}

void ir_link_blocks(IrFunc *f)
{
    link_block(f->body, NULL, NULL);
}

bool ir_block_inside(const IrBlock *b, const IrBlock *outer)
{
    for (; b; b = b->parent)
        if (b == outer)
            return true;
    return false;
}

IrBlock *ir_common_block(IrBlock *a, IrBlock *b)
{
    if (!a || !b)
        return a ? a : b;
    while (a->depth > b->depth)
        a = a->parent;
    while (b->depth > a->depth)
        b = b->parent;
    while (a != b) {
        a = a->parent;
        b = b->parent;
    }
    return a;
}

/* ---- operands, copies, sizes ------------------------------------------- */

IrSlots ir_slots(const Instr *in)
{
    return (IrSlots){(Instr *)in, 0, 0};     /* the caller decides whether it writes */
}

Operand *ir_slot_next(IrSlots *s)
{
    Instr *in = s->in;
    for (;;) {
        int k = s->k++;
        switch (s->part) {
        case 0:                                     /* args */
            if (k < in->nargs)
                return &in->args[k];
            break;
        case 1:                                     /* indices of the element */
            if ((in->kind == I_LOAD || in->kind == I_STORE) && k < in->arr->ndims)
                return &in->idx[k];
            break;
        case 2:                                     /* condition, bounds */
            if (k == 0 && in->kind == I_IF)
                return &in->cond;
            if (k < 2 && (in->kind == I_FOR || in->kind == I_RESERVE))
                return k == 0 ? &in->lo : &in->hi;
            if (k == 2 && in->kind == I_FOR && in->cond.kind != OK_NONE)
                return &in->cond;               /* the exit flag */
            if (k < 3)
                continue;
            break;
        case 3:                                     /* call arguments */
            if (in->kind == I_CALL && k < in->ncargs)
                return &in->cargs[k];
            break;
        case 4:                                     /* the rows they pass: k counts */
            if (in->kind == I_CALL && in->crows) {  /* IR_MAX_DIMS slots an argument */
                int arg = k / IR_MAX_DIMS, j = k % IR_MAX_DIMS;
                if (arg >= in->ncargs)
                    break;
                if (!in->crows[arg] || j >= in->crows[arg]->nfix)
                    continue;
                return &in->crows[arg]->fix[j];
            }
            if (in->row && k < in->row->nfix)       /* the row saved */
                return &in->row->fix[k];
            break;
        default:
            return NULL;
        }
        s->part++;
        s->k = 0;
    }
}

bool ir_mentions(Operand a, const IrVar *v)
{
    return (a.kind == OK_VAR || a.kind == OK_REF) && a.var == v;
}

bool ir_reads_operand(const Instr *in, const IrVar *v)
{
    Operand *a;
    for (IrSlots s = ir_slots(in); (a = ir_slot_next(&s)) != NULL;)
        if (ir_mentions(*a, v))
            return true;
    return false;
}

bool ir_writes_array(const Instr *in, const IrVar *a)
{
    if ((in->kind == I_STORE || in->kind == I_FILL || in->kind == I_ACOPY || in->kind == I_POPA) &&
        in->arr == a)
        return true;
    if (in->kind == I_CALL)
        for (int k = 0; k < in->ncargs; k++)
            if (ir_call_writes(in, k) && in->cargs[k].var == a)
                return true;
    return false;
}

bool ir_any_within(const Instr *in, IrInstrPred pred, const void *data)
{
    if (pred(in, data))
        return true;
    const IrBlock *sub[3] = {in->then, in->els, in->body};
    for (int s = 0; s < 3; s++)
        for (int i = 0; sub[s] && i < sub[s]->instrs.len; i++)
            if (ir_any_within(sub[s]->instrs.items[i], pred, data))
                return true;
    return false;
}

static bool writes_here(const Instr *in, const void *v)
{
    return ir_writes_array(in, v) || (in->dst == v && in->kind != I_STORE) || in->ivar == v;
}

bool ir_writes_within(const Instr *in, const IrVar *v)
{
    return ir_any_within(in, writes_here, v);
}

static bool names_here(const Instr *in, const void *v)
{
    return in->dst == v || in->arr == v || in->ivar == v || ir_reads_operand(in, v);
}

bool ir_names_within(const Instr *in, const IrVar *v)
{
    return ir_any_within(in, names_here, v);
}

bool ir_call_writes(const Instr *call, int k)
{
    const IrVar *p = call->callee->params.items[k];
    Operand a = call->cargs[k];
    return a.kind == OK_REF || (a.kind == OK_VAR && p->ndims > 0 && !p->readonly);
}

static IrVar *map_var(IrMapFn map, void *data, IrVar *v)
{
    if (!v)
        return NULL;
    Operand m = map(data, ir_v(v));
    if (m.kind != OK_VAR)
        die("ir_clone: a variable mapped to a value where a variable is needed");
    return m.var;
}

/* Maps the variables of in's own slots (not its nested blocks'). */
static void remap_here(Instr *in, IrMapFn map, void *data)
{
    in->dst = map_var(map, data, in->dst);
    in->arr = map_var(map, data, in->arr);
    in->ivar = map_var(map, data, in->ivar);
    Operand *a;
    for (IrSlots s = ir_slots(in); (a = ir_slot_next(&s)) != NULL;)
        if (a->kind == OK_VAR || a->kind == OK_REF) {
            Operand m = map(data, ir_v(a->var));
            if (a->kind == OK_REF)
                m.kind = OK_REF;
            *a = m;
        }
}

IrRow *ir_row_copy(Cx *cx, const IrRow *row)
{
    if (!row)
        return NULL;
    IrRow *out = ARENA_NEW(cx->arena, IrRow);
    *out = *row;
    return out;
}

IrRow *ir_map_row(Cx *cx, const IrRow *row, IrMapFn map, void *data)
{
    IrRow *out = ir_row_copy(cx, row);
    for (int k = 0; out && k < out->nfix; k++)
        out->fix[k] = map(data, out->fix[k]);
    return out;
}

const IrRow *ir_call_row(const Instr *call, int k)
{
    return call->crows ? call->crows[k] : NULL;
}

void ir_set_call_row(Cx *cx, Instr *call, int k, const IrRow *row)
{
    if (!row && !call->crows)
        return;
    if (!call->crows)
        call->crows = ARENA_ARRAY(cx->arena, IrRow *, call->ncargs + 1);
    call->crows[k] = ir_row_copy(cx, row);
}

void ir_fill(Cx *cx, IrFunc *f, IrBlock *b, Span at, IrVar *arr, const IrRow *row)
{
    if (!row) {
        Instr *in = ir_instr(cx, I_FILL, at);
        in->arr = arr;
        ir_append(cx, b, in);
        return;
    }
    Operand idx[IR_MAX_DIMS];
    memcpy(idx, row->fix, sizeof(Operand) * (size_t)row->nfix);
    for (int k = row->nfix; k < arr->ndims; k++) {
        Instr *loop = ir_instr(cx, I_FOR, at);
        loop->lo = ir_int(0);
        loop->hi = ir_size_operand(cx, f, b, at, arr->dims[k]);
        loop->ivar = ir_var(cx, f, NULL, IT_INT);
        loop->body = ir_block(cx);
        ir_append(cx, b, loop);
        b = loop->body;
        idx[k] = ir_v(loop->ivar);
    }
    Instr *st = ir_instr(cx, I_STORE, at);
    st->arr = arr;
    ir_index_slots(cx, st);
    memcpy(st->idx, idx, sizeof(Operand) * (size_t)arr->ndims);
    st->op = OP_COPY;
    st->acc = ACC_SET;
    st->nargs = 1;
    st->args[0] = arr->type == IT_INT ? ir_int(0) : ir_real(0);
    ir_append(cx, b, st);
}

int ir_row_ndims(const IrVar *arr, const IrRow *row)
{
    return arr->ndims - (row ? row->nfix : 0);
}

Instr *ir_clone_instr(Cx *cx, const Instr *in, IrMapFn map, void *data, bool deep)
{
    Instr *out = ir_instr(cx, in->kind, in->span);
    *out = *in;
    if (in->kind == I_CALL) {
        out->cargs = ARENA_ARRAY(cx->arena, Operand, in->ncargs + 1);
        memcpy(out->cargs, in->cargs, sizeof(Operand) * (size_t)in->ncargs);
        out->crows = NULL;
        for (int k = 0; in->crows && k < in->ncargs; k++)
            ir_set_call_row(cx, out, k, in->crows[k]);
    }
    out->row = ir_row_copy(cx, in->row);
    if (in->idx) {
        out->idx = ARENA_ARRAY(cx->arena, Operand, in->arr->ndims);
        memcpy(out->idx, in->idx, sizeof(Operand) * (size_t)in->arr->ndims);
    }
    remap_here(out, map, data);
    out->then = in->then && deep ? ir_clone_block(cx, in->then, map, data) : NULL;
    out->els = in->els && deep ? ir_clone_block(cx, in->els, map, data) : NULL;
    out->body = in->body && deep ? ir_clone_block(cx, in->body, map, data) : NULL;
    return out;
}

void ir_remap_instr(Instr *in, IrMapFn map, void *data)
{
    remap_here(in, map, data);
    IrBlock *sub[3] = {in->then, in->els, in->body};
    for (int k = 0; k < 3; k++)
        for (int i = 0; sub[k] && i < sub[k]->instrs.len; i++)
            ir_remap_instr(sub[k]->instrs.items[i], map, data);
}

IrBlock *ir_clone_block(Cx *cx, const IrBlock *b, IrMapFn map, void *data)
{
    IrBlock *out = ir_block(cx);
    for (int i = 0; i < b->instrs.len; i++)
        ir_append(cx, out, ir_clone_instr(cx, b->instrs.items[i], map, data, true));
    return out;
}

Operand ir_map_by_id(void *data, Operand a)
{
    const IrVarMap *m = data;
    if ((a.kind == OK_VAR || a.kind == OK_REF) && m->to[a.var->id])
        a.var = m->to[a.var->id];
    return a;
}

IrVar *ir_var_like(Cx *cx, IrFunc *f, const IrVar *shape, const char *name, IrMapFn map, void *data)
{
    IrVar *v = ir_var(cx, f, name, IT_REAL);
    ir_set_shape(cx, v, shape->ndims);
    for (int k = 0; k < shape->ndims; k++) {
        v->dims[k] = ir_map_size(cx, shape->dims[k], map, data);
    }
    return v;
}

int ir_count_instr(const Instr *in)
{
    return 1 + (in->then ? ir_count(in->then) : 0) + (in->els ? ir_count(in->els) : 0) +
           (in->body ? ir_count(in->body) : 0);
}

int ir_count(const IrBlock *b)
{
    int n = 0;
    for (int i = 0; i < b->instrs.len; i++)
        n += ir_count_instr(b->instrs.items[i]);
    return n;
}

bool ir_has_local_arrays(const IrFunc *f, int from)
{
    for (int i = from; i < f->vars.len; i++) {
        const IrVar *v = f->vars.items[i];
        if (v->ndims > 0 && !v->is_param)
            return true;
    }
    return false;
}

void ir_ensure_alloc(Cx *cx, IrFunc *f)
{
    if (!ir_has_local_arrays(f, 0))
        return;
    const IrBlock *b = f->body;
    for (int i = 0; i < b->instrs.len; i++)
        if (((const Instr *)b->instrs.items[i])->kind == I_ALLOC)
            return;
    vec_insert(cx->arena, &f->body->instrs, 0, ir_instr(cx, I_ALLOC, (Span){0}));
}

static bool block_uses_local_array(const IrBlock *b)
{
    for (int i = 0; i < b->instrs.len; i++) {
        const Instr *in = b->instrs.items[i];
        if (in->arr && !in->arr->is_param)
            return true;
        const Operand *a;
        for (IrSlots s = ir_slots(in); (a = ir_slot_next(&s)) != NULL;)
            if (a->kind == OK_VAR && a->var->ndims > 0 && !a->var->is_param)
                return true;
        if ((in->then && block_uses_local_array(in->then)) || (in->els && block_uses_local_array(in->els)) ||
            (in->body && block_uses_local_array(in->body)))
            return true;
    }
    return false;
}

void ir_drop_unused_alloc(IrFunc *f)
{
    IrBlock *b = f->body;
    if (block_uses_local_array(b))
        return;
    int kept = 0;
    for (int i = 0; i < b->instrs.len; i++)
        if (((Instr *)b->instrs.items[i])->kind != I_ALLOC)
            b->instrs.items[kept++] = b->instrs.items[i];
    b->instrs.len = kept;
}
