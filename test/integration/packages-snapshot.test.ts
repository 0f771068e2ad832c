// A snapshot's "skip if unchanged" with a package enabled (issue 31): while release.config.json enables
// the clang package, a day whose only change is under clang/ makes a snapshot (its wheel links clang's
// libraries and ships its headers); without the package it does not. clang's docs and tests never do.
// Against the small LLVM-like git repository of the selection tests (test/support/llvm-git-fixture.ts).
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderCommitNotes } from "../../src/plan/notes.js";
import { releasePaths } from "../../src/plan/paths.js";
import { GitHistory } from "../../src/select/git-history.js";
import { select } from "../../src/select/rules.js";
import { ReleaseConfig } from "../../src/schema/config.js";
import { ReleaseRequest } from "../../src/schema/request.js";
import { type LlvmFixture, makeLlvmFixture } from "../support/llvm-git-fixture.js";

let fx: LlvmFixture;
let h: GitHistory;
const llvm = { repository: "https://example.org/llvm/llvm-project.git" };
const plain = ReleaseConfig.parse({ llvm });
const withClang = ReleaseConfig.parse({ llvm, packages: { clang: { enabled: true } } });
const now = new Date("2026-12-01T00:00:00Z");

beforeAll(async () => {
  fx = await makeLlvmFixture();
  h = await GitHistory.open(fx.dir);
});
afterAll(() => rmSync(fx.dir, { recursive: true, force: true }));

/** The selection after the snapshot of `previous`, at `cutoff`, under `config`. */
const after = (config: ReleaseConfig, previous: string, cutoff: string) =>
  select(h, { config, request: ReleaseRequest.parse({ kind: "snapshot", cutoff }), existingVersions: ["22.0.0.dev2026110100"], previousSnapshotCommit: previous, now });

describe("snapshot relevance with a package enabled", () => {
  it("a day with only a clang/ change: no snapshot without the package, a snapshot with it", async () => {
    // c2 ("[clang] Sema tweak") changed clang/lib/Sema.cpp only.
    const without = await after(plain, fx.c["c1"]!, "2026-11-02T23:59:00Z");
    expect(without.selection.release).toBe(false);
    expect(!without.selection.release && without.selection.reason).toMatch(/^no MLIR-relevant change between .* \(1 changed path\(s\), none under mlir\//);
    const withPkg = await after(withClang, fx.c["c1"]!, "2026-11-02T23:59:00Z");
    expect(withPkg.selection.release).toBe(true);
    expect(withPkg.selection.commit.commit).toBe(fx.c["c2"]);
    expect(withPkg.selection.release && withPkg.selection.relevantChanges).toBe(1);
    expect(withPkg.facts?.commit).toBe(fx.c["c2"]);
  });

  it("clang's tests and docs alone make no snapshot, even with the package", async () => {
    const c = await fx.commit("k1", "2026-11-08T09:00:00Z", { "clang/test/Sema/a.c": "// t\n", "clang/docs/Index.rst": "d\n" }, "[clang] tests and docs only");
    const s = await after(withClang, fx.c["c8"]!, "2026-11-08T12:00:00Z");
    expect(s.selection.commit.commit).toBe(c);
    expect(s.selection.release).toBe(false);
    expect(!s.selection.release && s.selection.reason).toMatch(/2 changed path\(s\), none under mlir\/.*clang\//);
  });

  it("the paths: exactly mlirPaths without a package; clang/ but its docs and tests with it; the notes count the clang commit", async () => {
    expect(releasePaths(plain)).toEqual(plain.mlirPaths);
    const p = releasePaths(withClang);
    expect(p.include).toEqual([...plain.mlirPaths.include, "clang/"]);
    expect(p.exclude).toEqual([...plain.mlirPaths.exclude, "clang/docs/", "clang/test/", "clang/unittests/", "clang/www/"]);
    const notes = (paths: typeof p) =>
      renderCommitNotes({ repository: llvm.repository, from: fx.c["c1"]!, to: fx.c["c3"]!, version: "v", llvmVersion: "22.0.0", commits: [{ commit: fx.c["c2"]!, date: "2026-11-02T09:00:00Z", author: "A. Developer", subject: "[clang] Sema tweak", files: ["clang/lib/Sema.cpp"] }], paths });
    expect(notes(plain.mlirPaths)).toMatch(/0 of 1 commit touched/);
    expect(notes(p)).toMatch(/1 of 1 commit touched/);
    expect(() => releasePaths(ReleaseConfig.parse({ llvm, packages: { nope: { enabled: true } } }))).toThrow(/unknown package 'nope': the packages are clang/);
  });
});
