# Cross-compiling the bindings for linux-aarch64 on an x86_64 Debian host, against the arm64
# sysroot made by sysroot.sh. Pass -DMLIR_RELEASE_SYSROOT=<dir>.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
# try_compile projects re-read this file without the cache: forward the sysroot to them.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES MLIR_RELEASE_SYSROOT)
set(CMAKE_SYSROOT "${MLIR_RELEASE_SYSROOT}")
set(CMAKE_FIND_ROOT_PATH "${MLIR_RELEASE_SYSROOT}")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
# BOTH: MLIR's config is in the sysroot, nanobind's (pure source) on the host.
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)

# The layer's imported generators (mlir-tblgen, ...) are arm64 binaries: once the project has
# imported them, point them at the same version's host tools. Deferred to the end of the top-level
# directory, after find_package(MLIR); custom commands resolve target names at generate time.
set(MLIR_RELEASE_HOST_TOOLS "/usr/lib/llvm-22/bin" CACHE PATH "x86_64 LLVM/MLIR tools of the layer's version")
function(mlir_release_use_host_generators)
  foreach(tool mlir-tblgen mlir-pdll mlir-linalg-ods-yaml-gen mlir-src-sharder llvm-tblgen)
    if(TARGET ${tool} AND EXISTS "${MLIR_RELEASE_HOST_TOOLS}/${tool}")
      foreach(cfg "" _RELEASE _RELWITHDEBINFO _DEBUG _MINSIZEREL _NOCONFIG)
        set_property(TARGET ${tool} PROPERTY IMPORTED_LOCATION${cfg} "${MLIR_RELEASE_HOST_TOOLS}/${tool}")
      endforeach()
      message(STATUS "mlir-release cross: ${tool} -> ${MLIR_RELEASE_HOST_TOOLS}/${tool}")
    endif()
  endforeach()
endfunction()
get_property(_mlir_release_deferred GLOBAL PROPERTY MLIR_RELEASE_CROSS_DEFERRED)
if(NOT CMAKE_PROJECT_NAME STREQUAL "CMAKE_TRY_COMPILE" AND NOT _mlir_release_deferred AND CMAKE_SOURCE_DIR)
  set_property(GLOBAL PROPERTY MLIR_RELEASE_CROSS_DEFERRED TRUE)
  cmake_language(DEFER DIRECTORY "${CMAKE_SOURCE_DIR}" CALL mlir_release_use_host_generators)
endif()
