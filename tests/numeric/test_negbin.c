/* samples/negbin.fn: the log-likelihood and its gradient against central
 * differences, and against closed forms that need no digamma: for an
 * integer count y, lgamma(y + r) - lgamma(r) = sum_{k<y} log(r + k) and
 * digamma(y + r) - digamma(r) = sum_{k<y} 1/(r + k), trigamma's difference
 * -sum_{k<y} 1/(r + k)^2. negbin_score_r (digamma written out) against the
 * gradient of negbin_loglik (lgamma differentiated), and Newton's method on
 * r with it converging to where that gradient is 0. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "negbin.h"
#include "check_array.h"

enum { N = 24, D = 3 };

struct data {
    double X[N * D], y[N];
};

/* an intercept and two covariates; overdispersed counts from 0 to 19 */
static void make_data(struct data *s, check_rng *r)
{
    for (int i = 0; i < N; i++) {
        s->X[i * D] = 1;
        check_fill_uniform(r, &s->X[i * D + 1], D - 1, -1, 1);
        double u = check_uniform(r, 0, 1);
        s->y[i] = floor(20 * u * u * u);
    }
}

static double mean(const struct data *s, const double *beta, int i)
{
    double eta = 0;
    for (int j = 0; j < D; j++)
        eta += s->X[i * D + j] * beta[j];
    return exp(eta);
}

/* the log-likelihood and its gradient (beta[D], log_r) by the closed forms */
static double closed_form(const struct data *s, const double *beta, double log_r, double *g)
{
    double r = exp(log_r), l = 0;
    for (int j = 0; j <= D; j++)
        g[j] = 0;
    for (int i = 0; i < N; i++) {
        double mu = mean(s, beta, i), y = s->y[i], lg = 0, psi = 0;
        for (int k = 0; k < (int)y; k++) {
            lg += log(r + k) - log(k + 1.0);        /* and -log(y!) */
            psi += 1 / (r + k);
        }
        l += lg + r * log(r / (r + mu)) + y * log(mu / (r + mu));
        for (int j = 0; j < D; j++)
            g[j] += (y - mu) * r / (r + mu) * s->X[i * D + j];
        g[D] += r * (psi + log(r / (r + mu)) + (mu - y) / (r + mu));
    }
    return l;
}

/* z packs beta[D], log_r */
static double v_loglik(const void *c, const double *z)
{
    const struct data *s = c;
    return negbin_loglik(N, D, z, z[D], s->X, s->y);
}

static double g_loglik(const void *c, const double *z, double *g)
{
    const struct data *s = c;
    return negbin_loglik_grad(N, D, z, z[D], s->X, s->y, g, &g[D]);
}

static void test_fd_and_closed_form(void **state)
{
    struct data s;
    check_rng r = {811};
    double z[D + 1], g[D + 1], e[D + 1];
    (void)state;
    make_data(&s, &r);
    for (int p = 0; p < 6; p++) {
        check_fill_uniform(&r, z, D, -0.7, 0.7);
        z[D] = check_uniform(&r, -1.5, 2.5);
        check_vec_fd(v_loglik, g_loglik, &s, D + 1, z);
        double l = g_loglik(&s, z, g);
        assert_close(l, closed_form(&s, z, z[D], e), 1e-13, 0);
        for (int j = 0; j <= D; j++)
            assert_close(g[j], e[j], 1e-12, 1e-13);
    }
}

/* dl/dr by hand (digamma) is dl/dlog_r (lgamma's derivative) / r; its
 * derivative (trigamma) against the closed form */
static void test_score(void **state)
{
    struct data s;
    check_rng rng = {812};
    double beta[D], g[D + 1];
    (void)state;
    make_data(&s, &rng);
    for (int p = 0; p < 6; p++) {
        check_fill_uniform(&rng, beta, D, -0.7, 0.7);
        double r = check_uniform(&rng, 0.2, 12), dscore = 0, want = 0;
        double score = negbin_score_r_grad(N, D, beta, r, s.X, s.y, &dscore);
        g_loglik(&s, (double[]){beta[0], beta[1], beta[2], log(r)}, g);
        assert_close(score, g[D] / r, 1e-12, 1e-13);
        for (int i = 0; i < N; i++) {
            double mu = mean(&s, beta, i), y = s.y[i];
            for (int k = 0; k < (int)y; k++)
                want -= 1 / ((r + k) * (r + k));
            want += 1 / r - 1 / (r + mu) - (mu - y) / ((r + mu) * (r + mu));
        }
        assert_close(dscore, want, 1e-12, 1e-13);
    }
}

/* glm.nb's theta.ml: Newton's method on the score in r, beta fixed; at the
 * root the likelihood's own gradient in log_r vanishes */
static void test_newton(void **state)
{
    struct data s;
    check_rng rng = {813};
    double beta[D] = {0.5, 0.2, -0.3}, g[D + 1], r = 1;
    (void)state;
    make_data(&s, &rng);
    int it = 0;
    for (; it < 50; it++) {
        double ds, sc = negbin_score_r_grad(N, D, beta, r, s.X, s.y, &ds);
        if (fabs(sc) < 1e-12)
            break;
        double next = r - sc / ds;
        r = next > 0 ? next : r / 2;
    }
    assert_true(it < 50);
    g_loglik(&s, (double[]){beta[0], beta[1], beta[2], log(r)}, g);
    assert_close(g[D], 0, 0, 1e-10);
    assert_true(negbin_loglik(N, D, beta, log(r), s.X, s.y) >
                negbin_loglik(N, D, beta, log(r) + 1e-3, s.X, s.y));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fd_and_closed_form),
        cmocka_unit_test(test_score),
        cmocka_unit_test(test_newton),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
