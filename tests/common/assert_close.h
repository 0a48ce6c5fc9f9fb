/* assert_close: the one closeness assertion of the cmocka tests (cmocka
 * 1.1.5 has no assert_double_equal), shared by tests/unit and
 * tests/numeric. Plain C99, as the numeric drivers are compiled; include
 * after <cmocka.h>. */
#ifndef GRADC_TESTS_ASSERT_CLOSE_H
#define GRADC_TESTS_ASSERT_CLOSE_H

#include <math.h>

/* Whether a and b agree: equal (equal infinities too), or finite and
 * within abs_tol + rel * max(|a|, |b|). NaN agrees with nothing; a test
 * that expects NaN says so with isnan. */
static inline int close_within(double a, double b, double rel, double abs_tol)
{
    if (a == b)
        return 1;
    if (isnan(a) || isnan(b) || isinf(a) || isinf(b))
        return 0;
    return fabs(a - b) <= abs_tol + rel * fmax(fabs(a), fabs(b));
}

static inline void assert_close_at(double a, double b, double rel, double abs_tol, const char *sa,
                                   const char *sb, const char *file, int line)
{
    if (close_within(a, b, rel, abs_tol))
        return;
    print_error("%s = %.17g is not close to %s = %.17g (|difference| %.3g, rel %g, abs %g)\n",
                sa, a, sb, b, fabs(a - b), rel, abs_tol);
    _fail(file, line);
}

/* assert_close(a, b, rel, abs_tol): fails the test unless
 * close_within(a, b, rel, abs_tol); (a, b, 0, 0) asks for equality. */
#define assert_close(a, b, rel, abs_tol) \
    assert_close_at((a), (b), (rel), (abs_tol), #a, #b, __FILE__, __LINE__)

#endif
