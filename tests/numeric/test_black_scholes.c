/* samples/black_scholes.fn: the textbook price, the Greeks against their
 * closed forms (delta = N(d1), vega = S phi(d1) sqrt(T), ...), put-call
 * parity, and central finite differences. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "black_scholes.h"
#include "check.h"

CHECK_WRAP1(norm_cdf)
CHECK_WRAP5(bs_d1)
CHECK_WRAP5(bs_call)
CHECK_WRAP5(bs_put)

static const double PI = 3.14159265358979323846;

static double ncdf(double z) { return 0.5 * erfc(-z / sqrt(2.0)); }
static double npdf(double z) { return exp(-z * z / 2) / sqrt(2 * PI); }

/* S, K, r, sigma, T: at the money, in and out of the money, short and long */
static const double pts[][5] = {
    {100.0, 100.0, 0.05, 0.2, 1.0},
    {120.0, 100.0, 0.01, 0.35, 0.25},
    {80.0, 100.0, 0.03, 0.15, 2.0},
    {50.0, 45.0, -0.005, 0.6, 0.5},
};

static void test_textbook_value(void **state)
{
    (void)state;
    /* Hull's example: S = K = 100, r = 5%, sigma = 20%, one year */
    assert_close(bs_call(100, 100, 0.05, 0.2, 1), 10.450583572185565, 1e-12, 0);
    assert_close(bs_put(100, 100, 0.05, 0.2, 1), 5.573526022256971, 1e-12, 0);
}

static void test_greeks(void **state)
{
    (void)state;
    for (size_t p = 0; p < sizeof pts / sizeof pts[0]; p++) {
        double S = pts[p][0], K = pts[p][1], r = pts[p][2], s = pts[p][3], T = pts[p][4];
        double d1 = (log(S / K) + (r + s * s / 2) * T) / (s * sqrt(T)), d2 = d1 - s * sqrt(T);
        double g[5], h[5];
        double c = bs_call_grad(S, K, r, s, T, &g[0], &g[1], &g[2], &g[3], &g[4]);
        double q = bs_put_grad(S, K, r, s, T, &h[0], &h[1], &h[2], &h[3], &h[4]);
        assert_close(c, S * ncdf(d1) - K * exp(-r * T) * ncdf(d2), 1e-12, 1e-13);
        assert_close(g[0], ncdf(d1), 1e-12, 1e-14);                        /* delta */
        assert_close(g[1], -exp(-r * T) * ncdf(d2), 1e-12, 1e-14);         /* dC/dK */
        assert_close(g[2], K * T * exp(-r * T) * ncdf(d2), 1e-12, 1e-13);  /* rho */
        assert_close(g[3], S * npdf(d1) * sqrt(T), 1e-12, 1e-13);          /* vega */
        assert_close(g[4], S * npdf(d1) * s / (2 * sqrt(T))                /* -theta */
                               + r * K * exp(-r * T) * ncdf(d2), 1e-12, 1e-13);
        /* the put: delta N(d1) - 1, the same vega; parity C - P = S - K e^{-rT} */
        assert_close(h[0], ncdf(d1) - 1, 1e-12, 1e-14);
        assert_close(h[3], g[3], 1e-12, 1e-13);
        assert_close(c - q, S - K * exp(-r * T), 1e-12, 1e-12);
    }
}

static void test_fd(void **state)
{
    static const double zs[][1] = {{-2.5}, {-0.3}, {0.0}, {0.8}, {3.0}};
    (void)state;
    check_fd(norm_cdf, zs);
    check_fd(bs_d1, pts);
    check_fd(bs_call, pts);
    check_fd(bs_put, pts);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_textbook_value),
        cmocka_unit_test(test_greeks),
        cmocka_unit_test(test_fd),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
