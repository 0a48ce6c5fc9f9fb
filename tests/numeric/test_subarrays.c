/* tests/numeric/subarrays.fn: sub-array arguments (LANGUAGE.md v2 section
 * 3) against C written directly, value by value: rows passed as inputs,
 * rows written through 'out' parameters, rows of int and const arrays; and
 * the gradient of a function of rows against its closed form, so that the
 * gradient of f(A[i]) is seen to land in row i of g_A. Finite differences
 * of every function, in every routine, are numeric.fwd.subarrays*. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "subarrays.h"
#include "check_array.h"

static void assert_near(double got, double want)
{
    if (fabs(got - want) > 1e-12 * (1 + fabs(want))) {
        print_error("got %.17g, expected %.17g\n", got, want);
        fail();
    }
}

static double c_dot(int n, const double *a, const double *b)
{
    double s = 0;
    for (int i = 0; i < n; i++)
        s += a[i] * b[i];
    return s;
}

/* x^T A x and its gradient: g_A[i][j] = x_i x_j, g_x = (A + A^T) x */
static void test_rows_in(void **state)
{
    (void)state;
    enum { N = 4 };
    check_rng r = {11};
    for (int pt = 0; pt < 5; pt++) {
        double A[N * N], x[N], gA[N * N], gx[N];
        check_fill_uniform(&r, A, N * N, -1, 1);
        check_fill_uniform(&r, x, N, -1, 1);
        check_fill_garbage(gA, N * N);
        check_fill_garbage(gx, N);
        double want = 0;
        for (int i = 0; i < N; i++)
            want += x[i] * c_dot(N, &A[i * N], x);
        assert_near(rows_in(N, A, x), want);
        assert_near(rows_in_grad(N, A, x, gA, gx), want);
        for (int i = 0; i < N; i++) {
            double gi = 0;
            for (int j = 0; j < N; j++) {
                assert_near(gA[i * N + j], x[i] * x[j]);
                gi += (A[i * N + j] + A[j * N + i]) * x[j];
            }
            assert_near(gx[i], gi);
        }
    }
}

static void test_rows_3d(void **state)
{
    (void)state;
    enum { A = 3, B = 2, C = 4 };
    check_rng r = {12};
    double T[A * B * C], w[C];
    check_fill_uniform(&r, T, A * B * C, -1, 1);
    check_fill_uniform(&r, w, C, -1, 1);
    double want = 0;
    for (int i = 0; i < A; i++) {
        want += sin(c_dot(C, &T[(i * B + B - 1) * C], w));
        for (int j = 0; j < B; j++)
            want += c_dot(C, &T[(i * B + j) * C], &T[((A - 1 - i) * B + j) * C]) / (1 + j);
    }
    assert_near(rows_3d(A, B, C, T, w), want);
}

/* H[t+1] = tanh(W H[t]), sum_t (t+1) |H[t]|^2 */
static void test_recurrence(void **state)
{
    (void)state;
    enum { N = 3, T = 5 };
    check_rng r = {13};
    double W[N * N], h[N], next[N];
    check_fill_uniform(&r, W, N * N, -1, 1);
    check_fill_uniform(&r, h, N, -1, 1);
    double want = c_dot(N, h, h), got = recurrence(N, T, W, h);
    for (int t = 1; t <= T; t++) {
        for (int i = 0; i < N; i++)
            next[i] = tanh(c_dot(N, &W[i * N], h));
        for (int i = 0; i < N; i++)
            h[i] = next[i];
        want += (t + 1) * c_dot(N, h, h);
    }
    assert_near(got, want);
}

static void c_axpy(int n, double c, const double *x, double *y)
{
    for (int i = 0; i < n; i++)
        y[i] = c * x[i] + exp(-x[i] * x[i]);
}

static void test_rewrite(void **state)
{
    (void)state;
    enum { N = 3 };
    double x[N] = {0.3, -0.2, 0.5}, c = 0.7, Y0[N], Y1[N];
    c_axpy(N, c, x, Y1);
    double u = c_dot(N, Y1, x);
    c_axpy(N, u, Y1, Y0);
    c_axpy(N, c * c, x, Y1);
    assert_near(rewrite(N, x, c), u * c_dot(N, Y0, Y1));
}

/* rows of the caller's own outputs: every element written, the rest zero */
static void test_out_rows(void **state)
{
    (void)state;
    enum { M = 3, N = 2 };
    check_rng r = {14};
    double A[M * N], B[N * N], v[N], Y[M * N], Z[2 * M * N], wantY[M * N], wantZ[2 * M * N] = {0};
    check_fill_uniform(&r, A, M * N, -1, 1);
    check_fill_uniform(&r, B, N * N, -1, 1);
    check_fill_uniform(&r, v, N, -1, 1);
    check_fill_garbage(Y, M * N);
    check_fill_garbage(Z, 2 * M * N);
    for (int i = 0; i < M; i++)
        c_axpy(N, v[i % N], &A[i * N], &wantY[i * N]);
    for (int i = 0; i < N; i++)                  /* mat_vec(n, n, B, v, Z[0][1]) */
        wantZ[1 * N + i] = c_dot(N, &B[i * N], v);
    for (int i = 0; i < M; i++)
        c_axpy(N, wantY[i * N], v, &wantZ[(M + i) * N]);
    out_rows(M, N, A, B, v, Y, Z);
    for (int k = 0; k < M * N; k++)
        assert_near(Y[k], wantY[k]);
    for (int k = 0; k < 2 * M * N; k++)
        assert_near(Z[k], wantZ[k]);
}

static void test_int_rows(void **state)
{
    (void)state;
    enum { M = 2, N = 3 };
    int E[M * N] = {2, 0, 2, 1, 1, 0};
    double x[N] = {0.5, -1.5, 2}, D[M * N] = {1, 2, 3, -1, 0.5, 0.25}, want = 0;
    for (int i = 0; i < M; i++) {
        double g = 0;
        for (int k = 0; k < N; k++)
            g += x[E[i * N + k]] * x[E[i * N + k]];
        want += g * c_dot(N, &D[i * N], x);
    }
    assert_near(int_rows(M, N, E, x, D), want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows_in),    cmocka_unit_test(test_rows_3d),
        cmocka_unit_test(test_recurrence), cmocka_unit_test(test_rewrite),
        cmocka_unit_test(test_out_rows),   cmocka_unit_test(test_int_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
