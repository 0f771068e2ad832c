// Snapshots gated on upstream CI (optional: config.snapshotGate). The snapshot takes the newest
// MLIR-relevant commit at or before the cutoff whose GitHub check runs and commit statuses
// matching every configured name succeeded, looking back at most `lookBack` first-parent
// commits; the plan records the checks it relied on. No candidate → no snapshot, with the reason.
// The rules (evaluateChecks, gateSelect) read CI results through a GateSource; the GitHub one is
// github-gate.ts.
import { mlirRelevant, type MlirPaths } from "../plan/paths.js";
import type { CommitInfo } from "./history.js";

export interface CheckRun {
  id: number;
  name: string;
  status: string; // queued | in_progress | completed
  conclusion: string | null; // success | failure | neutral | cancelled | skipped | timed_out | action_required
}
export interface CommitStatus {
  id: number;
  context: string;
  state: string; // success | failure | error | pending
}

interface CheckVerdict {
  name: string;
  source: "check-run" | "status" | "none";
  state: "success" | "pending" | "failed" | "missing";
  detail: string;
}

/** Each configured name: the newest check run (by id) or, without one, the newest status of that context. */
export function evaluateChecks(names: readonly string[], runs: readonly CheckRun[], statuses: readonly CommitStatus[]): CheckVerdict[] {
  return names.map((name) => {
    const run = runs.filter((r) => r.name === name).sort((a, b) => b.id - a.id)[0];
    if (run) {
      if (run.status !== "completed") return { name, source: "check-run", state: "pending", detail: `check run ${run.status}` };
      return run.conclusion === "success"
        ? { name, source: "check-run", state: "success", detail: "check run succeeded" }
        : { name, source: "check-run", state: "failed", detail: `check run concluded ${run.conclusion ?? "without a conclusion"}` };
    }
    const st = statuses.filter((s) => s.context === name).sort((a, b) => b.id - a.id)[0];
    if (st) {
      if (st.state === "success") return { name, source: "status", state: "success", detail: "status success" };
      if (st.state === "pending") return { name, source: "status", state: "pending", detail: "status pending" };
      return { name, source: "status", state: "failed", detail: `status ${st.state}` };
    }
    return { name, source: "none", state: "missing", detail: "no check run or status of that name" };
  });
}

export interface GateSource {
  readonly description: string;
  /** First-parent commits of `branch` at or before `cutoff`, newest first, at most `n`. */
  commitsBefore(branch: string, cutoff: string, n: number): Promise<CommitInfo[]>;
  /** Paths the commit changed (against its first parent). */
  filesOf(commit: string): Promise<string[]>;
  checks(commit: string): Promise<{ runs: CheckRun[]; statuses: CommitStatus[] }>;
}

interface GateConfig {
  checks: string[];
  lookBack: number;
}

export interface GateRecord {
  /** The commit the checks were read for (the one the snapshot is built from). */
  commit: string;
  checks: CheckVerdict[];
  /** Commits looked at, newest first, with why each newer one was passed over. */
  examined: Array<{ commit: string; verdict: string }>;
}

type GateResult = { ok: true; commit: CommitInfo; record: GateRecord } | { ok: false; reason: string; examined: GateRecord["examined"] };

const short = (c: string): string => c.slice(0, 12);

/**
 * The newest MLIR-relevant commit at or before the cutoff whose configured checks all succeeded.
 * Stops at `stopAt` (the previous snapshot's commit: nothing older can be a new snapshot).
 */
export async function gateSelect(src: GateSource, q: { branch: string; cutoff: string; paths: MlirPaths; gate: GateConfig; stopAt?: string }): Promise<GateResult> {
  const commits = await src.commitsBefore(q.branch, q.cutoff, q.gate.lookBack);
  const examined: GateRecord["examined"] = [];
  for (const c of commits) {
    if (q.stopAt && c.commit === q.stopAt) {
      examined.push({ commit: c.commit, verdict: "the previous snapshot's commit: the look-back stops here" });
      break;
    }
    const files = await src.filesOf(c.commit);
    if (!mlirRelevant(files, q.paths).length) {
      examined.push({ commit: c.commit, verdict: `no MLIR-relevant path changed (${files.length} path(s))` });
      continue;
    }
    const { runs, statuses } = await src.checks(c.commit);
    const verdicts = evaluateChecks(q.gate.checks, runs, statuses);
    const bad = verdicts.filter((v) => v.state !== "success");
    if (!bad.length) return { ok: true, commit: c, record: { commit: c.commit, checks: verdicts, examined: [...examined, { commit: c.commit, verdict: "every check succeeded" }] } };
    examined.push({ commit: c.commit, verdict: bad.map((v) => `${v.name}: ${v.state} (${v.detail})`).join("; ") });
  }
  const looked = examined.length;
  return {
    ok: false,
    examined,
    reason:
      `no snapshot: none of the ${looked} commit(s) of ${q.branch} at or before ${q.cutoff} (look-back ${q.gate.lookBack}) is MLIR-relevant with ${q.gate.checks.join(", ")} all succeeded` +
      (examined.length ? `; newest: ${short(examined[0]!.commit)} ${examined[0]!.verdict}` : ""),
  };
}
