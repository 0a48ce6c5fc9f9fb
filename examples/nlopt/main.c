/* gradc in NLopt: fits y = a exp(-k t) + c to data with NLopt's L-BFGS
 * (NLOPT_LD_LBFGS), the objective and its gradient from sse_grad, which
 * gradc generated from fit.fn at build time. The data are made from known
 * parameters, so the fit must find them: exit status 0 when it does. */
#include <math.h>
#include <nlopt.h>
#include <stdio.h>

#include "fit.h"

#define N 60

typedef struct Data {
    double t[N], y[N];
    int evaluations;
} Data;

/* NLopt's objective: the value, and the gradient when NLopt asks for it */
static double objective(unsigned n, const double *p, double *grad, void *ctx)
{
    Data *d = ctx;
    (void)n;
    d->evaluations++;
    if (!grad)
        return sse(N, p[0], p[1], p[2], d->t, d->y);
    return sse_grad(N, p[0], p[1], p[2], d->t, d->y, &grad[0], &grad[1], &grad[2]);
}

int main(void)
{
    const double truth[3] = {2.5, 0.7, 0.3};        /* a, k, c */
    Data d = {.evaluations = 0};
    for (int i = 0; i < N; i++) {
        d.t[i] = 0.1 * i;
        d.y[i] = truth[0] * exp(-truth[1] * d.t[i]) + truth[2];
    }

    nlopt_opt opt = nlopt_create(NLOPT_LD_LBFGS, 3);
    nlopt_set_min_objective(opt, objective, &d);
    nlopt_set_ftol_abs(opt, 1e-30);
    nlopt_set_xtol_rel(opt, 1e-12);
    nlopt_set_maxeval(opt, 1000);
    double p[3] = {1.0, 1.0, 0.0}, value = 0;
    nlopt_result status = nlopt_optimize(opt, p, &value);
    nlopt_destroy(opt);

    printf("NLopt L-BFGS: status %d after %d evaluations, sse = %.3g\n", (int)status,
           d.evaluations, value);
    int failures = status < 0;
    const char *name[3] = {"a", "k", "c"};
    for (int j = 0; j < 3; j++) {
        double err = fabs(p[j] - truth[j]);
        printf("%s = %.10f (true %.10f, |error| %.1e)\n", name[j], p[j], truth[j], err);
        failures += !(err < 1e-6);
    }
    puts(failures ? "FAILED: the fit did not find the parameters"
                  : "ok: L-BFGS with gradc's gradient found the parameters");
    return failures != 0;
}
