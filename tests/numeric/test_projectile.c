/* samples/projectile.fn: the closed forms from the ground (range
 * v^2 sin(2 theta) / g, best angle pi/4), energy conservation for the impact
 * speed, and central finite differences. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "projectile.h"
#include "check.h"

CHECK_WRAP4(flight_time)
CHECK_WRAP4(projectile_range)
CHECK_WRAP4(max_height)
CHECK_WRAP4(impact_speed)

static const double PI = 3.14159265358979323846;

/* v, theta, h, g; theta negative is a throw downwards from a height */
static const double pts[][4] = {
    {20.0, 0.7, 1.5, 9.81},
    {5.0, 1.2, 10.0, 1.62},
    {35.0, -0.3, 20.0, 9.81},
    {12.0, 0.2, 0.5, 3.71},
};

static void test_fd(void **state)
{
    (void)state;
    check_fd(flight_time, pts);
    check_fd(projectile_range, pts);
    check_fd(max_height, pts);
    check_fd(impact_speed, pts);
}

static void test_from_the_ground(void **state)
{
    double g[4];
    (void)state;
    /* range v^2 sin(2 theta) / g; d/dv = 2 v sin(2 theta) / g;
     * d/dtheta = 2 v^2 cos(2 theta) / g */
    double v = 20, th = 0.6, gr = 9.81;
    assert_close(projectile_range_grad(v, th, 0, gr, &g[0], &g[1], &g[2], &g[3]),
                 v * v * sin(2 * th) / gr, 1e-14, 0);
    assert_close(g[0], 2 * v * sin(2 * th) / gr, 1e-14, 0);
    assert_close(g[1], 2 * v * v * cos(2 * th) / gr, 1e-14, 0);
    assert_close(g[3], -v * v * sin(2 * th) / (gr * gr), 1e-14, 0);
    /* the best angle from the ground is pi/4 */
    projectile_range_grad(v, PI / 4, 0, gr, &g[0], &g[1], &g[2], &g[3]);
    assert_close(g[1], 0.0, 0, 1e-13);
    /* from a height it is lower: the range still grows below pi/4 ... */
    projectile_range_grad(v, 0.6, 10, gr, &g[0], &g[1], &g[2], &g[3]);
    assert_true(g[1] > 0);
    /* ... and already falls at pi/4 */
    projectile_range_grad(v, PI / 4, 10, gr, &g[0], &g[1], &g[2], &g[3]);
    assert_true(g[1] < 0);
}

/* impact speed = sqrt(v^2 + 2 g h): its gradient in theta is 0 */
static void test_energy(void **state)
{
    (void)state;
    for (size_t p = 0; p < sizeof pts / sizeof pts[0]; p++) {
        double v = pts[p][0], th = pts[p][1], h = pts[p][2], gr = pts[p][3], g[4];
        double s = sqrt(v * v + 2 * gr * h);
        assert_close(impact_speed_grad(v, th, h, gr, &g[0], &g[1], &g[2], &g[3]), s, 1e-13, 0);
        assert_close(g[0], v / s, 1e-12, 0);
        assert_close(g[1], 0.0, 0, 1e-12);
        assert_close(g[2], gr / s, 1e-12, 0);
        assert_close(g[3], h / s, 1e-12, 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fd),
        cmocka_unit_test(test_from_the_ground),
        cmocka_unit_test(test_energy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
