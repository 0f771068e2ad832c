// The link-map attribution behind the size-composition report.
import { describe, expect, it } from "vitest";
import { coarseGroup, componentOf, composition, parseGnuLdMap } from "../../src/wheels/size-composition.js";

const MAP = `Archive member included to satisfy reference by file (symbol)

/l/libLLVMAArch64CodeGen.a(AArch64ISelLowering.cpp.o)
                              /l/libLLVMTarget.a(x.o) (LLVMInitializeAArch64Target)

Discarded input sections

 .text._ZN4llvm4deadEv
                0x0000000000000000      0x999 /l/libLLVMCore.a(Dead.cpp.o)

Linker script and memory map

 .text._ZN4llvm17AArch64TargetLowering
                0x0000000000001000     0x1000 /l/libLLVMAArch64CodeGen.a(AArch64ISelLowering.cpp.o)
 .text          0x0000000000002000      0x200 /l/libLLVMAArch64Desc.a(AArch64MCTargetDesc.cpp.o)
 .rodata._ZL5Table
                0x0000000000003000      0x300 /l/libLLVMX86CodeGen.a(X86ISelLowering.cpp.o)
 .text.mlirContextCreate
                0x0000000000004000       0x40 aggregate-objects/MLIRCAPIIR/IR.cpp.o
 .eh_frame      0x0000000000005000       0x50 /l/libMLIRIR.a(Operation.cpp.o)
 .data.rel.ro._ZTV1X
                0x0000000000006000       0x10 /l/libLLVMSupport.a(CommandLine.cpp.o)
 .bss._ZL1g     0x0000000000007000     0x1000 /l/libLLVMSupport.a(CommandLine.cpp.o)
 .debug_info    0x0000000000000000     0x5000 /l/libMLIRIR.a(Operation.cpp.o)
 *(.text.unlikely .text.*_unlikely .text.unlikely.*)
 .text          0x0000000000008000        0x0 /l/libLLVMSupport.a(Empty.cpp.o)
`;

describe("size composition from a link map", () => {
  it("counts only kept input sections, by archive and section family", () => {
    const c = parseGnuLdMap(MAP);
    expect(c).toEqual([
      { section: ".text", archive: "libLLVMAArch64CodeGen.a", size: 0x1000 },
      { section: ".text", archive: "libLLVMAArch64Desc.a", size: 0x200 },
      { section: ".rodata", archive: "libLLVMX86CodeGen.a", size: 0x300 },
      { section: ".text", archive: "objects/IR.cpp.o", size: 0x40 },
      { section: ".eh_frame", archive: "libMLIRIR.a", size: 0x50 },
      { section: ".data.rel.ro", archive: "libLLVMSupport.a", size: 0x10 },
      { section: ".bss", archive: "libLLVMSupport.a", size: 0x1000 },
      { section: "debug", archive: "libMLIRIR.a", size: 0x5000 },
    ]);
  });
  it("groups archives into targets, LLVM, MLIR; .bss and debug info take no bytes of the stripped library", () => {
    expect(componentOf("libLLVMAArch64CodeGen.a")).toBe("LLVM target AArch64");
    expect(componentOf("libLLVMAMDGPUUtils.a")).toBe("LLVM target AMDGPU");
    expect(componentOf("libLLVMARMDesc.a")).toBe("LLVM target ARM");
    expect(componentOf("libLLVMSupport.a")).toBe("LLVM Support");
    expect(componentOf("libMLIRIR.a")).toBe("MLIR IR");
    const rows = composition(parseGnuLdMap(MAP), coarseGroup);
    expect(rows.map((r) => [r.group, r.total])).toEqual([
      ["LLVM other targets", 0x1200],
      ["LLVM target X86", 0x300],
      ["MLIR", 0x90],
      ["LLVM (non-target)", 0x10],
    ]);
    expect(rows.find((r) => r.group === "LLVM (non-target)")!.bytes[".bss"]).toBe(0x1000);
  });
});
