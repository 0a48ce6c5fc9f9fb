/* Vector mode: a tangent function that carries up to VEC_WIDTH directions
 * through one sweep (for f_jac). */
#ifndef GRADC_VECTOR_H
#define GRADC_VECTOR_H

typedef struct Cx Cx;
typedef struct IrFunc IrFunc;

enum { VEC_WIDTH = 8 };

/* The static helper (f's ARGS, TANGENTS, OUT_TANGENTS, int nd) that does
 * what jvp (an f_jvp) does along nd <= VEC_WIDTH directions at once: every
 * tangent has a trailing dimension of VEC_WIDTH (a scalar's tangent is an
 * array of VEC_WIDTH), direction d in element d. NULL when jvp holds what
 * the transform does not handle (calls, the tape): then f_jac sweeps one
 * direction at a time. */
IrFunc *vec_jvp(Cx *cx, IrFunc *jvp, int nargs);

#endif
