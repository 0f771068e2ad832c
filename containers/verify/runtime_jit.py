"""JIT-runs a function that calls printMemrefF32 with the runtime libraries the wheel installed.

Run with the Python of a venv holding only the installed wheels. Prints the memref through the
C++ runtime on stdout and writes a JSON report to the file named by its argument (or stderr): the libraries the wheel's helper
module returned, the exported symbols found in each, and every shared object of LLVM/MLIR that
this process mapped (all of them must come from the venv, none from a system layer).
"""

import ctypes
import json
import os
import sys

import numpy as np

from mlir import _runtime_libs
from mlir.execution_engine import ExecutionEngine
from mlir.ir import Context, Module
from mlir.passmanager import PassManager
from mlir.runtime import get_ranked_memref_descriptor

# One exported entry point per library: what ExecutionEngine users resolve through them.
SYMBOLS = {
    "mlir_c_runner_utils": "memrefCopy",
    "mlir_runner_utils": "_mlir_ciface_printMemrefF32",
    "mlir_float16_utils": "printF16",
    "mlir_async_runtime": "mlirAsyncRuntimeCreateToken",
    "mlir_apfloat_wrappers": None,
}

MODULE = """
module {
  func.func @main(%arg0: memref<1xf32>) attributes { llvm.emit_c_interface } {
    %c0 = arith.constant 0 : index
    %cst42 = arith.constant 42.0 : f32
    memref.store %cst42, %arg0[%c0] : memref<1xf32>
    %u = memref.cast %arg0 : memref<1xf32> to memref<*xf32>
    call @printMemrefF32(%u) : (memref<*xf32>) -> ()
    return
  }
  func.func private @printMemrefF32(memref<*xf32>) attributes { llvm.emit_c_interface }
}
"""


def mapped_llvm_objects():
    out = set()
    with open("/proc/self/maps") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 6 and parts[5].startswith("/"):
                base = os.path.basename(parts[5])
                if "mlir" in base.lower() or "llvm" in base.lower():
                    out.add(parts[5])
    return sorted(out)


def main():
    libs = _runtime_libs.runtime_libraries()
    symbols = {}
    for name, path in libs.items():
        handle = ctypes.CDLL(path)
        sym = SYMBOLS.get(name)
        symbols[name] = bool(sym is None or hasattr(handle, sym))
    with Context():
        module = Module.parse(MODULE)
        PassManager.parse(
            "builtin.module(finalize-memref-to-llvm,convert-func-to-llvm,"
            "convert-arith-to-llvm,convert-cf-to-llvm,reconcile-unrealized-casts)"
        ).run(module.operation)
        engine = ExecutionEngine(
            module,
            opt_level=2,
            shared_libs=[
                _runtime_libs.runtime_library("mlir_c_runner_utils"),
                _runtime_libs.runtime_library("mlir_runner_utils"),
            ],
        )
        arg = np.array([0.0], dtype=np.float32)
        ptr = ctypes.pointer(ctypes.pointer(get_ranked_memref_descriptor(arg)))
        engine.invoke("main", ptr)
    report = {
        "directory": _runtime_libs.directory(),
        "libraries": libs,
        "symbols": symbols,
        "result": float(arg[0]),
        "mapped": mapped_llvm_objects(),
        "prefix": sys.prefix,
    }
    sys.stdout.flush()
    if len(sys.argv) > 1:
        with open(sys.argv[1], "w") as f:
            json.dump(report, f)
    else:
        print(json.dumps(report), file=sys.stderr)


if __name__ == "__main__":
    main()
