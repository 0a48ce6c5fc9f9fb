/* Fusing a loop's reverse sweep into its forward sweep.
 *
 * Reverse mode writes a loop twice: forward (values), then backwards
 * (adjoints), each iteration of the second recomputing the operands the
 * first had. When the backward loop's iterations only add into adjoints
 * that nothing else in either loop reads, and read nothing the forward loop
 * or the code between them changes, the order of its iterations does not
 * matter (up to the rounding of the sums), and each can run right after
 * the forward iteration with the same index: one loop, whose operands are
 * loaded and computed once (CSE then merges the two copies). That is the
 * hand-written gradient of a sum of independent terms (extended
 * Rosenbrock, a least-squares residual, a dot product).
 *
 *     F: for i in lo..hi { ... }          fill d_x              (inits of what R adds to)
 *     M: (code between)           ==>     for i in lo..hi { F body; R body }
 *        fill d_x                          M without the inits
 *     R: for i in lo..hi reversed { ... }
 *
 * Conditions, each checked on the whole nested blocks:
 *   - F and R have the same index variable and bounds, R runs down, F up,
 *     and neither may exit early (a while loop, a for loop with break);
 *   - neither saves or restores values (tape), nor calls, nor returns;
 *   - what R writes and is named outside R is only added to (+=, -=),
 *     never read otherwise in R, and named outside R, F and M only by
 *     instructions of M that set it to a constant (fill, x = c) with no
 *     other mention of it before them in M: those move above F;
 *   - what R writes and is named nowhere else is a scalar whose first
 *     write sets it, before any read, and that is read only within the
 *     block of that write (a value of the iteration);
 *   - what R reads otherwise is not written in F or M.
 *
 * The one use of the tape allowed: values F's iteration saves for R rather
 * than have R recompute them (I_PUSH with per 1, at the top of F's body,
 * popped at the top of R's). In the fused loop R runs right after the F
 * iteration that saved them, so each pair goes: the pop becomes a copy of
 * the value pushed, and the room reserved for them before F goes too.
 *
 * F may also be the replay of a loop (ad_reverse.c: the loop run forwards
 * again in the reverse sweep, pushing a value it carries, `mul` of
 * `mul *= t`, before overwriting it). Then R must read the value F saved,
 * not the one F goes on with: the push becomes a copy into a fresh
 * variable that R reads instead, and after the loop the carried variable
 * gets back the value it had before it (what R's last pop left there). */
#include "fuse.h"

#include <string.h>

#include "gradc.h"

typedef struct Fuse {
    Cx *cx;
    Arena *arena;               /* the IR's */
    Arena *scratch;
    IrFunc *f;
    int nvars;
    /* by var id, about R */
    unsigned char *wr;          /* written in R */
    unsigned char *acc;         /* written in R only by += / -= */
    unsigned char *rd;          /* read in R (not as the target of += / -=) */
    int *first_def;             /* preorder number of the first write in R, or -1 */
    unsigned char *set_first;   /* that write sets (=) */
    const IrBlock **def_block;  /* the block of that write */
    unsigned char *escapes;     /* read outside that block (or before the write) */
    const IrBlock *stack[64];   /* the blocks being scanned, outermost first */
    int *first_read;            /* preorder number of the first read in R, or -1 */
    unsigned char *paired;      /* popped by R from F's push of itself */
    int seq, depth;
    bool bad;                   /* R or F holds what cannot move */
} Fuse;

/* A value of the iteration saved for, or restored by, the reverse sweep. */
static bool iteration_save(const Instr *in)
{
    return (in->kind == I_PUSH || in->kind == I_POP) && in->per == 1;
}

static bool movable_kind(const Instr *in)
{
    switch (in->kind) {
    case I_PUSH: case I_POP: case I_PUSHA: case I_POPA: case I_RESERVE:
    case I_CALL: case I_RETURN: case I_ALLOC:
        return false;
    default:
        return true;
    }
}

/* The variable (scalar or array) in writes, if one. */
static IrVar *written(const Instr *in)
{
    switch (in->kind) {
    case I_OP: case I_LOAD: case I_POP:
        return in->dst;
    case I_STORE: case I_FILL: case I_ACOPY: case I_POPA:
        return in->arr;
    case I_FOR:
        return in->ivar;
    default:
        return NULL;
    }
}

static void note_read(Fuse *u, const IrVar *v)
{
    u->rd[v->id] = 1;
    if (u->first_read[v->id] < 0)
        u->first_read[v->id] = u->seq;
    bool within = false;
    for (int d = 0; d <= u->depth && u->first_def[v->id] >= 0; d++)
        within |= u->stack[d] == u->def_block[v->id];
    if (!within)
        u->escapes[v->id] = 1;
}

static void scan_r(Fuse *u, const IrBlock *b)
{
    if (u->depth >= (int)(sizeof u->stack / sizeof *u->stack)) {
        u->bad = true;
        return;
    }
    u->stack[u->depth] = b;
    for (int i = 0; i < b->instrs.len; i++) {
        const Instr *in = b->instrs.items[i];
        u->seq++;
        if (!movable_kind(in) && !(u->depth == 0 && iteration_save(in)))
            u->bad = true;
        Operand *a;
        for (IrSlots s = ir_slots(in); (a = ir_slot_next(&s)) != NULL;)
            if (a->kind == OK_VAR || a->kind == OK_REF)
                note_read(u, a->var);
        if (in->kind == I_LOAD)
            note_read(u, in->arr);
        if (in->kind == I_ACOPY && in->args[0].kind == OK_VAR)
            note_read(u, in->args[0].var);
        IrVar *w = written(in);
        if (w) {
            bool accum = (in->kind == I_OP || in->kind == I_STORE) && in->acc != ACC_SET;
            if (!u->wr[w->id]) {
                u->acc[w->id] = 1;
                u->first_def[w->id] = u->seq;
                u->set_first[w->id] = !accum && w->ndims == 0;
                u->def_block[w->id] = b;
            } else if (accum) {
                /* += reads its target: within the block that set it too */
                bool within = false;
                for (int d = 0; d <= u->depth; d++)
                    within |= u->stack[d] == u->def_block[w->id];
                if (!within)
                    u->escapes[w->id] = 1;
            }
            u->wr[w->id] = 1;
            u->acc[w->id] &= accum;
        }
        const IrBlock *sub[3] = {in->then, in->els, in->body};
        u->depth++;
        for (int k = 0; k < 3; k++)
            if (sub[k])
                scan_r(u, sub[k]);
        u->depth--;
    }
}

static bool immovable(const Instr *in, const void *data)
{
    (void)data;
    return !movable_kind(in);
}

/* An instruction that sets v to a constant, whatever came before. */
static bool is_init(const Instr *in, const IrVar *v)
{
    if (in->kind == I_FILL)
        return in->arr == v;
    return in->kind == I_OP && in->op == OP_COPY && in->acc == ACC_SET && in->dst == v &&
           in->args[0].kind == OK_REAL;
}

/* Whether v is named outside R anywhere in the function. */
static bool named_outside(const IrBlock *b, const Instr *r, const IrVar *v)
{
    for (int i = 0; i < b->instrs.len; i++) {
        const Instr *in = b->instrs.items[i];
        if (in == r)
            continue;
        if (in->dst == v || in->arr == v || in->ivar == v || ir_reads_operand(in, v))
            return true;
        const IrBlock *sub[3] = {in->then, in->els, in->body};
        for (int k = 0; k < 3; k++)
            if (sub[k] && named_outside(sub[k], r, v))
                return true;
    }
    return false;
}

static int count_saves(const IrBlock *b, InstrKind kind)
{
    int n = 0;
    for (int k = 0; k < b->instrs.len; k++) {
        const Instr *in = b->instrs.items[k];
        n += iteration_save(in) && in->kind == kind;
    }
    return n;
}

/* F = b[i] saves for R = b[j] (at the tops of their bodies) as many values
 * as R restores, and nothing else: the room reserved just before F is
 * theirs. */
static bool pairs_match(const IrBlock *b, int i, int j)
{
    const Instr *fl = b->instrs.items[i], *rl = b->instrs.items[j];
    int n = count_saves(fl->body, I_PUSH);
    if (n != count_saves(rl->body, I_POP) || count_saves(fl->body, I_POP) || count_saves(rl->body, I_PUSH))
        return false;
    if (n == 0)
        return true;
    const Instr *res = i > 0 ? b->instrs.items[i - 1] : NULL;
    return res && res->kind == I_RESERVE && res->per == n && ir_same(res->lo, fl->lo) &&
           ir_same(res->hi, fl->hi);
}

/* Marks in `paired` the variables that R pops back from F's push of the
 * same variable: in the fused loop they hold F's value of the iteration,
 * which is what R reads; nothing else may write them in between. */
static bool mark_pairs(const IrBlock *b, int i, int j, unsigned char *paired, int nvars)
{
    const Instr *fl = b->instrs.items[i], *rl = b->instrs.items[j];
    PtrVec *fb = &fl->body->instrs, *rb = &rl->body->instrs;
    memset(paired, 0, (size_t)nvars);
    int p = fb->len;
    for (int k = 0; k < rb->len; k++) {
        const Instr *pop = rb->items[k];
        if (!iteration_save(pop) || pop->kind != I_POP)
            continue;
        const Instr *push = NULL;
        while (p > 0 && !push) {
            const Instr *c = fb->items[--p];
            if (iteration_save(c) && c->kind == I_PUSH)
                push = c;
        }
        if (!push || !ir_is_var(push->args[0], pop->dst))
            continue;
        for (int m = i + 1; m < j; m++)
            if (ir_writes_within(b->instrs.items[m], pop->dst))
                return false;
        paired[pop->dst->id] = 1;
    }
    return true;
}

/* Whether something in b from position `from` on, other than a pop of
 * the iteration, writes v. */
static bool written_besides_pops(const IrBlock *b, int from, const IrVar *v)
{
    for (int k = from; k < b->instrs.len; k++) {
        const Instr *in = b->instrs.items[k];
        if (!(iteration_save(in) && in->kind == I_POP) && ir_writes_within(in, v))
            return true;
    }
    return false;
}

/* F's push at position k saves a variable that F itself writes again
 * after it (a value that the replay of a loop carries, ad_reverse.c):
 * in the fused body, R must read the value saved, not F's next one. */
static bool rewritten_after(const Instr *fl, int k)
{
    const Instr *push = fl->body->instrs.items[k];
    return push->args[0].kind == OK_VAR && written_besides_pops(fl->body, k + 1, push->args[0].var);
}

/* Such a pair can be fused only if R writes the variable by its pop
 * alone (then R reads a copy, split_rewritten). */
static bool rewritten_ok(const Instr *fl, const Instr *rl)
{
    const PtrVec *fb = &fl->body->instrs;
    for (int k = 0; k < fb->len; k++) {
        const Instr *push = fb->items[k];
        if (iteration_save(push) && push->kind == I_PUSH && rewritten_after(fl, k) &&
            written_besides_pops(rl->body, 0, push->args[0].var))
            return false;
    }
    return true;
}

static Operand to_saved(void *data, Operand a)
{
    IrVar **vs = data;
    if ((a.kind == OK_VAR || a.kind == OK_REF) && a.var == vs[0])
        a.var = vs[1];
    return a;
}

static Instr *copy_into(Fuse *u, IrVar *dst, IrVar *src, Span at)
{
    Instr *in = ir_instr(u->cx, I_OP, at);
    in->op = OP_COPY;
    in->acc = ACC_SET;
    in->dst = dst;
    in->nargs = 1;
    in->args[0] = ir_v(src);
    return in;
}

/* For each rewritten pair of F and R: F's push becomes a copy into a
 * fresh variable, which R reads instead of the pair's, and R's pop goes;
 * the variable gets back after the fused loop the value R's last pop left
 * in it, the one it had before the loop (copies into `before` and
 * `after`). */
static void split_rewritten(Fuse *u, Instr *fl, Instr *rl, PtrVec *before, PtrVec *after)
{
    PtrVec *fb = &fl->body->instrs, *rb = &rl->body->instrs;
    for (int k = 0; k < fb->len; k++) {
        Instr *push = fb->items[k];
        if (!iteration_save(push) || push->kind != I_PUSH || push->args[0].kind != OK_VAR)
            continue;
        IrVar *v = push->args[0].var;
        if (!u->paired[v->id] || !rewritten_after(fl, k))
            continue;
        int at = 0;
        while (at < rb->len && !(iteration_save(rb->items[at]) && ((Instr *)rb->items[at])->kind == I_POP &&
                                 ((Instr *)rb->items[at])->dst == v))
            at++;
        if (at == rb->len)
            continue;
        vec_remove(rb, at);
        IrVar *saved = ir_var(u->cx, u->f, NULL, v->type), *entry = ir_var(u->cx, u->f, NULL, v->type);
        push->kind = I_OP;
        push->op = OP_COPY;
        push->acc = ACC_SET;
        push->dst = saved;
        push->per = 0;
        IrVar *vs[2] = {v, saved};
        for (int i = 0; i < rb->len; i++)
            ir_remap_instr(rb->items[i], to_saved, vs);
        vec_push(u->scratch, before, copy_into(u, entry, v, fl->span));
        Instr *back = copy_into(u, v, entry, fl->span);
        back->note = v->name ? arena_printf(u->arena, "%s as it was before the loop", v->name)
                             : "as it was before the loop";
        vec_push(u->scratch, after, back);
    }
}

/* In the fused body, each pop of R takes the value its push in F saved. */
static void drop_pairs(Arena *scratch, IrBlock *body)
{
    PtrVec pushed = {0}, out = {0};
    for (int k = 0; k < body->instrs.len; k++) {
        Instr *in = body->instrs.items[k];
        if (iteration_save(in) && in->kind == I_PUSH) {
            vec_push(scratch, &pushed, in);
            continue;
        }
        if (iteration_save(in) && in->kind == I_POP) {
            const Instr *push = pushed.items[--pushed.len];
            if (ir_is_var(push->args[0], in->dst))
                continue;               /* the value is still there */
            in->kind = I_OP;
            in->op = OP_COPY;
            in->acc = ACC_SET;
            in->nargs = 1;
            in->args[0] = push->args[0];
            in->per = 0;
        }
        vec_push(scratch, &out, in);
    }
    for (int k = 0; k < out.len; k++)
        body->instrs.items[k] = out.items[k];
    body->instrs.len = out.len;
}

/* Tries to fuse R = b[j] into F = b[i]; the inits to move are marked in
 * `hoist` (by position in b). */
static bool can_fuse(Fuse *u, IrBlock *b, int i, int j, bool *hoist)
{
    const Instr *fl = b->instrs.items[i], *rl = b->instrs.items[j];
    size_t n = (size_t)u->nvars;
    memset(u->wr, 0, n);
    memset(u->acc, 0, n);
    memset(u->rd, 0, n);
    memset(u->set_first, 0, n);
    memset(u->escapes, 0, n);
    for (int k = 0; k < u->nvars; k++)
        u->first_read[k] = u->first_def[k] = -1;
    u->seq = u->depth = 0;
    u->bad = false;
    scan_r(u, rl->body);
    if (u->bad || !pairs_match(b, i, j) || !mark_pairs(b, i, j, u->paired, u->nvars) || !rewritten_ok(fl, rl))
        return false;
    for (int k = 0; k < fl->body->instrs.len; k++) {
        const Instr *in = fl->body->instrs.items[k];
        if (!iteration_save(in) && ir_any_within(in, immovable, NULL))
            return false;
    }
    for (int id = 0; id < u->nvars; id++) {
        IrVar *v = u->f->vars.items[id];
        if (v == rl->ivar || u->paired[id])
            continue;
        if (u->wr[id]) {
            if (!named_outside(u->f->body, rl, v)) {
                /* a scalar of the iteration: set first, then read only
                   within the block that set it */
                if (!u->set_first[id] || u->escapes[id] ||
                    (u->first_read[id] >= 0 && u->first_read[id] <= u->first_def[id]))
                    return false;
                continue;
            }
            /* added to only, and never read by R otherwise */
            if (!u->acc[id] || u->rd[id] || v->by_ref || ir_names_within(fl, v))
                return false;
            bool seen = false;
            for (int k = i + 1; k < j; k++) {
                const Instr *m = b->instrs.items[k];
                if (!ir_names_within(m, v))
                    continue;
                if (seen || !is_init(m, v))
                    return false;
                hoist[k] = true;
                seen = true;
            }
        } else if (u->rd[id]) {
            if (ir_writes_within(fl, v))
                return false;
            for (int k = i + 1; k < j; k++)
                if (ir_writes_within(b->instrs.items[k], v))
                    return false;
        }
    }
    return true;
}

/* A loop that may exit early (while, break) runs a count of iterations
 * known only when it has run: never fused. */
static bool same_loop(const Instr *f, const Instr *r)
{
    return f->kind == I_FOR && r->kind == I_FOR && !f->down && r->down && f->ivar == r->ivar &&
           !ir_exits_early(f) && !ir_exits_early(r) &&
           ir_same(f->lo, r->lo) && ir_same(f->hi, r->hi);
}

static bool fuse_block(Fuse *u, IrBlock *b)
{
    bool changed = false;
    for (int i = 0; i < b->instrs.len; i++) {
        Instr *in = b->instrs.items[i];
        const IrBlock *sub[3] = {in->then, in->els, in->body};
        for (int k = 0; k < 3; k++)
            if (sub[k])
                changed |= fuse_block(u, (IrBlock *)sub[k]);
    }
    for (int i = 0; i < b->instrs.len; i++) {
        Instr *fl = b->instrs.items[i];
        if (fl->kind != I_FOR || fl->down)
            continue;
        int j = i + 1;
        while (j < b->instrs.len && !same_loop(fl, b->instrs.items[j]))
            j++;
        if (j == b->instrs.len)
            continue;
        bool *hoist = ARENA_ARRAY(u->scratch, bool, b->instrs.len);
        if (!can_fuse(u, b, i, j, hoist))
            continue;
        Instr *rl = b->instrs.items[j];
        bool saves = count_saves(fl->body, I_PUSH) > 0;
        PtrVec before = {0}, after = {0};
        split_rewritten(u, fl, rl, &before, &after);
        for (int k = 0; k < rl->body->instrs.len; k++)
            vec_push(u->arena, &fl->body->instrs, rl->body->instrs.items[k]);
        drop_pairs(u->scratch, fl->body);
        fl->note = "the reverse sweep runs in the same loop: each iteration adds its terms' "
                   "derivatives as it goes";
        /* the inits go above F, in order; a note one carried (where the
           reverse sweep starts) passes to what follows it */
        PtrVec out = {0};
        for (int k = 0; k < i - saves; k++)     /* not the room for the pairs */
            vec_push(u->scratch, &out, b->instrs.items[k]);
        for (int k = i + 1; k < j; k++)
            if (hoist[k])
                vec_push(u->scratch, &out, b->instrs.items[k]);
        for (int k = 0; k < before.len; k++)
            vec_push(u->scratch, &out, before.items[k]);
        const char *note = NULL;
        for (int k = i; k < b->instrs.len; k++) {
            Instr *x = b->instrs.items[k];
            if (k == i + 1)
                for (int m = 0; m < after.len; m++)
                    vec_push(u->scratch, &out, after.items[m]);
            if (k > i && k < j && hoist[k]) {
                if (x->note && !note)
                    note = x->note;
                x->note = NULL;
                continue;
            }
            if (k == j)
                continue;
            if (note && x->kind == I_RETURN)
                note = NULL;            /* no reverse sweep is left */
            if (note && k > i && !x->note) {
                x->note = note;
                note = NULL;
            }
            vec_push(u->scratch, &out, x);
        }
        for (int k = 0; k < out.len; k++)
            b->instrs.items[k] = out.items[k];
        b->instrs.len = out.len;
        changed = true;
    }
    return changed;
}

bool fuse_sweeps(Cx *cx, Arena *scratch, IrFunc *f)
{
    Fuse u = {.cx = cx, .arena = cx->arena, .scratch = scratch, .f = f, .nvars = f->vars.len};
    size_t n = (size_t)u.nvars + 1;
    u.wr = ARENA_ARRAY(scratch, unsigned char, n);
    u.acc = ARENA_ARRAY(scratch, unsigned char, n);
    u.rd = ARENA_ARRAY(scratch, unsigned char, n);
    u.first_def = ARENA_ARRAY(scratch, int, n);
    u.set_first = ARENA_ARRAY(scratch, unsigned char, n);
    u.def_block = ARENA_ARRAY(scratch, const IrBlock *, n);
    u.escapes = ARENA_ARRAY(scratch, unsigned char, n);
    u.first_read = ARENA_ARRAY(scratch, int, n);
    u.paired = ARENA_ARRAY(scratch, unsigned char, n);
    return fuse_block(&u, f->body);
}
