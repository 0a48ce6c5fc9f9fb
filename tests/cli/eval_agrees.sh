# --eval prints each partial derivative and a central finite difference
# beside it: on smooth functions, at ordinary points, they must agree.
# A cheap end-to-end check of gradc's derivatives through the command line
# (tests/numeric holds the thorough ones).
. "$2/lib.sh"

command -v "${CC%% *}" >/dev/null 2>&1 || skip "no C compiler ($CC) for --eval"
cp "$CLI_SRC/good.fn" good.fn
printf 'fn r(x, y) = x + y;\nfn top(x, y) = r(x, y) + x;\n' >call.fn

# agree FILE CALL: every row's gradient within 1e-5 (relative) of the
# central difference
agree() {
    run "$1" --eval "$2"
    expect_status 0 "--eval '$2' on $1"
    if ! awk '
        /^input/ { table = 1; next }
        table && NF >= 3 {
            g = $2 + 0; d = $3 + 0; e = g - d; if (e < 0) e = -e
            s = d < 0 ? -d : d
            rows++
            if (e > 1e-5 * (1 + s)) { print "  " $1 ": gradient " $2 ", central difference " $3; bad = 1 }
        }
        END { exit bad || rows == 0 }' "$OUTF"; then
        bad "--eval '$2' on $1: the gradient and the central difference disagree"
        cat "$OUTF"
    fi
}

agree call.fn 'top(1.5, 0.5)'
agree good.fn 'rosenbrock(1.5, 0.5)'
agree good.fn 'smooth(0.3)'
agree good.fn 'smooth(-0.7)'
agree good.fn 'mix(1.5, 0.5, 3)'
agree good.fn 'mix(-0.2, 0.3, 2)'
agree good.fn 'top(1.5, 0.5)'
agree good.fn 'top(-0.8, 1.2)'

finish
