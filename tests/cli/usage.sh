# Bad usage: exit 2, a message on standard error, and no file written.
. "$2/lib.sh"

cp "$SAMPLES/seed.fn" seed.fn

# usage_case WHAT TEXT ARGS...: exit 2, TEXT in standard error, no file
usage_case() {
    what=$1
    text=$2
    shift 2
    run "$@"
    expect_status 2 "$what"
    expect_stderr_has "$text" "$what"
    expect_stdout_empty "$what"
    expect_listing . "seed.fn" "$what writes nothing"
}

usage_case "an unknown option" "unknown option '--frobnicate'" seed.fn --frobnicate
usage_case "an unknown short option" "unknown option '-x'" seed.fn -x
usage_case "--emit=bogus" "unknown --emit kind 'bogus'" seed.fn --emit=bogus
usage_case "--emit= (empty)" "unknown --emit kind ''" seed.fn --emit=
usage_case "--emit without a kind" "--emit=KIND" seed.fn --emit
usage_case "-o without its argument" "option '-o' needs an argument" seed.fn -o
usage_case "--header without its argument" "option '--header' needs an argument" seed.fn --header
usage_case "--eval without its argument" "option '--eval' needs an argument" seed.fn --eval
usage_case "no input file" "no input file" 
usage_case "no input file, only options" "no input file" -o x.c
usage_case "two input files" "more than one input file" seed.fn seed.fn
usage_case "--split=x" "--split takes a number of statements" seed.fn --split=x
usage_case "--split=-1" "--split takes a number of statements" seed.fn --split=-1
usage_case "--split= (empty)" "--split takes a number of statements" seed.fn --split=
usage_case "--emit=c with --eval" "--eval goes with --emit=dot only" seed.fn --emit=c --eval 'f(2, 1)'

finish
