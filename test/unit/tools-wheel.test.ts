// The tools wheel's pure parts: names, launchers (one program behind the three MLIR tools, every
// command an entry point), the system-library rule and the size limit's refusal.
import { describe, expect, it } from "vitest";
import {
  droppedTargets, keptTargets, launcherModule, MULTI_CALL_PROGRAM, parseTargetsDef, sizeProblem, SYSTEM_LIBRARY, toolsConsoleScripts, toolsDistribution, toolsPackage, TOOLS_WHEEL_COMMANDS, TOOLS_WHEEL_MAX_BYTES,
} from "../../src/wheels/tools-wheel.js";

describe("tools wheel", () => {
  it("names: <distribution>-tools, its package, an entry point per command", () => {
    expect(toolsDistribution("mlir-python-bindings")).toBe("mlir-python-bindings-tools");
    expect(toolsPackage("mlir-python-bindings")).toBe("mlir_python_bindings_tools");
    const scripts = toolsConsoleScripts("p");
    expect(Object.keys(scripts)).toEqual([...TOOLS_WHEEL_COMMANDS]);
    expect(scripts["not"]).toBe("p._launch:run_not");
    expect(scripts["split-file"]).toBe("p._launch:run_split_file");
  });

  it("the launcher maps the three MLIR tools to the one program and starts it under the tool's name", () => {
    const py = launcherModule();
    expect(py).toContain(`_PROGRAM = {"mlir-opt": "${MULTI_CALL_PROGRAM}", "mlir-translate": "${MULTI_CALL_PROGRAM}", "mlir-lsp-server": "${MULTI_CALL_PROGRAM}"}`);
    expect(py).toContain("os.execv(exe, [name] + sys.argv[1:])");
    for (const c of TOOLS_WHEEL_COMMANDS) expect(py).toContain(`_run(${JSON.stringify(c)})`);
    expect(py).not.toMatch(/@[A-Z_]+@/);
  });

  it("only the C/C++ runtime counts as the system's", () => {
    for (const ok of ["libc.so.6", "libm.so.6", "libstdc++.so.6", "libgcc_s.so.1", "ld-linux-x86-64.so.2", "libpthread.so.0"]) expect(SYSTEM_LIBRARY.test(ok), ok).toBe(true);
    for (const no of ["libz3.so.4", "libxml2.so.2", "libedit.so.2", "libLLVM.so.22.1", "libMLIR.so.22.1", "libz.so.1", "libzstd.so.1"]) expect(SYSTEM_LIBRARY.test(no), no).toBe(false);
  });

  it("a wheel over the limit is refused in one line naming its size and the limit", () => {
    expect(TOOLS_WHEEL_MAX_BYTES).toBe(40_000_000);
    expect(sizeProblem("t.whl", 39_900_000)).toBeUndefined();
    expect(sizeProblem("t.whl", 45_300_000)).toBe("tools wheel t.whl is 45.3 MB, over the 40.0 MB limit (a layer with fewer LLVM targets links less)");
    expect(sizeProblem("t.whl", 45_300_000, 60e6)).toBeUndefined();
  });
});

describe("tools wheel: which LLVM targets it keeps", () => {
  const DEBIAN = "#ifndef LLVM_TARGET\n#  error Please define the macro LLVM_TARGET(TargetName)\n#endif\n\nLLVM_TARGET(AArch64)\nLLVM_TARGET(AMDGPU)\nLLVM_TARGET(NVPTX)\nLLVM_TARGET(X86)\nLLVM_TARGET(SPIRV)\n\n#undef LLVM_TARGET\n";

  it("reads a layer's targets from its Targets.def (the comment's example line is not a target)", () => {
    expect(parseTargetsDef(DEBIAN)).toEqual(["AArch64", "AMDGPU", "NVPTX", "X86", "SPIRV"]);
  });

  it("resolves LLVM_TARGETS_TO_BUILD for the machine: host is its own target, all keeps everything", () => {
    expect(keptTargets("host;NVPTX;AMDGPU", "x86_64")).toEqual(["X86", "NVPTX", "AMDGPU"]);
    expect(keptTargets("host;NVPTX;AMDGPU", "aarch64")).toEqual(["AArch64", "NVPTX", "AMDGPU"]);
    expect(keptTargets("all", "x86_64")).toBeUndefined();
    expect(() => keptTargets("host", "riscv64")).toThrow(/no LLVM target known for riscv64/);
  });

  it("drops the layer's targets the plan does not keep; a layer built with exactly those drops none", () => {
    const keep = keptTargets("host;NVPTX;AMDGPU", "x86_64");
    expect(droppedTargets(parseTargetsDef(DEBIAN), keep)).toEqual(["AArch64", "SPIRV"]);
    expect(droppedTargets(["X86", "NVPTX", "AMDGPU"], keep)).toEqual([]);
    expect(droppedTargets(parseTargetsDef(DEBIAN), undefined)).toEqual([]);
  });
});
