# Included by tests/numeric/CMakeLists.txt: numeric tests of arrays, loops,
# out parameters (f_vjp) and the memory the generated code takes, and the
# array samples. Each registers with gradc_numeric_test, so the
# numeric.cc.* compile tests pick up its generated C (default and -O0).

# Feature tests, also without IR optimisation.
foreach(t arrays vjp subarrays)
  gradc_numeric_test(NAME ${t} FN ${t}.fn DRIVER test_${t}.c)
  gradc_numeric_test(NAME ${t}_O0 FN ${t}.fn DRIVER test_${t}.c GRADC_OPTIONS -O0
                     WARNINGS_ALLOWED)
  # functions split into parts of two statements (--split)
  gradc_numeric_test(NAME ${t}_split FN ${t}.fn DRIVER test_${t}.c GRADC_OPTIONS --split=8)
endforeach()

# The array samples, also with -O0.
set(NUMERIC_ARRAY_SAMPLES ext_rosenbrock logreg mlp gmm negbin tobit)
foreach(s ${NUMERIC_ARRAY_SAMPLES})
  gradc_numeric_test(NAME ${s} FN ${SAMPLES}/${s}.fn DRIVER test_${s}.c)
  gradc_numeric_test(NAME ${s}_O0 FN ${SAMPLES}/${s}.fn DRIVER test_${s}.c GRADC_OPTIONS -O0
                     WARNINGS_ALLOWED)
  gradc_numeric_test(NAME ${s}_split FN ${SAMPLES}/${s}.fn DRIVER test_${s}.c
                     GRADC_OPTIONS --split=8)
endforeach()

# Memory: the driver #includes the generated .c after defining malloc,
# realloc and free to counting wrappers, so the .c is a dependency of the
# executable but not compiled on its own (HEADER_FILE_ONLY).
gradc_numeric_test(NAME tape_mem FN tape_mem.fn DRIVER test_tape_mem.c DRIVER_INCLUDES_C TIMEOUT 180)
gradc_numeric_test(NAME tape_mem_split FN tape_mem.fn DRIVER test_tape_mem.c DRIVER_INCLUDES_C TIMEOUT 180
                   GRADC_OPTIONS --split=8)

# Determinism of the new inputs, as numeric.determinism does for the others.
set(inputs arrays.fn vjp.fn regress.fn tape_mem.fn subarrays.fn)
foreach(s ${NUMERIC_ARRAY_SAMPLES})
  list(APPEND inputs ${SAMPLES}/${s}.fn)
endforeach()
list(TRANSFORM inputs PREPEND ${CMAKE_CURRENT_SOURCE_DIR}/ REGEX "^[^/]")
add_test(NAME numeric.determinism_arrays
  COMMAND ${CMAKE_COMMAND}
    -DGRADC=$<TARGET_FILE:gradc>
    "-DINPUTS=${inputs}"
    -DWORK=${CMAKE_CURRENT_BINARY_DIR}/determinism_arrays
    -P ${CMAKE_CURRENT_SOURCE_DIR}/determinism.cmake)

# The array samples' headers as C++ (cxx/<name>.cpp), like numeric.cxx.*.
find_program(NUMERIC_GXX g++)
find_program(NUMERIC_CLANGXX clang++)
foreach(cxx GXX CLANGXX)
  if(NOT NUMERIC_${cxx})
    continue()
  endif()
  string(TOLOWER ${cxx} name)
  foreach(s ${NUMERIC_ARRAY_SAMPLES})
    add_test(NAME numeric.cxx.${name}.${s}
      COMMAND ${NUMERIC_${cxx}} -std=c++11 ${NUMERIC_CFLAGS} -fsyntax-only
              -I${NUMERIC_GEN}/${s} ${CMAKE_CURRENT_SOURCE_DIR}/cxx/${s}.cpp)
  endforeach()
endforeach()

# Programs that once went wrong (issue 9), also without IR optimisation and
# with calls kept as calls.
gradc_numeric_test(NAME regress FN regress.fn DRIVER test_regress.c)
gradc_numeric_test(NAME regress_O0 FN regress.fn DRIVER test_regress.c GRADC_OPTIONS -O0)
gradc_numeric_test(NAME regress_noinline FN regress.fn DRIVER test_regress.c GRADC_OPTIONS --no-inline)
