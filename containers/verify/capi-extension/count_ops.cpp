// Counts the operations under an `mlir.ir.Operation` of our wheel, through the C API only.
#include "mlir-c/IR.h"
#include "mlir/Bindings/Python/NanobindAdaptors.h"

namespace nb = nanobind;

static MlirWalkResult countOne(MlirOperation, void *count) {
  ++*static_cast<int *>(count);
  return MlirWalkResultAdvance;
}

// NB_MODULE pastes its argument: expand the configured name first.
#define COUNT_OPS_NB_MODULE(name, m) NB_MODULE(name, m)
COUNT_OPS_NB_MODULE(COUNT_OPS_MODULE, m) {
  m.def("count_ops", [](MlirOperation op) {
    int count = 0;
    mlirOperationWalk(op, countOne, &count, MlirWalkPreOrder);
    return count;
  });
  m.def("loaded_dialects", [](MlirContext context) { return mlirContextGetNumLoadedDialects(context); });
}
