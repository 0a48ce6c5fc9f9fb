/* The .fn grammar. A pure parser with locations; every action is one call
 * to an AST constructor, and all checking is left to sema.c. Syntax errors
 * name what was expected and the bracket left open; recovery at statements
 * and functions lets one run report several. All values live in the
 * compilation's arena, so nothing needs a %destructor. */
%code requires {
#include "gradc.h"
#include "scan.h"
typedef void *yyscan_t;
typedef struct Num {
    const char *text;
    double value;
    bool is_int, fits_int;
} Num;
}

%code provides {
int yylex(YYSTYPE *yylval, YYLTYPE *yylloc, yyscan_t scanner);
bool lex_scan_init(Scan *s, const char *src, size_t len, yyscan_t *scanner);
Scan *yyget_extra(yyscan_t scanner);
void lex_scan_fini(yyscan_t scanner);
}

%code {
#include <string.h>

static void yyerror(YYLTYPE *loc, Cx *cx, yyscan_t scanner, const char *msg);
static Span tok_span(yyscan_t scanner);

#define YYMAXDEPTH 3000000
#define YYLLOC_DEFAULT(Cur, Rhs, N) \
    do { (Cur) = (N) ? YYRHSLOC(Rhs, 1) : YYRHSLOC(Rhs, 0); } while (0)
}

%define api.pure full
%define api.location.type {Span}
%define parse.error custom
%define parse.lac full
%locations
%expect 0
%parse-param {Cx *cx} {yyscan_t scanner}
%lex-param {yyscan_t scanner}

%union {
    Num num;
    const char *id;
    Expr *expr;
    Stmt *stmt;
    Block *block;
    Func *func;
    Param *param;
    PtrVec list;
    AstOp op;
}

%token END 0 "end of file"
%token <id> IDENT "identifier"
%token <num> NUMBER "number"
%token FN "'fn'" LET "'let'" RETURN "'return'" IF "'if'" ELSE "'else'" FOR "'for'"
%token IN "'in'" INT "'int'" OUT "'out'" CONST "'const'" WHILE "'while'" BREAK "'break'"
%token ADD_ASSIGN "'+='" SUB_ASSIGN "'-='" MUL_ASSIGN "'*='" DIV_ASSIGN "'/='"
%token LE "'<='" GE "'>='" EQ "'=='" NE "'!='" AND "'&&'" OR "'||'" DOTDOT "'..'"

%right '?' ':'
%left OR
%left AND
%left EQ NE '<' LE '>' GE
%left '+' '-'
%left '*' '/' '%'
%precedence UNARY
%right '^'

%type <expr> expr
%type <stmt> stmt if_stmt
%type <block> block stmts else_part
%type <func> func
%type <param> param
%type <list> params param_list args arg_list indices
%type <op> assign_op

%%

program
    : %empty
    | program func                      { if ($2) ast_program_add(cx, $2); }
    | program error '}'                 { cx->dropped_funcs++; }
    | program error ';'                 { cx->dropped_funcs++; }
    ;

func
    : FN IDENT '(' params ')' '=' expr ';'
                                        { $$ = ast_func(cx, @2, $2, &$4, ast_block_of(cx, ast_return(cx, @7, $7)), true, @1.off, @8.off + 1); }
    | FN IDENT '(' params ')' block     { $$ = ast_func(cx, @2, $2, &$4, $6, false, @1.off, $6->close.off + 1); }
    ;

params
    : %empty                            { $$ = (PtrVec){0}; }
    | param_list
    ;

param_list
    : param                             { $$ = (PtrVec){0}; ast_list_push(cx, &$$, $1); }
    | param_list ',' param              { $$ = $1; ast_list_push(cx, &$$, $3); }
    ;

param
    : IDENT                             { $$ = ast_param(cx, @1, P_REAL, $1, NULL); }
    | IDENT indices                     { $$ = ast_param(cx, @1, P_REAL, $1, &$2); }
    | INT IDENT                         { $$ = ast_param(cx, @2, P_INT, $2, NULL); }
    | INT IDENT indices                 { $$ = ast_param(cx, @2, P_INT, $2, &$3); }
    | OUT IDENT indices                 { $$ = ast_param(cx, @2, P_OUT, $2, &$3); }
    | OUT IDENT                         { $$ = ast_param(cx, @2, P_OUT, $2, NULL); }
    | CONST IDENT                       { $$ = ast_param(cx, @2, P_CONST, $2, NULL); }
    | CONST IDENT indices               { $$ = ast_param(cx, @2, P_CONST, $2, &$3); }
    ;

block
    : '{' stmts '}'                     { $$ = $2; $$->open = @1; $$->close = @3; }
    ;

stmts
    : %empty                            { $$ = ast_block(cx, tok_span(scanner)); }
    | stmts stmt                        { $$ = $1; ast_block_add(cx, $$, $2); }
    ;

stmt
    : LET IDENT '=' expr ';'            { $$ = ast_let(cx, @1, false, $2, @2, $4); }
    | LET IDENT indices ';'             { $$ = ast_let_array(cx, @1, false, $2, @2, &$3); }
    | LET INT IDENT '=' expr ';'        { $$ = ast_let(cx, @1, true, $3, @3, $5); }
    | LET INT IDENT indices ';'         { $$ = ast_let_array(cx, @1, true, $3, @3, &$4); }
    | IDENT assign_op expr ';'          { $$ = ast_assign(cx, @2, ast_name(cx, @1, $1), $2, $3); }
    | IDENT indices assign_op expr ';'  { $$ = ast_assign(cx, @3, ast_index(cx, @1, $1, &$2), $3, $4); }
    | IDENT '(' args ')' ';'            { $$ = ast_call_stmt(cx, @1, ast_call(cx, @1, $1, &$3)); }
    | if_stmt
    | FOR IDENT IN expr DOTDOT expr block
                                        { $$ = ast_for(cx, @1, $2, @2, $4, $6, $7); }
    | RETURN expr ';'                   { $$ = ast_return(cx, @1, $2); }
    | WHILE '(' expr ')' block          { $$ = ast_while(cx, @1, $3, $5); }
    | BREAK ';'                         { $$ = ast_break(cx, @1); }
    | error ';'                         { $$ = NULL; }
    ;

if_stmt
    : IF '(' expr ')' block else_part   { $$ = ast_if(cx, @1, $3, $5, $6); }
    ;

else_part
    : %empty                            { $$ = NULL; }
    | ELSE block                        { $$ = $2; }
    | ELSE if_stmt                      { $$ = ast_block_of(cx, $2); }
    ;

assign_op
    : '='                               { $$ = A_SET; }
    | ADD_ASSIGN                        { $$ = A_ADD; }
    | SUB_ASSIGN                        { $$ = A_SUB; }
    | MUL_ASSIGN                        { $$ = A_MUL; }
    | DIV_ASSIGN                        { $$ = A_DIV; }
    ;

expr
    : NUMBER                            { $$ = ast_num(cx, @1, $1.text, $1.value, $1.is_int, $1.fits_int); }
    | IDENT                             { $$ = ast_name(cx, @1, $1); }
    | IDENT '(' args ')'                { $$ = ast_call(cx, @1, $1, &$3); }
    | IDENT indices                     { $$ = ast_index(cx, @1, $1, &$2); }
    | '(' expr ')'                      { $$ = $2; }
    | expr '+' expr                     { $$ = ast_binary(cx, @2, A_ADD, $1, $3); }
    | expr '-' expr                     { $$ = ast_binary(cx, @2, A_SUB, $1, $3); }
    | expr '*' expr                     { $$ = ast_binary(cx, @2, A_MUL, $1, $3); }
    | expr '/' expr                     { $$ = ast_binary(cx, @2, A_DIV, $1, $3); }
    | expr '%' expr                     { $$ = ast_binary(cx, @2, A_MOD, $1, $3); }
    | expr '^' expr                     { $$ = ast_binary(cx, @2, A_POW, $1, $3); }
    | expr EQ expr                      { $$ = ast_binary(cx, @2, A_EQ, $1, $3); }
    | expr NE expr                      { $$ = ast_binary(cx, @2, A_NE, $1, $3); }
    | expr '<' expr                     { $$ = ast_binary(cx, @2, A_LT, $1, $3); }
    | expr LE expr                      { $$ = ast_binary(cx, @2, A_LE, $1, $3); }
    | expr '>' expr                     { $$ = ast_binary(cx, @2, A_GT, $1, $3); }
    | expr GE expr                      { $$ = ast_binary(cx, @2, A_GE, $1, $3); }
    | expr AND expr                     { $$ = ast_binary(cx, @2, A_AND, $1, $3); }
    | expr OR expr                      { $$ = ast_binary(cx, @2, A_OR, $1, $3); }
    | '-' expr %prec UNARY              { $$ = ast_unary(cx, @1, A_NEG, $2); }
    | '+' expr %prec UNARY              { $$ = ast_unary(cx, @1, A_PLUS, $2); }
    | '!' expr %prec UNARY              { $$ = ast_unary(cx, @1, A_NOT, $2); }
    | expr '?' expr ':' expr            { $$ = ast_ternary(cx, @2, $1, $3, $5); }
    ;

args
    : %empty                            { $$ = (PtrVec){0}; }
    | arg_list
    ;

arg_list
    : expr                              { $$ = (PtrVec){0}; ast_list_push(cx, &$$, $1); }
    | arg_list ',' expr                 { $$ = $1; ast_list_push(cx, &$$, $3); }
    ;

indices
    : '[' expr ']'                      { $$ = (PtrVec){0}; ast_list_push(cx, &$$, $2); }
    | indices '[' expr ']'              { $$ = $1; ast_list_push(cx, &$$, $3); }
    ;

%%

static Span tok_span(yyscan_t scanner)
{
    return yyget_extra(scanner)->pos;
}

static void yyerror(YYLTYPE *loc, Cx *cx, yyscan_t scanner, const char *msg)
{
    if (strcmp(msg, "memory exhausted") == 0) {
        Scan *s = yyget_extra(scanner);
        if (!s->nesting_reported)
            diag_error(&cx->diag, *loc, "the input is nested too deeply");
        s->nesting_reported = true;
    } else {
        diag_error(&cx->diag, *loc, "%s", msg);
    }
}

/* ---- syntax error messages -------------------------------------------- */

static bool name_in(yysymbol_kind_t k, const char *const *names)
{
    const char *name = yysymbol_name(k);
    for (; *names; names++)
        if (strcmp(name, *names) == 0)
            return true;
    return false;
}

static bool is_expr_start(yysymbol_kind_t k)
{
    static const char *const names[] = {
        "identifier", "number", "'('", "'-'", "'+'", "'!'", NULL,
    };
    return name_in(k, names);
}

static bool is_binary_op(yysymbol_kind_t k)
{
    static const char *const names[] = {
        "'+'", "'-'", "'*'", "'/'", "'%'", "'^'", "'<'", "'>'", "'<='", "'>='",
        "'=='", "'!='", "'&&'", "'||'", "'?'", NULL,
    };
    return name_in(k, names);
}

/* A token as a message shows it: 'fn', ';', identifier, end of file. */
static void put_symbol(Buf *b, yysymbol_kind_t k)
{
    buf_puts(b, yysymbol_name(k));
}

/* What the parser found, with its text: "identifier 'x'", "';'". */
static void put_found(const Scan *s, Buf *b, yysymbol_kind_t k)
{
    if (k == YYSYMBOL_IDENT || k == YYSYMBOL_NUMBER) {
        buf_printf(b, "%s '", yysymbol_name(k));
        diag_quote(b, s->cx->diag.src + s->tok_off, (size_t)s->tok_len, 40);
        buf_putc(b, '\'');
    } else {
        put_symbol(b, k);
    }
}

static char closer_of(char open)
{
    return open == '(' ? ')' : open == '[' ? ']' : '}';
}

/* The innermost bracket still open before the offending token. */
static const Bracket *open_bracket_before(const Scan *s, Span at)
{
    for (int i = s->brackets.len - 1; i >= 0; i--) {
        const Bracket *b = s->brackets.items[i];
        if (b->at.off < at.off)
            return b;
    }
    return NULL;
}

/* ---- habits of other languages ---------------------------------------- */

/* Whether the text at off (len bytes) is `text`. */
static bool text_is(const Scan *s, int off, int len, const char *text)
{
    return off >= 0 && (size_t)len == strlen(text) && memcmp(s->cx->diag.src + off, text, (size_t)len) == 0;
}

static bool found_is(const Scan *s, const char *text)
{
    return text_is(s, s->last_off, s->last_len, text);
}

static bool prev_is(const Scan *s, const char *text)
{
    return text_is(s, s->prev_off, s->prev_len, text);
}

static bool is_word_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* The word that ends just before offset `end` (blanks skipped), or NULL. */
static const char *word_before(const Scan *s, int end)
{
    const char *src = s->cx->diag.src;
    while (end > 0 && (src[end - 1] == ' ' || src[end - 1] == '\t'))
        end--;
    int from = end;
    while (from > 0 && is_word_char(src[from - 1]))
        from--;
    if (from == end || !(is_word_char(src[from]) && (src[from] < '0' || src[from] > '9')))
        return NULL;
    return arena_strndup(s->cx->arena, src + from, (size_t)(end - from));
}

/* The character before offset off, blanks and line ends skipped; 0 at the
 * start (comments are not skipped: a hint may then be missed). */
static char char_before(const Scan *s, int off)
{
    const char *src = s->cx->diag.src;
    while (off > 0 && strchr(" \t\r\n", src[off - 1]))
        off--;
    return off > 0 ? src[off - 1] : 0;
}

static bool expects(const yysymbol_kind_t *exp, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(yysymbol_name(exp[i]), name) == 0)
            return true;
    return false;
}

/* A syntax error and what is around it, for the checks below. */
typedef struct Habit {
    const Scan *s;
    Buf *msg;
    yysymbol_kind_t found;
    const yysymbol_kind_t *exp;         /* n expected tokens */
    int n;
    bool want_expr;                     /* an expression was expected */
    int nops;                           /* binary operators were (after an operand) */
    const char *prev_word;              /* the token before, if a word */
    bool glued;                         /* no blank between it and the found token */
} Habit;

/* grad(f)(x): a derivative called; 2(x + 1): a product without '*'. */
static bool habit_call(const Habit *h)
{
    const Scan *s = h->s;
    if (!found_is(s, "("))
        return false;
    const char *callee = prev_is(s, ")") && s->closed_off >= 0 ? word_before(s, s->closed_off) : NULL;
    if (callee && strcmp(callee, "if") != 0) {
        const char *arg = word_before(s, s->prev_off);
        bool one_name = arg && s->prev_off - (int)strlen(arg) == s->closed_off + 1;
        buf_printf(h->msg, "the result of '%s(...)' cannot be called; ", callee);
        sema_put_derivative_advice(h->msg, s->cx, one_name && strcmp(callee, arg) != 0 ? arg : NULL,
                                   false);
        return true;
    }
    if (prev_is(s, ")") || (s->prev_off >= 0 && !h->prev_word && h->nops > 0)) {
        buf_puts(h->msg, "expected an operator before '(' (a product is written with '*': 2*(x + 1))");
        return true;
    }
    return false;
}

/* Operators and punctuation of C and Python: / * * /, A[i, j], x**2, k++,
 * '=' in a condition, and, or, not. */
static bool habit_operator(const Habit *h)
{
    const Scan *s = h->s;
    const char *src = s->cx->diag.src;
    char c = src[s->last_off], next = src[s->last_off + 1];
    if (c == '/' && (next == '*' || prev_is(s, "*"))) {
        buf_puts(h->msg, "comments start with '#' or '//' and end with the line; there are no "
                 "/* */ comments in .fn");
    } else if (c == ',' && expects(h->exp, h->n, "']'")) {
        buf_puts(h->msg, "indices are written one pair of brackets each: A[i][j], not A[i, j]");
    } else if (c == '*' && prev_is(s, "*") && h->glued && h->want_expr) {
        buf_puts(h->msg, "'**' is not an operator of .fn; a power is written '^': x^2");
    } else if ((c == '+' || c == '-') && s->last_len == 1 &&
               ((h->glued && prev_is(s, c == '+' ? "+" : "-")) || next == c)) {
        const char *v = next == c ? word_before(s, s->last_off) : h->glued ? NULL : h->prev_word;
        buf_printf(h->msg, "'%c%c' is not an operator of .fn; write '%s %c= 1;'", c, c,
                   v ? v : "k", c);
    } else if (found_is(s, "=") && h->nops > 0) {
        buf_puts(h->msg, "'=' is not a comparison; to compare write '==' (assignments are "
                 "statements: 'v = e;')");
    } else if (h->found == YYSYMBOL_IDENT && (found_is(s, "and") || found_is(s, "or") ||
                                              found_is(s, "not"))) {
        buf_printf(h->msg, "'%s' is not an operator of .fn; write '%s'", found_is(s, "and") ? "and" :
                   found_is(s, "or") ? "or" : "not", found_is(s, "and") ? "&&" :
                   found_is(s, "or") ? "||" : "!");
    } else {
        return false;
    }
    return true;
}

/* Control flow: elif, for (i = 0; ...), 0:n, if x > 0 {, no braces. */
static bool habit_control(const Habit *h)
{
    const Scan *s = h->s;
    const char *opener = s->closed_off >= 0 && prev_is(s, ")") ? word_before(s, s->closed_off) : NULL;
    if (opener && (strcmp(opener, "elif") == 0 || strcmp(opener, "elsif") == 0 ||
                   strcmp(opener, "elseif") == 0)) {
        buf_printf(h->msg, "'%s' is not .fn; write } else if (c) { ... }", opener);
    } else if (found_is(s, "(") && prev_is(s, "for")) {
        buf_puts(h->msg, "a 'for' loop is written 'for i in 0..n { ... }' (i takes 0, 1, ..., "
                 "n-1), not as in C");
    } else if (expects(h->exp, h->n, "'..'") && !found_is(s, "..")) {
        buf_printf(h->msg, "expected '..' before ");
        put_found(s, h->msg, h->found);
        buf_puts(h->msg, " (a range is written 'a..b': for i in 0..n { ... })");
    } else if (prev_is(s, "if") && expects(h->exp, h->n, "'('") && !found_is(s, "(")) {
        buf_puts(h->msg, "the condition of 'if' is in parentheses: if (x > 0) { ... }");
    } else if (expects(h->exp, h->n, "'{'") && !found_is(s, "{") && prev_is(s, "else")) {
        buf_puts(h->msg, "braces are required: else { ... } or else if (c) { ... }");
    } else if (expects(h->exp, h->n, "'{'") && !found_is(s, "{") && opener &&
               strcmp(opener, "if") == 0) {
        buf_puts(h->msg, "braces are required: if (c) { ... }");
    } else {
        return false;
    }
    return true;
}

/* Values and declarations: [1, 2], let t[2] = ..., double x, def f(x):,
 * fn f(x) = { ... }, if as an expression, x[], y; */
static bool habit_declaration(const Habit *h)
{
    const Scan *s = h->s;
    const char *pw = h->prev_word;
    char before_prev = s->prev_off >= 0 ? char_before(s, s->prev_off) : 0;
    bool ident = h->found == YYSYMBOL_IDENT;
    if (found_is(s, "[") && h->want_expr) {
        buf_puts(h->msg, "array literals ('[1, 2]') are not expressions in .fn: an array is a "
                 "parameter (x[n]) or a local 'let t[n];', zero-filled, whose elements are "
                 "assigned one by one (t[0] = 1;)");
    } else if (found_is(s, "=") && h->n == 2 && expects(h->exp, h->n, "';'") &&
               expects(h->exp, h->n, "'['")) {
        buf_puts(h->msg, "a local array takes no initial value: declare it ('let t[n];', "
                 "zero-filled), then assign its elements (t[0] = 1;)");
    } else if (ident && pw && expects(h->exp, h->n, "','") && expects(h->exp, h->n, "')'") &&
               (before_prev == '(' || before_prev == ',')) {
        buf_printf(h->msg, "'%s' is not a type in .fn: a parameter is real unless it says 'int' "
                   "(x, int n, x[n], out y[n], const x)", pw);
    } else if (ident && pw && expects(h->exp, h->n, "'='") &&
               (before_prev == ';' || before_prev == '{' || before_prev == '}')) {
        const char *name = word_before(s, s->last_off + s->last_len);
        buf_printf(h->msg, "'%s %s' is not a declaration in .fn: write 'let %s = ...;' for a "
                   "real, 'let int %s = ...;' for an int", pw, name, name, name);
    } else if (ident && expects(h->exp, h->n, "'fn'")) {
        buf_puts(h->msg, "a function starts with 'fn': fn f(x) = x^2; or fn f(x) { ... }");
    } else if (found_is(s, "{") && h->want_expr && prev_is(s, "=")) {
        buf_puts(h->msg, "a function is 'fn f(x) = expression;' or 'fn f(x) { ... return e; }', "
                 "with no '=' before '{'");
    } else if (h->found == YYSYMBOL_IF && h->want_expr) {
        buf_puts(h->msg, "'if' is a statement, not an expression; in an expression write "
                 "'c ? a : b'");
    } else if (found_is(s, "]") && prev_is(s, "[") && h->want_expr) {
        buf_puts(h->msg, "an array gives its sizes: x[n], with 'int n' before it");
    } else if (found_is(s, ";") && pw && expects(h->exp, h->n, "'='")) {
        buf_printf(h->msg, "'%s;' does nothing: the value of a function is given by 'return %s;'",
                   pw, pw);
    } else {
        return false;
    }
    return true;
}

/* A mistake that a habit of another language explains: its own message,
 * in msg, in place of the expected tokens; false for none. */
static bool habit(const Scan *s, Buf *msg, yysymbol_kind_t found, const yysymbol_kind_t *exp,
                  int n, bool want_expr, int nops)
{
    if (found == YYSYMBOL_YYEOF)
        return false;
    Habit h = {s, msg, found, exp, n, want_expr, nops, NULL, false};
    if (s->prev_off >= 0) {
        h.prev_word = word_before(s, s->prev_off + s->prev_len);
        h.glued = s->prev_off + s->prev_len == s->last_off;
    }
    return habit_call(&h) || habit_operator(&h) || habit_control(&h) || habit_declaration(&h);
}

static int yyreport_syntax_error(const yypcontext_t *ctx, Cx *cx, yyscan_t scanner)
{
    const Scan *s = yyget_extra(scanner);
    yysymbol_kind_t found = yypcontext_token(ctx);
    Span at = *yypcontext_location(ctx);
    /* the echo of a lexical error just reported on this line: stay quiet */
    if (s->err_line == at.line && at.off >= s->err_off)
        return 0;
    yysymbol_kind_t exp[YYNTOKENS];
    int n = yypcontext_expected_tokens(ctx, exp, YYNTOKENS);

    /* Group the expected tokens: "expression" stands for every token that
     * starts one; binary operators are left unsaid. */
    bool want_expr = false;
    yysymbol_kind_t shown[YYNTOKENS];
    int nshown = 0, nops = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; exp[i] == YYSYMBOL_IDENT && j < n; j++)
            want_expr |= exp[j] == YYSYMBOL_NUMBER;
    for (int i = 0; i < n; i++)
        nops += is_binary_op(exp[i]);
    for (int i = 0; i < n; i++) {
        if ((want_expr && is_expr_start(exp[i])) || is_binary_op(exp[i]))
            continue;
        /* after an expression, a call or an index could follow: unsaid too */
        if (nops > 0 && (strcmp(yysymbol_name(exp[i]), "'('") == 0 ||
                         strcmp(yysymbol_name(exp[i]), "'['") == 0))
            continue;
        shown[nshown++] = exp[i];
    }
    const Bracket *open = open_bracket_before(s, at);
    bool closer_expected = false;
    for (int i = 0; open && i < n; i++) {
        const char *name = yysymbol_name(exp[i]);
        closer_expected |= name[0] == '\'' && name[1] == closer_of(open->ch);
    }

    Buf msg;
    buf_init(&msg);
    int items = nshown + want_expr;
    const char *where = found == YYSYMBOL_YYEOF ? " at " : " before ";
    if (habit(s, &msg, found, exp, n, want_expr, nops)) {
        diag_error(&cx->diag, at, "%s", msg.data);
        buf_free(&msg);
        return 0;
    } else if (found == YYSYMBOL_YYEOF && closer_expected) {
        buf_printf(&msg, "expected '%c' at end of file", closer_of(open->ch));
    } else if (items == 0 && nops > 0) {
        buf_printf(&msg, "expected an operator%s", where);
        put_found(s, &msg, found);
    } else if (items == 0 || items > 5) {
        buf_puts(&msg, "unexpected ");
        put_found(s, &msg, found);
    } else {
        buf_puts(&msg, "expected ");
        int k = 0;
        if (want_expr) {
            buf_puts(&msg, "expression");
            k++;
        }
        for (int i = 0; i < nshown; i++, k++) {
            buf_puts(&msg, k == 0 ? "" : k == items - 1 ? " or " : ", ");
            put_symbol(&msg, shown[i]);
        }
        buf_puts(&msg, where);
        put_found(s, &msg, found);
    }
    /* name the opener when its closer is what is missing */
    if (open && closer_expected && (found == YYSYMBOL_YYEOF || (items <= 3 && !want_expr)))
        buf_printf(&msg, " (to close '%c' at %d:%d)", open->ch, open->at.line, open->at.col);
    diag_error(&cx->diag, at, "%s", msg.data);
    buf_free(&msg);
    return 0;
}

bool parse_program(Cx *cx)
{
    yyscan_t scanner;
    Scan scan = {.cx = cx, .pos = {1, 1, 0}, .err_line = -1, .prev_off = -1, .last_off = -1,
                 .closed_off = -1};
    if (!lex_scan_init(&scan, cx->diag.src, cx->diag.len, &scanner))
        die("cannot initialise the scanner");
    int errors = cx->diag.errors;
    int rc = yyparse(cx, scanner);
    lex_scan_fini(scanner);
    return rc == 0 && cx->diag.errors == errors;
}
