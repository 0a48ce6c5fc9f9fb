/* The scanner, driven directly (yylex through the generated parser.h) for
 * token kinds, values and spans, and through compile_front for what the
 * parser makes of them and for lexical errors. */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parser.h"

enum { MAX_TOKENS = 64 };

typedef struct Lexed {
    Cx *cx;
    int n;
    int kind[MAX_TOKENS];
    Span at[MAX_TOKENS];
    YYSTYPE val[MAX_TOKENS];
} Lexed;

/* Scans src (len bytes) to the end; the caller frees lx->cx. */
static void lex(Lexed *lx, const char *src, size_t len)
{
    memset(lx, 0, sizeof *lx);
    lx->cx = cx_new("t.fn", src, len);
    yyscan_t scanner;
    Scan scan = {.cx = lx->cx, .pos = {1, 1, 0}, .err_line = -1};
    assert_true(lex_scan_init(&scan, lx->cx->diag.src, lx->cx->diag.len, &scanner));
    for (;;) {
        assert_true(lx->n < MAX_TOKENS);
        YYSTYPE v;
        Span at = {0, 0, 0};
        memset(&v, 0, sizeof v);
        int k = yylex(&v, &at, scanner);
        if (k == END)
            break;
        lx->kind[lx->n] = k;
        lx->at[lx->n] = at;
        lx->val[lx->n] = v;
        lx->n++;
    }
    lex_scan_fini(scanner);
}

static void lex_str(Lexed *lx, const char *src)
{
    lex(lx, src, strlen(src));
}

static void assert_kinds(const Lexed *lx, const int *kinds, int n)
{
    if (lx->n != n) {
        print_error("scanned %d tokens, expected %d\n", lx->n, n);
        fail();
    }
    for (int i = 0; i < n; i++)
        if (lx->kind[i] != kinds[i])
            fail_msg("token %d is %d, expected %d", i, lx->kind[i], kinds[i]);
}

static void number_forms(void **state)
{
    (void)state;
    Lexed lx;
    lex_str(&lx, "12 1.5 .5 3. 1e-3 2.5E+10 7e2 0");
    static const double want[] = {12, 1.5, .5, 3., 1e-3, 2.5E+10, 700, 0};
    static const bool is_int[] = {true, false, false, false, false, false, false, true};
    static const char *const text[] = {"12", "1.5", ".5", "3.", "1e-3", "2.5E+10", "7e2", "0"};
    assert_int_equal(lx.n, 8);
    for (int i = 0; i < 8; i++) {
        assert_int_equal(lx.kind[i], NUMBER);
        assert_close(lx.val[i].num.value, want[i], 0, 0);
        if (lx.val[i].num.is_int != is_int[i])
            fail_msg("'%s': is_int should be %d", text[i], is_int[i]);
        assert_string_equal(lx.val[i].num.text, text[i]);
    }
    assert_int_equal(lx.cx->diag.errors, 0);
    cx_free(lx.cx);
}

/* A range a..b: the integer before '..' is an int, not the real '0.'. */
static void range_lexes_as_int_dotdot_int(void **state)
{
    (void)state;
    Lexed lx;
    lex_str(&lx, "0..n 1..20 i..j");
    static const int kinds[] = {NUMBER, DOTDOT, IDENT, NUMBER, DOTDOT, NUMBER, IDENT, DOTDOT, IDENT};
    assert_kinds(&lx, kinds, 9);
    assert_true(lx.val[0].num.is_int);
    assert_close(lx.val[0].num.value, 0, 0, 0);
    assert_true(lx.val[3].num.is_int);
    assert_true(lx.val[5].num.is_int);
    assert_close(lx.val[5].num.value, 20, 0, 0);
    assert_int_equal(lx.at[1].col, 2);
    assert_int_equal(lx.at[2].col, 4);
    cx_free(lx.cx);
}

static void keywords_identifiers_operators(void **state)
{
    (void)state;
    Lexed lx;
    lex_str(&lx, "fn let return if else for in int out const fnx _a1 "
                 "+= -= *= /= <= >= == != && || .. ( ) [ ] { } , ; = + - * / ^ < > ! ? : %");
    static const int kinds[] = {
        FN, LET, RETURN, IF, ELSE, FOR, IN, INT, OUT, CONST, IDENT, IDENT,
        ADD_ASSIGN, SUB_ASSIGN, MUL_ASSIGN, DIV_ASSIGN, LE, GE, EQ, NE, AND, OR, DOTDOT,
        '(', ')', '[', ']', '{', '}', ',', ';', '=', '+', '-', '*', '/', '^', '<', '>', '!',
        '?', ':', '%',
    };
    assert_kinds(&lx, kinds, (int)(sizeof kinds / sizeof *kinds));
    assert_string_equal(lx.val[10].id, "fnx");
    assert_string_equal(lx.val[11].id, "_a1");
    assert_int_equal(lx.cx->diag.errors, 0);
    cx_free(lx.cx);
}

/* The same identifier twice is the same interned pointer. */
static void identifiers_are_interned(void **state)
{
    (void)state;
    Lexed lx;
    lex_str(&lx, "abc xyz abc");
    assert_int_equal(lx.n, 3);
    assert_ptr_equal(lx.val[0].id, lx.val[2].id);
    assert_ptr_not_equal(lx.val[0].id, lx.val[1].id);
    cx_free(lx.cx);
}

static void spans_lines_columns_offsets(void **state)
{
    (void)state;
    Lexed lx;
    const char *src = "fn f(x)\n  = x;\n\n\tret";
    lex_str(&lx, src);
    assert_int_equal(lx.n, 9);
    /* fn */
    assert_int_equal(lx.at[0].line, 1);
    assert_int_equal(lx.at[0].col, 1);
    /* ( at 1:5 */
    assert_int_equal(lx.at[2].line, 1);
    assert_int_equal(lx.at[2].col, 5);
    assert_int_equal(lx.at[2].off, 4);
    /* = at 2:3 */
    assert_int_equal(lx.kind[5], '=');
    assert_int_equal(lx.at[5].line, 2);
    assert_int_equal(lx.at[5].col, 3);
    assert_int_equal(lx.at[5].off, 10);
    /* ret after a blank line and a tab (a tab is one byte column) */
    assert_int_equal(lx.at[8].line, 4);
    assert_int_equal(lx.at[8].col, 2);
    assert_int_equal(lx.at[8].off, (int)(strstr(src, "ret") - src));
    cx_free(lx.cx);
}

static void comments(void **state)
{
    (void)state;
    Lexed lx;
    /* UTF-8 is allowed in comments; a comment may end the file */
    lex_str(&lx, "a # one + two\nb // three * four\n# caf\xc3\xa9\nc // end");
    static const int kinds[] = {IDENT, IDENT, IDENT};
    assert_kinds(&lx, kinds, 3);
    assert_int_equal(lx.at[1].line, 2);
    assert_int_equal(lx.at[2].line, 4);
    assert_int_equal(lx.at[2].col, 1);
    assert_int_equal(lx.cx->diag.errors, 0);
    cx_free(lx.cx);
}

static void crlf_line_ends(void **state)
{
    (void)state;
    Lexed lx;
    lex_str(&lx, "a\r\nb\r\n  c");
    assert_int_equal(lx.n, 3);
    assert_int_equal(lx.at[1].line, 2);
    assert_int_equal(lx.at[1].col, 1);
    assert_int_equal(lx.at[2].line, 3);
    assert_int_equal(lx.at[2].col, 3);
    assert_int_equal(lx.cx->diag.errors, 0);
    cx_free(lx.cx);
}

/* ---- lexical errors, as compile_front reports them ---------------------------- */

static void stray_characters(void **state)
{
    (void)state;
    int n;
    char *e = unit_errors("fn f(x) = x @ 2;", &n);
    assert_contains(e, "t.fn:1:13: error: unexpected character '@'");
    free(e);
    e = unit_errors("fn f(x) = x & x;", &n);
    assert_contains(e, "t.fn:1:13: error: unexpected character '&' (did you mean '&&'?)");
    free(e);
    e = unit_errors("fn f(x) = x | x;", &n);
    assert_contains(e, "(did you mean '||'?)");
    free(e);
    e = unit_errors("fn f(x) {\n  return x $ 1;\n}", &n);
    assert_contains(e, "t.fn:2:12: error: unexpected character '$'");
    free(e);
}

static void non_ascii_outside_comments(void **state)
{
    (void)state;
    int n;
    char *e = unit_errors("fn f(x) = caf\xc3\xa9 * x;", &n);
    assert_true(n >= 1);
    assert_contains(e, "t.fn:1:14: error: non-ASCII character");
    free(e);
}

static void number_too_large(void **state)
{
    (void)state;
    int n;
    char *e = unit_errors("fn f(x) = x * 1e999;", &n);
    assert_int_equal(n, 1);
    assert_contains(e, "t.fn:1:15: error: number 1e999 is too large for a double");
    free(e);
    /* the largest double is fine, and so is an underflow to 0 */
    e = unit_errors("fn f(x) = x * 1.7976931348623157e308 + 1e-400;", &n);
    assert_int_equal(n, 0);
    free(e);
}

static void identifier_too_long(void **state)
{
    (void)state;
    char src[600];
    char id[300];
    memset(id, 'a', 256);
    id[256] = '\0';
    snprintf(src, sizeof src, "fn f(%s) = 1;", id);
    int n;
    char *e = unit_errors(src, &n);
    assert_int_equal(n, 1);
    assert_contains(e, "t.fn:1:6: error: identifier is too long (256 characters; the limit is 255)");
    free(e);
    id[255] = '\0';
    snprintf(src, sizeof src, "fn f(%s) = 1;", id);
    e = unit_errors(src, &n);
    assert_int_equal(n, 0);
    free(e);
}

static void nul_byte(void **state)
{
    (void)state;
    const char src[] = "fn f(x) = x\0;";
    Cx *cx = cx_new("t.fn", src, sizeof src - 1);
    assert_false(compile_front(cx));
    assert_contains(cx->diag.text.data, "t.fn:1:12: error: NUL byte in the input");
    cx_free(cx);
}

/* Through the parser: the number forms and the range reach the AST intact. */
static void numbers_reach_the_ast(void **state)
{
    (void)state;
    char *ast = unit_ast("fn f(x, int n) {\n"
                         "  let s = 12 + 1.5 + .5 + 3. + 1e-3 + 2.5E+10;\n"
                         "  for i in 0..n { s += x; }\n"
                         "  return s;\n"
                         "}\n");
    assert_contains(ast, "(let s (+ (+ (+ (+ (+ 12 1.5) .5) 3.) 1e-3) 2.5E+10))");
    assert_contains(ast, "(for i 0 n");
    free(ast);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(number_forms),
        cmocka_unit_test(range_lexes_as_int_dotdot_int),
        cmocka_unit_test(keywords_identifiers_operators),
        cmocka_unit_test(identifiers_are_interned),
        cmocka_unit_test(spans_lines_columns_offsets),
        cmocka_unit_test(comments),
        cmocka_unit_test(crlf_line_ends),
        cmocka_unit_test(stray_characters),
        cmocka_unit_test(non_ascii_outside_comments),
        cmocka_unit_test(number_too_large),
        cmocka_unit_test(identifier_too_long),
        cmocka_unit_test(nul_byte),
        cmocka_unit_test(numbers_reach_the_ast),
    };
    return cmocka_run_group_tests_name("lexer", tests, NULL, NULL);
}
