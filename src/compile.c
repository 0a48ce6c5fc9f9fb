/* The compilation pipeline: one call per stage, as a list. */
#include "compile.h"

#include <string.h>

#include "ad.h"
#include "dense.h"
#include "gradc.h"
#include "inline.h"
#include "ir.h"
#include "opt.h"
#include "sparse.h"
#include "skip.h"
#include "split.h"

Cx *cx_new(const char *path, const char *src, size_t len)
{
    Arena *a = arena_new();
    Cx *cx = ARENA_NEW(a, Cx);
    cx->arena = a;
    char *copy = arena_alloc(a, len + 1);
    memcpy(copy, src, len);
    diag_init(&cx->diag, path, copy, len);
    strtab_init(&cx->ids, a);
    return cx;
}

void cx_free(Cx *cx)
{
    if (!cx)
        return;
    diag_fini(&cx->diag);
    arena_free(cx->arena);
}

static void verify(Cx *cx)
{
#ifdef GRADC_VERIFY_IR
    ir_verify_module(cx->ir);
#else
    (void)cx;
#endif
}

/* Sema runs even after syntax errors: functions that parsed are checked,
 * so independent errors are all reported in one run. */
bool compile_front(Cx *cx)
{
    bool ok = parse_program(cx);
    if (diag_full(&cx->diag))
        return false;
    return sema_check(cx) && ok;
}

/* Routines not asked for are left out, except those that f_jac and f_hess
 * call: they stay, static (internal). */
static void settle_routines(Cx *cx, const CompileOptions *opt)
{
    PtrVec *funcs = &cx->ir->funcs;
    int w = 0;
    for (int i = 0; i < funcs->len; i++) {
        IrFunc *f = funcs->items[i];
        bool asked = true, needed = false;
        switch (f->role) {
        case ROLE_GRAD:
            asked = !opt->no_grad;
            needed = opt->hess;
            break;
        case ROLE_VJP:
            asked = !opt->no_grad;
            needed = opt->jac;
            break;
        case ROLE_JVP:
            asked = !opt->no_jvp;
            needed = opt->jac && !f->returns;
            break;
        case ROLE_HVP:
            asked = !opt->no_hvp;
            needed = opt->hess;
            break;
        default:
            break;
        }
        if (!asked && !needed)
            continue;
        f->internal = !asked;
        funcs->items[w++] = f;
    }
    funcs->len = w;
}

/* A routine asked for that no function of the file takes is a usage error:
 * f_jac is for functions with out parameters, f_hess for those returning a
 * value. */
static bool routines_fit(Cx *cx, const CompileOptions *opt)
{
    bool ok = true;
    if (opt->where_fit)
        return true;
    if (opt->jac && !dense_fits(cx, false)) {
        diag_cmd_error(&cx->diag, "--routines names jac, but no function in '%s' has out parameters "
                                  "(f_jac is for those)", cx->diag.path);
        ok = false;
    }
    if (opt->hess && !dense_fits(cx, true)) {
        diag_cmd_error(&cx->diag, "--routines names hess, but no function in '%s' returns a value "
                                  "(f_hess is for those)", cx->diag.path);
        ok = false;
    }
    return ok;
}

/* Leaves out static helpers that no exported function calls, directly or
 * through other helpers (a reverse helper made for a call that turned out
 * inactive): C compilers warn about unused static functions. */
static void prune_helpers(Cx *cx)
{
    PtrVec *funcs = &cx->ir->funcs, work = {0};
    for (int i = 0; i < funcs->len; i++) {
        IrFunc *f = funcs->items[i];
        f->reached = f->exported;
        if (f->reached)
            vec_push(cx->arena, &work, f);
    }
    while (work.len > 0) {
        IrFunc *f = work.items[--work.len];
        PtrVec calls = {0};
        ir_collect_calls(cx, f->body, &calls);
        /* what f_jac, f_hess and the sparse routines call: not in their IR */
        for (int k = 0; k < 3; k++)
            if (f->sweep[k] && !f->sweep[k]->reached) {
                f->sweep[k]->reached = true;
                vec_push(cx->arena, &work, f->sweep[k]);
            }
        for (int k = 0; k < calls.len; k++) {
            IrFunc *g = ((Instr *)calls.items[k])->callee;
            if (!g->reached) {
                g->reached = true;
                vec_push(cx->arena, &work, g);
            }
        }
    }
    int w = 0;
    for (int i = 0; i < funcs->len; i++)
        if (((IrFunc *)funcs->items[i])->reached)
            funcs->items[w++] = funcs->items[i];
    funcs->len = w;
}

/* Each function with its derived ones (f, f_grad or f_vjp, f_jvp, f_hvp,
 * f_jac or f_hess: routines that f_jac and f_hess call come before them),
 * in the order of the file; the static helpers after them. */
static void order_functions(Cx *cx)
{
    static const FuncRole order[] = {ROLE_PRIMAL, ROLE_GRAD,    ROLE_VJP,        ROLE_JVP,
                                     ROLE_HVP,    ROLE_JAC,     ROLE_JAC_NNZ,    ROLE_JAC_SPARSE,
                                     ROLE_HESS,   ROLE_HESS_NNZ, ROLE_HESS_SPARSE};
    PtrVec *funcs = &cx->ir->funcs, sorted = {0};
    int nsrc = cx->prog.funcs.len;
    /* the exported functions by source function (Func.index) */
    PtrVec *of = ARENA_ARRAY(cx->arena, PtrVec, nsrc + 1);
    for (int k = 0; k < funcs->len; k++) {
        IrFunc *f = funcs->items[k];
        if (f->exported)
            vec_push(cx->arena, &of[f->src->index], f);
    }
    for (int i = 0; i < nsrc; i++)
        for (size_t r = 0; r < sizeof order / sizeof *order; r++)
            for (int k = 0; k < of[i].len; k++)
                if (((IrFunc *)of[i].items[k])->role == order[r])
                    vec_push(cx->arena, &sorted, of[i].items[k]);
    for (int i = 0; i < nsrc; i++)
        vec_release(cx->arena, &of[i]);
    for (int k = 0; k < funcs->len; k++)
        if (!((IrFunc *)funcs->items[k])->exported)
            vec_push(cx->arena, &sorted, funcs->items[k]);
    vec_release(cx->arena, funcs);
    *funcs = sorted;
}

bool compile_all(Cx *cx, const CompileOptions *opt)
{
    if (!compile_front(cx))
        return false;
    lower_program(cx);
    verify(cx);
    if (!routines_fit(cx, opt))
        return false;
    if (opt->optimize && !opt->no_inline) {
        inline_module(cx);
        verify(cx);
    }
    if (opt->optimize)
        opt_module(cx, opt->primal_only);
    if (opt->primal_only)
        return true;
    if (!opt->no_grad || !opt->no_hvp || opt->jac || opt->hess)
        ad_reverse_module(cx);
    verify(cx);
    /* f_hvp differentiates f_grad: optimised first, it has less to do */
    if (opt->optimize) {
        opt_module(cx, true);
        opt_primal_fills(cx);
        verify(cx);
    }
    ad_forward_module(cx, !opt->no_jvp || opt->jac, !opt->no_hvp || opt->hess);
    settle_routines(cx, opt);
    verify(cx);
    if (opt->optimize)
        opt_module(cx, true);
    else
        opt_cleanup(cx);
    verify(cx);
    dense_module(cx, opt->jac, opt->hess);
    sparse_module(cx, opt->jac, opt->hess);
    if (opt->optimize)
        skip_zero_seeds(cx);
    verify(cx);
    prune_helpers(cx);
    order_functions(cx);
    split_module(cx, opt->split);
    verify(cx);
    return true;
}
