# man gradc (docs/gradc.1) and gradc --help document the same options, and
# the page is valid troff.
. "$2/lib.sh"

page="$CLI_SRC/../../docs/gradc.1"
[ -f "$page" ] || { bad "no docs/gradc.1"; finish; }
run --help
expect_status 0 "--help"
grep -Eo -- '(^|[ [])-(-[a-z][a-z-]*|MD|O0|o)' "$OUTF" | sed 's/^[ [ ]*//' | sort -u > help.txt
sed 's/\\-/-/g; s/\\f[BIR]//g' "$page" | grep -Eo -- '(^|[ [(])-(-[a-z][a-z-]*|MD|O0|o)' |
    sed 's/^[ [( ]*//' | sort -u > man.txt
if ! cmp -s help.txt man.txt; then
    bad "--help and docs/gradc.1 list different options"
    diff help.txt man.txt
fi
if command -v man >/dev/null 2>&1; then
    MANWIDTH=80 man -l "$page" >page.txt 2>page.err || bad "man cannot format docs/gradc.1"
    grep -q 'EXIT STATUS' page.txt || bad "the formatted page has no EXIT STATUS"
fi
finish
