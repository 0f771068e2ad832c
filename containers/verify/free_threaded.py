"""Free-threaded check of an installed MLIR wheel (CPython 3.13t and later).

Several threads at once each build a module from Python, parse textual IR, run a pass pipeline
and walk the IR; every thread's result is compared with the single-threaded one. The GIL must be
disabled before `import mlir`, after it and after the threads (`sys._is_gil_enabled()`): an
extension module without the Py_mod_gil slot makes CPython re-enable it at import.

Prints one JSON object; exits non-zero on any failure. Run with the venv's interpreter.
"""
import json
import sys
import sysconfig
import threading

THREADS = 8
ROUNDS = 20

result = {
    "python": sys.version.split()[0],
    "py_gil_disabled": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
    "gil_before_import": sys._is_gil_enabled(),
}

from mlir import ir, passmanager  # noqa: E402
from mlir.dialects import arith, func  # noqa: E402

result["gil_after_import"] = sys._is_gil_enabled()


def work(seed):
    """Builds, verifies, canonicalizes and walks one module; returns what it saw."""
    with ir.Context(), ir.Location.unknown():
        module = ir.Module.create()
        i32 = ir.IntegerType.get_signless(32)
        with ir.InsertionPoint(module.body):
            for k in range(4):

                @func.FuncOp.from_py_func(i32, i32, name=f"f{seed}_{k}")
                def f(a, b):
                    c = arith.constant(i32, seed + k)
                    return arith.addi(arith.muli(a, b), arith.addi(a, c))

        assert module.operation.verify()
        parsed = ir.Module.parse(str(module))
        passmanager.PassManager.parse("builtin.module(canonicalize,cse)").run(parsed.operation)
        names = []

        def visit(op):
            names.append(op.name)
            return ir.WalkResult.ADVANCE

        parsed.operation.walk(visit)
        return sorted(names)


expected = {seed: work(seed) for seed in range(THREADS)}
errors = []
runs = [0]
lock = threading.Lock()
barrier = threading.Barrier(THREADS)


def worker(seed):
    barrier.wait()
    try:
        for _ in range(ROUNDS):
            got = work(seed)
            if got != expected[seed]:
                raise AssertionError(f"thread {seed}: {got} != {expected[seed]}")
            with lock:
                runs[0] += 1
    except BaseException as e:  # noqa: BLE001 - reported, then the script fails
        with lock:
            errors.append(f"{type(e).__name__}: {e}")


threads = [threading.Thread(target=worker, args=(s,)) for s in range(THREADS)]
for t in threads:
    t.start()
for t in threads:
    t.join()

result.update(
    threads=THREADS,
    modules_walked=runs[0],
    ops_per_module=len(expected[0]),
    errors=errors,
    gil_after_threads=sys._is_gil_enabled(),
)
print(json.dumps(result))
ok = (
    result["py_gil_disabled"]
    and not result["gil_before_import"]
    and not result["gil_after_import"]
    and not result["gil_after_threads"]
    and not errors
    and runs[0] == THREADS * ROUNDS
)
sys.exit(0 if ok else 1)
