#!/bin/sh
# The fuzzer checks that gradc does not crash; this checks that the C it
# writes compiles. Every input of a corpus that gradc accepts is compiled
# with the options its last byte selects in fuzz_gradc.c (and the default
# ones), and the C with $CC as strict C99:
#   cc_corpus.sh GRADC CORPUS-DIR OUT-DIR
# An input whose C does not compile, or compiles with warnings, is copied to
# OUT-DIR with the compiler's messages beside it (NAME.fn, NAME.opts,
# NAME.cc.txt). Prints a count of each; fails if any C did not compile.
set -u
gradc=$1 corpus=$2 out=$3
cc=${CC:-cc}
strict="-std=c99 -Wall -Wextra -pedantic"
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The options of fuzz_gradc.c's variant() for a last byte; "skip" for the
# variants that write no C (the AST, the graph) or have no option (primal only).
options() {
    case $(($1 % 16)) in
    2) echo "-O0" ;;
    3) echo "--no-inline" ;;
    4) echo "-O0 --no-inline" ;;
    5) echo "--routines=grad" ;;
    6) echo "--routines=jvp,hvp" ;;
    7) echo "--routines=hvp" ;;
    8) echo "--routines=jvp" ;;
    10) echo "--split=5" ;;
    11) echo "--split=1" ;;
    12) echo "--split=5 -O0" ;;
    13) echo "--split=5 --no-inline" ;;
    15) echo "--split=1 --no-line -O0 --routines=grad" ;;
    *) echo skip ;;
    esac
}

inputs=0 accepted=0 errors=0 warnings=0 crashes=0
for f in "$corpus"/*; do
    [ -f "$f" ] || continue
    inputs=$((inputs + 1))
    last=$(tail -c 1 "$f" | od -An -tu1 | tr -d ' ')
    variant=$(options "${last:-0}")
    name=$(basename "$f")
    cp "$f" "$tmp/in.fn"
    for opts in "" "$variant"; do
        [ "$opts" = skip ] && continue
        # shellcheck disable=SC2086
        "$gradc" "$tmp/in.fn" -o "$tmp/in.c" $opts >/dev/null 2>"$tmp/gradc.txt"
        status=$?
        if [ $status -eq 1 ]; then
            break       # errors in the input: every variant rejects it
        elif [ $status -ne 0 ]; then
            crashes=$((crashes + 1))
            cp "$f" "$out/crash-$name.fn"
            echo "$opts" >"$out/crash-$name.opts"
            cp "$tmp/gradc.txt" "$out/crash-$name.cc.txt"
            continue
        fi
        [ -z "$opts" ] && accepted=$((accepted + 1))
        # shellcheck disable=SC2086
        if ! $cc $strict -c "$tmp/in.c" -o "$tmp/in.o" 2>"$tmp/cc.txt"; then
            errors=$((errors + 1)) kind=error
        elif [ -s "$tmp/cc.txt" ]; then
            warnings=$((warnings + 1)) kind=warning
        else
            continue
        fi
        cp "$f" "$out/$kind-$name.fn"
        echo "$opts" >"$out/$kind-$name.opts"
        cp "$tmp/cc.txt" "$out/$kind-$name.cc.txt"
    done
done
echo "cc_corpus: $inputs inputs, $accepted accepted by gradc; C with errors: $errors," \
     "with warnings: $warnings; gradc crashes: $crashes (details in $out)"
[ $errors -eq 0 ] && [ $crashes -eq 0 ]
