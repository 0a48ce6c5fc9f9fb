/* gradc in IPOPT: problem 71 of Hock and Schittkowski solved by IPOPT's
 * interior-point method, every derivative from the routines gradc
 * generated from hs071.fn at build time: objective_grad for the
 * objective's gradient, constraints_jac for the constraints' Jacobian,
 * lagrangian_hess for the Hessian of the Lagrangian. The Jacobian and the
 * Hessian are given to IPOPT as triplets of every entry (of the lower
 * triangle, for the Hessian): the problem is dense. Exit status 0 when
 * IPOPT reaches the known solution. */
#include <IpStdCInterface.h>
#include <math.h>
#include <stdio.h>

#include "hs071.h"

enum { N = 4, M = 2, NNZ_JAC = M * N, NNZ_HESS = N * (N + 1) / 2 };

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

/* J is M x N, row-major: entry k is row k / N, column k % N */
static Bool eval_jac_g(Index n, Number *x, Bool new_x, Index m, Index nnz, Index *rows,
                       Index *cols, Number *values, UserDataPtr data)
{
    (void)n, (void)new_x, (void)m, (void)nnz, (void)data;
    if (!values) {
        for (int k = 0; k < NNZ_JAC; k++) {
            rows[k] = k / N;
            cols[k] = k % N;
        }
        return TRUE;
    }
    double g[M];
    constraints_jac(x, g, values);
    return TRUE;
}

/* the lower triangle of H = sigma d2f + sum lambda_i d2g_i, row by row */
static Bool eval_h(Index n, Number *x, Bool new_x, Number sigma, Index m, Number *lambda,
                   Bool new_lambda, Index nnz, Index *rows, Index *cols, Number *values,
                   UserDataPtr data)
{
    (void)n, (void)new_x, (void)m, (void)new_lambda, (void)nnz, (void)data;
    int k = 0;
    if (!values) {
        for (int i = 0; i < N; i++)
            for (int j = 0; j <= i; j++, k++) {
                rows[k] = i;
                cols[k] = j;
            }
        return TRUE;
    }
    double grad[N], H[N * N];
    lagrangian_hess(x, sigma, lambda, grad, H);
    for (int i = 0; i < N; i++)
        for (int j = 0; j <= i; j++)
            values[k++] = H[i * N + j];
    return TRUE;
}

int main(void)
{
    Number x_lo[N] = {1, 1, 1, 1}, x_hi[N] = {5, 5, 5, 5};
    Number g_lo[M] = {25, 40}, g_hi[M] = {2e19, 40};
    IpoptProblem problem = CreateIpoptProblem(N, x_lo, x_hi, M, g_lo, g_hi, NNZ_JAC, NNZ_HESS,
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
