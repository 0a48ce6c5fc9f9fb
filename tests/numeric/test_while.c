/* while loops and break: derivatives of iterations that run a number of
 * times that depends on the inputs. The Newton iteration on Kepler's
 * equation and the fixed-point iteration are checked against the implicit
 * function theorem (first and second derivatives), an oracle that does not
 * look at the iterations at all; the other functions against central
 * finite differences. numeric.fwd.while checks jvp, vjp and hvp besides. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "while.h"
#include "check.h"

/* Kepler: E - e sin E = M. With D = 1 - e cos E:
 *   E_M = 1 / D,  E_e = sin E / D,
 * and, differentiating D E_M = 1 and D E_e = sin E once more, with
 * D_M = e sin E E_M, D_e = -cos E + e sin E E_e:
 *   E_MM = -D_M E_M / D,  E_Me = -D_e E_M / D,
 *   E_ee = (cos E E_e - D_e E_e) / D. */
static const double kepler_pts[][2] = {{0.5, 0.1}, {1.0, 0.5}, {2.5, 0.9}, {-1.0, 0.3},
                                       {3.0, 0.7}, {0.1, 0.95}, {-2.2, 0.0}, {6.0, 0.4}};

static void test_kepler_implicit(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof kepler_pts / sizeof kepler_pts[0]; k++) {
        double M = kepler_pts[k][0], e = kepler_pts[k][1];
        double gM, ge, df, hM, he, g2M, g2e;
        double E = kepler_grad(M, e, &gM, &ge);
        assert_same(E, kepler(M, e));
        assert_close(E - e * sin(E), M, 1e-14, 1e-14);
        double D = 1 - e * cos(E);
        double EM = 1 / D, Ee = sin(E) / D;
        assert_close(gM, EM, 1e-10, 1e-10);
        assert_close(ge, Ee, 1e-10, 1e-10);
        assert_close(kepler_jvp(M, e, 1, 0, &df), E, 0, 0);
        assert_close(df, EM, 1e-10, 1e-10);
        kepler_jvp(M, e, 0, 1, &df);
        assert_close(df, Ee, 1e-10, 1e-10);
        double DM = e * sin(E) * EM, De = -cos(E) + e * sin(E) * Ee;
        double EMM = -DM * EM / D, EMe = -De * EM / D, Eee = (cos(E) * Ee - De * Ee) / D;
        kepler_hvp(M, e, 1, 0, &g2M, &g2e, &hM, &he);
        assert_close(g2M, EM, 1e-10, 1e-10);
        assert_close(g2e, Ee, 1e-10, 1e-10);
        assert_close(hM, EMM, 1e-9, 1e-9);
        assert_close(he, EMe, 1e-9, 1e-9);
        kepler_hvp(M, e, 0, 1, &g2M, &g2e, &hM, &he);
        assert_close(hM, EMe, 1e-9, 1e-9);
        assert_close(he, Eee, 1e-9, 1e-9);
    }
}

/* x = cos(a x) / 2 + b: with F = x - cos(a x) / 2 - b,
 * x_a = -F_a / F_x = -(x sin(a x) / 2) / (1 + a sin(a x) / 2), x_b = 1 / F_x. */
static void test_fixed_point_implicit(void **state)
{
    static const double pts[][2] = {{0.5, 0.2}, {-0.8, 1.0}, {0.9, -0.7}, {0.0, 0.3}};
    (void)state;
    for (size_t k = 0; k < sizeof pts / sizeof pts[0]; k++) {
        double a = pts[k][0], b = pts[k][1], ga, gb, df;
        double x = fixed_point_grad(a, b, &ga, &gb);
        assert_close(x, cos(a * x) / 2 + b, 1e-12, 1e-12);
        double Fx = 1 + a * sin(a * x) / 2;
        assert_close(ga, -(x * sin(a * x) / 2) / Fx, 1e-10, 1e-10);
        assert_close(gb, 1 / Fx, 1e-10, 1e-10);
        fixed_point_jvp(a, b, 0.3, -0.6, &df);
        assert_close(df, 0.3 * ga - 0.6 * gb, 1e-12, 1e-12);
    }
}

static double series_1(const double *x)
{
    return series(x[0], 40);
}

static double series_g1(const double *x, double *g)
{
    return series_grad(x[0], 40, &g[0]);
}

static double halve_2(const double *x)
{
    return halve(x[0], x[1]);
}

static double halve_g2(const double *x, double *g)
{
    return halve_grad(x[0], x[1], &g[0], &g[1]);
}

static double nested_4(const double *x)
{
    return nested(4, x);
}

static double nested_g4(const double *x, double *g)
{
    return nested_grad(4, x, g);
}

/* series stops at the first term below 1e-6 of the sum: the count grows
 * with |x|; its value is x exp(x) to about that accuracy. */
static void test_series_break(void **state)
{
    static const double pts[] = {-2.0, -0.7, 0.01, 0.4, 1.3, 2.0};
    (void)state;
    for (size_t k = 0; k < sizeof pts / sizeof pts[0]; k++) {
        double x = pts[k], g;
        assert_close(series(x, 40), x * exp(x), 1e-5, 1e-7);
        check_gradient_at("series", series_1, series_g1, 1, &pts[k], __FILE__, __LINE__);
        series_grad(x, 40, &g);
        assert_close(g, (1 + x) * exp(x), 1e-5, 1e-6);
        /* a bound reached before the break: the n - 1 terms that ran */
        assert_close(series_grad(x, 3, &g), x * (1 + x + x * x / 2), 1e-15, 1e-15);
        assert_close(g, 1 + 2 * x + 1.5 * x * x, 1e-14, 1e-14);
    }
}

/* halve: no iteration at all (x^2 + y <= 1), a few, or left by break. */
static void test_halve(void **state)
{
    static const double pts[][2] = {{0.1, 0.5}, {0.3, -0.2}, {1.5, 0.8}, {-2.0, 1.2},
                                    {3.0, 1.4}, {-4.0, 0.9}, {6.0, 1.1}};
    (void)state;
    for (size_t k = 0; k < sizeof pts / sizeof pts[0]; k++)
        check_gradient_at("halve", halve_2, halve_g2, 2, pts[k], __FILE__, __LINE__);
    double gx, gy;
    assert_same(halve_grad(0.1, 0.5, &gx, &gy), 0.01 + 0.5);
    assert_same(gx, 0.2);
    assert_same(gy, 1.0);
}

static void test_nested(void **state)
{
    static const double pts[][4] = {{0.2, -0.5, 0.9, 0.1}, {-0.9, 0.8, 0.3, -0.4},
                                    {1.5, 2.0, -1.7, 0.6}, {0.05, 0.1, 0.15, 0.2}};
    (void)state;
    for (size_t k = 0; k < sizeof pts / sizeof pts[0]; k++)
        check_gradient_at("nested", nested_4, nested_g4, 4, pts[k], __FILE__, __LINE__);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kepler_implicit),
        cmocka_unit_test(test_fixed_point_implicit),
        cmocka_unit_test(test_series_break),
        cmocka_unit_test(test_halve),
        cmocka_unit_test(test_nested),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
