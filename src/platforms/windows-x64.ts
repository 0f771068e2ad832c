// Windows x64: Ninja + MSVC from the runner's Visual Studio, static CRT, short build paths,
// delvewheel told where the bindings' own DLLs are.
import { win32 } from "node:path";
import { InvalidInputError } from "../errors.js";
import { WINDOWS_CONVENTIONS } from "./os-family.js";
import type { ListDir, Platform } from "./platform.js";
import { runnerPythonCandidates, windowsExtensionSuffix } from "./tags.js";

const VSWHERE = "C:\\Program Files (x86)\\Microsoft Visual Studio\\Installer\\vswhere.exe";

/**
 * Work directory for every build on Windows. MLIR's link lines name hundreds of objects by
 * path; under a long checkout path the linker's command files overflow (and MAX_PATH bites
 * on generated headers), so builds run from a two-letter root.
 */
const WINDOWS_SHORT_WORK_DIR = "C:\\mr";

/** The DLLs the bindings ship next to their .pyd files in mlir/_mlir_libs. */
const windowsBindingDlls = (domain: string): string[] => ["MLIRPythonCAPI.dll", `nanobind-${domain}.dll`];

export const windowsX64: Platform = {
  id: "windows-x64",
  os: "windows",
  arch: "x86_64",
  runner: {
    label: "windows-2022",
    env: { RUNNER_TOOL_CACHE: "C:\\hostedtoolcache\\windows" },
    pythons: ["3.10", "3.11", "3.12", "3.13", "3.14", "3.15", "3.13t", "3.14t", "3.15t"],
  },
  rawPlatformTag: "win_amd64",
  defaultRepairPolicy: () => "win_amd64",
  conventions: WINDOWS_CONVENTIONS,
  fixedWorkDir: WINDOWS_SHORT_WORK_DIR,
  wheelPlatformTag: (opts) => {
    const sp = opts?.sysconfigPlatform;
    if (sp && sp !== "win-amd64") throw new InvalidInputError(`Python with sysconfig platform '${sp}' cannot build win_amd64 wheels (need win-amd64)`);
    return "win_amd64";
  },
  extensionSuffix: (python, abi) => windowsExtensionSuffix(python, abi, "win_amd64"),
  generator: "Ninja",
  bindingsCmakeDefs: () => ({
    // cl from the vcvars environment; Ninja (not the VS generator) so one build dir serves every
    // Python the way it does on Linux and macOS.
    CMAKE_C_COMPILER: "cl",
    CMAKE_CXX_COMPILER: "cl",
    // Static CRT, as the LLVM layer is built: the wheel then needs no VC++ redistributable and the
    // aggregate DLL and the .pyd files cannot disagree about heaps.
    CMAKE_MSVC_RUNTIME_LIBRARY: "MultiThreaded",
    CMAKE_POLICY_DEFAULT_CMP0091: "NEW",
    // /bigobj: generated op definitions exceed the default COFF section count; /EHsc: nanobind
    // translates C++ exceptions. /Zc:__cplusplus: nanobind and LLVM test the real language level.
    CMAKE_CXX_FLAGS: "/EHsc /bigobj /Zc:__cplusplus /utf-8",
    // Response files for every link: the aggregate's object list is far beyond cmd's 8 KiB.
    CMAKE_NINJA_FORCE_RESPONSE_FILE: "ON",
  }),
  buildEnv: { MLIR_RELEASE_WORK: WINDOWS_SHORT_WORK_DIR },
  toolsFamily: "tools-windows",
  toolchainChecks: [
    {
      argv: [VSWHERE, "-latest", "-products", "*", "-requires", "Microsoft.VisualStudio.Component.VC.Tools.x86.x64", "-property", "installationPath"],
      why: "find the runner's Visual Studio; its vcvars64.bat provides cl, link and the SDK",
    },
    {
      argv: ["where", "cl"],
      why: "cl must be on PATH: the MSVC x64 environment (vcvars64.bat) is imported into the job before setup/build",
    },
  ],
  buildVenv: true,
  pythonCandidates: (version, env, listDir?: ListDir) =>
    runnerPythonCandidates(
      version,
      env,
      // setup-python's tool cache; the free-threaded build's executable is python3.13t.exe.
      {
        cache: env["RUNNER_TOOL_CACHE"] ?? "C:\\hostedtoolcache\\windows",
        sep: "\\",
        arch: "x64",
        exe: (s) => (s.freeThreaded ? `python${s.base}t.exe` : "python.exe"),
        ...(listDir ? { listDir } : {}),
      },
      // python.org's per-user default location (the free-threaded executable sits beside python.exe).
      (p) => {
        const local = env["LOCALAPPDATA"];
        return local ? [win32.join(local, "Programs", "Python", `Python${p.nodot}`, p.freeThreaded ? `python${p.base}t.exe` : "python.exe")] : [];
      },
    ),
  // No strip on Windows: symbols live in .pdb files, which the wheel does not ship.
  repair: {
    tool: "delvewheel",
    // delvewheel takes DLL names.
    nativeExcludes: ["MLIRPythonCAPI.dll"],
    checks: "every DLL the .pyd files import is in the wheel or a system DLL; copies others in (name-mangled)",
    argv: (wheel, outDir, _policy, toolsBin, ctx) => {
      if (!ctx?.stageDir || !ctx.nanobindDomain) {
        throw new InvalidInputError("windows-x64 repair needs the staged package (stageDir) and the nanobind domain");
      }
      const libs = win32.join(ctx.stageDir, "mlir", "_mlir_libs");
      return [
        win32.join(toolsBin, "delvewheel.exe"),
        "repair",
        // The .pyd files import MLIRPythonCAPI.dll and nanobind-<domain>.dll from their own
        // directory; delvewheel resolves imports via PATH and --add-path only, and stops with
        // "Unable to find library: nanobind-<domain>.dll" unless it is told where they are.
        "--add-path",
        libs,
        // Those two already ship in _mlir_libs and are loaded from there by name: keep their names.
        "--no-mangle",
        windowsBindingDlls(ctx.nanobindDomain).join(";"),
        // The per-Python wheel loads MLIRPythonCAPI.dll from the native wheel's files in the same directory.
        ...(ctx.exclude?.length ? ["--exclude", ctx.exclude.join(";")] : []),
        // The native wheel has no .pyd: its own DLLs are what delvewheel must analyze.
        ...(ctx.native ? ["--analyze-existing"] : []),
        "-w",
        outDir,
        wheel,
      ];
    },
  },
  notes: [
    "Ninja + MSVC (cl) from vcvars64, static CRT (CMAKE_MSVC_RUNTIME_LIBRARY=MultiThreaded) to match the layer: no redistributable needed.",
    `builds under ${WINDOWS_SHORT_WORK_DIR}: long paths overflow the linker's command files; Ninja response files forced on.`,
    "delvewheel --add-path mlir/_mlir_libs: it fails on nanobind-<domain>.dll otherwise; --no-mangle keeps the in-package DLL names.",
  ],
};
