/* The libFuzzer target: the bytes are a .fn file, and the whole compiler
 * runs on them in-process, as `gradc` would: parse, check, lower, inline,
 * optimise, differentiate, then write the C, the header and the IR text.
 * Every input runs once with the default options and once more with a
 * variant chosen by its last byte (see variant()), so that a mutation of
 * one byte reaches -O0, --no-inline, --routines subsets, --split, the AST
 * printer, the graph writer and the IR interpreter. Beyond what the
 * sanitizers see, the C must nest and two compilations must agree.
 * Everything is freed: LeakSanitizer checks. See README.md. */
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "emit.h"
#include "gradc.h"
#include "interp.h"
#include "ir.h"

/* What one run does beyond compile_all. */
typedef struct Run {
    CompileOptions copt;
    bool no_line;
    bool ast;                   /* compile_front and the AST printer only */
    bool dot;                   /* the graph, as --emit=dot compiles for it */
    bool twice;                 /* compile twice: the outputs must be the same */
    int point;                  /* dot: where the interpreter runs the functions */
} Run;

typedef struct Job {
    const char *src;
    size_t len;
} Job;

static const Run default_run = {.copt = {.optimize = true, .split = GRADC_SPLIT_DEFAULT}};

/* The variants, chosen by the last byte modulo 16: any printable byte (at
 * the end of a comment, say) picks any of them, and the usual last bytes
 * reach the split: '\n' is 10, ';' 11, '}' and '\r' 13. */
enum { NVARIANTS = 16 };

static Run variant(unsigned char sel)
{
    Run r = default_run;
    CompileOptions *c = &r.copt;
    switch (sel % NVARIANTS) {
    case 0: r.ast = true; break;
    case 1: r.dot = true, c->optimize = false, c->no_jvp = c->no_hvp = true, c->split = 0, r.point = sel / NVARIANTS; break;
    case 2: c->optimize = false; break;
    case 3: c->no_inline = true; break;
    case 4: c->optimize = false, c->no_inline = true; break;
    case 5: c->no_jvp = c->no_hvp = true; break;                 /* --routines=grad */
    case 6: c->no_grad = true; break;                            /* jvp,hvp */
    case 7: c->no_grad = c->no_jvp = true; break;                /* hvp */
    case 8: c->no_grad = c->no_hvp = true; break;                /* jvp */
    case 9: c->primal_only = true; break;
    case 10: c->split = 5; break;
    case 11: c->split = 1; break;
    case 12: c->split = 5, c->optimize = false; break;
    case 13: c->split = 5, c->no_inline = true; break;
    case 14: r.twice = true; break;
    case 15: c->split = 1, r.no_line = true, c->optimize = false, c->no_jvp = c->no_hvp = true; break;
    }
    return r;
}

static bool same_run(const Run *a, const Run *b)
{
    const CompileOptions *x = &a->copt, *y = &b->copt;
    return x->optimize == y->optimize && x->no_inline == y->no_inline && x->primal_only == y->primal_only &&
           x->no_grad == y->no_grad && x->no_jvp == y->no_jvp && x->no_hvp == y->no_hvp &&
           x->split == y->split && a->no_line == b->no_line && a->ast == b->ast && a->dot == b->dot &&
           a->twice == b->twice;
}

/* A compiler bug the sanitizers cannot see: abort, so that libFuzzer
 * keeps the input. */
static void fail(const char *what, const Buf *text)
{
    fprintf(stderr, "fuzz_gradc: %s\n", what);
    if (text && text->data)
        fprintf(stderr, "---- the text ----\n%s\n----\n", text->data);
    abort();
}

/* The C written must at least nest: brackets balanced outside comments,
 * strings and character constants, none of which may be left open. */
static void check_nesting(const Buf *c)
{
    char stack[256];
    int depth = 0;
    const char *p = c->data ? c->data : "", *end = p + c->len;
    while (p < end) {
        if (p[0] == '/' && p + 1 < end && p[1] == '*') {
            const char *close = strstr(p + 2, "*/");
            if (!close)
                fail("a comment is not closed in the C", c);
            p = close + 2;
        } else if (p[0] == '/' && p + 1 < end && p[1] == '/') {
            while (p < end && *p != '\n')
                p++;
        } else if (*p == '"' || *p == '\'') {
            char q = *p++;
            while (p < end && *p != q && *p != '\n')
                p += p[0] == '\\' ? 2 : 1;
            if (p >= end || *p != q)
                fail("a string or character constant is not closed in the C", c);
            p++;
        } else if (*p == '(' || *p == '[' || *p == '{') {
            if (depth == (int)sizeof stack)
                return;     /* deeper than any generated C; not a finding */
            stack[depth++] = *p++ == '(' ? ')' : p[-1] == '[' ? ']' : '}';
        } else if (*p == ')' || *p == ']' || *p == '}') {
            if (depth == 0 || stack[depth - 1] != *p)
                fail("brackets do not match in the C", c);
            depth--;
            p++;
        } else {
            p++;
        }
    }
    if (depth)
        fail("a bracket is not closed in the C", c);
}

/* Whether the interpreter can run a function's code with no input from a
 * user: scalar operations, branches and calls only. A loop bound or an
 * array size from a literal could make it run for hours or allocate
 * gigabytes, which gradc itself never does (it does not run the code). */
static bool straight(const IrBlock *b)
{
    for (int i = 0; i < b->instrs.len; i++) {
        const Instr *in = b->instrs.items[i];
        if (in->kind == I_IF) {
            if ((in->then && !straight(in->then)) || (in->els && !straight(in->els)))
                return false;
        } else if (in->kind != I_OP && in->kind != I_CALL && in->kind != I_RETURN) {
            return false;
        }
    }
    return true;
}

/* --emit=dot --eval at a point, as eval.c runs it: each function of scalar
 * parameters, and its gradient, on the IR interpreter, at a point that the
 * variant byte chooses (ints are 2). */
static void interpret(Cx *cx, int point)
{
    static const double values[] = {0.5, 2, -1.5, 0, 1e10, -1e300, 3, 1e-8};
    enum { NVALUES = sizeof values / sizeof *values, MAXP = 64 };
    PtrVec *funcs = &cx->ir->funcs;
    for (int i = 0; i < funcs->len; i++)
        if (!straight(((IrFunc *)funcs->items[i])->body))
            return;
    for (int i = 0; i < funcs->len; i++) {
        IrFunc *f = funcs->items[i];
        IrFunc *g = f->grad && f->returns ? f->grad : NULL;
        int np = f->params.len, ng = g ? g->params.len : np;
        bool scalars_only = f->role == ROLE_PRIMAL && ng <= MAXP;
        for (int k = 0; k < np && scalars_only; k++)
            scalars_only = ((IrVar *)f->params.items[k])->ndims == 0;
        if (!scalars_only)
            continue;
        double x[MAXP] = {0}, grads[MAXP] = {0};
        double *arrays[MAXP] = {NULL};
        for (int k = 0; k < np; k++) {
            const IrVar *p = f->params.items[k];
            x[k] = p->type == IT_INT ? 2 : values[(k + point) % NVALUES];
        }
        Interp run = {0}, grad = {0};
        interp_run(&run, f, x, arrays);
        if (g) {
            for (int k = np; k < ng; k++)
                arrays[k] = &grads[k];
            interp_run(&grad, g, x, arrays);
        }
        interp_free(&run);
        interp_free(&grad);
    }
}

/* What one compilation wrote. */
typedef struct Output {
    Buf c, h, ir;
} Output;

static void output_free(Output *o)
{
    buf_free(&o->c);
    buf_free(&o->h);
    buf_free(&o->ir);
}

static bool same_buf(const Buf *a, const Buf *b)
{
    return a->len == b->len && (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

/* Returns whether the input passed the front end. */
static bool compile_once(const Job *job, const Run *r, Output *o)
{
    Cx *cx = cx_new("fuzz.fn", job->src, job->len);
    buf_init(&o->c);
    buf_init(&o->h);
    buf_init(&o->ir);
    bool ok;
    if (r->ast) {
        if ((ok = compile_front(cx)))
            ast_print(&o->ir, &cx->prog);
    } else if ((ok = compile_all(cx, &r->copt))) {
        if (r->dot) {
            emit_dot(cx, NULL, NULL, NULL, NULL, NULL, &o->ir);
            interpret(cx, r->point);
        } else {
            EmitOptions eopt = {.source_name = "fuzz.fn", .header_name = "fuzz.h",
                                .c_name = "fuzz.c", .no_line = r->no_line};
            emit_c(cx, &eopt, &o->c);
            emit_h(cx, &eopt, &o->h);
            ir_print_module(&o->ir, cx->ir);
            check_nesting(&o->c);
            check_nesting(&o->h);
        }
    }
    cx_free(cx);
    return ok;
}

/* The front end is the same for every variant: an input that it rejects
 * is not compiled twice. */
static void run_job(const Job *job)
{
    Output first, second;
    bool ok = compile_once(job, &default_run, &first);
    Run v = variant(job->len ? (unsigned char)job->src[job->len - 1] : 0);
    if (ok && v.twice) {
        compile_once(job, &default_run, &second);
        if (!same_buf(&first.c, &second.c) || !same_buf(&first.h, &second.h) || !same_buf(&first.ir, &second.ir))
            fail("two compilations of one input wrote different outputs", NULL);
        output_free(&second);
    } else if (ok && !same_run(&v, &default_run)) {
        compile_once(job, &v, &second);
        output_free(&second);
    }
    output_free(&first);
}

/* As in main.c, the compiler runs on a thread with a big stack: it recurses
 * over expression trees, and a smaller stack would report overflows that
 * gradc never has. One thread serves every input: making a thread per input
 * costs more than compiling a small one under ASan. */
static struct {
    pthread_mutex_t lock;
    pthread_cond_t wake, done;
    const Job *job;             /* the input to run; NULL once run */
    bool started;
} worker = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, false};

static void *work(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&worker.lock);
    for (;;) {
        while (!worker.job)
            pthread_cond_wait(&worker.wake, &worker.lock);
        run_job(worker.job);
        worker.job = NULL;
        pthread_cond_signal(&worker.done);
    }
    return NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    pthread_attr_t attr;
    pthread_t t;
    if (pthread_attr_init(&attr) == 0) {
        worker.started = pthread_attr_setstacksize(&attr, (size_t)1 << 30) == 0 &&
                         pthread_create(&t, &attr, work, NULL) == 0;
        pthread_attr_destroy(&attr);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Job job = {(const char *)data, size};
    if (!worker.started) {
        run_job(&job);
        return 0;
    }
    pthread_mutex_lock(&worker.lock);
    worker.job = &job;
    pthread_cond_signal(&worker.wake);
    while (worker.job)
        pthread_cond_wait(&worker.done, &worker.lock);
    pthread_mutex_unlock(&worker.lock);
    return 0;
}

/* ASan's strstr checks the whole haystack on every call; the emitter
 * scans its output for names with a strstr per match, which makes large
 * outputs quadratic under ASan only (glibc stops at the match). */
const char *__asan_default_options(void);

const char *__asan_default_options(void)
{
    return "intercept_strstr=0";
}
