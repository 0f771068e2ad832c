// What the plan tests give resolvePlatformPlan besides the Pythons, the LLVM facts and the runner:
// fixed names and machine-independent paths.
export const RESOLVE_INPUT_BASE = {
  distribution: "mlir-python-bindings",
  nanobind: "2.9.2",
  nanobindDomain: "mlir_release",
  repoRoot: "/repo",
  sourceRoot: "/llvm-project",
  mlirCmakeDir: "/layer/lib/cmake/mlir",
  workDir: "/w",
} as const;
