/* Names that are C and C++ keywords, C library names and macros, or look
 * like gradc's own: the generated code compiles (this file includes the
 * headers that define the macros before the generated header) and its
 * gradients agree with central finite differences. */
#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "names.h"
#include "check.h"

CHECK_WRAP6(n_brief)
CHECK_WRAP6(n_swapped)
CHECK_WRAP6(n_generated)
CHECK_WRAP2(n_callee)
CHECK_WRAP3(n_calls)
CHECK_WRAP6(n_ckeywords)
CHECK_WRAP6(n_cxx)
CHECK_WRAP6(n_macros)

static const double pts6[][6] = {
    {0.5, 1.0, -0.7, 1.3, 0.2, -0.4},
    {-1.2, 0.7, 0.3, -0.9, 1.1, 0.6},
    {0.9, -0.6, 1.4, 0.25, -0.8, 1.2},
};

static void test_c_names(void **state)
{
    (void)state;
    check_fd(n_brief, pts6);
    check_fd(n_swapped, pts6);
    check_fd(n_ckeywords, pts6);
    check_fd(n_macros, pts6);
}

static void test_generated_names(void **state)
{
    static const double pts2[][2] = {{0.5, 1.0}, {-1.2, 0.7}, {0.9, -0.6}};
    static const double pts3[][3] = {{0.5, 1.0, -0.7}, {-1.2, 0.7, 0.3}, {0.9, -0.6, 1.4}};
    (void)state;
    check_fd(n_generated, pts6);
    check_fd(n_callee, pts2);
    check_fd(n_calls, pts3);
}

static void test_cxx_names(void **state)
{
    (void)state;
    check_fd(n_cxx, pts6);
}

/* The brief's function by hand at one point:
 * y0 = d c, m = N + e x, M = y0 m + g x, E = sin M, t0 = E + d,
 * d_x = t0 g, x_bar = d_x - x, t1 = x_bar t0, f = t1 + t0 c. */
static void test_brief_by_hand(void **state)
{
    double d = 0.5, c = 1.0, N = -0.7, e = 1.3, x = 0.2, gx = -0.4;
    double y0 = d * c, m = N + e * x, M = y0 * m + gx * x, E = sin(M), t0 = E + d;
    double dx = t0 * gx, xb = dx - x, t1 = xb * t0;
    double g[6];
    (void)state;
    assert_close(n_brief_grad(d, c, N, e, x, gx, &g[0], &g[1], &g[2], &g[3], &g[4], &g[5]),
                 t1 + t0 * c, 1e-15, 0);
    /* df/dt0 = x_bar + t0 g + c; df/dx = -t0 + df/dt0 cos(M) (e + g) */
    double ft0 = xb + t0 * gx + c;
    assert_close(g[4], -t0 + ft0 * cos(M) * (y0 * e + gx), 1e-14, 1e-15);
    assert_close(g[1], t0 + ft0 * cos(M) * d * m, 1e-14, 1e-15);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_c_names),
        cmocka_unit_test(test_generated_names),
        cmocka_unit_test(test_cxx_names),
        cmocka_unit_test(test_brief_by_hand),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
