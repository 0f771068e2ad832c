# Installs upstream's cindex.py with two changes, each refused if upstream's text it changes is not
# there exactly once (so a new cindex.py cannot be changed silently wrong):
#  1. the library path defaults to the package's own native/ folder (where libclang.so is) instead of
#     the loader's search path. LIBCLANG_LIBRARY_PATH, LIBCLANG_LIBRARY_FILE and
#     Config.set_library_path/set_library_file still take precedence.
#  2. TranslationUnit.from_source (and so Index.parse) names the bundled resource dir with
#     `-resource-dir` when the bundled library is the one loaded and the caller names none (see
#     bundled-resource-dir.py: libclang's driver otherwise looks for clang's builtin headers relative
#     to the working directory).
# `cindex_in` (upstream's file) and `resource_major` (the LLVM major) are set by install(CODE) first.
set(dest "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/clang/cindex.py")
file(READ "${cindex_in}" text)

function(replace_once what upstream bundled)
  string(FIND "${text}" "${upstream}" first)
  string(FIND "${text}" "${upstream}" last REVERSE)
  if(first EQUAL -1 OR NOT first EQUAL last)
    message(FATAL_ERROR "${cindex_in}: upstream's text for ${what} is not there exactly once:\n${upstream}")
  endif()
  string(REPLACE "${upstream}" "${bundled}" text "${text}")
  set(text "${text}" PARENT_SCOPE)
endfunction()

replace_once("Config's default library path"
  "    library_path: str | None = os.environ.get(\"LIBCLANG_LIBRARY_PATH\")\n"
  "    library_path: str | None = os.environ.get(\"LIBCLANG_LIBRARY_PATH\", os.path.join(os.path.dirname(os.path.abspath(__file__)), \"native\"))\n")
replace_once("TranslationUnit.from_source's arguments"
  "            index = Index.create()\n\n        args_array = None\n"
  "            index = Index.create()\n\n        args = _bundled_resource_dir_args(args)\n        args_array = None\n")

file(READ "${CMAKE_CURRENT_LIST_DIR}/bundled-resource-dir.py" helper)
string(REPLACE "@RESOURCE_MAJOR@" "${resource_major}" helper "${helper}")
if(NOT resource_major MATCHES "^[0-9]+$")
  message(FATAL_ERROR "resource_major='${resource_major}' is not an LLVM major version")
endif()
message(STATUS "Installing: ${dest} (library path: the package's native/; resource dir: lib/clang/${resource_major})")
file(WRITE "${dest}" "${text}\n\n${helper}")
