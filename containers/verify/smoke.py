"""Smoke test of an installed MLIR wheel: parse, run a pass pipeline, build IR from Python.

Prints one JSON object; exits non-zero on any failure. Run with the venv's interpreter.
"""
import json
import sys

from mlir import ir, passmanager
from mlir.dialects import arith, func

result = {"python": sys.version.split()[0]}

with ir.Context() as ctx, ir.Location.unknown():
    # Parse textual IR and canonicalize it.
    module = ir.Module.parse(
        """
        func.func @add0(%a: i32) -> i32 {
          %c0 = arith.constant 0 : i32
          %r = arith.addi %a, %c0 : i32
          return %r : i32
        }
        """
    )
    passmanager.PassManager.parse("builtin.module(canonicalize,cse)").run(module.operation)
    text = str(module)
    assert "arith.addi" not in text, text
    result["canonicalized"] = True

    # Build IR from Python.
    built = ir.Module.create()
    i32 = ir.IntegerType.get_signless(32)
    with ir.InsertionPoint(built.body):

        @func.FuncOp.from_py_func(i32, i32)
        def mul_add(a, b):
            return arith.addi(arith.muli(a, b), a)

    assert built.operation.verify()
    result["built_ops"] = sum(1 for _ in built.body.operations[0].regions[0].blocks[0].operations)

    # Lower to LLVM dialect and JIT-run through the ExecutionEngine.
    from mlir.execution_engine import ExecutionEngine
    import ctypes

    jit_module = ir.Module.parse(
        """
        func.func @twice(%x: i64) -> i64 attributes { llvm.emit_c_interface } {
          %r = arith.addi %x, %x : i64
          return %r : i64
        }
        """
    )
    passmanager.PassManager.parse(
        "builtin.module(convert-func-to-llvm,convert-arith-to-llvm,reconcile-unrealized-casts)"
    ).run(jit_module.operation)
    engine = ExecutionEngine(jit_module, opt_level=2)
    arg = ctypes.c_int64(21)
    res = ctypes.c_int64(0)
    engine.invoke("twice", ctypes.pointer(arg), ctypes.pointer(res))
    assert res.value == 42, res.value
    result["jit"] = res.value

try:
    from mlir import _release_info as info

    result["llvm_version"] = info.LLVM_VERSION
    result["llvm_commit"] = info.LLVM_COMMIT
    result["distribution_version"] = info.VERSION
except ImportError:
    result["llvm_version"] = None

print(json.dumps(result))
