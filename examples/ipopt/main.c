/* gradc in IPOPT: problem 71 of Hock and Schittkowski solved by IPOPT's
 * interior-point method, every derivative from the routines gradc
 * generated from hs071.fn at build time: objective_grad for the
 * objective's gradient, constraints_jac_sparse for the constraints'
 * Jacobian and lagrangian_hess_sparse for the Hessian of the Lagrangian,
 * as the triplets IPOPT takes (the _nnz routines give their numbers; the
 * patterns depend on no real value, so any point gives them). Exit status
 * 0 when IPOPT reaches the known solution. */
#include <IpStdCInterface.h>
#include <math.h>
#include <stdio.h>

#include "hs071.h"

enum { N = 4, M = 2 };

/* any point: the patterns do not depend on it */
static const double anywhere[N] = {1, 1, 1, 1}, no_lambda[M] = {0, 0};

static Bool eval_f(Index n, Number *x, Bool new_x, Number *value, UserDataPtr data)
{
    (void)n, (void)new_x, (void)data;
    *value = objective(x);
    return TRUE;
}

static Bool eval_grad_f(Index n, Number *x, Bool new_x, Number *grad, UserDataPtr data)
{
    (void)n, (void)new_x, (void)data;
    objective_grad(x, grad);
    return TRUE;
}

static Bool eval_g(Index n, Number *x, Bool new_x, Index m, Number *g, UserDataPtr data)
{
    (void)n, (void)new_x, (void)m, (void)data;
    constraints(x, g);
    return TRUE;
}

/* IPOPT asks for the pattern once (values NULL, x NULL), then for values
 * in the same order (rows and cols NULL) */
static Bool eval_jac_g(Index n, Number *x, Bool new_x, Index m, Index nnz, Index *rows,
                       Index *cols, Number *values, UserDataPtr data)
{
    (void)n, (void)new_x, (void)m, (void)nnz, (void)data;
    double g[M];
    constraints_jac_sparse(values ? x : anywhere, g, rows, cols, values);
    return TRUE;
}

/* the lower triangle of H = sigma d2f + sum lambda_i d2g_i */
static Bool eval_h(Index n, Number *x, Bool new_x, Number sigma, Index m, Number *lambda,
                   Bool new_lambda, Index nnz, Index *rows, Index *cols, Number *values,
                   UserDataPtr data)
{
    (void)n, (void)new_x, (void)m, (void)new_lambda, (void)nnz, (void)data;
    if (!values)
        lagrangian_hess_sparse(anywhere, 1.0, no_lambda, NULL, rows, cols, NULL);
    else
        lagrangian_hess_sparse(x, sigma, lambda, NULL, NULL, NULL, values);
    return TRUE;
}

int main(void)
{
    Number x_lo[N] = {1, 1, 1, 1}, x_hi[N] = {5, 5, 5, 5};
    Number g_lo[M] = {25, 40}, g_hi[M] = {2e19, 40};
    double g[M];
    int nnz_jac = constraints_jac_nnz(anywhere, g);
    int nnz_hess = lagrangian_hess_nnz(anywhere, 1.0, no_lambda);
    if (nnz_jac < 0 || nnz_hess < 0)
        return 1;   /* out of memory */
    IpoptProblem problem = CreateIpoptProblem(N, x_lo, x_hi, M, g_lo, g_hi, nnz_jac, nnz_hess,
                                              0, eval_f, eval_g, eval_grad_f, eval_jac_g, eval_h);
    AddIpoptNumOption(problem, "tol", 1e-10);
    AddIpoptIntOption(problem, "print_level", 0);
    AddIpoptStrOption(problem, "sb", "yes");            /* no banner */
    Number x[N] = {1, 5, 5, 1}, value = 0;
    enum ApplicationReturnStatus status =
        IpoptSolve(problem, x, NULL, &value, NULL, NULL, NULL, NULL);
    FreeIpoptProblem(problem);

    /* the solution, as IPOPT's documentation gives it */
    const double best[N] = {1.0, 4.74299963, 3.82114998, 1.37940829};
    const double best_value = 17.014017145179164;
    printf("IPOPT: status %d, objective %.10f (known %.10f)\n", (int)status, value, best_value);
    int failures = status != Solve_Succeeded || !(fabs(value - best_value) < 1e-7);
    for (int i = 0; i < N; i++) {
        double err = fabs(x[i] - best[i]);
        printf("x[%d] = %.8f (known %.8f, |error| %.1e)\n", i, x[i], best[i], err);
        failures += !(err < 1e-6);
    }
    puts(failures ? "FAILED: IPOPT did not reach the solution"
                  : "ok: IPOPT with gradc's derivatives reached the solution");
    return failures != 0;
}
