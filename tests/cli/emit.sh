# --emit=c|h|ast|ir prints one artefact on standard output and writes no
# file; --emit=c and --emit=h print what a default-name compile writes.
. "$2/lib.sh"

cp "$SAMPLES/seed.fn" seed.fn
mkdir ref
(cd ref && "$GRADC" ../seed.fn) || bad "gradc ../seed.fn failed"

for kind in c h ast ir; do
    mkdir "e_$kind"
    cd "e_$kind"
    run ../seed.fn "--emit=$kind"
    expect_status 0 "--emit=$kind"
    expect_stderr_empty "--emit=$kind"
    [ -s "$OUTF" ] || bad "--emit=$kind printed nothing"
    expect_listing . "" "--emit=$kind writes no file"
    cp "$OUTF" "../out.$kind"
    cd ..
done

cmp -s out.c ref/seed.c || bad "--emit=c differs from the seed.c that gradc writes"
cmp -s out.h ref/seed.h || bad "--emit=h differs from the seed.h that gradc writes"
grep -q 'f_grad' out.c || bad "--emit=c has no f_grad"
grep -q 'fn f' out.ast || bad "--emit=ast does not show the function"
grep -q 'f_grad' out.ir || bad "--emit=ir has no f_grad"

# while and break: the AST shows them; the IR shows a loop with no bound
# that ends when its exit flag is set, and the reverse sweep running the
# iterations counted
mkdir loops
cat > loops/w.fn <<'EOF'
fn w(x) {
    let y = x;
    while (y > 1) { y = y / 2; if (y < 1.5) { break; } }
    return y;
}
EOF
(cd loops && "$GRADC" w.fn --emit=ast > w.ast && "$GRADC" w.fn --emit=ir > w.ir) ||
    bad "--emit=ast or ir of a while loop failed"
grep -q '(while' loops/w.ast || bad "--emit=ast does not show the while loop"
grep -q '(break' loops/w.ast || bad "--emit=ast does not show break"
grep -q 'in 0 \.\. _ until done' loops/w.ir || bad "--emit=ir does not show the loop's exit flag"
grep -q 'in 0 \.\.< trips' loops/w.ir || bad "--emit=ir: the reverse loop does not run the counted trips"
rm -r loops

# sub-array arguments of a call that stays a call are pointers into the
# array, never copies; a row written once (H[t + 1] from H[t]) is read
# again by the reverse sweep, not saved; a row written after the call
# reads it is saved, and the comment above the loop names it
mkdir rows
printf 'fn dot(int n, a[n], b[n]) {\n  let s = 0;\n  for i in 0..n { s += a[i] * b[i]; }\n  return s;\n}\nfn step(int n, h[n], out y[n]) {\n  for i in 0..n { y[i] = tanh(dot(n, h, h) + h[i]); }\n}\nfn f(int n, int T, h0[n]) {\n  let H[T + 1][n];\n  for j in 0..n { H[0][j] = h0[j]; }\n  for t in 0..T { step(n, H[t], H[t + 1]); }\n  return H[T][0];\n}\n' >rows/r.fn
"$GRADC" rows/r.fn --no-inline --no-line --routines=grad --emit=c >rows/r.c || bad "gradc rows/r.fn failed"
grep -q 'step(n, H + t \* n, H + t[0-9]* \* n);' rows/r.c ||
    bad "the rows H[t], H[t + 1] are not passed as pointers into H"
grep -q 'H_row' rows/r.c && bad "a row is copied for a call"
grep -q 'gradc_pusha' rows/r.c && bad "a row written once is saved for the reverse sweep"
sed 's/step(n, H\[t\], H\[t + 1\])/step(n, H[t + 1], H[t])/; s/H\[0\]\[j\]/H[T][j]/' rows/r.fn >rows/back.fn
"$GRADC" rows/back.fn --no-inline --no-line --routines=grad --emit=c >rows/back.c || bad "gradc rows/back.fn failed"
grep -B2 'for (int t = 0; t < T; t++)' rows/back.c | grep -q 'saves a row of H before a call reads it' ||
    bad "the loop that saves a row for a call does not say so"
grep -q 'gradc_pusha(gradc_t, H + t[0-9]* \* n, gradc_count(n, 1));' rows/back.c ||
    bad "a row read before it is written is not saved as a row"
rm -r rows

# replayed loops (tests/numeric/replay.fn): the reverse sweep runs the inner
# loop again for its carried value, and the forward sweep does not save it
"$GRADC" "$CLI_SRC/../numeric/replay.fn" --no-line --routines=grad --emit=c >replay.c ||
    bad "gradc replay.fn failed"
grad_of() { awk "/^double $1_grad\\(/,/^}/" replay.c; }
grad_of nested_read | grep -q 'again, forwards, for the values of' || bad "nested_read_grad does not replay its loop"
# a replay whose reverse loop adds only into its own elements runs in the
# reverse loop itself, forwards (fuse.c): the replayed value is restored after it
for f in llsq from_data two carried_on; do
    grad_of $f | grep -q 'as it was before the loop' || bad "${f}_grad does not run its replay in its reverse loop"
    grad_of $f | grep -q 'again, forwards' && bad "${f}_grad keeps a replay apart from its reverse loop"
done
for f in with_stash active_carry; do
    grad_of $f | grep -q 'again, forwards\|as it was before the loop' && bad "${f}_grad replays a loop it must not"
done
grad_of llsq | sed '/reverse sweep/q' | grep -q 'gradc_push(gradc_t, mul)' &&
    bad "llsq_grad's forward sweep saves the replayed power"
grad_of llsq | grep -q 'saves nothing: the reverse sweep runs it again for mul' ||
    bad "llsq_grad's inner loop does not say that it is replayed"
rm replay.c

# late snapshots (tests/numeric/late_snap.fn): an array read before the
# statement that writes it is saved just before that statement, and the
# reads are recomputed from it rather than saved one by one
"$GRADC" "$CLI_SRC/../numeric/late_snap.fn" --no-line --routines=grad --emit=c >late.c ||
    bad "gradc late_snap.fn failed"
late_of() { awk "/^double $1_grad\\(/,/^}/" late.c; }
late_of rnn | grep -q 'each iteration saves the whole array h before line 25 writes it' ||
    bad "rnn_grad does not save h before the statement that writes it"
[ "$(late_of rnn | sed '/\/\* reverse sweep \*\//q' | grep -c 'gradc_push(')" = 1 ] ||
    bad "rnn_grad's forward sweep saves more than tanh(z[i])"
late_of two | grep -q 'saves the whole arrays g as it starts and h before line 79 writes it' ||
    bad "two_grad does not say where it saves g and h"
late_of top_read | grep -q 'gradc_push(gradc_t, first)' ||
    bad "top_read_grad recomputes a top-level read of h from the snapshot"
rm late.c

# reverse loops skipped where their adjoint seeds are 0 (tests/numeric/skip.fn)
"$GRADC" "$CLI_SRC/../numeric/skip.fn" --no-line --emit=c >skip.c || bad "gradc skip.fn failed"
awk '/^double kmeans_grad\(/,/^}/' skip.c | grep -A3 'int t[0-9]* = d_dist != 0.0;' |
    grep -q 'skipped where its adjoint seed is 0' || bad "kmeans_grad's distance loop is not skipped at a zero seed"
awk '/^double scaled_hvp\(/,/^}/' skip.c | grep -q 'dd_s != 0.0' ||
    bad "scaled_hvp's guard does not test the seed's tangent"
awk '/^double kmeans\(/,/^}/' skip.c | grep -q 'skipped where' && bad "the primal kmeans has a skipped loop"
awk '/^double roots_grad\(/,/^}/' skip.c | grep -q 'skipped where' &&
    bad "roots_grad skips a loop with sqrt: a zero seed there must still give NaN at 0"
rm skip.c

# errors in the input: exit 1, the diagnostics, nothing on standard output
cp "$CLI_SRC/bad.fn" bad.fn
for kind in c h ast ir; do
    run bad.fn "--emit=$kind"
    expect_status 1 "--emit=$kind on bad.fn"
    expect_stdout_empty "--emit=$kind on bad.fn"
    expect_stderr_has "bad.fn:2:15: error:" "--emit=$kind on bad.fn"
done
expect_listing . "bad.fn e_ast e_c e_h e_ir out.ast out.c out.h out.ir ref seed.fn" "after --emit on bad.fn"

finish
