/* gradc_random: random .fn programs, their own evaluation, and a differential
 * test of what gradc makes of them. This header holds the program tree that
 * the generator builds, the interpreter runs, the printer writes and the
 * reducer shrinks; each stage lives in its own file (see README.md). */
#ifndef GRADC_RANDOM_RT_H
#define GRADC_RANDOM_RT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define RT_MAXDIM 3      /* dimensions of an array (2 in v1; 3 behind a flag) */
#define RT_MAXPTS 4      /* points per program */
#define RT_NAMELEN 24

/* ---- features: what the generator may produce ------------------------- */

/* One bit per construct; all on by default (F_DEFAULT), --features
 * turns them off one by one. */
enum {
    F_LOOPS = 1u << 0,      /* for loops with runtime bounds */
    F_ARRAYS = 1u << 1,     /* real array parameters */
    F_2D = 1u << 2,         /* two-dimensional arrays */
    F_LOCALARR = 1u << 3,   /* let t[n]; with size expressions */
    F_CONST = 1u << 4,      /* const parameters */
    F_OUT = 1u << 5,        /* out parameters of the tested function */
    F_CALLS = 1u << 6,      /* helpers returning a real */
    F_OUTCALLS = 1u << 7,   /* helpers with out arrays, called as statements */
    F_IF = 1u << 8,         /* if / else if / else */
    F_TERNARY = 1u << 9,    /* c ? a : b */
    F_LOGIC = 1u << 10,     /* && || ! */
    F_BUILTINS = 1u << 11,  /* the v1 built-ins */
    F_POW = 1u << 12,       /* ^ and pow with real exponents */
    F_INTMATH = 1u << 13,   /* ints in real expressions, %, i / n */
    F_LETLOOP = 1u << 14,   /* let and let t[n] inside loop bodies */
    F_EXPRFORM = 1u << 15,  /* helpers in expression form */
    /* v2 */
    F_WHILE = 1u << 16,     /* while loops (with let int counters) */
    F_BREAK = 1u << 17,     /* break in for loops */
    F_LETINT = 1u << 18,    /* let int k = ...; */
    F_V2BUILTINS = 1u << 19,/* erfc lgamma floor ceil sign (digamma: no libm) */
    F_PARAMSIZE = 1u << 20, /* x[n+1] in parameter lists */
    F_3D = 1u << 21,        /* three-dimensional arrays */
    F_SUBARR = 1u << 22,    /* sub-array arguments: h(A[i]), h(T[i][j]) */
};
#define F_V1 0xffffu
#define F_ALL 0x7fffffu
#define F_DEFAULT F_ALL

/* Parses "+a,-b,c" (names as in rt_feature_names) onto *flags; 0 on success. */
int rt_parse_features(const char *spec, unsigned *flags, FILE *err);
void rt_list_features(FILE *f, unsigned flags);

/* ---- random numbers ------------------------------------------------------ */

typedef struct {
    uint64_t s[4];
} Rng;

void rng_seed(Rng *r, uint64_t seed);
uint64_t rng_next(Rng *r);
int rng_int(Rng *r, int n);                 /* 0 .. n-1 */
int rng_range(Rng *r, int lo, int hi);      /* lo .. hi inclusive */
double rng_unit(Rng *r);                    /* [0, 1) */
double rng_sym(Rng *r);                     /* [-1, 1) */
int rng_chance(Rng *r, double p);
uint64_t rt_mix(uint64_t a, uint64_t b);

/* ---- the program tree ---------------------------------------------------- */

typedef enum { K_REAL, K_INT, K_COND } Kind;

typedef enum {
    OP_NUM,     /* real literal: num */
    OP_INT,     /* int literal: ival */
    OP_PI,
    OP_VAR,     /* scalar variable, or a whole array as a call argument: var */
    OP_INDEX,   /* element var[kid0][kid1]... */
    OP_NEG, OP_NOT,
    OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD, OP_POW,
    OP_LT, OP_LE, OP_GT, OP_GE, OP_EQ, OP_NE,
    OP_AND, OP_OR,
    OP_TERN,    /* kid0 ? kid1 : kid2 */
    OP_BUILTIN, /* fn: builtin id */
    OP_CALL     /* fn: index of the callee in the program */
} Op;

typedef struct Expr {
    Op op;
    Kind kind;
    double num;
    long ival;
    int var;
    int fn;
    int nkid;
    struct Expr **kid;
} Expr;

/* Built-ins, in the order of the table in ast.c. */
typedef enum {
    B_SQRT, B_CBRT, B_EXP, B_EXPM1, B_LOG, B_LOG1P, B_LOG2, B_LOG10,
    B_SIN, B_COS, B_TAN, B_ASIN, B_ACOS, B_ATAN, B_SINH, B_COSH, B_TANH,
    B_ASINH, B_ACOSH, B_ATANH, B_ERF, B_ABS, B_POW, B_ATAN2, B_HYPOT,
    B_MIN, B_MAX,
    /* v2 */
    B_ERFC, B_LGAMMA, B_FLOOR, B_CEIL, B_SIGN,
    B_COUNT
} Builtin;

typedef struct {
    const char *name;
    int arity;
    int v2;
} BuiltinInfo;
extern const BuiltinInfo rt_builtins[B_COUNT];

typedef enum {
    V_REAL,     /* real scalar parameter */
    V_CONST,    /* const real scalar parameter */
    V_INTP,     /* int parameter */
    V_ARR,      /* real array parameter */
    V_CONSTARR, /* const real array parameter */
    V_OUT,      /* out array parameter */
    V_LOCAL,    /* let v = e; */
    V_LOCALARR, /* let t[...]; */
    V_LOOP,     /* for loop index */
    V_INTLOCAL  /* let int k = e; (v2) */
} VarClass;

typedef struct {
    char name[RT_NAMELEN];
    VarClass cls;
    int ndim;
    Expr *dim[RT_MAXDIM];
} Var;

typedef enum { S_LET, S_LETARR, S_ASSIGN, S_IF, S_FOR, S_CALL, S_RETURN, S_WHILE, S_BREAK } SOp;

struct Stmt;
typedef struct {
    int n, cap;
    struct Stmt **s;
} Block;

typedef struct Stmt {
    SOp op;
    int var;                 /* let, letarr, assign target, for index */
    int aop;                 /* '=', '+', '-', '*', '/' */
    int nidx;
    Expr *idx[RT_MAXDIM];    /* assign: element indices */
    Expr *e;                 /* let init, assign value, if/while condition, return, for lo, call */
    Expr *e2;                /* for hi */
    Block body;              /* if then / for / while body */
    Block els;               /* if else (an else-if is an if alone in els, printed as such) */
} Stmt;

typedef struct {
    char name[RT_NAMELEN * 2];
    int nvar, capvar;
    Var *var;                /* parameters first */
    int nparam;
    int has_out;
    int expr_form;           /* printed as fn f(...) = e; (body is one return) */
    Block body;
} Func;

/* One generated program: fn[0] is the function under test, the others are
 * its helpers (fn[i] may call fn[j] for j > i only: no recursion). The
 * values of its int parameters are fixed; each point gives its real ones. */
typedef struct {
    uint64_t seed;
    int index;
    unsigned features;
    int max_stmts;           /* the generator's --stmts, for regenerating it */
    char prefix[RT_NAMELEN];
    int nfn;
    Func *fn;
    int *order;              /* the order in which the functions are printed */
    long ival[64];           /* values of fn[0]'s int parameters, by var index */
    int npt;
    double *pt[RT_MAXPTS];   /* every real parameter, flattened in parameter order */
} Prog;

/* ast.c: construction, copies, printing */
Expr *ex_new(Op op, Kind kind);
Expr *ex_num(double v);
Expr *ex_int(long v);
Expr *ex_var(int var, Kind kind);
Expr *ex_un(Op op, Kind kind, Expr *a);
Expr *ex_bin(Op op, Kind kind, Expr *a, Expr *b);
Expr *ex_builtin(Builtin b, Expr *a, Expr *c);
void ex_add_kid(Expr *e, Expr *k);
Expr *ex_clone(const Expr *e);
void ex_free(Expr *e);
int ex_equal(const Expr *a, const Expr *b);
int ex_size(const Expr *e);
void ex_renumber(Expr *e, const int *map, int n);

Stmt *st_new(SOp op);
void blk_add(Block *b, Stmt *s);
void blk_insert(Block *b, int at, Stmt *s);
void blk_remove(Block *b, int at);
void blk_clone(Block *dst, const Block *src);
void blk_free(Block *b);
Stmt *st_clone(const Stmt *s);
void st_free(Stmt *s);

int fn_add_var(Func *f, const char *name, VarClass cls);
void fn_clone(Func *dst, const Func *src);
void fn_free(Func *f);
Prog *prog_clone(const Prog *p);
void prog_free(Prog *p);

int var_is_array(const Var *v);
int var_is_real_scalar(const Var *v);
int var_is_input(const Var *v);     /* a parameter that is read, not written */

/* Counts of real values: all real parameters, the non-const ones (the
 * gradient's size) and the out ones; sizes use p->ival. */
long prog_dim_value(const Prog *p, const Func *f, const Expr *dim);
int prog_param_size(const Prog *p, int param);
int prog_nreal(const Prog *p);
int prog_nactive(const Prog *p);
int prog_nout(const Prog *p);

/* Writes the program as .fn text (its functions in p->order). */
void prog_print(FILE *out, const Prog *p);
void prog_print_point(FILE *out, const Prog *p, int pt);
void ex_print(FILE *out, const Func *f, const Prog *p, const Expr *e);

/* ---- generator (gen.c) --------------------------------------------------- */

typedef struct {
    unsigned features;
    int npoints;
    int max_stmts;          /* statements of the tested function, roughly */
} GenCfg;

/* Program `index` of the run seeded `seed`: always the same program for the
 * same (seed, index, cfg). Tries sub-seeds until one is valid and its
 * evaluation stays in range; *tries counts them. NULL if none is found. */
Prog *gen_program(const GenCfg *cfg, uint64_t seed, int index, int *tries);

/* ---- interpreter (interp.c) ---------------------------------------------- */

typedef struct {
    double value;           /* functions that return a value */
    double *out;            /* every out element, flattened (caller's buffer) */
    double scale;           /* the largest magnitude of any value computed */
    int kink;               /* a kink met exactly: abs(0), hypot(0, 0), min or max of a tie */
    char why[160];          /* why the evaluation was refused */
} EvalResult;

/* Evaluates fn[0] at point `pt`: 0 on success, else the program leaves the
 * safe range there (domain margin, overflow, index out of bounds,
 * comparison too close to call) and res->why says how. */
int interp_run(const Prog *p, const double *point, EvalResult *res);

/* Checks that every name is declared before its use, in scope: the
 * reducer's guard against edits that break the program. 0 if fine. */
int prog_check_scopes(const Prog *p, char *why, size_t n);

/* Evaluates the program at all its points; 0 if every point is in range. */
int prog_validate(const Prog *p, char *why, size_t n);

#endif
