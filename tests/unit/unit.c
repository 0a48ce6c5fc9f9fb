/* Shared helpers of the unit tests (see unit.h). */
#include "unit.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "emit.h"

void unit_assert_contains(const char *hay, const char *needle, bool want, const char *what,
                          const char *file, int line)
{
    bool found = hay && strstr(hay, needle);
    if (found != want) {
        /* stderr directly: cmocka's print_error cuts long texts */
        fprintf(stderr, "%s %s \"%s\"; it is:\n%s\n", what, want ? "does not contain" : "contains",
                needle, hay ? hay : "(null)");
        _fail(file, line);
    }
}

int unit_count(const char *hay, const char *needle)
{
    int n = 0;
    size_t len = strlen(needle);
    for (const char *p = hay; len && (p = strstr(p, needle)); p += len)
        n++;
    return n;
}

/* ---- running in a child ------------------------------------------------ */

int unit_in_child(void (*fn)(void *), void *arg, char *err, size_t n)
{
    int fds[2];
    if (pipe(fds) != 0)
        fail_msg("pipe failed");
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0)
        fail_msg("fork failed");
    if (pid == 0) {
        close(fds[0]);
        dup2(fds[1], 2);
        signal(SIGABRT, SIG_DFL);
        signal(SIGSEGV, SIG_DFL);
        fn(arg);
        _exit(0);
    }
    close(fds[1]);
    size_t got = 0;
    char sink[256];
    for (;;) {
        char *to = err && got + 1 < n ? err + got : sink;
        size_t room = err && got + 1 < n ? n - 1 - got : sizeof sink;
        ssize_t k = read(fds[0], to, room);
        if (k <= 0)
            break;
        if (to != sink)
            got += (size_t)k;
    }
    if (err && n)
        err[got] = '\0';
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    return status;
}

/* ---- compiling ---------------------------------------------------------- */

typedef struct Job {
    const char *src;
    UnitStage stage;
    bool optimize;
} Job;

static bool run_stage(Cx *cx, UnitStage stage, bool optimize)
{
    if (stage == UNIT_FRONT)
        return compile_front(cx);
    return compile_all(cx, &(CompileOptions){.optimize = optimize, .primal_only = stage == UNIT_PRIMAL});
}

static void child_compile(void *arg)
{
    const Job *job = arg;
    Cx *cx = cx_new("t.fn", job->src, strlen(job->src));
    bool ok = run_stage(cx, job->stage, job->optimize);
    if (ok && job->stage != UNIT_FRONT) {
        Buf b;
        buf_init(&b);
        ir_print_module(&b, cx->ir);
        if (job->stage == UNIT_ALL) {
            EmitOptions eo = {.source_name = "t.fn", .header_name = "t.h", .c_name = "t.c", .no_line = true};
            emit_c(cx, &eo, &b);
            emit_h(cx, &eo, &b);
        }
        buf_free(&b);
    }
    cx_free(cx);
}

Cx *unit_try_cx(const char *src, UnitStage stage, bool optimize, bool *ok, char *crash, size_t n)
{
    Job job = {src, stage, optimize};
    char err[4096];
    int status = unit_in_child(child_compile, &job, err, sizeof err);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        snprintf(crash, n, "gradc crashed (%s %d); its stderr:\n%s",
                 WIFSIGNALED(status) ? "signal" : "exit status",
                 WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status), err);
        return NULL;
    }
    Cx *cx = cx_new("t.fn", src, strlen(src));
    bool r = run_stage(cx, stage, optimize);
    if (ok)
        *ok = r;
    return cx;
}

Cx *unit_cx(const char *src, UnitStage stage, bool optimize, bool *ok)
{
    char crash[4200];
    Cx *cx = unit_try_cx(src, stage, optimize, ok, crash, sizeof crash);
    if (!cx) {
        fprintf(stderr, "compiling:\n%s\n%s\n", src, crash);
        fail_msg("gradc crashed");
    }
    return cx;
}

Cx *unit_ok(const char *src, UnitStage stage, bool optimize)
{
    bool ok;
    Cx *cx = unit_cx(src, stage, optimize, &ok);
    if (!ok || cx->diag.errors) {
        fprintf(stderr, "unexpected errors compiling:\n%s\n---\n%s\n", src,
                cx->diag.text.data ? cx->diag.text.data : "");
        cx_free(cx);
        fail();
    }
    return cx;
}

static char *take(Buf *b)
{
    if (!b->data)
        buf_puts(b, "");
    return b->data;         /* the Buf's heap block: free() releases it */
}

char *unit_errors(const char *src, int *nerrors)
{
    Cx *cx = unit_cx(src, UNIT_FRONT, false, NULL);
    Buf b;
    buf_init(&b);
    buf_puts(&b, cx->diag.text.data ? cx->diag.text.data : "");
    if (nerrors)
        *nerrors = cx->diag.errors;
    cx_free(cx);
    return take(&b);
}

char *unit_ast(const char *src)
{
    Cx *cx = unit_ok(src, UNIT_FRONT, false);
    Buf b;
    buf_init(&b);
    ast_print(&b, &cx->prog);
    cx_free(cx);
    return take(&b);
}

char *unit_ir_text(Cx *cx)
{
    Buf b;
    buf_init(&b);
    ir_print_module(&b, cx->ir);
    return take(&b);
}

IrFunc *unit_func(Cx *cx, const char *name)
{
    for (int i = 0; cx->ir && i < cx->ir->funcs.len; i++) {
        IrFunc *f = cx->ir->funcs.items[i];
        if (strcmp(f->name, name) == 0)
            return f;
    }
    return NULL;
}

char *unit_func_text(Cx *cx, const char *name)
{
    IrFunc *f = unit_func(cx, name);
    if (!f)
        fail_msg("no IR function '%s'", name);
    Buf b;
    buf_init(&b);
    ir_print_func(&b, f);
    return take(&b);
}

char *unit_c_text(Cx *cx)
{
    Buf b;
    buf_init(&b);
    EmitOptions eo = {.source_name = "t.fn", .header_name = "t.h", .c_name = "t.c", .no_line = true};
    emit_c(cx, &eo, &b);
    return take(&b);
}

char *unit_h_text(Cx *cx)
{
    Buf b;
    buf_init(&b);
    EmitOptions eo = {.source_name = "t.fn", .header_name = "t.h", .c_name = "t.c", .no_line = true};
    emit_h(cx, &eo, &b);
    return take(&b);
}

/* ---- counting ----------------------------------------------------------- */

static int count_block(const IrBlock *b, UnitInstrPred pred, const void *data)
{
    int n = 0;
    for (int i = 0; i < b->instrs.len; i++) {
        const Instr *in = b->instrs.items[i];
        n += pred(in, data);
        if (in->then)
            n += count_block(in->then, pred, data);
        if (in->els)
            n += count_block(in->els, pred, data);
        if (in->body)
            n += count_block(in->body, pred, data);
    }
    return n;
}

int unit_count_instrs(const IrFunc *f, UnitInstrPred pred, const void *data)
{
    return count_block(f->body, pred, data);
}

static bool is_op(const Instr *in, const void *data)
{
    return (in->kind == I_OP || in->kind == I_STORE) && in->op == *(const Opcode *)data;
}

int unit_count_op(const IrFunc *f, Opcode op)
{
    return unit_count_instrs(f, is_op, &op);
}
