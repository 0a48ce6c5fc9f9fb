/* The grammar, through compile_front and the AST printer: precedence and
 * associativity, the two function forms, statements, and syntax errors
 * (location and what was expected). */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The AST of `fn f(ARGS) = EXPR;` (sema included, so int-to-real
 * conversions appear where an int meets a real). */
static char *expr_ast(const char *args, const char *expr)
{
    char src[1024];
    snprintf(src, sizeof src, "fn f(%s) = %s;", args, expr);
    return unit_ast(src);
}

#define assert_parses_as(args, expr, want)  \
    do {                                    \
        char *ast_ = expr_ast(args, expr);  \
        assert_contains(ast_, want);        \
        free(ast_);                         \
    } while (0)

static void unary_minus_and_power(void **state)
{
    (void)state;
    assert_parses_as("x", "-x^2", "(return (neg (^ x 2)))");
    assert_parses_as("x", "-2^2", "(return (neg (^ 2 2)))");
    assert_parses_as("x", "x^-2", "(return (^ x (neg 2)))");
    assert_parses_as("x", "x^-x^2", "(return (^ x (neg (^ x 2))))");
    assert_parses_as("x", "-x * 3", "(return (* (neg x) 3))");
    assert_parses_as("x", "+x", "(return (+ x))");
    assert_parses_as("x", "- -x", "(return (neg (neg x)))");
}

static void power_is_right_associative(void **state)
{
    (void)state;
    assert_parses_as("x", "2^3^2", "(return (^ 2 (^ 3 2)))");
    assert_parses_as("x", "x^2^x", "(return (^ x (^ 2 x)))");
    assert_parses_as("x", "(x^2)^3", "(return (^ (^ x 2) 3))");
}

static void arithmetic_is_left_associative(void **state)
{
    (void)state;
    assert_parses_as("a, b, c", "a - b - c", "(return (- (- a b) c))");
    assert_parses_as("a, b, c", "a / b / c", "(return (/ (/ a b) c))");
    assert_parses_as("a, b, c", "a - b + c", "(return (+ (- a b) c))");
    assert_parses_as("a, b, c", "a + b * c", "(return (+ a (* b c)))");
    assert_parses_as("a, b, c", "a * b + c", "(return (+ (* a b) c))");
    assert_parses_as("a, b, c", "(a + b) * c", "(return (* (+ a b) c))");
    assert_parses_as("a, b, c", "a * b ^ c", "(return (* a (^ b c)))");
}

static void conditions(void **state)
{
    (void)state;
    /* && binds tighter than ||, both looser than comparisons */
    assert_parses_as("x", "x < 1 || x > 2 && x < 3 ? 1 : 0",
                     "(? (|| (< x 1) (&& (> x 2) (< x 3))) 1 0)");
    assert_parses_as("x", "x < 1 && x > 2 || x < 3 ? 1 : 0",
                     "(? (|| (&& (< x 1) (> x 2)) (< x 3)) 1 0)");
    /* comparisons are looser than arithmetic */
    assert_parses_as("x", "x + 1 < 2 * x ? 1 : 0", "(? (< (+ x 1) (* 2 x)) 1 0)");
    assert_parses_as("x", "!(x < 1) ? 1 : 0", "(? (! (< x 1)) 1 0)");
    assert_parses_as("x", "x == 1 || x != 2 || x <= 3 || x >= 4 ? 1 : 0",
                     "(? (|| (|| (|| (== x 1) (!= x 2)) (<= x 3)) (>= x 4)) 1 0)");
}

static void ternary_is_right_associative(void **state)
{
    (void)state;
    assert_parses_as("x", "x > 0 ? 1 : x < 0 ? 2 : 3", "(return (? (> x 0) 1 (? (< x 0) 2 3)))");
    assert_parses_as("x", "x > 0 ? x < 1 ? 4 : 5 : 6", "(return (? (> x 0) (? (< x 1) 4 5) 6))");
    assert_parses_as("x", "1 + (x > 0 ? x : -x)", "(return (+ 1 (? (> x 0) x (neg x))))");
}

static void calls_and_indices(void **state)
{
    (void)state;
    assert_parses_as("x", "sin(x)^2", "(return (^ (call sin x) 2))");
    assert_parses_as("x, y", "atan2(y, x * 2)", "(return (call atan2 y (* x 2)))");
    char *ast = unit_ast("fn g(int n, a[n], A[n][2]) = a[n - 1] * A[0][1];");
    assert_contains(ast, "(fn g ((int n) (real a[n]) (real A[n][2]))");
    assert_contains(ast, "(return (* (index a (- n 1)) (index A 0 1)))");
    free(ast);
}

static void function_forms(void **state)
{
    (void)state;
    char *ast = unit_ast("fn f(x0, x1) = (2*x0 + 5*x1) * (3*x0*x1);\n"
                         "fn rosenbrock(x, y) {\n"
                         "    let a = 1 - x;\n"
                         "    let b = y - x^2;\n"
                         "    return a^2 + 100*b^2;\n"
                         "}\n"
                         "fn none() = 1;\n");
    assert_string_equal(ast,
        "(fn f ((real x0) (real x1))\n"
        "    (block\n"
        "        (return (* (+ (* 2 x0) (* 5 x1)) (* (* 3 x0) x1)))))\n"
        "(fn rosenbrock ((real x) (real y))\n"
        "    (block\n"
        "        (let a (- 1 x))\n"
        "        (let b (- y (^ x 2)))\n"
        "        (return (+ (^ a 2) (* 100 (^ b 2))))))\n"
        "(fn none ()\n"
        "    (block\n"
        "        (return 1)))\n");
    free(ast);
}

static void statements(void **state)
{
    (void)state;
    char *ast = unit_ast("fn g(int n, x, const c, out y[n]) {\n"
                         "  let t[n];\n"
                         "  let s = x;\n"
                         "  s += c; s -= 1; s *= 2; s /= 3;\n"
                         "  for i in 0..n { t[i] = s; y[i] += t[i]; }\n"
                         "  if (s > 0) { s = 1; } else if (s < 0) { s = 2; } else { s = 3; }\n"
                         "}\n"
                         "fn h(int n, x) {\n"
                         "  let y[n];\n"
                         "  g(n, x, 1, y);\n"
                         "  return y[0];\n"
                         "}\n");
    assert_contains(ast, "(fn g ((int n) (real x) (const c) (out y[n]))");
    assert_contains(ast, "(let t[n])");
    assert_contains(ast, "(+= s c)");
    assert_contains(ast, "(-= s 1)");
    assert_contains(ast, "(*= s 2)");
    assert_contains(ast, "(/= s 3)");
    assert_contains(ast, "(for i 0 n");
    assert_contains(ast, "(= (index t i) s)");
    assert_contains(ast, "(+= (index y i) (index t i))");
    /* else-if is an else block holding one if */
    assert_contains(ast, "(if (> s 0)\n"
                         "            (block\n"
                         "                (= s 1))\n"
                         "            (block\n"
                         "                (if (< s 0)");
    assert_contains(ast, "(do (call g n x 1 y))");
    free(ast);
}

/* CRLF line ends and comments anywhere parse like LF and nothing. */
static void crlf_and_comments(void **state)
{
    (void)state;
    char *a = unit_ast("fn f(x) {  # a comment\r\n"
                       "  // another\r\n"
                       "  let a = x; // trailing\r\n"
                       "  return a;\r\n"
                       "}\r\n");
    char *b = unit_ast("fn f(x) {\n  let a = x;\n  return a;\n}\n");
    assert_string_equal(a, b);
    free(a);
    free(b);
}

/* ---- syntax errors ------------------------------------------------------------ */

typedef struct BadCase {
    const char *src;
    const char *want;           /* LINE:COL: error: MESSAGE (or a part of it) */
} BadCase;

static void check_bad(const BadCase *c)
{
    int n;
    char *e = unit_errors(c->src, &n);
    if (n < 1)
        fail_msg("no error for:\n%s", c->src);
    assert_contains(e, c->want);
    free(e);
}

static void syntax_error_messages(void **state)
{
    (void)state;
    static const BadCase cases[] = {
        {"fn f(x) = x +;", "t.fn:1:14: error: expected expression before ';'"},
        {"fn f(x { return x; }", "t.fn:1:8: error: expected ')', ',' or '[' before '{' (to close '(' at 1:5)"},
        {"fn f(x) {\n  return (x + 1;\n}", "t.fn:2:16: error: expected ')' before ';' (to close '(' at 2:10)"},
        {"fn f(x) {\n  let a = x\n  return a;\n}", "t.fn:3:3: error: expected ';' before 'return'"},
        {"fn f(x) { if x > 0 { return x; } return 0; }", "t.fn:1:14: error: the condition of 'if' is in parentheses: if (x > 0) { ... }"},
        {"fn (x) = x;", "t.fn:1:4: error: expected identifier before '('"},
        {"fn f(x) = * x;", "t.fn:1:11: error: expected expression before '*'"},
        {"fn f(x) = 1..2;", "t.fn:1:12: error: expected ';' before '..'"},
        {"fn f(x) {\r\n  return x +* 2;\r\n}", "t.fn:2:13: error: expected expression before '*'"},
        {"fn f(int) = 1;", "t.fn:1:9: error: expected identifier before ')'"},
        {"fn f(x) = x x;", "t.fn:1:13: error: expected ';' before identifier 'x'"},
        {"fn f(x) = 2 3;", "t.fn:1:13: error: expected ';' before number '3'"},
        {"let a = 1;", "t.fn:1:1: error: expected end of file or 'fn' before 'let'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        check_bad(&cases[i]);
}

/* Errors at the end of the input say so, and point at the end of the
 * input, past the last token. */
static void syntax_error_at_end_of_file(void **state)
{
    (void)state;
    int n;
    char *e = unit_errors("fn f(x) = x", &n);
    assert_int_equal(n, 1);
    assert_contains(e, "error: expected ';' at end of file");
    assert_contains(e, "t.fn:1:12: error:");
    free(e);
}

/* An unclosed block names the '}' it expects and the '{' it closes. */
static void unclosed_block(void **state)
{
    (void)state;
    int n;
    char *e = unit_errors("fn f(x) {\n  return x;\n", &n);
    assert_int_equal(n, 1);
    assert_contains(e, "(to close '{' at 1:9)");
    assert_contains(e, "expected '}'");
    free(e);
}

/* Recovery: one run reports the independent syntax errors of several
 * functions, and only those. */
static void several_syntax_errors(void **state)
{
    (void)state;
    int n;
    char *e = unit_errors("fn f(x) = x;\n"
                          "fn g(x) = x +;\n"
                          "fn h(x) = * x;\n"
                          "fn k(x) { let a = ; return a; }\n"
                          "fn m(x) = x;\n", &n);
    assert_int_equal(n, 3);
    assert_contains(e, "t.fn:2:14: error:");
    assert_contains(e, "t.fn:3:11: error:");
    assert_contains(e, "t.fn:4:19: error:");
    free(e);
}

/* Two compilations in one process are independent (no parser globals). */
static void parser_is_reentrant(void **state)
{
    (void)state;
    Cx *a = cx_new("a.fn", "fn f(x) = x +;", 14);
    Cx *b = cx_new("b.fn", "fn g(y) = y;", 12);
    assert_false(compile_front(a));
    assert_true(compile_front(b));
    assert_int_equal(b->diag.errors, 0);
    assert_int_equal(a->diag.errors, 1);
    cx_free(a);
    cx_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(unary_minus_and_power),
        cmocka_unit_test(power_is_right_associative),
        cmocka_unit_test(arithmetic_is_left_associative),
        cmocka_unit_test(conditions),
        cmocka_unit_test(ternary_is_right_associative),
        cmocka_unit_test(calls_and_indices),
        cmocka_unit_test(function_forms),
        cmocka_unit_test(statements),
        cmocka_unit_test(crlf_and_comments),
        cmocka_unit_test(syntax_error_messages),
        cmocka_unit_test(syntax_error_at_end_of_file),
        cmocka_unit_test(unclosed_block),
        cmocka_unit_test(several_syntax_errors),
        cmocka_unit_test(parser_is_reentrant),
    };
    return cmocka_run_group_tests_name("parser", tests, NULL, NULL);
}
