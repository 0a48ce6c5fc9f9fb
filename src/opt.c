/* IR optimisation, exact in IEEE arithmetic: constant folding of the
 * correctly rounded operations, algebraic identities that hold for every
 * double (x*1, x/1, x-0, x+(-0)), copy and constant propagation, common
 * subexpressions, dead code. Adjoint accumulations may also drop an added
 * zero (an adjoint's sign of zero carries no meaning). Passes repeat until
 * nothing changes. */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fuse.h"
#include "gradc.h"
#include "ir.h"
#include "opt.h"

typedef struct Opt {
    Cx *cx;
    IrFunc *f;
    int *ndefs;                 /* by var id: defining instructions */
    int *nuses;                 /* by var id: operand uses */
    Instr **def;                /* by var id: the defining instruction, if one */
    IrBlock **def_block;        /* by var id: the block of that instruction */
    Operand *repl;              /* by var id: replace uses by this (OK_NONE: keep) */
    int loops;                  /* loops around the block being optimised */
    bool changed;
    Arena *scratch;             /* for one round: freed when it ends */
    /* constant sums (fold_sum): by var id, in the block being walked */
    Instr **kset;               /* the instruction that set it to a constant */
    bool *kread;                /* read since */
    int *kepoch;                /* kset and kread hold while this is epoch */
    int epoch;
} Opt;

/* ---- counting --------------------------------------------------------- */

static void count_use(Opt *o, Operand a)
{
    if (a.kind == OK_VAR || a.kind == OK_REF)
        o->nuses[a.var->id]++;
}

static void count_def(Opt *o, IrVar *v, Instr *in, IrBlock *b)
{
    o->ndefs[v->id]++;
    o->def[v->id] = in;
    o->def_block[v->id] = b;
}

static void count_block(Opt *o, IrBlock *b)
{
    for (int i = 0; i < b->instrs.len; i++) {
        Instr *in = b->instrs.items[i];
        for (int k = 0; k < in->nargs; k++)
            count_use(o, in->args[k]);
        switch (in->kind) {
        case I_OP:
        case I_POP:
            count_def(o, in->dst, in, b);       /* a += is a definition, not a use */
            break;
        case I_PUSHA:
        case I_POPA:
            if (in->kind == I_PUSHA)
                o->nuses[in->arr->id]++;
            else
                o->ndefs[in->arr->id]++;
            for (int j = 0; in->row && j < in->row->nfix; j++)
                count_use(o, in->row->fix[j]);
            break;
        case I_ACOPY:
            o->ndefs[in->arr->id]++;
            count_use(o, in->args[0]);
            break;
        case I_RESERVE:
            count_use(o, in->lo);
            count_use(o, in->hi);
            break;
        case I_PUSH:
        case I_ALLOC:
            break;
        case I_LOAD:
            count_def(o, in->dst, in, b);
            o->nuses[in->arr->id]++;
            for (int k = 0; k < in->arr->ndims; k++)
                count_use(o, in->idx[k]);
            break;
        case I_STORE:
            for (int k = 0; k < in->arr->ndims; k++)
                count_use(o, in->idx[k]);
            o->ndefs[in->arr->id]++;
            break;
        case I_FILL:
            o->ndefs[in->arr->id]++;
            break;
        case I_IF:
            count_use(o, in->cond);
            count_block(o, in->then);
            if (in->els)
                count_block(o, in->els);
            break;
        case I_FOR:
            count_use(o, in->lo);
            count_use(o, in->hi);
            count_use(o, in->cond);
            count_def(o, in->ivar, in, b);
            count_block(o, in->body);
            break;
        case I_CALL:
            if (in->dst)
                count_def(o, in->dst, in, b);
            for (int k = 0; k < in->ncargs; k++) {
                const IrRow *row = ir_call_row(in, k);
                count_use(o, in->cargs[k]);
                for (int j = 0; row && j < row->nfix; j++)
                    count_use(o, row->fix[j]);
                /* the callee adds into a variable passed by reference */
                if (in->cargs[k].kind == OK_REF)
                    o->ndefs[in->cargs[k].var->id]++;
            }
            break;
        case I_RETURN:
            break;
        }
    }
}

static void count_all(Opt *o)
{
    int n = o->f->vars.len;
    memset(o->ndefs, 0, sizeof *o->ndefs * (size_t)n);
    memset(o->nuses, 0, sizeof *o->nuses * (size_t)n);
    memset(o->def, 0, sizeof *o->def * (size_t)n);
    count_block(o, o->f->body);
    for (int i = 0; i < n; i++) {
        IrVar *v = o->f->vars.items[i];
        for (int k = 0; k < v->ndims; k++)
            count_use(o, v->dims[k]);
    }
}

/* A value that never changes once defined: a parameter read by value, or
 * a variable with one plain definition. */
static bool stable(const Opt *o, Operand a)
{
    if (a.kind != OK_VAR)
        return a.kind == OK_REAL || a.kind == OK_INT || a.kind == OK_BOOL;
    const IrVar *v = a.var;
    if (v->is_param)
        return !v->by_ref;
    const Instr *d = o->def[v->id];
    return o->ndefs[v->id] == 1 && d && (d->kind != I_OP || d->acc == ACC_SET) && d->kind != I_FOR;
}

/* ---- folding and identities ------------------------------------------- */

static bool is_real(Operand a, double x)
{
    return a.kind == OK_REAL && a.real == x && signbit(a.real) == signbit(x);
}

static bool all_const(const Instr *in)
{
    for (int i = 0; i < in->nargs; i++)
        if (in->args[i].kind != OK_REAL && in->args[i].kind != OK_INT && in->args[i].kind != OK_BOOL)
            return false;
    return in->nargs > 0;
}

/* The constant value of an operation on constants, where it is exactly what
 * the generated C computes (correctly rounded operations only). */
static bool fold(const Instr *in, Operand *out)
{
    const Operand *a = in->args;
    double x = a[0].real, y = in->nargs > 1 ? a[1].real : 0;
    int result;
    switch (in->op) {
    case OP_COPY: *out = a[0]; return true;
    case OP_ADD: *out = ir_real(x + y); return true;
    case OP_SUB: *out = ir_real(x - y); return true;
    case OP_MUL: *out = ir_real(x * y); return true;
    case OP_DIV: *out = ir_real(x / y); return true;
    case OP_NEG: *out = ir_real(-x); return true;
    case OP_SQRT: *out = ir_real(sqrt(x)); return true;
    case OP_ABS: *out = ir_real(fabs(x)); return true;
    case OP_ITOR: *out = ir_real(a[0].ival); return true;
    case OP_POWI:
        if (a[1].ival == 2) { *out = ir_real(x * x); return true; }
        if (a[1].ival == 1) { *out = ir_real(x); return true; }
        if (a[1].ival == -1) { *out = ir_real(1 / x); return true; }
        return false;
    case OP_SELECT: *out = a[0].ival ? a[1] : a[2]; return true;
    case OP_NOT: *out = ir_bool(!a[0].ival); return true;
    case OP_AND: *out = ir_bool(a[0].ival && a[1].ival); return true;
    case OP_OR: *out = ir_bool(a[0].ival || a[1].ival); return true;
    case OP_LT: case OP_LE: case OP_GT: case OP_GE: case OP_EQ: case OP_NE: {
        double p = a[0].kind == OK_INT ? a[0].ival : x, q = a[1].kind == OK_INT ? a[1].ival : y;
        bool r = in->op == OP_LT ? p < q : in->op == OP_LE ? p <= q : in->op == OP_GT ? p > q
               : in->op == OP_GE ? p >= q : in->op == OP_EQ ? p == q : p != q;
        *out = ir_bool(r);
        return true;
    }
    default:
        if (ir_fold_int(in->op, a[0].ival, in->nargs > 1 ? a[1].ival : 0, &result)) {
            *out = ir_int(result);
            return true;
        }
        return false;
    }
}

static void make_copy(Instr *in, Operand a)
{
    in->op = OP_COPY;
    in->nargs = 1;
    in->args[0] = a;
    in->args[1] = in->args[2] = (Operand){0};
}

static void make_unary(Instr *in, Opcode op, Operand a)
{
    make_copy(in, a);
    in->op = op;
}

/* Identities that hold for every double, including -0, inf and NaN. */
static bool simplify_identity(Instr *in)
{
    Operand *a = in->args;
    switch (in->op) {
    case OP_MUL:
        if (is_real(a[1], 1)) { make_copy(in, a[0]); return true; }
        if (is_real(a[0], 1)) { make_copy(in, a[1]); return true; }
        if (is_real(a[1], -1)) { make_unary(in, OP_NEG, a[0]); return true; }
        if (is_real(a[0], -1)) { make_unary(in, OP_NEG, a[1]); return true; }
        return false;
    case OP_DIV:
        if (is_real(a[1], 1)) { make_copy(in, a[0]); return true; }
        if (is_real(a[1], -1)) { make_unary(in, OP_NEG, a[0]); return true; }
        return false;
    case OP_SUB:
        if (is_real(a[1], 0)) { make_copy(in, a[0]); return true; }
        return false;
    case OP_ADD:
        if (is_real(a[1], -0.0)) { make_copy(in, a[0]); return true; }
        if (is_real(a[0], -0.0)) { make_copy(in, a[1]); return true; }
        return false;
    case OP_POWI:
        if (a[1].kind == OK_INT && a[1].ival == 1) { make_copy(in, a[0]); return true; }
        if (a[1].kind == OK_INT && a[1].ival == 0) { make_copy(in, ir_real(1)); return true; }
        return false;
    case OP_LT: case OP_LE: case OP_GT: case OP_GE: case OP_EQ: case OP_NE:
        if (ir_self_compare(in->op, a[0], a[1]) < 0)
            return false;
        make_copy(in, ir_bool(ir_self_compare(in->op, a[0], a[1])));
        return true;
    case OP_SELECT:
        if (ir_same(a[1], a[2])) { make_copy(in, a[1]); return true; }
        if (a[0].kind == OK_BOOL) { make_copy(in, a[0].ival ? a[1] : a[2]); return true; }
        return false;
    case OP_IADD:
        if (a[1].kind == OK_INT && a[1].ival == 0) { make_copy(in, a[0]); return true; }
        if (a[0].kind == OK_INT && a[0].ival == 0) { make_copy(in, a[1]); return true; }
        return false;
    case OP_ISUB:
        if (a[1].kind == OK_INT && a[1].ival == 0) { make_copy(in, a[0]); return true; }
        return false;
    case OP_IMUL:
        if (a[1].kind == OK_INT && a[1].ival == 1) { make_copy(in, a[0]); return true; }
        if (a[1].kind == OK_INT && a[1].ival == 0) { make_copy(in, ir_real(1)); return true; }
        if (a[0].kind == OK_INT && a[0].ival == 1) { make_copy(in, a[1]); return true; }
        return false;
    default:
        return false;
    }
}

/* An accumulation of a value that is zero whatever the seed: nothing. */
static bool adds_nothing(const Instr *in)
{
    if (in->acc == ACC_SET)
        return false;
    if (in->op == OP_COPY || in->op == OP_NEG)
        return in->args[0].kind == OK_REAL && in->args[0].real == 0;
    if (in->op == OP_SELECT)
        return is_real(in->args[1], 0) && is_real(in->args[2], 0);
    return false;
}

static bool is_adjoint_array(const IrVar *v)
{
    return v->adj_of || v->grad_of;
}

/* Folds and simplifies in place; returns false if `in` is to be deleted. */
static bool simplify(Opt *o, Instr *in)
{
    if (in->kind != I_OP && in->kind != I_STORE)
        return true;
    if ((in->kind == I_OP || is_adjoint_array(in->arr)) && adds_nothing(in)) {
        o->changed = true;
        return false;
    }
    Operand c;
    if (in->op != OP_COPY && all_const(in) && fold(in, &c)) {
        make_copy(in, c);
        o->changed = true;
    }
    if (simplify_identity(in))
        o->changed = true;
    return true;
}

/* ---- propagation ------------------------------------------------------ */

static Operand resolve(const Opt *o, Operand a)
{
    while ((a.kind == OK_VAR) && o->repl[a.var->id].kind != OK_NONE)
        a = o->repl[a.var->id];
    return a;
}

static void rewrite(const Opt *o, Operand *a)
{
    if (a->kind == OK_VAR)
        *a = resolve(o, *a);
}

static bool named(const IrVar *v)
{
    return v->name || v->adj_of;
}

static bool plain_def(const Instr *d)
{
    return d && d->kind == I_OP && d->acc == ACC_SET;
}

static bool block_reads(const IrBlock *b, const IrVar *v);

static bool instr_reads(const Instr *in, const IrVar *v)
{
    if (ir_reads_operand(in, v))
        return true;
    if ((in->kind == I_OP && in->acc != ACC_SET && in->dst == v) || (in->kind == I_LOAD && in->arr == v))
        return true;
    return (in->then && block_reads(in->then, v)) || (in->els && block_reads(in->els, v)) ||
           (in->body && block_reads(in->body, v));
}

static bool block_reads(const IrBlock *b, const IrVar *v)
{
    for (int i = 0; i < b->instrs.len; i++)
        if (instr_reads(b->instrs.items[i], v))
            return true;
    return false;
}

/* Whether def, among the last instructions kept in `out`, can define v
 * instead: nothing after it reads v (v may have other definitions). */
static bool can_retarget(const PtrVec *out, const Instr *def, const IrVar *v)
{
    for (int i = out->len - 1, seen = 0; i >= 0 && seen < 64; i--, seen++) {
        const Instr *in = out->items[i];
        if (in == def)
            return true;
        if (instr_reads(in, v) || (in->kind == I_OP && in->dst == v))
            return false;
    }
    return false;
}

/* v = copy a: uses of v read a instead; or, where a is a temporary made
 * only for this copy, a's definition defines v (keeping v's name). */
static bool propagate_copy(Opt *o, Instr *in, IrBlock *b, const PtrVec *out)
{
    if (in->kind != I_OP || in->op != OP_COPY || in->acc != ACC_SET)
        return true;
    IrVar *v = in->dst;
    Operand a = in->args[0];
    if (v->is_param)
        return true;
    /* a variable that a loop carries keeps its single copy at the end of the
     * body: reverse mode restores it there */
    bool carried = o->ndefs[v->id] > 1 && o->loops > 0;
    if (!carried && a.kind == OK_VAR && !a.var->is_param && (!named(a.var) || a.var->name == v->name) &&
        o->nuses[a.var->id] == 1 &&
        o->ndefs[a.var->id] == 1 && plain_def(o->def[a.var->id]) &&
        o->def_block[a.var->id] == b && a.var->type == v->type &&
        !instr_reads(o->def[a.var->id], v) && can_retarget(out, o->def[a.var->id], v)) {
        o->def[a.var->id]->dst = v;
        o->changed = true;
        return false;
    }
    if (o->ndefs[v->id] != 1 || !stable(o, a))
        return true;
    o->repl[v->id] = a;
    if (a.kind == OK_VAR)
        o->nuses[a.var->id] += o->nuses[v->id];     /* v's readers now read a */
    o->changed = true;
    return false;
}

/* ---- constant sums ---------------------------------------------------- */

/* v = c, then v += d with nothing writing v between: the sum is a constant.
 * The adjoint of a variable used in n sums (x + x + ...) is n such
 * accumulations; they fold, in the order they would run (the same
 * rounding), into the first set while nothing has read v, else into a new
 * one. Within one block: a nested block starts afresh, and what it did is
 * forgotten when it ends. False: in is gone into the earlier set. */
static bool fold_sum(Opt *o, Instr *in)
{
    IrVar *v = in->dst;
    if (in->kind != I_OP || in->op != OP_COPY || in->acc == ACC_SET || v->ndims > 0 ||
        v->type != IT_REAL || in->args[0].kind != OK_REAL || o->kepoch[v->id] != o->epoch ||
        !o->kset[v->id] || o->ndefs[v->id] < 2)
        return true;
    Instr *set = o->kset[v->id];
    if (set->dst != v || set->acc != ACC_SET || set->op != OP_COPY || set->args[0].kind != OK_REAL)
        return true;
    double d = in->args[0].real;
    double sum = in->acc == ACC_ADD ? set->args[0].real + d : set->args[0].real - d;
    o->changed = true;
    if (!o->kread[v->id]) {
        set->args[0].real = sum;
        return false;
    }
    in->acc = ACC_SET;
    in->args[0].real = sum;
    return true;
}

/* What in reads and writes, for fold_sum: it runs after fold_sum and
 * before the rest of the rules, any of which may move a definition (a
 * copy's source may come to define v earlier), so any instruction naming v
 * as its destination ends what is known of v. */
static void note_sums(Opt *o, Instr *in)
{
    Operand *a;
    for (IrSlots s = ir_slots(in); (a = ir_slot_next(&s)) != NULL;) {
        if (a->kind != OK_VAR && a->kind != OK_REF)
            continue;
        int id = a->var->id;
        if (a->kind == OK_REF)
            o->kset[id] = NULL;         /* a call writes it */
        o->kread[id] = true;
    }
    if (!in->dst)
        return;
    int id = in->dst->id;
    bool set = in->kind == I_OP && in->op == OP_COPY && in->acc == ACC_SET &&
               in->dst->type == IT_REAL && in->args[0].kind == OK_REAL && !in->dst->is_param;
    o->kepoch[id] = o->epoch;
    o->kset[id] = set ? in : NULL;
    o->kread[id] = false;
}

/* ---- common subexpressions -------------------------------------------- */

/* The table of values by operation and operands: open addressing over
 * entries with their keys inline, in heap memory given back when the walk
 * of a function ends (a table per round in the scratch arena held 176
 * bytes per instruction until the function was done). An entry is never
 * removed: leaving a block clears the values it set (the undo list). */
typedef struct CseKey {
    short op;                   /* an Opcode, or OP_COUNT for a load */
    signed char nargs;
    signed char kind[IR_MAX_ARGS];
    long long bits[IR_MAX_ARGS];
} CseKey;

typedef struct CseEntry {
    CseKey key;
    unsigned hash;
    IrVar *value;
} CseEntry;

typedef struct Cse {
    CseEntry *entries;
    int len, cap;
    int *slots;                 /* entry index + 1; 0 is empty */
    unsigned nslots;            /* a power of two, at least twice len */
    int *undo;                  /* entry indices set in open blocks, innermost last */
    int nundo, capundo;
} Cse;

static void cse_free(Cse *c)
{
    free(c->entries);
    free(c->slots);
    free(c->undo);
}

static void cse_note(Cse *c, int entry)
{
    if (c->nundo == c->capundo) {
        c->capundo = c->capundo ? c->capundo * 2 : 64;
        c->undo = xrealloc(c->undo, sizeof *c->undo * (size_t)c->capundo);
    }
    c->undo[c->nundo++] = entry;
}

static void cse_place(Cse *c, int entry)
{
    unsigned mask = c->nslots - 1, j = c->entries[entry].hash & mask;
    while (c->slots[j])
        j = (j + 1) & mask;
    c->slots[j] = entry + 1;
}

/* The entry for k, made (with no value) if there is none. */
static CseEntry *cse_entry(Cse *c, const CseKey *k)
{
    unsigned h = strtab_hash(k, sizeof *k);
    if (c->nslots) {
        unsigned mask = c->nslots - 1;
        for (unsigned j = h & mask; c->slots[j]; j = (j + 1) & mask) {
            CseEntry *e = &c->entries[c->slots[j] - 1];
            if (e->hash == h && memcmp(&e->key, k, sizeof *k) == 0)
                return e;
        }
    }
    if (c->len == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 256;
        c->entries = xrealloc(c->entries, sizeof *c->entries * (size_t)c->cap);
    }
    if ((unsigned)(c->len + 1) * 2 > c->nslots) {
        free(c->slots);
        c->nslots = c->nslots ? c->nslots * 2 : 512;
        c->slots = xmalloc(sizeof *c->slots * c->nslots);
        memset(c->slots, 0, sizeof *c->slots * c->nslots);
        for (int i = 0; i < c->len; i++)
            cse_place(c, i);
    }
    CseEntry *e = &c->entries[c->len];
    memcpy(&e->key, k, sizeof *k);  /* the padding too: keys compare by memcmp */
    e->hash = h;
    e->value = NULL;
    cse_place(c, c->len++);
    return e;
}

static bool commutative(Opcode op)
{
    return op == OP_ADD || op == OP_MUL || op == OP_IADD || op == OP_IMUL || op == OP_EQ ||
           op == OP_NE || op == OP_AND || op == OP_OR;
}

static void key_operand(CseKey *k, int i, Operand a)
{
    k->kind[i] = (signed char)a.kind;
    if (a.kind == OK_VAR || a.kind == OK_REF)
        k->bits[i] = a.var->id;
    else if (a.kind == OK_REAL)
        memcpy(&k->bits[i], &a.real, sizeof a.real);
    else
        k->bits[i] = a.ival;
}

static bool is_index(const Opt *o, Operand a);

/* An operand CSE may key on: a constant, a value defined once, or the
 * index of a loop around (the table is scoped by block, so an entry made
 * in a loop body is forgotten when the body ends, and within it the index
 * is fixed). */
static bool cse_operand(const Opt *o, Operand a)
{
    return stable(o, a) || is_index(o, a);
}

/* A load from an array nothing writes (a const parameter), keyed like an
 * operation: the same element twice is loaded once. */
static bool cse_load(const Opt *o, const Instr *in, CseKey *k)
{
    if (in->kind != I_LOAD || !in->arr->is_param || !in->arr->readonly || o->ndefs[in->dst->id] != 1 ||
        in->arr->ndims + 1 > IR_MAX_ARGS)
        return false;
    for (int d = 0; d < in->arr->ndims; d++)
        if (!cse_operand(o, in->idx[d]))
            return false;
    memset(k, 0, sizeof *k);
    k->op = (short)OP_COUNT;     /* no operation's */
    k->nargs = (signed char)(1 + in->arr->ndims);
    key_operand(k, 0, ir_v(in->arr));
    for (int d = 0; d < in->arr->ndims; d++)
        key_operand(k, 1 + d, in->idx[d]);
    return true;
}

static void cse_instr(Opt *o, Cse *cse, Instr *in)
{
    CseKey k;
    bool load = cse_load(o, in, &k);
    if (!load) {
        if (in->kind != I_OP || in->acc != ACC_SET || in->op == OP_COPY || in->dst->is_param ||
            o->ndefs[in->dst->id] != 1)
            return;
        for (int i = 0; i < in->nargs; i++)
            if (!cse_operand(o, in->args[i]))
                return;
        memset(&k, 0, sizeof k);
        k.op = (short)in->op;
        k.nargs = (signed char)in->nargs;
        for (int i = 0; i < in->nargs; i++)
            key_operand(&k, i, in->args[i]);
        if (commutative(in->op) &&
            (k.kind[0] > k.kind[1] || (k.kind[0] == k.kind[1] && k.bits[0] > k.bits[1]))) {
            signed char kind = k.kind[0];
            long long bits = k.bits[0];
            k.kind[0] = k.kind[1];
            k.bits[0] = k.bits[1];
            k.kind[1] = kind;
            k.bits[1] = bits;
        }
    }
    CseEntry *e = cse_entry(cse, &k);
    IrVar *prev = e->value;
    /* a value whose definition has since been given to another variable is gone */
    if (!prev || !o->def[prev->id] || o->def[prev->id]->dst != prev) {
        e->value = in->dst;
        cse_note(cse, (int)(e - cse->entries));
        return;
    }
    if (load) {
        in->kind = I_OP;
        in->acc = ACC_SET;
        in->arr = NULL;
        in->idx = NULL;
    }
    make_copy(in, ir_v(prev));
    o->nuses[prev->id]++;
    o->changed = true;
}

/* ---- the block walk --------------------------------------------------- */

static void rewrite_instr(const Opt *o, Instr *in)
{
    Operand *a;
    for (IrSlots s = ir_slots(in); (a = ir_slot_next(&s)) != NULL;)
        rewrite(o, a);
}

static void opt_block(Opt *o, Cse *cse, IrBlock *b);

/* Optimises one instruction, appending what remains of it to `out`. */
static void opt_instr(Opt *o, Cse *cse, Instr *in, IrBlock *b, PtrVec *out)
{
    rewrite_instr(o, in);
    if (!simplify(o, in) || !fold_sum(o, in))
        return;
    note_sums(o, in);
    cse_instr(o, cse, in);
    if (!propagate_copy(o, in, b, out))
        return;
    if (in->kind == I_IF && in->cond.kind == OK_BOOL) {
        /* a decided branch: splice it in */
        IrBlock *taken = in->cond.ival ? in->then : in->els;
        o->changed = true;
        if (taken) {
            opt_block(o, cse, taken);
            for (int k = 0; k < taken->instrs.len; k++)
                vec_push(o->cx->arena, out, taken->instrs.items[k]);
        }
        return;
    }
    if (in->kind == I_IF) {
        opt_block(o, cse, in->then);
        if (in->els)
            opt_block(o, cse, in->els);
        o->epoch++;                 /* what the branches wrote is not known */
    } else if (in->kind == I_FOR) {
        o->loops++;
        opt_block(o, cse, in->body);
        o->loops--;
        o->epoch++;
    }
    vec_push(o->cx->arena, out, in);
}

static void opt_block(Opt *o, Cse *cse, IrBlock *b)
{
    int mark = cse->nundo;
    o->epoch++;
    PtrVec out = {0};
    const char *note = NULL;        /* of a deleted instruction: goes to the next one */
    for (int i = 0; i < b->instrs.len; i++) {
        Instr *in = b->instrs.items[i];
        int before = out.len;
        note = in->note ? in->note : note;
        opt_instr(o, cse, in, b, &out);
        if (out.len > before && note) {
            Instr *kept = out.items[before];
            kept->note = kept->note ? kept->note : note;
            note = NULL;
        }
    }
    vec_release(o->cx->arena, &b->instrs);
    b->instrs = out;
    for (int i = mark; i < cse->nundo; i++)
        cse->entries[cse->undo[i]].value = NULL;
    cse->nundo = mark;
}

/* ---- stored values ---------------------------------------------------- */

/* A load of the element a store of the same block just wrote reads the
 * stored value: t[i] = v; ... u = t[i]  gives  u = v, if nothing between
 * may write t. Indices compare as operands, so they must not change. */
typedef struct Stored {
    const Instr *store;
} Stored;

static bool region_writes(const IrBlock *b, const IrVar *a)
{
    for (int i = 0; i < b->instrs.len; i++)
        if (ir_writes_within(b->instrs.items[i], a))
            return true;
    return false;
}

/* ---- fills that change nothing -------------------------------------- */

/* A fill of a local array is dead when the array is set whole again before
 * anything reads it: by another fill (`let h[n];` then a call's zero-filled
 * `out` h), or by stores that cover every element (an inlined call's
 * `out` array, zero-filled, then written element by element). It is
 * redundant when every element is already zero: the reverse sweep zeroes
 * the adjoint of each element a store wrote as it reverses the store, and
 * then the adjoint of the fill that came before zeroes the array again.
 * Only local arrays that share memory with nothing, so that no other name
 * can read or write them in between; only within one block. */

/* A fill that goes gives its note (the "reverse sweep" that the emitter
 * and split.c look for, or a comment) to the next instruction: one that
 * has a note of its own keeps the fill. */
static bool note_moves(const IrBlock *b, int i)
{
    const Instr *in = b->instrs.items[i];
    return !in->note || (i + 1 < b->instrs.len && !((const Instr *)b->instrs.items[i + 1])->note);
}

static void give_note(IrBlock *b, int i)
{
    Instr *in = b->instrs.items[i];
    if (in->note)
        ((Instr *)b->instrs.items[i + 1])->note = in->note;
}

/* Elements lo to hi - 1 of one dimension (none if hi <= lo). */
typedef struct Range {
    Operand lo, hi;
} Range;

/* What a store, or a nest of loops around one, sets: a range per dimension. */
typedef struct Box {
    Range r[IR_MAX_DIMS];
} Box;

enum { FILL_BOXES = 16, FILL_REACH = 512 };

/* A bound with one value in the whole function, as an array's size has. */
static bool fixed(const Opt *o, Operand a)
{
    if (a.kind == OK_INT || a.kind == OK_DIM)
        return true;
    if (a.kind != OK_VAR)
        return false;
    const IrVar *v = a.var;
    if (v->is_param)
        return !v->by_ref && o->ndefs[v->id] == 0;
    return stable(o, a) && o->def_block[v->id] == o->f->body;
}

/* a <= b for every run: the same value, or int constants in that order. */
static bool at_most(Operand a, Operand b)
{
    return ir_same(a, b) || (a.kind == OK_INT && b.kind == OK_INT && a.ival <= b.ival);
}

/* Whether `in` sets a box of arr, whatever its loops' trip counts: a store
 * `arr[...] = v` whose indices are constants or the indices of the loops
 * around it (each loop's, its range of fixed bounds), or a loop whose body
 * has exactly one instruction that does so. zero: the store writes 0.0 and
 * the loops may read arr too (other writes are not allowed); else nothing
 * else in the loops names arr. loops[0..nloops): the loops walked into. */
static bool sets_box(const Opt *o, const Instr *in, const IrVar *arr, bool zero, const Instr **loops,
                     int nloops, Box *box)
{
    if (in->kind == I_STORE) {
        if (in->arr != arr || in->acc != ACC_SET || (zero && (in->op != OP_COPY || !is_real(in->args[0], 0))))
            return false;
        bool used[IR_MAX_DIMS] = {false};
        for (int d = 0; d < arr->ndims; d++) {
            Operand ix = in->idx[d];
            int k = 0;
            while (k < nloops && !ir_is_var(ix, loops[k]->ivar))
                k++;
            if (k < nloops) {
                box->r[d] = (Range){loops[k]->lo, loops[k]->hi};
                used[k] = true;
            } else if (ix.kind == OK_INT && ix.ival < INT_MAX) {
                box->r[d] = (Range){ix, ir_int(ix.ival + 1)};
            } else {
                return false;
            }
        }
        /* a loop no index follows may run no iteration */
        for (int k = 0; k < nloops; k++)
            if (!used[k])
                return false;
        return true;
    }
    if (in->kind != I_FOR || in->cond.kind != OK_NONE || nloops == arr->ndims || !fixed(o, in->lo) ||
        !fixed(o, in->hi))
        return false;
    const Instr *setter = NULL;
    for (int i = 0; i < in->body->instrs.len; i++) {
        const Instr *x = in->body->instrs.items[i];
        if (zero ? !ir_writes_within(x, arr) : !ir_names_within(x, arr))
            continue;
        if (setter)
            return false;
        setter = x;
    }
    loops[nloops] = in;
    return setter && sets_box(o, setter, arr, zero, loops, nloops + 1, box);
}

/* Whether boxes[0..n) together hold every element of arr: boxes whole in
 * every dimension but the first, whose ranges chain from 0 to its size
 * (0..a and b..c with b <= a hold 0..c, whichever of a and c is larger). */
static bool boxes_cover(const IrVar *arr, const Box *boxes, int n)
{
    bool taken[FILL_BOXES] = {false};
    Operand at = ir_int(0);
    for (bool grew = true; grew;) {
        if (at_most(arr->dims[0], at))
            return true;
        grew = false;
        for (int b = 0; b < n; b++) {
            if (taken[b] || !at_most(boxes[b].r[0].lo, at))
                continue;
            bool whole = true;
            for (int d = 1; d < arr->ndims; d++)
                whole = whole && at_most(boxes[b].r[d].lo, ir_int(0)) && at_most(arr->dims[d], boxes[b].r[d].hi);
            if (whole) {
                taken[b] = true;
                at = boxes[b].r[0].hi;
                grew = true;
            }
        }
    }
    return false;
}

/* Whether the fill at b[i] changes nothing (gone: the instructions of b
 * already dropped, which do not count). step 1: the array is set whole
 * again before anything reads it (by a fill, or by stores); step -1: it is
 * all zero already (a fill, then zero stores, since its last other write;
 * reads between do not matter). */
static bool fill_useless(const Opt *o, const IrBlock *b, const bool *gone, int i, int step)
{
    const IrVar *arr = ((const Instr *)b->instrs.items[i])->arr;
    bool zero = step < 0;
    Box boxes[FILL_BOXES];
    int n = 0;
    for (int j = i + step; j >= 0 && j < b->instrs.len && (!zero || i - j <= FILL_REACH); j += step) {
        const Instr *x = b->instrs.items[j];
        if (gone[j] || (zero ? !ir_writes_within(x, arr) : !ir_names_within(x, arr)))
            continue;
        if (x->kind == I_FILL)
            return true;
        const Instr *loops[IR_MAX_DIMS];
        if (n == FILL_BOXES || !sets_box(o, x, arr, zero, loops, 0, &boxes[n]))
            return false;
        if (boxes_cover(arr, boxes, ++n))
            return true;
    }
    return false;
}

static void drop_dead_fills(Opt *o, IrBlock *b)
{
    int kept = 0;
    for (int i = 0; i < b->instrs.len; i++) {
        Instr *in = b->instrs.items[i];
        if (in->then)
            drop_dead_fills(o, in->then);
        if (in->els)
            drop_dead_fills(o, in->els);
        if (in->body)
            drop_dead_fills(o, in->body);
    }
    /* one at a time: a fill that another one makes useless is gone before
       that one is looked at, so that two fills never justify each other */
    bool *gone = ARENA_ARRAY(o->scratch, bool, b->instrs.len);
    for (int i = 0; i < b->instrs.len; i++) {
        const Instr *in = b->instrs.items[i];
        gone[i] = in->kind == I_FILL && !in->arr->is_param && !in->arr->alias && note_moves(b, i) &&
                  (fill_useless(o, b, gone, i, 1) || fill_useless(o, b, gone, i, -1));
        if (gone[i])
            give_note(b, i);
        o->changed = o->changed || gone[i];
    }
    for (int i = 0; i < b->instrs.len; i++)
        if (!gone[i])
            b->instrs.items[kept++] = b->instrs.items[i];
    b->instrs.len = kept;
}

/* The arrays in writes (recursively), marked in w by variable id. */
static void mark_writes(const Instr *in, bool *w)
{
    if (in->kind == I_STORE || in->kind == I_FILL || in->kind == I_ACOPY || in->kind == I_POPA)
        w[in->arr->id] = true;
    if (in->kind == I_CALL)
        for (int k = 0; k < in->ncargs; k++)
            if (ir_call_writes(in, k) && in->cargs[k].kind == OK_VAR)
                w[in->cargs[k].var->id] = true;
    const IrBlock *sub[3] = {in->then, in->els, in->body};
    for (int s = 0; s < 3; s++)
        for (int i = 0; sub[s] && i < sub[s]->instrs.len; i++)
            mark_writes(sub[s]->instrs.items[i], w);
}

/* Local arrays come zeroed from the allocation on entry (emit_c.c,
 * put_alloc): a fill in the function's own block before anything writes
 * the array (a `let`'s, or the reverse sweep's of an adjoint array) is
 * redundant. */
static void drop_fresh_fills(Opt *o)
{
    IrBlock *b = o->f->body;
    bool *w = ARENA_ARRAY(o->scratch, bool, o->f->vars.len);
    int kept = 0;
    for (int i = 0; i < b->instrs.len; i++) {
        Instr *in = b->instrs.items[i];
        if (in->kind == I_FILL && !in->arr->is_param && !in->arr->alias && !w[in->arr->id] &&
            note_moves(b, i)) {
            give_note(b, i);
            o->changed = true;
            continue;
        }
        mark_writes(in, w);
        b->instrs.items[kept++] = in;
    }
    b->instrs.len = kept;
}

static bool is_copy(const Instr *in, AccMode acc)
{
    return in->kind == I_OP && in->op == OP_COPY && in->acc == acc && in->dst && in->dst->ndims == 0;
}

/* A value taken out and put back: `y = x; x = 0; ... x += y` with nothing
 * between naming x leaves x as it was, so the zero and the add go (the
 * reverse sweep writes this for every adjoint a loop carries: the
 * iteration's share, then the next one's). y, a temporary defined once,
 * keeps its uses. Only in one block, and within PUT_BACK_REACH statements
 * of the zero each way: a straight-line function zeroes thousands of
 * adjoints, and scanning its whole body from each was quadratic. */
enum { PUT_BACK_REACH = 512 };

static void drop_put_back(Opt *o, IrBlock *b)
{
    for (int i = 0; i < b->instrs.len; i++) {
        Instr *in = b->instrs.items[i];
        const IrBlock *sub[3] = {in->then, in->els, in->body};
        for (int s = 0; s < 3; s++)
            if (sub[s])
                drop_put_back(o, (IrBlock *)sub[s]);
    }
    for (int i = 0; i < b->instrs.len; i++) {
        Instr *zero = b->instrs.items[i];
        if (!is_copy(zero, ACC_SET) || !is_real(zero->args[0], 0) || zero->dst->by_ref)
            continue;
        IrVar *x = zero->dst;
        int k = i + 1;
        while (k < b->instrs.len && k - i <= PUT_BACK_REACH && !ir_names_within(b->instrs.items[k], x))
            k++;
        if (k == b->instrs.len || k - i > PUT_BACK_REACH)
            continue;
        Instr *add = b->instrs.items[k];
        if (!is_copy(add, ACC_ADD) || add->dst != x || add->args[0].kind != OK_VAR)
            continue;
        IrVar *y = add->args[0].var;
        const Instr *d = o->def[y->id];
        if (o->ndefs[y->id] != 1 || !d || !is_copy(d, ACC_SET) || !ir_is_var(d->args[0], x))
            continue;
        /* y = x before the zero, in this block, with x unchanged since */
        int j = i - 1;
        while (j >= 0 && i - j <= PUT_BACK_REACH && b->instrs.items[j] != d &&
               !ir_names_within(b->instrs.items[j], x))
            j--;
        if (j < 0 || b->instrs.items[j] != d)
            continue;
        o->nuses[y->id]--;
        vec_remove(&b->instrs, k);
        vec_remove(&b->instrs, i);
        o->changed = true;
        i--;
    }
}

/* A loop's index: fixed within one iteration, so within one block. */
static bool is_index(const Opt *o, Operand a)
{
    return a.kind == OK_VAR && o->ndefs[a.var->id] == 1 && o->def[a.var->id] &&
           o->def[a.var->id]->kind == I_FOR;
}

static void forward_stores(Opt *o, IrBlock *b)
{
    PtrVec live = {0};                      /* stores whose values are still there */
    for (int i = 0; i < b->instrs.len; i++) {
        Instr *in = b->instrs.items[i];
        if (in->then)
            forward_stores(o, in->then);
        if (in->els)
            forward_stores(o, in->els);
        if (in->body)
            forward_stores(o, in->body);
        if (in->kind == I_LOAD) {
            for (int k = live.len - 1; k >= 0; k--) {
                const Instr *st = live.items[k];
                bool same = st->arr == in->arr;
                for (int d = 0; same && d < in->arr->ndims; d++)
                    same = ir_same(st->idx[d], in->idx[d]);
                if (!same)
                    continue;
                in->kind = I_OP;
                in->op = OP_COPY;
                in->acc = ACC_SET;
                in->nargs = 1;
                in->args[0] = st->args[0];
                in->arr = NULL;
                if (in->args[0].kind == OK_VAR)
                    o->nuses[in->args[0].var->id]++;
                o->changed = true;
                break;
            }
            continue;
        }
        /* anything that may write an array ends what we know of it */
        for (int k = 0; k < live.len; k++) {
            const Instr *st = live.items[k];
            if (ir_writes_within(in, st->arr))
                live.items[k--] = live.items[--live.len];
        }
        bool simple = in->kind == I_STORE && in->acc == ACC_SET && in->op == OP_COPY &&
                      stable(o, in->args[0]);
        for (int d = 0; simple && d < in->arr->ndims; d++)
            simple = stable(o, in->idx[d]) || is_index(o, in->idx[d]);
        if (simple)
            vec_push(o->scratch, &live, in);
    }
}

/* ---- loop-invariant code ---------------------------------------------- */

/* An operation in a loop body whose operands do not change in the loop
 * moves before the loop: computed once instead of every iteration. Only
 * operations that cannot trap move (a loop that runs no iteration then
 * computes them for nothing, harmlessly): no loads, no calls, no int
 * division but by a nonzero constant. */

static bool invariant(const Opt *o, Operand a, const Instr *loop)
{
    if (a.kind == OK_REAL || a.kind == OK_INT || a.kind == OK_BOOL)
        return true;
    if (a.kind != OK_VAR)
        return false;
    const IrVar *v = a.var;
    if (v->is_param)
        return !v->by_ref;
    if (v == loop->ivar || o->ndefs[v->id] != 1 || !o->def[v->id])
        return false;
    /* an outer loop's index is fixed in this loop too */
    return !ir_block_inside(o->def_block[v->id], loop->body);
}

/* An index certainly inside dimension `dim`: a constant below a constant
 * size, or the index of an enclosing loop that runs over 0..dim (or a
 * part of it). Then a load may run where the loop would not have. */
static bool in_bounds(const Opt *o, Operand ix, Operand dim)
{
    if (ix.kind == OK_INT)
        return ix.ival >= 0 && dim.kind == OK_INT && ix.ival < dim.ival;
    if (ix.kind != OK_VAR || o->ndefs[ix.var->id] != 1 || !o->def[ix.var->id])
        return false;
    const Instr *loop = o->def[ix.var->id];
    if (loop->kind != I_FOR || loop->lo.kind != OK_INT || loop->lo.ival < 0)
        return false;
    return ir_same(loop->hi, dim) ||
           (loop->hi.kind == OK_INT && dim.kind == OK_INT && loop->hi.ival <= dim.ival);
}

static bool hoistable_load(const Opt *o, const Instr *in, const Instr *loop)
{
    if (o->ndefs[in->dst->id] != 1 || region_writes(loop->body, in->arr))
        return false;
    for (int k = 0; k < in->arr->ndims; k++)
        if (!invariant(o, in->idx[k], loop) || !in_bounds(o, in->idx[k], in->arr->dims[k]))
            return false;
    return true;
}

static bool hoistable(const Opt *o, const Instr *in, const Instr *loop)
{
    if (in->kind == I_LOAD)
        return hoistable_load(o, in, loop);
    if (in->kind != I_OP || in->acc != ACC_SET || in->dst->is_param || o->ndefs[in->dst->id] != 1)
        return false;
    if ((in->op == OP_IDIV || in->op == OP_IMOD) &&
        (in->args[1].kind != OK_INT || in->args[1].ival == 0 || in->args[1].ival == -1))
        return false;
    for (int k = 0; k < in->nargs; k++)
        if (!invariant(o, in->args[k], loop))
            return false;
    return true;
}

static void hoist_block(Opt *o, IrBlock *b)
{
    PtrVec out = {0};
    for (int i = 0; i < b->instrs.len; i++) {
        Instr *in = b->instrs.items[i];
        if (in->then)
            hoist_block(o, in->then);
        if (in->els)
            hoist_block(o, in->els);
        if (in->kind == I_FOR) {
            hoist_block(o, in->body);
            IrBlock *body = in->body;
            int w = 0;
            for (int k = 0; k < body->instrs.len; k++) {
                Instr *x = body->instrs.items[k];
                if (hoistable(o, x, in)) {
                    vec_push(o->cx->arena, &out, x);
                    o->def_block[x->dst->id] = b;
                    o->changed = true;
                } else {
                    body->instrs.items[w++] = x;
                }
            }
            body->instrs.len = w;
        }
        vec_push(o->cx->arena, &out, in);
    }
    vec_release(o->cx->arena, &b->instrs);
    b->instrs = out;
}

/* ---- dead code -------------------------------------------------------- */

/* Marks from the roots (the return, writes through parameters and into
 * the caller's arrays, the tape, the allocation) everything they depend on:
 * a live variable makes its definitions live, a live instruction its
 * operands and the if or for around it. The rest goes. Linear in the size
 * of the function. */
typedef struct Live {
    Opt *o;
    bool *var;                  /* by var id */
    PtrVec *defs;               /* by var id: its defining instructions */
    PtrVec work;                /* Instr* whose operands are still to mark */
} Live;

static void live_instr(Live *l, Instr *in);

static void live_var(Live *l, IrVar *v)
{
    if (l->var[v->id])
        return;
    l->var[v->id] = true;
    PtrVec *defs = &l->defs[v->id];
    for (int i = 0; i < defs->len; i++)
        live_instr(l, defs->items[i]);
    for (int k = 0; k < v->ndims; k++)
        if (v->dims[k].kind == OK_VAR)
            live_var(l, v->dims[k].var);
    if (v->alias)
        live_var(l, v->alias);
}

static void live_operand(Live *l, Operand a)
{
    if (a.kind == OK_VAR || a.kind == OK_REF)
        live_var(l, a.var);
}

static void live_instr(Live *l, Instr *in)
{
    if (in->live)
        return;
    in->live = true;
    vec_push(l->o->scratch, &l->work, in);
}

static void live_operands(Live *l, Instr *in)
{
    Operand *a;
    for (IrSlots s = ir_slots(in); (a = ir_slot_next(&s)) != NULL;)
        live_operand(l, *a);
    if (in->kind == I_OP && in->acc != ACC_SET)
        live_var(l, in->dst);                   /* += reads the old value */
    if ((in->kind == I_STORE && in->acc != ACC_SET) || in->kind == I_LOAD || in->kind == I_PUSHA)
        live_var(l, in->arr);
    if (in->block && in->block->owner)
        live_instr(l, in->block->owner);        /* the if or for around it */
}

static bool writes_outside(const IrVar *v)
{
    return v && (v->is_param || v->alias);
}

static bool is_root(const Instr *in)
{
    switch (in->kind) {
    case I_RETURN:
    case I_PUSH:
    case I_POP:
    case I_PUSHA:
    case I_POPA:
    case I_RESERVE:
    case I_ALLOC:
        return true;
    case I_OP:
        return writes_outside(in->dst);
    case I_STORE:
    case I_FILL:
    case I_ACOPY:
        return writes_outside(in->arr);
    case I_CALL:
        for (int k = 0; k < in->ncargs; k++) {
            const IrVar *p = in->callee->params.items[k];
            Operand a = in->cargs[k];
            if ((a.kind == OK_REF || (p->ndims > 0 && !p->readonly)) && a.kind != OK_NULL &&
                writes_outside(a.var))
                return true;
        }
        return false;
    default:
        return false;
    }
}

static void add_def(Live *l, IrVar *v, Instr *in)
{
    vec_push(l->o->scratch, &l->defs[v->id], in);
}

/* Indexes definitions (writes to arrays and through references count) and
 * clears the marks. */
static void index_block(Live *l, IrBlock *b)
{
    for (int i = 0; i < b->instrs.len; i++) {
        Instr *in = b->instrs.items[i];
        in->live = false;
        if (in->dst)
            add_def(l, in->dst, in);
        if (in->arr && (in->kind == I_STORE || in->kind == I_FILL || in->kind == I_ACOPY ||
                        in->kind == I_POPA))
            add_def(l, in->arr, in);
        if (in->kind == I_FOR)
            add_def(l, in->ivar, in);
        for (int k = 0; in->kind == I_CALL && k < in->ncargs; k++) {
            const IrVar *p = in->callee->params.items[k];
            Operand a = in->cargs[k];
            if (a.kind == OK_REF || (a.kind == OK_VAR && p->ndims > 0 && !p->readonly))
                add_def(l, a.var, in);
        }
        if (in->then)
            index_block(l, in->then);
        if (in->els)
            index_block(l, in->els);
        if (in->body)
            index_block(l, in->body);
    }
}

static void root_block(Live *l, IrBlock *b)
{
    for (int i = 0; i < b->instrs.len; i++) {
        Instr *in = b->instrs.items[i];
        if (is_root(in))
            live_instr(l, in);
        if (in->then)
            root_block(l, in->then);
        if (in->els)
            root_block(l, in->els);
        if (in->body)
            root_block(l, in->body);
    }
}

static void sweep_block(Opt *o, const Live *l, IrBlock *b)
{
    int w = 0;
    for (int i = 0; i < b->instrs.len; i++) {
        Instr *in = b->instrs.items[i];
        if (!in->live) {
            o->changed = true;
            continue;
        }
        if (in->then)
            sweep_block(o, l, in->then);
        if (in->els) {
            sweep_block(o, l, in->els);
            if (in->els->instrs.len == 0)
                in->els = NULL;
        }
        if (in->body)
            sweep_block(o, l, in->body);
        if (in->kind == I_CALL && in->dst && !l->var[in->dst->id]) {
            in->dst = NULL;                     /* kept for what it writes */
            o->changed = true;
        }
        b->instrs.items[w++] = in;
    }
    b->instrs.len = w;
}

static void dce(Opt *o)
{
    int n = o->f->vars.len;
    Live l = {o, NULL, NULL, {0}};
    l.var = ARENA_ARRAY(o->scratch, bool, n + 1);
    l.defs = ARENA_ARRAY(o->scratch, PtrVec, n + 1);
    ir_link_blocks(o->f);
    index_block(&l, o->f->body);
    root_block(&l, o->f->body);
    while (l.work.len > 0)
        live_operands(&l, l.work.items[--l.work.len]);
    sweep_block(o, &l, o->f->body);
    ir_drop_unused_alloc(o->f);
}

/* ---- driver ----------------------------------------------------------- */

/* The instructions of a function when a round starts: those that the
 * round removes (no instruction is shared between blocks or functions, and
 * nothing else points to one) go back for reuse when it ends. Every
 * instruction still held is live after dce, and none that was removed is:
 * those dce swept it marked dead, and those the walk dropped it never saw. */
typedef struct Held {
    Arena *scratch;
    PtrVec instrs;
} Held;

static void hold(Instr *in, void *data)
{
    Held *h = data;
    in->live = false;
    vec_push(h->scratch, &h->instrs, in);
}

static void give_back(Cx *cx, const PtrVec *held)
{
    for (int i = 0; i < held->len; i++) {
        Instr *in = held->items[i];
        if (!in->live)
            ir_free_instr(cx, in);
    }
}

/* tables and scratch: arenas reset here, kept from function to function
 * (fresh ones for each would fault their pages in every time). */
static void opt_func(Cx *cx, IrFunc *f, Arena *tables, Arena *scratch, bool fills)
{
    int n = -1;
    Opt o = {cx, f, NULL, NULL, NULL, NULL, NULL, 0, false, NULL, NULL, NULL, NULL, 0};
    for (int round = 0; round < 16; round++) {
        o.changed = false;
        arena_reset(scratch);       /* memory already in use: no page faults */
        o.scratch = scratch;
        /* first, while nothing is counted: it moves instructions between
           blocks, and may add variables */
        if (fuse_sweeps(cx, scratch, f))
            o.changed = true;
        if (n != f->vars.len) {
            /* tables by variable, for this function alone */
            n = f->vars.len;
            arena_reset(tables);
            o.ndefs = ARENA_ARRAY(tables, int, n + 1);
            o.nuses = ARENA_ARRAY(tables, int, n + 1);
            o.def = ARENA_ARRAY(tables, Instr *, n + 1);
            o.def_block = ARENA_ARRAY(tables, IrBlock *, n + 1);
            o.repl = ARENA_ARRAY(tables, Operand, n + 1);
            o.kset = ARENA_ARRAY(tables, Instr *, n + 1);
            o.kread = ARENA_ARRAY(tables, bool, n + 1);
            o.kepoch = ARENA_ARRAY(tables, int, n + 1);
        }
        Held held = {scratch, {0}};
        ir_walk(f->body, hold, &held);
        count_all(&o);
        Cse cse = {0};
        forward_stores(&o, f->body);
        if (fills) {
            drop_dead_fills(&o, f->body);
            drop_fresh_fills(&o);
        }
        drop_put_back(&o, f->body);
        ir_link_blocks(f);
        hoist_block(&o, f->body);
        opt_block(&o, &cse, f->body);
        cse_free(&cse);
        for (int i = 0; i < n; i++) {
            IrVar *v = f->vars.items[i];
            for (int k = 0; k < v->ndims; k++)
                rewrite(&o, &v->dims[k]);
        }
        dce(&o);
        give_back(cx, &held.instrs);
        memset(o.repl, 0, sizeof *o.repl * (size_t)n);
        if (!o.changed)
            break;
    }
}

/* Without optimisation, dead code still goes: the C must compile without
 * unused variables. */
void opt_cleanup(Cx *cx)
{
    Arena *scratch = arena_new();
    for (int i = 0; i < cx->ir->funcs.len; i++) {
        IrFunc *f = cx->ir->funcs.items[i];
        arena_reset(scratch);
        Opt o = {cx, f, NULL, NULL, NULL, NULL, NULL, 0, false, scratch, NULL, NULL, NULL, 0};
        dce(&o);
    }
    arena_free(scratch);
}

/* Each function once: a pass that changes a function makes a new one. */
void opt_module(Cx *cx, bool primal_fills)
{
    Arena *tables = arena_new(), *scratch = arena_new();
    for (int i = 0; i < cx->ir->funcs.len; i++) {
        IrFunc *f = cx->ir->funcs.items[i];
        if (f->optimized)
            continue;
        f->optimized = true;
        opt_func(cx, f, tables, scratch, primal_fills || f->role != ROLE_PRIMAL);
#ifdef GRADC_VERIFY_IR
        ir_verify(cx->ir->funcs.items[i]);
#endif
    }
    arena_free(scratch);
    arena_free(tables);
}

void opt_primal_fills(Cx *cx)
{
    Arena *tables = arena_new();
    for (int i = 0; i < cx->ir->funcs.len; i++) {
        IrFunc *f = cx->ir->funcs.items[i];
        if (f->role != ROLE_PRIMAL || !f->optimized)
            continue;
        arena_reset(tables);
        int n = f->vars.len;
        Opt o = {cx, f, NULL, NULL, NULL, NULL, NULL, 0, false, tables, NULL, NULL, NULL, 0};
        o.ndefs = ARENA_ARRAY(tables, int, n + 1);
        o.nuses = ARENA_ARRAY(tables, int, n + 1);
        o.def = ARENA_ARRAY(tables, Instr *, n + 1);
        o.def_block = ARENA_ARRAY(tables, IrBlock *, n + 1);
        o.repl = ARENA_ARRAY(tables, Operand, n + 1);
        count_all(&o);
        drop_dead_fills(&o, f->body);
        drop_fresh_fills(&o);
    }
    arena_free(tables);
}
