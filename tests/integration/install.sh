# cmake --install of gradc's build tree into a fresh prefix: the program,
# the CMake package (config, version, targets, functions). The other
# integration tests use this prefix (ctest fixture gradc_installed).
. "$(dirname "$0")/lib.sh"

rm -rf "$PREFIX"
step "cmake --install" "$CMAKE" --install "$GRADC_BUILD" --prefix "$PREFIX"
for f in bin/gradc lib/cmake/gradc/gradcConfig.cmake lib/cmake/gradc/gradcConfigVersion.cmake \
         lib/cmake/gradc/gradcTargets.cmake lib/cmake/gradc/gradcFunctions.cmake \
         share/man/man1/gradc.1; do
    [ -f "$PREFIX/$f" ] || bad "$f was not installed"
done
[ -x "$PREFIX/bin/gradc" ] || bad "bin/gradc is not executable"
"$PREFIX/bin/gradc" --version >"$LOG" 2>&1 || bad "the installed gradc --version failed"
# relocatable: nothing installed names the build tree
if grep -r -l -F -e "$GRADC_BUILD" "$PREFIX/lib" >"$LOG"; then
    bad "installed files name the build tree: $(cat "$LOG")"
fi

finish
