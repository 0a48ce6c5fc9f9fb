/* Hand-written sparse Hessians and Jacobian: see hand_sparse.h. */
#include "hand_sparse.h"

#include <math.h>
#include <stdlib.h>

static void put(int *rows, int *cols, int k, int r, int c)
{
    if (rows && cols) {
        rows[k] = r;
        cols[k] = c;
    }
}

/* ---- chained Rosenbrock --------------------------------------------------
 * Term i (i < n-1): a = x[i+1] - x[i]^2, b = 1 - x[i]; 100 a^2 + b^2.
 * d/dx[i] = -400 a x[i] - 2 b, d/dx[i+1] = 200 a;
 * H[i][i] += 1200 x[i]^2 - 400 x[i+1] + 2, H[i+1][i+1] += 200,
 * H[i+1][i] = -400 x[i]. Row 0 holds (0, 0) at 0; row i >= 1 holds
 * (i, i-1) at 2i-1 and (i, i) at 2i. */
int hand_rosen_chain_nnz(int n)
{
    return n > 0 ? 2 * n - 1 : 0;
}

double hand_rosen_chain_hess_sparse(int n, const double *x, double *g, int *rows, int *cols,
                                    double *vals)
{
    double f = 0, ga = 0, ha = 0;   /* from term i-1: x[i]'s gradient and H[i][i] parts */
    for (int i = 0; i < n; i++) {
        double gi = ga, hii = ha;
        ga = 0;
        ha = 0;
        if (i < n - 1) {
            double xi = x[i], a = x[i + 1] - xi * xi, b = 1 - xi;
            f += 100 * a * a + b * b;
            gi += -400 * a * xi - 2 * b;
            hii += 1200 * xi * xi - 400 * x[i + 1] + 2;
            ga = 200 * a;
            ha = 200;
            if (vals)
                vals[2 * i + 1] = -400 * xi;
            put(rows, cols, 2 * i + 1, i + 1, i);
        }
        if (g)
            g[i] = gi;
        if (vals)
            vals[2 * i] = hii;
        put(rows, cols, 2 * i, i, i);
    }
    return f;
}

/* ---- the grid membrane ---------------------------------------------------
 * Point p = i s + j. Edge (p, q), d = u_q - u_p, t = 1 + d^2:
 * phi = sqrt(t), phi' = d / sqrt(t), phi'' = 1 / (t sqrt(t)); it adds
 * -phi' to g_p, phi' to g_q, phi'' to H_pp and H_qq, -phi'' to H_qp.
 * Row p holds (p, p-s) if i > 0, (p, p-1) if j > 0, then (p, p), so the
 * pass over p in order writes every entry once: the right edge's terms are
 * carried to p+1 in scalars, the lower edge's to p+s in a row buffer. */
int hand_grid_nnz(int s)
{
    return s > 0 ? s * s + 2 * s * (s - 1) : 0;
}

double hand_grid_hess_sparse(int s, const double *u, double lam, double *g, int *rows, int *cols,
                             double *vals)
{
    double *down = malloc(2 * (size_t)(s > 0 ? s : 1) * sizeof *down);  /* phi', phi'' of p-s's lower edge */
    if (!down)
        return NAN;
    double f = 0;
    int k = 0;
    for (int i = 0; i < s; i++) {
        double lg = 0, lh = 0;          /* the left edge's phi', phi'' */
        for (int j = 0; j < s; j++) {
            int p = i * s + j;
            double up = u[p], e = lam * exp(up);
            double gp = e, hp = e;
            f += e;
            if (i > 0) {
                double ug = down[2 * j], uh = down[2 * j + 1];
                gp += ug;
                hp += uh;
                if (vals)
                    vals[k] = -uh;
                put(rows, cols, k++, p, p - s);
            }
            if (j > 0) {
                gp += lg;
                hp += lh;
                if (vals)
                    vals[k] = -lh;
                put(rows, cols, k++, p, p - 1);
            }
            if (j < s - 1) {
                double d = u[p + 1] - up, t = 1 + d * d, r = sqrt(t);
                f += r;
                lg = d / r;
                lh = 1 / (t * r);
                gp -= lg;
                hp += lh;
            }
            if (i < s - 1) {
                double d = u[p + s] - up, t = 1 + d * d, r = sqrt(t);
                f += r;
                down[2 * j] = d / r;
                down[2 * j + 1] = 1 / (t * r);
                gp -= down[2 * j];
                hp += down[2 * j + 1];
            }
            if (g)
                g[p] = gp;
            if (vals)
                vals[k] = hp;
            put(rows, cols, k++, p, p);
        }
    }
    free(down);
    return f;
}

/* ---- ARWHEAD --------------------------------------------------------------
 * Term i >= 1: q = x[i]^2 + x[0]^2; q^2 - 4 x[i] + 3.
 * d/dx[i] = 4 q x[i] - 4, d/dx[0] += 4 q x[0];
 * H[i][i] = 4 q + 8 x[i]^2, H[i][0] = 8 x[i] x[0], H[0][0] += 4 q + 8 x[0]^2.
 * Row 0 holds (0, 0) at 0; row i >= 1 holds (i, 0) at 2i-1, (i, i) at 2i. */
int hand_arrow_nnz(int n)
{
    return n > 0 ? 2 * n - 1 : 0;
}

double hand_arrow_hess_sparse(int n, const double *x, double *g, int *rows, int *cols, double *vals)
{
    if (n <= 0)
        return 0;
    double x0 = x[0], x02 = x0 * x0, f = 0, g0 = 0, h00 = 0;
    for (int i = 1; i < n; i++) {
        double xi = x[i], xi2 = xi * xi, q = xi2 + x02;
        f += q * q - 4 * xi + 3;
        g0 += 4 * q * x0;
        h00 += 4 * q + 8 * x02;
        if (g)
            g[i] = 4 * q * xi - 4;
        if (vals) {
            vals[2 * i - 1] = 8 * xi * x0;
            vals[2 * i] = 4 * q + 8 * xi2;
        }
        put(rows, cols, 2 * i - 1, i, 0);
        put(rows, cols, 2 * i, i, i);
    }
    if (g)
        g[0] = g0;
    if (vals)
        vals[0] = h00;
    put(rows, cols, 0, 0, 0);
    return f;
}

/* ---- Bratu ------------------------------------------------------------------
 * Row i holds (i, i-1) = 1 if i > 0, (i, i) = -2 + h^2 lam exp(x[i]),
 * (i, i+1) = 1 if i < n-1, from index 3i - 1 (0 for row 0). */
int hand_bratu_nnz(int n)
{
    return n > 0 ? 3 * n - 2 : 0;
}

void hand_bratu_jac_sparse(int n, const double *x, double lam, double *r, int *rows, int *cols,
                           double *vals)
{
    double h = 1.0 / (n + 1), c = h * h * lam;
    int k = 0;
    for (int i = 0; i < n; i++) {
        double e = c * exp(x[i]), ri = -2 * x[i] + e;
        if (i > 0) {
            ri += x[i - 1];
            if (vals)
                vals[k] = 1;
            put(rows, cols, k++, i, i - 1);
        }
        if (vals)
            vals[k] = -2 + e;
        put(rows, cols, k++, i, i);
        if (i < n - 1) {
            ri += x[i + 1];
            if (vals)
                vals[k] = 1;
            put(rows, cols, k++, i, i + 1);
        }
        r[i] = ri;
    }
}
