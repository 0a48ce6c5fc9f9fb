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
#define X(id, name, res, sig, form, cname, builtin, rule) OP_##id,
#include "ops.def"
#undef X
    OP_COUNT
} Opcode;

typedef enum OpForm { INFIX, PREFIX, CALL, SPECIAL } OpForm;

typedef struct OpInfo {
    const char *name;       /* in the IR text */
    char result;            /* R, I, B or A */
    const char *sig;        /* operand types, one letter each */
    int arity;
    OpForm form;
    const char *cname;      /* C operator or function */
    const char *builtin;    /* the .fn built-in it implements, or NULL */
} OpInfo;

extern const OpInfo ir_ops[OP_COUNT];

/* The built-in of that name (sqrt, min, ...), or -1. */
int ir_builtin(const char *name);

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
} OperandKind;

typedef struct Operand {
    OperandKind kind;
    union {
        IrVar *var;
        double real;
        int ival;
    };
} Operand;

enum { IR_MAX_DIMS = 2, IR_MAX_ARGS = 3 };

/* A variable: a scalar (held in a C local) or an array. Temporaries are
 * defined once; merge and loop-carried variables by copies. */
struct IrVar {
    int id;                     /* index in IrFunc.vars */
    const char *name;           /* source name, or NULL for a temporary */
    IrType type;
    int ndims;                  /* 0 scalar, 1 or 2 array */
    Operand dims[IR_MAX_DIMS];  /* int constants or int parameters */
    bool is_param;
    bool by_ref;                /* scalar parameter passed as double * */
    bool readonly;              /* array parameter passed as const double * */
    bool nullable;              /* pointer parameter that may be NULL */
    bool src_const;             /* a 'const' input: data, never differentiated */
    IrVar *adj_of;              /* an adjoint variable: of which variable */
    IrVar *grad_of;             /* a gradient parameter: of which parameter */
    IrVar *seed_of;             /* a seed parameter: of which output */
    IrVar *tan_of;              /* a tangent: of which variable */
    IrVar *origin;              /* in a derived function: the primal's variable it copies */
    bool is_out;                /* an out parameter of the .fn function */
    IrVar *alias;               /* an adjoint array kept in this parameter when it is not NULL */
    const char *cname;          /* set by the emitter */
};

typedef enum InstrKind {
    I_OP,       /* dst acc= op(args) */
    I_LOAD,     /* dst = arr[idx] */
    I_STORE,    /* arr[idx] acc= op(args) */
    I_FILL,     /* arr[...] = 0 for the whole array */
    I_IF,       /* if (cond) then else els */
    I_FOR,      /* for ivar in lo..hi (down: hi-1 down to lo) body */
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
    IrVar *dst;                 /* I_OP, I_LOAD, I_CALL: scalar result */
    IrVar *arr;                 /* I_LOAD, I_STORE, I_FILL */
    Operand idx[IR_MAX_DIMS];
    int nargs;
    Operand args[IR_MAX_ARGS];  /* I_OP, I_STORE operands; I_RETURN value */
    Operand cond;               /* I_IF */
    IrBlock *then, *els;        /* I_IF */
    IrVar *ivar;                /* I_FOR */
    Operand lo, hi;             /* I_FOR, I_RESERVE */
    int per;                    /* I_RESERVE: values per iteration; I_PUSHA: 1 for a snapshot */
    IrBlock *body;
    bool down;
    IrFunc *callee;             /* I_CALL */
    Operand *cargs;
    int ncargs;
    Span span;
    const char *note;           /* a comment for the emitted code */
    /* scratch for analyses */
    int seq, seq_end;           /* preorder number; for I_FOR, the last one in its body */
    IrBlock *block;             /* the block holding it (set by ir_link_blocks) */
    bool live;
};

typedef enum FuncRole {
    ROLE_PRIMAL,    /* f: the value, or the outputs */
    ROLE_GRAD,      /* f_grad: value and gradient, written */
    ROLE_VJP,       /* f_vjp: outputs, and seeds . Jacobian written as gradient */
    ROLE_REV,       /* static helper: gradient accumulated into the caller's adjoints */
    ROLE_JVP,       /* f_jvp: value or outputs, and their tangents */
    ROLE_HVP,       /* f_hvp: value, gradient and Hessian-vector product */
    ROLE_FWD,       /* static helper: the tangent of a callee */
} FuncRole;

struct IrFunc {
    const char *name;           /* the C name */
    FuncRole role;
    bool exported;
    bool returns;               /* returns a real (else void) */
    Func *src;
    PtrVec params;              /* IrVar*, in C order */
    PtrVec vars;                /* IrVar*, every variable, by id */
    IrBlock *body;
    IrFunc *primal;             /* for derived functions */
    IrFunc *grad, *rev, *fwd;   /* the derived functions made so far */
    bool uses_tape;             /* set by the emitter */
    bool reached;               /* scratch: called from an exported function */
    int nline;                  /* source line of the definition */
};

struct IrModule {
    PtrVec funcs;               /* IrFunc*, in emission order */
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
void ir_append(Cx *cx, IrBlock *b, Instr *in);

Operand ir_v(IrVar *v);
Operand ir_real(double x);
Operand ir_int(int i);
Operand ir_bool(bool b);
Operand ir_ref(IrVar *v);
bool ir_same(Operand a, Operand b);
bool ir_is_var(Operand a, const IrVar *v);
IrType ir_operand_type(Operand a);

/* The printer behind --emit=ir, and the verifier run after every pass in
 * debug builds (it aborts with a message on a malformed IR). */
void ir_print_func(Buf *out, const IrFunc *f);
void ir_print_module(Buf *out, const IrModule *m);
void ir_verify(const IrFunc *f);
void ir_verify_module(const IrModule *m);

/* Appends every I_CALL of b (nested regions included) to calls. */
void ir_collect_calls(Cx *cx, IrBlock *b, PtrVec *calls);

/* Sets parent, owner and depth of every block of f. */
void ir_link_blocks(IrFunc *f);

/* The value of a real operation (arithmetic, libm, the kink helpers) on
 * v[0..arity-1], as the generated C computes it; for powi and dpowi v[1]
 * is the int exponent, and literal_exponent says it was a literal (then
 * x^2 is x * x, as the emitter writes it). NaN for other operations. The
 * interpreters (--emit=dot, the unit tests' oracle) share it. */
double ir_real_op(Opcode op, const double *v, bool literal_exponent);
/* The innermost block holding both a and b (NULL stands for f's body). */
IrBlock *ir_common_block(IrBlock *a, IrBlock *b);

/* The shortest text that reads back as x, with a "." or exponent. */
void ir_fmt_real(char *out, size_t n, double x);

/* Walking: calls fn on every instruction, blocks first-to-last, nested
 * regions before the instruction after them (pre-order). */
typedef void (*IrVisit)(Instr *in, void *data);
void ir_walk(IrBlock *b, IrVisit fn, void *data);

#endif
