/* Internals of the generator, shared by genprog.c (programs, functions,
 * parameters), gen.c (statements) and genexpr.c (expressions, indices,
 * domains). */
#ifndef GRADC_RANDOM_GEN_H
#define GRADC_RANDOM_GEN_H

#include "rt.h"

/* A polynomial in a function's int parameters, of degree at most 2: the
 * bounds of int expressions. Indices are proved in range for every value
 * of the parameters >= 1, so a program stays valid when the reducer
 * lowers them. */
#define POLY_MAX 12
typedef struct {
    int n;
    long c[POLY_MAX];
    int a[POLY_MAX], b[POLY_MAX];   /* parameter var ids, -1 for none */
} Poly;

typedef struct {
    int var;
    Poly lo, hi;                    /* inclusive bounds of the index */
} LoopInfo;

#define GEN_MAXLOOP 8

typedef struct {
    Rng *r;
    const GenCfg *cfg;
    unsigned feat;
    Prog *p;
    int fi;                         /* the function being written */
    Func *f;
    int *scope;                     /* visible variables, innermost last */
    int nscope, capscope;
    LoopInfo loop[GEN_MAXLOOP];
    int nloop;
    int in_for;                     /* break is allowed */
    int budget;                     /* statements left to write */
    int depth;                      /* nesting of blocks */
    int nlocal, narr;               /* name counters */
} Gen;

/* genexpr.c */
void poly_const(Poly *p, long c);
void poly_var(Poly *p, int v);
int poly_add(Poly *r, const Poly *x, const Poly *y, long sy);
int poly_mul(Poly *r, const Poly *x, const Poly *y);
int poly_nonneg(const Poly *p);
int poly_equal(const Poly *x, const Poly *y);
int gen_range(Gen *g, const Expr *e, Poly *lo, Poly *hi);
int gen_dim_poly(Gen *g, const Expr *dim, Poly *out);

Expr *gen_real(Gen *g, int depth);
Expr *gen_cond(Gen *g, int depth);
Expr *gen_pos(Gen *g, int depth);
Expr *gen_bounded(Gen *g, int depth);
Expr *gen_index(Gen *g, const Expr *dim);
Expr *gen_element(Gen *g, int var);
Expr *gen_pos_int(Gen *g);
Expr *gen_value_call(Gen *g, int depth);
int gen_bind_array(Gen *g, const Func *callee, int param, Expr **bind, int want_write,
                   const int *used, int nused, int *nfix);
Expr *gen_array_arg(Gen *g, int v, int nfix);

/* gen.c */
Stmt *gen_begin_loop(Gen *g, Expr *lo, Expr *hi);
void gen_end_loop(Gen *g);
void gen_stmt(Gen *g, Block *b);
void gen_return(Gen *g, Block *b);
void gen_write_outs(Gen *g, Block *b, double p);
Expr *gen_size(Gen *g, int allow_expr);
Stmt *st_assign(int var, int aop, Expr *value);
void gen_push(Gen *g, int var);
int gen_new_var(Gen *g, const char *prefix, VarClass cls);
int gen_pick(Gen *g, int (*ok)(const Var *));
int gen_count(Gen *g, int (*ok)(const Var *));
int is_readable_scalar(const Var *v);
int is_readable_array(const Var *v);
int is_writable_array(const Var *v);
int is_int_scalar(const Var *v);

#endif
