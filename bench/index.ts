// Index benchmark: 1,000 snapshots × 30 files. Prints the time of the pure render (PEP 503/691
// pages + dashboard) and of a full regeneration from the store (read manifests and PEP 658
// metadata, write a new generation with hard links, swap the site link).
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderSite } from "../src/site/render.js";
import type { SiteFile, SiteRelease } from "../src/site/site-input.js";
import { indexPaths, regenerate } from "../src/site/store.js";
import type { Artifact } from "../src/schema/artifact.js";
import type { ReleaseManifest } from "../src/schema/manifest.js";
import type { PlatformId } from "../src/schema/platform.js";
import { manifestJson } from "../src/plan/manifest.js";

const SNAPSHOTS = Number(process.env["BENCH_SNAPSHOTS"] ?? 1000);
const PLATFORMS: PlatformId[] = ["linux-x86_64", "linux-aarch64", "macos-arm64", "macos-x86_64", "windows-x64"];
const PLAT_TAG: Record<PlatformId, string> = {
  "linux-x86_64": "manylinux_2_28_x86_64",
  "linux-aarch64": "manylinux_2_28_aarch64",
  "macos-arm64": "macosx_11_0_arm64",
  "macos-x86_64": "macosx_10_15_x86_64",
  "windows-x64": "win_amd64",
};
const PYTHONS = ["3.10", "3.11", "3.12", "3.13", "3.14"];
const hex = (s: string): string => createHash("sha256").update(s).digest("hex");

function manifest(i: number): ReleaseManifest {
  const day = new Date(Date.UTC(2024, 0, 1) + i * 86_400_000).toISOString().slice(0, 10).replace(/-/g, "");
  const version = `23.0.0.dev${day}01`;
  const commit = hex(`c${i}`).slice(0, 40);
  const artifacts: Artifact[] = [];
  for (const p of PLATFORMS) {
    for (const py of PYTHONS) {
      const t = `cp${py.replace(".", "")}`;
      const tag = { python: t, abi: t, platform: PLAT_TAG[p] };
      artifacts.push({ kind: "wheel", fileName: `mlir_python_bindings-${version}-${t}-${t}-${tag.platform}.whl`, sha256: hex(`${i}${p}${py}`), size: 60_000_000, platform: p, python: py, tag });
    }
    artifacts.push({ kind: "dev-tarball", fileName: `mlir-python-bindings-dev-${version}-${p}.tar.zst`, sha256: hex(`${i}${p}dev`), size: 400_000_000, platform: p });
  }
  return {
    schemaVersion: 1,
    plan: {
      schemaVersion: 1,
      kind: "snapshot",
      version,
      distribution: "mlir-python-bindings",
      devDistribution: "mlir-python-bindings-dev",
      llvm: { commit, version: "23.0.0", repository: "https://github.com/llvm/llvm-project.git", commitDate: `${day}T00:00:00Z` },
      source: { kind: "git", repository: "https://github.com/llvm/llvm-project.git", commit },
      sourceDateEpoch: 1_700_000_000 + i * 86_400,
      matrix: artifacts.filter((a) => a.kind === "wheel").map((a) => ({ platform: a.platform!, python: a.python!, abi: "cpython" as const, tag: a.tag! })),
      abiChoice: { variant: "cpython", reason: "bench" },
      images: {},
      tools: {},
      layer: { cmakeOptions: {}, optionsHash: hex("o") },
      nanobindDomain: "mlir_release",
    },
    artifacts,
    provenance: { builder: "bench", pipelineVersion: "0", layer: {} },
    verification: {},
    yanked: {},
  };
}

const ms = (t: bigint): string => `${(Number(process.hrtime.bigint() - t) / 1e6).toFixed(0)} ms`;
const ms_ = (t: bigint): number => Number(process.hrtime.bigint() - t) / 1e6;

const manifests = Array.from({ length: SNAPSHOTS }, (_, i) => manifest(i));
const files = new Map<string, SiteFile[]>();
const releases: SiteRelease[] = manifests.map((m) => {
  files.set(
    m.plan.version,
    m.artifacts.map((a) => ({ fileName: a.fileName, sha256: a.sha256, size: a.size, kind: a.kind, ...(a.kind === "wheel" ? { requiresPython: ">=3.10", metadataSha256: hex(a.fileName) } : {}) })),
  );
  return { manifest: m, notes: `# ${m.plan.version}\n` };
});
const nFiles = manifests.reduce((n, m) => n + m.artifacts.length, 0);
let t = process.hrtime.bigint();
const pages = renderSite(releases, files, { baseUrl: "https://example.org/mlir" });
const renderMs = ms_(t);
const bytes = [...pages.values()].reduce((n, p) => n + p.length, 0);
console.log(`render (pure): ${SNAPSHOTS} snapshots × ${nFiles / SNAPSHOTS} files = ${nFiles} files → ${pages.size} pages, ${(bytes / 1e6).toFixed(1)} MB in ${renderMs.toFixed(0)} ms`);

// Full regeneration from an on-disk store (artifacts are 1-byte stand-ins: links cost the same).
const root = mkdtempSync(join(tmpdir(), "bench-index-"));
const P = indexPaths(root);
t = process.hrtime.bigint();
for (const m of manifests) {
  const v = m.plan.version;
  mkdirSync(join(P.files, v), { recursive: true });
  for (const a of m.artifacts) {
    writeFileSync(join(P.files, v, a.fileName), "x");
    if (a.kind === "wheel") writeFileSync(join(P.files, v, `${a.fileName}.metadata`), `Metadata-Version: 2.1\nName: mlir-python-bindings\nVersion: ${v}\nRequires-Python: >=3.10\n`);
  }
  mkdirSync(P.notes, { recursive: true });
  writeFileSync(join(P.notes, `${v}.md`), `# ${v}\n`);
  mkdirSync(P.manifests, { recursive: true });
  writeFileSync(join(P.manifests, `${v}.json`), manifestJson(m));
}
console.log(`store setup (not timed below): ${ms(t)}`);
t = process.hrtime.bigint();
await regenerate(root, { baseUrl: "https://example.org/mlir" });
const regenMs = ms_(t);
console.log(`regenerate (read store, render, write generation, hard-link ${nFiles} files + metadata, swap): ${regenMs.toFixed(0)} ms`);
t = process.hrtime.bigint();
await regenerate(root, { baseUrl: "https://example.org/mlir" });
console.log(`regenerate again (unchanged: same generation, no write): ${ms(t)}`);
rmSync(root, { recursive: true, force: true });
console.log(`BENCH index: ${SNAPSHOTS}x30 render ${renderMs.toFixed(0)} ms, full regenerate ${regenMs.toFixed(0)} ms`);
