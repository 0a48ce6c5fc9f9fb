/* kalman.fn: a constant-velocity Kalman filter's log-likelihood against a C
 * filter written with 2x2 matrices (Joseph-free textbook form, full
 * covariance), and against the likelihood of the observations as one
 * Gaussian vector, y ~ N(mu, Sigma), computed from the state-space model's
 * covariance by a Cholesky factorisation: the two agree to round-off. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "kalman.h"
#include "realistic.h"

enum { MAXT = 20, N = 4 };

struct problem {
    int T;
    double dt, p0, y[MAXT];
};

/* z = log_q, log_r, m0, v0 */
static double reference(const void *c, const double *z)
{
    const struct problem *p = c;
    double q = exp(z[0]), r = exp(z[1]), dt = p->dt;
    double F[2][2] = {{1, dt}, {0, 1}};
    double Q[2][2] = {{q * dt * dt * dt / 3, q * dt * dt / 2}, {q * dt * dt / 2, q * dt}};
    double m[2] = {z[2], z[3]}, P[2][2] = {{p->p0, 0}, {0, p->p0}}, ll = 0;
    for (int t = 0; t < p->T; t++) {
        double mp[2], FP[2][2], Pp[2][2];
        for (int i = 0; i < 2; i++) {
            mp[i] = F[i][0] * m[0] + F[i][1] * m[1];
            for (int j = 0; j < 2; j++)
                FP[i][j] = F[i][0] * P[0][j] + F[i][1] * P[1][j];
        }
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 2; j++)
                Pp[i][j] = FP[i][0] * F[j][0] + FP[i][1] * F[j][1] + Q[i][j];
        /* H = [1 0] */
        double S = Pp[0][0] + r, e = p->y[t] - mp[0];
        double K[2] = {Pp[0][0] / S, Pp[1][0] / S};
        for (int i = 0; i < 2; i++) {
            m[i] = mp[i] + K[i] * e;
            for (int j = 0; j < 2; j++)
                P[i][j] = Pp[i][j] - K[i] * Pp[0][j];
        }
        ll -= 0.5 * (log(2 * RL_PI * S) + e * e / S);
    }
    return ll;
}

/* the same likelihood without a filter: positions x_t = c_t . s_0 + sum of
 * noises, y = x + measurement noise, so y ~ N(mu, Sigma) with mu_t the
 * noiseless position and Sigma from the model; log N by Cholesky */
static double batch_loglik(const struct problem *p, const double *z)
{
    enum { T = MAXT };
    double q = exp(z[0]), r = exp(z[1]), dt = p->dt;
    double cov[T][T], L[T][T], mu[T], w[T];
    int n = p->T;
    /* state covariance: P_t = F^t P0 F^t^T + sum_k F^(t-k) Q F^(t-k)^T; cross-
     * covariances of positions at times a <= b: [F^(b-a) P_a]_{00} */
    double Pt[T + 1][2][2];
    Pt[0][0][0] = p->p0;
    Pt[0][0][1] = Pt[0][1][0] = 0;
    Pt[0][1][1] = p->p0;
    for (int t = 1; t <= n; t++) {
        double a = Pt[t - 1][0][0], b = Pt[t - 1][0][1], d = Pt[t - 1][1][1];
        Pt[t][0][0] = a + 2 * dt * b + dt * dt * d + q * dt * dt * dt / 3;
        Pt[t][0][1] = Pt[t][1][0] = b + dt * d + q * dt * dt / 2;
        Pt[t][1][1] = d + q * dt;
    }
    for (int a = 0; a < n; a++) {
        mu[a] = z[2] + (a + 1) * dt * z[3];
        for (int b = a; b < n; b++) {
            /* position at time b+1 given the state at a+1: F^(b-a) */
            double s = (b - a) * dt;
            double cab = Pt[a + 1][0][0] + s * Pt[a + 1][1][0];
            cov[a][b] = cov[b][a] = cab + (a == b ? r : 0);
        }
    }
    double logdet = 0, quad = 0;
    for (int j = 0; j < n; j++) {
        for (int i = j; i < n; i++) {
            double s = cov[i][j];
            for (int k = 0; k < j; k++)
                s -= L[i][k] * L[j][k];
            L[i][j] = i == j ? sqrt(s) : s / L[j][j];
        }
        logdet += 2 * log(L[j][j]);
    }
    for (int i = 0; i < n; i++) {
        double s = p->y[i] - mu[i];
        for (int k = 0; k < i; k++)
            s -= L[i][k] * w[k];
        w[i] = s / L[i][i];
        quad += w[i] * w[i];
    }
    return -0.5 * (n * log(2 * RL_PI) + logdet + quad);
}

static double f_value(const void *c, const double *z)
{
    const struct problem *p = c;
    return kalman_loglik(p->T, z[0], z[1], z[2], z[3], p->dt, p->p0, p->y);
}

static double f_grad(const void *c, const double *z, double *g)
{
    const struct problem *p = c;
    return kalman_loglik_grad(p->T, z[0], z[1], z[2], z[3], p->dt, p->p0, p->y, g, g + 1, g + 2,
                              g + 3);
}

static double f_jvp(const void *c, const double *z, const double *v, double *df)
{
    const struct problem *p = c;
    return kalman_loglik_jvp(p->T, z[0], z[1], z[2], z[3], p->dt, p->p0, p->y, v[0], v[1], v[2],
                             v[3], df);
}

static double f_hvp(const void *c, const double *z, const double *v, double *g, double *hv)
{
    const struct problem *p = c;
    return kalman_loglik_hvp(p->T, z[0], z[1], z[2], z[3], p->dt, p->p0, p->y, v[0], v[1], v[2],
                             v[3], g, g + 1, g + 2, g + 3, hv, hv + 1, hv + 2, hv + 3);
}

static void test_loglik(void **state)
{
    static const int lengths[] = {1, 5, 20};
    rl_rng r = {701};
    (void)state;
    for (size_t d = 0; d < sizeof lengths / sizeof lengths[0]; d++) {
        struct problem p = {lengths[d], 0.5, 2.0, {0}};
        double z[N], pos = 1, vel = 0.5;
        /* a noisy track */
        for (int t = 0; t < p.T; t++) {
            vel += 0.3 * rl_normal(&r);
            pos += p.dt * vel;
            p.y[t] = pos + 0.5 * rl_normal(&r);
        }
        rl_scalar chk = {"kalman_loglik", N, &p, reference, f_value, f_grad, f_jvp, f_hvp,
                         1e-11, 0, 0};
        for (int k = 0; k < 3; k++) {
            z[0] = rl_uniform(&r, -3, 1);
            z[1] = rl_uniform(&r, -3, 1);
            z[2] = rl_uniform(&r, -1, 2);
            z[3] = rl_uniform(&r, -1, 1);
            rl_check_scalar(&chk, z, 8000 + 10 * d + k);
            assert_close(f_value(&p, z), batch_loglik(&p, z), 1e-10, 1e-10);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_loglik),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
