#!/bin/sh
# One golden diagnostics case: runs `gradc NAME.fn -o TMP/out/x.c` from the
# directory that holds the case (so the path in the messages is NAME.fn),
# then checks, in order:
#   - gradc ended by itself (no signal, no timeout) and printed no
#     "internal error";
#   - standard error is byte-for-byte NAME.err;
#   - the exit status: 1 when NAME.err is not empty, 0 when it is empty (a
#     case that must be accepted);
#   - on exit 1, nothing was written: the output folder is still empty (no
#     x.c, no x.h, no temporary file); on exit 0, x.c and x.h both exist;
#   - nothing on standard output.
#
# usage: run_diag.sh GRADC NAME SCRATCH_DIR
# With UPDATE_GOLDEN=1 in the environment, NAME.err is rewritten from what
# gradc prints and the case passes; review every rewritten golden by hand
# (git diff tests/diag) before committing it.
set -u

gradc=$1
name=$2
scratch=$3

fail() {
    echo "FAIL diag.$name: $*"
    exit 1
}

[ -f "$name.fn" ] || fail "no $name.fn in $(pwd)"
mkdir -p "$scratch" || fail "cannot create $scratch"
rm -rf "$scratch/$name".??????      # kept by an earlier failing run
tmp=$(mktemp -d "$scratch/$name.XXXXXX") || fail "mktemp failed"
mkdir "$tmp/out"

if command -v timeout >/dev/null 2>&1; then
    timeout 60 "$gradc" "$name.fn" -o "$tmp/out/x.c" >"$tmp/stdout" 2>"$tmp/stderr"
else
    "$gradc" "$name.fn" -o "$tmp/out/x.c" >"$tmp/stdout" 2>"$tmp/stderr"
fi
status=$?

show_stderr() {
    echo "--- gradc's standard error:"
    cat "$tmp/stderr"
    echo "---"
}

if [ "$status" -eq 124 ]; then
    fail "gradc did not finish within 60 s"
fi
if [ "$status" -gt 128 ]; then
    show_stderr
    fail "gradc was killed by signal $((status - 128))"
fi
if grep -q 'internal error' "$tmp/stderr"; then
    show_stderr
    fail "gradc reported an internal error (exit $status)"
fi

if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
    cp "$tmp/stderr" "$name.err" || fail "cannot write $name.err"
    echo "diag.$name: rewrote $name.err (exit $status); review it by hand"
    rm -rf "$tmp"
    exit 0
fi

[ -f "$name.err" ] || fail "no golden $name.err (run with UPDATE_GOLDEN=1, then review it)"

errors=0
if ! cmp -s "$name.err" "$tmp/stderr"; then
    echo "FAIL diag.$name: standard error differs from $name.err (- expected, + actual):"
    diff -u "$name.err" "$tmp/stderr" | sed '1,2d'
    errors=1
fi

if [ -s "$name.err" ]; then
    want=1
else
    want=0
fi
if [ "$status" -ne "$want" ]; then
    echo "FAIL diag.$name: exit status $status, expected $want"
    errors=1
fi

outputs=$(ls -A "$tmp/out")
if [ "$want" -eq 1 ] || [ "$status" -ne 0 ]; then
    if [ -n "$outputs" ]; then
        echo "FAIL diag.$name: gradc failed but wrote into the output folder:" $outputs
        errors=1
    fi
elif [ ! -f "$tmp/out/x.c" ] || [ ! -f "$tmp/out/x.h" ]; then
    echo "FAIL diag.$name: gradc succeeded but did not write both x.c and x.h (found:" $outputs")"
    errors=1
fi

if [ -s "$tmp/stdout" ]; then
    echo "FAIL diag.$name: gradc printed on standard output:"
    head -c 2000 "$tmp/stdout"
    errors=1
fi

if [ "$errors" -ne 0 ]; then
    echo "(files kept in $tmp)"
    exit 1
fi
rm -rf "$tmp"
echo "ok diag.$name"
exit 0
