/* The compilation pipeline: one call per stage, as a list. */
#include "compile.h"

#include <stdlib.h>
#include <string.h>

#include "ad.h"
#include "gradc.h"
#include "ir.h"
#include "opt.h"

Cx *cx_new(const char *path, const char *src, size_t len)
{
    Arena *a = arena_new();
    Cx *cx = ARENA_NEW(a, Cx);
    cx->arena = a;
    char *copy = arena_alloc(a, len + 1);
    memcpy(copy, src, len);
    diag_init(&cx->diag, path, copy, len);
    strtab_init(&cx->ids, a);
    cx->lexpos = (Span){1, 1, 0};
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

bool compile_all(Cx *cx, const CompileOptions *opt)
{
    if (!compile_front(cx))
        return false;
    lower_program(cx);
    verify(cx);
    if (opt->optimize)
        opt_module(cx);
    if (opt->primal_only)
        return true;
    ad_reverse_module(cx);
    verify(cx);
    if (opt->optimize)
        opt_module(cx);
    else if (!getenv("GRADC_NO_CLEANUP"))
        opt_cleanup(cx);
    verify(cx);
    return true;
}
