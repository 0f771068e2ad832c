// Snapshots gated on upstream CI, through octokit against the local GitHub server: check runs and
// commit statuses in every state (success, pending, failed, missing), paginated check runs, a
// retried 502, the bounded look-back, the previous snapshot as the stop, and select() recording the
// checks in the plan or giving the reason there is no snapshot.
import { createHash } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { plan } from "../../src/plan/release-planner.js";
import { evaluateChecks, gateSelect } from "../../src/select/gate.js";
import { GitHubGateSource } from "../../src/select/github-gate.js";
import type { LlvmHistory } from "../../src/select/history.js";
import { select } from "../../src/select/rules.js";
import { ReleaseConfig } from "../../src/schema/config.js";
import { ReleaseRequest } from "../../src/schema/request.js";
import { FakeGitHub } from "../support/fake-github.js";

const sha = (s: string): string => createHash("sha1").update(s).digest("hex");
const C = { c6: sha("c6"), c5: sha("c5"), c4: sha("c4"), c3: sha("c3"), c2: sha("c2"), c1: sha("c1"), c0: sha("c0") };
const CHECKS = ["Build and Test Linux", "buildkite/mlir"];
const config = ReleaseConfig.parse({ snapshotGate: { checks: CHECKS, lookBack: 10 } });
const at = (d: number): string => new Date(Date.UTC(2026, 10, 20 + d, 12)).toISOString();

describe("snapshot gate on upstream CI (local GitHub server)", () => {
  let gh: FakeGitHub;
  let src: GitHubGateSource;
  beforeEach(async () => {
    gh = await new FakeGitHub().start();
    src = new GitHubGateSource("llvm", "llvm-project", { token: gh.token, apiUrl: gh.url });
    gh.seedCommits("llvm", "llvm-project", [
      { sha: C.c6, date: at(6), files: ["mlir/lib/IR/Foo.cpp"] }, // after the cutoff
      { sha: C.c5, date: at(5), files: ["mlir/lib/IR/Builders.cpp"] },
      { sha: C.c4, date: at(4), files: ["clang/lib/Sema/Sema.cpp"] },
      { sha: C.c3, date: at(3), files: ["mlir/python/mlir/ir.py"] },
      { sha: C.c2, date: at(2), files: ["lldb/source/Core/Debugger.cpp"] },
      { sha: C.c1, date: at(1), files: ["mlir/include/mlir/IR/Ops.td"] },
      { sha: C.c0, date: at(0), files: ["mlir/lib/CAPI/IR/IR.cpp"] },
    ]);
    gh.setChecks("llvm", "llvm-project", C.c6, { runs: [{ name: CHECKS[0]! }], statuses: [{ context: CHECKS[1]!, state: "success" }] });
    // c5: the check run is still running → pending.
    gh.setChecks("llvm", "llvm-project", C.c5, { runs: [{ name: CHECKS[0]!, status: "in_progress", conclusion: null }], statuses: [{ context: CHECKS[1]!, state: "success" }] });
    // c3: an earlier run failed, the newest run succeeded; the status went pending → failure.
    gh.setChecks("llvm", "llvm-project", C.c3, {
      runs: [{ name: CHECKS[0]!, conclusion: "failure" }, { name: CHECKS[0]! }],
      statuses: [{ context: CHECKS[1]!, state: "pending" }, { context: CHECKS[1]!, state: "failure" }],
    });
    // c2: every check passed, but it changed no MLIR-relevant path.
    gh.setChecks("llvm", "llvm-project", C.c2, { runs: [{ name: CHECKS[0]! }], statuses: [{ context: CHECKS[1]!, state: "success" }] });
    // c1: 150 unrelated check runs first, so ours is on page 2 of 100; both checks succeeded.
    gh.setChecks("llvm", "llvm-project", C.c1, {
      runs: [...Array.from({ length: 150 }, (_, i) => ({ name: `other ${i}`, conclusion: "failure" })), { name: CHECKS[0]! }],
      statuses: [{ context: CHECKS[1]!, state: "pending" }, { context: CHECKS[1]!, state: "success" }],
    });
    // c0: the second check is missing.
    gh.setChecks("llvm", "llvm-project", C.c0, { runs: [{ name: CHECKS[0]! }] });
  });
  afterEach(async () => gh.stop());

  it("evaluates each name: newest check run, else newest status; pending, failed, missing", () => {
    const v = evaluateChecks(["a", "b", "c", "d"], [{ id: 1, name: "a", status: "completed", conclusion: "neutral" }, { id: 2, name: "b", status: "queued", conclusion: null }], [{ id: 3, context: "c", state: "error" }]);
    expect(v.map((x) => [x.name, x.source, x.state])).toEqual([
      ["a", "check-run", "failed"],
      ["b", "check-run", "pending"],
      ["c", "status", "failed"],
      ["d", "none", "missing"],
    ]);
  });

  it("takes the newest MLIR-relevant commit at or before the cutoff whose checks all succeeded, saying why newer ones were passed over", async () => {
    gh.inject({ kind: "502", method: "GET", path: /check-runs$/ });
    const g = await gateSelect(src, { branch: "main", cutoff: at(5.5), paths: config.mlirPaths, gate: config.snapshotGate! });
    expect(g.ok).toBe(true);
    if (!g.ok) return;
    expect(g.commit.commit).toBe(C.c1);
    expect(g.record.checks).toEqual([
      { name: CHECKS[0], source: "check-run", state: "success", detail: "check run succeeded" },
      { name: CHECKS[1], source: "status", state: "success", detail: "status success" },
    ]);
    expect(g.record.examined.map((e) => [e.commit, e.verdict])).toEqual([
      [C.c5, `${CHECKS[0]}: pending (check run in_progress)`],
      [C.c4, "no MLIR-relevant path changed (1 path(s))"],
      [C.c3, `${CHECKS[1]}: failed (status failure)`],
      [C.c2, "no MLIR-relevant path changed (1 path(s))"],
      [C.c1, "every check succeeded"],
    ]);
    // The 502 was retried; c1's check runs took two pages.
    expect(gh.requests.some((r) => r.status === 502 && r.path.endsWith("/check-runs"))).toBe(true);
    expect(gh.requests.filter((r) => r.path === `/repos/llvm/llvm-project/commits/${C.c1}/check-runs` && r.status === 200)).toHaveLength(2);
  });

  it("no candidate within the look-back, or before the previous snapshot: no snapshot, with the reason", async () => {
    const short = await gateSelect(src, { branch: "main", cutoff: at(5.5), paths: config.mlirPaths, gate: { checks: CHECKS, lookBack: 3 } });
    expect(short.ok).toBe(false);
    if (!short.ok) {
      expect(short.examined).toHaveLength(3);
      expect(short.reason).toMatch(/^no snapshot: none of the 3 commit\(s\) of main at or before .* \(look-back 3\) is MLIR-relevant with Build and Test Linux, buildkite\/mlir all succeeded; newest: [0-9a-f]{12} Build and Test Linux: pending/);
    }
    const stopped = await gateSelect(src, { branch: "main", cutoff: at(5.5), paths: config.mlirPaths, gate: config.snapshotGate!, stopAt: C.c3 });
    expect(stopped.ok).toBe(false);
    if (!stopped.ok) expect(stopped.examined.map((e) => e.commit)).toEqual([C.c5, C.c4, C.c3]);
    // A required check that no commit has: every candidate is "missing".
    const missing = await gateSelect(src, { branch: "main", cutoff: at(1.5), paths: config.mlirPaths, gate: { checks: ["nonexistent"], lookBack: 10 } });
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.examined.map((e) => e.verdict)).toEqual(["nonexistent: missing (no check run or status of that name)", "nonexistent: missing (no check run or status of that name)"]);
  });

  it("select() builds the snapshot from the gated commit and the plan records the checks; without a candidate there is no snapshot", async () => {
    // The history select() runs its usual rules on: the same commits (first parent = the next older one).
    const order = [C.c6, C.c5, C.c4, C.c3, C.c2, C.c1, C.c0];
    const dates = new Map(order.map((c, i) => [c, at(6 - i)]));
    const info = (c: string) => ({ commit: c, date: dates.get(c)!, author: "A", subject: "s" });
    const h = {
      description: "test history",
      hasBranch: async (b: string) => b === "main",
      refCandidates: async (r: string) => (order.includes(r) ? [{ kind: "commit" as const, name: r, commit: r }] : r === "main" ? [{ kind: "branch" as const, name: "main", commit: C.c6 }] : []),
      branchCommitAt: async (_b: string, cutoff: string) => info(order.find((c) => dates.get(c)! <= cutoff)!),
      commitInfo: async (c: string) => info(c),
      llvmVersionAt: async () => "23.0.0",
      isAncestor: async (a: string, b: string) => order.indexOf(a) >= order.indexOf(b),
      changedFiles: async () => ({ files: ["mlir/lib/IR/Foo.cpp"], complete: true }),
      commitsBetween: async () => [],
      releaseTags: async () => [],
    } as unknown as LlvmHistory;
    const request = ReleaseRequest.parse({ kind: "snapshot", cutoff: at(5.5) });
    const r = await select(h, { config, request, existingVersions: [], now: new Date(at(7)), gate: src });
    expect(r.selection.release).toBe(true);
    expect(r.facts?.commit).toBe(C.c1);
    const p = plan(config, request, r.facts!);
    expect(p.llvm.commit).toBe(C.c1);
    expect(p.selection?.gate?.commit).toBe(C.c1);
    expect(p.selection?.gate?.checks.map((c) => `${c.name}:${c.state}`)).toEqual([`${CHECKS[0]}:success`, `${CHECKS[1]}:success`]);
    expect(p.selection?.gate?.examined).toHaveLength(5);

    const none = await select(h, { config, request, existingVersions: ["23.0.0.dev2026112300"], previousSnapshotCommit: C.c3, now: new Date(at(7)), gate: src });
    expect(none.selection.release).toBe(false);
    expect(none.facts).toBeUndefined();
    if (!none.selection.release) expect(none.selection.reason).toMatch(/^no snapshot: none of the 3 commit\(s\)/);
    await expect(select(h, { config, request, existingVersions: [], now: new Date(at(7)) })).rejects.toThrow(/snapshotGate is set but no GitHub source/);
  });
});
