# One-line helpers to add libraries, tests and benchmarks with the project's options.

# vmesh_add_test(NAME SOURCES... LIBS ...): a GoogleTest executable registered with ctest.
function(vmesh_add_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE vmesh_project_options GTest::gtest_main ${ARG_LIBS})
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60
    PROPERTIES LABELS "${ARG_LABELS}")
endfunction()

# vmesh_add_bench(NAME SOURCES... LIBS ...): a Google Benchmark executable (not run by ctest).
function(vmesh_add_bench name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE vmesh_project_options benchmark::benchmark_main ${ARG_LIBS})
endfunction()
