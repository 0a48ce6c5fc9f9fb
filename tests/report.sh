# How the shell tests (tests/cli, tests/integration) report: `bad` counts a
# failed check and goes on, `note` says what was measured, `finish` ends the
# script with the verdict. Sourced by their lib.sh after TEST, FAILURES and
# WORK are set.

bad() {
    echo "FAIL $TEST: $*"
    FAILURES=$((FAILURES + 1))
}

note() {
    echo "-- $*"
}

finish() {
    if [ "$FAILURES" -ne 0 ]; then
        echo "$TEST: $FAILURES check(s) failed (files kept in $WORK)"
        exit 1
    fi
    echo "ok $TEST"
    exit 0
}
