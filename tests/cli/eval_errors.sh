# Bad --eval calls: exit 2 and a message that says what is wrong.
. "$2/lib.sh"

cp "$SAMPLES/seed.fn" seed.fn

# eval_case CALL TEXT: exit 2 and TEXT in standard error
eval_case() {
    run seed.fn --eval "$1"
    expect_status 2 "--eval '$1'"
    expect_stderr_has "$2" "--eval '$1'"
    expect_stdout_empty "--eval '$1'"
}

eval_case 'g(2, 1)' "no function 'g'"
eval_case 'f(2)' "'f' takes 2 arguments but 1 is given"
eval_case 'f(2, 1, 3)' "'f' takes 2 arguments but 3 are given"
eval_case 'f()' "'f' takes 2 arguments but 0 are given"
eval_case 'garbage' "--eval 'garbage'"
eval_case 'f(2, ' "--eval 'f(2, '"
eval_case '' "--eval ''"
eval_case 'f(a, b)' "expected a number"
eval_case 'f(2, 1) junk' "unexpected text after ')'"
eval_case 'f(2; 1)' "--eval 'f(2; 1)'"
eval_case '2 + 3' "--eval '2 + 3'"
expect_listing . "seed.fn" "bad --eval calls write nothing"

# an error in the call's text: the call again, a caret under the place
run seed.fn --eval 'f(2, x)'
expect_status 2 "--eval 'f(2, x)'"
printf "gradc: error: --eval 'f(2, x)': expected a number at column 6\n f(2, x)\n      ^\n" >want.err
cmp -s want.err "$ERRF" || { bad "--eval 'f(2, x)': not the message, the call and a caret"; show_stderr; }
rm -f want.err

# the same errors with --emit=dot: exit 2, no graph
run seed.fn --emit=dot --eval 'f(2)'
expect_status 2 "--emit=dot --eval 'f(2)'"
expect_stderr_has "'f' takes 2 arguments but 1 is given" "--emit=dot --eval 'f(2)'"
expect_stdout_empty "--emit=dot --eval 'f(2)'"

# a C compiler that cannot be run, or fails, or a temporary folder that
# cannot be made: exit 2, one message that says which
one_error() {
    n=$(grep -c 'error:' "$ERRF")
    [ "$n" -eq 1 ] || { bad "$1: $n errors reported, expected 1"; show_stderr; }
}
# run_env NAME=VALUE ARGS...: run, with NAME=VALUE in gradc's environment
# only (an assignment before a shell function may outlive the call)
run_env() {
    real=$GRADC
    assign=$1
    shift
    GRADC=env
    run "$assign" "$real" "$@"
    GRADC=$real
}
run_env CC=gradc-no-such-cc seed.fn --eval 'f(2, 1)'
expect_status 2 "CC=gradc-no-such-cc"
expect_stderr_has "gradc: error: cannot run 'gradc-no-such-cc': No such file" "CC=gradc-no-such-cc"
one_error "CC=gradc-no-such-cc"
expect_stdout_empty "CC=gradc-no-such-cc"
run_env CC=false seed.fn --eval 'f(2, 1)'
expect_status 2 "CC=false"
expect_stderr_has "gradc: error: the C compiler ('false') failed on the generated code" "CC=false"
one_error "CC=false"
run_env CC=' ' seed.fn --eval 'f(2, 1)'
expect_status 2 "CC=' '"
expect_stderr_has "gradc: error: \$CC (' ') names no C compiler" "CC=' '"
run_env TMPDIR="$WORK/no/such/folder" seed.fn --eval 'f(2, 1)'
expect_status 2 "TMPDIR missing"
expect_stderr_has "gradc: error: cannot make a temporary directory" "TMPDIR missing"
one_error "TMPDIR missing"
expect_listing . "seed.fn" "failed evaluations write nothing"

# errors in the file come first: exit 1
printf 'fn f(x) = x + velocity;\n' >bad.fn
run bad.fn --eval 'f(1)'
expect_status 1 "--eval on a file with errors"
expect_stderr_has "bad.fn:1:15: error:" "--eval on a file with errors"

finish
