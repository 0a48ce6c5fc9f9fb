/* The abstract syntax tree of a .fn file. Every node lives in the
 * compilation's arena and carries its source span; sema fills in the
 * resolved names, types and call targets. */
#ifndef GRADC_AST_H
#define GRADC_AST_H

#include <stdbool.h>

#include "arena.h"
#include "diag.h"

typedef struct Cx Cx;
typedef struct Expr Expr;
typedef struct Stmt Stmt;
typedef struct Block Block;
typedef struct Func Func;
typedef struct Sym Sym;
typedef struct IrFunc IrFunc;

/* The kind of value an expression has. */
typedef enum Ty {
    TY_ERR,         /* already reported: stay silent */
    TY_REAL,
    TY_INT,
    TY_COND,
} Ty;

typedef enum AstOp {
    A_ADD, A_SUB, A_MUL, A_DIV, A_MOD, A_POW,
    A_EQ, A_NE, A_LT, A_LE, A_GT, A_GE,
    A_AND, A_OR,
    A_NEG, A_PLUS, A_NOT,
    A_SET,          /* plain '=' in an assignment */
} AstOp;

const char *ast_op_spelling(AstOp op);

typedef enum ExprKind {
    E_NUM,
    E_NAME,
    E_UNARY,
    E_BINARY,
    E_TERNARY,      /* c ? a : b */
    E_CALL,
    E_INDEX,
    E_TOREAL,       /* inserted by sema: an int value used as a real */
} ExprKind;

enum { MAX_DIMS = 8 };    /* the most dimensions an array may have */

struct Expr {
    ExprKind kind;
    Ty ty;
    Span span;
    int depth;                      /* nesting depth, for the depth limit */
    union {
        struct {
            double value;
            bool is_int;            /* written without '.' or exponent */
            bool fits_int;          /* and small enough for a C int */
            const char *text;
        } num;
        struct {
            const char *id;         /* interned */
            Sym *sym;
        } name;
        struct {
            AstOp op;
            Expr *a, *b;            /* b is NULL for unary operators */
        } op;
        struct {
            Expr *c, *a, *b;
        } tern;
        struct {
            const char *id;
            Span id_span;
            PtrVec args;
            Func *fn;               /* a function of the file, or */
            int builtin;            /* an IR opcode, or -1 */
        } call;
        struct {
            const char *id;
            Span id_span;
            Expr **idx;             /* nidx of them; fewer than the array has: a sub-array */
            int nidx;
            Sym *sym;
        } index;
        struct {
            Expr *a;
        } conv;
    };
};

typedef enum StmtKind {
    S_LET,
    S_LET_ARRAY,
    S_ASSIGN,
    S_IF,
    S_FOR,
    S_WHILE,
    S_BREAK,
    S_CALL,
    S_RETURN,
} StmtKind;

struct Block {
    PtrVec stmts;
    Span open, close;
};

struct Stmt {
    StmtKind kind;
    Span span;
    union {
        struct {
            const char *id;
            Span id_span;
            Expr *init;                 /* S_LET */
            Expr **dims;                /* S_LET_ARRAY */
            int ndims;
            bool is_int;                /* let int */
            Sym *sym;
        } let;
        struct {
            Expr *target;               /* E_NAME or E_INDEX */
            AstOp op;                   /* A_SET, A_ADD, A_SUB, A_MUL, A_DIV */
            Expr *value;
        } assign;
        struct {
            Expr *cond;
            Block *then, *els;          /* els may be NULL; else-if is a block of one S_IF */
        } if_;
        struct {
            Expr *cond;
            Block *body;
        } while_;
        struct {
            const char *id;
            Span id_span;
            Expr *lo, *hi;
            Block *body;
            Sym *sym;
        } for_;
        struct {
            Expr *call;
        } call;
        struct {
            Expr *value;
        } ret;
    };
    /* sema: the scalars declared outside this if/for and assigned inside it,
     * in first-assignment order */
    PtrVec assigned;
};

typedef enum ParamKind {
    P_REAL,         /* x, x[n] */
    P_INT,          /* int n, int idx[m] */
    P_OUT,          /* out y[m] */
    P_CONST,        /* const x, const x[n] */
} ParamKind;

typedef struct Param {
    const char *id;
    Span span;
    ParamKind kind;
    Expr **dims;                /* ndims sizes */
    int ndims;
    Sym *sym;
} Param;

struct Func {
    const char *id;
    Span span;                  /* of the name */
    PtrVec params;              /* Param* */
    Block *body;
    bool expr_form;
    int start_off, end_off;     /* from 'fn' to just after the last token */
    /* sema */
    int index;                  /* position in the file */
    bool has_out;
    bool ok;                    /* checked without errors */
    PtrVec syms;                /* every Sym of the function, by Sym.id */
    PtrVec calls;               /* E_CALL / S_CALL exprs to functions of the file */
    IrFunc *ir;                 /* lower: the primal */
};

typedef struct Program {
    PtrVec funcs;
} Program;

/* Symbols: what a name in a function body refers to. */
typedef enum SymKind {
    SYM_PARAM,
    SYM_LOCAL,
    SYM_LOOP,
} SymKind;

struct Sym {
    const char *id;
    Span span;
    SymKind kind;
    Ty ty;                      /* TY_REAL or TY_INT */
    int ndims;                  /* 0 for scalars */
    Expr **dims;
    ParamKind pkind;            /* for parameters */
    int id_index;               /* position in Func.syms */
    int decl_depth;             /* if/for statements open at the declaration */
    bool visible;               /* in scope at the current point of sema */
    bool bad;                   /* its declaration was refused: stay quiet about it */
    bool real_as_int;           /* "real where an int is needed" was said once */
    Sym *hidden;                /* for a refused duplicate: the declaration it stands in
                                   front of until its block ends */
};

/* Constructors, called from the grammar's actions. */
Expr *ast_num(Cx *cx, Span at, const char *text, double value, bool is_int, bool fits_int);
Expr *ast_name(Cx *cx, Span at, const char *id);
Expr *ast_unary(Cx *cx, Span at, AstOp op, Expr *a);
Expr *ast_binary(Cx *cx, Span at, AstOp op, Expr *a, Expr *b);
Expr *ast_ternary(Cx *cx, Span at, Expr *c, Expr *a, Expr *b);
Expr *ast_call(Cx *cx, Span at, const char *id, PtrVec *args);
Expr *ast_index(Cx *cx, Span at, const char *id, PtrVec *idx);
Expr *ast_toreal(Cx *cx, Expr *a);

Stmt *ast_let(Cx *cx, Span at, bool is_int, const char *id, Span id_at, Expr *init);
Stmt *ast_let_array(Cx *cx, Span at, bool is_int, const char *id, Span id_at, PtrVec *dims);
Stmt *ast_assign(Cx *cx, Span at, Expr *target, AstOp op, Expr *value);
Stmt *ast_if(Cx *cx, Span at, Expr *cond, Block *then, Block *els);
Stmt *ast_for(Cx *cx, Span at, const char *id, Span id_at, Expr *lo, Expr *hi, Block *body);
Stmt *ast_call_stmt(Cx *cx, Span at, Expr *call);
Stmt *ast_while(Cx *cx, Span at, Expr *cond, Block *body);
Stmt *ast_break(Cx *cx, Span at);
Stmt *ast_return(Cx *cx, Span at, Expr *value);

Block *ast_block(Cx *cx, Span open);
Block *ast_block_of(Cx *cx, Stmt *s);
void ast_block_add(Cx *cx, Block *b, Stmt *s);

Param *ast_param(Cx *cx, Span at, ParamKind kind, const char *id, PtrVec *dims);
Func *ast_func(Cx *cx, Span at, const char *id, PtrVec *params, Block *body, bool expr_form,
               int start_off, int end_off);
void ast_program_add(Cx *cx, Func *f);

void ast_list_push(Cx *cx, PtrVec *list, void *item);

/* An int expression (a size) as the source would write it: n + 1, 4 * h. */
void ast_put_int_expr(Buf *out, const Expr *e);

/* The S-expression form printed by --emit=ast. */
void ast_print(Buf *out, const Program *p);

#endif
