// Small real releases for publish tests: real wheels (written by the project's own
// deterministic wheel writer), each importable, with a manifest that describes them exactly.
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { type Artifact } from "../../src/schema/artifact.js";
import { type ReleaseManifest } from "../../src/schema/manifest.js";
import { type WheelTag } from "../../src/schema/platform.js";
import { loadStage, writeStage, type LoadedStage } from "../../src/stage/stage.js";
import { parseWheelFileName, readWheel } from "../../src/stage/wheelinfo.js";
import { assembleWheel } from "../../src/wheels/wheel.js";

export const FIXTURE_MODULE = "mlir_release_fixture";

export interface FixtureOptions {
  dir: string;
  version: string;
  kind?: "snapshot" | "numbered";
  commit?: string;
  distribution?: string;
  /** Python versions; each gets a py3-none-any wheel with a distinct build tag-free platform. */
  wheels?: Array<{ python: string; tag: WheelTag; platform?: Artifact["platform"] }>;
  /** Adds an incompressible data file of this many bytes to each wheel (uploads that take a while). */
  payloadBytes?: number;
  /**
   * The split layout (issue 17): one `<distribution>-native` py3-none-<platform tag of the first
   * wheel> wheel that owns `<module>/_libs/native.txt`; every wheel requires it ==version and its
   * module reads that file at import (it fails without the native wheel).
   */
  split?: boolean;
  /** Run-time dependencies of the per-Python wheels (Requires-Dist), each imported by the module at import time. */
  requires?: Array<{ requirement: string; module: string }>;
}

export function basePlan(version: string, kind: "snapshot" | "numbered", commit: string, distribution = "mlir-python-bindings"): ReleaseManifest["plan"] {
  return {
    schemaVersion: 1,
    kind,
    version,
    distribution,
    devDistribution: `${distribution}-dev`,
    llvm: { commit, version: "22.1.8", repository: "https://github.com/llvm/llvm-project.git", commitDate: "2026-11-24T00:00:00Z" },
    source: { kind: "git", repository: "https://github.com/llvm/llvm-project.git", commit },
    sourceDateEpoch: 1795478400,
    matrix: [{ platform: "linux-x86_64", python: "3.12", abi: "cpython", tag: { python: "cp312", abi: "cp312", platform: "linux_x86_64" } }],
    abiChoice: { variant: "cpython", reason: "test fixture" },
    images: {},
    tools: {},
    layer: { cmakeOptions: {}, optionsHash: "0".repeat(64) },
    nanobindDomain: "mlir_release",
  };
}

/** Builds a release of `n` small real wheels (py3-none-any plus linux-tagged copies) and its manifest. */
export async function makeFixtureRelease(o: FixtureOptions): Promise<{ dir: string; manifest: ReleaseManifest }> {
  const commit = o.commit ?? createHash("sha1").update(o.version).digest("hex");
  const dist = o.distribution ?? "mlir-python-bindings";
  const wheels = o.wheels ?? [
    { python: "3.12", tag: { python: "py3", abi: "none", platform: "any" }, platform: "linux-x86_64" as const },
    { python: "3.11", tag: { python: "cp311", abi: "cp311", platform: "linux_x86_64" }, platform: "linux-x86_64" as const },
  ];
  mkdirSync(o.dir, { recursive: true });
  const src = join(o.dir, ".src");
  mkdirSync(join(src, FIXTURE_MODULE), { recursive: true });
  writeFileSync(
    join(src, FIXTURE_MODULE, "__init__.py"),
    `VERSION = ${JSON.stringify(o.version)}\nLLVM_COMMIT = ${JSON.stringify(commit)}\n` +
      (o.requires ?? []).map((r) => `import ${r.module}\n`).join("") +
      (o.split ? "import os as _os\nwith open(_os.path.join(_os.path.dirname(__file__), '_libs', 'native.txt')) as _f:\n    NATIVE = _f.read().strip()\n" : ""),
  );
  if (o.split) {
    mkdirSync(join(src, FIXTURE_MODULE, "_libs"), { recursive: true });
    writeFileSync(join(src, FIXTURE_MODULE, "_libs", "native.txt"), `native ${o.version}\n`);
    writeFileSync(join(src, FIXTURE_MODULE, "_libs", "ext.py"), "KIND = 'per-python'\n");
  }
  if (o.payloadBytes) writeFileSync(join(src, FIXTURE_MODULE, "payload.bin"), randomBytes(o.payloadBytes));
  const artifacts: Artifact[] = [];
  const nativeMember = `${FIXTURE_MODULE}/_libs/native.txt`;
  if (o.split) {
    const tag = { python: "py3", abi: "none", platform: wheels[0]!.tag.platform };
    const { path, fileName } = await assembleWheel({
      root: src,
      packageName: FIXTURE_MODULE,
      include: (n) => n === nativeMember,
      metadata: { distribution: `${dist}-native`, version: o.version, summary: "publish-test fixture (native part)", requiresPython: ">=3.9", requiresDist: [], projectUrls: {}, license: "Apache-2.0 WITH LLVM-exception" },
      tag,
      sourceDateEpoch: 1795478400,
      generator: "mlir-release-test",
      outDir: o.dir,
    });
    const data = readFileSync(path);
    artifacts.push({ kind: "native-wheel", fileName, sha256: createHash("sha256").update(data).digest("hex"), size: data.length, platform: wheels[0]!.platform ?? "linux-x86_64", tag });
  }
  for (const w of wheels) {
    const { path, fileName } = await assembleWheel({
      root: src,
      packageName: FIXTURE_MODULE,
      ...(o.split ? { include: (n: string) => n !== nativeMember } : {}),
      metadata: {
        distribution: dist,
        version: o.version,
        summary: "publish-test fixture",
        requiresPython: ">=3.9",
        requiresDist: [...(o.split ? [`${dist}-native==${o.version}`] : []), ...(o.requires ?? []).map((r) => r.requirement)],
        projectUrls: {},
        license: "Apache-2.0 WITH LLVM-exception",
      },
      tag: w.tag,
      sourceDateEpoch: 1795478400,
      generator: "mlir-release-test",
      outDir: o.dir,
    });
    const data = readFileSync(path);
    artifacts.push({
      kind: "wheel",
      fileName,
      sha256: createHash("sha256").update(data).digest("hex"),
      size: statSync(path).size,
      ...(w.platform ? { platform: w.platform } : {}),
      python: w.python,
      tag: w.tag,
    });
  }
  const plan = basePlan(o.version, o.kind ?? "snapshot", commit, dist);
  plan.matrix = wheels.map((w) => ({ platform: w.platform ?? "linux-x86_64", python: w.python, abi: "cpython" as const, tag: w.tag }));
  const manifest: ReleaseManifest = {
    schemaVersion: 1,
    plan,
    artifacts: o.split ? artifacts.sort((a, b) => (a.fileName < b.fileName ? -1 : a.fileName > b.fileName ? 1 : 0)) : artifacts,
    provenance: { builder: "test", pipelineVersion: "0.1.0", layer: {} },
    verification: {},
    yanked: {},
  };
  writeFileSync(join(o.dir, "manifest.json"), JSON.stringify(manifest, null, 2));
  return { dir: o.dir, manifest };
}

/** A fixture release, staged and loaded (what the publishers take), in fresh temp dirs. */
export async function stagedFixtureRelease(version: string, kind: "snapshot" | "numbered" = "snapshot", commit?: string): Promise<LoadedStage> {
  const fx = await makeFixtureRelease({ dir: mkdtempSync(join(tmpdir(), "fixture-")), version, kind, commit });
  const out = join(mkdtempSync(join(tmpdir(), "stage-")), "stage");
  await writeStage({ manifests: [fx.manifest], artifactsDir: fx.dir, outDir: out });
  return loadStage(out);
}

/**
 * A real linux-x86_64 split pair (a per-Python wheel and the native wheel it pins, in one folder)
 * as a numbered release of LLVM 22.1.8's commit, staged into a fresh temp dir and loaded.
 */
export async function stagedWheelPair(wheel: string, nativeWheel: string): Promise<LoadedStage> {
  const nativeName = parseWheelFileName(basename(nativeWheel));
  const name = parseWheelFileName(basename(wheel));
  const inner = await readWheel(wheel);
  const tag = name.tags[0]!;
  const artifact = (path: string) => ({ fileName: basename(path), sha256: createHash("sha256").update(readFileSync(path)).digest("hex"), size: statSync(path).size, platform: "linux-x86_64" as const });
  const manifest: ReleaseManifest = {
    schemaVersion: 1,
    plan: { ...basePlan(name.version, "numbered", "ca7933e47d3a3451d81e72ac174dcb5aa28b59d1"), distribution: inner.name },
    artifacts: [
      { kind: "wheel", ...artifact(wheel), python: `3.${tag.python.slice(3)}`, tag },
      { kind: "native-wheel", ...artifact(nativeWheel), tag: nativeName.tags[0]! },
    ],
    provenance: { builder: "test", pipelineVersion: "0.1.0", layer: {} },
    verification: {},
    yanked: {},
  };
  const out = join(mkdtempSync(join(tmpdir(), "stage-")), "stage");
  await writeStage({ manifests: [manifest], artifactsDir: dirname(wheel), outDir: out });
  return loadStage(out);
}
