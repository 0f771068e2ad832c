import { describe, expect, it } from "vitest";
import { layerOptionsHash, plan, type PlanFacts } from "../../src/plan/release-planner.js";
import { ReleaseConfig } from "../../src/schema/config.js";
import { ReleasePlan } from "../../src/schema/release-plan.js";
import { ReleaseRequest } from "../../src/schema/request.js";

const C1 = "a".repeat(40);
const C2 = "b".repeat(40);
const config = ReleaseConfig.parse({
  llvm: { repository: "https://example.org/llvm/llvm-project.git" },
  platforms: [{ id: "linux-x86_64" }, { id: "macos-arm64", pythons: ["3.12", "3.13"] }, { id: "windows-x64" }],
});
const snapshotFacts = (over: Partial<PlanFacts> = {}): PlanFacts => ({
  commit: C2,
  commitDate: "2026-11-24T22:15:00+01:00",
  llvmVersion: "23.0.0",
  existingVersions: ["23.0.0.dev2026112300"],
  previousSnapshotCommit: C1,
  cutoff: "2026-11-25T00:00:00Z",
  ...over,
});
const snapshot = ReleaseRequest.parse({ kind: "snapshot" });

describe("plan()", () => {
  it("is a pure function of its inputs: same inputs, same plan; the plan validates", () => {
    const a = plan(config, snapshot, snapshotFacts());
    const b = plan(structuredClone(config), structuredClone(snapshot), snapshotFacts());
    expect(a).toEqual(b);
    expect(ReleasePlan.parse(a)).toEqual(a);
    expect(a.version).toBe("23.0.0.dev2026112500");
    expect(a.sourceDateEpoch).toBe(Date.parse("2026-11-24T21:15:00Z") / 1000);
    expect(a.llvm.commitDate).toBe("2026-11-24T21:15:00.000Z");
    expect(a.source).toEqual({ kind: "git", repository: "https://example.org/llvm/llvm-project.git", commit: C2 });
    expect(a.selection).toEqual({
      source: "git https://example.org/llvm/llvm-project.git",
      ref: "main",
      cutoff: "2026-11-25T00:00:00Z",
      snapshotDate: "2026-11-25",
      sequence: 0,
      previousCommit: C1,
    });
  });

  it("builds the matrix from platforms × Pythons (platform overrides, request overrides)", () => {
    const p = plan(config, snapshot, snapshotFacts());
    const cells = p.matrix.map((m) => `${m.platform}/${m.python}/${m.tag.python}-${m.tag.abi}-${m.tag.platform}`);
    // No config list: the CPython calendar at the plan's date (2026-11-25): 3.10 is past its end of life.
    expect(cells).toContain("linux-x86_64/3.11/cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64");
    expect(cells.some((c) => c.startsWith("linux-x86_64/3.10/"))).toBe(false);
    // Free-threaded 3.13t/3.14t/3.15t where the runners offer them (LLVM 23 builds FREE_THREADED: inferred, no ABI facts given).
    expect(cells.some((c) => c.startsWith("linux-x86_64/3.13t/cp313-cp313t-manylinux"))).toBe(true);
    // LLVM 23 (inferred from the version): one cp312-abi3 wheel serves 3.12–3.15; 3.11 and the free-threaded builds per version.
    expect(cells.filter((c) => c.startsWith("linux-x86_64/")).map((c) => c.split("/")[2]!.split("-").slice(0, 2).join("-"))).toEqual([
      "cp311-cp311",
      "cp312-abi3",
      "cp313-cp313t",
      "cp314-cp314t",
      "cp315-cp315t",
    ]);
    expect(cells.filter((c) => c.startsWith("macos-arm64/"))).toHaveLength(1);
    expect(cells.filter((c) => c.startsWith("windows-x64/"))).toHaveLength(5);
    expect(p.matrix).toHaveLength(11);
    const only = plan(config, ReleaseRequest.parse({ kind: "snapshot", overrides: { platforms: ["linux-x86_64"], pythons: ["3.12", "3.13t"] } }), snapshotFacts());
    expect(only.matrix.map((m) => `${m.python}:${m.abi}:${m.tag.abi}`)).toEqual(["3.12:abi3:abi3", "3.13t:freethreaded:cp313t"]);
  });

  it("uses the tree's ABI facts when gathered (stable ABI for 3.12+)", () => {
    const p = plan(config, ReleaseRequest.parse({ kind: "snapshot", overrides: { platforms: ["linux-x86_64"] } }), snapshotFacts({
      abi: { version: "23.0.0", stableAbiOption: true, freeThreaded: true, evidence: ["test"] },
    }));
    expect(p.abiChoice.variant).toBe("abi3");
    expect(p.matrix.some((m) => m.tag.abi === "abi3")).toBe(true);
  });

  it("the options hash is the layer cache key: it changes with the commit and with any CMake option", () => {
    const base = plan(config, snapshot, snapshotFacts()).layer.optionsHash;
    expect(base).toBe(layerOptionsHash(C2, config.layerCmakeOptions));
    expect(plan(config, snapshot, snapshotFacts({ commit: "c".repeat(40) })).layer.optionsHash).not.toBe(base);
    const other = ReleaseConfig.parse({ ...config, layerCmakeOptions: { ...config.layerCmakeOptions, LLVM_ENABLE_ASSERTIONS: "ON" } });
    expect(plan(other, snapshot, snapshotFacts()).layer.optionsHash).not.toBe(base);
    // Key order does not matter (canonical JSON).
    const reordered = Object.fromEntries(Object.entries(config.layerCmakeOptions).reverse());
    expect(layerOptionsHash(C2, reordered)).toBe(base);
  });

  it("numbers a second snapshot on the same day after the first", () => {
    const p = plan(config, snapshot, snapshotFacts({ existingVersions: ["23.0.0.dev2026112500"] }));
    expect(p.version).toBe("23.0.0.dev2026112501");
    expect(p.selection?.sequence).toBe(1);
  });

  it("records pinned images of the planned platforms only", () => {
    const p = plan(config, snapshot, snapshotFacts({ images: { "linux-x86_64": "example.org/manylinux@sha256:" + "1".repeat(64), "linux-aarch64": "x" } }));
    expect(p.images).toEqual({ "linux-x86_64": "example.org/manylinux@sha256:" + "1".repeat(64) });
  });

  it("refuses with a message naming the input", () => {
    expect(() => plan(config, snapshot, snapshotFacts({ commit: "abc" }))).toThrow("commit 'abc': expected a full 40-hex commit id");
    expect(() => plan(config, snapshot, snapshotFacts({ commitDate: "soon" }))).toThrow(`commit date 'soon' of ${C2}: not an ISO-8601 date`);
    expect(() => plan(config, snapshot, snapshotFacts({ llvmVersion: "23" }))).toThrow("LLVM version '23'");
    expect(() => plan(config, snapshot, snapshotFacts({ existingVersions: ["23.0.0+local"] }))).toThrow("version '23.0.0+local'");
    expect(() => plan(config, snapshot, snapshotFacts({ previousSnapshotCommit: C2 }))).toThrow(
      "commit bbbbbbbbbbbb is the last snapshot's commit: nothing new to release",
    );
    expect(() => plan(config, snapshot, snapshotFacts({ existingVersions: ["23.0.0.dev2026112600"] }))).toThrow(
      "snapshot 23.0.0.dev2026112500 (cutoff 2026-11-25T00:00:00Z) would sort at or below existing snapshot 23.0.0.dev2026112600: snapshots are made in date order",
    );
    expect(() => plan(config, snapshot, snapshotFacts({ existingVersions: ["23.0.0.dev2026112599"] }))).toThrow(/at most 100 snapshots a day/);
    const numbered = ReleaseRequest.parse({ kind: "numbered", ref: "llvmorg-22.1.8" });
    const nf: PlanFacts = { commit: C1, commitDate: "2026-06-01T00:00:00Z", llvmVersion: "22.1.8", tag: "llvmorg-22.1.8", existingVersions: [] };
    expect(plan(config, numbered, nf).version).toBe("22.1.8");
    expect(plan(config, numbered, nf).llvm.tag).toBe("llvmorg-22.1.8");
    expect(() => plan(config, numbered, { ...nf, tag: undefined } as PlanFacts)).toThrow("a numbered release needs the tag it is built from");
    expect(() => plan(config, numbered, { ...nf, existingVersions: ["22.1.8", "22.1.8.post1"] })).toThrow(
      "version 22.1.8 already exists; a rebuild of llvmorg-22.1.8 is published as post release 22.1.8.post2 (--post 2)",
    );
    expect(() => plan(config, ReleaseRequest.parse({ kind: "numbered", ref: "llvmorg-22.1.8", post: 1 }), nf)).toThrow(
      "--post 1: 22.1.8 was never released, so there is nothing to rebuild (drop --post)",
    );
    expect(() => plan(config, numbered, { ...nf, llvmVersion: "22.1.7" })).toThrow("whose tree declares LLVM 22.1.7: refusing to publish 22.1.8 from it");
    expect(() => plan(config, ReleaseRequest.parse({ kind: "snapshot", overrides: { pythons: [] } }), snapshotFacts())).toThrow("the build matrix is empty");
  });
});
