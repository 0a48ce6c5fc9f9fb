/* Splitting huge functions (--split): a C compiler takes time superlinear
 * in the size of one function, so a function of more than `limit`
 * statements has its top-level statements moved, in order, into static
 * parts of about limit/4 statements each (at most 200), which it calls one
 * after the other. A cut also falls where the reverse sweep starts, so that
 * the reverse sweep runs only if the forward sweep could save everything.
 *
 * The function keeps what comes before its allocation (the sizes), the
 * allocation and the return. Values that cross from one part to another,
 * the arrays (allocated by the function) and the returned value live in a
 * frame that the parts share (IrVar.framed); in a part, each is a local
 * copy (IrVar.field) read from the frame when the part starts and written
 * back when it ends if the part wrote it, so that the C compiler sees
 * locals, which it optimises far faster than memory. */
#include "split.h"

#include <string.h>

#include "gradc.h"
#include "ir.h"

enum { PART_MAX = 200 };

typedef struct Split {
    Cx *cx;
    IrFunc *f;
    int *part_of;               /* by var id: the one part mentioning it, SEVERAL, UNSEEN */
    bool *loop_index;           /* by var id */
    IrVar **map;                /* by var id: its copy in the part being made, */
    int *made_in;               /* if made for that part (the part's number) */
    bool *moved;                /* by var id: moved to the one part mentioning it */
    IrFunc *g;                  /* the part being made */
    int number;                 /* its number, from 1 */
} Split;

static int part_size(int limit)
{
    int n = limit / 4;
    return n > PART_MAX ? PART_MAX : n < 1 ? 1 : n;
}

/* ---- which part mentions what ----------------------------------------- */

enum { UNSEEN = -2, SEVERAL = -1 };

/* v is mentioned by part `part` (0 stands for the function itself), and
 * so are the sizes of an array. */
static void mention(Split *s, IrVar *v, int part)
{
    if (!v || v->is_param)
        return;
    int *p = &s->part_of[v->id];
    *p = *p == UNSEEN || *p == part ? part : SEVERAL;
    for (int k = 0; k < v->ndims; k++)
        if (v->dims[k].kind == OK_VAR)
            mention(s, v->dims[k].var, part);
}

static void mention_instr(Split *s, const Instr *in, int part)
{
    if (in->kind == I_FOR)
        s->loop_index[in->ivar->id] = true;
    mention(s, in->dst, part);
    mention(s, in->arr, part);
    const Operand *a;
    for (IrSlots sl = ir_slots(in); (a = ir_slot_next(&sl)) != NULL;)
        if (a->kind == OK_VAR || a->kind == OK_REF)
            mention(s, a->var, part);
    if (in->kind == I_ACOPY && in->args[0].kind == OK_VAR)
        mention(s, in->args[0].var, part);
    const IrBlock *sub[3] = {in->then, in->els, in->body};
    for (int k = 0; k < 3; k++)
        for (int i = 0; sub[k] && i < sub[k]->instrs.len; i++)
            mention_instr(s, sub[k]->instrs.items[i], part);
}

/* ---- the parts -------------------------------------------------------- */

static Operand map_operand(void *data, Operand a)
{
    Split *s = data;
    IrVar *v = a.var;
    if (s->made_in[v->id] != s->number) {
        s->made_in[v->id] = s->number;
        IrVar *c = v;
        if (s->part_of[v->id] == s->number && v->ndims == 0) {
            /* a scalar of this part alone moves to it (renumbered later) */
            vec_push(s->cx->arena, &s->g->vars, v);
            s->moved[v->id] = true;
        } else {
            c = ir_var(s->cx, s->g, v->name, v->type);
            *c = *v;
            c->id = s->g->vars.len - 1;
            c->framed = false;
            c->field = v->framed ? v : NULL;
            c->cname = NULL;
            ir_set_shape(s->cx, c, v->ndims);
            for (int k = 0; k < v->ndims; k++)
                c->dims[k] = v->dims[k];
        }
        s->map[v->id] = c;
        for (int k = 0; k < c->ndims; k++)
            if (c->dims[k].kind == OK_VAR)
                c->dims[k] = map_operand(s, c->dims[k]);
        IrVar **links[] = {&c->adj_of, &c->grad_of, &c->seed_of, &c->tan_of, &c->alias};
        for (size_t k = 0; k < sizeof links / sizeof *links; k++)
            if (*links[k] && (*links[k])->is_param)
                *links[k] = map_operand(s, ir_v(*links[k])).var;
    }
    a.var = s->map[v->id];
    return a;
}

/* Variables are numbered by their place in their function's list: the
 * function loses those that moved to a part. */
static void renumber(IrFunc *f, const bool *moved)
{
    int w = 0;
    for (int i = 0; i < f->vars.len; i++) {
        IrVar *v = f->vars.items[i];
        if (moved && moved[i])
            continue;
        v->id = w;
        f->vars.items[w++] = v;
    }
    f->vars.len = w;
}

/* A part's copy of a framed scalar that it assigns goes back to the frame. */
static void note_writes(const IrBlock *b)
{
    for (int i = 0; i < b->instrs.len; i++) {
        const Instr *in = b->instrs.items[i];
        if (in->dst && in->dst->field && in->kind != I_FOR)
            in->dst->writes_field = true;
        for (int k = 0; in->kind == I_CALL && k < in->ncargs; k++)
            if (in->cargs[k].kind == OK_REF && in->cargs[k].var->field)
                in->cargs[k].var->writes_field = true;
        const IrBlock *sub[3] = {in->then, in->els, in->body};
        for (int k = 0; k < 3; k++)
            if (sub[k])
                note_writes(sub[k]);
    }
}

static IrFunc *make_part(Split *s, const PtrVec *run, int number)
{
    IrFunc *f = s->f;
    IrFunc *g = ir_func(s->cx, arena_printf(s->cx->arena, "%s__part%d", f->name, number), ROLE_PART);
    g->src = f->src;
    g->primal = f->primal;
    g->nline = f->nline;
    g->frame_of = f;
    s->g = g;
    s->number = number;
    for (int i = 0; i < f->params.len; i++) {
        Operand p = map_operand(s, ir_v(f->params.items[i]));
        vec_push(s->cx->arena, &g->params, p.var);
    }
    /* the instructions move: the function keeps only its calls of the parts */
    for (int i = 0; i < run->len; i++) {
        ir_remap_instr(run->items[i], map_operand, s);
        ir_append(s->cx, g->body, run->items[i]);
    }
    note_writes(g->body);
    return g;
}

/* The function's call of a part: its parameters, scalars written through
 * a pointer passed on as that pointer. */
static Instr *call_part(Split *s, IrFunc *g, Span at)
{
    IrFunc *f = s->f;
    Instr *call = ir_instr(s->cx, I_CALL, at);
    call->callee = g;
    call->ncargs = f->params.len;
    call->cargs = ARENA_ARRAY(s->cx->arena, Operand, f->params.len + 1);
    for (int i = 0; i < f->params.len; i++) {
        IrVar *p = f->params.items[i];
        call->cargs[i] = p->by_ref ? ir_ref(p) : ir_v(p);
    }
    return call;
}

/* ---- one function ----------------------------------------------------- */

/* Where the part after the function's own prologue starts: past the
 * allocation, if there is one at the top. */
static int prologue_end(const IrBlock *b)
{
    for (int i = 0; i < b->instrs.len; i++)
        if (((Instr *)b->instrs.items[i])->kind == I_ALLOC)
            return i + 1;
    return 0;
}

static bool starts_reverse(const Instr *in)
{
    return in->note && strcmp(in->note, "reverse sweep") == 0;
}

static void split_func(Cx *cx, IrFunc *f, int limit, PtrVec *made)
{
    IrBlock *b = f->body;
    int n = b->instrs.len, first = prologue_end(b), end = n;
    if (end > first && ((Instr *)b->instrs.items[end - 1])->kind == I_RETURN)
        end--;
    if (end - first < 2)
        return;
    Split s = {0};
    s.cx = cx;
    s.f = f;
    int nv = f->vars.len;
    Arena *scratch = arena_new();
    s.part_of = ARENA_ARRAY(scratch, int, nv + 1);
    for (int i = 0; i < nv; i++)
        s.part_of[i] = UNSEEN;
    s.loop_index = ARENA_ARRAY(scratch, bool, nv + 1);
    s.map = ARENA_ARRAY(scratch, IrVar *, nv + 1);
    s.made_in = ARENA_ARRAY(scratch, int, nv + 1);
    s.moved = ARENA_ARRAY(scratch, bool, nv + 1);
    /* the runs of statements, cut every part_size and where the reverse starts */
    PtrVec runs = {0};
    PtrVec *run = NULL;
    int size = part_size(limit);
    for (int i = first; i < end; i++) {
        Instr *in = b->instrs.items[i];
        if (size >= part_size(limit) || starts_reverse(in)) {
            run = ARENA_NEW(scratch, PtrVec);
            vec_push(scratch, &runs, run);
            size = 0;
        }
        vec_push(scratch, run, in);
        size += ir_count_instr(in);
    }
    /* what crosses: mentioned by two parts, or by the function and a part */
    for (int i = 0; i < n; i++)
        if (i < first || i >= end)
            mention_instr(&s, b->instrs.items[i], 0);
    for (int p = 0; p < runs.len; p++) {
        const PtrVec *r = runs.items[p];
        for (int i = 0; i < r->len; i++)
            mention_instr(&s, r->items[i], p + 1);
    }
    for (int i = 0; i < nv; i++) {
        IrVar *v = f->vars.items[i];
        if (v->ndims > 0 && !v->is_param)
            mention(&s, v, 0);                  /* the function allocates them */
        v->framed = !v->is_param && !s.loop_index[i] && s.part_of[i] == SEVERAL;
    }
    /* the parts, and the function that calls them */
    PtrVec body = {0};
    int made_from = made->len;
    for (int i = 0; i < first; i++)
        vec_push(cx->arena, &body, b->instrs.items[i]);
    for (int p = 0; p < runs.len; p++) {
        const PtrVec *r = runs.items[p];
        const Instr *head = r->items[0];
        IrFunc *g = make_part(&s, r, p + 1);
        vec_push(cx->arena, made, g);
        Instr *call = call_part(&s, g, head->span);
        call->note = starts_reverse(head) ? head->note : NULL;
        vec_push(cx->arena, &body, call);
    }
    for (int i = end; i < n; i++)
        vec_push(cx->arena, &body, b->instrs.items[i]);
    b->instrs = body;
    f->has_frame = true;
    for (int i = made_from; i < made->len; i++)
        renumber(made->items[i], NULL);
    renumber(f, s.moved);
    arena_free(scratch);
}

void split_module(Cx *cx, int limit)
{
    if (limit <= 0)
        return;
    PtrVec made = {0};
    for (int i = 0; i < cx->ir->funcs.len; i++) {
        IrFunc *f = cx->ir->funcs.items[i];
        if (f->role != ROLE_MASK && ir_count(f->body) > limit)
            split_func(cx, f, limit, &made);
    }
    for (int i = 0; i < made.len; i++)
        vec_push(cx->arena, &cx->ir->funcs, made.items[i]);
}
