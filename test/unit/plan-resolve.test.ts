import { describe, expect, it } from "vitest";
import { renderCommitNotes, webUrl } from "../../src/plan/notes.js";
import { findWheel, history, releasesOfCommit } from "../../src/plan/release-queries.js";
import { type Artifact } from "../../src/schema/artifact.js";
import { ReleaseConfig } from "../../src/schema/config.js";
import { ReleaseManifest } from "../../src/schema/manifest.js";

const sha = (c: string): string => c.repeat(64);
const wheel = (version: string, py: string, abi: string, plat: string, platform: Artifact["platform"]): Artifact => ({
  kind: "wheel",
  fileName: `mlir_python_bindings-${version}-${py}-${abi}-${plat}.whl`,
  sha256: sha("a"),
  size: 1,
  platform,
  python: `3.${py.slice(3).replace("t", "")}${py.endsWith("t") ? "t" : ""}`,
  tag: { python: py, abi, platform: plat },
});
function manifest(version: string, kind: "snapshot" | "numbered", commit: string, artifacts: Artifact[], yanked: Record<string, string> = {}): ReleaseManifest {
  return ReleaseManifest.parse({
    schemaVersion: 1,
    plan: {
      schemaVersion: 1,
      kind,
      version,
      distribution: "mlir-python-bindings",
      devDistribution: "mlir-python-bindings-dev",
      llvm: { commit, version: version.replace(/\.dev.*|rc.*|\.post.*/, ""), repository: "https://example.org/llvm.git", commitDate: "2026-11-01T00:00:00.000Z" },
      source: { kind: "git", repository: "https://example.org/llvm.git", commit },
      sourceDateEpoch: 0,
      matrix: [{ platform: "linux-x86_64", python: "3.12", abi: "cpython", tag: { python: "cp312", abi: "cp312", platform: "manylinux_2_28_x86_64" } }],
      abiChoice: { variant: "cpython", reason: "test" },
      tools: {},
      layer: { cmakeOptions: {}, optionsHash: sha("0") },
      nanobindDomain: "mlir_release",
    },
    artifacts,
    provenance: { builder: "test", pipelineVersion: "test" },
    yanked,
  });
}
const A = "1".repeat(40);
const B = "2".repeat(40);
const D = "3".repeat(40);
const manifests = [
  manifest("23.0.0.dev2026111000", "snapshot", A, [
    wheel("23.0.0.dev2026111000", "cp312", "cp312", "manylinux_2_28_x86_64", "linux-x86_64"),
    wheel("23.0.0.dev2026111000", "cp312", "cp312", "macosx_11_0_arm64", "macos-arm64"),
  ]),
  manifest("23.0.0.dev2026111200", "snapshot", B, [
    wheel("23.0.0.dev2026111200", "cp312", "abi3", "manylinux_2_28_x86_64", "linux-x86_64"),
    wheel("23.0.0.dev2026111200", "cp312", "cp312", "manylinux_2_28_x86_64", "linux-x86_64"),
  ]),
  manifest("23.0.0.dev2026111201", "snapshot", D, [wheel("23.0.0.dev2026111201", "cp312", "cp312", "manylinux_2_28_x86_64", "linux-x86_64")], {
    "mlir_python_bindings-23.0.0.dev2026111201-cp312-cp312-manylinux_2_28_x86_64.whl": "broken",
  }),
  manifest("22.1.8", "numbered", A, [wheel("22.1.8", "cp313", "cp313", "manylinux2014_x86_64", "linux-x86_64")]),
];

describe("resolve", () => {
  it("which version holds LLVM commit X (full id or prefix)", () => {
    expect(releasesOfCommit(manifests, A).map((r) => r.version)).toEqual(["22.1.8", "23.0.0.dev2026111000"]);
    expect(releasesOfCommit(manifests, B.slice(0, 7))).toEqual([
      { version: "23.0.0.dev2026111200", kind: "snapshot", llvmCommit: B, llvmVersion: "23.0.0", date: "2026-11-12" },
    ]);
    expect(releasesOfCommit(manifests, "4".repeat(40))).toEqual([]);
    expect(() => releasesOfCommit(manifests, "12345")).toThrow("--commit '12345': expected 7 to 40 lowercase hex digits");
  });

  it("which wheel for cp312 manylinux x86_64 of the newest snapshot on or before day D", () => {
    const w = findWheel(manifests, { python: "cp312", platform: "manylinux_x86_64", onOrBefore: "2026-11-12" });
    // 2026111201 is newer but its wheel is yanked; within 2026111200 the exact cp312 tag wins over abi3.
    expect(w).toMatchObject({ version: "23.0.0.dev2026111200", tag: "cp312-cp312-manylinux_2_28_x86_64", llvmCommit: B });
    expect(findWheel(manifests, { python: "3.12", platform: "linux-x86_64", onOrBefore: "2026-11-11" })?.version).toBe("23.0.0.dev2026111000");
    expect(findWheel(manifests, { python: "3.12", platform: "macosx_arm64" })?.fileName).toMatch(/macosx_11_0_arm64/);
    expect(findWheel(manifests, { python: "3.12", platform: "linux-x86_64", onOrBefore: "2026-11-09" })).toBeUndefined();
    // abi3 serves later Pythons; numbered releases only when asked for.
    expect(findWheel(manifests, { python: "3.13", platform: "manylinux_x86_64" })).toMatchObject({ version: "23.0.0.dev2026111200", tag: "cp312-abi3-manylinux_2_28_x86_64" });
    expect(findWheel(manifests, { python: "3.13", platform: "manylinux_x86_64", kind: "numbered" })?.version).toBe("22.1.8");
    expect(findWheel(manifests, { python: "3.13t", platform: "manylinux_x86_64", kind: "any" })).toBeUndefined();
    expect(() => findWheel(manifests, { python: "py3", platform: "x" })).toThrow("--python 'py3': expected 3.N or cp3N");
    expect(() => findWheel(manifests, { python: "3.12", platform: "x", onOrBefore: "12/11/2026" })).toThrow("--on-or-before '12/11/2026': expected YYYY-MM-DD");
  });

  it("what select needs from the past: existing versions and the last snapshot's commit", () => {
    expect(history(manifests)).toEqual({
      versions: ["22.1.8", "23.0.0.dev2026111000", "23.0.0.dev2026111200", "23.0.0.dev2026111201"],
      previousSnapshotCommit: D,
    });
    expect(history([])).toEqual({ versions: [] });
  });
});

describe("commit notes", () => {
  const paths = ReleaseConfig.parse({}).mlirPaths;
  const commits = [
    { commit: "c".repeat(40), date: "2026-11-03T20:00:00.000Z", author: "Ann", subject: "[Support] Fix *paths*", files: ["llvm/lib/Support/Path.cpp"] },
    { commit: "d".repeat(40), date: "2026-11-03T10:00:00.000Z", author: "Bo", subject: "[clang] Sema", files: ["clang/lib/Sema.cpp"] },
    { commit: "e".repeat(40), date: "2026-11-03T08:00:00.000Z", author: "Cy", subject: "[mlir] Add an op", files: ["mlir/lib/IR/Ops.cpp", "mlir/docs/Ops.md"] },
  ];
  it("lists the MLIR-relevant commits with links built from the configured repository", () => {
    const md = renderCommitNotes({ repository: "https://example.org/llvm/llvm-project.git", from: A, to: B, version: "23.0.0.dev2026110301", llvmVersion: "23.0.0", commits, paths });
    expect(md).toBe(
      [
        "## LLVM changes in 23.0.0.dev2026110301",
        "",
        `LLVM 23.0.0, [\`${A.slice(0, 12)}..${B.slice(0, 12)}\`](https://example.org/llvm/llvm-project/compare/${A}...${B}): 2 of 3 commits touched MLIR-relevant paths.`,
        "",
        `- [\`cccccccccccc\`](https://example.org/llvm/llvm-project/commit/${"c".repeat(40)}) [Support] Fix \\*paths\\* (Ann, 2026-11-03)`,
        `- [\`eeeeeeeeeeee\`](https://example.org/llvm/llvm-project/commit/${"e".repeat(40)}) [mlir] Add an op (Cy, 2026-11-03)`,
        "",
      ].join("\n"),
    );
    const local = renderCommitNotes({ repository: "/srv/llvm", from: A, to: B, version: "v", llvmVersion: "23.0.0", commits: commits.slice(1, 2), paths, limit: 1 });
    expect(local).toContain("0 of 1 commit touched");
    expect(local).toContain("No MLIR-relevant commits in this range.");
    expect(local).not.toContain("](");
    const limited = renderCommitNotes({ repository: "/srv/llvm", from: A, to: B, version: "v", llvmVersion: "23.0.0", commits, paths, limit: 1 });
    expect(limited).toContain("- … and 1 more");
  });
  it("web links from https and scp-style URLs only", () => {
    expect(webUrl("https://example.org/llvm/llvm-project.git")).toBe("https://example.org/llvm/llvm-project");
    expect(webUrl("git@example.org:llvm/llvm-project.git")).toBe("https://example.org/llvm/llvm-project");
    expect(webUrl("/srv/llvm")).toBeUndefined();
  });
});
