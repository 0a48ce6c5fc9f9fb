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

# errors in the file come first: exit 1
printf 'fn f(x) = x + velocity;\n' >bad.fn
run bad.fn --eval 'f(1)'
expect_status 1 "--eval on a file with errors"
expect_stderr_has "bad.fn:1:15: error:" "--eval on a file with errors"

finish
