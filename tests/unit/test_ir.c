/* The IR: the opcode table and the built-ins, operands, the text printer,
 * the verifier (accepting what the passes make, rejecting malformed IR in a
 * forked child since it aborts), and the shape of what lower.c produces,
 * run on the test interpreter for loops and arrays. */
#include "interp.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

/* ---- the op table ------------------------------------------------------------ */

static void builtin_lookup(void **state)
{
    (void)state;
    assert_int_equal(ir_builtin("sqrt"), OP_SQRT);
    assert_int_equal(ir_builtin("abs"), OP_ABS);
    assert_int_equal(ir_builtin("min"), OP_MIN);
    assert_int_equal(ir_builtin("max"), OP_MAX);
    assert_int_equal(ir_builtin("pow"), OP_POW);
    assert_int_equal(ir_builtin("atan2"), OP_ATAN2);
    assert_int_equal(ir_builtin("erf"), OP_ERF);
    assert_int_equal(ir_builtin("digamma"), OP_DIGAMMA);
    assert_int_equal(ir_builtin("sign"), OP_SIGN);
    /* not built-ins: the constant, C spellings, IR-only operations */
    assert_int_equal(ir_builtin("pi"), -1);
    assert_int_equal(ir_builtin("fabs"), -1);
    assert_int_equal(ir_builtin("fmin"), -1);
    assert_int_equal(ir_builtin("copy"), -1);
    assert_int_equal(ir_builtin("powi"), -1);
    assert_int_equal(ir_builtin("dabs"), -1);
    assert_int_equal(ir_builtin("trigamma"), -1);
    assert_int_equal(ir_builtin("tetragamma"), -1);
    assert_int_equal(ir_builtin("gradc_sign"), -1);
    assert_int_equal(ir_builtin("gradc_dabs"), -1);
    assert_int_equal(ir_builtin("x"), -1);
    assert_int_equal(ir_builtin(""), -1);
}

/* Every built-in of LANGUAGE.md section 4, with its arity; and nothing else. */
static void builtins_of_the_language(void **state)
{
    (void)state;
    static const char *const one[] = {
        "sqrt", "cbrt", "exp", "expm1", "log", "log1p", "log2", "log10", "sin", "cos", "tan",
        "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "erf", "abs",
        "erfc", "lgamma", "digamma", "floor", "ceil", "sign",
    };
    static const char *const two[] = {"pow", "atan2", "hypot", "min", "max"};
    for (size_t i = 0; i < sizeof one / sizeof *one; i++) {
        int op = ir_builtin(one[i]);
        if (op < 0 || ir_ops[op].arity != 1)
            fail_msg("built-in '%s' missing or not of one argument", one[i]);
        assert_int_equal(ir_ops[op].result, 'R');
    }
    for (size_t i = 0; i < sizeof two / sizeof *two; i++) {
        int op = ir_builtin(two[i]);
        if (op < 0 || ir_ops[op].arity != 2)
            fail_msg("built-in '%s' missing or not of two arguments", two[i]);
    }
    int n = 0;
    for (int op = 0; op < OP_COUNT; op++)
        n += ir_ops[op].builtin != NULL;
    assert_int_equal(n, (int)(sizeof one / sizeof *one + sizeof two / sizeof *two));
}

static void op_table_is_consistent(void **state)
{
    (void)state;
    for (int op = 0; op < OP_COUNT; op++) {
        const OpInfo *o = &ir_ops[op];
        assert_non_null(o->name);
        assert_true(strlen(o->name) > 0);
        assert_non_null(o->sig);
        assert_int_equal(o->arity, (int)strlen(o->sig));
        assert_true(o->arity >= 1 && o->arity <= IR_MAX_ARGS);
        assert_non_null(strchr("RIBA", o->result));
        for (const char *c = o->sig; *c; c++)
            if (!strchr("RIBNA", *c))
                fail_msg("'%s': operand letter '%c'", o->name, *c);
        if (o->form == INFIX)
            assert_int_equal(o->arity, 2);
        if (o->form == PREFIX)
            assert_int_equal(o->arity, 1);
        if (o->form != SPECIAL)
            assert_true(strlen(o->cname) > 0);
        /* an A result needs A operands to take its type from */
        if (o->result == 'A')
            assert_non_null(strchr(o->sig, 'A'));
        for (int k = 0; k < op; k++)
            if (strcmp(ir_ops[k].name, o->name) == 0)
                fail_msg("two opcodes named '%s'", o->name);
    }
    assert_string_equal(ir_ops[OP_ABS].cname, "fabs");
    assert_string_equal(ir_ops[OP_MIN].cname, "fmin");
    assert_string_equal(ir_ops[OP_POWI].sig, "RI");
    assert_string_equal(ir_ops[OP_SELECT].sig, "BAA");
    assert_int_equal(ir_ops[OP_LT].result, 'B');
    assert_int_equal(ir_ops[OP_IADD].result, 'I');
}

/* ---- operands and numbers ----------------------------------------------------- */

static void operands(void **state)
{
    (void)state;
    Cx *cx = cx_new("t.fn", "", 0);
    IrFunc *f = ir_func(cx, "h", ROLE_PRIMAL);
    IrVar *x = ir_param(cx, f, "x", IT_REAL);
    IrVar *y = ir_var(cx, f, NULL, IT_INT);
    assert_int_equal(x->id, 0);
    assert_int_equal(y->id, 1);
    assert_true(x->is_param);
    assert_false(y->is_param);
    assert_int_equal(f->params.len, 1);
    assert_int_equal(f->vars.len, 2);
    assert_true(ir_same(ir_v(x), ir_v(x)));
    assert_false(ir_same(ir_v(x), ir_ref(x)));
    assert_false(ir_same(ir_v(x), ir_v(y)));
    assert_true(ir_same(ir_real(1.5), ir_real(1.5)));
    assert_false(ir_same(ir_real(0.0), ir_real(-0.0)));    /* bits, not == */
    assert_true(ir_same(ir_real(NAN), ir_real(NAN)));
    assert_false(ir_same(ir_int(1), ir_real(1)));
    assert_false(ir_same(ir_int(1), ir_bool(true)));
    assert_true(ir_is_var(ir_v(x), x));
    assert_false(ir_is_var(ir_ref(x), x));
    assert_int_equal(ir_operand_type(ir_v(y)), IT_INT);
    assert_int_equal(ir_operand_type(ir_real(2)), IT_REAL);
    assert_int_equal(ir_operand_type(ir_int(2)), IT_INT);
    assert_int_equal(ir_operand_type(ir_bool(false)), IT_BOOL);
    cx_free(cx);
}

static void fmt(double x, const char *want)
{
    char out[64];
    ir_fmt_real(out, sizeof out, x);
    if (strcmp(out, want) != 0)
        fail_msg("ir_fmt_real(%.17g) is \"%s\", expected \"%s\"", x, out, want);
}

static void real_format(void **state)
{
    (void)state;
    fmt(1, "1.0");
    fmt(0, "0.0");
    fmt(-0.0, "-0.0");
    fmt(2.5, "2.5");
    fmt(0.1, "0.1");
    fmt(-3, "-3.0");
    fmt(1e20, "1e+20");
    fmt(123456789, "123456789.0");
    fmt(NAN, "nan");
    fmt(INFINITY, "inf");
    fmt(-INFINITY, "-inf");
    /* the shortest text that reads back exactly */
    double xs[] = {1.0 / 3, 3.141592653589793, 1e-300, 5e-324, 1.7976931348623157e308, 0.30000000000000004, -2.5e-7};
    for (size_t i = 0; i < sizeof xs / sizeof *xs; i++) {
        char out[64];
        ir_fmt_real(out, sizeof out, xs[i]);
        if (strtod(out, NULL) != xs[i])
            fail_msg("%s does not read back as %.17g", out, xs[i]);
        assert_true(strpbrk(out, ".e") != NULL);
    }
}

/* ---- the printer ------------------------------------------------------------ */

static void printer_format(void **state)
{
    (void)state;
    Cx *cx = unit_ok("fn f(x, y) = x*y + 2;\n"
                     "fn g(x, int n) {\n"
                     "  let s = x;\n"
                     "  if (x > 0) { s = sin(x); }\n"
                     "  return s * n;\n"
                     "}\n", UNIT_PRIMAL, false);
    char *text = unit_ir_text(cx);
    assert_string_equal(text,
        "func f(real x.0, real y.1) -> real  ; primal, exported\n"
        "{\n"
        "    %2 = mul x.0, y.1    ; 1:15\n"
        "    %3 = add %2, 2.0    ; 1:18\n"
        "    ret %3    ; 1:14\n"
        "}\n"
        "\n"
        "func g(real x.0, int n.1) -> real  ; primal, exported\n"
        "{\n"
        "    %2 = gt x.0, 0.0    ; 4:9\n"
        "    if %2 {\n"
        "        s.3 = sin x.0    ; 4:20\n"
        "        s.4 = copy s.3\n"
        "    } else {\n"
        "        s.4 = copy x.0\n"
        "    }\n"
        "    %5 = itor n.1    ; 5:14\n"
        "    %6 = mul s.4, %5    ; 5:12\n"
        "    ret %6    ; 5:3\n"
        "}\n");
    free(text);
    cx_free(cx);
}

static void printer_arrays_and_loops(void **state)
{
    (void)state;
    Cx *cx = unit_ok("fn h(int n, a[n], out y[n]) {\n"
                     "  let t[n];\n"
                     "  for i in 0..n { t[i] = a[i]; y[i] += t[i] * 2; }\n"
                     "}\n", UNIT_PRIMAL, false);
    char *text = unit_func_text(cx, "h");
    assert_contains(text, "func h(int n.0, const real a.1[n.0], real y.2[n.0]) -> void  ; primal, exported\n");
    assert_contains(text, "    local real t.3[n.0]\n");
    assert_contains(text, "    fill t.3, 0.0    ; 2:3\n");
    assert_contains(text, "    for i.4 in 0 .. n.0 {\n");
    assert_contains(text, "= load a.1[i.4]");
    assert_contains(text, "t.3[i.4] = copy %");
    assert_contains(text, "y.2[i.4] += copy %");
    free(text);
    cx_free(cx);
}

/* ---- the verifier ------------------------------------------------------------- */

/* What lower, opt and reverse mode make passes the verifier (compile_all
 * runs it after each pass; here it runs once more on the result). */
static void verify_module_child(void *arg)
{
    Cx *cx = arg;
    ir_verify_module(cx->ir);
}

static const char *const good_programs[] = {
    "fn f(x0, x1) = (2*x0 + 5*x1) * (3*x0*x1);",
    "fn rosenbrock(x, y) {\n let a = 1 - x;\n let b = y - x^2;\n return a^2 + 100*b^2;\n}",
    "fn f(x, int n) {\n let s = x;\n if (x > 0) { s = sin(x); } else if (x < -1) { s = cos(x); }\n"
    " return s * n + (x > 1 ? exp(x) : log1p(x * x));\n}",
    "fn h(x, y) = hypot(x, y) + atan2(y, x);\nfn f(x) = h(x, 2) * h(3, x) + min(x, 1) + max(x, abs(x));",
    "fn f(x, const c) = c * x^3 + x^-2 + pow(x, c) + x^c;",
    "fn f(x) = x > 0 && x < 1 || x > 2 ? 1 : 0;",
    "fn g(x) = x * x;\nfn f(x) = x > 0 && g(x) > 1 ? g(x) : -g(x);",
};

static void verifier_accepts_pipeline_output(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof good_programs / sizeof *good_programs; i++) {
        for (int stage = UNIT_PRIMAL; stage <= UNIT_ALL; stage++) {
            for (int opt = 0; opt <= 1; opt++) {
                Cx *cx = unit_ok(good_programs[i], (UnitStage)stage, opt);
                char err[2048];
                int st = unit_in_child(verify_module_child, cx, err, sizeof err);
                if (st != 0)
                    fail_msg("the verifier rejects:\n%s\n%s", good_programs[i], err);
                cx_free(cx);
            }
        }
    }
}

/* A small well-formed function: h(x) = x * 2.0 + 1.0 */
typedef struct Hand {
    Cx *cx;
    IrFunc *f;
    IrVar *x, *t, *u;
    Instr *mul, *add, *ret;
} Hand;

static Instr *op_instr(Hand *h, IrVar *dst, Opcode op, Operand a, Operand b)
{
    Instr *in = ir_instr(h->cx, I_OP, (Span){1, 1, 0});
    in->op = op;
    in->dst = dst;
    in->nargs = ir_ops[op].arity;
    in->args[0] = a;
    in->args[1] = b;
    return in;
}

static void hand_build(Hand *h)
{
    h->cx = cx_new("t.fn", "", 0);
    h->f = ir_func(h->cx, "h", ROLE_PRIMAL);
    h->f->returns = true;
    h->x = ir_param(h->cx, h->f, "x", IT_REAL);
    h->t = ir_var(h->cx, h->f, NULL, IT_REAL);
    h->u = ir_var(h->cx, h->f, NULL, IT_REAL);
    h->mul = op_instr(h, h->t, OP_MUL, ir_v(h->x), ir_real(2));
    h->add = op_instr(h, h->u, OP_ADD, ir_v(h->t), ir_real(1));
    h->ret = ir_instr(h->cx, I_RETURN, (Span){1, 1, 0});
    h->ret->nargs = 1;
    h->ret->args[0] = ir_v(h->u);
    ir_append(h->cx, h->f->body, h->mul);
    ir_append(h->cx, h->f->body, h->add);
    ir_append(h->cx, h->f->body, h->ret);
}

typedef void (*Breaker)(Hand *h);
typedef struct BreakArg {
    Breaker brk;
} BreakArg;

static void verify_hand_child(void *arg)
{
    Hand h;
    hand_build(&h);
    if (arg)
        ((BreakArg *)arg)->brk(&h);
    ir_verify(h.f);
    cx_free(h.cx);
}

static void break_type(Hand *h) { h->mul->args[1] = ir_bool(true); }
static void break_arity(Hand *h) { h->mul->nargs = 1; }
static void break_input_write(Hand *h) { h->mul->dst = h->x; }
static void break_undefined(Hand *h) { h->add->args[0] = ir_v(ir_var(h->cx, h->f, NULL, IT_REAL)); }
static void break_void_return(Hand *h) { h->f->returns = false; }
static void break_missing(Hand *h) { h->add->args[1] = (Operand){0}; }
static void break_result_type(Hand *h) { h->mul->dst = ir_var(h->cx, h->f, NULL, IT_INT); }
static void break_int_acc(Hand *h)
{
    IrVar *k = ir_var(h->cx, h->f, NULL, IT_INT);
    Instr *in = op_instr(h, k, OP_IADD, ir_int(1), ir_int(2));
    in->acc = ACC_ADD;
    vec_insert(h->cx->arena, &h->f->body->instrs, 0, in);
}
static void break_foreign(Hand *h)
{
    IrFunc *g = ir_func(h->cx, "g", ROLE_PRIMAL);
    ir_var(h->cx, g, NULL, IT_REAL);
    ir_var(h->cx, g, NULL, IT_REAL);
    IrVar *alien = ir_var(h->cx, g, NULL, IT_REAL);
    h->add->args[0] = ir_v(alien);
}
static void break_if_cond(Hand *h)
{
    Instr *in = ir_instr(h->cx, I_IF, (Span){1, 1, 0});
    in->cond = ir_v(h->x);
    in->then = ir_block(h->cx);
    vec_insert(h->cx->arena, &h->f->body->instrs, 0, in);
}
static void break_scalar_index(Hand *h)
{
    Instr *in = ir_instr(h->cx, I_LOAD, (Span){1, 1, 0});
    in->arr = h->x;
    in->dst = ir_var(h->cx, h->f, NULL, IT_REAL);
    vec_insert(h->cx->arena, &h->f->body->instrs, 0, in);
}

static void verifier_accepts_hand_built(void **state)
{
    (void)state;
    char err[2048];
    int st = unit_in_child(verify_hand_child, NULL, err, sizeof err);
    if (st != 0)
        fail_msg("the verifier rejects a well-formed function: %s", err);
    Hand h;
    hand_build(&h);
    double x = 3;
    assert_close(interp_scalar(h.f, &x), 7, 0, 0);
    cx_free(h.cx);
}

static void verifier_rejects_malformed(void **state)
{
    (void)state;
    static const struct {
        Breaker brk;
        const char *msg;
    } cases[] = {
        {break_type, "operand of the wrong type"},
        {break_arity, "wrong number of operands"},
        {break_input_write, "write to an input parameter"},
        {break_undefined, "never defined"},
        {break_void_return, "malformed return"},
        {break_missing, "missing operand"},
        {break_result_type, "result type differs"},
        {break_int_acc, "accumulation into a non-real"},
        {break_foreign, "variable of another function"},
        {break_if_cond, "malformed if"},
        {break_scalar_index, "scalar indexed"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char err[2048];
        BreakArg arg = {cases[i].brk};
        int st = unit_in_child(verify_hand_child, &arg, err, sizeof err);
        if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGABRT)
            fail_msg("case %zu (%s): the verifier did not abort (status %d)", i, cases[i].msg, st);
        assert_contains(err, "IR verifier");
        assert_contains(err, cases[i].msg);
    }
}

/* ---- lowering ---------------------------------------------------------------- */

static bool is_kind(const Instr *in, const void *data)
{
    return in->kind == *(const InstrKind *)data;
}

static int count_kind(const IrFunc *f, InstrKind k)
{
    return unit_count_instrs(f, is_kind, &k);
}

/* A variable assigned in a branch and used after it: one merge variable,
 * set by a copy at the end of each branch. */
static void lower_if_merges(void **state)
{
    (void)state;
    Cx *cx = unit_ok("fn g(x) {\n let s = x;\n if (x > 0) { s = sin(x); }\n return s;\n}",
                     UNIT_PRIMAL, false);
    IrFunc *g = unit_func(cx, "g");
    assert_int_equal(count_kind(g, I_IF), 1);
    const Instr *in = NULL;
    for (int i = 0; i < g->body->instrs.len; i++)
        if (((Instr *)g->body->instrs.items[i])->kind == I_IF)
            in = g->body->instrs.items[i];
    assert_non_null(in);
    assert_non_null(in->els);           /* the else branch holds the other copy */
    const Instr *a = in->then->instrs.items[in->then->instrs.len - 1];
    const Instr *b = in->els->instrs.items[in->els->instrs.len - 1];
    assert_int_equal(a->op, OP_COPY);
    assert_int_equal(b->op, OP_COPY);
    assert_ptr_equal(a->dst, b->dst);
    assert_string_equal(a->dst->name, "s");
    const Instr *ret = g->body->instrs.items[g->body->instrs.len - 1];
    assert_int_equal(ret->kind, I_RETURN);
    assert_true(ir_is_var(ret->args[0], a->dst));
    cx_free(cx);
}

/* c ? a : b is a select when the branches compute nothing, else an if, so
 * that the branch not taken is not evaluated. */
static void lower_ternary(void **state)
{
    (void)state;
    Cx *cx = unit_ok("fn f(x) = x > 0 ? x : 2;\nfn g(x) = x > 0 ? sqrt(x) : 0;", UNIT_PRIMAL, false);
    IrFunc *f = unit_func(cx, "f"), *g = unit_func(cx, "g");
    assert_int_equal(unit_count_op(f, OP_SELECT), 1);
    assert_int_equal(count_kind(f, I_IF), 0);
    assert_int_equal(unit_count_op(g, OP_SELECT), 0);
    assert_int_equal(count_kind(g, I_IF), 1);
    cx_free(cx);
}

/* && and || are eager over pure arithmetic, short-circuit over calls. */
static void lower_logic(void **state)
{
    (void)state;
    Cx *cx = unit_ok("fn h(x) = x * x;\n"
                     "fn f(x) = x > 0 && x < 1 ? 1 : 0;\n"
                     "fn g(x) = x > 0 && h(x) < 1 ? 1 : 0;\n"
                     "fn k(x) = x > 0 || h(x) < 1 ? 1 : 0;\n", UNIT_PRIMAL, false);
    IrFunc *f = unit_func(cx, "f"), *g = unit_func(cx, "g"), *k = unit_func(cx, "k");
    assert_int_equal(unit_count_op(f, OP_AND), 1);
    assert_int_equal(count_kind(f, I_IF), 0);
    assert_int_equal(unit_count_op(g, OP_AND), 0);
    assert_int_equal(count_kind(g, I_IF), 1);
    assert_int_equal(count_kind(g, I_CALL), 1);
    /* the call is inside the if, not before it */
    assert_int_equal(count_kind(g, I_CALL), 1);
    for (int i = 0; i < g->body->instrs.len; i++)
        assert_int_not_equal(((Instr *)g->body->instrs.items[i])->kind, I_CALL);
    for (int i = 0; i < k->body->instrs.len; i++)
        assert_int_not_equal(((Instr *)k->body->instrs.items[i])->kind, I_CALL);
    /* and the values are right both ways */
    double xs[] = {-1, 0.5, 2, -0.5};
    double want_g[] = {0, 1, 0, 0}, want_k[] = {0, 1, 1, 1};
    for (int i = 0; i < 4; i++) {
        assert_close(interp_scalar(g, &xs[i]), want_g[i], 0, 0);
        assert_close(interp_scalar(k, &xs[i]), want_k[i], 0, 0);
    }
    double m = -2;
    assert_close(interp_scalar(k, &m), 0, 0, 0);
    cx_free(cx);
}

static void walk_visit(Instr *in, void *data)
{
    Buf *b = data;
    buf_printf(b, "%d ", in->kind);
}

/* ir_walk is pre-order; ir_link_blocks and ir_common_block agree with the
 * nesting. */
static void walk_and_blocks(void **state)
{
    (void)state;
    Cx *cx = unit_ok("fn g(x) {\n let s = x;\n"
                     " if (x > 0) { s = sin(x); if (x > 1) { s = s * 2; } } else { s = cos(x); }\n"
                     " return s;\n}", UNIT_PRIMAL, false);
    IrFunc *g = unit_func(cx, "g");
    Buf b;
    buf_init(&b);
    ir_walk(g->body, walk_visit, &b);
    /* gt, if, then [sin, gt, if, then [mul, copy], else [copy], copy], else [cos, copy], ret */
    char want[256];
    snprintf(want, sizeof want, "%d %d %d %d %d %d %d %d %d %d %d %d ", I_OP, I_IF, I_OP, I_OP,
             I_IF, I_OP, I_OP, I_OP, I_OP, I_OP, I_OP, I_RETURN);
    assert_string_equal(b.data, want);
    buf_free(&b);

    ir_link_blocks(g);
    const Instr *outer = g->body->instrs.items[1];
    assert_int_equal(outer->kind, I_IF);
    IrBlock *then = outer->then, *els = outer->els;
    const Instr *inner = NULL;
    for (int i = 0; i < then->instrs.len; i++)
        if (((Instr *)then->instrs.items[i])->kind == I_IF)
            inner = then->instrs.items[i];
    assert_non_null(inner);
    assert_int_equal(g->body->depth, 0);
    assert_int_equal(then->depth, 1);
    assert_int_equal(inner->then->depth, 2);
    assert_ptr_equal(then->parent, g->body);
    assert_ptr_equal(then->owner, outer);
    assert_ptr_equal(inner->then->owner, inner);
    assert_ptr_equal(ir_common_block(inner->then, then), then);
    assert_ptr_equal(ir_common_block(inner->then, els), g->body);
    assert_ptr_equal(ir_common_block(then, then), then);
    assert_ptr_equal(ir_common_block(NULL, els), els);
    cx_free(cx);
}

/* Loops, arrays and int arithmetic lowered correctly: the primal, run on
 * the interpreter, against the same computation in C. */
static void lower_loops_and_arrays(void **state)
{
    (void)state;
    Cx *cx = unit_ok("fn dot(int n, a[n], b[n]) {\n"
                     "  let s = 0;\n"
                     "  for i in 0..n { s += a[i] * b[i]; }\n"
                     "  return s;\n"
                     "}\n"
                     "fn matvec(int m, int n, A[m][n], x[n], out y[m]) {\n"
                     "  for i in 0..m {\n"
                     "    let s = 0;\n"
                     "    for j in 0..n { s += A[i][j] * x[j]; }\n"
                     "    y[i] = s;\n"
                     "  }\n"
                     "}\n"
                     "fn mix(int n, x[n]) {\n"
                     "  let t[n];\n"
                     "  for i in 0..n { t[i] = x[i] * i; }\n"
                     "  let s = 0;\n"
                     "  let p = 1;\n"
                     "  for k in 1..n {\n"
                     "    s += t[k] / k - t[k - 1] + k % 2 + (n - k) / 2;\n"
                     "    if (t[k] > 1) { p *= t[k]; } else { p -= 1; }\n"
                     "  }\n"
                     "  for k2 in n..1 { s += 1000; }\n"
                     "  return s + p;\n"
                     "}\n", UNIT_PRIMAL, false);
    double a[4] = {1, 2, 3, 4}, b[4] = {0.5, -1, 2, 0.25};
    IVal args[5] = {{0}};
    args[0].i = 4;
    args[1].p = a;
    args[2].p = b;
    assert_close(interp_call(unit_func(cx, "dot"), args), 0.5 - 2 + 6 + 1, 1e-15, 1e-15);

    double A[2][3] = {{1, 2, 3}, {4, 5, 6}}, x[3] = {1, -1, 2}, y[2] = {99, 99};
    IVal margs[5] = {{0}};
    margs[0].i = 2;
    margs[1].i = 3;
    margs[2].p = &A[0][0];
    margs[3].p = x;
    margs[4].p = y;
    interp_call(unit_func(cx, "matvec"), margs);
    assert_close(y[0], 1 - 2 + 6, 0, 0);
    assert_close(y[1], 4 - 5 + 12, 0, 0);

    double xs[5] = {0.5, 1.5, -2, 3, 0.25};
    int n = 5;
    double t[5], s = 0, p = 1;
    for (int i = 0; i < n; i++)
        t[i] = xs[i] * i;
    for (int k = 1; k < n; k++) {
        s += t[k] / k - t[k - 1] + k % 2 + (double)(n - k) / 2;  /* ints convert first */
        if (t[k] > 1)
            p *= t[k];
        else
            p -= 1;
    }
    IVal xargs[2] = {{0}};
    xargs[0].i = n;
    xargs[1].p = xs;
    assert_close(interp_call(unit_func(cx, "mix"), xargs), s + p, 1e-14, 1e-14);
    cx_free(cx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(builtin_lookup),
        cmocka_unit_test(builtins_of_the_language),
        cmocka_unit_test(op_table_is_consistent),
        cmocka_unit_test(operands),
        cmocka_unit_test(real_format),
        cmocka_unit_test(printer_format),
        cmocka_unit_test(printer_arrays_and_loops),
        cmocka_unit_test(verifier_accepts_pipeline_output),
        cmocka_unit_test(verifier_accepts_hand_built),
        cmocka_unit_test(verifier_rejects_malformed),
        cmocka_unit_test(lower_if_merges),
        cmocka_unit_test(lower_ternary),
        cmocka_unit_test(lower_logic),
        cmocka_unit_test(walk_and_blocks),
        cmocka_unit_test(lower_loops_and_arrays),
    };
    return cmocka_run_group_tests_name("ir", tests, NULL, NULL);
}
