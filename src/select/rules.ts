// Selection rules: which LLVM commit a release is built from, or why there is no release.
//  - snapshot: the newest commit of the branch (first parents) at or before the cutoff (UTC);
//    no release when it is the last snapshot's commit or when no MLIR-relevant path changed
//    since it; refused when the last snapshot is not an ancestor (history rewritten, wrong branch).
//  - numbered: the tag llvmorg-X.Y.Z[-rcN]; refused when it does not exist or the name is ambiguous.
import { InvalidInputError } from "../errors.js";
import { type ReleaseConfig } from "../schema/config.js";
import { type ReleaseRequest } from "../schema/request.js";
import { mlirRelevant, releasePaths, type MlirPaths } from "../plan/paths.js";
import type { PlanFacts } from "../plan/release-planner.js";
import { tagOfRef } from "../plan/version.js";
import { type GateRecord, type GateSource, gateSelect } from "./gate.js";
import type { CommitInfo, LlvmHistory, RefCandidate } from "./history.js";

type Selection =
  | {
      release: true;
      kind: "snapshot" | "numbered";
      commit: CommitInfo;
      llvmVersion: string;
      tag?: string;
      cutoff?: string;
      previousCommit?: string;
      /** MLIR-relevant paths changed since the previous snapshot (all paths when there is none). */
      relevantChanges?: number;
    }
  | { release: false; kind: "snapshot"; commit: CommitInfo; previousCommit: string; reason: string };

const short = (c: string): string => c.slice(0, 12);

function describeCandidates(cs: RefCandidate[]): string {
  return cs.map((c) => (c.kind === "commit" ? `commit ${c.commit}` : `${c.kind} ${c.name} (${short(c.commit)})`)).join(", ");
}

/** A ref that names exactly one commit (branch, tag or commit prefix), else a refusal saying why. */
async function resolveRef(h: LlvmHistory, ref: string): Promise<RefCandidate> {
  const cs = await h.refCandidates(ref);
  if (!cs.length) throw new InvalidInputError(`ref '${ref}' names no branch, tag or commit in ${h.description}`);
  if (cs.length > 1) {
    throw new InvalidInputError(
      `ref '${ref}' is ambiguous in ${h.description}: it names ${describeCandidates(cs)}; spell it out (refs/heads/…, refs/tags/… or a longer commit id)`,
    );
  }
  return cs[0]!;
}

interface SnapshotQuery {
  /** A branch (default: the config's) or a commit. */
  ref: string;
  cutoff: string;
  /** The newest existing snapshot's commit, if any. */
  previousCommit?: string;
  paths: MlirPaths;
}

export async function selectSnapshot(h: LlvmHistory, q: SnapshotQuery): Promise<Selection> {
  if (Number.isNaN(Date.parse(q.cutoff))) throw new InvalidInputError(`cutoff '${q.cutoff}': not an ISO-8601 date/time`);
  const cutoff = new Date(q.cutoff).toISOString();
  let commit: CommitInfo | undefined;
  const spelledOut = q.ref.startsWith("refs/heads/");
  if (spelledOut || (await h.hasBranch(q.ref))) {
    const branch = q.ref.replace(/^refs\/heads\//, "");
    // A bare name got here because the branch exists; only a spelled-out refs/heads/ one is still unchecked.
    if (spelledOut) {
      if (!(await h.hasBranch(branch))) throw new InvalidInputError(`branch '${branch}' does not exist in ${h.description}`);
    } else {
      const cs = await h.refCandidates(branch);
      if (cs.length > 1) {
        throw new InvalidInputError(
          `ref '${q.ref}' is ambiguous in ${h.description}: it names ${describeCandidates(cs)}; use refs/heads/${branch} for the branch`,
        );
      }
    }
    commit = await h.branchCommitAt(branch, cutoff);
    if (!commit) throw new InvalidInputError(`branch '${branch}' of ${h.description} has no commit at or before ${cutoff}`);
  } else {
    const c = await resolveRef(h, q.ref);
    if (c.kind === "tag") throw new InvalidInputError(`ref '${q.ref}' is a tag: a tag is a numbered release, not a snapshot`);
    commit = await h.commitInfo(c.commit);
    if (Date.parse(commit.date) > Date.parse(cutoff)) {
      throw new InvalidInputError(`commit ${short(commit.commit)} was committed ${commit.date}, after the cutoff ${cutoff}`);
    }
  }
  const llvmVersion = await h.llvmVersionAt(commit.commit);
  if (!q.previousCommit) return { release: true, kind: "snapshot", commit, llvmVersion, cutoff };

  const prev = q.previousCommit;
  if (prev === commit.commit) {
    return { release: false, kind: "snapshot", commit, previousCommit: prev, reason: `no new commit on ${q.ref} since the last snapshot (${short(prev)})` };
  }
  if (!(await h.isAncestor(prev, commit.commit))) {
    throw new InvalidInputError(
      `the last snapshot's commit ${short(prev)} is not an ancestor of ${short(commit.commit)} (${q.ref} at ${cutoff}): history was rewritten or this is another branch; refusing to guess the release notes' range`,
    );
  }
  const changed = await h.changedFiles(prev, commit.commit);
  const relevant = mlirRelevant(changed.files, q.paths);
  if (!relevant.length && changed.complete) {
    return {
      release: false,
      kind: "snapshot",
      commit,
      previousCommit: prev,
      reason: `no MLIR-relevant change between ${short(prev)} and ${short(commit.commit)} (${changed.files.length} changed path(s), none under ${q.paths.include.join(", ")})`,
    };
  }
  return { release: true, kind: "snapshot", commit, llvmVersion, cutoff, previousCommit: prev, relevantChanges: relevant.length };
}

export async function selectNumbered(h: LlvmHistory, ref: string): Promise<Selection> {
  const tag = tagOfRef(ref);
  const cs = await h.refCandidates(tag);
  const tags = cs.filter((c) => c.kind === "tag");
  if (!tags.length) {
    const near = (await h.releaseTags()).slice(0, 5);
    throw new InvalidInputError(`tag ${tag} does not exist in ${h.description}${near.length ? ` (newest tags: ${near.join(", ")})` : " (it has no llvmorg-* tags)"}`);
  }
  if (cs.length > 1) {
    throw new InvalidInputError(`ref '${tag}' is ambiguous in ${h.description}: it names ${describeCandidates(cs)}; rename or delete the branch`);
  }
  const commit = await h.commitInfo(tags[0]!.commit);
  return { release: true, kind: "numbered", commit, llvmVersion: await h.llvmVersionAt(commit.commit), tag };
}

interface SelectInput {
  config: ReleaseConfig;
  request: ReleaseRequest;
  /** Versions that already exist, and the newest snapshot's commit (from the existing manifests). */
  existingVersions: readonly string[];
  previousSnapshotCommit?: string;
  /** "now" when the request has no cutoff (injected so callers and tests control time). */
  now: Date;
  /** Where CI results are read when config.snapshotGate is set (required then). */
  gate?: GateSource;
}

/** Runs the selection rules and returns the facts plan() needs, or the reason there is no release. */
export async function select(h: LlvmHistory, input: SelectInput): Promise<{ selection: Selection; facts?: PlanFacts }> {
  const { config, request } = input;
  let selection: Selection;
  let gate: GateRecord | undefined;
  if (request.kind === "numbered") {
    if (!request.ref) throw new InvalidInputError("a numbered release needs --ref llvmorg-X.Y.Z[-rcN]");
    selection = await selectNumbered(h, request.ref);
  } else {
    const ref = request.ref ?? config.llvm.branch;
    const cutoff = new Date(request.cutoff ?? input.now.toISOString()).toISOString();
    selection = await selectSnapshot(h, {
      ref,
      cutoff,
      ...(input.previousSnapshotCommit ? { previousCommit: input.previousSnapshotCommit } : {}),
      paths: releasePaths(config),
    });
    if (selection.release && config.snapshotGate) {
      if (!input.gate) throw new InvalidInputError("config.snapshotGate is set but no GitHub source of CI results was given (the gate reads check runs and statuses through the GitHub API)");
      const g = await gateSelect(input.gate, {
        branch: ref.replace(/^refs\/heads\//, ""),
        cutoff,
        paths: releasePaths(config),
        gate: config.snapshotGate,
        ...(input.previousSnapshotCommit ? { stopAt: input.previousSnapshotCommit } : {}),
      });
      if (!g.ok) {
        return { selection: { release: false, kind: "snapshot", commit: selection.commit, previousCommit: input.previousSnapshotCommit ?? "", reason: g.reason } };
      }
      gate = g.record;
      if (g.commit.commit !== selection.commit.commit) {
        // The newest commit that passed: select it as the snapshot (same ancestry and relevance rules).
        const gated = await selectSnapshot(h, {
          ref: g.commit.commit,
          cutoff,
          ...(input.previousSnapshotCommit ? { previousCommit: input.previousSnapshotCommit } : {}),
          paths: releasePaths(config),
        });
        if (!gated.release) return { selection: gated };
        selection = gated;
      }
    }
  }
  if (!selection.release) return { selection };
  return {
    selection,
    facts: {
      commit: selection.commit.commit,
      commitDate: selection.commit.date,
      llvmVersion: selection.llvmVersion,
      existingVersions: input.existingVersions,
      sourceDescription: h.description,
      // The plan's date (the supported Pythons are read from the CPython calendar at it): the cutoff, else now.
      date: (selection.cutoff ?? input.now.toISOString()).slice(0, 10),
      ...(selection.tag ? { tag: selection.tag } : {}),
      ...(selection.cutoff ? { cutoff: selection.cutoff } : {}),
      ...(selection.previousCommit ? { previousSnapshotCommit: selection.previousCommit } : {}),
      ...(gate ? { gate } : {}),
    },
  };
}
