# Helpers every module's CMakeLists.txt uses, so that warnings, sanitizers and
# test registration are set in one place.

set(TW_MODULES "" CACHE INTERNAL "library modules, in layer order")

function(tw_apply_flags target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow
    -Wnon-virtual-dtor -Wcast-align -Woverloaded-virtual -Wno-missing-field-initializers)
  if(TW_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(TW_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined
      -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()

# tw_module(NAME SOURCES ... DEPS ...): a static library tokenwarden_NAME with
# the alias tokenwarden::NAME. src/ is the private include root, include/ the
# public one.
function(tw_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  set(target tokenwarden_${name})
  add_library(${target} STATIC ${ARG_SOURCES})
  add_library(tokenwarden::${name} ALIAS ${target})
  target_include_directories(${target}
    PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
           $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/src>)
  target_link_libraries(${target} PUBLIC ${ARG_DEPS})
  tw_apply_flags(${target})
  set(TW_MODULES ${TW_MODULES} ${target} CACHE INTERNAL "")
endfunction()

# tw_test(NAME SOURCES ... DEPS ... [LABEL unit|integration]): a GoogleTest
# binary whose cases ctest lists one by one.
function(tw_test name)
  if(NOT TW_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "LABEL;TIMEOUT" "SOURCES;DEPS" ${ARGN})
  if(NOT ARG_LABEL)
    set(ARG_LABEL unit)
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE
    TW_SHARED_DIR="${TW_SHARED_DIR}" TW_PYTHON="${TW_PYTHON}"
    TW_BIN_DIR="${CMAKE_BINARY_DIR}/bin" TW_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  tw_apply_flags(${name})
  gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST
    PROPERTIES LABELS ${ARG_LABEL} TIMEOUT ${ARG_TIMEOUT})
endfunction()

# tw_benchmark(NAME SOURCES ... DEPS ...): a Google Benchmark binary; ctest
# runs it under the "bench" label only when asked (ctest -L bench).
function(tw_benchmark name)
  if(NOT TW_BUILD_BENCH)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} benchmark::benchmark)
  target_compile_definitions(${name} PRIVATE TW_SHARED_DIR="${TW_SHARED_DIR}")
  tw_apply_flags(${name})
endfunction()

# libtokenwarden: one archive holding every module, for programs that link the
# library from outside this build.
function(tw_umbrella_library)
  add_library(tokenwarden_all INTERFACE)
  add_library(tokenwarden::tokenwarden ALIAS tokenwarden_all)
  target_link_libraries(tokenwarden_all INTERFACE ${TW_MODULES})
  set(out ${CMAKE_BINARY_DIR}/lib/libtokenwarden.a)
  set(script ${CMAKE_BINARY_DIR}/libtokenwarden.mri)
  set(lines "create ${out}\n")
  foreach(m IN LISTS TW_MODULES)
    string(APPEND lines "addlib $<TARGET_FILE:${m}>\n")
  endforeach()
  string(APPEND lines "save\nend\n")
  file(GENERATE OUTPUT ${script} CONTENT "${lines}")
  add_custom_command(OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -E rm -f ${out}
    COMMAND sh -c "\"${CMAKE_AR}\" -M < \"${script}\""
    DEPENDS ${TW_MODULES} ${script}
    COMMENT "Merging the modules into libtokenwarden.a" VERBATIM)
  add_custom_target(libtokenwarden ALL DEPENDS ${out})
endfunction()
