/* IR -> readable C99: one statement per IR instruction, variables named
 * after the source (d_x is the adjoint of x, g_x the gradient output for
 * x), the source line as a comment above the code made from it, support
 * code only where used, every helper static. The header declares exactly
 * the exported functions of LANGUAGE.md section 6. */
#include "emit.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gradc.h"
#include "ir.h"
#include "names.h"
#include "runtime.h"
#include "vector.h"

typedef struct Emit {
    Cx *cx;
    const EmitOptions *opt;
    Buf *o;
    NameScope global;
    /* the function being written */
    IrFunc *f;
    const IrFunc *plan_f;       /* the function being planned (plan_file) */
    NameScope local;
    int temps;
    int level;
    int last_line;
    IrBlock **lca;              /* by var id: innermost block holding every mention */
    Instr **first;              /* by var id: the first instruction mentioning it */
    int *first_seq;
    bool *at_def;               /* declared where first defined */
    Instr **anchor;             /* by var id: the instruction of its LCA block to declare it before */
    StrTab decls;               /* anchor instruction -> PtrVec* of the variables declared before it */
    bool *used;                 /* by var id: mentioned at all */
    bool *named;                /* by var id: its name is written (sizes too) */
    int text_line;              /* the source line last shown in a comment, */
    size_t text_start, text_end;    /* and its text */
    Instr *alloc;               /* the allocation, and its block */
    IrBlock *alloc_block;
    int seq;
    bool need_tape;             /* this function uses the tape */
    bool need_stdlib;           /* some function allocates, frees or passes NULL */
    bool split_any;             /* some function is split into parts */
    bool *loopvar;              /* by var id: declared by a for */
    Buf fail_all, fail_grads;   /* what the function does when memory runs out */
    int stmts;                  /* statements written in this function */
    /* #line: the line the C compiler believes it is on, in the .fn file
     * (fn_line > 0) or in the C file (fn_line 0) */
    int fn_line;
    size_t fn_pos;              /* where the last directive ended in the text */
    int c_lines;                /* newlines in the output before c_pos */
    size_t c_pos;
    RtSet rt;                   /* the runtime pieces the file needs */
    bool mask;                  /* writing a mask sweep (sparse.c): reals are gradc_masks */
    int region;                 /* in it: inside both branches of an if on real values, or
                                   a loop left on one */
    int fix;                    /* in it: the depth of while loops on real values, run until
                                   the sets stop growing */
    int nfix;                   /* such loops written in the function, for their names */
} Emit;

static bool takes_tape(const IrFunc *f);
static bool uses_tape(const IrBlock *b);

/* ---- names ------------------------------------------------------------ */

static const char *var_name(Emit *e, IrVar *v);

/* t1, t2, ...: the next one no variable has taken (no C or library name
 * has that form). */
static const char *temp_name(Emit *e)
{
    for (;;) {
        char buf[32];
        snprintf(buf, sizeof buf, "t%d", ++e->temps);
        if (!scope_has(&e->local, buf))
            return scope_take_free(&e->local, buf);
    }
}

static const char *var_name(Emit *e, IrVar *v)
{
    if (v->cname)
        return v->cname;
    if (v->field && !v->field->cname)
        die("emit: a part is written before its function names the frame");
    if (v->field)
        v->cname = scope_take(&e->local, v->field->cname);
    else if (v->adj_of)
        v->cname = scope_take(&e->local, arena_printf(e->cx->arena, "d_%s", var_name(e, v->adj_of)));
    else if (v->tan_of)
        v->cname = scope_take(&e->local, arena_printf(e->cx->arena, "d%s", var_name(e, v->tan_of)));
    else if (v->name)
        v->cname = scope_take(&e->local, v->name);
    else
        v->cname = temp_name(e);
    return v->cname;
}

/* How code reaches a variable: its name, or its field of the frame that
 * the parts of a split function share. */
static const char *vref(Emit *e, IrVar *v)
{
    const char *name = var_name(e, v);
    if (v->framed)
        return arena_printf(e->cx->arena, "gradc_fr->%s", name);
    return name;
}

static void name_params(Emit *e, IrFunc *f)
{
    scope_release(&e->local);   /* the last function's names are written */
    scope_init(&e->local, e->cx->arena, &e->global);
    e->temps = 0;
    for (int i = 0; i < f->vars.len; i++)
        ((IrVar *)f->vars.items[i])->cname = NULL;
    for (int i = 0; i < f->params.len; i++) {
        IrVar *p = f->params.items[i];
        if (p->grad_of)
            p->cname = scope_take(&e->local, arena_printf(e->cx->arena, "g_%s", var_name(e, p->grad_of)));
        else
            var_name(e, p);
    }
}

/* The functions' C names are fixed before anything is written: exported
 * names are the user's (sema checked them), helpers take what is free. */
static void name_functions(Emit *e)
{
    scope_init(&e->global, e->cx->arena, NULL);
    PtrVec *funcs = &e->cx->ir->funcs;
    for (int i = 0; i < funcs->len; i++) {
        IrFunc *f = funcs->items[i];
        if (f->exported)
            scope_reserve(&e->global, f->name);
    }
    static const char *const generated[] = {"_grad",     "_vjp",        "_jvp",      "_hvp",
                                            "_jac",      "_hess",       "_jac_nnz",  "_jac_sparse",
                                            "_hess_nnz", "_hess_sparse"};
    for (int i = 0; i < funcs->len; i++) {
        IrFunc *f = funcs->items[i];
        if (f->role == ROLE_PRIMAL)
            for (size_t k = 0; k < sizeof generated / sizeof *generated; k++)
                scope_reserve(&e->global, arena_printf(e->cx->arena, "%s%s", f->name, generated[k]));
    }
    for (int i = 0; i < funcs->len; i++) {
        IrFunc *f = funcs->items[i];
        if (!f->exported)
            f->name = scope_take(&e->global, f->name);
        if (f->has_frame)
            f->frame_name = scope_take(&e->global, arena_printf(e->cx->arena, "%s__frame", f->name));
    }
}

/* ---- declaration placement -------------------------------------------- */

static void mention(Emit *e, IrVar *v, Instr *in, IrBlock *b, bool is_def)
{
    e->used[v->id] = true;
    if (v->is_param)
        return;
    if (!e->first[v->id]) {
        e->first[v->id] = in;
        e->first_seq[v->id] = e->seq;
        e->at_def[v->id] = is_def && in->acc == ACC_SET;
        e->lca[v->id] = b;
        return;
    }
    e->lca[v->id] = ir_common_block(e->lca[v->id], b);
}

static void mention_operand(Emit *e, Operand a, Instr *in, IrBlock *b)
{
    if (a.kind == OK_VAR || a.kind == OK_REF)
        mention(e, a.var, in, b, false);
}

static void scan_block(Emit *e, IrBlock *b)
{
    for (int i = 0; i < b->instrs.len; i++) {
        Instr *in = b->instrs.items[i];
        e->seq++;
        Operand *a;
        for (IrSlots s = ir_slots(in); (a = ir_slot_next(&s)) != NULL;)
            mention_operand(e, *a, in, b);
        if (in->arr)
            mention(e, in->arr, in, b, false);
        if (in->dst)
            mention(e, in->dst, in, b, in->kind != I_FOR);
        if (in->kind == I_IF) {
            scan_block(e, in->then);
            if (in->els)
                scan_block(e, in->els);
        } else if (in->kind == I_FOR) {
            e->loopvar[in->ivar->id] = true;
            scan_block(e, in->body);
        } else if (in->kind == I_ALLOC) {
            e->alloc = in;                      /* its mentions come last */
            e->alloc_block = b;
        }
    }
}


static PtrVec *decls_before(Emit *e, const Instr *anchor, bool create)
{
    StrTabEntry *x = create ? strtab_get(&e->decls, (const char *)&anchor, sizeof anchor, NULL)
                            : strtab_find(&e->decls, (const char *)&anchor, sizeof anchor);
    if (x && !x->value && create)
        x->value = ARENA_NEW(e->cx->arena, PtrVec);
    return x ? x->value : NULL;
}

/* The tables by variable id of the function being written: one heap block,
 * given back when the function is written (the arena would keep every
 * function's until the end, and the largest functions have the most). */
static void scratch_free(Emit *e)
{
    free(e->lca);
    e->lca = NULL;
    e->first = e->anchor = NULL;
    e->first_seq = NULL;
    e->at_def = e->used = e->loopvar = e->named = NULL;
}

static void scratch_new(Emit *e, int n)
{
    scratch_free(e);
    size_t un = (size_t)n + 1;
    size_t bytes = un * (3 * sizeof(void *) + sizeof(int) + 4 * sizeof(bool));
    char *p = memset(xmalloc(bytes), 0, bytes);
    e->lca = (IrBlock **)p;
    e->first = (Instr **)(p += un * sizeof(void *));
    e->anchor = (Instr **)(p += un * sizeof(void *));
    e->first_seq = (int *)(p += un * sizeof(void *));
    e->at_def = (bool *)(p += un * sizeof(int));
    e->used = (p += un * sizeof(bool), (bool *)p);
    e->loopvar = (p += un * sizeof(bool), (bool *)p);
    e->named = (p += un * sizeof(bool), (bool *)p);
}

/* Decides, for every variable, whether it is declared at its first
 * definition or before the statement of its innermost common block that
 * holds its first mention. */
static void place_declarations(Emit *e, IrFunc *f)
{
    int n = f->vars.len;
    scratch_new(e, n);
    e->seq = 0;
    ir_link_blocks(f);
    for (int i = 0; i < e->decls.len; i++)
        vec_release(e->cx->arena, e->decls.entries[i].value);
    strtab_release(&e->decls);
    strtab_init(&e->decls, e->cx->arena);
    e->alloc = NULL;
    scan_block(e, f->body);
    /* the allocation mentions the sizes and the parameters kept in, of the
     * arrays that are used */
    for (int k = 0; e->alloc && k < n; k++) {
        IrVar *v = f->vars.items[k];
        if (v->ndims == 0 || v->is_param || !e->used[k])
            continue;
        for (int d = 0; d < v->ndims; d++)
            mention_operand(e, v->dims[d], e->alloc, e->alloc_block);
        if (v->alias)
            mention(e, v->alias, e->alloc, e->alloc_block, false);
    }
    for (int i = 0; i < n; i++) {
        IrVar *v = f->vars.items[i];
        Instr *first = e->first[i];
        if (!first || v->ndims > 0 || e->loopvar[i])
            continue;
        IrBlock *where = first->block;
        if (e->mask) {
            /* a mask sweep joins into variables (|=) where both branches of
             * an if run: every one is declared, as no inputs, on entry */
            e->at_def[i] = false;
            e->anchor[i] = f->body->instrs.items[0];
            vec_push(e->cx->arena, decls_before(e, e->anchor[i], true), v);
            continue;
        }
        if (e->at_def[i] && where == e->lca[i] && first->dst == v)
            continue;
        e->at_def[i] = false;
        /* climb from the first mention to the statement of the LCA block */
        IrBlock *b = where;
        Instr *anchor = first;
        while (b != e->lca[i]) {
            anchor = b->owner;
            b = b->parent;
        }
        e->anchor[i] = anchor;
        vec_push(e->cx->arena, decls_before(e, anchor, true), v);
    }
}

/* ---- expressions ------------------------------------------------------ */

static const char *c_type(const Emit *e, IrType t)
{
    return t != IT_REAL ? "int" : e->mask ? "gradc_mask" : "double";
}

static void put_real(Buf *o, double x, bool parens)
{
    char num[40];
    if (isnan(x)) {
        buf_puts(o, "NAN");
        return;
    }
    if (isinf(x)) {
        buf_puts(o, x < 0 ? (parens ? "(-INFINITY)" : "-INFINITY") : "INFINITY");
        return;
    }
    ir_fmt_real(num, sizeof num, x);
    if (num[0] == '-' && parens)
        buf_printf(o, "(%s)", num);
    else
        buf_puts(o, num);
}

/* An operand; `parens` when it follows an operator. */
static void put_operand(Emit *e, Operand a, bool parens)
{
    switch (a.kind) {
    case OK_VAR:
        if (a.var->by_ref)
            buf_putc(e->o, '*');
        buf_puts(e->o, vref(e, a.var));
        break;
    case OK_REF:
        buf_printf(e->o, a.var->by_ref ? "%s" : "&%s", vref(e, a.var));
        break;
    case OK_REAL:
        if (e->mask)
            buf_puts(e->o, "0");    /* a constant depends on no input */
        else
            put_real(e->o, a.real, parens);
        break;
    case OK_INT:
        buf_printf(e->o, a.ival < 0 && parens ? "(%d)" : "%d", a.ival);
        break;
    case OK_BOOL:
        buf_puts(e->o, a.ival ? "1" : "0");
        break;
    case OK_NULL:
        buf_puts(e->o, "NULL");
        break;
    case OK_DIM: {
        /* the int operations are infix (ineg prefix): their C is their cname */
        const char *sym = ir_ops[a.dim->op].cname;
        if (parens)
            buf_putc(e->o, '(');
        if (a.dim->op == OP_INEG) {
            buf_puts(e->o, sym);
            put_operand(e, a.dim->a, true);
        } else {
            put_operand(e, a.dim->a, true);
            buf_printf(e->o, " %s ", sym);
            put_operand(e, a.dim->b, true);
        }
        if (parens)
            buf_putc(e->o, ')');
        break;
    }
    case OK_NONE:
        die("emit: missing operand");
    }
}

/* An int operand as the source wrote it, for comments: a temporary that
 * the lowering made of `n1 - 1` shows as that, not as its name. It is in
 * parentheses if its operator binds less than `need` (1: + -, 2: * / %). */
static void put_int_source(Emit *e, Operand a, int need, int depth)
{
    const Instr *d = a.kind == OK_VAR && !a.var->name && a.var->type == IT_INT && e->first && depth < 4
                         ? e->first[a.var->id] : NULL;
    if (!d || d->kind != I_OP || d->dst != a.var || d->acc != ACC_SET) {
        put_operand(e, a, need > 0);
        return;
    }
    static const char *const sym[OP_COUNT] = {
        [OP_IADD] = "+", [OP_ISUB] = "-", [OP_IMUL] = "*", [OP_IDIV] = "/", [OP_IMOD] = "%",
    };
    if (d->op == OP_COPY) {
        put_int_source(e, d->args[0], need, depth + 1);
    } else if (d->op == OP_INEG) {
        buf_putc(e->o, '-');
        put_int_source(e, d->args[0], 3, depth + 1);
    } else if (sym[d->op]) {
        int prec = d->op == OP_IADD || d->op == OP_ISUB ? 1 : 2;
        if (prec < need)
            buf_putc(e->o, '(');
        put_int_source(e, d->args[0], prec, depth + 1);
        buf_printf(e->o, " %s ", sym[d->op]);
        put_int_source(e, d->args[1], d->op == OP_IADD || d->op == OP_IMUL ? prec : prec + 1, depth + 1);
        if (prec < need)
            buf_putc(e->o, ')');
    } else {
        put_operand(e, a, need > 0);
    }
}

/* x^k with an int k: products for small k, else pow with the int as a double. */
static void put_powi(Emit *e, Operand x, Operand k)
{
    if (k.kind == OK_INT) {
        switch (k.ival) {
        case 0: buf_puts(e->o, "1.0"); return;
        case 1: put_operand(e, x, false); return;
        case 2: case 3:
            for (int i = 0; i < k.ival; i++) {
                if (i)
                    buf_puts(e->o, " * ");
                put_operand(e, x, true);
            }
            return;
        case -1:
            buf_puts(e->o, "1.0 / ");
            put_operand(e, x, true);
            return;
        case -2:
            buf_puts(e->o, "1.0 / (");
            put_operand(e, x, true);
            buf_puts(e->o, " * ");
            put_operand(e, x, true);
            buf_puts(e->o, ")");
            return;
        default:
            buf_puts(e->o, "pow(");
            put_operand(e, x, false);
            buf_printf(e->o, ", %d.0)", k.ival);
            return;
        }
    }
    buf_puts(e->o, "pow(");
    put_operand(e, x, false);
    buf_puts(e->o, ", (double)");
    put_operand(e, k, true);
    buf_puts(e->o, ")");
}

static void put_rhs(Emit *e, Opcode op, const Operand *a, int n)
{
    const OpInfo *info = &ir_ops[op];
    switch (info->form) {
    case INFIX:
        put_operand(e, a[0], false);
        buf_putc(e->o, ' ');
        buf_puts(e->o, info->cname);
        buf_putc(e->o, ' ');
        put_operand(e, a[1], true);
        return;
    case PREFIX:
        buf_puts(e->o, info->cname);
        put_operand(e, a[0], true);
        return;
    case CALL:
    case HELPER:
        buf_printf(e->o, "%s(", info->cname);
        for (int i = 0; i < n; i++) {
            if (i)
                buf_puts(e->o, ", ");
            put_operand(e, a[i], false);
        }
        buf_putc(e->o, ')');
        return;
    case SPECIAL:
        break;
    }
    switch (op) {
    case OP_COPY:
        put_operand(e, a[0], false);
        return;
    case OP_ITOR:
        buf_puts(e->o, "(double)");
        put_operand(e, a[0], true);
        return;
    case OP_SELECT:
        put_operand(e, a[0], false);
        buf_puts(e->o, " ? ");
        put_operand(e, a[1], true);
        buf_puts(e->o, " : ");
        put_operand(e, a[2], true);
        return;
    case OP_POWI:
        put_powi(e, a[0], a[1]);
        return;
    default:
        die("emit: no C form for '%s'", info->name);
    }
}

/* The row-major offset of the element, Horner's way:
 * A[i * n + j], T[(i * b + j) * c + k]. */
static void put_offset(Emit *e, IrVar *arr, const Operand *idx, int upto)
{
    if (upto == 0) {
        put_operand(e, idx[0], upto + 1 < arr->ndims);
        return;
    }
    if (upto > 1)
        buf_putc(e->o, '(');
    put_offset(e, arr, idx, upto - 1);
    if (upto > 1)
        buf_putc(e->o, ')');
    buf_puts(e->o, " * ");
    put_operand(e, arr->dims[upto], true);
    buf_puts(e->o, " + ");
    put_operand(e, idx[upto], true);
}

static void put_element(Emit *e, IrVar *arr, const Operand *idx)
{
    buf_printf(e->o, "%s[", vref(e, arr));
    put_offset(e, arr, idx, arr->ndims - 1);
    buf_putc(e->o, ']');
}

/* The number of elements of an array's dimensions from `from` on (0: the
 * whole array; a row's count past its fixed indices), as a size_t
 * expression: gradc_count(m, n), gradc_scale(gradc_count(a, b), c). */
static void put_count_from(Emit *e, IrVar *v, int from)
{
    for (int d = from + 2; d < v->ndims; d++)
        buf_puts(e->o, "gradc_scale(");
    buf_puts(e->o, "gradc_count(");
    put_operand(e, v->dims[from], false);
    buf_puts(e->o, ", ");
    if (v->ndims >= from + 2)
        put_operand(e, v->dims[from + 1], false);
    else
        buf_puts(e->o, "1");
    buf_putc(e->o, ')');
    for (int d = from + 2; d < v->ndims; d++) {
        buf_puts(e->o, ", ");
        put_operand(e, v->dims[d], false);
        buf_putc(e->o, ')');
    }
}

static void put_count(Emit *e, IrVar *v)
{
    put_count_from(e, v, 0);
}

/* The number of elements of v as a plain product, (size_t)m * (size_t)n,
 * where gradc_count has already checked it: in the work block, which was
 * allocated, so no count saturated. (A saturating count there, which C
 * compilers cannot relate to the failed allocation, had gcc -O2 warn
 * about pointer arithmetic on a path that never runs.) */
static void put_span(Emit *e, IrVar *v)
{
    for (int d = 0; d < v->ndims; d++) {
        buf_puts(e->o, d ? " * (size_t)" : "(size_t)");
        put_operand(e, v->dims[d], true);
    }
}

/* The address of a row of arr (a sub-array argument, a row saved):
 * H + t * h, T + (i * b + j) * c: a pointer into the array, no copy. */
static void put_row(Emit *e, IrVar *arr, const IrRow *row)
{
    buf_printf(e->o, "%s + ", vref(e, arr));
    if (row->nfix > 1)
        buf_putc(e->o, '(');
    put_offset(e, arr, row->fix, row->nfix - 1);
    if (row->nfix > 1)
        buf_putc(e->o, ')');
    for (int k = row->nfix; k < arr->ndims; k++) {
        buf_puts(e->o, " * ");
        put_operand(e, arr->dims[k], true);
    }
}

/* ---- statements ------------------------------------------------------- */

static void put_block(Emit *e, IrBlock *b);
static void put_alloc(Emit *e);
static const char *base_name(const char *path);

/* Indentation stops growing at a depth no reader follows anyway, so that
 * the output stays linear in the size of the input. */
enum { MAX_INDENT = 24 };

static void line_start(Emit *e)
{
    buf_indent(e->o, e->level < MAX_INDENT ? e->level : MAX_INDENT);
}

/* if (COND) { TEXT } where TEXT is statements already indented */
static void put_if_text(Emit *e, const char *cond, const Buf *text)
{
    line_start(e);
    buf_printf(e->o, "if (%s) {\n", cond);
    buf_putn(e->o, text->data, text->len);
    line_start(e);
    buf_puts(e->o, "}\n");
}

/* The source line, as a comment, when the code moves to a new line. */
static void put_source_line(Emit *e, Span at)
{
    if (at.line <= 0 || at.line == e->last_line)
        return;
    e->last_line = at.line;
    const char *src = e->cx->diag.src;
    size_t len = e->cx->diag.len;
    if (at.line != e->text_line) {
        /* the line's text without indentation and comment, found once
           (a line may be very long, and split functions show it again) */
        size_t s = (size_t)at.off, end;
        while (s > 0 && src[s - 1] != '\n')
            s--;
        while (s < len && (src[s] == ' ' || src[s] == '\t'))
            s++;
        for (end = s; end < len && src[end] != '\n' && src[end] != '\r'; end++)
            if (src[end] == '#' || (src[end] == '/' && end + 1 < len && src[end + 1] == '/'))
                break;
        while (end > s && (src[end - 1] == ' ' || src[end - 1] == '\t'))
            end--;
        e->text_line = at.line;
        e->text_start = s;
        e->text_end = end;
    }
    size_t s = e->text_start, end = e->text_end;
    line_start(e);
    buf_printf(e->o, "/* %d: ", at.line);
    size_t shown = 0;
    for (size_t i = s; i < end && shown < 90; i++, shown++) {
        char c = src[i];
        if (c == '*' && i + 1 < end && src[i + 1] == '/')
            buf_puts(e->o, "* ");           /* no early end of comment */
        else if (c == '?' && i + 1 < end && src[i + 1] == '?')
            buf_puts(e->o, "? ");           /* no trigraph */
        else
            buf_putc(e->o, (unsigned char)c >= 0x20 && (unsigned char)c < 0x7f ? c : ' ');
    }
    if (end - s > 90)
        buf_puts(e->o, " ...");
    buf_puts(e->o, " */\n");
}

static void put_declarations(Emit *e, Instr *anchor)
{
    PtrVec *vars = decls_before(e, anchor, false);
    for (int i = 0; vars && i < vars->len; i++) {
        IrVar *v = vars->items[i];
        if (v->is_param || v->ndims > 0 || v->framed || v->field)
            continue;
        line_start(e);
        buf_printf(e->o, "%s %s = %s;\n", c_type(e, v->type), var_name(e, v),
                   v->type == IT_REAL && !e->mask ? "0.0" : "0");
    }
}

/* ---- mask sweeps (sparse.c) ------------------------------------------ */

/* The real variables among n operands, joined: "a | b", or "0" for
 * none (constants, ints). skip: an operand left out (a select's test). */
static void put_join(Emit *e, const Operand *a, int n, int skip)
{
    int k = 0;
    for (int i = 0; i < n; i++) {
        if (i == skip || a[i].kind != OK_VAR || a[i].var->type != IT_REAL)
            continue;
        buf_puts(e->o, k++ ? " | " : "");
        put_operand(e, a[i], true);
    }
    if (k == 0)
        buf_puts(e->o, "0");
}

/* Operand p of op: which operands (bits) its local derivative reads, by
 * ops.def's reads column. Piecewise linear operations have no second
 * derivative (LANGUAGE.md section 5): they read their operands' signs. */
static unsigned couples(Opcode op, int p)
{
    if (op == OP_ABS || op == OP_MIN || op == OP_MAX)
        return 0;
    const char *r = ir_ops[op].reads;
    for (int k = 0; k < p && r; k++) {
        r = strchr(r, '|');
        r = r ? r + 1 : NULL;
    }
    unsigned set = 0;
    for (; r && *r && *r != '|'; r++) {
        if (*r >= '0' && *r <= '9')
            set |= 1u << (*r - '0');
        else if (*r == 'r')
            set |= (1u << ir_ops[op].arity) - 1;
    }
    return set;
}

/* Records, for a Hessian's pattern, the pairs of inputs that the second
 * derivatives of the operation couple: operand p with the operands its
 * derivative reads (gradc_mrec; one call per pair of operands that are
 * real variables, a pair written once). */
static void put_records(Emit *e, Opcode op, const Operand *a, int n)
{
    unsigned with[IR_MAX_ARGS] = {0};
    for (int p = 0; p < n; p++) {
        if (a[p].kind != OK_VAR || a[p].var->type != IT_REAL)
            continue;
        for (int q = 0; q < n; q++)
            if ((couples(op, p) >> q & 1) && a[q].kind == OK_VAR && a[q].var->type == IT_REAL)
                with[p] |= 1u << q;
        bool seen = false;      /* (q, {p}) already says (p, {q}) */
        for (int q = 0; q < p; q++)
            seen |= with[q] == 1u << p && with[p] == 1u << q;
        if (!with[p] || seen)
            continue;
        line_start(e);
        buf_puts(e->o, "gradc_mrec(gradc_c, ");
        put_operand(e, a[p], false);
        buf_puts(e->o, ", ");
        for (int q = 0, k = 0; q < n; q++)
            if (with[p] >> q & 1) {
                buf_puts(e->o, k++ ? " | " : "");
                put_operand(e, a[q], true);
            }
        buf_puts(e->o, ");\n");
    }
}

/* Whether op has records: some real operand's derivative reads a real
 * operand. */
static bool has_records(const Instr *in)
{
    if (in->kind != I_OP && in->kind != I_STORE)
        return false;
    for (int p = 0; p < in->nargs; p++)
        for (int q = 0; q < in->nargs; q++)
            if ((couples(in->op, p) >> q & 1) && in->args[p].kind == OK_VAR &&
                in->args[p].var->type == IT_REAL && in->args[q].kind == OK_VAR &&
                in->args[q].var->type == IT_REAL)
                return true;
    return false;
}

/* (void) for the int and bool variables among a real operation's
 * operands (a conversion to real, an exponent, a select's test): the
 * mask of the result does not read them. */
static void put_unread(Emit *e, const Operand *a, int n)
{
    for (int i = 0; i < n; i++)
        if (a[i].kind == OK_VAR && a[i].var->type != IT_REAL) {
            line_start(e);
            buf_printf(e->o, "(void)%s;\n", vref(e, a[i].var));
        }
}

/* "=" where the value is replaced; "|=" where it is joined: an
 * accumulation, or a variable set in both branches of an if on reals. */
static const char *mask_acc(const Emit *e, AccMode acc, const IrVar *v)
{
    return acc != ACC_SET || (e->region && (!v || v->mor)) ? "|=" : "=";
}

/* lhs (a variable, or an element) gets the join of operands: "lhs = a |
 * b", "lhs |= a | b", or, in a while loop on reals, where growth has to be
 * seen, "lhs = gradc_or(gradc_c, lhs, a | b)". */
static void put_mask_set(Emit *e, IrVar *v, Instr *in, bool join, const Operand *a, int n, int skip)
{
    line_start(e);
    if (v)
        buf_puts(e->o, vref(e, v));
    else
        put_element(e, in->arr, in->idx);
    if (!join || !e->fix) {
        buf_printf(e->o, join ? " |= " : " = ");
        put_join(e, a, n, skip);
        buf_puts(e->o, ";\n");
        return;
    }
    buf_puts(e->o, " = gradc_or(gradc_c, ");
    if (v)
        buf_puts(e->o, vref(e, v));
    else
        put_element(e, in->arr, in->idx);
    buf_puts(e->o, ", ");
    put_join(e, a, n, skip);
    buf_puts(e->o, ");\n");
}

static void put_mask_op(Emit *e, Instr *in)
{
    IrVar *v = in->dst;
    if (v->type != IT_REAL) {
        bool reals = false;
        for (int i = 0; i < in->nargs; i++)
            reals |= in->args[i].kind == OK_VAR && in->args[i].var->type == IT_REAL;
        line_start(e);
        if (!reals) {
            /* ints, or constants (-O0 keeps 1.0 < 2.0): as f computes them */
            buf_printf(e->o, "%s = ", vref(e, v));
            e->mask = false;
            put_rhs(e, in->op, in->args, in->nargs);
            e->mask = true;
        } else {
            /* a test of real values: both ways are taken, its value is moot */
            buf_printf(e->o, "%s = (", vref(e, v));
            put_join(e, in->args, in->nargs, -1);
            buf_puts(e->o, ") != 0");
        }
        buf_puts(e->o, ";\n");
        return;
    }
    put_records(e, in->op, in->args, in->nargs);
    put_unread(e, in->args, in->nargs);
    put_mask_set(e, v, in, mask_acc(e, in->acc, v)[0] == '|', in->args, in->nargs,
                 in->op == OP_SELECT ? 0 : -1);
}

static void put_op(Emit *e, Instr *in)
{
    if (e->mask) {
        put_mask_op(e, in);
        return;
    }
    static const char *const acc[] = {[ACC_SET] = "=", [ACC_ADD] = "+=", [ACC_SUB] = "-="};
    IrVar *v = in->dst;
    line_start(e);
    if (v->nullable)
        buf_printf(e->o, "if (%s) ", var_name(e, v));
    if (e->at_def[v->id] && e->first[v->id] == in && !v->framed && !v->field)
        buf_printf(e->o, "%s ", c_type(e, v->type));
    if (v->by_ref)
        buf_putc(e->o, '*');
    buf_puts(e->o, vref(e, v));
    buf_putc(e->o, ' ');
    buf_puts(e->o, acc[in->acc]);
    buf_putc(e->o, ' ');
    put_rhs(e, in->op, in->args, in->nargs);
    buf_puts(e->o, ";\n");
}

/* In a mask sweep, an if on real values: both branches, one after the
 * other, joining what they set. */
static void put_both(Emit *e, Instr *in)
{
    line_start(e);
    buf_puts(e->o, "/* if (");
    put_operand(e, in->cond, false);
    buf_puts(e->o, ") tests real values: the pattern takes both branches */\n");
    if (in->cond.kind == OK_VAR) {
        line_start(e);
        buf_printf(e->o, "(void)%s;\n", vref(e, in->cond.var));
    }
    e->region++;
    IrBlock *sub[2] = {in->then, in->els};
    for (int k = 0; k < 2; k++) {
        if (!sub[k])
            continue;
        line_start(e);
        buf_puts(e->o, "{\n");
        e->level++;
        put_block(e, sub[k]);
        e->level--;
        line_start(e);
        buf_puts(e->o, "}\n");
    }
    e->region--;
}

static void put_if(Emit *e, Instr *in)
{
    if (e->mask && in->cond.kind == OK_VAR && in->cond.var->mtaint) {
        put_both(e, in);
        return;
    }
    line_start(e);
    for (;;) {
        buf_puts(e->o, "if (");
        put_operand(e, in->cond, false);
        buf_puts(e->o, ") {\n");
        e->level++;
        put_block(e, in->then);
        e->level--;
        if (!in->els)
            break;
        IrBlock *els = in->els;
        Instr *only = els->instrs.len == 1 ? els->instrs.items[0] : NULL;
        bool decls = only && decls_before(e, only, false);
        bool both = e->mask && only && only->kind == I_IF && only->cond.kind == OK_VAR &&
                    only->cond.var->mtaint;
        if (only && only->kind == I_IF && !decls && !only->note && !both) {
            line_start(e);
            buf_puts(e->o, "} else ");
            in = only;
            continue;
        }
        line_start(e);
        buf_puts(e->o, "} else {\n");
        e->level++;
        put_block(e, els);
        e->level--;
        break;
    }
    line_start(e);
    buf_puts(e->o, "}\n");
}

/* The memory a loop's array snapshots take (the PUSHAs marked per 1 in
 * its body, with the tangents' copies in f_hvp), as a formula of the sizes
 * and bounds. */
static void put_snapshot_size(Emit *e, Instr *in)
{
    const IrBlock *b = in->body;
    bool any = false;
    for (int j = 0; j < b->instrs.len; j++) {
        const Instr *s = b->instrs.items[j];
        any |= s->kind == I_PUSHA && s->per == 1;
    }
    if (!any)
        return;
    line_start(e);
    buf_puts(e->o, "/* that is (");
    for (int j = 0, n = 0; j < b->instrs.len; j++) {
        const Instr *s = b->instrs.items[j];
        if (s->kind != I_PUSHA || s->per != 1)
            continue;
        const IrVar *a = s->arr;
        if (n++)
            buf_puts(e->o, " + ");
        for (int d = 0; d < a->ndims; d++) {
            if (d)
                buf_puts(e->o, " * ");
            put_operand(e, a->dims[d], true);
        }
    }
    if (ir_exits_early(in)) {
        buf_puts(e->o, ") doubles on the tape per iteration; the trip count is only known at run "
                 "time */\n");
        return;
    }
    buf_puts(e->o, ") * (");
    put_operand(e, in->hi, false);
    buf_puts(e->o, " - ");
    put_operand(e, in->lo, true);
    buf_puts(e->o, ") doubles on the tape */\n");
}

static bool body_reads(const IrBlock *b, const IrVar *v)
{
    for (int i = 0; i < b->instrs.len; i++)
        if (ir_names_within(b->instrs.items[i], v))
            return true;
    return false;
}

/* In a mask sweep, a loop left on a real test: every number of
 * iterations may run. A counted one runs them all, joining what it sets,
 * which covers each prefix; a while loop runs its body until nothing grows
 * (its ints decide no index or bound: sparse.c). The k-th nonlinear
 * operation of each pass is the same one, so that every chunk's sweep
 * numbers them alike. */
/* f writes an array it was given (an out parameter): its sets are the
 * caller's too. */
static bool writes_array_params(const IrFunc *f)
{
    for (int i = 0; i < f->params.len; i++) {
        const IrVar *p = f->params.items[i];
        if (p->ndims > 0 && !p->readonly)
            return true;
    }
    return false;
}

static void put_mask_loop(Emit *e, Instr *in)
{
    bool fixed = in->hi.kind == OK_NONE, local = false;
    int d = 0;
    line_start(e);
    buf_puts(e->o, fixed ? "/* a while loop on real values: any number of passes may run, so the body\n"
                           : "/* a loop left on real values: any number of passes may run, so each joins\n");
    line_start(e);
    buf_puts(e->o, fixed ? "   runs, joining what it sets, until nothing grows */\n"
                         : "   what it sets, and all run */\n");
    e->region++;
    if (!fixed) {
        const char *i = var_name(e, in->ivar);
        line_start(e);
        buf_printf(e->o, "for (int %s = ", i);
        put_operand(e, in->lo, false);
        buf_printf(e->o, "; %s < ", i);
        put_operand(e, in->hi, true);
        buf_printf(e->o, "; %s++) {\n", i);
        e->level++;
        put_block(e, in->body);
    } else {
        d = ++e->nfix;
        e->fix++;
        local = e->fix == 1 && !writes_array_params(e->f);
        line_start(e);
        buf_printf(e->o, "size_t gradc_k%d = gradc_c->k;\n", d);
        line_start(e);
        if (local)
            buf_printf(e->o, "int gradc_grew%d = gradc_c->grew;\n", d);
        else
            buf_printf(e->o, "int gradc_grew%d = gradc_c->grew, gradc_any%d = 0;\n", d, d);
        line_start(e);
        buf_puts(e->o, "do {\n");
        e->level++;
        line_start(e);
        buf_printf(e->o, "gradc_c->k = gradc_k%d;\n", d);
        line_start(e);
        buf_puts(e->o, "gradc_c->grew = 0;\n");
        put_block(e, in->body);
        if (!local) {
            line_start(e);
            buf_printf(e->o, "gradc_any%d |= gradc_c->grew;\n", d);
        }
    }
    line_start(e);
    buf_printf(e->o, "(void)%s;\n", vref(e, in->cond.var));
    e->level--;
    line_start(e);
    if (fixed) {
        buf_puts(e->o, "} while (gradc_c->grew);\n");
        line_start(e);
        /* the sets of a function's own outermost such loop are its locals:
           a caller sees them only through its own joins of the result, so
           their growth is not the caller's (else a caller's loop on real
           values around a call of it would never end) */
        if (local)
            buf_printf(e->o, "gradc_c->grew = gradc_grew%d;\n", d);
        else
            buf_printf(e->o, "gradc_c->grew = gradc_grew%d | gradc_any%d;\n", d, d);
        e->fix--;
    } else {
        buf_puts(e->o, "}\n");
    }
    e->region--;
}

static void put_for(Emit *e, Instr *in)
{
    if (e->mask && in->cond.kind == OK_VAR && in->cond.var->mtaint) {
        put_mask_loop(e, in);
        return;
    }
    const char *i = var_name(e, in->ivar);
    put_snapshot_size(e, in);
    line_start(e);
    if (in->down) {
        buf_printf(e->o, "for (int %s = ", i);
        put_operand(e, in->hi, true);
        buf_printf(e->o, " - 1; %s >= ", i);
        put_operand(e, in->lo, true);
        buf_printf(e->o, "; %s--) {\n", i);
    } else if (in->hi.kind == OK_NONE && !body_reads(in->body, in->ivar)) {
        buf_puts(e->o, "for (;;) {\n");
    } else {
        buf_printf(e->o, "for (int %s = ", i);
        put_operand(e, in->lo, false);
        buf_puts(e->o, "; ");
        if (in->hi.kind != OK_NONE) {
            buf_printf(e->o, "%s < ", i);
            put_operand(e, in->hi, true);
        }
        buf_printf(e->o, "; %s++) {\n", i);
    }
    e->level++;
    put_block(e, in->body);
    if (ir_exits_early(in) && !(in->cond.kind == OK_BOOL && !in->cond.ival)) {
        line_start(e);
        buf_puts(e->o, "if (");
        put_operand(e, in->cond, false);
        buf_puts(e->o, ") {\n");
        line_start(e);
        buf_puts(e->o, "    break;\n");
        line_start(e);
        buf_puts(e->o, "}\n");
    }
    e->level--;
    line_start(e);
    buf_puts(e->o, "}\n");
}

static void put_call(Emit *e, Instr *in)
{
    line_start(e);
    if (in->dst) {
        if (e->at_def[in->dst->id] && e->first[in->dst->id] == in && !in->dst->framed && !in->dst->field)
            buf_puts(e->o, "double ");
        bool grow = e->mask && e->fix && mask_acc(e, ACC_SET, in->dst)[0] == '|';
        if (grow)
            buf_printf(e->o, "%s = gradc_or(gradc_c, %s, ", vref(e, in->dst), vref(e, in->dst));
        else
            buf_printf(e->o, "%s %s ", vref(e, in->dst), e->mask ? mask_acc(e, ACC_SET, in->dst) : "=");
    }
    bool close = e->mask && e->fix && in->dst && mask_acc(e, ACC_SET, in->dst)[0] == '|';
    buf_printf(e->o, "%s(", in->callee->name);
    for (int i = 0; i < in->ncargs; i++) {
        if (i)
            buf_puts(e->o, ", ");
        if (ir_call_row(in, i))
            put_row(e, in->cargs[i].var, ir_call_row(in, i));
        else
            put_operand(e, in->cargs[i], false);
    }
    if (in->callee->frame_of)
        buf_printf(e->o, "%sgradc_fr", in->ncargs ? ", " : "");
    if (takes_tape(in->callee))
        buf_printf(e->o, "%sgradc_t", in->ncargs || in->callee->frame_of ? ", " : "");
    if (e->mask)
        buf_printf(e->o, "%sgradc_c", in->ncargs ? ", " : "");
    buf_puts(e->o, close ? "));\n" : ");\n");
}

/* The line the compiler is on in the .fn file now (0: in the C file). */
/* Newlines in the output from *pos to its end; *pos moves to the end. */
static int newlines_since(const Buf *o, size_t *pos)
{
    int n = 0;
    const char *p = o->data + *pos, *end = o->data + o->len;
    while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        n++;
        p++;
    }
    *pos = o->len;
    return n;
}

static int implied_line(Emit *e)
{
    if (e->fn_line == 0)
        return 0;
    e->fn_line += newlines_since(e->o, &e->fn_pos);
    return e->fn_line;
}

/* The line of the C file that the text written so far ends on (counted
 * from where the last count stopped: linear in the output). */
static int c_line(Emit *e)
{
    e->c_lines += newlines_since(e->o, &e->c_pos);
    return e->c_lines + 1;
}

/* Hands the text written so far to the sink, once the line counts have
 * read it: positions in the text start again from 0. */
static void flush_text(Emit *e)
{
    implied_line(e);
    c_line(e);
    fwrite(e->o->data ? e->o->data : "", 1, e->o->len, e->opt->sink);
    e->o->len = 0;
    if (e->o->data)
        e->o->data[0] = '\0';
    e->fn_pos = e->c_pos = 0;
}

/* #line before a statement: the .fn line it comes from, or back to the C
 * file for code of gradc's own. */
static void put_line_directive(Emit *e, Span at)
{
    if (e->opt->no_line)
        return;
    int now = implied_line(e);
    if (at.line > 0 && now != at.line) {
        buf_printf(e->o, "#line %d \"%s\"\n", at.line, base_name(e->opt->source_name));
        e->fn_line = at.line;
        e->fn_pos = e->o->len;
    } else if (at.line <= 0 && now != 0) {
        buf_printf(e->o, "#line %d \"%s\"\n", c_line(e) + 1, base_name(e->opt->c_name));
        e->fn_line = 0;
    }
}

static void put_instr(Emit *e, Instr *in)
{
    e->stmts++;
    put_declarations(e, in);
    if (in->note) {
        if (e->stmts > 1)
            buf_putc(e->o, '\n');
        line_start(e);
        buf_printf(e->o, "/* %s */\n", in->note);
        e->last_line = 0;
    }
    put_source_line(e, in->span);
    if (in->kind != I_ALLOC)
        put_line_directive(e, in->span);
    switch (in->kind) {
    case I_OP:
        put_op(e, in);
        break;
    case I_LOAD:
        line_start(e);
        if (e->at_def[in->dst->id] && e->first[in->dst->id] == in && !in->dst->framed && !in->dst->field)
            buf_printf(e->o, "%s ", c_type(e, in->dst->type));
        if (e->mask && e->fix && in->dst->type == IT_REAL && mask_acc(e, ACC_SET, in->dst)[0] == '|') {
            buf_printf(e->o, "%s = gradc_or(gradc_c, %s, ", vref(e, in->dst), vref(e, in->dst));
            put_element(e, in->arr, in->idx);
            buf_puts(e->o, ");\n");
            break;
        }
        buf_printf(e->o, "%s %s ", vref(e, in->dst),
                   e->mask && in->dst->type == IT_REAL ? mask_acc(e, ACC_SET, in->dst) : "=");
        put_element(e, in->arr, in->idx);
        buf_puts(e->o, ";\n");
        break;
    case I_STORE: {
        if (e->mask && in->arr->type == IT_REAL) {
            put_records(e, in->op, in->args, in->nargs);
            put_unread(e, in->args, in->nargs);
            put_mask_set(e, NULL, in, mask_acc(e, in->acc, NULL)[0] == '|', in->args, in->nargs,
                         in->op == OP_SELECT ? 0 : -1);
            break;
        }
        static const char *const acc[] = {[ACC_SET] = "=", [ACC_ADD] = "+=", [ACC_SUB] = "-="};
        line_start(e);
        put_element(e, in->arr, in->idx);
        buf_printf(e->o, " %s ", acc[in->acc]);
        put_rhs(e, in->op, in->args, in->nargs);
        buf_puts(e->o, ";\n");
        break;
    }
    case I_IF:
        put_if(e, in);
        break;
    case I_FOR:
        put_for(e, in);
        break;
    case I_CALL:
        put_call(e, in);
        break;
    case I_RETURN:
        line_start(e);
        /* out of memory anywhere: the value is NaN too */
        buf_puts(e->o, e->need_tape && e->f->exported ? "return gradc_t->failed ? NAN : " : "return ");
        if (e->mask)
            put_join(e, in->args, 1, -1);
        else
            put_operand(e, in->args[0], false);
        buf_puts(e->o, ";\n");
        break;
    case I_FILL:
        if (e->mask && in->arr->type == IT_REAL) {
            if (e->region)      /* joined with no inputs: nothing changes */
                break;
            line_start(e);
            buf_printf(e->o, "gradc_fillm(%s, ", vref(e, in->arr));
            put_count(e, in->arr);
            buf_puts(e->o, ");\n");
            break;
        }
        line_start(e);
        buf_printf(e->o, "gradc_fill%s(%s, ", in->arr->type == IT_INT ? "i" : "", vref(e, in->arr));
        put_count(e, in->arr);
        buf_puts(e->o, ");\n");
        break;
    case I_ACOPY:
        line_start(e);
        buf_printf(e->o, e->mask ? "gradc_copym(%s, %s, " : "gradc_copy(%s, %s, ", vref(e, in->arr),
                   vref(e, in->args[0].var));
        put_count(e, in->arr);
        buf_puts(e->o, e->mask ? (e->region ? ", gradc_c);\n" : ", NULL);\n") : ");\n");
        break;
    case I_PUSH:
        line_start(e);
        buf_puts(e->o, "gradc_push(gradc_t, ");
        put_operand(e, in->args[0], false);
        buf_puts(e->o, ");\n");
        break;
    case I_POP:
        line_start(e);
        if (e->at_def[in->dst->id] && e->first[in->dst->id] == in && !in->dst->framed && !in->dst->field)
            buf_printf(e->o, "%s ", c_type(e, in->dst->type));
        buf_printf(e->o, "%s = %sgradc_pop(gradc_t);\n", vref(e, in->dst),
                   in->dst->type == IT_REAL ? "" : "(int)");
        break;
    case I_PUSHA:
    case I_POPA:
        line_start(e);
        buf_printf(e->o, "gradc_%s%s(gradc_t, ", in->kind == I_PUSHA ? "pusha" : "popa",
                   in->arr->type == IT_INT ? "i" : "");
        if (in->row)
            put_row(e, in->arr, in->row);
        else
            buf_puts(e->o, vref(e, in->arr));
        buf_puts(e->o, ", ");
        put_count_from(e, in->arr, in->row ? in->row->nfix : 0);
        buf_puts(e->o, ");\n");
        break;
    case I_RESERVE:
        line_start(e);
        /* the count as the source names it: "2 * (n1 - 1)", "k" */
        buf_printf(e->o, "/* the reverse sweep needs %d value%s per iteration: ", in->per,
                   in->per == 1 ? "" : "s");
        bool from0 = in->lo.kind == OK_INT && in->lo.ival == 0;
        if (in->per > 1)
            buf_printf(e->o, "%d * ", in->per);
        if (!from0)
            buf_putc(e->o, '(');
        put_int_source(e, in->hi, !from0 ? 1 : in->per > 1 ? 2 : 0, 0);
        if (!from0) {
            buf_puts(e->o, " - ");
            put_int_source(e, in->lo, 2, 0);
            buf_putc(e->o, ')');
        }
        buf_puts(e->o, " doubles on the tape */\n");
        line_start(e);
        buf_puts(e->o, "gradc_reserve(gradc_t, ");
        put_operand(e, in->lo, false);
        buf_puts(e->o, ", ");
        put_operand(e, in->hi, false);
        buf_printf(e->o, ", %d);\n", in->per);
        break;
    case I_ALLOC:
        put_alloc(e);
        break;
    }
}

static void put_block(Emit *e, IrBlock *b)
{
    for (int i = 0; i < b->instrs.len; i++)
        put_instr(e, b->instrs.items[i]);
}

/* A local array that gets memory: one the function uses, or one its
 * parts use (in the frame). */
static bool is_local_array(const Emit *e, const IrVar *v)
{
    return v->ndims > 0 && !v->is_param && (e->used[v->id] || v->framed);
}

/* All local arrays in one block of memory, taken on entry (and zeroed):
 * sizes come from int parameters only. Where the caller passes NULL for an
 * array kept in its memory, scratch space stands in. */
static bool allocates(const Emit *e);

static void put_alloc(Emit *e)
{
    IrFunc *f = e->f;
    if (!allocates(e))
        return;
    put_line_directive(e, (Span){0});
    line_start(e);
    buf_puts(e->o, "/* memory for the arrays:");
    for (int i = 0; i < f->vars.len; i++) {
        IrVar *v = f->vars.items[i];
        if (is_local_array(e, v))
            buf_printf(e->o, " %s%s", var_name(e, v),
                       v->alias ? arena_printf(e->cx->arena, " (if %s is NULL)", var_name(e, v->alias)) : "");
    }
    buf_puts(e->o, " */\n");
    line_start(e);
    buf_puts(e->o, "size_t gradc_size = 0;\n");
    for (int i = 0; i < f->vars.len; i++) {
        IrVar *v = f->vars.items[i];
        if (!is_local_array(e, v))
            continue;
        line_start(e);
        buf_puts(e->o, "gradc_size = gradc_sum(gradc_size, ");
        if (v->alias)
            buf_printf(e->o, "%s ? 0 : ", var_name(e, v->alias));
        put_count(e, v);
        buf_puts(e->o, ");\n");
    }
    line_start(e);
    buf_puts(e->o, "double gradc_none[1] = {0.0};\n");
    line_start(e);
    buf_puts(e->o, "double *gradc_work = gradc_alloc(gradc_size, gradc_none);\n");
    put_if_text(e, "!gradc_work", &e->fail_all);
    line_start(e);
    buf_puts(e->o, "double *gradc_next = gradc_work;\n");
    for (int i = 0; i < f->vars.len; i++) {
        IrVar *v = f->vars.items[i];
        if (!is_local_array(e, v))
            continue;
        line_start(e);
        bool framed = v->framed;
        if (!v->alias) {
            /* an int array takes as many doubles as it has ints: room to spare,
             * and the alignment of a double */
            if (framed)
                buf_printf(e->o, "%s = %sgradc_next;\n", vref(e, v), v->type == IT_INT ? "(int *)" : "");
            else if (v->type == IT_INT)
                buf_printf(e->o, "int *%s = (int *)gradc_next;\n", vref(e, v));
            else if (e->mask)   /* a mask takes no more room than a double (gradc_pctx) */
                buf_printf(e->o, "gradc_mask *%s = (gradc_mask *)gradc_next;\n", vref(e, v));
            else
                buf_printf(e->o, "double *%s = gradc_next;\n", vref(e, v));
            line_start(e);
            buf_puts(e->o, "gradc_next += ");
            put_span(e, v);
            buf_puts(e->o, ";\n");
            continue;
        }
        /* kept in the caller's array, or in scratch when that is NULL */
        if (framed)
            buf_printf(e->o, "%s = %s;\n", vref(e, v), var_name(e, v->alias));
        else
            buf_printf(e->o, "%sdouble *%s = %s;\n", v->readonly ? "const " : "", var_name(e, v),
                       var_name(e, v->alias));
        line_start(e);
        buf_printf(e->o, "if (!%s) {\n", vref(e, v));
        e->level++;
        line_start(e);
        buf_printf(e->o, "%s = gradc_next;\n", vref(e, v));
        line_start(e);
        buf_puts(e->o, "gradc_next += ");
        put_span(e, v);
        buf_puts(e->o, ";\n");
        e->level--;
        line_start(e);
        buf_puts(e->o, "}\n");
    }
}

/* What a function does when it cannot get memory: NaN for the value and
 * for every output it would have written (all of them, or, when the tape
 * failed after the forward sweep, the gradients only). */
static void put_fail(Emit *e, Buf *o, bool outputs, bool grads, bool ret)
{
    Buf *saved = e->o;
    e->o = o;
    e->level++;
    IrFunc *f = e->f;
    if (f->role == ROLE_MASK) {
        /* the pattern function gives up */
        line_start(e);
        buf_puts(e->o, "gradc_c->failed = 1;\n");
        line_start(e);
        buf_puts(e->o, f->returns ? "return 0;\n" : "return;\n");
        e->level--;
        e->o = saved;
        return;
    }
    for (int i = 0; i < f->params.len; i++) {
        IrVar *p = f->params.items[i];
        bool written = (p->ndims > 0 && !p->readonly) || p->by_ref;
        if (written && (p->is_out ? outputs : grads)) {
            line_start(e);
            if (p->ndims > 0) {
                buf_printf(e->o, p->nullable ? "if (%s) gradc_fill_nan(%s, " : "gradc_fill_nan(%s%s, ",
                           p->cname, p->nullable ? p->cname : "");
                put_count(e, p);
                buf_puts(e->o, ");\n");
            } else {
                buf_printf(e->o, p->nullable ? "if (%s) *%s = NAN;\n" : "%s*%s = NAN;\n",
                           p->nullable ? p->cname : "", p->cname);
            }
        }
    }
    if (ret) {
        if (!f->exported) {
            line_start(e);
            buf_puts(e->o, "gradc_t->failed = 1;\n");
        } else if (e->need_tape) {
            line_start(e);
            buf_puts(e->o, "free(gradc_t->data);\n");
        }
        line_start(e);
        buf_puts(e->o, f->returns ? "return NAN;\n" : "return;\n");
    }
    e->level--;
    e->o = saved;
}

/* Whether f takes its caller's tape: every helper does (it saves there and
 * reports failure there); a part of a split function only if it uses it. */
static bool takes_tape(const IrFunc *f)
{
    if (f->role == ROLE_MASK || f->role == ROLE_PATTERN)
        return false;
    return !f->exported && (!f->frame_of || uses_tape(f->body));
}

static bool uses_tape(const IrBlock *b)
{
    for (int i = 0; i < b->instrs.len; i++) {
        const Instr *in = b->instrs.items[i];
        if (in->kind == I_PUSH || in->kind == I_POP || in->kind == I_PUSHA || in->kind == I_POPA ||
            in->kind == I_RESERVE || (in->kind == I_CALL && takes_tape(in->callee)))
            return true;
        if ((in->then && uses_tape(in->then)) || (in->els && uses_tape(in->els)) ||
            (in->body && uses_tape(in->body)))
            return true;
    }
    return false;
}

static bool has_alloc_instr(const IrBlock *b)
{
    for (int i = 0; i < b->instrs.len; i++)
        if (((Instr *)b->instrs.items[i])->kind == I_ALLOC)
            return true;
    return false;
}

/* Whether the function takes memory for local arrays: it has the
 * instruction and an array that is still used after optimisation. */
static bool allocates(const Emit *e)
{
    if (!has_alloc_instr(e->f->body))
        return false;
    for (int i = 0; i < e->f->vars.len; i++)
        if (is_local_array(e, e->f->vars.items[i]))
            return true;
    return false;
}

/* Frees what the function took, before it returns. */
static void put_epilogue(Emit *e)
{
    put_line_directive(e, (Span){0});
    if (e->need_tape && e->f->exported) {
        line_start(e);
        buf_puts(e->o, "free(gradc_t->data);\n");
    }
    if (allocates(e)) {
        line_start(e);
        buf_puts(e->o, "if (gradc_work != gradc_none)\n");
        line_start(e);
        buf_puts(e->o, "    free(gradc_work);\n");
    }
}

/* The function's top level: with a tape, the reverse sweep runs only if
 * the forward sweep could save everything, and if memory ran out anywhere
 * the derivatives are NaN; the frees come before the return. */
/* Where the reverse sweep starts among the statements before end; end if
 * there is none. */
static int reverse_start(const IrBlock *b, int end)
{
    for (int i = 0; i < end; i++) {
        const Instr *in = b->instrs.items[i];
        if (in->note && strcmp(in->note, "reverse sweep") == 0)
            return i;
    }
    return end;
}

/* After the statements: derivatives made NaN if memory ran out, the memory
 * freed, and the return (statement end, if there is one). */
static void put_ending(Emit *e, IrBlock *b, int end)
{
    if (e->need_tape && e->f->exported && e->fail_grads.len > 0) {
        /* memory ran out somewhere, here or in a helper: no derivatives */
        put_if_text(e, "gradc_t->failed", &e->fail_grads);
    }
    put_epilogue(e);
    if (end < b->instrs.len)
        put_instr(e, b->instrs.items[end]);
}

static void put_body(Emit *e, IrBlock *b)
{
    int n = b->instrs.len;
    Instr *last = n ? b->instrs.items[n - 1] : NULL;
    int end = last && last->kind == I_RETURN ? n - 1 : n;
    int rev = e->need_tape ? reverse_start(b, end) : end;
    for (int i = 0; i < rev && i < end; i++)
        put_instr(e, b->instrs.items[i]);
    if (rev < end && e->f->exported) {
        buf_putc(e->o, '\n');
        line_start(e);
        buf_puts(e->o, "if (!gradc_t->failed) {\n");
        e->level++;
        for (int i = rev; i < end; i++)
            put_instr(e, b->instrs.items[i]);
        e->level--;
        line_start(e);
        buf_puts(e->o, "}\n");
    } else {
        for (int i = rev; i < end; i++)
            put_instr(e, b->instrs.items[i]);
    }
    put_ending(e, b, end);
}

static void put_signature(Emit *e, IrFunc *f)
{
    bool mask = f->role == ROLE_MASK, ctx = mask || f->role == ROLE_PATTERN;
    const char *ret = f->role == ROLE_PATTERN || f->role == ROLE_JAC_NNZ || f->role == ROLE_HESS_NNZ ? "int"
                      : f->role == ROLE_JAC_SPARSE ? "void"
                      : !f->returns                ? "void"
                      : mask                       ? "gradc_mask"
                                                   : "double";
    buf_printf(e->o, "%s%s%s %s(", f->exported && !f->internal ? "" : "static ", f->frame_of ? "GRADC_NOINLINE " : "",
               ret, f->name);
    if (f->params.len == 0 && f->exported)   /* internal ones too: a prototype */
        buf_puts(e->o, "void");
    for (int i = 0; i < f->params.len; i++) {
        IrVar *p = f->params.items[i];
        const char *type = mask && p->type == IT_REAL ? "gradc_mask" : p->type == IT_REAL ? "double" : "int";
        if (i)
            buf_puts(e->o, ", ");
        if (p->ndims > 0)
            buf_printf(e->o, "%s%s *%s", p->readonly ? "const " : "", type, p->cname);
        else if (p->by_ref)
            buf_printf(e->o, "double *%s", p->cname);
        else
            buf_printf(e->o, "%s %s", type, p->cname);
    }
    if (ctx)
        buf_printf(e->o, "%sgradc_pctx *gradc_c", f->params.len ? ", " : "");
    if (f->frame_of)
        buf_printf(e->o, "%sstruct %s *gradc_fr", f->params.len ? ", " : "", f->frame_of->frame_name);
    /* a helper saves on its caller's tape and reports failure there */
    if (takes_tape(f))
        buf_printf(e->o, "%sgradc_tape *gradc_t", f->params.len || f->frame_of ? ", " : "");
    buf_putc(e->o, ')');
}

/* The variables the C of f names: operands, arrays, and the sizes that
 * indexing a matrix, counting an array's elements (fill, copy, save,
 * allocate, NaN on failure) write out. */
static void mark_one(void *named, IrVar *v)
{
    ((bool *)named)[v->id] = true;
}

static void mark_sizes(bool *named, const IrVar *v)
{
    for (int d = 0; d < v->ndims; d++)
        ir_size_vars(v->dims[d], mark_one, named);
}

static void mark_named(Emit *e, const IrBlock *b, bool *named)
{
    for (int i = 0; i < b->instrs.len; i++) {
        const Instr *in = b->instrs.items[i];
        const Operand *a;
        for (IrSlots s = ir_slots(in); (a = ir_slot_next(&s)) != NULL;)
            if (a->kind == OK_VAR || a->kind == OK_REF)
                named[a->var->id] = true;
        if (in->dst)
            named[in->dst->id] = true;
        if (in->arr)
            named[in->arr->id] = true;
        if (in->kind == I_ACOPY)
            named[in->args[0].var->id] = true;
        /* an element's offset names every size but the first */
        for (int d = 1; (in->kind == I_LOAD || in->kind == I_STORE) && d < in->arr->ndims; d++)
            ir_size_vars(in->arr->dims[d], mark_one, named);
        if (in->kind == I_FILL || in->kind == I_ACOPY || in->kind == I_PUSHA || in->kind == I_POPA)
            mark_sizes(named, in->arr);
        /* so does a row's address */
        for (int k = 0; in->kind == I_CALL && k < in->ncargs; k++)
            if (ir_call_row(in, k))
                mark_sizes(named, in->cargs[k].var);
        const IrBlock *sub[3] = {in->then, in->els, in->body};
        for (int k = 0; k < 3; k++)
            if (sub[k])
                mark_named(e, sub[k], named);
    }
}

static void find_named(Emit *e, IrFunc *f)
{
    bool *named = e->named;     /* zeroed by scratch_new */
    mark_named(e, f->body, named);
    bool alloc = allocates(e);
    for (int i = 0; i < f->vars.len; i++) {
        IrVar *v = f->vars.items[i];
        if (alloc && is_local_array(e, v)) {
            mark_sizes(named, v);
            if (v->alias)
                named[v->alias->id] = true;
        }
        bool written = v->is_param && v->ndims > 0 && !v->readonly;
        if (written && (alloc || (e->need_tape && f->exported && !v->is_out)))
            mark_sizes(named, v);               /* NaN on failure */
    }
}

/* Parameters the C never names (a constant function's inputs, a size of
 * arrays that are only indexed) are cast to void. */
static void put_unused_params(Emit *e, IrFunc *f)
{
    for (int i = 0; i < f->params.len; i++) {
        IrVar *p = f->params.items[i];
        if (!e->named[p->id]) {
            line_start(e);
            buf_printf(e->o, "(void)%s;\n", p->cname);
        }
    }
}

/* ---- split functions -------------------------------------------------- */

static void put_frame_type(Emit *e, IrVar *v)
{
    if (v->ndims > 0)
        buf_printf(e->o, "%s%s *", v->readonly ? "const " : "", c_type(e, v->type));
    else
        buf_printf(e->o, "%s ", c_type(e, v->type));
}

/* What the parts of a split function share (split.c), before it. */
static void put_frame(Emit *e, IrFunc *f)
{
    buf_printf(e->o, "/* what the parts of %s share */\nstruct %s {\n", f->name, f->frame_name);
    int fields = 0;
    for (int i = 0; i < f->vars.len; i++) {
        IrVar *v = f->vars.items[i];
        if (!v->framed)
            continue;
        fields++;
        buf_puts(e->o, "    ");
        put_frame_type(e, v);
        buf_printf(e->o, "%s;\n", var_name(e, v));
    }
    if (!fields)
        buf_puts(e->o, "    int unused;\n");
    buf_puts(e->o, "};\n\n");
}

/* A part's copies of the frame's variables: read when it starts, written
 * back when it ends if it assigned them. */
static void put_frame_copies(Emit *e, IrFunc *f, bool back)
{
    bool any = false;
    for (int i = 0; i < f->vars.len; i++) {
        IrVar *v = f->vars.items[i];
        if (!v->field || !e->named[v->id] || (back && !v->writes_field))
            continue;
        line_start(e);
        if (back) {
            buf_printf(e->o, "gradc_fr->%s = %s;\n", v->field->cname, var_name(e, v));
            continue;
        }
        put_frame_type(e, v);
        buf_printf(e->o, "%s = gradc_fr->%s;\n", var_name(e, v), v->field->cname);
        any = true;
    }
    if (f->frame_of && !back && !any) {
        line_start(e);
        buf_puts(e->o, "(void)gradc_fr;\n");
    }
}

/* ---- whole Jacobians and Hessians (dense.c) -------------------------- */

/* The parameters before the matrix (f_jac, f_hess) or the triplets (the
 * sparse routines): ARGS, and GRADS for f_hess. */
static int nargs_of(const IrFunc *f)
{
    switch (f->role) {
    case ROLE_JAC:
    case ROLE_HESS:
        return f->params.len - 1;
    case ROLE_JAC_SPARSE:
    case ROLE_HESS_SPARSE:
        return f->params.len - 3;
    default:
        return f->params.len;
    }
}

/* A real input that is not const: a column of J, a row and column of H. */
static bool dense_input(const IrVar *p)
{
    return p->type == IT_REAL && !p->is_out && !p->src_const && !p->grad_of;
}

static void put_stmt(Emit *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put_stmt(Emit *e, const char *fmt, ...)
{
    va_list ap;
    line_start(e);
    va_start(ap, fmt);
    buf_vprintf(e->o, fmt, ap);
    va_end(ap);
}

/* size_t gradc_at_P = where parameter P starts in a vector of all those
 * that pass `want`; the total into `total` (gradc_n, gradc_m). */
static void put_offsets(Emit *e, bool (*want)(const IrVar *), const char *total)
{
    IrFunc *f = e->f;
    const char *prev = NULL;
    IrVar *prev_p = NULL;
    for (int i = 0; i < nargs_of(f); i++) {
        IrVar *p = f->params.items[i];
        if (!want(p))
            continue;
        const char *at = arena_printf(e->cx->arena, "gradc_at_%s", p->cname);
        put_stmt(e, "size_t %s = ", at);
        if (!prev) {
            buf_puts(e->o, "0;\n");
        } else {
            buf_printf(e->o, "gradc_sum(%s, ", prev);
            if (prev_p->ndims)
                put_count(e, prev_p);
            else
                buf_puts(e->o, "1");
            buf_puts(e->o, ");\n");
        }
        prev = at;
        prev_p = p;
    }
    put_stmt(e, "size_t %s = ", total);
    if (!prev) {
        buf_puts(e->o, "0;\n");
        return;
    }
    buf_printf(e->o, "gradc_sum(%s, ", prev);
    if (prev_p->ndims)
        put_count(e, prev_p);
    else
        buf_puts(e->o, "1");
    buf_puts(e->o, ");\n");
}

static bool dense_output(const IrVar *p)
{
    return p->is_out;
}

enum { ARG_SAME, ARG_TANGENT, ARG_VECTOR, ARG_GRAD, ARG_LANES };

/* The arguments of f's parameters of one kind in a call: the parameters
 * themselves (ARGS; GRADS if `first` is set, else NULL after the first
 * direction), or pieces of a vector: tangents (a scalar's value),
 * or pointers into it. */
static void put_args(Emit *e, bool (*want)(const IrVar *), int how, const char *vec, int *n)
{
    IrFunc *f = e->f;
    for (int i = 0; i < nargs_of(f); i++) {
        IrVar *p = f->params.items[i];
        if (!want(p))
            continue;
        buf_puts(e->o, (*n)++ ? ", " : "");
        if (how == ARG_SAME)
            buf_puts(e->o, p->cname);
        else if (how == ARG_GRAD)
            buf_printf(e->o, "gradc_j == 0 ? %s : NULL", p->cname);
        else if (how == ARG_TANGENT && p->ndims == 0)
            buf_printf(e->o, "%s[gradc_at_%s]", vec, p->cname);
        else if (how == ARG_LANES)
            buf_printf(e->o, "%s + gradc_at_%s * %d", vec, p->cname, VEC_WIDTH);
        else
            buf_printf(e->o, "%s + gradc_at_%s", vec, p->cname);
    }
}

static bool dense_arg(const IrVar *p)
{
    return !p->grad_of;
}

static bool dense_grad(const IrVar *p)
{
    return p->grad_of != NULL;
}

static bool dense_any(const IrVar *p)
{
    (void)p;
    return true;
}

/* NaN into every array or scalar output among f's parameters that pass
 * want (the caller's pointers; NULL ones skipped). */
static void put_nan_outputs(Emit *e, bool (*want)(const IrVar *))
{
    IrFunc *f = e->f;
    for (int i = 0; i < nargs_of(f); i++) {
        IrVar *p = f->params.items[i];
        if (!want(p))
            continue;
        line_start(e);
        if (p->ndims) {
            buf_printf(e->o, p->nullable ? "if (%s) gradc_fill_nan(%s, " : "gradc_fill_nan(%s%s, ",
                       p->nullable ? p->cname : "", p->cname);
            put_count(e, p);
            buf_puts(e->o, ");\n");
        } else {
            buf_printf(e->o, "if (%s) *%s = NAN;\n", p->cname, p->cname);
        }
    }
}

/* The matrix, row by row from vec (a row of J) or column by column (a
 * column of J, or of H). */
static void put_scatter(Emit *e, const char *mat, bool row, const char *vec)
{
    const char *k = row ? "gradc_j" : "gradc_i", *len = row ? "gradc_n" : "gradc_m";
    put_stmt(e, "for (%s = 0; %s < %s; %s++)\n", k, k, len, k);
    put_stmt(e, "    %s[gradc_i * gradc_n + gradc_j] = %s[%s];\n", mat, vec, k);
}

/* One sweep per unit vector: f_jvp along each input (the columns of J),
 * or f_vjp seeded with each output (its rows). */
static void put_unit_sweeps(Emit *e, const char *mat, const IrFunc *sweep, bool rows)
{
    const char *k = rows ? "gradc_i" : "gradc_j", *len = rows ? "gradc_m" : "gradc_n";
    const char *seed = rows ? "gradc_out" : "gradc_in", *got = rows ? "gradc_in" : "gradc_out";
    int n = 0;
    put_stmt(e, rows ? "/* reverse mode: row i of J is the gradient of output i */\n"
                     : "/* forward mode: column j of J is the outputs' tangent along input j */\n");
    put_stmt(e, "for (%s = 0; %s < %s; %s++) {\n", k, k, len, k);
    e->level++;
    put_stmt(e, "%s[%s] = 1.0;\n", seed, k);
    put_stmt(e, "%s(", sweep->name);
    put_args(e, dense_any, ARG_SAME, NULL, &n);
    if (rows) {
        put_args(e, dense_output, ARG_VECTOR, "gradc_out", &n);
        put_args(e, dense_input, ARG_VECTOR, "gradc_in", &n);
    } else {
        put_args(e, dense_input, ARG_TANGENT, "gradc_in", &n);
        put_args(e, dense_output, ARG_VECTOR, "gradc_out", &n);
    }
    buf_puts(e->o, ");\n");
    put_stmt(e, "%s[%s] = 0.0;\n", seed, k);
    put_scatter(e, mat, rows, got);
    e->level--;
    put_stmt(e, "}\n");
}

/* f_jac: a sweep of f_jvp per input (column of J) when there are no more
 * inputs than outputs, else of f_vjp per output (row of J). */
static void put_jac(Emit *e, const char *mat)
{
    IrFunc *f = e->f, *jvp = f->sweep[0], *vjp = f->sweep[1];  /* jvp: in vector mode, vec */
    int n;
    put_stmt(e, "double gradc_none[1] = {0.0};\n");
    put_stmt(e, "double *gradc_work, *gradc_in, *gradc_out;\n");
    put_stmt(e, "size_t gradc_i, gradc_j;\n");
    put_stmt(e, "if (!%s || gradc_n == 0 || gradc_m == 0) {\n", mat);
    put_stmt(e, "    %s(", f->primal->name);
    n = 0;
    put_args(e, dense_any, ARG_SAME, NULL, &n);
    buf_puts(e->o, ");\n");
    put_stmt(e, "    return;\n");
    put_stmt(e, "}\n");
    IrFunc *vec = f->sweep[2];
    /* vector mode: VEC_WIDTH tangents (or seeds) per element */
    if (vec)
        put_stmt(e, "gradc_work = gradc_alloc(gradc_scale(gradc_sum(gradc_n, gradc_m), %d), gradc_none);\n",
                 VEC_WIDTH);
    else
        put_stmt(e, "gradc_work = gradc_alloc(gradc_sum(gradc_n, gradc_m), gradc_none);\n");
    put_stmt(e, "if (!gradc_work) {\n");
    e->level++;
    put_nan_outputs(e, dense_output);
    put_stmt(e, "gradc_fill_nan(%s, gradc_n * gradc_m);\n", mat);
    put_stmt(e, "return;\n");
    e->level--;
    put_stmt(e, "}\n");
    put_stmt(e, "gradc_in = gradc_work;\n");
    put_stmt(e, vec ? "gradc_out = gradc_work + gradc_n * %d;\n" : "gradc_out = gradc_work + gradc_n;\n",
             VEC_WIDTH);
    put_stmt(e, "if (gradc_n <= gradc_m) {\n");
    e->level++;
    if (vec) {
        put_stmt(e, "/* forward mode, %d directions per sweep: columns j .. j + nd - 1 of J are the\n",
                 VEC_WIDTH);
        put_stmt(e, "   outputs' tangents along inputs j .. j + nd - 1 */\n");
        put_stmt(e, "for (gradc_j = 0; gradc_j < gradc_n; gradc_j += %d) {\n", VEC_WIDTH);
        e->level++;
        put_stmt(e, "int gradc_nd = gradc_n - gradc_j < %d ? (int)(gradc_n - gradc_j) : %d, gradc_d;\n",
                 VEC_WIDTH, VEC_WIDTH);
        put_stmt(e, "for (gradc_d = 0; gradc_d < gradc_nd; gradc_d++)\n");
        put_stmt(e, "    gradc_in[(gradc_j + gradc_d) * %d + gradc_d] = 1.0;\n", VEC_WIDTH);
        put_stmt(e, "%s(", vec->name);
        n = 0;
        put_args(e, dense_any, ARG_SAME, NULL, &n);
        put_args(e, dense_input, ARG_LANES, "gradc_in", &n);
        put_args(e, dense_output, ARG_LANES, "gradc_out", &n);
        buf_puts(e->o, ", gradc_nd);\n");
        put_stmt(e, "for (gradc_d = 0; gradc_d < gradc_nd; gradc_d++)\n");
        put_stmt(e, "    gradc_in[(gradc_j + gradc_d) * %d + gradc_d] = 0.0;\n", VEC_WIDTH);
        put_stmt(e, "for (gradc_i = 0; gradc_i < gradc_m; gradc_i++)\n");
        put_stmt(e, "    for (gradc_d = 0; gradc_d < gradc_nd; gradc_d++)\n");
        put_stmt(e, "        %s[gradc_i * gradc_n + gradc_j + gradc_d] = gradc_out[gradc_i * %d + gradc_d];\n",
                 mat, VEC_WIDTH);
        e->level--;
        put_stmt(e, "}\n");
    } else {
        put_unit_sweeps(e, mat, jvp, false);
    }
    e->level--;
    put_stmt(e, "} else {\n");
    e->level++;
    put_unit_sweeps(e, mat, vjp, true);
    e->level--;
    put_stmt(e, "}\n");
    put_stmt(e, "if (gradc_work != gradc_none)\n");
    put_stmt(e, "    free(gradc_work);\n");
}

/* f_hess: column j of H from f_hvp along e_j; the value and gradient from
 * the first sweep. */
static void put_hess(Emit *e, const char *mat)
{
    IrFunc *f = e->f, *hvp = f->sweep[0], *grad = f->sweep[1];
    int n;
    put_stmt(e, "size_t gradc_m = gradc_n;\n");
    put_stmt(e, "double gradc_none[1] = {0.0};\n");
    put_stmt(e, "double *gradc_work, *gradc_v, *gradc_hv, gradc_value = 0.0;\n");
    put_stmt(e, "size_t gradc_i, gradc_j;\n");
    put_stmt(e, "if (!%s || gradc_n == 0)\n", mat);
    put_stmt(e, "    return %s(", grad->name);
    n = 0;
    put_args(e, dense_any, ARG_SAME, NULL, &n);
    buf_puts(e->o, ");\n");
    put_stmt(e, "gradc_work = gradc_alloc(gradc_sum(gradc_n, gradc_n), gradc_none);\n");
    put_stmt(e, "if (!gradc_work) {\n");
    e->level++;
    put_nan_outputs(e, dense_grad);
    put_stmt(e, "gradc_fill_nan(%s, gradc_n * gradc_n);\n", mat);
    put_stmt(e, "return NAN;\n");
    e->level--;
    put_stmt(e, "}\n");
    put_stmt(e, "gradc_v = gradc_work;\n");
    put_stmt(e, "gradc_hv = gradc_work + gradc_n;\n");
    put_stmt(e, "for (gradc_j = 0; gradc_j < gradc_n; gradc_j++) {\n");
    e->level++;
    put_stmt(e, "gradc_v[gradc_j] = 1.0;\n");
    put_stmt(e, "gradc_value = %s(", hvp->name);
    n = 0;
    put_args(e, dense_arg, ARG_SAME, NULL, &n);
    put_args(e, dense_input, ARG_TANGENT, "gradc_v", &n);
    put_args(e, dense_grad, ARG_GRAD, NULL, &n);
    put_args(e, dense_input, ARG_VECTOR, "gradc_hv", &n);
    buf_puts(e->o, ");\n");
    put_stmt(e, "gradc_v[gradc_j] = 0.0;\n");
    put_scatter(e, mat, false, "gradc_hv");
    e->level--;
    put_stmt(e, "}\n");
    put_stmt(e, "if (gradc_work != gradc_none)\n");
    put_stmt(e, "    free(gradc_work);\n");
    put_stmt(e, "return gradc_value;\n");
}

static void put_dense(Emit *e, IrFunc *f)
{
    e->f = f;
    name_params(e, f);
    IrVar *mat = f->params.items[f->params.len - 1];
    put_signature(e, f);
    buf_puts(e->o, "\n{\n");
    e->level = 1;
    put_stmt(e, f->role != ROLE_JAC ? "/* a sweep of %s per input, and %s alone when there is no\n"
                : f->sweep[2]       ? "/* a sweep of %s per 8 inputs or of %s per output, whichever\n"
                                    : "/* a sweep of %s per input or of %s per output, whichever\n",
             f->sweep[0]->name, f->sweep[1]->name);
    put_stmt(e, f->role == ROLE_JAC ? "   are fewer; where each input and output starts in J's columns and rows */\n"
                                    : "   Hessian to write; where each input starts in H's rows and columns */\n");
    put_offsets(e, dense_input, "gradc_n");
    if (f->role == ROLE_JAC) {
        put_offsets(e, dense_output, "gradc_m");
        put_jac(e, mat->cname);
    } else {
        put_hess(e, mat->cname);
    }
    buf_puts(e->o, "}\n");
}

/* ---- sparse Jacobians and Hessians (sparse.c) ------------------------- */

static bool real_array(const IrVar *p)
{
    return p->type == IT_REAL && p->ndims > 0;
}

/* f__pattern: the pattern of J (f with out parameters) or of H's lower
 * triangle into gradc_c, sorted; returns the number of entries, -1 if
 * memory ran out. One mask sweep per 64 inputs; without one, every entry. */
static void put_pattern(Emit *e, IrFunc *f)
{
    IrFunc *mask = f->sweep[0];
    bool hess = f->primal->returns;
    e->f = f;
    name_params(e, f);
    put_signature(e, f);
    buf_puts(e->o, "\n{\n");
    e->level = 1;
    put_offsets(e, dense_input, "gradc_n");
    if (!hess)
        put_offsets(e, dense_output, "gradc_m");
    if (!hess && mask)
        put_stmt(e, "(void)gradc_m;\n");
    if (!mask) {
        put_stmt(e, "/* an int that depends on real values decides an index, a loop bound or a\n");
        put_stmt(e, "   call: any entry may be nonzero */\n");
        for (int i = 0; i < f->params.len; i++)
            put_stmt(e, "(void)%s;\n", ((IrVar *)f->params.items[i])->cname);
        put_stmt(e, hess ? "return gradc_pat_all(gradc_c, gradc_n, gradc_n, 1);\n"
                         : "return gradc_pat_all(gradc_c, gradc_m, gradc_n, 0);\n");
        buf_puts(e->o, "}\n");
        return;
    }
    for (int i = 0; i < f->params.len; i++) {
        IrVar *p = f->params.items[i];
        if (p->type == IT_REAL)     /* only their masks are read */
            put_stmt(e, "(void)%s;\n", p->cname);
    }
    put_stmt(e, "/* %s, the masks of the real arrays */\n", mask->name);
    put_stmt(e, "size_t gradc_size = 0, gradc_c0;\n");
    for (int i = 0; i < f->params.len; i++) {
        IrVar *p = f->params.items[i];
        if (!real_array(p))
            continue;
        put_stmt(e, "gradc_size = gradc_sum(gradc_size, ");
        put_count(e, p);
        buf_puts(e->o, ");\n");
    }
    put_stmt(e, "double gradc_none[1] = {0.0};\n");
    put_stmt(e, "double *gradc_work = gradc_alloc(gradc_size, gradc_none);\n");
    bool arrays = false;
    for (int i = 0; i < f->params.len; i++)
        arrays |= real_array(f->params.items[i]);
    put_stmt(e, "if (!gradc_work)\n");
    put_stmt(e, "    return -1;\n");
    if (arrays)
        put_stmt(e, "gradc_mask *gradc_next = (gradc_mask *)gradc_work;\n");
    for (int i = 0; i < f->params.len; i++) {
        IrVar *p = f->params.items[i];
        if (real_array(p)) {
            put_stmt(e, "gradc_mask *gradc_m_%s = gradc_next;\n", p->cname);
            put_stmt(e, "gradc_next += ");
            put_span(e, p);
            buf_puts(e->o, ";\n");
        } else if (dense_input(p)) {
            put_stmt(e, "gradc_mask gradc_m_%s = 0;\n", p->cname);
        }
    }
    if (hess)
        put_stmt(e, "gradc_c->rec = 1;     /* the nonlinear operations say which inputs they couple */\n");
    put_stmt(e, "for (gradc_c0 = 0; gradc_c0 < gradc_n && !gradc_c->failed; gradc_c0 += 64) {\n");
    e->level++;
    put_stmt(e, "gradc_c->c0 = gradc_c0;\n");
    put_stmt(e, "gradc_c->k = 0;\n");
    for (int i = 0; i < f->params.len; i++) {
        IrVar *p = f->params.items[i];
        if (dense_input(p) && p->ndims) {
            put_stmt(e, "gradc_mbits(gradc_m_%s, ", p->cname);
            put_count(e, p);
            buf_printf(e->o, ", gradc_at_%s, gradc_c0);\n", p->cname);
        } else if (dense_input(p)) {
            put_stmt(e, "gradc_mbits(&gradc_m_%s, 1, gradc_at_%s, gradc_c0);\n", p->cname, p->cname);
        } else if (p->is_out) {
            put_stmt(e, "gradc_fillm(gradc_m_%s, ", p->cname);
            put_count(e, p);
            buf_puts(e->o, ");\n");
        }
    }
    put_stmt(e, hess ? "(void)%s(" : "%s(", mask->name);
    for (int i = 0; i < f->params.len; i++) {
        IrVar *p = f->params.items[i];
        buf_puts(e->o, i ? ", " : "");
        if (real_array(p) || dense_input(p))
            buf_printf(e->o, "gradc_m_%s", p->cname);
        else if (p->type == IT_REAL)
            buf_puts(e->o, "0");        /* a const scalar */
        else
            buf_puts(e->o, p->cname);
    }
    buf_printf(e->o, "%sgradc_c);\n", f->params.len ? ", " : "");
    for (int i = 0; !hess && i < f->params.len; i++) {
        IrVar *p = f->params.items[i];
        if (!p->is_out)
            continue;
        put_stmt(e, "gradc_pat_out(gradc_c, gradc_m_%s, ", p->cname);
        put_count(e, p);
        buf_printf(e->o, ", gradc_at_%s);\n", p->cname);
    }
    e->level--;
    put_stmt(e, "}\n");
    put_stmt(e, "if (gradc_work != gradc_none)\n");
    put_stmt(e, "    free(gradc_work);\n");
    put_stmt(e, "return gradc_pat_end(gradc_c, %d, gradc_n);\n", hess);
    buf_puts(e->o, "}\n");
}

/* f_jac_nnz, f_hess_nnz: the pattern's size. */
static void put_nnz(Emit *e, IrFunc *f)
{
    int n = 0;
    put_stmt(e, "gradc_pctx gradc_c = {0};\n");
    put_stmt(e, "int gradc_nnz = %s(", f->sweep[0]->name);
    put_args(e, dense_any, ARG_SAME, NULL, &n);
    buf_printf(e->o, "%s&gradc_c);\n", n ? ", " : "");
    put_stmt(e, "gradc_pat_free(&gradc_c);\n");
    put_stmt(e, "return gradc_nnz;\n");
}

/* What a sparse routine's values start from: the pattern (f__pattern
 * called with the parameters that pass `args`), the colours of the m
 * columns (sym: a star colouring of H's), scratch vectors of `size` doubles
 * named in `vecs`; if memory runs out, NaN into what passes `nan` and
 * `fail` returned. The pattern goes to rows and cols. */
typedef struct SparseStart {
    const char *vecs, *ints, *m, *size, *fail;
    bool (*args)(const IrVar *);
    bool (*nan)(const IrVar *);
    bool sym;
} SparseStart;

static void put_sparse_start(Emit *e, const SparseStart *st, const char *rows, const char *cols,
                             const char *vals)
{
    int n = 0;
    put_stmt(e, "gradc_pctx gradc_c = {0};\n");
    put_stmt(e, "double gradc_none[1] = {0.0};\n");
    put_stmt(e, "double *gradc_work = gradc_none, %s;\n", st->vecs);
    put_stmt(e, "size_t gradc_i, gradc_j;\n");
    put_stmt(e, "int gradc_nc = 0, %sgradc_nnz = %s(", st->ints, e->f->sweep[0]->name);
    put_args(e, st->args, ARG_SAME, NULL, &n);
    buf_printf(e->o, "%s&gradc_c);\n", n ? ", " : "");
    put_stmt(e, "if (gradc_nnz > 0 && %s)\n", vals);
    if (st->sym)
        put_stmt(e, "    gradc_nc = gradc_star(&gradc_c, gradc_n);\n");
    else
        put_stmt(e, "    gradc_nc = gradc_colour(&gradc_c, %s, gradc_n, 0);\n", st->m);
    put_stmt(e, "if (gradc_nc > 0)\n");
    put_stmt(e, "    gradc_work = gradc_alloc(%s, gradc_none);\n", st->size);
    put_stmt(e, "if (gradc_nnz < 0 || gradc_nc < 0 || !gradc_work) {\n");
    e->level++;
    put_nan_outputs(e, st->nan);
    put_stmt(e, "gradc_pat_free(&gradc_c);\n");
    put_stmt(e, "return%s;\n", st->fail);
    e->level--;
    put_stmt(e, "}\n");
    put_stmt(e, "gradc_pat_rc(&gradc_c, %s, %s);\n", rows, cols);
}

/* In f_jac_sparse, where J's rows take fewer than half as many colours as
 * its columns (a few rows, one of them dense: a column colouring takes a
 * colour per column there), a sweep of f_vjp per colour of the rows
 * instead (a reverse sweep costs about twice a tangent one): the seeds
 * sum the colour's unit rows, and input j's gradient is J's entry in the
 * row of that colour that column j has. */
static void put_vjp_rows(Emit *e, IrFunc *f, const char *vals)
{
    int n = 0;
    put_stmt(e, "gradc_nr = gradc_nc > 1 ? gradc_colour(&gradc_c, gradc_m, gradc_n, 1) : -1;\n");
    put_stmt(e, "if (gradc_nr > 0 && 2 * gradc_nr < gradc_nc) {\n");
    e->level++;
    put_stmt(e, "/* reverse mode: a sweep of %s per colour of J's rows */\n", f->sweep[2]->name);
    put_stmt(e, "for (gradc_k = 0; gradc_k < gradc_nr; gradc_k++) {\n");
    e->level++;
    put_stmt(e, "for (gradc_i = 0; gradc_i < gradc_m; gradc_i++)\n");
    put_stmt(e, "    gradc_out[gradc_i] = gradc_c.rcolour[gradc_i] == gradc_k ? 1.0 : 0.0;\n");
    put_stmt(e, "%s(", f->sweep[2]->name);
    put_args(e, dense_any, ARG_SAME, NULL, &n);
    put_args(e, dense_output, ARG_VECTOR, "gradc_out", &n);
    put_args(e, dense_input, ARG_VECTOR, "gradc_in", &n);
    buf_puts(e->o, ");\n");
    put_stmt(e, "for (gradc_i = 0; gradc_i < (size_t)gradc_nnz; gradc_i++)\n");
    put_stmt(e, "    if (gradc_c.rcolour[gradc_c.e[gradc_i] >> 32] == gradc_k)\n");
    put_stmt(e, "        %s[gradc_i] = gradc_in[gradc_c.e[gradc_i] & 0xffffffffu];\n", vals);
    e->level--;
    put_stmt(e, "}\n");
    put_stmt(e, "gradc_nc = 0;     /* no tangent sweeps */\n");
    e->level--;
    put_stmt(e, "}\n");
}

/* f_jac_sparse: the pattern, then per colour of J's columns (VEC_WIDTH
 * colours a sweep in vector mode) a sweep of f_jvp along the sum of the
 * colour's inputs: output i's tangent is J's entry in the column of that
 * colour that row i has. */
static void put_jac_sparse(Emit *e, IrFunc *f, const char *rows, const char *cols, const char *vals)
{
    IrFunc *jvp = f->sweep[1];
    int w = f->vector ? VEC_WIDTH : 1, n = 0;
    put_offsets(e, dense_output, "gradc_m");
    SparseStart st = {"*gradc_in, *gradc_out", "gradc_k, gradc_d, gradc_nr, ", "gradc_m",
                      w > 1 ? arena_printf(e->cx->arena, "gradc_scale(gradc_sum(gradc_n, gradc_m), %d)", w)
                            : "gradc_sum(gradc_n, gradc_m)", "",
                      dense_any, dense_output, false};
    put_sparse_start(e, &st, rows, cols, vals);
    put_stmt(e, "if (gradc_nc == 0) {\n");
    put_stmt(e, "    %s(", f->primal->name);
    n = 0;
    put_args(e, dense_any, ARG_SAME, NULL, &n);
    buf_puts(e->o, ");\n");
    put_stmt(e, "    gradc_pat_free(&gradc_c);\n");
    put_stmt(e, "    return;\n");
    put_stmt(e, "}\n");
    put_stmt(e, "gradc_in = gradc_work;\n");
    put_stmt(e, "gradc_out = gradc_work + gradc_n * %d;\n", w);
    put_vjp_rows(e, f, vals);
    put_stmt(e, "for (gradc_k = 0; gradc_k < gradc_nc; gradc_k += %d) {\n", w);
    e->level++;
    put_stmt(e, "int gradc_nd = gradc_nc - gradc_k < %d ? gradc_nc - gradc_k : %d;\n", w, w);
    put_stmt(e, "for (gradc_j = 0; gradc_j < gradc_n; gradc_j++) {\n");
    put_stmt(e, "    gradc_d = gradc_c.colour[gradc_j] - gradc_k;\n");
    put_stmt(e, "    if (gradc_d >= 0 && gradc_d < gradc_nd)\n");
    put_stmt(e, "        gradc_in[gradc_j * %d + (size_t)gradc_d] = 1.0;\n", w);
    put_stmt(e, "}\n");
    put_stmt(e, "%s(", jvp->name);
    n = 0;
    put_args(e, dense_any, ARG_SAME, NULL, &n);
    if (w > 1) {
        put_args(e, dense_input, ARG_LANES, "gradc_in", &n);
        put_args(e, dense_output, ARG_LANES, "gradc_out", &n);
        buf_puts(e->o, ", gradc_nd);\n");
    } else {
        put_args(e, dense_input, ARG_TANGENT, "gradc_in", &n);
        put_args(e, dense_output, ARG_VECTOR, "gradc_out", &n);
        buf_puts(e->o, ");\n");
    }
    put_stmt(e, "for (gradc_j = 0; gradc_j < gradc_n * %d; gradc_j++)\n", w);
    put_stmt(e, "    gradc_in[gradc_j] = 0.0;\n");
    put_stmt(e, "for (gradc_i = 0; gradc_i < (size_t)gradc_nnz; gradc_i++) {\n");
    put_stmt(e, "    gradc_d = gradc_c.colour[gradc_c.e[gradc_i] & 0xffffffffu] - gradc_k;\n");
    put_stmt(e, "    if (gradc_d >= 0 && gradc_d < gradc_nd)\n");
    put_stmt(e, "        %s[gradc_i] = gradc_out[(size_t)(gradc_c.e[gradc_i] >> 32) * %d + (size_t)gradc_d];\n",
             vals, w);
    put_stmt(e, "}\n");
    e->level--;
    put_stmt(e, "}\n");
    put_stmt(e, "if (gradc_work != gradc_none)\n");
    put_stmt(e, "    free(gradc_work);\n");
    put_stmt(e, "gradc_pat_free(&gradc_c);\n");
}

/* f_hess_sparse: the pattern, then per colour of a star colouring of H's
 * columns a sweep of f_hvp along the sum of the colour's inputs (the
 * first gives the value and the gradient); gradc_hvals reads each entry
 * from the product of its column's colour or of its row's. */
static void put_hess_sparse(Emit *e, IrFunc *f, const char *rows, const char *cols, const char *vals)
{
    IrFunc *hvp = f->sweep[1], *grad = f->sweep[2];
    int n = 0;
    SparseStart st = {"*gradc_v, *gradc_hv, gradc_value = 0.0", "", "gradc_n", "gradc_sum(gradc_n, gradc_n)", " NAN",
                      dense_arg, dense_grad, true};
    put_sparse_start(e, &st, rows, cols, vals);
    put_stmt(e, "if (gradc_nc == 0) {\n");
    put_stmt(e, "    gradc_pat_free(&gradc_c);\n");
    put_stmt(e, "    return %s(", grad->name);
    n = 0;
    put_args(e, dense_any, ARG_SAME, NULL, &n);
    buf_puts(e->o, ");\n");
    put_stmt(e, "}\n");
    put_stmt(e, "gradc_v = gradc_work;\n");
    put_stmt(e, "gradc_hv = gradc_work + gradc_n;\n");
    put_stmt(e, "for (gradc_j = 0; gradc_j < (size_t)gradc_nc; gradc_j++) {\n");
    e->level++;
    put_stmt(e, "for (gradc_i = 0; gradc_i < gradc_n; gradc_i++)\n");
    put_stmt(e, "    gradc_v[gradc_i] = gradc_c.colour[gradc_i] == (int)gradc_j ? 1.0 : 0.0;\n");
    put_stmt(e, "gradc_value = %s(", hvp->name);
    n = 0;
    put_args(e, dense_arg, ARG_SAME, NULL, &n);
    put_args(e, dense_input, ARG_TANGENT, "gradc_v", &n);
    put_args(e, dense_grad, ARG_GRAD, NULL, &n);
    put_args(e, dense_input, ARG_VECTOR, "gradc_hv", &n);
    buf_puts(e->o, ");\n");
    put_stmt(e, "gradc_hvals(&gradc_c, (int)gradc_j, gradc_hv, %s);\n", vals);
    e->level--;
    put_stmt(e, "}\n");
    put_stmt(e, "if (gradc_work != gradc_none)\n");
    put_stmt(e, "    free(gradc_work);\n");
    put_stmt(e, "gradc_pat_free(&gradc_c);\n");
    put_stmt(e, "return gradc_value;\n");
}

static void put_sparse(Emit *e, IrFunc *f)
{
    e->f = f;
    name_params(e, f);
    put_signature(e, f);
    buf_puts(e->o, "\n{\n");
    e->level = 1;
    bool hess = f->role == ROLE_HESS_NNZ || f->role == ROLE_HESS_SPARSE;
    if (f->role == ROLE_JAC_NNZ || f->role == ROLE_HESS_NNZ) {
        put_stmt(e, "/* the entries of %s that can be nonzero, from %s */\n", hess ? "H's lower triangle" : "J",
                 f->sweep[0]->name);
        put_nnz(e, f);
        buf_puts(e->o, "}\n");
        return;
    }
    int k = nargs_of(f);
    const char *rows = ((IrVar *)f->params.items[k])->cname, *cols = ((IrVar *)f->params.items[k + 1])->cname,
               *vals = ((IrVar *)f->params.items[k + 2])->cname;
    put_stmt(e, "/* the pattern from %s; the values from a sweep of %s per %scolour%s of\n", f->sweep[0]->name,
             f->sweep[1]->name, f->vector ? "8 " : "", f->vector ? "s" : "");
    put_stmt(e, hess ? "   a star colouring of H's columns (H[i][j] from the sweep of j's colour,\n"
                       "   or, where another column of i's row has it, of i's colour) */\n"
                     : "   J's columns (no two that share a row have the same colour), or of\n"
                       "   the reverse sweep per colour of its rows where those are fewer than\n"
                       "   half as many */\n");
    put_offsets(e, dense_input, "gradc_n");
    if (hess)
        put_hess_sparse(e, f, rows, cols, vals);
    else
        put_jac_sparse(e, f, rows, cols, vals);
    buf_puts(e->o, "}\n");
}

/* Whether a mask sweep's code names gradc_c: it records, or calls. */
static bool ctx_used(const IrBlock *b)
{
    for (int i = 0; i < b->instrs.len; i++) {
        const Instr *in = b->instrs.items[i];
        if (in->kind == I_CALL || has_records(in))
            return true;
        if ((in->then && ctx_used(in->then)) || (in->els && ctx_used(in->els)) || (in->body && ctx_used(in->body)))
            return true;
    }
    return false;
}

static void put_func(Emit *e, IrFunc *f)
{
    e->mask = f->role == ROLE_MASK;
    e->region = e->fix = e->nfix = 0;
    if (f->role == ROLE_JAC || f->role == ROLE_HESS) {
        put_dense(e, f);
        return;
    }
    if (f->role == ROLE_PATTERN) {
        put_pattern(e, f);
        return;
    }
    if (f->role >= ROLE_JAC_NNZ) {
        put_sparse(e, f);
        return;
    }
    e->f = f;
    name_params(e, f);
    place_declarations(e, f);
    e->level = 0;
    e->last_line = 0;
    e->stmts = 0;
    e->need_tape = uses_tape(f->body) || takes_tape(f);
    buf_free(&e->fail_all);
    buf_free(&e->fail_grads);
    e->level = 1;
    put_fail(e, &e->fail_all, true, true, true);
    put_fail(e, &e->fail_grads, false, true, false);
    e->level = 0;
    if (f->has_frame)
        put_frame(e, f);
    if (f->frame_of)
        buf_printf(e->o, "/* part of %s */\n", f->frame_of->name);
    put_signature(e, f);
    buf_puts(e->o, "\n{\n");
    e->level = 1;
    find_named(e, f);
    put_unused_params(e, f);
    if (e->mask && !allocates(e) && !ctx_used(f->body)) {
        line_start(e);
        buf_puts(e->o, "(void)gradc_c;\n");
    }
    if (takes_tape(f) && !uses_tape(f->body) && !allocates(e)) {
        line_start(e);
        buf_puts(e->o, "(void)gradc_t;\n");
    }
    if (e->need_tape && f->exported) {
        line_start(e);
        buf_puts(e->o, "gradc_tape gradc_tape_ = {NULL, 0, 0, 0}, *gradc_t = &gradc_tape_;\n");
    }
    if (f->has_frame) {
        line_start(e);
        buf_printf(e->o, "struct %s gradc_frame_ = {0}, *gradc_fr = &gradc_frame_;\n", f->frame_name);
    }
    put_frame_copies(e, f, false);
    put_body(e, f->body);
    put_line_directive(e, (Span){0});
    put_frame_copies(e, f, true);
    buf_puts(e->o, "}\n");
    scratch_free(e);
}

/* ---- what a file needs ---------------------------------------------- */

/* The runtime pieces and headers the file needs, decided from the IR
 * before anything is written: the operations that call a piece, the
 * instructions that save or take memory, the failure paths. */
/* Some instruction of b names v: an array the allocation gives memory to. */
static bool named_in(const IrBlock *b, const IrVar *v)
{
    for (int i = 0; i < b->instrs.len; i++)
        if (ir_names_within(b->instrs.items[i], v))
            return true;
    return false;
}

static void plan_block(Emit *e, const IrBlock *b)
{
    static const char *const piece[] = {
        [I_FILL] = "gradc_fill", [I_ACOPY] = "gradc_copy", [I_PUSH] = "gradc_push",
        [I_POP] = "gradc_pop", [I_PUSHA] = "gradc_pusha", [I_POPA] = "gradc_popa",
        [I_RESERVE] = "gradc_reserve", [I_ALLOC] = "gradc_alloc",
    };
    for (int i = 0; i < b->instrs.len; i++) {
        const Instr *in = b->instrs.items[i];
        if ((in->kind == I_OP || in->kind == I_STORE) && ir_ops[in->op].form == HELPER)
            rt_require(&e->rt, ir_ops[in->op].cname);
        bool ints = (in->kind == I_FILL || in->kind == I_PUSHA || in->kind == I_POPA) &&
                    in->arr->type == IT_INT;
        bool mask = e->plan_f->role == ROLE_MASK;
        if (mask && has_records(in))
            rt_require(&e->rt, "gradc_mrec");
        if (mask && in->kind == I_FOR && in->hi.kind == OK_NONE && in->cond.kind == OK_VAR && in->cond.var->mtaint)
            rt_require(&e->rt, "gradc_or");
        if (mask && !ints && (in->kind == I_FILL || in->kind == I_ACOPY))
            rt_require(&e->rt, in->kind == I_FILL ? "gradc_fillm" : "gradc_copym");
        else if ((size_t)in->kind < sizeof piece / sizeof *piece && piece[in->kind])
            rt_require(&e->rt, ints ? arena_printf(e->cx->arena, "%si", piece[in->kind]) : piece[in->kind]);
        /* counts of arrays of 3 or more dimensions */
        if ((in->kind == I_FILL || in->kind == I_ACOPY || in->kind == I_PUSHA || in->kind == I_POPA) &&
            ir_row_ndims(in->arr, in->row) > 2)
            rt_require(&e->rt, "gradc_scale");
        for (int k = 0; in->kind == I_ALLOC && k < e->plan_f->vars.len; k++) {
            const IrVar *v = e->plan_f->vars.items[k];
            if (v->ndims > 2 && !v->is_param && named_in(e->plan_f->body, v))
                rt_require(&e->rt, "gradc_scale");
        }
        if (in->kind == I_FILL || in->kind == I_ACOPY || in->kind == I_PUSHA || in->kind == I_POPA ||
            in->kind == I_ALLOC)
            rt_require(&e->rt, "gradc_count");
        if (in->kind == I_ALLOC) {
            rt_require(&e->rt, "gradc_sum");
            e->need_stdlib = true;
        }
        const Operand *a;
        for (IrSlots s = ir_slots(in); (a = ir_slot_next(&s)) != NULL;)
            e->need_stdlib |= a->kind == OK_NULL;
        const IrBlock *sub[3] = {in->then, in->els, in->body};
        for (int k = 0; k < 3; k++)
            if (sub[k])
                plan_block(e, sub[k]);
    }
}

static bool has_alloc_instr(const IrBlock *b);

/* A function that may run out of memory writes NaN into its array outputs
 * (gradc_fill_nan): all of them when it cannot allocate, the gradients
 * when the tape failed. */
static void plan_failure(Emit *e, const IrFunc *f, bool tape)
{
    bool alloc = has_alloc_instr(f->body);
    for (int i = 0; i < f->params.len; i++) {
        const IrVar *p = f->params.items[i];
        if (p->ndims == 0 || p->readonly)
            continue;
        if (alloc || (tape && f->exported && !p->is_out)) {
            rt_require(&e->rt, "gradc_fill_nan");
            if (p->ndims > 2)
                rt_require(&e->rt, "gradc_scale");
        }
    }
    if (alloc)
        rt_require(&e->rt, "gradc_count");
}

/* f_jac and f_hess count elements, take memory and fill NaN on failure. */
static void plan_dense(Emit *e, const IrFunc *f)
{
    static const char *const pieces[] = {"gradc_sum", "gradc_alloc", "gradc_fill_nan"};
    for (size_t k = 0; k < sizeof pieces / sizeof *pieces; k++)
        rt_require(&e->rt, pieces[k]);
    /* the sizes of the arrays but the matrix */
    for (int i = 0; i < nargs_of(f); i++) {
        int ndims = ((const IrVar *)f->params.items[i])->ndims;
        if (ndims > 0)
            rt_require(&e->rt, "gradc_count");
        if (ndims > 2)
            rt_require(&e->rt, "gradc_scale");
    }
    if (f->sweep[2])
        rt_require(&e->rt, "gradc_scale");
    e->need_stdlib = true;
}

/* The pattern and the sparse routines: what their text calls. */
static void plan_sparse(Emit *e, const IrFunc *f)
{
    static const char *const pattern[] = {"gradc_pctx", "gradc_sum", "gradc_alloc", "gradc_pat_end"};
    static const char *const values[] = {"gradc_pat_free", "gradc_pat_rc", "gradc_sum", "gradc_alloc",
                                         "gradc_fill_nan"};
    e->need_stdlib = true;
    for (int i = 0; i < nargs_of(f); i++) {
        int ndims = ((const IrVar *)f->params.items[i])->ndims;
        if (ndims > 0)
            rt_require(&e->rt, "gradc_count");
        if (ndims > 2)
            rt_require(&e->rt, "gradc_scale");
    }
    if (f->role == ROLE_PATTERN && !f->sweep[0]) {
        rt_require(&e->rt, "gradc_pat_all");
        rt_require(&e->rt, "gradc_sum");
    } else if (f->role == ROLE_PATTERN) {
        for (size_t k = 0; k < sizeof pattern / sizeof *pattern; k++)
            rt_require(&e->rt, pattern[k]);
        if (!f->primal->returns)
            rt_require(&e->rt, "gradc_pat_out");
        for (int i = 0; i < f->params.len; i++) {
            const IrVar *p = f->params.items[i];
            if (p->is_out)
                rt_require(&e->rt, "gradc_fillm");
            if (dense_input(p))
                rt_require(&e->rt, "gradc_mbits");
        }
    } else if (f->role == ROLE_JAC_NNZ || f->role == ROLE_HESS_NNZ) {
        rt_require(&e->rt, "gradc_pat_free");
    } else {
        for (size_t k = 0; k < sizeof values / sizeof *values; k++)
            rt_require(&e->rt, values[k]);
        rt_require(&e->rt, f->role == ROLE_HESS_SPARSE ? "gradc_star" : "gradc_colour");
        if (f->role == ROLE_HESS_SPARSE)
            rt_require(&e->rt, "gradc_hvals");
        if (f->vector)
            rt_require(&e->rt, "gradc_scale");
    }
}

static void plan_file(Emit *e)
{
    PtrVec *funcs = &e->cx->ir->funcs;
    for (int i = 0; i < funcs->len; i++) {
        const IrFunc *f = funcs->items[i];
        if (f->role == ROLE_PATTERN || f->role >= ROLE_JAC_NNZ) {
            plan_sparse(e, f);
            continue;
        }
        bool tape = (uses_tape(f->body) || !f->exported) && f->role != ROLE_MASK;
        if (tape)
            rt_require(&e->rt, "gradc_tape");
        e->need_stdlib |= tape && f->exported;      /* the tape's memory is freed */
        e->split_any |= f->frame_of != NULL;
        e->plan_f = f;
        if (f->role == ROLE_JAC || f->role == ROLE_HESS)
            plan_dense(e, f);
        plan_block(e, f->body);
        if (f->role != ROLE_MASK)   /* a mask sweep only reports failure */
            plan_failure(e, f, tape);
    }
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static void put_banner(Buf *o, const EmitOptions *opt)
{
    buf_printf(o, "/* Generated by gradc %s from %s. Do not edit: edit the .fn file and\n"
                  "   run gradc again. */\n", GRADC_VERSION, base_name(opt->source_name));
}

void emit_c(Cx *cx, const EmitOptions *opt, Buf *out)
{
    Emit e = {0};
    e.cx = cx;
    e.opt = opt;
    e.o = out;
    name_functions(&e);
    plan_file(&e);
    put_banner(out, opt);
    buf_printf(out, "#include \"%s\"\n\n", base_name(opt->header_name));
    rt_headers(out, &e.rt, e.need_stdlib ? "<math.h> <stdlib.h>" : "<math.h>");
    if (e.split_any)    /* a compiler that inlined the parts would undo the split */
        buf_puts(out, "\n#if defined(__GNUC__)\n#define GRADC_NOINLINE __attribute__((noinline))\n"
                      "#else\n#define GRADC_NOINLINE\n#endif\n");
    rt_write(out, &e.rt);
    PtrVec *funcs = &cx->ir->funcs;
    bool protos = false;
    for (int i = 0; i < funcs->len; i++) {
        IrFunc *f = funcs->items[i];
        if (f->has_frame)
            buf_printf(out, "%sstruct %s;\n", protos ? "" : "\n", f->frame_name);
        protos |= f->has_frame;
    }
    for (int i = 0; i < funcs->len; i++) {
        IrFunc *f = funcs->items[i];
        if (f->exported)
            continue;
        if (!protos)
            buf_putc(out, '\n');
        protos = true;
        name_params(&e, f);
        put_signature(&e, f);
        buf_puts(out, ";\n");
    }
    buf_putc(out, '\n');
    for (int i = 0; i < funcs->len; i++) {
        if (i)
            buf_putc(out, '\n');
        put_func(&e, funcs->items[i]);
        if (opt->sink)
            flush_text(&e);
    }
    if (opt->sink)
        flush_text(&e);
    scratch_free(&e);
    buf_free(&e.fail_all);
    buf_free(&e.fail_grads);
}

static void put_guard(Buf *o, const char *header)
{
    buf_puts(o, "GRADC_");
    for (const char *p = base_name(header); *p; p++)
        buf_putc(o, isalnum((unsigned char)*p) ? (char)toupper((unsigned char)*p) : '_');
}

static void put_fn_doc(Emit *e, IrFunc *f)
{
    const IrFunc *p = f->primal ? f->primal : f;
    Buf *o = e->o;
    if (f->role == ROLE_PRIMAL) {
        buf_printf(o, "/* %s, defined at %s:%d: %s", f->name, base_name(e->opt->source_name),
                   f->nline, f->returns ? "the value" : "writes the outputs");
        /* the size of every array, as the .fn file writes it, for the
         * caller who allocates them (the derived functions' gradients,
         * tangents and seeds have the sizes of their arrays) */
        const PtrVec *params = f->src ? &f->src->params : NULL;
        int k = 0;
        for (int ints = 0; ints < 2; ints++) {
            int before = k;
            for (int i = 0; params && i < params->len; i++) {
                const Param *q = params->items[i];
                if (q->ndims == 0 || (q->kind == P_INT) != ints)
                    continue;
                buf_puts(o, k == 0 ? ";\n   arrays, row-major: " : k == before ? "; " : ", ");
                k++;
                buf_puts(o, q->id);
                for (int d = 0; d < q->ndims; d++) {
                    buf_putc(o, '[');
                    ast_put_int_expr(o, q->dims[d]);
                    buf_putc(o, ']');
                }
            }
            if (k > before)
                buf_puts(o, ints ? " ints" : " doubles");
        }
        buf_puts(o, " */\n");
        return;
    }
    if (f->role == ROLE_JVP) {
        buf_printf(o, "/* %s of %s, and %s along the direction given by the tangents\n"
                      "   (a NULL tangent array counts as zeros; a NULL output is skipped). */\n",
                   p->returns ? "The value" : "Writes the outputs", p->name,
                   p->returns ? "into *df its derivative" : "into the d... arrays their derivatives");
        return;
    }
    if (f->role == ROLE_JAC || f->role == ROLE_HESS) {
        const IrVar *mat = f->params.items[f->params.len - 1];
        if (f->role == ROLE_JAC)
            buf_printf(o, "/* Writes the outputs of %s and its whole Jacobian into %s: one row per\n"
                          "   output element, one column per real input element, row-major (outputs\n"
                          "   and inputs in parameter order). A NULL %s skips it. */\n",
                       p->name, mat->cname, mat->cname);
        else
            buf_printf(o, "/* The value of %s, its gradient into the g_... outputs and its whole\n"
                          "   Hessian into %s (N x N for the N real input elements in parameter\n"
                          "   order, row-major). A NULL pointer skips that output. */\n",
                       p->name, mat->cname);
        return;
    }
    if (f->role == ROLE_JAC_NNZ || f->role == ROLE_HESS_NNZ) {
        bool h = f->role == ROLE_HESS_NNZ;
        buf_printf(o, "/* How many entries of %s's %s can be nonzero, whatever the real\n"
                      "   arguments: the length of the arrays %s%s_sparse fills (-1 if memory\n"
                      "   runs out). A mask sweep of %s per 64 real input elements. */\n",
                   p->name, h ? "Hessian (lower triangle)" : "Jacobian", p->name, h ? "_hess" : "_jac", p->name);
        return;
    }
    if (f->role == ROLE_JAC_SPARSE || f->role == ROLE_HESS_SPARSE) {
        bool h = f->role == ROLE_HESS_SPARSE;
        if (h)
            buf_printf(o, "/* The value of %s, its gradient into the g_... outputs (a NULL pointer\n"
                          "   skips one), and the entries of its Hessian that can be nonzero, as\n"
                          "   triplets sorted by row, then column, row >= column:\n", p->name);
        else
            buf_printf(o, "/* Writes the outputs of %s, and the entries of its Jacobian that can be\n"
                          "   nonzero, as triplets sorted by row, then column:\n", p->name);
        buf_printf(o, "   (rows[k], cols[k], vals[k]) for k < %s%s_nnz. NULL rows and cols: the\n"
                      "   values only, in the same order; NULL vals: the pattern only. The values\n"
                      "   take a sweep of %s per %scolour%s of the columns",
                   p->name, h ? "_hess" : "_jac", f->sweep[1]->name, f->vector ? "8 " : "", f->vector ? "s" : "");
        if (h)
            buf_puts(o, ". */\n");
        else
            buf_printf(o, ",\n   or of %s per colour of the rows where those are fewer than half as\n"
                          "   many. */\n", f->sweep[2]->name);
        return;
    }
    if (f->role == ROLE_HVP) {
        buf_printf(o, "/* The value of %s, its gradient into the g_... outputs and the Hessian\n"
                      "   times the tangent direction into the hv_... outputs (a NULL pointer\n"
                      "   skips that output; a NULL tangent array counts as zeros). */\n", p->name);
        return;
    }
    if (f->role == ROLE_VJP)
        buf_printf(o, "/* Writes the outputs of %s and, to ", p->name);
    else
        buf_printf(o, "/* The value of %s and its gradient, written to ", p->name);
    int k = 0;
    for (int i = 0; i < f->params.len; i++) {
        IrVar *g = f->params.items[i];
        if (g->grad_of)
            buf_printf(o, g->ndims ? "%s%s[]" : "%s*%s", k++ ? ", " : "", g->cname);
    }
    if (k == 0)
        buf_puts(o, "nothing (no real inputs)");
    if (f->role == ROLE_VJP)
        buf_puts(o, k ? ",\n   the sum over the outputs of seed * d output / d input. A NULL seed counts\n"
                        "   as zeros; a NULL gradient pointer skips that output. */\n"
                      : ". */\n");
    else
        buf_puts(o, k ? ";\n   a NULL pointer skips that output. */\n" : ". */\n");
}

void emit_h(Cx *cx, const EmitOptions *opt, Buf *out)
{
    Emit e = {0};
    e.cx = cx;
    e.opt = opt;
    e.o = out;
    name_functions(&e);
    put_banner(out, opt);
    buf_puts(out, "#ifndef ");
    put_guard(out, opt->header_name);
    buf_puts(out, "\n#define ");
    put_guard(out, opt->header_name);
    buf_puts(out, "\n\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n");
    PtrVec *funcs = &cx->ir->funcs;
    for (int i = 0; i < funcs->len; i++) {
        IrFunc *f = funcs->items[i];
        if (!f->exported || f->internal)
            continue;
        e.f = f;
        name_params(&e, f);
        buf_putc(out, '\n');
        put_fn_doc(&e, f);
        put_signature(&e, f);
        buf_puts(out, ";\n");
    }
    buf_puts(out, "\n#ifdef __cplusplus\n}\n#endif\n\n#endif\n");
}
