// Checks a cross-built linux-aarch64 wheel on this x86_64 host: unpacked, then imported by the arm64
// Debian root's python3.11 under qemu-user (containers/aarch64/python-qemu.sh), running the same
// smoke test as native wheels and a slice (or all) of upstream's lit suite. lit itself runs in the
// emulated Python (it decides features from the Python it runs in); FileCheck and mlir-opt are the
// host's x86_64 tools, the runtime libraries the JIT tests dlopen are the sysroot's arm64 ones.
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { unzipSync } from "fflate";
import type { ExecEnv } from "../exec/env.js";
import type { LlvmLayer } from "../layer/layer.js";
import { type LitCounts, runUpstreamLit } from "./lit.js";
import { runSmoke, type SmokeResult } from "./install.js";

interface EmulatedCheckInput {
  env: ExecEnv;
  wheel: string;
  repoRoot: string;
  /** holds sysroot/, root/, pylib/ (ci/setup.d/70-aarch64.sh) */
  crossDir: string;
  workDir: string;
  /** llvm-project tree with mlir/test (the one the wheel was built from) */
  sourceRoot: string;
  litExecutable: string;
  llvmVersion: string;
  /** lit subset of mlir/test/python; undefined = skip lit, [] = everything */
  litFilter?: string[];
  jobs?: number;
}

interface EmulatedCheckResult {
  smoke: SmokeResult;
  lit?: LitCounts;
  seconds: { smoke: number; lit?: number };
}

/** The split: the platform's native wheel beside a per-Python wheel (same directory, version and platform tag), if there. */
export function siblingNativeWheel(wheel: string): string | undefined {
  const m = /^(.*\/)?([^/-]+)-([^-]+)-[^-]+-[^-]+-([^-]+)\.whl$/.exec(wheel);
  if (!m || m[2]!.endsWith("_native")) return undefined;
  const p = `${m[1] ?? ""}${m[2]}_native-${m[3]}-py3-none-${m[4]}.whl`;
  return existsSync(p) ? p : undefined;
}

/** Unzips the wheel (and its native wheel, which shares mlir/_mlir_libs) and writes an interpreter wrapper that imports it under qemu. */
function emulatedInterpreter(wheel: string, dir: string, repoRoot: string, crossDir: string): string {
  rmSync(dir, { recursive: true, force: true });
  const site = join(dir, "site");
  const native = siblingNativeWheel(wheel);
  for (const w of [wheel, ...(native ? [native] : [])]) {
    for (const [name, data] of Object.entries(unzipSync(readFileSync(w)))) {
      if (name.endsWith("/")) continue;
      const p = join(site, name);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, data);
    }
  }
  const py = join(dir, "python3.11");
  writeFileSync(
    py,
    [
      "#!/usr/bin/env bash",
      "# the wheel's contents first on the path of the emulated arm64 python3.11",
      `export MLIR_RELEASE_AARCH64_CROSS=${JSON.stringify(crossDir)}`,
      `export PYTHONPATH=${JSON.stringify(site)}\${PYTHONPATH:+:$PYTHONPATH}`,
      `exec ${JSON.stringify(join(repoRoot, "containers", "aarch64", "python-qemu.sh"))} "$@"`,
      "",
    ].join("\n"),
  );
  chmodSync(py, 0o755);
  return py;
}

/** LLVM_TARGETS_TO_BUILD of the (sysroot's) layer: decides the NVPTX/ROCDL test features. */
function layerTargets(prefix: string): string[] {
  try {
    const cfg = readFileSync(join(prefix, "lib", "cmake", "llvm", "LLVMConfig.cmake"), "utf8");
    return /set\(LLVM_TARGETS_TO_BUILD\s+([^)]*)\)/.exec(cfg)?.[1]?.split(";") ?? ["AArch64"];
  } catch {
    return ["AArch64"];
  }
}

export async function checkEmulatedWheel(i: EmulatedCheckInput): Promise<EmulatedCheckResult> {
  const python = emulatedInterpreter(i.wheel, join(i.workDir, "emulated"), i.repoRoot, i.crossDir);
  let t = Date.now();
  const smoke = await runSmoke(i.env, python, i.repoRoot);
  const smokeSeconds = (Date.now() - t) / 1000;
  if (i.litFilter === undefined) return { smoke, seconds: { smoke: smokeSeconds } };
  const prefix = join(i.crossDir, "sysroot", "usr", "lib", "llvm-22");
  const layer: LlvmLayer = {
    kind: "prebuilt",
    prefix,
    version: i.llvmVersion,
    key: "emulated-aarch64",
    mlirCmakeDir: join(prefix, "lib", "cmake", "mlir"),
    // FileCheck, not, mlir-opt run natively; the arm64 runtime libraries are dlopened by the emulated Python.
    toolsDir: "/usr/lib/llvm-22/bin",
    libDir: join(prefix, "lib"),
  };
  t = Date.now();
  const lit = await runUpstreamLit({
    env: i.env,
    litExecutable: i.litExecutable,
    sourceRoot: i.sourceRoot,
    layer,
    python,
    pythonVersion: "3.11-aarch64",
    workDir: join(i.workDir, "emulated-lit"),
    ...(i.litFilter.length ? { filter: i.litFilter } : {}),
    hostTriple: "aarch64-unknown-linux-gnu",
    targets: layerTargets(prefix),
    jobs: i.jobs ?? 2,
  });
  return { smoke, lit, seconds: { smoke: smokeSeconds, lit: (Date.now() - t) / 1000 } };
}
