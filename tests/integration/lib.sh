# Shared helpers of the tests/integration scripts (POSIX sh). ctest runs a
# script as `sh SCRIPT` with these in the environment:
#   CMAKE, CTEST   the cmake and ctest that configured gradc
#   GENERATOR      the generator gradc's build uses (the projects use it too)
#   GRADC_SOURCE   gradc's source tree;  GRADC_BUILD: its build tree
#   PREFIX         where integration.install installs gradc
#   WORK           this test's own folder, emptied first
# A script collects failures with `bad` and ends with `finish`.
set -u

TEST=$(basename "$0" .sh)
FAILURES=0
CONSUMER=$GRADC_SOURCE/examples/consumer
LOG=$WORK.log

rm -rf "$WORK" "$LOG"
mkdir -p "$WORK" || { echo "FAIL: cannot create $WORK"; exit 1; }
cd "$WORK" || exit 1
# The projects must find gradc where the test says, not where the caller's
# environment points.
unset CMAKE_PREFIX_PATH CMAKE_GENERATOR CMAKE_BUILD_PARALLEL_LEVEL
JOBS=2

. "$GRADC_SOURCE/tests/report.sh"

# step WHAT CMD...: runs CMD with its output in $LOG; on failure reports
# WHAT with the end of the output and stops the test
step() {
    what=$1
    shift
    if ! "$@" >"$LOG" 2>&1; then
        bad "$what failed: $*"
        tail -n 40 "$LOG"
        finish
    fi
}

# fails WHAT CMD...: CMD must fail; its output stays in $LOG
fails() {
    what=$1
    shift
    if "$@" >"$LOG" 2>&1; then
        bad "$what succeeded, expected a failure: $*"
    fi
}

log_has() {
    grep -F -q -e "$1" "$LOG" || { bad "$2: the output lacks \"$1\""; tail -n 40 "$LOG"; }
}

log_lacks() {
    if grep -F -q -e "$1" "$LOG"; then
        bad "$2: the output has \"$1\""
        tail -n 40 "$LOG"
    fi
}

# stamp FILE: content hash and modification time (nanoseconds)
stamp() {
    if [ -e "$1" ]; then
        printf '%s %s\n' "$(cksum <"$1")" "$(stat -c %y "$1")"
    else
        echo "absent"
    fi
}

same() {
    [ "$(stamp "$1")" = "$2" ] || bad "$3: $1 changed"
}

changed() {
    [ "$(stamp "$1")" != "$2" ] || bad "$3: $1 did not change"
}

# Let the clock move on before editing a file, so that the edit is newer
# than any output even where file times are coarse.
tick() {
    sleep 1
}
