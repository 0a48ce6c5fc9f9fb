/* The reducer: shrinks a failing program while the same failure persists.
 * It works on the program tree: every edit of one kind (delete a
 * statement, replace an expression by a part of it or by a constant, lower
 * an int argument, drop a parameter or a helper, round a point) is tried
 * on a copy; copies that still break no rule and that the interpreter can
 * evaluate are run in batches, and the first that fails the same way is
 * kept. Rounds repeat until none of the edits helps. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "run.h"
#include "util.h"

typedef enum {
    M_DROP_FN, M_DEL_STMT, M_FLATTEN, M_EXPR_CHILD, M_EXPR_CONST, M_AOP,
    M_INT_ARG, M_DROP_PARAM, M_POINT, M_COUNT
} MutKind;

static const char *mut_names[M_COUNT] = {
    "drop helper", "delete statement", "flatten block", "sub-expression", "constant",
    "plain assignment", "lower int argument", "drop parameter", "round point value",
};

/* A walk that counts the places where an edit of `kind` can be made and
 * makes it at place number `target`. */
typedef struct {
    MutKind kind;
    int target, count, done;
    Prog *p;
    Func *f;
} Mut;

static int hit(Mut *m)
{
    return !m->done && m->count++ == m->target && (m->done = 1);
}

/* ---- expressions -------------------------------------------------------------- */

static int is_array_ref(const Mut *m, const Expr *e)
{
    return e->op == OP_VAR && e->var >= 0 && e->var < m->f->nvar && var_is_array(&m->f->var[e->var]);
}

static Expr *cond_const(int truth)
{
    return ex_bin(OP_LT, K_COND, ex_int(truth ? 0 : 1), ex_int(truth ? 1 : 0));
}

static void mut_expr(Mut *m, Expr **slot);

static void mut_kids(Mut *m, Expr *e)
{
    for (int i = 0; i < e->nkid && !m->done; i++)
        mut_expr(m, &e->kid[i]);
}

static void mut_expr(Mut *m, Expr **slot)
{
    Expr *e = *slot;
    if (m->done || is_array_ref(m, e))
        return;
    if (m->kind == M_EXPR_CHILD && e->op != OP_INDEX) {
        for (int i = 0; i < e->nkid; i++) {
            Expr *c = e->kid[i];
            if (c->kind != e->kind || is_array_ref(m, c) || !hit(m))
                continue;
            e->kid[i] = ex_int(0);
            ex_free(e);
            *slot = c;
            return;
        }
    }
    if (m->kind == M_EXPR_CONST) {
        if (e->kind == K_REAL && e->op != OP_NUM && e->op != OP_INT && hit(m)) {
            ex_free(e);
            *slot = ex_num(1);
            return;
        }
        for (int v = 0; v < 2 && e->kind == K_INT && e->op != OP_INT; v++)
            if (hit(m)) {
                ex_free(e);
                *slot = ex_int(v);
                return;
            }
        for (int v = 0; v < 2 && e->kind == K_COND && !(e->op == OP_LT && e->kid[0]->op == OP_INT); v++)
            if (hit(m)) {
                ex_free(e);
                *slot = cond_const(v);
                return;
            }
    }
    mut_kids(m, e);
}

/* ---- statements ----------------------------------------------------------------- */

static void subst_block(Block *b, int var, const Expr *with);

static void subst_expr(Expr **slot, int var, const Expr *with)
{
    Expr *e = *slot;
    if (e->op == OP_VAR && e->var == var) {
        ex_free(e);
        *slot = ex_clone(with);
        return;
    }
    for (int i = 0; i < e->nkid; i++)
        subst_expr(&e->kid[i], var, with);
}

static void subst_stmt(Stmt *s, int var, const Expr *with)
{
    for (int i = 0; i < s->nidx; i++)
        subst_expr(&s->idx[i], var, with);
    if (s->e)
        subst_expr(&s->e, var, with);
    if (s->e2)
        subst_expr(&s->e2, var, with);
    subst_block(&s->body, var, with);
    subst_block(&s->els, var, with);
}

static void subst_block(Block *b, int var, const Expr *with)
{
    for (int i = 0; i < b->n; i++)
        subst_stmt(b->s[i], var, with);
}

/* Puts the statements of `from` where statement i of b was. */
static void splice(Block *b, int i, Block *from)
{
    Stmt *old = b->s[i];
    blk_remove(b, i);
    for (int k = 0; k < from->n; k++)
        blk_insert(b, i + k, from->s[k]);
    from->n = 0;
    st_free(old);
}

static void mut_block(Mut *m, Block *b, int is_body);

static void mut_stmt_exprs(Mut *m, Stmt *s)
{
    if (s->op == S_LETARR)   /* a local array's sizes */
        for (int d = 0; d < m->f->var[s->var].ndim && !m->done; d++)
            mut_expr(m, &m->f->var[s->var].dim[d]);
    for (int i = 0; i < s->nidx && !m->done; i++)
        mut_expr(m, &s->idx[i]);
    if (s->op == S_CALL && !m->done)
        mut_kids(m, s->e);
    else if (s->e && !m->done)
        mut_expr(m, &s->e);
    if (s->e2 && !m->done)
        mut_expr(m, &s->e2);
}

/* The edits of statement i of b that replace or remove it; 1 if made. */
static int mut_stmt_self(Mut *m, Block *b, int i, int is_last_return)
{
    Stmt *s = b->s[i];
    if (m->kind == M_DEL_STMT && !is_last_return && hit(m)) {
        blk_remove(b, i);
        st_free(s);
        return 1;
    }
    if (m->kind == M_FLATTEN && (s->op == S_IF || s->op == S_WHILE) && hit(m)) {
        splice(b, i, &s->body);
        return 1;
    }
    if (m->kind == M_FLATTEN && s->op == S_IF && s->els.n && hit(m)) {
        splice(b, i, &s->els);
        return 1;
    }
    if (m->kind == M_FLATTEN && s->op == S_FOR && hit(m)) {
        subst_block(&s->body, s->var, s->e);   /* one iteration, i = lo */
        splice(b, i, &s->body);
        return 1;
    }
    if (m->kind == M_AOP && s->op == S_ASSIGN && s->aop != '=' && hit(m)) {
        s->aop = '=';
        return 1;
    }
    return 0;
}

static void mut_block(Mut *m, Block *b, int is_body)
{
    for (int i = 0; i < b->n && !m->done; i++) {
        int last_return = is_body && i == b->n - 1 && b->s[i]->op == S_RETURN;
        if (mut_stmt_self(m, b, i, last_return))
            return;
        Stmt *s = b->s[i];
        mut_stmt_exprs(m, s);
        mut_block(m, &s->body, 0);
        mut_block(m, &s->els, 0);
    }
}

/* ---- parameters, helpers, points ------------------------------------------------- */

static int uses_expr(const Expr *e, int var, int fn)
{
    if (!e)
        return 0;
    if (var >= 0 && (e->op == OP_VAR || e->op == OP_INDEX) && e->var == var)
        return 1;
    if (fn >= 0 && e->op == OP_CALL && e->fn == fn)
        return 1;
    for (int i = 0; i < e->nkid; i++)
        if (uses_expr(e->kid[i], var, fn))
            return 1;
    return 0;
}

static int uses_block(const Block *b, int var, int fn)
{
    for (int i = 0; i < b->n; i++) {
        const Stmt *s = b->s[i];
        if ((var >= 0 && s->var == var && s->op == S_ASSIGN) || uses_expr(s->e, var, fn) ||
            uses_expr(s->e2, var, fn) || uses_block(&s->body, var, fn) || uses_block(&s->els, var, fn))
            return 1;
        for (int k = 0; k < s->nidx; k++)
            if (uses_expr(s->idx[k], var, fn))
                return 1;
    }
    return 0;
}

static int var_used(const Func *f, int var)
{
    for (int v = 0; v < f->nvar; v++)
        for (int d = 0; d < f->var[v].ndim; d++)
            if (uses_expr(f->var[v].dim[d], var, -1))
                return 1;
    return uses_block(&f->body, var, -1);
}

typedef void (*ExprFn)(Expr *e, void *arg);

static void each_expr_block(Block *b, ExprFn fn, void *arg);

static void each_expr(Expr *e, ExprFn fn, void *arg)
{
    if (!e)
        return;
    for (int i = 0; i < e->nkid; i++)
        each_expr(e->kid[i], fn, arg);
    fn(e, arg);
}

static void each_expr_block(Block *b, ExprFn fn, void *arg)
{
    for (int i = 0; i < b->n; i++) {
        Stmt *s = b->s[i];
        for (int k = 0; k < s->nidx; k++)
            each_expr(s->idx[k], fn, arg);
        each_expr(s->e, fn, arg);
        each_expr(s->e2, fn, arg);
        each_expr_block(&s->body, fn, arg);
        each_expr_block(&s->els, fn, arg);
    }
}

static void each_stmt_var(Block *b, const int *map)
{
    for (int i = 0; i < b->n; i++) {
        Stmt *s = b->s[i];
        if (s->var >= 0)
            s->var = map[s->var];
        each_stmt_var(&s->body, map);
        each_stmt_var(&s->els, map);
    }
}

typedef struct {
    const int *map;
    int n;
    int fn, drop_arg;   /* calls of fn lose argument drop_arg */
    int removed_fn;     /* calls of later functions are renumbered */
} Renum;

static void renum_one(Expr *e, void *arg)
{
    const Renum *r = arg;
    if (r->map && (e->op == OP_VAR || e->op == OP_INDEX) && e->var >= 0 && e->var < r->n)
        e->var = r->map[e->var];
    if (e->op == OP_CALL && e->fn == r->fn && r->drop_arg >= 0 && r->drop_arg < e->nkid) {
        ex_free(e->kid[r->drop_arg]);
        memmove(e->kid + r->drop_arg, e->kid + r->drop_arg + 1,
                (size_t)(e->nkid - r->drop_arg - 1) * sizeof *e->kid);
        e->nkid--;
    }
    if (e->op == OP_CALL && r->removed_fn >= 0 && e->fn > r->removed_fn)
        e->fn--;
}

/* Removes parameter k of function j (unused there); callers lose that
 * argument; for fn[0] its values leave the points. */
static void drop_param(Prog *p, int j, int k)
{
    Func *f = &p->fn[j];
    if (j == 0) {
        int off = 0, size = f->var[k].cls == V_INTP || f->var[k].cls == V_OUT ? 0 : prog_param_size(p, k);
        for (int i = 0; i < k; i++)
            if (f->var[i].cls != V_INTP && f->var[i].cls != V_OUT)
                off += prog_param_size(p, i);
        int n = prog_nreal(p);
        for (int t = 0; t < p->npt; t++)
            memmove(p->pt[t] + off, p->pt[t] + off + size, (size_t)(n - off - size) * sizeof(double));
        memmove(p->ival + k, p->ival + k + 1, (size_t)(63 - k) * sizeof p->ival[0]);
    }
    int *map = xmalloc((size_t)f->nvar * sizeof *map);
    for (int v = 0; v < f->nvar; v++)
        map[v] = v < k ? v : v - 1;
    Renum r = {map, f->nvar, -1, -1, -1};
    each_expr_block(&f->body, renum_one, &r);
    each_stmt_var(&f->body, map);
    for (int v = 0; v < f->nvar; v++)
        for (int d = 0; d < f->var[v].ndim; d++)
            each_expr(f->var[v].dim[d], renum_one, &r);
    for (int d = 0; d < f->var[k].ndim; d++)
        ex_free(f->var[k].dim[d]);
    memmove(f->var + k, f->var + k + 1, (size_t)(f->nvar - k - 1) * sizeof *f->var);
    f->nvar--;
    f->nparam--;
    free(map);
    Renum c = {NULL, 0, j, k, -1};
    for (int i = 0; i < p->nfn; i++)
        each_expr_block(&p->fn[i].body, renum_one, &c);
}

static int fn_called(const Prog *p, int j)
{
    for (int i = 0; i < p->nfn; i++)
        if (i != j && uses_block(&p->fn[i].body, -1, j))
            return 1;
    return 0;
}

static void drop_fn(Prog *p, int j)
{
    fn_free(&p->fn[j]);
    memmove(p->fn + j, p->fn + j + 1, (size_t)(p->nfn - j - 1) * sizeof *p->fn);
    int w = 0;
    for (int i = 0; i < p->nfn; i++)
        if (p->order[i] != j)
            p->order[w++] = p->order[i] > j ? p->order[i] - 1 : p->order[i];
    p->nfn--;
    Renum r = {NULL, 0, -1, -1, j};
    for (int i = 0; i < p->nfn; i++)
        each_expr_block(&p->fn[i].body, renum_one, &r);
}

/* fn[0]'s int argument k one lower: its arrays keep the elements whose
 * indices still fit. */
static void lower_int(Prog *p, int k)
{
    const Func *f = &p->fn[0];
    Prog old = *p;
    int n_old = prog_nreal(p);
    p->ival[k]--;
    int n_new = prog_nreal(p);
    for (int t = 0; t < p->npt; t++) {
        double *np = xcalloc((size_t)(n_new ? n_new : 1), sizeof *np);
        int off_old = 0, off_new = 0;
        for (int i = 0; i < f->nparam; i++) {
            const Var *v = &f->var[i];
            if (v->cls == V_INTP || v->cls == V_OUT)
                continue;
            int size_new = prog_param_size(p, i), size_old = prog_param_size(&old, i);
            for (int e = 0; e < size_new; e++) {
                long rem = e, src = 0, stride_new = size_new, stride_old = size_old;
                for (int d = 0; d < v->ndim; d++) {
                    stride_new /= prog_dim_value(p, f, v->dim[d]);
                    stride_old /= prog_dim_value(&old, f, v->dim[d]);
                    src += rem / stride_new * stride_old;
                    rem %= stride_new;
                }
                np[off_new + e] = p->pt[t][off_old + src];
            }
            off_old += size_old;
            off_new += size_new;
        }
        (void)n_old;
        free(p->pt[t]);
        p->pt[t] = np;
    }
}

static int mut_program(Mut *m)
{
    Prog *p = m->p;
    if (m->kind == M_DROP_FN) {
        for (int j = 1; j < p->nfn; j++)
            if (!fn_called(p, j) && hit(m)) {
                drop_fn(p, j);
                return 1;
            }
        return 0;
    }
    if (m->kind == M_INT_ARG) {
        for (int k = 0; k < p->fn[0].nparam; k++)
            if (p->fn[0].var[k].cls == V_INTP && p->ival[k] > 1 && hit(m)) {
                lower_int(p, k);
                return 1;
            }
        return 0;
    }
    if (m->kind == M_DROP_PARAM) {
        for (int j = 0; j < p->nfn; j++)
            for (int k = 0; k < p->fn[j].nparam; k++)
                if (!var_used(&p->fn[j], k) && hit(m)) {
                    drop_param(p, j, k);
                    return 1;
                }
        return 0;
    }
    if (m->kind == M_POINT) {
        int n = prog_nreal(p);
        for (int t = 0; t < p->npt; t++)
            for (int i = 0; i < n; i++) {
                double v = p->pt[t][i], r[2] = {round(v * 2) / 2, round(v * 10) / 10};
                for (int c = 0; c < 2; c++)
                    if (r[c] != v && (c == 0 || r[1] != r[0]) && hit(m)) {
                        p->pt[t][i] = r[c];
                        return 1;
                    }
            }
        return 0;
    }
    for (int j = 0; j < p->nfn && !m->done; j++) {
        m->f = &p->fn[j];
        mut_block(m, &p->fn[j].body, 1);
    }
    return m->done;
}

/* A copy of p with edit number `target` of `kind`; NULL past the last. */
static Prog *mutant(const Prog *p, MutKind kind, int target)
{
    Prog *c = prog_clone(p);
    Mut m = {kind, target, 0, 0, c, NULL};
    if (!mut_program(&m)) {
        prog_free(c);
        return NULL;
    }
    return c;
}

/* ---- matching failures -------------------------------------------------------------- */

/* The part of a message that must stay the same: without names in quotes,
 * numbers, and file positions. */
static void failure_key(const Failure *f, char *key, size_t n)
{
    const char *d = f->detail;
    int numeric = strncmp(f->check, "gradc.", 6) && strncmp(f->check, "cc.", 3) &&
                  strncmp(f->check, "clang.", 6) && strncmp(f->check, "run.", 4);
    size_t k = (size_t)snprintf(key, n, "%s|", f->check);
    if (numeric || !strcmp(f->check, "run.crash"))
        return;
    const char *e = strstr(d, "error:");
    const char *w = strstr(d, "[-W");
    if (w)
        d = w;
    else if (e)
        d = e;
    int quoted = 0;
    for (; *d && k + 1 < n; d++) {
        unsigned char c = (unsigned char)*d;
        if (c == '\'' || c == '"' || c == 0xe2) {   /* ' " or the UTF-8 quotes gcc uses */
            quoted = !quoted;
            if (c == 0xe2 && d[1] && d[2])
                d += 2;
            continue;
        }
        if (!quoted && !(c >= '0' && c <= '9'))
            key[k++] = (char)c;
    }
    key[k] = 0;
}

static const Failure *find_failure(const Failures *fs, const Prog *p, const char *key)
{
    for (int i = 0; i < fs->n; i++) {
        char k[512];
        if (fs->f[i].prog != p)
            continue;
        failure_key(&fs->f[i], k, sizeof k);
        if (!strcmp(k, key))
            return &fs->f[i];
    }
    return NULL;
}

/* ---- the loop -------------------------------------------------------------------------- */

typedef struct {
    const RunCfg *rc;
    RunCfg one;             /* the variant that fails, alone */
    char key[512];
    char detail[600];
    int runs, tried;
    char dir[4200];
    int use_clang;
} Reducer;

static int valid(const Prog *p, Case *c)
{
    char why[200];
    if (prog_check_scopes(p, why, sizeof why))
        return 0;
    if (case_prepare(c, (Prog *)p, why, sizeof why)) {
        case_free(c);
        return 0;
    }
    return 1;
}

/* Runs the candidates as one batch; the index of the first that fails
 * the same way, or -1. */
static int try_batch(Reducer *R, Prog **cand, Case *cases, int n)
{
    Failures fs = {0};
    char dir[4300];
    snprintf(dir, sizeof dir, "%s/try%d", R->dir, R->runs++);
    for (int k = 0; k < n; k++)
        snprintf(cand[k]->prefix, sizeof cand[k]->prefix, "c%d", k);
    run_batch(&R->one, cases, n, dir, R->use_clang, &fs);
    int found = -1;
    for (int k = 0; k < n && found < 0; k++) {
        const Failure *f = find_failure(&fs, cand[k], R->key);
        if (f) {
            found = k;
            snprintf(R->detail, sizeof R->detail, "%s", f->detail);
        }
    }
    failures_free(&fs);
    remove_tree(dir);
    R->tried += n;
    return found;
}

#define REDUCE_BATCH 16

/* One pass of edits of one kind; returns 1 if the program shrank. After
 * an edit is kept, the pass goes on from the same place in the new program. */
static int reduce_kind(Reducer *R, Prog **cur, MutKind kind)
{
    int progress = 0, next = 0;
    for (;;) {
        Prog *cand[REDUCE_BATCH];
        Case cases[REDUCE_BATCH];
        int site[REDUCE_BATCH], n = 0, t = next, exhausted = 0;
        while (n < REDUCE_BATCH && !exhausted) {
            Prog *c = mutant(*cur, kind, t);
            if (!c) {
                exhausted = 1;
            } else if (valid(c, &cases[n])) {
                cand[n] = c;
                site[n++] = t;
            } else {
                prog_free(c);
            }
            t++;
        }
        if (!n)
            break;
        int k = try_batch(R, cand, cases, n);
        if (k >= 0) {
            prog_free(*cur);
            *cur = cand[k];
            cand[k] = NULL;
            progress = 1;
            next = site[k];
        } else {
            next = t;
        }
        for (int i = 0; i < n; i++) {
            case_free(&cases[i]);
            prog_free(cand[i]);
        }
        if (k < 0 && exhausted)
            break;
    }
    if (progress && R->rc->verbose)
        fprintf(stderr, "  %s: shrank\n", mut_names[kind]);
    return progress;
}

static int prog_weight(const Prog *p)
{
    FILE *f = tmpfile();
    if (!f)
        return 0;
    prog_print(f, p);
    long n = ftell(f);
    fclose(f);
    return (int)n;
}

/* The failure to keep: the first (of cfg->check, in cfg->variant) that the
 * whole program shows; fills R and keeps only the failing point. */
static int pick_target(Reducer *R, const ReduceCfg *cfg, Prog *p)
{
    Case c;
    char why[200];
    if (case_prepare(&c, p, why, sizeof why)) {
        fprintf(stderr, "gradc_random: the program is out of range: %s\n", why);
        return -1;
    }
    Failures fs = {0};
    snprintf(R->dir, sizeof R->dir, "%s/reduce", R->rc->work);
    R->one = *R->rc;
    if (cfg->variant) {
        const Variant *v = variant_find(cfg->variant);
        if (!v) {
            fprintf(stderr, "gradc_random: unknown variant %s\n", cfg->variant);
            return -1;
        }
        R->one.nvariant = 1;
        R->one.variant[0] = v;
        if (v != R->rc->variant[0])   /* compiled as in a whole run: -O1 for the first variant only */
            R->one.copt_first = R->one.copt;
    }
    run_batch(&R->one, &c, 1, R->dir, 1, &fs);
    case_free(&c);
    const Failure *f = NULL;
    for (int i = 0; i < fs.n && !f; i++)
        if (!cfg->check || !strcmp(fs.f[i].check, cfg->check))
            f = &fs.f[i];
    if (!f) {
        fprintf(stderr, "gradc_random: seed %llu index %d shows no failure%s%s\n", (unsigned long long)p->seed,
                p->index, cfg->check ? " of check " : "", cfg->check ? cfg->check : "");
        failures_free(&fs);
        return -1;
    }
    failure_key(f, R->key, sizeof R->key);
    snprintf(R->detail, sizeof R->detail, "%s", f->detail);
    /* the same variant, with the optimisation its C was compiled with */
    const Variant *v = variant_find(f->variant);
    if (v != R->rc->variant[0])
        R->one.copt_first = R->one.copt;
    R->one.nvariant = 1;
    R->one.variant[0] = v;
    R->use_clang = !strncmp(f->check, "clang.", 6);
    R->one.compile_only = !strncmp(f->check, "gradc.", 6) || !strncmp(f->check, "cc.", 3) ||
                          !strncmp(f->check, "clang.", 6);
    /* keep the failing point only; but sparse.stable compares the pattern
     * at a point with the one at point 0: keep both, point 0 first */
    int keep = !strcmp(f->check, "sparse.stable") && f->pt > 0 ? 2 : 1;
    if (f->pt > 0) {
        double *t = p->pt[keep - 1];
        p->pt[keep - 1] = p->pt[f->pt];
        p->pt[f->pt] = t;
    }
    for (int k = keep; k < p->npt; k++)
        free(p->pt[k]);
    p->npt = keep;
    fprintf(stderr, "gradc_random: reducing seed %llu index %d: %s %s: %s\n", (unsigned long long)p->seed, p->index,
            f->variant, f->check, f->detail);
    failures_free(&fs);
    return 0;
}

static void write_result(const Reducer *R, const ReduceCfg *cfg, Prog *p)
{
    FILE *out = cfg->output ? fopen(cfg->output, "w") : stdout;
    if (!out)
        rt_die("cannot write %s", cfg->output);
    const Variant *v = R->one.variant[0];
    snprintf(p->prefix, sizeof p->prefix, "f");
    fprintf(out, "# Reduced by gradc_random from seed=%llu index=%d.\n", (unsigned long long)p->seed, p->index);
    fprintf(out, "# gradc options:");
    for (int i = 0; v->opt[i]; i++)
        fprintf(out, " %s", v->opt[i]);
    fprintf(out, "%s (variant %s)\n# failure: %s\n# point: ", v->opt[0] ? "" : " (none)", v->name, R->key);
    prog_print_point(out, p, 0);
    for (int k = 1; k < p->npt; k++) {
        fputs("\n# point: ", out);
        prog_print_point(out, p, k);
    }
    fprintf(out, "\n# detail: %s\n", R->detail);
    prog_print(out, p);
    if (out != stdout)
        fclose(out);
}

int reduce_program(const RunCfg *rc, const ReduceCfg *cfg, Prog *p)
{
    Reducer R;
    memset(&R, 0, sizeof R);
    R.rc = rc;
    Prog *cur = prog_clone(p);
    if (pick_target(&R, cfg, cur)) {
        prog_free(cur);
        return 1;
    }
    time_t t0 = time(NULL);
    int rounds = cfg->max_rounds > 0 ? cfg->max_rounds : 20;
    for (int round = 0; round < rounds; round++) {
        int progress = 0;
        for (int k = 0; k < M_COUNT; k++)
            progress |= reduce_kind(&R, &cur, (MutKind)k);
        if (rc->verbose)
            fprintf(stderr, "round %d: %d bytes, %d candidates run, %.0f s\n", round, prog_weight(cur), R.tried,
                    difftime(time(NULL), t0));
        if (!progress)
            break;
    }
    write_result(&R, cfg, cur);
    fprintf(stderr, "gradc_random: reduced to %d bytes after %d candidates in %.0f s\n", prog_weight(cur), R.tried,
            difftime(time(NULL), t0));
    prog_free(cur);
    return 0;
}
