/* IR -> readable C99: one statement per IR instruction, variables named
 * after the source (d_x is the adjoint of x, g_x the gradient output for
 * x), the source line as a comment above the code made from it, support
 * code only where used, every helper static. The header declares exactly
 * the exported functions of LANGUAGE.md section 6. */
#include "emit.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gradc.h"
#include "ir.h"
#include "names.h"

typedef struct Emit {
    Cx *cx;
    const EmitOptions *opt;
    Buf *o;
    NameScope global;
    /* the function being written */
    IrFunc *f;
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
    bool *framed;               /* by var id: kept in the frame of a split function */
    bool in_part;               /* emitting a part, where framed variables are local copies */
    int text_line;              /* the source line last shown in a comment, */
    size_t text_start, text_end;    /* and its text */
    Instr *alloc;               /* the allocation, and its block */
    IrBlock *alloc_block;
    int seq;
    bool need_tape;             /* this function uses the tape */
    bool need_stdlib;           /* some function allocates or passes NULL */
    bool split_any;             /* some function is split into parts */
    bool *loopvar;              /* by var id: declared by a for */
    Buf fail_all, fail_grads;   /* what the function does when memory runs out */
    int stmts;                  /* statements written in this function */
    /* #line: the line the C compiler believes it is on, in the .fn file
     * (fn_line > 0) or in the C file (fn_line 0) */
    int fn_line;
    size_t fn_pos;              /* where the last directive ended in the text */
} Emit;

/* ---- names ------------------------------------------------------------ */

static const char *var_name(Emit *e, IrVar *v);

static const char *temp_name(Emit *e)
{
    for (;;) {
        char buf[32];
        snprintf(buf, sizeof buf, "t%d", ++e->temps);
        if (!scope_has(&e->local, buf) && !names_is_reserved(buf))
            return scope_take(&e->local, buf);
    }
}

static const char *var_name(Emit *e, IrVar *v)
{
    if (v->cname)
        return v->cname;
    if (v->adj_of)
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
    if (e->framed && e->framed[v->id] && !e->in_part)
        return arena_printf(e->cx->arena, "gradc_fr->%s", name);
    return name;
}

static void name_params(Emit *e, IrFunc *f)
{
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
    static const char *const generated[] = {"_grad", "_vjp", "_jvp", "_hvp"};
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
        for (int k = 0; k < in->nargs; k++)
            mention_operand(e, in->args[k], in, b);
        for (int k = 0; k < IR_MAX_DIMS; k++)
            mention_operand(e, in->idx[k], in, b);
        mention_operand(e, in->cond, in, b);
        mention_operand(e, in->lo, in, b);
        mention_operand(e, in->hi, in, b);
        for (int k = 0; k < in->ncargs; k++)
            mention_operand(e, in->cargs[k], in, b);
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

/* Decides, for every variable, whether it is declared at its first
 * definition or before the statement of its innermost common block that
 * holds its first mention. */
static void place_declarations(Emit *e, IrFunc *f)
{
    int n = f->vars.len;
    e->lca = ARENA_ARRAY(e->cx->arena, IrBlock *, n);
    e->first = ARENA_ARRAY(e->cx->arena, Instr *, n);
    e->first_seq = ARENA_ARRAY(e->cx->arena, int, n);
    e->at_def = ARENA_ARRAY(e->cx->arena, bool, n);
    e->anchor = ARENA_ARRAY(e->cx->arena, Instr *, n);
    e->used = ARENA_ARRAY(e->cx->arena, bool, n);
    e->loopvar = ARENA_ARRAY(e->cx->arena, bool, n);
    e->seq = 0;
    ir_link_blocks(f);
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

static const char *c_type(IrType t)
{
    return t == IT_REAL ? "double" : "int";
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
    case OK_VAR: {
        const char *name = vref(e, a.var);
        buf_printf(e->o, a.var->by_ref ? "*%s" : "%s", name);
        break;
    }
    case OK_REF:
        buf_printf(e->o, a.var->by_ref ? "%s" : "&%s", vref(e, a.var));
        break;
    case OK_REAL:
        put_real(e->o, a.real, parens);
        break;
    case OK_INT:
        buf_printf(e->o, a.ival < 0 && parens ? "(%d)" : "%d", a.ival);
        break;
    case OK_BOOL:
        buf_puts(e->o, a.ival ? "1" : "0");
        break;
    case OK_NULL:
        e->need_stdlib = true;
        buf_puts(e->o, "NULL");
        break;
    case OK_NONE:
        die("emit: missing operand");
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
        buf_printf(e->o, " %s ", info->cname);
        put_operand(e, a[1], true);
        return;
    case PREFIX:
        buf_puts(e->o, info->cname);
        put_operand(e, a[0], true);
        return;
    case CALL:
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

static void put_element(Emit *e, IrVar *arr, const Operand *idx)
{
    buf_printf(e->o, "%s[", vref(e, arr));
    if (arr->ndims == 2) {
        put_operand(e, idx[0], true);
        buf_puts(e->o, " * ");
        put_operand(e, arr->dims[1], true);
        buf_puts(e->o, " + ");
        put_operand(e, idx[1], true);
    } else {
        put_operand(e, idx[0], false);
    }
    buf_putc(e->o, ']');
}

/* The number of elements of an array, as a size_t expression. */
static void put_count(Emit *e, IrVar *v)
{
    buf_puts(e->o, "gradc_count(");
    put_operand(e, v->dims[0], false);
    buf_puts(e->o, ", ");
    if (v->ndims == 2)
        put_operand(e, v->dims[1], false);
    else
        buf_puts(e->o, "1");
    buf_putc(e->o, ')');
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
        if (v->is_param || v->ndims > 0 || (e->framed && e->framed[v->id]))
            continue;
        line_start(e);
        buf_printf(e->o, "%s %s = %s;\n", c_type(v->type), var_name(e, v),
                   v->type == IT_REAL ? "0.0" : "0");
    }
}

static void put_op(Emit *e, Instr *in)
{
    static const char *const acc[] = {[ACC_SET] = "=", [ACC_ADD] = "+=", [ACC_SUB] = "-="};
    IrVar *v = in->dst;
    line_start(e);
    if (v->nullable)
        buf_printf(e->o, "if (%s) ", var_name(e, v));
    if (e->at_def[v->id] && e->first[v->id] == in && !(e->framed && e->framed[v->id]))
        buf_printf(e->o, "%s ", c_type(v->type));
    buf_printf(e->o, v->by_ref ? "*%s %s " : "%s %s ", vref(e, v), acc[in->acc]);
    put_rhs(e, in->op, in->args, in->nargs);
    buf_puts(e->o, ";\n");
}

static void put_if(Emit *e, Instr *in)
{
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
        if (only && only->kind == I_IF && !decls && !only->note) {
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

/* The memory a loop's array snapshots take (the PUSHAs that open its body),
 * as a formula of the sizes and bounds. */
static void put_snapshot_size(Emit *e, Instr *in)
{
    const IrBlock *b = in->body;
    if (b->instrs.len == 0 || ((Instr *)b->instrs.items[0])->kind != I_PUSHA ||
        ((Instr *)b->instrs.items[0])->per != 1)
        return;
    int k = 0;      /* with the tangents' copies, in f_hvp */
    while (k < b->instrs.len && ((Instr *)b->instrs.items[k])->kind == I_PUSHA)
        k++;
    line_start(e);
    buf_puts(e->o, "/* that is (");
    for (int j = 0; j < k; j++) {
        const IrVar *a = ((Instr *)b->instrs.items[j])->arr;
        if (j)
            buf_puts(e->o, " + ");
        for (int d = 0; d < a->ndims; d++) {
            if (d)
                buf_puts(e->o, " * ");
            put_operand(e, a->dims[d], true);
        }
    }
    buf_puts(e->o, ") * (");
    put_operand(e, in->hi, false);
    buf_puts(e->o, " - ");
    put_operand(e, in->lo, true);
    buf_puts(e->o, ") doubles on the tape */\n");
}

static void put_for(Emit *e, Instr *in)
{
    const char *i = var_name(e, in->ivar);
    put_snapshot_size(e, in);
    line_start(e);
    if (in->down) {
        buf_printf(e->o, "for (int %s = ", i);
        put_operand(e, in->hi, true);
        buf_printf(e->o, " - 1; %s >= ", i);
        put_operand(e, in->lo, true);
        buf_printf(e->o, "; %s--) {\n", i);
    } else {
        buf_printf(e->o, "for (int %s = ", i);
        put_operand(e, in->lo, false);
        buf_printf(e->o, "; %s < ", i);
        put_operand(e, in->hi, true);
        buf_printf(e->o, "; %s++) {\n", i);
    }
    e->level++;
    put_block(e, in->body);
    e->level--;
    line_start(e);
    buf_puts(e->o, "}\n");
}

static void put_call(Emit *e, Instr *in)
{
    line_start(e);
    if (in->dst) {
        if (e->at_def[in->dst->id] && e->first[in->dst->id] == in && !(e->framed && e->framed[in->dst->id]))
            buf_puts(e->o, "double ");
        buf_printf(e->o, "%s = ", vref(e, in->dst));
    }
    buf_printf(e->o, "%s(", in->callee->name);
    for (int i = 0; i < in->ncargs; i++) {
        if (i)
            buf_puts(e->o, ", ");
        put_operand(e, in->cargs[i], false);
    }
    if (!in->callee->exported)
        buf_printf(e->o, "%sgradc_t", in->ncargs ? ", " : "");
    buf_puts(e->o, ");\n");
}

/* The line the compiler is on in the .fn file now (0: in the C file). */
static int implied_line(Emit *e)
{
    if (e->fn_line == 0)
        return 0;
    for (size_t i = e->fn_pos; i < e->o->len; i++)
        e->fn_line += e->o->data[i] == '\n';
    e->fn_pos = e->o->len;
    return e->fn_line;
}

/* #line before a statement: the .fn line it comes from, or back to the C
 * file for code of gradc's own (fixed up in put_c_lines). */
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
        buf_puts(e->o, "#line @@\n");
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
        if (e->at_def[in->dst->id] && e->first[in->dst->id] == in && !(e->framed && e->framed[in->dst->id]))
            buf_puts(e->o, "double ");
        buf_printf(e->o, "%s = ", vref(e, in->dst));
        put_element(e, in->arr, in->idx);
        buf_puts(e->o, ";\n");
        break;
    case I_STORE: {
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
        put_operand(e, in->args[0], false);
        buf_puts(e->o, ";\n");
        break;
    case I_FILL:
        line_start(e);
        buf_printf(e->o, "gradc_fill(%s, ", vref(e, in->arr));
        put_count(e, in->arr);
        buf_puts(e->o, ");\n");
        break;
    case I_ACOPY:
        line_start(e);
        buf_printf(e->o, "gradc_copy(%s, %s, ", vref(e, in->arr), vref(e, in->args[0].var));
        put_count(e, in->arr);
        buf_puts(e->o, ");\n");
        break;
    case I_PUSH:
        line_start(e);
        buf_puts(e->o, "gradc_push(gradc_t, ");
        put_operand(e, in->args[0], false);
        buf_puts(e->o, ");\n");
        break;
    case I_POP:
        line_start(e);
        buf_printf(e->o, "%s = %sgradc_pop(gradc_t);\n", vref(e, in->dst),
                   in->dst->type == IT_REAL ? "" : "(int)");
        break;
    case I_PUSHA:
    case I_POPA:
        line_start(e);
        buf_printf(e->o, "gradc_%s(gradc_t, %s, ", in->kind == I_PUSHA ? "pusha" : "popa",
                   vref(e, in->arr));
        put_count(e, in->arr);
        buf_puts(e->o, ");\n");
        break;
    case I_RESERVE:
        line_start(e);
        buf_printf(e->o, "/* the reverse sweep needs %d value%s per iteration: %d * (", in->per,
                   in->per == 1 ? "" : "s", in->per);
        put_operand(e, in->hi, false);
        buf_puts(e->o, " - ");
        put_operand(e, in->lo, true);
        buf_puts(e->o, ") doubles on the tape */\n");
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

static bool is_local_array(const Emit *e, const IrVar *v)
{
    return v->ndims > 0 && !v->is_param && e->used[v->id];
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
    e->need_stdlib = true;
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
        bool framed = e->framed && e->framed[v->id];
        if (!v->alias) {
            buf_printf(e->o, framed ? "%s = gradc_next;\n" : "double *%s = gradc_next;\n", vref(e, v));
            line_start(e);
            buf_puts(e->o, "gradc_next += ");
            put_count(e, v);
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
        put_count(e, v);
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

static bool uses_tape(const IrBlock *b)
{
    for (int i = 0; i < b->instrs.len; i++) {
        const Instr *in = b->instrs.items[i];
        if (in->kind == I_PUSH || in->kind == I_POP || in->kind == I_PUSHA || in->kind == I_POPA ||
            in->kind == I_RESERVE || (in->kind == I_CALL && !in->callee->exported))
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
    buf_printf(e->o, "%s%s %s(", f->exported ? "" : "static ", f->returns ? "double" : "void", f->name);
    if (f->params.len == 0 && f->exported)
        buf_puts(e->o, "void");
    for (int i = 0; i < f->params.len; i++) {
        IrVar *p = f->params.items[i];
        if (i)
            buf_puts(e->o, ", ");
        if (p->ndims > 0)
            buf_printf(e->o, "%sdouble *%s", p->readonly ? "const " : "", p->cname);
        else if (p->by_ref)
            buf_printf(e->o, "double *%s", p->cname);
        else
            buf_printf(e->o, "%s %s", c_type(p->type), p->cname);
    }
    /* a helper saves on its caller's tape and reports failure there */
    if (!f->exported)
        buf_printf(e->o, "%sgradc_tape *gradc_t", f->params.len ? ", " : "");
    buf_putc(e->o, ')');
}

/* Parameters the body never reads (a constant function's inputs). */
static void put_unused_params(Emit *e, IrFunc *f)
{
    for (int i = 0; i < f->params.len; i++) {
        IrVar *p = f->params.items[i];
        bool used = false;
        /* a size is written only where its array is */
        for (int k = 0; k < f->vars.len && !used; k++) {
            IrVar *v = f->vars.items[k];
            for (int d = 0; d < v->ndims && e->used[v->id]; d++)
                used |= ir_is_var(v->dims[d], p);
        }
        used |= e->used[p->id];
        if (!used) {
            line_start(e);
            buf_printf(e->o, "(void)%s;\n", p->cname);
        }
    }
}

/* ---- splitting a huge function ---------------------------------------- */

/* A C compiler takes time superlinear in the size of one function. A
 * function of more than opt->split statements is split: its top-level
 * statements go, in order, into static parts of about part_size()
 * statements each, which the function calls one after the other. Values
 * that cross from one part to another, and the arrays, live in a frame (a
 * struct) the parts share. */
static int part_size(const Emit *e)
{
    int n = e->opt->split / 4;
    return n > 200 ? 200 : n < 1 ? 1 : n;
}

static int statements(const IrBlock *b)
{
    int n = 0;
    for (int i = 0; i < b->instrs.len; i++) {
        const Instr *in = b->instrs.items[i];
        n++;
        if (in->then)
            n += statements(in->then);
        if (in->els)
            n += statements(in->els);
        if (in->body)
            n += statements(in->body);
    }
    return n;
}

/* What a part does with the variables: mentions them (1), and writes them
 * (2). A framed variable a part mentions is copied from the frame when the
 * part starts, and back when it ends if the part writes it: inside, it is
 * a local, which a C compiler optimises far faster than memory. */
enum { MENTIONS = 1, WRITES = 2 };

typedef struct Uses {
    unsigned char *use;         /* by var id */
    int *ids;                   /* the variables used, as first met */
    int n;
} Uses;

static void use_var(Uses *u, IrVar *v, int how)
{
    if (!v || v->is_param)
        return;
    if (!u->use[v->id])
        u->ids[u->n++] = v->id;
    u->use[v->id] |= (unsigned char)how;
}

static void use_operands(Uses *u, const Operand *a, int n)
{
    for (int i = 0; i < n; i++) {
        if (a[i].kind == OK_VAR)
            use_var(u, a[i].var, MENTIONS);
        else if (a[i].kind == OK_REF)
            use_var(u, a[i].var, MENTIONS | WRITES);   /* may be written through */
    }
}

static void use_block(Emit *e, Uses *u, const IrBlock *b)
{
    for (int i = 0; i < b->instrs.len; i++) {
        const Instr *in = b->instrs.items[i];
        use_var(u, in->dst, MENTIONS | WRITES);
        use_var(u, in->arr, MENTIONS);
        use_operands(u, in->args, in->nargs);
        use_operands(u, in->idx, IR_MAX_DIMS);
        use_operands(u, &in->cond, 1);
        use_operands(u, &in->lo, 1);
        use_operands(u, &in->hi, 1);
        use_operands(u, in->cargs, in->ncargs);
        if (in->kind == I_ALLOC) {
            for (int k = 0; k < e->f->vars.len; k++) {
                IrVar *v = e->f->vars.items[k];
                if (is_local_array(e, v))
                    use_var(u, v, MENTIONS | WRITES);
            }
        }
        if (in->then)
            use_block(e, u, in->then);
        if (in->els)
            use_block(e, u, in->els);
        if (in->body)
            use_block(e, u, in->body);
    }
}

static int by_id(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static void put_frame_type(Emit *e, IrVar *v)
{
    if (v->ndims > 0)
        buf_printf(e->o, "%sdouble *", v->readonly ? "const " : "");
    else
        buf_printf(e->o, "%s ", c_type(v->type));
}

/* Loop indices are declared by their loops, in whichever part. */
static void unframe_loop_indices(bool *framed, const IrBlock *b)
{
    for (int i = 0; i < b->instrs.len; i++) {
        const Instr *in = b->instrs.items[i];
        if (in->kind == I_FOR)
            framed[in->ivar->id] = false;
        if (in->then)
            unframe_loop_indices(framed, in->then);
        if (in->els)
            unframe_loop_indices(framed, in->els);
        if (in->body)
            unframe_loop_indices(framed, in->body);
    }
}

static void put_part(Emit *e, IrFunc *f, const char *name, const PtrVec *instrs, const char *frame, Uses *u)
{
    buf_printf(e->o, "/* part of %s */\nstatic GRADC_NOINLINE void %s(", f->name, name);
    for (int i = 0; i < f->params.len; i++) {
        IrVar *p = f->params.items[i];
        if (p->ndims > 0)
            buf_printf(e->o, "%sdouble *%s, ", p->readonly ? "const " : "", p->cname);
        else if (p->by_ref)
            buf_printf(e->o, "double *%s, ", p->cname);
        else
            buf_printf(e->o, "%s %s, ", c_type(p->type), p->cname);
    }
    buf_printf(e->o, "struct %s *gradc_fr%s)\n{\n", frame, e->need_tape ? ", gradc_tape *gradc_t" : "");
    e->level = 1;
    for (int i = 0; i < f->params.len; i++) {
        line_start(e);
        buf_printf(e->o, "(void)%s;\n", ((IrVar *)f->params.items[i])->cname);
    }
    if (e->need_tape) {
        line_start(e);
        buf_puts(e->o, "(void)gradc_t;\n");
    }
    IrBlock all = {.instrs = *instrs};
    use_block(e, u, &all);
    qsort(u->ids, (size_t)u->n, sizeof *u->ids, by_id);
    bool any = false;
    for (int k = 0; k < u->n; k++) {
        int i = u->ids[k];
        IrVar *v = f->vars.items[i];
        if (!e->framed[i])
            continue;
        line_start(e);
        put_frame_type(e, v);
        buf_printf(e->o, "%s = gradc_fr->%s;\n", var_name(e, v), var_name(e, v));
        any = true;
    }
    if (!any) {
        line_start(e);
        buf_puts(e->o, "(void)gradc_fr;\n");
    }
    e->in_part = true;
    e->last_line = 0;
    for (int i = 0; i < instrs->len; i++)
        put_instr(e, instrs->items[i]);
    e->in_part = false;
    put_line_directive(e, (Span){0});
    for (int k = 0; k < u->n; k++) {
        int i = u->ids[k];
        IrVar *v = f->vars.items[i];
        if (e->framed[i] && (u->use[i] & WRITES)) {
            line_start(e);
            buf_printf(e->o, "gradc_fr->%s = %s;\n", var_name(e, v), var_name(e, v));
        }
        u->use[i] = 0;
    }
    u->n = 0;
    buf_puts(e->o, "}\n\n");
}

static void put_part_call(Emit *e, IrFunc *f, const char *name)
{
    line_start(e);
    buf_printf(e->o, "%s(", name);
    for (int i = 0; i < f->params.len; i++)
        buf_printf(e->o, "%s, ", ((IrVar *)f->params.items[i])->cname);
    buf_puts(e->o, e->need_tape ? "gradc_fr, gradc_t);\n" : "gradc_fr);\n");
}

static void put_split(Emit *e, IrFunc *f)
{
    IrBlock *b = f->body;
    int n = b->instrs.len, first = 0, end = n;
    if (n && ((Instr *)b->instrs.items[0])->kind == I_ALLOC)
        first = 1;
    Instr *last = n ? b->instrs.items[n - 1] : NULL;
    if (last && last->kind == I_RETURN)
        end = n - 1;
    int rev = reverse_start(b, end);
    e->split_any = true;
    /* the parts, cut every part_size() statements and where the reverse sweep starts */
    int *part_of = ARENA_ARRAY(e->cx->arena, int, n + 1);
    int parts = 0, size = part_size(e);
    for (int i = first; i < end; i++) {
        if (size >= part_size(e) || i == rev) {
            parts++;
            size = 0;
        }
        part_of[i] = parts;
        const Instr *in = b->instrs.items[i];
        size += 1 + (in->then ? statements(in->then) : 0) + (in->els ? statements(in->els) : 0) +
                (in->body ? statements(in->body) : 0);
    }
    PtrVec *runs = ARENA_ARRAY(e->cx->arena, PtrVec, parts + 1);
    for (int i = first; i < end; i++)
        vec_push(e->cx->arena, &runs[part_of[i]], b->instrs.items[i]);
    /* a variable that two parts mention goes into the frame */
    int nv = f->vars.len;
    int *part = ARENA_ARRAY(e->cx->arena, int, nv + 1);
    e->framed = ARENA_ARRAY(e->cx->arena, bool, nv + 1);
    Uses uses = {ARENA_ARRAY(e->cx->arena, unsigned char, nv + 1), ARENA_ARRAY(e->cx->arena, int, nv + 1), 0};
    for (int p = 1; p <= parts; p++) {
        use_block(e, &uses, &(IrBlock){.instrs = runs[p]});
        for (int k = 0; k < uses.n; k++) {
            int id = uses.ids[k];
            if (part[id] && part[id] != p)
                e->framed[id] = true;
            part[id] = p;
            uses.use[id] = 0;
        }
        uses.n = 0;
    }
    unframe_loop_indices(e->framed, b);
    for (int i = 0; i < nv; i++) {
        IrVar *v = f->vars.items[i];
        if (v->ndims > 0 && !v->is_param)
            e->framed[i] = true;                /* arrays are allocated here */
    }
    if (last && last->kind == I_RETURN && last->args[0].kind == OK_VAR && !last->args[0].var->is_param)
        e->framed[last->args[0].var->id] = true;
    for (int i = 0; i < nv; i++) {
        IrVar *v = f->vars.items[i];
        for (int k = 0; e->alloc && v->ndims > 0 && !v->is_param && k < v->ndims; k++)
            if (v->dims[k].kind == OK_VAR && !v->dims[k].var->is_param)
                e->framed[v->dims[k].var->id] = true;
    }
    /* the frame */
    const char *frame = scope_take(&e->global, arena_printf(e->cx->arena, "%s__frame", f->name));
    buf_printf(e->o, "/* what the parts of %s share */\nstruct %s {\n", f->name, frame);
    int fields = 0;
    for (int i = 0; i < nv; i++) {
        IrVar *v = f->vars.items[i];
        if (!e->framed[i] || v->is_param)
            continue;
        fields++;
        buf_puts(e->o, "    ");
        put_frame_type(e, v);
        buf_printf(e->o, "%s;\n", var_name(e, v));
    }
    if (!fields)
        buf_puts(e->o, "    int unused;\n");
    buf_puts(e->o, "};\n\n");
    /* the parts */
    const char **names = ARENA_ARRAY(e->cx->arena, const char *, parts + 1);
    for (int p = 1; p <= parts; p++) {
        names[p] = scope_take(&e->global, arena_printf(e->cx->arena, "%s__part%d", f->name, p));
        put_part(e, f, names[p], &runs[p], frame, &uses);
    }
    /* the function: the frame, the memory, the parts in order */
    e->level = 0;
    put_signature(e, f);
    buf_puts(e->o, "\n{\n");
    e->level = 1;
    put_unused_params(e, f);
    line_start(e);
    buf_printf(e->o, "struct %s gradc_frame_ = {0}, *gradc_fr = &gradc_frame_;\n", frame);
    if (e->need_tape && f->exported) {
        e->need_stdlib = true;
        line_start(e);
        buf_puts(e->o, "gradc_tape gradc_tape_ = {NULL, 0, 0, 0}, *gradc_t = &gradc_tape_;\n");
    }
    if (first)
        put_instr(e, b->instrs.items[0]);
    for (int p = 1; p <= parts; p++) {
        /* the reverse sweep runs only if no memory ran out before it */
        if (e->need_tape && f->exported && rev < end && p >= part_of[rev]) {
            line_start(e);
            buf_puts(e->o, "if (!gradc_t->failed)\n");
            e->level++;
            put_part_call(e, f, names[p]);
            e->level--;
        } else {
            put_part_call(e, f, names[p]);
        }
    }
    put_ending(e, b, end);
    put_line_directive(e, (Span){0});
    buf_puts(e->o, "}\n");
    e->framed = NULL;
}

static void put_func(Emit *e, IrFunc *f)
{
    e->f = f;
    name_params(e, f);
    place_declarations(e, f);
    e->level = 0;
    e->last_line = 0;
    e->stmts = 0;
    e->need_tape = uses_tape(f->body) || !f->exported;
    buf_free(&e->fail_all);
    buf_free(&e->fail_grads);
    e->level = 1;
    put_fail(e, &e->fail_all, true, true, true);
    put_fail(e, &e->fail_grads, false, true, false);
    e->level = 0;
    if (e->opt->split > 0 && statements(f->body) > e->opt->split) {
        put_split(e, f);
        return;
    }
    put_signature(e, f);
    buf_puts(e->o, "\n{\n");
    e->level = 1;
    put_unused_params(e, f);
    if (!f->exported && !uses_tape(f->body) && !allocates(e)) {
        line_start(e);
        buf_puts(e->o, "(void)gradc_t;\n");
    }
    if (e->need_tape && f->exported) {
        e->need_stdlib = true;
        line_start(e);
        buf_puts(e->o, "gradc_tape gradc_tape_ = {NULL, 0, 0, 0}, *gradc_t = &gradc_tape_;\n");
    }
    put_body(e, f->body);
    put_line_directive(e, (Span){0});
    buf_puts(e->o, "}\n");
}

/* ---- support code ----------------------------------------------------- */

/* What generated code may need, in the order written; a piece is written
 * when the functions use it (found by name in their text), with the pieces
 * it needs. */
typedef struct Support {
    const char *name;           /* as called: "gradc_dabs(" */
    const char *needs;          /* names of other pieces, space-separated */
    const char *code;
} Support;

static const Support support[] = {
    {"gradc_dabs(", "",
     "/* |x|: the adjoint d passes with the sign of x; at 0, nothing */\n"
     "static double gradc_dabs(double x, double d)\n"
     "{\n"
     "    return x > 0 ? d : x < 0 ? -d : 0.0;\n"
     "}\n"
    },
    {"gradc_dmin(", "",
     "/* fmin(a, b): the share of the adjoint d that goes to a (half at a tie) */\n"
     "static double gradc_dmin(double a, double b, double d)\n"
     "{\n"
     "    return a < b || b != b ? d : a == b ? 0.5 * d : 0.0;\n"
     "}\n"
    },
    {"gradc_dmax(", "",
     "/* fmax(a, b): the share of the adjoint d that goes to a (half at a tie) */\n"
     "static double gradc_dmax(double a, double b, double d)\n"
     "{\n"
     "    return a > b || b != b ? d : a == b ? 0.5 * d : 0.0;\n"
     "}\n"
    },
    {"gradc_dpowx(", "",
     "/* pow(a, b), d/da: b a^(b-1), and 0 for b = 0 */\n"
     "static double gradc_dpowx(double a, double b, double d)\n"
     "{\n"
     "    return b == 0.0 ? 0.0 : d * b * pow(a, b - 1.0);\n"
     "}\n"
    },
    {"gradc_dpowy(", "",
     "/* t = pow(a, b), d/db: t log(a), and 0 for a = 0 */\n"
     "static double gradc_dpowy(double a, double t, double d)\n"
     "{\n"
     "    return a == 0.0 ? 0.0 : d * t * log(a);\n"
     "}\n"
    },
    {"gradc_dhypot(", "",
     "/* t = hypot(a, b), d/da: a / t, and 0 at the origin */\n"
     "static double gradc_dhypot(double a, double t, double d)\n"
     "{\n"
     "    return t == 0.0 ? 0.0 : d * (a / t);\n"
     "}\n"
    },
    {"gradc_dpowi(", "",
     "/* a^k for an int k, d/da: k a^(k-1), and 0 for k = 0 */\n"
     "static double gradc_dpowi(double a, int k, double d)\n"
     "{\n"
     "    return k == 0 ? 0.0 : d * k * pow(a, (double)(k - 1));\n"
     "}\n"
    },
    {"gradc_dom(", "",
     "/* outside a function's domain (its value is NaN), so is its derivative */\n"
     "static double gradc_dom(double value, double d)\n"
     "{\n"
     "    return value != value ? value : d;\n"
     "}\n"
    },
    {"gradc_count(", "",
     "/* The number of elements of an array: a negative size or an overflow\n"
     "   gives SIZE_MAX, which no allocation satisfies and no loop runs to. */\n"
     "static size_t gradc_count(int a, int b)\n"
     "{\n"
     "    if (a < 0 || b < 0 || (b > 0 && (size_t)a > SIZE_MAX / (size_t)b))\n"
     "        return SIZE_MAX;\n"
     "    return (size_t)a * (size_t)b;\n"
     "}\n"
    },
    {"gradc_sum(", "",
     "static size_t gradc_sum(size_t a, size_t b)\n"
     "{\n"
     "    return a > SIZE_MAX - b ? SIZE_MAX : a + b;\n"
     "}\n"
    },
    {"gradc_alloc(", "",
     "/* zeroed memory for n doubles; `none` stands in when n is 0 */\n"
     "static double *gradc_alloc(size_t n, double *none)\n"
     "{\n"
     "    if (n == 0)\n"
     "        return none;\n"
     "    if (n > SIZE_MAX / sizeof(double))\n"
     "        return NULL;\n"
     "    return calloc(n, sizeof(double));\n"
     "}\n"},
    {"gradc_fill(", "",
     "static void gradc_fill(double *a, size_t n)\n"
     "{\n"
     "    for (size_t i = 0; n != SIZE_MAX && i < n; i++)\n"
     "        a[i] = 0.0;\n"
     "}\n"
    },
    {"gradc_fill_nan(", "",
     "static void gradc_fill_nan(double *a, size_t n)\n"
     "{\n"
     "    for (size_t i = 0; n != SIZE_MAX && i < n; i++)\n"
     "        a[i] = NAN;\n"
     "}\n"
    },
    {"gradc_copy(", "",
     "/* a NULL source counts as zeros */\n"
     "static void gradc_copy(double *a, const double *b, size_t n)\n"
     "{\n"
     "    for (size_t i = 0; n != SIZE_MAX && i < n; i++)\n"
     "        a[i] = b ? b[i] : 0.0;\n"
     "}\n"
    },
    {"gradc_tape ", "",
     "/* The tape: values that the forward sweep overwrites and the reverse\n"
     "   sweep needs, last in, first out. It grows as needed; if memory runs\n"
     "   out it stops saving and the gradient comes out as NaN. */\n"
     "typedef struct gradc_tape {\n"
     "    double *data;\n"
     "    size_t len, cap;\n"
     "    int failed;\n"
     "} gradc_tape;\n"
    },
    {"gradc_room(", "gradc_tape ",
     "static int gradc_room(gradc_tape *t, size_t n)\n"
     "{\n"
     "    if (t->failed)\n"
     "        return 0;\n"
     "    if (n <= t->cap - t->len)\n"
     "        return 1;\n"
     "    size_t cap = t->cap ? t->cap : 64;\n"
     "    while (cap - t->len < n) {\n"
     "        if (cap > SIZE_MAX / 2 / sizeof(double)) {\n"
     "            t->failed = 1;\n"
     "            return 0;\n"
     "        }\n"
     "        cap *= 2;\n"
     "    }\n"
     "    double *data = realloc(t->data, cap * sizeof(double));\n"
     "    if (!data) {\n"
     "        t->failed = 1;\n"
     "        return 0;\n"
     "    }\n"
     "    t->data = data;\n"
     "    t->cap = cap;\n"
     "    return 1;\n"
     "}\n"
    },
    {"gradc_reserve(", "gradc_room(",
     "/* room for `per` values in each iteration of lo..hi */\n"
     "static void gradc_reserve(gradc_tape *t, int lo, int hi, size_t per)\n"
     "{\n"
     "    size_t n = hi > lo ? (size_t)((long long)hi - lo) : 0;\n"
     "    gradc_room(t, n > SIZE_MAX / per ? SIZE_MAX : n * per);\n"
     "}\n"
    },
    {"gradc_push(", "gradc_room(",
     "static void gradc_push(gradc_tape *t, double x)\n"
     "{\n"
     "    if (t->len < t->cap || gradc_room(t, 1))\n"
     "        t->data[t->len++] = x;\n"
     "}\n"
    },
    {"gradc_pop(", "gradc_tape ",
     "static double gradc_pop(gradc_tape *t)\n"
     "{\n"
     "    return t->len ? t->data[--t->len] : 0.0;\n"
     "}\n"
    },
    {"gradc_pusha(", "gradc_room(",
     "static void gradc_pusha(gradc_tape *t, const double *a, size_t n)\n"
     "{\n"
     "    if (n != SIZE_MAX && gradc_room(t, n))\n"
     "        for (size_t i = 0; i < n; i++)\n"
     "            t->data[t->len++] = a[i];\n"
     "}\n"
    },
    {"gradc_popa(", "gradc_tape ",
     "static void gradc_popa(gradc_tape *t, double *a, size_t n)\n"
     "{\n"
     "    if (n == SIZE_MAX || n > t->len) {\n"
     "        t->failed = 1;\n"
     "        return;\n"
     "    }\n"
     "    t->len -= n;\n"
     "    for (size_t i = 0; i < n; i++)\n"
     "        a[i] = t->data[t->len + i];\n"
     "}\n"
    },
};

enum { NSUPPORT = sizeof support / sizeof support[0] };

static void mark_support(bool *used, const char *name)
{
    for (int k = 0; k < NSUPPORT; k++) {
        if (strcmp(support[k].name, name) != 0 || used[k])
            continue;
        used[k] = true;
        const char *p = support[k].needs;
        while (*p) {
            const char *space = strchr(p, ' ');
            const char *end = space ? space + 1 : p + strlen(p);
            char dep[64];
            snprintf(dep, sizeof dep, "%.*s", (int)(end - p), p);
            mark_support(used, dep);
            p = end;
        }
    }
}

/* The pieces of support code the text calls, with their dependencies. */
static void put_support(Buf *out, const Buf *text)
{
    bool used[NSUPPORT] = {false};
    /* one pass over the text, however many pieces there are */
    for (const char *p = text->data; p && (p = strstr(p, "gradc_")) != NULL; p++)
        for (int k = 0; k < NSUPPORT; k++)
            if (!used[k] && strncmp(p, support[k].name, strlen(support[k].name)) == 0)
                mark_support(used, support[k].name);
    for (int k = 0; k < NSUPPORT; k++)
        if (used[k])
            buf_printf(out, "\n%s", support[k].code);
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

/* "#line @@" means "back to this file, on the next line": now that the
 * whole text is known, write the numbers in. */
static void put_c_lines(Buf *out, const Buf *text, const char *c_name)
{
    int line = 1;
    const char *p = text->data ? text->data : "";
    const char *end = p + text->len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
        if (n == 9 && memcmp(p, "#line @@\n", 9) == 0)
            buf_printf(out, "#line %d \"%s\"\n", line + 1, c_name);
        else
            buf_putn(out, p, n);
        line++;
        p += n;
    }
}

void emit_c(Cx *cx, const EmitOptions *opt, Buf *final)
{
    Buf whole;
    buf_init(&whole);
    Buf *out = &whole;
    Buf body;
    buf_init(&body);
    Emit e = {0};
    e.cx = cx;
    e.opt = opt;
    e.o = &body;
    name_functions(&e);
    PtrVec *funcs = &cx->ir->funcs;
    for (int i = 0; i < funcs->len; i++) {
        if (i)
            buf_putc(&body, '\n');
        put_func(&e, funcs->items[i]);
    }

    put_banner(out, opt);
    buf_printf(out, "#include \"%s\"\n\n#include <math.h>\n", base_name(opt->header_name));
    if (e.need_stdlib || (body.data && strstr(body.data, "gradc_count(")))
        buf_puts(out, "#include <stdint.h>\n");
    if (e.need_stdlib)
        buf_puts(out, "#include <stdlib.h>\n");
    if (e.split_any)    /* a compiler that inlined the parts would undo the split */
        buf_puts(out, "\n#if defined(__GNUC__)\n#define GRADC_NOINLINE __attribute__((noinline))\n"
                      "#else\n#define GRADC_NOINLINE\n#endif\n");
    put_support(out, &body);
    bool protos = false;
    for (int i = 0; i < funcs->len; i++) {
        IrFunc *f = funcs->items[i];
        if (f->exported)
            continue;
        if (!protos)
            buf_putc(out, '\n');
        protos = true;
        e.o = out;
        put_signature(&e, f);
        buf_puts(out, ";\n");
    }
    buf_putc(out, '\n');
    buf_putn(out, body.data, body.len);
    buf_free(&body);
    buf_free(&e.fail_all);
    buf_free(&e.fail_grads);
    put_c_lines(final, &whole, base_name(opt->c_name));
    buf_free(&whole);
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
        buf_printf(o, "/* %s, defined at %s:%d: %s */\n", f->name, base_name(e->opt->source_name),
                   f->nline, f->returns ? "the value" : "writes the outputs");
        return;
    }
    if (f->role == ROLE_JVP) {
        buf_printf(o, "/* %s of %s, and %s along the direction given by the tangents\n"
                      "   (a NULL tangent array counts as zeros; a NULL output is skipped). */\n",
                   p->returns ? "The value" : "Writes the outputs", p->name,
                   p->returns ? "into *df its derivative" : "into the d... arrays their derivatives");
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
        if (!f->exported)
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
