/* Careful hand-written gradients: one forward pass keeping what the
 * backward pass needs, loops fused where the math allows. Written from the
 * formulas in the sample files' headers. */
#include "hand.h"

#include <math.h>
#include <string.h>

double hand_seed_grad(double x0, double x1, double *g0, double *g1)
{
    double a = 2 * x0 + 5 * x1, b = 3 * x0 * x1;
    *g0 = 2 * b + a * 3 * x1;
    *g1 = 5 * b + a * 3 * x0;
    return a * b;
}

double hand_rosen_grad(int n, const double *x, double *g)
{
    double f = 0;
    for (int i = 0; i < n; i++)
        g[i] = 0;
    for (int i = 0; i < n - 1; i++) {
        double u = x[i + 1] - x[i] * x[i], v = 1 - x[i];
        f += 100 * u * u + v * v;
        g[i] += -400 * u * x[i] - 2 * v;
        g[i + 1] += 200 * u;
    }
    return f;
}

static double logsumexp(int n, const double *v)
{
    double mx = v[0], s = 0;
    for (int i = 1; i < n; i++)
        mx = v[i] > mx ? v[i] : mx;
    for (int i = 0; i < n; i++)
        s += exp(v[i] - mx);
    return log(s) + mx;
}

/* work: K + 3 K d doubles. The forward pass keeps xc and Q xc of every
 * component for the point; the backward pass uses them. */
double hand_gmm_grad(int d, int K, int n, int T, const double *alphas, const double *means,
                     const double *icf, const double *x, double gamma, int m, double *g_alphas,
                     double *g_means, double *g_icf, double *work)
{
    double *main_term = work, *XC = work + K, *QXC = XC + (size_t)K * d, *expq = QXC + (size_t)K * d;
    memset(g_alphas, 0, sizeof *g_alphas * (size_t)K);
    memset(g_means, 0, sizeof *g_means * (size_t)K * (size_t)d);
    memset(g_icf, 0, sizeof *g_icf * (size_t)K * (size_t)T);
    double slse = 0;
    for (int k = 0; k < K; k++)
        for (int j = 0; j < d; j++)
            expq[k * d + j] = exp(icf[k * T + j]);
    for (int i = 0; i < n; i++) {
        const double *xi = x + (size_t)i * d;
        for (int k = 0; k < K; k++) {
            const double *q = icf + (size_t)k * T, *mu = means + (size_t)k * d;
            double *xc = XC + (size_t)k * d, *Qxc = QXC + (size_t)k * d;
            double sq = 0, sumq = 0;
            for (int j = 0; j < d; j++) {
                xc[j] = xi[j] - mu[j];
                Qxc[j] = expq[k * d + j] * xc[j];
                sumq += q[j];
            }
            for (int c = 0; c < d; c++) {
                const double *l = q + d + c * (d - 1) - c * (c - 1) / 2 - c - 1;
                for (int r = c + 1; r < d; r++)
                    Qxc[r] += l[r] * xc[c];
            }
            for (int j = 0; j < d; j++)
                sq += Qxc[j] * Qxc[j];
            main_term[k] = alphas[k] + sumq - 0.5 * sq;
        }
        double lse = logsumexp(K, main_term);
        slse += lse;
        /* backward through logsumexp: softmax weights */
        for (int k = 0; k < K; k++) {
            double w = exp(main_term[k] - lse);
            const double *q = icf + (size_t)k * T;
            double *xc = XC + (size_t)k * d, *Qxc = QXC + (size_t)k * d;
            double *gq = g_icf + (size_t)k * T, *gmu = g_means + (size_t)k * d;
            g_alphas[k] += w;
            /* d main / d Qxc = -Qxc, scaled by w */
            for (int j = 0; j < d; j++) {
                double dq = -w * Qxc[j];
                gq[j] += w + dq * expq[k * d + j] * xc[j];
                Qxc[j] = dq;            /* now the adjoint of Qxc */
            }
            for (int c = 0; c < d; c++) {
                const double *l = q + d + c * (d - 1) - c * (c - 1) / 2 - c - 1;
                double *gl = gq + d + c * (d - 1) - c * (c - 1) / 2 - c - 1;
                double dxc = Qxc[c] * expq[k * d + c];
                for (int r = c + 1; r < d; r++) {
                    gl[r] += Qxc[r] * xc[c];
                    dxc += Qxc[r] * l[r];
                }
                gmu[c] -= dxc;
            }
        }
    }
    /* - n logsumexp(alphas) */
    double lsa = logsumexp(K, alphas);
    for (int k = 0; k < K; k++)
        g_alphas[k] -= n * exp(alphas[k] - lsa);
    /* the Wishart prior */
    double prior = 0;
    for (int k = 0; k < K; k++) {
        const double *q = icf + (size_t)k * T;
        double *gq = g_icf + (size_t)k * T;
        double frob = 0, sumq = 0;
        for (int j = 0; j < d; j++) {
            double e = expq[k * d + j];
            frob += e * e;
            sumq += q[j];
            gq[j] += gamma * gamma * e * e - m;
        }
        for (int j = d; j < T; j++) {
            frob += q[j] * q[j];
            gq[j] += gamma * gamma * q[j];
        }
        prior += 0.5 * gamma * gamma * frob - m * sumq;
    }
    int N = d + m + 1;
    double C = N * d * (log(gamma) - 0.5 * log(2));
    return -0.5 * n * d * log(2 * 3.14159265358979323846) + slse - n * lsa + prior - K * C;
}

/* work: nh + no doubles */
double hand_mlp_grad(int B, int ni, int nh, int no, const double *W1, const double *b1,
                     const double *W2, const double *b2, const double *X, const double *Y,
                     double *gW1, double *gb1, double *gW2, double *gb2, double *work)
{
    double *h = work, *dp = work + nh;
    memset(gW1, 0, sizeof *gW1 * (size_t)nh * (size_t)ni);
    memset(gb1, 0, sizeof *gb1 * (size_t)nh);
    memset(gW2, 0, sizeof *gW2 * (size_t)no * (size_t)nh);
    memset(gb2, 0, sizeof *gb2 * (size_t)no);
    double loss = 0, scale = 1.0 / (2 * B);
    for (int k = 0; k < B; k++) {
        const double *x = X + (size_t)k * ni, *y = Y + (size_t)k * no;
        for (int j = 0; j < nh; j++) {
            double z = b1[j];
            for (int i = 0; i < ni; i++)
                z += W1[j * ni + i] * x[i];
            h[j] = tanh(z);
        }
        for (int j = 0; j < no; j++) {
            double p = b2[j];
            for (int i = 0; i < nh; i++)
                p += W2[j * nh + i] * h[i];
            double e = p - y[j];
            loss += e * e;
            dp[j] = 2 * e * scale;
        }
        for (int j = 0; j < no; j++) {
            gb2[j] += dp[j];
            for (int i = 0; i < nh; i++)
                gW2[j * nh + i] += dp[j] * h[i];
        }
        for (int i = 0; i < nh; i++) {
            double dh = 0;
            for (int j = 0; j < no; j++)
                dh += dp[j] * W2[j * nh + i];
            double dz = dh * (1 - h[i] * h[i]);
            gb1[i] += dz;
            for (int t = 0; t < ni; t++)
                gW1[i * ni + t] += dz * x[t];
        }
    }
    return loss * scale;
}

double hand_logreg_grad(int n, int d, const double *w, double b, const double *X, const double *y,
                        double lambda, double *gw, double *gb)
{
    double loss = 0, db = 0;
    for (int j = 0; j < d; j++)
        gw[j] = 0;
    for (int i = 0; i < n; i++) {
        const double *xi = X + (size_t)i * d;
        double z = b;
        for (int j = 0; j < d; j++)
            z += w[j] * xi[j];
        double t = -y[i] * z;
        loss += (t > 0 ? t : 0) + log1p(exp(-fabs(t)));
        /* d/dt: sigmoid(t) */
        double s = t >= 0 ? 1 / (1 + exp(-t)) : exp(t) / (1 + exp(t));
        double dz = -y[i] * s / n;
        db += dz;
        for (int j = 0; j < d; j++)
            gw[j] += dz * xi[j];
    }
    double wsq = 0;
    for (int j = 0; j < d; j++) {
        wsq += w[j] * w[j];
        gw[j] += lambda * w[j];
    }
    *gb = db;
    return loss / n + 0.5 * lambda * wsq;
}
