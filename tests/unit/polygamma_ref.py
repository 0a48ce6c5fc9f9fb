#!/usr/bin/env python3
# Writes polygamma_ref.h: digamma, trigamma and tetragamma at doubles, to
# 30 significant digits with mpmath at 50 digits of working precision, the
# reference values of tests/unit/test_runtime.c. The arguments are the
# doubles the C literals denote (mpmath takes a Python float exactly).
#
#     python3 tests/unit/polygamma_ref.py > tests/unit/polygamma_ref.h
import mpmath

mpmath.mp.dps = 50

# away from the poles and the roots of digamma: relative error is checked
# (values that overflow or underflow a double are tested apart)
FAR = [1e-12, 1e-6, 0.001, 0.1, 0.25, 0.5, 0.75, 1.0, 2.0, 2.5, 3.0,
       3.7, 5.3, 7.0, 9.999, 11.5, 11.999999999, 12.0, 12.000000001, 12.5,
       17.25, 30.0, 100.5, 1234.5678, 1e5, 1e10, 1e15, 1e100,
       -1e-12, -0.001, -0.25, -0.75, -0.999, -1.001, -1.5, -2.25, -3.5,
       -2.999999, -7.9, -10.1, -11.5, -31.7, -1000.25, -123456.78,
       -4503599627370495.5, 1.0 / 3, 2.0 / 3, 0.9, 1.9, 6.02214076]

# next to the roots of digamma (1.46163..., -0.50408..., -1.57349..., ...),
# where digamma is small and its relative error ill-conditioned
NEAR_ROOT = [1.4616321449683622, 1.46, 1.47, 1.5, 1.4, -0.5040830082644554,
             -0.5, -1.5734984731623, -1.57, -2.610720868444145, -9.5]


def polygammas(x):
    x = mpmath.mpf(x)
    if x > -1e6:
        return [mpmath.polygamma(n, x) for n in range(3)]
    # mpmath's own reflection does not finish there: the formulas, with
    # sinpi and cospi, exact for any x (cot(pi * x) would lose the 16 digits
    # of x's integer part)
    s, p = mpmath.sinpi(x), mpmath.pi
    c = mpmath.cospi(x) / s
    return [mpmath.polygamma(0, 1 - x) - p * c,
            (p / s) ** 2 - mpmath.polygamma(1, 1 - x),
            mpmath.polygamma(2, 1 - x) - 2 * p ** 3 * c / s ** 2]


def row(x):
    v = polygammas(x)
    return "    {%r, %s},\n" % (x, ", ".join(mpmath.nstr(t, 30, min_fixed=1, max_fixed=0) for t in v))


out = ["/* Written by polygamma_ref.py (mpmath %s, 50 digits): x, digamma(x),\n"
       " * trigamma(x), tetragamma(x). Do not edit. */\n" % mpmath.__version__]
for name, xs in (("polygamma_far", FAR), ("polygamma_near_root", NEAR_ROOT)):
    out.append("static const double %s[][4] = {\n" % name)
    out.extend(row(x) for x in xs)
    out.append("};\n")
print("".join(out), end="")
