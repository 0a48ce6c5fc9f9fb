# gradc under valgrind: error cases, a good case, --emit, --eval and bad
# usage must show no memory error and no definite leak. Skipped (77)
# without valgrind.
. "$2/lib.sh"

command -v valgrind >/dev/null 2>&1 || skip "valgrind not found"

cp "$SAMPLES/seed.fn" seed.fn
cp "$CLI_SRC/good.fn" good.fn
cp "$CLI_SRC/bad.fn" bad.fn
DIAG=$CLI_SRC/../diag
mkdir out

# vg EXPECTED_STATUS ARGS...
vg() {
    want=$1
    shift
    with_timeout 300 valgrind -q --error-exitcode=99 --leak-check=full \
        --errors-for-leak-kinds=definite "$GRADC" "$@" >"$OUTF" 2>"$ERRF"
    STATUS=$?
    if [ "$STATUS" -eq 99 ] || grep -q '^==[0-9]*==' "$ERRF"; then
        bad "valgrind reports errors for gradc $*:"
        grep '^==' "$ERRF" | head -60
    elif [ "$STATUS" -ne "$want" ]; then
        bad "gradc $* under valgrind: exit $STATUS, expected $want"
        show_stderr
    fi
}

vg 0 seed.fn -o out/seed.c
vg 0 good.fn -o out/good.c
vg 0 good.fn -O0 --emit=c
vg 0 good.fn --emit=ir
vg 0 good.fn --emit=ast
vg 1 bad.fn -o out/bad.c
vg 1 bad.fn --emit=ast
for c in lex_nul lex_nonascii_ident lex_lone_amp syn_unclosed_paren syn_eof_in_block \
         syn_keyword_param multi_syntax multi_sema rec_mutual name_fn_generated \
         arr_const_index_2d type_chained; do
    [ -f "$DIAG/$c.fn" ] || { bad "no $DIAG/$c.fn"; continue; }
    vg 1 "$DIAG/$c.fn" -o out/x.c
done
vg 2 seed.fn --frobnicate
vg 2 nothere.fn
vg 2 seed.fn -o nofolder/x.c
vg 2 seed.fn --eval 'f(2)'
if command -v "${CC%% *}" >/dev/null 2>&1; then
    vg 0 seed.fn --eval 'f(2, 1)'
fi
expect_listing out "good.c good.h seed.c seed.h" "the outputs of the runs"

finish
