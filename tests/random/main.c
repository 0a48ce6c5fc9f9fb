/* gradc_random: the command. Three modes:
 *   --print            write the programs (and their points and values)
 *   run (the default)  differential test of gradc on --count programs
 *   --reduce           shrink one failing program
 * See README.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "run.h"
#include "util.h"

#ifndef RT_SUPPORT_DIR
#define RT_SUPPORT_DIR "."
#endif

typedef struct {
    GenCfg gen;
    RunCfg run;
    ReduceCfg red;
    uint64_t seed;
    int first, count, batch, jobs, clang_every, keep, print, reduce, index;
    const char *reduce_file, *save;
    char work[4096];
    char features_arg[256];
    char clang_path[4096];
} Opts;

static void usage(FILE *f)
{
    fputs("usage: gradc_random [--seed S] [--count N] [--first I] --gradc PATH [options]\n"
          "       gradc_random --print [--seed S] [--count N] [--first I]\n"
          "       gradc_random --reduce (--seed S --index I | FILE.fn) --gradc PATH [-o OUT.fn]\n"
          "generation:  --features LIST (+x,-y; --list-features)  --points P (2)  --stmts K (12)\n"
          "running:     --batch B (25)  -j J (1)  --variants default,O0,noinline,split5\n"
          "             --cc CC  --clang PATH|none  --clang-every K  --copt -O0 (-O1 first)  --sanitize\n"
          "             --timeout S (120)  --work DIR  --keep  --save DIR  --verbose\n"
          "reducing:    --variant V  --check NAME  -o OUT.fn  --rounds R\n", f);
}

/* The program `name` on $PATH, written into buf; NULL if none. */
static const char *find_in_path(const char *name, char *buf, size_t n)
{
    const char *path = getenv("PATH");
    while (path && *path) {
        size_t len = strcspn(path, ":");
        snprintf(buf, n, "%.*s/%s", (int)len, path, name);
        if (access(buf, X_OK) == 0)
            return buf;
        path += len + (path[len] == ':');
    }
    return NULL;
}

static int set_variants(Opts *o, const char *list)
{
    o->run.nvariant = 0;
    for (const char *p = list; *p;) {
        size_t len = strcspn(p, ",");
        char name[32];
        snprintf(name, sizeof name, "%.*s", (int)len, p);
        const Variant *v = variant_find(name);
        if (!v || o->run.nvariant == 8) {
            fprintf(stderr, "gradc_random: unknown variant '%s' (", name);
            for (int i = 0; i < rt_nvariants; i++)
                fprintf(stderr, "%s%s", i ? ", " : "", rt_variants[i].name);
            fputs(")\n", stderr);
            return -1;
        }
        o->run.variant[o->run.nvariant++] = v;
        p += len + (p[len] == ',');
    }
    return 0;
}

static int parse_args(Opts *o, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
#define OPT(name) (!strcmp(a, name) && val && ++i)
        if (OPT("--seed")) o->seed = strtoull(val, NULL, 10);
        else if (OPT("--count")) o->count = atoi(val);
        else if (OPT("--first")) o->first = atoi(val);
        else if (OPT("--index")) o->index = atoi(val);
        else if (OPT("--batch")) o->batch = atoi(val);
        else if (OPT("-j")) o->jobs = atoi(val);
        else if (OPT("--points")) o->gen.npoints = atoi(val);
        else if (OPT("--stmts")) o->gen.max_stmts = atoi(val);
        else if (OPT("--features")) {
            snprintf(o->features_arg, sizeof o->features_arg, "%s", val);
            if (rt_parse_features(val, &o->gen.features, stderr))
                return -1;
        }
        else if (OPT("--variants")) { if (set_variants(o, val)) return -1; }
        else if (OPT("--gradc")) o->run.gradc = val;
        else if (OPT("--cc")) o->run.cc = val;
        else if (OPT("--clang")) o->run.clang = strcmp(val, "none") ? val : NULL;
        else if (OPT("--clang-every")) o->clang_every = atoi(val);
        else if (OPT("--copt")) o->run.copt = o->run.copt_first = val;
        else if (OPT("--timeout")) o->run.timeout = atoi(val);
        else if (OPT("--work")) snprintf(o->work, sizeof o->work, "%s", val);
        else if (OPT("--support")) o->run.support = val;
        else if (OPT("--save")) o->save = val;
        else if (OPT("--variant")) o->red.variant = val;
        else if (OPT("--check")) o->red.check = val;
        else if (OPT("-o")) o->red.output = val;
        else if (OPT("--rounds")) o->red.max_rounds = atoi(val);
        else if (!strcmp(a, "--sanitize")) o->run.sanitize = 1;
        else if (!strcmp(a, "--keep")) o->keep = 1;
        else if (!strcmp(a, "--verbose") || !strcmp(a, "-v")) o->run.verbose = 1;
        else if (!strcmp(a, "--print")) o->print = 1;
        else if (!strcmp(a, "--reduce")) o->reduce = 1;
        else if (!strcmp(a, "--list-features")) { rt_list_features(stdout, o->gen.features); exit(0); }
        else if (!strcmp(a, "--help") || !strcmp(a, "-h")) { usage(stdout); exit(0); }
        else if (o->reduce && a[0] != '-' && !o->reduce_file) o->reduce_file = a;
        else {
            fprintf(stderr, "gradc_random: bad argument '%s'\n", a);
            usage(stderr);
            return -1;
        }
#undef OPT
    }
    if (o->gen.npoints < 1 || o->gen.npoints > RT_MAXPTS || o->batch < 1 || o->batch > 500 || o->jobs < 1) {
        fprintf(stderr, "gradc_random: --points must be 1..%d, --batch 1..500, -j at least 1\n", RT_MAXPTS);
        return -1;
    }
    return 0;
}

static void defaults(Opts *o)
{
    memset(o, 0, sizeof *o);
    o->gen = (GenCfg){F_DEFAULT, 2, 12};
    o->seed = 1;
    o->count = 100;
    o->batch = 25;
    o->jobs = 1;
    o->index = -1;
    o->run.gradc = getenv("GRADC");
    o->run.cc = getenv("CC") ? getenv("CC") : "cc";
    o->run.clang = find_in_path("clang", o->clang_path, sizeof o->clang_path);
    o->run.copt = "-O0";
    o->run.copt_first = "-O1";
    o->run.support = RT_SUPPORT_DIR;
    o->run.timeout = 120;
    o->run.werror = 1;
    set_variants(o, "default,O0,noinline,split5");
}

/* ---- --print ---------------------------------------------------------------------- */

static int print_programs(const Opts *o)
{
    for (int i = o->first; i < o->first + o->count; i++) {
        Prog *p = gen_program(&o->gen, o->seed, i, NULL);
        if (!p) {
            printf("# index %d: no program in range was found\n\n", i);
            continue;
        }
        Case c;
        char why[200];
        case_prepare(&c, p, why, sizeof why);
        prog_print(stdout, p);
        for (int k = 0; k < p->npt; k++) {
            printf("# point %d: ", k);
            prog_print_point(stdout, p, k);
            if (p->fn[0].has_out)
                printf(" writes %d values (first %.17g)\n", prog_nout(p), c.expect[k * prog_nout(p)]);
            else
                printf(" = %.17g\n", c.expect[k]);
        }
        putchar('\n');
        case_free(&c);
        prog_free(p);
    }
    return 0;
}

/* ---- running ------------------------------------------------------------------------- */

typedef struct {
    int programs, missing;
    long tries;
} Stats;

/* One worker: batches w, w + jobs, ...; failures and counts go to `res`. */
static void worker(const Opts *o, int w, FILE *res)
{
    int nbatch = (o->count + o->batch - 1) / o->batch;
    for (int b = w; b < nbatch; b += o->jobs) {
        int lo = o->first + b * o->batch, hi = lo + o->batch;
        if (hi > o->first + o->count)
            hi = o->first + o->count;
        Case *cases = xcalloc((size_t)(hi - lo), sizeof *cases);
        Stats st = {0, 0, 0};
        int n = 0;
        for (int i = lo; i < hi; i++) {
            int tries = 0;
            char why[200];
            Prog *p = gen_program(&o->gen, o->seed, i, &tries);
            st.tries += tries;
            if (!p || case_prepare(&cases[n], p, why, sizeof why)) {
                st.missing++;
                prog_free(p);
                continue;
            }
            n++;
        }
        st.programs = n;
        char dir[4200];
        snprintf(dir, sizeof dir, "%s/b%d", o->work, b);
        Failures fs = {0};
        int clang = b == 0 || (o->clang_every > 0 && b % o->clang_every == 0);
        time_t t0 = time(NULL);
        run_batch(&o->run, cases, n, dir, clang, &fs);
        if (o->run.verbose)
            fprintf(stderr, "batch %d (programs %d-%d): %d failures, %ld s\n", b, lo, hi - 1, fs.n,
                    (long)(time(NULL) - t0));
        fprintf(res, "S\t%d\t%d\t%ld\n", st.programs, st.missing, st.tries);
        for (int k = 0; k < fs.n; k++) {
            Failure *f = &fs.f[k];
            for (char *c = f->detail; *c; c++)
                if (*c == '\n' || *c == '\t')
                    *c = ' ';
            fprintf(res, "F\t%llu\t%d\t%s\t%s\t%d\t%s\n", (unsigned long long)f->seed, f->index, f->variant,
                    f->check, f->pt, f->detail);
        }
        fflush(res);
        failures_free(&fs);
        for (int k = 0; k < n; k++) {
            prog_free(cases[k].p);
            case_free(&cases[k]);
        }
        free(cases);
        if (!o->keep)
            remove_tree(dir);
    }
}

static void read_results(const char *path, Stats *st, Failures *fs)
{
    char *text = read_file(path, NULL);
    if (!text)
        return;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        int a, b;
        long t;
        if (line[0] == 'S' && sscanf(line, "S\t%d\t%d\t%ld", &a, &b, &t) == 3) {
            st->programs += a;
            st->missing += b;
            st->tries += t;
        } else if (line[0] == 'F') {
            unsigned long long seed;
            int index, pt, len = 0;
            char variant[32], check[32];
            if (sscanf(line, "F\t%llu\t%d\t%31[^\t]\t%31[^\t]\t%d\t%n", &seed, &index, variant, check, &pt, &len) < 5)
                continue;
            Prog fake = {.seed = seed, .index = index};
            failures_add(fs, &fake, variant, check, len ? line + len : "");
            fs->f[fs->n - 1].prog = NULL;
            fs->f[fs->n - 1].pt = pt;
        }
    }
    free(text);
}

static int cmp_failure(const void *a, const void *b)
{
    const Failure *x = a, *y = b;
    int c = strcmp(x->check, y->check);
    return c ? c : x->index != y->index ? (x->index < y->index ? -1 : 1) : strcmp(x->variant, y->variant);
}

static void print_summary(const Opts *o, const Stats *st, Failures *fs, double secs)
{
    printf("gradc_random: %d programs (seed %llu, indices %d-%d), %d variants, %.0f s; %ld candidates generated, %d indices without a program\n",
           st->programs, (unsigned long long)o->seed, o->first, o->first + o->count - 1, o->run.nvariant, secs,
           st->tries, st->missing);
    if (!fs->n) {
        printf("no failures\n");
        return;
    }
    qsort(fs->f, (size_t)fs->n, sizeof *fs->f, cmp_failure);
    printf("failures by check (programs, and program x variant pairs):\n");
    for (int i = 0; i < fs->n;) {
        int j = i, progs = 0;
        while (j < fs->n && !strcmp(fs->f[j].check, fs->f[i].check)) {
            if (j == i || fs->f[j].index != fs->f[j - 1].index)
                progs++;
            j++;
        }
        printf("  %-16s %4d programs %5d failures\n", fs->f[i].check, progs, j - i);
        i = j;
    }
    char gen[400] = "";
    if (o->features_arg[0])
        snprintf(gen, sizeof gen, " --features %s", o->features_arg);
    if (o->gen.max_stmts != 12 || o->gen.npoints != 2)
        snprintf(gen + strlen(gen), sizeof gen - strlen(gen), " --stmts %d --points %d", o->gen.max_stmts,
                 o->gen.npoints);
    printf("details (reduce one with: gradc_random --reduce --seed %llu --index I --variant V --check C%s --gradc GRADC):\n",
           (unsigned long long)o->seed, gen);
    for (int i = 0; i < fs->n; i++) {
        const Failure *f = &fs->f[i];
        int same = i > 0 && f->index == fs->f[i - 1].index && !strcmp(f->check, fs->f[i - 1].check);
        if (!same || o->run.verbose)
            printf("  index %d %s %s: %s\n", f->index, f->variant, f->check, f->detail);
    }
}

static void save_failures(const Opts *o, const Failures *fs)
{
    make_dir(o->save);
    for (int i = 0; i < fs->n; i++) {
        if (i > 0 && fs->f[i].index == fs->f[i - 1].index)
            continue;
        Prog *p = gen_program(&o->gen, o->seed, fs->f[i].index, NULL);
        char path[4200];
        snprintf(path, sizeof path, "%s/seed%llu_index%d.fn", o->save, (unsigned long long)o->seed, fs->f[i].index);
        FILE *f = fopen(path, "w");
        if (p && f) {
            for (int k = i; k < fs->n && fs->f[k].index == fs->f[i].index; k++)
                fprintf(f, "# %s %s: %s\n", fs->f[k].variant, fs->f[k].check, fs->f[k].detail);
            prog_print(f, p);
            for (int k = 0; k < p->npt; k++) {
                fprintf(f, "# point %d: ", k);
                prog_print_point(f, p, k);
                fputc('\n', f);
            }
        }
        if (f)
            fclose(f);
        prog_free(p);
    }
}

static int run_programs(Opts *o)
{
    time_t t0 = time(NULL);
    Stats st = {0, 0, 0};
    Failures fs = {0};
    for (int w = 0; w < o->jobs; w++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/results.%d", o->work, w);
        if (o->jobs == 1) {
            FILE *res = fopen(path, "w");
            if (!res)
                rt_die("cannot write %s", path);
            worker(o, w, res);
            fclose(res);
            continue;
        }
        fflush(NULL);
        if (fork() == 0) {
            FILE *res = fopen(path, "w");
            if (!res)
                _exit(2);
            worker(o, w, res);
            fclose(res);
            _exit(0);
        }
    }
    int lost = 0, status;
    if (o->jobs > 1)
        while (wait(&status) > 0)
            lost += !WIFEXITED(status) || WEXITSTATUS(status) != 0;
    for (int w = 0; w < o->jobs; w++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/results.%d", o->work, w);
        read_results(path, &st, &fs);
    }
    qsort(fs.f, (size_t)fs.n, sizeof *fs.f, cmp_failure);
    print_summary(o, &st, &fs, difftime(time(NULL), t0));
    if (o->save && fs.n)
        save_failures(o, &fs);
    if (lost)
        printf("gradc_random: %d worker%s died: their programs are missing above\n", lost, lost > 1 ? "s" : "");
    int bad = fs.n > 0 || st.programs == 0 || lost;
    failures_free(&fs);
    return bad;
}

/* ---- --reduce ------------------------------------------------------------------------- */

/* The program a generated .fn file names in its header line, and the
 * generator settings it was made with. */
static int read_header(const char *path, Opts *o)
{
    char *text = read_file(path, NULL);
    if (!text)
        return -1;
    const char *h = strstr(text, "gradc_random seed=");
    unsigned long long s = 0;
    int stmts, points;
    unsigned feat;
    int n = h ? sscanf(h, "gradc_random seed=%llu index=%d stmts=%d points=%d features=0x%x", &s, &o->index,
                       &stmts, &points, &feat) : 0;
    free(text);
    if (n < 2)
        return -1;
    o->seed = s;
    if (n == 5) {
        o->gen.max_stmts = stmts;
        o->gen.npoints = points < 1 || points > RT_MAXPTS ? 2 : points;
        o->gen.features = feat;
    }
    return 0;
}

static int reduce_mode(Opts *o)
{
    if (o->reduce_file && read_header(o->reduce_file, o)) {
        fprintf(stderr, "gradc_random: %s has no 'gradc_random seed=S index=I' line\n", o->reduce_file);
        return 2;
    }
    if (o->index < 0) {
        fprintf(stderr, "gradc_random: --reduce needs --index I (with --seed S) or a generated .fn file\n");
        return 2;
    }
    Prog *p = gen_program(&o->gen, o->seed, o->index, NULL);
    if (!p) {
        fprintf(stderr, "gradc_random: no program for seed %llu index %d\n", (unsigned long long)o->seed, o->index);
        return 2;
    }
    int rc = reduce_program(&o->run, &o->red, p);
    prog_free(p);
    return rc;
}

int main(int argc, char **argv)
{
    Opts o;
    defaults(&o);
    if (parse_args(&o, argc, argv))
        return 2;
    if (o.print)
        return print_programs(&o);
    if (!o.run.gradc) {
        fprintf(stderr, "gradc_random: say which gradc to test (--gradc PATH or GRADC=PATH), or use --print\n");
        return 2;
    }
    int own_work = !o.work[0];
    if (own_work) {
        snprintf(o.work, sizeof o.work, "/tmp/gradc_random.XXXXXX");
        if (!mkdtemp(o.work))
            rt_die("cannot make a folder under /tmp");
    } else {
        make_dir(o.work);
    }
    o.run.work = o.work;
    int rc = o.reduce ? reduce_mode(&o) : run_programs(&o);
    if (own_work && !o.keep)
        remove_tree(o.work);
    else if (o.keep)
        fprintf(stderr, "gradc_random: files kept in %s\n", o.work);
    return rc;
}
