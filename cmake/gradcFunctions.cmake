# gradc_add_sources: .fn files compiled by gradc into a target's sources.
# Loaded by find_package(gradc) from an installed gradc, and by gradc's own
# CMakeLists.txt, so that a project that adds gradc with add_subdirectory
# gets the same function. Either way the compiler is the executable target
# gradc::gradc (imported, or an alias of the gradc target being built).
#
#   gradc_add_sources(TARGET target FILES a.fn [b.fn ...]
#                     [OPTIONS option ...] [OUTPUT_DIR dir])
#
# For each FILE, gradc writes STEM.c and STEM.h (STEM: the file name
# without its last extension) into OUTPUT_DIR, by default
# ${CMAKE_CURRENT_BINARY_DIR}/gradc/<target>. The .c files are compiled into
# the target, OUTPUT_DIR is on its include path (and on that of targets
# linking it, in the build tree), and the target links libm where the
# platform has one. A file is regenerated when it changes, when gradc does,
# or when OPTIONS do; nothing else regenerates it. OPTIONS are passed to
# gradc as they are (--no-line, --routines=grad, -O0); the options that name
# outputs or print instead of writing are gradc_add_sources' business and
# are refused. Call it in the folder that creates the target.
#
# The rule names its prerequisites itself (DEPENDS: the .fn file and gradc)
# rather than reading gradc's -MD file through DEPFILE: a .fn file includes
# nothing, so the .d file would add nothing, and DEPENDS works the same with
# every generator.
include_guard(GLOBAL)

# libm: separate on most Unix systems, part of the C library elsewhere
# (Windows, where find_library finds nothing).
find_library(GRADC_LIBM NAMES m DOC "The math library linked with gradc's generated code")
mark_as_advanced(GRADC_LIBM)

function(gradc_add_sources)
  cmake_parse_arguments(PARSE_ARGV 0 ARG "" "TARGET;OUTPUT_DIR" "FILES;OPTIONS")
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "gradc_add_sources: unexpected arguments: ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT ARG_TARGET)
    message(FATAL_ERROR "gradc_add_sources: TARGET is required")
  endif()
  if(NOT TARGET "${ARG_TARGET}")
    message(FATAL_ERROR "gradc_add_sources: '${ARG_TARGET}' is not a target")
  endif()
  if(NOT ARG_FILES)
    message(FATAL_ERROR "gradc_add_sources(TARGET ${ARG_TARGET}): FILES names no .fn file")
  endif()
  get_target_property(type "${ARG_TARGET}" TYPE)
  get_target_property(imported "${ARG_TARGET}" IMPORTED)
  get_target_property(aliased "${ARG_TARGET}" ALIASED_TARGET)
  if(imported OR aliased OR NOT type MATCHES "^(EXECUTABLE|STATIC_LIBRARY|SHARED_LIBRARY|MODULE_LIBRARY|OBJECT_LIBRARY)$")
    message(FATAL_ERROR "gradc_add_sources: '${ARG_TARGET}' must be an executable or a library "
                        "built by this project (not ${type}, imported or alias)")
  endif()
  get_property(languages GLOBAL PROPERTY ENABLED_LANGUAGES)
  if(NOT "C" IN_LIST languages)
    message(FATAL_ERROR "gradc_add_sources: gradc writes C; enable the language "
                        "(project(... LANGUAGES C ...) or enable_language(C))")
  endif()
  foreach(opt IN LISTS ARG_OPTIONS)
    if(opt MATCHES "^(-o|--header|-MD|--depfile|--emit.*|--eval|--hessian|--help|-h|--version)$")
      message(FATAL_ERROR "gradc_add_sources: OPTIONS may not hold '${opt}': "
                          "gradc_add_sources decides where the outputs go")
    endif()
  endforeach()
  if(NOT TARGET gradc::gradc)
    message(FATAL_ERROR "gradc_add_sources: no gradc::gradc target; use find_package(gradc) "
                        "or add_subdirectory on gradc's source folder first")
  endif()

  # The compiler as a build dependency: the target's real name (an alias
  # cannot be named in DEPENDS), so that rebuilding gradc regenerates.
  get_target_property(gradc_target gradc::gradc ALIASED_TARGET)
  if(NOT gradc_target)
    set(gradc_target gradc::gradc)
  endif()

  if(ARG_OUTPUT_DIR)
    get_filename_component(outdir "${ARG_OUTPUT_DIR}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_BINARY_DIR}")
  else()
    set(outdir "${CMAKE_CURRENT_BINARY_DIR}/gradc/${ARG_TARGET}")
  endif()
  file(MAKE_DIRECTORY "${outdir}")

  set(stems "")
  foreach(fn IN LISTS ARG_FILES)
    get_filename_component(input "${fn}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    get_filename_component(stem "${fn}" NAME_WLE)
    if(stem IN_LIST stems)
      message(FATAL_ERROR "gradc_add_sources(TARGET ${ARG_TARGET}): two files would both write "
                          "${stem}.c; give them different names or call it with another OUTPUT_DIR")
    endif()
    list(APPEND stems "${stem}")
    set(out_c "${outdir}/${stem}.c")
    set(out_h "${outdir}/${stem}.h")
    file(RELATIVE_PATH shown "${CMAKE_BINARY_DIR}" "${out_c}")
    add_custom_command(
      OUTPUT "${out_c}" "${out_h}"
      COMMAND "$<TARGET_FILE:gradc::gradc>" "${input}" -o "${out_c}" --header "${out_h}" ${ARG_OPTIONS}
      DEPENDS "${input}" ${gradc_target}
      COMMENT "gradc: generating ${shown} from ${fn}"
      VERBATIM)
    target_sources("${ARG_TARGET}" PRIVATE "${out_c}" "${out_h}")
  endforeach()

  target_include_directories("${ARG_TARGET}" PUBLIC "$<BUILD_INTERFACE:${outdir}>")
  # LINK_LIBRARIES is set directly, not with target_link_libraries, which
  # would force one signature (keyword or plain) on the caller's own calls.
  if(GRADC_LIBM)
    set_property(TARGET "${ARG_TARGET}" APPEND PROPERTY LINK_LIBRARIES m)
    if(type MATCHES "^(STATIC|OBJECT)_LIBRARY$")
      set_property(TARGET "${ARG_TARGET}" APPEND PROPERTY INTERFACE_LINK_LIBRARIES "$<LINK_ONLY:m>")
    endif()
  endif()
endfunction()
