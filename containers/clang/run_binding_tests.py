"""Tests the installed clang bindings wheel: the bundled library is the one loaded, clang's builtin
headers are the wheel's (`#include <stddef.h>`, parsed with `/` and with the scratch dir as the working
directory), then upstream's clang/bindings/python/tests.

usage: run_binding_tests.py <llvm-project>/clang/bindings/python/tests <scratch dir>

The tests (and clang/include/clang-c, which test_enums parses) are copied into the scratch dir first, in
the tree's layout: run from their own tree, `import clang` would find the source checkout's package
next to them instead of the installed one. The last stdout line is
JSON (ran, passed, failed, errors, skipped, library, resourceHeaders); exit 1 on any failure.
"""

import json
import os
import shutil
import sys
import unittest


def probe_stddef(cindex, package_dir: str) -> "list[str] | str":
    """Parses `#include <stddef.h>`: the folders its headers came from, or what went wrong."""
    tu = cindex.TranslationUnit.from_source(
        "probe.c", ["-std=c11"], unsaved_files=[("probe.c", "#include <stddef.h>\nsize_t n = offsetof(struct { int a; }, a);\n")]
    )
    errors = [str(d) for d in tu.diagnostics if d.severity >= cindex.Diagnostic.Error]
    if errors:
        return f"#include <stddef.h> failed: {errors}"
    headers = sorted({os.path.dirname(os.path.abspath(str(i.include))) for i in tu.get_includes()})
    if not headers or any(not h.startswith(package_dir + os.sep) for h in headers):
        return f"<stddef.h> came from {headers}, not the wheel's resource dir under {package_dir}"
    return headers


def main() -> int:
    tests_src, scratch = sys.argv[1], os.path.abspath(sys.argv[2])
    # The tree's layout below scratch: test_enums reads clang/include/clang-c/Index.h relative to itself.
    top = os.path.join(scratch, "clang", "bindings", "python")
    shutil.copytree(tests_src, os.path.join(top, "tests"), dirs_exist_ok=True)
    capi_headers = os.path.normpath(os.path.join(tests_src, "..", "..", "..", "include", "clang-c"))
    shutil.copytree(capi_headers, os.path.join(scratch, "clang", "include", "clang-c"), dirs_exist_ok=True)
    sys.path.insert(0, top)

    import clang.cindex as cindex

    package_dir = os.path.dirname(os.path.abspath(cindex.__file__))
    library = cindex.conf.get_filename()
    if os.path.dirname(os.path.abspath(library)) != os.path.join(package_dir, "native"):
        print(f"cindex loads {library}, not the wheel's native/libclang", file=sys.stderr)
        return 1
    # From two working directories: libclang's driver would look for the builtin headers relative to
    # the working directory (bundled-resource-dir.py), so `/` and a folder of our own must both give
    # the wheel's.
    headers: list[str] = []
    for cwd in ("/", scratch):
        os.chdir(cwd)
        found = probe_stddef(cindex, package_dir)
        if isinstance(found, str):
            print(f"from {cwd}: {found}", file=sys.stderr)
            return 1
        headers = found
    os.chdir(scratch)

    suite = unittest.defaultTestLoader.discover(os.path.join(top, "tests"), top_level_dir=top)
    result = unittest.TextTestRunner(stream=sys.stderr, verbosity=1).run(suite)
    counts = {
        "ran": result.testsRun,
        "failed": len(result.failures) + len(result.unexpectedSuccesses),
        "errors": len(result.errors),
        "skipped": len(result.skipped),
        "expectedFailures": len(result.expectedFailures),
    }
    counts["passed"] = counts["ran"] - counts["failed"] - counts["errors"] - counts["skipped"] - counts["expectedFailures"]
    counts["library"] = os.path.relpath(library, os.path.dirname(package_dir))
    counts["resourceHeaders"] = [os.path.relpath(h, os.path.dirname(package_dir)) for h in headers]
    print(json.dumps(counts, sort_keys=True))
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
