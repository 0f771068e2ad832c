// rebuild <manifest> with the real wheel factory: the shared test wheel (test/support/wheel-settings:
// Debian's LLVM 22.1.8 source, prebuilt /usr/lib/llvm-22 layer, one Python) is recorded in a
// manifest, then the manifest's plan is replayed into a fresh output folder and every artifact
// compared. The build directory is the shared one (the factory's stamps mean the wheel is built
// once for the whole test run); fresh-directory reproducibility is bench/reproduce.ts's job.
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { unzipSync, zipSync } from "fflate";
import { beforeAll, describe, expect, it } from "vitest";
import { buildWheels } from "../../src/factory/factory.js";
import { manifestForBuild } from "../../src/rebuild/build-manifest.js";
import { writeManifest } from "../../src/plan/manifest.js";
import { compareArtifacts, readManifest, rebuild, type RebuildReport } from "../../src/rebuild/rebuild.js";
import type { ReleaseManifest } from "../../src/schema/manifest.js";
import { sha256Hex } from "../../src/util/hash.js";
import { CACHE, OUTPUT, REPO, TOOLS, testEnv, testProgress } from "../support/env.js";
import { settings } from "../support/wheel-settings.js";

const ROOT = join(OUTPUT, "plan-rebuild");
const RECORDED = join(ROOT, "recorded");
const REBUILT = join(ROOT, "rebuilt");
let manifest: ReleaseManifest;
let result: RebuildReport;

describe("rebuild a manifest through the wheel factory", () => {
  beforeAll(async () => {
    rmSync(ROOT, { recursive: true, force: true });
    mkdirSync(RECORDED, { recursive: true });
    // verify: false — the wheel factory's own test verifies this wheel; here only its bytes matter.
    const report = await buildWheels({ ...settings, verify: false }, testEnv("plan-rebuild"), testProgress("plan-rebuild build"));
    for (const w of [...report.wheels, ...(report.native ? [report.native] : [])]) copyFileSync(join(settings.outDir, w.fileName), join(RECORDED, w.fileName));
    const m = manifestForBuild(settings, report);
    if (!m.manifest) throw new Error(m.reason);
    manifest = m.manifest;
    writeManifest(RECORDED, manifest);
    const t = Date.now();
    result = await rebuild(
      join(RECORDED, "manifest.json"),
      { repoRoot: REPO, cacheDir: CACHE, workDir: settings.workDir, outDir: REBUILT, toolsDir: TOOLS, host: settings.host },
      testEnv("plan-rebuild"),
      testProgress("plan-rebuild rebuild"),
      ["linux-x86_64"],
    );
    process.stderr.write(`[plan-rebuild] rebuild took ${Math.round((Date.now() - t) / 1000)} s\n`);
  }, 1_800_000);

  it("the build's manifest records the implicit plan, the wheel and provenance", () => {
    expect(readManifest(join(RECORDED, "manifest.json"))).toEqual(manifest);
    expect(manifest.plan).toMatchObject({
      kind: "numbered",
      version: "22.1.8",
      llvm: { tag: "llvmorg-22.1.8", version: "22.1.8" },
      source: { kind: "tarball" },
      sourceDateEpoch: 1_781_000_000,
    });
    // The split: the per-Python wheel and the platform's native wheel it pins.
    expect(manifest.artifacts.map((a) => a.kind)).toEqual(["wheel", "native-wheel"]);
    for (const a of manifest.artifacts) expect(a.sha256, a.fileName).toBe(sha256Hex(readFileSync(join(RECORDED, a.fileName))));
    expect(manifest.provenance.layer).toMatchObject({ kind: "prebuilt", prefix: "/usr/lib/llvm-22" });
    expect(manifest.provenance.pipelineVersion).toMatch(/^mlir-release .* \(git [0-9a-f]{40}/);
  });

  it("reports every wheel byte-identical, and writes its own manifest and report", () => {
    expect(result.artifacts.map((a) => [a.fileName, a.result])).toEqual(manifest.artifacts.map((a) => [a.fileName, "equal"]));
    expect(result.allEqual).toBe(true);
    const again = readManifest(join(REBUILT, "manifest.json"));
    expect(again.artifacts.map((a) => a.sha256)).toEqual(manifest.artifacts.map((a) => a.sha256));
    expect(JSON.parse(readFileSync(join(REBUILT, "rebuild-report.json"), "utf8"))).toMatchObject({ allEqual: true, version: "22.1.8" });
  });

  it("names the first differing member when a recorded wheel differs", async () => {
    // A recorded wheel whose mlir/_release_info.py differs: what a changed pin would produce.
    const a = manifest.artifacts[0]!;
    const tampered = join(ROOT, "tampered");
    mkdirSync(tampered, { recursive: true });
    const files = unzipSync(readFileSync(join(RECORDED, a.fileName)));
    files["mlir/_release_info.py"] = new TextEncoder().encode('VERSION = "tampered"\n');
    const bytes = zipSync(files);
    writeFileSync(join(tampered, a.fileName), bytes);
    const r = await compareArtifacts([{ ...a, sha256: sha256Hex(bytes) }], REBUILT, tampered);
    expect(r[0]).toMatchObject({ fileName: a.fileName, result: "different", rebuilt: a.sha256 });
    // fflate re-encodes every member (its own timestamps and compression), so the first member differs already.
    const first = Object.keys(files)[0]!;
    expect(r[0]!.firstDifference).toMatch(new RegExp(`^${first.replace(/[.+]/g, "\\$&")}: .*(timestamp|encoding|content)`));
  });

  it("refuses a non-empty output folder and an invalid manifest, naming them", async () => {
    const dirs = { repoRoot: REPO, cacheDir: CACHE, workDir: settings.workDir, outDir: REBUILT, toolsDir: TOOLS };
    await expect(rebuild(join(RECORDED, "manifest.json"), dirs, testEnv("plan-rebuild"), testProgress("x"), ["linux-x86_64"])).rejects.toThrow(
      `rebuild output folder ${REBUILT} is not empty: a rebuild writes into a fresh folder`,
    );
    writeFileSync(join(ROOT, "bad.json"), JSON.stringify({ schemaVersion: 1, plan: {}, artifacts: [] }));
    expect(() => readManifest(join(ROOT, "bad.json"))).toThrow(new RegExp(`invalid manifest ${join(ROOT, "bad.json")}: plan.schemaVersion: `));
    expect(() => readManifest(join(ROOT, "none.json"))).toThrow("does not exist");
  });
});
