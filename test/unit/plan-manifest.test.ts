import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadReleaseConfig, parseReleaseConfig } from "../../src/options/config.js";
import { manifestSchemaText, MANIFEST_SCHEMA_PATH } from "../../src/plan/json-schema.js";
import { artifactsOf, implicitPlan, manifestFromBuild } from "../../src/plan/manifest.js";
import { plan } from "../../src/plan/release-planner.js";
import { pipelineNote, settingsFromManifest } from "../../src/rebuild/rebuild.js";
import { BuildReport } from "../../src/schema/build-report.js";
import { ReleaseConfig } from "../../src/schema/config.js";
import { ReleaseManifest } from "../../src/schema/manifest.js";
import { ReleaseRequest } from "../../src/schema/request.js";

const REPO = new URL("../..", import.meta.url).pathname;
const C = "ca7933e47d3a3451d81e72ac174dcb5aa28b59d1";
const sha = (c: string): string => c.repeat(64);
const report = (over: Partial<BuildReport> = {}): BuildReport =>
  BuildReport.parse({
    platform: "linux-x86_64",
    distribution: "mlir-python-bindings",
    version: "22.1.8",
    llvm: { version: "22.1.8", commit: C, sourceIdentity: sha("e") },
    layer: { kind: "prebuilt", prefix: "/usr/lib/llvm-22", key: "prebuilt-linux-x86_64-22.1.8-8aa6cce51732" },
    sourceDateEpoch: 1781796128,
    nanobindDomain: "mlir_release",
    wheels: [
      {
        python: "3.12",
        fileName: "mlir_python_bindings-22.1.8-cp312-cp312-manylinux_2_36_x86_64.whl",
        sha256: sha("1"),
        size: 59753354,
        tag: { python: "cp312", abi: "cp312", platform: "manylinux_2_36_x86_64" },
        reused: false,
        seconds: { total: 100 },
      },
    ],
    dev: [{ kind: "dev-tarball", fileName: "mlir-python-bindings-dev-22.1.8-linux-x86_64.tar.gz", sha256: sha("2"), size: 10, unpackedSize: 20 }],
    seconds: {},
    ...over,
  });
const source = { kind: "tarball" as const, file: "llvm-toolchain-22_22.1.8.orig.tar.xz", sha256: sha("3"), origin: {} };
const prov = { builder: "host linux-x64", pipelineVersion: "mlir-release 0.1.0 (git abc)", layer: { prefix: "/usr/lib/llvm-22" } };

describe("manifest", () => {
  it("records the implicit plan of a build run without one, and every artifact", () => {
    const p = implicitPlan({ report: report(), devDistribution: "mlir-python-bindings-dev", llvmRepository: "https://example.org/llvm.git", llvmTag: "llvmorg-22.1.8", source, nanobind: "2.9.2", layerCmakeOptions: {} });
    expect(p).toMatchObject({ kind: "numbered", version: "22.1.8", sourceDateEpoch: 1781796128, llvm: { commit: C, tag: "llvmorg-22.1.8" }, source, tools: { nanobind: "2.9.2" } });
    expect(p.matrix).toEqual([{ platform: "linux-x86_64", python: "3.12", abi: "cpython", tag: { python: "cp312", abi: "cp312", platform: "manylinux_2_36_x86_64" } }]);
    const m = manifestFromBuild(p, report(), prov);
    expect(ReleaseManifest.parse(JSON.parse(JSON.stringify(m)))).toEqual(m);
    expect(m.artifacts.map((a) => [a.kind, a.fileName, a.platform, a.python ?? null])).toEqual([
      ["dev-tarball", "mlir-python-bindings-dev-22.1.8-linux-x86_64.tar.gz", "linux-x86_64", null],
      ["wheel", "mlir_python_bindings-22.1.8-cp312-cp312-manylinux_2_36_x86_64.whl", "linux-x86_64", "3.12"],
    ]);
    expect(m.provenance.layer).toEqual({ prefix: "/usr/lib/llvm-22", kind: "prebuilt", key: "prebuilt-linux-x86_64-22.1.8-8aa6cce51732" });
    expect(artifactsOf(report())).toEqual(m.artifacts);
  });

  it("refuses a build report that did not follow the plan, naming each difference", () => {
    const config = ReleaseConfig.parse({});
    const p = plan(config, ReleaseRequest.parse({ kind: "snapshot", overrides: { platforms: ["linux-x86_64"], pythons: ["3.13"] } }), {
      commit: "f".repeat(40),
      commitDate: "2026-11-25T01:00:00Z",
      llvmVersion: "23.0.0",
      existingVersions: [],
    });
    expect(() => manifestFromBuild(p, report(), prov)).toThrow(
      [
        "build report does not match the plan:",
        "  - version 22.1.8 ≠ the plan's 23.0.0.dev2026112500",
        `  - LLVM commit ${C} ≠ the plan's ${"f".repeat(40)}`,
        "  - SOURCE_DATE_EPOCH 1781796128 ≠ the plan's 1795568400",
        "  - wheel mlir_python_bindings-22.1.8-cp312-cp312-manylinux_2_36_x86_64.whl (linux-x86_64, Python 3.12) is not in the plan's matrix",
      ].join("\n"),
    );
  });

  it("replays into the same factory settings the build used", () => {
    const p = implicitPlan({ report: report(), devDistribution: "mlir-python-bindings-dev", llvmRepository: "https://example.org/llvm.git", llvmTag: "llvmorg-22.1.8", source, nanobind: "2.9.2", layerCmakeOptions: {} });
    const m = manifestFromBuild(p, report(), prov);
    const s = settingsFromManifest(m, "linux-x86_64", { repoRoot: "/r", cacheDir: "/c", workDir: "/w", outDir: "/o", toolsDir: "/t" });
    expect(s).toMatchObject({
      pythons: ["3.12"],
      source: { kind: "tarball", ref: source },
      layer: { kind: "prebuilt", prefix: "/usr/lib/llvm-22" },
      release: { version: "22.1.8", llvmCommit: C, llvmTag: "llvmorg-22.1.8", sourceDateEpoch: 1781796128, llvmRepository: "https://example.org/llvm.git" },
      nanobind: "2.9.2",
      nanobindDomain: "mlir_release",
      dev: true,
      verify: false,
    });
    expect(() => settingsFromManifest(m, "windows-x64", { repoRoot: "/r", cacheDir: "/c", workDir: "/w", outDir: "/o", toolsDir: "/t" })).toThrow(
      "the manifest's plan has no windows-x64 entries",
    );
  });

  it("rebuild notes a pipeline revision other than the recorded one", () => {
    const a = "mlir-release 0.1.0 (git " + "a".repeat(40) + ")";
    const b = "mlir-release 0.1.0 (git " + "b".repeat(40) + ")";
    expect(pipelineNote(a, a)).toBeUndefined();
    expect(pipelineNote(a, b)).toBe(`the manifest was built by ${a}; this rebuild runs ${b}: a difference may come from the pipeline's code`);
    const dirty = "mlir-release 0.1.0 (git " + "a".repeat(40) + ", with uncommitted changes)";
    expect(pipelineNote(dirty, dirty)).toMatch(/^built and rebuilt with uncommitted pipeline changes/);
  });

  it("the checked-in JSON Schema is the one generated from the zod schema", () => {
    const checkedIn = readFileSync(join(REPO, MANIFEST_SCHEMA_PATH), "utf8");
    expect(checkedIn).toBe(manifestSchemaText());
    const s = JSON.parse(checkedIn) as { properties: Record<string, unknown>; required: string[] };
    expect(Object.keys(s.properties)).toEqual(expect.arrayContaining(["plan", "artifacts", "provenance"]));
    expect(s.required).toEqual(expect.arrayContaining(["schemaVersion", "plan", "artifacts", "provenance"]));
  });
});

describe("release config", () => {
  it("the repository's release.config.json loads, and defaults fill what it leaves out", () => {
    const c = loadReleaseConfig(REPO);
    expect(c.platforms.map((p) => p.id)).toEqual(["linux-x86_64", "linux-aarch64", "macos-arm64", "macos-x86_64", "windows-x64"]);
    expect(c.layerCmakeOptions).toEqual(ReleaseConfig.parse({}).layerCmakeOptions);
    expect(c.mlirPaths).toEqual(ReleaseConfig.parse({}).mlirPaths);
  });

  it("an invalid config names the field and why", () => {
    expect(() => parseReleaseConfig({ pythons: ["3.12", "2.7"] }, "cfg.json")).toThrow(
      "invalid config cfg.json: pythons.1: a CPython version such as 3.12 or 3.13t",
    );
    expect(() => parseReleaseConfig({ platforms: [{ id: "solaris" }] }, "cfg.json")).toThrow(/platforms\.0\.id: /);
    expect(() => parseReleaseConfig({ llvm: { branch: "main", brnch: "x" }, pythns: [] }, "cfg.json")).toThrow(
      "invalid config cfg.json: llvm.brnch: unknown field (did you mean llvm.branch?); pythns: unknown field (did you mean pythons?)",
    );
    expect(() => parseReleaseConfig({ mlirPaths: { include: [] } }, "cfg.json")).toThrow(/mlirPaths\.include: /);
    expect(() => loadReleaseConfig(REPO, "/nonexistent/release.config.json")).toThrow("config file /nonexistent/release.config.json does not exist");
  });
});
