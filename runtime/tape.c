/* The tape of reverse mode: a stack of doubles that grows on the heap. Its
 * one failure mode (no memory, or a size past SIZE_MAX) is sticky: the
 * generated function sees t->failed and writes NaN instead of a gradient. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/* gradc-piece: gradc_tape  headers: <stddef.h> */
/* The tape: values that the forward sweep overwrites and the reverse
   sweep needs, last in, first out. It grows as needed; if memory runs
   out it stops saving and the gradient comes out as NaN. */
typedef struct gradc_tape {
    double *data;
    size_t len, cap;
    int failed;
} gradc_tape;
/* gradc-end */

/* gradc-piece: gradc_room  needs: gradc_tape  headers: <stddef.h> <stdint.h> <stdlib.h> */
static int gradc_room(gradc_tape *t, size_t n)
{
    if (t->failed)
        return 0;
    if (n <= t->cap - t->len)
        return 1;
    size_t cap = t->cap ? t->cap : 64;
    while (cap - t->len < n) {
        if (cap > SIZE_MAX / 2 / sizeof(double)) {
            t->failed = 1;
            return 0;
        }
        cap *= 2;
    }
    double *data = realloc(t->data, cap * sizeof(double));
    if (!data) {
        t->failed = 1;
        return 0;
    }
    t->data = data;
    t->cap = cap;
    return 1;
}
/* gradc-end */

/* gradc-piece: gradc_reserve  needs: gradc_room  headers: <stddef.h> <stdint.h> */
/* room for `per` values in each iteration of lo..hi */
static void gradc_reserve(gradc_tape *t, int lo, int hi, size_t per)
{
    size_t n = hi > lo ? (size_t)((long long)hi - lo) : 0;
    gradc_room(t, n > SIZE_MAX / per ? SIZE_MAX : n * per);
}
/* gradc-end */

/* gradc-piece: gradc_push  needs: gradc_room */
static void gradc_push(gradc_tape *t, double x)
{
    if (t->len < t->cap || gradc_room(t, 1))
        t->data[t->len++] = x;
}
/* gradc-end */

/* gradc-piece: gradc_pop  needs: gradc_tape */
static double gradc_pop(gradc_tape *t)
{
    return t->len ? t->data[--t->len] : 0.0;
}
/* gradc-end */

/* gradc-piece: gradc_pusha  needs: gradc_room  headers: <stddef.h> <stdint.h> */
static void gradc_pusha(gradc_tape *t, const double *a, size_t n)
{
    if (n != SIZE_MAX && gradc_room(t, n))
        for (size_t i = 0; i < n; i++)
            t->data[t->len++] = a[i];
}
/* gradc-end */

/* gradc-piece: gradc_pushai  needs: gradc_room  headers: <stddef.h> <stdint.h> */
/* an int array, each element held exactly as a double */
static void gradc_pushai(gradc_tape *t, const int *a, size_t n)
{
    if (n != SIZE_MAX && gradc_room(t, n))
        for (size_t i = 0; i < n; i++)
            t->data[t->len++] = a[i];
}
/* gradc-end */

/* gradc-piece: gradc_popai  needs: gradc_tape  headers: <stddef.h> <stdint.h> */
static void gradc_popai(gradc_tape *t, int *a, size_t n)
{
    if (n == SIZE_MAX || n > t->len) {
        t->failed = 1;
        return;
    }
    t->len -= n;
    for (size_t i = 0; i < n; i++)
        a[i] = (int)t->data[t->len + i];
}
/* gradc-end */

/* gradc-piece: gradc_popa  needs: gradc_tape  headers: <stddef.h> <stdint.h> */
static void gradc_popa(gradc_tape *t, double *a, size_t n)
{
    if (n == SIZE_MAX || n > t->len) {
        t->failed = 1;
        return;
    }
    t->len -= n;
    for (size_t i = 0; i < n; i++)
        a[i] = t->data[t->len + i];
}
/* gradc-end */
