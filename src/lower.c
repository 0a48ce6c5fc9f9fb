/* AST -> IR. Scalars become single-assignment temporaries (a source
 * variable names the value it was last given); a variable assigned inside an
 * if or a loop and used after it gets one merge variable, set by copies at
 * the end of each branch or iteration. Arrays stay memory: loads and
 * stores. The result is the primal function of every .fn function. */
#include <string.h>

#include "gradc.h"
#include "ir.h"

typedef struct Lower {
    Cx *cx;
    Func *src;
    IrFunc *f;
    IrBlock *blk;               /* where instructions go */
    IrBlock *entry;             /* sizes of local arrays, computed on entry */
    Operand *cur;               /* by Sym.id_index: a scalar's current value */
    IrVar **var;                /* by Sym.id_index: an array's or loop variable's */
    int nsyms;
    IrVar *done;                /* the exit flag of the innermost loop ('break' sets it) */
} Lower;

static const double PI = 3.14159265358979323846;

static IrVar *new_var(Lower *lw, const char *name, IrType type)
{
    return ir_var(lw->cx, lw->f, name, type);
}

static Instr *emit_op(Lower *lw, Span at, IrVar *dst, Opcode op, int n, const Operand *args)
{
    Instr *in = ir_instr(lw->cx, I_OP, at);
    in->op = op;
    in->dst = dst;
    in->nargs = n;
    for (int i = 0; i < n; i++)
        in->args[i] = args[i];
    ir_append(lw->cx, lw->blk, in);
    return in;
}

/* dst = op(args) into a fresh variable named `name` (NULL: a temporary). */
static Operand op_value(Lower *lw, Span at, const char *name, Opcode op, int n, const Operand *args)
{
    char t = ir_ops[op].result;
    IrType type = t == 'I' ? IT_INT : t == 'B' ? IT_BOOL : t == 'A' ? ir_operand_type(args[n - 1]) : IT_REAL;
    IrVar *dst = new_var(lw, name, type);
    emit_op(lw, at, dst, op, n, args);
    return ir_v(dst);
}

static Operand op1(Lower *lw, Span at, const char *name, Opcode op, Operand a)
{
    return op_value(lw, at, name, op, 1, &a);
}

static Operand op2(Lower *lw, Span at, const char *name, Opcode op, Operand a, Operand b)
{
    Operand args[2] = {a, b};
    return op_value(lw, at, name, op, 2, args);
}

static void emit_copy(Lower *lw, Span at, IrVar *dst, Operand a)
{
    emit_op(lw, at, dst, OP_COPY, 1, &a);
}

/* ---- expressions ------------------------------------------------------ */

static Operand lower_expr(Lower *lw, const Expr *e, const char *name);

/* Reading memory or calling: what must not run when && / || would not
 * evaluate it. */
static bool has_effects_or_loads(const Expr *e)
{
    switch (e->kind) {
    case E_CALL:
    case E_INDEX:
        return true;
    case E_UNARY:
        return has_effects_or_loads(e->op.a);
    case E_BINARY:
        return has_effects_or_loads(e->op.a) || has_effects_or_loads(e->op.b);
    case E_TERNARY:
        return has_effects_or_loads(e->tern.c) || has_effects_or_loads(e->tern.a) ||
               has_effects_or_loads(e->tern.b);
    case E_TOREAL:
        return has_effects_or_loads(e->conv.a);
    default:
        return false;
    }
}

static const Opcode real_op[] = {
    [A_ADD] = OP_ADD, [A_SUB] = OP_SUB, [A_MUL] = OP_MUL, [A_DIV] = OP_DIV,
};
static const Opcode int_op[] = {
    [A_ADD] = OP_IADD, [A_SUB] = OP_ISUB, [A_MUL] = OP_IMUL, [A_DIV] = OP_IDIV, [A_MOD] = OP_IMOD,
};
static const Opcode cmp_op[] = {
    [A_EQ] = OP_EQ, [A_NE] = OP_NE, [A_LT] = OP_LT, [A_LE] = OP_LE, [A_GT] = OP_GT, [A_GE] = OP_GE,
};

/* a && b, a || b: evaluated eagerly when b is pure arithmetic, else b runs
 * only when it decides the result (as in C). */
static Operand lower_logic(Lower *lw, const Expr *e, const char *name)
{
    Operand a = lower_expr(lw, e->op.a, NULL);
    bool is_and = e->op.op == A_AND;
    if (!has_effects_or_loads(e->op.b)) {
        Operand b = lower_expr(lw, e->op.b, NULL);
        return op2(lw, e->span, name, is_and ? OP_AND : OP_OR, a, b);
    }
    IrVar *r = new_var(lw, name, IT_BOOL);
    Instr *in = ir_instr(lw->cx, I_IF, e->span);
    in->cond = a;
    in->then = ir_block(lw->cx);
    in->els = ir_block(lw->cx);
    ir_append(lw->cx, lw->blk, in);
    IrBlock *saved = lw->blk;
    lw->blk = is_and ? in->then : in->els;
    emit_copy(lw, e->span, r, lower_expr(lw, e->op.b, NULL));
    lw->blk = is_and ? in->els : in->then;
    emit_copy(lw, e->span, r, ir_bool(!is_and));
    lw->blk = saved;
    return ir_v(r);
}

static Operand lower_binary(Lower *lw, const Expr *e, const char *name)
{
    AstOp op = e->op.op;
    if (op == A_AND || op == A_OR)
        return lower_logic(lw, e, name);
    Operand a = lower_expr(lw, e->op.a, NULL);
    Operand b = lower_expr(lw, e->op.b, NULL);
    if (op >= A_EQ && op <= A_GE) {
        int known = ir_self_compare(cmp_op[op], a, b);
        if (known >= 0)
            return ir_bool(known);
        return op2(lw, e->span, name, cmp_op[op], a, b);
    }
    /* x^0 is 1 for every x, NaN included (as pow): the base is left unused */
    if (op == A_POW && b.kind == OK_INT && b.ival == 0)
        return ir_real(1);
    if (op == A_POW)
        return op2(lw, e->span, name, e->op.b->ty == TY_INT ? OP_POWI : OP_POW, a, b);
    if (e->ty == TY_INT)
        return op2(lw, e->span, name, int_op[op], a, b);
    return op2(lw, e->span, name, real_op[op], a, b);
}

static Operand lower_unary(Lower *lw, const Expr *e, const char *name)
{
    Operand a = lower_expr(lw, e->op.a, e->op.op == A_PLUS ? name : NULL);
    switch (e->op.op) {
    case A_PLUS:
        return a;
    case A_NOT:
        return op1(lw, e->span, name, OP_NOT, a);
    default:
        if (a.kind == OK_INT)               /* so that x^-2 has a constant exponent */
            return ir_int(-a.ival);
        if (a.kind == OK_REAL)
            return ir_real(-a.real);
        return op1(lw, e->span, name, e->ty == TY_INT ? OP_INEG : OP_NEG, a);
    }
}

/* c ? a : b. With nothing to compute in the branches, a select; else an if,
 * so that the branch not taken is not evaluated (nor differentiated). */
static Operand lower_ternary(Lower *lw, const Expr *e, const char *name)
{
    Operand c = lower_expr(lw, e->tern.c, NULL);
    IrBlock *saved = lw->blk;
    IrBlock *then = ir_block(lw->cx), *els = ir_block(lw->cx);
    lw->blk = then;
    Operand a = lower_expr(lw, e->tern.a, NULL);
    lw->blk = els;
    Operand b = lower_expr(lw, e->tern.b, NULL);
    lw->blk = saved;
    if (then->instrs.len == 0 && els->instrs.len == 0) {
        Operand args[3] = {c, a, b};
        return op_value(lw, e->span, name, OP_SELECT, 3, args);
    }
    IrVar *r = new_var(lw, name, ir_operand_type(a));
    lw->blk = then;
    emit_copy(lw, e->span, r, a);
    lw->blk = els;
    emit_copy(lw, e->span, r, b);
    lw->blk = saved;
    Instr *in = ir_instr(lw->cx, I_IF, e->span);
    in->cond = c;
    in->then = then;
    in->els = els;
    ir_append(lw->cx, lw->blk, in);
    return ir_v(r);
}

/* The call's arguments. A sub-array A[i] passes as the row of A: the
 * argument names A, its row the leading indices (a pointer into A in the
 * generated C, never a copy). */
static void lower_call_args(Lower *lw, const Expr *e, Instr *in)
{
    const PtrVec *args = &e->call.args;
    for (int i = 0; i < args->len; i++) {
        const Expr *a = args->items[i];
        const Param *p = e->call.fn->params.items[i];
        if (p->ndims == 0) {
            in->cargs[i] = lower_expr(lw, a, NULL);
        } else if (a->kind == E_NAME) {
            in->cargs[i] = ir_v(lw->var[a->name.sym->id_index]);
        } else {
            IrRow row = {.nfix = a->index.nidx};
            for (int k = 0; k < row.nfix; k++)
                row.fix[k] = lower_expr(lw, a->index.idx[k], NULL);
            in->cargs[i] = ir_v(lw->var[a->index.sym->id_index]);
            ir_set_call_row(lw->cx, in, i, &row);
        }
    }
}

static Instr *emit_call(Lower *lw, const Expr *e, IrVar *dst)
{
    Instr *in = ir_instr(lw->cx, I_CALL, e->span);
    in->callee = e->call.fn->ir;
    in->ncargs = e->call.args.len;
    in->cargs = ARENA_ARRAY(lw->cx->arena, Operand, in->ncargs + 1);
    lower_call_args(lw, e, in);
    in->dst = dst;
    ir_append(lw->cx, lw->blk, in);
    return in;
}

static Operand lower_call(Lower *lw, const Expr *e, const char *name)
{
    if (e->call.builtin >= 0) {
        Operand args[IR_MAX_ARGS];
        int n = e->call.args.len;
        for (int i = 0; i < n; i++)
            args[i] = lower_expr(lw, e->call.args.items[i], NULL);
        return op_value(lw, e->span, name, (Opcode)e->call.builtin, n, args);
    }
    IrVar *dst = new_var(lw, name, IT_REAL);
    emit_call(lw, e, dst);
    return ir_v(dst);
}

/* The indices of in, an element of in->arr. */
static void lower_indices(Lower *lw, const Expr *e, Instr *in)
{
    ir_index_slots(lw->cx, in);
    for (int i = 0; i < e->index.nidx; i++)
        in->idx[i] = lower_expr(lw, e->index.idx[i], NULL);
}

static Operand lower_index(Lower *lw, const Expr *e, const char *name)
{
    Instr *in = ir_instr(lw->cx, I_LOAD, e->span);
    in->arr = lw->var[e->index.sym->id_index];
    lower_indices(lw, e, in);
    in->dst = new_var(lw, name, in->arr->type);
    ir_append(lw->cx, lw->blk, in);
    return ir_v(in->dst);
}

static Operand lower_name(Lower *lw, const Expr *e)
{
    const Sym *sym = e->name.sym;
    if (!sym)
        return ir_real(PI);
    if (sym->kind == SYM_LOOP)
        return ir_v(lw->var[sym->id_index]);
    return lw->cur[sym->id_index];
}

static Operand lower_expr(Lower *lw, const Expr *e, const char *name)
{
    switch (e->kind) {
    case E_NUM:
        return e->ty == TY_INT ? ir_int((int)e->num.value) : ir_real(e->num.value);
    case E_NAME:
        return lower_name(lw, e);
    case E_UNARY:
        return lower_unary(lw, e, name);
    case E_BINARY:
        return lower_binary(lw, e, name);
    case E_TERNARY:
        return lower_ternary(lw, e, name);
    case E_CALL:
        return lower_call(lw, e, name);
    case E_INDEX:
        return lower_index(lw, e, name);
    case E_TOREAL: {
        Operand a = lower_expr(lw, e->conv.a, NULL);
        if (a.kind == OK_INT)
            return ir_real(a.ival);
        return op1(lw, e->span, name, OP_ITOR, a);
    }
    }
    die("lower: unknown expression kind %d", e->kind);
}

/* ---- statements ------------------------------------------------------- */

static void lower_block(Lower *lw, const Block *b, IrBlock *into);

static void lower_assign(Lower *lw, const Stmt *st)
{
    const Expr *t = st->assign.target;
    AstOp op = st->assign.op;
    if (t->kind == E_NAME) {
        const Sym *sym = t->name.sym;
        Operand *cur = &lw->cur[sym->id_index];
        if (op == A_SET) {
            *cur = lower_expr(lw, st->assign.value, sym->id);
        } else {
            Operand v = lower_expr(lw, st->assign.value, NULL);
            *cur = op2(lw, st->span, sym->id, sym->ty == TY_INT ? int_op[op] : real_op[op], *cur, v);
        }
        return;
    }
    Instr *in = ir_instr(lw->cx, I_STORE, st->span);
    in->arr = lw->var[t->index.sym->id_index];
    lower_indices(lw, t, in);
    Operand v = lower_expr(lw, st->assign.value, NULL);
    in->op = OP_COPY;
    in->nargs = 1;
    in->args[0] = v;
    bool is_int = in->arr->type == IT_INT;
    /* reals accumulate in the store; ints (which the IR stores only with
     * '=') and '*=', '/=' load the element first */
    if ((op == A_ADD || op == A_SUB) && !is_int) {
        in->acc = op == A_ADD ? ACC_ADD : ACC_SUB;
    } else if (op != A_SET) {
        Instr *ld = ir_instr(lw->cx, I_LOAD, st->span);
        ld->arr = in->arr;
        ir_index_slots(lw->cx, ld);
        memcpy(ld->idx, in->idx, sizeof(Operand) * (size_t)in->arr->ndims);
        ld->dst = new_var(lw, NULL, in->arr->type);
        ir_append(lw->cx, lw->blk, ld);
        in->args[0] = op2(lw, st->span, NULL, is_int ? int_op[op] : real_op[op], ir_v(ld->dst), v);
    }
    ir_append(lw->cx, lw->blk, in);
}

/* A local array; its sizes (int expressions of int parameters) are
 * computed on entry, where the function gets all its memory at once. */
static IrVar *new_array(Lower *lw, const char *name, IrType type, Expr *const *dims, int ndims)
{
    /* the sizes first: a variable's sizes are variables made before it,
     * so that passes cloning variables in order find them mapped */
    Operand size[IR_MAX_DIMS];
    IrBlock *saved = lw->blk;
    lw->blk = lw->entry;
    for (int i = 0; i < ndims; i++)
        size[i] = lower_expr(lw, dims[i], NULL);
    lw->blk = saved;
    IrVar *v = new_var(lw, name, type);
    ir_set_shape(lw->cx, v, ndims);
    for (int i = 0; i < ndims; i++)
        v->dims[i] = size[i];
    return v;
}

static void lower_let(Lower *lw, const Stmt *st)
{
    const Sym *sym = st->let.sym;
    if (st->kind == S_LET) {
        lw->cur[sym->id_index] = lower_expr(lw, st->let.init, sym->id);
        return;
    }
    IrVar *v = new_array(lw, sym->id, sym->ty == TY_INT ? IT_INT : IT_REAL, st->let.dims,
                         st->let.ndims);
    lw->var[sym->id_index] = v;
    Instr *in = ir_instr(lw->cx, I_FILL, st->span);
    in->arr = v;
    ir_append(lw->cx, lw->blk, in);
}

/* Values of the assigned scalars, saved and restored around a branch. */
static Operand *snapshot(Lower *lw, const PtrVec *syms)
{
    Operand *vals = ARENA_ARRAY(lw->cx->arena, Operand, syms->len + 1);
    for (int i = 0; i < syms->len; i++)
        vals[i] = lw->cur[((Sym *)syms->items[i])->id_index];
    return vals;
}

static void restore(Lower *lw, const PtrVec *syms, const Operand *vals)
{
    for (int i = 0; i < syms->len; i++)
        lw->cur[((Sym *)syms->items[i])->id_index] = vals[i];
}

static void lower_if(Lower *lw, const Stmt *st)
{
    const PtrVec *syms = &st->assigned;
    Instr *in = ir_instr(lw->cx, I_IF, st->span);
    in->cond = lower_expr(lw, st->if_.cond, NULL);
    in->then = ir_block(lw->cx);
    in->els = ir_block(lw->cx);
    Operand *before = snapshot(lw, syms);
    lower_block(lw, st->if_.then, in->then);
    Operand *after_then = snapshot(lw, syms);
    restore(lw, syms, before);
    if (st->if_.els)
        lower_block(lw, st->if_.els, in->els);
    Operand *after_else = snapshot(lw, syms);
    ir_append(lw->cx, lw->blk, in);
    for (int i = 0; i < syms->len; i++) {
        const Sym *sym = syms->items[i];
        if (ir_same(after_then[i], after_else[i])) {
            lw->cur[sym->id_index] = after_then[i];
            continue;
        }
        IrVar *m = new_var(lw, sym->id, sym->ty == TY_INT ? IT_INT : IT_REAL);
        IrBlock *saved = lw->blk;
        lw->blk = in->then;
        emit_copy(lw, (Span){0}, m, after_then[i]);
        lw->blk = in->els;
        emit_copy(lw, (Span){0}, m, after_else[i]);
        lw->blk = saved;
        lw->cur[sym->id_index] = ir_v(m);
    }
    if (in->els->instrs.len == 0)
        in->els = NULL;
}

/* Whether a statement may leave the loop around it: a break, not counting
 * those of inner loops. */
static bool may_break(const Block *b);

static bool stmt_may_break(const Stmt *st)
{
    return st->kind == S_BREAK ||
           (st->kind == S_IF && (may_break(st->if_.then) || (st->if_.els && may_break(st->if_.els))));
}

static bool may_break(const Block *b)
{
    for (int i = 0; i < b->stmts.len; i++)
        if (stmt_may_break(b->stmts.items[i]))
            return true;
    return false;
}

static void lower_stmts(Lower *lw, const Block *b, int from);

/* if (c) { b's statements from `from` on } else { done = true, when
 * else_done }: what a break skips, and a while loop's body. Every scalar
 * the statements change gets a merge variable, as lower_if does. */
static void lower_guarded(Lower *lw, Span at, Operand c, const Block *b, int from, bool else_done)
{
    Instr *in = ir_instr(lw->cx, I_IF, at);
    in->cond = c;
    in->then = ir_block(lw->cx);
    in->els = ir_block(lw->cx);
    Operand *before = ARENA_ARRAY(lw->cx->arena, Operand, lw->nsyms);
    memcpy(before, lw->cur, sizeof(Operand) * (size_t)lw->nsyms);
    IrBlock *saved = lw->blk;
    lw->blk = in->then;
    lower_stmts(lw, b, from);
    lw->blk = in->els;
    if (else_done)
        emit_copy(lw, at, lw->done, ir_bool(true));
    lw->blk = saved;
    ir_append(lw->cx, lw->blk, in);
    for (int i = 0; i < lw->nsyms; i++) {
        Operand after = lw->cur[i];
        lw->cur[i] = before[i];
        if (before[i].kind == OK_NONE || ir_same(before[i], after))
            continue;
        const Sym *sym = lw->src->syms.items[i];
        IrVar *m = new_var(lw, sym->id, ir_operand_type(after));
        lw->blk = in->then;
        emit_copy(lw, (Span){0}, m, after);
        lw->blk = in->els;
        emit_copy(lw, (Span){0}, m, before[i]);
        lw->blk = saved;
        lw->cur[i] = ir_v(m);
    }
    if (in->els->instrs.len == 0)
        in->els = NULL;
}

/* The carried variables of a loop: every scalar the body assigns is
 * carried in one variable, set before the loop and at the end of each
 * iteration. */
static IrVar **carry_in(Lower *lw, const Stmt *st)
{
    const PtrVec *syms = &st->assigned;
    IrVar **carried = ARENA_ARRAY(lw->cx->arena, IrVar *, syms->len + 1);
    for (int i = 0; i < syms->len; i++) {
        const Sym *sym = syms->items[i];
        carried[i] = new_var(lw, sym->id, sym->ty == TY_INT ? IT_INT : IT_REAL);
        emit_copy(lw, st->span, carried[i], lw->cur[sym->id_index]);
        lw->cur[sym->id_index] = ir_v(carried[i]);
    }
    return carried;
}

static void carry_out(Lower *lw, const Stmt *st, IrVar **carried, IrBlock *body)
{
    const PtrVec *syms = &st->assigned;
    IrBlock *saved = lw->blk;
    lw->blk = body;
    for (int i = 0; i < syms->len; i++) {
        const Sym *sym = syms->items[i];
        if (!ir_is_var(lw->cur[sym->id_index], carried[i]))
            emit_copy(lw, st->span, carried[i], lw->cur[sym->id_index]);
        lw->cur[sym->id_index] = ir_v(carried[i]);
    }
    lw->blk = saved;
}

/* A loop that break may leave gets its exit flag, false before it. */
static IrVar *exit_flag(Lower *lw, Span at)
{
    IrVar *done = new_var(lw, "done", IT_BOOL);
    emit_copy(lw, at, done, ir_bool(false));
    return done;
}

static void lower_for(Lower *lw, const Stmt *st)
{
    Instr *in = ir_instr(lw->cx, I_FOR, st->span);
    in->lo = lower_expr(lw, st->for_.lo, NULL);
    in->hi = lower_expr(lw, st->for_.hi, NULL);
    in->ivar = new_var(lw, st->for_.id, IT_INT);
    lw->var[st->for_.sym->id_index] = in->ivar;
    in->body = ir_block(lw->cx);
    IrVar **carried = carry_in(lw, st);
    IrVar *outer = lw->done;
    if (may_break(st->for_.body)) {
        lw->done = exit_flag(lw, st->span);
        in->cond = ir_v(lw->done);
    }
    ir_append(lw->cx, lw->blk, in);
    lower_block(lw, st->for_.body, in->body);
    carry_out(lw, st, carried, in->body);
    lw->done = outer;
}

/* while (c) { B }: a loop with no bound whose body is
 * `if (c) { B } else { done = true }`, left after an iteration that sets
 * done: the condition is evaluated before each iteration, as in C. */
static void lower_while(Lower *lw, const Stmt *st)
{
    Instr *in = ir_instr(lw->cx, I_FOR, st->span);
    in->lo = ir_int(0);
    in->ivar = new_var(lw, "iter", IT_INT);
    in->body = ir_block(lw->cx);
    IrVar **carried = carry_in(lw, st);
    IrVar *outer = lw->done;
    lw->done = exit_flag(lw, st->span);
    in->cond = ir_v(lw->done);
    ir_append(lw->cx, lw->blk, in);
    IrBlock *saved = lw->blk;
    lw->blk = in->body;
    Operand c = lower_expr(lw, st->while_.cond, NULL);
    lower_guarded(lw, st->span, c, st->while_.body, 0, true);
    lw->blk = saved;
    carry_out(lw, st, carried, in->body);
    lw->done = outer;
}

static void lower_stmt(Lower *lw, const Stmt *st)
{
    switch (st->kind) {
    case S_LET:
    case S_LET_ARRAY:
        lower_let(lw, st);
        break;
    case S_ASSIGN:
        lower_assign(lw, st);
        break;
    case S_IF:
        lower_if(lw, st);
        break;
    case S_FOR:
        lower_for(lw, st);
        break;
    case S_WHILE:
        lower_while(lw, st);
        break;
    case S_BREAK:
        emit_copy(lw, st->span, lw->done, ir_bool(true));
        break;
    case S_CALL:
        emit_call(lw, st->call.call, NULL);
        break;
    case S_RETURN: {
        Instr *in = ir_instr(lw->cx, I_RETURN, st->span);
        in->nargs = 1;
        in->args[0] = lower_expr(lw, st->ret.value, NULL);
        ir_append(lw->cx, lw->blk, in);
        break;
    }
    }
}

/* The statements of b from `from` on, into the current block. After one
 * that may break, the rest runs only if it did not; after a break, nothing
 * of the block runs. */
static void lower_stmts(Lower *lw, const Block *b, int from)
{
    for (int i = from; i < b->stmts.len; i++) {
        const Stmt *st = b->stmts.items[i];
        lower_stmt(lw, st);
        if (st->kind == S_BREAK)
            return;
        if (i + 1 < b->stmts.len && stmt_may_break(st)) {
            const Stmt *next = b->stmts.items[i + 1];
            Operand go = op1(lw, next->span, NULL, OP_NOT, ir_v(lw->done));
            lower_guarded(lw, next->span, go, b, i + 1, false);
            return;
        }
    }
}

static void lower_block(Lower *lw, const Block *b, IrBlock *into)
{
    IrBlock *saved = lw->blk;
    lw->blk = into;
    lower_stmts(lw, b, 0);
    lw->blk = saved;
}

/* A parameter's size: a literal, an earlier int parameter, or an
 * expression of them (sema checked it). */
static Operand size_operand(Lower *lw, const Expr *e)
{
    switch (e->kind) {
    case E_NUM:
        return ir_int((int)e->num.value);
    case E_NAME:
        return lw->cur[e->name.sym->id_index];
    case E_UNARY: {
        Operand a = size_operand(lw, e->op.a);
        return e->op.op == A_NEG ? ir_dim(lw->cx, OP_INEG, a, (Operand){0}) : a;
    }
    case E_BINARY:
        return ir_dim(lw->cx, int_op[e->op.op], size_operand(lw, e->op.a), size_operand(lw, e->op.b));
    default:
        die("lower: a size of kind %d", e->kind);
    }
}

/* The primal's signature: the .fn parameters in order. */
static void declare_params(Lower *lw)
{
    const Func *src = lw->src;
    for (int i = 0; i < src->params.len; i++) {
        const Param *p = src->params.items[i];
        IrVar *v = ir_param(lw->cx, lw->f, p->id, p->kind == P_INT ? IT_INT : IT_REAL);
        v->readonly = p->ndims > 0 && p->kind != P_OUT;
        v->src_const = p->kind == P_CONST;
        v->is_out = p->kind == P_OUT;
        ir_set_shape(lw->cx, v, p->ndims);
        for (int k = 0; k < p->ndims; k++)
            v->dims[k] = size_operand(lw, p->dims[k]);
        if (p->ndims > 0)
            lw->var[p->sym->id_index] = v;
        else
            lw->cur[p->sym->id_index] = ir_v(v);
        if (p->kind == P_OUT) {                 /* outputs are zero-filled on entry */
            Instr *in = ir_instr(lw->cx, I_FILL, p->span);
            in->arr = v;
            ir_append(lw->cx, lw->f->body, in);   /* the body, before the statements */
        }
    }
}

static void lower_func(Cx *cx, Func *src)
{
    Lower lw = {cx, src, src->ir, NULL, ir_block(cx), NULL, NULL, 0, NULL};
    int nsyms = src->syms.len + 1;
    lw.cur = ARENA_ARRAY(cx->arena, Operand, nsyms);
    lw.var = ARENA_ARRAY(cx->arena, IrVar *, nsyms);
    lw.nsyms = src->syms.len;
    IrBlock *body = ir_block(cx);
    lw.f->body = body;
    declare_params(&lw);
    lower_block(&lw, src->body, body);
    /* entry: array sizes, the allocation, then the body */
    bool arrays = false;
    for (int i = 0; i < lw.f->vars.len; i++) {
        const IrVar *v = lw.f->vars.items[i];
        arrays |= v->ndims > 0 && !v->is_param;
    }
    if (arrays)
        ir_append(cx, lw.entry, ir_instr(cx, I_ALLOC, src->span));
    for (int i = 0; i < body->instrs.len; i++)
        ir_append(cx, lw.entry, body->instrs.items[i]);
    lw.f->body = lw.entry;
}

bool lower_program(Cx *cx)
{
    cx->ir = ir_module(cx);
    PtrVec *funcs = &cx->prog.funcs;
    for (int i = 0; i < funcs->len; i++) {
        Func *src = funcs->items[i];
        IrFunc *f = ir_func(cx, src->id, ROLE_PRIMAL);
        f->exported = true;
        f->returns = !src->has_out;
        f->src = src;
        f->nline = src->span.line;
        src->ir = f;
        ir_add_func(cx, cx->ir, f);
    }
    for (int i = 0; i < funcs->len; i++)
        lower_func(cx, funcs->items[i]);
    return true;
}
