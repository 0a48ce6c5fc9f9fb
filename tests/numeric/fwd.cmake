# Included by tests/numeric/CMakeLists.txt: numeric.fwd.<stem> (and
# numeric.fwd.<stem>_O0, from gradc -O0) check f_jvp, f_hvp, f_jac and
# f_hess of every function in every sample and numeric test program:
# dot-product test against f_vjp / f_grad, finite differences, Hessian
# symmetry, exact values, NULL and overwritten outputs (fwd_check.h says
# exactly what).
#
# No driver is written by hand. fwd_gen (fwd_gen.c) reads a .fn file's
# parameter lists and fwd_args.txt (int values, int arrays' elements, ranges
# of the random points), evaluates the arrays' sizes (int expressions such
# as [n+1] or [4*h][n], up to 8 dimensions) and writes fwd/<name>.c: per
# function, one adapter that calls f, f_grad or f_vjp, f_jvp and f_hvp from
# an array of argument slots, and a descriptor of its parameters; the
# generic checker fwd_check.h does the rest. The adapters are compiled
# against the header gradc writes, with -Werror, so a prototype that
# disagrees with LANGUAGE.md section 6 stops the build.
#
# second_order.fn (second-order patterns the others exercise little) is
# only here. The generated C of the other programs is already compiled at
# -O2 by the numeric.cc.* tests of their own drivers, so only second_order's
# is registered for them, and arrays' (f_jac and f_hess, which the other
# drivers do not ask for, through gcc and clang).
#
#   ctest --test-dir build -R numeric.fwd --output-on-failure

add_executable(fwd_gen fwd_gen.c)
set_target_properties(fwd_gen PROPERTIES C_STANDARD 11 C_STANDARD_REQUIRED ON)
target_compile_options(fwd_gen PRIVATE ${NUMERIC_CFLAGS})

set(FWD_PROGRAMS
  ${SAMPLES}/seed.fn ${SAMPLES}/rosenbrock.fn ${SAMPLES}/gaussian.fn
  ${SAMPLES}/black_scholes.fn ${SAMPLES}/projectile.fn ${SAMPLES}/logistic.fn
  ${SAMPLES}/ext_rosenbrock.fn ${SAMPLES}/logreg.fn ${SAMPLES}/mlp.fn ${SAMPLES}/gmm.fn
  ${SAMPLES}/cloth.fn ${SAMPLES}/bundle.fn ${SAMPLES}/lu_logdet.fn ${SAMPLES}/conv1d.fn
  ${SAMPLES}/negbin.fn ${SAMPLES}/tobit.fn ${SAMPLES}/rnn.fn ${SAMPLES}/kepler.fn
  builtins.fn arith.fn calls.fn control.fn conventions.fn names.fn
  arrays.fn vjp.fn tape_mem.fn second_order.fn snapshots.fn v2.fn subarrays.fn while.fn
  saves.fn extrema.fn vector.fn replay.fn skip.fn late_snap.fn fills.fn)

# Every .fn under samples/ must be in the list: a new sample gets these
# checks or the configuration says why not.
file(GLOB fwd_all_samples ${SAMPLES}/*.fn)
foreach(s ${fwd_all_samples})
  if(NOT s IN_LIST FWD_PROGRAMS)
    message(SEND_ERROR "tests/numeric/fwd.cmake: ${s} is not in FWD_PROGRAMS")
  endif()
endforeach()

set(FWD_ARGS ${CMAKE_CURRENT_SOURCE_DIR}/fwd_args.txt)
set(FWD_DIR ${CMAKE_CURRENT_BINARY_DIR}/fwd)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${FWD_ARGS})

# fwd_gen checks the function and parameter names of the table's lines for
# the file it reads; a line whose file is in no test would go unread.
set(fwd_stems "")
foreach(fn ${FWD_PROGRAMS})
  get_filename_component(stem ${fn} NAME_WE)
  list(APPEND fwd_stems ${stem})
endforeach()
file(STRINGS ${FWD_ARGS} fwd_lines REGEX "^[A-Za-z_]")
foreach(line ${fwd_lines})
  string(REGEX MATCH "^[A-Za-z_0-9]+" stem "${line}")
  if(NOT stem IN_LIST fwd_stems)
    message(SEND_ERROR "tests/numeric/fwd_args.txt: ${stem}.fn is not in FWD_PROGRAMS")
  endif()
endforeach()

# f_jac for files with a function with out parameters, f_hess for files with
# one returning a value (gradc refuses a routine no function takes): read
# from the source, comments left out. A wrong guess breaks the build.
function(fwd_routines fn var)
  file(READ ${fn} text)
  string(REGEX REPLACE "(#|//)[^\n]*" "" text "${text}")
  set(routines grad,jvp,hvp)
  if(text MATCHES "[(,][ \t\r\n]*out[ \t\r\n]")
    string(APPEND routines ",jac")
  endif()
  if(text MATCHES "[^A-Za-z0-9_]return[^A-Za-z0-9_]" OR text MATCHES "\\)[ \t\r\n]*=[^=]")
    string(APPEND routines ",hess")
  endif()
  set(${var} ${routines} PARENT_SCOPE)
endfunction()

foreach(fn ${FWD_PROGRAMS})
  get_filename_component(fn ${fn} ABSOLUTE)
  get_filename_component(stem ${fn} NAME_WE)
  fwd_routines(${fn} routines)
  foreach(variant default O0 split)
    if(variant STREQUAL "default")
      set(name fwd_${stem})
      set(options "")
      set(flags ${NUMERIC_CFLAGS})
    elseif(variant STREQUAL "split")
      # every function of more than 8 statements split into parts
      set(name fwd_${stem}_split)
      set(options --split=8)
      set(flags ${NUMERIC_CFLAGS})
    else()
      # -O0 code may keep unused values; the flags of the other _O0 tests
      set(name fwd_${stem}_O0)
      set(options -O0)
      set(flags -Wall -Wextra -pedantic)
    endif()
    gradc_generate(NAME ${name} FN ${fn} OPTIONS ${options} --routines=${routines})
    set(driver ${FWD_DIR}/${name}.c)
    add_custom_command(
      OUTPUT ${driver}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${FWD_DIR}
      COMMAND fwd_gen ${fn} ${stem} ${FWD_ARGS} ${driver}
      DEPENDS fwd_gen ${fn} ${FWD_ARGS}
      COMMENT "fwd_gen ${stem}.fn (numeric test ${name})"
      VERBATIM)
    set(exe numeric_${name})
    add_executable(${exe} ${driver} ${GRADC_GENERATED_C})
    set_target_properties(${exe} PROPERTIES
      C_STANDARD 99 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF)
    target_compile_options(${exe} PRIVATE ${flags})
    target_include_directories(${exe} PRIVATE
      ${NUMERIC_GEN}/${name} ${CMAKE_CURRENT_SOURCE_DIR} ${CMOCKA_INCLUDE_DIR})
    target_link_libraries(${exe} PRIVATE ${CMOCKA_LIBRARY} m)
    string(REGEX REPLACE "^fwd_" "fwd." test ${name})
    add_test(NAME numeric.${test} COMMAND ${exe})
    set_tests_properties(numeric.${test} PROPERTIES TIMEOUT 120)
    if(stem STREQUAL "second_order" OR stem STREQUAL "arrays")
      set_property(GLOBAL APPEND PROPERTY GRADC_NUMERIC_GENERATED ${name} ${GRADC_GENERATED_C})
    endif()
  endforeach()
endforeach()
