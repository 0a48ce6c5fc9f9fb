/* Functions the language has and C99 does not: sign, and digamma with the
 * two derivatives after it that gradients and Hessian-vector products of
 * lgamma and digamma need (trigamma, tetragamma). At the poles of lgamma
 * (0, -1, -2, ...) the polygamma functions are NaN (LANGUAGE.md section 5). */
#include <math.h>

/* gradc-piece: gradc_sign */
/* -1, 0 or 1 by the sign of x; a zero keeps its own sign and NaN stays NaN,
 * so that an invalid value is never turned into a valid one */
static double gradc_sign(double x)
{
    return x > 0 ? 1.0 : x < 0 ? -1.0 : x;
}
/* gradc-end */

/* gradc-piece: gradc_sincospi  headers: <math.h> */
/* sin(pi x) and cos(pi x) for the reflection formulas, both accurate to
 * their last bits: x is reduced exactly to r in [-1/2, 1/2] (the formulas
 * that use them have period 1 in x), and cos(pi r) is computed as
 * sin(pi (1/2 - |r|)), which is exactly 0 at half-integers. */
static void gradc_sincospi(double x, double *s, double *c)
{
    const double pi = 3.14159265358979323846;
    double r = x - round(x);                    /* exact */
    *s = sin(pi * r);
    *c = sin(pi * (0.5 - fabs(r)));
}
/* gradc-end */

/* gradc-piece: gradc_digamma  needs: gradc_sincospi  headers: <math.h> */
/* digamma(x) = d lgamma(x) / dx. For x > 0, the recurrence
 * psi(x) = psi(x + 1) - 1/x moves the argument to y >= 12, where the
 * asymptotic series psi(y) ~ log y - 1/(2y) - sum B_2k / (2k y^2k) has
 * converged to below 1e-17 after seven terms. Negative x reflects:
 * psi(x) = psi(1 - x) - pi cot(pi x). NaN at 0, -1, -2, ... and at -inf. */
static double gradc_digamma(double x)
{
    const double pi = 3.14159265358979323846;
    if (x <= 0) {
        double s, c;
        if (x == floor(x))
            return NAN;
        gradc_sincospi(x, &s, &c);
        return gradc_digamma(1.0 - x) - pi * (c / s);
    }
    int n = x < 12 ? (int)(12 - x) + 1 : 0;
    double sum = 0;
    for (int k = n - 1; k >= 0; k--)            /* the smallest terms first */
        sum += 1.0 / (x + k);
    double y = x + n, z = 1.0 / (y * y);
    double series = z * (1.0 / 12 - z * (1.0 / 120 - z * (1.0 / 252 - z * (1.0 / 240
                    - z * (1.0 / 132 - z * (691.0 / 32760 - z * (1.0 / 12)))))));
    return (log(y) - 0.5 / y - series) - sum;
}
/* gradc-end */

/* gradc-piece: gradc_trigamma  needs: gradc_sincospi  headers: <math.h> */
/* trigamma(x) = d digamma(x) / dx: psi1(x) = psi1(x + 1) + 1/x^2 up to
 * y >= 12, then psi1(y) ~ 1/y + 1/(2y^2) + sum B_2k / y^(2k+1) (eight
 * terms); for x < 0, psi1(x) = pi^2 / sin^2(pi x) - psi1(1 - x). Every
 * term is positive for x > 0: nothing cancels. NaN at the poles. */
static double gradc_trigamma(double x)
{
    const double pi = 3.14159265358979323846;
    if (x <= 0) {
        double s, c;
        if (x == floor(x))
            return NAN;
        gradc_sincospi(x, &s, &c);
        return (pi / s) * (pi / s) - gradc_trigamma(1.0 - x);
    }
    int n = x < 12 ? (int)(12 - x) + 1 : 0;
    double sum = 0;
    for (int k = n - 1; k >= 0; k--)
        sum += 1.0 / ((x + k) * (x + k));
    double y = x + n, z = 1.0 / (y * y);
    double series = z * (1.0 / 6 - z * (1.0 / 30 - z * (1.0 / 42 - z * (1.0 / 30 - z * (5.0 / 66
                    - z * (691.0 / 2730 - z * (7.0 / 6 - z * (3617.0 / 510))))))));
    return (1.0 + 0.5 / y + series) / y + sum;
}
/* gradc-end */

/* gradc-piece: gradc_tetragamma  needs: gradc_sincospi  headers: <math.h> */
/* tetragamma(x) = d trigamma(x) / dx (f_hvp of digamma needs it):
 * psi2(x) = psi2(x + 1) - 2/x^3 up to y >= 12, then
 * psi2(y) ~ -1/y^2 - 1/y^3 - sum (2k + 1) B_2k / y^(2k+2) (eight terms);
 * for x < 0, psi2(x) = psi2(1 - x) - 2 pi^3 cos(pi x) / sin^3(pi x).
 * NaN at the poles. */
static double gradc_tetragamma(double x)
{
    const double pi = 3.14159265358979323846;
    if (x <= 0) {
        double s, c;
        if (x == floor(x))
            return NAN;
        gradc_sincospi(x, &s, &c);
        double q = pi / s;
        return gradc_tetragamma(1.0 - x) - 2.0 * pi * c / s * q * q;
    }
    int n = x < 12 ? (int)(12 - x) + 1 : 0;
    double sum = 0;
    for (int k = n - 1; k >= 0; k--) {
        double t = 1.0 / (x + k);
        sum += t * t * t;
    }
    double y = x + n, z = 1.0 / (y * y);
    double series = z * (1.0 / 2 - z * (1.0 / 6 - z * (1.0 / 6 - z * (3.0 / 10 - z * (5.0 / 6
                    - z * (691.0 / 210 - z * (35.0 / 2 - z * (3617.0 / 30))))))));
    return -z * (1.0 + 1.0 / y + series) - 2.0 * sum;
}
/* gradc-end */
