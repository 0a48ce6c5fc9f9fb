/* IR construction, the opcode table, the text printer and the verifier. */
#include "ir.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gradc.h"

#define S_(x) #x
const OpInfo ir_ops[OP_COUNT] = {
#define X(id, nm, res, sg, fm, cn, bi, rule) \
    [OP_##id] = {nm, S_(res)[0], sg, (int)sizeof(sg) - 1, fm, cn, bi},
#include "ops.def"
#undef X
};
#undef S_

int ir_builtin(const char *name)
{
    for (int i = 0; i < OP_COUNT; i++)
        if (ir_ops[i].builtin && strcmp(ir_ops[i].builtin, name) == 0)
            return i;
    return -1;
}

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
    Instr *in = ARENA_NEW(cx->arena, Instr);
    in->kind = kind;
    in->span = at;
    return in;
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

/* ---- values ------------------------------------------------------------ */

/* x^k as the emitter writes it: products and quotients for a small
 * literal k, pow otherwise. */
static double powi(double x, bool literal, int k)
{
    if (literal) {
        switch (k) {
        case 0: return 1.0;
        case 1: return x;
        case 2: return x * x;
        case 3: return x * x * x;
        case -1: return 1.0 / x;
        case -2: return 1.0 / (x * x);
        default: break;
        }
    }
    return pow(x, (double)k);
}

double ir_real_op(Opcode op, const double *v, bool literal_exponent)
{
    double x = v[0], y = v[1], d = v[2];
    int k = (int)y;                     /* the int exponent of powi, dpowi */
    switch (op) {
    case OP_COPY: return x;
    case OP_ADD: return x + y;
    case OP_SUB: return x - y;
    case OP_MUL: return x * y;
    case OP_DIV: return x / y;
    case OP_NEG: return -x;
    case OP_POW: return pow(x, y);
    case OP_POWI: return powi(x, literal_exponent, k);
    case OP_SQRT: return sqrt(x);
    case OP_CBRT: return cbrt(x);
    case OP_EXP: return exp(x);
    case OP_EXPM1: return expm1(x);
    case OP_LOG: return log(x);
    case OP_LOG1P: return log1p(x);
    case OP_LOG2: return log2(x);
    case OP_LOG10: return log10(x);
    case OP_SIN: return sin(x);
    case OP_COS: return cos(x);
    case OP_TAN: return tan(x);
    case OP_ASIN: return asin(x);
    case OP_ACOS: return acos(x);
    case OP_ATAN: return atan(x);
    case OP_SINH: return sinh(x);
    case OP_COSH: return cosh(x);
    case OP_TANH: return tanh(x);
    case OP_ASINH: return asinh(x);
    case OP_ACOSH: return acosh(x);
    case OP_ATANH: return atanh(x);
    case OP_ERF: return erf(x);
    case OP_ABS: return fabs(x);
    case OP_ATAN2: return atan2(x, y);
    case OP_HYPOT: return hypot(x, y);
    case OP_MIN: return fmin(x, y);
    case OP_MAX: return fmax(x, y);
    /* the kink helpers: seed (last operand) times the local derivative */
    case OP_DABS: return x > 0 ? y : x < 0 ? -y : 0.0;
    case OP_DMIN: return x < y || y != y ? d : x == y ? 0.5 * d : 0.0;
    case OP_DMAX: return x > y || y != y ? d : x == y ? 0.5 * d : 0.0;
    case OP_DPOWX: return y == 0 ? 0.0 : d * y * pow(x, y - 1);
    case OP_DPOWY: return x == 0 ? 0.0 : d * y * log(x);       /* y is x^b */
    case OP_DHYPOT: return y == 0 ? 0.0 : d * (x / y);          /* y is hypot */
    case OP_DPOWI: return k == 0 ? 0.0 : d * k * pow(x, (double)(k - 1));
    case OP_DOM: return x != x ? x : y;                         /* outside the domain: NaN */
    default: return NAN;                /* not a real operation */
    }
}

/* ---- printer ----------------------------------------------------------- */

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
    }
}

static void print_args(Buf *o, const Operand *args, int n)
{
    for (int i = 0; i < n; i++) {
        buf_puts(o, i ? ", " : " ");
        print_operand(o, args[i]);
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

static void print_instr(Buf *o, const Instr *in, int level)
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
        print_operand(o, in->hi);
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
        print_args(o, in->cargs, in->ncargs);
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
        break;
    case I_POPA:
        buf_puts(o, "popa ");
        print_var(o, in->arr);
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
        print_instr(o, b->instrs.items[i], level);
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
        [ROLE_JVP] = "jvp", [ROLE_HVP] = "hvp", [ROLE_FWD] = "fwd",
    };
    buf_printf(o, "func %s(", f->name);
    for (int i = 0; i < f->params.len; i++) {
        if (i)
            buf_puts(o, ", ");
        print_param(o, f->params.items[i]);
    }
    buf_printf(o, ") -> %s  ; %s%s\n{\n", f->returns ? "real" : "void", role[f->role],
               f->exported ? ", exported" : "");
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

/* ---- verifier ---------------------------------------------------------- */

typedef struct Verify {
    const IrFunc *f;
    const Instr *in;
} Verify;

static _Noreturn void bad(const Verify *vf, const char *what)
{
    Buf b;
    buf_init(&b);
    if (vf->in)
        print_instr(&b, vf->in, 0);
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
        if (p->ndims > 0) {
            if (a.kind != OK_VAR || a.var->ndims != p->ndims)
                bad(vf, "array argument mismatch");
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
            check_operand(vf, in->hi) != IT_INT || !in->body)
            bad(vf, "malformed for");
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
        if (!in->arr->ndims)
            bad(vf, "array save of a scalar");
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
        for (int k = 0; k < in->nargs; k++)
            check_defined_operand(vf, in->args[k], defined);
        for (int k = 0; k < IR_MAX_DIMS; k++)
            check_defined_operand(vf, in->idx[k], defined);
        check_defined_operand(vf, in->cond, defined);
        check_defined_operand(vf, in->lo, defined);
        check_defined_operand(vf, in->hi, defined);
        for (int k = 0; k < in->ncargs; k++)
            check_defined_operand(vf, in->cargs[k], defined);
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
    check_defined(&vf, f->body, defined);
    free(defined);
}

void ir_verify_module(const IrModule *m)
{
    for (int i = 0; i < m->funcs.len; i++)
        ir_verify(m->funcs.items[i]);
}
