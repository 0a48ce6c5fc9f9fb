/* The optimiser (opt.c): only what is exact in IEEE arithmetic is folded or
 * simplified; copies and constants propagate; common subexpressions merge;
 * dead code goes. Checked on the primal IR (and the gradient's), and the
 * optimised functions must compute bit for bit what the unoptimised ones do. */
#include "interp.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The optimised primal of `fn f(x) = EXPR;` (or of a whole program). */
static Cx *opt_primal(const char *src)
{
    return unit_ok(src, UNIT_PRIMAL, true);
}

static bool has_real_arg(const Instr *in, double x)
{
    for (int k = 0; k < in->nargs; k++)
        if (in->args[k].kind == OK_REAL && in->args[k].real == x &&
            signbit(in->args[k].real) == signbit(x))
            return true;
    return false;
}

/* The value of f at x: optimised and not must agree bit for bit. The
 * gradients only closely: AD runs on the optimised primal, where merged
 * common subexpressions sum their adjoints in another order. */
static void same_values(const char *src, const char *name, const double *xs, int npts, int nargs)
{
    Cx *a = unit_ok(src, UNIT_ALL, false), *b = unit_ok(src, UNIT_ALL, true);
    char gname[64];
    snprintf(gname, sizeof gname, "%s_grad", name);
    for (int i = 0; i < npts; i++) {
        const double *x = xs + i * nargs;
        double va = interp_scalar(unit_func(a, name), x);
        double vb = interp_scalar(unit_func(b, name), x);
        if (memcmp(&va, &vb, sizeof va) != 0 && !(isnan(va) && isnan(vb)))
            fail_msg("%s: optimised %.17g, unoptimised %.17g", src, vb, va);
        double ga[8], gb[8];
        interp_grad(a, name, x, ga);
        interp_grad(b, name, x, gb);
        for (int k = 0; k < nargs; k++)
            if (!(ga[k] == gb[k] || (isnan(ga[k]) && isnan(gb[k])) ||
                  fabs(ga[k] - gb[k]) <= 1e-14 * fmax(1, fabs(ga[k]))))
                fail_msg("%s: partial %d optimised %.17g, unoptimised %.17g", src, k, gb[k], ga[k]);
    }
    cx_free(a);
    cx_free(b);
}

/* ---- folding ------------------------------------------------------------------- */

/* Correctly rounded operations fold; library functions that are not
 * correctly rounded (sin, exp, pow ...) do not, since the generated code
 * must compute what the C library gives. */
static void folds_only_exact_ops(void **state)
{
    (void)state;
    Cx *cx = opt_primal("fn f(x) = x + sqrt(4);");
    IrFunc *f = unit_func(cx, "f");
    assert_int_equal(unit_count_op(f, OP_SQRT), 0);
    char *t = unit_func_text(cx, "f");
    assert_contains(t, "add x.0, 2.0");
    free(t);
    cx_free(cx);

    cx = opt_primal("fn f(x) = x + sin(1);");
    f = unit_func(cx, "f");
    assert_int_equal(unit_count_op(f, OP_SIN), 1);
    t = unit_func_text(cx, "f");
    assert_contains(t, "sin 1.0");
    free(t);
    cx_free(cx);

    static const char *const unfolded[] = {"exp(1)", "log(2)", "pow(2, 0.5)", "2^0.5", "cos(0.5)",
                                           "tan(1)", "erf(1)", "cbrt(2)", "atan2(1, 2)", "hypot(3, 4)"};
    for (size_t i = 0; i < sizeof unfolded / sizeof *unfolded; i++) {
        char src[100];
        snprintf(src, sizeof src, "fn f(x) = x * %s;", unfolded[i]);
        cx = opt_primal(src);
        f = unit_func(cx, "f");
        if (f->body->instrs.len < 3)
            fail_msg("'%s' was folded", unfolded[i]);
        cx_free(cx);
    }

    cx = opt_primal("fn f(x) = x * (2 * 3 + 1 / 4 - 0.5 + abs(-2) + 3^2 - (-1));");
    t = unit_func_text(cx, "f");
    assert_contains(t, "mul x.0, 17.75");
    free(t);
    cx_free(cx);
}

static void folds_conditions_and_branches(void **state)
{
    (void)state;
    Cx *cx = opt_primal("fn f(x) {\n let y = x;\n if (2 > 1 && !(3 < 1)) { y = x * 2; } else { y = sin(x); }\n return y;\n}");
    IrFunc *f = unit_func(cx, "f");
    assert_int_equal(unit_count_op(f, OP_SIN), 0);        /* the dead branch is gone */
    for (int i = 0; i < f->body->instrs.len; i++)
        assert_int_not_equal(((Instr *)f->body->instrs.items[i])->kind, I_IF);
    double x = 1.5;
    assert_close(interp_scalar(f, &x), 3, 0, 0);
    cx_free(cx);
    cx = opt_primal("fn f(x) = 1 < 2 ? x : 2 * x;");
    assert_int_equal(unit_count_op(unit_func(cx, "f"), OP_SELECT), 0);
    cx_free(cx);
}

/* ---- algebraic identities ----------------------------------------------------------- */

static void identities(void **state)
{
    (void)state;
    static const struct {
        const char *expr;
        Opcode gone;            /* the operation that must disappear */
        bool removed;
    } cases[] = {
        {"x * 1", OP_MUL, true},
        {"1 * x", OP_MUL, true},
        {"x / 1", OP_DIV, true},
        {"x - 0", OP_SUB, true},
        {"x + -0.0", OP_ADD, true},
        {"x ^ 1", OP_POWI, true},
        /* not exact: x + 0 is +0 for x = -0; 0 * x is NaN for inf, -0 for -x */
        {"x + 0", OP_ADD, false},
        {"0 + x", OP_ADD, false},
        {"0 * x", OP_MUL, false},
        {"x * 0", OP_MUL, false},
        {"x - x", OP_SUB, false},
        {"x / x", OP_DIV, false},
        {"0 - x", OP_SUB, false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char src[100];
        snprintf(src, sizeof src, "fn f(x) = %s;", cases[i].expr);
        Cx *cx = opt_primal(src);
        int n = unit_count_op(unit_func(cx, "f"), cases[i].gone);
        if (cases[i].removed && n != 0)
            fail_msg("'%s' was not simplified", cases[i].expr);
        if (!cases[i].removed && n != 1)
            fail_msg("'%s' was simplified, which is not exact", cases[i].expr);
        cx_free(cx);
    }
    /* x * -1 and x / -1 are negations */
    Cx *cx = opt_primal("fn f(x, y) = x * -1 + y / -1;");
    IrFunc *f = unit_func(cx, "f");
    assert_int_equal(unit_count_op(f, OP_MUL), 0);
    assert_int_equal(unit_count_op(f, OP_DIV), 0);
    assert_int_equal(unit_count_op(f, OP_NEG), 2);
    cx_free(cx);
    /* and every one of them computes what the unoptimised code does, -0 included */
    double xs[] = {-0.0, 0.0, 1.5, -2, INFINITY, -INFINITY, NAN};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char src[100];
        snprintf(src, sizeof src, "fn f(x) = %s;", cases[i].expr);
        same_values(src, "f", xs, 7, 1);
    }
}

/* The adjoint code has no x * 1, no / 1, no accumulated zeros and no
 * zero terms. */
static bool useless(const Instr *in, const void *data)
{
    (void)data;
    if (in->kind != I_OP && in->kind != I_STORE)
        return false;
    if ((in->op == OP_MUL || in->op == OP_DIV) && (has_real_arg(in, 1) || has_real_arg(in, -1)))
        return !(in->op == OP_DIV && in->args[0].kind == OK_REAL);
    if (in->acc != ACC_SET && in->op == OP_COPY && in->args[0].kind == OK_REAL &&
        in->args[0].real == 0)
        return true;
    if (in->op == OP_SUB && in->args[1].kind == OK_REAL && in->args[1].real == 0 &&
        !signbit(in->args[1].real))
        return true;
    /* a zero term of an adjoint (DESIGN.md: no zero terms) */
    bool adjoint = in->kind == I_OP && (in->dst->adj_of || in->dst->grad_of);
    if (adjoint && in->op == OP_MUL && (has_real_arg(in, 0) || has_real_arg(in, -0.0)))
        return true;
    return false;
}

static void no_useless_arithmetic_after_ad(void **state)
{
    (void)state;
    static const char *const programs[] = {
        "fn f(x0, x1) = (2*x0 + 5*x1) * (3*x0*x1);",
        "fn f(x, y) { let a = 1 - x; let b = y - x^2; return a^2 + 100*b^2; }",
        "fn f(x, y) = x + y - x * y + sin(x) / y;",
        "fn f(x) = x > 0 ? x : -x;",
        "fn h(x) = x * x;\nfn f(x, y) = h(x) + h(y) * 2;",
        "fn h(x) = x * x;\nfn f(x, y) { let a = x * y; return h(a); }",
    };
    for (size_t i = 0; i < sizeof programs / sizeof *programs; i++) {
        Cx *cx = unit_ok(programs[i], UNIT_ALL, true);
        for (int k = 0; k < cx->ir->funcs.len; k++) {
            const IrFunc *f = cx->ir->funcs.items[k];
            int n = unit_count_instrs(f, useless, NULL);
            if (n) {
                char *t = unit_ir_text(cx);
                fprintf(stderr, "%s:\n%s\n", programs[i], t);
                free(t);
                fail_msg("%s: %d useless instructions in %s", programs[i], n, f->name);
            }
        }
        cx_free(cx);
    }
}

/* ---- propagation, CSE, DCE ----------------------------------------------------- */

/* An instruction given back comes back, cleared, from the next ir_instr;
 * under AddressSanitizer it is poisoned and never reused. And the
 * optimiser gives back what it removes: a function of much dead code
 * leaves that many instructions for the next function made. */
static void removed_instructions_reused(void **state)
{
    (void)state;
    static char probe[32];
    bool asan = arena_poison(probe, sizeof probe);
    Cx *cx = unit_ok("fn f(x) = x * x;", UNIT_ALL, true);
    Span at = {1, 1, 0};
    Instr *a = ir_instr(cx, I_OP, at);
    a->nargs = 2;
    a->note = "gone";
    int spare = cx->ir->spare.len;
    ir_free_instr(cx, a);
    Instr *b = ir_instr(cx, I_RETURN, at);
    if (asan) {
        assert_ptr_not_equal(a, b);
    } else {
        assert_ptr_equal(a, b);
        assert_int_equal(b->kind, I_RETURN);
        assert_int_equal(b->nargs, 0);
        assert_null(b->note);
        assert_int_equal(cx->ir->spare.len, spare);
    }
    cx_free(cx);
    /* 40 dead products: each round's removals come back */
    Buf src;
    buf_init(&src);
    buf_printf(&src, "fn f(x) {");
    for (int i = 0; i < 40; i++)
        buf_printf(&src, " let d%d = x * %d;", i, i + 2);
    buf_printf(&src, " return x; }\n");
    cx = unit_ok(src.data, UNIT_PRIMAL, true);
    if (asan)
        assert_int_equal(cx->ir->spare.len, 0);
    else if (cx->ir->spare.len < 40)
        fail_msg("%d instructions given back, expected at least 40", cx->ir->spare.len);
    cx_free(cx);
    buf_free(&src);
}


static void dead_code(void **state)
{
    (void)state;
    Cx *cx = opt_primal("fn f(x) {\n let u = sin(x);\n let v = u * exp(x);\n return x * 2;\n}");
    IrFunc *f = unit_func(cx, "f");
    assert_int_equal(unit_count_op(f, OP_SIN), 0);
    assert_int_equal(unit_count_op(f, OP_EXP), 0);
    assert_int_equal(f->body->instrs.len, 2);           /* mul, ret */
    cx_free(cx);
    /* an unused call of a function without outputs goes too */
    cx = opt_primal("fn g(x) = x * x;\nfn f(x) { let u = g(x); return x; }");
    assert_int_equal(unit_func(cx, "f")->body->instrs.len, 1);
    cx_free(cx);
    /* an if whose branches end up empty goes */
    cx = opt_primal("fn f(x) { let u = x; if (x > 0) { u = sin(x); } return x; }");
    assert_int_equal(unit_func(cx, "f")->body->instrs.len, 1);
    cx_free(cx);
}

/* Uses of each variable of f (operands, indices, conditions, bounds, call
 * arguments, array sizes). */
static void count_uses(const IrBlock *b, int *uses)
{
    for (int i = 0; i < b->instrs.len; i++) {
        const Instr *in = b->instrs.items[i];
        const Operand *ops[] = {&in->args[0], &in->args[1], &in->args[2], &in->cond, &in->lo, &in->hi};
        for (size_t k = 0; k < sizeof ops / sizeof *ops; k++)
            if (ops[k]->kind == OK_VAR || ops[k]->kind == OK_REF)
                uses[ops[k]->var->id]++;
        for (int k = 0; in->idx && k < in->arr->ndims; k++)
            if (in->idx[k].kind == OK_VAR)
                uses[in->idx[k].var->id]++;
        for (int k = 0; k < in->ncargs; k++)
            if (in->cargs[k].kind == OK_VAR || in->cargs[k].kind == OK_REF)
                uses[in->cargs[k].var->id]++;
        if (in->kind == I_LOAD)
            uses[in->arr->id]++;
        if (in->kind == I_OP && in->acc != ACC_SET)
            uses[in->dst->id]++;
        if (in->then)
            count_uses(in->then, uses);
        if (in->els)
            count_uses(in->els, uses);
        if (in->body)
            count_uses(in->body, uses);
    }
}

static bool unused_value(const Instr *in, const void *data)
{
    const int *uses = data;
    return (in->kind == I_OP || in->kind == I_LOAD) && !in->dst->is_param && uses[in->dst->id] == 0;
}

/* After optimisation no value is computed and never used, however long the
 * chain of dead values (the generated C would warn: unused variable). */
static void dead_code_of_any_length(void **state)
{
    (void)state;
    Buf src;
    buf_init(&src);
    buf_puts(&src, "fn f(x) {\n  let a = x;\n");
    for (int i = 0; i < 40; i++)
        buf_puts(&src, "  a = sin(a);\n");
    buf_puts(&src, "  return x;\n}\n");
    Cx *cx = unit_ok(src.data, UNIT_ALL, true);
    for (int k = 0; k < cx->ir->funcs.len; k++) {
        const IrFunc *f = cx->ir->funcs.items[k];
        int *uses = calloc((size_t)f->vars.len + 1, sizeof *uses);
        count_uses(f->body, uses);
        int n = unit_count_instrs(f, unused_value, uses);
        free(uses);
        if (n)
            fail_msg("%s: %d values computed and never used", f->name, n);
        assert_int_equal(unit_count_op(f, OP_SIN), 0);
    }
    cx_free(cx);
    buf_free(&src);
}

static void common_subexpressions(void **state)
{
    (void)state;
    Cx *cx = opt_primal("fn f(x, y) = sin(x) + sin(x) * (x * y) + y * x + exp(x * y);");
    IrFunc *f = unit_func(cx, "f");
    assert_int_equal(unit_count_op(f, OP_SIN), 1);
    assert_int_equal(unit_count_op(f, OP_MUL), 2);      /* x*y (y*x is the same), sin * xy */
    cx_free(cx);
    /* not across operands that differ, nor for a - b vs b - a */
    cx = opt_primal("fn f(x, y) = (x - y) * (y - x) + (x / y) * (y / x);");
    f = unit_func(cx, "f");
    assert_int_equal(unit_count_op(f, OP_SUB), 2);
    assert_int_equal(unit_count_op(f, OP_DIV), 2);
    cx_free(cx);
    /* a value computed before an if is reused inside it */
    cx = opt_primal("fn f(x) { let a = sin(x); let r = a; if (x > 0) { r = sin(x) * 2; } return r; }");
    assert_int_equal(unit_count_op(unit_func(cx, "f"), OP_SIN), 1);
    cx_free(cx);
    /* but one computed in one branch is not visible in the other, nor after */
    cx = opt_primal("fn f(x) {\n let r = x;\n if (x > 0) { r = sin(x); } else { r = sin(x) + 1; }\n"
                    " return r + sin(x);\n}");
    f = unit_func(cx, "f");
    assert_true(unit_count_op(f, OP_SIN) >= 2);
    double xs[] = {1.0, -1.0};
    for (int i = 0; i < 2; i++)
        assert_close(interp_scalar(f, &xs[i]), xs[i] > 0 ? 2 * sin(1.0) : 2 * sin(-1.0) + 1, 1e-15, 1e-15);
    cx_free(cx);
}

static void copies_propagate(void **state)
{
    (void)state;
    Cx *cx = opt_primal("fn f(x) {\n let a = x;\n let b = a;\n let c = b * 2;\n return c;\n}");
    IrFunc *f = unit_func(cx, "f");
    assert_int_equal(unit_count_op(f, OP_COPY), 0);
    char *t = unit_func_text(cx, "f");
    assert_contains(t, "mul x.0, 2.0");
    free(t);
    cx_free(cx);
}

/* A variable written through a reference (a callee's reverse helper adds
 * into the caller's adjoint through &d) is not a constant: its zero must
 * not be propagated past the call. */
static void writes_through_references_are_definitions(void **state)
{
    (void)state;
    Cx *cx = unit_ok("fn h(x) = x * x;\nfn f(x) = h(x);", UNIT_ALL, true);
    double x = 3, g;
    interp_grad(cx, "f", &x, &g);
    assert_close(g, 6, 0, 0);
    IrFunc *f = unit_func(cx, "f_grad");
    const IrVar *gx = f->params.items[1];
    for (int i = 0; i < f->body->instrs.len; i++) {
        const Instr *in = f->body->instrs.items[i];
        if (in->kind == I_OP && in->dst == gx && in->args[0].kind == OK_REAL)
            fail_msg("the gradient is written as the constant %g", in->args[0].real);
    }
    cx_free(cx);
}

/* CSE forgets, at the end of a block, what the block computed: even when
 * the table has grown (past 32 entries) while the block was open. */
static void cse_scope_survives_table_growth(void **state)
{
    (void)state;
    Buf src;
    buf_init(&src);
    buf_puts(&src, "fn f(x, y) {\n  let r = x;\n  if (x > 0) {\n    r = sin(y)");
    for (int k = 2; k < 40; k++)
        buf_printf(&src, " + x * %d", k);
    buf_puts(&src, ";\n  }\n  return r + sin(y);\n}\n");
    Cx *cx = unit_ok(src.data, UNIT_PRIMAL, true);
    IrFunc *f = unit_func(cx, "f");
    double x[2] = {-1, 2};
    assert_close(interp_scalar(f, x), -1 + sin(2.0), 1e-15, 1e-15);
    /* the sin after the if is computed after the if */
    assert_int_equal(unit_count_op(f, OP_SIN), 2);
    cx_free(cx);
    buf_free(&src);
}

/* A copy whose source is retargeted (the source's instruction now defines
 * the copy's variable) must not leave CSE pointing at the old name. */
static void cse_after_copy_retarget(void **state)
{
    (void)state;
    double x[2] = {0.3, 0.2};
    Cx *cx = unit_ok("fn f(x, y) = sin(x - exp(y) - (y - 1));", UNIT_ALL, true);
    double g[2];
    double v = interp_grad(cx, "f", x, g);
    double u = x[0] - exp(x[1]) - (x[1] - 1);
    assert_close(v, sin(u), 1e-15, 1e-15);
    assert_close(g[0], cos(u), 1e-15, 1e-15);
    assert_close(g[1], cos(u) * (-exp(x[1]) - 1), 1e-15, 1e-15);
    cx_free(cx);
}

/* Optimised and unoptimised code agree bit for bit on a mix of programs. */
static bool fills_h(const Instr *in, const void *data)
{
    (void)data;
    return in->kind == I_FILL && in->arr->name && strcmp(in->arr->name, "h") == 0;
}

static bool is_call(const Instr *in, const void *data)
{
    (void)data;
    return in->kind == I_CALL;
}

/* `let h[n];` then a call that zero-fills its out array h (inlined): the
 * first fill is dead and goes, and so does the call's, which finds h as
 * the allocation left it (zero); a fill that follows a read stays. */
static void dead_fills(void **state)
{
    (void)state;
    static const char src[] =
        "fn layer(int n, w[n], out h[n]) { for i in 0..n { h[i] += sin(w[i]); } }\n"
        "fn f(int n, w[n]) {\n"
        "    let h[n];\n"
        "    layer(n, w, h);\n"
        "    let s = h[0];\n"
        "    layer(n, w, h);\n"
        "    return s + h[1];\n"
        "}\n";
    Cx *raw = unit_ok(src, UNIT_PRIMAL, false), *opt = opt_primal(src);
    /* layer is inlined (no call left), which brings its two fills of h */
    assert_int_equal(unit_count_instrs(unit_func(opt, "f"), is_call, NULL), 0);
    assert_int_equal(unit_count_instrs(unit_func(opt, "f"), fills_h, NULL), 1);
    double w[3] = {0.3, -1.2, 2.0}, g[3];
    IVal args[3] = {{.i = 3}, {.p = w}, {.p = g}};
    double va = interp_call(unit_func(raw, "f"), args), vb = interp_call(unit_func(opt, "f"), args);
    assert_true(va == vb && va == sin(0.3) + sin(-1.2));
    cx_free(raw);
    cx_free(opt);
}

static bool names_array(const Instr *in, const void *name)
{
    return in->arr && in->arr->name && strcmp(in->arr->name, name) == 0;
}

/* A row passed to a call is the array itself with the row's indices: no
 * copy. Before inlining the call names X and H with their rows (a pointer
 * into each in C); once it is inlined, the callee's loads read X[t][j] and
 * H[t][j], whether or not the function writes the array. */
static bool reads_row(const Instr *in, const void *name)
{
    return in->kind == I_LOAD && names_array(in, name) && in->arr->ndims == 2;
}

static bool passes_row(const Instr *in, const void *name)
{
    for (int k = 0; in->kind == I_CALL && k < in->ncargs; k++)
        if (ir_call_row(in, k) && ir_call_row(in, k)->nfix == 1 && in->cargs[k].var->name &&
            strcmp(in->cargs[k].var->name, name) == 0)
            return true;
    return false;
}

static bool names_row_copy(const Instr *in, const void *data)
{
    (void)data;
    return in->arr && in->arr->name && strstr(in->arr->name, "_row");
}

static bool fills_y(const Instr *in, const void *data)
{
    (void)data;
    return in->kind == I_FILL && in->arr->name && strcmp(in->arr->name, "y") == 0;
}

/* A helper's zero-filled out array y, inlined in a loop that adds to y:
 * the fill goes only where stores overwrite every element before any read
 * (whatever the loops' trip counts), and the value does not change. */
static void covered_fills(void **state)
{
    (void)state;
    static const struct {
        const char *helper;
        int fills;              /* fills of y left in f */
    } cases[] = {
        /* element 0, then 1..n: covered */
        {"{ y[0] = x[0]; for i in 1..n { y[i] = x[i] * x[i - 1]; } }", 0},
        /* 1..n only: element 0 keeps its zero */
        {"{ for i in 1..n { y[i] = x[i] * x[i - 1]; } }", 1},
        /* 0..n - 1 and n - 1: bounds that are not the same operands */
        {"{ for i in 0..n - 1 { y[i] = x[i]; } y[n - 1] = 1; }", 1},
        /* a loop left by break, a store under an if, a read of the array */
        {"{ for i in 0..n { y[i] = x[i]; if (i == 1) { break; } } }", 1},
        {"{ for i in 0..n { if (x[i] > 0) { y[i] = x[i]; } } }", 1},
        {"{ for i in 0..n { y[i] = x[i] + y[(i + 1) % n]; } }", 1},
        /* a loop no index follows (it may run no iteration) */
        {"{ for i in 0..n { for j in 0..n { y[i] = x[j]; } } }", 1},
        /* accumulation is no overwrite */
        {"{ for i in 0..n { y[i] += x[i]; } }", 1},
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        Buf src;
        buf_init(&src);
        buf_printf(&src,
                   "fn h(int n, x[n], out y[n]) %s\n"
                   "fn f(int n, x[n]) {\n"
                   "    let y[n];\n"
                   "    let s = 0;\n"
                   "    for r in 0..3 {\n"
                   "        h(n, x, y);\n"
                   "        for i in 0..n { y[i] += x[i] * r; s += y[i] * y[0]; }\n"
                   "    }\n"
                   "    return s;\n"
                   "}\n",
                   cases[c].helper);
        Cx *raw = unit_ok(src.data, UNIT_PRIMAL, false), *opt = opt_primal(src.data);
        const IrFunc *f = unit_func(opt, "f");
        assert_int_equal(unit_count_instrs(f, is_call, NULL), 0);
        if (unit_count_instrs(f, fills_y, NULL) != cases[c].fills)
            fail_msg("case %zu (%s): %d fills of y left, expected %d", c, cases[c].helper,
                     unit_count_instrs(f, fills_y, NULL), cases[c].fills);
        double x[4] = {0.3, -1.2, 2.0, 0.7};
        IVal args[2] = {{.i = 4}, {.p = x}};
        double va = interp_call(unit_func(raw, "f"), args), vb = interp_call(f, args);
        if (!(va == vb))
            fail_msg("case %zu (%s): %.17g optimised, %.17g not", c, cases[c].helper, vb, va);
        cx_free(raw);
        cx_free(opt);
        buf_free(&src);
    }
}

static bool adds_constant(const Instr *in, const void *data)
{
    (void)data;
    return in->kind == I_OP && in->op == OP_COPY && in->acc != ACC_SET &&
           in->args[0].kind == OK_REAL;
}

/* v = c then v += d, as reverse mode writes the adjoint of a variable used
 * in several sums: a constant, folded while nothing else writes v in the
 * same block (what an if or a loop did is not known after it, and a loop
 * body does not fold into a set before the loop). The value and gradient
 * are the unoptimised IR's, bit for bit, at points on both sides of the
 * branch. */
static void constant_sums(void **state)
{
    (void)state;
    static const struct {
        const char *body;
        int left;               /* accumulations of constants left in f_grad */
    } cases[] = {
        {"return x + x + x;", 0},
        {"let y = x; if (x > 0) { y = x + x + x; } return y + x;", 4},
        {"let s = 0; for i in 0..n { s += x + x; } return s + x + x;", 1},
        /* a read between: the sum goes on from a new set */
        {"let s = x + x; let t = s * s; return t + x + x;", 0},
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        Buf src;
        buf_init(&src);
        buf_printf(&src, "fn f(int n, x) { %s }\n", cases[c].body);
        Cx *raw = unit_ok(src.data, UNIT_ALL, false), *opt = unit_ok(src.data, UNIT_ALL, true);
        const IrFunc *f = unit_func(opt, "f_grad");
        if (unit_count_instrs(f, adds_constant, NULL) != cases[c].left)
            fail_msg("case %zu (%s): %d accumulations of constants left, expected %d", c,
                     cases[c].body, unit_count_instrs(f, adds_constant, NULL), cases[c].left);
        static const double xs[] = {0.75, -1.3};
        for (int k = 0; k < 2; k++) {
            double ga = 0, gb = 0;
            IVal args_a[3] = {{.i = 3}, {.r = xs[k]}, {.p = &ga}};
            IVal args_b[3] = {{.i = 3}, {.r = xs[k]}, {.p = &gb}};
            double va = interp_call(unit_func(raw, "f_grad"), args_a);
            double vb = interp_call(f, args_b);
            if (!(va == vb) || !(ga == gb))
                fail_msg("case %zu (%s) at x = %g: value %.17g, gradient %.17g optimised; "
                         "%.17g, %.17g not", c, cases[c].body, xs[k], vb, gb, va, ga);
        }
        cx_free(raw);
        cx_free(opt);
        buf_free(&src);
    }
}

static void rows_read_in_place(void **state)
{
    (void)state;
    static const char src[] =
        "fn dot(int n, a[n], b[n]) {\n"
        "    let s = 0;\n"
        "    for j in 0..n { s += a[j] * b[j]; }\n"
        "    return s;\n"
        "}\n"
        "fn f(int T, int n, const X[T][n], w[n]) {\n"
        "    let H[T][n];\n"
        "    let s = 0;\n"
        "    for t in 0..T {\n"
        "        s += dot(n, X[t], w);\n"
        "        H[t][0] = s;\n"
        "        s += dot(n, H[t], w);\n"
        "    }\n"
        "    return s;\n"
        "}\n";
    Cx *raw = unit_ok(src, UNIT_PRIMAL, false), *opt = opt_primal(src);
    IrFunc *f = unit_func(opt, "f");
    assert_int_equal(unit_count_instrs(f, is_call, NULL), 0);
    assert_int_equal(unit_count_instrs(f, names_row_copy, NULL), 0);
    assert_true(unit_count_instrs(f, reads_row, "X") > 0);
    assert_true(unit_count_instrs(f, reads_row, "H") > 0);
    assert_int_equal(unit_count_instrs(unit_func(raw, "f"), passes_row, "X"), 1);
    assert_int_equal(unit_count_instrs(unit_func(raw, "f"), passes_row, "H"), 1);
    assert_int_equal(unit_count_instrs(unit_func(raw, "f"), names_row_copy, NULL), 0);
    double X[6] = {0.3, -1.2, 2.0, 0.5, 1.5, -0.7}, w[3] = {0.4, 0.9, -1.1};
    IVal args[4] = {{.i = 2}, {.i = 3}, {.p = X}, {.p = w}};
    double va = interp_call(unit_func(raw, "f"), args), vb = interp_call(f, args);
    assert_true(va == vb);
    cx_free(raw);
    cx_free(opt);
}

static void optimiser_is_exact(void **state)
{
    (void)state;
    double pts[] = {0.7, -1.3, 2.5, 0.1, -0.4, 1.9};
    same_values("fn f(x, y) = (x + 0) * 1 - 0 + y / 1 + (x - y) * (x - y) + sqrt(4) * x;", "f", pts, 3, 2);
    same_values("fn f(x, y) {\n let a = x * y;\n let b = a;\n if (a > 0) { b = a * a + sin(x); }\n"
                " return b + a * 1 + (x > y ? x : y);\n}", "f", pts, 3, 2);
    same_values("fn f(x, y) = x^2 + x^-1 + x^3 * y^-2 + pow(x * x, y) + 2^3;", "f", pts, 3, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(folds_only_exact_ops),
        cmocka_unit_test(folds_conditions_and_branches),
        cmocka_unit_test(identities),
        cmocka_unit_test(no_useless_arithmetic_after_ad),
        cmocka_unit_test(dead_code),
        cmocka_unit_test(removed_instructions_reused),
        cmocka_unit_test(dead_code_of_any_length),
        cmocka_unit_test(common_subexpressions),
        cmocka_unit_test(copies_propagate),
        cmocka_unit_test(writes_through_references_are_definitions),
        cmocka_unit_test(cse_scope_survives_table_growth),
        cmocka_unit_test(cse_after_copy_retarget),
        cmocka_unit_test(dead_fills),
        cmocka_unit_test(covered_fills),
        cmocka_unit_test(constant_sums),
        cmocka_unit_test(rows_read_in_place),
        cmocka_unit_test(optimiser_is_exact),
    };
    return cmocka_run_group_tests_name("opt", tests, NULL, NULL);
}
