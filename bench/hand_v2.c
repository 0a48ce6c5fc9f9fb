/* Hand-written gradients of the v2 samples, written from the formulas the
 * way a careful C programmer writes a gradient: value and gradient in one
 * fused pass where the math allows (conv1d, cloth, bundle adjustment), and
 * otherwise only the memory the reverse sweep needs (the RNN's states, the
 * LU factors). The forward arithmetic follows the .fn functions, so the
 * values agree with gradc's to rounding. */
#include "hand_v2.h"

#include <math.h>
#include <string.h>

/* RNN. The work array keeps the states H[0..T] and the read-out residuals
 * r[t] = (p_t - y_t) / T, then the adjoints of the state flowing back into
 * this step and out of it (h each). */
size_t hand_rnn_work(int h, int m, int T)
{
    (void)m;
    return (size_t)(T + 1) * h + (size_t)T + (size_t)2 * h;
}

double hand_rnn_grad(int h, int m, int T, const double *Wx, const double *Wh, const double *b,
                     const double *wy, const double *X, const double *y, double *gWx, double *gWh,
                     double *gb, double *gwy, double *work)
{
    double *H = work, *r = H + (size_t)(T + 1) * h, *dh = r + T, *dn = dh + h;
    for (int i = 0; i < h; i++)
        H[i] = 0;
    double loss = 0;
    for (int t = 0; t < T; t++) {
        const double *x = X + (size_t)t * m, *hp = H + (size_t)t * h;
        double *hn = H + (size_t)(t + 1) * h;
        double p = 0;
        for (int i = 0; i < h; i++) {
            const double *Wxi = Wx + (size_t)i * m, *Whi = Wh + (size_t)i * h;
            double a = b[i];
            for (int j = 0; j < m; j++)
                a += Wxi[j] * x[j];
            for (int j = 0; j < h; j++)
                a += Whi[j] * hp[j];
            hn[i] = tanh(a);
        }
        for (int i = 0; i < h; i++)
            p += wy[i] * hn[i];
        double e = p - y[t];
        loss += e * e;
        r[t] = e / T;                       /* d(0.5 loss / T) / dp_t */
    }

    memset(gWx, 0, sizeof *gWx * (size_t)h * (size_t)m);
    memset(gWh, 0, sizeof *gWh * (size_t)h * (size_t)h);
    memset(gb, 0, sizeof *gb * (size_t)h);
    memset(gwy, 0, sizeof *gwy * (size_t)h);
    memset(dh, 0, sizeof *dh * (size_t)h);
    for (int t = T - 1; t >= 0; t--) {
        const double *x = X + (size_t)t * m, *hp = H + (size_t)t * h, *hn = hp + h;
        double rt = r[t];
        memset(dn, 0, sizeof *dn * (size_t)h);
        for (int i = 0; i < h; i++) {
            const double *Whi = Wh + (size_t)i * h;
            double *gWxi = gWx + (size_t)i * m, *gWhi = gWh + (size_t)i * h;
            gwy[i] += rt * hn[i];
            double da = (dh[i] + rt * wy[i]) * (1 - hn[i] * hn[i]);
            gb[i] += da;
            for (int j = 0; j < m; j++)
                gWxi[j] += da * x[j];
            /* Wh's adjoint and the state's for step t - 1 (Wh^T da) in
             * one pass over the row */
            for (int j = 0; j < h; j++) {
                gWhi[j] += da * hp[j];
                dn[j] += Whi[j] * da;
            }
        }
        double *sw = dh;
        dh = dn;
        dn = sw;
    }
    return 0.5 * loss / T;
}

double hand_conv1d_grad(int C, int F, int K, int n, const double *W, const double *b,
                        const double *x, const double *Y, double *gW, double *gb)
{
    /* each output's adjoint (y - Y)(1 - y^2) is known as soon as y is:
     * one pass, no memory */
    int nt = n - K + 1;
    size_t fw = (size_t)C * K;
    memset(gW, 0, sizeof *gW * (size_t)F * fw);
    double s = 0;
    for (int f = 0; f < F; f++) {
        const double *Wf = W + f * fw;
        double *gWf = gW + f * fw, gbf = 0;
        for (int t = 0; t < nt; t++) {
            double a = b[f];
            for (int c = 0; c < C; c++) {
                const double *xc = x + (size_t)c * n + t, *Wfc = Wf + (size_t)c * K;
                for (int k = 0; k < K; k++)
                    a += Wfc[k] * xc[k];
            }
            double yv = tanh(a), e = yv - Y[(size_t)f * nt + t];
            s += e * e;
            double da = e * (1 - yv * yv);
            gbf += da;
            for (int c = 0; c < C; c++) {
                const double *xc = x + (size_t)c * n + t;
                double *gWfc = gWf + (size_t)c * K;
                for (int k = 0; k < K; k++)
                    gWfc[k] += da * xc[k];
            }
        }
        gb[f] = gbf;
    }
    return 0.5 * s;
}

double hand_cloth_grad(int nv, int ne, const int *E, const double *L, const double *X, double k,
                       double g, double *gX)
{
    /* a spring pulls its two ends along their difference with the force
     * k (len - L) / len; gravity adds g to every height */
    for (int v = 0; v < nv; v++) {
        gX[3 * v] = 0;
        gX[3 * v + 1] = 0;
        gX[3 * v + 2] = g;
    }
    double e = 0;
    for (int s = 0; s < ne; s++) {
        int a = E[2 * s], bb = E[2 * s + 1];
        double d[3], d2 = 0;
        for (int c = 0; c < 3; c++) {
            d[c] = X[3 * a + c] - X[3 * bb + c];
            d2 += d[c] * d[c];
        }
        double len = sqrt(d2), ext = len - L[s];
        e += 0.5 * k * ext * ext;
        double coef = k * ext / len;
        for (int c = 0; c < 3; c++) {
            gX[3 * a + c] += coef * d[c];
            gX[3 * bb + c] -= coef * d[c];
        }
    }
    for (int v = 0; v < nv; v++)
        e += g * X[3 * v + 2];
    return e;
}

/* LU: the factors (n^2) and the row permutation (n, as doubles) */
size_t hand_lu_logdet_work(int n)
{
    return (size_t)n * n + (size_t)n;
}

double hand_lu_logdet_grad(int n, const double *A, double *gA, double *work)
{
    double *M = work, *perm = M + (size_t)n * n;
    memcpy(M, A, sizeof *M * (size_t)n * (size_t)n);
    for (int i = 0; i < n; i++)
        perm[i] = i;
    /* P A = L U, L's multipliers stored below the diagonal; the pivot is
     * chosen as the .fn chooses it (the first largest) and whole rows are
     * swapped, multipliers with them, as LAPACK does */
    double ld = 0;
    for (int k = 0; k < n; k++) {
        int p = k;
        for (int i = k + 1; i < n; i++)
            if (fabs(M[(size_t)i * n + k]) > fabs(M[(size_t)p * n + k]))
                p = i;
        if (p != k) {
            for (int j = 0; j < n; j++) {
                double t = M[(size_t)k * n + j];
                M[(size_t)k * n + j] = M[(size_t)p * n + j];
                M[(size_t)p * n + j] = t;
            }
            double t = perm[k];
            perm[k] = perm[p];
            perm[p] = t;
        }
        const double *Mk = M + (size_t)k * n;
        ld += log(fabs(Mk[k]));
        for (int i = k + 1; i < n; i++) {
            double *Mi = M + (size_t)i * n;
            double l = Mi[k] / Mk[k];
            Mi[k] = l;
            for (int j = k + 1; j < n; j++)
                Mi[j] -= l * Mk[j];
        }
    }
    /* d log|det A| / dA = inv(A)^T = P^T L^-T U^-T, built row by row with
     * axpys along rows (they run at the machine's throughput, where
     * column-wise solves are chains of dependent adds): V = U^-T, lower
     * triangular, by forward substitution; then L^T W = V by back
     * substitution; row i of W is row perm[i] of the gradient, and is
     * kept there from the start. */
#define ROW(i) (gA + (size_t)(int)perm[i] * n)
    for (int i = 0; i < n; i++) {
        double *Vi = ROW(i);
        memset(Vi, 0, sizeof *Vi * (size_t)n);
        Vi[i] = 1;
        for (int k = 0; k < i; k++) {
            const double *Vk = ROW(k);
            double u = M[(size_t)k * n + i];
            for (int j = 0; j <= k; j++)
                Vi[j] -= u * Vk[j];
        }
        double inv = 1 / M[(size_t)i * n + i];
        for (int j = 0; j <= i; j++)
            Vi[j] *= inv;
    }
    for (int i = n - 2; i >= 0; i--) {
        double *Wi = ROW(i);
        for (int k = i + 1; k < n; k++) {
            const double *Wk = ROW(k);
            double l = M[(size_t)k * n + i];
            for (int j = 0; j < n; j++)
                Wi[j] -= l * Wk[j];
        }
    }
#undef ROW
    return ld;
}

/* One observation's projection and its adjoint: adds the gradient of
 * |uv - ob|^2 in the camera (gc[7]) and the point (gp[3]); returns the
 * squared error. The forward part is project() of bundle.fn. */
static double ba_term(const double *cm, const double *X, const double *ob, double *gc, double *gp)
{
    double r0 = cm[0], r1 = cm[1], r2 = cm[2], f = cm[6];
    double x = X[0], y = X[1], z = X[2];
    double th2 = r0 * r0 + r1 * r1 + r2 * r2;
    double px, py, pz, th = 0, k0 = 0, k1 = 0, k2 = 0, c = 0, s = 0, kp = 0;
    int rot = th2 > 1e-16;
    if (rot) {
        th = sqrt(th2);
        k0 = r0 / th;
        k1 = r1 / th;
        k2 = r2 / th;
        c = cos(th);
        s = sin(th);
        kp = k0 * x + k1 * y + k2 * z;
        px = x * c + (k1 * z - k2 * y) * s + k0 * kp * (1 - c);
        py = y * c + (k2 * x - k0 * z) * s + k1 * kp * (1 - c);
        pz = z * c + (k0 * y - k1 * x) * s + k2 * kp * (1 - c);
    } else {
        px = x + r1 * z - r2 * y;
        py = y + r2 * x - r0 * z;
        pz = z + r0 * y - r1 * x;
    }
    double q = 1 / (pz + cm[5]);
    double u0 = f * (px + cm[3]) * q, u1 = f * (py + cm[4]) * q;
    double e0 = u0 - ob[0], e1 = u1 - ob[1];

    /* the projection's adjoint */
    double du0 = 2 * e0, du1 = 2 * e1;
    double dpx = du0 * f * q, dpy = du1 * f * q, dpz = -(du0 * u0 + du1 * u1) * q;
    gc[3] += dpx;
    gc[4] += dpy;
    gc[5] += dpz;
    gc[6] += (du0 * (px + cm[3]) + du1 * (py + cm[4])) * q;
    /* the rotation's: p = R(r) X */
    if (rot) {
        /* dX = R^T dp = c dp + s (dp x k) + (1 - c) k (k . dp) */
        double kdp = k0 * dpx + k1 * dpy + k2 * dpz;
        gp[0] += c * dpx + s * (dpy * k2 - dpz * k1) + (1 - c) * k0 * kdp;
        gp[1] += c * dpy + s * (dpz * k0 - dpx * k2) + (1 - c) * k1 * kdp;
        gp[2] += c * dpz + s * (dpx * k1 - dpy * k0) + (1 - c) * k2 * kdp;
        /* through k: s (X x dp) + (1 - c) (kp dp + (k . dp) X) */
        double dk0 = s * (y * dpz - z * dpy) + (1 - c) * (kp * dpx + kdp * x);
        double dk1 = s * (z * dpx - x * dpz) + (1 - c) * (kp * dpy + kdp * y);
        double dk2 = s * (x * dpy - y * dpx) + (1 - c) * (kp * dpz + kdp * z);
        /* through th: dp . (-s X + c (k x X) + s kp k) */
        double dth = -s * (dpx * x + dpy * y + dpz * z)
                     + c * (dpx * (k1 * z - k2 * y) + dpy * (k2 * x - k0 * z) + dpz * (k0 * y - k1 * x))
                     + s * kp * kdp;
        /* k = r / th, th = |r| */
        dth -= (dk0 * k0 + dk1 * k1 + dk2 * k2) / th;
        gc[0] += dk0 / th + k0 * dth;
        gc[1] += dk1 / th + k1 * dth;
        gc[2] += dk2 / th + k2 * dth;
    } else {
        /* p = X + r x X: dX = dp + dp x r, dr = X x dp */
        gp[0] += dpx + (dpy * r2 - dpz * r1);
        gp[1] += dpy + (dpz * r0 - dpx * r2);
        gp[2] += dpz + (dpx * r1 - dpy * r0);
        gc[0] += y * dpz - z * dpy;
        gc[1] += z * dpx - x * dpz;
        gc[2] += x * dpy - y * dpx;
    }
    return e0 * e0 + e1 * e1;
}

double hand_ba_grad(int nc, int np, int nobs, const int *cam, const int *pt, const double *C,
                    const double *P, const double *obs, double *gC, double *gP)
{
    memset(gC, 0, sizeof *gC * (size_t)nc * 7);
    memset(gP, 0, sizeof *gP * (size_t)np * 3);
    double s = 0;
    for (int o = 0; o < nobs; o++)
        s += ba_term(C + (size_t)cam[o] * 7, P + (size_t)pt[o] * 3, obs + (size_t)o * 2,
                     gC + (size_t)cam[o] * 7, gP + (size_t)pt[o] * 3);
    return s;
}
