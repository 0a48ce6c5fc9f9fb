# --eval on a function with out parameters: after the table of f_vjp
# against central differences, the sparse Jacobian (f_jac_sparse) beside
# f_jac and the differences, with the pattern's size and the colours; on a
# file with no such function (seed.fn) --eval still works, without it.
. "$2/lib.sh"

command -v "${CC%% *}" >/dev/null 2>&1 || skip "no C compiler ($CC) for --eval"
cp "$SAMPLES/mlp.fn" mlp.fn
cp "$SAMPLES/seed.fn" seed.fn
cat >chain.fn <<'FN'
# y[i] = x[i] * x[i-1]: two entries a row but the first, two colours
fn chain(int n, x[n], out y[n]) { for i in 1..n { y[i] = x[i] * x[i - 1]; } }
# an arrowhead: every y[i] reads x[0]; a dense column, still 2 colours
fn arrow(int n, x[n], out y[n]) { for i in 0..n { y[i] = sin(x[0]) * x[i]; } }
FN



run chain.fn --eval 'chain(4, [1, 2, 3, 4])'
expect_status 0 "--eval 'chain(4, [...])'"
expect_stderr_empty "--eval 'chain(4, [...])'"
sparse_check "sparse Jacobian (chain_jac_sparse): 6 of 16 entries can be nonzero; 2 colours: 2 directions of chain_jvp instead of 4" 1e-6
# the rows of the sparse table: output, input, sparse, dense, difference
awk '$1 == "y[2]" && $2 == "x[1]" && $3 == 3 && $4 == 3 { ok = 1 } END { exit !ok }' "$OUTF" ||
    { bad "no sparse row 'y[2] x[1] 3 3 ...'"; show_stdout; }
awk '/^sparse Jacobian/ { s = 1 } s && $1 == "y[0]" { bad = 1 } END { exit !bad }' "$OUTF" &&
    bad "the sparse table lists a row outside the pattern"

run chain.fn --eval 'arrow(5, [0.5, 1, 2, 3, 4])'
expect_status 0 "--eval 'arrow(5, [...])'"
sparse_check "sparse Jacobian (arrow_jac_sparse): 9 of 25 entries can be nonzero; 2 colours" 1e-6

# a sample with 2-D inputs and several outputs
run mlp.fn --eval 'hidden(2, 2, [[0.5, -1], [2, 0.25]], [0.1, -0.2], [1, 2])'
expect_status 0 "--eval 'hidden(...)'"
sparse_check "sparse Jacobian (hidden_jac_sparse): " 1e-6

# no function with out parameters in the file: no sparse section, no error
run seed.fn --eval 'f(2, 1)'
expect_status 0 "--eval 'f(2, 1)' on seed.fn"
expect_stderr_empty "--eval 'f(2, 1)' on seed.fn"
grep -q 'sparse' "$OUTF" && bad "--eval without --hessian on a returning function shows a sparse form"
expect_listing . "chain.fn mlp.fn seed.fn" "--eval writes nothing"

finish
