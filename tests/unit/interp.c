/* The IR interpreter of the unit tests (see interp.h). It follows the C
 * that emit_c.c writes, instruction by instruction, but is written from
 * the IR's definition and LANGUAGE.md, not from the emitter's code. */
#include "interp.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct Slot {
    double r;
    int i;              /* ints and bools */
    double *p;          /* arrays, and scalars passed by reference */
    bool owned;         /* p was allocated here (a local array) */
} Slot;

typedef struct Frame {
    const IrFunc *f;
    Slot *s;
    bool returned;
    double ret;
    double *tape;               /* values saved by the forward sweep */
    size_t ntape, captape;
} Frame;

typedef struct Val {
    IrType t;
    double r;
    int i;
} Val;

static Val real_val(double r)
{
    return (Val){IT_REAL, r, 0};
}

static Val int_val(IrType t, int i)
{
    return (Val){t, 0, i};
}

static Slot *slot(Frame *fr, const IrVar *v)
{
    if (!v || v->id < 0 || v->id >= fr->f->vars.len || fr->f->vars.items[v->id] != v)
        fail_msg("interp: %s: a variable of another function", fr->f->name);
    return &fr->s[v->id];
}

static Val get(Frame *fr, Operand a)
{
    switch (a.kind) {
    case OK_REAL:
        return real_val(a.real);
    case OK_INT:
        return int_val(IT_INT, a.ival);
    case OK_BOOL:
        return int_val(IT_BOOL, a.ival != 0);
    case OK_VAR: {
        const IrVar *v = a.var;
        Slot *s = slot(fr, v);
        if (v->ndims > 0)
            fail_msg("interp: %s: array '%s' read as a scalar", fr->f->name, v->name);
        if (v->by_ref) {
            if (!s->p)
                fail_msg("interp: %s: read through a NULL reference", fr->f->name);
            return real_val(*s->p);
        }
        return v->type == IT_REAL ? real_val(s->r) : int_val(v->type, s->i);
    }
    default:
        break;
    }
    fail_msg("interp: %s: unexpected operand kind %d", fr->f->name, a.kind);
    return real_val(0);
}

static double *address(Frame *fr, Operand a)
{
    if (a.kind != OK_REF && !(a.kind == OK_VAR && a.var->ndims > 0))
        fail_msg("interp: %s: not an address", fr->f->name);
    Slot *s = slot(fr, a.var);
    if (a.var->ndims > 0 || a.var->by_ref)
        return s->p;
    return &s->r;
}

static int int_op(const Frame *fr, Opcode op, int a, int b)
{
    switch (op) {
    case OP_IADD: return a + b;
    case OP_ISUB: return a - b;
    case OP_IMUL: return a * b;
    case OP_INEG: return -a;
    case OP_IDIV:
    case OP_IMOD:
        if (b == 0)
            fail_msg("interp: %s: int division by zero", fr->f->name);
        return op == OP_IDIV ? a / b : a % b;
    default:
        fail_msg("interp: not an int op");
        return 0;
    }
}

static bool compare(Opcode op, Val a, Val b)
{
    double x = a.t == IT_REAL ? a.r : a.i, y = b.t == IT_REAL ? b.r : b.i;
    switch (op) {
    case OP_LT: return x < y;
    case OP_LE: return x <= y;
    case OP_GT: return x > y;
    case OP_GE: return x >= y;
    case OP_EQ: return x == y;
    default: return x != y;
    }
}

/* ---- what each real operation computes ----------------------------------
 * The interpreter's own table, written from LANGUAGE.md and the C library
 * rather than taken from the compiler (ops.def's value column, ir.c), so
 * that the oracle does not share the compiler's mistakes. Ints (powi's
 * exponent, itor's operand) arrive as doubles. */

static double r_add(double x, double y) { return x + y; }
static double r_sub(double x, double y) { return x - y; }
static double r_mul(double x, double y) { return x * y; }
static double r_div(double x, double y) { return x / y; }
static double r_neg(double x) { return -x; }
static double r_itor(double i) { return i; }
static double r_powi(double x, double k) { return pow(x, k); }

/* The adjoint helpers of LANGUAGE.md section 5: seed d times the local
 * derivative, with the values fixed at kinks. */

/* d|x|/dx: the sign of x, and 0 at x = 0 */
static double k_dabs(double x, double d)
{
    if (x == 0 || isnan(x))
        return 0;
    return x > 0 ? d : -d;
}

/* fmin(a, b): what a receives of d. fmin ignores a NaN operand, so a NaN b
 * leaves it all to a; at a == b each gets half. */
static double k_dmin(double a, double b, double d)
{
    if (isnan(b))
        return d;
    if (isnan(a) || a > b)
        return 0;
    return a == b ? d / 2 : d;
}

static double k_dmax(double a, double b, double d)
{
    return k_dmin(-a, -b, d);
}

/* d/dx x^y = y x^(y-1); x^0 is the constant 1, whose derivative is 0
 * even where x^(y-1) is infinite */
static double k_dpowx(double x, double y, double d)
{
    if (y == 0)
        return 0;
    return d * y * pow(x, y - 1);
}

/* d/dy x^y = x^y log x, given t = x^y; 0 at x = 0 (section 5) */
static double k_dpowy(double x, double t, double d)
{
    if (x == 0)
        return 0;
    return d * t * log(x);
}

/* d/dx hypot(x, y) = x / hypot(x, y), given t = hypot(x, y); 0 at the origin */
static double k_dhypot(double x, double t, double d)
{
    if (t == 0)
        return 0;
    return d * (x / t);
}

/* d/dx x^k = k x^(k-1) for an int k, no log term (section 5); 0 for k = 0 */
static double k_dpowi(double x, double k, double d)
{
    if (k == 0)
        return 0;
    return d * k * pow(x, k - 1);
}

/* outside a function's domain its value is NaN, and so is the derivative */
static double k_dom(double value, double d)
{
    return isnan(value) ? NAN : d;
}

/* The polygamma functions psi^(n), n = 0 (digamma), 1, 2, the oracle's
 * own way: in long double, the recurrence psi^(n)(x) = psi^(n)(x + 1) -
 * (-1)^n n! / x^(n+1) up to y >= 40 from any x (no reflection formula; the
 * tests use moderate arguments), then the general asymptotic series
 * (Abramowitz and Stegun 6.4.11). NaN at the poles 0, -1, -2, ... */
static double polygamma(int n, double x0)
{
    static const long double bern[] = {1.0L / 6, -1.0L / 30, 1.0L / 42, -1.0L / 30,
                                       5.0L / 66, -691.0L / 2730, 7.0L / 6};
    if (isnan(x0) || (x0 <= 0 && x0 == floor(x0)))
        return NAN;
    if (isinf(x0))
        return n == 0 ? INFINITY : 0;
    long double x = x0, acc = 0, nfact = n == 2 ? 2 : 1, sign = n % 2 ? -1 : 1;
    for (; x < 40; x += 1)
        acc -= sign * nfact / powl(x, n + 1);
    long double s;
    if (n == 0) {
        s = logl(x) - 0.5L / x;
        for (int k = 1; k <= 7; k++)
            s -= bern[k - 1] / (2 * k * powl(x, 2 * k));
    } else {
        /* (n-1)!/x^n + n!/(2 x^(n+1)) + sum B_2k (2k+n-1)!/((2k)! x^(2k+n)) */
        long double fact_n1 = 1, t = fact_n1 / powl(x, n) + nfact / (2 * powl(x, n + 1));
        for (int k = 1; k <= 7; k++) {
            long double ratio = 1;                  /* (2k+n-1)! / (2k)! */
            for (int j = 2 * k + 1; j <= 2 * k + n - 1; j++)
                ratio *= j;
            t += bern[k - 1] * ratio / powl(x, 2 * k + n);
        }
        s = n % 2 ? t : -t;
    }
    return (double)(s + acc);
}

static double r_digamma(double x) { return polygamma(0, x); }
static double r_trigamma(double x) { return polygamma(1, x); }
static double r_tetragamma(double x) { return polygamma(2, x); }

/* sign: -1, 0 or 1; a zero keeps its sign, NaN stays NaN (README) */
static double r_sign(double x)
{
    if (isnan(x) || x == 0)
        return x;
    return x > 0 ? 1 : -1;
}

/* One entry per real operation, by arity. */
typedef struct RealOp {
    double (*f1)(double);
    double (*f2)(double, double);
    double (*f3)(double, double, double);
} RealOp;

static const RealOp real_ops[OP_COUNT] = {
    [OP_ADD] = {.f2 = r_add},       [OP_SUB] = {.f2 = r_sub},
    [OP_MUL] = {.f2 = r_mul},       [OP_DIV] = {.f2 = r_div},
    [OP_NEG] = {.f1 = r_neg},       [OP_ITOR] = {.f1 = r_itor},
    [OP_POW] = {.f2 = pow},         [OP_POWI] = {.f2 = r_powi},
    [OP_SQRT] = {.f1 = sqrt},       [OP_CBRT] = {.f1 = cbrt},
    [OP_EXP] = {.f1 = exp},         [OP_EXPM1] = {.f1 = expm1},
    [OP_LOG] = {.f1 = log},         [OP_LOG1P] = {.f1 = log1p},
    [OP_LOG2] = {.f1 = log2},       [OP_LOG10] = {.f1 = log10},
    [OP_SIN] = {.f1 = sin},         [OP_COS] = {.f1 = cos},
    [OP_TAN] = {.f1 = tan},         [OP_ASIN] = {.f1 = asin},
    [OP_ACOS] = {.f1 = acos},       [OP_ATAN] = {.f1 = atan},
    [OP_SINH] = {.f1 = sinh},       [OP_COSH] = {.f1 = cosh},
    [OP_TANH] = {.f1 = tanh},       [OP_ASINH] = {.f1 = asinh},
    [OP_ACOSH] = {.f1 = acosh},     [OP_ATANH] = {.f1 = atanh},
    [OP_ERF] = {.f1 = erf},         [OP_ABS] = {.f1 = fabs},
    [OP_ERFC] = {.f1 = erfc},       [OP_LGAMMA] = {.f1 = lgamma},
    [OP_DIGAMMA] = {.f1 = r_digamma}, [OP_TRIGAMMA] = {.f1 = r_trigamma},
    [OP_TETRAGAMMA] = {.f1 = r_tetragamma},
    [OP_FLOOR] = {.f1 = floor},     [OP_CEIL] = {.f1 = ceil},
    [OP_SIGN] = {.f1 = r_sign},
    [OP_ATAN2] = {.f2 = atan2},     [OP_HYPOT] = {.f2 = hypot},
    [OP_MIN] = {.f2 = fmin},        [OP_MAX] = {.f2 = fmax},
    [OP_DABS] = {.f2 = k_dabs},     [OP_DMIN] = {.f3 = k_dmin},
    [OP_DMAX] = {.f3 = k_dmax},     [OP_DPOWX] = {.f3 = k_dpowx},
    [OP_DPOWY] = {.f3 = k_dpowy},   [OP_DHYPOT] = {.f3 = k_dhypot},
    [OP_DPOWI] = {.f3 = k_dpowi},   [OP_DOM] = {.f2 = k_dom},
};

/* x^k with a literal k as the generated C spells it (x * x, 1.0 / x, ...):
 * it rounds as those products do, not as pow. */
static double powi_literal(double x, int k)
{
    switch (k) {
    case 0: return 1.0;
    case 1: return x;
    case 2: return x * x;
    case 3: return x * x * x;
    case -1: return 1.0 / x;
    case -2: return 1.0 / (x * x);
    default: return pow(x, k);
    }
}

bool interp_real_op(Opcode op, const double *v, bool literal_exponent, double *out)
{
    if ((unsigned)op >= OP_COUNT)
        return false;
    const RealOp *r = &real_ops[op];
    int arity = ir_ops[op].arity;
    if (op == OP_POWI && literal_exponent)
        *out = powi_literal(v[0], (int)v[1]);
    else if (arity == 1 && r->f1)
        *out = r->f1(v[0]);
    else if (arity == 2 && r->f2)
        *out = r->f2(v[0], v[1]);
    else if (arity == 3 && r->f3)
        *out = r->f3(v[0], v[1], v[2]);
    else
        return false;
    return true;
}

static Val eval_op(Frame *fr, Opcode op, const Operand *args, int nargs)
{
    if (nargs != ir_ops[op].arity)
        fail_msg("interp: %s: '%s' with %d operands", fr->f->name, ir_ops[op].name, nargs);
    Val v[IR_MAX_ARGS] = {{0}};
    for (int k = 0; k < nargs; k++)
        v[k] = get(fr, args[k]);
    switch (op) {
    case OP_COPY: return v[0];
    case OP_SELECT: return v[0].i ? v[1] : v[2];
    case OP_LT: case OP_LE: case OP_GT: case OP_GE: case OP_EQ: case OP_NE:
        return int_val(IT_BOOL, compare(op, v[0], v[1]));
    case OP_AND: return int_val(IT_BOOL, v[0].i && v[1].i);
    case OP_OR: return int_val(IT_BOOL, v[0].i || v[1].i);
    case OP_NOT: return int_val(IT_BOOL, !v[0].i);
    case OP_IADD: case OP_ISUB: case OP_IMUL: case OP_IDIV: case OP_IMOD: case OP_INEG:
        return int_val(IT_INT, int_op(fr, op, v[0].i, v[1].i));
    case OP_COUNT: break;
    default: {
        /* the real operations, from the table above; an int operand
           (itor's, powi's exponent) as its value */
        double x[IR_MAX_ARGS], r;
        for (int k = 0; k < nargs; k++)
            x[k] = v[k].t == IT_REAL ? v[k].r : v[k].i;
        if (!interp_real_op(op, x, nargs > 1 && args[1].kind == OK_INT, &r))
            fail_msg("interp: '%s' has no entry in the real operations of tests/unit/interp.c",
                     ir_ops[op].name);
        return real_val(r);
    }
    }
    fail_msg("interp: unknown opcode %d", op);
    return real_val(0);
}

static void accumulate(double *to, AccMode acc, double x)
{
    *to = acc == ACC_SET ? x : acc == ACC_ADD ? *to + x : *to - x;
}

static void write_scalar(Frame *fr, const IrVar *v, AccMode acc, Val x)
{
    Slot *s = slot(fr, v);
    if (v->ndims > 0)
        fail_msg("interp: %s: array as a destination", fr->f->name);
    if (v->by_ref) {
        if (s->p)                               /* NULL: a skipped output */
            accumulate(s->p, acc, x.r);
        else if (!v->nullable)
            fail_msg("interp: %s: write through a NULL reference", fr->f->name);
        return;
    }
    if (v->type == IT_REAL)
        accumulate(&s->r, acc, x.r);
    else if (acc == ACC_SET)
        s->i = x.i;
    else
        fail_msg("interp: %s: accumulation into an int", fr->f->name);
}

/* A size expression (n + 1), evaluated here with C's int arithmetic. */
static Val size_val(Frame *fr, Operand d)
{
    if (d.kind != OK_DIM)
        return get(fr, d);
    Val a = size_val(fr, d.dim->a);
    Val b = d.dim->op == OP_INEG ? int_val(IT_INT, 0) : size_val(fr, d.dim->b);
    if (a.t != IT_INT || b.t != IT_INT)
        fail_msg("interp: %s: a size that is not an int", fr->f->name);
    switch (d.dim->op) {
    case OP_IADD: return int_val(IT_INT, a.i + b.i);
    case OP_ISUB: return int_val(IT_INT, a.i - b.i);
    case OP_IMUL: return int_val(IT_INT, a.i * b.i);
    case OP_INEG: return int_val(IT_INT, -a.i);
    case OP_IDIV:
    case OP_IMOD:
        if (b.i == 0)
            fail_msg("interp: %s: a size divides by zero", fr->f->name);
        return int_val(IT_INT, d.dim->op == OP_IDIV ? a.i / b.i : a.i % b.i);
    default:
        fail_msg("interp: %s: a size with operation '%s'", fr->f->name, ir_ops[d.dim->op].name);
    }
    return int_val(IT_INT, 0);
}

static int dim(Frame *fr, const IrVar *arr, int k)
{
    Val n = size_val(fr, arr->dims[k]);
    if (n.t != IT_INT || n.i < 0)
        fail_msg("interp: %s: bad size of '%s'", fr->f->name, arr->name);
    return n.i;
}

static int size_of(Frame *fr, const IrVar *arr)
{
    int n = 1;
    for (int k = 0; k < arr->ndims; k++)
        n *= dim(fr, arr, k);
    return n;
}

static double *element(Frame *fr, const Instr *in)
{
    const IrVar *arr = in->arr;
    Slot *s = slot(fr, arr);
    if (!s->p)
        fail_msg("interp: %s: array '%s' used before it exists", fr->f->name, arr->name);
    int at = 0;
    for (int k = 0; k < arr->ndims; k++) {
        Val ix = get(fr, in->idx[k]);
        int n = dim(fr, arr, k);
        if (ix.t != IT_INT || ix.i < 0 || ix.i >= n)
            fail_msg("interp: %s: index %d outside '%s' (size %d)", fr->f->name, ix.i, arr->name, n);
        at = at * n + ix.i;
    }
    return &s->p[at];
}

/* The first element of a row of arr (row NULL: of arr), and in *count its
 * number of elements; an index outside the array fails. */
static double *row_start(Frame *fr, const IrVar *arr, const IrRow *row, int *count)
{
    Slot *s = slot(fr, arr);
    if (!s->p)
        fail_msg("interp: %s: array '%s' used before it exists", fr->f->name, arr->name);
    int at = 0, nfix = row ? row->nfix : 0;
    *count = 1;
    for (int k = 0; k < arr->ndims; k++) {
        int n = dim(fr, arr, k);
        if (k >= nfix) {
            at *= n;
            *count *= n;
            continue;
        }
        Val ix = get(fr, row->fix[k]);
        if (ix.t != IT_INT || ix.i < 0 || ix.i >= n)
            fail_msg("interp: %s: row %d outside '%s' (size %d)", fr->f->name, ix.i, arr->name, n);
        at = at * n + ix.i;
    }
    return &s->p[at];
}

static void run_block(Frame *fr, const IrBlock *b);

static void tape_push(Frame *fr, Val v)
{
    if (fr->ntape == fr->captape) {
        fr->captape = fr->captape ? fr->captape * 2 : 64;
        fr->tape = realloc(fr->tape, sizeof *fr->tape * fr->captape);
        if (!fr->tape)
            fail_msg("interp: out of memory");
    }
    fr->tape[fr->ntape++] = v.t == IT_REAL ? v.r : v.i;
}

/* Every local array gets zeroed memory; an adjoint array lives in its
 * gradient parameter when that is not NULL. */
static void run_alloc(Frame *fr)
{
    for (int i = 0; i < fr->f->vars.len; i++) {
        const IrVar *v = fr->f->vars.items[i];
        if (v->ndims == 0 || v->is_param)
            continue;
        Slot *s = slot(fr, v);
        if (v->alias && slot(fr, v->alias)->p) {
            s->p = slot(fr, v->alias)->p;
            continue;
        }
        s->p = calloc((size_t)size_of(fr, v) + 1, sizeof *s->p);
        s->owned = true;
    }
}

static void run_call(Frame *fr, const Instr *in)
{
    const IrFunc *g = in->callee;
    if (!g || in->ncargs != g->params.len)
        fail_msg("interp: %s: call with the wrong arguments", fr->f->name);
    IVal *args = calloc((size_t)in->ncargs + 1, sizeof *args);
    for (int k = 0; k < in->ncargs; k++) {
        const IrVar *p = g->params.items[k];
        if (in->cargs[k].kind == OK_NULL) {
            args[k].p = NULL;
        } else if (ir_call_row(in, k)) {
            int n;
            args[k].p = row_start(fr, in->cargs[k].var, ir_call_row(in, k), &n);
        } else if (p->ndims > 0 || p->by_ref) {
            args[k].p = address(fr, in->cargs[k]);
        } else {
            Val v = get(fr, in->cargs[k]);
            args[k].r = v.r;
            args[k].i = v.i;
        }
    }
    double r = interp_call(g, args);
    free(args);
    if (in->dst)
        write_scalar(fr, in->dst, ACC_SET, real_val(r));
}

/* A loop with an exit flag (cond: a while loop, a for with break) is left
 * after an iteration that sets it; a while loop has no bound (hi). */
static void run_for(Frame *fr, const Instr *in)
{
    Val lo = get(fr, in->lo);
    int hi = in->hi.kind == OK_NONE ? INT_MAX : get(fr, in->hi).i;
    Slot *iv = slot(fr, in->ivar);
    if (in->down) {
        for (int i = hi - 1; i >= lo.i && !fr->returned; i--) {
            iv->i = i;
            run_block(fr, in->body);
        }
    } else {
        for (int i = lo.i; i < hi && !fr->returned; i++) {
            iv->i = i;
            run_block(fr, in->body);
            if (in->cond.kind != OK_NONE && get(fr, in->cond).i)
                break;
        }
    }
}

static void run_instr(Frame *fr, const Instr *in)
{
    switch (in->kind) {
    case I_OP:
        write_scalar(fr, in->dst, in->acc, eval_op(fr, in->op, in->args, in->nargs));
        break;
    case I_LOAD: {
        double x = *element(fr, in);
        write_scalar(fr, in->dst, ACC_SET, real_val(x));
        break;
    }
    case I_STORE: {
        Val x = eval_op(fr, in->op, in->args, in->nargs);
        accumulate(element(fr, in), in->acc, x.r);
        break;
    }
    case I_FILL: {
        Slot *s = slot(fr, in->arr);
        int n = size_of(fr, in->arr);
        if (!s->p)
            fail_msg("interp: %s: fill of '%s' before its memory", fr->f->name, in->arr->name);
        memset(s->p, 0, sizeof *s->p * (size_t)n);
        break;
    }
    case I_IF: {
        Val c = get(fr, in->cond);
        if (c.t != IT_BOOL)
            fail_msg("interp: %s: the condition of an if is not a bool", fr->f->name);
        if (c.i)
            run_block(fr, in->then);
        else if (in->els)
            run_block(fr, in->els);
        break;
    }
    case I_FOR:
        run_for(fr, in);
        break;
    case I_CALL:
        run_call(fr, in);
        break;
    case I_RETURN:
        fr->ret = get(fr, in->args[0]).r;
        fr->returned = true;
        break;
    case I_ALLOC:
        run_alloc(fr);
        break;
    case I_ACOPY: {
        double *to = slot(fr, in->arr)->p, *from = slot(fr, in->args[0].var)->p;
        int n = size_of(fr, in->arr);
        for (int k = 0; k < n; k++)
            to[k] = from ? from[k] : 0.0;
        break;
    }
    case I_PUSH:
        tape_push(fr, get(fr, in->args[0]));
        break;
    case I_POP: {
        if (fr->ntape == 0)
            fail_msg("interp: %s: pop from an empty tape", fr->f->name);
        double x = fr->tape[--fr->ntape];
        write_scalar(fr, in->dst, ACC_SET, in->dst->type == IT_REAL ? real_val(x)
                                                                    : int_val(in->dst->type, (int)x));
        break;
    }
    case I_PUSHA: {
        int n;
        double *a = row_start(fr, in->arr, in->row, &n);
        for (int k = 0; k < n; k++)
            tape_push(fr, real_val(a[k]));
        break;
    }
    case I_POPA: {
        int n;
        double *a = row_start(fr, in->arr, in->row, &n);
        if (fr->ntape < (size_t)n)
            fail_msg("interp: %s: array pop from a short tape", fr->f->name);
        fr->ntape -= (size_t)n;
        memcpy(a, fr->tape + fr->ntape, sizeof *a * (size_t)n);
        break;
    }
    case I_RESERVE:
        break;
    default:
        /* an instruction kind newer than this interpreter: say so, and
         * skip the test rather than blame gradc */
        fprintf(stderr, "interp: %s: instruction kind %d is not supported by tests/unit/interp.c "
                "yet; skipping\n", fr->f->name, in->kind);
        skip();
    }
}

static void run_block(Frame *fr, const IrBlock *b)
{
    for (int i = 0; i < b->instrs.len && !fr->returned; i++)
        run_instr(fr, b->instrs.items[i]);
}

double interp_call(const IrFunc *f, const IVal *args)
{
    Frame fr = {f, calloc((size_t)f->vars.len + 1, sizeof(Slot)), false, NAN, NULL, 0, 0};
    for (int k = 0; k < f->params.len; k++) {
        const IrVar *p = f->params.items[k];
        Slot *s = &fr.s[p->id];
        if (p->ndims > 0 || p->by_ref)
            s->p = args[k].p;
        else if (p->type == IT_REAL)
            s->r = args[k].r;
        else
            s->i = args[k].i;
    }
    run_block(&fr, f->body);
    if (f->returns && !fr.returned)
        fail_msg("interp: %s returned no value", f->name);
    for (int i = 0; i < f->vars.len; i++)
        if (fr.s[i].owned)
            free(fr.s[i].p);
    free(fr.s);
    free(fr.tape);
    return fr.ret;
}

enum { MAX_SCALARS = 16 };

double interp_scalar(const IrFunc *f, const double *x)
{
    IVal args[MAX_SCALARS] = {{0}};
    if (f->params.len > MAX_SCALARS)
        fail_msg("interp_scalar: too many parameters");
    for (int k = 0; k < f->params.len; k++)
        args[k].r = x[k];
    return interp_call(f, args);
}

double interp_grad(Cx *cx, const char *name, const double *x, double *g)
{
    const IrFunc *p = unit_func(cx, name);
    char gname[300];
    snprintf(gname, sizeof gname, "%s_grad", name);
    const IrFunc *f = unit_func(cx, gname);
    if (!p || !f)
        fail_msg("interp_grad: no '%s' or '%s'", name, gname);
    int n = p->params.len;
    if (f->params.len != 2 * n || 2 * n > MAX_SCALARS)
        fail_msg("interp_grad: '%s' has %d parameters, expected %d", gname, f->params.len, 2 * n);
    IVal args[MAX_SCALARS] = {{0}};
    for (int k = 0; k < n; k++) {
        args[k].r = x[k];
        g[k] = NAN;                     /* f_grad must overwrite every output */
        args[n + k].p = &g[k];
    }
    return interp_call(f, args);
}

double interp_fd(const IrFunc *f, const double *x, int i, double h)
{
    double xp[MAX_SCALARS], xm[MAX_SCALARS];
    memcpy(xp, x, sizeof *x * (size_t)f->params.len);
    memcpy(xm, x, sizeof *x * (size_t)f->params.len);
    xp[i] += h;
    xm[i] -= h;
    return (interp_scalar(f, xp) - interp_scalar(f, xm)) / (2 * h);
}
