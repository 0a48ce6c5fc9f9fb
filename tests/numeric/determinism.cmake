# The same input and options give byte-identical output (LANGUAGE.md section 7).
# Runs gradc twice on each of INPUTS (a ;-list of .fn files): once writing
# files (.c and .h), once per --emit mode (c h ast ir; dot is not there yet)
# and once unoptimised (-O0), and compares the two runs byte
# for byte. Usage:
#   cmake -DGRADC=path/to/gradc -DINPUTS="a.fn;b.fn" -DWORK=dir -P determinism.cmake

foreach(v GRADC INPUTS WORK)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "determinism.cmake: -D${v}=... is required")
  endif()
endforeach()

set(failures 0)

function(run_gradc dir)
  execute_process(COMMAND ${GRADC} ${ARGN}
    WORKING_DIRECTORY ${dir}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "gradc ${ARGN} failed (${rc}): ${err}")
  endif()
  set(run_out "${out}" PARENT_SCOPE)
endfunction()

foreach(fn ${INPUTS})
  get_filename_component(stem ${fn} NAME_WE)
  foreach(run 1 2)
    set(dir ${WORK}/run${run})
    file(REMOVE_RECURSE ${dir})
    file(MAKE_DIRECTORY ${dir})
    run_gradc(${dir} ${fn} -o ${dir}/${stem}.c)
    foreach(mode c h ast ir)
      run_gradc(${dir} ${fn} --emit=${mode})
      file(WRITE ${dir}/${stem}.emit-${mode} "${run_out}")
    endforeach()
    run_gradc(${dir} ${fn} --emit=c -O0)
    file(WRITE ${dir}/${stem}.emit-c-O0 "${run_out}")
  endforeach()
  foreach(f ${stem}.c ${stem}.h ${stem}.emit-c ${stem}.emit-h ${stem}.emit-ast
            ${stem}.emit-ir ${stem}.emit-c-O0)
    execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files
      ${WORK}/run1/${f} ${WORK}/run2/${f} RESULT_VARIABLE differ)
    if(differ)
      message(SEND_ERROR "${fn}: two runs give different ${f}")
      math(EXPR failures "${failures} + 1")
    endif()
  endforeach()
endforeach()

if(failures)
  message(FATAL_ERROR "${failures} outputs differ between runs")
endif()
message(STATUS "checked ${INPUTS}")
