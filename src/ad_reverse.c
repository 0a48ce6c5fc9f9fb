/* Reverse mode, IR -> IR. The new function runs the primal (the forward
 * sweep), then walks the primal's instructions backwards (the reverse
 * sweep): each active operation adds seed * local derivative into its
 * operands' adjoints. Adjoints are locals that start at zero in every call
 * (the reset), so nothing leaks from one evaluation into the next.
 *
 * Only active values get adjoints: those that depend on a differentiated
 * input (varied) and influence the result (useful). An adjoint that has
 * received nothing is zero, so its operation is skipped: untaken branches
 * and constants cost nothing and cannot turn 0 into NaN.
 *
 * Loops stay loops: the adjoint of a loop is the loop run backwards. A value
 * the reverse sweep needs from an iteration is either recomputed at the
 * start of the reverse iteration (when it depends only on values that the
 * loop does not overwrite: inputs, loop indices, arrays never written) or,
 * when the forward sweep overwrites it (a carried scalar, a load from an
 * array that is written, a branch decision on those), pushed on a tape just
 * before it is overwritten and popped back when the reverse sweep passes
 * that point: the reverse sweep sees every value as the forward sweep did.
 *
 * Recomputing is not free: a value whose recomputation costs more than
 * SAVE_COST flops (ops.def's cost column: one exp, or a long chain) is
 * saved instead, once per iteration, at the end of its loop body, and
 * popped where it would have been recomputed; only in loops nested at most
 * SAVE_DEPTH deep, so that the tape stays bounded by the trip counts of the
 * loops a user sees, not their product over a deep nest. */
#include <string.h>

#include "activity.h"
#include "ad.h"
#include "deriv.h"
#include "gradc.h"

/* A block of the reverse sweep being built, for the primal block it
 * reverses. */
typedef struct Open {
    const IrBlock *primal;
    IrBlock *rev;
} Open;

/* What the reverse pass knows of one variable of the primal. */
typedef struct RevVar {
    IrVar *map;                 /* its value in g */
    IrVar *adj;                 /* its adjoint in g */
    bool init;                  /* the adjoint has been given a value */
    bool in_loop;               /* has a definition inside a loop */
    bool recompute;             /* defined in a loop, recomputed in the reverse sweep */
    bool stash;                 /* a recomputable value too costly to recompute: saved instead */
    bool needed;                /* its value is read by the reverse sweep */
    IrBlock *home;              /* innermost block holding all its definitions */
    PtrVec need_at;             /* the blocks where it is read, for needed ones */
    int ndefs;
    Instr *def;                 /* the (last) definition */
    PtrVec defs;                /* every definition */
    IrVar *gparam;              /* a parameter's gradient parameter in g */
    IrVar *seedparam;           /* an out parameter's seed parameter in g */
    const Instr *snap_loop;     /* the loop whose iterations save the array it loads from */
    const Instr *replay_copy;   /* a replayed value (see replays): the copy closing its loop */
} RevVar;

typedef struct Rev {
    Cx *cx;
    Arena *scratch;             /* what the pass knows, freed when it ends */
    IrFunc *p;                  /* the primal */
    IrFunc *g;                  /* the function being built */
    FuncRole role;
    int nvars;                  /* of the primal */
    RevVar *v;                  /* by primal var id */
    bool *varied, *useful;      /* by primal var id: activity (activity.c's flags) */
    IrVar *seed;                /* the scalar seed parameter of a helper */
    Open *open;
    int nopen, capopen;
    IrVar *dummy;               /* sink for adjoints of arguments that are constants */
    PtrVec saved_maps;          /* map entries shadowed by recomputed values */
    PtrVec kept;                /* output array, its copy, ... */
    /* instruction order, for "is this array written after that call" */
    int nseq;
    PtrVec loops;               /* I_FOR of the primal, in preorder */
    PtrVec *snaps;              /* by position in loops: the arrays each iteration saves */
    int **snap_at;              /* and for each, its first writer (first_writer), once known */
    PtrVec trips;               /* loop, its trip count in g, ...: for loops that may exit early */
    unsigned char *mark;        /* by primal var id: in the replay being looked at */
    PtrVec marked;              /* the vars marked, to clear */
} Rev;

static IrVar *clone_var(Rev *r, const IrVar *v);

/* A parameter the function differentiates. `const` marks data in the
 * exported API; the helpers that callers' reverse sweeps call differentiate
 * their const parameters too, so that a value passed to one keeps its
 * derivative, as it does when the call is inlined. */
static bool differentiated(const IrVar *v, bool helper)
{
    return v->is_param && v->type == IT_REAL && (helper || !v->src_const) &&
           (v->ndims == 0 || v->readonly);
}

static bool is_input(const Rev *r, const IrVar *v)
{
    return differentiated(v, r->role == ROLE_REV);
}

static bool is_output(const IrVar *v)
{
    return v->is_param && v->ndims > 0 && !v->readonly;
}

/* ---- activity --------------------------------------------------------- */

static void analyse_activity(Rev *r)
{
    for (int i = 0; i < r->p->params.len; i++) {
        const IrVar *v = r->p->params.items[i];
        if (is_input(r, v))
            r->varied[v->id] = true;
        if (is_output(v))
            r->useful[v->id] = true;
    }
    activity_varied(r->p, r->varied);
    activity_useful(r->p, r->useful);
}

static bool active(const Rev *r, const IrVar *v)
{
    return v->type == IT_REAL && r->varied[v->id] && r->useful[v->id];
}

/* ---- where values live ------------------------------------------------ */

static bool block_in_loop(const IrBlock *b)
{
    return b->in_loop;
}


static void note_def(Rev *r, IrVar *v, Instr *in, IrBlock *b)
{
    r->v[v->id].home = r->v[v->id].home ? ir_common_block(r->v[v->id].home, b) : b;
    r->v[v->id].ndefs++;
    r->v[v->id].def = in;
    vec_push(r->scratch, &r->v[v->id].defs, in);
    r->v[v->id].in_loop |= block_in_loop(b);
}

/* Definitions, homes and instruction order (in->seq, set here). */
static void scan_defs(Rev *r, IrBlock *b)
{
    for (int i = 0; i < b->instrs.len; i++) {
        Instr *in = b->instrs.items[i];
        in->seq = ++r->nseq;
        if (in->kind == I_OP || in->kind == I_LOAD || (in->kind == I_CALL && in->dst))
            note_def(r, in->dst, in, b);
        else if (in->kind == I_STORE || in->kind == I_FILL)
            note_def(r, in->arr, in, b);
        if (in->kind == I_IF) {
            scan_defs(r, in->then);
            if (in->els)
                scan_defs(r, in->els);
        } else if (in->kind == I_FOR) {
            note_def(r, in->ivar, in, in->body);
            vec_push(r->scratch, &r->loops, in);
            scan_defs(r, in->body);
            in->seq_end = r->nseq;
        }
    }
}

static IrBlock *home_of(const Rev *r, const IrVar *v)
{
    return v->is_param || !r->v[v->id].home ? r->p->body : r->v[v->id].home;
}

static IrBlock *block_of(const Instr *in);

/* The copies into variables a loop carries close its body (lowering puts
 * them there); the reverse sweep undoes them first, restoring the values the
 * iteration started with. Returns the index of the first of them. */
static int carried_suffix(const Rev *r, const IrBlock *body)
{
    int k = body->instrs.len;
    while (k > 0) {
        const Instr *in = body->instrs.items[k - 1];
        if (in->kind != I_OP || in->op != OP_COPY || in->acc != ACC_SET || r->v[in->dst->id].ndefs < 2 ||
            ir_block_inside(home_of(r, in->dst), body))
            break;
        k--;
    }
    return k;
}

static bool is_loop_body(const IrBlock *b)
{
    return b->owner && b->owner->kind == I_FOR && b->owner->body == b;
}

/* Whether operand u still holds, at the start of the reverse of block b
 * (after the carried copies of a loop body are undone), the value that the
 * definition `def` (in b) read: nothing else in b's region redefines u
 * after def (what comes later outside it is undone first). */
static bool holds_for(const Rev *r, const IrVar *u, const Instr *def, const IrBlock *b)
{
    const PtrVec *defs = &r->v[u->id].defs;
    int suffix = is_loop_body(b) ? carried_suffix(r, b) : b->instrs.len;
    int suffix_seq = suffix < b->instrs.len ? ((const Instr *)b->instrs.items[suffix])->seq : -1;
    for (int i = 0; i < defs->len; i++) {
        const Instr *d = defs->items[i];
        if (d->seq <= def->seq || !ir_block_inside(block_of(d), b))
            continue;
        if (block_of(d) == b && suffix_seq >= 0 && d->seq >= suffix_seq)
            continue;                   /* undone before the recomputation */
        return false;
    }
    return true;
}

/* A loop body between block `from` and its ancestor `home`. */
static bool loop_between(const IrBlock *from, const IrBlock *home)
{
    for (const IrBlock *b = from; b && b != home; b = b->parent)
        if (b->owner && b->owner->kind == I_FOR)
            return true;
    return false;
}

static bool array_written_after(const Rev *r, const IrVar *a, const Instr *at, const Operand *first);
static const Operand *first_of(const IrRow *row);

static bool written_in_range(const IrBlock *b, const IrVar *a, int from, int to);

/* The first statement of a loop's body that writes a (0 if none does):
 * each iteration saves a just before it, and the reverse sweep restores a
 * right after reversing it (snapshots). */
static int first_writer(const Instr *loop, const IrVar *a)
{
    const IrBlock *b = loop->body;
    for (int i = 0; i < b->instrs.len; i++)
        if (ir_writes_within(b->instrs.items[i], a))
            return i;
    return 0;
}

/* A load in a statement of the loop's body (not at its top level) that
 * comes before every statement writing a: it reads a as the iteration
 * found it. */
static bool before_writes(const Instr *loop, const Instr *load)
{
    const IrBlock *b = loop->body;
    if (block_of(load) == b)
        return false;
    int t = 0;
    while (t + 1 < b->instrs.len && ((const Instr *)b->instrs.items[t + 1])->seq <= load->seq)
        t++;
    return t < first_writer(loop, load->arr);
}

/* A load from an array that the program writes again, in the outermost
 * loop L around it, can still be recomputed if each iteration of L saves
 * the array just before the first statement that writes it, and the
 * reverse sweep restores it right after reversing that statement. During
 * the reverse of that statement and those after it, the array holds what
 * it held when the iteration ended, which is what a load there read as
 * long as nothing wrote the array after the load in the iteration (in
 * order, or in a later iteration of an inner loop around the load); during
 * the reverse of the statements before it, it holds what the iteration
 * found, which is what a load in them read (an LSTM step reads h before
 * writing it). Only a load nested in such a statement, as a top-level one
 * is recomputed when the reverse of the iteration starts. And nothing may
 * write the array after L. One copy of the array per iteration instead of
 * one saved value per load: an MLP layer saves its input vector, not every
 * product's operand. Returns L, or NULL. */
static const Instr *snapshot_loop(const Rev *r, const Instr *load)
{
    const IrVar *a = load->arr;
    const Instr *outer = NULL;
    for (int i = 0; i < r->loops.len; i++) {
        const Instr *l = r->loops.items[i];
        if (load->seq <= l->seq || load->seq > l->seq_end)
            continue;
        if (!outer) {
            outer = l;
            if (written_in_range(r->p->body, a, l->seq_end + 1, r->nseq) ||
                (written_in_range(r->p->body, a, load->seq + 1, l->seq_end) && !before_writes(l, load)))
                return NULL;
        } else if (written_in_range(r->p->body, a, l->seq, l->seq_end)) {
            return NULL;                /* an inner loop writes it again */
        }
    }
    return outer;
}

/* Values defined in a loop that the reverse sweep recomputes rather than
 * saves: single definitions by a pure operation (or a load from an array
 * nothing writes from here on, or that the iterations of a loop save) of
 * operands that still hold their values. */
static bool recompute_candidate(Rev *r, const IrVar *v)
{
    const Instr *d = r->v[v->id].def;
    if (!r->v[v->id].in_loop || r->v[v->id].ndefs != 1 || !d)
        return false;
    if (d->kind == I_LOAD) {
        if (!array_written_after(r, d->arr, d, &d->idx[0]))
            return true;
        r->v[v->id].snap_loop = snapshot_loop(r, d);
        return r->v[v->id].snap_loop != NULL;
    }
    return d->kind == I_OP && d->acc == ACC_SET;
}

static bool operand_ok(const Rev *r, Operand a, const Instr *d, const IrBlock *b)
{
    if (a.kind != OK_VAR || a.var->is_param)
        return true;
    const IrVar *u = a.var;
    if (r->v[u->id].ndefs == 1 && r->v[u->id].def->kind == I_FOR)
        return true;                    /* a loop index */
    /* an operand that a loop inside b defines (an accumulator) would have
       to be saved at each of its iterations to be found again: saving the
       value itself, once, is cheaper */
    const PtrVec *defs = &r->v[u->id].defs;
    for (int i = 0; i < defs->len; i++) {
        const IrBlock *db = block_of(defs->items[i]);
        if (db != b && ir_block_inside(db, b) && loop_between(db, b))
            return false;
    }
    return holds_for(r, u, d, b);
}

/* Loops around block b. */
static int loop_depth(const IrBlock *b)
{
    int n = 0;
    for (; b; b = b->parent)
        n += b->owner && b->owner->kind == I_FOR && b->owner->body == b;
    return n;
}

enum { SAVE_COST = 20, SAVE_DEPTH = 2 };

/* What recomputing v costs in the reverse sweep: its operation and the
 * operands recomputed for it (loads and saved values count nothing). */
static int recompute_cost(Rev *r, const IrVar *v, int *memo)
{
    const Instr *d = r->v[v->id].def;
    if (!r->v[v->id].recompute || r->v[v->id].stash || d->kind != I_OP)
        return 0;
    if (memo[v->id] >= 0)
        return memo[v->id];
    int c = ir_ops[d->op].cost;
    for (int k = 0; k < d->nargs && c < SAVE_COST; k++)
        if (d->args[k].kind == OK_VAR && !d->args[k].var->is_param)
            c += recompute_cost(r, d->args[k].var, memo);
    return memo[v->id] = c;
}

/* Recomputable values that cost too much to recompute, in order of
 * definition, so that a chain is cut at its first costly link. */
static void choose_stash(Rev *r, const IrBlock *b, int *memo)
{
    for (int i = 0; i < b->instrs.len; i++) {
        const Instr *in = b->instrs.items[i];
        if (in->kind == I_OP && is_loop_body(b) && loop_depth(b) <= SAVE_DEPTH &&
            r->v[in->dst->id].recompute && in->dst->type == IT_REAL &&
            recompute_cost(r, in->dst, memo) >= SAVE_COST)
            r->v[in->dst->id].stash = true;
        const IrBlock *nested[3] = {in->then, in->els, in->body};
        for (int k = 0; k < 3; k++)
            if (nested[k])
                choose_stash(r, nested[k], memo);
    }
}

static void classify_recompute(Rev *r)
{
    for (int i = 0; i < r->nvars; i++)
        r->v[i].recompute = recompute_candidate(r, r->p->vars.items[i]);
    bool changed = true;
    while (changed) {
        changed = false;
        for (int i = 0; i < r->nvars; i++) {
            if (!r->v[i].recompute)
                continue;
            const Instr *d = r->v[i].def;
            const IrBlock *b = block_of(d);
            bool ok = true;
            for (int k = 0; k < d->nargs; k++)
                ok &= operand_ok(r, d->args[k], d, b);
            for (int k = 0; d->kind == I_LOAD && k < d->arr->ndims; k++)
                ok &= operand_ok(r, d->idx[k], d, b);
            if (!ok) {
                r->v[i].recompute = false;
                changed = true;
            }
        }
    }
    int *memo = ARENA_ARRAY(r->scratch, int, r->nvars);
    for (int i = 0; i < r->nvars; i++)
        memo[i] = -1;
    choose_stash(r, r->p->body, memo);
}

/* A value saved at the end of each iteration rather than recomputed. */
static bool stashed(const Rev *r, const IrVar *v)
{
    return r->v[v->id].stash && r->v[v->id].needed;
}

/* ---- what the reverse sweep reads ------------------------------------- */

/* Operand a is read by the reverse of an instruction in block `at`. */
static void need(Rev *r, Operand a, const IrBlock *at)
{
    if (a.kind != OK_VAR && a.kind != OK_REF)
        return;
    int id = a.var->id;
    PtrVec *at_list = &r->v[id].need_at;
    r->v[id].needed = true;
    for (int i = 0; i < at_list->len; i++)
        if (at_list->items[i] == at)
            return;
    vec_push(r->scratch, at_list, (void *)at);
}

/* Whether the reverse of `in` computes its result again rather than read
 * its variable: a variable defined more than once (the optimiser made
 * `s = a/p` define the variable that a later loop carries) holds, when the
 * reverse sweep gets there, a later value, unless the reverse restored it.
 * The operands do hold theirs, so a rule that reads the result (`/`, exp,
 * sqrt ...) gets it computed again from them; so does a store's. */
static bool result_recomputed(const Rev *r, const Instr *in)
{
    if (in->kind == I_OP && r->v[in->dst->id].ndefs < 2)
        return false;
    for (int i = 0; i < in->nargs; i++)
        if (in->kind == I_OP && ir_is_var(in->args[i], in->dst))
            die("reverse: %s reads the variable it defines", ir_ops[in->op].name);
    for (int i = 0; i < in->nargs; i++)
        if (deriv_differentiable(in->op, i) && deriv_uses_result(in->op, i))
            return true;
    return false;
}

/* The operands the derivative rules of `in` read (the reads column of
 * ops.def), for its active operands; a result computed again reads all. */
static void need_rule(Rev *r, const Instr *in)
{
    const IrBlock *at = block_of(in);
    unsigned reads = 0;
    for (int i = 0; i < in->nargs; i++) {
        Operand a = in->args[i];
        if (a.kind == OK_VAR && active(r, a.var) && deriv_differentiable(in->op, i))
            reads |= deriv_reads(in->op, i);
    }
    if ((reads & DERIV_READS_RESULT) && result_recomputed(r, in))
        reads |= (1u << in->nargs) - 1;
    else if (reads & DERIV_READS_RESULT)
        need(r, ir_v(in->dst), at);
    for (int i = 0; i < in->nargs; i++)
        if (reads & (1u << i))
            need(r, in->args[i], at);
}

static bool block_active(const Rev *r, const IrBlock *b);
static bool block_saves(const Rev *r, const IrBlock *b);
static void need_replay(Rev *r, const Instr *loop);

static bool instr_active(const Rev *r, const Instr *in)
{
    switch (in->kind) {
    case I_OP:
    case I_LOAD:
        return active(r, in->dst);
    case I_STORE:
        return active(r, in->arr);
    case I_CALL:
        if (in->dst && active(r, in->dst))
            return true;
        for (int k = 0; k < in->ncargs; k++)
            if (ir_call_writes(in, k) && active(r, in->cargs[k].var))
                return true;
        return false;
    case I_IF:
        return block_active(r, in->then) || (in->els && block_active(r, in->els));
    case I_FOR:
        return block_active(r, in->body);
    default:
        return false;
    }
}

static bool block_active(const Rev *r, const IrBlock *b)
{
    for (int i = 0; i < b->instrs.len; i++)
        if (instr_active(r, b->instrs.items[i]))
            return true;
    return false;
}

static void need_block(Rev *r, const IrBlock *b)
{
    for (int i = 0; i < b->instrs.len; i++) {
        const Instr *in = b->instrs.items[i];
        bool act = instr_active(r, in);
        switch (in->kind) {
        case I_OP:
            if (act)
                need_rule(r, in);
            break;
        case I_LOAD:
        case I_STORE:
            if (act) {
                for (int k = 0; k < in->arr->ndims; k++)
                    need(r, in->idx[k], b);
                if (in->kind == I_STORE)
                    need_rule(r, in);
            }
            break;
        case I_IF:
            if (act || block_saves(r, in->then) || (in->els && block_saves(r, in->els)))
                need(r, in->cond, b);
            need_block(r, in->then);
            if (in->els)
                need_block(r, in->els);
            break;
        case I_FOR:
            if (act || block_saves(r, in->body)) {
                need(r, in->lo, b);
                need(r, in->hi, b);
            }
            need_block(r, in->body);
            need_replay(r, in);
            break;
        case I_CALL:
            for (int k = 0; act && k < in->ncargs; k++) {
                const IrRow *row = ir_call_row(in, k);
                if (in->cargs[k].kind == OK_VAR && in->cargs[k].var->ndims == 0)
                    need(r, in->cargs[k], b);
                for (int j = 0; row && j < row->nfix; j++)
                    need(r, row->fix[j], b);
            }
            break;
        default:
            break;
        }
    }
}

static int needed_count(const Rev *r)
{
    int n = 0;
    for (int i = 0; i < r->nvars; i++)
        n += r->v[i].needed + r->v[i].need_at.len;
    return n;
}

/* Recomputing a value needs its operands, where it is recomputed. */
static void close_needed(Rev *r)
{
    bool changed = true;
    while (changed) {
        changed = false;
        for (int i = 0; i < r->nvars; i++) {
            if (!r->v[i].needed || !r->v[i].recompute || r->v[i].stash)
                continue;
            const Instr *d = r->v[i].def;
            const IrBlock *at = block_of(d);
            for (int k = 0; k < d->nargs + (d->kind == I_LOAD ? d->arr->ndims : 0); k++) {
                Operand a = k < d->nargs ? d->args[k] : d->idx[k - d->nargs];
                if (a.kind != OK_VAR || a.var->is_param)
                    continue;
                bool was = r->v[a.var->id].needed;
                int len = r->v[a.var->id].need_at.len;
                need(r, a, at);
                changed |= !was || r->v[a.var->id].need_at.len != len;
            }
        }
    }
}

/* The arrays each loop's iterations save: those of the loads it lets the
 * reverse sweep recompute and that the reverse sweep reads. */
static void choose_snapshots(Rev *r)
{
    r->snaps = ARENA_ARRAY(r->scratch, PtrVec, r->loops.len + 1);
    r->snap_at = ARENA_ARRAY(r->scratch, int *, r->loops.len + 1);
    for (int i = 0; i < r->nvars; i++) {
        if (!r->v[i].snap_loop || !r->v[i].recompute || !r->v[i].needed)
            continue;
        int k = 0;
        while (r->loops.items[k] != r->v[i].snap_loop)
            k++;
        IrVar *a = r->v[i].def->arr;
        bool have = false;
        for (int j = 0; j < r->snaps[k].len; j++)
            have |= r->snaps[k].items[j] == a;
        if (!have)
            vec_push(r->scratch, &r->snaps[k], a);
    }
}

static const PtrVec *snapshots_of(const Rev *r, const Instr *loop)
{
    for (int k = 0; k < r->loops.len; k++)
        if (r->loops.items[k] == loop)
            return &r->snaps[k];
    return NULL;
}

/* A definition whose overwritten value the reverse sweep restores: one in
 * a loop whose value is read in the reverse of that same loop (a value read
 * only after the loop needs no saving: the last one is there). */
static bool restored_def(const Rev *r, const Instr *in, const IrVar *v)
{
    if (!v || !r->v[v->id].needed || r->v[v->id].recompute || !block_in_loop(block_of(in)))
        return false;
    const PtrVec *at = &r->v[v->id].need_at;
    for (int i = 0; i < at->len; i++)
        if (ir_common_block(block_of(in), at->items[i])->in_loop)
            return true;
    return false;
}

static bool needed_inside(const Rev *r, const IrVar *v, const IrBlock *b)
{
    const PtrVec *at = &r->v[v->id].need_at;
    for (int i = 0; i < at->len; i++)
        if (ir_block_inside(at->items[i], b))
            return true;
    return false;
}

/* For a restored definition: the outermost loop around it in whose body
 * the reverse sweep never reads the variable, or NULL if its own loop
 * reads it. The values that loop's iterations overwrite are never read
 * again (the partial sums of `dist += ...`): only the one it found is,
 * after it, so that one is saved before the loop and restored after its
 * reverse, instead of one per iteration. */
static const Instr *save_loop(const Rev *r, const Instr *in, const IrVar *v)
{
    const Instr *loop = NULL;
    for (const IrBlock *b = block_of(in); b; b = b->parent) {
        if (!b->owner || b->owner->kind != I_FOR)
            continue;
        if (needed_inside(r, v, b))
            break;
        loop = b->owner;
    }
    return loop;
}

/* A definition that saves the value it overwrites, at every execution. */
static bool saved_def(const Rev *r, const Instr *in, const IrVar *v)
{
    if (v && r->v[v->id].replay_copy)
        return in == r->v[v->id].replay_copy;   /* popped by the reverse; the replay pushes it */
    return restored_def(r, in, v) && !save_loop(r, in, v);
}

static IrVar *def_of(const Instr *in)
{
    return in->kind == I_OP || in->kind == I_LOAD || in->kind == I_CALL ? in->dst : NULL;
}

/* Whether the value v holds when `loop` starts is restored anyway: the
 * last instruction before it that mentions v is a saved definition of v
 * (`dist = 0` before `for l { dist += ... }`), whose reverse reads no
 * value of v (v has several definitions: its result is computed again)
 * and restores the one before. */
static bool start_restored(const Rev *r, const Instr *loop, const IrVar *v)
{
    const PtrVec *list = &block_of(loop)->instrs;
    int i = 0;
    while (list->items[i] != loop)
        i++;
    while (--i >= 0) {
        const Instr *in = list->items[i];
        if (ir_names_within(in, v))
            return def_of(in) == v && saved_def(r, in, v);
    }
    return false;
}

static void collect_loop_saves(const Rev *r, const Instr *loop, const IrBlock *b, PtrVec *out,
                               Arena *arena)
{
    for (int i = 0; i < b->instrs.len; i++) {
        const Instr *in = b->instrs.items[i];
        IrVar *v = def_of(in);
        if (v && restored_def(r, in, v) && save_loop(r, in, v) == loop) {
            bool have = false;
            for (int k = 0; k < out->len; k++)
                have |= out->items[k] == v;
            if (!have && !start_restored(r, loop, v))
                vec_push(arena, out, v);
        }
        const IrBlock *nested[3] = {in->then, in->els, in->body};
        for (int k = 0; k < 3; k++)
            if (nested[k])
                collect_loop_saves(r, loop, nested[k], out, arena);
    }
}

/* The variables saved once around `loop` (see save_loop), in order. */
static PtrVec loop_saves(const Rev *r, const Instr *loop)
{
    PtrVec out = {0};
    collect_loop_saves(r, loop, loop->body, &out, r->scratch);
    return out;
}

/* Whether the forward sweep saves a value in b: then its reverse, though
 * it has no adjoint to propagate, restores those values in order (a loop
 * with nothing active that overwrites a value an active loop after it
 * reads). A save moved before a loop inside b counts; one moved before a
 * loop around b does not. */
static bool saves_within(const Rev *r, const IrBlock *b, const IrBlock *top)
{
    for (int i = 0; i < b->instrs.len; i++) {
        const Instr *in = b->instrs.items[i];
        IrVar *v = def_of(in);
        if (v && restored_def(r, in, v)) {
            const Instr *loop = save_loop(r, in, v);
            if (!loop || ir_block_inside(block_of(loop), top))
                return true;
        }
        if (in->kind == I_OP && stashed(r, in->dst))
            return true;
        const IrBlock *nested[3] = {in->then, in->els, in->body};
        for (int k = 0; k < 3; k++)
            if (nested[k] && saves_within(r, nested[k], top))
                return true;
    }
    return false;
}

static bool block_saves(const Rev *r, const IrBlock *b)
{
    return saves_within(r, b, b);
}

/* An array whose contents at `at` (a call reading it, a load) the reverse
 * sweep cannot find again in it: one written later, in order or by a
 * later iteration of a loop around `at`. */

/* ---- running extrema -------------------------------------------------- */

/* An operand that the sweeps can compute again anywhere in the iteration,
 * in a few instructions: a constant, a parameter, a loop index, an element
 * of an array nothing writes, an int operation, at such indices. */
static bool everywhere(const Rev *r, Operand e, int depth)
{
    if (e.kind == OK_REAL || e.kind == OK_INT)
        return true;
    if (e.kind != OK_VAR || e.var->ndims > 0 || depth > 3)
        return false;
    if (e.var->is_param)
        return true;
    const RevVar *rv = &r->v[e.var->id];
    const Instr *d = rv->def;
    if (rv->ndefs == 1 && d->kind == I_FOR)
        return true;
    if (!rv->recompute || rv->ndefs != 1 || rv->snap_loop)
        return false;
    if (d->kind == I_LOAD) {
        for (int k = 0; k < d->arr->ndims; k++)
            if (!everywhere(r, d->idx[k], depth + 1))
                return false;
        return true;
    }
    if (d->kind != I_OP || ir_ops[d->op].result != 'I')
        return false;
    for (int k = 0; k < d->nargs; k++)
        if (!everywhere(r, d->args[k], depth + 1))
            return false;
    return true;
}

/* Whether `in`, the copy closing a loop body that carries m (m = m2),
 * keeps a running extremum: m2 is m or one other value e, as in
 * `m = max(m, x[i])` or `if (x[i] > m) { m = x[i]; }`. Then the value m
 * overwrites is needed only where m2 is e: elsewhere it is m2 itself, so
 * the forward sweep saves it only there, and the reverse sweep, holding
 * m2, tells the two apart by comparing it with e again. With `if`, e may be
 * a NaN that the comparison let through: then it saves too (`guard`). */
static bool extremum(const Rev *r, const Instr *in, Operand *e, bool *guard)
{
    const IrBlock *b = block_of(in);
    if (in->kind != I_OP || in->op != OP_COPY || in->acc != ACC_SET || !is_loop_body(b) ||
        in->args[0].kind != OK_VAR || in->dst->type != IT_REAL)
        return false;
    int k = 0;
    while (b->instrs.items[k] != in)
        k++;
    if (k < carried_suffix(r, b))
        return false;
    const IrVar *m = in->dst, *m2 = in->args[0].var;
    if (m2 == m || m2->is_param)
        return false;
    const PtrVec *defs = &r->v[m->id].defs;
    for (int i = 0; i < defs->len; i++)
        if (defs->items[i] != in && ir_block_inside(block_of(defs->items[i]), b))
            return false;
    defs = &r->v[m2->id].defs;
    *e = (Operand){0};
    *guard = defs->len > 1;
    for (int i = 0; i < defs->len; i++) {
        const Instr *d = defs->items[i];
        if (d->kind != I_OP || d->acc != ACC_SET || !ir_block_inside(block_of(d), b) ||
            loop_between(block_of(d), b) || d->seq > in->seq)
            return false;
        Operand x;
        if (defs->len == 1 && (d->op == OP_MAX || d->op == OP_MIN)) {
            if (ir_is_var(d->args[0], m) == ir_is_var(d->args[1], m))
                return false;
            x = ir_is_var(d->args[0], m) ? d->args[1] : d->args[0];
        } else if (d->op == OP_COPY) {
            if (ir_is_var(d->args[0], m))
                continue;
            x = d->args[0];
        } else {
            return false;
        }
        if (e->kind != OK_NONE && !ir_same(*e, x))
            return false;
        *e = x;
    }
    return e->kind == OK_REAL || (e->kind == OK_VAR && e->var->type == IT_REAL && everywhere(r, *e, 0));
}

/* ---- replayed loops --------------------------------------------------- */

/* A value that a loop carries without a derivative, such as the running
 * power of a polynomial (`mul *= t`), is saved at every iteration when the
 * loop's reverse reads it: in a loop nest, one value per innermost
 * iteration. Instead, the reverse sweep can run the loop's iterations
 * again just before reversing it, computing only that value (and what it
 * depends on) and saving it then: the tape holds one execution of the loop
 * at a time, not all of them, and the forward sweep saves nothing for it.
 *
 * A carried value v, set at the end of loop L's body by the copy v = w, is
 * replayed when: it has no derivative; every read of it in the reverse
 * sweep is inside L's body; L's body writes it only by that copy; and w is
 * computed in L's body, at its top level, by operations (defined once,
 * there) from constants, parameters, L's index, v itself, and values
 * defined once outside L (which the reverse sweep then reads where L is).
 * L must not exit early, call, or save anything else (the replay's saves
 * must be the only ones between it and L's reverse); see replay_final. */

static bool defined_in(const Rev *r, const IrVar *u, const Instr *loop)
{
    const PtrVec *defs = &r->v[u->id].defs;
    for (int i = 0; i < defs->len; i++)
        if (ir_block_inside(block_of(defs->items[i]), loop->body))
            return true;
    return false;
}

static void mark_var(Rev *r, const IrVar *u)
{
    r->mark[u->id] = 1;
    vec_push(r->scratch, &r->marked, (void *)u);
}

static void clear_marks(Rev *r)
{
    for (int i = 0; i < r->marked.len; i++)
        r->mark[((const IrVar *)r->marked.items[i])->id] = 0;
    r->marked.len = 0;
}

/* The operands of an operation or a load (its indices). */
static int slice_nops(const Instr *d)
{
    return d->kind == I_LOAD ? d->arr->ndims : d->nargs;
}

static Operand slice_op(const Instr *d, int k)
{
    return d->kind == I_LOAD ? d->idx[k] : d->args[k];
}

/* Marks the values of L's iteration that operand a of v's chain needs;
 * false if the replay cannot compute a. */
static bool slice_operand(Rev *r, const Instr *loop, const IrVar *v, Operand a)
{
    if (a.kind == OK_REAL || a.kind == OK_INT)
        return true;
    if (a.kind != OK_VAR || a.var->ndims > 0)
        return false;
    const IrVar *u = a.var;
    if (u == v || u->is_param || u == loop->ivar)
        return true;
    if (!defined_in(r, u, loop))
        return r->v[u->id].ndefs == 1;
    const Instr *d = r->v[u->id].def;
    if (r->v[u->id].ndefs != 1 || block_of(d) != loop->body)
        return false;
    if (!(d->kind == I_OP && d->acc == ACC_SET) &&
        !(d->kind == I_LOAD && !array_written_after(r, d->arr, d, &d->idx[0])))
        return false;
    if (r->mark[u->id])
        return true;
    mark_var(r, u);
    for (int k = 0; k < slice_nops(d); k++)
        if (!slice_operand(r, loop, v, slice_op(d, k)))
            return false;
    return true;
}

/* Whether cp, a copy closing loop's body, carries a value the reverse
 * sweep can replay; marks its chain (clear_marks after). */
static bool replay_candidate(Rev *r, const Instr *loop, const Instr *cp)
{
    const IrVar *v = cp->dst;
    if (ir_exits_early(loop) || v->type != IT_REAL || v->ndims > 0 || active(r, v) ||
        !r->v[v->id].needed || cp->args[0].kind != OK_VAR)
        return false;
    const PtrVec *at = &r->v[v->id].need_at;
    for (int i = 0; i < at->len; i++)
        if (!ir_block_inside(at->items[i], loop->body))
            return false;
    const PtrVec *defs = &r->v[v->id].defs;
    for (int i = 0; i < defs->len; i++)
        if (defs->items[i] != cp && ir_block_inside(block_of(defs->items[i]), loop->body))
            return false;
    Operand e;
    bool guard;
    if (extremum(r, cp, &e, &guard))
        return false;                   /* saved only where it moves */
    const IrVar *w = cp->args[0].var;
    return defined_in(r, w, loop) && slice_operand(r, loop, v, cp->args[0]);
}

/* The replay reads the values its chains take from outside the loop where
 * the loop is, in the reverse sweep. */
static void need_replay(Rev *r, const Instr *loop)
{
    const IrBlock *body = loop->body;
    for (int i = carried_suffix(r, body); i < body->instrs.len; i++) {
        if (replay_candidate(r, loop, body->instrs.items[i])) {
            for (int j = 0; j < body->instrs.len; j++) {
                const Instr *in = body->instrs.items[j];
                if ((in->kind != I_OP && in->kind != I_LOAD) || !r->mark[in->dst->id])
                    continue;
                for (int k = 0; k < slice_nops(in); k++) {
                    Operand a = slice_op(in, k);
                    if (a.kind == OK_VAR && !a.var->is_param && a.var != loop->ivar &&
                        !defined_in(r, a.var, loop))
                        need(r, a, block_of(loop));
                }
            }
        }
        clear_marks(r);
    }
}

/* Whether loop's body (nested blocks too) saves anything but the values
 * it replays: a value restored, a costly one stashed, an array, a trip
 * count; or calls. */
static bool saves_other(const Rev *r, const Instr *loop, const IrBlock *b)
{
    for (int i = 0; i < b->instrs.len; i++) {
        const Instr *in = b->instrs.items[i];
        IrVar *v = def_of(in);
        if (in->kind == I_CALL || (in->kind == I_OP && stashed(r, in->dst)))
            return true;
        if (v && r->v[v->id].replay_copy && r->v[v->id].replay_copy->block->owner != loop)
            return true;                /* a loop inside replays */
        if (v && !r->v[v->id].replay_copy && restored_def(r, in, v)) {
            /* saved at every execution, or once around a loop inside */
            const Instr *once = save_loop(r, in, v);
            if (!once || ir_block_inside(block_of(once), loop->body))
                return true;
        }
        if (in->kind == I_FOR) {
            const PtrVec *snaps = snapshots_of(r, in);
            if (ir_exits_early(in) || (snaps && snaps->len > 0))
                return true;
        }
        const IrBlock *nested[3] = {in->then, in->els, in->body};
        for (int k = 0; k < 3; k++)
            if (nested[k] && saves_other(r, loop, nested[k]))
                return true;
    }
    return false;
}

/* Decides which loops replay (after the needs are known), innermost
 * first: a loop whose body holds a replayed loop does not replay. */
static void replay_final(Rev *r)
{
    for (int l = r->loops.len - 1; l >= 0; l--) {
        const Instr *loop = r->loops.items[l];
        const IrBlock *body = loop->body;
        const PtrVec *snaps = snapshots_of(r, loop);
        if (snaps && snaps->len > 0)
            continue;
        bool any = false;
        for (int i = carried_suffix(r, body); i < body->instrs.len; i++) {
            const Instr *cp = body->instrs.items[i];
            if (replay_candidate(r, loop, cp)) {
                r->v[cp->dst->id].replay_copy = cp;
                any = true;
            }
            clear_marks(r);
        }
        if (any && saves_other(r, loop, body))
            for (int i = carried_suffix(r, body); i < body->instrs.len; i++) {
                const Instr *cp = body->instrs.items[i];
                if (r->v[cp->dst->id].replay_copy == cp)
                    r->v[cp->dst->id].replay_copy = NULL;
            }
    }
}

/* The copies of the values loop replays, in order. */
static PtrVec replayed(const Rev *r, const Instr *loop)
{
    PtrVec out = {0};
    const IrBlock *body = loop->body;
    for (int i = carried_suffix(r, body); i < body->instrs.len; i++) {
        Instr *cp = body->instrs.items[i];
        if (r->v[cp->dst->id].replay_copy == cp)
            vec_push(r->scratch, &out, cp);
    }
    return out;
}

/* The constant v is set to just before loop (`mul = 1` before `for j`),
 * if it is: then the replay sets it, and nothing saves v's value there. */
static bool entry_constant(const Instr *loop, const IrVar *v, Operand *c)
{
    const PtrVec *list = &block_of(loop)->instrs;
    int i = 0;
    while (list->items[i] != loop)
        i++;
    while (--i >= 0) {
        const Instr *in = list->items[i];
        if (!ir_names_within(in, v))
            continue;
        if (in->kind == I_OP && in->op == OP_COPY && in->acc == ACC_SET && in->dst == v &&
            (in->args[0].kind == OK_REAL || in->args[0].kind == OK_INT)) {
            *c = in->args[0];
            return true;
        }
        return false;
    }
    return false;
}

/* ---- building the reverse sweep --------------------------------------- */

static IrBlock *cur_block(const Rev *r)
{
    return r->open[r->nopen - 1].rev;
}

static Instr *emit_in(Rev *r, IrBlock *b, InstrKind kind, Span at)
{
    Instr *in = ir_instr(r->cx, kind, at);
    ir_append(r->cx, b, in);
    return in;
}

static Instr *emit(Rev *r, IrBlock *b, IrVar *dst, AccMode acc, Opcode op, int n, const Operand *args)
{
    Instr *in = emit_in(r, b, I_OP, (Span){0});
    in->op = op;
    in->acc = acc;
    in->dst = dst;
    in->nargs = n;
    for (int i = 0; i < n; i++)
        in->args[i] = args[i];
    return in;
}

static Operand map_fn(void *data, Operand a);

static IrVar *new_like(Rev *r, const IrVar *shape, const char *name)
{
    return ir_var_like(r->cx, r->g, shape, name, map_fn, r);
}

static IrVar *adjoint(Rev *r, const IrVar *pv)
{
    if (!r->v[pv->id].adj) {
        IrVar *a = new_like(r, pv, NULL);
        a->adj_of = r->v[pv->id].map;
        r->v[pv->id].adj = a;
    }
    return r->v[pv->id].adj;
}

/* Gives pv's adjoint its zero where it lives, if nothing has yet. */
static void ensure_init(Rev *r, const IrVar *pv)
{
    if (r->v[pv->id].init)
        return;
    const IrBlock *home = home_of(r, pv);
    IrBlock *at = r->open[0].rev;
    for (int k = r->nopen - 1; k >= 0; k--) {
        if (r->open[k].primal == home) {
            at = r->open[k].rev;
            break;
        }
    }
    if (pv->ndims > 0) {
        emit_in(r, at, I_FILL, (Span){0})->arr = adjoint(r, pv);
    } else {
        Operand zero = ir_real(0);
        emit(r, at, adjoint(r, pv), ACC_SET, OP_COPY, 1, &zero);
    }
    r->v[pv->id].init = true;
}

/* adj(pv) += c. The first contribution, made where the adjoint lives,
 * defines it instead. */
static void accumulate(Rev *r, const IrVar *pv, Contrib c, Span at)
{
    if (c.none)
        return;
    IrBlock *b = cur_block(r);
    IrVar *d = adjoint(r, pv);
    Instr *in;
    if (!r->v[pv->id].init && home_of(r, pv) == r->open[r->nopen - 1].primal) {
        r->v[pv->id].init = true;
        if (c.negate && c.op != OP_COPY) {
            IrVar *t = ir_var(r->cx, r->g, NULL, IT_REAL);
            emit(r, b, t, ACC_SET, c.op, c.nargs, c.args)->span = at;
            Operand v = ir_v(t);
            in = emit(r, b, d, ACC_SET, OP_NEG, 1, &v);
        } else {
            in = emit(r, b, d, ACC_SET, c.negate ? OP_NEG : c.op, c.nargs, c.args);
        }
    } else {
        ensure_init(r, pv);
        in = emit(r, b, d, c.negate ? ACC_SUB : ACC_ADD, c.op, c.nargs, c.args);
    }
    in->span = at;
}

/* adj(arr)[idx] += c */
static void accumulate_element(Rev *r, const IrVar *arr, const Operand *idx, Contrib c, Span at)
{
    if (c.none)
        return;
    ensure_init(r, arr);
    Instr *in = emit_in(r, cur_block(r), I_STORE, at);
    in->arr = adjoint(r, arr);
    ir_index_slots(r->cx, in);
    memcpy(in->idx, idx, sizeof(Operand) * (size_t)arr->ndims);
    in->op = c.op;
    in->acc = c.negate ? ACC_SUB : ACC_ADD;
    in->nargs = c.nargs;
    memcpy(in->args, c.args, sizeof in->args);
}

static Operand map_operand(const Rev *r, Operand a)
{
    if (a.kind == OK_VAR || a.kind == OK_REF)
        a.var = r->v[a.var->id].map;
    return a;
}

static Operand map_fn(void *data, Operand a)
{
    return map_operand(data, a);
}

/* A row of a call's argument, in the derived function. */
static IrRow *map_row(const Rev *r, const IrRow *row)
{
    return ir_map_row(r->cx, row, map_fn, (void *)r);
}

static void map_indices(const Rev *r, const Instr *in, Operand *out)
{
    memset(out, 0, sizeof(Operand) * IR_MAX_DIMS);
    for (int k = 0; k < in->arr->ndims; k++)
        out[k] = map_operand(r, in->idx[k]);
}

/* e (see everywhere), computed afresh at the end of block b. */
static Operand emit_everywhere(Rev *r, IrBlock *b, Operand e)
{
    if (e.kind != OK_VAR || e.var->is_param || r->v[e.var->id].def->kind == I_FOR)
        return map_operand(r, e);
    const Instr *d = r->v[e.var->id].def;
    Operand ops[IR_MAX_DIMS + IR_MAX_ARGS];
    int n = d->kind == I_LOAD ? d->arr->ndims : d->nargs;
    for (int k = 0; k < n; k++)
        ops[k] = emit_everywhere(r, b, d->kind == I_LOAD ? d->idx[k] : d->args[k]);
    Instr *c = ir_clone_instr(r->cx, d, map_fn, r, false);
    for (int k = 0; k < n; k++)
        *(d->kind == I_LOAD ? &c->idx[k] : &c->args[k]) = ops[k];
    c->note = NULL;
    c->dst = clone_var(r, e.var);
    ir_append(r->cx, b, c);
    return ir_v(c->dst);
}

/* `m2 == e` (or e is NaN), in b: where the extremum moved. */
static Operand moved(Rev *r, IrBlock *b, Operand m2, Operand e, bool guard, Span at, bool fwd)
{
    /* the forward sweep still holds e where the loop body computed it */
    bool held = fwd && e.kind == OK_VAR && !e.var->is_param && is_loop_body(block_of(r->v[e.var->id].def));
    Operand ev = held ? map_operand(r, e) : emit_everywhere(r, b, e);
    IrVar *c = ir_var(r->cx, r->g, NULL, IT_BOOL);
    Operand a[2] = {m2, ev};
    emit(r, b, c, ACC_SET, OP_EQ, 2, a)->span = at;
    if (!guard)
        return ir_v(c);
    IrVar *nan = ir_var(r->cx, r->g, NULL, IT_BOOL);
    Operand n[2] = {ev, ev};
    emit(r, b, nan, ACC_SET, OP_NE, 2, n)->span = at;
    IrVar *either = ir_var(r->cx, r->g, NULL, IT_BOOL);
    Operand o[2] = {ir_v(c), ir_v(nan)};
    emit(r, b, either, ACC_SET, OP_OR, 2, o)->span = at;
    return ir_v(either);
}

/* The forward sweep's `if (m2 == e) push(m)` before the copy `in`. */
static void push_extremum(Rev *r, IrBlock *out, const Instr *in, Operand e, bool guard)
{
    Instr *cond = ir_instr(r->cx, I_IF, in->span);
    cond->cond = moved(r, out, map_operand(r, in->args[0]), e, guard, in->span, true);
    cond->then = ir_block(r->cx);
    Instr *push = emit_in(r, cond->then, I_PUSH, in->span);
    push->nargs = 1;
    push->args[0] = ir_v(r->v[in->dst->id].map);
    push->per = 2;
    ir_append(r->cx, out, cond);
}

/* The reverse sweep's `if (m == e) m = pop()`: m holds what the copy gave it. */
static void pop_extremum(Rev *r, const Instr *in, Operand e, bool guard)
{
    IrBlock *b = cur_block(r);
    Instr *cond = ir_instr(r->cx, I_IF, in->span);
    cond->cond = moved(r, b, ir_v(r->v[in->dst->id].map), e, guard, in->span, false);
    cond->then = ir_block(r->cx);
    emit_in(r, cond->then, I_POP, in->span)->dst = r->v[in->dst->id].map;
    ir_append(r->cx, b, cond);
}

static void describe(const Rev *r, Buf *o, Operand a, int depth, int min);

/* Appends to b a copy of `in` (an operation or load of the primal) into a
 * fresh variable, which stands for in's result until restore_maps. */
static void compute_again(Rev *r, const Instr *in, IrBlock *b, PtrVec *remapped)
{
    Instr *out = ir_clone_instr(r->cx, in, map_fn, r, false);
    out->note = NULL;
    out->dst = clone_var(r, in->dst);
    vec_push(r->scratch, remapped, in->dst);
    vec_push(r->scratch, &r->saved_maps, r->v[in->dst->id].map);
    r->v[in->dst->id].map = out->dst;
    ir_append(r->cx, b, out);
}

/* Undoes compute_again's mappings made since saved_maps had `mark` entries. */
static void restore_maps(Rev *r, const PtrVec *remapped, int mark)
{
    for (int i = remapped->len - 1; i >= 0; i--) {
        const IrVar *v = remapped->items[i];
        r->v[v->id].map = r->saved_maps.items[mark + i];
    }
    r->saved_maps.len = mark;
}

static Instr *pop_into(Rev *r, IrVar *pv, Span at)
{
    Instr *pop = emit_in(r, cur_block(r), I_POP, at);
    pop->dst = r->v[pv->id].map;
    return pop;
}

/* "mul", "mul, q": the values a loop replays. */
static const char *replay_names(Rev *r, const PtrVec *cps)
{
    Buf o;
    buf_init(&o);
    for (int i = 0; i < cps->len; i++) {
        const Instr *cp = cps->items[i];
        if (o.len)
            buf_puts(&o, ", ");
        describe(r, &o, ir_v(cp->dst), 0, 0);
    }
    const char *s = arena_printf(r->cx->arena, "%s", o.data);
    buf_free(&o);
    return s;
}

/* Before the reverse of loop: its replay (see replayed loops). The values
 * start as they did (set again, or popped), and each iteration computes
 * their chains into fresh variables and saves them as the forward sweep
 * would have, for the reverse iterations to pop. */
static void emit_replay(Rev *r, const Instr *loop, const PtrVec *cps)
{
    IrBlock *b = cur_block(r);
    for (int i = cps->len - 1; i >= 0; i--) {
        const Instr *cp = cps->items[i];
        Operand c;
        if (entry_constant(loop, cp->dst, &c))
            emit(r, b, r->v[cp->dst->id].map, ACC_SET, OP_COPY, 1, &c)->span = loop->span;
        else
            pop_into(r, cp->dst, loop->span);
    }
    for (int i = 0; i < cps->len; i++)
        if (!replay_candidate(r, loop, cps->items[i]))
            die("reverse: the replay of a loop of line %d was lost", loop->span.line);
    Instr *rep = ir_instr(r->cx, I_FOR, loop->span);
    rep->ivar = r->v[loop->ivar->id].map;
    rep->lo = map_operand(r, loop->lo);
    rep->hi = map_operand(r, loop->hi);
    rep->body = ir_block(r->cx);
    PtrVec remapped = {0};
    int mark = r->saved_maps.len;
    const IrBlock *body = loop->body;
    for (int i = 0; i < body->instrs.len; i++) {
        const Instr *in = body->instrs.items[i];
        if ((in->kind != I_OP && in->kind != I_LOAD) || !r->mark[in->dst->id])
            continue;
        compute_again(r, in, rep->body, &remapped);
    }
    clear_marks(r);
    for (int i = 0; i < cps->len; i++) {
        const Instr *cp = cps->items[i];
        Instr *push = emit_in(r, rep->body, I_PUSH, cp->span);
        push->nargs = 1;
        push->args[0] = ir_v(r->v[cp->dst->id].map);
        push->per = 1;          /* a value of the iteration for the reverse: fuse.c may pair it */
        Operand w = map_operand(r, cp->args[0]);
        emit(r, rep->body, r->v[cp->dst->id].map, ACC_SET, OP_COPY, 1, &w)->span = cp->span;
    }
    restore_maps(r, &remapped, mark);
    Instr *res = emit_in(r, b, I_RESERVE, loop->span);
    res->lo = rep->lo;
    res->hi = rep->hi;
    res->per = cps->len;
    rep->note = arena_printf(r->cx->arena, "the loop of line %d again, forwards, for the values of "
                             "%s that its reverse reads", loop->span.line, replay_names(r, cps));
    ir_append(r->cx, b, rep);
}

/* The contributions of operation `in` with the given seed. */
static void contribute(Rev *r, const Instr *in, Operand seed, bool negate)
{
    Operand args[IR_MAX_ARGS];
    for (int i = 0; i < in->nargs; i++)
        args[i] = map_operand(r, in->args[i]);
    Operand res = in->kind == I_OP ? ir_v(r->v[in->dst->id].map) : (Operand){0};
    bool reads_res = false;
    for (int i = 0; i < in->nargs; i++)
        reads_res |= in->args[i].kind == OK_VAR && active(r, in->args[i].var) &&
                     deriv_differentiable(in->op, i) && deriv_uses_result(in->op, i);
    if (reads_res && result_recomputed(r, in)) {
        IrVar *t = ir_var(r->cx, r->g, NULL, IT_REAL);
        emit(r, cur_block(r), t, ACC_SET, in->op, in->nargs, args)->span = in->span;
        res = ir_v(t);
    }
    DerivCx dc = {r->cx, r->g, cur_block(r), in->span};
    for (int i = 0; i < in->nargs; i++) {
        const Operand a = in->args[i];
        if (a.kind != OK_VAR || !active(r, a.var) || !deriv_differentiable(in->op, i))
            continue;
        Contrib c = deriv_contrib(&dc, in->op, args, res, i, seed);
        if (negate)
            c.negate = !c.negate;
        accumulate(r, a.var, c, in->span);
    }
}

static void rev_op(Rev *r, const Instr *in)
{
    const IrVar *pv = in->dst;
    if (active(r, pv) && r->v[pv->id].init) {
        IrVar *d = adjoint(r, pv);
        contribute(r, in, ir_v(d), in->acc == ACC_SUB);
        /* a variable that a loop overwrites (carried) starts afresh before */
        if (in->acc == ACC_SET && loop_between(block_of(in), home_of(r, pv))) {
            Operand zero = ir_real(0);
            emit(r, cur_block(r), d, ACC_SET, OP_COPY, 1, &zero);
        }
    }
}

static void rev_load(Rev *r, const Instr *in)
{
    const IrVar *pv = in->dst;
    if (!active(r, pv) || !r->v[pv->id].init || !active(r, in->arr))
        return;
    Operand idx[IR_MAX_DIMS];
    map_indices(r, in, idx);
    Contrib c = {.op = OP_COPY, .nargs = 1, .args = {ir_v(adjoint(r, pv))}};
    accumulate_element(r, in->arr, idx, c, in->span);
}

/* arr[idx] acc= op(args): the element's adjoint is the seed; a plain
 * store then clears it (the old value did not reach the result). */
static void rev_store(Rev *r, const Instr *in)
{
    if (!active(r, in->arr) || !r->v[in->arr->id].init)
        return;
    Operand idx[IR_MAX_DIMS];
    map_indices(r, in, idx);
    IrVar *seed = ir_var(r->cx, r->g, NULL, IT_REAL);
    Instr *ld = emit_in(r, cur_block(r), I_LOAD, in->span);
    ld->dst = seed;
    ld->arr = adjoint(r, in->arr);
    ir_index_slots(r->cx, ld);
    memcpy(ld->idx, idx, sizeof(Operand) * (size_t)in->arr->ndims);
    contribute(r, in, ir_v(seed), in->acc == ACC_SUB);
    if (in->acc == ACC_SET) {
        Instr *st = emit_in(r, cur_block(r), I_STORE, in->span);
        st->arr = adjoint(r, in->arr);
        ir_index_slots(r->cx, st);
        memcpy(st->idx, idx, sizeof(Operand) * (size_t)in->arr->ndims);
        st->op = OP_COPY;
        st->nargs = 1;
        st->args[0] = ir_real(0);
    }
}

/* arr = 0 everywhere: the values it overwrote had no effect, so their
 * adjoints start afresh (an inlined call's zero-filled out array, an
 * array declared in a loop). The declaration's own fill, where the array
 * lives, has nothing before it to clear. */
static void rev_fill(Rev *r, const Instr *in)
{
    const IrVar *a = in->arr;
    if (!active(r, a) || !r->v[a->id].init)
        return;
    if (r->v[a->id].defs.items[0] == in && block_of(in) == home_of(r, a))
        return;
    emit_in(r, cur_block(r), I_FILL, in->span)->arr = adjoint(r, a);
}

static void rev_block(Rev *r, const IrBlock *pb, IrBlock *rb);

static void rev_if(Rev *r, const Instr *in)
{
    IrBlock *then = ir_block(r->cx), *els = ir_block(r->cx);
    rev_block(r, in->then, then);
    if (in->els)
        rev_block(r, in->els, els);
    if (then->instrs.len == 0 && els->instrs.len == 0)
        return;
    Instr *out = ir_instr(r->cx, I_IF, in->span);
    out->cond = map_operand(r, in->cond);
    out->then = then;
    out->els = els->instrs.len ? els : NULL;
    if (then->instrs.len == 0) {
        IrVar *nc = ir_var(r->cx, r->g, NULL, IT_BOOL);
        emit(r, cur_block(r), nc, ACC_SET, OP_NOT, 1, &out->cond)->span = in->span;
        out->cond = ir_v(nc);
        out->then = els;
        out->els = NULL;
    }
    ir_append(r->cx, cur_block(r), out);
}

static void mention_var(bool *seen, const IrVar *v)
{
    if (v)
        seen[v->id] = true;
}

static void mention_operands(bool *seen, const Operand *a, int n)
{
    for (int i = 0; i < n; i++)
        if (a[i].kind == OK_VAR || a[i].kind == OK_REF)
            seen[a[i].var->id] = true;
}

/* Every variable a block reads or writes. */
static void mentions(const IrBlock *b, bool *seen)
{
    for (int i = 0; i < b->instrs.len; i++) {
        const Instr *in = b->instrs.items[i];
        mention_var(seen, in->dst);
        mention_var(seen, in->arr);
        mention_operands(seen, in->args, in->nargs);
        mention_operands(seen, in->cargs, in->ncargs);
        if (in->then)
            mentions(in->then, seen);
        if (in->els)
            mentions(in->els, seen);
        if (in->body)
            mentions(in->body, seen);
    }
}

/* The trip count of a loop that may exit early (a while loop, a for loop
 * left by break), as its forward run counted it, or NULL. */
static IrVar *trips_of(const Rev *r, const Instr *loop)
{
    for (int i = 0; i + 1 < r->trips.len; i += 2)
        if (r->trips.items[i] == loop)
            return r->trips.items[i + 1];
    return NULL;
}

/* The reverse sweep of a loop that may exit early runs exactly the
 * iterations that ran, lo .. lo + trips backwards. The forward sweep counts
 * them; in a loop, it saves each run's count on the tape after the run,
 * and the reverse sweep takes it back just before reversing that run. */
static Operand trip_bound(Rev *r, const Instr *loop, Operand lo)
{
    IrVar *trips = ir_var(r->cx, r->g, "trips", IT_INT);
    vec_push(r->scratch, &r->trips, (void *)loop);
    vec_push(r->scratch, &r->trips, trips);
    if (block_in_loop(block_of(loop)))
        emit_in(r, cur_block(r), I_POP, loop->span)->dst = trips;
    if (lo.kind == OK_INT && lo.ival == 0)
        return ir_v(trips);
    IrVar *hi = ir_var(r->cx, r->g, NULL, IT_INT);
    Operand args[2] = {lo, ir_v(trips)};
    emit(r, cur_block(r), hi, ACC_SET, OP_IADD, 2, args)->span = loop->span;
    return ir_v(hi);
}

/* The loop backwards. The adjoint of a value that lives outside the loop
 * and is used inside it flows from one iteration to the next (a carried
 * scalar, an array written and read): it gets its zero before the loop, so
 * that every iteration adds into it. */
static void rev_for(Rev *r, const Instr *in)
{
    bool act = instr_active(r, in);
    if (!act && !block_saves(r, in->body))
        return;
    bool *seen = ARENA_ARRAY(r->scratch, bool, r->nvars);
    mentions(in->body, seen);
    for (int i = 0; act && i < r->nvars; i++) {
        const IrVar *v = r->p->vars.items[i];
        if (seen[i] && active(r, v) && !ir_block_inside(home_of(r, v), in->body))
            ensure_init(r, v);
    }
    IrBlock *body = ir_block(r->cx);
    rev_block(r, in->body, body);
    if (body->instrs.len == 0)
        return;
    Instr *out = ir_instr(r->cx, I_FOR, in->span);
    out->note = arena_printf(r->cx->arena, "the loop of line %d, backwards", in->span.line);
    out->ivar = r->v[in->ivar->id].map;
    out->lo = map_operand(r, in->lo);
    out->hi = ir_exits_early(in) ? trip_bound(r, in, out->lo) : map_operand(r, in->hi);
    out->body = body;
    out->down = true;
    PtrVec cps = replayed(r, in);
    if (cps.len)
        emit_replay(r, in, &cps);
    ir_append(r->cx, cur_block(r), out);
}

static IrVar *dummy(Rev *r)
{
    if (!r->dummy) {
        r->dummy = ir_var(r->cx, r->g, "unused", IT_REAL);
        Instr *in = ir_instr(r->cx, I_OP, (Span){0});
        in->op = OP_COPY;
        in->dst = r->dummy;
        in->nargs = 1;
        in->args[0] = ir_real(0);
        vec_insert(r->cx->arena, &r->open[0].rev->instrs, 0, in);
    }
    return r->dummy;
}

/* A call: the callee's reverse helper adds the seeds times its Jacobian
 * into the adjoints of the arguments; the outputs it wrote start afresh. */
static void rev_call(Rev *r, const Instr *in)
{
    if (!instr_active(r, in))
        return;
    for (int k = in->ncargs - 1; k >= 0; k--)
        if (in->cargs[k].kind == OK_VAR && in->cargs[k].var->ndims > 0 && !ir_call_writes(in, k) &&
            array_written_after(r, in->cargs[k].var, in, first_of(ir_call_row(in, k)))) {
            Instr *pop = emit_in(r, cur_block(r), I_POPA, in->span);
            pop->arr = r->v[in->cargs[k].var->id].map;
            pop->row = map_row(r, ir_call_row(in, k));
        }
    IrFunc *rev = ad_rev_helper(r->cx, in->callee);
    Instr *out = ir_instr(r->cx, I_CALL, in->span);
    out->callee = rev;
    out->ncargs = rev->params.len;
    out->cargs = ARENA_ARRAY(r->cx->arena, Operand, out->ncargs);
    int k = 0;
    for (int i = 0; i < in->ncargs; i++)
        if (!ir_call_writes(in, i)) {
            out->cargs[k] = map_operand(r, in->cargs[i]);
            ir_set_call_row(r->cx, out, k++, map_row(r, ir_call_row(in, i)));
        }
    if (in->callee->returns) {
        if (in->dst && active(r, in->dst) && r->v[in->dst->id].init)
            out->cargs[k++] = ir_v(adjoint(r, in->dst));
        else
            out->cargs[k++] = ir_real(0);       /* only outputs matter */
    }
    for (int i = 0; i < in->ncargs; i++) {
        if (!ir_call_writes(in, i))
            continue;
        const IrVar *a = in->cargs[i].var;
        if (active(r, a)) {
            ensure_init(r, a);
            out->cargs[k] = ir_v(adjoint(r, a));
            ir_set_call_row(r->cx, out, k++, map_row(r, ir_call_row(in, i)));
        } else {
            out->cargs[k++] = (Operand){.kind = OK_NULL};
        }
    }
    for (int i = 0; i < in->ncargs; i++) {
        const IrVar *p = in->callee->params.items[i];
        if (!differentiated(p, true))
            continue;
        Operand a = in->cargs[i];
        bool act = a.kind == OK_VAR && active(r, a.var);
        if (act)
            ensure_init(r, a.var);
        if (p->ndims > 0 && act) {
            out->cargs[k] = ir_v(adjoint(r, a.var));
            ir_set_call_row(r->cx, out, k++, map_row(r, ir_call_row(in, i)));
        } else if (p->ndims > 0)
            out->cargs[k++] = (Operand){.kind = OK_NULL};
        else
            out->cargs[k++] = ir_ref(act ? adjoint(r, a.var) : dummy(r));
    }
    if (k != out->ncargs)
        die("reverse: call to %s has %d arguments, expected %d", rev->name, k, out->ncargs);
    ir_append(r->cx, cur_block(r), out);
    /* the call overwrote its outputs: their old values had no effect */
    for (int i = 0; i < in->ncargs; i++)
        if (ir_call_writes(in, i) && active(r, in->cargs[i].var))
            ir_fill(r->cx, r->g, cur_block(r), in->span, adjoint(r, in->cargs[i].var),
                    map_row(r, ir_call_row(in, i)));
}

static void rev_instr(Rev *r, const Instr *in)
{
    switch (in->kind) {
    case I_OP:
        rev_op(r, in);
        break;
    case I_LOAD:
        rev_load(r, in);
        break;
    case I_STORE:
        rev_store(r, in);
        break;
    case I_FILL:
        rev_fill(r, in);
        break;
    case I_IF:
        rev_if(r, in);
        break;
    case I_FOR:
        rev_for(r, in);
        break;
    case I_CALL:
        rev_call(r, in);
        break;
    default:
        break;
    }
    IrVar *v = def_of(in);
    Operand e;
    bool guard;
    if (saved_def(r, in, v) && extremum(r, in, &e, &guard))
        pop_extremum(r, in, e, guard);
    else if (saved_def(r, in, v) && r->v[v->id].replay_copy == in)
        pop_into(r, v, in->span)->per = 1;     /* pushed by the replay: a pair (fuse.c) */
    else if (saved_def(r, in, v))
        pop_into(r, v, in->span);
    if (in->kind == I_FOR) {
        PtrVec once = loop_saves(r, in);
        for (int k = once.len - 1; k >= 0; k--)
            pop_into(r, once.items[k], in->span);
    }
}

/* In a loop, the values the reverse sweep recomputes are recomputed when it
 * enters their block, in their original order, into fresh variables of the
 * reverse block (the forward ones have moved on); before them, those saved
 * instead (stashed) are popped, last pushed first. Returns the primal
 * variables remapped, for rev_block to map back. */
static void recompute_block(Rev *r, const IrBlock *pb, PtrVec *remapped)
{
    if (!block_in_loop(pb))
        return;
    /* the saved ones first, last saved first */
    for (int i = pb->instrs.len - 1; i >= 0; i--) {
        const Instr *in = pb->instrs.items[i];
        if (in->kind != I_OP || !stashed(r, in->dst))
            continue;
        /* into the variable pushed (only this iteration reads it), so
           that forward mode over this sweep pairs their tangents */
        Instr *pop = emit_in(r, cur_block(r), I_POP, in->span);
        pop->dst = r->v[in->dst->id].map;
        pop->per = 1;
    }
    for (int i = 0; i < pb->instrs.len; i++) {
        const Instr *in = pb->instrs.items[i];
        if ((in->kind != I_OP && in->kind != I_LOAD) || !r->v[in->dst->id].recompute ||
            !r->v[in->dst->id].needed || r->v[in->dst->id].stash)
            continue;
        compute_again(r, in, cur_block(r), remapped);
    }
}

/* The snapshots a loop's iteration takes before (forward sweep) or
 * restores after (reverse sweep) statement i of its body b: the arrays
 * whose first writer it is (first_writer), in the order saved. NULL when
 * b is no loop body or the loop does not take part in the sweep. */
static const PtrVec *snapshots_at(Rev *r, const IrBlock *b, int i, PtrVec *at)
{
    const Instr *loop = b->owner;
    if (!is_loop_body(b) || !instr_active(r, loop))
        return NULL;
    int l = 0;
    while (l < r->loops.len && r->loops.items[l] != loop)
        l++;
    const PtrVec *snaps = l < r->loops.len ? &r->snaps[l] : NULL;
    if (!snaps || snaps->len == 0)
        return at;
    if (!r->snap_at[l]) {
        r->snap_at[l] = ARENA_ARRAY(r->scratch, int, snaps->len);
        for (int k = 0; k < snaps->len; k++)
            r->snap_at[l][k] = first_writer(loop, snaps->items[k]);
    }
    for (int k = 0; k < snaps->len; k++)
        if (r->snap_at[l][k] == i)
            vec_push(r->scratch, at, snaps->items[k]);
    return at;
}

static void rev_block(Rev *r, const IrBlock *pb, IrBlock *rb)
{
    if (r->nopen == r->capopen) {
        int cap = r->capopen ? r->capopen * 2 : 16;
        Open *o = ARENA_ARRAY(r->scratch, Open, cap);
        if (r->nopen)
            memcpy(o, r->open, sizeof *o * (size_t)r->nopen);
        r->open = o;
        r->capopen = cap;
    }
    r->open[r->nopen++] = (Open){pb, rb};
    int n = pb->instrs.len;
    int suffix = is_loop_body(pb) ? carried_suffix(r, pb) : n;
    for (int i = n - 1; i >= suffix; i--)
        rev_instr(r, pb->instrs.items[i]);
    PtrVec remapped = {0};
    int mark = r->saved_maps.len;
    recompute_block(r, pb, &remapped);
    for (int i = suffix - 1; i >= 0; i--) {
        rev_instr(r, pb->instrs.items[i]);
        /* the arrays as the iteration found them, for what comes before */
        PtrVec taken = {0};
        if (snapshots_at(r, pb, i, &taken))
            for (int k = taken.len - 1; k >= 0; k--)
                emit_in(r, rb, I_POPA, i ? ((const Instr *)pb->instrs.items[i])->span : pb->owner->span)->arr =
                    r->v[((IrVar *)taken.items[k])->id].map;
    }
    restore_maps(r, &remapped, mark);
    r->nopen--;
}

/* ---- the forward sweep ------------------------------------------------ */

static IrBlock *clone_block(Rev *r, const IrBlock *b, Operand *ret);

static Instr *clone_instr(Rev *r, const Instr *in)
{
    Instr *out = ir_clone_instr(r->cx, in, map_fn, r, false);
    if (in->then)
        out->then = clone_block(r, in->then, NULL);
    if (in->els)
        out->els = clone_block(r, in->els, NULL);
    if (in->body)
        out->body = clone_block(r, in->body, NULL);
    return out;
}

/* Pushes in this block, not counting nested loops (they reserve their own). */
static int count_pushes(const IrBlock *b)
{
    int n = 0;
    for (int i = 0; i < b->instrs.len; i++) {
        const Instr *in = b->instrs.items[i];
        n += in->kind == I_PUSH && in->per != 2;   /* not those of extrema: few */
        if (in->kind == I_IF)
            n += count_pushes(in->then) + (in->els ? count_pushes(in->els) : 0);
    }
    return n;
}

/* Names, into o, of the arrays this block saves whole for a call that
 * reads them (not the snapshots at the start of an iteration), nested
 * loops not counted: "p, H". */
static void pushed_arrays(const IrBlock *b, Buf *o)
{
    for (int i = 0; i < b->instrs.len; i++) {
        const Instr *in = b->instrs.items[i];
        if (in->kind == I_PUSHA && in->per == 0)
            buf_printf(o, "%s%s%s%s", o->len ? ", " : "", in->row ? "a row of " : "",
                       in->arr->name ? in->arr->name : "an array", in->row ? "" : " whole");
        if (in->kind == I_IF) {
            pushed_arrays(in->then, o);
            if (in->els)
                pushed_arrays(in->els, o);
        }
    }
}

/* The note of a loop whose trip count is known only when it has run. */
static const char *early_exit_note(Rev *r, const char *saves)
{
    return arena_printf(r->cx->arena, "%s; the trip count is only known at run time (while or "
                        "break): the tape grows as the loop runs, and the count is kept for the "
                        "reverse sweep", saves);
}

/* trips = 0; the loop, each iteration adding 1 to trips; and, in a loop,
 * trips saved for the reverse of this run (trip_bound). */
static void count_trips(Rev *r, IrBlock *out, Instr *loop, IrVar *trips, bool save)
{
    Operand zero = ir_int(0), inc[2] = {ir_v(trips), ir_int(1)};
    emit(r, out, trips, ACC_SET, OP_COPY, 1, &zero)->span = loop->span;
    emit(r, loop->body, trips, ACC_SET, OP_IADD, 2, inc)->span = loop->span;
    ir_append(r->cx, out, loop);
    if (save) {
        Instr *push = emit_in(r, out, I_PUSH, loop->span);
        push->nargs = 1;
        push->args[0] = ir_v(trips);
    }
}

/* Binding strength of an operation as the source writes it. */
static int precedence(const OpInfo *op)
{
    if (op->form == PREFIX)
        return 3;
    if (op->form != INFIX)
        return 4;
    return strchr("*/%", op->cname[0]) ? 2 : strchr("+-", op->cname[0]) ? 1 : 0;
}

/* The source expression that computed primal value a, as far as the IR
 * still shows it: "exp(x[i] - mx)". For the comments above loops; an
 * operand binding less tightly than `min` gets brackets. */
static void describe(const Rev *r, Buf *o, Operand a, int depth, int min)
{
    char num[40];
    if (a.kind == OK_REAL || a.kind == OK_INT) {
        if (a.kind == OK_INT)
            snprintf(num, sizeof num, "%d", a.ival);
        else
            ir_fmt_real(num, sizeof num, a.real);
        buf_puts(o, num);
        return;
    }
    const IrVar *v = a.kind == OK_VAR ? a.var : NULL;
    const Instr *d = v && !v->is_param ? r->v[v->id].def : NULL;
    if (!v || v->name || !d || depth > 6 || (d->kind != I_LOAD && d->kind != I_OP)) {
        buf_puts(o, v && v->name ? v->name : "...");
        return;
    }
    if (d->kind == I_LOAD) {
        buf_puts(o, d->arr->name ? d->arr->name : "...");
        for (int k = 0; k < d->arr->ndims; k++) {
            buf_putc(o, '[');
            describe(r, o, d->idx[k], depth + 1, 0);
            buf_putc(o, ']');
        }
        return;
    }
    const OpInfo *op = &ir_ops[d->op];
    int p = precedence(op);
    if (d->op == OP_COPY || d->op == OP_ITOR) {
        describe(r, o, d->args[0], depth, min);
    } else if (p < 4) {
        if (p < min)
            buf_putc(o, '(');
        if (op->form == PREFIX)
            buf_puts(o, op->cname);
        for (int k = 0; k < d->nargs; k++) {
            if (k)
                buf_printf(o, " %s ", op->cname);
            /* a - (b - c), a / (b * c) */
            describe(r, o, d->args[k], depth + 1, k && (d->op == OP_SUB || d->op == OP_DIV ||
                                                        d->op == OP_ISUB || d->op == OP_IDIV) ? p + 1 : p);
        }
        if (p < min)
            buf_putc(o, ')');
    } else {
        buf_printf(o, "%s(", op->builtin ? op->builtin : op->name);
        for (int k = 0; k < d->nargs; k++) {
            if (k)
                buf_puts(o, ", ");
            describe(r, o, d->args[k], depth + 1, 0);
        }
        buf_putc(o, ')');
    }
}

/* "exp(x[i] - mx), tanh(c)": the values b's iterations save rather than
 * recompute, or NULL. */
static const char *stash_names(Rev *r, const IrBlock *b)
{
    Buf o;
    buf_init(&o);
    for (int i = 0; i < b->instrs.len; i++) {
        const Instr *in = b->instrs.items[i];
        if (in->kind != I_OP || !stashed(r, in->dst))
            continue;
        if (o.len)
            buf_puts(&o, ", ");
        describe(r, &o, ir_v(in->dst), 0, 0);
    }
    const char *s = o.len ? arena_printf(r->cx->arena, "%s", o.data) : NULL;
    buf_free(&o);
    return s;
}

/* "m (where it becomes x[i])": the running extrema of loop body b, saved
 * only where they move; or NULL. */
static const char *extrema_names(Rev *r, const IrBlock *b)
{
    Buf o;
    buf_init(&o);
    for (int i = 0; i < b->instrs.len; i++) {
        const Instr *in = b->instrs.items[i];
        Operand e;
        bool guard;
        if (!saved_def(r, in, def_of(in)) || !extremum(r, in, &e, &guard))
            continue;
        buf_printf(&o, "%s%s, where it becomes ", o.len ? "; " : "", in->dst->name ? in->dst->name : "a value");
        describe(r, &o, e, 0, 0);
    }
    const char *s = o.len ? arena_printf(r->cx->arena, "%s", o.data) : NULL;
    buf_free(&o);
    return s;
}

/* The values of b's iteration too costly to recompute, pushed at the end
 * of the iteration (before its carried copies), where the reverse sweep
 * pops them first. */
static void push_stashed(Rev *r, const IrBlock *b, IrBlock *out)
{
    for (int i = 0; i < b->instrs.len; i++) {
        const Instr *in = b->instrs.items[i];
        if (in->kind != I_OP || !stashed(r, in->dst))
            continue;
        Instr *push = emit_in(r, out, I_PUSH, in->span);
        push->nargs = 1;
        push->args[0] = ir_v(r->v[in->dst->id].map);
        push->per = 1;
    }
}

/* "each iteration saves z as it starts (the whole array), ...", or, where
 * some array is saved later, when the statement that first writes it
 * starts: "... saves the whole arrays z as it starts and h before line 9
 * writes it, ...". */
static const char *snapshot_note(Rev *r, const Instr *loop, const PtrVec *snaps)
{
    Buf names;
    buf_init(&names);
    bool later = false;
    for (int j = 0; j < snaps->len; j++)
        later |= first_writer(loop, snaps->items[j]) > 0;
    /* in the order saved */
    for (int i = 0, j = 0; i < loop->body->instrs.len; i++)
        for (int k = 0; k < snaps->len; k++) {
            if (first_writer(loop, snaps->items[k]) != i)
                continue;
            buf_printf(&names, "%s%s", j == 0 ? "" : j + 1 < snaps->len ? ", " : later ? " and " : ", ",
                       ((IrVar *)snaps->items[k])->name);
            if (later && i == 0)
                buf_puts(&names, " as it starts");
            else if (later)
                buf_printf(&names, " before line %d writes it",
                           ((const Instr *)loop->body->instrs.items[i])->span.line);
            j++;
        }
    const char *s = later ? arena_printf(r->cx->arena, "each iteration saves the whole array%s %s, for the "
                                         "reverse sweep", snaps->len > 1 ? "s" : "", names.data)
                          : arena_printf(r->cx->arena, "each iteration saves %s as it starts (the whole "
                                         "array%s), for the reverse sweep", names.data, snaps->len > 1 ? "s" : "");
    buf_free(&names);
    return s;
}

static IrBlock *clone_block(Rev *r, const IrBlock *b, Operand *ret)
{
    IrBlock *out = ir_block(r->cx);
    int suffix = is_loop_body(b) ? carried_suffix(r, b) : -1;
    for (int i = 0; i < b->instrs.len; i++) {
        const Instr *in = b->instrs.items[i];
        if (i == suffix)
            push_stashed(r, b, out);
        PtrVec taken = {0};
        if (snapshots_at(r, b, i, &taken))
            for (int k = 0; k < taken.len; k++) {
                Instr *push = emit_in(r, out, I_PUSHA, i ? in->span : b->owner->span);
                push->arr = r->v[((IrVar *)taken.items[k])->id].map;
                push->per = 1;          /* a snapshot: the emitter says how much */
            }
        if (in->kind == I_RETURN) {
            if (ret)
                *ret = map_operand(r, in->args[0]);
            continue;
        }
        IrVar *v = def_of(in);
        Operand e;
        bool guard;
        if (saved_def(r, in, v) && extremum(r, in, &e, &guard)) {
            push_extremum(r, out, in, e, guard);
        } else if (saved_def(r, in, v) && !r->v[v->id].replay_copy) {
            Instr *push = emit_in(r, out, I_PUSH, in->span);
            push->nargs = 1;
            push->args[0] = ir_v(r->v[v->id].map);
        }
        if (in->kind == I_CALL && instr_active(r, in))
            for (int k = 0; k < in->ncargs; k++)
                if (in->cargs[k].kind == OK_VAR && in->cargs[k].var->ndims > 0 &&
                    !ir_call_writes(in, k) &&
                    array_written_after(r, in->cargs[k].var, in, first_of(ir_call_row(in, k)))) {
                    Instr *push = emit_in(r, out, I_PUSHA, in->span);
                    push->arr = r->v[in->cargs[k].var->id].map;
                    push->row = map_row(r, ir_call_row(in, k));
                }
        PtrVec cps = {0};
        if (in->kind == I_FOR) {
            PtrVec once = loop_saves(r, in);
            for (int k = 0; k < once.len; k++) {
                Instr *push = emit_in(r, out, I_PUSH, in->span);
                push->nargs = 1;
                push->args[0] = ir_v(r->v[((IrVar *)once.items[k])->id].map);
            }
            /* the values the replay starts from, unless constants */
            cps = replayed(r, in);
            for (int k = 0; k < cps.len; k++) {
                const IrVar *rv = ((const Instr *)cps.items[k])->dst;
                Operand c;
                if (entry_constant(in, rv, &c))
                    continue;
                Instr *push = emit_in(r, out, I_PUSH, in->span);
                push->nargs = 1;
                push->args[0] = ir_v(r->v[rv->id].map);
            }
        }
        Instr *c = clone_instr(r, in);
        const PtrVec *snaps = in->kind == I_FOR ? snapshots_of(r, in) : NULL;
        if (in->kind == I_FOR && instr_active(r, in)) {
            int k = count_pushes(c->body);
            if (snaps && snaps->len > 0)
                c->note = snapshot_note(r, in, snaps);
            Buf arrays;
            buf_init(&arrays);
            pushed_arrays(c->body, &arrays);
            if (arrays.len)
                c->note = arena_printf(r->cx->arena, "%s%seach iteration saves %s before a call "
                                       "reads %s, for the reverse sweep", c->note ? c->note : "",
                                       c->note ? "; " : "", arrays.data, strchr(arrays.data, ',') ?
                                       "them" : "it");
            buf_free(&arrays);
            const char *kept = stash_names(r, in->body);
            if (kept)
                c->note = arena_printf(r->cx->arena, "%s%seach iteration saves %s (costly to recompute), "
                                       "for the reverse sweep; it recomputes the rest",
                                       c->note ? c->note : "", c->note ? "; " : "", kept);
            const char *moves = extrema_names(r, in->body);
            if (moves)
                c->note = arena_printf(r->cx->arena, "%s%ssaves %s (not at every iteration), for the "
                                       "reverse sweep", c->note ? c->note : "", c->note ? "; " : "", moves);
            if (k > 0 && ir_exits_early(in)) {
                const char *what = arena_printf(r->cx->arena, "saves %d value%s per iteration", k,
                                                k == 1 ? "" : "s");
                c->note = early_exit_note(r, c->note ? c->note : what);
            } else if (k > 0) {
                Instr *res = emit_in(r, out, I_RESERVE, in->span);
                res->lo = c->lo;
                res->hi = c->hi;
                res->per = k;
            } else if (!c->note && cps.len) {
                c->note = arena_printf(r->cx->arena, "saves nothing: the reverse sweep runs it again "
                                       "for %s and recomputes the rest", replay_names(r, &cps));
            } else if (!c->note) {
                c->note = "saves nothing: the reverse sweep recomputes what it needs";
                if (ir_exits_early(in))
                    c->note = early_exit_note(r, "saves nothing per iteration: the reverse sweep "
                                              "recomputes what it needs");
            } else if (ir_exits_early(in)) {
                c->note = early_exit_note(r, c->note);
            }
        }
        IrVar *trips = in->kind == I_FOR ? trips_of(r, in) : NULL;
        if (trips)
            count_trips(r, out, c, trips, block_in_loop(block_of(in)));
        else
            ir_append(r->cx, out, c);
    }
    if (suffix == b->instrs.len)
        push_stashed(r, b, out);
    return out;
}

/* ---- sizes and order -------------------------------------------------- */

static IrBlock *block_of(const Instr *in)
{
    return in->block;
}



/* ---- rows written once ------------------------------------------------ */

/* A loop carried recurrence over the rows of an array, H[t + 1] computed
 * from H[t], reads each row after its last write: the reverse sweep can
 * read H[t] again rather than save it. The proof is on the first index:
 * in a loop L that no loop encloses, running up by 1, a read of row
 * t + cr and a write of row t + cw (t L's index, cr and cw constants) with
 * cw > cr never meet after the read: in iteration t' >= t the write goes
 * to t' + cw > t + cr. */

/* The first index of a row passed (NULL: the whole array). */
static const Operand *first_of(const IrRow *row)
{
    return row ? &row->fix[0] : NULL;
}

/* a as `i + c` for the index i of a loop (returned), or NULL. */
static const Instr *loop_offset(const Rev *r, Operand a, int *c)
{
    *c = 0;
    for (int step = 0; step < 2 && a.kind == OK_VAR; step++) {
        const RevVar *vi = &r->v[a.var->id];
        if (a.var->is_param || vi->ndefs != 1 || !vi->def)
            return NULL;
        const Instr *d = vi->def;
        if (d->kind == I_FOR)
            return d->ivar == a.var && !d->down ? d : NULL;
        if (step == 1 || d->kind != I_OP || d->acc != ACC_SET || d->nargs != 2 ||
            (d->op != OP_IADD && d->op != OP_ISUB) || d->args[1].kind != OK_INT ||
            d->args[1].ival < -1000000 || d->args[1].ival > 1000000)
            return NULL;
        *c = d->op == OP_IADD ? d->args[1].ival : -d->args[1].ival;
        a = d->args[0];
    }
    return NULL;
}

static bool encloses(const Instr *loop, const Instr *in)
{
    return in->seq > loop->seq && in->seq <= loop->seq_end;
}

/* The write w of array a never reaches, after `at`, the row whose first
 * index `at` reads is *first. */
static bool misses_row(const Rev *r, const Instr *w, const IrVar *a, const Instr *at, const Operand *first)
{
    int cr, cw;
    const Instr *l = first ? loop_offset(r, *first, &cr) : NULL;
    if (!l || !encloses(l, at) || !encloses(l, w))
        return false;
    for (int i = 0; i < r->loops.len; i++)
        if (encloses(r->loops.items[i], l))
            return false;               /* L runs again: its writes come back */
    bool any = false;
    if (w->kind == I_STORE && w->arr == a) {
        any = true;
        if (loop_offset(r, w->idx[0], &cw) != l || cw <= cr)
            return false;
    } else if (w->kind == I_CALL) {
        for (int k = 0; k < w->ncargs; k++) {
            if (!ir_call_writes(w, k) || w->cargs[k].var != a)
                continue;
            const Operand *f = first_of(ir_call_row(w, k));
            any = true;
            if (!f || loop_offset(r, *f, &cw) != l || cw <= cr)
                return false;
        }
    }
    return any;
}

typedef struct RowRead {
    const Rev *r;
    const IrVar *a;
    const Instr *at;
    const Operand *first;
    int from, to;
} RowRead;

static bool writes_read_row(const Instr *in, const void *data)
{
    const RowRead *q = data;
    return in->seq >= q->from && in->seq <= q->to && ir_writes_array(in, q->a) &&
           !misses_row(q->r, in, q->a, q->at, q->first);
}

/* Some instruction of b, nested ones too, is a write q asks about. */
static bool written_where(const IrBlock *b, const RowRead *q)
{
    for (int i = 0; i < b->instrs.len; i++)
        if (ir_any_within(b->instrs.items[i], writes_read_row, q))
            return true;
    return false;
}

/* Something numbered from..to in b writes a (anywhere). */
static bool written_in_range(const IrBlock *b, const IrVar *a, int from, int to)
{
    RowRead q = {.a = a, .from = from, .to = to};
    return written_where(b, &q);
}

/* Whether something writes a after `at` (in order, or in a later
 * iteration of a loop around it) where `at` reads it: anywhere in it, or
 * (first not NULL) in the row of that first index. */
static bool array_written_after(const Rev *r, const IrVar *a, const Instr *at, const Operand *first)
{
    if (a->is_param && a->readonly)
        return false;
    RowRead q = {r, a, at, first, at->seq + 1, r->nseq};
    if (written_where(r->p->body, &q))
        return true;
    for (int i = 0; i < r->loops.len; i++) {
        const Instr *l = r->loops.items[i];
        q.from = l->seq;
        q.to = l->seq_end;
        if (encloses(l, at) && written_where(r->p->body, &q))
            return true;
    }
    return false;
}

static bool pops_array(const IrBlock *b, const IrVar *a)
{
    for (int i = 0; i < b->instrs.len; i++) {
        const Instr *in = b->instrs.items[i];
        if (in->kind == I_POPA && in->arr == a)
            return true;
        if ((in->then && pops_array(in->then, a)) || (in->els && pops_array(in->els, a)) ||
            (in->body && pops_array(in->body, a)))
            return true;
    }
    return false;
}

/* An output array that the reverse sweep restores (for a call that read it)
 * is copied aside after the forward sweep and back at the end. */
static void keep_outputs(Rev *r, IrBlock *fwd, const IrBlock *rev)
{
    for (int i = 0; i < r->g->params.len; i++) {
        IrVar *y = r->g->params.items[i];
        if (!y->is_out || !pops_array(rev, y))
            continue;
        IrVar *copy = ir_var(r->cx, r->g, NULL, IT_REAL);
        ir_set_shape(r->cx, copy, y->ndims);
        for (int k = 0; k < y->ndims; k++)
            copy->dims[k] = y->dims[k];
        Instr *in = emit_in(r, fwd, I_ACOPY, (Span){0});
        in->arr = copy;
        in->nargs = 1;
        in->args[0] = ir_v(y);
        vec_push(r->scratch, &r->kept, y);
        vec_push(r->scratch, &r->kept, copy);
    }
}

static void restore_outputs(Rev *r)
{
    for (int i = 0; i + 1 < r->kept.len; i += 2) {
        Instr *in = emit_in(r, r->g->body, I_ACOPY, (Span){0});
        in->arr = r->kept.items[i];
        in->nargs = 1;
        in->args[0] = ir_v(r->kept.items[i + 1]);
    }
}

/* ---- the transform ---------------------------------------------------- */

static IrVar *clone_var(Rev *r, const IrVar *v)
{
    IrVar *c = ir_var(r->cx, r->g, v->name, v->type);
    ir_set_shape(r->cx, c, v->ndims);
    for (int k = 0; k < v->ndims; k++)
        c->dims[k] = ir_map_size(r->cx, v->dims[k], map_fn, r);
    c->readonly = v->readonly;
    c->src_const = v->src_const;
    c->is_out = v->is_out;
    c->origin = (IrVar *)v;
    return c;
}

static void add_params(Rev *r)
{
    IrFunc *p = r->p, *g = r->g;
    /* the primal's parameters (a helper keeps its outputs to itself) */
    for (int i = 0; i < p->params.len; i++) {
        const IrVar *v = p->params.items[i];
        if (r->role == ROLE_REV && is_output(v))
            continue;
        IrVar *c = clone_var(r, v);
        c->is_param = true;
        vec_push(r->cx->arena, &g->params, c);
        r->v[v->id].map = c;
    }
    for (int i = 0; i < p->params.len; i++) {
        const IrVar *v = p->params.items[i];
        if (r->role == ROLE_REV && is_output(v))
            r->v[v->id].map = clone_var(r, v);
    }
    /* the seeds */
    if (r->role == ROLE_REV && p->returns)
        r->seed = ir_param(r->cx, g, "seed", IT_REAL);
    for (int i = 0; i < p->params.len; i++) {
        const IrVar *v = p->params.items[i];
        if (!is_output(v) || (r->role != ROLE_REV && r->role != ROLE_VJP))
            continue;
        IrVar *s = new_like(r, v, arena_printf(r->cx->arena, "seed_%s", v->name));
        s->is_param = true;
        s->readonly = true;
        s->nullable = true;
        s->seed_of = r->v[v->id].map;
        vec_push(r->cx->arena, &g->params, s);
        r->v[v->id].seedparam = s;
    }
    /* the gradients */
    for (int i = 0; i < p->params.len; i++) {
        const IrVar *v = p->params.items[i];
        if (!is_input(r, v))
            continue;
        IrVar *gp = new_like(r, v, arena_printf(r->cx->arena, "g_%s", v->name));
        gp->is_param = true;
        gp->by_ref = v->ndims == 0;
        gp->nullable = r->role != ROLE_REV || v->ndims > 0;
        gp->grad_of = r->v[v->id].map;
        vec_push(r->cx->arena, &g->params, gp);
        r->v[v->id].gparam = gp;
        if (v->ndims > 0) {
            /* the adjoint array is the caller's, or scratch when that is NULL */
            IrVar *a = adjoint(r, v);
            a->alias = gp;
            r->v[v->id].init = r->role == ROLE_REV;
        }
    }
}

static void clone_locals(Rev *r)
{
    for (int i = 0; i < r->p->vars.len; i++) {
        const IrVar *v = r->p->vars.items[i];
        if (!v->is_param)
            r->v[v->id].map = clone_var(r, v);
    }
}

/* The seeds of the outputs become their adjoints' starting values. */
static void seed_outputs(Rev *r, Span at)
{
    IrFunc *p = r->p;
    for (int i = 0; i < p->params.len; i++) {
        const IrVar *v = p->params.items[i];
        if (!r->v[v->id].seedparam || !active(r, v))
            continue;
        Instr *in = emit_in(r, cur_block(r), I_ACOPY, at);
        in->arr = adjoint(r, v);
        in->nargs = 1;
        in->args[0] = ir_v(r->v[v->id].seedparam);
        r->v[v->id].init = true;
    }
    const IrBlock *pb = p->body;
    if (!p->returns || !pb->instrs.len)
        return;
    const Instr *last = pb->instrs.items[pb->instrs.len - 1];
    Operand rv = last->kind == I_RETURN ? last->args[0] : (Operand){0};
    if (rv.kind == OK_VAR && active(r, rv.var)) {
        Operand seed = r->seed ? ir_v(r->seed) : ir_real(1);
        accumulate(r, rv.var, (Contrib){.op = OP_COPY, .nargs = 1, .args = {seed}}, last->span);
    }
}

/* The gradient outputs: written (f_grad, f_vjp) or added to the caller's. */
static void write_gradients(Rev *r)
{
    IrBlock *b = r->g->body;
    for (int i = 0; i < r->p->params.len; i++) {
        const IrVar *pv = r->p->params.items[i];
        IrVar *gp = r->v[pv->id].gparam;
        if (!gp)
            continue;
        if (pv->ndims > 0) {
            if (!r->v[pv->id].init)
                emit_in(r, b, I_FILL, (Span){0})->arr = adjoint(r, pv);
            continue;
        }
        Operand v = r->v[pv->id].init ? ir_v(r->v[pv->id].adj) : ir_real(0);
        if (r->role != ROLE_REV)
            emit(r, b, gp, ACC_SET, OP_COPY, 1, &v);
        else if (r->v[pv->id].init)
            emit(r, b, gp, ACC_ADD, OP_COPY, 1, &v);
    }
}

static IrFunc *reverse(Cx *cx, IrFunc *p, FuncRole role, const char *name)
{
    Rev r = {0};
    r.cx = cx;
    r.p = p;
    r.role = role;
    r.g = ir_func(cx, name, role);
    r.g->returns = p->returns;
    r.g->src = p->src;
    r.g->primal = p;
    r.g->nline = p->nline;
    int n = r.nvars = p->vars.len;
    r.scratch = arena_new();
    r.v = ARENA_ARRAY(r.scratch, RevVar, n);
    r.varied = ARENA_ARRAY(r.scratch, bool, n);
    r.useful = ARENA_ARRAY(r.scratch, bool, n);
    r.mark = ARENA_ARRAY(r.scratch, unsigned char, n);

    ir_link_blocks(p);
    analyse_activity(&r);
    scan_defs(&r, p->body);
    classify_recompute(&r);
    /* to a fixed point: a loop that saves values (even one with nothing
     * active) is run backwards, so it needs its bounds, saved in turn */
    for (int before = -1; before != needed_count(&r);) {
        before = needed_count(&r);
        need_block(&r, p->body);
        close_needed(&r);
    }
    choose_snapshots(&r);
    replay_final(&r);
    add_params(&r);
    clone_locals(&r);

    /* the reverse sweep first: it decides what the forward sweep saves */
    IrBlock *rev = ir_block(cx);
    r.open = ARENA_ARRAY(r.scratch, Open, 16);
    r.capopen = 16;
    r.open[r.nopen++] = (Open){p->body, rev};
    const IrBlock *pb = p->body;
    Span end = pb->instrs.len ? ((Instr *)pb->instrs.items[pb->instrs.len - 1])->span : (Span){0};
    seed_outputs(&r, end);
    for (int i = pb->instrs.len - 1; i >= 0; i--)
        rev_instr(&r, pb->instrs.items[i]);
    r.nopen = 0;

    Operand ret = {0};
    IrBlock *fwd = clone_block(&r, p->body, &ret);
    r.g->body = fwd;
    /* the reverse sweep restores what loops overwrote: keep the value */
    if (ret.kind == OK_VAR) {
        IrVar *keep = ir_var(cx, r.g, NULL, IT_REAL);
        emit(&r, fwd, keep, ACC_SET, OP_COPY, 1, &ret);
        ret = ir_v(keep);
    }
    keep_outputs(&r, fwd, rev);
    if (fwd->instrs.len)
        ((Instr *)fwd->instrs.items[0])->note = "forward sweep";
    if (rev->instrs.len)
        ((Instr *)rev->instrs.items[0])->note = "reverse sweep";
    for (int i = 0; i < rev->instrs.len; i++)
        ir_append(cx, fwd, rev->instrs.items[i]);
    write_gradients(&r);
    restore_outputs(&r);
    ir_ensure_alloc(cx, r.g);
    if (p->returns) {
        Instr *in = ir_instr(cx, I_RETURN, end);
        in->nargs = 1;
        in->args[0] = ret;
        ir_append(cx, fwd, in);
    }
    arena_free(r.scratch);
    return r.g;
}

IrFunc *ad_rev_helper(Cx *cx, IrFunc *primal)
{
    if (!primal->rev) {
        const char *name = arena_printf(cx->arena, "%s__rev", primal->name);
        primal->rev = reverse(cx, primal, ROLE_REV, name);
        vec_push(cx->arena, &cx->ir->funcs, primal->rev);
    }
    return primal->rev;
}

bool ad_reverse_module(Cx *cx)
{
    int n = cx->ir->funcs.len;
    for (int i = 0; i < n; i++) {
        IrFunc *p = cx->ir->funcs.items[i];
        if (p->role != ROLE_PRIMAL)
            continue;
        FuncRole role = p->returns ? ROLE_GRAD : ROLE_VJP;
        const char *name = arena_printf(cx->arena, "%s_%s", p->name, p->returns ? "grad" : "vjp");
        IrFunc *g = reverse(cx, p, role, name);
        g->exported = true;
        p->grad = g;
        vec_push(cx->arena, &cx->ir->funcs, g);
    }
    return true;
}
