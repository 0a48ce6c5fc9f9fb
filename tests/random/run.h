/* The differential test: batches of programs through gradc (each option
 * variant), the C compilers, and a generated driver that runs the checks
 * of check_driver.h; and the reducer that shrinks a failing program. */
#ifndef GRADC_RANDOM_RUN_H
#define GRADC_RANDOM_RUN_H

#include "rt.h"

/* A program with its oracle: the value (or every output) at each point. */
typedef struct {
    Prog *p;
    double *expect;             /* npt x max(1, nout) */
    double scale[RT_MAXPTS];
    int kink[RT_MAXPTS];     /* the evaluation met a kink exactly (EvalResult) */
} Case;

/* Evaluates the program at its points; 0 if all are in range. */
int case_prepare(Case *c, Prog *p, char *why, size_t n);
void case_free(Case *c);

/* driver.c: the C driver of a batch (includes header_name and check_driver.h). */
void driver_write(FILE *out, const Case *cases, int n, const char *header_name);
/* "x1[2][0]" or "s1": the name of gradient entry `comp` of fn[0]. */
void driver_entry_name(const Prog *p, int comp, int out, char *buf, size_t n);

typedef struct {
    const char *name;
    const char *opt[3];         /* gradc options, NULL-terminated */
} Variant;

extern const Variant rt_variants[];
extern const int rt_nvariants;
const Variant *variant_find(const char *name);

typedef struct {
    const char *gradc;
    const char *cc;
    const char *clang;          /* NULL: none */
    const char *copt;           /* optimisation of the compiled C: -O0 ... */
    const char *copt_first;     /* the same for the first variant (warnings that need -O) */
    const char *support;        /* the folder of check_driver.h */
    const char *work;           /* scratch folder */
    int sanitize;               /* compile the C with -fsanitize=address,undefined */
    int werror;                 /* -Werror (1; 0 inside batch_cc, which reads the warnings) */
    int compile_only;           /* stop after the compilers (the reducer, for their failures) */
    int verbose;
    int timeout;                /* seconds per gradc / cc / driver run */
    int nvariant;
    const Variant *variant[8];
} RunCfg;

typedef struct {
    uint64_t seed;
    int index;
    const Prog *prog;           /* valid while the batch lives */
    int pt;                     /* the point of a numeric failure, else -1 */
    char variant[16];
    char check[24];             /* gradc.crash, cc.warning, value, grad.fd ... */
    char *detail;
} Failure;

typedef struct {
    Failure *f;
    int n, cap;
} Failures;

void failures_add(Failures *fs, const Prog *p, const char *variant, const char *check, const char *detail);
void failures_free(Failures *fs);

/* Runs cases through every variant of cfg (clang too when use_clang), in
 * folder `dir`; appends what fails. Programs that make gradc or the C
 * compiler fail are isolated by running them one by one. */
void run_batch(const RunCfg *cfg, Case *cases, int n, const char *dir, int use_clang, Failures *out);

/* proc.c: runs argv with stdout and stderr into log_path, in a process
 * group of its own killed after timeout seconds. Returns the exit status,
 * -signal when killed by a signal, or RT_TIMEOUT. */
#define RT_TIMEOUT (-1000)
int run_proc(char *const argv[], const char *log_path, int timeout);
int make_dir(const char *path);
void remove_tree(const char *path);

/* reduce.c */
typedef struct {
    const char *variant;        /* NULL: the first that fails */
    const char *check;          /* NULL: the first failure */
    const char *output;         /* the reduced .fn (NULL: stdout) */
    int max_rounds;
} ReduceCfg;

int reduce_program(const RunCfg *rc, const ReduceCfg *cfg, Prog *p);

#endif
