/* Hand-written gradients of the GradBench-style workloads (gradbench.fn),
 * written from the formulas, the way a careful C programmer writes a
 * gradient: value and gradient in one fused pass where the math allows,
 * and only the memory that the reverse sweep of a recurrence needs (its
 * trajectory, in the caller's work array). The arithmetic of the forward
 * parts follows the .fn functions, so the values agree to rounding. */
#include "hand_gb.h"

#include <math.h>
#include <string.h>

double hand_llsq_grad(int d, int n, const double *x, const double *y, double *g)
{
    /* d/dx_j 0.5 r_i^2 = -r_i t_i^j: the powers again, in a second pass
     * over j once the residual is known (recomputing them is cheaper than
     * storing d of them per point) */
    for (int j = 0; j < d; j++)
        g[j] = 0;
    double s = 0;
    for (int i = 0; i < n; i++) {
        double t = -1.0 + 2.0 * i / (n - 1);
        double p = 0, mul = 1;
        for (int j = 0; j < d; j++) {
            p += x[j] * mul;
            mul *= t;
        }
        double r = y[i] - p;
        s += r * r;
        mul = 1;
        for (int j = 0; j < d; j++) {
            g[j] -= r * mul;
            mul *= t;
        }
    }
    return 0.5 * s;
}

double hand_lse_grad(int n, const double *x, double *g)
{
    /* the gradient is the softmax: the exponentials go straight into g
     * and are scaled once their sum is known; the max cancels out */
    double mx = x[0];
    for (int i = 1; i < n; i++)
        mx = fmax(mx, x[i]);
    double s = 0;
    for (int i = 0; i < n; i++) {
        double e = exp(x[i] - mx);
        g[i] = e;
        s += e;
    }
    double inv = 1 / s;
    for (int i = 0; i < n; i++)
        g[i] *= inv;
    return log(s) + mx;
}

double hand_kmeans_grad(int k, int n, int d, const double *c, const double *p, double *g)
{
    /* each point pulls only on its nearest centroid (the first of equals,
     * as the .fn's `dist < best` chooses): 2 (c_j - p_i) */
    memset(g, 0, sizeof *g * (size_t)k * (size_t)d);
    double cost = 0;
    for (int i = 0; i < n; i++) {
        const double *pi = p + (size_t)i * d;
        double best = 0;
        int arg = 0;
        for (int j = 0; j < k; j++) {
            const double *cj = c + (size_t)j * d;
            double dist = 0;
            for (int l = 0; l < d; l++) {
                double e = pi[l] - cj[l];
                dist += e * e;
            }
            if (j == 0 || dist < best) {
                best = dist;
                arg = j;
            }
        }
        cost += best;
        double *gj = g + (size_t)arg * d;
        const double *cj = c + (size_t)arg * d;
        for (int l = 0; l < d; l++)
            gj[l] -= 2 * (pi[l] - cj[l]);
    }
    return cost;
}

/* ODE. The right-hand side f(y)_0 = x_0, f(y)_i = x_i y_{i-1} reads only
 * y_{i-1}, so the four RK4 stages of one step pipeline along i in a single
 * loop. The work array keeps, per step, the state and the three inner stage
 * points (the only values the reverse sweep needs), then the final state. */
size_t hand_ode_work(int n, int s)
{
    return ((size_t)4 * (size_t)s + 1) * (size_t)n;
}

double hand_ode_grad(int n, int s, const double *y0, const double *x, double *gy0, double *gx,
                     double *work)
{
    double h = 2.0 / s, hh = 0.5 * h, h6 = h / 6.0;
    size_t blk = (size_t)4 * n;
    memcpy(work, y0, sizeof *work * (size_t)n);
    for (int st = 0; st < s; st++) {
        const double *Y = work + blk * st;
        double *Z2 = work + blk * st + n, *Z3 = Z2 + n, *Z4 = Z3 + n, *Yn = Z4 + n;
        for (int i = 0; i < n; i++) {
            double k1 = i ? x[i] * Y[i - 1] : x[0];
            Z2[i] = Y[i] + hh * k1;
            double k2 = i ? x[i] * Z2[i - 1] : x[0];
            Z3[i] = Y[i] + hh * k2;
            double k3 = i ? x[i] * Z3[i - 1] : x[0];
            Z4[i] = Y[i] + h * k3;
            double k4 = i ? x[i] * Z4[i - 1] : x[0];
            Yn[i] = Y[i] + h6 * (k1 + 2 * k2 + 2 * k3 + k4);
        }
    }
    double value = work[blk * s + (size_t)n - 1];

    /* reverse: gy0 holds the adjoint of the state; per step the stage
     * adjoints at i follow from those at i + 1, carried in scalars */
    for (int i = 0; i < n; i++) {
        gy0[i] = 0;
        gx[i] = 0;
    }
    gy0[n - 1] = 1;
    for (int st = s - 1; st >= 0; st--) {
        const double *Y = work + blk * st, *Z2 = Y + n, *Z3 = Z2 + n, *Z4 = Z3 + n;
        double k1n = 0, k2n = 0, k3n = 0, k4n = 0;  /* stage adjoints at i + 1 */
        for (int i = n - 1; i >= 0; i--) {
            double xn = i + 1 < n ? x[i + 1] : 0.0;
            double yb = gy0[i], a = h6 * yb;
            double z4b = xn * k4n, k4b = a;
            double k3b = 2 * a + h * z4b, z3b = xn * k3n;
            double k2b = 2 * a + hh * z3b, z2b = xn * k2n;
            double k1b = a + hh * z2b, y1b = xn * k1n;
            gy0[i] = yb + z4b + z3b + z2b + y1b;
            if (i)
                gx[i] += k1b * Y[i - 1] + k2b * Z2[i - 1] + k3b * Z3[i - 1] + k4b * Z4[i - 1];
            else
                gx[0] += k1b + k2b + k3b + k4b;
            k1n = k1b;
            k2n = k2b;
            k3n = k3b;
            k4n = k4b;
        }
    }
    return value;
}

/* LSTM. Per step the work array keeps the four gate activations, the
 * cell, its tanh and the output (7h), then scratch for the reverse sweep:
 * the gate pre-activation adjoints (4h), and the adjoints of h and c
 * flowing back from the next step (2h). */
size_t hand_lstm_work(int h, int m, int T)
{
    (void)m;
    return (size_t)7 * h * (size_t)T + (size_t)6 * h;
}

static double sigm(double z)
{
    return 1 / (1 + exp(-z));
}

double hand_lstm_grad(int h, int m, int T, const double *W, const double *U, const double *b,
                      const double *X, const double *Y, double *gW, double *gU, double *gb,
                      double *work)
{
    int g = 4 * h;
    size_t blk = (size_t)7 * h;
    double loss = 0;
    for (int t = 0; t < T; t++) {
        double *B = work + blk * t;
        double *ig = B, *fg = B + h, *og = B + 2 * h, *cd = B + 3 * h, *c = B + 4 * h,
               *th = B + 5 * h, *hv = B + 6 * h;
        const double *hp = t ? hv - blk : NULL, *cp = t ? c - blk : NULL;
        const double *xt = X + (size_t)t * m;
        for (int j = 0; j < h; j++) {
            double z[4];
            for (int q = 0; q < 4; q++) {
                int r = q * h + j;
                double zr = b[r];
                for (int k = 0; k < m; k++)
                    zr += W[(size_t)r * m + k] * xt[k];
                if (hp)
                    for (int k = 0; k < h; k++)
                        zr += U[(size_t)r * h + k] * hp[k];
                z[q] = zr;
            }
            ig[j] = sigm(z[0]);
            fg[j] = sigm(z[1]);
            og[j] = sigm(z[2]);
            cd[j] = tanh(z[3]);
            c[j] = fg[j] * (cp ? cp[j] : 0.0) + ig[j] * cd[j];
            th[j] = tanh(c[j]);
            hv[j] = og[j] * th[j];
            double e = hv[j] - Y[(size_t)t * h + j];
            loss += e * e;
        }
    }

    memset(gW, 0, sizeof *gW * (size_t)g * (size_t)m);
    memset(gU, 0, sizeof *gU * (size_t)g * (size_t)h);
    memset(gb, 0, sizeof *gb * (size_t)g);
    double *dz = work + blk * T, *dh = dz + g, *dc = dh + h;
    for (int j = 0; j < h; j++)
        dh[j] = dc[j] = 0;
    for (int t = T - 1; t >= 0; t--) {
        const double *B = work + blk * t;
        const double *ig = B, *fg = B + h, *og = B + 2 * h, *cd = B + 3 * h, *th = B + 5 * h,
                     *hv = B + 6 * h;
        const double *hp = t ? hv - blk : NULL, *cp = t ? B + 4 * h - blk : NULL;
        const double *xt = X + (size_t)t * m;
        for (int j = 0; j < h; j++) {
            double dhj = 2 * (hv[j] - Y[(size_t)t * h + j]) + dh[j];
            double dcj = dhj * og[j] * (1 - th[j] * th[j]) + dc[j];
            dz[j] = dcj * cd[j] * ig[j] * (1 - ig[j]);
            dz[h + j] = dcj * (cp ? cp[j] : 0.0) * fg[j] * (1 - fg[j]);
            dz[2 * h + j] = dhj * th[j] * og[j] * (1 - og[j]);
            dz[3 * h + j] = dcj * ig[j] * (1 - cd[j] * cd[j]);
            dc[j] = dcj * fg[j];
            dh[j] = 0;
        }
        for (int r = 0; r < g; r++) {
            double dr = dz[r];
            gb[r] += dr;
            double *gw = gW + (size_t)r * m;
            for (int k = 0; k < m; k++)
                gw[k] += dr * xt[k];
            if (hp) {
                double *gu = gU + (size_t)r * h;
                const double *u = U + (size_t)r * h;
                for (int k = 0; k < h; k++) {
                    gu[k] += dr * hp[k];
                    dh[k] += dr * u[k];
                }
            }
        }
    }
    return loss;
}

/* Determinant by cofactor expansion along the first row, with the minors
 * copied out as gradbench.fn does. Fused: the adjoint seed of each minor's
 * determinant (seed * sign * A[0][j]) is known before it is expanded, so
 * one recursion computes the value and adds seed * d det / dA into G.
 * buf holds the minors and their adjoints, level by level. */
static double det_rec(int n, const double *A, double *G, double seed, double *buf)
{
    if (n == 2) {
        G[0] += seed * A[3];
        G[1] -= seed * A[2];
        G[2] -= seed * A[1];
        G[3] += seed * A[0];
        return A[0] * A[3] - A[1] * A[2];
    }
    int m = n - 1;
    double *M = buf, *GM = buf + m * m, *next = GM + m * m;
    double d = 0, sign = 1;
    for (int j = 0; j < n; j++) {
        for (int r = 1; r < n; r++)
            for (int c = 0; c < n; c++) {
                if (c < j)
                    M[(r - 1) * m + c] = A[r * n + c];
                else if (c > j)
                    M[(r - 1) * m + c - 1] = A[r * n + c];
            }
        memset(GM, 0, sizeof *GM * (size_t)(m * m));
        double coef = sign * A[j];
        double dm = det_rec(m, M, GM, seed * coef, next);
        d += coef * dm;
        G[j] += seed * sign * dm;
        for (int r = 1; r < n; r++)
            for (int c = 0; c < n; c++) {
                if (c < j)
                    G[r * n + c] += GM[(r - 1) * m + c];
                else if (c > j)
                    G[r * n + c] += GM[(r - 1) * m + c - 1];
            }
        sign = -sign;
    }
    return d;
}

double hand_det_grad(int n, const double *A, double *g)
{
    /* the minors of all levels: sum_{m < n} 2 m^2 < n^3 doubles */
    double buf[HAND_DET_MAX * HAND_DET_MAX * HAND_DET_MAX];
    memset(g, 0, sizeof *g * (size_t)(n * n));
    if (n < 2 || n > HAND_DET_MAX)
        return NAN;
    return det_rec(n, A, g, 1.0, buf);
}
