/* Local derivatives where C has no function for them: at kinks and domain
 * edges they follow LANGUAGE.md section 5. Each takes the seed d last and
 * returns d times the local derivative (operations DABS ... DOM of ops.def). */
#include <math.h>

/* gradc-piece: gradc_dabs */
/* |x|: the adjoint d passes with the sign of x; at 0, nothing */
static double gradc_dabs(double x, double d)
{
    return x > 0 ? d : x < 0 ? -d : 0.0;
}
/* gradc-end */

/* gradc-piece: gradc_dmin */
/* fmin(a, b): the share of the adjoint d that goes to a (half at a tie) */
static double gradc_dmin(double a, double b, double d)
{
    return a < b || b != b ? d : a == b ? 0.5 * d : 0.0;
}
/* gradc-end */

/* gradc-piece: gradc_dmax */
/* fmax(a, b): the share of the adjoint d that goes to a (half at a tie) */
static double gradc_dmax(double a, double b, double d)
{
    return a > b || b != b ? d : a == b ? 0.5 * d : 0.0;
}
/* gradc-end */

/* gradc-piece: gradc_dpowx  headers: <math.h> */
/* pow(a, b), d/da: b a^(b-1), and 0 for b = 0 */
static double gradc_dpowx(double a, double b, double d)
{
    return b == 0.0 ? 0.0 : d * b * pow(a, b - 1.0);
}
/* gradc-end */

/* gradc-piece: gradc_dpowy  headers: <math.h> */
/* t = pow(a, b), d/db: t log(a), and 0 for a = 0 */
static double gradc_dpowy(double a, double t, double d)
{
    return a == 0.0 ? 0.0 : d * t * log(a);
}
/* gradc-end */

/* gradc-piece: gradc_dhypot */
/* t = hypot(a, b), d/da: a / t, and 0 at the origin */
static double gradc_dhypot(double a, double t, double d)
{
    return t == 0.0 ? 0.0 : d * (a / t);
}
/* gradc-end */

/* gradc-piece: gradc_dpowi  headers: <math.h> */
/* a^k for an int k, d/da: k a^(k-1), and 0 for k = 0 */
static double gradc_dpowi(double a, int k, double d)
{
    return k == 0 ? 0.0 : d * k * pow(a, (double)k - 1.0);   /* no int overflow */
}
/* gradc-end */

/* gradc-piece: gradc_dom */
/* outside a function's domain (its value is NaN), so is its derivative */
static double gradc_dom(double value, double d)
{
    return value != value ? value : d;
}
/* gradc-end */
