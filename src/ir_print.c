/* The IR's text form: what --emit=ir prints, and what the verifier shows
 * of an instruction it rejects. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gradc.h"
#include "ir.h"

static const char *const type_name[] = {[IT_REAL] = "real", [IT_INT] = "int", [IT_BOOL] = "bool"};
static const char *const acc_name[] = {[ACC_SET] = "=", [ACC_ADD] = "+=", [ACC_SUB] = "-="};

static void print_var(Buf *o, const IrVar *v)
{
    if (v->name)
        buf_printf(o, "%s.%d", v->name, v->id);
    else
        buf_printf(o, "%%%d", v->id);
}

void ir_fmt_real(char *out, size_t n, double x)
{
    if (isnan(x)) {
        snprintf(out, n, "nan");
        return;
    }
    if (isinf(x)) {
        snprintf(out, n, x < 0 ? "-inf" : "inf");
        return;
    }
    if (fabs(x) < 1e15 && x == (double)(long long)x && (x != 0 || !signbit(x))) {
        snprintf(out, n, "%lld.0", (long long)x);   /* the common case, at once */
        return;
    }
    /* the shortest form that reads back exactly; no exponent for
     * magnitudes a reader takes in at a glance */
    bool plain = fabs(x) >= 1e-4 && fabs(x) < 1e15;
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(out, n, "%.*g", prec, x);
        if (strtod(out, NULL) == x && (!plain || !strchr(out, 'e')))
            break;
    }
    if (!strpbrk(out, ".en"))
        strncat(out, ".0", n - strlen(out) - 1);
}

static void print_operand(Buf *o, Operand a)
{
    char num[40];
    switch (a.kind) {
    case OK_NONE:
        buf_puts(o, "_");
        break;
    case OK_VAR:
        print_var(o, a.var);
        break;
    case OK_REF:
        buf_putc(o, '&');
        print_var(o, a.var);
        break;
    case OK_REAL:
        ir_fmt_real(num, sizeof num, a.real);
        buf_puts(o, num);
        break;
    case OK_INT:
        buf_printf(o, "%d", a.ival);
        break;
    case OK_BOOL:
        buf_puts(o, a.ival ? "true" : "false");
        break;
    case OK_NULL:
        buf_puts(o, "null");
        break;
    case OK_DIM:
        buf_printf(o, "(%s ", ir_ops[a.dim->op].name);
        print_operand(o, a.dim->a);
        if (a.dim->op != OP_INEG) {
            buf_putc(o, ' ');
            print_operand(o, a.dim->b);
        }
        buf_putc(o, ')');
        break;
    }
}

static void print_args(Buf *o, const Operand *args, int n)
{
    for (int i = 0; i < n; i++) {
        buf_puts(o, i ? ", " : " ");
        print_operand(o, args[i]);
    }
}

/* A row: the indices it fixes, A[i] */
static void print_row(Buf *o, const IrRow *row)
{
    for (int i = 0; row && i < row->nfix; i++) {
        buf_putc(o, '[');
        print_operand(o, row->fix[i]);
        buf_putc(o, ']');
    }
}

static void print_element(Buf *o, const Instr *in)
{
    print_var(o, in->arr);
    for (int i = 0; i < in->arr->ndims; i++) {
        buf_putc(o, '[');
        print_operand(o, in->idx[i]);
        buf_putc(o, ']');
    }
}

static void print_block(Buf *o, const IrBlock *b, int level);

void ir_print_instr(Buf *o, const Instr *in, int level)
{
    buf_indent(o, level);
    switch (in->kind) {
    case I_OP:
        print_var(o, in->dst);
        buf_printf(o, " %s %s", acc_name[in->acc], ir_ops[in->op].name);
        print_args(o, in->args, in->nargs);
        break;
    case I_LOAD:
        print_var(o, in->dst);
        buf_puts(o, " = load ");
        print_element(o, in);
        break;
    case I_STORE:
        print_element(o, in);
        buf_printf(o, " %s %s", acc_name[in->acc], ir_ops[in->op].name);
        print_args(o, in->args, in->nargs);
        break;
    case I_FILL:
        buf_puts(o, "fill ");
        print_var(o, in->arr);
        buf_puts(o, ", 0.0");
        break;
    case I_IF:
        buf_puts(o, "if ");
        print_operand(o, in->cond);
        buf_puts(o, " {\n");
        print_block(o, in->then, level + 1);
        if (in->els) {
            buf_indent(o, level);
            buf_puts(o, "} else {\n");
            print_block(o, in->els, level + 1);
        }
        buf_indent(o, level);
        buf_putc(o, '}');
        break;
    case I_FOR:
        buf_puts(o, "for ");
        print_var(o, in->ivar);
        buf_puts(o, " in ");
        print_operand(o, in->lo);
        buf_puts(o, in->down ? " ..< " : " .. ");
        print_operand(o, in->hi);               /* _ for no bound */
        if (ir_exits_early(in)) {
            buf_puts(o, " until ");
            print_operand(o, in->cond);
        }
        buf_puts(o, in->down ? " reversed {\n" : " {\n");
        print_block(o, in->body, level + 1);
        buf_indent(o, level);
        buf_putc(o, '}');
        break;
    case I_CALL:
        if (in->dst) {
            print_var(o, in->dst);
            buf_puts(o, " = ");
        }
        buf_printf(o, "call %s", in->callee->name);
        for (int i = 0; i < in->ncargs; i++) {
            buf_puts(o, i ? ", " : " ");
            print_operand(o, in->cargs[i]);
            print_row(o, ir_call_row(in, i));
        }
        break;
    case I_RETURN:
        buf_puts(o, "ret");
        print_args(o, in->args, in->nargs);
        break;
    case I_PUSH:
        buf_puts(o, "push");
        print_args(o, in->args, in->nargs);
        break;
    case I_POP:
        print_var(o, in->dst);
        buf_puts(o, " = pop");
        break;
    case I_PUSHA:
        buf_puts(o, "pusha ");
        print_var(o, in->arr);
        print_row(o, in->row);
        break;
    case I_POPA:
        buf_puts(o, "popa ");
        print_var(o, in->arr);
        print_row(o, in->row);
        break;
    case I_RESERVE:
        buf_printf(o, "reserve %d per iteration of ", in->per);
        print_operand(o, in->lo);
        buf_puts(o, " .. ");
        print_operand(o, in->hi);
        break;
    case I_ALLOC:
        buf_puts(o, "alloc");
        break;
    case I_ACOPY:
        buf_puts(o, "acopy ");
        print_var(o, in->arr);
        buf_puts(o, ", ");
        print_operand(o, in->args[0]);
        break;
    }
    if (in->span.line > 0 && in->kind != I_IF && in->kind != I_FOR)
        buf_printf(o, "    ; %d:%d", in->span.line, in->span.col);
    buf_putc(o, '\n');
}

static void print_block(Buf *o, const IrBlock *b, int level)
{
    for (int i = 0; i < b->instrs.len; i++)
        ir_print_instr(o, b->instrs.items[i], level);
}

static void print_param(Buf *o, const IrVar *v)
{
    if (v->readonly)
        buf_puts(o, "const ");
    buf_puts(o, type_name[v->type]);
    if (v->by_ref)
        buf_putc(o, '&');
    buf_putc(o, ' ');
    print_var(o, v);
    for (int i = 0; i < v->ndims; i++) {
        buf_putc(o, '[');
        print_operand(o, v->dims[i]);
        buf_putc(o, ']');
    }
}

void ir_print_func(Buf *o, const IrFunc *f)
{
    static const char *const role[] = {
        [ROLE_PRIMAL] = "primal", [ROLE_GRAD] = "grad", [ROLE_VJP] = "vjp", [ROLE_REV] = "rev",
        [ROLE_JVP] = "jvp", [ROLE_HVP] = "hvp", [ROLE_FWD] = "fwd", [ROLE_PART] = "part",
        [ROLE_JAC] = "jac", [ROLE_HESS] = "hess", [ROLE_MASK] = "mask", [ROLE_PATTERN] = "pattern",
        [ROLE_JAC_NNZ] = "jac_nnz", [ROLE_JAC_SPARSE] = "jac_sparse", [ROLE_HESS_NNZ] = "hess_nnz",
        [ROLE_HESS_SPARSE] = "hess_sparse",
    };
    buf_printf(o, "func %s(", f->name);
    for (int i = 0; i < f->params.len; i++) {
        if (i)
            buf_puts(o, ", ");
        print_param(o, f->params.items[i]);
    }
    buf_printf(o, ") -> %s  ; %s%s\n{\n", f->returns ? "real" : "void", role[f->role],
               f->internal ? ", internal" : f->exported ? ", exported" : "");
    /* the emitter writes their loops over directions (dense.c) */
    if (f->role == ROLE_JAC)
        buf_printf(o, "    ; a sweep of %s per %s, or of %s per output\n", f->sweep[0]->name,
                   f->sweep[2] ? "8 inputs" : "input", f->sweep[1]->name);
    if (f->role == ROLE_HESS)
        buf_printf(o, "    ; a sweep of %s per input (%s alone when H is NULL)\n", f->sweep[0]->name,
                   f->sweep[1]->name);
    if (f->role == ROLE_PATTERN)
        buf_printf(o, "    ; %s: a mask sweep of %s per 64 inputs\n", f->primal->returns ? "H" : "J",
                   f->sweep[0] ? f->sweep[0]->name : "(none: every entry)");
    if (f->role >= ROLE_JAC_NNZ)
        buf_printf(o, "    ; the pattern from %s%s%s\n", f->sweep[0]->name,
                   f->sweep[1] ? ", the values from a sweep of " : "", f->sweep[1] ? f->sweep[1]->name : "");
    for (int i = 0; i < f->vars.len; i++) {
        const IrVar *v = f->vars.items[i];
        if (v->ndims > 0 && !v->is_param) {
            buf_puts(o, "    local ");
            print_param(o, v);
            buf_putc(o, '\n');
        }
    }
    print_block(o, f->body, 1);
    buf_puts(o, "}\n");
}

void ir_print_module(Buf *o, const IrModule *m)
{
    for (int i = 0; i < m->funcs.len; i++) {
        if (i)
            buf_putc(o, '\n');
        ir_print_func(o, m->funcs.items[i]);
    }
}

