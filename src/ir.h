/* The IR: the computational graph as three-address instructions, one
 * elementary operation each, with its source span, in structured regions
 * (blocks, if, for). Every AD mode is an IR-to-IR transform; one emitter
 * serves them all. The text form is what --emit=ir prints. */
#ifndef GRADC_IR_H
#define GRADC_IR_H

#include <stdbool.h>

#include "arena.h"
#include "diag.h"

typedef struct Cx Cx;
typedef struct Func Func;

typedef enum Opcode {
#define X(id, name, res, sig, form, cname, builtin, rule, reads, cost, value) OP_##id,
#include "ops.def"
#undef X
    OP_COUNT
} Opcode;

typedef enum OpForm { INFIX, PREFIX, CALL, HELPER, SPECIAL } OpForm;

/* A row of ops.def (see there). */
typedef struct OpInfo {
    const char *name;       /* in the IR text */
    char result;            /* R, I, B or A */
    const char *sig;        /* operand types, one letter each */
    int arity;
    OpForm form;
    const char *cname;      /* C operator, libm function or runtime piece */
    const char *builtin;    /* the .fn built-in it implements, or NULL */
    const char *reads;      /* what each operand's derivative rule reads */
    int cost;               /* rough flops to compute it once */
} OpInfo;

extern const OpInfo ir_ops[OP_COUNT];

/* The built-in of that name (sqrt, min, ...), or -1. */
int ir_builtin(const char *name);

/* What operation op computes on v[0..arity-1] (ints and bools as their
 * values; v holds IR_MAX_ARGS values, the unused ones read but ignored), as the generated C computes it; literal_exponent says the int
 * exponent of powi is a literal (then x^2 is x * x, as the emitter writes
 * it). The interpreters evaluate with it. */
double ir_op_value(Opcode op, const double *v, bool literal_exponent);
/* An int held as a double, as an int; 0 if it is none (an operand of an
 * operation that reads no int may be any real, 1e10 or NaN). */
int ir_as_int(double x);
/* An int operation on constants a and b (b unused by ineg), as the C int
 * operation computes it, into *out: false where C leaves it undefined
 * (overflow, division by 0, INT_MIN / -1) or op is no int operation; then
 * it is not folded. */
bool ir_fold_int(Opcode op, long long a, long long b, int *out);

typedef enum IrType { IT_REAL, IT_INT, IT_BOOL } IrType;

typedef struct IrVar IrVar;
typedef struct IrBlock IrBlock;
typedef struct IrFunc IrFunc;
typedef struct Instr Instr;

typedef enum OperandKind {
    OK_NONE,
    OK_VAR,         /* a scalar's value, or an array passed by name */
    OK_REF,         /* the address of a scalar (a call's accumulation target) */
    OK_REAL,
    OK_INT,
    OK_BOOL,
    OK_NULL,        /* no array (a NULL pointer argument) */
    OK_DIM,         /* a parameter's size that is an int expression (n + 1) */
} OperandKind;

typedef struct IrDim IrDim;

typedef struct Operand {
    OperandKind kind;
    union {
        IrVar *var;
        double real;
        int ival;
        const IrDim *dim;
    };
} Operand;

/* A parameter's size written as an expression of int parameters and
 * literals: op (iadd isub imul idiv imod, or ineg of a alone) of operands
 * that are int literals, int parameters or sizes again. Sizes are known
 * on entry to every function that has the parameter, so they are values,
 * not variables, and each function maps them to its own parameters. */
struct IrDim {
    Opcode op;
    Operand a, b;
};

enum { IR_MAX_DIMS = 8, IR_MAX_ARGS = 3 };

/* A variable: a scalar (held in a C local) or an array. Temporaries are
 * defined once; merge and loop-carried variables by copies. */
struct IrVar {
    int id;                     /* index in IrFunc.vars */
    IrType type;
    int ndims;                  /* 0 scalar, else an array of 1 to IR_MAX_DIMS dimensions */
    bool is_param;
    bool by_ref;                /* scalar parameter passed as double * */
    bool readonly;              /* array parameter passed as const double * */
    bool nullable;              /* pointer parameter that may be NULL */
    bool src_const;             /* a 'const' input: data, never differentiated */
    bool is_out;                /* an out parameter of the .fn function */
    bool framed;                /* lives in the frame its function's parts share (split.c) */
    bool writes_field;          /* in a part: copied back to the frame at the end */
    bool mtaint;                /* in a mask sweep: an int or bool that depends on real
                                   values (a comparison of reals, or set where both branches
                                   of an if on one run) */
    bool mor;                   /* in a mask sweep: set more than once (or a parameter):
                                   where both branches of an if on reals run, or the passes
                                   of a loop left on reals, its sets are joined (|=) */
    const char *name;           /* source name, or NULL for a temporary */
    Operand *dims;              /* ndims sizes (ir_set_shape): int constants or int variables */
    IrVar *adj_of;              /* an adjoint variable: of which variable */
    IrVar *grad_of;             /* a gradient parameter: of which parameter */
    IrVar *seed_of;             /* a seed parameter: of which output */
    IrVar *tan_of;              /* a tangent: of which variable */
    IrVar *origin;              /* in a derived function: the primal's variable it copies */
    IrVar *alias;               /* an adjoint array kept in this parameter when it is not NULL */
    IrVar *field;               /* in a part: the frame's variable this local copies */
    const char *cname;          /* set by the emitter */
};

/* A row of an array: its first nfix indices fixed (A[i] of A[m][n] is the
 * row i, an array [n]). A call argument or a whole-array save may be one:
 * the generated C passes or saves a pointer into the array, never a copy.
 * To every analysis the instruction names the whole array (it reads or
 * writes some of it), so aliasing stays conservative; only the shape and
 * the address take the row into account. */
typedef struct IrRow {
    int nfix;
    Operand fix[IR_MAX_DIMS];   /* ints */
} IrRow;

typedef enum InstrKind {
    I_OP,       /* dst acc= op(args) */
    I_LOAD,     /* dst = arr[idx] */
    I_STORE,    /* arr[idx] acc= op(args) */
    I_FILL,     /* arr[...] = 0 for the whole array */
    I_IF,       /* if (cond) then else els */
    I_FOR,      /* for ivar in lo..hi (down: hi-1 down to lo) body; with an exit
                   flag (cond), left after an iteration that sets it (a while
                   loop or a for with break: hi is OK_NONE for no bound) */
    I_CALL,     /* dst = callee(args) */
    I_RETURN,   /* return args[0] */
    I_PUSH,     /* tape <- args[0] (saved before an overwrite) */
    I_POP,      /* dst <- tape */
    I_PUSHA,    /* tape <- every element of arr */
    I_POPA,     /* arr <- tape, every element */
    I_RESERVE,  /* room on the tape for `per` values in each iteration of lo..hi */
    I_ACOPY,    /* arr = args[0].var element by element (zeros if it is NULL) */
    I_ALLOC,    /* the function's local arrays get their memory here */
} InstrKind;

typedef enum AccMode {
    ACC_SET,    /* = */
    ACC_ADD,    /* += */
    ACC_SUB,    /* -= */
} AccMode;

struct IrBlock {
    PtrVec instrs;              /* Instr* */
    /* set by ir_link_blocks: the enclosing block and the if/for holding this one */
    IrBlock *parent;
    Instr *owner;
    int depth;
    bool in_loop;               /* inside a loop body (its own or an ancestor) */
};

struct Instr {
    InstrKind kind;
    Opcode op;                  /* I_OP, I_STORE */
    AccMode acc;                /* I_OP, I_STORE */
    int nargs;                  /* I_OP, I_STORE, I_RETURN, I_PUSH, I_ACOPY; 0 for the others */
    int ncargs;
    int per;                    /* I_RESERVE: values per iteration; I_PUSHA: 1 for a snapshot;
                                   I_PUSH, I_POP: 1 for a value of the iteration saved rather
                                   than recomputed, 2 for a running extremum (ad_reverse.c) */
    bool down;                  /* I_FOR */
    bool live;                  /* scratch for analyses */
    Span span;
    IrVar *dst;                 /* I_OP, I_LOAD, I_CALL: scalar result */
    IrVar *arr;                 /* I_LOAD, I_STORE, I_FILL */
    Operand *idx;               /* I_LOAD, I_STORE: arr->ndims indices (ir_index_slots) */
    IrBlock *then, *els;        /* I_IF */
    IrVar *ivar;                /* I_FOR */
    IrBlock *body;              /* I_FOR */
    IrFunc *callee;             /* I_CALL */
    Operand *cargs;
    IrRow **crows;              /* I_CALL: NULL, or ncargs entries: NULL for an argument
                                   passed whole, the row of cargs[k].var it passes */
    IrRow *row;                 /* I_PUSHA, I_POPA: NULL (the whole array) or the row saved */
    const char *note;           /* a comment for the emitted code */
    /* The operands. Instructions with operands (nargs > 0) have no bounds
     * or condition, and the reverse, so the two share their memory: read
     * lo, hi and cond only for I_IF, I_FOR and I_RESERVE. */
    union {
        Operand args[IR_MAX_ARGS];  /* I_OP, I_STORE operands; I_RETURN value */
        struct {
            Operand lo, hi;         /* I_FOR, I_RESERVE */
            Operand cond;           /* I_IF; I_FOR: the exit flag (OK_NONE: none) */
        };
    };
    /* scratch for analyses */
    int seq, seq_end;           /* preorder number; for I_FOR, the last one in its body */
    IrBlock *block;             /* the block holding it (set by ir_link_blocks) */
};

typedef enum FuncRole {
    ROLE_PRIMAL,    /* f: the value, or the outputs */
    ROLE_GRAD,      /* f_grad: value and gradient, written */
    ROLE_VJP,       /* f_vjp: outputs, and seeds . Jacobian written as gradient */
    ROLE_REV,       /* static helper: gradient accumulated into the caller's adjoints */
    ROLE_JVP,       /* f_jvp: value or outputs, and their tangents */
    ROLE_HVP,       /* f_hvp: value, gradient and Hessian-vector product */
    ROLE_FWD,       /* static helper: the tangent of a callee */
    ROLE_PART,      /* static part of a split function (split.c) */
    ROLE_JAC,       /* f_jac: outputs and the whole Jacobian (dense.c) */
    ROLE_HESS,      /* f_hess: value, gradient and the whole Hessian (dense.c) */
    ROLE_MASK,      /* static: a copy of a primal whose reals are written as the sets of
                       inputs they depend on (sparse.c) */
    ROLE_PATTERN,   /* static: the sparsity pattern of f's J or H, from mask sweeps */
    ROLE_JAC_NNZ,   /* f_jac_nnz, f_jac_sparse, f_hess_nnz, f_hess_sparse (sparse.c) */
    ROLE_JAC_SPARSE,
    ROLE_HESS_NNZ,
    ROLE_HESS_SPARSE,
} FuncRole;

struct IrFunc {
    const char *name;           /* the C name */
    FuncRole role;
    bool exported;
    bool internal;              /* an API routine made only for f_jac or f_hess: static */
    bool returns;               /* returns a real (else void) */
    Func *src;
    PtrVec params;              /* IrVar*, in C order */
    PtrVec vars;                /* IrVar*, every variable, by id */
    IrBlock *body;
    IrFunc *primal;             /* for derived functions */
    IrFunc *grad, *rev, *fwd;   /* the derived functions made so far */
    IrFunc *sweep[3];           /* f_jac: f_jvp, f_vjp and f_jvp in vector mode (or NULL);
                                   f_hess: f_hvp and f_grad; a pattern: the mask sweep (NULL:
                                   every entry); the sparse routines: the pattern, f_jvp (or
                                   its vector mode: vector set) or f_hvp, and f_vjp or
                                   f_grad */
    bool vector;                /* f_jac_sparse: sweep[1] takes VEC_WIDTH directions */
    IrFunc *mask;               /* a primal's mask sweep (ROLE_MASK), once made */
    bool mask_tried;            /* mask is the answer (NULL: none can be made) */
    bool uses_tape;             /* set by the emitter */
    bool reached;               /* scratch: called from an exported function */
    bool optimized;             /* opt_module has run on it */
    bool has_frame;             /* split: its parts share a frame */
    IrFunc *frame_of;           /* a part: the function whose frame it shares */
    const char *frame_name;     /* set by the emitter: the frame's struct tag */
    int nline;                  /* source line of the definition */
};

struct IrModule {
    PtrVec funcs;               /* IrFunc*, in emission order */
    PtrVec spare;               /* Instr* given back (ir_free_instr), for ir_instr to reuse */
};

typedef struct IrModule IrModule;

/* Construction. */
IrModule *ir_module(Cx *cx);
IrFunc *ir_func(Cx *cx, const char *name, FuncRole role);
void ir_add_func(Cx *cx, IrModule *m, IrFunc *f);
IrVar *ir_var(Cx *cx, IrFunc *f, const char *name, IrType type);
IrVar *ir_param(Cx *cx, IrFunc *f, const char *name, IrType type);
IrBlock *ir_block(Cx *cx);
Instr *ir_instr(Cx *cx, InstrKind kind, Span at);
/* Gives back an instruction that no block holds any more, nor anything
 * else points to, for ir_instr to reuse (what it points to stays in the
 * arena). Under AddressSanitizer it is poisoned and never reused instead,
 * so that a read through a stale pointer to it is reported. */
void ir_free_instr(Cx *cx, Instr *in);
void ir_append(Cx *cx, IrBlock *b, Instr *in);

/* The size op(a, b) (folded when both are literals). */
Operand ir_dim(Cx *cx, Opcode op, Operand a, Operand b);
/* A size (a literal, an int variable, or an OK_DIM) with its variables
 * mapped through map. */
typedef Operand (*IrMapFn)(void *data, Operand a);
Operand ir_map_size(Cx *cx, Operand a, IrMapFn map, void *data);
/* The value of a size, given the values of its variables. */
typedef int (*IrIntOf)(void *data, const IrVar *v);
int ir_size_value(Operand a, IrIntOf get, void *data);
/* A size as an operand: an int expression (an OK_DIM) is computed into a
 * temporary of f by operations appended to b. */
Operand ir_size_operand(Cx *cx, IrFunc *f, IrBlock *b, Span at, Operand d);
/* Calls fn on every variable a size names. */
void ir_size_vars(Operand a, void (*fn)(void *data, IrVar *v), void *data);

/* v becomes an array of ndims dimensions, its sizes still to be set. */
void ir_set_shape(Cx *cx, IrVar *v, int ndims);
/* in (a load or store of in->arr) gets room for its indices. */
void ir_index_slots(Cx *cx, Instr *in);

Operand ir_v(IrVar *v);
Operand ir_real(double x);
Operand ir_int(int i);
Operand ir_bool(bool b);
Operand ir_ref(IrVar *v);
bool ir_same(Operand a, Operand b);
/* A comparison of an int with itself (n < n) as its constant truth, which
 * C compilers would warn about (-Wtautological-compare); -1 if it is not
 * one. Reals are left alone: x == x is false for NaN. */
int ir_self_compare(Opcode op, Operand a, Operand b);
bool ir_is_var(Operand a, const IrVar *v);
IrType ir_operand_type(Operand a);

/* The printer behind --emit=ir, and the verifier run after every pass in
 * debug builds (it aborts with a message on a malformed IR). */
void ir_print_func(Buf *out, const IrFunc *f);
void ir_print_instr(Buf *out, const Instr *in, int level);
void ir_print_module(Buf *out, const IrModule *m);
void ir_verify(const IrFunc *f);
void ir_verify_module(const IrModule *m);

/* Appends every I_CALL of b (nested regions included) to calls. */
void ir_collect_calls(Cx *cx, IrBlock *b, PtrVec *calls);

/* Sets parent, owner and depth of every block of f. */
void ir_link_blocks(IrFunc *f);

/* The innermost block holding both a and b (NULL stands for f's body). */
IrBlock *ir_common_block(IrBlock *a, IrBlock *b);
/* b is outer or a block nested in it (after ir_link_blocks). */
bool ir_block_inside(const IrBlock *b, const IrBlock *outer);

/* The shortest text that reads back as x, with a "." or exponent. */
void ir_fmt_real(char *out, size_t n, double x);

/* A loop whose trip count is known only when it has run: a while loop, or
 * a for loop left by break (it has an exit flag). */
bool ir_exits_early(const Instr *loop);

/* Walking: calls fn on every instruction, blocks first-to-last, nested
 * regions before the instruction after them (pre-order). */
typedef void (*IrVisit)(Instr *in, void *data);
void ir_walk(IrBlock *b, IrVisit fn, void *data);

/* ---- operands, copies, sizes ---- */

/* The operand slots of one instruction that are in use (not those of its
 * nested blocks): the operation's arguments, the element's indices, the
 * condition, the loop bounds, the call's arguments:
 *     Operand *a;
 *     for (IrSlots s = ir_slots(in); (a = ir_slot_next(&s)) != NULL;) ... */
typedef struct IrSlots {
    Instr *in;
    int part, k;
} IrSlots;
IrSlots ir_slots(const Instr *in);
Operand *ir_slot_next(IrSlots *s);

/* A copy of row (NULL for NULL), in cx's arena. */
IrRow *ir_row_copy(Cx *cx, const IrRow *row);
/* A copy of row (NULL for NULL) with its indices mapped through map. */
IrRow *ir_map_row(Cx *cx, const IrRow *row, IrMapFn map, void *data);
/* The row an argument passes: NULL when it passes the whole array. */
const IrRow *ir_call_row(const Instr *call, int k);
/* Sets call's argument k to the row `row` of its array (NULL: whole). */
void ir_set_call_row(Cx *cx, Instr *call, int k, const IrRow *row);
/* Zeros arr (row NULL: an I_FILL), or its row: loops of stores appended
 * to b (an I_FILL always covers the whole array). */
void ir_fill(Cx *cx, IrFunc *f, IrBlock *b, Span at, IrVar *arr, const IrRow *row);
/* The number of dimensions of arr's part that row covers. */
int ir_row_ndims(const IrVar *arr, const IrRow *row);

/* a names v (its value or its address). */
bool ir_mentions(Operand a, const IrVar *v);
/* An operand slot of in names v. */
bool ir_reads_operand(const Instr *in, const IrVar *v);
/* in writes array a (a store, fill, copy, restore, or a call's output). */
bool ir_writes_array(const Instr *in, const IrVar *a);
/* in, or an instruction of its nested blocks, writes v: an array (as
 * ir_writes_array), a result, a loop index. */
bool ir_writes_within(const Instr *in, const IrVar *v);
/* Whether pred holds for in or an instruction of its nested blocks. */
typedef bool (*IrInstrPred)(const Instr *in, const void *data);
bool ir_any_within(const Instr *in, IrInstrPred pred, const void *data);
/* in, or an instruction of its nested blocks, names v at all: an operand,
 * a result, an array, a loop index. */
bool ir_names_within(const Instr *in, const IrVar *v);
/* The call writes its argument k: an output array of the callee, or a
 * scalar it adds into through a pointer. */
bool ir_call_writes(const Instr *call, int k);

/* A copy of an instruction with every variable mapped through map (which
 * may give a value for a variable that is only read); deep copies the
 * nested blocks too, else they are left out (NULL). */
Instr *ir_clone_instr(Cx *cx, const Instr *in, IrMapFn map, void *data, bool deep);
IrBlock *ir_clone_block(Cx *cx, const IrBlock *b, IrMapFn map, void *data);
/* in and its nested blocks with every variable mapped through map, in
 * place (for an instruction that moves to another function). */
void ir_remap_instr(Instr *in, IrMapFn map, void *data);

/* The map that takes each variable to to[its id] where that is set (a
 * copy of a function's variables), for ir_clone_instr, ir_map_size. */
typedef struct IrVarMap {
    IrVar **to;
} IrVarMap;
Operand ir_map_by_id(void *data, Operand a);

/* A new real variable of f with the shape of `shape`, its sizes mapped. */
IrVar *ir_var_like(Cx *cx, IrFunc *f, const IrVar *shape, const char *name, IrMapFn map, void *data);

/* Instructions of b, or in and its regions, nested regions included. */
int ir_count(const IrBlock *b);
int ir_count_instr(const Instr *in);

/* f has local arrays among its variables from index `from` on. */
bool ir_has_local_arrays(const IrFunc *f, int from);
/* An I_ALLOC opens f's body if f has local arrays and none yet. */
void ir_ensure_alloc(Cx *cx, IrFunc *f);
/* f loses its I_ALLOC if no instruction uses a local array any more. */
void ir_drop_unused_alloc(IrFunc *f);

#endif
