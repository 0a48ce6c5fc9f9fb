#!/bin/sh
# One golden case: the C and header gradc writes for samples/NAME.fn with
# --no-line, compared byte for byte with tests/golden/NAME.c and NAME.h, so
# that any change to generated code shows as a diff to review, and a
# regression in its size or shape fails. The sample is copied into a scratch
# folder first, so the names in the output are NAME.fn and NAME.h.
#
# usage: run_golden.sh GRADC SAMPLES_DIR GOLDEN_DIR NAME SCRATCH_DIR
# With UPDATE_GOLDEN=1 in the environment the goldens are rewritten from
# what gradc writes and the case passes; review the diff (git diff
# tests/golden) before committing it.
set -u
gradc=$1 samples=$2 golden=$3 name=$4 scratch=$5

fail() {
    echo "FAIL golden.$name: $*"
    exit 1
}

mkdir -p "$scratch" || fail "cannot create $scratch"
rm -rf "$scratch/$name"
mkdir "$scratch/$name" || fail "cannot create $scratch/$name"
cp "$samples/$name.fn" "$scratch/$name/" || fail "no $samples/$name.fn"
(cd "$scratch/$name" && "$gradc" "$name.fn" --no-line -o "$name.c") || fail "gradc failed"

if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
    cp "$scratch/$name/$name.c" "$golden/$name.c" && cp "$scratch/$name/$name.h" "$golden/$name.h"
    echo "golden.$name: rewritten"
    exit 0
fi
status=0
for ext in c h; do
    if ! cmp -s "$golden/$name.$ext" "$scratch/$name/$name.$ext"; then
        echo "golden.$name: $name.$ext differs from tests/golden/$name.$ext:"
        diff -u "$golden/$name.$ext" "$scratch/$name/$name.$ext" | head -60
        status=1
    fi
done
[ $status = 0 ] || fail "the generated code changed (UPDATE_GOLDEN=1 to accept it, after review)"
echo "golden.$name: $(wc -l <"$golden/$name.c") lines of C, unchanged"
