# --eval 'f(...)' --hessian: after the gradient table, the Hessian from
# f_hvp, the central differences of f_grad beside it, and the largest
# |difference|; then the sparse Hessian (f_hess_sparse) beside f_hess and
# the differences, with its pattern's size and colours. On samples/rosenbrock.fn at the usual start (-1.2, 1) the
# Hessian is known exactly: [[1330, 480], [480, 200]]. Also with arrays
# and const inputs, and the usage errors (no --eval; out parameters).
. "$2/lib.sh"

command -v "${CC%% *}" >/dev/null 2>&1 || skip "no C compiler ($CC) for --eval"
cp "$SAMPLES/rosenbrock.fn" rosenbrock.fn
cp "$SAMPLES/ext_rosenbrock.fn" ext_rosenbrock.fn
cp "$SAMPLES/gaussian.fn" gaussian.fn
cp "$SAMPLES/mlp.fn" mlp.fn


# hessian_row TITLE NAME VALUES...: in the table under the line TITLE, the
# row of input NAME holds VALUES, each within 1e-6 relative (the f_hvp
# table is exact here; the differences are not)
hessian_row() {
    title=$1
    name=$2
    shift 2
    if ! awk -v title="$title" -v name="$name" -v want="$*" '
        $0 == title { table = 1; getline; next }    # and the line of column names
        table && NF == 0 { table = 0 }
        table && $1 == name {
            n = split(want, w, " ")
            if (NF - 1 != n) { print "  row " name ": " NF - 1 " entries, expected " n; exit 1 }
            for (i = 1; i <= n; i++) {
                e = $(i + 1) - w[i]; if (e < 0) e = -e
                s = w[i] < 0 ? -w[i] : w[i]
                if (e > 1e-6 * (1 + s)) { print "  row " name ": " $(i + 1) ", expected " w[i]; exit 1 }
            }
            found = 1
        }
        END { exit !found }' "$OUTF"; then
        bad "under '$title', no row '$name $*'"
        show_stdout
    fi
}

# largest_difference_below LIMIT WHAT
largest_difference_below() {
    if ! awk -v lim="$1" '
        /^largest \|difference\|: / { seen = 1; if ($3 + 0 > lim + 0) exit 1 }
        END { exit !seen }' "$OUTF"; then
        bad "$2: no line 'largest |difference|: ...' below $1"
        show_stdout
    fi
}

run rosenbrock.fn --eval 'rosenbrock(-1.2, 1)' --hessian
expect_status 0 "--eval 'rosenbrock(-1.2, 1)' --hessian"
expect_stderr_empty "--eval 'rosenbrock(-1.2, 1)' --hessian"
grep -Eq '^rosenbrock\(-1\.2, 1\) = 24\.19999999999999' "$OUTF" || bad "no line 'rosenbrock(-1.2, 1) = 24.2'"
# the gradient table is still there
awk '$1 == "x" && $2 + 0 > -215.6001 && $2 + 0 < -215.5999 { ok = 1 } END { exit !ok }' "$OUTF" ||
    bad "no gradient row 'x -215.6'"
hessian_row "Hessian (f_hvp):" x 1330 480
hessian_row "Hessian (f_hvp):" y 480 200
hessian_row "central differences of the gradient:" x 1330 480
hessian_row "central differences of the gradient:" y 480 200
largest_difference_below 1e-5 "rosenbrock(-1.2, 1)"
# the Hessian comes after the gradient table, the differences after it
order=$(grep -n -e '^input' -e '^Hessian (f_hvp):' -e '^central differences of the gradient:' \
    -e '^largest |difference|' -e '^sparse Hessian' "$OUTF" | cut -d: -f1 | tr '\n' ' ')
set -- $order
if [ $# -ne 5 ] || [ "$1" -ge "$2" ] || [ "$2" -ge "$3" ] || [ "$3" -ge "$4" ] || [ "$4" -ge "$5" ]; then
    bad "the sections are not gradient, Hessian, differences, largest difference, sparse (lines: $order)"
    show_stdout
fi

sparse_check "sparse Hessian (rosenbrock_hess_sparse): 3 of 3 entries of the lower triangle can be nonzero; 2 colours" 1e-5
expect_listing . "ext_rosenbrock.fn gaussian.fn mlp.fn rosenbrock.fn" "--eval --hessian writes nothing"

# without --hessian: no Hessian
run rosenbrock.fn --eval 'rosenbrock(-1.2, 1)'
expect_status 0 "--eval without --hessian"
grep -q 'Hessian' "$OUTF" && bad "--eval without --hessian prints a Hessian"

# a call between functions, 4 x 4: the Hessian of rosenbrock4 at (1, 1, 1, 1)
# is tridiagonal: 802 -400 / -400 1002 -400 / ... / -400 200
run rosenbrock.fn --eval 'rosenbrock4(1, 1, 1, 1)' --hessian
expect_status 0 "--eval 'rosenbrock4(1, 1, 1, 1)' --hessian"
hessian_row "Hessian (f_hvp):" x1 802 -400 0 0
hessian_row "Hessian (f_hvp):" x2 -400 1002 -400 0
hessian_row "Hessian (f_hvp):" x3 0 -400 1002 -400
hessian_row "Hessian (f_hvp):" x4 0 0 -400 200
largest_difference_below 1e-5 "rosenbrock4(1, 1, 1, 1)"
# tridiagonal: 7 entries; a path of 4 takes 3 colours (star)
sparse_check "sparse Hessian (rosenbrock4_hess_sparse): 7 of 10 entries of the lower triangle can be nonzero; 3 colours: 3 directions of rosenbrock4_hvp instead of 4" 1e-5

# an array input: one row and column per element
run ext_rosenbrock.fn --eval 'ext_rosenbrock(3, [-1.2, 1, 0.5])' --hessian
expect_status 0 "--eval 'ext_rosenbrock(3, [...])' --hessian"
hessian_row "Hessian (f_hvp):" 'x[0]' 1330 480 0
hessian_row "Hessian (f_hvp):" 'x[1]' 480 1202 -400
hessian_row "Hessian (f_hvp):" 'x[2]' 0 -400 200
largest_difference_below 1e-5 "ext_rosenbrock(3, [-1.2, 1, 0.5])"
sparse_check "sparse Hessian (ext_rosenbrock_hess_sparse): 5 of 6 entries" 1e-5

# const inputs get no row: d2/dmu2 = 4 / sigma^2, d2/dmu dsigma =
# -2 sum(y - mu) / sigma^3 = 0, d2/dsigma2 = 4 / sigma^2 - 3 sum(y - mu)^2 / sigma^4
run gaussian.fn --eval 'gaussian_nll(1, 2, 0.5, 1.5, 2, 0)' --hessian
expect_status 0 "--eval 'gaussian_nll(...)' --hessian"
hessian_row "Hessian (f_hvp):" mu 1 0
hessian_row "Hessian (f_hvp):" sigma 0 -0.53125
grep -Eq '^y[1-4] ' "$OUTF" && bad "gaussian_nll: a const input has a row"
largest_difference_below 1e-5 "gaussian_nll(1, 2, 0.5, 1.5, 2, 0)"

# usage errors: exit 2, a message, nothing written
run rosenbrock.fn --hessian
expect_status 2 "--hessian without --eval"
expect_stderr_has "--hessian" "--hessian without --eval"
expect_stdout_empty "--hessian without --eval"
run mlp.fn --eval 'hidden(1, 1, [[2]], [0.5], [1])' --hessian
expect_status 2 "--hessian on a function with out parameters"
expect_stderr_has "out" "--hessian on a function with out parameters"
expect_listing . "ext_rosenbrock.fn gaussian.fn mlp.fn rosenbrock.fn" "failed --hessian writes nothing"

finish
