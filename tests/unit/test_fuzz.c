/* Random scalar programs (expressions, locals, reassignments, if/else,
 * ternaries, conditions, calls to helper functions, every smooth built-in)
 * through the whole pipeline, with and without the optimiser, run on the
 * IR interpreter. The oracles:
 *   - the compiler neither crashes nor reports errors (a compile runs in a
 *     forked child first);
 *   - optimised and unoptimised primals agree bit for bit (the optimiser is
 *     exact), and f_grad returns exactly f's value;
 *   - optimised and unoptimised gradients agree closely;
 *   - the gradient matches central finite differences wherever two step
 *     sizes and the one-sided differences agree (so not across a branch
 *     or a kink).
 * The generator is deterministic: a failure names the program's number and
 * prints the program. */
#include "interp.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { NPROGRAMS = 300, NPOINTS = 3, MAX_VARS = 16 };

/* GRADC_FUZZ_PROGRAMS=N runs N programs instead (a longer campaign). */
static int nprograms(void)
{
    const char *s = getenv("GRADC_FUZZ_PROGRAMS");
    return s && atoi(s) > 0 ? atoi(s) : NPROGRAMS;
}

typedef struct Gen {
    unsigned long long state;
    Buf out;
    const char *vars[MAX_VARS];     /* visible real names */
    int nvars;
    int nlocals;                    /* locals made so far in the function */
    char names[64][16];             /* their names: v0, v1, ... */
    int nhelpers;                   /* helpers h0 .. h{n-1}, each of two arguments */
} Gen;

static unsigned rnd(Gen *g, unsigned n)
{
    g->state = g->state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)(g->state >> 33) % n;
}

static void expr(Gen *g, int depth);

static void leaf(Gen *g)
{
    unsigned k = rnd(g, 10);
    if (k < 7 && g->nvars > 0) {
        buf_puts(&g->out, g->vars[rnd(g, (unsigned)g->nvars)]);
        return;
    }
    static const char *const consts[] = {"0.5", "2", "3", "1.5", "0.25", "pi", "4", ".75"};
    buf_puts(&g->out, consts[rnd(g, 8)]);
}

static void cond(Gen *g, int depth)
{
    static const char *const cmp[] = {"<", ">", "<=", ">=", "!="};
    unsigned k = rnd(g, 6);
    if (k == 0 && depth > 0) {
        buf_puts(&g->out, "(");
        cond(g, depth - 1);
        buf_puts(&g->out, rnd(g, 2) ? " && " : " || ");
        cond(g, depth - 1);
        buf_puts(&g->out, ")");
        return;
    }
    if (k == 1 && depth > 0) {
        buf_puts(&g->out, "!(");
        cond(g, depth - 1);
        buf_puts(&g->out, ")");
        return;
    }
    expr(g, depth > 1 ? 1 : 0);
    buf_printf(&g->out, " %s ", cmp[rnd(g, 5)]);
    expr(g, depth > 1 ? 1 : 0);
}

/* Each form keeps its argument in the function's domain, and values
 * moderate. */
static const char *const unary_forms[] = {
    "sin(%)", "cos(%)", "tanh(%)", "atan(%)", "exp(tanh(%))", "log(1.5 + (%) * (%))",
    "sqrt(1 + (%) * (%))", "erf(%)", "asinh(%)", "cbrt(3 + sin(%))", "abs(%)", "log1p(abs(%))",
    "expm1(tanh(%))", "log2(2 + cos(%))", "log10(1 + (%) ^ 2)", "asin(0.9 * tanh(%))",
    "acos(0.5 * sin(%))", "acosh(1.5 + (%) * (%))", "atanh(0.8 * tanh(%))", "sinh(tanh(%))",
    "cosh(sin(%))", "tan(0.7 * sin(%))", "(%) ^ 2", "(%) ^ 3", "(1.5 + (%) ^ 2) ^ -1",
    "(2 + cos(%)) ^ -2", "-(%)", "+(%)",
};

static void unary(Gen *g, int depth)
{
    const char *form = unary_forms[rnd(g, sizeof unary_forms / sizeof *unary_forms)];
    /* every % in the form is the same subexpression, so generate it once */
    Buf saved = g->out;
    buf_init(&g->out);
    expr(g, depth - 1);
    char *arg = g->out.data;
    g->out = saved;
    for (const char *p = form; *p; p++) {
        if (*p == '%')
            buf_puts(&g->out, arg);
        else
            buf_putc(&g->out, *p);
    }
    free(arg);
}

static void binary(Gen *g, int depth)
{
    static const char *const forms[] = {
        "(# + @)", "(# - @)", "(# * @)", "(# / (1.5 + (@) * (@)))", "hypot(#, 1 + (@) * (@))",
        "atan2(#, 2 + (@) * (@))", "min(#, @)", "max(#, @)", "pow(1.5 + (#) * (#), tanh(@))",
        "(1.2 + (#) * (#)) ^ sin(@)", "(# * @ - @)",
    };
    const char *form = forms[rnd(g, sizeof forms / sizeof *forms)];
    Buf saved = g->out;
    buf_init(&g->out);
    expr(g, depth - 1);
    char *a = g->out.data;
    buf_init(&g->out);
    expr(g, depth - 1);
    char *b = g->out.data;
    g->out = saved;
    for (const char *p = form; *p; p++) {
        if (*p == '#')
            buf_puts(&g->out, a);
        else if (*p == '@')
            buf_puts(&g->out, b);
        else
            buf_putc(&g->out, *p);
    }
    free(a);
    free(b);
}

static void expr(Gen *g, int depth)
{
    if (depth <= 0) {
        leaf(g);
        return;
    }
    unsigned k = rnd(g, 12);
    if (k < 2) {
        leaf(g);
    } else if (k < 6) {
        unary(g, depth);
    } else if (k < 10) {
        binary(g, depth);
    } else if (k == 10) {
        buf_puts(&g->out, "(");
        cond(g, depth - 1);
        buf_puts(&g->out, " ? ");
        expr(g, depth - 1);
        buf_puts(&g->out, " : ");
        expr(g, depth - 1);
        buf_puts(&g->out, ")");
    } else if (g->nhelpers > 0) {
        buf_printf(&g->out, "h%u(", rnd(g, (unsigned)g->nhelpers));
        expr(g, depth - 1);
        buf_puts(&g->out, ", ");
        expr(g, depth - 1);
        buf_puts(&g->out, ")");
    } else {
        binary(g, depth);
    }
}

static void indent(Gen *g, int level)
{
    for (int i = 0; i < level; i++)
        buf_puts(&g->out, "  ");
}

/* Statements at `level`; the locals they declare are visible after them
 * within the block only. */
static void stmts(Gen *g, int level, int n)
{
    int mark = g->nvars;
    for (int i = 0; i < n; i++) {
        unsigned k = rnd(g, 10);
        int locals = g->nvars - 2;              /* the first two are the parameters */
        if (k < 4 || locals <= 0) {
            if (g->nvars >= MAX_VARS || g->nlocals >= 64)
                continue;
            char *name = g->names[g->nlocals];
            snprintf(name, sizeof g->names[0], "v%d", g->nlocals++);
            indent(g, level);
            buf_printf(&g->out, "let %s = ", name);
            expr(g, 2);
            buf_puts(&g->out, ";\n");
            g->vars[g->nvars++] = name;
        } else if (k < 7) {
            static const char *const ops[] = {"=", "+=", "-=", "*=", "/="};
            unsigned op = rnd(g, 5);
            indent(g, level);
            buf_printf(&g->out, "%s %s ", g->vars[2 + rnd(g, (unsigned)locals)], ops[op]);
            if (op == 3)
                buf_puts(&g->out, "tanh(");
            if (op == 4)
                buf_puts(&g->out, "(1 + (");
            expr(g, 2);
            if (op == 4)
                buf_puts(&g->out, ") ^ 2");
            if (op >= 3)
                buf_puts(&g->out, ")");
            buf_puts(&g->out, ";\n");
        } else if (level < 3) {
            indent(g, level);
            buf_puts(&g->out, "if (");
            cond(g, 2);
            buf_puts(&g->out, ") {\n");
            stmts(g, level + 1, 1 + (int)rnd(g, 3));
            indent(g, level);
            if (rnd(g, 2)) {
                buf_puts(&g->out, "} else {\n");
                stmts(g, level + 1, 1 + (int)rnd(g, 3));
                indent(g, level);
            }
            buf_puts(&g->out, "}\n");
        }
    }
    if (level > 1)
        g->nvars = mark;                        /* the block's locals end with it */
}

static void function(Gen *g, const char *name)
{
    g->nvars = 2;
    g->vars[0] = "x";
    g->vars[1] = "y";
    g->nlocals = 0;
    if (rnd(g, 3) == 0) {
        buf_printf(&g->out, "fn %s(x, y) = ", name);
        expr(g, 4);
        buf_puts(&g->out, ";\n");
        return;
    }
    buf_printf(&g->out, "fn %s(x, y) {\n", name);
    stmts(g, 1, 2 + (int)rnd(g, 5));
    buf_puts(&g->out, "  return ");
    expr(g, 3);
    buf_puts(&g->out, ";\n}\n");
}

static char *program(unsigned long long seed)
{
    Gen g;
    memset(&g, 0, sizeof g);
    g.state = seed * 2654435761ULL + 12345;
    buf_init(&g.out);
    int nh = (int)rnd(&g, 3);
    for (int i = 0; i < nh; i++) {
        char name[16];
        snprintf(name, sizeof name, "h%d", i);
        function(&g, name);
        g.nhelpers = i + 1;
    }
    function(&g, "f");
    return g.out.data;
}

/* ---- checking one program ---------------------------------------------------------- */

static bool same(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0 || (isnan(a) && isnan(b)) || a == b;
}

static bool near(double a, double b, double tol)
{
    return same(a, b) || fabs(a - b) <= tol * fmax(1, fmax(fabs(a), fabs(b)));
}

/* Returns a description of the first problem, or NULL. */
static char *check_program(const char *src)
{
    static char why[4400];
    Cx *cx[2];
    for (int opt = 0; opt <= 1; opt++) {
        bool ok;
        cx[opt] = unit_try_cx(src, UNIT_ALL, opt, &ok, why, sizeof why);
        if (!cx[opt]) {
            if (opt)
                cx_free(cx[0]);
            return why;
        }
        if (!ok || cx[opt]->diag.errors) {
            snprintf(why, sizeof why, "compile errors:\n%s", cx[opt]->diag.text.data);
            cx_free(cx[opt]);
            if (opt)
                cx_free(cx[0]);
            return why;
        }
    }
    char *res = NULL;
    /* generic points: no ties with the constants of the generator */
    static const double pts[NPOINTS][2] = {{0.3712, -0.8139}, {-1.1347, 0.2963}, {0.7129, 1.4281}};
    for (int p = 0; p < NPOINTS && !res; p++) {
        const double *x = pts[p];
        double v[2], gv[2], g[2][2];
        for (int opt = 0; opt <= 1; opt++) {
            v[opt] = interp_scalar(unit_func(cx[opt], "f"), x);
            gv[opt] = interp_grad(cx[opt], "f", x, g[opt]);
        }
        if (!isfinite(v[0]))
            continue;
        if (!same(v[0], v[1])) {
            snprintf(why, sizeof why, "at (%g, %g): value %.17g optimised, %.17g not", x[0], x[1],
                     v[1], v[0]);
            res = why;
            break;
        }
        for (int opt = 0; opt <= 1 && !res; opt++) {
            if (!same(gv[opt], v[opt])) {
                snprintf(why, sizeof why, "at (%g, %g), opt %d: f_grad's value %.17g, f's %.17g",
                         x[0], x[1], opt, gv[opt], v[opt]);
                res = why;
            }
        }
        for (int i = 0; i < 2 && !res; i++) {
            double h1 = 1e-6, h2 = 1e-5;
            IrFunc *f = unit_func(cx[0], "f");
            double fd1 = interp_fd(f, x, i, h1), fd2 = interp_fd(f, x, i, h2);
            /* one-sided differences too: a point on a branch boundary (a
             * tie in a comparison) has neighbours on the other side */
            double xp[2] = {x[0], x[1]}, xm[2] = {x[0], x[1]};
            xp[i] += h2;
            xm[i] -= h2;
            double fwd = (interp_scalar(f, xp) - v[0]) / h2, bwd = (v[0] - interp_scalar(f, xm)) / h2;
            bool smooth = isfinite(fd1) && near(fd1, fd2, 1e-5) && near(fwd, bwd, 1e-2) &&
                          near(fwd, fd2, 1e-2);
            for (int opt = 0; opt <= 1 && !res; opt++) {
                if (smooth && !near(g[opt][i], fd1, 1e-4)) {
                    snprintf(why, sizeof why,
                             "at (%g, %g), opt %d: partial %d is %.17g, finite difference %.17g "
                             "(unoptimised: %.17g)", x[0], x[1], opt, i, g[opt][i], fd1, g[0][i]);
                    res = why;
                }
            }
            if (!res && !near(g[0][i], g[1][i], 1e-9) && isfinite(g[0][i])) {
                snprintf(why, sizeof why, "at (%g, %g): partial %d is %.17g optimised, %.17g not",
                         x[0], x[1], i, g[1][i], g[0][i]);
                res = why;
            }
        }
    }
    cx_free(cx[0]);
    cx_free(cx[1]);
    return res;
}

static void random_programs(void **state)
{
    (void)state;
    int bad = 0, shown = 0;
    int n = nprograms();
    for (int i = 0; i < n; i++) {
        char *src = program((unsigned long long)i);
        char *why = check_program(src);
        if (why) {
            bad++;
            if (shown++ < 4)
                fprintf(stderr, "program %d: %s\n%s\n", i, why, src);
        }
        free(src);
    }
    if (bad)
        fail_msg("%d of %d random programs fail", bad, n);
}

/* The same random programs without calls: a failure here is not about
 * function calls. */
static void random_programs_without_calls(void **state)
{
    (void)state;
    int bad = 0, shown = 0, tried = 0, n = nprograms();
    for (int i = 0; i < 3 * n && tried < n; i++) {
        char *src = program((unsigned long long)i + 100000);
        if (strstr(src, "fn h")) {
            free(src);
            continue;
        }
        tried++;
        char *why = check_program(src);
        if (why) {
            bad++;
            if (shown++ < 4)
                fprintf(stderr, "program %d: %s\n%s\n", i + 100000, why, src);
        }
        free(src);
    }
    if (bad)
        fail_msg("%d of %d random programs fail", bad, tried);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(random_programs_without_calls),
        cmocka_unit_test(random_programs),
    };
    return cmocka_run_group_tests_name("fuzz", tests, NULL, NULL);
}
