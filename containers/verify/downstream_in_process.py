"""One Python process, two MLIR-based nanobind packages: our `mlir` wheel and upstream's standalone
example (`mlir_standalone`, its own copy of the core bindings in its own nanobind domain), built
against our dev distribution. Prints one JSON line; the caller also checks stderr."""
import ctypes
import glob
import json
import os
import sys
import warnings

warnings.simplefilter("always")

import mlir
import mlir.ir as ours
from mlir.passmanager import PassManager as OurPassManager

import mlir_standalone
import mlir_standalone.ir as sir
from mlir_standalone.dialects import standalone_nanobind as sd
from mlir_standalone.passmanager import PassManager as StandalonePassManager

result = {"mlir": list(mlir.__path__)[0], "mlir_standalone": list(mlir_standalone.__path__)[0]}

# The standalone package's aggregate C API library carries the transforms passes; registering the
# canonicalizer lets its own PassManager run it. The C function is named after the pass's TableGen
# record: mlirRegisterTransformsCanonicalizer up to LLVM 22, ...CanonicalizerPass from 23.
capi = ctypes.CDLL(glob.glob(os.path.join(list(mlir_standalone.__path__)[0], "_mlir_libs", "libStandalonePythonCAPI.so*"))[0])
register = next(n for n in ("mlirRegisterTransformsCanonicalizer", "mlirRegisterTransformsCanonicalizerPass") if hasattr(capi, n))
getattr(capi, register)()
result["canonicalizer_registered_by"] = register

with sir.Context() as ctx, sir.Location.unknown():
    sd.register_dialects()
    # An unregistered sink keeps the (pure) chain alive through canonicalization.
    ctx.allow_unregistered_dialects = True
    # Parsed IR mixing standalone and upstream (arith, builtin) ops.
    parsed = sir.Module.parse(
        """
        %0 = arith.constant 2 : i32
        %1 = arith.constant 3 : i32
        %2 = arith.addi %0, %1 : i32
        %3 = standalone.foo %2 : i32
        "sink.use"(%3) : (i32) -> ()
        """
    )
    # IR built from Python: a standalone op on an upstream op's result.
    i32 = sir.IntegerType.get_signless(32)
    built = sir.Module.create()
    with sir.InsertionPoint(built.body):
        c = sir.Operation.create("arith.constant", results=[i32], attributes={"value": sir.IntegerAttr.get(i32, 40)})
        foo = sir.Operation.create("standalone.foo", results=[i32], operands=[c.result])
    result["built_verifies"] = built.operation.verify()
    result["foo_opview"] = type(foo.opview).__name__
    result["has_FooOp"] = hasattr(sd, "FooOp")
    result["parsed_verifies"] = parsed.operation.verify()
    pm = StandalonePassManager.parse("builtin.module(canonicalize)")
    pm.run(parsed.operation)
    folded = str(parsed)
    result["standalone_canonicalized"] = folded
    result["folded_to_5"] = "arith.constant 5 : i32" in folded and "standalone.foo" in folded
    result["custom_type"] = str(sd.CustomType.get("foo"))

# Our mlir, in the same process: its own context, all upstream dialects and passes.
with ours.Context() as octx, ours.Location.unknown():
    octx.allow_unregistered_dialects = True
    # Text in generic form crosses between the two MLIR copies (ours does not know `standalone`).
    m = ours.Module.parse(parsed.operation.get_asm(print_generic_op_form=True))
    OurPassManager.parse("builtin.module(canonicalize,cse)").run(m.operation)
    result["ours_roundtrip_has_foo"] = '"standalone.foo"' in str(m) or "standalone.foo" in str(m)

# Handing our Context to an extension of the other package is refused cleanly (its type casters
# expect capsules named after its own package prefix), not a crash.
try:
    sd.register_dialects(ours.Context())
    result["foreign_context"] = "accepted"
except TypeError as e:
    result["foreign_context"] = "TypeError"
    result["foreign_context_message"] = str(e).splitlines()[0]

print(json.dumps(result))
