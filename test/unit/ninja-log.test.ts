// bench:layer-cache's account of a build's seconds by kind of ninja edge.
import { describe, expect, it } from "vitest";
import { edgeSeconds } from "../../bench/ninja-log.js";

describe("edgeSeconds", () => {
  it("sums compiles, tablegen runs and links from a .ninja_log, each output once", () => {
    const log = [
      "# ninja log v6",
      "0\t2500\t0\tlib/Support/CMakeFiles/LLVMSupport.dir/APInt.cpp.o\tabc",
      "100\t600\t0\ttools/mlir/include/mlir/IR/BuiltinOps.h.inc\tdef",
      "600\t900\t0\ttools/mlir/include/mlir/IR/BuiltinOps.cpp.inc\tdef",
      "2500\t3000\t0\tlib/libLLVMSupport.a\tghi",
      "3000\t7000\t0\tbin/mlir-tblgen\tjkl",
      "7000\t7100\t0\tCMakeFiles/some.stamp\tmno",
      "0\t2500\t0\tlib/Support/CMakeFiles/LLVMSupport.dir/APInt.cpp.o\tabc",
    ].join("\n");
    expect(edgeSeconds(log)).toEqual({ compile: 2.5, compiles: 1, tablegen: 0.8, tablegens: 2, link: 4.5, other: 0.1 });
  });
});
