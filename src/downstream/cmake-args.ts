// The downstream project's CMake configuration (pure): the configure argv of a wheel build, and the
// settings its lit suite's test build leaves out.
import { type DownstreamProject } from "../schema/downstream.js";

/** The CMake configure argv of the project for one Python (pure). */
export function projectConfigureArgs(o: {
  projectDir: string;
  buildDir: string;
  mlirDir: string;
  devRoot: string;
  python: string;
  venvDir: string;
  project: DownstreamProject;
  lit?: string;
  extra?: Record<string, string>;
}): string[] {
  // Reproducible objects: no path of this machine reaches the binaries.
  const maps = [
    `-ffile-prefix-map=${o.buildDir}=/build`,
    `-ffile-prefix-map=${o.projectDir}=/project`,
    `-ffile-prefix-map=${o.devRoot}=/mlir-dev`,
    `-ffile-prefix-map=${o.venvDir}=/venv`,
  ].join(" ");
  const defs: Record<string, string> = {
    ...o.project.cmakeDefines,
    ...(o.extra ?? {}),
    CMAKE_BUILD_TYPE: "Release",
    CMAKE_BUILD_RPATH_USE_ORIGIN: "ON",
    CMAKE_C_FLAGS: maps,
    CMAKE_CXX_FLAGS: maps,
    MLIR_DIR: o.mlirDir,
    MLIR_ENABLE_BINDINGS_PYTHON: "ON",
    Python3_EXECUTABLE: o.python,
    Python_EXECUTABLE: o.python,
    MLIR_PYTHON_PACKAGE_PREFIX: o.project.packagePrefix,
    MLIR_BINDINGS_PYTHON_NB_DOMAIN: o.project.nanobindDomain,
    MLIR_BINDINGS_PYTHON_INSTALL_PREFIX: o.project.packagePrefix,
    ...(o.lit ? { LLVM_EXTERNAL_LIT: o.lit } : {}),
  };
  return [
    "cmake",
    "-G",
    "Ninja",
    "-U*Python*",
    "-Unanobind_DIR",
    "-S",
    o.projectDir,
    "-B",
    o.buildDir,
    ...Object.entries(defs)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `-D${k}=${v}`),
  ];
}

/**
 * Symbol-visibility settings a wheel build asks for (upstream's example sets them in
 * [tool.scikit-build.cmake.define] so the package's private copy of MLIR never interposes with
 * ours). The lit suite's tools are built without them: a tool plugin (`mlir-opt
 * --load-pass-plugin/--load-dialect-plugin`) must export its entry point and share the tool's MLIR
 * symbols, which hidden visibility forbids.
 */
const WHEEL_ONLY_DEFINES = ["CMAKE_C_VISIBILITY_PRESET", "CMAKE_CXX_VISIBILITY_PRESET", "CMAKE_VISIBILITY_INLINES_HIDDEN"] as const;

/** The project as its lit suite's tools are configured: the wheel build's settings minus WHEEL_ONLY_DEFINES (pure). */
export function testBuildProject(project: DownstreamProject): { project: DownstreamProject; dropped: string[] } {
  const dropped = WHEEL_ONLY_DEFINES.filter((k) => k in project.cmakeDefines);
  const cmakeDefines = Object.fromEntries(Object.entries(project.cmakeDefines).filter(([k]) => !(WHEEL_ONLY_DEFINES as readonly string[]).includes(k)));
  return { project: { ...project, cmakeDefines }, dropped };
}
