/* The derivative rules. Each is a few lines: the chain rule's local factor
 * for one operation, written so that an adjoint that is exactly zero stays
 * zero (no 0 * inf from a helper), and at kinks as LANGUAGE.md section 5
 * fixes it. */
#include "deriv.h"

#include <limits.h>
#include <string.h>

#include "gradc.h"

typedef Contrib (*Rule)(DerivCx *dc, const Operand *a, Operand res, int i, Operand seed);

static const char *reads_entry(Opcode op, int i, int *len);

static const double LN2 = 0.69314718055994530942;
static const double LN10 = 2.30258509299404568402;
static const double TWO_OVER_SQRT_PI = 1.12837916709551257390;

/* An intermediate value: a fresh temporary = op(args). */
static Operand val(DerivCx *dc, Opcode op, int n, Operand a, Operand b, Operand c)
{
    char r = ir_ops[op].result;
    IrVar *t = ir_var(dc->cx, dc->f, NULL, r == 'B' ? IT_BOOL : r == 'I' ? IT_INT : IT_REAL);
    Instr *in = ir_instr(dc->cx, I_OP, dc->at);
    in->op = op;
    in->dst = t;
    in->nargs = n;
    in->args[0] = a;
    in->args[1] = b;
    in->args[2] = c;
    ir_append(dc->cx, dc->blk, in);
    return ir_v(t);
}

static Operand val1(DerivCx *dc, Opcode op, Operand a)
{
    return val(dc, op, 1, a, (Operand){0}, (Operand){0});
}

static Operand val2(DerivCx *dc, Opcode op, Operand a, Operand b)
{
    return val(dc, op, 2, a, b, (Operand){0});
}

static Contrib c1(Opcode op, Operand a)
{
    return (Contrib){.op = op, .nargs = 1, .args = {a}};
}

static Contrib c2(Opcode op, Operand a, Operand b)
{
    return (Contrib){.op = op, .nargs = 2, .args = {a, b}};
}

static Contrib c3(Opcode op, Operand a, Operand b, Operand c)
{
    return (Contrib){.op = op, .nargs = 3, .args = {a, b, c}};
}

static Contrib neg(Contrib c)
{
    c.negate = !c.negate;
    return c;
}

#define RULE(name) static Contrib rule_##name(DerivCx *dc, const Operand *a, Operand res, int i, Operand seed)
#define UNUSED (void)dc, (void)a, (void)res, (void)i, (void)seed

RULE(copy) { UNUSED; return c1(OP_COPY, seed); }
RULE(add) { UNUSED; return c1(OP_COPY, seed); }
RULE(sub) { UNUSED; return i == 0 ? c1(OP_COPY, seed) : neg(c1(OP_COPY, seed)); }
RULE(mul) { UNUSED; return c2(OP_MUL, seed, a[1 - i]); }
RULE(neg) { UNUSED; return neg(c1(OP_COPY, seed)); }

/* d(a/b)/da = 1/b; d(a/b)/db = -(a/b)/b */
RULE(div)
{
    UNUSED;
    if (i == 0)
        return c2(OP_DIV, seed, a[1]);
    return neg(c2(OP_DIV, val2(dc, OP_MUL, seed, res), a[1]));
}

/* pow(a, b): b*a^(b-1), and a^b*log(a) with 0 at a = 0 */
RULE(pow)
{
    UNUSED;
    if (i == 0)
        return c3(OP_DPOWX, a[0], a[1], seed);
    return c3(OP_DPOWY, a[0], res, seed);
}

/* a^k, k an int: k*a^(k-1), never a log */
RULE(powi)
{
    UNUSED;
    Operand k = a[1];
    if (k.kind != OK_INT || k.ival == INT_MIN)      /* k - 1 would overflow */
        return c3(OP_DPOWI, a[0], k, seed);
    if (k.ival == 0)
        return (Contrib){.none = true};
    if (k.ival == 1)
        return c1(OP_COPY, seed);
    Operand p = k.ival == 2 ? a[0] : val2(dc, OP_POWI, a[0], ir_int(k.ival - 1));
    return c2(OP_MUL, seed, val2(dc, OP_MUL, ir_real(k.ival), p));
}

/* 1/(2 sqrt(a)): +inf at 0, NaN when the seed is 0 there */
RULE(sqrt) { UNUSED; return c2(OP_DIV, seed, val2(dc, OP_MUL, ir_real(2), res)); }
RULE(cbrt) { UNUSED; return c2(OP_DIV, seed, val2(dc, OP_MUL, ir_real(3), val2(dc, OP_MUL, res, res))); }
RULE(exp) { UNUSED; return c2(OP_MUL, seed, res); }
RULE(expm1) { UNUSED; return c2(OP_MUL, seed, val2(dc, OP_ADD, res, ir_real(1))); }
/* Outside its domain a function is NaN, and so is its derivative (the
 * formula alone would give a number: 1/x at x = -1). */
static Contrib in_domain(Operand res, Operand v)
{
    return c2(OP_DOM, res, v);
}

RULE(log) { UNUSED; return in_domain(res, val2(dc, OP_DIV, seed, a[0])); }
RULE(log1p) { UNUSED; return in_domain(res, val2(dc, OP_DIV, seed, val2(dc, OP_ADD, a[0], ir_real(1)))); }
RULE(log2) { UNUSED; return in_domain(res, val2(dc, OP_DIV, seed, val2(dc, OP_MUL, a[0], ir_real(LN2)))); }
RULE(log10) { UNUSED; return in_domain(res, val2(dc, OP_DIV, seed, val2(dc, OP_MUL, a[0], ir_real(LN10)))); }
RULE(sin) { UNUSED; return c2(OP_MUL, seed, val1(dc, OP_COS, a[0])); }
RULE(cos) { UNUSED; return neg(c2(OP_MUL, seed, val1(dc, OP_SIN, a[0]))); }
RULE(tan) { UNUSED; return c2(OP_MUL, seed, val2(dc, OP_ADD, val2(dc, OP_MUL, res, res), ir_real(1))); }

/* 1 - a*a under a square root: asin, acos */
static Operand one_minus_sq(DerivCx *dc, Operand x)
{
    return val2(dc, OP_SUB, ir_real(1), val2(dc, OP_MUL, x, x));
}

RULE(asin) { UNUSED; return c2(OP_DIV, seed, val1(dc, OP_SQRT, one_minus_sq(dc, a[0]))); }
RULE(acos) { UNUSED; return neg(c2(OP_DIV, seed, val1(dc, OP_SQRT, one_minus_sq(dc, a[0])))); }
RULE(atan) { UNUSED; return c2(OP_DIV, seed, val2(dc, OP_ADD, val2(dc, OP_MUL, a[0], a[0]), ir_real(1))); }
RULE(sinh) { UNUSED; return c2(OP_MUL, seed, val1(dc, OP_COSH, a[0])); }
RULE(cosh) { UNUSED; return c2(OP_MUL, seed, val1(dc, OP_SINH, a[0])); }
RULE(tanh) { UNUSED; return c2(OP_MUL, seed, one_minus_sq(dc, res)); }
/* 1/sqrt(a^2 + 1) as 1/hypot(a, 1): no overflow for large a */
RULE(asinh) { UNUSED; return c2(OP_DIV, seed, val2(dc, OP_HYPOT, a[0], ir_real(1))); }
/* 1/sqrt((a - 1)(a + 1)) */
RULE(acosh)
{
    UNUSED;
    Operand p = val2(dc, OP_MUL, val2(dc, OP_SUB, a[0], ir_real(1)), val2(dc, OP_ADD, a[0], ir_real(1)));
    return in_domain(res, val2(dc, OP_DIV, seed, val1(dc, OP_SQRT, p)));
}
RULE(atanh) { UNUSED; return in_domain(res, val2(dc, OP_DIV, seed, one_minus_sq(dc, a[0]))); }
/* 2/sqrt(pi) exp(-a^2) */
RULE(erf)
{
    UNUSED;
    Operand e = val1(dc, OP_EXP, val1(dc, OP_NEG, val2(dc, OP_MUL, a[0], a[0])));
    return c2(OP_MUL, seed, val2(dc, OP_MUL, ir_real(TWO_OVER_SQRT_PI), e));
}
/* erfc = 1 - erf: -2/sqrt(pi) exp(-a^2) */
RULE(erfc) { return neg(rule_erf(dc, a, res, i, seed)); }
RULE(abs) { UNUSED; return c2(OP_DABS, a[0], seed); }
/* The polygamma functions, each the derivative of the one before; NaN at
 * the poles of lgamma (0, -1, -2, ...), as LANGUAGE.md section 5 says. */
RULE(lgamma) { UNUSED; return c2(OP_MUL, seed, val1(dc, OP_DIGAMMA, a[0])); }
RULE(digamma) { UNUSED; return c2(OP_MUL, seed, val1(dc, OP_TRIGAMMA, a[0])); }
RULE(trigamma) { UNUSED; return c2(OP_MUL, seed, val1(dc, OP_TETRAGAMMA, a[0])); }

/* atan2(y, x): (x dy - y dx) / (x^2 + y^2) */
RULE(atan2)
{
    UNUSED;
    Operand r2 = val2(dc, OP_ADD, val2(dc, OP_MUL, a[0], a[0]), val2(dc, OP_MUL, a[1], a[1]));
    Contrib c = c2(OP_MUL, seed, val2(dc, OP_DIV, a[1 - i], r2));
    return i == 0 ? c : neg(c);
}
RULE(hypot) { UNUSED; return c3(OP_DHYPOT, a[i], res, seed); }
RULE(min) { UNUSED; return c3(OP_DMIN, a[i], a[1 - i], seed); }
RULE(max) { UNUSED; return c3(OP_DMAX, a[i], a[1 - i], seed); }

/* c ? a : b: the seed goes to the operand that was chosen */
RULE(select)
{
    UNUSED;
    return i == 1 ? c3(OP_SELECT, a[0], seed, ir_real(0)) : c3(OP_SELECT, a[0], ir_real(0), seed);
}

/* The helpers are linear in their seed (the last operand). In the other
 * operands, abs, min and max's shares are piecewise constant (no
 * derivative); the power and hypot helpers are smooth where they are not
 * guarded, and their derivatives there (which forward mode over reverse
 * needs: second derivatives) are written with plain operations, guarded the
 * same way by a select, so that a guarded NaN cannot leak. */
static Contrib helper_seed(DerivCx *dc, Opcode op, const Operand *a, int n, Operand seed)
{
    (void)dc;
    Contrib c = {.op = op, .nargs = n};
    for (int k = 0; k < n - 1; k++)
        c.args[k] = a[k];
    c.args[n - 1] = seed;
    return c;
}

RULE(dabs) { UNUSED; return helper_seed(dc, OP_DABS, a, 2, seed); }
RULE(dmin) { UNUSED; return helper_seed(dc, OP_DMIN, a, 3, seed); }
RULE(dmax) { UNUSED; return helper_seed(dc, OP_DMAX, a, 3, seed); }
/* seed * v where the guard `is_zero` (x == 0) is false, else 0 */
static Contrib unless_zero(DerivCx *dc, Operand x, Operand v, Operand seed)
{
    Operand zero = val2(dc, OP_EQ, x, ir_real(0));
    return c3(OP_SELECT, zero, ir_real(0), val2(dc, OP_MUL, seed, v));
}

/* b == 0 ? 0 : d b a^(b-1):  d/da = d b (b-1) a^(b-2) (0 for b = 0, 1);
 * d/db = d a^(b-1) (1 + b log a), the log term 0 where a = 0, and 0 at
 * a = b = 0 */
RULE(dpowx)
{
    UNUSED;
    if (i == 2)
        return helper_seed(dc, OP_DPOWX, a, 3, seed);
    Operand b1 = val2(dc, OP_SUB, a[1], ir_real(1));
    if (i == 0) {
        Operand p = val2(dc, OP_POW, a[0], val2(dc, OP_SUB, a[1], ir_real(2)));
        Operand bb1 = val2(dc, OP_MUL, a[1], b1);
        Operand v = val2(dc, OP_MUL, a[2], val2(dc, OP_MUL, bb1, p));
        return unless_zero(dc, bb1, v, seed);     /* b = 1: 0, not 0 * inf at a = 0 */
    }
    Operand a0 = val2(dc, OP_EQ, a[0], ir_real(0));
    Operand blog = val(dc, OP_SELECT, 3, a0, ir_real(0), val2(dc, OP_MUL, a[1], val1(dc, OP_LOG, a[0])));
    Operand v = val2(dc, OP_MUL, val2(dc, OP_MUL, a[2], val2(dc, OP_POW, a[0], b1)),
                     val2(dc, OP_ADD, blog, ir_real(1)));
    /* at b = 0 the value is 0 for every a, but its slope in b is d / a:
     * only a = b = 0 (a^-1 infinite) takes 0 */
    Operand both = val2(dc, OP_AND, val2(dc, OP_EQ, a[1], ir_real(0)), a0);
    return c3(OP_SELECT, both, ir_real(0), val2(dc, OP_MUL, seed, v));
}

/* a == 0 ? 0 : d t log a:  d/da = d t / a;  d/dt = d log a */
RULE(dpowy)
{
    UNUSED;
    if (i == 2)
        return helper_seed(dc, OP_DPOWY, a, 3, seed);
    Operand v = i == 0 ? val2(dc, OP_DIV, val2(dc, OP_MUL, a[2], a[1]), a[0])
                       : val2(dc, OP_MUL, a[2], val1(dc, OP_LOG, a[0]));
    return unless_zero(dc, a[0], v, seed);
}

/* t == 0 ? 0 : d a / t:  d/da = d / t;  d/dt = -d a / t^2 */
RULE(dhypot)
{
    UNUSED;
    if (i == 2)
        return helper_seed(dc, OP_DHYPOT, a, 3, seed);
    Operand v = i == 0 ? val2(dc, OP_DIV, a[2], a[1])
                       : val1(dc, OP_NEG, val2(dc, OP_DIV, val2(dc, OP_MUL, a[2], a[0]),
                                               val2(dc, OP_MUL, a[1], a[1])));
    return unless_zero(dc, a[1], v, seed);
}

/* k == 0 ? 0 : d k a^(k-1):  d/da = d k (k-1) a^(k-2) (0 for k = 0, 1) */
RULE(dpowi)
{
    UNUSED;
    if (i == 2)
        return helper_seed(dc, OP_DPOWI, a, 3, seed);
    Operand k = val1(dc, OP_ITOR, a[1]);
    /* a^(k-2) with k - 2 in double: never an int overflow */
    Operand p = val2(dc, OP_POW, a[0], val2(dc, OP_SUB, k, ir_real(2)));
    Operand kk1 = val2(dc, OP_MUL, k, val2(dc, OP_SUB, k, ir_real(1)));
    Operand v = val2(dc, OP_MUL, a[2], val2(dc, OP_MUL, kk1, p));
    return unless_zero(dc, kk1, v, seed);     /* k = 1: 0, not 0 * inf at a = 0 */
}
RULE(dom) { UNUSED; return helper_seed(dc, OP_DOM, a, 2, seed); }

#define rule_NODIFF NULL
static const Rule rules[OP_COUNT] = {
#define X(id, nm, res, sg, fm, cn, bi, rule, rd, cost, value) [OP_##id] = rule_##rule,
#include "ops.def"
#undef X
};

bool deriv_differentiable(Opcode op, int i)
{
    int len;
    const char *p = reads_entry(op, i, &len);
    return rules[op] && !(len == 1 && p[0] == 'x');
}

Contrib deriv_contrib(DerivCx *dc, Opcode op, const Operand *args, Operand res, int i, Operand seed)
{
    if (!deriv_differentiable(op, i))
        die("deriv: operand %d of '%s' has no derivative", i, ir_ops[op].name);
    return rules[op](dc, args, res, i, seed);
}

/* The entry of the reads column of ops.def for operand i. */
static const char *reads_entry(Opcode op, int i, int *len)
{
    const char *p = ir_ops[op].reads;
    for (int k = 0; k < i; k++) {
        p = strchr(p, '|');
        if (!p)
            die("ops.def: '%s' has no reads entry for operand %d", ir_ops[op].name, i);
        p++;
    }
    const char *end = strchr(p, '|');
    *len = end ? (int)(end - p) : (int)strlen(p);
    return p;
}

unsigned deriv_reads(Opcode op, int i)
{
    int len;
    const char *p = reads_entry(op, i, &len);
    unsigned mask = 0;
    for (int k = 0; k < len; k++) {
        if (p[k] >= '0' && p[k] < '0' + IR_MAX_ARGS)
            mask |= 1u << (p[k] - '0');
        else if (p[k] == 'r')
            mask |= DERIV_READS_RESULT;
    }
    return mask;
}

bool deriv_uses_result(Opcode op, int i)
{
    return (deriv_reads(op, i) & DERIV_READS_RESULT) != 0;
}
