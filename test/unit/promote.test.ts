// Promotion (re-versioning without a compiler) on small real wheels: names, dist-info, METADATA,
// RECORD, unchanged members, determinism; and when a plan may be promoted at all.
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unzipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { promoteRelease, promotionBlockers, promotionSource, reversionSbom } from "../../src/rebuild/promote.js";
import { ReleaseManifest } from "../../src/schema/manifest.js";
import { makeFixtureRelease } from "../support/release-fixture.js";

const tmp = (): string => mkdtempSync(join(tmpdir(), "promote-"));

describe("promotion", () => {
  it("re-versions every wheel: dist-info, METADATA and RECORD change, every other member keeps its bytes; deterministic", async () => {
    const fx = await makeFixtureRelease({ dir: tmp(), version: "22.1.8rc3", kind: "numbered" });
    const r = await promoteRelease({ earlier: fx.manifest, artifactsDir: fx.dir, version: "22.1.8", tag: "llvmorg-22.1.8", outDir: tmp() });
    expect(r.wheels).toHaveLength(2);
    for (const w of r.wheels) {
      expect(w.fileName).toBe(w.from.replace("-22.1.8rc3-", "-22.1.8-"));
      const before = unzipSync(readFileSync(join(fx.dir, w.from)));
      const after = unzipSync(readFileSync(w.path));
      expect(Object.keys(after).sort()).toEqual(Object.keys(before).map((n) => n.replace("mlir_python_bindings-22.1.8rc3.dist-info/", "mlir_python_bindings-22.1.8.dist-info/")).sort());
      for (const [n, data] of Object.entries(before)) {
        if (n.includes(".dist-info/")) continue;
        expect(Buffer.compare(Buffer.from(after[n]!), Buffer.from(data)), n).toBe(0);
      }
      const meta = Buffer.from(after["mlir_python_bindings-22.1.8.dist-info/METADATA"]!).toString();
      expect(meta).toMatch(/^Version: 22\.1\.8$/m);
      expect(meta).not.toContain("rc3");
      // RECORD lists every other member with its real hash and size.
      const record = Buffer.from(after["mlir_python_bindings-22.1.8.dist-info/RECORD"]!).toString().trim().split("\n");
      expect(record).toHaveLength(Object.keys(after).length);
      for (const line of record) {
        const [name, hash, size] = line.split(",");
        if (name!.endsWith("/RECORD")) continue;
        const data = Buffer.from(after[name!]!);
        expect(hash).toBe(`sha256=${createHash("sha256").update(data).digest("base64url")}`);
        expect(Number(size)).toBe(data.length);
      }
      expect(w.changed.sort()).toEqual([
        "mlir_python_bindings-22.1.8rc3.dist-info/METADATA → mlir_python_bindings-22.1.8.dist-info/METADATA",
        "mlir_python_bindings-22.1.8rc3.dist-info/WHEEL → mlir_python_bindings-22.1.8.dist-info/WHEEL",
        "mlir_python_bindings-22.1.8rc3.dist-info/top_level.txt → mlir_python_bindings-22.1.8.dist-info/top_level.txt",
      ]);
    }
    const again = await promoteRelease({ earlier: fx.manifest, artifactsDir: fx.dir, version: "22.1.8", tag: "llvmorg-22.1.8", outDir: tmp() });
    expect(again.wheels.map((w) => w.sha256)).toEqual(r.wheels.map((w) => w.sha256));
    // The manifest: the new version and tag, the new files' digests, where they came from.
    const m = ReleaseManifest.parse(r.manifest);
    expect(m.plan).toMatchObject({ kind: "numbered", version: "22.1.8", llvm: { tag: "llvmorg-22.1.8", commit: fx.manifest.plan.llvm.commit } });
    expect(m.artifacts.map((a) => a.sha256).sort()).toEqual(r.wheels.map((w) => w.sha256).sort());
    expect(m.promotedFrom?.version).toBe("22.1.8rc3");
    expect(Object.values(m.promotedFrom!.artifacts).map((x) => x.sha256).sort()).toEqual(fx.manifest.artifacts.map((a) => a.sha256).sort());
  });

  it("re-versions auditwheel's SBOM: the wheel's purl, bom-ref and version; grafted libraries keep theirs", () => {
    const old = "mlir_python_bindings-22.1.8-cp312-cp312-manylinux_2_36_x86_64.whl";
    const purl = (v: string, f: string): string => `pkg:pypi/mlir_python_bindings@${v}?file_name=${f}`;
    const text = JSON.stringify({
      metadata: { component: { "bom-ref": purl("22.1.8", old), name: "mlir_python_bindings", version: "22.1.8", purl: purl("22.1.8", old) } },
      components: [{ name: "libzstd", version: "22.1.8", purl: "pkg:deb/libzstd1@1.5.4" }],
      dependencies: [{ ref: purl("22.1.8", old), dependsOn: ["pkg:deb/libzstd1@1.5.4"] }],
    }, null, 1).replace(/",\n\s*"version"/g, '", "version"');
    const out = reversionSbom(text, "mlir_python_bindings", "22.1.8", "22.1.8.post1", old);
    const neu = old.replace("-22.1.8-", "-22.1.8.post1-");
    const j = JSON.parse(out) as { metadata: { component: Record<string, string> }; components: Array<Record<string, string>>; dependencies: Array<{ ref: string }> };
    expect(j.metadata.component).toMatchObject({ "bom-ref": purl("22.1.8.post1", neu), purl: purl("22.1.8.post1", neu), version: "22.1.8.post1" });
    expect(j.dependencies[0]!.ref).toBe(purl("22.1.8.post1", neu));
    expect(j.components[0]!.version).toBe("22.1.8");
    expect(out).not.toContain(`file_name=${old}`);
  });

  it("refuses a snapshot version and a wheel that differs from its manifest", async () => {
    const fx = await makeFixtureRelease({ dir: tmp(), version: "22.1.8", kind: "numbered" });
    await expect(promoteRelease({ earlier: fx.manifest, artifactsDir: fx.dir, version: "22.1.9.dev2026120100", outDir: tmp() })).rejects.toThrow(/not a numbered version/);
    const other = await makeFixtureRelease({ dir: tmp(), version: "22.1.8", kind: "numbered", commit: "e".repeat(40) });
    await expect(promoteRelease({ earlier: fx.manifest, artifactsDir: other.dir, version: "22.1.8.post1", outDir: tmp() })).rejects.toThrow(/not the manifest's/);
  });

  it("promotes only from a release with the same commit and build inputs", async () => {
    const rc = (await makeFixtureRelease({ dir: tmp(), version: "22.1.8rc3", kind: "numbered", commit: "a".repeat(40) })).manifest;
    const snap = (await makeFixtureRelease({ dir: tmp(), version: "22.1.8.dev2026112000", commit: "a".repeat(40) })).manifest;
    const final = { ...rc.plan, version: "22.1.8", llvm: { ...rc.plan.llvm, tag: "llvmorg-22.1.8" } };
    expect(promotionBlockers(rc.plan, final)).toEqual([]);
    expect(promotionSource([snap, rc], final)?.plan.version).toBe("22.1.8rc3");
    expect(promotionBlockers(rc.plan, { ...final, tools: { nanobind: "2.9.1" } })).toEqual([expect.stringMatching(/^tools differs/)]);
    expect(promotionBlockers(rc.plan, { ...final, llvm: { ...final.llvm, commit: "b".repeat(40) } })).toEqual([expect.stringMatching(/^commit differs/)]);
    expect(promotionSource([rc], { ...final, llvm: { ...final.llvm, commit: "b".repeat(40) } })).toBeUndefined();
    expect(promotionSource([rc], { ...final, kind: "snapshot" })).toBeUndefined();
  });
});
