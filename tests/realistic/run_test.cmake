# One realistic test, run by ctest as
#   cmake -DGRADC=... -DFN=prog.fn -DDRIVER=test_prog.c "-DOPTIONS=..." -DWORK=dir
#         -DCC=cc "-DCFLAGS=..." "-DINCLUDES=..." "-DLIBS=..." -P run_test.cmake
# gradc compiles FN with OPTIONS into WORK, the C compiler builds the
# generated C with the driver (strict C99, warnings are errors), and the
# driver runs. Everything happens at test time, not at build time, so that a
# program gradc rejects, crashes on or writes uncompilable C for fails its
# own test instead of the whole build. A failure prints the commands, to
# reproduce it by hand.

foreach(v GRADC FN DRIVER WORK CC)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "run_test.cmake: ${v} is not set")
  endif()
endforeach()

get_filename_component(stem ${FN} NAME_WE)
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})

set(gradc_cmd ${GRADC} ${FN} -o ${WORK}/${stem}.c ${OPTIONS})
execute_process(COMMAND ${gradc_cmd} RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_VARIABLE out)
if(NOT rc EQUAL 0)
  string(REPLACE ";" " " shown "${gradc_cmd}")
  message(FATAL_ERROR "gradc failed (exit status ${rc}):\n  ${shown}\n${out}${err}")
endif()

set(cc_cmd ${CC} -std=c99 -Wall -Wextra -pedantic -Werror ${CFLAGS} -I${WORK})
foreach(d ${INCLUDES})
  list(APPEND cc_cmd -I${d})
endforeach()
list(APPEND cc_cmd ${DRIVER} ${WORK}/${stem}.c -o ${WORK}/test_${stem} ${LIBS} -lm)
execute_process(COMMAND ${cc_cmd} RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_VARIABLE out)
if(NOT rc EQUAL 0)
  string(REPLACE ";" " " shown "${gradc_cmd}\n  ${cc_cmd}")
  message(FATAL_ERROR "the generated C (or the driver) does not compile:\n  ${shown}\n${out}${err}")
endif()

execute_process(COMMAND ${WORK}/test_${stem} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  string(REPLACE ";" " " shown "${gradc_cmd}\n  ${cc_cmd}\n  ${WORK}/test_${stem}")
  message(FATAL_ERROR "test_${stem} failed (${rc}):\n  ${shown}")
endif()
