# Splitting huge functions (--split): a function of more statements than
# the limit becomes static parts called in order; the C still compiles
# warning-free, and computes exactly what the unsplit function computes
# (the same operations in the same order: --eval prints the same bytes).
# Run with the argument "big" (cli.split_big), it checks the default limit
# on a function of 2,500 statements instead.
. "$2/lib.sh"

command -v "${CC%% *}" >/dev/null 2>&1 || skip "no C compiler ($CC)"
gen="$CLI_SRC/../../bench/gen_big.awk"
[ -f "$gen" ] || { bad "no bench/gen_big.awk"; finish; }

if [ "${5:-}" = big ]; then
    # 2,500 source statements: more than the default limit of 2000
    awk -v N=2500 -f "$gen" >big.fn || bad "the generator failed"
    run big.fn
    expect_status 0 "gradc big.fn"
    grep -q '^static GRADC_NOINLINE void big__part1(' big.c || bad "big (2,500 statements) is not split by default"
    grep -q '^static GRADC_NOINLINE void big_grad__part1(' big.c || bad "big_grad is not split by default"
    run big.fn --split=0 -o whole.c
    expect_status 0 "gradc --split=0"
    if grep -q '__part1(' whole.c; then
        bad "--split=0 still splits"
    fi
    for f in big whole; do
        if ! $CC $STRICT_CFLAGS -c "$f.c" -o "$f.o" 2>"$f.cc.txt"; then
            bad "$f.c does not compile with $CC $STRICT_CFLAGS:"
            head -30 "$f.cc.txt"
        fi
    done

    finish
fi

# small parts: the same results, to the last bit
awk -v N=300 -f "$gen" >small.fn
call='big(0.1, 0.2, 0.3, 0.4)'
for n in 0 40 12; do
    run small.fn --split=$n --eval "$call" --hessian
    expect_status 0 "--eval with --split=$n"
    cp "$OUTF" "eval.$n.txt"
done
grep -q 'x3' eval.0.txt || bad "--eval printed no gradient"
for n in 40 12; do
    cmp -s eval.0.txt "eval.$n.txt" || bad "--split=$n changes what --eval prints"
done
run small.fn --split=40 --emit=c
grep -q '^static GRADC_NOINLINE void big_hvp__part1(' "$OUTF" || bad "--split=40 does not split big_hvp"

# a deterministic result
mkdir a b
run small.fn --split=7 -o a/small.c
run small.fn --split=7 -o b/small.c
cmp -s a/small.c b/small.c || bad "two runs with --split=7 differ"
finish
