// One program for mlir-opt, mlir-translate and mlir-lsp-server, linked statically against a layer's
// MLIR and LLVM archives: the three share almost every byte (measured on Debian's 22.1.8 layer: 176.7 MB
// for the three, 174.5 MB for mlir-opt alone), so a tools wheel ships one copy. The name it is started
// under (argv[0]: a link or a launcher's exec name) picks the tool; anything else runs mlir-opt.
// Upstream's test passes and dialects (MLIR_INCLUDE_TESTS) are not registered: releases do not ship them.
#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/InitAllTranslations.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"
#include "mlir/Tools/mlir-lsp-server/MlirLspServerMain.h"
#include <cstring>
#include <string>
int main(int argc, char **argv) {
  std::string name = argv[0];
  name = name.substr(name.find_last_of('/') + 1);
  if (name == "mlir-translate") {
    mlir::registerAllTranslations();
    return mlir::failed(mlir::mlirTranslateMain(argc, argv, "MLIR Translation Testing Tool"));
  }
  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  if (name == "mlir-lsp-server") return mlir::asMainReturnCode(mlir::MlirLspServerMain(argc, argv, registry));
  mlir::registerAllPasses();
  mlir::registerAllGPUToLLVMIRTranslations(registry);
  return mlir::asMainReturnCode(mlir::MlirOptMain(argc, argv, "MLIR modular optimizer driver\n", registry));
}
