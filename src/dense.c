/* Whole Jacobians and Hessians (f_jac, f_hess). Each is a loop over
 * directions: f_jac takes columns of J from f_jvp along the inputs
 * (N <= M), 8 per sweep in vector mode (vector.c) where it applies, or a
 * row from f_vjp along each output (N > M), chosen at run time since sizes
 * may be int arguments; f_hess takes column j of H from f_hvp along e_j,
 * and the value and gradient from the first sweep. Here they get their
 * signatures and the routines they call; the emitter writes the loops
 * (emit_c.c). */
#include "dense.h"

#include "gradc.h"
#include "ir.h"
#include "vector.h"

/* The number of elements of real arrays and scalars among from's
 * parameters that pass `want`, as a size of g's parameters. */
static Operand count(Cx *cx, const IrFunc *from, bool (*want)(const IrVar *), IrVarMap *c)
{
    Operand total = ir_int(0);
    for (int i = 0; i < from->params.len; i++) {
        const IrVar *v = from->params.items[i];
        if (!want(v))
            continue;
        Operand n = ir_int(1);
        for (int d = 0; d < v->ndims; d++) {
            Operand size = ir_map_size(cx, v->dims[d], ir_map_by_id, c);
            n = d == 0 ? size : ir_dim(cx, OP_IMUL, n, size);
        }
        total = total.kind == OK_INT && total.ival == 0 ? n : ir_dim(cx, OP_IADD, total, n);
    }
    return total;
}

static bool is_input(const IrVar *v)
{
    return v->type == IT_REAL && !v->is_out && !v->src_const && !v->grad_of;
}

static bool is_output(const IrVar *v)
{
    return v->is_out;
}

IrFunc *dense_like(Cx *cx, IrFunc *f, IrFunc *from, FuncRole role, const char *suffix)
{
    IrFunc *g = ir_func(cx, arena_printf(cx->arena, "%s%s", f->name, suffix), role);
    g->exported = true;
    g->returns = f->returns;
    g->src = f->src;
    g->primal = f;
    g->nline = f->nline;
    IrVarMap c = {ARENA_ARRAY(cx->arena, IrVar *, from->vars.len)};
    for (int i = 0; i < from->params.len; i++) {
        const IrVar *v = from->params.items[i];
        IrVar *p = ir_param(cx, g, v->name, v->type);
        ir_set_shape(cx, p, v->ndims);
        for (int d = 0; d < v->ndims; d++)
            p->dims[d] = ir_map_size(cx, v->dims[d], ir_map_by_id, &c);
        p->readonly = v->readonly;
        p->src_const = v->src_const;
        p->by_ref = v->by_ref;
        p->nullable = v->nullable;
        p->is_out = v->is_out;
        p->grad_of = v->grad_of ? c.to[v->grad_of->id] : NULL;
        c.to[v->id] = p;
    }
    return g;
}

/* from's parameters (f's, or f_grad's for f_hess), then the matrix
 * `mat`: an M x N or N x N array, NULL to skip it. */
static IrFunc *dense_func(Cx *cx, IrFunc *f, IrFunc *from, FuncRole role, const char *suffix,
                          const char *mat)
{
    IrFunc *g = dense_like(cx, f, from, role, suffix);
    IrVarMap c = {ARENA_ARRAY(cx->arena, IrVar *, from->vars.len)};
    for (int i = 0; i < from->params.len; i++) {
        const IrVar *v = from->params.items[i];
        c.to[v->id] = g->params.items[i];
    }
    Operand n = count(cx, from, is_input, &c);
    IrVar *m = ir_param(cx, g, mat, IT_REAL);
    ir_set_shape(cx, m, 2);
    m->dims[0] = role == ROLE_JAC ? count(cx, from, is_output, &c) : n;
    m->dims[1] = n;
    m->nullable = true;
    return g;
}

IrFunc *dense_find(Cx *cx, const IrFunc *f, FuncRole role)
{
    for (int i = 0; i < cx->ir->funcs.len; i++) {
        IrFunc *g = cx->ir->funcs.items[i];
        if (g->role == role && g->primal == f && g->exported)
            return g;
    }
    die("dense: %s has no routine of role %d to call", f->name, (int)role);
}

static void drop(Cx *cx, IrFunc *f)
{
    PtrVec *funcs = &cx->ir->funcs;
    int w = 0;
    for (int i = 0; i < funcs->len; i++)
        if (funcs->items[i] != f)
            funcs->items[w++] = funcs->items[i];
    funcs->len = w;
}

void dense_module(Cx *cx, bool jac, bool hess)
{
    int n = cx->ir->funcs.len;
    for (int i = 0; i < n; i++) {
        IrFunc *f = cx->ir->funcs.items[i];
        if (f->role != ROLE_PRIMAL || (f->returns ? !hess : !jac))
            continue;
        IrFunc *g;
        if (f->returns) {
            IrFunc *grad = dense_find(cx, f, ROLE_GRAD);
            g = dense_func(cx, f, grad, ROLE_HESS, "_hess", "H");
            g->sweep[0] = dense_find(cx, f, ROLE_HVP);
            g->sweep[1] = grad;
        } else {
            g = dense_func(cx, f, f, ROLE_JAC, "_jac", "J");
            g->sweep[0] = dense_find(cx, f, ROLE_JVP);
            g->sweep[1] = dense_find(cx, f, ROLE_VJP);
            g->sweep[2] = vec_jvp(cx, g->sweep[0], f->params.len);
            if (g->sweep[2]) {
                vec_push(cx->arena, &cx->ir->funcs, g->sweep[2]);
                /* f_jac calls f_jvp only where vector mode does not apply */
                if (g->sweep[0]->internal)
                    drop(cx, g->sweep[0]);
                g->sweep[0] = g->sweep[2];
            }
        }
        vec_push(cx->arena, &cx->ir->funcs, g);
    }
}

bool dense_fits(Cx *cx, bool hess)
{
    for (int i = 0; i < cx->ir->funcs.len; i++) {
        const IrFunc *f = cx->ir->funcs.items[i];
        if (f->role == ROLE_PRIMAL && f->returns == hess)
            return true;
    }
    return false;
}
