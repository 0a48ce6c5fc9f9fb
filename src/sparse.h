/* Sparse Jacobians and Hessians: f_jac_nnz, f_jac_sparse, f_hess_nnz and
 * f_hess_sparse (LANGUAGE.md section 6). */
#ifndef GRADC_SPARSE_H
#define GRADC_SPARSE_H

#include <stdbool.h>

typedef struct Cx Cx;

/* Adds the sparse routines beside every f_jac (if jac) and f_hess (if
 * hess) of the module (dense_module has made them), with the static
 * functions that compute their pattern: a mask sweep of each primal they
 * reach (ROLE_MASK) and a pattern function per routine (ROLE_PATTERN). */
void sparse_module(Cx *cx, bool jac, bool hess);

#endif
