"""Parses `#include <stddef.h>` with the installed clang bindings (clang.cindex) and prints one JSON
line: the library cindex loaded, the package folder, the working directory, the parse's errors and
the folders the included headers came from.

usage: stddef_probe.py
"""

import json
import os

import clang.cindex as cindex

tu = cindex.TranslationUnit.from_source(
    "probe.c", ["-std=c11"], unsaved_files=[("probe.c", "#include <stddef.h>\nsize_t n = offsetof(struct { int a; }, a);\n")]
)
print(
    json.dumps(
        {
            "library": os.path.abspath(cindex.conf.get_filename()),
            "package": os.path.dirname(os.path.abspath(cindex.__file__)),
            "cwd": os.getcwd(),
            "errors": [str(d) for d in tu.diagnostics if d.severity >= cindex.Diagnostic.Error],
            "headers": sorted({os.path.dirname(os.path.abspath(str(i.include))) for i in tu.get_includes()}),
        }
    )
)
