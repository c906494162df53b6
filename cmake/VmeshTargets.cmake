# One-line helpers to add libraries, tests and benchmarks with the project's options.

# vmesh_add_test(NAME SOURCES... LIBS ...): a GoogleTest executable registered with ctest.
# Each case gets a timeout, so one that hangs fails alone instead of stalling the suite.
function(vmesh_add_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE vmesh_project_options GTest::gtest_main ${ARG_LIBS})
  set(timeout_s 120)
  if("vm" IN_LIST ARG_LABELS)
    set(timeout_s 900) # a case boots its own QEMU guests under TCG
  endif()
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60
    PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${timeout_s})
endfunction()

# vmesh_add_bench(NAME SOURCES... LIBS ...): a Google Benchmark executable (not run by ctest).
function(vmesh_add_bench name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE vmesh_project_options benchmark::benchmark_main ${ARG_LIBS})
endfunction()
