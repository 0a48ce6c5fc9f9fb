# --routines=LIST chooses the derived functions gradc writes: grad (f_grad,
# and f_vjp for functions with out parameters), jvp (f_jvp), hvp (f_hvp,
# only for functions that return a value), jac (f_jac, for functions with
# out parameters), hess (f_hess, for functions that return a value); the
# functions themselves are always written. Each choice gives a header and a
# .c that agree, hold exactly those exported functions (what f_jac and
# f_hess call and was not asked for is static), and compile as strict C99;
# a bad list, or jac or hess where no function takes it, exits 2 and
# writes nothing.
. "$2/lib.sh"

cp "$SAMPLES/rosenbrock.fn" rosenbrock.fn
cp "$SAMPLES/mlp.fn" mlp.fn

# routines_in FILE: the derived routines FILE declares or defines, as a
# sorted list of suffixes (grad vjp jvp hvp jac hess), one of each
routines_in() {
    grep -Eo '^(double|void) [A-Za-z_0-9]+_(grad|vjp|jvp|hvp|jac|hess)\(' "$1" |
        sed -E 's/.*_(grad|vjp|jvp|hvp|jac|hess)\($/\1/' | LC_ALL=C sort -u | tr '\n' ' ' | sed 's/ $//'
}

# expect_routines LIST FILE.fn EXPECTED
expect_routines() {
    stem=$(basename "$2" .fn)
    dir=out_$(echo "$1" | tr ',' '_')_$stem
    mkdir -p "$dir"
    run "$2" --routines="$1" -o "$dir/$stem.c"
    expect_status 0 "--routines=$1 on $2"
    expect_stderr_empty "--routines=$1 on $2"
    for f in "$dir/$stem.h" "$dir/$stem.c"; do
        [ -f "$f" ] || { bad "--routines=$1 on $2: $f not written"; continue; }
        got=$(routines_in "$f")
        [ "$got" = "$3" ] || bad "--routines=$1 on $2: $f has [$got], expected [$3]"
    done
    # the functions themselves are always there
    for fn in $(grep -Eo '^fn [A-Za-z_0-9]+' "$2" | cut -c4-); do
        grep -Eq "^(double|void) $fn\(" "$dir/$stem.h" ||
            bad "--routines=$1 on $2: $fn is not declared"
    done
    if command -v "${CC%% *}" >/dev/null 2>&1; then
        if ! $CC $STRICT_CFLAGS -c "$dir/$stem.c" -o "$dir/$stem.o" 2>"$dir/cc.txt"; then
            bad "--routines=$1 on $2: the C does not compile with $CC $STRICT_CFLAGS:"
            head -30 "$dir/cc.txt"
        fi
    fi
}

# rosenbrock.fn returns values; mlp.fn has functions with out parameters
# (hidden, output: vjp and jvp, no hvp) and one that returns (mlp_loss)
expect_routines grad rosenbrock.fn "grad"
expect_routines jvp rosenbrock.fn "jvp"
expect_routines hvp rosenbrock.fn "hvp"
expect_routines grad,jvp rosenbrock.fn "grad jvp"
expect_routines jvp,hvp rosenbrock.fn "hvp jvp"
expect_routines grad,jvp,hvp rosenbrock.fn "grad hvp jvp"
expect_routines grad mlp.fn "grad vjp"
expect_routines jvp mlp.fn "jvp"
expect_routines hvp mlp.fn "hvp"
expect_routines grad,jvp,hvp mlp.fn "grad hvp jvp vjp"
# whole Jacobians and Hessians, alone (their sweeps static) or with others
expect_routines hess rosenbrock.fn "hess"
expect_routines jac mlp.fn "jac"
expect_routines hess mlp.fn "hess"
expect_routines jac,hess mlp.fn "hess jac"
expect_routines grad,jac,hess mlp.fn "grad hess jac vjp"
expect_routines grad,jvp,hvp,jac,hess mlp.fn "grad hess hvp jac jvp vjp"
expect_routines hvp,hess rosenbrock.fn "hess hvp"
# order and repetition do not matter
expect_routines hvp,grad rosenbrock.fn "grad hvp"
expect_routines jvp,jvp rosenbrock.fn "jvp"

# the default is all of them, the same bytes as --routines=grad,jvp,hvp
run rosenbrock.fn --emit=c
expect_status 0 "--emit=c"
cp "$OUTF" default.c.txt
run rosenbrock.fn --emit=c --routines=grad,jvp,hvp
expect_status 0 "--emit=c --routines=grad,jvp,hvp"
cmp -s default.c.txt "$OUTF" || bad "--routines=grad,jvp,hvp differs from the default"
run rosenbrock.fn --emit=h --routines=jvp
expect_status 0 "--emit=h --routines=jvp"
got=$(routines_in "$OUTF")
[ "$got" = "jvp" ] || bad "--emit=h --routines=jvp declares [$got]"

# --routines=grad: no _jvp or _hvp anywhere in the C
run rosenbrock.fn --emit=c --routines=grad
grep -Eq '_(jvp|hvp)\(' "$OUTF" && bad "--routines=grad: the C mentions a _jvp or _hvp function"
# --routines=jvp: no _grad
run rosenbrock.fn --emit=c --routines=jvp
grep -Eq '_(grad|vjp|hvp)\(' "$OUTF" && bad "--routines=jvp: the C mentions a _grad, _vjp or _hvp function"

# --routines=jac: no _grad or _hvp in the C; f_vjp is static, and the
# tangent sweeps are f_jvp__vec (vector mode, static), or f_jvp, static,
# with --no-inline where the tangent code calls a helper
run mlp.fn --emit=c --routines=jac
grep -Eq '_(grad|hvp)\(' "$OUTF" && bad "--routines=jac: the C mentions a _grad or _hvp function"
grep -Eq '^static void hidden_vjp\(' "$OUTF" || bad "--routines=jac: hidden_vjp is not static"
grep -Eq '^static void hidden_jvp__vec\(' "$OUTF" || bad "--routines=jac: no static hidden_jvp__vec"
grep -Eq '^(static )?void hidden_jvp\(' "$OUTF" && bad "--routines=jac: hidden_jvp written though unused"
printf 'fn sq(a, out p[1]) { p[0] = a * a; }\nfn two(x, out y[2]) { let q[1]; sq(x, q); y[0] = q[0]; y[1] = x; }\n' >call.fn
run call.fn --emit=c --routines=jac --no-inline
expect_status 0 "--routines=jac --no-inline on call.fn"
grep -Eq '^static void two_jvp\(' "$OUTF" || bad "--routines=jac --no-inline: two_jvp is not there, static"
grep -Eq 'two_jvp__vec' "$OUTF" && bad "--routines=jac --no-inline: vector mode through a call"

# f_jac and f_hess from the routines alone, end to end, with and without
# the optimiser: J of (x, x^2 y, sin x) by (x, y), and the Hessian of
# x^2 y + 3 y, against their closed forms; NULL J and H skip them
cat >dense.fn <<'EOF'
fn q(x, y) = x*x*y + 3*y;
fn r(x, y, out v[3]) { v[0] = x; v[1] = x^2 * y; v[2] = sin(x); }
EOF
cat >dense_main.c <<'EOC'
#include <math.h>
#include <stdio.h>
#include "dense.h"

int main(void)
{
    double x = 1.5, y = -0.5, g[2] = {0, 0}, H[4], J[6], v[3], w[3];
    int bad = 0;
    double f = q_hess(x, y, &g[0], &g[1], H);
    bad |= f != x * x * y + 3 * y || g[0] != 2 * x * y || g[1] != x * x + 3;
    bad |= H[0] != 2 * y || H[1] != 2 * x || H[2] != 2 * x || H[3] != 0;
    bad |= q_hess(x, y, NULL, &g[1], NULL) != f || g[1] != x * x + 3;
    r_jac(x, y, v, J);
    r(x, y, w);
    bad |= v[0] != w[0] || v[1] != w[1] || v[2] != w[2];
    bad |= J[0] != 1 || J[1] != 0 || J[2] != 2 * x * y || J[3] != x * x;
    bad |= J[4] != cos(x) || J[5] != 0;
    v[0] = v[1] = v[2] = NAN;
    r_jac(x, y, v, NULL);
    bad |= v[0] != w[0] || v[1] != w[1] || v[2] != w[2];
    if (bad)
        printf("f %g g %g %g H %g %g %g %g J %g %g %g %g %g %g\n", f, g[0], g[1], H[0], H[1], H[2],
               H[3], J[0], J[1], J[2], J[3], J[4], J[5]);
    return bad;
}
EOC
if command -v "${CC%% *}" >/dev/null 2>&1; then
    for opt in O1 O0; do
        mkdir -p "dense_$opt"
        if [ "$opt" = O0 ]; then
            run dense.fn --routines=jac,hess -O0 -o "dense_$opt/dense.c"
        else
            run dense.fn --routines=jac,hess -o "dense_$opt/dense.c"
        fi
        expect_status 0 "--routines=jac,hess on dense.fn ($opt)"
        if $CC $STRICT_CFLAGS -I"dense_$opt" dense_main.c "dense_$opt/dense.c" -o "dense_$opt/main" -lm \
            2>"dense_$opt/cc.txt"; then
            "./dense_$opt/main" || bad "f_jac and f_hess of dense.fn ($opt) disagree with the closed forms"
        else
            bad "dense.fn ($opt): the C does not compile with $CC $STRICT_CFLAGS:"
            head -30 "dense_$opt/cc.txt"
        fi
    done
fi

# jac or hess where no function takes it: exit 2, a message naming the
# routine and the file, nothing written; errors in the input come first
# (exit 1)
mkdir fit_out
printf 'fn h(x, out y[2]) { y[0] = x; y[1] = x * x; }\n' >outs.fn
for case in "jac rosenbrock.fn jac" "jac,hess rosenbrock.fn jac" "hess outs.fn hess" \
            "grad,hess outs.fn hess"; do
    set -- $case
    run "$2" --routines="$1" -o fit_out/r.c
    expect_status 2 "--routines=$1 on $2"
    expect_stderr_has "--routines names $3" "--routines=$1 on $2"
    expect_stderr_has "$2" "--routines=$1 on $2"
    expect_stdout_empty "--routines=$1 on $2"
    expect_listing fit_out "" "--routines=$1 on $2 writes nothing"
    rm -f fit_out/*
done
run rosenbrock.fn --routines=jac --emit=c
expect_status 2 "--routines=jac --emit=c on rosenbrock.fn"
expect_stdout_empty "--routines=jac --emit=c on rosenbrock.fn"
printf 'fn broken(x) = x +;\n' >broken.fn
run broken.fn --routines=jac -o fit_out/r.c
expect_status 1 "--routines=jac on a file with a syntax error"
expect_listing fit_out "" "--routines=jac on a file with errors writes nothing"

# bad lists: exit 2, a message naming --routines, nothing written
mkdir bad_out
for list in '' foo GRAD 'grad,foo' 'grad jvp' ',grad' 'grad,,jvp' 'grad,' hessian vjp; do
    run rosenbrock.fn --routines="$list" -o bad_out/r.c
    expect_status 2 "--routines='$list'"
    expect_stderr_has "--routines" "--routines='$list'"
    expect_stdout_empty "--routines='$list'"
    expect_listing bad_out "" "--routines='$list' writes nothing"
    rm -f bad_out/*
done
run rosenbrock.fn --routines -o bad_out/r.c
expect_status 2 "--routines without a list"
expect_listing bad_out "" "--routines without a list writes nothing"

finish
