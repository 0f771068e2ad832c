// One target abstraction for the per-Python and the native wheel: the same assemble and place code
// splits a staged package between them, writes each one's METADATA, refuses a wrong repair output,
// and records the placed wheel.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unzipSync } from "fflate";
import { afterAll, describe, expect, it } from "vitest";
import { resolveBuildSettings } from "../../src/cli/build-commands.js";
import { buildSettingsOf } from "../support/build-settings.js";
import { planBuild } from "../../src/factory/factory.js";
import type { ReleaseFiles } from "../../src/factory/steps/metadata.js";
import { assembleTarget, placeTarget, targetOf, wheelTargets } from "../../src/factory/steps/target.js";
import { InvalidInputError } from "../../src/errors.js";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const meta = (distribution: string, requiresDist: string[]): ReleaseFiles["metadata"] => ({
  distribution,
  version: "22.1.8",
  summary: "s",
  license: "Apache-2.0 WITH LLVM-exception",
  requiresPython: ">=3.10",
  requiresDist,
  projectUrls: {},
});
const files: ReleaseFiles = {
  metadata: meta("mlir-python-bindings", ["mlir-python-bindings-native==22.1.8"]),
  nativeMetadata: meta("mlir-python-bindings-native", []),
  releaseInfo: 'VERSION = "22.1.8"\n',
};

function setup(): { s: ReturnType<typeof resolveBuildSettings>; plan: ReturnType<typeof planBuild>; root: string } {
  const root = mkdtempSync(join(tmpdir(), "factory-targets-"));
  dirs.push(root);
  const s = buildSettingsOf({ platform: "linux-x86_64", source: "debian:22.1.8", layer: "prebuilt:/usr/lib/llvm-22", python: "3.12", out: join(root, "out"), work: join(root, "work"), cache: join(root, "cache"), verify: false, dev: false, lit: false });
  const plan = planBuild(s);
  const libs = join(s.workDir, "stage", `${s.platform.id}-py3.12`, "mlir", "_mlir_libs");
  mkdirSync(libs, { recursive: true });
  writeFileSync(join(libs, "libMLIRPythonCAPI.so.22.1"), "capi");
  writeFileSync(join(libs, "libmlir_c_runner_utils.so"), "runner");
  writeFileSync(join(libs, "_mlir.cpython-312-x86_64-linux-gnu.so"), "ext");
  writeFileSync(join(libs, "..", "__init__.py"), "");
  mkdirSync(s.outDir, { recursive: true });
  return { s, plan, root };
}

const members = (wheel: string): Record<string, string> =>
  Object.fromEntries(Object.entries(unzipSync(readFileSync(wheel))).map(([k, v]) => [k, Buffer.from(v).toString()]));

describe("wheel targets", () => {
  it("split one staged package between the per-Python and the native wheel, each with its METADATA", async () => {
    const { s, plan } = setup();
    const targets = wheelTargets(s, plan);
    expect([...targets.keys()]).toEqual(["py3.12", "native"]);
    const py = targetOf(targets, "py3.12/zip");
    const native = targetOf(targets, "native/zip");
    await assembleTarget(py, files, 1_700_000_000);
    await assembleTarget(native, files, 1_700_000_000);
    const perPython = members(py.rawWheel);
    const nat = members(native.rawWheel);
    expect(Object.keys(perPython).filter((n) => n.startsWith("mlir/")).sort()).toEqual(["mlir/__init__.py", "mlir/_mlir_libs/_mlir.cpython-312-x86_64-linux-gnu.so", "mlir/_release_info.py", "mlir/_runtime_libs.py"]);
    expect(Object.keys(nat).filter((n) => n.startsWith("mlir/")).sort()).toEqual(["mlir/_mlir_libs/libMLIRPythonCAPI.so.22.1", "mlir/_mlir_libs/libmlir_c_runner_utils.so"]);
    expect(perPython["mlir_python_bindings-22.1.8.dist-info/METADATA"]).toContain("Requires-Dist: mlir-python-bindings-native==22.1.8\n");
    expect(nat["mlir_python_bindings_native-22.1.8.dist-info/METADATA"]).toContain("Name: mlir-python-bindings-native\n");
    expect(nat["mlir_python_bindings_native-22.1.8.dist-info/METADATA"]).not.toContain("Requires-Dist");
  });

  it("the native wheel of a package without the C API library is refused, naming the folder", async () => {
    const { s, plan } = setup();
    rmSync(join(s.workDir, "stage", `${s.platform.id}-py3.12`, "mlir", "_mlir_libs"), { recursive: true });
    await expect(assembleTarget(targetOf(wheelTargets(s, plan), "native/zip"), files, 1)).rejects.toThrow(/_mlir_libs holds no C API library/);
  });

  it("place puts the repaired wheel under its planned name, replacing an older one, and records it; a wrong name is refused", async () => {
    const { s, plan } = setup();
    const t = targetOf(wheelTargets(s, plan), "py3.12/place");
    await assembleTarget(t, files, 1_700_000_000);
    mkdirSync(t.repairDir, { recursive: true });
    cpSync(t.rawWheel, join(t.repairDir, "other-22.1.8-cp312-cp312-linux_x86_64.whl"));
    const o = { outDir: s.outDir, policy: plan.repair.policy, sourceDateEpoch: 1_700_000_000, results: new Map() };
    await expect(placeTarget(t, o)).rejects.toThrow(InvalidInputError);
    rmSync(t.repairDir, { recursive: true });
    mkdirSync(t.repairDir, { recursive: true });
    cpSync(t.rawWheel, join(t.repairDir, t.wheel));
    const stale = "mlir_python_bindings-22.1.7-cp312-cp312-manylinux_2_17_x86_64.whl";
    writeFileSync(join(s.outDir, stale), "old");
    const entry = await placeTarget(t, o);
    expect(readdirSync(s.outDir)).toEqual([t.wheel]);
    expect(existsSync(join(t.repairDir, t.wheel))).toBe(false);
    expect(entry).toMatchObject({ fileName: t.wheel, tag: { python: "cp312", abi: "cp312" } });
    expect(entry.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});
