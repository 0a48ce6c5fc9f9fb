/* Local derivatives of the elementary operations, one rule per opcode (the
 * rule column of ops.def). A rule gives seed * d(result)/d(operand i) as a
 * final operation, emitting any intermediate values it needs; reverse mode
 * accumulates it into the operand's adjoint, forward mode sums it into the
 * result's tangent. */
#ifndef GRADC_DERIV_H
#define GRADC_DERIV_H

#include "ir.h"

typedef struct DerivCx {
    Cx *cx;
    IrFunc *f;                  /* where new temporaries are declared */
    IrBlock *blk;               /* where intermediate instructions go */
    Span at;
} DerivCx;

/* The contribution: op(args), negated if `negate`; or nothing (`none`)
 * where the derivative is zero by construction (x^0). */
typedef struct Contrib {
    bool none;
    bool negate;
    Opcode op;
    int nargs;
    Operand args[IR_MAX_ARGS];
} Contrib;

/* args: the operation's operands and res its result, as values of dc->f. */
Contrib deriv_contrib(DerivCx *dc, Opcode op, const Operand *args, Operand res, int i, Operand seed);

/* What the rule for operand i of op reads (the reads column of ops.def):
 * bit k for operand k, DERIV_READS_RESULT for the operation's result. */
enum { DERIV_READS_RESULT = 1u << IR_MAX_ARGS };
unsigned deriv_reads(Opcode op, int i);

/* Whether the rule for operand i of op reads the operation's result. */
bool deriv_uses_result(Opcode op, int i);

/* Whether operand i of op can carry a derivative at all. */
bool deriv_differentiable(Opcode op, int i);

#endif
