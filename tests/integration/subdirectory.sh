# gradc as a folder of another project (add_subdirectory): the same
# gradc_add_sources, run by the gradc built in that project's tree, which
# the build makes first; gradc's own tests, benchmark and install rules are
# off by default there. Then the rebuild checks in brief: nothing when
# nothing changed, regeneration when the .fn changes.
. "$(dirname "$0")/lib.sh"

mkdir proj
cp "$CONSUMER/model.fn" "$CONSUMER/main.c" proj/
cat >proj/CMakeLists.txt <<EOF2
cmake_minimum_required(VERSION 3.20)
project(uses_gradc_in_tree LANGUAGES C)
add_subdirectory("$GRADC_SOURCE" gradc-build)
add_executable(consumer main.c)
gradc_add_sources(TARGET consumer FILES model.fn OPTIONS --no-line)
enable_testing()
add_test(NAME gradient_check COMMAND consumer)
EOF2
B=$WORK/build
GEN=$B/gradc/consumer

step "configuring" "$CMAKE" -S proj -B "$B" -G "$GENERATOR"
for opt in GRADC_TESTS GRADC_BENCH GRADC_INSTALL; do
    grep -q "^$opt:BOOL=OFF\$" "$B/CMakeCache.txt" || bad "$opt is not OFF by default in a subproject"
done
# building the consumer alone must build gradc first
step "building the consumer" "$CMAKE" --build "$B" --parallel "$JOBS" --target consumer
[ -x "$B/gradc-build/gradc" ] || bad "the in-tree gradc was not built"
log_has "gradc: generating" "the first build"
grep -q '^#line' "$GEN/model.c" && bad "model.c has #line directives: OPTIONS --no-line was not passed"
step "ctest" "$CTEST" --test-dir "$B" --output-on-failure
log_has "0 tests failed out of 1" "ctest: gradc's own tests are not added"
log_has "100% tests passed" "ctest"

c=$(stamp "$GEN/model.c")
exe=$(stamp "$B/consumer")
step "a build with nothing changed" "$CMAKE" --build "$B" --parallel "$JOBS"
log_lacks "gradc: generating" "a build with nothing changed"
same "$GEN/model.c" "$c" "a build with nothing changed"
same "$B/consumer" "$exe" "a build with nothing changed"

tick
sed 's/let s = 1;/let s = 3;/' proj/model.fn >proj/model.fn.new && mv proj/model.fn.new proj/model.fn
step "a build after editing model.fn" "$CMAKE" --build "$B" --parallel "$JOBS"
log_has "gradc: generating" "a build after editing model.fn"
changed "$GEN/model.c" "$c" "a build after editing model.fn"
changed "$B/consumer" "$exe" "a build after editing model.fn"
step "the consumer after editing model.fn" "$B/consumer"
log_has "ok: the gradient agrees" "the consumer after editing model.fn"

finish
