"""A downstream package next to our `mlir` in one process (argv: our package, theirs), for any
project built by `mlir-release downstream build`: both import without nanobind type clashes, IR
built with theirs is parsed, canonicalized and verified by ours and read back by theirs, and an
object of one is refused by the other with a TypeError. Prints one JSON line; "ok" sums it up."""
import importlib
import json
import sys
import warnings

ours_name, theirs_name = sys.argv[1], sys.argv[2]
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    ours_pkg = importlib.import_module(ours_name)
    ours = importlib.import_module(ours_name + ".ir")
    ours_pm = importlib.import_module(ours_name + ".passmanager")
    theirs_pkg = importlib.import_module(theirs_name)
    theirs = importlib.import_module(theirs_name + ".ir")
clashes = [str(w.message) for w in caught if "already registered" in str(w.message)]

r = {
    "ours": list(ours_pkg.__path__)[0],
    "theirs": list(theirs_pkg.__path__)[0],
    "clash_warnings": clashes,
    "distinct_types": ours.Context is not theirs.Context,
}

# IR built with their bindings: upstream ops (generic form, as they may not register arith) feeding
# an op of no dialect, so canonicalization keeps the chain.
with theirs.Context() as ctx, theirs.Location.unknown():
    ctx.allow_unregistered_dialects = True
    i32 = theirs.IntegerType.get_signless(32)
    m = theirs.Module.create()
    with theirs.InsertionPoint(m.body):
        a = theirs.Operation.create("arith.constant", results=[i32], attributes={"value": theirs.IntegerAttr.get(i32, 2)})
        b = theirs.Operation.create("arith.constant", results=[i32], attributes={"value": theirs.IntegerAttr.get(i32, 3)})
        s = theirs.Operation.create("arith.addi", results=[i32], operands=[a.result, b.result])
        theirs.Operation.create("sink.use", operands=[s.result])
    r["theirs_verifies"] = m.operation.verify()
    text = m.operation.get_asm(print_generic_op_form=True)

# Ours reads it (arith is registered in our wheel), folds it, and hands it back.
with ours.Context() as octx, ours.Location.unknown():
    octx.allow_unregistered_dialects = True
    om = ours.Module.parse(text)
    ours_pm.PassManager.parse("builtin.module(canonicalize)").run(om.operation)
    folded = str(om)
    r["ours_verifies"] = om.operation.verify()
    r["ours_folded_to_5"] = "arith.constant 5 : i32" in folded and "sink.use" in folded
    back_text = om.operation.get_asm(print_generic_op_form=True)
with theirs.Context() as ctx2:
    ctx2.allow_unregistered_dialects = True
    back = theirs.Module.parse(back_text)
    r["theirs_reads_back"] = back.operation.verify() and "sink.use" in str(back)

# One package's objects are refused by the other's functions: a TypeError, never a crash.
try:
    theirs.Module.parse("module {}", context=ours.Context())
    r["foreign_context"] = "accepted"
except TypeError:
    r["foreign_context"] = "TypeError"

r["ok"] = (
    not clashes
    and r["distinct_types"]
    and r["theirs_verifies"]
    and r["ours_verifies"]
    and r["ours_folded_to_5"]
    and r["theirs_reads_back"]
    and r["foreign_context"] == "TypeError"
)
print(json.dumps(r))
