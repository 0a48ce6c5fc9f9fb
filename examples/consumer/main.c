/* The consumer example: calls f and f_grad, which gradc generated from
 * model.fn at build time, and checks every partial derivative against a
 * central finite difference. Exit status 0 when all of them agree. */
#include <math.h>
#include <stdio.h>

#include "model.h"

#define N 4

int main(void)
{
    double x[N] = {0.5, -1.25, 1.5, 3.5};
    double g[N];
    double value = f_grad(N, x, g);
    int failures = 0;
    printf("f(x) = %.17g\n", value);
    if (value != f(N, x)) {
        printf("f_grad's value differs from f's: %.17g\n", f(N, x));
        failures++;
    }
    for (int i = 0; i < N; i++) {
        double xi = x[i];
        double h = 1e-6 * fmax(1.0, fabs(xi));
        x[i] = xi + h;
        double up = f(N, x);
        x[i] = xi - h;
        double down = f(N, x);
        x[i] = xi;
        double fd = (up - down) / (2 * h);
        double err = fabs(g[i] - fd) / fmax(1.0, fabs(fd));
        printf("df/dx[%d] = %-22.17g central difference %-22.17g |error| %.1e\n", i, g[i], fd, err);
        if (!(err < 1e-6))
            failures++;
    }
    puts(failures ? "FAILED" : "ok: the gradient agrees with finite differences");
    return failures != 0;
}
