# A solver example of examples/ (its folder name is the argument) built
# against the installed gradc with its solver library found by CMake, then
# run: its ctest checks that the solver converged to the known answer with
# gradc's derivatives. Skipped (77) when the library is not installed
# (scripts/setup-deps installs them).
. "$(dirname "$0")/lib.sh"

example=$1
package=$2
if ! dpkg -s "$package" >/dev/null 2>&1; then
    echo "SKIP: $package is not installed (scripts/setup-deps installs it)"
    exit 77
fi
cp -R "$GRADC_SOURCE/examples/$example" src
B=$WORK/build
step "configuring examples/$example" "$CMAKE" -S src -B "$B" -G "$GENERATOR" \
    -DCMAKE_PREFIX_PATH="$PREFIX" -DCMAKE_BUILD_TYPE=RelWithDebInfo
step "building examples/$example" "$CMAKE" --build "$B" --parallel "$JOBS"
step "ctest in examples/$example" "$CTEST" --test-dir "$B" -V
log_has "100% tests passed" "ctest in examples/$example"
log_has "ok: " "the example's own verdict"
cat "$LOG"
finish
