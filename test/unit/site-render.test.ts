import { describe, expect, it } from "vitest";
import { renderSite } from "../../src/site/render.js";
import type { SiteFile, SiteRelease } from "../../src/site/site-input.js";
import { basePlan } from "../support/release-fixture.js";
import type { ReleaseManifest } from "../../src/schema/manifest.js";

const H = (c: string): string => c.repeat(64);
function release(version: string, kind: "snapshot" | "numbered", yanked: Record<string, string> = {}): { r: SiteRelease; files: SiteFile[] } {
  const fileName = `mlir_python_bindings-${version}-cp312-cp312-manylinux_2_28_x86_64.whl`;
  const manifest: ReleaseManifest = {
    schemaVersion: 1,
    plan: basePlan(version, kind, "e".repeat(40)),
    artifacts: [
      { kind: "wheel", fileName, sha256: H("a"), size: 10, platform: "linux-x86_64", python: "3.12", tag: { python: "cp312", abi: "cp312", platform: "manylinux_2_28_x86_64" } },
      { kind: "dev-tarball", fileName: `mlir-dev-${version}.tar.zst`, sha256: H("b"), size: 20, platform: "linux-x86_64" },
    ],
    provenance: { builder: "t", pipelineVersion: "0", layer: {} },
    verification: {},
    yanked,
  };
  return {
    r: { manifest, notes: `notes of ${version} <b>` },
    files: [
      { fileName, sha256: H("a"), size: 10, kind: "wheel", requiresPython: ">=3.10", metadataSha256: H("c") },
      { fileName: `mlir-dev-${version}.tar.zst`, sha256: H("b"), size: 20, kind: "dev-tarball" },
    ],
  };
}

describe("site renderer", () => {
  const a = release("22.1.8", "numbered");
  const b = release("23.0.0.dev2026112501", "snapshot", { "23.0.0.dev2026112501": "broken build" });
  const files = new Map([
    ["22.1.8", a.files],
    ["23.0.0.dev2026112501", b.files],
  ]);
  const site = renderSite([b.r, a.r], files, { baseUrl: "https://example.org/mlir" });

  it("PEP 503 page: sha256 fragments, PEP 658 metadata, requires-python, PEP 592 yanks", () => {
    const page = site.get("simple/mlir-python-bindings/index.html")!;
    expect(page).toContain(`href="../../files/22.1.8/mlir_python_bindings-22.1.8-cp312-cp312-manylinux_2_28_x86_64.whl#sha256=${H("a")}"`);
    expect(page).toContain(`data-dist-info-metadata="sha256=${H("c")}"`);
    expect(page).toContain(`data-core-metadata="sha256=${H("c")}"`);
    expect(page).toContain('data-requires-python="&gt;=3.10"');
    expect(page).toMatch(/data-yanked="broken build">mlir_python_bindings-23\.0\.0\.dev2026112501/);
    expect(page).not.toMatch(/22\.1\.8-cp312[^>]*data-yanked/);
    // Only installable files are listed (no dev tarball).
    expect(page).not.toContain("tar.zst");
    expect(site.get("simple/index.html")).toContain('<a href="mlir-python-bindings/">mlir-python-bindings</a>');
  });

  it("PEP 691 JSON with PEP 700 versions and sizes", () => {
    const j = JSON.parse(site.get("simple/mlir-python-bindings/index.json")!);
    expect(j.meta["api-version"]).toBe("1.1");
    expect(j.versions).toEqual(["22.1.8", "23.0.0.dev2026112501"]);
    const y = j.files.find((f: { filename: string }) => f.filename.includes("dev2026"));
    expect(y.yanked).toBe("broken build");
    expect(j.files[0].hashes.sha256).toBe(H("a"));
    expect(j.files[0]["core-metadata"]).toEqual({ sha256: H("c") });
    expect(JSON.parse(site.get("simple/index.json")!).projects).toEqual([{ name: "mlir-python-bindings" }]);
  });

  it("dashboard: newest first, matrix links, notes escaped, manifest links", () => {
    const html = site.get("index.html")!;
    expect(html.indexOf('id="v23.0.0.dev2026112501"')).toBeLessThan(html.indexOf('id="v22.1.8"'));
    expect(html).toContain('href="files/22.1.8/mlir_python_bindings-22.1.8-cp312-cp312-manylinux_2_28_x86_64.whl"');
    expect(html).toContain("notes of 22.1.8 &lt;b&gt;");
    expect(html).toContain('href="manifests/22.1.8.json"');
    expect(html).toContain("https://example.org/mlir/simple/");
    expect(html).toContain("yanked: broken build");
  });

  it("front page keeps the newest N in full; every release has its own page with working relative links", () => {
    const small = renderSite([a.r, b.r], files, { recent: 1 });
    const front = small.get("index.html")!;
    expect(front).toContain('id="v23.0.0.dev2026112501"');
    expect(front).not.toContain('id="v22.1.8"');
    expect(front).toMatch(/<section id="older"><h2>Older \(1\)<\/h2>.*href="releases\/22\.1\.8\.html"/);
    const rel = small.get("releases/22.1.8.html")!;
    expect(rel).toContain('href="../files/22.1.8/mlir_python_bindings-22.1.8-cp312-cp312-manylinux_2_28_x86_64.whl"');
    expect(rel).toContain('href="../manifests/22.1.8.json"');
  });

  it("is deterministic and refuses a version twice", () => {
    expect(renderSite([a.r, b.r], files, { baseUrl: "https://example.org/mlir" })).toEqual(site);
    expect(() => renderSite([a.r, a.r], files)).toThrow(/appears twice/);
  });
});
