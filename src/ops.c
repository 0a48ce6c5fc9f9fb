/* The opcode table made from ops.def, built-in lookup, and what each
 * operation computes. */
#include <limits.h>
#include <math.h>
#include <string.h>

#include "gradc.h"
#include "ir.h"

#define S_(x) #x
const OpInfo ir_ops[OP_COUNT] = {
#define X(id, nm, res, sg, fm, cn, bi, rule, rd, cost, value) \
    [OP_##id] = {nm, S_(res)[0], sg, (int)sizeof(sg) - 1, fm, cn, bi, rd, cost},
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

/* x^k as the emitter writes it: products and quotients for a small
 * literal k, pow otherwise. */
static double ops_powi(double x, bool literal, int k)
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

#include "../runtime/kinks.c"
#include "../runtime/special.c"

int ir_as_int(double x)
{
    return x >= INT_MIN && x <= INT_MAX ? (int)x : 0;
}

bool ir_fold_int(Opcode op, long long a, long long b, int *out)
{
    long long r;
    switch (op) {
    case OP_IADD: r = a + b; break;
    case OP_ISUB: r = a - b; break;
    case OP_IMUL: r = a * b; break;
    case OP_INEG: r = -a; break;
    case OP_IDIV: if (b == 0) return false; r = a / b; break;
    case OP_IMOD: if (b == 0 || (a == INT_MIN && b == -1)) return false; r = a % b; break;
    default: return false;
    }
    if (r < INT_MIN || r > INT_MAX)
        return false;
    *out = (int)r;
    return true;
}

/* The value column of the int operations: ir_fold_int's, 0 where the C
 * operation is undefined (ir_op_value must not be). */
static int int_value(Opcode op, int a, int b)
{
    int r;
    return ir_fold_int(op, a, b, &r) ? r : 0;
}

double ir_op_value(Opcode op, const double *v, bool literal_exponent)
{
    double x = v[0], y = v[1], d = v[2];
    int i = ir_as_int(x), j = ir_as_int(y);
    bool lit = literal_exponent;
    (void)d, (void)i, (void)j, (void)lit;
    switch (op) {
#define X(id, nm, res, sg, fm, cn, bi, rule, rd, cost, value) \
    case OP_##id: return (value);
#include "ops.def"
#undef X
    case OP_COUNT:
        break;
    }
    return NAN;
}
