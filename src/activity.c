/* Activity analysis, shared by the AD modes: which variables depend on a
 * differentiated input (varied) and which influence an output (useful).
 * Flags are per variable; arrays count as a whole. Loops carry values
 * around, so each analysis repeats to a fixed point. */
#include "activity.h"

#include "deriv.h"

static bool any_varied(const bool *varied, const Operand *args, int n)
{
    for (int i = 0; i < n; i++)
        if ((args[i].kind == OK_VAR || args[i].kind == OK_REF) && args[i].var->type == IT_REAL &&
            varied[args[i].var->id])
            return true;
    return false;
}

/* An operation's result varies with the operands that have a derivative:
 * floor(x), sign(x) (derivative 0 everywhere) are constants to AD, and so
 * is the kink operand of an adjoint helper. */
static bool op_varied(const bool *varied, const Instr *in)
{
    for (int i = 0; i < in->nargs; i++)
        if (deriv_differentiable(in->op, i) && any_varied(varied, &in->args[i], 1))
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

static bool varied_block(bool *varied, const IrBlock *b)
{
    bool changed = false;
    for (int i = 0; i < b->instrs.len; i++) {
        const Instr *in = b->instrs.items[i];
        switch (in->kind) {
        case I_OP:
            if (op_varied(varied, in))
                changed |= set_flag(varied, in->dst);
            break;
        case I_LOAD:
            if (varied[in->arr->id])
                changed |= set_flag(varied, in->dst);
            break;
        case I_STORE:
            if (op_varied(varied, in))
                changed |= set_flag(varied, in->arr);
            break;
        case I_IF:
            changed |= varied_block(varied, in->then);
            if (in->els)
                changed |= varied_block(varied, in->els);
            break;
        case I_FOR:
            changed |= varied_block(varied, in->body);
            break;
        case I_ACOPY:
            if (any_varied(varied, in->args, 1))
                changed |= set_flag(varied, in->arr);
            break;
        case I_CALL:
            if (any_varied(varied, in->cargs, in->ncargs)) {
                changed |= set_flag(varied, in->dst);
                for (int k = 0; k < in->ncargs; k++)
                    if (ir_call_writes(in, k))
                        changed |= set_flag(varied, in->cargs[k].var);
            }
            break;
        default:
            break;
        }
    }
    return changed;
}

static bool mark_useful(bool *useful, const Operand *args, int n)
{
    bool changed = false;
    for (int i = 0; i < n; i++)
        if (args[i].kind == OK_VAR)
            changed |= set_flag(useful, args[i].var);
    return changed;
}

static bool useful_block(bool *useful, const IrBlock *b)
{
    bool changed = false;
    for (int i = b->instrs.len - 1; i >= 0; i--) {
        const Instr *in = b->instrs.items[i];
        switch (in->kind) {
        case I_OP:
            if (useful[in->dst->id])
                changed |= mark_useful(useful, in->args, in->nargs);
            break;
        case I_LOAD:
            if (useful[in->dst->id])
                changed |= set_flag(useful, in->arr);
            break;
        case I_STORE:
            if (useful[in->arr->id])
                changed |= mark_useful(useful, in->args, in->nargs);
            break;
        case I_IF:
            changed |= useful_block(useful, in->then);
            if (in->els)
                changed |= useful_block(useful, in->els);
            break;
        case I_FOR:
            changed |= useful_block(useful, in->body);
            break;
        case I_ACOPY:
            if (useful[in->arr->id])
                changed |= mark_useful(useful, in->args, 1);
            break;
        case I_CALL: {
            bool out_useful = in->dst && useful[in->dst->id];
            for (int k = 0; k < in->ncargs; k++)
                if (ir_call_writes(in, k) && useful[in->cargs[k].var->id])
                    out_useful = true;
            if (out_useful)
                for (int k = 0; k < in->ncargs; k++)
                    if (!ir_call_writes(in, k))
                        changed |= mark_useful(useful, &in->cargs[k], 1);
            break;
        }
        case I_RETURN:
            changed |= mark_useful(useful, in->args, in->nargs);
            break;
        default:
            break;
        }
    }
    return changed;
}

void activity_varied(const IrFunc *f, bool *varied)
{
    while (varied_block(varied, f->body))
        ;
}

void activity_useful(const IrFunc *f, bool *useful)
{
    while (useful_block(useful, f->body))
        ;
}
