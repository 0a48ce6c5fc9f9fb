/* Hand-written sparse Hessians and Jacobian of the problems of
 * bench/sparse.fn, the reference that bench_sparse.c checks and times
 * gradc's f_hess_sparse and f_jac_sparse against. Each has the signature
 * and the outputs of the generated routine: the value (or the outputs) and
 * the gradient (NULL skips it), and the entries of the lower triangle of
 * the Hessian (of the Jacobian) that can be nonzero, as triplets sorted by
 * row, then column; NULL rows and cols give the values only, NULL vals the
 * pattern only. One pass over the data, each term's derivatives computed
 * once. The *_nnz functions give the number of triplets. */
#ifndef GRADC_BENCH_HAND_SPARSE_H
#define GRADC_BENCH_HAND_SPARSE_H

/* sum_{i < n-1} 100 (x[i+1] - x[i]^2)^2 + (1 - x[i])^2: tridiagonal */
int hand_rosen_chain_nnz(int n);
double hand_rosen_chain_hess_sparse(int n, const double *x, double *g, int *rows, int *cols,
                                    double *vals);

/* sum over the edges (p, q) of the s x s grid of sqrt(1 + (u_q - u_p)^2),
 * plus lam sum_p exp(u_p): per row p the upper and left neighbours and p.
 * Returns NaN (and writes nothing) if its work memory (2s doubles) cannot
 * be allocated. */
int hand_grid_nnz(int s);
double hand_grid_hess_sparse(int s, const double *u, double lam, double *g, int *rows, int *cols,
                             double *vals);

/* sum_{i >= 1} (x[i]^2 + x[0]^2)^2 - 4 x[i] + 3: row 0 holds (0, 0), row
 * i >= 1 holds (i, 0) and (i, i) */
int hand_arrow_nnz(int n);
double hand_arrow_hess_sparse(int n, const double *x, double *g, int *rows, int *cols, double *vals);

/* r[i] = x[i-1] - 2 x[i] + x[i+1] + h^2 lam exp(x[i]), h = 1/(n+1), the
 * missing neighbours 0: tridiagonal J */
int hand_bratu_nnz(int n);
void hand_bratu_jac_sparse(int n, const double *x, double lam, double *r, int *rows, int *cols,
                           double *vals);

#endif
