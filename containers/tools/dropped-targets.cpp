// Empty registration functions for the LLVM targets the tools wheel leaves out. src/wheels/tools-wheel.ts
// compiles this file with -DMLIR_TOOLS_DROPPED_TARGETS="DROP(AArch64) DROP(ARM) ..." (the layer's targets
// minus the ones its plan builds from source). Why: the llvm-target-to-data-layout pass
// (MLIRTargetLLVMIRTransforms) calls InitializeAllTargets(), which names every target of the layer's
// build, and XeVM's gpu-module-to-binary names SPIRV's; defining those entry points here, in the first
// object of the link, keeps the linker from pulling the targets' archives in. A dropped target is then
// unregistered, exactly as in a layer configured without it: a lookup of its triple fails with LLVM's
// "no available targets are compatible with triple" error.
#define DROP(T)                                      \
  extern "C" void LLVMInitialize##T##TargetInfo() {} \
  extern "C" void LLVMInitialize##T##Target() {}     \
  extern "C" void LLVMInitialize##T##TargetMC() {}   \
  extern "C" void LLVMInitialize##T##AsmPrinter() {} \
  extern "C" void LLVMInitialize##T##AsmParser() {}  \
  extern "C" void LLVMInitialize##T##Disassembler() {} \
  extern "C" void LLVMInitialize##T##TargetMCA() {}
#ifdef MLIR_TOOLS_DROPPED_TARGETS
MLIR_TOOLS_DROPPED_TARGETS
#endif
