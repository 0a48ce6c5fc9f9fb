/* An evaluator of the IR, for --emit=dot with a point: it runs a function
 * (the primal, or its gradient) and keeps the last value each variable
 * took, so that the graph can show every node's value and adjoint. It
 * follows the C that emit_c.c writes: same operations, same helpers. */
#include "interp.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gradc.h"

typedef struct Run {
    const IrFunc *f;
    double *val;                /* by var id: scalar value (ints and bools too) */
    bool *set;                  /* by var id: written at least once */
    double **mem;               /* by var id: array storage */
    bool *owned;
    double *tape;
    size_t ntape, captape;
    bool returned;
    double ret;
} Run;

static double run_call(Interp *it, const IrFunc *f, const double *scalars, double **arrays);

static double get(const Run *r, Operand a);

static int int_of(void *data, const IrVar *v)
{
    return ir_as_int(get(data, ir_v((IrVar *)v)));
}

static double get(const Run *r, Operand a)
{
    switch (a.kind) {
    case OK_DIM:
        return ir_size_value(a, int_of, (void *)r);
    case OK_VAR:
        return a.var->by_ref ? (r->mem[a.var->id] ? r->mem[a.var->id][0] : 0) : r->val[a.var->id];
    case OK_REAL:
        return a.real;
    case OK_INT:
    case OK_BOOL:
        return a.ival;
    default:
        return 0;
    }
}

/* One operation, as the generated C computes it. */
static double op_value(const Run *r, Opcode op, const Operand *a, int n)
{
    double v[IR_MAX_ARGS] = {0};
    for (int k = 0; k < n; k++)
        v[k] = get(r, a[k]);
    double x = v[0], y = v[1], d = v[2];
    /* ints are held as doubles; in long long, int operations cannot
     * overflow here (where the generated C would, the value is wrong, not
     * undefined), and a real operand is never converted */
    long long i = 0, j = 0;
    if (op >= OP_IADD && op <= OP_INEG) {
        i = ir_as_int(x);
        j = ir_as_int(y);
    }
    switch (op) {
    case OP_ITOR: return x;
    case OP_SELECT: return x != 0 ? y : d;
    case OP_LT: return x < y;
    case OP_LE: return x <= y;
    case OP_GT: return x > y;
    case OP_GE: return x >= y;
    case OP_EQ: return x == y;
    case OP_NE: return x != y;
    case OP_AND: return x != 0 && y != 0;
    case OP_OR: return x != 0 || y != 0;
    case OP_NOT: return x == 0;
    case OP_IADD: return (double)(i + j);
    case OP_ISUB: return (double)(i - j);
    case OP_IMUL: return (double)(i * j);
    case OP_IDIV: return j ? (double)(i / j) : 0;
    case OP_IMOD: return j ? (double)(i % j) : 0;
    case OP_INEG: return (double)-i;
    default: return ir_op_value(op, v, n > 1 && a[1].kind == OK_INT);
    }
}

static void write(Run *r, const IrVar *v, AccMode acc, double x)
{
    double *to = v->by_ref ? r->mem[v->id] : &r->val[v->id];
    r->set[v->id] = true;
    if (!to)
        return;                         /* a NULL output */
    *to = acc == ACC_SET ? x : acc == ACC_ADD ? *to + x : *to - x;
}

static int size_of(const Run *r, const IrVar *v)
{
    int n = 1;
    for (int k = 0; k < v->ndims; k++)
        n *= (int)get(r, v->dims[k]);
    return n > 0 ? n : 0;
}

static double *element(Run *r, const Instr *in)
{
    double *a = r->mem[in->arr->id];
    if (!a)
        return NULL;
    int at = 0;
    for (int k = 0; k < in->arr->ndims; k++) {
        int n = (int)get(r, in->arr->dims[k]), i = (int)get(r, in->idx[k]);
        if (i < 0 || i >= n)
            return NULL;                /* out of bounds: the C would be undefined */
        at = at * n + i;
    }
    return &a[at];
}

/* The start of a row of arr (NULL: arr has no memory, or an index is out
 * of bounds) and, in *count, its number of elements. */
static double *row_of(Run *r, const IrVar *arr, const IrRow *row, int *count)
{
    double *a = r->mem[arr->id];
    int at = 0, nfix = row ? row->nfix : 0;
    *count = 1;
    for (int k = 0; k < arr->ndims; k++) {
        int n = (int)get(r, arr->dims[k]);
        if (k >= nfix) {
            *count *= n > 0 ? n : 0;
            at *= n;
            continue;
        }
        int i = (int)get(r, row->fix[k]);
        if (i < 0 || i >= n)
            return NULL;
        at = at * n + i;
    }
    return a ? &a[at] : NULL;
}

static void push(Run *r, double x)
{
    if (r->ntape == r->captape) {
        r->captape = r->captape ? 2 * r->captape : 64;
        r->tape = xrealloc(r->tape, sizeof *r->tape * r->captape);
    }
    r->tape[r->ntape++] = x;
}

static double pop(Run *r)
{
    return r->ntape ? r->tape[--r->ntape] : 0;
}

static void alloc_arrays(Run *r)
{
    for (int i = 0; i < r->f->vars.len; i++) {
        const IrVar *v = r->f->vars.items[i];
        if (v->ndims == 0 || v->is_param || r->mem[i])
            continue;
        if (v->alias && r->mem[v->alias->id]) {
            r->mem[i] = r->mem[v->alias->id];
            continue;
        }
        r->mem[i] = xmalloc(sizeof(double) * (size_t)(size_of(r, v) + 1));
        memset(r->mem[i], 0, sizeof(double) * (size_t)(size_of(r, v) + 1));
        r->owned[i] = true;
    }
}

static void run_block(Interp *it, Run *r, const IrBlock *b);

static void run_instr(Interp *it, Run *r, const Instr *in)
{
    double *e;
    switch (in->kind) {
    case I_OP:
        write(r, in->dst, in->acc, op_value(r, in->op, in->args, in->nargs));
        break;
    case I_LOAD:
        e = element(r, in);
        write(r, in->dst, ACC_SET, e ? *e : NAN);
        break;
    case I_STORE:
        if ((e = element(r, in))) {
            double x = op_value(r, in->op, in->args, in->nargs);
            *e = in->acc == ACC_SET ? x : in->acc == ACC_ADD ? *e + x : *e - x;
        }
        break;
    case I_FILL:
        if (r->mem[in->arr->id])
            memset(r->mem[in->arr->id], 0, sizeof(double) * (size_t)size_of(r, in->arr));
        break;
    case I_ACOPY: {
        double *to = r->mem[in->arr->id], *from = r->mem[in->args[0].var->id];
        for (int k = 0; to && k < size_of(r, in->arr); k++)
            to[k] = from ? from[k] : 0;
        break;
    }
    case I_IF:
        if (get(r, in->cond) != 0)
            run_block(it, r, in->then);
        else if (in->els)
            run_block(it, r, in->els);
        break;
    case I_FOR: {
        /* a while loop has no bound: it runs until it sets its exit flag */
        int lo = (int)get(r, in->lo), hi = in->hi.kind == OK_NONE ? INT_MAX : (int)get(r, in->hi);
        for (int i = in->down ? hi - 1 : lo; in->down ? i >= lo : i < hi; i += in->down ? -1 : 1) {
            r->val[in->ivar->id] = i;
            run_block(it, r, in->body);
            if (ir_exits_early(in) && get(r, in->cond) != 0)
                break;
        }
        break;
    }
    case I_CALL: {
        const IrFunc *g = in->callee;
        double *scalars = xmalloc(sizeof(double) * (size_t)(g->params.len + 1));
        double **arrays = xmalloc(sizeof(double *) * (size_t)(g->params.len + 1));
        for (int k = 0; k < g->params.len; k++) {
            Operand a = in->cargs[k];
            const IrVar *p = g->params.items[k];
            scalars[k] = p->ndims || p->by_ref ? 0 : get(r, a);
            arrays[k] = NULL;
            if (a.kind == OK_REF)
                arrays[k] = a.var->by_ref ? r->mem[a.var->id] : &r->val[a.var->id];
            else if (p->ndims && a.kind == OK_VAR) {
                int n;
                arrays[k] = row_of(r, a.var, ir_call_row(in, k), &n);
            }
        }
        double v = run_call(it, g, scalars, arrays);
        if (in->dst)
            write(r, in->dst, ACC_SET, v);
        free(scalars);
        free(arrays);
        break;
    }
    case I_RETURN:
        r->ret = get(r, in->args[0]);
        r->returned = true;
        break;
    case I_PUSH:
        push(r, get(r, in->args[0]));
        break;
    case I_POP:
        write(r, in->dst, ACC_SET, pop(r));
        break;
    case I_PUSHA: {
        int n;
        double *a = row_of(r, in->arr, in->row, &n);
        for (int k = 0; a && k < n; k++)
            push(r, a[k]);
        break;
    }
    case I_POPA: {
        int n;
        double *a = row_of(r, in->arr, in->row, &n);
        for (int k = n - 1; a && k >= 0; k--)
            a[k] = pop(r);
        break;
    }
    case I_ALLOC:
        alloc_arrays(r);
        break;
    case I_RESERVE:
        break;
    }
}

static void run_block(Interp *it, Run *r, const IrBlock *b)
{
    for (int i = 0; i < b->instrs.len && !r->returned; i++)
        run_instr(it, r, b->instrs.items[i]);
}

static double run_call(Interp *it, const IrFunc *f, const double *scalars, double **arrays)
{
    Run r = {0};
    r.f = f;
    int n = f->vars.len + 1;
    r.val = xmalloc(sizeof(double) * (size_t)n);
    r.mem = xmalloc(sizeof(double *) * (size_t)n);
    r.owned = xmalloc(sizeof(bool) * (size_t)n);
    r.set = xmalloc(sizeof(bool) * (size_t)n);
    for (int i = 0; i < n; i++) {
        r.val[i] = 0;
        r.mem[i] = NULL;
        r.owned[i] = false;
        r.set[i] = false;
    }
    for (int k = 0; k < f->params.len; k++) {
        const IrVar *p = f->params.items[k];
        r.val[p->id] = scalars[k];
        r.mem[p->id] = arrays[k];
        r.set[p->id] = true;
    }
    alloc_arrays(&r);
    run_block(it, &r, f->body);
    if (f == it->watch) {
        for (int i = 0; i < f->vars.len; i++) {
            it->last[i] = r.val[i];
            it->set[i] = r.set[i];
        }
    }
    for (int i = 0; i < n; i++)
        if (r.owned[i])
            free(r.mem[i]);
    free(r.val);
    free(r.mem);
    free(r.owned);
    free(r.set);
    free(r.tape);
    return r.ret;
}

double interp_run(Interp *it, const IrFunc *f, const double *scalars, double **arrays)
{
    it->watch = f;
    it->last = xmalloc(sizeof(double) * (size_t)(f->vars.len + 1));
    it->set = xmalloc(sizeof(bool) * (size_t)(f->vars.len + 1));
    return run_call(it, f, scalars, arrays);
}

void interp_free(Interp *it)
{
    free(it->last);
    free(it->set);
    it->last = NULL;
    it->set = NULL;
}
