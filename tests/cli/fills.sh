# The optimiser drops zero fills that change nothing (opt.c): each
# function of tests/numeric/fills.fn, evaluated with --eval, must give the
# same value as with -O0 (the optimiser is exact: the same digits) and the
# same gradient to rounding. A fill dropped wrongly changes the value or
# the gradient by far more (numeric.fwd.fills checks the derivatives
# against finite differences).
. "$2/lib.sh"

command -v "${CC%% *}" >/dev/null 2>&1 || skip "no C compiler ($CC) for --eval"
cp "$CLI_SRC/../numeric/fills.fn" fills.fn

# same CALL: --eval CALL with and without -O0
same() {
    run fills.fn --eval "$1"
    expect_status 0 "--eval '$1'"
    cp "$OUTF" opt.txt
    run fills.fn -O0 --eval "$1"
    expect_status 0 "-O0 --eval '$1'"
    cp "$OUTF" raw.txt
    if [ "$(head -1 opt.txt)" != "$(head -1 raw.txt)" ]; then
        bad "--eval '$1': the value differs from -O0's: $(head -1 opt.txt), $(head -1 raw.txt)"
    fi
    # the gradient column, row by row, within 1e-12 (relative)
    if ! awk 'NR == FNR { if (/^input/) t1 = 1; else if (t1 && NF >= 3) g[$1] = $2; next }
              /^input/ { t2 = 1; next }
              t2 && NF >= 3 {
                  rows++; d = g[$1] - $2; if (d < 0) d = -d; s = $2 < 0 ? -$2 : $2
                  if (!($1 in g) || d > 1e-12 * (1 + s)) { print "  " $1 ": " g[$1] " against " $2; bad = 1 }
              }
              END { exit bad || rows == 0 }' opt.txt raw.txt; then
        bad "--eval '$1': the gradient differs from -O0's"
    fi
}

x='[0.3, -1.2, 0.8]'
same "covered(3, $x)"
same "gap(3, $x)"
same "broken(3, $x)"
same "partial(3, $x)"
same "unused(3, 0, $x)"
same "unused(3, 2, $x)"
same "matrix(3, $x)"
same "twice(3, $x)"
same "fresh(3, $x)"
same "forward_subst(3, $x)"
same "forward_subst(4, [0.5, -0.3, 0.8, 1.1])"

finish
