# examples/consumer against the installed gradc: find_package(gradc CONFIG
# REQUIRED), gradc_add_sources, its gradient check under ctest; then what
# a rebuild does: nothing when nothing changed (also after configuring
# again or editing main.c), regeneration when the .fn or OPTIONS change, a
# failed build with gradc's diagnostic when the .fn has an error.
. "$(dirname "$0")/lib.sh"

cp -R "$CONSUMER" src
B=$WORK/build
GEN=$B/gradc/consumer

configure() {
    step "configuring the consumer" "$CMAKE" -S src -B "$B" -G "$GENERATOR" -DCMAKE_PREFIX_PATH="$PREFIX"
}
build() {
    step "building the consumer ($1)" "$CMAKE" --build "$B" --parallel "$JOBS"
}

configure
grep -q "^gradc_DIR:PATH=$PREFIX/lib/cmake/gradc\$" "$B/CMakeCache.txt" ||
    bad "find_package did not find the installed package: $(grep gradc_DIR "$B/CMakeCache.txt")"
build "first build"
log_has "gradc: generating" "first build"
for f in model.c model.h; do
    [ -f "$GEN/$f" ] || bad "$GEN/$f was not generated"
done
grep -q '^#line' "$GEN/model.c" || bad "model.c has no #line directives (OPTIONS had no --no-line)"
grep -q 'f_jvp' "$GEN/model.h" && bad "model.h declares f_jvp: OPTIONS --routines=grad was not passed"
step "ctest in the consumer" "$CTEST" --test-dir "$B" --output-on-failure
log_has "100% tests passed" "ctest in the consumer"
step "the consumer" "$B/consumer"
first_value=$(grep '^f(x) = ' "$LOG")
log_has "ok: the gradient agrees" "the consumer"

c=$(stamp "$GEN/model.c")
h=$(stamp "$GEN/model.h")
exe=$(stamp "$B/consumer")

build "nothing changed"
log_lacks "gradc: generating" "a build with nothing changed"
same "$GEN/model.c" "$c" "a build with nothing changed"
same "$GEN/model.h" "$h" "a build with nothing changed"
same "$B/consumer" "$exe" "a build with nothing changed"

configure
build "after configuring again"
log_lacks "gradc: generating" "a build after configuring again"
same "$GEN/model.c" "$c" "a build after configuring again"
same "$B/consumer" "$exe" "a build after configuring again"

tick
touch src/main.c
build "main.c touched"
log_lacks "gradc: generating" "a build after touching main.c"
same "$GEN/model.c" "$c" "a build after touching main.c"
changed "$B/consumer" "$exe" "a build after touching main.c"

# an edit of the .fn: regenerated, rebuilt, and the program computes the new f
tick
sed 's/let s = 1;/let s = 2;/' src/model.fn >src/model.fn.new && mv src/model.fn.new src/model.fn
grep -q 'let s = 2;' src/model.fn || bad "the test could not edit model.fn"
build "model.fn edited"
log_has "gradc: generating" "a build after editing model.fn"
changed "$GEN/model.c" "$c" "a build after editing model.fn"
step "the consumer after editing model.fn" "$B/consumer"
log_has "ok: the gradient agrees" "the consumer after editing model.fn"
[ "$(grep '^f(x) = ' "$LOG")" != "$first_value" ] ||
    bad "the consumer computes the old f after model.fn was edited ($first_value)"
c=$(stamp "$GEN/model.c")
build "nothing changed after the edit"
log_lacks "gradc: generating" "a build with nothing changed after the edit"
same "$GEN/model.c" "$c" "a build with nothing changed after the edit"

# an error in the .fn: the build fails with gradc's diagnostic, the
# generated files stay as they were; fixing it builds again
tick
cp src/model.fn model.fn.good
printf 'fn broken(x) = x + y;\n' >>src/model.fn
fails "a build of a .fn with an error" "$CMAKE" --build "$B" --parallel "$JOBS"
log_has "model.fn:14:20: error: 'y' is not declared" "a build of a .fn with an error"
same "$GEN/model.c" "$c" "a failed build"
tick
cp model.fn.good src/model.fn
build "model.fn fixed"
log_has "gradc: generating" "a build after fixing model.fn"

# OPTIONS reach gradc, and changing them regenerates
tick
sed 's/OPTIONS --routines=grad/OPTIONS --routines=grad --no-line/' src/CMakeLists.txt >src/CMakeLists.txt.new &&
    mv src/CMakeLists.txt.new src/CMakeLists.txt
grep -q -e '--no-line' src/CMakeLists.txt || bad "the test could not edit CMakeLists.txt"
build "OPTIONS changed"
log_has "gradc: generating" "a build after changing OPTIONS"
grep -q '^#line' "$GEN/model.c" && bad "model.c has #line directives after OPTIONS got --no-line"
step "ctest in the consumer, at the end" "$CTEST" --test-dir "$B" --output-on-failure

finish
