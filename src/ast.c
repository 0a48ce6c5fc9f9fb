/* AST constructors (one per grammar action) and the --emit=ast printer. */
#include "ast.h"

#include <stdio.h>
#include <string.h>

#include "gradc.h"

static const char *const op_spelling[] = {
    [A_ADD] = "+", [A_SUB] = "-", [A_MUL] = "*", [A_DIV] = "/", [A_MOD] = "%",
    [A_POW] = "^", [A_EQ] = "==", [A_NE] = "!=", [A_LT] = "<", [A_LE] = "<=",
    [A_GT] = ">", [A_GE] = ">=", [A_AND] = "&&", [A_OR] = "||", [A_NEG] = "-",
    [A_PLUS] = "+", [A_NOT] = "!", [A_SET] = "=",
};

const char *ast_op_spelling(AstOp op)
{
    return op_spelling[op];
}

static Expr *new_expr(Cx *cx, ExprKind kind, Span at, int depth)
{
    Expr *e = ARENA_NEW(cx->arena, Expr);
    e->kind = kind;
    e->span = at;
    e->ty = TY_ERR;
    e->depth = depth;
    return e;
}

static int depth_of(const Expr *e)
{
    return e ? e->depth : 0;
}

static int max2(int a, int b)
{
    return a > b ? a : b;
}

Expr *ast_num(Cx *cx, Span at, const char *text, double value, bool is_int, bool fits_int)
{
    Expr *e = new_expr(cx, E_NUM, at, 1);
    e->num.text = text;
    e->num.value = value;
    e->num.is_int = is_int;
    e->num.fits_int = fits_int;
    return e;
}

Expr *ast_name(Cx *cx, Span at, const char *id)
{
    Expr *e = new_expr(cx, E_NAME, at, 1);
    e->name.id = id;
    return e;
}

Expr *ast_unary(Cx *cx, Span at, AstOp op, Expr *a)
{
    Expr *e = new_expr(cx, E_UNARY, at, depth_of(a) + 1);
    e->op.op = op;
    e->op.a = a;
    return e;
}

Expr *ast_binary(Cx *cx, Span at, AstOp op, Expr *a, Expr *b)
{
    Expr *e = new_expr(cx, E_BINARY, at, max2(depth_of(a), depth_of(b)) + 1);
    e->op.op = op;
    e->op.a = a;
    e->op.b = b;
    return e;
}

Expr *ast_ternary(Cx *cx, Span at, Expr *c, Expr *a, Expr *b)
{
    int d = max2(depth_of(c), max2(depth_of(a), depth_of(b)));
    Expr *e = new_expr(cx, E_TERNARY, at, d + 1);
    e->tern.c = c;
    e->tern.a = a;
    e->tern.b = b;
    return e;
}

static int list_depth(const PtrVec *v)
{
    int d = 0;
    for (int i = 0; i < v->len; i++)
        d = max2(d, depth_of(v->items[i]));
    return d;
}

Expr *ast_call(Cx *cx, Span at, const char *id, PtrVec *args)
{
    Expr *e = new_expr(cx, E_CALL, at, list_depth(args) + 1);
    e->call.id = id;
    e->call.id_span = at;
    e->call.args = *args;
    e->call.builtin = -1;
    return e;
}

Expr *ast_index(Cx *cx, Span at, const char *id, PtrVec *idx)
{
    Expr *e = new_expr(cx, E_INDEX, at, list_depth(idx) + 1);
    e->index.id = id;
    e->index.id_span = at;
    /* more indices than an array can have are kept for sema to report */
    e->index.nidx = idx->len;
    e->index.idx = (Expr **)idx->items;
    return e;
}

Expr *ast_toreal(Cx *cx, Expr *a)
{
    Expr *e = new_expr(cx, E_TOREAL, a->span, a->depth + 1);
    e->conv.a = a;
    e->ty = TY_REAL;
    return e;
}

static Stmt *new_stmt(Cx *cx, StmtKind kind, Span at)
{
    Stmt *s = ARENA_NEW(cx->arena, Stmt);
    s->kind = kind;
    s->span = at;
    return s;
}

Stmt *ast_let(Cx *cx, Span at, bool is_int, const char *id, Span id_at, Expr *init)
{
    Stmt *s = new_stmt(cx, S_LET, at);
    s->let.is_int = is_int;
    s->let.id = id;
    s->let.id_span = id_at;
    s->let.init = init;
    return s;
}

Stmt *ast_let_array(Cx *cx, Span at, bool is_int, const char *id, Span id_at, PtrVec *dims)
{
    Stmt *s = new_stmt(cx, S_LET_ARRAY, at);
    s->let.is_int = is_int;
    s->let.id = id;
    s->let.id_span = id_at;
    s->let.ndims = dims->len;
    s->let.dims = (Expr **)dims->items;
    return s;
}

Stmt *ast_assign(Cx *cx, Span at, Expr *target, AstOp op, Expr *value)
{
    Stmt *s = new_stmt(cx, S_ASSIGN, at);
    s->assign.target = target;
    s->assign.op = op;
    s->assign.value = value;
    return s;
}

Stmt *ast_if(Cx *cx, Span at, Expr *cond, Block *then, Block *els)
{
    Stmt *s = new_stmt(cx, S_IF, at);
    s->if_.cond = cond;
    s->if_.then = then;
    s->if_.els = els;
    return s;
}

Stmt *ast_for(Cx *cx, Span at, const char *id, Span id_at, Expr *lo, Expr *hi, Block *body)
{
    Stmt *s = new_stmt(cx, S_FOR, at);
    s->for_.id = id;
    s->for_.id_span = id_at;
    s->for_.lo = lo;
    s->for_.hi = hi;
    s->for_.body = body;
    return s;
}

Stmt *ast_while(Cx *cx, Span at, Expr *cond, Block *body)
{
    Stmt *s = new_stmt(cx, S_WHILE, at);
    s->while_.cond = cond;
    s->while_.body = body;
    return s;
}

Stmt *ast_break(Cx *cx, Span at)
{
    return new_stmt(cx, S_BREAK, at);
}

Stmt *ast_call_stmt(Cx *cx, Span at, Expr *call)
{
    Stmt *s = new_stmt(cx, S_CALL, at);
    s->call.call = call;
    return s;
}

Stmt *ast_return(Cx *cx, Span at, Expr *value)
{
    Stmt *s = new_stmt(cx, S_RETURN, at);
    s->ret.value = value;
    return s;
}

Block *ast_block(Cx *cx, Span open)
{
    Block *b = ARENA_NEW(cx->arena, Block);
    b->open = b->close = open;
    return b;
}

Block *ast_block_of(Cx *cx, Stmt *s)
{
    Block *b = ast_block(cx, s->span);
    ast_block_add(cx, b, s);
    return b;
}

void ast_block_add(Cx *cx, Block *b, Stmt *s)
{
    if (s)
        vec_push(cx->arena, &b->stmts, s);
}

Param *ast_param(Cx *cx, Span at, ParamKind kind, const char *id, PtrVec *dims)
{
    Param *p = ARENA_NEW(cx->arena, Param);
    p->id = id;
    p->span = at;
    p->kind = kind;
    if (dims) {
        p->ndims = dims->len;
        p->dims = (Expr **)dims->items;
    }
    return p;
}

Func *ast_func(Cx *cx, Span at, const char *id, PtrVec *params, Block *body, bool expr_form,
               int start_off, int end_off)
{
    Func *f = ARENA_NEW(cx->arena, Func);
    f->start_off = start_off;
    f->end_off = end_off;
    f->id = id;
    f->span = at;
    f->params = *params;
    f->body = body;
    f->expr_form = expr_form;
    return f;
}

void ast_program_add(Cx *cx, Func *f)
{
    f->index = cx->prog.funcs.len;
    vec_push(cx->arena, &cx->prog.funcs, f);
}

void ast_list_push(Cx *cx, PtrVec *list, void *item)
{
    vec_push(cx->arena, list, item);
}

/* ---- printer ---------------------------------------------------------- */

/* Binding strength in an int expression: the parentheses an operand needs. */
static int int_prec(const Expr *e)
{
    if (e->kind == E_BINARY)
        return e->op.op == A_ADD || e->op.op == A_SUB ? 1 : 2;
    return e->kind == E_UNARY ? 3 : 4;
}

static void put_operand_of(Buf *out, const Expr *e, int need)
{
    bool paren = int_prec(e) < need;
    if (paren)
        buf_putc(out, '(');
    ast_put_int_expr(out, e);
    if (paren)
        buf_putc(out, ')');
}

void ast_put_int_expr(Buf *out, const Expr *e)
{
    switch (e->kind) {
    case E_NUM:
        buf_puts(out, e->num.text);
        break;
    case E_NAME:
        buf_puts(out, e->name.id);
        break;
    case E_UNARY:
        buf_puts(out, e->op.op == A_NEG ? "-" : "+");
        put_operand_of(out, e->op.a, 3);
        break;
    case E_BINARY: {
        int p = int_prec(e);
        put_operand_of(out, e->op.a, p);
        buf_printf(out, " %s ", ast_op_spelling(e->op.op));
        /* a - (b + c), a / (b * c): the right operand binds tighter */
        put_operand_of(out, e->op.b, p + 1);
        break;
    }
    default:
        buf_puts(out, "?");
        break;
    }
}

static void print_expr(Buf *o, const Expr *e);

static void print_list(Buf *o, const PtrVec *v)
{
    for (int i = 0; i < v->len; i++) {
        buf_putc(o, ' ');
        print_expr(o, v->items[i]);
    }
}

static void print_expr(Buf *o, const Expr *e)
{
    switch (e->kind) {
    case E_NUM:
        buf_puts(o, e->num.text);
        break;
    case E_NAME:
        buf_puts(o, e->name.id);
        break;
    case E_UNARY:
        buf_printf(o, "(%s ", e->op.op == A_NEG ? "neg" : ast_op_spelling(e->op.op));
        print_expr(o, e->op.a);
        buf_putc(o, ')');
        break;
    case E_BINARY:
        buf_printf(o, "(%s ", ast_op_spelling(e->op.op));
        print_expr(o, e->op.a);
        buf_putc(o, ' ');
        print_expr(o, e->op.b);
        buf_putc(o, ')');
        break;
    case E_TERNARY:
        buf_puts(o, "(? ");
        print_expr(o, e->tern.c);
        buf_putc(o, ' ');
        print_expr(o, e->tern.a);
        buf_putc(o, ' ');
        print_expr(o, e->tern.b);
        buf_putc(o, ')');
        break;
    case E_CALL:
        buf_printf(o, "(call %s", e->call.id);
        print_list(o, &e->call.args);
        buf_putc(o, ')');
        break;
    case E_INDEX:
        buf_printf(o, "(index %s", e->index.id);
        for (int i = 0; i < e->index.nidx; i++) {
            buf_putc(o, ' ');
            print_expr(o, e->index.idx[i]);
        }
        buf_putc(o, ')');
        break;
    case E_TOREAL:
        buf_puts(o, "(real ");
        print_expr(o, e->conv.a);
        buf_putc(o, ')');
        break;
    }
}

static void print_block(Buf *o, const Block *b, int level);

static void print_dims(Buf *o, Expr *const *dims, int n)
{
    for (int i = 0; i < n; i++) {
        buf_putc(o, '[');
        print_expr(o, dims[i]);
        buf_putc(o, ']');
    }
}

static void print_stmt(Buf *o, const Stmt *s, int level)
{
    buf_putc(o, '\n');
    buf_indent(o, level);
    switch (s->kind) {
    case S_LET:
        buf_printf(o, "(let %s%s ", s->let.is_int ? "int " : "", s->let.id);
        print_expr(o, s->let.init);
        break;
    case S_LET_ARRAY:
        buf_printf(o, "(let %s%s", s->let.is_int ? "int " : "", s->let.id);
        print_dims(o, s->let.dims, s->let.ndims);
        break;
    case S_ASSIGN:
        buf_printf(o, "(%s%s ", s->assign.op == A_SET ? "" : ast_op_spelling(s->assign.op), "=");
        print_expr(o, s->assign.target);
        buf_putc(o, ' ');
        print_expr(o, s->assign.value);
        break;
    case S_IF:
        buf_puts(o, "(if ");
        print_expr(o, s->if_.cond);
        print_block(o, s->if_.then, level + 1);
        if (s->if_.els)
            print_block(o, s->if_.els, level + 1);
        break;
    case S_FOR:
        buf_printf(o, "(for %s ", s->for_.id);
        print_expr(o, s->for_.lo);
        buf_putc(o, ' ');
        print_expr(o, s->for_.hi);
        print_block(o, s->for_.body, level + 1);
        break;
    case S_WHILE:
        buf_puts(o, "(while ");
        print_expr(o, s->while_.cond);
        print_block(o, s->while_.body, level + 1);
        break;
    case S_BREAK:
        buf_puts(o, "(break");
        break;
    case S_CALL:
        buf_puts(o, "(do ");
        print_expr(o, s->call.call);
        break;
    case S_RETURN:
        buf_puts(o, "(return ");
        print_expr(o, s->ret.value);
        break;
    }
    buf_putc(o, ')');
}

static void print_block(Buf *o, const Block *b, int level)
{
    buf_putc(o, '\n');
    buf_indent(o, level);
    buf_puts(o, "(block");
    for (int i = 0; i < b->stmts.len; i++)
        print_stmt(o, b->stmts.items[i], level + 1);
    buf_putc(o, ')');
}

static const char *const param_kind_name[] = {
    [P_REAL] = "real", [P_INT] = "int", [P_OUT] = "out", [P_CONST] = "const",
};

void ast_print(Buf *out, const Program *p)
{
    for (int i = 0; i < p->funcs.len; i++) {
        const Func *f = p->funcs.items[i];
        buf_printf(out, "(fn %s (", f->id);
        for (int j = 0; j < f->params.len; j++) {
            const Param *pa = f->params.items[j];
            buf_printf(out, "%s(%s %s", j ? " " : "", param_kind_name[pa->kind], pa->id);
            print_dims(out, pa->dims, pa->ndims);
            buf_putc(out, ')');
        }
        buf_putc(out, ')');
        print_block(out, f->body, 1);
        buf_puts(out, ")\n");
    }
}
