# Warnings and sanitizers applied to every vmesh target through vmesh_project_options.
add_library(vmesh_project_options INTERFACE)
target_compile_options(vmesh_project_options INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
  -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Wnull-dereference
  -Wimplicit-fallthrough
  # Designated initializers that rely on default member initializers are intended.
  -Wno-missing-field-initializers)
target_include_directories(vmesh_project_options INTERFACE ${PROJECT_SOURCE_DIR})

if(VMESH_SANITIZE)
  target_compile_options(vmesh_project_options INTERFACE
    -fsanitize=${VMESH_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  target_link_options(vmesh_project_options INTERFACE -fsanitize=${VMESH_SANITIZE})
endif()

if(VMESH_BUILD_FUZZ)
  # Coverage instrumentation for everything the fuzz targets link.
  target_compile_options(vmesh_project_options INTERFACE -fsanitize=fuzzer-no-link)
endif()
