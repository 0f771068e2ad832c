// A build target as the stages see it: one small typed object per platform (cibuildwheel's
// platform modules are the model). Stage code asks the module; it never branches on the OS.
import type { AbiVariant, PlatformId } from "../schema.js";

export interface RepairStep {
  tool: "auditwheel" | "delocate-wheel" | "delvewheel";
  /** argv to repair `wheel` into `outDir` for the given policy/platform tag; tools live in toolsBin. */
  argv(wheel: string, outDir: string, policy: string, toolsBin: string): string[];
}

export interface Platform {
  id: PlatformId;
  os: "linux" | "macos" | "windows";
  arch: "x86_64" | "aarch64" | "arm64";
  /** Wheel platform tag before repair (what the compiler output claims). */
  rawPlatformTag: string;
  /** Extension suffix for a CPython version/ABI variant (e.g. .cpython-312-x86_64-linux-gnu.so). */
  extensionSuffix(python: string, abi: AbiVariant): string;
  /** CMake cache entries for the bindings build on this platform. */
  bindingsCmakeDefs(python: string, abi: AbiVariant): Record<string, string>;
  /** argv prefix that strips shared objects in place, or undefined. */
  strip?: string[];
  repair: RepairStep;
  /** Why this module makes the choices it makes (shown by --dry-run). */
  notes: string[];
}
