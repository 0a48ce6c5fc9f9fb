/* The C driver of a batch: for each tested function, seven adapters from
 * flat vectors to the generated API of LANGUAGE.md section 6 (f, f_grad or
 * f_vjp, f_jvp, f_hvp, f_jac or f_hess, f_jac_nnz or f_hess_nnz,
 * f_jac_sparse or f_hess_sparse), its points and oracle values, and a
 * table that check_driver.h walks. */
#include <string.h>

#include "run.h"
#include "util.h"

/* Where each parameter of fn[0] lives in the flat vectors: `all` (every
 * real argument), `act` (the gradient: non-const reals), `out`. */
typedef struct {
    int all, act, out, size, gp;
} Slot;

static void layout(const Prog *p, Slot *s)
{
    const Func *f = &p->fn[0];
    int all = 0, act = 0, out = 0, gp = 0;
    for (int i = 0; i < f->nparam; i++) {
        VarClass c = f->var[i].cls;
        s[i].size = c == V_INTP ? 0 : prog_param_size(p, i);
        s[i].all = s[i].act = s[i].out = s[i].gp = -1;
        if (c == V_REAL || c == V_ARR || c == V_CONST || c == V_CONSTARR) {
            s[i].all = all;
            all += s[i].size;
        }
        if (c == V_REAL || c == V_ARR) {
            s[i].act = act;
            s[i].gp = gp++;
            act += s[i].size;
        }
        if (c == V_OUT) {
            s[i].out = out;
            out += s[i].size;
        }
    }
}

/* The arguments of fn[0] themselves: ints, reals from a, outs into o. */
static void args(FILE *out, const Prog *p, const Slot *s)
{
    const Func *f = &p->fn[0];
    for (int i = 0; i < f->nparam; i++) {
        VarClass c = f->var[i].cls;
        if (i)
            fputs(", ", out);
        if (c == V_INTP)
            fprintf(out, "%ld", p->ival[i]);
        else if (c == V_REAL || c == V_CONST)
            fprintf(out, "a[%d]", s[i].all);
        else if (c == V_OUT)
            fprintf(out, "o + %d", s[i].out);
        else
            fprintf(out, "a + %d", s[i].all);
    }
}

/* One argument per non-const real input: "v[3]" / "v + 3", or for
 * gradients "(nul & 4u) ? NULL : g + 3". */
static void per_active(FILE *out, const Prog *p, const Slot *s, const char *vec, int scalar_by_value,
                       int nullable)
{
    const Func *f = &p->fn[0];
    for (int i = 0; i < f->nparam; i++) {
        VarClass c = f->var[i].cls;
        if (c != V_REAL && c != V_ARR)
            continue;
        fputs(", ", out);
        if (nullable)
            fprintf(out, "(nul & %uu) ? NULL : ", 1u << s[i].gp);
        if (c == V_REAL && scalar_by_value)
            fprintf(out, "%s[%d]", vec, s[i].act);
        else
            fprintf(out, "%s + %d", vec, s[i].act);
    }
}

static void per_out(FILE *out, const Prog *p, const Slot *s, const char *vec)
{
    const Func *f = &p->fn[0];
    for (int i = 0; i < f->nparam; i++)
        if (f->var[i].cls == V_OUT)
            fprintf(out, ", %s + %d", vec, s[i].out);
}

static void adapters(FILE *out, const Prog *p, const Slot *s, int k)
{
    const char *name = p->prefix;
    int has_out = p->fn[0].has_out;
    const char *ret = has_out ? "" : "return ";
    const char *tail = has_out ? "\n    return 0;" : "";
    fprintf(out, "static double P%d_f(const double *a, double *o)\n{\n    (void)a; (void)o;\n    %s%s(", k, ret, name);
    args(out, p, s);
    fprintf(out, ");%s\n}\n", tail);

    fprintf(out, "static double P%d_g(const double *a, const double *s, double *g, double *o, unsigned nul)\n{\n"
                 "    (void)a; (void)s; (void)g; (void)o; (void)nul;\n    %s%s_%s(", k, ret, name,
            has_out ? "vjp" : "grad");
    args(out, p, s);
    per_out(out, p, s, "s");
    per_active(out, p, s, "g", 0, 1);
    fprintf(out, ");%s\n}\n", tail);

    fprintf(out, "static double P%d_j(const double *a, const double *v, double *o, double *d)\n{\n"
                 "    (void)a; (void)v; (void)o;\n    %s%s_jvp(", k, ret, name);
    args(out, p, s);
    per_active(out, p, s, "v", 1, 0);
    if (has_out)
        per_out(out, p, s, "d");
    else
        fputs(", d", out);
    fprintf(out, ");%s\n}\n", tail);

    fprintf(out, "static double P%d_w(const double *a, double *g, double *o, double *W)\n{\n"
                 "    (void)a; (void)g; (void)o;\n    %s%s_%s(", k, ret, name, has_out ? "jac" : "hess");
    args(out, p, s);
    if (!has_out)
        per_active(out, p, s, "g", 0, 0);
    fprintf(out, ", W);%s\n}\n", tail);

    fprintf(out, "static int P%d_n(const double *a, double *o)\n{\n"
                 "    (void)a; (void)o;\n    return %s_%s_nnz(", k, name, has_out ? "jac" : "hess");
    args(out, p, s);
    fputs(");\n}\n", out);

    fprintf(out, "static double P%d_sp(const double *a, double *g, double *o, int *r, int *c, double *v)\n{\n"
                 "    (void)a; (void)g; (void)o;\n    %s%s_%s_sparse(", k, ret, name, has_out ? "jac" : "hess");
    args(out, p, s);
    if (!has_out)
        per_active(out, p, s, "g", 0, 0);
    fprintf(out, ", r, c, v);%s\n}\n", tail);

    if (has_out)
        return;
    fprintf(out, "static double P%d_h(const double *a, const double *v, double *g, double *hv)\n{\n"
                 "    (void)a; (void)v; (void)g; (void)hv;\n    return %s_hvp(", k, name);
    args(out, p, s);
    per_active(out, p, s, "v", 1, 0);
    per_active(out, p, s, "g", 0, 0);
    per_active(out, p, s, "hv", 0, 0);
    fputs(");\n}\n", out);
}

static void doubles(FILE *out, const double *x, int n)
{
    for (int i = 0; i < n; i++)
        fprintf(out, "%s%.17g", i ? ", " : "", x[i]);
    if (!n)
        fputs("0", out);
}

static void data(FILE *out, const Case *c, const Slot *s, int k)
{
    const Prog *p = c->p;
    const Func *f = &p->fn[0];
    int nall = prog_nreal(p), nout = prog_nout(p), ne = nout ? nout : 1;
    fprintf(out, "static const double P%d_a[] = {", k);
    for (int t = 0; t < p->npt; t++) {
        fputs(t ? ",\n    " : "\n    ", out);
        doubles(out, p->pt[t], nall);
    }
    fprintf(out, "};\nstatic const double P%d_e[] = {", k);
    doubles(out, c->expect, p->npt * ne);
    fprintf(out, "};\nstatic const double P%d_s[] = {", k);
    doubles(out, c->scale, p->npt);
    fprintf(out, "};\nstatic const int P%d_k[] = {", k);
    for (int t = 0; t < p->npt; t++)
        fprintf(out, "%s%d", t ? ", " : "", c->kink[t]);
    if (!p->npt)
        fputs("0", out);
    fprintf(out, "};\nstatic const int P%d_act[] = {", k);
    int n = 0;
    for (int i = 0; i < f->nparam; i++)
        if (s[i].act >= 0)
            for (int j = 0; j < s[i].size; j++)
                fprintf(out, "%s%d", n++ ? ", " : "", s[i].all + j);
    fprintf(out, "%s};\nstatic const int P%d_gp[] = {", n ? "" : "0", k);
    n = 0;
    for (int i = 0; i < f->nparam; i++)
        if (s[i].act >= 0)
            for (int j = 0; j < s[i].size; j++)
                fprintf(out, "%s%d", n++ ? ", " : "", s[i].gp);
    fprintf(out, "%s};\n", n ? "" : "0");
}

void driver_write(FILE *out, const Case *cases, int n, const char *header_name)
{
    fprintf(out, "/* written by gradc_random: the checks of %d programs */\n", n);
    fprintf(out, "#include \"%s\"\n#include \"check_driver.h\"\n\n", header_name);
    for (int k = 0; k < n; k++) {
        const Prog *p = cases[k].p;
        Slot s[64];
        layout(p, s);
        fprintf(out, "/* %s: seed %llu index %d */\n", p->prefix, (unsigned long long)p->seed, p->index);
        data(out, &cases[k], s, k);
        adapters(out, p, s, k);
        fputc('\n', out);
    }
    fputs("static const RtProg progs[] = {\n", out);
    for (int k = 0; k < n; k++) {
        const Prog *p = cases[k].p;
        int ngp = 0;
        for (int i = 0; i < p->fn[0].nparam; i++)
            ngp += p->fn[0].var[i].cls == V_REAL || p->fn[0].var[i].cls == V_ARR;
        char h[32] = "NULL";
        if (!p->fn[0].has_out)
            snprintf(h, sizeof h, "P%d_h", k);
        fprintf(out, "    {%d, %d, %d, %d, %d, P%d_a, P%d_e, P%d_s, P%d_k, P%d_act, P%d_gp, P%d_f, P%d_g, P%d_j, %s, P%d_w, "
                     "P%d_n, P%d_sp, %lluull},\n",
                p->npt, prog_nreal(p), prog_nactive(p), prog_nout(p), ngp, k, k, k, k, k, k, k, k, k, h, k, k, k,
                (unsigned long long)rt_mix(p->seed, (uint64_t)p->index));
    }
    if (!n)
        fputs("    {0, 0, 0, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0},\n", out);
    fprintf(out, "};\n\nint main(int argc, char **argv)\n{\n    return rt_main(progs, %d, argc, argv);\n}\n", n);
}

/* Names gradient entry `comp` (or output entry when `out`) of fn[0]. */
void driver_entry_name(const Prog *p, int comp, int out, char *buf, size_t n)
{
    const Func *f = &p->fn[0];
    Slot s[64];
    layout(p, s);
    for (int i = 0; i < f->nparam; i++) {
        int base = out ? s[i].out : s[i].act;
        if (base < 0 || comp < base || comp >= base + s[i].size)
            continue;
        const Var *v = &f->var[i];
        int off = comp - base, len = snprintf(buf, n, "%s", v->name);
        long stride = s[i].size;
        for (int d = 0; d < v->ndim && len >= 0 && (size_t)len < n; d++) {
            stride /= prog_dim_value(p, f, v->dim[d]);
            len += snprintf(buf + len, n - (size_t)len, "[%ld]", off / stride);
            off = (int)(off % stride);
        }
        return;
    }
    snprintf(buf, n, "#%d", comp);
}
