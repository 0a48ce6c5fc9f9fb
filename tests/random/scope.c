/* The rules of LANGUAGE.md that a program tree can break after the reducer
 * edits it: names used where they are visible, no shadowing, assignments
 * only to locals and out arrays, return last (and only in functions
 * without out parameters), break inside a loop, calls that fit their
 * callee, no out argument that aliases another argument. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "rt.h"
#include "util.h"

typedef struct {
    const Prog *p;
    int fi;
    const Func *f;
    int *vis;
    int nvis, cap;
    int loops;
    char *why;
    size_t nwhy;
    int bad;
} Scope;

static void bad(Scope *S, const char *fmt, ...)
{
    if (S->bad++)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(S->why, S->nwhy, fmt, ap);
    va_end(ap);
}

static int visible(const Scope *S, int var)
{
    for (int i = 0; i < S->nvis; i++)
        if (S->vis[i] == var)
            return 1;
    return 0;
}

static void declare(Scope *S, int var)
{
    const char *name = S->f->var[var].name;
    for (int i = 0; i < S->nvis; i++)
        if (!strcmp(S->f->var[S->vis[i]].name, name))
            bad(S, "%s declared twice in %s", name, S->f->name);
    if (S->nvis == S->cap) {
        S->cap = S->cap ? 2 * S->cap : 32;
        S->vis = xrealloc(S->vis, (size_t)S->cap * sizeof *S->vis);
    }
    S->vis[S->nvis++] = var;
}

static void check_expr(Scope *S, const Expr *e);

static void check_call(Scope *S, const Expr *e, int as_stmt)
{
    if (e->op != OP_CALL || e->fn <= S->fi || e->fn >= S->p->nfn) {
        bad(S, "bad call");
        return;
    }
    const Func *h = &S->p->fn[e->fn];
    if (h->has_out != as_stmt || e->nkid != h->nparam) {
        bad(S, "call of %s does not fit it", h->name);
        return;
    }
    for (int k = 0; k < h->nparam; k++) {
        const Var *pv = &h->var[k];
        const Expr *a = e->kid[k];
        if (!var_is_array(pv)) {
            check_expr(S, a);
            continue;
        }
        int nfix = a->op == OP_INDEX ? a->nkid : 0;     /* a sub-array A[i] (v2) */
        if ((a->op != OP_VAR && a->op != OP_INDEX) || !visible(S, a->var) ||
            !var_is_array(&S->f->var[a->var]) || S->f->var[a->var].ndim != pv->ndim + nfix) {
            bad(S, "array argument %d of %s", k, h->name);
            continue;
        }
        for (int d = 0; d < nfix; d++)
            check_expr(S, a->kid[d]);
        VarClass c = S->f->var[a->var].cls;
        if (pv->cls == V_OUT && c != V_LOCALARR && c != V_OUT)
            bad(S, "out argument %d of %s is not writable", k, h->name);
        for (int j = 0; j < h->nparam; j++)
            if (j != k && pv->cls == V_OUT && var_is_array(&h->var[j]) &&
                (e->kid[j]->op == OP_VAR || e->kid[j]->op == OP_INDEX) && e->kid[j]->var == a->var)
                bad(S, "out argument %d of %s aliases argument %d", k, h->name, j);
    }
}

static void check_expr(Scope *S, const Expr *e)
{
    if (e->op == OP_CALL) {
        check_call(S, e, 0);
        return;
    }
    if (e->op == OP_VAR || e->op == OP_INDEX) {
        if (e->var < 0 || e->var >= S->f->nvar || !visible(S, e->var))
            bad(S, "%s used where it is not visible", e->var >= 0 && e->var < S->f->nvar ? S->f->var[e->var].name : "?");
        else if (e->op == OP_INDEX && e->nkid != S->f->var[e->var].ndim)
            bad(S, "%s indexed with %d indices", S->f->var[e->var].name, e->nkid);
        else if (e->op == OP_VAR && var_is_array(&S->f->var[e->var]))
            bad(S, "array %s used as a value", S->f->var[e->var].name);
    }
    for (int i = 0; i < e->nkid; i++)
        check_expr(S, e->kid[i]);
}

static void check_block(Scope *S, const Block *b, int is_body);

static int writable(const Var *v)
{
    return v->cls == V_LOCAL || v->cls == V_LOCALARR || v->cls == V_OUT || v->cls == V_INTLOCAL;
}

static void check_stmt(Scope *S, const Stmt *s, int last_of_body)
{
    const Var *v = s->var >= 0 && s->var < S->f->nvar ? &S->f->var[s->var] : NULL;
    switch (s->op) {
    case S_LET:
        check_expr(S, s->e);
        declare(S, s->var);
        return;
    case S_LETARR:
        for (int d = 0; d < v->ndim; d++)
            check_expr(S, v->dim[d]);
        declare(S, s->var);
        return;
    case S_ASSIGN:
        if (!v || !visible(S, s->var) || !writable(v) || s->nidx != (var_is_array(v) ? v->ndim : 0))
            bad(S, "assignment to %s", v ? v->name : "?");
        for (int i = 0; i < s->nidx; i++)
            check_expr(S, s->idx[i]);
        check_expr(S, s->e);
        return;
    case S_IF:
        check_expr(S, s->e);
        check_block(S, &s->body, 0);
        check_block(S, &s->els, 0);
        return;
    case S_FOR: {
        check_expr(S, s->e);
        check_expr(S, s->e2);
        int saved = S->nvis;
        declare(S, s->var);
        S->loops++;
        check_block(S, &s->body, 0);
        S->loops--;
        S->nvis = saved;
        return;
    }
    case S_WHILE:
        check_expr(S, s->e);
        S->loops++;
        check_block(S, &s->body, 0);
        S->loops--;
        return;
    case S_BREAK:
        if (!S->loops)
            bad(S, "break outside a loop");
        return;
    case S_CALL:
        check_call(S, s->e, 1);
        return;
    case S_RETURN:
        if (!last_of_body || S->f->has_out)
            bad(S, "return where it may not be");
        check_expr(S, s->e);
        return;
    }
}

static void check_block(Scope *S, const Block *b, int is_body)
{
    int saved = S->nvis;
    for (int i = 0; i < b->n; i++)
        check_stmt(S, b->s[i], is_body && i == b->n - 1);
    if (is_body && !S->f->has_out && (!b->n || b->s[b->n - 1]->op != S_RETURN))
        bad(S, "%s does not end with return", S->f->name);
    S->nvis = saved;
}

int prog_check_scopes(const Prog *p, char *why, size_t n)
{
    Scope S = {.p = p, .why = why, .nwhy = n};
    why[0] = 0;
    for (int fi = 0; fi < p->nfn && !S.bad; fi++) {
        S.fi = fi;
        S.f = &p->fn[fi];
        S.nvis = 0;
        S.loops = 0;
        for (int k = 0; k < S.f->nparam; k++) {
            for (int d = 0; d < S.f->var[k].ndim; d++)
                check_expr(&S, S.f->var[k].dim[d]);
            declare(&S, k);
        }
        check_block(&S, &S.f->body, 1);
    }
    free(S.vis);
    return S.bad != 0;
}
