# MLIR's runtime support libraries (mlir/lib/ExecutionEngine), built for the wheel the way the
# aggregate C API library is: against the layer's static components, so the wheel needs no LLVM
# or MLIR shared library from the system. ExecutionEngine(module, shared_libs=[...]) and packages
# that extend the bindings look for them as mlir/_mlir_libs/libmlir_<name>.so: that is where they
# install, unversioned, with RUNPATH $ORIGIN (runner_utils and c_runner_utils load float16_utils
# and apfloat_wrappers from next to themselves).
#
# The layer exports targets of the same names (Debian's link against libLLVM.so); ours are
# mlir_release_<name> with OUTPUT_NAME mlir_<name>, so the two never mix.

set(MLIR_RELEASE_RUNTIME_LIBRARIES ON CACHE BOOL "Build MLIR's runtime libraries (runner utils, async runtime) into the wheel")

function(mlir_release_runtime_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPENDS" ${ARGN})
  set(_t mlir_release_${name})
  add_library(${_t} SHARED ${ARG_SOURCES})
  set_target_properties(${_t} PROPERTIES
    OUTPUT_NAME mlir_${name}
    CXX_STANDARD 17
    LIBRARY_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/runtime-libs"
    BUILD_RPATH "$ORIGIN"
    INSTALL_RPATH "$ORIGIN")
  # The sources mark their exported entry points with MLIR_*_EXPORT, keyed on these definitions.
  target_compile_definitions(${_t} PRIVATE mlir_${name}_EXPORTS)
  target_include_directories(${_t} PRIVATE ${LLVM_INCLUDE_DIRS} ${MLIR_INCLUDE_DIRS})
  # Loading runner_utils loads what it was linked with (upstream links these PUBLIC): the JIT then
  # resolves the APFloat entry points of lowered code without naming apfloat_wrappers itself. So
  # these stay DT_NEEDED even where --as-needed drops everything unused.
  set(_deps)
  foreach(d ${ARG_DEPENDS})
    list(APPEND _deps mlir_release_${d})
  endforeach()
  if(_deps AND CMAKE_SYSTEM_NAME STREQUAL "Linux")
    target_link_libraries(${_t} PRIVATE "-Wl,--push-state,--no-as-needed" ${_deps} "-Wl,--pop-state")
  elseif(_deps)
    target_link_libraries(${_t} PRIVATE ${_deps})
  endif()
  if(CMAKE_SYSTEM_NAME STREQUAL "Linux")
    # LLVM's static components stay private: none of their symbols is exported, none clashes
    # with the aggregate library's copy, and only what is used is linked.
    target_link_libraries(${_t} PRIVATE LLVMSupport)
    target_link_options(${_t} PRIVATE "LINKER:--exclude-libs,ALL" "LINKER:--as-needed")
  elseif(CMAKE_SYSTEM_NAME STREQUAL "Darwin")
    target_link_libraries(${_t} PRIVATE LLVMSupport)
  endif()
  install(TARGETS ${_t}
    LIBRARY DESTINATION "${MLIR_BINDINGS_PYTHON_INSTALL_PREFIX}/_mlir_libs" COMPONENT MLIRPythonModules
    RUNTIME DESTINATION "${MLIR_BINDINGS_PYTHON_INSTALL_PREFIX}/_mlir_libs" COMPONENT MLIRPythonModules)
endfunction()

function(mlir_release_runtime_libraries)
  if(NOT MLIR_RELEASE_RUNTIME_LIBRARIES)
    return()
  endif()
  set(_ee "${MLIR_SOURCE_DIR}/lib/ExecutionEngine")
  if(NOT EXISTS "${_ee}/CRunnerUtils.cpp")
    message(FATAL_ERROR "mlir-release: ${_ee} has no CRunnerUtils.cpp: the source tree lacks mlir/lib/ExecutionEngine "
      "(extract it, or configure with -DMLIR_RELEASE_RUNTIME_LIBRARIES=OFF)")
  endif()
  mlir_release_runtime_library(float16_utils SOURCES "${_ee}/Float16bits.cpp")
  set(_apfloat)
  if(EXISTS "${_ee}/APFloatWrappers.cpp" AND (CMAKE_SYSTEM_NAME STREQUAL "Linux" OR CMAKE_SYSTEM_NAME STREQUAL "Darwin"))
    # New in LLVM 22: APFloat entry points runner_utils and c_runner_utils call (upstream: Linux/macOS only).
    mlir_release_runtime_library(apfloat_wrappers SOURCES "${_ee}/APFloatWrappers.cpp")
    set_target_properties(mlir_release_apfloat_wrappers PROPERTIES CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)
    set(_apfloat apfloat_wrappers)
  endif()
  file(GLOB _sparse "${_ee}/SparseTensor/*.cpp")
  list(SORT _sparse)
  mlir_release_runtime_library(c_runner_utils
    SOURCES "${_ee}/CRunnerUtils.cpp" "${_ee}/SparseTensorRuntime.cpp" ${_sparse}
    DEPENDS float16_utils ${_apfloat})
  mlir_release_runtime_library(runner_utils SOURCES "${_ee}/RunnerUtils.cpp" DEPENDS float16_utils ${_apfloat})
  mlir_release_runtime_library(async_runtime SOURCES "${_ee}/AsyncRuntime.cpp")
  set_target_properties(mlir_release_async_runtime PROPERTIES CXX_VISIBILITY_PRESET hidden)
endfunction()
