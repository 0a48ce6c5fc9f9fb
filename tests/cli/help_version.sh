# --help and --version: exit 0, text on standard output, no file.
. "$2/lib.sh"

for opt in --help -h; do
    run "$opt"
    expect_status 0 "$opt"
    expect_stderr_empty "$opt"
    grep -q '^usage: gradc' "$OUTF" || bad "$opt: no usage line"
    for o in -o --header --emit --eval; do
        grep -q -e "$o" "$OUTF" || bad "$opt does not describe $o"
    done
done

run --version
expect_status 0 "--version"
expect_stderr_empty "--version"
grep -Eq '^gradc [0-9]+\.[0-9]+\.[0-9]+$' "$OUTF" || bad "--version: unexpected text: $(cat "$OUTF")"

# with an input file too: still only the help
cp "$SAMPLES/seed.fn" seed.fn
run seed.fn --help
expect_status 0 "seed.fn --help"
expect_listing . "seed.fn" "--help writes nothing"

finish
