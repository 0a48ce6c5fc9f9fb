# The plain-make rule of README.md ("Plain make"), taken from the README
# itself: with the installed gradc on PATH it builds examples/consumer,
# `make -q` finds it up to date, and an edit of model.fn makes gradc run
# again (its -MD file names the rule).
. "$(dirname "$0")/lib.sh"

command -v make >/dev/null 2>&1 || { echo "SKIP $TEST: no make"; exit 77; }
cp "$CONSUMER/model.fn" "$CONSUMER/main.c" .
# the first ```make block of the README
sed -n '/^```make$/,/^```$/p' "$GRADC_SOURCE/README.md" | sed '1d;$d' >Makefile
grep -q 'gradc -MD' Makefile || bad "README.md has no make block with gradc -MD"
PATH=$PREFIX/bin:$PATH
export PATH

step "make" make
[ -f model.d ] || bad "make did not write model.d"
[ "$(cat model.d)" = "model.c model.h: model.fn" ] || bad "model.d holds [$(cat model.d)]"
step "the program make built" ./app
log_has "ok: the gradient agrees" "the program make built"
c=$(stamp model.c)
make -q >"$LOG" 2>&1 || bad "make -q: not up to date after make"

tick
touch model.fn
if make -q >"$LOG" 2>&1; then
    bad "make -q: up to date after model.fn was touched"
fi
step "make after touching model.fn" make
log_has "gradc -MD -o model.c model.fn" "make after touching model.fn"
changed model.c "$c" "make after touching model.fn"
make -q >"$LOG" 2>&1 || bad "make -q: not up to date after the second make"

finish
