# --eval on samples/seed.fn: f(2, 1) = 54, df/dx0 = 39, df/dx1 = 84, and
# the finite-difference estimate beside each; nothing written.
. "$2/lib.sh"

command -v "${CC%% *}" >/dev/null 2>&1 || skip "no C compiler ($CC) for --eval"
cp "$SAMPLES/seed.fn" seed.fn

run seed.fn --eval 'f(2, 1)'
expect_status 0 "--eval 'f(2, 1)'"
grep -Eq '^f\(2, 1\) = 54$' "$OUTF" || bad "no line 'f(2, 1) = 54'"
# input, gradient, central difference, |difference|
awk '$1 == "x0" && $2 == 39 && $3 > 38.999 && $3 < 39.001 { ok = 1 } END { exit !ok }' "$OUTF" ||
    bad "no row 'x0 39 ~39'"
awk '$1 == "x1" && $2 == 84 && $3 > 83.999 && $3 < 84.001 { ok = 1 } END { exit !ok }' "$OUTF" ||
    bad "no row 'x1 84 ~84'"
expect_listing . "seed.fn" "--eval writes nothing"
if [ "$FAILURES" -ne 0 ]; then
    echo "--- standard output:"
    cat "$OUTF"
    show_stderr
fi

# spacing of the call does not matter
run seed.fn --eval ' f ( 2 ,1 ) '
expect_status 0 "--eval ' f ( 2 ,1 ) '"
grep -q '= 54$' "$OUTF" || bad "--eval ' f ( 2 ,1 ) ' does not give 54"

# other number forms
run seed.fn --eval 'f(2.0, 1e0)'
expect_status 0 "--eval 'f(2.0, 1e0)'"
grep -q '= 54$' "$OUTF" || bad "--eval 'f(2.0, 1e0)' does not give 54"
run seed.fn --eval 'f(-2, -1)'
expect_status 0 "--eval 'f(-2, -1)'"
grep -q '= -54$' "$OUTF" || bad "--eval 'f(-2, -1)' does not give -54"

finish
