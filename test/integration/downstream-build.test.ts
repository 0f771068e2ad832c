// `mlir-release downstream build` end to end, for one Python: upstream's mlir/examples/standalone
// built by the command against the 22.1.8 release built here and served from our own static index
// on 127.0.0.1; its wheel installed next to ours (pip takes ours from the index through the wheel's
// Requires-Dist pin) in a fresh venv; mixed IR checked; the example's own lit tests run against the
// installed wheels. In npm test (it reuses the shared wheel + dev distribution the earlier files build);
// alone: npm run test:downstream-build. The full matrix and the bit-for-bit rebuild: npm run test:downstream-matrix.
import { readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planDownstream } from "../../src/downstream/project-plan.js";
import { resolveDownstreamSettings } from "../../src/cli/downstream.js";
import { resolveOptions } from "../../src/options/resolve-options.js";
import { DownstreamManifest } from "../../src/schema/downstream.js";
import { sha256File } from "../../src/util/hash.js";
import { CACHE, OUTPUT, REPO } from "../support/env.js";
import { type ServedRelease, servedRelease } from "../support/downstream-release.js";
import { PYTHON } from "../support/wheel-settings.js";

const DIR = join(OUTPUT, "downstream-build");
const OUT = join(DIR, "dist");
const WORK = join(CACHE, "test-work-downstream");

interface Check {
  python: string;
  installed: Record<string, string>;
  check: Record<string, unknown>;
  scripts: Record<string, Record<string, unknown>>;
  lit?: { passed: number; failed: number; unsupported: number; failures: string[]; suites: string[]; dropped: string[]; notBuilt: string[] };
}

describe("mlir-release downstream build: upstream's standalone example against our 22.1.8 release", () => {
  let rel: ServedRelease;
  let project: string;
  let stdout = "";
  let stderr = "";
  let exitCode: number | undefined;
  let dm: DownstreamManifest;
  let wheelFiles: Record<string, Uint8Array>;

  beforeAll(async () => {
    rel = await servedRelease("downstream-build");
    project = join(rel.sourceRoot, "mlir", "examples", "standalone");
    rmSync(OUT, { recursive: true, force: true });
    const r = await execa(
      join(REPO, "bin", "mlir-release.mjs"),
      [
        "downstream", "build",
        "--project", project,
        "--index-url", rel.server.url,
        "--release", rel.manifest.plan.version,
        "--python", PYTHON,
        "--check-script", join(REPO, "containers", "verify", "downstream_in_process.py"),
        "--out", OUT,
        "--work", WORK,
        "-j", "2",
      ],
      { reject: false, env: { MLIR_RELEASE_CACHE: CACHE } },
    );
    ({ stdout, stderr, exitCode } = r);
    process.stderr.write(stderr.split("\n").slice(-25).join("\n") + "\n");
    if (r.exitCode === 0) {
      dm = DownstreamManifest.parse(JSON.parse(readFileSync(join(OUT, "downstream-manifest.json"), "utf8")));
      wheelFiles = unzipSync(readFileSync(join(OUT, dm.artifacts[0]!.fileName)));
    }
  }, 3_600_000);

  afterAll(async () => {
    await rel?.server.stop();
  });

  it("exits 0 and records one wheel for the Python asked for, with its real sha256 and size", async () => {
    expect(exitCode, stderr.slice(-4000)).toBe(0);
    expect(dm.artifacts).toHaveLength(1);
    const a = dm.artifacts[0]!;
    expect(a.fileName).toMatch(new RegExp(`^standalone_python_bindings-22\\.1\\.8-cp${PYTHON.replace(".", "")}-cp${PYTHON.replace(".", "")}-manylinux_\\d+_\\d+_x86_64\\.whl$`));
    expect(await sha256File(join(OUT, a.fileName))).toBe(a.sha256);
    expect(statSync(join(OUT, a.fileName)).size).toBe(a.size);
    expect(JSON.parse(stdout).manifest).toBe(join(OUT, "downstream-manifest.json"));
  });

  it("records the release it was built against by digest: its manifest and dev tarball", async () => {
    const served = await fetch(`${rel.server.url}/manifests/22.1.8.json`).then((r) => r.arrayBuffer());
    const { createHash } = await import("node:crypto");
    expect(dm.builtAgainst.manifestSha256).toBe(createHash("sha256").update(Buffer.from(served)).digest("hex"));
    const dev = rel.manifest.artifacts.find((x) => x.kind === "dev-tarball")!;
    expect(dm.builtAgainst.devTarball).toEqual({ fileName: dev.fileName, sha256: dev.sha256 });
    expect(dm.builtAgainst).toMatchObject({ distribution: "mlir-python-bindings", version: "22.1.8", nanobind: "2.9.2", nanobindDomain: "mlir_release" });
    expect(dm.project).toMatchObject({ distribution: "standalone-python-bindings", packagePrefix: "mlir_standalone", nanobindDomain: "mlir_standalone" });
  });

  it("pins our distribution in Requires-Dist and carries no second copy of our libraries", () => {
    const meta = Buffer.from(Object.entries(wheelFiles).find(([n]) => n.endsWith(".dist-info/METADATA"))![1]).toString("utf8");
    expect(meta).toMatch(/^Requires-Dist: mlir-python-bindings==22\.1\.8$/m);
    const names = Object.keys(wheelFiles);
    expect(names.some((n) => /mlir_standalone\/_mlir_libs\/libStandalonePythonCAPI\.so/.test(n))).toBe(true);
    expect(names.filter((n) => /libMLIRPythonCAPI/.test(n))).toEqual([]);
    expect(names.filter((n) => !n.startsWith("mlir_standalone/") && !n.includes(".dist-info/"))).toEqual([]);
    const repair = (dm.verification["repair"] as Record<string, { excluded: string[] }>)[dm.artifacts[0]!.fileName]!;
    expect(repair.excluded.some((l) => l.startsWith("libMLIRPythonCAPI.so"))).toBe(true);
  });

  it("installed ours from the index next to theirs in a fresh venv (pip followed the pin)", () => {
    const v = dm.verification[dm.artifacts[0]!.fileName] as Check;
    expect(v.installed).toEqual({ "mlir-python-bindings": "22.1.8", "standalone-python-bindings": "22.1.8" });
    const ours = rel.manifest.artifacts.find((a) => a.kind === "wheel")!.fileName;
    expect(rel.server.requests).toContain(`/files/22.1.8/${ours}`);
    expect(rel.server.requests.some((p) => p.startsWith("/simple/mlir-python-bindings"))).toBe(true);
  });

  it("imports both in one process and mixes IR across them, with no nanobind clash", () => {
    const v = dm.verification[dm.artifacts[0]!.fileName] as Check;
    expect(v.check).toMatchObject({ ok: true, clash_warnings: [], ours_folded_to_5: true, theirs_reads_back: true, foreign_context: "TypeError" });
    expect(String(v.check["theirs"])).toContain(join("site-packages", "mlir_standalone"));
    // The example-specific script: standalone ops next to upstream ones, folded, round-tripped through ours.
    expect(v.scripts["downstream_in_process.py"]).toMatchObject({ built_verifies: true, parsed_verifies: true, folded_to_5: true, has_FooOp: true, ours_roundtrip_has_foo: true, foreign_context: "TypeError" });
  });

  it("passes all of the example's own lit tests against the installed wheels, each counted once", () => {
    const v = dm.verification[dm.artifacts[0]!.fileName] as Check;
    expect(v.lit, JSON.stringify(v.lit)).toBeDefined();
    // test/Standalone: dummy, standalone-opt, standalone-translate, standalone-plugin, standalone-pass-plugin;
    // test/CAPI/standalone-capi-test.c; test/python/smoketest.py (imports the installed wheels).
    expect(v.lit).toMatchObject({ passed: 7, failed: 0, unsupported: 0, failures: [], suites: ["test"] });
    // The wheel's own target is never rebuilt for the suite: its Python test imports the installed wheel.
    expect(v.lit!.notBuilt.some((t) => /(^|\/)StandalonePythonModules$/.test(t)), JSON.stringify(v.lit!.notBuilt)).toBe(true);
    expect(v.lit!.dropped).toEqual(["CMAKE_C_VISIBILITY_PRESET", "CMAKE_CXX_VISIBILITY_PRESET", "CMAKE_VISIBILITY_INLINES_HIDDEN"]);
  });

  it("refuses our domain and a nanobind mismatch against the real served release, before building", async () => {
    const base = { project, indexUrl: rel.server.url, release: "22.1.8", verify: false, lit: false, out: join(DIR, "never"), work: join(DIR, "never-work"), cache: CACHE };
    await expect(planDownstream(resolveDownstreamSettings(resolveOptions(base), { ...base, nbDomain: "mlir_release" }))).rejects.toThrow(/nanobind domain 'mlir_release' is the domain of mlir-python-bindings 22\.1\.8/);
    await expect(planDownstream(resolveDownstreamSettings(resolveOptions(base), { ...base, nanobind: "2.10.0" }))).rejects.toThrow(/was built with nanobind 2\.9\.2/);
  });
});
