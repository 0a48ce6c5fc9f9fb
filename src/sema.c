/* Semantic checks: names and scopes, kinds of values (real, int, condition),
 * array shapes, calls and the call graph (no recursion), names reserved by
 * C and by gradc. Every error is reported and checking goes on, so one run
 * shows all independent errors; a node that failed gets TY_ERR, which keeps
 * its parents quiet. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "gradc.h"
#include "ir.h"
#include "names.h"

/* What the context of an expression needs. */
typedef enum Want {
    W_REAL,
    W_INT,
    W_COND,
    W_EXPONENT,     /* right of '^': an int stays int (x^k), else real */
} Want;

typedef struct Sema {
    Cx *cx;
    Diag *d;
    StrTab funcs;           /* id -> Func* */
    Func *fn;               /* being checked */
    StrTab syms;            /* id -> Sym*, names declared in fn so far */
    PtrVec open;            /* Stmt*, the if/for/while statements around the point */
    PtrVec scope;           /* Sym*, declared in open blocks, innermost last */
    StrTab marks;           /* (stmt, sym) pairs already in Stmt.assigned */
    StrTab decls;           /* id -> Span*, every name the function declares */
    StrTab unknown;         /* id of each undefined function already reported */
    StrTab unusable;        /* names reported undeclared or not visible in fn */
} Sema;

/* Suffixes of the functions gradc writes for each function of the file. */
static const char *const generated_suffix[] = {"_grad", "_vjp", "_jvp", "_hvp"};

/* ---- names ------------------------------------------------------------ */

static bool is_builtin_name(const char *id)
{
    return strcmp(id, "pi") == 0 || ir_builtin(id) >= 0;
}

/* Names the language reserves: built-ins may not name anything. */
static bool check_not_builtin(Sema *s, Span at, const char *id, const char *what)
{
    if (!is_builtin_name(id))
        return true;
    if (strcmp(id, "pi") == 0)
        diag_error(s->d, at, "'pi' is a built-in constant and cannot name a %s", what);
    else
        diag_error(s->d, at, "'%s' is a built-in function and cannot name a %s", id, what);
    return false;
}

/* Edits (insert, delete, replace, swap two neighbours) from a to b: sing
 * is one from sin, sinh and sign alike. */
static int edit_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > 32 || m > 32)
        return 99;
    int d[33][33];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= n; i++) {
        for (size_t j = 1; j <= m; j++) {
            int best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[n][m];
}

/* The closest visible variable name, for "did you mean"; or NULL. */
static const char *suggest_var(Sema *s, const char *id)
{
    const char *best = NULL;
    int best_d = strlen(id) <= 2 ? 1 : 2;
    for (int i = 0; i < s->scope.len; i++) {
        const Sym *sym = s->scope.items[i];
        int d = edit_distance(id, sym->id);
        if (d <= best_d && d > 0) {
            best = sym->id;
            best_d = d - 1;
        }
    }
    return best;
}

/* The i-th name a call may use: the file's functions, then the built-ins;
 * NULL for none (the function being checked: that would be recursion). */
static const char *callable_name(const Sema *s, int i)
{
    if (i < s->funcs.len) {
        const char *name = s->funcs.entries[i].key;
        return s->fn && strcmp(name, s->fn->id) == 0 ? NULL : name;
    }
    return ir_ops[i - s->funcs.len].builtin;
}

/* The closest functions and built-ins, for "did you mean": every name at
 * the least distance (sing: 'sin' or 'sign'), into b; false if none is
 * close. */
static bool suggest_func(const Sema *s, Buf *b, const char *id)
{
    int limit = strlen(id) <= 2 ? 1 : 2, best = limit + 1;
    int n = s->funcs.len + OP_COUNT;
    for (int i = 0; i < n; i++) {
        const char *name = callable_name(s, i);
        int d = name ? edit_distance(id, name) : 0;
        if (d > 0 && d < best)
            best = d;
    }
    if (best > limit)
        return false;
    int count = 0;
    for (int i = 0; i < n; i++)
        count += callable_name(s, i) && edit_distance(id, callable_name(s, i)) == best;
    buf_puts(b, "did you mean ");
    for (int i = 0, k = 0; i < n; i++) {
        const char *name = callable_name(s, i);
        if (!name || edit_distance(id, name) != best)
            continue;
        k++;
        buf_printf(b, "%s'%s'", k == 1 ? "" : k == count ? " or " : ", ", name);
    }
    buf_putc(b, '?');
    return true;
}

/* Functions that C's libm and other languages have and .fn has not: the
 * built-in that does it, or how to write it. */
static const struct Foreign {
    const char *id, *builtin, *instead;
} foreign_funcs[] = {
    {"arccos", "acos", NULL},
    {"arccosh", "acosh", NULL},
    {"arcsin", "asin", NULL},
    {"arcsinh", "asinh", NULL},
    {"arctan", "atan", NULL},
    {"arctan2", "atan2", NULL},
    {"arctanh", "atanh", NULL},
    {"clamp", NULL, "min(max(x, lo), hi)"},
    {"clip", NULL, "min(max(x, lo), hi)"},
    {"cube", NULL, "x^3"},
    {"exp10", NULL, "10^x"},
    {"exp2", NULL, "2^x"},
    {"expit", NULL, "1 / (1 + exp(-x))"},
    {"fabs", "abs", NULL},
    {"fmax", "max", NULL},
    {"fmin", "min", NULL},
    {"gamma", NULL, "exp(lgamma(x)) (for x > 0)"},
    {"len", NULL, "the 'int' parameter that gives its size (x[n]: n)"},
    {"length", NULL, "the 'int' parameter that gives its size (x[n]: n)"},
    {"ln", "log", NULL},
    {"log1pexp", NULL, "log1p(exp(x))"},
    {"logistic", NULL, "1 / (1 + exp(-x))"},
    {"logit", NULL, "log(x / (1 - x))"},
    {"pow10", NULL, "10^x"},
    {"psi", "digamma", NULL},
    {"relu", NULL, "max(x, 0)"},
    {"sgn", "sign", NULL},
    {"size", NULL, "the 'int' parameter that gives its size (x[n]: n)"},
    {"sigmoid", NULL, "1 / (1 + exp(-x))"},
    {"signum", "sign", NULL},
    {"softplus", NULL, "log1p(exp(x))"},
    {"sqr", NULL, "x^2"},
    {"square", NULL, "x^2"},
    {"sum", NULL, "a loop: let s = 0; for i in 0..n { s += x[i]; }"},
    {"tgamma", NULL, "exp(lgamma(x)) (for x > 0)"},
    {"trunc", NULL, "x < 0 ? ceil(x) : floor(x)"},
};

static const struct Foreign *find_foreign(const char *id)
{
    for (size_t i = 0; i < sizeof foreign_funcs / sizeof *foreign_funcs; i++)
        if (strcmp(foreign_funcs[i].id, id) == 0)
            return &foreign_funcs[i];
    return NULL;
}

/* Names under which a derivative is asked for (d and D only with a
 * function as argument: d(f)/d(x)), and the routines gradc writes. */
static const char *const derivative_words[] = {
    "grad", "gradient", "jvp", "vjp", "hvp", "jac", "jacobian", "hess", "hessian",
    "derivative", "deriv", "nabla", NULL,
};
static const char *const routine_suffix[] = {
    "_grad", "_vjp", "_jvp", "_hvp", "_jac", "_hess", "_jac_nnz", "_jac_sparse",
    "_hess_nnz", "_hess_sparse", NULL,
};

static bool in_words(const char *id, const char *const *words)
{
    for (; *words; words++)
        if (strcmp(id, *words) == 0)
            return true;
    return false;
}

static Func *find_func(Sema *s, const char *id)
{
    StrTabEntry *e = strtab_find(&s->funcs, id, strlen(id));
    return e ? e->value : NULL;
}

static Sym *find_sym(Sema *s, const char *id)
{
    StrTabEntry *e = strtab_find(&s->syms, id, strlen(id));
    return e ? e->value : NULL;
}

/* Declares a name in the current function; no name may be declared twice. */
static Sym *declare(Sema *s, Span at, const char *id, SymKind kind, Ty ty)
{
    /* a refused name is still declared, so that its uses do not cascade */
    check_not_builtin(s, at, id, kind == SYM_PARAM ? "parameter" : "variable");
    int added;
    StrTabEntry *e = strtab_get(&s->syms, id, strlen(id), &added);
    const Sym *old = added ? NULL : e->value;
    /* a name whose block has ended may be declared again (a second loop,
     * a later sibling block): that is no shadowing */
    if (old && old->visible) {
        if (old->kind == SYM_PARAM && kind == SYM_PARAM)
            diag_error(s->d, at, "parameter '%s' is declared twice (first at %d:%d)", id,
                       old->span.line, old->span.col);
        else if (old->kind == SYM_PARAM)
            diag_error(s->d, at, "'%s' is already a parameter (declared at %d:%d); a local may not "
                       "shadow it", id, old->span.line, old->span.col);
        else
            diag_error(s->d, at, "'%s' is already declared at %d:%d and still visible here (a name "
                       "may be declared again only after its block has ended)",
                       id, old->span.line, old->span.col);
        /* the refused declaration stands for the name to the end of its
         * block, quietly: its uses are not checked against the other one
         * (a loop variable's against a real local), nor reported */
        Sym *stand = ARENA_NEW(s->cx->arena, Sym);
        *stand = (Sym){.id = id, .span = at, .kind = kind, .ty = ty, .visible = true,
                       .bad = true, .hidden = e->value, .decl_depth = s->open.len};
        vec_push(s->cx->arena, &s->scope, stand);
        e->value = stand;
        return NULL;
    }
    Sym *sym = ARENA_NEW(s->cx->arena, Sym);
    sym->id = id;
    sym->span = at;
    sym->kind = kind;
    sym->ty = ty;
    sym->visible = true;
    sym->id_index = s->fn->syms.len;
    sym->decl_depth = s->open.len;
    vec_push(s->cx->arena, &s->fn->syms, sym);
    vec_push(s->cx->arena, &s->scope, sym);
    e->value = sym;
    return sym;
}

/* Ends the names declared since scope mark `mark`, innermost first; a
 * refused duplicate gives the name back to the declaration it hid. */
static void end_scope(Sema *s, int mark)
{
    for (int i = s->scope.len - 1; i >= mark; i--) {
        Sym *sym = s->scope.items[i];
        sym->visible = false;
        if (sym->hidden)
            strtab_find(&s->syms, sym->id, strlen(sym->id))->value = sym->hidden;
    }
    s->scope.len = mark;
}

/* Whether a name that cannot be used here is reported for the first time
 * in the function: one error per name, not one per use. */
static bool first_report(Sema *s, const char *id)
{
    int added;
    strtab_get(&s->unusable, id, strlen(id), &added);
    return added;
}

static void report_not_visible(Sema *s, Span at, const Sym *sym)
{
    if (first_report(s, sym->id))
        diag_error(s->d, at, "'%s' is not visible here (its block, from %d:%d, has ended)", sym->id,
                   sym->span.line, sym->span.col);
}

/* An undeclared name: declared later in the function, misspelt, or unknown. */
static void report_undeclared(Sema *s, Span at, const char *id)
{
    if (!first_report(s, id))
        return;
    StrTabEntry *later = strtab_find(&s->decls, id, strlen(id));
    const Span *decl = later ? later->value : NULL;
    if (decl && decl->off > at.off) {
        diag_error(s->d, at, "'%s' is used before its declaration at %d:%d", id, decl->line, decl->col);
        return;
    }
    const char *hint = suggest_var(s, id);
    if (hint)
        diag_error(s->d, at, "'%s' is not declared; did you mean '%s'?", id, hint);
    else
        diag_error(s->d, at, "'%s' is not declared", id);
}

static void note_decl(Sema *s, const char *id, Span at)
{
    int added;
    StrTabEntry *e = strtab_get(&s->decls, id, strlen(id), &added);
    if (added) {
        Span *copy = ARENA_NEW(s->cx->arena, Span);
        *copy = at;
        e->value = copy;
    }
}

static void collect_decls(Sema *s, const Block *b)
{
    for (int i = 0; i < b->stmts.len; i++) {
        const Stmt *st = b->stmts.items[i];
        if (st->kind == S_LET || st->kind == S_LET_ARRAY)
            note_decl(s, st->let.id, st->let.id_span);
        else if (st->kind == S_FOR) {
            note_decl(s, st->for_.id, st->for_.id_span);
            collect_decls(s, st->for_.body);
        } else if (st->kind == S_WHILE) {
            collect_decls(s, st->while_.body);
        } else if (st->kind == S_IF) {
            collect_decls(s, st->if_.then);
            if (st->if_.els)
                collect_decls(s, st->if_.els);
        }
    }
}

/* ---- expressions ------------------------------------------------------ */

static Ty check_expr(Sema *s, Expr **ep, Want want);

static bool is_comparison(AstOp op)
{
    return op >= A_EQ && op <= A_GE;
}

static bool is_logic(AstOp op)
{
    return op == A_AND || op == A_OR;
}

/* An expression's type with no context: int if every leaf is an int and
 * every operation an int one. Used for comparisons and exponents. */
static Ty natural(Sema *s, const Expr *e)
{
    switch (e->kind) {
    case E_NUM:
        return e->num.is_int && e->num.fits_int ? TY_INT : TY_REAL;
    case E_NAME: {
        const Sym *sym = find_sym(s, e->name.id);
        return sym && sym->visible && sym->ty == TY_INT ? TY_INT : TY_REAL;
    }
    case E_UNARY:
        return e->op.op == A_NOT ? TY_COND : natural(s, e->op.a);
    case E_BINARY:
        if (is_comparison(e->op.op) || is_logic(e->op.op))
            return TY_COND;
        if (e->op.op == A_MOD)
            return TY_INT;
        if (e->op.op == A_POW)
            return TY_REAL;
        return natural(s, e->op.a) == TY_INT && natural(s, e->op.b) == TY_INT ? TY_INT : TY_REAL;
    case E_TERNARY:
        return natural(s, e->tern.a) == TY_INT && natural(s, e->tern.b) == TY_INT ? TY_INT : TY_REAL;
    case E_INDEX: {
        const Sym *sym = find_sym(s, e->index.id);
        return sym && sym->visible && sym->ty == TY_INT ? TY_INT : TY_REAL;
    }
    default:
        return TY_REAL;
    }
}

static Ty want_number_got_cond(Sema *s, Expr *e)
{
    diag_error(s->d, e->span, "a condition is used as a number");
    return TY_ERR;
}

static Ty want_cond_got_number(Sema *s, Expr *e)
{
    diag_error(s->d, e->span, "a number is used as a condition (compare it: 'x != 0')");
    return TY_ERR;
}

/* Settles an int-valued node in its context: converted where a real is
 * wanted, kept where an int is. */
static Ty settle_int(Sema *s, Expr **ep, Want want)
{
    if (want == W_REAL) {
        (*ep)->ty = TY_INT;
        *ep = ast_toreal(s->cx, *ep);
        return TY_REAL;
    }
    if (want == W_COND)
        return want_cond_got_number(s, *ep);
    return TY_INT;
}

static Ty settle_real(Sema *s, Expr *e, Want want, const char *what)
{
    if (want == W_INT) {
        diag_error(s->d, e->span, "%s is real where an int is needed", what);
        return TY_ERR;
    }
    if (want == W_COND)
        return want_cond_got_number(s, e);
    return TY_REAL;
}

static Ty check_num(Sema *s, Expr **ep, Want want)
{
    Expr *e = *ep;
    if (want == W_COND)
        return want_cond_got_number(s, e);
    if (want == W_INT || (want == W_EXPONENT && e->num.is_int)) {
        if (!e->num.is_int) {
            diag_error(s->d, e->span, "the real number %s is used where an int is needed", e->num.text);
            return TY_ERR;
        }
        if (!e->num.fits_int) {
            if (want == W_EXPONENT)
                return TY_REAL;
            diag_error(s->d, e->span, "the integer %s is too large for an int", e->num.text);
            return TY_ERR;
        }
        return TY_INT;
    }
    return TY_REAL;
}

static Ty check_name(Sema *s, Expr **ep, Want want)
{
    Expr *e = *ep;
    const char *id = e->name.id;
    Sym *sym = find_sym(s, id);
    if (sym && sym->visible) {
        e->name.sym = sym;
        if (sym->bad)
            return TY_ERR;
        if (sym->ndims > 0) {
            diag_error(s->d, e->span, "'%s' is an array; index it: %s[i]", id, id);
            return TY_ERR;
        }
        if (sym->ty == TY_INT)
            return settle_int(s, ep, want);
        if (want == W_INT && sym->kind != SYM_LOOP) {
            /* once per name: the fix is at its declaration */
            if (!sym->real_as_int && sym->kind == SYM_LOCAL)
                diag_error(s->d, e->span, "'%s' is real where an int is needed ('let' makes a real; "
                           "declare it with 'let int %s = ...;' for an int)", id, id);
            else if (!sym->real_as_int)
                diag_error(s->d, e->span, "'%s' is real where an int is needed (a parameter is real "
                           "unless declared 'int %s')", id, id);
            sym->real_as_int = true;
            return TY_ERR;
        }
        char what[300];
        snprintf(what, sizeof what, "'%s'", id);
        return settle_real(s, e, want, what);
    }
    if (strcmp(id, "pi") == 0)
        return settle_real(s, e, want, "'pi'");
    if (sym)
        report_not_visible(s, e->span, sym);
    else if (ir_builtin(id) >= 0 || find_func(s, id))
        diag_error(s->d, e->span, "'%s' is a function; call it: %s(...)", id, id);
    else
        report_undeclared(s, e->span, id);
    return TY_ERR;
}

static bool const_size(const Expr *e, long long *v);

/* An int operation on literals only (2147483647 + 1, 7 / 0), where C
 * leaves it undefined, is an error here, not a wrong value or a warning
 * from the C compiler later. e is E_UNARY or E_BINARY, its operands
 * checked as ints. */
static Ty check_int_literals(Sema *s, const Expr *e)
{
    long long a, b = 0, v;
    bool binary = e->kind == E_BINARY;
    bool divides = binary && (e->op.op == A_DIV || e->op.op == A_MOD);
    if (divides && const_size(e->op.b, &b) && b == 0) {
        diag_error(s->d, e->span, "int division by zero");
        return TY_ERR;
    }
    if (!const_size(e->op.a, &a) || (binary && !const_size(e->op.b, &b)))
        return TY_INT;
    switch (e->op.op) {
    case A_NEG: v = -a; break;
    case A_ADD: v = a + b; break;
    case A_SUB: v = a - b; break;
    case A_MUL: v = a * b; break;
    case A_DIV: case A_MOD:
        v = b == -1 ? -a : e->op.op == A_DIV ? a / b : a % b;
        break;
    default: return TY_INT;
    }
    if (v < INT_MIN || v > INT_MAX) {
        if (binary)
            diag_error(s->d, e->span, "'%lld %s %lld' overflows an int (ints are 32-bit, as in C)",
                       a, ast_op_spelling(e->op.op), b);
        else
            diag_error(s->d, e->span, "'-(%lld)' overflows an int (ints are 32-bit, as in C)", a);
        return TY_ERR;
    }
    return TY_INT;
}

static Ty check_unary(Sema *s, Expr **ep, Want want)
{
    Expr *e = *ep;
    if (e->op.op == A_NOT) {
        if (want != W_COND)
            return want_number_got_cond(s, e);
        return check_expr(s, &e->op.a, W_COND) == TY_ERR ? TY_ERR : TY_COND;
    }
    if (want == W_COND)
        return want_cond_got_number(s, e);
    if (want == W_EXPONENT)
        want = natural(s, e) == TY_INT ? W_INT : W_REAL;
    Ty a = check_expr(s, &e->op.a, want);
    return a == TY_INT ? check_int_literals(s, e) : a;
}

static Ty check_comparison(Sema *s, Expr *e, Want want)
{
    if (want != W_COND)
        return want_number_got_cond(s, e);
    Expr *sides[2] = {e->op.a, e->op.b};
    for (int i = 0; i < 2; i++) {
        if (sides[i]->kind == E_BINARY && is_comparison(sides[i]->op.op)) {
            diag_error(s->d, e->span, "comparisons cannot be chained; write 'a %s b && b %s c'",
                       ast_op_spelling(sides[i]->op.op), ast_op_spelling(e->op.op));
            return TY_ERR;
        }
    }
    Want w = natural(s, e->op.a) == TY_INT && natural(s, e->op.b) == TY_INT ? W_INT : W_REAL;
    Ty a = check_expr(s, &e->op.a, w);
    Ty b = check_expr(s, &e->op.b, w);
    return a == TY_ERR || b == TY_ERR ? TY_ERR : TY_COND;
}

static Ty check_binary(Sema *s, Expr **ep, Want want)
{
    Expr *e = *ep;
    AstOp op = e->op.op;
    if (is_comparison(op))
        return check_comparison(s, e, want);
    if (is_logic(op)) {
        if (want != W_COND)
            return want_number_got_cond(s, e);
        Ty a = check_expr(s, &e->op.a, W_COND);
        Ty b = check_expr(s, &e->op.b, W_COND);
        return a == TY_ERR || b == TY_ERR ? TY_ERR : TY_COND;
    }
    if (want == W_COND)
        return want_cond_got_number(s, e);
    if (op == A_POW) {
        if (want == W_INT) {
            diag_error(s->d, e->span, "'^' gives a real; an int is needed here");
            return TY_ERR;
        }
        Ty a = check_expr(s, &e->op.a, W_REAL);
        Ty b = check_expr(s, &e->op.b, W_EXPONENT);
        return a == TY_ERR || b == TY_ERR ? TY_ERR : TY_REAL;
    }
    if (op == A_MOD) {
        /* '%' exists for ints only; in a real context its int result is
         * converted, like any int value */
        Ty a = check_expr(s, &e->op.a, W_INT);
        Ty b = check_expr(s, &e->op.b, W_INT);
        if (a == TY_ERR || b == TY_ERR || check_int_literals(s, e) == TY_ERR)
            return TY_ERR;
        return settle_int(s, ep, want);
    }
    if (want == W_EXPONENT)
        want = natural(s, e) == TY_INT ? W_INT : W_REAL;
    Ty a = check_expr(s, &e->op.a, want);
    Ty b = check_expr(s, &e->op.b, want);
    if (a == TY_ERR || b == TY_ERR)
        return TY_ERR;
    return a == TY_INT && b == TY_INT ? check_int_literals(s, e) : a;
}

static Ty check_ternary(Sema *s, Expr **ep, Want want)
{
    Expr *e = *ep;
    if (want == W_COND) {
        diag_error(s->d, e->span, "'?:' gives a number, not a condition");
        return TY_ERR;
    }
    if (want == W_EXPONENT)
        want = natural(s, e) == TY_INT ? W_INT : W_REAL;
    Ty c = check_expr(s, &e->tern.c, W_COND);
    Ty a = check_expr(s, &e->tern.a, want);
    Ty b = check_expr(s, &e->tern.b, want);
    return c == TY_ERR || a == TY_ERR || b == TY_ERR ? TY_ERR : a;
}

static const char *plural(int n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

/* The array an array argument names: A, or A[i] (a sub-array). */
static Sym *arg_array(const Expr *arg)
{
    return arg->kind == E_NAME ? arg->name.sym : arg->kind == E_INDEX ? arg->index.sym : NULL;
}

static int arg_nidx(const Expr *arg)
{
    return arg->kind == E_INDEX ? arg->index.nidx : 0;
}

/* An array argument: an array, or a sub-array A[i], T[i][j] (its leading
 * indices fixed), of the parameter's rank, kind (real or int) and, where
 * both are literals, sizes; for an 'out' parameter, one the caller may
 * write. */
static bool check_array_arg(Sema *s, Expr *arg, const Param *p, const Func *g)
{
    const char *id = arg->kind == E_NAME ? arg->name.id : arg->kind == E_INDEX ? arg->index.id : NULL;
    Sym *sym = id ? find_sym(s, id) : NULL;
    if (!sym || !sym->visible || sym->ndims == 0) {
        if (id && !sym && !is_builtin_name(id)) {
            if (first_report(s, id))
                diag_error(s->d, arg->span, "'%s' is not declared", id);
            return false;
        }
        diag_error(s->d, arg->span, "parameter '%s' of '%s' is an array; pass an array by its name, "
                   "or a row of one (A[i])", p->id, g->id);
        return false;
    }
    if (sym->bad)
        return false;
    int nidx = arg_nidx(arg);
    if (arg->kind == E_NAME)
        arg->name.sym = sym;
    else
        arg->index.sym = sym;
    int rank = sym->ndims - nidx;
    if (rank != p->ndims) {
        if (nidx == 0)
            diag_error(s->d, arg->span, "'%s' has %d %s but parameter '%s' of '%s' has %d", sym->id,
                       sym->ndims, plural(sym->ndims, "dimension", "dimensions"), p->id, g->id,
                       p->ndims);
        else if (rank <= 0)
            diag_error(s->d, arg->span, "'%s' with %d %s is %s, but parameter '%s' of '%s' is an "
                       "array of %d %s", sym->id, nidx, plural(nidx, "index", "indices"),
                       rank == 0 ? "an element" : "over-indexed", p->id, g->id, p->ndims,
                       plural(p->ndims, "dimension", "dimensions"));
        else
            diag_error(s->d, arg->span, "'%s' with %d %s is an array of %d %s but parameter '%s' of "
                       "'%s' has %d", sym->id, nidx, plural(nidx, "index", "indices"), rank,
                       plural(rank, "dimension", "dimensions"), p->id, g->id, p->ndims);
        return false;
    }
    bool want_int = p->kind == P_INT;
    if (want_int != (sym->ty == TY_INT)) {
        diag_error(s->d, arg->span, "parameter '%s' of '%s' is %s array but '%s' is %s one", p->id,
                   g->id, want_int ? "an int" : "a real", sym->id, want_int ? "a real" : "an int");
        return false;
    }
    if (p->kind == P_OUT && sym->kind == SYM_PARAM && sym->pkind != P_OUT) {
        diag_error(s->d, arg->span, "'%s' is an input of '%s'; parameter '%s' of '%s' is written "
                   "(pass a local array or an 'out' parameter)", sym->id, s->fn->id, p->id, g->id);
        return false;
    }
    bool ok = true;
    for (int k = 0; k < nidx; k++)
        ok &= check_expr(s, &arg->index.idx[k], W_INT) != TY_ERR;
    for (int k = 0; ok && k < rank; k++) {
        const Expr *a = sym->dims[nidx + k], *b = p->dims[k];
        if (a->kind == E_NUM && b->kind == E_NUM && a->num.value != b->num.value) {
            diag_error(s->d, arg->span, "dimension %d of '%s'%s has size %s but parameter '%s' of "
                       "'%s' has %s there", k + 1, sym->id, nidx ? " (the sub-array)" : "",
                       a->num.text, p->id, g->id, b->num.text);
            ok = false;
        }
    }
    arg->ty = sym->ty;
    return ok;
}

/* Two int expressions that are the same value wherever both are
 * evaluated: the same literal, variable or operation of such. */
static bool same_int_expr(const Expr *a, const Expr *b)
{
    if (a->kind != b->kind)
        return false;
    switch (a->kind) {
    case E_NUM:
        return a->num.value == b->num.value;
    case E_NAME:
        return a->name.sym && a->name.sym == b->name.sym;
    case E_UNARY:
        return a->op.op == b->op.op && same_int_expr(a->op.a, b->op.a);
    case E_BINARY:
        return a->op.op == b->op.op && same_int_expr(a->op.a, b->op.a) &&
               same_int_expr(a->op.b, b->op.b);
    default:
        return false;
    }
}

/* Array arguments a and b of one call certainly overlap: the same array,
 * and the indices they share provably equal (A and A[i], H[t] and H[t]).
 * Rows with different indices (H[t], H[t + 1]) are taken not to. */
static bool overlaps(const Expr *a, const Expr *b)
{
    if (arg_array(a) != arg_array(b))
        return false;
    int n = arg_nidx(a) < arg_nidx(b) ? arg_nidx(a) : arg_nidx(b);
    for (int k = 0; k < n; k++)
        if (!same_int_expr(a->index.idx[k], b->index.idx[k]))
            return false;
    return true;
}

/* An 'out' argument may not overlap another argument of the same call: the
 * callee zero-fills it on entry, so the other would read zeros (or the
 * later write would win). */
static bool check_overlap(Sema *s, const Expr *e, const Func *g)
{
    const PtrVec *args = &e->call.args;
    for (int i = 0; i < args->len; i++) {
        const Param *p = g->params.items[i];
        const Expr *out = args->items[i];
        if (p->kind != P_OUT)
            continue;
        for (int j = 0; j < args->len; j++) {
            const Param *q = g->params.items[j];
            const Expr *other = args->items[j];
            if (j == i || q->ndims == 0 || !overlaps(out, other))
                continue;
            diag_error(s->d, other->span, "'%s' is passed to 'out' parameter '%s' of '%s' and to '%s' as "
                       "well: an 'out' array is zero-filled when the call starts, so they may not "
                       "overlap (pass a separate array)", arg_array(out)->id, p->id, g->id, q->id);
            return false;
        }
    }
    return true;
}

static bool check_args(Sema *s, Expr *e, Func *g)
{
    PtrVec *args = &e->call.args;
    if (args->len != g->params.len) {
        diag_error(s->d, e->span, "'%s' takes %d %s but %d %s given", g->id, g->params.len,
                   plural(g->params.len, "argument", "arguments"), args->len,
                   plural(args->len, "is", "are"));
        return false;
    }
    bool ok = true;
    for (int i = 0; i < args->len; i++) {
        const Param *p = g->params.items[i];
        Expr **arg = (Expr **)&args->items[i];
        if (p->ndims > 0)
            ok &= check_array_arg(s, *arg, p, g);
        else
            ok &= check_expr(s, arg, p->kind == P_INT ? W_INT : W_REAL) != TY_ERR;
    }
    return ok && check_overlap(s, e, g);
}

/* How many calls of id an expression (a statement, a block) holds. */
static int count_calls(const Expr *e, const char *id)
{
    switch (e->kind) {
    case E_UNARY:
        return count_calls(e->op.a, id);
    case E_BINARY:
        return count_calls(e->op.a, id) + count_calls(e->op.b, id);
    case E_TERNARY:
        return count_calls(e->tern.c, id) + count_calls(e->tern.a, id) +
               count_calls(e->tern.b, id);
    case E_CALL: {
        int n = e->call.id == id;
        for (int i = 0; i < e->call.args.len; i++)
            n += count_calls(e->call.args.items[i], id);
        return n;
    }
    case E_INDEX: {
        int n = 0;
        for (int i = 0; i < e->index.nidx; i++)
            n += count_calls(e->index.idx[i], id);
        return n;
    }
    default:
        return 0;
    }
}

/* count_calls of a statement's expression: one nested too deeply is
 * reported as such and not walked. */
static int count_calls_top(const Expr *e, const char *id)
{
    return e && e->depth <= MAX_NESTING ? count_calls(e, id) : 0;
}

static int count_calls_block(const Block *b, const char *id)
{
    int n = 0;
    for (int i = 0; i < b->stmts.len; i++) {
        const Stmt *st = b->stmts.items[i];
        switch (st->kind) {
        case S_LET:
            n += count_calls_top(st->let.init, id);
            break;
        case S_LET_ARRAY:
            for (int k = 0; k < st->let.ndims; k++)
                n += count_calls_top(st->let.dims[k], id);
            break;
        case S_ASSIGN:
            n += count_calls_top(st->assign.target, id) + count_calls_top(st->assign.value, id);
            break;
        case S_IF:
            n += count_calls_top(st->if_.cond, id) + count_calls_block(st->if_.then, id);
            if (st->if_.els)
                n += count_calls_block(st->if_.els, id);
            break;
        case S_FOR:
            n += count_calls_top(st->for_.lo, id) + count_calls_top(st->for_.hi, id) +
                 count_calls_block(st->for_.body, id);
            break;
        case S_WHILE:
            n += count_calls_top(st->while_.cond, id) + count_calls_block(st->while_.body, id);
            break;
        case S_BREAK:
            break;
        case S_CALL:
            n += count_calls_top(st->call.call, id);
            break;
        case S_RETURN:
            n += count_calls_top(st->ret.value, id);
            break;
        }
    }
    return n;
}

/* The calls of id from here to the end of the file, in the functions
 * that sema checks (not those with syntax errors). */
static int count_uses(const Sema *s, const char *id)
{
    const PtrVec *funcs = &s->cx->prog.funcs;
    int n = count_calls_block(s->fn->body, id);
    for (int i = s->fn->index + 1; i < funcs->len; i++) {
        const Func *f = funcs->items[i];
        if (!diag_any_in(s->d, f->start_off, f->end_off))
            n += count_calls_block(f->body, id);
    }
    return n;
}

/* The function that a call of a derivative names (grad(f), d(f)), if one
 * of its arguments is a function of the file; else NULL. */
static Func *func_arg(Sema *s, const Expr *e)
{
    for (int i = 0; i < e->call.args.len; i++) {
        const Expr *arg = e->call.args.items[i];
        Func *f = arg->kind == E_NAME ? find_func(s, arg->name.id) : NULL;
        if (f)
            return f;
    }
    return NULL;
}

/* For f_grad, f_jvp, ...: the function f of the file it is made from. */
static Func *routine_base(Sema *s, const char *id)
{
    for (int k = 0; routine_suffix[k]; k++) {
        size_t n = strlen(id), m = strlen(routine_suffix[k]);
        if (n > m && strcmp(id + n - m, routine_suffix[k]) == 0) {
            Func *f = find_func(s, arena_strndup(s->cx->arena, id, n - m));
            if (f)
                return f;
        }
    }
    return NULL;
}

void sema_put_derivative_advice(Buf *b, const Cx *cx, const char *fn, bool has_out)
{
    const char *f = fn ? fn : "f";
    buf_puts(b, "derivatives are not expressions in .fn: gradc writes ");
    if (has_out)
        buf_printf(b, "%s_vjp and %s_jvp", f, f);
    else
        buf_printf(b, "%s_grad, %s_jvp and %s_hvp", f, f, f);
    buf_printf(b, " as C routines%s; call them from C, or print the derivatives with: "
               "gradc %s --eval '%s(...)'", fn ? "" : " for each function f", cx->diag.path, f);
}

/* An undefined function, reported at its first use only: a derivative
 * asked for (grad(f), f_grad(x)), a function of C or of another language
 * (with the built-in or the formula to use), or a misspelling. */
static void report_undefined_func(Sema *s, const Expr *e)
{
    const char *id = e->call.id;
    int added;
    strtab_get(&s->unknown, id, strlen(id), &added);
    if (!added)
        return;
    int uses = count_uses(s, id);
    Buf msg;
    buf_init(&msg);
    Func *base = routine_base(s, id);
    Func *of = func_arg(s, e);
    bool d_of_f = of && (strcmp(id, "d") == 0 || strcmp(id, "D") == 0 || strcmp(id, "diff") == 0);
    if (base) {
        buf_printf(&msg, "'%s' is the C routine that gradc writes for '%s': derivatives are not "
                   "expressions in .fn; call %s from C, or print the derivatives with: gradc %s "
                   "--eval '%s(...)'", id, base->id, id, s->d->path, base->id);
    } else if (in_words(id, derivative_words) || d_of_f) {
        buf_printf(&msg, "undefined function '%s'; ", id);
        sema_put_derivative_advice(&msg, s->cx, of ? of->id : NULL, of && of->has_out);
    } else {
        buf_printf(&msg, "undefined function '%s'", id);
        if (uses > 1)
            buf_printf(&msg, " (used %d times; reported here only)", uses);
        size_t n = strlen(id);
        const struct Foreign *alt = find_foreign(id);
        const char *stem = NULL;
        if (!alt && n > 2 && (id[n - 1] == 'f' || id[n - 1] == 'l')) {
            /* C's float and long double variants: powf, fabsl */
            stem = arena_strndup(s->cx->arena, id, n - 1);
            alt = find_foreign(stem);
        }
        /* a built-in and a digit: cosh2 may be cosh(x)^2, but is not cosh */
        char builtin[40] = "";
        if (n > 1 && n < sizeof builtin && id[n - 1] >= '2' && id[n - 1] <= '9') {
            memcpy(builtin, id, n - 1);
            builtin[n - 1] = 0;
        }
        if (alt && alt->builtin)
            buf_printf(&msg, "; use the built-in '%s'", alt->builtin);
        else if (alt)
            buf_printf(&msg, "; write %s(x) as %s", stem ? stem : id, alt->instead);
        else if (stem && ir_builtin(stem) >= 0)
            buf_printf(&msg, "; use the built-in '%s' (.fn computes in double)", stem);
        else if (builtin[0] && ir_builtin(builtin) >= 0)
            buf_printf(&msg, "; '%s' is a built-in: for its power write %s(x)^%c", builtin,
                       builtin, id[n - 1]);
        else {
            Buf hint;
            buf_init(&hint);
            if (suggest_func(s, &hint, id))
                buf_printf(&msg, "; %s", hint.data);
            else if (names_is_library(id))
                buf_puts(&msg, " (a function of the C library; .fn has only its built-ins, "
                         "listed in gradc(1))");
            buf_free(&hint);
        }
    }
    diag_error(s->d, e->span, "%s", msg.data);
    buf_free(&msg);
}

static Ty check_call(Sema *s, Expr **ep, Want want)
{
    Expr *e = *ep;
    const char *id = e->call.id;
    int op = ir_builtin(id);
    if (op >= 0) {
        e->call.builtin = op;
        int arity = ir_ops[op].arity;
        if (e->call.args.len != arity) {
            diag_error(s->d, e->span, "'%s' takes %d %s but %d %s given", id, arity,
                       plural(arity, "argument", "arguments"), e->call.args.len,
                       plural(e->call.args.len, "is", "are"));
            return TY_ERR;
        }
        bool ok = true;
        for (int i = 0; i < arity; i++)
            ok &= check_expr(s, (Expr **)&e->call.args.items[i], W_REAL) != TY_ERR;
        if (!ok)
            return TY_ERR;
        if (want == W_INT) {
            diag_error(s->d, e->span, "the result of '%s' is real where an int is needed (.fn has "
                       "no conversion from real to int)", id);
            return TY_ERR;
        }
        char what[300];
        snprintf(what, sizeof what, "the result of '%s'", id);
        return settle_real(s, e, want, what);
    }
    if (strcmp(id, "pi") == 0) {
        diag_error(s->d, e->span, "'pi' is a constant, not a function");
        return TY_ERR;
    }
    Func *g = find_func(s, id);
    if (!g) {
        Sym *sym = find_sym(s, id);
        if (s->cx->dropped_funcs > 0)
            return TY_ERR;              /* it may be a function lost to a syntax error */
        if (sym && sym->visible)
            diag_error(s->d, e->span, "'%s' is a variable, not a function", id);
        else
            report_undefined_func(s, e);
        return TY_ERR;
    }
    e->call.fn = g;
    vec_push(s->cx->arena, &s->fn->calls, e);
    if (!check_args(s, e, g))
        return TY_ERR;
    if (g->has_out) {
        diag_error(s->d, e->span, "'%s' has 'out' parameters and returns nothing; call it as a "
                   "statement: %s(...);", id, id);
        return TY_ERR;
    }
    char what[300];
    snprintf(what, sizeof what, "the result of '%s'", id);
    return settle_real(s, e, want, what);
}

static Ty check_index(Sema *s, Expr **ep, Want want)
{
    Expr *e = *ep;
    const char *id = e->index.id;
    Sym *sym = find_sym(s, id);
    if (!sym || !sym->visible) {
        if (sym)
            report_not_visible(s, e->span, sym);
        else
            report_undeclared(s, e->span, id);
        return TY_ERR;
    }
    e->index.sym = sym;
    if (sym->bad)
        return TY_ERR;
    if (sym->ndims == 0) {
        diag_error(s->d, e->span, "'%s' is not an array and cannot be indexed", id);
        return TY_ERR;
    }
    if (e->index.nidx != sym->ndims) {
        diag_error(s->d, e->span, "'%s' has %d %s but %d %s given", id, sym->ndims,
                   plural(sym->ndims, "dimension", "dimensions"), e->index.nidx,
                   plural(e->index.nidx, "index is", "indices are"));
        return TY_ERR;
    }
    bool ok = true;
    for (int i = 0; i < sym->ndims; i++) {
        if (check_expr(s, &e->index.idx[i], W_INT) == TY_ERR) {
            ok = false;
            continue;
        }
        const Expr *ix = e->index.idx[i], *dim = sym->dims[i];
        long k = ix->kind == E_NUM ? (long)ix->num.value
               : ix->kind == E_UNARY && ix->op.op == A_NEG && ix->op.a->kind == E_NUM
                   ? -(long)ix->op.a->num.value : 0;
        bool constant = ix->kind == E_NUM || (ix->kind == E_UNARY && ix->op.op == A_NEG &&
                                              ix->op.a->kind == E_NUM);
        /* a size that is not a valid int was reported with the parameter */
        bool known = dim && dim->kind == E_NUM && dim->num.value >= 1 && dim->num.value <= INT_MAX;
        if (constant && (k < 0 || (known && k >= (long)dim->num.value))) {
            if (known)
                diag_error(s->d, ix->span, "index %ld is outside '%s' (valid: 0 to %ld)", k, id,
                           (long)dim->num.value - 1);
            else
                diag_error(s->d, ix->span, "index %ld is outside '%s' (indices start at 0)", k, id);
            ok = false;
        }
    }
    if (!ok)
        return TY_ERR;
    if (sym->ty == TY_INT)
        return settle_int(s, ep, want);
    if (want == W_INT) {
        diag_error(s->d, e->span, "an element of '%s' is real where an int is needed (an array of "
                   "indices is an 'int' array: int %s[...])", id, id);
        return TY_ERR;
    }
    char what[300];
    snprintf(what, sizeof what, "an element of '%s'", id);
    return settle_real(s, e, want, what);
}

static Ty check_expr(Sema *s, Expr **ep, Want want)
{
    Expr *e = *ep;
    Ty ty = TY_ERR;
    switch (e->kind) {
    case E_NUM:
        ty = check_num(s, ep, want);
        break;
    case E_NAME:
        ty = check_name(s, ep, want);
        break;
    case E_UNARY:
        ty = check_unary(s, ep, want);
        break;
    case E_BINARY:
        ty = check_binary(s, ep, want);
        break;
    case E_TERNARY:
        ty = check_ternary(s, ep, want);
        break;
    case E_CALL:
        ty = check_call(s, ep, want);
        break;
    case E_INDEX:
        ty = check_index(s, ep, want);
        break;
    case E_TOREAL:
        ty = TY_REAL;
        break;
    }
    if (*ep != e)               /* a conversion was put above e */
        return ty;
    e->ty = ty;
    return ty;
}

/* Expressions of a statement start here: too deep a tree is refused before
 * any recursion over it. */
static Ty check_top(Sema *s, Expr **ep, Want want)
{
    if ((*ep)->depth > MAX_NESTING) {
        diag_error(s->d, (*ep)->span, "expression is nested too deeply (more than %d levels)",
                   MAX_NESTING);
        return TY_ERR;
    }
    return check_expr(s, ep, want);
}

/* ---- statements ------------------------------------------------------- */

static void check_block(Sema *s, Block *b, bool is_body);

/* Records that sym is assigned inside every open if/for declared-outside
 * statement, innermost first, stopping where it is already recorded. */
static void mark_assigned(Sema *s, Sym *sym)
{
    for (int k = s->open.len - 1; k >= sym->decl_depth; k--) {
        Stmt *st = s->open.items[k];
        struct {
            const void *stmt, *sym;
        } key = {st, sym};
        int added;
        strtab_get(&s->marks, (const char *)&key, sizeof key, &added);
        if (!added)
            break;
        vec_push(s->cx->arena, &st->assigned, sym);
    }
}

static void check_assign(Sema *s, Stmt *st)
{
    Expr *t = st->assign.target;
    const char *id = t->kind == E_NAME ? t->name.id : t->index.id;
    Sym *sym = find_sym(s, id);
    /* an int local, or an element of a local int array, takes an int */
    bool int_target = sym && sym->visible && sym->ty == TY_INT && sym->kind == SYM_LOCAL;
    if (t->kind == E_NAME && sym && sym->visible && !sym->bad && sym->ndims > 0) {
        /* y = x; copies an array: one error, the value is not checked */
        diag_error(s->d, t->span, "cannot assign to array '%s' as a whole; assign its elements "
                   "(for i in 0..n { %s[i] = ...; })", id, id);
        return;
    }
    check_top(s, &st->assign.value, int_target ? W_INT : W_REAL);
    if (int_target && st->assign.op == A_DIV) {
        diag_error(s->d, st->span, "'/=' is for reals; '%s' is an int (write '%s = %s / d;' for "
                   "C's truncating division)", id, id, id);
        return;
    }
    if (!sym || !sym->visible) {
        if (is_builtin_name(id))
            diag_error(s->d, t->span, "cannot assign to the built-in '%s'", id);
        else if (sym)
            report_not_visible(s, t->span, sym);
        else if (first_report(s, id))
            diag_error(s->d, t->span, "'%s' is not declared (declare it with 'let %s = ...;')", id, id);
        return;
    }
    if (sym->bad)
        return;
    if (t->kind == E_NAME) {
        t->name.sym = sym;
        if (sym->kind == SYM_PARAM)
            diag_error(s->d, t->span, "cannot assign to parameter '%s' (copy it: 'let v = %s;')", id, id);
        else if (sym->kind == SYM_LOOP)
            diag_error(s->d, t->span, "cannot assign to loop variable '%s'", id);
        else if (sym->ndims > 0)
            diag_error(s->d, t->span, "cannot assign to array '%s' as a whole; assign its elements", id);
        else {
            t->ty = sym->ty;
            mark_assigned(s, sym);
        }
        return;
    }
    if (sym->kind == SYM_PARAM && sym->ndims > 0 && sym->pkind != P_OUT) {
        if (sym->ty == TY_INT)
            diag_error(s->d, t->span, "cannot assign to '%s': an 'int' array parameter is an input, "
                       "read-only (copy it into a local 'let int a[n];')", id);
        else
            diag_error(s->d, t->span, "cannot assign to input array '%s'", id);
        return;
    }
    check_index(s, &st->assign.target, int_target ? W_INT : W_REAL);
}

/* In a checked int expression, the first leaf that is not an int
 * parameter or a literal (a loop variable, an int local, an element of an
 * int array), or NULL. */
static const Expr *not_size_leaf(const Expr *e)
{
    switch (e->kind) {
    case E_NAME:
        return e->name.sym && e->name.sym->kind != SYM_PARAM ? e : NULL;
    case E_INDEX:
        return e;
    case E_UNARY:
        return not_size_leaf(e->op.a);
    case E_BINARY: {
        const Expr *a = not_size_leaf(e->op.a);
        return a ? a : not_size_leaf(e->op.b);
    }
    case E_TERNARY: {
        const Expr *a = not_size_leaf(e->tern.c);
        a = a ? a : not_size_leaf(e->tern.a);
        return a ? a : not_size_leaf(e->tern.b);
    }
    default:
        return NULL;
    }
}

static bool has_name(const Expr *e)
{
    return e->kind == E_NAME || (e->kind == E_UNARY && has_name(e->op.a)) ||
           (e->kind == E_BINARY && (has_name(e->op.a) || has_name(e->op.b)));
}

/* The value of a size expression without names (2 * 3 - 7), in *v,
 * clamped to +-2^31 at each step (so nothing overflows); false if it has
 * names, or divides by zero. */
static bool const_size(const Expr *e, long long *v)
{
    const long long big = 2147483648LL;
    long long a, b;
    *v = 0;
    switch (e->kind) {
    case E_NUM:
        *v = (long long)e->num.value;
        return true;
    case E_UNARY:
        if (!const_size(e->op.a, &a))
            return false;
        *v = e->op.op == A_NEG ? -a : a;
        return true;
    case E_BINARY:
        if (!const_size(e->op.a, &a) || !const_size(e->op.b, &b))
            return false;
        switch (e->op.op) {
        case A_ADD: *v = a + b; break;
        case A_SUB: *v = a - b; break;
        case A_MUL: *v = a * b; break;
        case A_DIV: if (!b) return false; *v = a / b; break;
        case A_MOD: if (!b) return false; *v = a % b; break;
        default: return false;
        }
        *v = *v > big ? big : *v < -big ? -big : *v;
        return true;
    default:
        return false;
    }
}

/* A size expression of literals only must be at least 1 (an int it is:
 * check_int_literals reported overflow and division by zero). */
static void check_const_size(Sema *s, const char *id, const Expr *e)
{
    long long v;
    if (!has_name(e) && const_size(e, &v) && v < 1)
        diag_error(s->d, e->span, "the size of '%s' is %lld; sizes must be at least 1", id, v);
}

static void check_let(Sema *s, Stmt *st)
{
    Ty ty = st->let.is_int ? TY_INT : TY_REAL;
    if (st->kind == S_LET) {
        check_top(s, &st->let.init, st->let.is_int ? W_INT : W_REAL);
        st->let.sym = declare(s, st->let.id_span, st->let.id, SYM_LOCAL, ty);
        return;
    }
    if (st->let.ndims > MAX_DIMS) {
        diag_error(s->d, st->let.id_span, "arrays have at most %d dimensions", MAX_DIMS);
        return;
    }
    for (int i = 0; i < st->let.ndims; i++) {
        if (check_top(s, &st->let.dims[i], W_INT) == TY_ERR)
            continue;
        const Expr *bad = not_size_leaf(st->let.dims[i]);
        if (bad && bad->kind == E_INDEX)
            diag_error(s->d, bad->span, "the size of '%s' may use only 'int' parameters and "
                       "integers, not an element of '%s' (sizes are known on entry)",
                       st->let.id, bad->index.id);
        else if (bad)
            diag_error(s->d, bad->span, "the size of '%s' may use only 'int' parameters and "
                       "integers, not the %s '%s' (sizes are known on entry)", st->let.id,
                       bad->name.sym->kind == SYM_LOOP ? "loop variable" : "local", bad->name.id);
        else
            check_const_size(s, st->let.id, st->let.dims[i]);
    }
    Sym *sym = declare(s, st->let.id_span, st->let.id, SYM_LOCAL, ty);
    if (sym) {
        sym->ndims = st->let.ndims;
        sym->dims = st->let.dims;
    }
    st->let.sym = sym;
}

static void check_for(Sema *s, Stmt *st)
{
    check_top(s, &st->for_.lo, W_INT);
    check_top(s, &st->for_.hi, W_INT);
    vec_push(s->cx->arena, &s->open, st);
    int scope_mark = s->scope.len;
    st->for_.sym = declare(s, st->for_.id_span, st->for_.id, SYM_LOOP, TY_INT);
    check_block(s, st->for_.body, false);
    end_scope(s, scope_mark);
    s->open.len--;
}

static void check_while(Sema *s, Stmt *st)
{
    check_top(s, &st->while_.cond, W_COND);
    vec_push(s->cx->arena, &s->open, st);
    check_block(s, st->while_.body, false);
    s->open.len--;
}

/* break leaves the innermost for or while around it. */
static void check_break(Sema *s, const Stmt *st)
{
    for (int k = s->open.len - 1; k >= 0; k--) {
        const Stmt *o = s->open.items[k];
        if (o->kind == S_FOR || o->kind == S_WHILE)
            return;
    }
    diag_error(s->d, st->span, "'break' outside a loop ('break' leaves the innermost 'for' or "
               "'while' around it)");
}

static void check_call_stmt(Sema *s, Stmt *st)
{
    Expr *e = st->call.call;
    if (ir_builtin(e->call.id) >= 0 || strcmp(e->call.id, "pi") == 0) {
        diag_error(s->d, e->span, "the result of '%s' is unused", e->call.id);
        return;
    }
    Func *g = find_func(s, e->call.id);
    if (!g) {
        check_call(s, &st->call.call, W_REAL);
        return;
    }
    if (!g->has_out) {
        diag_error(s->d, e->span, "the result of '%s' is unused (only functions with 'out' "
                   "parameters are called as statements)", g->id);
        return;
    }
    e->call.fn = g;
    vec_push(s->cx->arena, &s->fn->calls, e);
    check_args(s, e, g);
}

static void check_stmt(Sema *s, Stmt *st, bool last_of_body)
{
    switch (st->kind) {
    case S_LET:
    case S_LET_ARRAY:
        check_let(s, st);
        break;
    case S_ASSIGN:
        check_assign(s, st);
        break;
    case S_IF:
        check_top(s, &st->if_.cond, W_COND);
        vec_push(s->cx->arena, &s->open, st);
        check_block(s, st->if_.then, false);
        if (st->if_.els)
            check_block(s, st->if_.els, false);
        s->open.len--;
        break;
    case S_FOR:
        check_for(s, st);
        break;
    case S_WHILE:
        check_while(s, st);
        break;
    case S_BREAK:
        check_break(s, st);
        break;
    case S_CALL:
        check_call_stmt(s, st);
        break;
    case S_RETURN:
        if (s->fn->has_out) {
            /* its value (often an out array) is not checked: that would be a second error */
            diag_error(s->d, st->span, "'%s' has 'out' parameters and returns nothing; remove "
                       "this 'return'", s->fn->id);
            break;
        }
        if (!last_of_body && s->open.len > 0)
            diag_error(s->d, st->span, "'return' must be the last statement of the function (for "
                       "an early return, assign a local in 'if'/'else' and return it at the end)");
        else if (!last_of_body)
            diag_error(s->d, st->span, "'return' must be the last statement of the function");
        check_top(s, &st->ret.value, W_REAL);
        break;
    }
}

static void check_block(Sema *s, Block *b, bool is_body)
{
    int scope_mark = s->scope.len;
    for (int i = 0; i < b->stmts.len; i++) {
        if (diag_full(s->d))
            return;
        check_stmt(s, b->stmts.items[i], is_body && i == b->stmts.len - 1);
    }
    end_scope(s, scope_mark);
}

/* ---- functions -------------------------------------------------------- */

/* A parameter's size: an int expression of integer literals and the scalar
 * 'int' parameters declared before it (n, n + 1, 4 * h). */
static bool check_size(Sema *s, Param *p, Expr *e, bool whole)
{
    switch (e->kind) {
    case E_NUM:
        if (!e->num.is_int || !e->num.fits_int || (whole && e->num.value < 1)) {
            diag_error(s->d, e->span, whole ? "the size of '%s' must be a positive int or an 'int' "
                       "parameter" : "the size of '%s' is an int expression; this number is not "
                       "an int", p->id);
            return false;
        }
        e->ty = TY_INT;
        return true;
    case E_NAME: {
        Sym *sym = find_sym(s, e->name.id);
        if (sym && sym->bad)
            return false;               /* its declaration was reported */
        if (sym && sym->kind == SYM_PARAM && sym->ty == TY_INT && sym->ndims == 0) {
            e->name.sym = sym;
            e->ty = TY_INT;
            return true;
        }
        bool later = false;
        for (int i = 0; i < s->fn->params.len; i++) {
            const Param *q = s->fn->params.items[i];
            later |= q->kind == P_INT && q->ndims == 0 && q->id == e->name.id;
        }
        if (later)
            diag_error(s->d, e->span, "size '%s' of '%s' is declared after it; declare 'int %s' "
                       "earlier in the list", e->name.id, p->id, e->name.id);
        else if (sym)
            diag_error(s->d, e->span, "size '%s' of '%s' is not an 'int' parameter", e->name.id, p->id);
        else
            diag_error(s->d, e->span, "size '%s' of '%s' is not declared; sizes are 'int' "
                       "parameters declared earlier, or integers", e->name.id, p->id);
        return false;
    }
    case E_UNARY:
        if (e->op.op == A_NOT)
            break;
        if (!check_size(s, p, e->op.a, false))
            return false;
        e->ty = TY_INT;
        return check_int_literals(s, e) == TY_INT;
    case E_BINARY:
        if (e->op.op != A_ADD && e->op.op != A_SUB && e->op.op != A_MUL && e->op.op != A_DIV &&
            e->op.op != A_MOD)
            break;
        bool left = check_size(s, p, e->op.a, false);     /* both sides reported */
        bool right = check_size(s, p, e->op.b, false);
        if (!left || !right)
            return false;
        e->ty = TY_INT;
        return check_int_literals(s, e) == TY_INT;
    default:
        break;
    }
    diag_error(s->d, e->span, "the size of parameter '%s' must be an int expression of integers "
               "and 'int' parameters declared before it (+ - * / %%)", p->id);
    return false;
}

static void check_params(Sema *s, Func *f)
{
    for (int i = 0; i < f->params.len; i++) {
        Param *p = f->params.items[i];
        if (p->ndims > MAX_DIMS) {
            diag_error(s->d, p->span, "arrays have at most %d dimensions", MAX_DIMS);
            p->ndims = MAX_DIMS;
        }
        for (int k = 0; k < p->ndims; k++)
            if (check_size(s, p, p->dims[k], true) && p->dims[k]->kind != E_NUM)
                check_const_size(s, p->id, p->dims[k]);
        bool bad = p->kind == P_OUT && p->ndims == 0;
        if (bad)
            diag_error(s->d, p->span, "'out' parameter '%s' must be an array: out %s[n]", p->id, p->id);
        Sym *sym = declare(s, p->span, p->id, SYM_PARAM, p->kind == P_INT ? TY_INT : TY_REAL);
        if (sym) {
            sym->pkind = p->kind;
            sym->ndims = p->ndims;
            sym->dims = p->dims;
            sym->bad = bad;
        }
        p->sym = sym;
    }
}

static void check_body(Sema *s, Func *f)
{
    int errors = s->d->errors;
    s->fn = f;
    /* a function with a lexical or syntax error is not checked further:
     * its tree is incomplete and would only give echoes */
    if (diag_any_in(s->d, f->start_off, f->end_off)) {
        f->ok = false;
        return;
    }
    strtab_init(&s->syms, s->cx->arena);
    strtab_init(&s->decls, s->cx->arena);
    strtab_init(&s->unusable, s->cx->arena);
    collect_decls(s, f->body);
    s->open.len = 0;
    s->scope.len = 0;
    check_params(s, f);
    check_block(s, f->body, true);
    PtrVec *stmts = &f->body->stmts;
    bool returns = false;       /* a misplaced 'return' was reported already */
    for (int i = 0; i < stmts->len; i++)
        returns |= ((const Stmt *)stmts->items[i])->kind == S_RETURN;
    if (!f->has_out && !returns)
        diag_error(s->d, f->body->close, "'%s' must end with 'return' (or have 'out' parameters)",
                   f->id);
    f->ok = s->d->errors == errors;
}

/* A function name becomes a C symbol, and so do the names made from it. */
static void check_func_name(Sema *s, Func *f)
{
    if (!check_not_builtin(s, f->span, f->id, "function"))
        return;
    if (names_is_keyword(f->id))
        diag_error(s->d, f->span, "function name '%s' is a C or C++ keyword", f->id);
    else if (names_is_library(f->id))
        diag_error(s->d, f->span, "function name '%s' clashes with the C standard library", f->id);
    else if (names_is_implementation(f->id))
        diag_error(s->d, f->span, "function name '%s' is reserved (names starting with '_' and a "
                   "capital, '__' or 'gradc_' belong to the C implementation and to gradc)", f->id);
}

static void collect_funcs(Sema *s)
{
    PtrVec *funcs = &s->cx->prog.funcs;
    for (int i = 0; i < funcs->len; i++) {
        Func *f = funcs->items[i];
        for (int j = 0; j < f->params.len; j++)
            f->has_out |= ((Param *)f->params.items[j])->kind == P_OUT;
        check_func_name(s, f);
        int added;
        StrTabEntry *e = strtab_get(&s->funcs, f->id, strlen(f->id), &added);
        if (!added) {
            const Func *old = e->value;
            diag_error(s->d, f->span, "function '%s' is already defined at %d:%d", f->id,
                       old->span.line, old->span.col);
            f->ok = false;
            continue;
        }
        e->value = f;
    }
    /* f and f_grad may not both be defined: gradc writes f_grad for f */
    for (int i = 0; i < funcs->len; i++) {
        Func *f = funcs->items[i];
        for (size_t k = 0; k < sizeof generated_suffix / sizeof *generated_suffix; k++) {
            size_t n = strlen(f->id), m = strlen(generated_suffix[k]);
            if (n <= m || strcmp(f->id + n - m, generated_suffix[k]) != 0)
                continue;
            const Func *base = find_func(s, arena_strndup(s->cx->arena, f->id, n - m));
            if (base && base != f)
                diag_error(s->d, f->span, "function name '%s' clashes with the '%s' that gradc "
                           "generates for '%s' (defined at %d:%d)", f->id, f->id, base->id,
                           base->span.line, base->span.col);
        }
    }
}

/* Depth-first search of the call graph; a call to a function still on the
 * path closes a cycle. */
typedef struct Frame {
    Func *f;
    int next;
} Frame;

static void report_cycle(Sema *s, Frame *stack, int depth, Expr *call)
{
    Buf path;
    buf_init(&path);
    int from = depth - 1;
    while (from > 0 && stack[from].f != call->call.fn)
        from--;
    for (int i = from; i < depth; i++)
        buf_printf(&path, "%s -> ", stack[i].f->id);
    buf_puts(&path, call->call.fn->id);
    if (from == depth - 1)
        diag_error(s->d, call->span, "'%s' calls itself; recursion is not supported", call->call.fn->id);
    else
        diag_error(s->d, call->span, "recursive call: %s; recursion is not supported", path.data);
    buf_free(&path);
}

static void check_recursion(Sema *s)
{
    PtrVec *funcs = &s->cx->prog.funcs;
    int n = funcs->len;
    char *color = ARENA_ARRAY(s->cx->arena, char, n);   /* 0 new, 1 on path, 2 done */
    Frame *stack = ARENA_ARRAY(s->cx->arena, Frame, n + 1);
    for (int root = 0; root < n; root++) {
        if (color[root])
            continue;
        int depth = 0;
        stack[depth++] = (Frame){funcs->items[root], 0};
        color[root] = 1;
        while (depth > 0) {
            Frame *top = &stack[depth - 1];
            if (top->next == top->f->calls.len) {
                color[top->f->index] = 2;
                depth--;
                continue;
            }
            Expr *call = top->f->calls.items[top->next++];
            Func *g = call->call.fn;
            if (color[g->index] == 1)
                report_cycle(s, stack, depth, call);
            else if (color[g->index] == 0) {
                color[g->index] = 1;
                stack[depth++] = (Frame){g, 0};
            }
        }
    }
}

bool sema_check(Cx *cx)
{
    Sema s = {0};
    s.cx = cx;
    s.d = &cx->diag;
    strtab_init(&s.funcs, cx->arena);
    strtab_init(&s.marks, cx->arena);
    strtab_init(&s.unknown, cx->arena);
    int errors = s.d->errors;
    collect_funcs(&s);
    for (int i = 0; i < cx->prog.funcs.len && !diag_full(s.d); i++)
        check_body(&s, cx->prog.funcs.items[i]);
    check_recursion(&s);
    return s.d->errors == errors;
}
