// A build target as the stages see it: one small typed object per platform (cibuildwheel's
// platform modules are the model). Stage code asks the module; it never branches on the OS.
import type { AbiVariant, PlatformId } from "../schema/platform.js";
import type { OsConventions } from "./os-family.js";

/** Paths the repair step may need beyond the wheel itself. */
interface RepairContext {
  /** The installed `mlir` package the wheel was assembled from (holds _mlir_libs). */
  stageDir?: string;
  nanobindDomain?: string;
  /** Libraries the repair must not graft: the native wheel ships them (in the tool's own pattern form). */
  exclude?: string[];
  /** The wheel being repaired is the platform's native wheel (py3-none: libraries only, no extension). */
  native?: boolean;
}

interface RepairStep {
  tool: "auditwheel" | "delocate-wheel" | "delvewheel";
  /** What the tool enforces, in one line (shown by --dry-run, recorded in the plan). */
  checks: string;
  /** The native wheel's libraries in this tool's own pattern form, which a per-Python wheel's repair must not graft. */
  nativeExcludes: string[];
  /** argv to repair `wheel` into `outDir` for the given policy/platform tag; tools live in toolsBin. */
  argv(wheel: string, outDir: string, policy: string, toolsBin: string, ctx?: RepairContext): string[];
}

/** One command that prepares or checks the build environment, with the reason it is there. */
export interface ProvisionStep {
  argv: string[];
  why: string;
}

/** Hashed requirements file of the platform family's tools venv (containers/provision/requirements/<name>.txt). */
type ToolsFamily = "tools-linux" | "tools-macos" | "tools-windows";

/**
 * Where the module's builds run on CI. `image` names an entry of containers/images.lock.json
 * (never a registry reference: pins live only in the lock file).
 */
export interface RunnerSpec {
  /** GitHub Actions runner label. */
  label: string;
  image?: string;
  /** Environment the runner provides that Python discovery reads (e.g. RUNNER_TOOL_CACHE). */
  env: Record<string, string>;
  /** CPython versions the runner can provide ("3.13t" = free-threaded). */
  pythons: string[];
}

/** Lists a directory's entries, or [] when it does not exist (injected: discovery stays pure). */
export type ListDir = (dir: string) => string[];

export interface Platform {
  id: PlatformId;
  os: "linux" | "macos" | "windows";
  arch: "x86_64" | "aarch64" | "arm64";
  /** Linux only: the manylinux policy whose image the build runs in (manylinux2014, manylinux_2_28). */
  policy?: string;
  runner: RunnerSpec;
  /** Wheel platform tag before repair (what the compiler output claims). */
  rawPlatformTag: string;
  /**
   * Platform tag of the published wheel. `sysconfigPlatform` is the building Python's
   * sysconfig.get_platform() (macOS raises the tag when the interpreter needs a newer OS);
   * `policy` is the auditwheel policy actually used (Linux).
   */
  wheelPlatformTag(opts?: { sysconfigPlatform?: string; policy?: string }): string;
  /** Extension suffix for a CPython version/ABI variant (e.g. .cpython-312-x86_64-linux-gnu.so). */
  extensionSuffix(python: string, abi: AbiVariant): string;
  /** CMake generator of the bindings build. */
  generator: "Ninja";
  /** CMake cache entries for the bindings build on this platform. */
  bindingsCmakeDefs(python: string, abi: AbiVariant): Record<string, string>;
  /** Environment of every build command (deployment target, compiler selection). */
  buildEnv: Record<string, string>;
  /** Which hashed requirements file the tools venv is installed from (`mlir-release setup`). */
  toolsFamily: ToolsFamily;
  /** Commands that check the compiler/SDK the build uses (run by `setup` and as build steps). */
  toolchainChecks: ProvisionStep[];
  /** Whether each Python gets a build venv (a cross build uses the target's interpreter as is). */
  buildVenv: boolean;
  /** argv that reports what the repair will do to `wheel` (auditwheel show), if the tool has one. */
  inspect?(wheel: string, toolsBin: string): string[];
  /** Interpreter paths to try, in order, for a CPython version ("3.13t" = free-threaded). */
  pythonCandidates(version: string, env: Record<string, string | undefined>, listDir?: ListDir): string[];
  /** The build host's interpreters for the tools venv, when they are not pythonCandidates (a cross-build's host is not its target). */
  toolsPythonCandidates?(version: string, env: Record<string, string | undefined>, listDir?: ListDir): string[];
  /** argv prefix that strips shared objects in place, or undefined. */
  strip?: string[];
  repair: RepairStep;
  /** Why this module makes the choices it makes (shown by --dry-run). */
  notes: string[];
  /** Paths, venv layout, executables and shared objects of the build machine's OS. */
  conventions: OsConventions;
  /** The repair policy when neither the image nor the host names one (manylinux_…, macOS's tag, win_amd64). */
  defaultRepairPolicy(): string;
  /** Where every build of this platform runs, whatever work folder was asked for (Windows: a short root). */
  fixedWorkDir?: string;
  /** Whether it builds the tools wheel (src/wheels/tools-wheel.ts: a gold static link, written for Linux x86_64 so far). */
  toolsWheel?: boolean;
}
