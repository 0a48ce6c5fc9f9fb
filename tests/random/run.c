/* The runner: a batch of programs in one .fn file through gradc with each
 * option variant, the generated C compiled with warnings as errors (and
 * with clang when asked), linked with the batch's driver and run. When
 * gradc or the compiler fails on the batch, each program is tried alone
 * to find the culprits, and the others go on; when the driver crashes, it
 * is restarted after the program that crashed it. */
#include <stdlib.h>
#include <string.h>

#include "run.h"
#include "util.h"

const Variant rt_variants[] = {
    {"default", {NULL}},
    {"O0", {"-O0", NULL}},
    {"noinline", {"--no-inline", NULL}},
    {"split5", {"--split=5", NULL}},
    {"noline", {"--no-line", NULL}},
    {"grad", {"--routines=grad", NULL}},
};
const int rt_nvariants = (int)(sizeof rt_variants / sizeof rt_variants[0]);

const Variant *variant_find(const char *name)
{
    for (int i = 0; i < rt_nvariants; i++)
        if (!strcmp(rt_variants[i].name, name))
            return &rt_variants[i];
    return NULL;
}

/* ---- cases and failures ---------------------------------------------------------- */

int case_prepare(Case *c, Prog *p, char *why, size_t n)
{
    int nout = prog_nout(p), ne = nout ? nout : 1;
    memset(c, 0, sizeof *c);
    c->p = p;
    c->expect = xcalloc((size_t)(p->npt * ne), sizeof(double));
    for (int k = 0; k < p->npt; k++) {
        EvalResult r = {.out = nout ? c->expect + k * ne : NULL};
        if (interp_run(p, p->pt[k], &r)) {
            snprintf(why, n, "point %d: %s", k, r.why);
            return 1;
        }
        if (!nout)
            c->expect[k] = r.value;
        c->scale[k] = r.scale;
        c->kink[k] = r.kink;
    }
    return 0;
}

void case_free(Case *c)
{
    free(c->expect);
    c->expect = NULL;
}

void failures_add(Failures *fs, const Prog *p, const char *variant, const char *check, const char *detail)
{
    for (int i = 0; i < fs->n; i++)   /* a program that goes round twice */
        if (p && fs->f[i].prog == p && !strcmp(fs->f[i].variant, variant) && !strcmp(fs->f[i].check, check))
            return;
    if (fs->n == fs->cap) {
        fs->cap = fs->cap ? 2 * fs->cap : 16;
        fs->f = xrealloc(fs->f, (size_t)fs->cap * sizeof *fs->f);
    }
    Failure *f = &fs->f[fs->n++];
    memset(f, 0, sizeof *f);
    f->seed = p->seed;
    f->index = p->index;
    f->prog = p;
    f->pt = -1;
    snprintf(f->variant, sizeof f->variant, "%s", variant);
    snprintf(f->check, sizeof f->check, "%s", check);
    f->detail = xstrdup(detail ? detail : "");
}

void failures_free(Failures *fs)
{
    for (int i = 0; i < fs->n; i++)
        free(fs->f[i].detail);
    free(fs->f);
    memset(fs, 0, sizeof *fs);
}

/* ---- logs ------------------------------------------------------------------------- */

/* The first line of the log that contains `needle` (without the folder of
 * the file it names), or the last nonblank line when none does. */
static void log_line(const char *path, const char *needle, char *buf, size_t n)
{
    char *text = read_file(path, NULL);
    buf[0] = 0;
    if (!text)
        return;
    char *line = text, *hit = NULL, *last = NULL;
    while (line && *line) {
        char *end = strchr(line, '\n');
        if (end)
            *end = 0;
        if (*line)
            last = line;
        if (!hit && needle && strstr(line, needle))
            hit = line;
        line = end ? end + 1 : NULL;
    }
    const char *s = hit ? hit : last ? last : "";
    const char *slash = strrchr(s, '/');
    const char *colon = strchr(s, ':');
    if (slash && colon && slash < colon)
        s = slash + 1;
    snprintf(buf, n, "%s", s);
    free(text);
}

static int log_has(const char *path, const char *needle)
{
    char *text = read_file(path, NULL);
    int has = text && strstr(text, needle);
    free(text);
    return has;
}

/* ---- steps ------------------------------------------------------------------------ */

static void write_batch(const char *path, Case *cases, int n)
{
    FILE *f = fopen(path, "w");
    if (!f)
        rt_die("cannot write %s", path);
    for (int k = 0; k < n; k++)
        prog_print(f, cases[k].p);
    fclose(f);
}

/* --routines for a variant that does not choose them: every routine,
 * f_jac if a function of the file has out parameters and f_hess if one
 * returns a value (asking for one that fits no function is an error). */
static void all_routines(const char *fn, char *buf, size_t n)
{
    char *text = read_file(fn, NULL);
    int jac = 0, hess = 0;
    for (char *line = text ? strtok(text, "\n") : NULL; line; line = strtok(NULL, "\n")) {
        if (strncmp(line, "fn ", 3) != 0)
            continue;
        char *close = strchr(line, ')');
        if (close)
            *close = '\0';
        if (strstr(line, "out "))
            jac = 1;
        else
            hess = 1;
    }
    free(text);
    snprintf(buf, n, "--routines=grad,jvp,hvp%s%s", jac ? ",jac" : "", hess ? ",hess" : "");
}

/* gradc FILE.fn -o OUT.c [options]: 0, or the failure recorded for p. */
static int step_gradc(const RunCfg *cfg, const Variant *v, const char *fn, const char *c_out,
                      const char *log, const Prog *p, Failures *out)
{
    char *argv[16], routines[64];
    int a = 0, chosen = 0;
    argv[a++] = (char *)cfg->gradc;
    argv[a++] = (char *)fn;
    argv[a++] = "-o";
    argv[a++] = (char *)c_out;
    for (int i = 0; v->opt[i]; i++) {
        argv[a++] = (char *)v->opt[i];
        chosen |= strncmp(v->opt[i], "--routines", 10) == 0;
    }
    if (!chosen) {
        all_routines(fn, routines, sizeof routines);
        argv[a++] = routines;
    }
    argv[a] = NULL;
    int st = run_proc(argv, log, cfg->timeout);
    if (st == 0)
        return 0;
    if (!p)
        return 1;
    char line[400], detail[480];
    int sanitizer = log_has(log, "Sanitizer") || log_has(log, "runtime error");
    if (st == RT_TIMEOUT) {
        failures_add(out, p, v->name, "gradc.timeout", "no answer in time");
    } else if (st < 0 || sanitizer) {
        log_line(log, sanitizer ? (log_has(log, "runtime error") ? "runtime error" : "ERROR:") : NULL, line, sizeof line);
        snprintf(detail, sizeof detail, "%s%d: %s", st < 0 ? "signal " : "exit ", st < 0 ? -st : st, line);
        failures_add(out, p, v->name, "gradc.crash", detail);
    } else if (st == 1) {
        log_line(log, "error:", line, sizeof line);
        failures_add(out, p, v->name, "gradc.error", line);
    } else {
        log_line(log, NULL, line, sizeof line);
        snprintf(detail, sizeof detail, "exit %d: %s", st, line);
        failures_add(out, p, v->name, "gradc.exit", detail);
    }
    return 1;
}

/* cc -std=c99 -Wall -Wextra -pedantic -Werror -c: 0, or the failure. */
static int step_cc(const RunCfg *cfg, const char *cc, const char *what, const char *src, const char *obj,
                   const char *incl, const char *log, const Prog *p, const char *variant, Failures *out)
{
    char *argv[24];
    int a = 0;
    char inc1[4200], inc2[4200];
    argv[a++] = (char *)cc;
    argv[a++] = "-std=c99";
    argv[a++] = "-Wall";
    argv[a++] = "-Wextra";
    argv[a++] = "-pedantic";
    if (cfg->werror)
        argv[a++] = "-Werror";
    argv[a++] = (char *)cfg->copt;
    if (cfg->sanitize) {
        argv[a++] = "-fsanitize=address,undefined";
        argv[a++] = "-fno-sanitize-recover=all";
    }
    if (incl) {
        snprintf(inc1, sizeof inc1, "-I%s", incl);
        snprintf(inc2, sizeof inc2, "-I%s", cfg->support);
        argv[a++] = inc1;
        argv[a++] = inc2;
    }
    argv[a++] = "-c";
    argv[a++] = (char *)src;
    argv[a++] = "-o";
    argv[a++] = (char *)obj;
    argv[a] = NULL;
    int st = run_proc(argv, log, cfg->timeout);
    if (st == 0)
        return 0;
    if (p) {
        char line[400], check[32];
        log_line(log, "error", line, sizeof line);
        snprintf(check, sizeof check, "%s.%s", what, st == RT_TIMEOUT ? "timeout" : strstr(line, "-Werror") ? "warning" : "error");
        failures_add(out, p, variant, check, line);
    }
    return 1;
}

static int step_link(const RunCfg *cfg, const char *exe, const char *o1, const char *o2, const char *log)
{
    char *argv[12];
    int a = 0;
    argv[a++] = (char *)cfg->cc;
    if (cfg->sanitize)
        argv[a++] = "-fsanitize=address,undefined";
    argv[a++] = "-o";
    argv[a++] = (char *)exe;
    argv[a++] = (char *)o1;
    argv[a++] = (char *)o2;
    argv[a++] = "-lm";
    argv[a] = NULL;
    return run_proc(argv, log, cfg->timeout);
}

/* ---- the driver's answers ---------------------------------------------------------- */

/* Reads "B k", "E k" and "F k check pt=P comp=C detail" lines; returns the
 * program that began and did not end (-1 if none). */
static int parse_driver(const char *log, Case *cases, int n, const char *variant, Failures *out)
{
    char *text = read_file(log, NULL);
    int open = -1;
    if (!text)
        return -1;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        int k, pt, comp, len = 0;
        char check[32];
        if (sscanf(line, "B %d", &k) == 1 && line[0] == 'B') {
            open = k;
        } else if (line[0] == 'E') {
            open = -1;
        } else if (sscanf(line, "F %d %31s pt=%d comp=%d %n", &k, check, &pt, &comp, &len) == 4 && len &&
                   k >= 0 && k < n) {
            char entry[64] = "", detail[600];
            if (comp >= 0)
                driver_entry_name(cases[k].p, comp, 0, entry, sizeof entry);
            else if (comp <= -2)
                driver_entry_name(cases[k].p, -2 - comp, 1, entry, sizeof entry);
            snprintf(detail, sizeof detail, "point %d%s%s: %s", pt, *entry ? ", " : "", entry, line + len);
            failures_add(out, cases[k].p, variant, check, detail);
            out->f[out->n - 1].pt = pt;
        }
    }
    free(text);
    return open;
}

static void step_run(const RunCfg *cfg, const char *exe, const char *vdir, Case *cases, int n,
                     const char *variant, Failures *out)
{
    char log[4200], start[16];
    snprintf(log, sizeof log, "%s/run.log", vdir);
    for (int first = 0; first < n;) {
        snprintf(start, sizeof start, "%d", first);
        char *argv[] = {(char *)exe, start, NULL};
        int st = run_proc(argv, log, cfg->timeout);
        int open = parse_driver(log, cases, n, variant, out);
        if (st == 0 && open < 0)
            return;
        char detail[480];
        int k = open >= 0 ? open : first;
        if (st == RT_TIMEOUT)
            snprintf(detail, sizeof detail, "the checks did not finish in %d s", cfg->timeout);
        else if (st < 0)
            snprintf(detail, sizeof detail, "signal %d", -st);
        else
            snprintf(detail, sizeof detail, "exit %d%s", st,
                     log_has(log, "Sanitizer") || log_has(log, "runtime error") ? " (sanitizer)" : "");
        if (st != 0 && log_has(log, "runtime error")) {
            char line[400];
            log_line(log, "runtime error", line, sizeof line);
            snprintf(detail, sizeof detail, "%s", line);
        }
        failures_add(out, cases[k].p, variant, st == RT_TIMEOUT ? "run.timeout" : "run.crash", detail);
        first = k + 1;
    }
}

/* ---- who a diagnostic is about ------------------------------------------------------------ */

/* The first line of each program in a batch .fn file, in order. */
static int fn_starts(const char *path, int *start, int n)
{
    char *text = read_file(path, NULL);
    int k = 0, line = 1;
    if (!text)
        return 0;
    for (char *c = text; *c && k < n; c++) {
        if ((c == text || c[-1] == '\n') && !strncmp(c, "# gradc_random seed=", 20))
            start[k++] = line;
        line += *c == '\n';
    }
    free(text);
    return k;
}

/* The program whose prefix names function `name` (r12, r12_h1, r12__part3). */
static int prog_of_name(const Case *cases, int n, const char *name, size_t len)
{
    for (int k = 0; k < n; k++) {
        size_t pl = strlen(cases[k].p->prefix);
        if (len >= pl && !strncmp(name, cases[k].p->prefix, pl) && (len == pl || name[pl] == '_'))
            return k;
    }
    return -1;
}

/* The program that line `line` of the generated C belongs to: the one that
 * names the last function defined above it. */
static int prog_of_c_line(const char *ctext, long line, const Case *cases, int n)
{
    long l = 1;
    int owner = -1;
    for (const char *c = ctext; *c && l <= line; c++) {
        if ((c == ctext || c[-1] == '\n') && ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z'))) {
            const char *end = strchr(c, '\n'), *paren = strchr(c, '(');
            if (paren && (!end || paren < end)) {
                const char *id = paren;
                while (id > c && (id[-1] == '_' || (id[-1] >= '0' && id[-1] <= '9') ||
                                  (id[-1] >= 'a' && id[-1] <= 'z') || (id[-1] >= 'A' && id[-1] <= 'Z')))
                    id--;
                owner = prog_of_name(cases, n, id, (size_t)(paren - id));
            }
        }
        l += *c == '\n';
    }
    return owner;
}

typedef struct {
    const Case *cases;
    int n;
    int fnstart[512];
    char *ctext;
} Blame;

/* "FILE:LINE:COL: warning: ..." -> the program it is about, or -1. */
static int blame(const Blame *b, const char *line)
{
    const char *colon = strchr(line, ':');
    long ln;
    if (!colon || sscanf(colon + 1, "%ld", &ln) != 1)
        return -1;
    if (colon - line >= 3 && !strncmp(colon - 3, ".fn", 3)) {
        int k = -1;
        for (int i = 0; i < b->n; i++)
            if (b->fnstart[i] <= ln)
                k = i;
        return k;
    }
    if (colon - line >= 2 && !strncmp(colon - 2, ".c", 2) && b->ctext)
        return prog_of_c_line(b->ctext, ln, b->cases, b->n);
    return -1;
}

static const char *strip_dir(const char *s)
{
    const char *colon = strchr(s, ':'), *slash = s;
    for (const char *c = s; colon && c < colon; c++)
        if (*c == '/')
            slash = c + 1;
    return slash;
}

/* Reads the diagnostics in `log`; records one failure `what`.warning or
 * `what`.error per program (error wins), marks in bad[] the programs with
 * errors. Returns the number of diagnostics no program could be blamed for. */
static int blame_log(const Blame *b, const char *log, const char *what, const char *variant, int *bad,
                     Failures *out)
{
    char *text = read_file(log, NULL);
    int orphans = 0;
    if (!text)
        return 0;
    int *seen = xcalloc((size_t)(b->n ? b->n : 1), sizeof *seen);   /* 1 warning, 2 error */
    char **first = xcalloc((size_t)(b->n ? b->n : 1), sizeof *first);
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        const char *w = strstr(line, ": warning: "), *e = strstr(line, ": error: ");
        if (!w && !e)
            continue;
        int k = blame(b, line), level = e && (!w || e < w) ? 2 : 1;
        if (k < 0) {
            orphans++;
            continue;
        }
        if (level > seen[k]) {
            seen[k] = level;
            free(first[k]);
            first[k] = xstrdup(strip_dir(line));
        }
    }
    for (int k = 0; k < b->n; k++) {
        if (!seen[k])
            continue;
        char check[32];
        snprintf(check, sizeof check, "%s.%s", what, seen[k] == 2 ? "error" : "warning");
        failures_add(out, b->cases[k].p, variant, check, first[k]);
        if (seen[k] == 2 && bad)
            bad[k] = 1;
        free(first[k]);
    }
    free(first);
    free(seen);
    free(text);
    return orphans;
}

/* ---- variants ------------------------------------------------------------------------ */

enum { ISOLATE_GRADC, ISOLATE_CC, ISOLATE_CLANG };

/* Each program alone through gradc (and the compiler, with -Werror);
 * returns how many pass, moved to the front of cases. */
static int isolate(const RunCfg *cfg, const Variant *v, Case *cases, int n, const char *vdir, int what,
                   Failures *out)
{
    int kept = 0;
    for (int k = 0; k < n; k++) {
        char fn[4200], c[4200], o[4200], log[4200];
        snprintf(fn, sizeof fn, "%s/one%d.fn", vdir, k);
        snprintf(c, sizeof c, "%s/one%d.c", vdir, k);
        snprintf(o, sizeof o, "%s/one%d.o", vdir, k);
        snprintf(log, sizeof log, "%s/one%d.log", vdir, k);
        write_batch(fn, &cases[k], 1);
        int bad = step_gradc(cfg, v, fn, c, log, cases[k].p, out);
        if (!bad && what == ISOLATE_CC)
            bad = step_cc(cfg, cfg->cc, "cc", c, o, NULL, log, cases[k].p, v->name, out);
        if (!bad && what == ISOLATE_CLANG)
            bad = step_cc(cfg, cfg->clang, "clang", c, o, NULL, log, cases[k].p, v->name, out);
        if (!bad) {
            Case t = cases[kept];
            cases[kept++] = cases[k];
            cases[k] = t;
        }
    }
    return kept;
}

static int keep_good(Case *cases, int n, const int *bad)
{
    int kept = 0;
    for (int k = 0; k < n; k++)
        if (!bad[k]) {
            Case t = cases[kept];
            cases[kept++] = cases[k];
            cases[k] = t;
        }
    return kept;
}

static void batch_failed(Case *cases, int n, const char *variant, const char *check, const char *log,
                         Failures *out)
{
    char line[400];
    log_line(log, "error", line, sizeof line);
    for (int k = 0; k < n; k++)
        failures_add(out, cases[k].p, variant, check, line);
}

/* gradc on the batch; when it reports errors in the input, the programs
 * its messages point at are recorded and left out. Returns the programs
 * left (moved to the front), or -1 when gradc failed in a way no message
 * explains (a crash). */
static int batch_gradc(const RunCfg *cfg, const Variant *v, Case *cases, int n, const char *fn,
                       const char *c, const char *log, Failures *out)
{
    for (int tries = 0; n > 0 && tries < 4; tries++) {
        write_batch(fn, cases, n);
        if (!step_gradc(cfg, v, fn, c, log, NULL, out))
            return n;
        if (log_has(log, "Sanitizer") || log_has(log, "runtime error") || !log_has(log, ": error: "))
            return -1;
        Blame b = {cases, n, {0}, NULL};
        fn_starts(fn, b.fnstart, n);
        int *bad = xcalloc((size_t)n, sizeof *bad);
        int orphans = blame_log(&b, log, "gradc", v->name, bad, out);
        int kept = keep_good(cases, n, bad);
        free(bad);
        if (orphans || kept == n)
            return -1;
        n = kept;
    }
    return n > 0 ? -1 : 0;
}

/* cc on the batch's C without -Werror, every diagnostic blamed on its
 * program: warnings are recorded (the checks still run), programs with
 * errors are left out. Returns the programs left, -1 if a diagnostic
 * blames nobody (then each program is compiled alone). */
static int batch_cc(const RunCfg *cfg, const char *cc, const char *what, const char *variant, Case *cases,
                    int n, const char *fn, const char *c, const char *o, const char *log, Failures *out,
                    int *built)
{
    RunCfg soft = *cfg;
    soft.werror = 0;
    *built = !step_cc(&soft, cc, what, c, o, NULL, log, NULL, variant, out);
    Blame b = {cases, n, {0}, read_file(c, NULL)};
    fn_starts(fn, b.fnstart, n);
    int *bad = xcalloc((size_t)(n ? n : 1), sizeof *bad);
    Failures mine = {0};
    int orphans = blame_log(&b, log, what, variant, bad, &mine);
    int kept = orphans || (!*built && !mine.n) ? -1 : keep_good(cases, n, bad);
    if (kept >= 0)
        for (int i = 0; i < mine.n; i++)
            failures_add(out, mine.f[i].prog, mine.f[i].variant, mine.f[i].check, mine.f[i].detail);
    failures_free(&mine);
    free(bad);
    free(b.ctext);
    return kept;
}

static void run_variant(const RunCfg *cfg, const Variant *v, Case *cases, int n, const char *dir,
                        int use_clang, int may_isolate, Failures *out)
{
    char vdir[4096], fn[4200], c[4200], o[4200], log[4200], drv[4200], drvo[4200], exe[4200];
    snprintf(vdir, sizeof vdir, "%s/%s%s", dir, v->name, may_isolate ? "" : ".rest");
    make_dir(vdir);
    snprintf(fn, sizeof fn, "%s/batch.fn", vdir);
    snprintf(c, sizeof c, "%s/batch.c", vdir);
    snprintf(o, sizeof o, "%s/batch.o", vdir);
    snprintf(log, sizeof log, "%s/build.log", vdir);
    if (!n)
        return;
    /* gradc and cc on the batch; programs they reject are left out and
     * the rest go round again */
    int built = 0, left = n;
    for (int round = 0; round < 4 && left > 0; round++) {
        int before = left;
        left = batch_gradc(cfg, v, cases, left, fn, c, log, out);
        if (left > 0)
            left = batch_cc(cfg, cfg->cc, "cc", v->name, cases, left, fn, c, o, log, out, &built);
        if (left <= 0 || built)
            break;
        if (left == before)
            left = -1;
    }
    if (left == 0)
        return;
    if (left < 0 || !built) {
        if (!may_isolate) {
            batch_failed(cases, n, v->name, "batch", log, out);
            return;
        }
        int kept = isolate(cfg, v, cases, n, vdir, ISOLATE_CC, out);
        if (cfg->verbose)
            fprintf(stderr, "  %s: %d of %d programs fail alone\n", v->name, n - kept, n);
        run_variant(cfg, v, cases, kept, dir, use_clang, 0, out);
        return;
    }
    n = left;
    if (use_clang && cfg->clang) {
        char co[4200], clog[4200];
        int cbuilt;
        snprintf(co, sizeof co, "%s/batch.clang.o", vdir);
        snprintf(clog, sizeof clog, "%s/clang.log", vdir);
        Case *copy = xmalloc((size_t)n * sizeof *copy);
        memcpy(copy, cases, (size_t)n * sizeof *copy);
        if (batch_cc(cfg, cfg->clang, "clang", v->name, copy, n, fn, c, co, clog, out, &cbuilt) < 0)
            isolate(cfg, v, copy, n, vdir, ISOLATE_CLANG, out);
        free(copy);
    }
    if (cfg->compile_only)
        return;
    snprintf(drv, sizeof drv, "%s/drv.c", vdir);
    snprintf(drvo, sizeof drvo, "%s/drv.o", vdir);
    snprintf(exe, sizeof exe, "%s/drv", vdir);
    FILE *f = fopen(drv, "w");
    if (!f)
        rt_die("cannot write %s", drv);
    driver_write(f, cases, n, "batch.h");
    fclose(f);
    if (step_cc(cfg, cfg->cc, "driver", drv, drvo, vdir, log, NULL, v->name, out) ||
        step_link(cfg, exe, drvo, o, log)) {
        batch_failed(cases, n, v->name, "driver.build", log, out);
        return;
    }
    step_run(cfg, exe, vdir, cases, n, v->name, out);
}

void run_batch(const RunCfg *cfg, Case *cases, int n, const char *dir, int use_clang, Failures *out)
{
    make_dir(dir);
    for (int i = 0; i < cfg->nvariant; i++) {
        Case *copy = xmalloc((size_t)(n ? n : 1) * sizeof *copy);
        memcpy(copy, cases, (size_t)n * sizeof *copy);
        RunCfg c = *cfg;
        if (i == 0 && cfg->copt_first)
            c.copt = cfg->copt_first;
        run_variant(&c, cfg->variant[i], copy, n, dir, use_clang && i == 0, 1, out);
        free(copy);
    }
}
