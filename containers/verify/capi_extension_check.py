"""Our `mlir` objects handed to a downstream C-API extension (count_ops_demo, built against the dev
distribution): the right package prefix shares them, a wrong one is refused with a TypeError."""
import json

import mlir.ir as ir
from count_ops_demo import _count_ops, _count_ops_other_prefix

result = {}
with ir.Context() as ctx:
    m = ir.Module.parse("func.func @f(%a: i32) -> i32 {\n %0 = arith.addi %a, %a : i32\n return %0 : i32\n}")
    result["count_ops"] = _count_ops.count_ops(m.operation)
    # Counted by the extension in the very context Python created: one MLIR instance.
    result["loaded_dialects"] = _count_ops.loaded_dialects(ctx)
    try:
        _count_ops_other_prefix.count_ops(m.operation)
        result["other_prefix"] = "accepted"
    except TypeError as e:
        result["other_prefix"] = "TypeError"
        result["other_prefix_message"] = str(e).splitlines()[0]
print(json.dumps(result))
