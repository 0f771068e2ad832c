// The bindings stage: upstream's mlir/python built out of tree (containers/bindings) against an
// LLVM layer. One build directory per platform: the aggregate CAPI library and the generated
// sources are built once; switching Python reconfigures and rebuilds only the extensions.
import { existsSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import type { ExecEnv } from "../exec/env.js";
import type { LlvmLayer } from "../layer/layer.js";
import { ninjaPercent, type Progress } from "../progress.js";
import type { LlvmSourceTree } from "../source/tree.js";
import type { PythonInterpreter } from "./pythons.js";

export interface BindingsBuildInput {
  env: ExecEnv;
  progress: Progress;
  repoRoot: string;
  source: LlvmSourceTree;
  layer: LlvmLayer;
  /** Python with the build requirements (nanobind) installed: a build venv's interpreter. */
  python: PythonInterpreter;
  buildDir: string;
  /** Receives the installed `mlir` package (cleaned first). */
  stageDir: string;
  nanobindDomain: string;
  /** Extra CMake cache entries from the platform module (toolchain, flags, suffix overrides). */
  cmakeDefs?: Record<string, string>;
  /** Strip command (argv prefix) for shared objects, or undefined to keep symbols. */
  strip?: string[];
  jobs?: number;
}

export interface BindingsBuildResult {
  stageDir: string;
  seconds: { configure: number; build: number; install: number };
}

export function bindingsConfigureArgs(input: BindingsBuildInput): string[] {
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
    "cmake",
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

const since = (t: number): number => Math.round((Date.now() - t) / 100) / 10;

export async function buildBindings(input: BindingsBuildInput): Promise<BindingsBuildResult> {
  const { env, progress } = input;
  let t = Date.now();
  progress.step(`configure for Python ${input.python.version}`);
  await env.run(bindingsConfigureArgs(input));
  const configure = since(t);

  t = Date.now();
  const label = `build extensions for Python ${input.python.version}`;
  progress.step(label, 0);
  await env.run(["ninja", "-C", input.buildDir, ...(input.jobs ? [`-j${input.jobs}`] : [])], {
    onLine: (l) => {
      const p = ninjaPercent(l);
      if (p !== undefined) progress.step(label, p);
    },
  });
  const build = since(t);

  t = Date.now();
  progress.step(`install + strip for Python ${input.python.version}`);
  rmSync(input.stageDir, { recursive: true, force: true });
  await env.run(["cmake", "--install", input.buildDir, "--prefix", input.stageDir, "--component", "MLIRPythonModules"]);
  if (input.strip) {
    const libs = sharedObjects(join(input.stageDir, "mlir"));
    if (libs.length) await env.run([...input.strip, ...libs]);
  }
  return { stageDir: input.stageDir, seconds: { configure, build, install: since(t) } };
}

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
