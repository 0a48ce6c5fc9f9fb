/* The table of operations (ops.def): its reads column says what each
 * derivative rule reads, and is checked here against the rules themselves,
 * run on scratch operands; its value column against libm and the
 * conventions of LANGUAGE.md section 5; every built-in has a row. */
#include "unit.h"

#include <limits.h>
#include <math.h>
#include <string.h>

#include "deriv.h"
#include "gradc.h"

static bool names(Operand a, const IrVar *v)
{
    return (a.kind == OK_VAR || a.kind == OK_REF) && a.var == v;
}

/* What the rule for operand i of op really reads: bit k for operand k,
 * DERIV_READS_RESULT for the result. */
static unsigned rule_reads(Opcode op, int i)
{
    Arena *a = arena_new();
    Cx cx = {0};
    cx.arena = a;
    IrFunc *f = ir_func(&cx, "scratch", ROLE_PRIMAL);
    Operand args[IR_MAX_ARGS] = {{0}};
    for (int k = 0; k < ir_ops[op].arity; k++) {
        char t = ir_ops[op].sig[k];
        args[k] = ir_v(ir_var(&cx, f, NULL, t == 'I' ? IT_INT : t == 'B' ? IT_BOOL : IT_REAL));
    }
    IrVar *res = ir_var(&cx, f, NULL, IT_REAL), *seed = ir_var(&cx, f, NULL, IT_REAL);
    DerivCx dc = {&cx, f, ir_block(&cx), (Span){0}};
    Contrib c = deriv_contrib(&dc, op, args, ir_v(res), i, ir_v(seed));
    unsigned mask = 0;
    for (int k = 0; k < ir_ops[op].arity; k++) {
        bool read = false;
        for (int j = 0; j < c.nargs; j++)
            read |= names(c.args[j], args[k].var);
        for (int n = 0; n < dc.blk->instrs.len; n++) {
            const Instr *in = dc.blk->instrs.items[n];
            for (int j = 0; j < in->nargs; j++)
                read |= names(in->args[j], args[k].var);
        }
        mask |= read ? 1u << k : 0;
    }
    bool r = false;
    for (int j = 0; j < c.nargs; j++)
        r |= names(c.args[j], res);
    for (int n = 0; n < dc.blk->instrs.len; n++) {
        const Instr *in = dc.blk->instrs.items[n];
        for (int j = 0; j < in->nargs; j++)
            r |= names(in->args[j], res);
    }
    arena_free(a);
    return mask | (r ? DERIV_READS_RESULT : 0);
}

static void reads_column_matches_the_rules(void **state)
{
    (void)state;
    for (int op = 0; op < OP_COUNT; op++) {
        for (int i = 0; i < ir_ops[op].arity; i++) {
            if (!deriv_differentiable((Opcode)op, i))
                continue;
            unsigned want = rule_reads((Opcode)op, i), have = deriv_reads((Opcode)op, i);
            if (want != have)
                fail_msg("ops.def: operand %d of '%s' reads %#x by its rule, %#x by the table", i,
                         ir_ops[op].name, want, have);
        }
    }
}

static void only_real_operands_are_differentiable(void **state)
{
    (void)state;
    for (int op = 0; op < OP_COUNT; op++)
        for (int i = 0; i < ir_ops[op].arity; i++)
            if (deriv_differentiable((Opcode)op, i)) {
                char t = ir_ops[op].sig[i];
                if (t != 'R' && t != 'A')
                    fail_msg("'%s': operand %d of type %c has a derivative", ir_ops[op].name, i, t);
            }
}

static double value(Opcode op, double x, double y, double d)
{
    double v[3] = {x, y, d};
    return ir_op_value(op, v, false);
}

static void value_column(void **state)
{
    (void)state;
    assert_close(value(OP_ADD, 1.5, 2.25, 0), 3.75, 0, 0);
    assert_close(value(OP_DIV, 1, 3, 0), 1.0 / 3, 0, 0);
    assert_close(value(OP_LOG1P, 1e-10, 0, 0), log1p(1e-10), 0, 0);
    assert_close(value(OP_ATAN2, -1, -2, 0), atan2(-1, -2), 0, 0);
    assert_close(value(OP_MIN, 2, NAN, 0), 2, 0, 0);
    assert_close(value(OP_IDIV, -7, 2, 0), -3, 0, 0);
    assert_close(value(OP_IMOD, -7, 2, 0), -1, 0, 0);
    assert_close(value(OP_SELECT, 0, 1, 2), 2, 0, 0);
    double lit[3] = {1.5, 3, 0};
    assert_close(ir_op_value(OP_POWI, lit, true), 1.5 * 1.5 * 1.5, 0, 0);
    /* the kink conventions of LANGUAGE.md section 5 */
    assert_close(value(OP_DABS, 0, 7, 0), 0, 0, 0);
    assert_close(value(OP_DABS, -2, 7, 0), -7, 0, 0);
    assert_close(value(OP_DMIN, 3, 3, 8), 4, 0, 0);
    assert_close(value(OP_DMAX, 3, 2, 8), 8, 0, 0);
    assert_close(value(OP_DPOWY, 0, 5, 1), 0, 0, 0);
    assert_close(value(OP_DHYPOT, 0, 0, 1), 0, 0, 0);
    assert_close(value(OP_DPOWI, 2, 0, 1), 0, 0, 0);
    assert_true(isnan(value(OP_DOM, NAN, 1, 0)));
    assert_close(value(OP_DOM, 0.5, 1, 0), 1, 0, 0);
}

/* Int operations on constants fold only where C defines them; the value
 * column gives 0 there, without undefined behaviour in gradc itself (the
 * fuzzer found 2147483647 * 3 computed in int by the value column). */
static void int_folding_is_defined(void **state)
{
    (void)state;
    int r = 7;
    assert_true(ir_fold_int(OP_IMUL, 46340, 46340, &r));
    assert_int_equal(r, 46340 * 46340);
    assert_true(ir_fold_int(OP_IDIV, -7, 2, &r));
    assert_int_equal(r, -3);
    assert_true(ir_fold_int(OP_IMOD, -7, 2, &r));
    assert_int_equal(r, -1);
    assert_true(ir_fold_int(OP_ISUB, INT_MIN + 1, 1, &r));
    assert_int_equal(r, INT_MIN);
    r = 7;
    assert_false(ir_fold_int(OP_IMUL, INT_MAX, 3, &r));
    assert_false(ir_fold_int(OP_IADD, INT_MAX, 1, &r));
    assert_false(ir_fold_int(OP_ISUB, INT_MIN, 1, &r));
    assert_false(ir_fold_int(OP_INEG, INT_MIN, 0, &r));
    assert_false(ir_fold_int(OP_IDIV, INT_MIN, -1, &r));
    assert_false(ir_fold_int(OP_IMOD, INT_MIN, -1, &r));
    assert_false(ir_fold_int(OP_IDIV, 5, 0, &r));
    assert_false(ir_fold_int(OP_IMOD, 5, 0, &r));
    assert_false(ir_fold_int(OP_ADD, 1, 2, &r));
    assert_int_equal(r, 7);                     /* untouched when false */
    assert_close(value(OP_IMUL, INT_MAX, 3, 0), 0, 0, 0);
    assert_close(value(OP_INEG, INT_MIN, 0, 0), 0, 0, 0);
    assert_close(value(OP_IDIV, INT_MIN, -1, 0), 0, 0, 0);
    assert_close(value(OP_IADD, INT_MAX - 1, 1, 0), INT_MAX, 0, 0);
    /* a size of constants folds where it can, and stays an expression
     * where it cannot */
    Cx *cx = cx_new("t.fn", "", 0);
    Operand folded = ir_dim(cx, OP_IMUL, ir_int(6), ir_int(7));
    assert_int_equal(folded.kind, OK_INT);
    assert_int_equal(folded.ival, 42);
    Operand kept = ir_dim(cx, OP_IMUL, ir_int(INT_MAX), ir_int(3));
    assert_int_equal(kept.kind, OK_DIM);
    cx_free(cx);
}

static void every_builtin_has_a_row(void **state)
{
    (void)state;
    static const char *const builtins[] = {
        "sqrt", "cbrt", "exp", "expm1", "log", "log1p", "log2", "log10", "sin", "cos", "tan", "asin",
        "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "erf", "abs", "pow",
        "atan2", "hypot", "min", "max",
    };
    for (size_t k = 0; k < sizeof builtins / sizeof *builtins; k++) {
        int op = ir_builtin(builtins[k]);
        if (op < 0)
            fail_msg("no row for the built-in '%s'", builtins[k]);
        assert_true(ir_ops[op].form == CALL || ir_ops[op].form == HELPER);
    }
    assert_int_equal(ir_builtin("fabs"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_column_matches_the_rules),
        cmocka_unit_test(only_real_operands_are_differentiable),
        cmocka_unit_test(value_column),
        cmocka_unit_test(int_folding_is_defined),
        cmocka_unit_test(every_builtin_has_a_row),
    };
    return cmocka_run_group_tests_name("ops", tests, NULL, NULL);
}
