// `npm run test:aarch64-build`: the linux-aarch64 cross-build for real (issue 13: "the same holds for
// the aarch64 cross-build"). Needs the cross toolchain, the arm64 sysroot and root that
// `MLIR_RELEASE_AARCH64=1 bash ci/setup.sh` prepares under .cache/aarch64 (or
// MLIR_RELEASE_AARCH64_CROSS); without them the file fails with that instruction, it does not skip.
// It runs the README's cross-build command through the real CLI, then `build --dry-run` with the same
// flags, and requires the build's log to hold exactly the dry run's steps and commands, in order;
// then the wheel is an AArch64 one and passes the smoke test under qemu-user.
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { unzipSync } from "fflate";
import { beforeAll, describe, expect, it } from "vitest";
import { buildSettings } from "../support/build-settings.js";
import { HostEnv } from "../../src/exec/host.js";
import { parseStepLog } from "../../src/exec/steps.js";
import { plannedInputs } from "../../src/factory/factory.js";
import { BuildReport } from "../../src/schema/build-report.js";
import { checkEmulatedWheel } from "../../src/verify/emulated.js";
import { CACHE, OUTPUT, REPO } from "../support/env.js";

const CROSS = process.env["MLIR_RELEASE_AARCH64_CROSS"] ?? join(REPO, ".cache", "aarch64");
const OUT = join(OUTPUT, "aarch64-build", "dist");
const WORK = join(CACHE, "test-work-aarch64");
const LOG = join(WORK, "logs", "build-linux-aarch64.log");
const PY = "3.11";
const flags = [
  "--platform", "linux-aarch64", "--python", PY,
  "--layer", `prebuilt:${join(CROSS, "sysroot", "usr", "lib", "llvm-22")}`,
  "--no-verify", "--no-dev", "--out", OUT, "--work", WORK, "--cache", CACHE,
];
const cli = (args: string[]) =>
  execa("node", [join(REPO, "bin", "mlir-release.mjs"), ...args], { cwd: REPO, reject: false, env: { MLIR_RELEASE_AARCH64_CROSS: CROSS } });

/** The dry run's step ids and `$` lines, in order (the same parse as the x86_64 wheel-factory test). */
function dryRunSteps(stdout: string): { id: string; command?: string }[] {
  const steps: { id: string; command?: string }[] = [];
  for (const line of stdout.split("\n")) {
    const h = /^\s+\d+\/\d+ (\S+) \[\w+\]$/.exec(line);
    if (h?.[1]) steps.push({ id: h[1] });
    else if (/^\s+\$ /.test(line)) steps.at(-1)!.command = line.trim().slice(2);
  }
  return steps;
}

describe("linux-aarch64 cross-build: the real build's log equals `build --dry-run`", () => {
  let built: { exitCode?: number; stderr: string; stdout: string };
  let wheel: string;
  beforeAll(async () => {
    for (const need of [join(CROSS, "sysroot", "usr", "lib", "llvm-22", "lib", "cmake", "mlir"), join(CROSS, "root", "usr", "bin", "python3.11")]) {
      if (!existsSync(need)) throw new Error(`${need} is missing: run MLIR_RELEASE_AARCH64=1 bash ci/setup.sh (cross toolchain, qemu, arm64 sysroot and root under .cache/aarch64)`);
    }
    rmSync(LOG, { force: true });
    rmSync(OUT, { recursive: true, force: true });
    // A fresh wheel every run: the stamp would otherwise reuse the last one and run no build step.
    rmSync(join(WORK, "stamps"), { recursive: true, force: true });
    built = await cli(["build", ...flags]);
    process.stderr.write(built.stderr.split("\n").slice(-15).join("\n") + "\n");
    const report = join(OUT, "build-report.json");
    wheel = existsSync(report) ? (BuildReport.parse(JSON.parse(readFileSync(report, "utf8"))).wheels[0]?.fileName ?? "") : "";
  }, 3_600_000);

  it("builds with exit 0 and writes the log the CLI names", () => {
    expect(built.exitCode, built.stderr.slice(-3000)).toBe(0);
    expect(existsSync(LOG)).toBe(true);
  });

  it("ran exactly the steps the dry run lists: the same ids in order, each command step's argv as printed", async () => {
    const dry = await cli(["build", "--dry-run", ...flags]);
    expect(dry.exitCode, dry.stderr).toBe(0);
    const planned = dryRunSteps(dry.stdout);
    const ran = parseStepLog(readFileSync(LOG, "utf8"));
    expect(ran.map((s) => s.id)).toEqual(planned.map((s) => s.id));
    for (const [i, p] of planned.entries()) {
      const r = ran[i]!;
      if (p.command !== undefined) expect(r.commands, p.id).toEqual(r.status === "ran" ? [p.command] : []);
    }
    // Every build step of the Python ran (only the tools/venv provisioning may be up to date).
    expect(ran.filter((s) => s.status !== "ran").map((s) => s.id).filter((id) => !/\/(venv|venv-install)$|^provision\/tools-/.test(id))).toEqual([]);
    // The cross-build's own commands are in that list, not beside it.
    const commands = planned.map((p) => p.command ?? "").join("\n");
    expect(commands).toContain("aarch64-linux-gnu-g++");
    expect(commands).toContain(`-DCMAKE_TOOLCHAIN_FILE=${join(REPO, "containers", "aarch64", "toolchain.cmake")}`);
    expect(commands).toContain(`-DPython_EXECUTABLE=${join(REPO, "containers", "aarch64", "python-qemu.sh")}`);
    expect(commands).toContain("aarch64-linux-gnu-strip");
  });

  it("made an AArch64 manylinux wheel whose extension is an AArch64 ELF", () => {
    expect(wheel).toMatch(/^mlir_python_bindings-22\.1\.8-cp311-cp311-manylinux_2_\d+_aarch64\.whl$/);
    const files = unzipSync(readFileSync(join(OUT, wheel)), { filter: (f) => /^mlir\/_mlir_libs\/_mlir\..*\.so$/.test(f.name) });
    const so = Object.values(files)[0]!;
    expect(Buffer.from(so.subarray(0, 4)).toString("latin1")).toBe("\x7fELF");
    expect(Buffer.from(so).readUInt16LE(18)).toBe(183); // e_machine EM_AARCH64
  });

  it("passes the smoke test under qemu-user (import, build IR, JIT)", async () => {
    const work = join(WORK, "check");
    const r = await checkEmulatedWheel({
      env: new HostEnv(join(work, "check.log")),
      wheel: join(OUT, wheel),
      repoRoot: REPO,
      crossDir: CROSS,
      workDir: work,
      sourceRoot: plannedInputs(buildSettings({ out: OUT, cache: CACHE, work: WORK })).sourceRoot,
      litExecutable: join(REPO, ".cache", "tools", "bin", "lit"),
      llvmVersion: "22.1.8",
    });
    process.stderr.write(`aarch64 smoke: ${JSON.stringify(r.smoke)} in ${r.seconds.smoke.toFixed(1)} s\n`);
    expect(r.smoke).toMatchObject({ jit: 42, llvm_version: "22.1.8" });
  }, 900_000);
});
