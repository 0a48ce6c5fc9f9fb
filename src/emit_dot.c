/* --emit=dot: the computational graph in Graphviz form, one node per
 * elementary operation of the primal IR and one per input, edges from
 * operands to results. At a point (--eval), each node also shows its
 * forward value and its adjoint (d result / d node), read from runs of the
 * function and of its gradient: the figures of a back-propagation
 * walkthrough. Inside loops a node shows the values of the last iteration. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit.h"
#include "gradc.h"
#include "ir.h"

typedef struct Dot {
    Buf *o;
    const IrFunc *f;
    const double *value;        /* by primal var id, or NULL */
    const bool *ran;            /* by primal var id: its code ran */
    const double *adjoint;
    const bool *has_adjoint;
    const char *prefix;         /* node names: function-unique */
    int *temp;                  /* by var id: t-number of a temporary */
    int *ndefs;                 /* by var id: instructions defining it */
    bool *joined;               /* by var id: its junction node is written */
    int ntemps, nconst;
} Dot;

static void put_num(Buf *o, double x)
{
    char num[40];
    ir_fmt_real(num, sizeof num, x);
    size_t n = strlen(num);
    if (n > 2 && strcmp(num + n - 2, ".0") == 0)
        num[n - 2] = '\0';
    buf_puts(o, num);
}

static void put_name(Dot *d, const IrVar *v)
{
    if (v->name)
        buf_puts(d->o, v->name);
    else {
        if (!d->temp[v->id])
            d->temp[v->id] = ++d->ntemps;
        buf_printf(d->o, "t%d", d->temp[v->id]);
    }
}

static const char *op_symbol(Opcode op)
{
    switch (op) {
    case OP_COPY: return "copy";
    case OP_SELECT: return "?:";
    case OP_POWI: return "^";
    case OP_ITOR: return "real";
    default:
        /* a built-in the runtime provides by the name the program uses */
        if (ir_ops[op].form == HELPER && ir_ops[op].builtin)
            return ir_ops[op].builtin;
        return ir_ops[op].cname;
    }
}

static void put_values(Dot *d, const IrVar *v)
{
    if (!d->value || v->ndims)
        return;
    if (!d->ran[v->id]) {
        buf_puts(d->o, "\\n(not run)");
        return;
    }
    buf_puts(d->o, "\\nvalue ");
    put_num(d->o, d->value[v->id]);
    if (d->has_adjoint && d->has_adjoint[v->id]) {
        buf_puts(d->o, "\\nadjoint ");
        put_num(d->o, d->adjoint[v->id]);
    }
}

/* An edge from operand a to node `to`; a constant gets a small node of its own. */
static void put_edge(Dot *d, Operand a, const char *to)
{
    if (a.kind == OK_VAR) {
        buf_printf(d->o, "    %s_v%d -> %s;\n", d->prefix, a.var->id, to);
    } else if (a.kind == OK_REAL || a.kind == OK_INT) {
        buf_printf(d->o, "    %s_c%d [label=\"", d->prefix, ++d->nconst);
        put_num(d->o, a.kind == OK_REAL ? a.real : a.ival);
        buf_printf(d->o, "\", shape=plaintext];\n    %s_c%d -> %s;\n", d->prefix, d->nconst, to);
    }
}

static void put_block(Dot *d, const IrBlock *b);

static void put_node(Dot *d, const Instr *in)
{
    const IrVar *v = in->kind == I_STORE ? in->arr : in->dst;
    if (!v || (v->type != IT_REAL && in->kind != I_STORE))
        return;
    /* a value defined once is its operation's node; one defined in several
     * places (an if, a loop) gets a junction the definitions lead to */
    bool single = d->ndefs[v->id] == 1;
    char node[64];
    if (single)
        snprintf(node, sizeof node, "%s_v%d", d->prefix, v->id);
    else
        snprintf(node, sizeof node, "%s_i%d", d->prefix, in->seq);
    buf_printf(d->o, "    %s [label=\"", node);
    put_name(d, v);
    switch (in->kind) {
    case I_OP:
        buf_printf(d->o, " = %s", op_symbol(in->op));
        break;
    case I_LOAD:
        buf_puts(d->o, " = load ");
        put_name(d, in->arr);
        break;
    case I_STORE:
        buf_puts(d->o, "[...] = store");
        break;
    case I_CALL:
        buf_printf(d->o, " = %s()", in->callee->name);
        break;
    default:
        break;
    }
    if (in->kind != I_STORE)
        put_values(d, v);
    buf_puts(d->o, "\"];\n");
    for (int k = 0; k < in->nargs; k++)
        put_edge(d, in->args[k], node);
    for (int k = 0; in->kind == I_CALL && k < in->ncargs; k++)
        put_edge(d, in->cargs[k], node);
    if (in->kind == I_LOAD)
        buf_printf(d->o, "    %s_v%d -> %s [style=dashed];\n", d->prefix, in->arr->id, node);
    if (single)
        return;
    if (!d->joined[v->id]) {
        d->joined[v->id] = true;
        buf_printf(d->o, "    %s_v%d [shape=circle, width=0.25, label=\"", d->prefix, v->id);
        put_name(d, v);
        buf_puts(d->o, "\"];\n");
    }
    buf_printf(d->o, "    %s -> %s_v%d;\n", node, d->prefix, v->id);
}

static void put_block(Dot *d, const IrBlock *b)
{
    for (int i = 0; i < b->instrs.len; i++) {
        const Instr *in = b->instrs.items[i];
        if (in->kind == I_OP || in->kind == I_LOAD || in->kind == I_CALL || in->kind == I_STORE)
            put_node(d, in);
        if (in->then)
            put_block(d, in->then);
        if (in->els)
            put_block(d, in->els);
        if (in->body)
            put_block(d, in->body);
    }
}

static void number(const IrBlock *b, int *seq, int *ndefs)
{
    for (int i = 0; i < b->instrs.len; i++) {
        Instr *in = b->instrs.items[i];
        in->seq = ++*seq;
        if (in->kind == I_STORE)
            ndefs[in->arr->id]++;
        else if (in->dst)
            ndefs[in->dst->id]++;
        if (in->then)
            number(in->then, seq, ndefs);
        if (in->els)
            number(in->els, seq, ndefs);
        if (in->body)
            number(in->body, seq, ndefs);
    }
}

static void put_function(Buf *o, const IrFunc *f, const double *value, const bool *ran,
                         const double *adjoint, const bool *has_adjoint, bool cluster)
{
    Dot d = {o, f, value, ran, adjoint, has_adjoint, f->name, NULL, NULL, NULL, 0, 0};
    size_t n = (size_t)f->vars.len + 1;
    d.temp = xmalloc(sizeof(int) * n);
    d.ndefs = xmalloc(sizeof(int) * n);
    d.joined = xmalloc(sizeof(bool) * n);
    memset(d.temp, 0, sizeof(int) * n);
    memset(d.ndefs, 0, sizeof(int) * n);
    memset(d.joined, 0, sizeof(bool) * n);
    int seq = 0;
    number(f->body, &seq, d.ndefs);
    for (int i = 0; i < f->params.len; i++)
        d.ndefs[((IrVar *)f->params.items[i])->id] = 1;
    if (cluster)
        buf_printf(o, "  subgraph cluster_%s {\n    label=\"%s\";\n", f->name, f->name);
    for (int i = 0; i < f->params.len; i++) {
        const IrVar *p = f->params.items[i];
        buf_printf(o, "    %s_v%d [shape=ellipse, label=\"%s%s", f->name, p->id,
                   p->type == IT_INT ? "int " : p->is_out ? "out " : "", p->name);
        put_values(&d, p);
        buf_puts(o, "\"];\n");
    }
    put_block(&d, f->body);
    if (cluster)
        buf_puts(o, "  }\n");
    free(d.temp);
    free(d.ndefs);
    free(d.joined);
}

void emit_dot(Cx *cx, const IrFunc *only, const double *value, const bool *ran,
              const double *adjoint, const bool *has_adjoint, Buf *out)
{
    buf_printf(out, "digraph \"%s\" {\n    rankdir=BT;\n    node [shape=box, fontname=\"Helvetica\"];\n",
               only ? only->name : "gradc");
    for (int i = 0; i < cx->ir->funcs.len; i++) {
        const IrFunc *f = cx->ir->funcs.items[i];
        if (f->role != ROLE_PRIMAL || (only && f != only))
            continue;
        put_function(out, f, f == only ? value : NULL, ran, adjoint, has_adjoint, !only);
    }
    buf_puts(out, "}\n");
}
