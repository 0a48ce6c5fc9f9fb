/* The seed example of samples/seed.fn, f(x0, x1) = (2 x0 + 5 x1) (3 x0 x1):
 * exactly f = 54 and grad = (39, 84) at (2, 1), and central finite
 * differences elsewhere. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "seed.h"
#include "check.h"

CHECK_WRAP2(f)

static void test_seed_exact(void **state)
{
    double g0 = NAN, g1 = NAN;
    (void)state;
    assert_same(f(2.0, 1.0), 54.0);
    assert_same(f_grad(2.0, 1.0, &g0, &g1), 54.0);
    assert_same(g0, 39.0);
    assert_same(g1, 84.0);
}

static void test_seed_fd(void **state)
{
    static const double pts[][2] = {{2.0, 1.0}, {-1.5, 0.5}, {0.3, -2.0}, {-0.7, -0.2},
                                    {10.0, 3.0}};
    (void)state;
    check_fd(f, pts);
}

/* The closed form: df/dx0 = 12 x0 x1 + 15 x1^2, df/dx1 = 6 x0^2 + 30 x0 x1 */
static void test_seed_closed_form(void **state)
{
    static const double pts[][2] = {{-1.5, 0.5}, {0.3, -2.0}, {4.0, 7.0}};
    (void)state;
    for (size_t i = 0; i < sizeof pts / sizeof pts[0]; i++) {
        double a = pts[i][0], b = pts[i][1], g0, g1;
        f_grad(a, b, &g0, &g1);
        assert_close(g0, 12 * a * b + 15 * b * b, 1e-15, 0);
        assert_close(g1, 6 * a * a + 30 * a * b, 1e-15, 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_exact),
        cmocka_unit_test(test_seed_fd),
        cmocka_unit_test(test_seed_closed_form),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
