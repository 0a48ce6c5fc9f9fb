/* Semantic checks: the kinds of values (real, int, condition) and the
 * conversions between them, names and scopes, reserved names, the call
 * graph, and that independent errors are all reported. */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* src has exactly n errors, and its diagnostics contain want (if not NULL). */
static void expect_errors(const char *src, int n, const char *want)
{
    int got;
    char *e = unit_errors(src, &got);
    if (got != n) {
        fprintf(stderr, "%d errors (expected %d) for:\n%s\n---\n%s\n", got, n, src, e);
        free(e);
        fail();
    }
    if (want)
        assert_contains(e, want);
    free(e);
}

static void expect_ok(const char *src)
{
    expect_errors(src, 0, NULL);
}

/* ---- kinds and conversions -------------------------------------------------- */

/* An int in a real expression is converted before the operation: i / n is
 * real division there. */
static void int_division_in_real_context(void **state)
{
    (void)state;
    char *ast = unit_ast("fn f(x, int i, int n) = x * (i / n);");
    assert_contains(ast, "(return (* x (/ (real i) (real n))))");
    free(ast);
    Cx *cx = unit_ok("fn f(x, int i, int n) = x * (i / n);", UNIT_PRIMAL, false);
    IrFunc *f = unit_func(cx, "f");
    assert_int_equal(unit_count_op(f, OP_ITOR), 2);
    assert_int_equal(unit_count_op(f, OP_DIV), 1);
    assert_int_equal(unit_count_op(f, OP_IDIV), 0);
    cx_free(cx);
}

/* In an int context (a bound, an index) the same expression stays int. */
static void int_division_in_int_context(void **state)
{
    (void)state;
    const char *src = "fn f(x, int n) {\n"
                      "  let s = 0;\n"
                      "  for i in 0..n / 2 { s += x; }\n"
                      "  return s;\n"
                      "}\n";
    char *ast = unit_ast(src);
    assert_contains(ast, "(for i 0 (/ n 2)");
    assert_not_contains(ast, "(real n)");
    free(ast);
    Cx *cx = unit_ok(src, UNIT_PRIMAL, false);
    IrFunc *f = unit_func(cx, "f");
    assert_int_equal(unit_count_op(f, OP_IDIV), 1);
    assert_int_equal(unit_count_op(f, OP_DIV), 0);
    cx_free(cx);
}

static void conversions(void **state)
{
    (void)state;
    char *ast = unit_ast("fn f(x, int i, int n) = x + i % n + (i < n ? 1 : 0) + (i < x ? n : x);");
    assert_contains(ast, "(real (% i n))");          /* int op, then converted */
    assert_contains(ast, "(< i n)");                 /* an int comparison stays int */
    assert_contains(ast, "(< (real i) x)");          /* a mixed one is real */
    assert_contains(ast, "(? (< (real i) x) (real n) x)");
    free(ast);
    /* x^k: an int exponent stays int, so that x^n is not pow(x, (double)n) */
    ast = unit_ast("fn f(x, int n) = x^n + x^2 + x^2.0;");
    assert_contains(ast, "(^ x n)");
    assert_not_contains(ast, "(real n)");
    free(ast);
    Cx *cx = unit_ok("fn f(x, int n) = x^n + x^2 + x^2.0;", UNIT_PRIMAL, false);
    IrFunc *f = unit_func(cx, "f");
    assert_int_equal(unit_count_op(f, OP_POWI), 2);
    assert_int_equal(unit_count_op(f, OP_POW), 1);
    cx_free(cx);
}

static void condition_used_as_number(void **state)
{
    (void)state;
    expect_errors("fn f(x) = (x < 1) + 2;", 1, "t.fn:1:14: error: a condition is used as a number");
    expect_errors("fn f(x) { let a = x > 0; return a; }", 1, "a condition is used as a number");
    expect_errors("fn f(x) = sin(x < 1);", 1, "a condition is used as a number");
    expect_errors("fn f(x) = !x;", 1, NULL);
}

static void number_used_as_condition(void **state)
{
    (void)state;
    expect_errors("fn f(x) = x ? 1 : 2;", 1,
                  "t.fn:1:11: error: a number is used as a condition (compare it: 'x != 0')");
    expect_errors("fn f(x) { let a = x; if (a) { a = 1; } return a; }", 1,
                  "a number is used as a condition");
    expect_errors("fn f(x) = x < 1 && x ? 1 : 2;", 1, "a number is used as a condition");
    expect_errors("fn f(x) = (x > 0 ? 1 : 2) ? 1 : 2;", 1, NULL);
}

static void real_where_int_needed(void **state)
{
    (void)state;
    expect_errors("fn f(x, int n) { let s = 0; for i in 0..x { s += x; } return s; }", 1,
                  "t.fn:1:41: error: 'x' is real where an int is needed");
    expect_errors("fn f(int n, a[n]) = a[1.5];", 1, "the real number 1.5 is used where an int is needed");
    expect_errors("fn f(int n, a[n], x) = a[x];", 1, "'x' is real where an int is needed");
}

static void chained_comparisons(void **state)
{
    (void)state;
    expect_errors("fn f(x) = x < 1 < 2 ? 1 : 0;", 1, "comparisons cannot be chained");
}

/* ---- names ---------------------------------------------------------------- */

static void duplicate_names(void **state)
{
    (void)state;
    expect_errors("fn f(x, x) = x;", 1,
                  "t.fn:1:9: error: parameter 'x' is declared twice (first at 1:6)");
    expect_errors("fn f(x) { let x = 1; return x; }", 1, "'x' is already a parameter (declared at 1:6)");
    /* LANGUAGE.md v2: again once the first one's block has ended, never while visible */
    expect_ok("fn f(x) { if (x > 0) { let a = 1; } let a = 2; return x; }");
    expect_errors("fn f(x) { let a = 2; if (x > 0) { let a = 1; } return x; }", 1,
                  "t.fn:1:39: error: 'a' is already declared at 1:15 and still visible here");
    expect_errors("fn f(x) = x;\nfn f(y) = y;", 1, "t.fn:2:4: error: function 'f' is already defined at 1:4");
    /* the same name in two functions is fine */
    expect_ok("fn f(x) { let a = x; return a; }\nfn g(x) { let a = x; return a; }");
}

static void undeclared_and_out_of_scope(void **state)
{
    (void)state;
    expect_errors("fn f(x) = xx;", 1, "'xx' is not declared; did you mean 'x'?");
    expect_errors("fn f(x) = zzz;", 1, "'zzz' is not declared");
    expect_errors("fn f(x) { if (x > 0) { let a = 1; } return a; }", 1, "'a' is not visible here");
    expect_errors("fn f(x) = g(x);", 1, "undefined function 'g'");
    expect_errors("fn f(x) { let a = 1; return a(x); }", 1, "'a' is a variable, not a function");
}

static void builtin_names_are_reserved(void **state)
{
    (void)state;
    expect_errors("fn f(sqrt) = 1;", 1,
                  "t.fn:1:6: error: 'sqrt' is a built-in function and cannot name a parameter");
    expect_errors("fn f(x) { let pi = 3; return x; }", 1,
                  "'pi' is a built-in constant and cannot name a variable");
    expect_errors("fn sin(x) = x;", 1, "'sin' is a built-in function and cannot name a function");
    expect_errors("fn f(x) = sin(x, x);", 1, "'sin' takes 1 argument but 2 are given");
    expect_errors("fn f(x) = pi(x);", 1, "'pi' is a constant, not a function");
}

/* Function names become C symbols: C keywords, the C library, the
 * implementation's names, and the names gradc generates are refused. */
static void c_names_of_functions(void **state)
{
    (void)state;
    expect_errors("fn double(x) = x;", 1, "t.fn:1:4: error: function name 'double' is a C or C++ keyword");
    expect_errors("fn class(x) = x;", 1, "function name 'class' is a C or C++ keyword");
    expect_errors("fn printf(x) = x;", 1, "function name 'printf' clashes with the C standard library");
    expect_errors("fn y0(x) = x;", 1, "function name 'y0' clashes with the C standard library");
    expect_errors("fn NAN(x) = x;", 1, "function name 'NAN' clashes with the C standard library");
    expect_errors("fn __f(x) = x;", 1, "function name '__f' is reserved");
    expect_errors("fn gradc_f(x) = x;", 1, "function name 'gradc_f' is reserved");
    expect_errors("fn f(x) = x;\nfn f_grad(x) = x;", 1, "function name 'f_grad' clashes with the 'f_grad'");
    /* parameters and locals may take C names: gradc renames them in C */
    expect_ok("fn f(double, class) { let printf = double * class; let y0 = printf; return y0; }");
    expect_ok("fn foo(x) = x;\nfn grad(x) = x;\nfn f_gradient(x) = x;");
}

/* ---- calls and recursion ------------------------------------------------------ */

static void recursion(void **state)
{
    (void)state;
    expect_errors("fn f(x) = f(x);", 1,
                  "t.fn:1:11: error: 'f' calls itself; recursion is not supported");
    expect_errors("fn a(x) = b(x);\nfn b(x) = c(x) + 1;\nfn c(x) = a(x);", 1,
                  "t.fn:3:11: error: recursive call: a -> b -> c -> a; recursion is not supported");
    expect_errors("fn f(x) { let y = x; if (x > 0) { y = f(x - 1); } return y; }", 1, "'f' calls itself");
    /* calling a later function is fine, and so is calling one twice */
    expect_ok("fn a(x) = b(x) + b(2 * x);\nfn b(x) = x * x;");
}

static void call_checks(void **state)
{
    (void)state;
    expect_errors("fn g(x, y) = x * y;\nfn f(x) = g(x);", 1, "'g' takes 2 arguments but 1 is given");
    expect_errors("fn g(x) = x;\nfn f(x) { g(x); return x; }", 1, "the result of 'g' is unused");
    expect_errors("fn f(x) { sin(x); return x; }", 1, "the result of 'sin' is unused");
}

static void statement_checks(void **state)
{
    (void)state;
    expect_errors("fn f(x) { x = 2; return x; }", 1, "cannot assign to parameter 'x'");
    /* one error: not a second one for the end that has no 'return' */
    expect_errors("fn f(x) { return x; let a = 1; }", 1,
                  "'return' must be the last statement of the function");
    expect_errors("fn f(x) { let a = x; }", 1, "'f' must end with 'return'");
    expect_errors("fn f(x, int n) { let s = 0; for i in 0..n { i = 1; } return s; }", 1,
                  "cannot assign to loop variable 'i'");
    expect_errors("fn f(int n, a[n]) { a[0] = 1; return 0; }", 1, "cannot assign to input array 'a'");
}

static void array_and_out_checks(void **state)
{
    (void)state;
    expect_errors("fn f(a[n], int n) = a[0];", 1,
                  "t.fn:1:8: error: size 'n' of 'a' is declared after it; declare 'int n' earlier in the list");
    expect_errors("fn f(int n, out y) { }", 1, "'out' parameter 'y' must be an array: out y[n]");
    expect_errors("fn f(int n, a[n]) = a[n][0];", 1, "'a' has 1 dimension but 2 indices are given");
    expect_errors("fn f(int n, a[n]) = a;", 1, "'a' is an array; index it: a[i]");
    expect_errors("fn f(int n, a[2]) = a[2];", 1, "index 2 is outside 'a' (valid: 0 to 1)");
    expect_errors("fn f(int n, a[n], out y[n]) { y[0] = a[0]; return 1; }", 1,
                  "'f' has 'out' parameters and returns nothing; remove this 'return'");
    expect_errors("fn g(int n, out y[n]) { y[0] = 1; }\nfn f(int n, a[n]) { g(n, a); return a[0]; }", 1,
                  "'a' is an input of 'f'; parameter 'y' of 'g' is written");
    expect_errors("fn f(x, int n) { let t[x]; return 1; }", 1, "'x' is real where an int is needed");
    expect_errors("fn f(x) = x % 2;", 1, "'x' is real where an int is needed");
    expect_errors("fn f(x, const c) { c = 1; return x; }", 1, "cannot assign to parameter 'c'");
    expect_ok("fn g(int n, out y[n]) { y[0] = 1; }\n"
              "fn f(int n, a[n]) { let t[n]; g(n, t); return a[0] * t[0] + 3 % 2; }");
}

/* Independent errors are all reported and counted; a failed part keeps the
 * expressions around it quiet. */
static void several_independent_errors(void **state)
{
    (void)state;
    expect_errors("fn f(x) = (x < 1) + 2;\n"           /* condition as number */
                  "fn g(x) = x ? 1 : 2;\n"             /* number as condition */
                  "fn h(x, x) = x;\n"                  /* duplicate */
                  "fn k(x) = k(x);\n"                  /* recursion */
                  "fn printf(x) = x;\n"                /* library name */
                  "fn m(x) = zz * 2 + sin(zz) + 1;\n", /* undeclared: once */
                  6, NULL);
    int n;
    char *e = unit_errors("fn f(x) = (x < 1) + 2;\nfn g(x) = x ? 1 : 2;\nfn h(x, x) = x;\n", &n);
    assert_int_equal(n, 3);
    assert_contains(e, "t.fn:1:");
    assert_contains(e, "t.fn:2:");
    assert_contains(e, "t.fn:3:");
    free(e);
    /* one undeclared name inside a big expression is one error */
    expect_errors("fn f(x) = sin(cos(q + 1) * 2) ^ 2 - x;", 1, "'q' is not declared");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(int_division_in_real_context),
        cmocka_unit_test(int_division_in_int_context),
        cmocka_unit_test(conversions),
        cmocka_unit_test(condition_used_as_number),
        cmocka_unit_test(number_used_as_condition),
        cmocka_unit_test(real_where_int_needed),
        cmocka_unit_test(chained_comparisons),
        cmocka_unit_test(duplicate_names),
        cmocka_unit_test(undeclared_and_out_of_scope),
        cmocka_unit_test(builtin_names_are_reserved),
        cmocka_unit_test(c_names_of_functions),
        cmocka_unit_test(recursion),
        cmocka_unit_test(call_checks),
        cmocka_unit_test(statement_checks),
        cmocka_unit_test(array_and_out_checks),
        cmocka_unit_test(several_independent_errors),
    };
    return cmocka_run_group_tests_name("sema", tests, NULL, NULL);
}
