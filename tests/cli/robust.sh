# Hostile and extreme inputs, generated here at test time (deterministic,
# never random across runs). Whatever the input, gradc must end by itself,
# in bounded time (60 s), with exit 0 (and both outputs written) or exit 1
# (a diagnostic, and nothing written): never a crash, an abort, an
# "internal error" or a hang.
#   sh robust.sh GRADC CLI_SRC SAMPLES WORK CASE
. "$2/lib.sh"
CASE=$5
TEST=robust_$CASE

# repeat N TEXT: TEXT N times, no newline
repeat() {
    awk -v n="$1" -v s="$2" 'BEGIN { for (i = 0; i < n; i++) printf "%s", s }'
}

want=any        # any: exit 0 or 1; 0: must compile; 1: must be refused
compile_c=no    # yes: the C written must also compile
case $CASE in
parens_100k)
    # 100,000 parentheses around an expression
    { printf 'fn f(x) = '; repeat 100000 '('; printf 'x + 1'; repeat 100000 ')'; printf ';\n'; } >in.fn
    compile_c=yes
    ;;
sum_300k)
    # one function, a sum of 300,000 terms: a valid program (slow)
    { printf 'fn f(x) = x'; repeat 299999 ' + x'; printf ';\n'; } >in.fn
    want=0
    ;;
ident_100k)
    # a 100,000-character identifier
    { printf 'fn f(x) = x + '; repeat 100000 'a'; printf ';\n'; } >in.fn
    ;;
garbage_1mib)
    # 1 MiB of binary garbage from a fixed-seed Park-Miller generator
    LC_ALL=C awk 'BEGIN { x = 20240229
        for (i = 0; i < 1048576; i++) { x = (x * 16807) % 2147483647; printf "%c", x % 256 } }' >in.fn
    size=$(wc -c <in.fn | tr -d ' ')
    [ "$size" -eq 1048576 ] || bad "the garbage file has $size bytes, not 1048576 (awk cannot print NUL?)"
    want=1
    ;;
tokens_1mib)
    # 1 MiB of random .fn tokens: plausible-looking nonsense for the parser
    LC_ALL=C awk 'BEGIN { n = split("fn ( ) { } [ ] let x y = ; + - * / ^ return if else for in .. 1 2.5 , < > && || ! ? : out int const", t, " ")
        x = 777; len = 0
        while (len < 1048576) { x = (x * 16807) % 2147483647; s = t[x % n + 1] " "; printf "%s", s; len += length(s) } }' >in.fn
    want=1
    ;;
empty)
    : >in.fn
    compile_c=yes
    ;;
comments_only)
    printf '# only comments\n// and more\n#\n//\n# caf\303\251 \342\210\202f/\342\210\202x\n// no newline at the end' >in.fn
    compile_c=yes
    ;;
nested_if_10k)
    # if statements nested 10,000 deep (slow)
    { printf 'fn f(x) {\n    let y = x;\n'
      awk 'BEGIN { for (i = 0; i < 10000; i++) printf "if (x > %d) {\n", i }'
      printf 'y = y * 2 + 1;\n'
      awk 'BEGIN { for (i = 0; i < 10000; i++) print "}" }'
      printf '    return y;\n}\n'; } >in.fn
    ;;
*)
    bad "unknown case $CASE"
    finish
    ;;
esac

# bounded memory too: 6 GiB of address space (gradc reserves 1 GiB of it
# for its stack); past that, allocation fails and gradc must say so.
# GRADC_TEST_VMEM_KB=0 lifts the limit (AddressSanitizer builds need that).
vmem=${GRADC_TEST_VMEM_KB:-6291456}
if [ "$vmem" != 0 ]; then
    ulimit -v "$vmem" 2>/dev/null || note "ulimit -v is not supported: memory is not bounded"
fi

mkdir out
start=$(date +%s)
run in.fn -o out/x.c
end=$(date +%s)
note "$CASE: exit $STATUS after $((end - start)) s; input $(wc -c <in.fn | tr -d ' ') bytes"

case $STATUS in
0)
    [ "$want" = 1 ] && bad "exit 0, but this input has errors"
    expect_listing out "x.c x.h" "exit 0 writes both outputs"
    size=$(cat out/x.c out/x.h 2>/dev/null | wc -c | tr -d ' ')
    note "output: $size bytes"
    # linear: about 350 bytes a term for f, f_grad, f_jvp and f_hvp with #line
    [ "$size" -le 201326592 ] || bad "the outputs take $size bytes (over 192 MiB)"
    if [ "$compile_c" = yes ] && command -v "${CC%% *}" >/dev/null 2>&1; then
        if ! $CC $STRICT_CFLAGS -c out/x.c -o x.o 2>cc.txt; then
            bad "the C written does not compile:"
            head -30 cc.txt
        fi
    fi
    ;;
1)
    [ "$want" = 0 ] && { bad "exit 1, but this input is valid:"; show_stderr; }
    [ -s "$ERRF" ] || bad "exit 1 with no diagnostic"
    grep -q ': error: ' "$ERRF" || { bad "exit 1 without a FILE:LINE:COL: error: line"; show_stderr; }
    expect_listing out "" "exit 1 writes nothing"
    size=$(wc -c <"$ERRF" | tr -d ' ')
    [ "$size" -le 1048576 ] || bad "the diagnostics take $size bytes (over 1 MiB): the error limit does not work"
    ;;
*)
    bad "exit $STATUS: expected 0 or 1"
    show_stderr
    ;;
esac
expect_stdout_empty "$CASE"

finish
