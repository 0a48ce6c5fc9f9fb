# Writes the counting copy of one generated file for the benchmark's memory
# column (see memcount.h). Run as
#   cmake -DNAME=gmm -DGEN=<dir> -P memwrap.cmake
# after gradc has written <dir>/NAME.c and NAME.h. Writes
#   <dir>/memcount_NAME.c  NAME.c compiled with malloc, calloc, realloc and
#                          free counted, every exported function renamed
#                          memcount_<function>
#   <dir>/memcount_NAME.h  NAME.h with the same renaming
# The exported functions are the ones the header declares: the lines that
# start "double name(" or "void name(".
if(NOT NAME OR NOT GEN)
  message(FATAL_ERROR "memwrap.cmake: NAME and GEN are required")
endif()
file(READ "${GEN}/${NAME}.h" header)
string(REGEX MATCHALL "\n(double|void|int) [A-Za-z_][A-Za-z0-9_]*\\(" decls "${header}")
set(names "")
foreach(d ${decls})
  string(REGEX REPLACE "^\n[a-z]+ ([A-Za-z_][A-Za-z0-9_]*)\\($" "\\1" n "${d}")
  list(APPEND names ${n})
endforeach()
if(NOT names)
  message(FATAL_ERROR "memwrap.cmake: no functions found in ${GEN}/${NAME}.h")
endif()

set(defines "")
set(renamed "${header}")
foreach(n ${names})
  string(APPEND defines "#define ${n} memcount_${n}\n")
  string(REGEX REPLACE "\n(double|void|int) ${n}\\(" "\n\\1 memcount_${n}(" renamed "${renamed}")
endforeach()
string(REGEX REPLACE "(#ifndef|#define) ([A-Za-z0-9_]+_H)\n" "\\1 MEMCOUNT_\\2\n" renamed "${renamed}")

set(c "/* Written by bench/memwrap.cmake: ${NAME}.c with its allocations counted
   (bench/memcount.h) and its functions renamed memcount_*. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#define MEMCOUNT_REDIRECT
#include \"memcount.h\"
${defines}#include \"${NAME}.c\"
")
set(h "/* Written by bench/memwrap.cmake from ${NAME}.h: the counted copy's functions. */
${renamed}")
foreach(out c h)
  set(path "${GEN}/memcount_${NAME}.${out}")
  set(old "")
  if(EXISTS "${path}")
    file(READ "${path}" old)
  endif()
  if(NOT old STREQUAL "${${out}}")
    file(WRITE "${path}" "${${out}}")
  endif()
endforeach()
