# clang-python-bindings: appended to upstream's cindex.py at install (containers/clang/install-cindex.cmake).
#
# libclang computes its resource dir (clang's builtin headers: <stddef.h>, <stdarg.h>, ...) from its
# own location (CIndexer::getClangResourcesPath: <dir of libclang>/../lib/clang/<major>), but that
# path only reaches the header search options; the driver that turns the arguments into the parse's
# include paths is handed argv[0] = "clang" (clang_parseTranslationUnit2), so it derives the relative
# "lib/clang/<major>" and adds "-internal-isystem lib/clang/<major>/include": a folder under the
# process's working directory (llvm-project issues 18150 and 51256). Debian's build of the driver
# falls back to its own /usr/include/clang/<version>/include when that folder does not exist, i.e. to
# a system clang's headers. Naming the resource dir with -resource-dir is what the driver honours
# (clangd does the same), so the parse uses the headers shipped next to the loaded library, from
# any working directory.


def _bundled_resource_dir_args(args):
    """`args` with `-resource-dir <package>/lib/clang/<major>` in front, when the library loaded is
    the package's own native/libclang and the caller names no resource dir; otherwise `args` as given."""
    args = list(args)
    for arg in args:
        text = arg.decode("utf-8", "replace") if isinstance(arg, bytes) else str(arg)
        if text == "-resource-dir" or text.startswith("-resource-dir="):
            return args
    package = os.path.dirname(os.path.abspath(__file__))
    library = conf.get_filename()
    if os.path.dirname(os.path.abspath(library)) != os.path.join(package, "native"):
        return args
    return ["-resource-dir", os.path.join(package, "lib", "clang", "@RESOURCE_MAJOR@")] + args
