# Shared helpers of the tests/cli scripts (POSIX sh). A script is run as
#   sh SCRIPT GRADC CLI_SOURCE_DIR SAMPLES_DIR WORK_DIR
# and starts with `. "$2/lib.sh"`. It works in WORK_DIR, which is emptied
# first, collects failures with `bad`, and ends with `finish`.
set -u

GRADC=$1
CLI_SRC=$2
SAMPLES=$3
WORK=$4
TEST=$(basename "$0" .sh)
FAILURES=0

OUTF=$WORK.stdout
ERRF=$WORK.stderr

rm -rf "$WORK" "$OUTF" "$ERRF"
mkdir -p "$WORK" || { echo "FAIL: cannot create $WORK"; exit 1; }
cd "$WORK" || exit 1

. "$CLI_SRC/../report.sh"

skip() {
    echo "SKIP $TEST: $*"
    exit 77
}

# run [ARGS...]: runs gradc in the current directory with a 60 s limit;
# sets STATUS and leaves standard output and error in $OUTF and $ERRF
# (beside WORK_DIR, so that they are in no folder the tests list).
run() {
    if command -v timeout >/dev/null 2>&1; then
        timeout 60 "$GRADC" "$@" >"$OUTF" 2>"$ERRF"
    else
        "$GRADC" "$@" >"$OUTF" 2>"$ERRF"
    fi
    STATUS=$?
    if [ "$STATUS" -eq 124 ]; then
        bad "gradc $* did not finish within 60 s"
    elif [ "$STATUS" -gt 128 ]; then
        bad "gradc $* was killed by signal $((STATUS - 128))"
    fi
    if grep -q 'internal error' "$ERRF"; then
        bad "gradc $* reported an internal error:"
        head -c 2000 "$ERRF"
    fi
}

show_stderr() {
    echo "--- standard error:"
    head -c 3000 "$ERRF"
    echo "---"
}

# expect_status N WHAT
expect_status() {
    if [ "$STATUS" -ne "$1" ]; then
        bad "$2: exit status $STATUS, expected $1"
        show_stderr
    fi
}

# expect_stderr_has TEXT WHAT: a fixed string in standard error
expect_stderr_has() {
    if ! grep -F -q -e "$1" "$ERRF"; then
        bad "$2: standard error lacks \"$1\""
        show_stderr
    fi
}

expect_stderr_empty() {
    if [ -s "$ERRF" ]; then
        bad "$1: unexpected standard error"
        show_stderr
    fi
}

expect_stdout_empty() {
    if [ -s "$OUTF" ]; then
        bad "$1: unexpected standard output:"
        head -c 2000 "$OUTF"
    fi
}

expect_file() {
    [ -f "$1" ] || bad "$2: $1 was not written"
}

expect_no_file() {
    [ ! -e "$1" ] || bad "$2: $1 exists but should not"
}

# listing DIR: the names in DIR, one a line, sorted (hidden ones too)
listing() {
    (cd "$1" && ls -A | LC_ALL=C sort)
}

# expect_listing DIR "NAMES" WHAT: DIR holds exactly these names
expect_listing() {
    got=$(listing "$1" | tr '\n' ' ' | sed 's/ $//')
    if [ "$got" != "$2" ]; then
        bad "$3: $1 holds [$got], expected [$2]"
    fi
}

# stamp FILE: content hash, size, mode and modification time, to see that
# a file was left alone
stamp() {
    if [ -e "$1" ]; then
        printf '%s %s\n' "$(cksum <"$1")" "$(ls -l --time-style=+%s.%N "$1" 2>/dev/null ||
            ls -l "$1")"
    else
        echo "absent"
    fi
}

# with_timeout SECONDS CMD...: CMD with a time limit where `timeout` exists
with_timeout() {
    t=$1
    shift
    if command -v timeout >/dev/null 2>&1; then
        timeout "$t" "$@"
    else
        "$@"
    fi
}

# show_stdout: the start of the last run's standard output, for a failure
show_stdout() {
    echo "--- standard output:"
    head -c 6000 "$OUTF"
    echo "---"
}

# sparse_check HEAD LIMIT: --eval's sparse section (f_jac_sparse, or
# f_hess_sparse with --hessian) starts with the line HEAD; sparse and dense
# agree exactly, sparse and the central differences within LIMIT; nothing
# lies outside the pattern; no warning
sparse_check() {
    grep -Fq "$1" "$OUTF" || { bad "no line '$1'"; show_stdout; }
    if ! awk -v lim="$2" '
        /^largest \|sparse - dense\|: / { seen = 1; split($0, p, /: |; /); if (p[2] + 0 != 0 || p[4] + 0 > lim + 0) exit 1 }
        /^outside the pattern: / { out = 1; if ($7 + 0 != 0) exit 1 }
        END { exit !(seen && out) }' "$OUTF"; then
        bad "the sparse form: not exact against the dense one, or not within $2 of the differences"
        show_stdout
    fi
    grep -q '^warning' "$OUTF" && { bad "a warning"; show_stdout; }
}

CC=${CC:-cc}
STRICT_CFLAGS="-std=c99 -Wall -Wextra -pedantic -Werror"
