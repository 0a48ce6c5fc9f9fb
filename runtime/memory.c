/* Arrays in generated code: element counts that saturate instead of
 * wrapping, the one allocation of a function's local arrays, and the loops
 * that clear, poison and copy whole arrays. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/* gradc-piece: gradc_count  headers: <stddef.h> <stdint.h> */
/* The number of elements of an array: a negative size or an overflow
   gives SIZE_MAX, which no allocation satisfies and no loop runs to. */
static size_t gradc_count(int a, int b)
{
    if (a < 0 || b < 0 || (b > 0 && (size_t)a > SIZE_MAX / (size_t)b))
        return SIZE_MAX;
    return (size_t)a * (size_t)b;
}
/* gradc-end */

/* gradc-piece: gradc_scale  headers: <stddef.h> <stdint.h> */
/* n elements times a further size b (arrays of 3 or more dimensions),
   saturating like gradc_count */
static size_t gradc_scale(size_t n, int b)
{
    if (n == SIZE_MAX || b < 0 || (b > 0 && n > SIZE_MAX / (size_t)b))
        return SIZE_MAX;
    return n * (size_t)b;
}
/* gradc-end */

/* gradc-piece: gradc_sum  headers: <stddef.h> <stdint.h> */
static size_t gradc_sum(size_t a, size_t b)
{
    return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}
/* gradc-end */

/* gradc-piece: gradc_alloc  headers: <stddef.h> <stdint.h> <stdlib.h> */
/* zeroed memory for n doubles; `none` stands in when n is 0 */
static double *gradc_alloc(size_t n, double *none)
{
    if (n == 0)
        return none;
    if (n > SIZE_MAX / sizeof(double))
        return NULL;
    return calloc(n, sizeof(double));
}
/* gradc-end */

/* gradc-piece: gradc_fill  headers: <stddef.h> <stdint.h> */
static void gradc_fill(double *a, size_t n)
{
    for (size_t i = 0; n != SIZE_MAX && i < n; i++)
        a[i] = 0.0;
}
/* gradc-end */

/* gradc-piece: gradc_filli  headers: <stddef.h> <stdint.h> */
static void gradc_filli(int *a, size_t n)
{
    for (size_t i = 0; n != SIZE_MAX && i < n; i++)
        a[i] = 0;
}
/* gradc-end */

/* gradc-piece: gradc_fill_nan  headers: <math.h> <stddef.h> <stdint.h> */
static void gradc_fill_nan(double *a, size_t n)
{
    for (size_t i = 0; n != SIZE_MAX && i < n; i++)
        a[i] = NAN;
}
/* gradc-end */

/* gradc-piece: gradc_copy  headers: <stddef.h> <stdint.h> */
/* a NULL source counts as zeros */
static void gradc_copy(double *a, const double *b, size_t n)
{
    for (size_t i = 0; n != SIZE_MAX && i < n; i++)
        a[i] = b ? b[i] : 0.0;
}
/* gradc-end */
