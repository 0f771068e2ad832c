# Installs upstream's cindex.py with one change: the library path defaults to the package's own
# native/ folder (where libclang.so is) instead of the loader's search path. LIBCLANG_LIBRARY_PATH,
# LIBCLANG_LIBRARY_FILE and Config.set_library_path/set_library_file still take precedence.
# `cindex_in` (upstream's file) is set by the install(CODE) before this script.
set(upstream_line [[    library_path: str | None = os.environ.get("LIBCLANG_LIBRARY_PATH")]])
set(bundled_line [[    library_path: str | None = os.environ.get("LIBCLANG_LIBRARY_PATH", os.path.join(os.path.dirname(os.path.abspath(__file__)), "native"))]])
file(READ "${cindex_in}" text)
string(FIND "${text}" "${upstream_line}\n" at)
if(at EQUAL -1)
  message(FATAL_ERROR "${cindex_in}: no line '${upstream_line}' (Config's default library path) to point at the bundled library")
endif()
string(REPLACE "${upstream_line}\n" "${bundled_line}\n" text "${text}")
set(dest "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/clang/cindex.py")
message(STATUS "Installing: ${dest} (library path: the package's native/)")
file(WRITE "${dest}" "${text}")
