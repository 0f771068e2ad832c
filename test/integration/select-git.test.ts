// Selection against real git repositories built by the test (see test/support/llvm-git-fixture.ts).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderCommitNotes } from "../../src/plan/notes.js";
import { plan } from "../../src/plan/release-planner.js";
import { GitHistory } from "../../src/select/git-history.js";
import { select, selectNumbered, selectSnapshot } from "../../src/select/rules.js";
import { ReleaseConfig } from "../../src/schema/config.js";
import { ReleaseRequest } from "../../src/schema/request.js";
import { type LlvmFixture, makeLlvmFixture } from "../support/llvm-git-fixture.js";

let fx: LlvmFixture;
let h: GitHistory;
const config = ReleaseConfig.parse({ llvm: { repository: "https://example.org/llvm/llvm-project.git" } });
const paths = config.mlirPaths;
const now = new Date("2026-12-01T00:00:00Z");

beforeAll(async () => {
  fx = await makeLlvmFixture();
  h = await GitHistory.open(fx.dir);
});
afterAll(() => rmSync(fx.dir, { recursive: true, force: true }));

const snap = (cutoff: string, previousCommit?: string, ref = "main") =>
  selectSnapshot(h, { ref, cutoff, paths, ...(previousCommit ? { previousCommit } : {}) });

describe("snapshot selection (git)", () => {
  it("takes the newest commit at or before the cutoff and the tree's version", async () => {
    const s = await snap("2026-11-01T12:00:00Z");
    expect(s.release).toBe(true);
    expect(s.commit.commit).toBe(fx.c["c1"]);
    expect(s.release && s.llvmVersion).toBe("22.0.0");
    // The cutoff is inclusive: a commit at exactly the cutoff is taken.
    expect((await snap("2026-11-03T08:00:00Z")).commit.commit).toBe(fx.c["c3"]);
    expect((await snap("2026-11-03T07:59:59Z")).commit.commit).toBe(fx.c["c2"]);
  });

  it("reports no release on a day with no MLIR-relevant change", async () => {
    const s = await snap("2026-11-02T23:59:00Z", fx.c["c1"]);
    expect(s.release).toBe(false);
    expect(s.commit.commit).toBe(fx.c["c2"]);
    expect(!s.release && s.reason).toMatch(/^no MLIR-relevant change between \w{12} and \w{12} \(1 changed path\(s\), none under mlir\//);
    // Tests and docs only (llvm/test/, mlir/docs/) do not make a snapshot either.
    const docs = await snap("2026-11-04T23:00:00Z", fx.c["c4"]);
    expect(docs.release).toBe(false);
    expect(!docs.release && docs.reason).toMatch(/2 changed path\(s\)/);
  });

  it("two MLIR commits in one day give two snapshots that sort in order", async () => {
    const morning = await snap("2026-11-03T12:00:00Z", fx.c["c1"]);
    expect(morning.commit.commit).toBe(fx.c["c3"]);
    const f1 = await select(h, {
      config,
      request: ReleaseRequest.parse({ kind: "snapshot", cutoff: "2026-11-03T12:00:00Z" }),
      existingVersions: ["22.0.0.dev2026110100"],
      previousSnapshotCommit: fx.c["c1"]!,
      now,
    });
    const p1 = plan(config, ReleaseRequest.parse({ kind: "snapshot", cutoff: "2026-11-03T12:00:00Z" }), f1.facts!);
    expect(p1.version).toBe("22.0.0.dev2026110300");
    const f2 = await select(h, {
      config,
      request: ReleaseRequest.parse({ kind: "snapshot", cutoff: "2026-11-03T23:00:00Z" }),
      existingVersions: ["22.0.0.dev2026110100", p1.version],
      previousSnapshotCommit: p1.llvm.commit,
      now,
    });
    expect(f2.selection.commit.commit).toBe(fx.c["c4"]);
    const p2 = plan(config, ReleaseRequest.parse({ kind: "snapshot", cutoff: "2026-11-03T23:00:00Z" }), f2.facts!);
    expect(p2.version).toBe("22.0.0.dev2026110301");
    expect(p2.selection).toMatchObject({ snapshotDate: "2026-11-03", sequence: 1, previousCommit: fx.c["c3"] });
    expect(p2.sourceDateEpoch).toBe(Date.parse("2026-11-03T20:00:00Z") / 1000);
  });

  it("follows the version file across commits (bump on main, not on the release branch)", async () => {
    const s = await snap("2026-11-05T23:00:00Z", fx.c["c4"]);
    expect(s.commit.commit).toBe(fx.c["c6"]);
    expect(s.release && s.llvmVersion).toBe("23.0.0");
    // c5 changed llvm/test/ and mlir/docs/ (not relevant); c6 the version file under cmake/.
    expect(s.release && s.relevantChanges).toBe(1);
  });

  it("walks first parents: a merged branch's commit is not on main before the merge", async () => {
    // f1 (01:00) predates the cutoff, but reached main only with the merge at 23:00.
    const before = await snap("2026-11-06T12:00:00Z", fx.c["c6"]);
    expect(before.commit.commit).toBe(fx.c["c7"]);
    expect(before.release).toBe(false);
    const after = await snap("2026-11-07T00:00:00Z", fx.c["c6"]);
    expect(after.commit.commit).toBe(fx.c["m1"]);
    expect(after.release).toBe(true);
    expect(after.release && after.relevantChanges).toBe(1);
    const again = await snap("2026-11-07T09:00:00Z", fx.c["m1"]);
    expect(again.release).toBe(false);
    expect(!again.release && again.reason).toBe(`no new commit on main since the last snapshot (${fx.c["m1"]!.slice(0, 12)})`);
  });

  it("refuses, naming the input", async () => {
    await expect(snap("2026-10-01T00:00:00Z")).rejects.toThrow(`branch 'main' of git ${fx.dir} has no commit at or before 2026-10-01T00:00:00.000Z`);
    await expect(snap("2026-11-07T00:00:00Z", undefined, "nope")).rejects.toThrow(`ref 'nope' names no branch, tag or commit in git ${fx.dir}`);
    await expect(snap("2026-11-07T00:00:00Z", undefined, "refs/heads/nope")).rejects.toThrow(`branch 'nope' does not exist in git ${fx.dir}`);
    await expect(snap("yesterday")).rejects.toThrow("cutoff 'yesterday': not an ISO-8601 date/time");
    await expect(snap("2026-11-07T00:00:00Z", fx.c["r1"])).rejects.toThrow(
      `the last snapshot's commit ${fx.c["r1"]!.slice(0, 12)} is not an ancestor of ${fx.c["m1"]!.slice(0, 12)}`,
    );
    const prefix = fx.c["c3"]!.slice(0, 8);
    await expect(snap("2026-11-07T00:00:00Z", undefined, prefix)).rejects.toThrow(
      new RegExp(`ref '${prefix}' is ambiguous in git .*: it names branch refs/heads/${prefix} \\(\\w{12}\\), commit ${fx.c["c3"]}`),
    );
    await expect(snap("2026-11-07T00:00:00Z", undefined, "llvmorg-22.1.0")).rejects.toThrow("ref 'llvmorg-22.1.0' is a tag: a tag is a numbered release, not a snapshot");
    await expect(snap("2026-11-01T00:00:00Z", undefined, fx.c["c8"]!)).rejects.toThrow(
      `commit ${fx.c["c8"]!.slice(0, 12)} was committed 2026-11-07T10:00:00.000Z, after the cutoff 2026-11-01T00:00:00.000Z`,
    );
    await expect(snap("2026-11-07T00:00:00Z", undefined, "llvmorg-20.1.0")).rejects.toThrow(
      /ref 'llvmorg-20.1.0' is ambiguous .*tag refs\/tags\/llvmorg-20.1.0.*; use refs\/heads\/llvmorg-20.1.0 for the branch/,
    );
    expect((await snap("2026-11-07T00:00:00Z", undefined, "refs/heads/llvmorg-20.1.0")).commit.commit).toBe(fx.c["c1"]);
    // An explicit, unambiguous commit works.
    expect((await snap("2026-11-07T00:00:00Z", undefined, fx.c["c4"]!.slice(0, 10))).commit.commit).toBe(fx.c["c4"]);
  });
});

describe("numbered selection (git)", () => {
  it("takes llvmorg-X.Y.Z and rc tags (annotated tags peeled), shorthand accepted", async () => {
    const rc = await selectNumbered(h, "llvmorg-22.1.0-rc1");
    expect(rc.commit.commit).toBe(fx.c["r1"]);
    const final = await selectNumbered(h, "22.1.0");
    expect(final.release && final.tag).toBe("llvmorg-22.1.0");
    expect(final.commit.commit).toBe(fx.c["r2"]);
    const req = ReleaseRequest.parse({ kind: "numbered", ref: "llvmorg-22.1.0-rc1" });
    const s = await select(h, { config, request: req, existingVersions: ["22.0.0.dev2026110300"], now });
    const p = plan(config, req, s.facts!);
    expect(p.version).toBe("22.1.0rc1");
    expect(p.llvm).toMatchObject({ tag: "llvmorg-22.1.0-rc1", version: "22.1.0", commit: fx.c["r1"] });
  });

  it("refuses a tag that does not exist, an ambiguous ref, a bad form, an existing version, a mismatching tree", async () => {
    await expect(selectNumbered(h, "llvmorg-99.1.0")).rejects.toThrow(
      `tag llvmorg-99.1.0 does not exist in git ${fx.dir} (newest tags: `,
    );
    await expect(selectNumbered(h, "llvmorg-20.1.0")).rejects.toThrow(
      /ref 'llvmorg-20.1.0' is ambiguous in git .*: it names branch refs\/heads\/llvmorg-20.1.0 \(\w{12}\), tag refs\/tags\/llvmorg-20.1.0/,
    );
    await expect(selectNumbered(h, "release/22.x")).rejects.toThrow("ref 'release/22.x': a numbered release takes llvmorg-X.Y.Z[-rcN]");
    const req = ReleaseRequest.parse({ kind: "numbered", ref: "llvmorg-22.1.0" });
    const s = await select(h, { config, request: req, existingVersions: ["22.1.0"], now });
    expect(() => plan(config, req, s.facts!)).toThrow(
      "version 22.1.0 already exists; a rebuild of llvmorg-22.1.0 is published as post release 22.1.0.post1 (--post 1)",
    );
    const post = ReleaseRequest.parse({ kind: "numbered", ref: "llvmorg-22.1.0", post: 1 });
    expect(plan(config, post, s.facts!).version).toBe("22.1.0.post1");
    const bad = ReleaseRequest.parse({ kind: "numbered", ref: "llvmorg-21.1.8" });
    const sb = await select(h, { config, request: bad, existingVersions: [], now });
    expect(() => plan(config, bad, sb.facts!)).toThrow(
      `tag llvmorg-21.1.8 points at ${fx.c["c2"]!.slice(0, 12)}, whose tree declares LLVM 22.0.0: refusing to publish 21.1.8 from it`,
    );
    await expect(select(h, { config, request: ReleaseRequest.parse({ kind: "numbered" }), existingVersions: [], now })).rejects.toThrow(
      "a numbered release needs --ref llvmorg-X.Y.Z[-rcN]",
    );
  });
});

describe("release notes from git history", () => {
  it("lists first-parent commits since the previous snapshot, a merge with its branch's files, filtered to MLIR paths", async () => {
    const commits = await h.commitsBetween(fx.c["c6"]!, fx.c["m1"]!);
    expect(commits.map((c) => c.commit)).toEqual([fx.c["m1"], fx.c["c7"]]);
    expect(commits[0]!.files).toEqual(["mlir/lib/IR/Builders.cpp"]);
    const md = renderCommitNotes({
      repository: config.llvm.repository,
      from: fx.c["c6"]!,
      to: fx.c["m1"]!,
      version: "23.0.0.dev2026110700",
      llvmVersion: "23.0.0",
      commits,
      paths,
    });
    expect(md).toContain("1 of 2 commits touched MLIR-relevant paths.");
    expect(md).toContain(`- [\`${fx.c["m1"]!.slice(0, 12)}\`](https://example.org/llvm/llvm-project/commit/${fx.c["m1"]}) Merge branch 'feature' (A. Developer, 2026-11-06)`);
    expect(md).not.toContain("[clang]");
  });
});

describe("remote repositories via git", () => {
  it("mirrors a remote (blobless) into the cache, reads versions on demand, and fetches new commits", async () => {
    const cache = mkdtempSync(join(tmpdir(), "llvm-cache-"));
    try {
      const url = `file://${fx.dir}`;
      const remote = await GitHistory.open(url, cache);
      expect(remote.description).toBe(`git ${url}`);
      const s = await selectSnapshot(remote, { ref: "main", cutoff: "2026-11-05T23:00:00Z", previousCommit: fx.c["c4"]!, paths });
      expect(s.commit.commit).toBe(fx.c["c6"]);
      expect(s.release && s.llvmVersion).toBe("23.0.0");
      const c9 = await fx.commit("c9", "2026-11-08T10:00:00Z", { "mlir/lib/IR/Ops.cpp": "// v3\n" }, "[mlir] Later change");
      const again = await GitHistory.open(url, cache);
      const later = await selectSnapshot(again, { ref: "main", cutoff: "2026-11-09T00:00:00Z", previousCommit: fx.c["c8"]!, paths });
      expect(later.commit.commit).toBe(c9);
      expect(later.release).toBe(true);
      await expect(GitHistory.open(`file://${fx.dir}-missing`, cache)).rejects.toThrow(/git clone .* failed for file:\/\//);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });
});
