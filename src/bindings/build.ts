// The bindings stage: upstream's mlir/python built out of tree (containers/bindings) against an
// LLVM layer. One build directory per platform: the aggregate CAPI library and the generated
// sources are built once; switching Python reconfigures and rebuilds only the extensions.
// The commands (configure, ninja, install, strip) are steps of src/platforms/resolve.ts.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { CompileCommand } from "../schema/compile-database.js";

/** What the bindings' configure line is made of (the platform module adds its cache entries). */
export interface BindingsConfigureInput {
  repoRoot: string;
  source: { root: string };
  layer: { version: string; mlirCmakeDir: string };
  /** Python with the build requirements (nanobind) installed: a build venv's interpreter. */
  python: { version: string; executable: string };
  buildDir: string;
  nanobindDomain: string;
  /** Extra CMake cache entries from the platform module (toolchain, flags, suffix overrides). */
  cmakeDefs?: Record<string, string>;
  /** The CMake executable (the tools venv's pinned one). */
  cmake?: string;
}

export function bindingsConfigureArgs(input: BindingsConfigureInput): string[] {
  const defs: Record<string, string> = {
    CMAKE_BUILD_TYPE: "Release",
    MLIR_RELEASE_SOURCE_DIR: input.source.root,
    MLIR_RELEASE_LLVM_VERSION: input.layer.version,
    MLIR_DIR: input.layer.mlirCmakeDir,
    // nanobind reads Python_*, MLIR's detection Python3_*: with only one set a different
    // interpreter is picked silently and the extensions get the wrong ABI suffix.
    Python3_EXECUTABLE: input.python.executable,
    Python_EXECUTABLE: input.python.executable,
    MLIR_BINDINGS_PYTHON_NB_DOMAIN: input.nanobindDomain,
    ...(input.cmakeDefs ?? {}),
  };
  return [
    input.cmake ?? "cmake",
    "-G",
    "Ninja",
    // Forget the previous Python (and the nanobind found through it) before choosing this one.
    "-U*Python*",
    "-Unanobind_DIR",
    "-S",
    join(input.repoRoot, "containers", "bindings"),
    "-B",
    input.buildDir,
    ...Object.entries(defs)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `-D${k}=${v}`),
  ];
}

/** Shared objects under dir (sorted): what a downstream build strips. */
export function sharedObjects(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    if (!existsSync(d)) return;
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      const st = statSync(p, { throwIfNoEntry: false });
      if (!st) continue;
      if (st.isDirectory()) walk(p);
      else if (/\.(so(\.\d+)*|dylib|pyd|dll)$/.test(e)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/**
 * Pure: the absolute input paths (compiled files, -I/-isystem/-iquote dirs) of a compile database
 * that no `-ffile-prefix-map=OLD=NEW` of their own command covers and that are not under one of
 * `fixedPrefixes` (paths that are the same on every host, such as /usr). Any such path can reach
 * the objects (__FILE__, debug info) and make the bytes depend on where the checkout is. Sorted.
 */
export function unmappedCompilePaths(db: readonly CompileCommand[], fixedPrefixes: readonly string[]): string[] {
  const under = (p: string, prefix: string): boolean => p === prefix || p.startsWith(prefix.endsWith("/") ? prefix : `${prefix}/`);
  const out = new Set<string>();
  for (const e of db) {
    const args = e.arguments ?? (e.command ?? "").split(/\s+/).filter(Boolean);
    const maps = args.filter((a) => a.startsWith("-ffile-prefix-map=")).map((a) => a.slice("-ffile-prefix-map=".length).split("=")[0]!);
    const inputs = [e.file];
    args.forEach((a, i) => {
      const m = /^-(I|isystem|iquote)(.*)$/.exec(a);
      if (m) inputs.push(m[2] || (args[i + 1] ?? ""));
    });
    for (const p of inputs) {
      const abs = p.startsWith("/") ? p : join(e.directory, p);
      if (maps.some((m) => m && under(abs, m)) || fixedPrefixes.some((f) => under(abs, f))) continue;
      out.add(abs);
    }
  }
  return [...out].sort();
}
