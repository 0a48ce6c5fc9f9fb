# --routines=LIST chooses the derived functions gradc writes: grad (f_grad,
# and f_vjp for functions with out parameters), jvp (f_jvp), hvp (f_hvp,
# only for functions that return a value); the functions themselves are
# always written. Each choice gives a header and a .c that agree, hold
# exactly those functions, and compile as strict C99; a bad list exits 2
# and writes nothing.
. "$2/lib.sh"

cp "$SAMPLES/rosenbrock.fn" rosenbrock.fn
cp "$SAMPLES/mlp.fn" mlp.fn

# routines_in FILE: the derived routines FILE declares or defines, as a
# sorted list of suffixes (grad vjp jvp hvp), one of each
routines_in() {
    grep -Eo '^(double|void) [A-Za-z_0-9]+_(grad|vjp|jvp|hvp)\(' "$1" |
        sed -E 's/.*_(grad|vjp|jvp|hvp)\($/\1/' | LC_ALL=C sort -u | tr '\n' ' ' | sed 's/ $//'
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
