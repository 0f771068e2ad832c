// In npm test (cheap once the shared wheel and dev distribution exist); alone: npm run test:wheel-tools.
// The tools on PATH after `pip install`: the dev wheel's console entry points (mlir-opt,
// mlir-translate, mlir-tblgen, mlir-lsp-server, FileCheck, not, count, split-file) run the
// binaries of its install tree. Reuses the shared wheel and the dev distribution the downstream
// test builds (the factory's stamps), then a fresh venv with both wheels from their files.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { unzipSync } from "fflate";
import { beforeAll, describe, expect, it } from "vitest";
import { findPython } from "../../src/platforms/pythons.js";
import { buildWheels } from "../../src/factory/factory.js";
import type { BuildReport } from "../../src/schema/build-report.js";
import { TOOL_COMMANDS } from "../../src/wheels/tools.js";
import { OUTPUT, testEnv, testProgress } from "../support/env.js";
import { PYTHON, settings, sharedWheelFiles } from "../support/wheel-settings.js";

const DIR = join(OUTPUT, "wheel-tools");
const VENV = join(DIR, "venv");
const BIN = join(VENV, "bin");
// Only the venv's bin and the base system: nothing of the layer's /usr/lib/llvm-22/bin.
const PATH = `${BIN}:/usr/bin:/bin`;
const sh = (script: string, input?: string) =>
  execa("bash", ["-c", script], { env: { PATH }, extendEnv: false, cwd: DIR, reject: false, ...(input !== undefined ? { input } : {}) });

describe("tools on PATH from the dev wheel", () => {
  let report: BuildReport;
  beforeAll(async () => {
    const env = testEnv("wheel-tools");
    report = await buildWheels({ ...settings, dev: true, verify: false }, env, testProgress("wheel-tools"));
    mkdirSync(DIR, { recursive: true });
    const base = await findPython(env, PYTHON);
    await execa(base.executable, ["-m", "venv", "--clear", VENV]);
    await execa(join(BIN, "python"), [
      "-m",
      "pip",
      "install",
      "-q",
      "--disable-pip-version-check",
      ...sharedWheelFiles(report),
    ]);
  }, 1_800_000);

  it("declares one console script per tool in the dev wheel's entry_points.txt", () => {
    const devWheel = report.dev!.find((a) => a.kind === "dev-wheel")!;
    const files = unzipSync(readFileSync(join(settings.outDir, devWheel.fileName)), { filter: (f) => f.name.endsWith("entry_points.txt") });
    const text = Buffer.from(Object.values(files)[0]!).toString();
    expect(text.startsWith("[console_scripts]\n")).toBe(true);
    for (const t of TOOL_COMMANDS) expect(text).toMatch(new RegExp(`^${t} = mlir_python_bindings_dev\\._tools:\\w+$`, "m"));
  });

  it("puts every tool on the venv's PATH, resolved to the venv, never to the layer", async () => {
    for (const t of TOOL_COMMANDS) {
      const r = await sh(`command -v ${t}`);
      expect(r.stdout.trim(), t).toBe(join(BIN, t));
    }
  });

  it("runs mlir-opt --version, mlir-translate and mlir-tblgen of the same LLVM version", async () => {
    for (const t of ["mlir-opt", "mlir-translate", "mlir-tblgen"]) {
      const r = await sh(`${t} --version`);
      expect(r.exitCode, `${t}: ${r.stderr}`).toBe(0);
      expect(r.stdout, t).toMatch(/LLVM version 22\.1\.8/);
    }
    const lsp = await sh("mlir-lsp-server --help");
    expect(lsp.exitCode).toBe(0);
    expect(lsp.stdout).toMatch(/MLIR LSP Language Server/);
  });

  it("checks real mlir-opt output with FileCheck, not, count and split-file from PATH", async () => {
    writeFileSync(
      join(DIR, "both.mlir"),
      "//--- in.mlir\nfunc.func @f(%a: i32) -> i32 {\n  %c0 = arith.constant 0 : i32\n  %r = arith.addi %a, %c0 : i32\n  return %r : i32\n}\n//--- check.txt\n// CHECK-LABEL: func.func @f\n// CHECK-NOT: arith.addi\n// CHECK: return %arg0 : i32\n",
    );
    const split = await sh("split-file both.mlir parts && ls parts");
    expect(split.stdout.split("\n").filter(Boolean).sort()).toEqual(["check.txt", "in.mlir"]);
    const ok = await sh("mlir-opt --canonicalize parts/in.mlir | FileCheck parts/check.txt");
    expect(ok.exitCode, ok.stderr).toBe(0);
    // A check that must fail fails, and `not` turns that into success.
    const bad = await sh("mlir-opt parts/in.mlir | FileCheck parts/check.txt");
    expect(bad.exitCode).not.toBe(0);
    // Uncanonicalized, the addi is still there and `return` names it: FileCheck names the failing check line.
    expect(bad.stderr).toMatch(/parts\/check\.txt:\d+:\d+: error: CHECK(-NOT)?: (expected string not found|excluded string found) in input/);
    const inverted = await sh("mlir-opt parts/in.mlir | not FileCheck parts/check.txt");
    expect(inverted.exitCode).toBe(0);
    const lines = await sh("printf 'a\\nb\\nc\\n' | count 3");
    expect(lines.exitCode).toBe(0);
    expect((await sh("printf 'a\\n' | count 3")).exitCode).not.toBe(0);
  });
});
