# The same input and options give byte-identical output: two runs, in two
# folders, of every output kind.
. "$2/lib.sh"

cp "$SAMPLES/seed.fn" seed.fn
cp "$CLI_SRC/good.fn" good.fn
for n in 1 2; do
    mkdir "run$n"
    cd "run$n"
    for f in seed good; do
        "$GRADC" "../$f.fn" || bad "gradc $f.fn (run $n) failed"
        "$GRADC" "../$f.fn" -O0 -o "O0_$f.c" || bad "gradc $f.fn -O0 (run $n) failed"
        "$GRADC" "../$f.fn" --no-line -o "noline_$f.c" || bad "gradc $f.fn --no-line (run $n) failed"
        for kind in c h ast ir; do
            "$GRADC" "../$f.fn" "--emit=$kind" >"$f.emit.$kind" || bad "gradc $f.fn --emit=$kind (run $n) failed"
        done
    done
    cd ..
done
for f in $(listing run1); do
    cmp -s "run1/$f" "run2/$f" || bad "$f differs between two runs"
done
[ "$(listing run1)" = "$(listing run2)" ] || bad "the two runs wrote different files"
[ "$(listing run1 | wc -l)" -eq 20 ] || bad "expected 20 outputs per run, got $(listing run1 | wc -l)"

finish
