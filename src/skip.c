/* Skipping a reverse loop whose adjoint seeds are zero.
 *
 * The reverse sweep of a loop multiplies the adjoints that come into it
 * (its seeds: the adjoint of `dist` for `dist += (p[l] - c[l])^2`) by
 * local derivatives and adds the products into other adjoints. When every
 * seed is zero, which is common (the branch that was not taken, the
 * centroids that are not the nearest in a k-means objective, a `max` that
 * another operand won), the loop adds only zeros. Such a loop runs under
 *
 *     if (d_dist != 0.0) { for ... }
 *
 * the rule the reverse sweep already follows at compile time (an adjoint
 * that has received nothing is zero, so its operation is skipped). Only
 * loops whose operations give finite values from finite ones qualify (no
 * division, root, logarithm, power or exponential): there every product
 * with a zero seed is exactly zero, so skipping changes nothing, and a
 * zero times an infinite local derivative (sqrt at 0) still gives the NaN
 * that LANGUAGE.md section 5 asks for. With infinite or NaN data a
 * skipped loop adds nothing where it would have added NaN.
 *
 * A loop qualifies when, nested blocks included:
 *   - it holds only operations (of finite_op), loads, stores, ifs and
 *     loops that run to the end (no tape, call, fill or early exit);
 *   - what it writes that is named outside it is only added to (+=, -=),
 *     with a value that is zero whenever the seeds are: a seed, the
 *     constant 0, a product with such a factor, a quotient of such a
 *     numerator, a sum, difference, negation, copy or selection of such
 *     values, or a variable of the loop whose every definition is one;
 *   - its seeds, the scalars named outside it that it reads and that are
 *     adjoints (or, in f_hvp, tangents of adjoints), are at most
 *     MAX_SEEDS.
 * It runs last, after forward mode has differentiated f_grad for f_hvp:
 * there the tangents of the seeds guard the loop too. */
#include "skip.h"

#include "gradc.h"
#include "ir.h"

enum { MAX_SEEDS = 4 };

typedef struct Skip {
    Cx *cx;
    IrFunc *f;
    IrBlock **home;             /* by var id: the innermost block naming it */
    unsigned char *zero;        /* by var id, for the loop looked at: zero with the seeds */
    PtrVec locals;              /* the loop's own scalars written in it */
    PtrVec seeds;               /* its seeds */
    PtrVec loops;               /* the loops that qualify, each followed by its seeds */
    Arena *scratch;
} Skip;

static void name_at(Skip *k, const IrVar *v, IrBlock *b)
{
    IrBlock **h = &k->home[v->id];
    *h = *h ? ir_common_block(*h, b) : b;
    if (!*h)
        *h = k->f->body;
}

static void note_names(Instr *in, void *data)
{
    Skip *k = data;
    Operand *a;
    for (IrSlots s = ir_slots(in); (a = ir_slot_next(&s)) != NULL;)
        if (a->kind == OK_VAR || a->kind == OK_REF)
            name_at(k, a->var, in->block);
    if (in->dst)
        name_at(k, in->dst, in->block);
    if (in->arr)
        name_at(k, in->arr, in->block);
    if (in->kind == I_ACOPY && in->args[0].kind == OK_VAR)
        name_at(k, in->args[0].var, in->block);
}


/* Named only inside the loop's body. */
static bool own(const Skip *k, const Instr *loop, const IrVar *v)
{
    return ir_block_inside(k->home[v->id], loop->body);
}

static bool is_seed(const IrVar *v)
{
    if (v->ndims > 0 || v->type != IT_REAL)
        return false;
    return v->adj_of || (v->tan_of && v->tan_of->adj_of);
}

static bool zero_operand(const Skip *k, Operand a)
{
    if (a.kind == OK_REAL)
        return a.real == 0.0;
    return a.kind == OK_VAR && k->zero[a.var->id];
}

/* The value op(args) is zero whenever the zero operands are. */
static bool zero_value(const Skip *k, const Instr *in)
{
    const Operand *a = in->args;
    switch (in->op) {
    case OP_COPY: case OP_NEG:
        return zero_operand(k, a[0]);
    case OP_MUL:
        return zero_operand(k, a[0]) || zero_operand(k, a[1]);
    case OP_DIV:
        return zero_operand(k, a[0]);
    case OP_ADD: case OP_SUB:
        return zero_operand(k, a[0]) && zero_operand(k, a[1]);
    case OP_SELECT:
        return zero_operand(k, a[1]) && zero_operand(k, a[2]);
    default:
        return false;
    }
}

/* Operations that give finite results from finite operands (overflow
 * aside; x^k for a literal k >= 0 too): no division, root, logarithm,
 * power or exponential, whose local
 * derivatives can be infinite where the value is finite (sqrt at 0). */
static bool finite_op(Opcode op)
{
    switch (op) {
    case OP_COPY: case OP_ADD: case OP_SUB: case OP_MUL: case OP_NEG: case OP_SELECT:
    case OP_ITOR: case OP_ABS: case OP_DABS: case OP_MIN: case OP_MAX:
    case OP_FLOOR: case OP_CEIL: case OP_SIGN: case OP_SIN: case OP_COS: case OP_TANH:
    case OP_ATAN: case OP_ERF: case OP_ERFC:
    case OP_LT: case OP_LE: case OP_GT: case OP_GE: case OP_EQ: case OP_NE:
    case OP_AND: case OP_OR: case OP_NOT:
    case OP_IADD: case OP_ISUB: case OP_IMUL: case OP_INEG:
        return true;
    default:
        return false;
    }
}

static void add_seed(Skip *k, const IrVar *v)
{
    for (int i = 0; i < k->seeds.len; i++)
        if (k->seeds.items[i] == v)
            return;
    vec_push(k->scratch, &k->seeds, (void *)v);
}

/* Collects the loop's own scalars and seeds; false if something in b
 * cannot be skipped. */
static bool scan(Skip *k, const Instr *loop, const IrBlock *b)
{
    for (int i = 0; i < b->instrs.len; i++) {
        const Instr *in = b->instrs.items[i];
        switch (in->kind) {
        case I_OP: case I_STORE:
            if (!finite_op(in->op) && !(in->op == OP_POWI && in->args[1].kind == OK_INT &&
                                        in->args[1].ival >= 0))
                return false;
            break;
        case I_LOAD: case I_IF:
            break;
        case I_FOR:
            if (ir_exits_early(in))
                return false;
            break;
        default:
            return false;
        }
        Operand *a;
        for (IrSlots s = ir_slots(in); (a = ir_slot_next(&s)) != NULL;)
            if (a->kind == OK_VAR && !own(k, loop, a->var) && is_seed(a->var))
                add_seed(k, a->var);
        if (in->kind == I_OP || in->kind == I_LOAD) {
            if (own(k, loop, in->dst)) {
                if (in->dst->ndims > 0)
                    return false;
                if (!k->zero[in->dst->id]) {
                    k->zero[in->dst->id] = 1;   /* until a definition says otherwise */
                    vec_push(k->scratch, &k->locals, in->dst);
                }
            } else if (in->kind == I_LOAD || in->acc == ACC_SET) {
                return false;
            }
        }
        if (in->kind == I_STORE && in->acc == ACC_SET)
            return false;
        const IrBlock *nested[3] = {in->then, in->els, in->body};
        for (int j = 0; j < 3; j++)
            if (nested[j] && !scan(k, loop, nested[j]))
                return false;
    }
    return true;
}

/* One pass of the fixed point: the own scalars that some definition in b
 * may make nonzero lose their mark; true if one did. */
static bool refine(Skip *k, const Instr *loop, const IrBlock *b)
{
    bool changed = false;
    for (int i = 0; i < b->instrs.len; i++) {
        const Instr *in = b->instrs.items[i];
        if ((in->kind == I_OP || in->kind == I_LOAD) && own(k, loop, in->dst) && k->zero[in->dst->id] &&
            (in->kind == I_LOAD || !zero_value(k, in))) {
            k->zero[in->dst->id] = 0;
            changed = true;
        }
        const IrBlock *nested[3] = {in->then, in->els, in->body};
        for (int j = 0; j < 3; j++)
            if (nested[j])
                changed |= refine(k, loop, nested[j]);
    }
    return changed;
}

/* What b adds to outside the loop is zero with the seeds. */
static bool adds_zeros(const Skip *k, const Instr *loop, const IrBlock *b)
{
    for (int i = 0; i < b->instrs.len; i++) {
        const Instr *in = b->instrs.items[i];
        if ((in->kind == I_STORE || (in->kind == I_OP && !own(k, loop, in->dst))) && !zero_value(k, in))
            return false;
        const IrBlock *nested[3] = {in->then, in->els, in->body};
        for (int j = 0; j < 3; j++)
            if (nested[j] && !adds_zeros(k, loop, nested[j]))
                return false;
    }
    return true;
}

static bool qualifies(Skip *k, const Instr *loop)
{
    k->locals.len = 0;
    k->seeds.len = 0;
    bool ok = !ir_exits_early(loop) && scan(k, loop, loop->body) && k->seeds.len > 0 &&
              k->seeds.len <= MAX_SEEDS;
    if (ok) {
        for (int i = 0; i < k->seeds.len; i++)
            k->zero[((IrVar *)k->seeds.items[i])->id] = 1;
        while (refine(k, loop, loop->body))
            ;
        ok = adds_zeros(k, loop, loop->body);
    }
    for (int i = 0; i < k->locals.len; i++)
        k->zero[((IrVar *)k->locals.items[i])->id] = 0;
    for (int i = 0; i < k->seeds.len; i++)
        k->zero[((IrVar *)k->seeds.items[i])->id] = 0;
    return ok;
}

static void find_loops(Instr *in, void *data)
{
    Skip *k = data;
    if (in->kind == I_FOR && qualifies(k, in)) {
        /* the seeds, kept for the guard */
        PtrVec *seeds = ARENA_ARRAY(k->scratch, PtrVec, 1);
        *seeds = k->seeds;
        k->seeds = (PtrVec){0};
        vec_push(k->scratch, &k->loops, in);
        vec_push(k->scratch, &k->loops, seeds);
    }
}

static bool holds_all(const PtrVec *outer, const PtrVec *inner)
{
    for (int i = 0; i < inner->len; i++) {
        bool found = false;
        for (int j = 0; j < outer->len && !found; j++)
            found = outer->items[j] == inner->items[i];
        if (!found)
            return false;
    }
    return true;
}

/* A loop around `loop` is guarded by the same seeds or more: a second
 * guard would test again what the first found. */
static bool guarded_around(const Skip *k, const Instr *loop, const PtrVec *seeds)
{
    for (const IrBlock *b = loop->block; b; b = b->parent) {
        if (!b->owner || b->owner->kind != I_FOR)
            continue;
        for (int i = 0; i < k->loops.len; i += 2)
            if (k->loops.items[i] == b->owner && holds_all(k->loops.items[i + 1], seeds))
                return true;
    }
    return false;
}

/* `if (s1 != 0 || s2 != 0 ...) loop` in the loop's place. */
static void guard(Skip *k, Instr *loop, const PtrVec *seeds)
{
    IrBlock *b = loop->block;
    int at = 0;
    while (b->instrs.items[at] != loop)
        at++;
    Operand cond = {0};
    for (int i = 0; i < seeds->len; i++) {
        IrVar *s = seeds->items[i];
        Instr *ne = ir_instr(k->cx, I_OP, (Span){0});
        ne->op = OP_NE;
        ne->dst = ir_var(k->cx, k->f, NULL, IT_BOOL);
        ne->nargs = 2;
        ne->args[0] = ir_v(s);
        ne->args[1] = ir_real(0);
        vec_insert(k->cx->arena, &b->instrs, at++, ne);
        if (cond.kind == OK_NONE) {
            cond = ir_v(ne->dst);
            continue;
        }
        Instr *or = ir_instr(k->cx, I_OP, (Span){0});
        or->op = OP_OR;
        or->dst = ir_var(k->cx, k->f, NULL, IT_BOOL);
        or->nargs = 2;
        or->args[0] = cond;
        or->args[1] = ir_v(ne->dst);
        vec_insert(k->cx->arena, &b->instrs, at++, or);
        cond = ir_v(or->dst);
    }
    Instr *cif = ir_instr(k->cx, I_IF, (Span){0});
    cif->cond = cond;
    cif->then = ir_block(k->cx);
    cif->note = seeds->len == 1 ? "skipped where its adjoint seed is 0: it would add only zeros"
                                : "skipped where its adjoint seeds are 0: it would add only zeros";
    vec_push(k->cx->arena, &cif->then->instrs, loop);
    b->instrs.items[at] = cif;
}

static void skip_func(Cx *cx, IrFunc *f)
{
    Arena *scratch = arena_new();
    Skip k = {.cx = cx, .f = f, .scratch = scratch};
    k.home = ARENA_ARRAY(scratch, IrBlock *, f->vars.len);
    k.zero = ARENA_ARRAY(scratch, unsigned char, f->vars.len);
    ir_link_blocks(f);
    ir_walk(f->body, note_names, &k);
    ir_walk(f->body, find_loops, &k);
    /* inner loops first, so that an outer guard moves a loop already guarded */
    for (int i = k.loops.len - 2; i >= 0; i -= 2)
        if (!guarded_around(&k, k.loops.items[i], k.loops.items[i + 1]))
            guard(&k, k.loops.items[i], k.loops.items[i + 1]);
    if (k.loops.len)
        ir_link_blocks(f);
    arena_free(scratch);
}

void skip_zero_seeds(Cx *cx)
{
    for (int i = 0; i < cx->ir->funcs.len; i++) {
        IrFunc *f = cx->ir->funcs.items[i];
        if (f->role != ROLE_PRIMAL)
            skip_func(cx, f);
    }
}
