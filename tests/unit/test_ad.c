/* Reverse mode (ad_reverse.c): gradients of whole programs on the IR
 * interpreter (against hand derivatives and finite differences), the
 * calling conventions of f_grad, and structural properties of the adjoint
 * IR that DESIGN.md asks for: no adjoint work for what does not need it,
 * untaken branches stay inside their if, forward values are reused. */
#include "interp.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The gradient of `name` at x, with and without the optimiser; against
 * want (if not NULL) and central finite differences. */
static void check_gradient(const char *src, const char *name, const double *x, int n,
                           const double *want)
{
    for (int opt = 0; opt <= 1; opt++) {
        Cx *cx = unit_ok(src, UNIT_ALL, opt);
        IrFunc *f = unit_func(cx, name);
        double g[8];
        double v = interp_grad(cx, name, x, g);
        double v0 = interp_scalar(f, x);
        if (v != v0)
            fail_msg("%s (opt %d): %s_grad's value %.17g differs from %s's %.17g", src, opt, name,
                     v, name, v0);
        for (int i = 0; i < n; i++) {
            double h = 1e-6 * fmax(1, fabs(x[i]));
            double fd = interp_fd(f, x, i, h);
            if (want && !(fabs(g[i] - want[i]) <= 1e-12 * fmax(1, fabs(want[i]))))
                fail_msg("%s (opt %d): partial %d is %.17g, expected %.17g", src, opt, i, g[i],
                         want[i]);
            if (!(fabs(g[i] - fd) <= 1e-5 * fmax(1, fabs(fd))))
                fail_msg("%s (opt %d): partial %d is %.17g, finite difference %.17g", src, opt, i,
                         g[i], fd);
        }
        cx_free(cx);
    }
}

/* ---- whole programs ------------------------------------------------------------ */

static const char *const SEED = "fn f(x0, x1) = (2*x0 + 5*x1) * (3*x0*x1);";

static void seed_example(void **state)
{
    (void)state;
    double x[2] = {2, 1};
    double want[2] = {39, 84};
    check_gradient(SEED, "f", x, 2, want);
    Cx *cx = unit_ok(SEED, UNIT_ALL, true);
    double g[2];
    assert_close(interp_grad(cx, "f", x, g), 54, 0, 0);
    cx_free(cx);
}

static void rosenbrock(void **state)
{
    (void)state;
    const char *src = "fn rosenbrock(x, y) {\n"
                      "    let a = 1 - x;\n"
                      "    let b = y - x^2;\n"
                      "    return a^2 + 100*b^2;\n"
                      "}\n";
    double pts[3][2] = {{-1.2, 1}, {1, 1}, {0.3, -0.7}};
    for (int i = 0; i < 3; i++) {
        double x = pts[i][0], y = pts[i][1];
        double want[2] = {-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)};
        check_gradient(src, "rosenbrock", pts[i], 2, want);
    }
}

static void locals_and_reassignment(void **state)
{
    (void)state;
    const char *src = "fn f(x, y) {\n"
                      "  let a = x;\n"
                      "  a = a * a;\n"
                      "  a = a + x;\n"
                      "  a *= y;\n"
                      "  let b = a - y;\n"
                      "  a = b / x;\n"
                      "  return a + b;\n"
                      "}\n";
    double x[2] = {1.3, -0.6};
    /* a = (x^2 + x) y; b = a - y; result = b / x + b */
    double X = x[0], Y = x[1];
    double b = (X * X + X) * Y - Y;
    double db_dx = (2 * X + 1) * Y, db_dy = X * X + X - 1;
    double want[2] = {db_dx / X - b / (X * X) + db_dx, db_dy / X + db_dy};
    check_gradient(src, "f", x, 2, want);
}

static void branches(void **state)
{
    (void)state;
    const char *src = "fn f(x, y) {\n"
                      "  let s = x * y;\n"
                      "  let t = y;\n"
                      "  if (x > y) {\n"
                      "    s = s + sin(x);\n"
                      "    if (x > 2) { t = t * x; }\n"
                      "  } else if (x < -1) {\n"
                      "    s = s * cos(y);\n"
                      "  } else {\n"
                      "    t = exp(x);\n"
                      "  }\n"
                      "  return s * x + t;\n"
                      "}\n";
    double pts[5][2] = {{1.5, 0.5}, {3, 1}, {-2, 0.5}, {0.2, 0.9}, {-0.5, 2}};
    for (int i = 0; i < 5; i++)
        check_gradient(src, "f", pts[i], 2, NULL);
}

static void ternaries_and_conditions(void **state)
{
    (void)state;
    const char *src = "fn f(x, y) = (x > y ? x * x : y * sin(x)) + (x < 0 || y < 0 && x > 1 ? y : 2 * x)"
                      " + (x > 0 ? (y > 0 ? log(x + y) : x) : -y);";
    double pts[6][2] = {{1.5, 0.5}, {0.5, 1.5}, {-1, 2}, {2, -1}, {-1, -3}, {0.7, 0.2}};
    for (int i = 0; i < 6; i++)
        check_gradient(src, "f", pts[i], 2, NULL);
}

/* Calls go through the callee's reverse helper; the gradient reaches the
 * caller's inputs through every argument. */
static void calls(void **state)
{
    (void)state;
    double x = 3, want = 6;
    check_gradient("fn h(x) = x * x;\nfn f(x) = h(x);", "f", &x, 1, &want);
    double xy[2] = {3, 2};
    double want2[2] = {2 * 3 * 2, 9 + 2 * 2};
    check_gradient("fn h(x) = x * x;\nfn k(x, y) = h(x) * y + h(y);", "k", xy, 2, want2);
}

static void nested_calls(void **state)
{
    (void)state;
    const char *src = "fn a(x) = sin(x) * x;\n"
                      "fn b(x, y) = a(x * y) + a(y) / (1 + x * x);\n"
                      "fn c(x, y) {\n"
                      "  let u = b(x, y);\n"
                      "  if (u > 0) { u = u * b(y, x); }\n"
                      "  return u + a(2) * x;\n"
                      "}\n";
    double pts[3][2] = {{0.7, 1.3}, {-0.4, 2.1}, {1.9, -0.8}};
    for (int i = 0; i < 3; i++)
        check_gradient(src, "c", pts[i], 2, NULL);
}

/* Int and const arguments of a callee carry no gradient. */
static void calls_with_int_and_const(void **state)
{
    (void)state;
    double x = 1.5, want = 3 * 1.5 * 1.5 + 4 * 1.5;
    check_gradient("fn p(x, int n) = x^n;\nfn f(x) = p(x, 3) + p(x, 2) * 2;", "f", &x, 1, &want);
    double want2 = 2 * 3 * 1.5;
    check_gradient("fn q(const c, x) = c * x * x;\nfn f(x) = q(3, x);", "f", &x, 1, &want2);
}

/* ---- calling conventions ----------------------------------------------------- */

/* const inputs get no gradient argument; int inputs neither. */
static void grad_signature(void **state)
{
    (void)state;
    Cx *cx = unit_ok("fn f(x, const c, int n, y) = c * sin(x) * n + y;", UNIT_ALL, true);
    IrFunc *g = unit_func(cx, "f_grad");
    assert_non_null(g);
    assert_true(g->exported);
    assert_int_equal(g->role, ROLE_GRAD);
    assert_int_equal(g->params.len, 6);
    const IrVar *gx = g->params.items[4], *gy = g->params.items[5];
    assert_true(gx->by_ref && gy->by_ref);
    assert_true(gx->nullable && gy->nullable);
    assert_string_equal(gx->name, "g_x");
    assert_string_equal(gy->name, "g_y");
    double gxv = NAN, gyv = NAN;
    IVal args[6] = {{0}};
    args[0].r = 0.5;
    args[1].r = 2;
    args[2].i = 3;
    args[3].r = 7;
    args[4].p = &gxv;
    args[5].p = &gyv;
    double v = interp_call(g, args);
    assert_close(v, 2 * sin(0.5) * 3 + 7, 1e-15, 1e-15);
    assert_close(gxv, 2 * cos(0.5) * 3, 1e-15, 1e-15);
    assert_close(gyv, 1, 0, 0);
    /* a NULL pointer skips that output */
    double other = NAN;
    args[4].p = NULL;
    args[5].p = &other;
    assert_close(interp_call(g, args), v, 0, 0);
    assert_close(other, 1, 0, 0);
    args[4].p = &gxv;
    args[5].p = NULL;
    gxv = NAN;
    interp_call(g, args);
    assert_close(gxv, 2 * cos(0.5) * 3, 1e-15, 1e-15);
    cx_free(cx);
}

/* Gradients are overwritten, including with the zero of an input the
 * value does not depend on. */
static void gradients_are_overwritten(void **state)
{
    (void)state;
    Cx *cx = unit_ok("fn f(x, y, z) = x * x + 0 * sin(2);", UNIT_ALL, true);
    double x[3] = {2, 5, 7}, g[3];
    interp_grad(cx, "f", x, g);                 /* interp_grad fills g with NaN first */
    assert_close(g[0], 4, 0, 0);
    assert_true(g[1] == 0 && !signbit(g[1]));
    assert_true(g[2] == 0);
    cx_free(cx);
}

/* Two calls give the same result: nothing leaks from one into the next. */
static void no_state_between_calls(void **state)
{
    (void)state;
    Cx *cx = unit_ok("fn h(x) = x * x * x;\nfn f(x, y) = h(x) * y + h(y);", UNIT_ALL, true);
    double x[2] = {1.1, 0.4}, g1[2], g2[2], g3[2];
    interp_grad(cx, "f", x, g1);
    double other[2] = {-3, 2};
    interp_grad(cx, "f", other, g3);
    interp_grad(cx, "f", x, g2);
    assert_true(g1[0] == g2[0] && g1[1] == g2[1]);
    cx_free(cx);
}

/* ---- structure of the adjoint IR ---------------------------------------------- */

static bool writes_var(const Instr *in, const void *data)
{
    return in->kind == I_OP && in->dst == data;
}

static bool writes_zero(const Instr *in, const void *data)
{
    return writes_var(in, data) && in->op == OP_COPY && in->acc == ACC_SET &&
           in->args[0].kind == OK_REAL && in->args[0].real == 0;
}

static int adjoints_of(const IrFunc *g, const char *name)
{
    int n = 0;
    for (int i = 0; i < g->vars.len; i++) {
        const IrVar *v = g->vars.items[i];
        n += v->adj_of && v->adj_of->name && strcmp(v->adj_of->name, name) == 0;
    }
    return n;
}

/* An input the output does not depend on gets no adjoint, and its
 * gradient is written as 0. */
static void independent_input(void **state)
{
    (void)state;
    for (int opt = 0; opt <= 1; opt++) {
        Cx *cx = unit_ok("fn f(x, y) = x * x;", UNIT_ALL, opt);
        IrFunc *g = unit_func(cx, "f_grad");
        const IrVar *gy = g->params.items[3];
        assert_string_equal(gy->name, "g_y");
        assert_int_equal(unit_count_instrs(g, writes_var, gy), 1);
        assert_int_equal(unit_count_instrs(g, writes_zero, gy), 1);
        assert_int_equal(adjoints_of(g, "y"), 0);
        assert_int_equal(adjoints_of(g, "x"), 1);
        cx_free(cx);
    }
}

/* Values computed from constants only get no adjoint and no derivative
 * code (sin(2)'s derivative would need a cos). */
static void constants_get_no_adjoint(void **state)
{
    (void)state;
    for (int opt = 0; opt <= 1; opt++) {
        Cx *cx = unit_ok("fn f(x) {\n let c = sin(2);\n let d = c * c + pi;\n return d * x;\n}",
                         UNIT_ALL, opt);
        IrFunc *g = unit_func(cx, "f_grad");
        assert_int_equal(unit_count_op(g, OP_SIN), 1);
        assert_int_equal(unit_count_op(g, OP_COS), 0);
        assert_int_equal(adjoints_of(g, "c"), 0);
        assert_int_equal(adjoints_of(g, "d"), 0);
        cx_free(cx);
    }
}

/* Values that only feed a condition need no adjoint either. */
static void conditions_get_no_adjoint(void **state)
{
    (void)state;
    for (int opt = 0; opt <= 1; opt++) {
        Cx *cx = unit_ok("fn f(x, y) {\n let c = exp(y);\n let r = x;\n if (c > 2) { r = x * 3; }\n return r;\n}",
                         UNIT_ALL, opt);
        IrFunc *g = unit_func(cx, "f_grad");
        assert_int_equal(adjoints_of(g, "c"), 0);
        assert_int_equal(adjoints_of(g, "y"), 0);
        assert_int_equal(unit_count_op(g, OP_EXP), 1);      /* the forward one only */
        cx_free(cx);
    }
}

typedef struct Depth {
    Opcode op;
    int found, min_depth;
} Depth;

static void depth_of_op(const IrBlock *b, int depth, Depth *d)
{
    for (int i = 0; i < b->instrs.len; i++) {
        const Instr *in = b->instrs.items[i];
        if (in->kind == I_OP && in->op == d->op) {
            d->found++;
            if (d->min_depth < 0 || depth < d->min_depth)
                d->min_depth = depth;
        }
        if (in->then)
            depth_of_op(in->then, depth + 1, d);
        if (in->els)
            depth_of_op(in->els, depth + 1, d);
        if (in->body)
            depth_of_op(in->body, depth + 1, d);
    }
}

/* The adjoint code of a branch stays inside an if on the same condition,
 * so a branch that did not run costs nothing and adds no 0 * inf. */
static void branch_adjoint_inside_if(void **state)
{
    (void)state;
    for (int opt = 0; opt <= 1; opt++) {
        Cx *cx = unit_ok("fn f(x) {\n let y = x;\n if (x > 0) { y = sin(x); }\n return y;\n}",
                         UNIT_ALL, opt);
        IrFunc *g = unit_func(cx, "f_grad");
        Depth d = {OP_COS, 0, -1};
        depth_of_op(g->body, 0, &d);
        assert_int_equal(d.found, 1);
        assert_int_equal(d.min_depth, 1);
        Depth s = {OP_SIN, 0, -1};
        depth_of_op(g->body, 0, &s);
        assert_int_equal(s.min_depth, 1);
        cx_free(cx);
    }
}

/* The rules use forward values: after CSE, f_grad computes sin(x) and
 * cos(x) once each, and exp(x) once. */
static void forward_values_are_reused(void **state)
{
    (void)state;
    Cx *cx = unit_ok("fn f(x) = sin(x) + cos(x);\nfn g(x) = exp(x) * 2;\nfn h(x) = tanh(x) + sqrt(x);",
                     UNIT_ALL, true);
    IrFunc *f = unit_func(cx, "f_grad"), *g = unit_func(cx, "g_grad"), *h = unit_func(cx, "h_grad");
    assert_int_equal(unit_count_op(f, OP_SIN), 1);
    assert_int_equal(unit_count_op(f, OP_COS), 1);
    assert_int_equal(unit_count_op(g, OP_EXP), 1);
    assert_int_equal(unit_count_op(h, OP_TANH), 1);
    assert_int_equal(unit_count_op(h, OP_SQRT), 1);
    cx_free(cx);
    /* without the optimiser the rule's own cos is there too */
    cx = unit_ok("fn f(x) = sin(x) + cos(x);", UNIT_ALL, false);
    assert_int_equal(unit_count_op(unit_func(cx, "f_grad"), OP_COS), 2);
    cx_free(cx);
}

/* The helper that callers' reverse sweeps call is made once, is not
 * exported, and only for functions that are called. */
static void reverse_helpers(void **state)
{
    (void)state;
    /* without optimisation: optimised, a callee this small is inlined */
    Cx *cx = unit_ok("fn h(x) = x * x;\nfn f(x) = h(x) + h(2 * x);\nfn g(x) = h(x) * x;\nfn k(x) = x;",
                     UNIT_ALL, false);
    int rev = 0, grads = 0;
    for (int i = 0; i < cx->ir->funcs.len; i++) {
        const IrFunc *fn = cx->ir->funcs.items[i];
        if (fn->role == ROLE_REV) {
            rev++;
            assert_false(fn->exported);
            assert_ptr_equal(fn->primal, unit_func(cx, "h"));
        }
        if (fn->role == ROLE_GRAD) {
            grads++;
            assert_true(fn->exported);
        }
    }
    assert_int_equal(rev, 1);
    assert_int_equal(grads, 4);
    assert_ptr_equal(unit_func(cx, "h")->grad, unit_func(cx, "h_grad"));
    cx_free(cx);
}

/* ---- while and break ----------------------------------------------------------- */

static const char *const KEPLER = "fn kepler(M, e) {\n"
                                  "  let E = M;\n"
                                  "  let step = 1;\n"
                                  "  while (abs(step) > 1e-14) {\n"
                                  "    step = (E - e * sin(E) - M) / (1 - e * cos(E));\n"
                                  "    E = E - step;\n"
                                  "  }\n"
                                  "  return E;\n"
                                  "}\n";

/* Newton's iteration runs a number of times that depends on the point; its
 * derivative is the implicit function's. */
static void while_newton(void **state)
{
    (void)state;
    double pts[4][2] = {{0.5, 0.1}, {1, 0.5}, {2.5, 0.9}, {-1, 0.3}};
    for (int i = 0; i < 4; i++) {
        Cx *cx = unit_ok(KEPLER, UNIT_ALL, true);
        double E = interp_scalar(unit_func(cx, "kepler"), pts[i]);
        double D = 1 - pts[i][1] * cos(E);
        double want[2] = {1 / D, sin(E) / D};
        cx_free(cx);
        check_gradient(KEPLER, "kepler", pts[i], 2, want);
    }
}

/* The number of loops of b that may exit early, failing if one has a tape
 * reservation before it (made from bounds that are not its trip count). */
static int early_exits_unreserved(const IrBlock *b)
{
    int n = 0;
    for (int i = 0; i < b->instrs.len; i++) {
        const Instr *in = b->instrs.items[i];
        if (ir_exits_early(in)) {
            n++;
            for (int k = i - 1; k >= 0 && ((Instr *)b->instrs.items[k])->kind != I_FOR; k--)
                assert_int_not_equal(((Instr *)b->instrs.items[k])->kind, I_RESERVE);
        }
        const IrBlock *sub[3] = {in->then, in->els, in->body};
        for (int k = 0; k < 3; k++)
            if (sub[k])
                n += early_exits_unreserved(sub[k]);
    }
    return n;
}

/* Nested loops: an inner while and an inner for left by break run a count
 * that changes from one outer iteration to the next (each run's count goes
 * on the tape); a while that runs no iteration; code after a break. */
static void while_and_break_nested(void **state)
{
    (void)state;
    const char *src = "fn f(x, y) {\n"
                      "  let s = 0;\n"
                      "  for i in 0..4 {\n"
                      "    let v = x * x + i;\n"
                      "    while (v > 0.1) { v = v * 0.5 * y + 0.01 * sin(s); }\n"
                      "    s += v;\n"
                      "    for j in 0..10 {\n"
                      "      if (j * y > 2 + i) { s = s * y; break; }\n"
                      "      s += sin(x * j) * v;\n"
                      "    }\n"
                      "  }\n"
                      "  while (s > 100) { s = s / 2; }\n"
                      "  return s;\n"
                      "}\n";
    double pts[4][2] = {{0.5, 0.7}, {1.2, 1.3}, {-0.8, 0.55}, {0.1, 1.1}};
    for (int i = 0; i < 4; i++)
        check_gradient(src, "f", pts[i], 2, NULL);
    /* the trip counts are only known at run time: no tape reservation */
    Cx *cx = unit_ok(src, UNIT_ALL, true);
    assert_int_equal(early_exits_unreserved(unit_func(cx, "f_grad")->body), 3);
    cx_free(cx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(seed_example),
        cmocka_unit_test(rosenbrock),
        cmocka_unit_test(locals_and_reassignment),
        cmocka_unit_test(branches),
        cmocka_unit_test(ternaries_and_conditions),
        cmocka_unit_test(calls),
        cmocka_unit_test(nested_calls),
        cmocka_unit_test(calls_with_int_and_const),
        cmocka_unit_test(grad_signature),
        cmocka_unit_test(gradients_are_overwritten),
        cmocka_unit_test(no_state_between_calls),
        cmocka_unit_test(independent_input),
        cmocka_unit_test(constants_get_no_adjoint),
        cmocka_unit_test(conditions_get_no_adjoint),
        cmocka_unit_test(branch_adjoint_inside_if),
        cmocka_unit_test(forward_values_are_reused),
        cmocka_unit_test(reverse_helpers),
        cmocka_unit_test(while_newton),
        cmocka_unit_test(while_and_break_nested),
    };
    return cmocka_run_group_tests_name("ad", tests, NULL, NULL);
}
