// The split (issue 17 item 3), pure parts: which members are the native wheel's, what the repair
// excludes, the manifest's native artifact, the stage's pin checks, resolve, conda, the PyPI order
// and promotion of the pin.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unzipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { artifactsOf } from "../../src/plan/manifest.js";
import { findWheel } from "../../src/plan/release-queries.js";
import { condaRecipes } from "../../src/publish/conda.js";
import { selectForPypi } from "../../src/publish/pypi.js";
import { reversionWheel } from "../../src/rebuild/promote.js";
import { wheelProject } from "../../src/schema/artifact.js";
import { BuildReport } from "../../src/schema/build-report.js";
import { type ReleaseManifest } from "../../src/schema/manifest.js";
import { checkNativePins, type ObservedFile } from "../../src/stage/check.js";
import { siblingNativeWheel } from "../../src/verify/emulated.js";
import { platformById } from "../../src/platforms/index.js";
import { isNativeMember, nativeRequirement, splitMembers } from "../../src/wheels/native.js";
import { makeFixtureRelease } from "../support/release-fixture.js";

const sha = (c: string): string => c.repeat(64);
const tmp = (): string => mkdtempSync(join(tmpdir(), "native-"));

describe("native wheel members", () => {
  it("takes the C API library and the runtime libraries of mlir/_mlir_libs, per OS, and nothing else", () => {
    const linux = [
      "mlir/_mlir_libs/libMLIRPythonCAPI.so.22.1",
      "mlir/_mlir_libs/libmlir_c_runner_utils.so",
      "mlir/_mlir_libs/libmlir_runner_utils.so",
      "mlir/_mlir_libs/libmlir_float16_utils.so",
      "mlir/_mlir_libs/libmlir_async_runtime.so",
      "mlir/_mlir_libs/libmlir_apfloat_wrappers.so",
    ];
    const perPython = [
      "mlir/_mlir_libs/_mlir.cpython-312-x86_64-linux-gnu.so",
      "mlir/_mlir_libs/libnanobind-mlir_release.so",
      "mlir/_mlir_libs/libMLIRPythonSupport-mlir_release.so",
      "mlir/_mlir_libs/__init__.py",
      "mlir/ir.py",
      "mlir/_runtime_libs.py",
      "mlir/_mlir_libs/include/mlir-c/IR.h",
      "other/_mlir_libs/libMLIRPythonCAPI.so.22.1",
    ];
    const split = splitMembers([...perPython, ...linux].map((name) => ({ name })), "linux");
    expect(split.native.map((f) => f.name)).toEqual(linux);
    expect(split.python.map((f) => f.name)).toEqual(perPython);
    expect(isNativeMember("mlir/_mlir_libs/libMLIRPythonCAPI.22.1.dylib", "macos")).toBe(true);
    expect(isNativeMember("mlir/_mlir_libs/libmlir_c_runner_utils.dylib", "macos")).toBe(true);
    expect(isNativeMember("mlir/_mlir_libs/libMLIRPythonCAPI.so.22.1", "macos")).toBe(false);
    expect(isNativeMember("mlir/_mlir_libs/MLIRPythonCAPI.dll", "windows")).toBe(true);
    expect(isNativeMember("mlir/_mlir_libs/mlir_runner_utils.dll", "windows")).toBe(true);
    expect(isNativeMember("mlir/_mlir_libs/nanobind-mlir_release.dll", "windows")).toBe(false);
  });

  it("the emulated aarch64 check finds the native wheel beside a per-Python wheel", () => {
    const d = tmp();
    const per = join(d, "mlir_python_bindings-22.1.8-cp311-cp311-manylinux_2_36_aarch64.whl");
    expect(siblingNativeWheel(per)).toBeUndefined();
    writeFileSync(join(d, "mlir_python_bindings_native-22.1.8-py3-none-manylinux_2_36_aarch64.whl"), "");
    expect(siblingNativeWheel(per)).toBe(join(d, "mlir_python_bindings_native-22.1.8-py3-none-manylinux_2_36_aarch64.whl"));
    expect(siblingNativeWheel(join(d, "mlir_python_bindings_native-22.1.8-py3-none-manylinux_2_36_aarch64.whl"))).toBeUndefined();
  });

  it("names what each repair tool must not graft, and the exact pin", () => {
    // Each platform module's repair tool, in its own pattern form; each pattern matches the C API library it ships.
    expect(platformById("linux-x86_64").repair.nativeExcludes).toEqual(["libMLIRPythonCAPI.so*"]);
    expect(platformById("linux-aarch64").repair.nativeExcludes).toEqual(["libMLIRPythonCAPI.so*"]);
    expect(platformById("macos-arm64").repair.nativeExcludes).toEqual(["libMLIRPythonCAPI"]);
    expect(platformById("windows-x64").repair.nativeExcludes).toEqual(["MLIRPythonCAPI.dll"]);
    expect(isNativeMember("mlir/_mlir_libs/MLIRPythonCAPI.dll", "windows")).toBe(true);
    expect(isNativeMember(`mlir/_mlir_libs/${platformById("macos-arm64").repair.nativeExcludes[0]}.dylib`, "macos")).toBe(true);
    expect(nativeRequirement("mlir-python-bindings", "23.0.0.dev2026120100")).toBe("mlir-python-bindings-native==23.0.0.dev2026120100");
    expect(wheelProject("native-wheel", { distribution: "mlir-python-bindings", devDistribution: "x-dev" })).toBe("mlir-python-bindings-native");
  });
});

const NATIVE_FILE = "mlir_python_bindings_native-22.1.8-py3-none-manylinux_2_36_x86_64.whl";
const report = (): BuildReport =>
  BuildReport.parse({
    platform: "linux-x86_64",
    distribution: "mlir-python-bindings",
    version: "22.1.8",
    llvm: { version: "22.1.8", commit: "c".repeat(40), sourceIdentity: sha("e") },
    layer: { kind: "prebuilt", prefix: "/usr/lib/llvm-22", key: "k" },
    sourceDateEpoch: 1781796128,
    nanobindDomain: "mlir_release",
    wheels: [
      {
        python: "3.12",
        fileName: "mlir_python_bindings-22.1.8-cp312-cp312-manylinux_2_36_x86_64.whl",
        sha256: sha("1"),
        size: 8_000_000,
        tag: { python: "cp312", abi: "cp312", platform: "manylinux_2_36_x86_64" },
        reused: false,
        seconds: {},
      },
    ],
    native: { fileName: NATIVE_FILE, sha256: sha("2"), size: 52_000_000, tag: { python: "py3", abi: "none", platform: "manylinux_2_36_x86_64" }, reused: false, seconds: {} },
    seconds: {},
  });

describe("the native wheel downstream", () => {
  const artifacts = artifactsOf(report());
  const manifest = {
    schemaVersion: 1,
    plan: { distribution: "mlir-python-bindings", devDistribution: "mlir-python-bindings-dev", version: "22.1.8", kind: "numbered", llvm: { commit: "c".repeat(40), version: "22.1.8", commitDate: "2026-11-24T00:00:00Z" } },
    artifacts,
    yanked: {},
  } as unknown as ReleaseManifest;
  const observed = (pins: string[]): Map<string, ObservedFile> =>
    new Map([[artifacts.find((a) => a.kind === "wheel")!.fileName, { sha256: sha("1"), size: 1, wheel: { name: "mlir-python-bindings", version: "22.1.8", tags: [], requiresDist: pins } }]]);

  it("is one more artifact per platform in the manifest", () => {
    expect(artifacts.map((a) => `${a.kind} ${a.fileName}`)).toEqual([
      "wheel mlir_python_bindings-22.1.8-cp312-cp312-manylinux_2_36_x86_64.whl",
      `native-wheel ${NATIVE_FILE}`,
    ]);
    expect(artifacts[1]).toMatchObject({ platform: "linux-x86_64", tag: { python: "py3", abi: "none" } });
    expect(artifacts[1]!.python).toBeUndefined();
  });

  it("stage: the == pin must name the release's version and a native wheel of the same platform must be there", () => {
    expect(checkNativePins(manifest, observed(["mlir-python-bindings-native==22.1.8", "numpy>=1.19.5"]))).toEqual([]);
    expect(checkNativePins(manifest, observed(["mlir-python-bindings-native==22.1.7"])).join("\n")).toMatch(/requires mlir-python-bindings-native==22\.1\.7, the release is 22\.1\.8/);
    expect(checkNativePins(manifest, observed(["numpy>=1.19.5"])).join("\n")).toMatch(/does not require mlir-python-bindings-native==22\.1\.8, yet the release has the native wheel/);
    const noNative = { ...manifest, artifacts: artifacts.filter((a) => a.kind === "wheel") };
    expect(checkNativePins(noNative, observed(["mlir_python_bindings_native == 22.1.8"])).join("\n")).toMatch(/but the release has no native wheel for linux-x86_64/);
    // A bundled release (no native wheel, no pin) has nothing to check.
    expect(checkNativePins(noNative, observed(["numpy>=1.19.5"]))).toEqual([]);
    const two = { ...manifest, artifacts: [...artifacts, { ...artifacts[1]!, fileName: NATIVE_FILE.replace("manylinux_2_36", "manylinux_2_28") }] };
    expect(checkNativePins(two, observed(["mlir-python-bindings-native==22.1.8"])).join("\n")).toMatch(/linux-x86_64: 2 native wheels/);
    const otherTag = { ...manifest, artifacts: [artifacts[0]!, { ...artifacts[1]!, tag: { python: "py3", abi: "none", platform: "manylinux_2_28_x86_64" } }] };
    expect(checkNativePins(otherTag, observed(["mlir-python-bindings-native==22.1.8"])).join("\n")).toMatch(/platform tag manylinux_2_36_x86_64 differs from its native wheel's manylinux_2_28_x86_64/);
  });

  it("resolve answers the wheel with its native wheel; conda packages it once per platform; PyPI sends the native wheel first", () => {
    const full = { ...manifest, plan: { ...manifest.plan, kind: "numbered" } } as ReleaseManifest;
    const w = findWheel([full], { python: "3.12", platform: "linux-x86_64", kind: "any" })!;
    expect(w.native).toEqual({ fileName: NATIVE_FILE, sha256: sha("2"), size: 52_000_000, tag: "py3-none-manylinux_2_36_x86_64" });
    // conda: the platform's native package, then the per-Python one linking to it (test/unit/conda-split.test.ts).
    const [n, r] = condaRecipes(full, { [NATIVE_FILE]: ["mlir/_mlir_libs/libMLIRPythonCAPI.so.22.1"] });
    expect([n!.kind, n!.wheels.map((w) => w.fileName)]).toEqual(["native", [NATIVE_FILE]]);
    const rec = r!.recipe as { source: Array<{ file_name: string }>; build: { script: string[] } };
    expect(rec.source.map((s) => s.file_name)).toEqual([artifacts[0]!.fileName]);
    expect(rec.build.script.filter((l) => l.startsWith("ln -s "))).toHaveLength(1);
    const files = artifacts.map((a) => ({ fileName: a.fileName, kind: a.kind, size: a.size, path: `/nonexistent/${a.fileName}`, sha256: a.sha256 }));
    expect(selectForPypi(files).files.map((f) => f.kind)).toEqual(["native-wheel", "wheel"]);
  });

  it("promotion re-versions the native wheel and the per-Python wheel's pin together", async () => {
    const fx = await makeFixtureRelease({ dir: tmp(), version: "22.1.8", kind: "numbered", split: true, wheels: [{ python: "3.12", tag: { python: "py3", abi: "none", platform: "any" }, platform: "linux-x86_64" }] });
    const per = fx.manifest.artifacts.find((a) => a.kind === "wheel")!;
    const out = tmp();
    const r = await reversionWheel(join(fx.dir, per.fileName), "22.1.8.post1", out, 1795478400);
    const meta = Buffer.from(unzipSync(readFileSync(r.path))["mlir_python_bindings-22.1.8.post1.dist-info/METADATA"]!).toString();
    expect(meta).toContain("Requires-Dist: mlir-python-bindings-native==22.1.8.post1\n");
    expect(meta).toContain("Version: 22.1.8.post1\n");
  });
});
