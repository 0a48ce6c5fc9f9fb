/* The gradc command: options, reading the input, the pipeline, and writing
 * the outputs all at once at the end (to temporary files renamed into
 * place), so that an error never leaves a half-written or stale file.
 * Exit status: 0 success, 1 errors in the input, 2 bad usage or I/O. */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compile.h"
#include "emit.h"
#include "eval.h"
#include "gradc.h"
#include "ir.h"

enum { EXIT_INPUT = 1, EXIT_USAGE = 2 };
enum { INPUT_LIMIT = 1 << 30 };

typedef struct Options {
    const char *input;
    const char *out_c;
    const char *out_h;
    const char *depfile;        /* --depfile FILE */
    bool md;                    /* -MD: the dependency file beside the C */
    const char *emit;           /* c, h, ast, ir; NULL: write files */
    const char *eval;           /* a call to evaluate */
    bool no_line;
    int split;                  /* --split=N */
    bool optimize;
    bool no_inline;             /* --no-inline */
    bool hessian;
    const char *routines;       /* --routines=... */
} Options;

typedef struct Job {
    const Options *opt;
    char *src;
    size_t len;
    int status;
} Job;

static const char usage_text[] =
    "usage: gradc FILE.fn [-o OUT.c] [--header OUT.h] [-MD | --depfile FILE]\n"
    "                [--routines=LIST] [--split=N] [--no-line] [-O0] [--no-inline]\n"
    "       gradc FILE.fn --emit=c|h|ast|ir|dot [--eval 'f(2, 1)']\n"
    "       gradc FILE.fn --eval 'f(2, 1)' [--hessian]\n"
    "       gradc --help | --version\n";

/* man gradc (docs/gradc.1) says the same; a test compares their options. */
static const char help_text[] =
    "gradc compiles functions written in the .fn language into C: each function\n"
    "and its derivatives (f_grad or f_vjp in reverse mode, f_jvp in forward mode,\n"
    "f_hvp for Hessian-vector products, and on request f_jac and f_hess for whole\n"
    "Jacobians and Hessians), with no runtime dependency beyond the C library and\n"
    "libm.\n"
    "\n"
    "Options:\n"
    "  -o OUT.c          write the C source to OUT.c (default: FILE's stem + .c,\n"
    "                    in the current directory)\n"
    "  --header OUT.h    write the header to OUT.h (default: beside OUT.c)\n"
    "  -MD               also write a make dependency file, 'OUT.c OUT.h: FILE.fn',\n"
    "                    beside the C source and named after it (OUT.d)\n"
    "  --depfile FILE    write the make dependency file to FILE\n"
    "  --routines=LIST   which derived functions to write, from grad (f_grad and\n"
    "                    f_vjp), jvp, hvp, jac (f_jac, the whole Jacobian of a\n"
    "                    function with out parameters, and f_jac_nnz and\n"
    "                    f_jac_sparse) and hess (f_hess, the whole Hessian of a\n"
    "                    function returning a value, f_hess_nnz, f_hess_sparse);\n"
    "                    default grad,jvp,hvp. The functions themselves are\n"
    "                    always written\n"
    "  --split=N         split a function of more than N statements (default\n"
    "                    2000; 0: never) into static parts, which C compilers\n"
    "                    optimise much faster than one huge function\n"
    "  --no-line         no #line directives in the generated C\n"
    "  -O0               no IR optimisation (to read the IR as generated)\n"
    "  --no-inline       keep calls between .fn functions as calls (by default\n"
    "                    small functions are inlined before differentiation)\n"
    "  --emit=KIND       print one artefact to standard output instead of writing\n"
    "                    files: c, h, ast (the syntax tree), ir (the IR after\n"
    "                    differentiation and optimisation), dot (the computational\n"
    "                    graph in Graphviz form; with --eval, each node's value and\n"
    "                    adjoint at that point)\n"
    "  --eval CALL       build the generated code with $CC (default cc), call the\n"
    "                    function at the given point, e.g. 'f(2, 1)' or\n"
    "                    'g(3, [1, 2, 3])', and print the value, every partial\n"
    "                    derivative and a central finite-difference estimate\n"
    "                    beside each; for a function with out parameters, the\n"
    "                    Jacobian, then f_jac_sparse's entries (nonzeros,\n"
    "                    colours) beside f_jac's and the differences\n"
    "  --hessian         with --eval: also the Hessian, from f_hvp, beside central\n"
    "                    differences of f_grad, then f_hess_sparse's entries\n"
    "                    beside f_hess's and the differences\n"
    "  --help            this text\n"
    "  --version         gradc's version\n"
    "\n"
    "Errors in the input are reported as FILE:LINE:COL: error: MESSAGE with the\n"
    "source line and a caret; no output file is written or changed then.\n"
    "Exit status: 0 success, 1 errors in the input, 2 bad usage or I/O failure.\n";

static int usage_error(const char *fmt, const char *arg)
{
    fputs("gradc: error: ", stderr);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    fputs(usage_text, stderr);
    return EXIT_USAGE;
}

static bool has_routine(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && strncmp(p, name, n) == 0)
            return true;
        p += len + (end != NULL);
    }
    return false;
}

static bool routines_ok(const char *list)
{
    static const char *const known[] = {"grad", "jvp", "hvp", "jac", "hess"};
    size_t n = strlen(list);
    if (n == 0 || list[n - 1] == ',')
        return false;
    for (const char *p = list; *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        bool ok = false;
        for (size_t k = 0; k < sizeof known / sizeof *known; k++)
            ok |= len == strlen(known[k]) && strncmp(p, known[k], len) == 0;
        if (!ok)
            return false;
        p += len + (end != NULL);
    }
    return true;
}

/* Returns -1 when the options are good, else an exit status. */
static int parse_options(int argc, char **argv, Options *opt)
{
    opt->optimize = true;
    opt->split = GRADC_SPLIT_DEFAULT;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage_text, stdout);
            fputs("\n", stdout);
            fputs(help_text, stdout);
            return 0;
        } else if (strcmp(a, "--version") == 0) {
            printf("gradc %s\n", GRADC_VERSION);
            return 0;
        } else if (strcmp(a, "-o") == 0 || strcmp(a, "--header") == 0 || strcmp(a, "--eval") == 0 ||
                   strcmp(a, "--depfile") == 0) {
            if (i + 1 >= argc)
                return usage_error("option '%s' needs an argument", a);
            const char **slot = a[1] == 'o'   ? &opt->out_c
                                : a[2] == 'h' ? &opt->out_h
                                : a[2] == 'd' ? &opt->depfile
                                              : &opt->eval;
            *slot = argv[++i];
        } else if (strcmp(a, "-MD") == 0) {
            opt->md = true;
        } else if (strncmp(a, "--emit=", 7) == 0) {
            opt->emit = a + 7;
            if (strcmp(opt->emit, "c") && strcmp(opt->emit, "h") && strcmp(opt->emit, "ast") &&
                strcmp(opt->emit, "ir") && strcmp(opt->emit, "dot"))
                return usage_error("unknown --emit kind '%s' (c, h, ast, ir or dot)", opt->emit);
        } else if (strcmp(a, "--emit") == 0) {
            return usage_error("write --emit=KIND (c, h, ast, ir or dot)%s", "");
        } else if (strcmp(a, "--hessian") == 0) {
            opt->hessian = true;
        } else if (strncmp(a, "--routines=", 11) == 0) {
            opt->routines = a + 11;
            if (!routines_ok(opt->routines))
                return usage_error("--routines takes a list of grad, jvp, hvp, jac and hess, not '%s'",
                                   opt->routines);
        } else if (strncmp(a, "--split=", 8) == 0) {
            char *end;
            errno = 0;
            long n = strtol(a + 8, &end, 10);
            if (end == a + 8 || *end || errno || n < 0 || n > 100000000)
                return usage_error("--split takes a number of statements (0: never split), not '%s'", a + 8);
            opt->split = (int)n;
        } else if (strcmp(a, "--no-line") == 0) {
            opt->no_line = true;
        } else if (strcmp(a, "-O0") == 0) {
            opt->optimize = false;
        } else if (strcmp(a, "--no-inline") == 0) {
            opt->no_inline = true;
        } else if (a[0] == '-' && a[1] != '\0') {
            return usage_error("unknown option '%s'", a);
        } else if (opt->input) {
            return usage_error("more than one input file ('%s')", a);
        } else {
            opt->input = a;
        }
    }
    if (!opt->input)
        return usage_error("no input file%s", "");
    if (opt->emit && opt->eval && strcmp(opt->emit, "dot") != 0)
        return usage_error("--eval goes with --emit=dot only%s", "");
    if (opt->hessian && !opt->eval)
        return usage_error("--hessian goes with --eval%s", "");
    if ((opt->md || opt->depfile) && (opt->emit || opt->eval))
        return usage_error("%s goes with writing files, not with --emit or --eval",
                           opt->depfile ? "--depfile" : "-MD");
    return -1;
}

static int io_error(const char *what, const char *path)
{
    fprintf(stderr, "gradc: error: %s '%s': %s\n", what, path, strerror(errno));
    return EXIT_USAGE;
}

static int read_input(const char *path, char **src, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return io_error("cannot open", path);
    Buf b;
    buf_init(&b);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0) {
        if (b.len + n > INPUT_LIMIT) {
            fclose(fp);
            buf_free(&b);
            fprintf(stderr, "gradc: error: '%s' is larger than 1 GiB\n", path);
            return EXIT_USAGE;
        }
        buf_putn(&b, chunk, n);
    }
    bool failed = ferror(fp);
    fclose(fp);
    if (failed) {
        buf_free(&b);
        return io_error("cannot read", path);
    }
    *src = b.data ? b.data : calloc(1, 1);
    *len = b.len;
    return -1;
}

/* ---- output ----------------------------------------------------------- */

static char *replace_ext(const char *path, const char *ext)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(path, '.');
    size_t keep = dot && (!slash || dot > slash) && dot != (slash ? slash + 1 : path) ? (size_t)(dot - path)
                                                                                       : strlen(path);
    char *out = xmalloc(keep + strlen(ext) + 1);
    memcpy(out, path, keep);
    strcpy(out + keep, ext);
    return out;
}

/* FILE.fn -> FILE.c in the current directory */
static char *default_c_name(const char *input)
{
    const char *slash = strrchr(input, '/');
    return replace_ext(slash ? slash + 1 : input, ".c");
}

typedef struct Pending {
    const char *path;
    char *tmp;
} Pending;

/* A temporary file beside p->path, open for writing, or NULL (p->tmp is
 * then NULL, or a file to drop). */
static FILE *open_temp(Pending *p)
{
    size_t n = strlen(p->path);
    p->tmp = xmalloc(n + 16);
    snprintf(p->tmp, n + 16, "%s.tmp-XXXXXX", p->path);
    int fd = mkstemp(p->tmp);
    if (fd < 0) {
        free(p->tmp);
        p->tmp = NULL;
        return NULL;
    }
    /* mkstemp makes the file private; an output gets the usual mode */
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    FILE *fp = fdopen(fd, "wb");
    if (!fp)
        close(fd);
    return fp;
}

static bool write_temp(Pending *p, const Buf *text)
{
    FILE *fp = open_temp(p);
    if (!fp)
        return false;
    bool ok = fwrite(text->data ? text->data : "", 1, text->len, fp) == text->len;
    ok &= fclose(fp) == 0;
    return ok;
}

static void drop_temp(Pending *p)
{
    if (p->tmp) {
        remove(p->tmp);
        free(p->tmp);
        p->tmp = NULL;
    }
}

/* The path of a file that may not exist yet, with its folder resolved:
 * two spellings of one file compare equal. NULL if the folder is missing. */
static char *canonical(const char *path)
{
    char *a = strdup(path), *b = strdup(path);
    char *dir = realpath(dirname(a), NULL);
    char *out = NULL;
    if (dir) {
        const char *base = basename(b);
        out = xmalloc(strlen(dir) + strlen(base) + 2);
        sprintf(out, "%s/%s", dir, base);
    }
    free(dir);
    free(a);
    free(b);
    return out;
}

/* The files one run writes: the C source, the header, and (with -MD or
 * --depfile) the dependency file. Absent ones have a NULL path. */
enum { OUT_C, OUT_H, OUT_D, OUT_COUNT };

static const char *const out_kind[OUT_COUNT] = {"the C file", "the header", "the dependency file"};

/* Refuses outputs that would destroy something: the input itself, a
 * folder, or one file for two outputs. Returns an exit status or -1. */
static int check_outputs(const char *input, const char *const paths[OUT_COUNT])
{
    char *in = canonical(input), *canon[OUT_COUNT] = {NULL, NULL, NULL};
    int status = -1;
    for (int i = 0; i < OUT_COUNT && status < 0; i++) {
        if (!paths[i])
            continue;
        struct stat st;
        size_t n = strlen(paths[i]);
        if (n == 0 || paths[i][n - 1] == '/' || (stat(paths[i], &st) == 0 && S_ISDIR(st.st_mode))) {
            fprintf(stderr, "gradc: error: cannot write '%s': it is a folder\n", paths[i]);
            status = EXIT_USAGE;
            break;
        }
        canon[i] = canonical(paths[i]);
        if (canon[i] && in && strcmp(canon[i], in) == 0) {
            fprintf(stderr, "gradc: error: '%s' is the input; gradc will not overwrite it\n", paths[i]);
            status = EXIT_USAGE;
        }
    }
    for (int i = 0; i < OUT_COUNT && status < 0; i++) {
        for (int j = i + 1; j < OUT_COUNT && status < 0; j++) {
            if (canon[i] && canon[j] && strcmp(canon[i], canon[j]) == 0) {
                fprintf(stderr, "gradc: error: %s and %s are both '%s'\n", out_kind[i], out_kind[j], paths[i]);
                status = EXIT_USAGE;
            }
        }
    }
    free(in);
    for (int i = 0; i < OUT_COUNT; i++)
        free(canon[i]);
    return status;
}

/* Every output, or none: temporaries first, then the renames. The header
 * goes first and the dependency file last, so that a build tool never sees
 * a C file newer than its header or a rule for files not yet written. The
 * C file's temporary is already written (c); the others are texts. */
static int write_outputs(const char *const paths[OUT_COUNT], const Buf *const texts[OUT_COUNT], Pending c)
{
    static const int order[OUT_COUNT] = {OUT_H, OUT_C, OUT_D};
    Pending files[OUT_COUNT];
    int n = 0;
    for (int k = 0; k < OUT_COUNT; k++) {
        if (paths[order[k]])
            files[n++] = order[k] == OUT_C ? c : (Pending){paths[order[k]], NULL};
    }
    for (int i = 0; i < n; i++) {
        if (files[i].tmp == c.tmp && c.tmp)
            continue;
        if (!write_temp(&files[i], texts[order[i]])) {
            int saved = errno;
            for (int j = 0; j < n; j++)
                drop_temp(&files[j]);
            errno = saved;
            return io_error("cannot write", files[i].path);
        }
    }
    for (int i = 0; i < n; i++) {
        if (rename(files[i].tmp, files[i].path) != 0) {
            int saved = errno;
            for (int j = i; j < n; j++)
                drop_temp(&files[j]);
            errno = saved;
            return io_error("cannot write", files[i].path);
        }
        free(files[i].tmp);
        files[i].tmp = NULL;
    }
    return 0;
}

/* A path as make reads it in a rule: spaces and '#' escaped, '$' doubled.
 * A newline cannot be written at all. */
static bool put_make_path(Buf *b, const char *path)
{
    for (const char *p = path; *p; p++) {
        if (*p == '\n' || *p == '\r')
            return false;
        if (*p == ' ' || *p == '\t' || *p == '#')
            buf_putc(b, '\\');
        else if (*p == '$')
            buf_putc(b, '$');
        buf_putc(b, *p);
    }
    return true;
}

/* The make rule 'OUT.c OUT.h: FILE.fn': a .fn file includes nothing, so
 * the input is the only prerequisite. */
static int depfile_text(const char *const paths[OUT_COUNT], const char *input, Buf *out)
{
    const char *bad = NULL;
    if (!put_make_path(out, paths[OUT_C]))
        bad = paths[OUT_C];
    buf_putc(out, ' ');
    if (!put_make_path(out, paths[OUT_H]) && !bad)
        bad = paths[OUT_H];
    buf_puts(out, ": ");
    if (!put_make_path(out, input) && !bad)
        bad = input;
    buf_putc(out, '\n');
    if (bad) {
        fprintf(stderr, "gradc: error: '%s' holds a line break; a dependency file cannot name it\n", bad);
        return EXIT_USAGE;
    }
    return -1;
}

/* Checks the output paths, then writes the C, the header and the
 * dependency file if one was asked for. The C goes to its temporary file
 * a function at a time as it is written, so that the largest output is
 * never held whole in memory. Returns the exit status. */
static int write_files(const char *input, const char *const paths[OUT_COUNT], Cx *cx,
                       const EmitOptions *eopt)
{
    int status = check_outputs(input, paths);
    if (status >= 0)
        return status;
    Pending c = {paths[OUT_C], NULL};
    Buf c_text, h_text, d_text;
    buf_init(&c_text);
    buf_init(&h_text);
    buf_init(&d_text);
    FILE *fp = open_temp(&c);
    bool ok = fp != NULL;
    if (ok) {
        EmitOptions streamed = *eopt;
        streamed.sink = fp;
        emit_c(cx, &streamed, &c_text);
        ok = !ferror(fp);
        ok &= fclose(fp) == 0;
    }
    if (!ok) {
        int saved = errno;
        drop_temp(&c);
        errno = saved;
        status = io_error("cannot write", paths[OUT_C]);
    }
    if (status < 0) {
        emit_h(cx, eopt, &h_text);
        if (paths[OUT_D])
            status = depfile_text(paths, input, &d_text);
    }
    if (status < 0)
        status = write_outputs(paths, (const Buf *const[OUT_COUNT]){NULL, &h_text, &d_text}, c);
    else
        drop_temp(&c);
    buf_free(&c_text);
    buf_free(&h_text);
    buf_free(&d_text);
    return status;
}

/* ---- the run ---------------------------------------------------------- */

/* The exit status for what the diagnostics hold: the command's errors
 * (a bad --eval call, a failed C compiler) before the input's. */
static int diag_status(const Diag *d)
{
    return d->cmd_errors ? EXIT_USAGE : d->errors ? EXIT_INPUT : 0;
}

static int run(Job *job)
{
    const Options *opt = job->opt;
    Cx *cx = cx_new(opt->input, job->src, job->len);
    int status = 0;
    if (opt->emit && strcmp(opt->emit, "ast") == 0) {
        bool ok = compile_front(cx);
        fputs(cx->diag.text.data ? cx->diag.text.data : "", stderr);
        if (ok) {
            Buf out;
            buf_init(&out);
            ast_print(&out, &cx->prog);
            fwrite(out.data ? out.data : "", 1, out.len, stdout);
            buf_free(&out);
        }
        cx_free(cx);
        return ok ? 0 : EXIT_INPUT;
    }
    bool dot = opt->emit && strcmp(opt->emit, "dot") == 0;
    /* the graph shows the operations as written: no optimisation */
    CompileOptions copt = {.optimize = opt->optimize && !dot, .no_inline = opt->no_inline, .no_jvp = dot,
                           .no_hvp = dot, .split = dot ? 0 : opt->split};
    if (opt->eval && !dot) {
        /* the sparse forms, which --eval checks */
        copt.jac = true;
        copt.hess = opt->hessian;
        copt.where_fit = true;
    }
    if (opt->routines && !opt->eval) {
        copt.no_grad = !has_routine(opt->routines, "grad");
        copt.no_jvp = !has_routine(opt->routines, "jvp");
        copt.no_hvp = !has_routine(opt->routines, "hvp");
        copt.jac = has_routine(opt->routines, "jac");
        copt.hess = has_routine(opt->routines, "hess");
    }
    bool ok = compile_all(cx, &copt);
    diag_flush(&cx->diag, stderr);
    if (!ok) {
        /* the input's errors first; else a routine that fits no function */
        status = cx->diag.errors || !cx->diag.cmd_errors ? EXIT_INPUT : EXIT_USAGE;
        cx_free(cx);
        return status;
    }
    char *c_path = opt->out_c ? NULL : default_c_name(opt->input);
    const char *out_c = opt->out_c ? opt->out_c : c_path;
    char *h_path = opt->out_h ? NULL : replace_ext(out_c, ".h");
    const char *out_h = opt->out_h ? opt->out_h : h_path;
    char *d_path = opt->md && !opt->depfile ? replace_ext(out_c, ".d") : NULL;
    const char *paths[OUT_COUNT] = {out_c, out_h, opt->depfile ? opt->depfile : d_path};
    EmitOptions eopt = {opt->input, out_h, out_c, opt->no_line, NULL};
    Buf c_text, h_text;
    buf_init(&c_text);
    buf_init(&h_text);
    if (opt->emit && strcmp(opt->emit, "ir") == 0) {
        ir_print_module(&c_text, cx->ir);
        fwrite(c_text.data, 1, c_text.len, stdout);
    } else if (dot) {
        bool drawn = true;
        if (opt->eval)
            drawn = eval_dot(cx, opt->eval, &c_text);
        else
            emit_dot(cx, NULL, NULL, NULL, NULL, NULL, &c_text);
        if (drawn)
            fwrite(c_text.data, 1, c_text.len, stdout);
    } else if (!opt->eval && !opt->emit) {
        status = write_files(opt->input, paths, cx, &eopt);
    } else if (!opt->eval && opt->emit[0] == 'c') {
        eopt.sink = stdout;
        emit_c(cx, &eopt, &c_text);
    } else {
        emit_c(cx, &eopt, &c_text);
        emit_h(cx, &eopt, &h_text);
        if (opt->eval)
            eval_run(cx, opt->eval, opt->hessian, &c_text, &h_text, out_h);
        else
            fwrite(h_text.data ? h_text.data : "", 1, h_text.len, stdout);
    }
    diag_flush(&cx->diag, stderr);
    if (status == 0)
        status = diag_status(&cx->diag);
    if (fflush(stdout) != 0 && status == 0)
        status = io_error("cannot write", "standard output");
    buf_free(&c_text);
    buf_free(&h_text);
    free(c_path);
    free(h_path);
    free(d_path);
    cx_free(cx);
    return status;
}

static void *run_thread(void *arg)
{
    Job *job = arg;
    job->status = run(job);
    return NULL;
}

/* The compiler recurses over expression trees; a deep one (a sum of a
 * million terms) needs more stack than a default thread has. */
static int run_with_big_stack(Job *job)
{
    pthread_attr_t attr;
    pthread_t t;
    if (pthread_attr_init(&attr) == 0 && pthread_attr_setstacksize(&attr, (size_t)1 << 30) == 0 &&
        pthread_create(&t, &attr, run_thread, job) == 0) {
        pthread_attr_destroy(&attr);
        pthread_join(t, NULL);
        return job->status;
    }
    return run(job);
}

int main(int argc, char **argv)
{
    Options opt = {0};
    int status = parse_options(argc, argv, &opt);
    if (status >= 0)
        return status;
    Job job = {&opt, NULL, 0, 0};
    status = read_input(opt.input, &job.src, &job.len);
    if (status >= 0)
        return status;
    status = run_with_big_stack(&job);
    free(job.src);
    return status;
}
