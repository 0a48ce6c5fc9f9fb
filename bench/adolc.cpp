// ADOL-C's taped gradients of the benchmark workloads: the same functions
// as samples/*.fn, written with ADOL-C's adouble, step for step as the .fn
// sources write them, so that the gradients agree with the hand-written
// ones to rounding.
//
// The usual way to use ADOL-C for gradients, and the usual way to benchmark
// it: record the function on a tape once (trace_on, the
// inputs marked with <<=, the output with >>=, trace_off), then call
// gradient(tag, n, x, g) for each point. gradient() re-evaluates the
// function from the tape (a forward sweep keeping the values the reverse
// sweep needs) and then runs the reverse sweep; the benchmark times that
// call only. Recording is done once per workload, outside the timing.
//
// Retaping: a tape stays valid at other points as long as no comparison of
// adoubles decides a branch. The only branches of these functions are max
// (log-sum-exp in GMM, logistic regression's max(t, 0)) and abs; written
// with fmax and fabs they are operations on the tape, evaluated afresh at
// each point, so no workload needs retaping. gradient()'s return code says
// whether one of them switched (see adolc.h); the benchmark checks the
// gradient at a second point from the same tape.
#include "adolc.h"

#include <adolc/adolc.h>

#include <climits>
#include <cmath>
#include <initializer_list>
#include <utility>
#include <vector>

namespace {

// ADOL-C keeps a tape in memory only while it fits in the buffers given to
// trace_on; beyond that it writes files into the working directory and
// reads them back in every sweep. The buffers are sized from a generous
// bound on the number of operations (malloc'd, so only the part used is
// ever touched), and end() checks that nothing went to a file. A tape also
// ends by saving every location of ADOL-C's store, which holds at least
// the nx inputs.
unsigned buffer(double n)
{
    return n < UINT_MAX ? (unsigned)n : UINT_MAX;
}

void begin(int tag, double ops, int nx)
{
    double b = 2 * ops + 2.0 * nx + 65536;
    // operations, locations (up to 4 an operation), constants, and the
    // values stored by the forward sweep of gradient()
    trace_on((short)tag, 0, buffer(b), buffer(4 * b), buffer(b), buffer(b));
}

int end(int tag)
{
    trace_off();
    size_t s[STAT_SIZE];
    tapestats((short)tag, s);
    bool in_core = !s[OP_FILE_ACCESS] && !s[LOC_FILE_ACCESS] && !s[VAL_FILE_ACCESS] &&
                   s[TAY_STACK_SIZE] <= s[TAY_BUFFER_SIZE];
    return in_core ? 0 : -1;
}

// Records f(x) on tape `tag` with the nx inputs x as the independent
// variables, in order.
template <class F> int record(int tag, double ops, int nx, const double *x, F f)
{
    begin(tag, ops, nx);
    {
        std::vector<adouble> ax((size_t)nx);
        for (int i = 0; i < nx; i++)
            ax[(size_t)i] <<= x[i];
        adouble y = f(ax.data());
        double value;
        y >>= value;
    }
    return end(tag);
}

adouble sq(const adouble &a)
{
    return a * a;
}

// ---- the workloads, as in samples/*.fn --------------------------------------

adouble seed(const adouble *x)
{
    return (2 * x[0] + 5 * x[1]) * (3 * x[0] * x[1]);
}

adouble ext_rosenbrock(int n, const adouble *x)
{
    adouble f = 0.0;
    for (int i = 0; i < n - 1; i++)
        f += 100 * sq(x[i + 1] - sq(x[i])) + sq(1 - x[i]);
    return f;
}

// log(sum exp v[i]), shifted by the running max: fmax is an operation on the
// tape, not a branch, so the tape holds wherever the max lands
adouble logsumexp(int n, const adouble *v)
{
    adouble mx = v[0];
    for (int i = 1; i < n; i++)
        mx = fmax(mx, v[i]);
    adouble s = 0.0;
    for (int i = 0; i < n; i++)
        s += exp(v[i] - mx);
    return log(s) + mx;
}

adouble gmm(int d, int K, int n, int T, const adouble *alphas, const adouble *means,
            const adouble *icf, const double *x, double gamma, int m)
{
    // per component: the sum of the log-diagonal of Q_k, and its exp
    std::vector<adouble> sum_qs((size_t)K), diag((size_t)K * d);
    for (int k = 0; k < K; k++) {
        sum_qs[k] = 0.0;
        for (int j = 0; j < d; j++) {
            sum_qs[k] += icf[k * T + j];
            diag[k * d + j] = exp(icf[k * T + j]);
        }
    }

    adouble slse = 0.0;
    std::vector<adouble> main_term((size_t)K), xc((size_t)d), Qxc((size_t)d);
    for (int i = 0; i < n; i++) {
        for (int k = 0; k < K; k++) {
            for (int j = 0; j < d; j++) {
                xc[j] = x[(size_t)i * d + j] - means[k * d + j];
                Qxc[j] = diag[k * d + j] * xc[j];
            }
            // the strictly lower part of Q_k, column by column
            for (int c = 0; c < d; c++)
                for (int r = c + 1; r < d; r++)
                    Qxc[r] += icf[k * T + d + c * (d - 1) - c * (c - 1) / 2 + r - c - 1] * xc[c];
            adouble sqn = 0.0;
            for (int j = 0; j < d; j++)
                sqn += sq(Qxc[j]);
            main_term[k] = alphas[k] + sum_qs[k] - 0.5 * sqn;
        }
        slse += logsumexp(K, main_term.data());
    }

    // the Wishart prior on the precision matrices
    adouble prior = 0.0;
    for (int k = 0; k < K; k++) {
        adouble frobenius = 0.0;
        for (int j = 0; j < d; j++)
            frobenius += sq(diag[k * d + j]);
        for (int j = d; j < T; j++)
            frobenius += sq(icf[k * T + j]);
        prior += 0.5 * (gamma * gamma) * frobenius - m * sum_qs[k];
    }
    int N = d + m + 1;
    double C = N * d * (std::log(gamma) - 0.5 * std::log(2.0));

    return -0.5 * n * d * std::log(2 * 3.14159265358979323846) + slse - n * logsumexp(K, alphas) + prior - K * C;
}

// h = tanh(W x + b)
void hidden(int n, int m, const adouble *W, const adouble *b, const double *x, adouble *h)
{
    for (int j = 0; j < m; j++) {
        adouble z = b[j];
        for (int i = 0; i < n; i++)
            z += W[j * n + i] * x[i];
        h[j] = tanh(z);
    }
}

// p = W x + b
void output(int n, int m, const adouble *W, const adouble *b, const adouble *x, adouble *p)
{
    for (int j = 0; j < m; j++) {
        p[j] = b[j];
        for (int i = 0; i < n; i++)
            p[j] += W[j * n + i] * x[i];
    }
}

adouble mlp_loss(int B, int ni, int nh, int no, const adouble *W1, const adouble *b1,
                 const adouble *W2, const adouble *b2, const double *X, const double *Y)
{
    adouble loss = 0.0;
    std::vector<adouble> h((size_t)nh), p((size_t)no);
    for (int k = 0; k < B; k++) {
        hidden(ni, nh, W1, b1, X + (size_t)k * ni, h.data());
        output(nh, no, W2, b2, h.data(), p.data());
        for (int j = 0; j < no; j++)
            loss += sq(p[j] - Y[(size_t)k * no + j]);
    }
    return loss / (2 * B);
}

// log(1 + exp(t)) as max(t, 0) + log1p(exp(-|t|)). ADOL-C has no log1p:
// log(1 + u) has the same derivative, and the value differs by at most an
// ulp of 1 (u is in (0, 1]).
adouble logreg(int n, int d, const adouble *w, const adouble &b, const double *X,
               const double *y, double lambda)
{
    adouble loss = 0.0;
    for (int i = 0; i < n; i++) {
        adouble z = b;
        for (int j = 0; j < d; j++)
            z += w[j] * X[(size_t)i * d + j];
        adouble t = -y[i] * z;
        loss += fmax(t, 0.0) + log(1 + exp(-fabs(t)));
    }
    adouble wsq = 0.0;
    for (int j = 0; j < d; j++)
        wsq += sq(w[j]);
    return loss / n + 0.5 * lambda * wsq;
}

// the inputs of a workload one after the other: the benchmark's flat vector
std::vector<double> concat(std::initializer_list<std::pair<const double *, size_t>> parts)
{
    std::vector<double> v;
    for (auto &p : parts)
        v.insert(v.end(), p.first, p.first + p.second);
    return v;
}

} // namespace

// ---- the C interface (adolc.h) ----------------------------------------------

extern "C" {

int adolc_available(void)
{
    return 1;
}

int adolc_tape_seed(int tag, double x0, double x1)
{
    double x[2] = {x0, x1};
    return record(tag, 16, 2, x, [](const adouble *ax) { return seed(ax); });
}

int adolc_tape_rosen(int tag, int n, const double *x)
{
    return record(tag, 12.0 * n, n, x, [n](const adouble *ax) { return ext_rosenbrock(n, ax); });
}

int adolc_tape_gmm(int tag, int d, int K, int n, int T, const double *alphas, const double *means,
                   const double *icf, const double *x, double gamma, int m)
{
    std::vector<double> in = concat({{alphas, (size_t)K}, {means, (size_t)K * d}, {icf, (size_t)K * T}});
    double ops = (double)n * (K * (4.0 * d + 3.0 * T + 8) + 6.0 * K + 8) + K * (4.0 * T + 8) + 6.0 * K + 32;
    return record(tag, ops, (int)in.size(), in.data(), [=](const adouble *a) {
        return gmm(d, K, n, T, a, a + K, a + K + K * d, x, gamma, m);
    });
}

int adolc_tape_mlp(int tag, int B, int ni, int nh, int no, const double *W1, const double *b1,
                   const double *W2, const double *b2, const double *X, const double *Y)
{
    std::vector<double> in = concat({{W1, (size_t)nh * ni}, {b1, (size_t)nh},
                                     {W2, (size_t)no * nh}, {b2, (size_t)no}});
    double ops = (double)B * (nh * (3.0 * ni + 4) + no * (3.0 * nh + 6)) + 32;
    return record(tag, ops, (int)in.size(), in.data(), [=](const adouble *a) {
        const adouble *aW1 = a, *ab1 = aW1 + nh * ni, *aW2 = ab1 + nh, *ab2 = aW2 + no * nh;
        return mlp_loss(B, ni, nh, no, aW1, ab1, aW2, ab2, X, Y);
    });
}

int adolc_tape_logreg(int tag, int n, int d, const double *w, double b, const double *X,
                      const double *y, double lambda)
{
    std::vector<double> in = concat({{w, (size_t)d}, {&b, 1}});
    double ops = (double)n * (3.0 * d + 16) + 3.0 * d + 32;
    return record(tag, ops, d + 1, in.data(), [=](const adouble *a) {
        return logreg(n, d, a, a[d], X, y, lambda);
    });
}

// the call the benchmark times
int adolc_gradient(int tag, int nx, const double *x, double *g)
{
    return gradient((short)tag, nx, x, g);
}

double adolc_value(int tag, int nx, const double *x)
{
    double y = NAN;
    zos_forward((short)tag, 1, nx, 0, x, &y);
    return y;
}

void adolc_tape_size(int tag, size_t *ops, size_t *bytes)
{
    size_t s[STAT_SIZE];
    tapestats((short)tag, s);
    *ops = s[NUM_OPERATIONS];
    *bytes = s[NUM_OPERATIONS] + s[NUM_LOCATIONS] * sizeof(locint) + s[NUM_VALUES] * sizeof(double) +
             s[TAY_STACK_SIZE] * sizeof(revreal);
}

void adolc_drop(int tag)
{
    removeTape((short)tag, ADOLC_REMOVE_COMPLETELY);
}

} // extern "C"
