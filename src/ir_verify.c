/* The IR verifier, run after every pass in debug builds (GRADC_VERIFY_IR):
 * it aborts with a message on a malformed IR, a compiler bug. */
#include <stdlib.h>
#include <string.h>

#include "gradc.h"
#include "ir.h"

typedef struct Verify {
    const IrFunc *f;
    const Instr *in;
} Verify;

static _Noreturn void bad(const Verify *vf, const char *what)
{
    Buf b;
    buf_init(&b);
    if (vf->in)
        ir_print_instr(&b, vf->in, 0);
    die("IR verifier: %s: %s\n  in: %s", vf->f->name, what, b.data ? b.data : "(function)");
}

static void check_var(const Verify *vf, const IrVar *v)
{
    if (!v || v->id < 0 || v->id >= vf->f->vars.len || vf->f->vars.items[v->id] != v)
        bad(vf, "variable of another function");
}

static IrType check_operand(const Verify *vf, Operand a)
{
    if (a.kind == OK_NONE)
        bad(vf, "missing operand");
    if (a.kind == OK_VAR || a.kind == OK_REF)
        check_var(vf, a.var);
    if (a.kind == OK_DIM)
        bad(vf, "a parameter's size used as an operand");
    return ir_operand_type(a);
}

static void check_scalar(const Verify *vf, Operand a)
{
    if ((a.kind == OK_VAR || a.kind == OK_REF) && a.var->ndims > 0)
        bad(vf, "array used as a scalar");
}

static IrType letter_type(char c)
{
    return c == 'I' ? IT_INT : c == 'B' ? IT_BOOL : IT_REAL;
}

/* Checks operand types against the signature; returns the result type. */
static IrType check_op(const Verify *vf, Opcode op, const Operand *args, int nargs)
{
    const OpInfo *info = &ir_ops[op];
    if (nargs != info->arity)
        bad(vf, "wrong number of operands");
    IrType any = IT_REAL, num = IT_REAL;
    bool seen_any = false, seen_num = false;
    for (int i = 0; i < nargs; i++) {
        check_scalar(vf, args[i]);
        IrType t = check_operand(vf, args[i]);
        char c = info->sig[i];
        if (c == 'A') {
            if (seen_any && t != any)
                bad(vf, "operands of different types");
            any = t;
            seen_any = true;
        } else if (c == 'N') {
            if (t == IT_BOOL || (seen_num && t != num))
                bad(vf, "comparison of different types");
            num = t;
            seen_num = true;
        } else if (t != letter_type(c)) {
            bad(vf, "operand of the wrong type");
        }
    }
    return info->result == 'A' ? any : letter_type(info->result);
}

static void check_element(const Verify *vf, const Instr *in)
{
    check_var(vf, in->arr);
    if (in->arr->ndims == 0)
        bad(vf, "scalar indexed");
    for (int i = 0; i < in->arr->ndims; i++)
        if (check_operand(vf, in->idx[i]) != IT_INT)
            bad(vf, "index is not an int");
}

static void check_writable(const Verify *vf, const IrVar *v)
{
    if (v->is_param && (v->ndims > 0 ? v->readonly : !v->by_ref))
        bad(vf, "write to an input parameter");
}

static void verify_block(Verify *vf, const IrBlock *b);

/* A row's indices: ints, at least one, fewer than its array has. */
static void check_row(Verify *vf, const IrRow *row)
{
    if (!row)
        return;
    if (row->nfix < 1 || row->nfix >= IR_MAX_DIMS)
        bad(vf, "a row with a bad number of indices");
    for (int k = 0; k < row->nfix; k++)
        if (check_operand(vf, row->fix[k]) != IT_INT)
            bad(vf, "a row index that is not an int");
}

static void verify_call(Verify *vf, const Instr *in)
{
    const IrFunc *g = in->callee;
    if (!g || in->ncargs != g->params.len)
        bad(vf, "call with the wrong number of arguments");
    if (in->dst && !g->returns)
        bad(vf, "call result of a function that returns nothing");
    for (int i = 0; i < in->ncargs; i++) {
        const IrVar *p = g->params.items[i];
        Operand a = in->cargs[i];
        IrType t = check_operand(vf, a);
        if (t != p->type)
            bad(vf, "argument of the wrong type");
        if (a.kind == OK_NULL) {
            if (!p->nullable || p->ndims == 0)
                bad(vf, "NULL for a parameter that needs an array");
            continue;
        }
        if (p->by_ref != (a.kind == OK_REF))
            bad(vf, "reference argument mismatch");
        const IrRow *row = ir_call_row(in, i);
        if (row && (p->ndims == 0 || a.kind != OK_VAR))
            bad(vf, "a row passed for a scalar");
        if (p->ndims > 0) {
            if (a.kind != OK_VAR || ir_row_ndims(a.var, row) != p->ndims)
                bad(vf, "array argument mismatch");
            check_row(vf, row);
            if (!p->readonly)
                check_writable(vf, a.var);
        } else {
            check_scalar(vf, a);
        }
    }
}

static void verify_instr(Verify *vf, const Instr *in)
{
    vf->in = in;
    if ((in->kind == I_IF || in->kind == I_FOR || in->kind == I_RESERVE) && in->nargs)
        bad(vf, "operands in a branch, loop or reserve, whose bounds share their memory");
    switch (in->kind) {
    case I_OP: {
        check_var(vf, in->dst);
        check_writable(vf, in->dst);
        if (in->dst->ndims > 0)
            bad(vf, "array as destination");
        IrType t = check_op(vf, in->op, in->args, in->nargs);
        if (t != in->dst->type)
            bad(vf, "result type differs from the destination");
        if (in->acc != ACC_SET && t != IT_REAL)
            bad(vf, "accumulation into a non-real");
        break;
    }
    case I_LOAD:
        check_var(vf, in->dst);
        check_element(vf, in);
        if (in->dst->type != in->arr->type || in->dst->ndims)
            bad(vf, "load type mismatch");
        break;
    case I_STORE:
        check_element(vf, in);
        check_writable(vf, in->arr);
        if (check_op(vf, in->op, in->args, in->nargs) != in->arr->type)
            bad(vf, "store type mismatch");
        break;
    case I_FILL:
        check_var(vf, in->arr);
        check_writable(vf, in->arr);
        if (in->arr->ndims == 0)
            bad(vf, "fill of a scalar");
        break;
    case I_IF:
        if (check_operand(vf, in->cond) != IT_BOOL || !in->then)
            bad(vf, "malformed if");
        verify_block(vf, in->then);
        if (in->els)
            verify_block(vf, in->els);
        break;
    case I_FOR:
        check_var(vf, in->ivar);
        if (in->ivar->type != IT_INT || check_operand(vf, in->lo) != IT_INT ||
            (in->hi.kind == OK_NONE ? !ir_exits_early(in) || in->down
                                    : check_operand(vf, in->hi) != IT_INT) || !in->body)
            bad(vf, "malformed for");
        if (ir_exits_early(in) && (check_operand(vf, in->cond) != IT_BOOL || in->down))
            bad(vf, "a loop's exit flag is not a bool, or the loop runs down");
        verify_block(vf, in->body);
        break;
    case I_CALL:
        if (in->dst)
            check_var(vf, in->dst);
        verify_call(vf, in);
        break;
    case I_RETURN:
        if (!vf->f->returns || in->nargs != 1 || check_operand(vf, in->args[0]) != IT_REAL)
            bad(vf, "malformed return");
        break;
    case I_PUSH:
        check_scalar(vf, in->args[0]);
        check_operand(vf, in->args[0]);
        break;
    case I_POP:
        check_var(vf, in->dst);
        if (in->dst->ndims)
            bad(vf, "pop into an array");
        break;
    case I_PUSHA:
    case I_POPA:
        check_var(vf, in->arr);
        if (ir_row_ndims(in->arr, in->row) < 1)
            bad(vf, "array save of a scalar");
        check_row(vf, in->row);
        if (in->kind == I_POPA)
            check_writable(vf, in->arr);
        break;
    case I_RESERVE:
        if (check_operand(vf, in->lo) != IT_INT || check_operand(vf, in->hi) != IT_INT)
            bad(vf, "malformed reserve");
        break;
    case I_ALLOC:
        break;
    case I_ACOPY:
        check_var(vf, in->arr);
        check_writable(vf, in->arr);
        if (in->args[0].kind != OK_VAR || in->args[0].var->ndims != in->arr->ndims)
            bad(vf, "malformed array copy");
        break;
    }
    vf->in = NULL;
}

static void verify_block(Verify *vf, const IrBlock *b)
{
    for (int i = 0; i < b->instrs.len; i++)
        verify_instr(vf, b->instrs.items[i]);
}

static void note_defs(const IrFunc *f, const IrBlock *b, bool *defined)
{
    for (int i = 0; i < b->instrs.len; i++) {
        const Instr *in = b->instrs.items[i];
        if (in->kind == I_ALLOC)                /* arrays exist from here on */
            for (int k = 0; k < f->vars.len; k++)
                if (((const IrVar *)f->vars.items[k])->ndims > 0)
                    defined[k] = true;
        if (in->dst)
            defined[in->dst->id] = true;
        if (in->arr)
            defined[in->arr->id] = true;
        if (in->ivar)
            defined[in->ivar->id] = true;
        for (int k = 0; k < in->ncargs; k++)     /* written through a pointer */
            if (in->cargs[k].kind == OK_REF)
                defined[in->cargs[k].var->id] = true;
        if (in->then)
            note_defs(f, in->then, defined);
        if (in->els)
            note_defs(f, in->els, defined);
        if (in->body)
            note_defs(f, in->body, defined);
    }
}

static void check_defined_operand(const Verify *vf, Operand a, const bool *defined)
{
    if ((a.kind == OK_VAR || a.kind == OK_REF) && !a.var->is_param && !defined[a.var->id] &&
        a.kind != OK_REF)
        bad(vf, "use of a variable that is never defined");
}

static void check_defined(Verify *vf, const IrBlock *b, const bool *defined)
{
    for (int i = 0; i < b->instrs.len; i++) {
        const Instr *in = b->instrs.items[i];
        vf->in = in;
        Operand *a;
        for (IrSlots s = ir_slots(in); (a = ir_slot_next(&s)) != NULL;)
            check_defined_operand(vf, *a, defined);
        if (in->kind == I_OP && in->acc != ACC_SET)
            check_defined_operand(vf, ir_v(in->dst), defined);
        vf->in = NULL;
        if (in->then)
            check_defined(vf, in->then, defined);
        if (in->els)
            check_defined(vf, in->els, defined);
        if (in->body)
            check_defined(vf, in->body, defined);
    }
}

void ir_verify(const IrFunc *f)
{
    Verify vf = {f, NULL};
    for (int i = 0; i < f->vars.len; i++) {
        const IrVar *v = f->vars.items[i];
        if (v->id != i)
            bad(&vf, "variable numbering is broken");
    }
    verify_block(&vf, f->body);
    bool *defined = calloc((size_t)f->vars.len + 1, sizeof *defined);
    if (!defined)
        die("out of memory in the verifier");
    note_defs(f, f->body, defined);
    for (int i = 0; i < f->vars.len; i++) {
        const IrVar *v = f->vars.items[i];
        defined[i] |= v->framed || v->field;   /* by the parts, from the frame */
    }
    check_defined(&vf, f->body, defined);
    free(defined);
}

void ir_verify_module(const IrModule *m)
{
    for (int i = 0; i < m->funcs.len; i++)
        ir_verify(m->funcs.items[i]);
}
