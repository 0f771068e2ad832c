// plan(config, request, facts) → ReleasePlan: pure. Every fact that needs I/O (the selected
// commit, its date, the tree's LLVM version, versions already released, image digests) is
// gathered by the select/ stage and passed in, so a plan is a function of its inputs.
import { chooseAbi, type LlvmAbiFacts } from "../platforms/abi.js";
import { planPolicies, policyFor } from "../options/policy.js";
import { platformById } from "../platforms/index.js";
import { explicitPythons, llvmFactsFromVersion, pythonMatrix, supportRecord } from "./python-support.js";
import { InvalidInputError } from "../errors.js";
import { type ReleaseConfig } from "../schema/config.js";
import { type LlvmSourceRef, type MatrixEntry, type PythonSupportRecord, ReleasePlan } from "../schema/release-plan.js";
import { type PlatformId } from "../schema/platform.js";
import { type ReleaseRequest } from "../schema/request.js";
import { canonicalHash } from "../util/hash.js";
import {
  compareVersions,
  llvmVersionOfTag,
  nextSnapshotSequence,
  numberedVersion,
  parseLlvmVersion,
  parseReleaseVersion,
  snapshotVersion,
  utcDay,
} from "./version.js";

export interface PlanFacts {
  commit: string;
  /** Committer date of `commit` (ISO-8601): SOURCE_DATE_EPOCH of every artifact. */
  commitDate: string;
  /** The LLVM version the tree declares at `commit` (X.Y.Z[-rcN]). */
  llvmVersion: string;
  /** numbered: the tag that was resolved to `commit`. */
  tag?: string;
  /** Every version of the distribution that already exists (published or staged). */
  existingVersions: readonly string[];
  /** snapshot: the commit of the newest existing snapshot (where the release notes start). */
  previousSnapshotCommit?: string;
  /** snapshot: the cutoff the commit was selected at; its UTC day is the snapshot's day. */
  cutoff?: string;
  /** Where the facts came from, recorded in the plan ("git <url>", "github owner/repo"). */
  sourceDescription?: string;
  /** Default: the config's git repository at `commit`. */
  source?: LlvmSourceRef;
  /** Image pins by platform id (reference@sha256:...). */
  images?: Partial<Record<PlatformId, string>>;
  /** What the tree supports for the stable ABI / free-threading; without it every Python gets its own wheel. */
  abi?: LlvmAbiFacts;
  /** snapshot with config.snapshotGate: the CI checks the commit passed (recorded in the plan). */
  gate?: NonNullable<ReleasePlan["selection"]>["gate"];
  /** The plan's date (YYYY-MM-DD): the default Pythons are the CPython calendar's at this day.
   * Default: the cutoff, else the commit date (never a clock: the plan stays a function of its inputs). */
  date?: string;
  /** The previous release's Pythons per platform, when known: the plan's Python record says what changed. */
  previousPythons?: Partial<Record<PlatformId, string[]>>;
}

/** The layer's cache key together with the platform: same commit + options → same layer. */
export const layerOptionsHash = (commit: string, cmakeOptions: Record<string, string>): string =>
  canonicalHash({ commit, cmakeOptions });

export function plan(config: ReleaseConfig, request: ReleaseRequest, facts: PlanFacts): ReleasePlan {
  if (!/^[0-9a-f]{40}$/.test(facts.commit)) throw new InvalidInputError(`commit '${facts.commit}': expected a full 40-hex commit id`);
  const commitTime = Date.parse(facts.commitDate);
  if (Number.isNaN(commitTime)) throw new InvalidInputError(`commit date '${facts.commitDate}' of ${facts.commit}: not an ISO-8601 date`);
  parseLlvmVersion(facts.llvmVersion);
  const existing = facts.existingVersions.map((v) => {
    parseReleaseVersion(v);
    return v;
  });

  const source = facts.sourceDescription ?? `git ${config.llvm.repository}`;
  const { version, selection } = request.kind === "numbered" ? numberedVersionOf(request, facts, existing, source) : snapshotVersionOf(config, request, facts, existing, source);

  const platforms = request.overrides.platforms ?? config.platforms.map((p) => p.id);
  const planDate = (facts.date ?? request.cutoff ?? facts.cutoff ?? facts.commitDate).slice(0, 10);
  const { matrix, abiChoice, pythonSupport } = planMatrix(config, request, facts, platforms, planDate);
  if (!matrix.length) throw new InvalidInputError("the build matrix is empty: no platform or no Python selected");

  const images: Record<string, string> = {};
  for (const id of platforms) {
    const pinned = facts.images?.[id];
    if (pinned) images[id] = pinned;
  }
  return ReleasePlan.parse({
    schemaVersion: 1,
    kind: request.kind,
    version,
    distribution: config.distribution,
    devDistribution: config.devDistribution,
    llvm: {
      commit: facts.commit,
      version: facts.llvmVersion,
      repository: config.llvm.repository,
      commitDate: new Date(commitTime).toISOString(),
      ...(request.kind === "numbered" && facts.tag ? { tag: facts.tag } : {}),
    },
    source: facts.source ?? { kind: "git", repository: config.llvm.repository, commit: facts.commit },
    sourceDateEpoch: Math.floor(commitTime / 1000),
    matrix,
    abiChoice,
    pythonSupport,
    policies: planPolicies(platforms, config.manylinuxPolicy),
    images,
    tools: { ...config.tools },
    layer: { cmakeOptions: config.layerCmakeOptions, optionsHash: layerOptionsHash(facts.commit, config.layerCmakeOptions) },
    nanobindDomain: config.nanobindDomain,
    selection,
  });
}

/** A numbered release's version (llvmorg-X.Y.Z[.postN]), refused when the tree disagrees with the tag or the version exists. */
function numberedVersionOf(request: ReleaseRequest, facts: PlanFacts, existing: string[], source: string): { version: string; selection: ReleasePlan["selection"] } {
  if (!facts.tag) throw new InvalidInputError("a numbered release needs the tag it is built from (llvmorg-X.Y.Z)");
  const tagVersion = llvmVersionOfTag(facts.tag);
  const t = parseLlvmVersion(tagVersion);
  const tree = parseLlvmVersion(facts.llvmVersion);
  if (t.major !== tree.major || t.minor !== tree.minor || t.patch !== tree.patch) {
    throw new InvalidInputError(
      `tag ${facts.tag} points at ${facts.commit.slice(0, 12)}, whose tree declares LLVM ${facts.llvmVersion}: refusing to publish ${tagVersion} from it`,
    );
  }
  const version = numberedVersion(tagVersion, request.post);
  if (existing.includes(version)) {
    const posts = existing.map((v) => parseReleaseVersion(v)).filter((p) => p.kind === "numbered" && p.llvmVersion === tagVersion);
    const next = Math.max(0, ...posts.map((p) => (p.kind === "numbered" ? (p.post ?? 0) : 0))) + 1;
    throw new InvalidInputError(`version ${version} already exists; a rebuild of ${facts.tag} is published as post release ${numberedVersion(tagVersion, next)} (--post ${next})`);
  }
  if (request.post !== undefined) {
    const base = numberedVersion(tagVersion);
    if (!existing.includes(base)) throw new InvalidInputError(`--post ${request.post}: ${base} was never released, so there is nothing to rebuild (drop --post)`);
  }
  return { version, selection: { source, ref: facts.tag } };
}

/** A snapshot's version (the cutoff's day and the next sequence), refused when it is not new or would sort below an existing one. */
function snapshotVersionOf(config: ReleaseConfig, request: ReleaseRequest, facts: PlanFacts, existing: string[], source: string): { version: string; selection: ReleasePlan["selection"] } {
  if (facts.tag && request.ref?.startsWith("llvmorg-")) throw new InvalidInputError(`snapshot of tag ${facts.tag}: a tag is a numbered release (--kind numbered)`);
  if (facts.previousSnapshotCommit === facts.commit) {
    throw new InvalidInputError(`commit ${facts.commit.slice(0, 12)} is the last snapshot's commit: nothing new to release`);
  }
  const cutoff = request.cutoff ?? facts.cutoff ?? facts.commitDate;
  const date = utcDay(cutoff);
  const sequence = nextSnapshotSequence(date, existing);
  const version = snapshotVersion(facts.llvmVersion, { date, sequence });
  const newer = existing.filter((v) => parseReleaseVersion(v).kind === "snapshot" && compareVersions(v, version) >= 0);
  if (newer.length) {
    throw new InvalidInputError(
      `snapshot ${version} (cutoff ${cutoff}) would sort at or below existing snapshot ${newer.sort(compareVersions).at(-1)}: snapshots are made in date order`,
    );
  }
  const selection = {
    source,
    ref: request.ref ?? config.llvm.branch,
    cutoff,
    snapshotDate: date,
    sequence,
    ...(facts.previousSnapshotCommit ? { previousCommit: facts.previousSnapshotCommit } : {}),
    ...(facts.gate ? { gate: facts.gate } : {}),
  };
  return { version, selection };
}

/** The build matrix: per platform the Pythons (calendar, config or request) and the wheels the tree's ABI allows. */
function planMatrix(config: ReleaseConfig, request: ReleaseRequest, facts: PlanFacts, platforms: PlatformId[], planDate: string): { matrix: MatrixEntry[]; abiChoice: ReleasePlan["abiChoice"]; pythonSupport: PythonSupportRecord[] } {
  const pythonSupport: PythonSupportRecord[] = [];
  const matrix: MatrixEntry[] = [];
  let abiChoice: ReleasePlan["abiChoice"] = { variant: "cpython", reason: "no ABI facts of the tree were gathered: one wheel per CPython version" };
  for (const id of platforms) {
    const pc = config.platforms.find((p) => p.id === id);
    const explicit = request.overrides.pythons ?? pc?.pythons ?? config.pythons;
    const basis = request.overrides.pythons ? "request" : explicit ? "config" : "calendar";
    const platform = platformById(id, id.startsWith("linux-") ? { policy: policyFor(id, config.manylinuxPolicy) } : {});
    const offered = platform.runner.pythons;
    const previous = facts.previousPythons?.[id];
    // The one Python matrix (src/plan/python-support.ts pythonMatrix): `platforms` and `build` take it too.
    // Without the tree's ABI facts they are inferred from the LLVM version.
    const support = explicit
      ? explicitPythons(explicit, planDate)
      : pythonMatrix({ date: planDate, llvm: facts.abi ?? facts.llvmVersion, platform, ...(previous ? { previous } : {}) }).support;
    pythonSupport.push(supportRecord(id, basis, planDate, support));
    const pythons = support.pythons;
    if (!pythons.length && !explicit) throw new InvalidInputError(`no Python to build for ${id} at ${planDate}: ${support.dropped.map((d) => `${d.python}: ${d.reason}`).join("; ")}`);
    const platformTag = platform.wheelPlatformTag();
    // Per-version or stable-ABI wheels as the tree (or, without its facts, the LLVM version) allows.
    if (!pythons.length) continue;
    const llvm = facts.abi ?? llvmFactsFromVersion(facts.llvmVersion);
    // The calendar already chose the free-threaded builds: the runner's 3.Nt add nothing more.
    const choice = chooseAbi({ llvm, pythons, runnerPythons: explicit ? pythons : offered, freeThreaded: false });
    abiChoice = { variant: choice.variant, reason: choice.reason };
    for (const b of choice.builds) {
      matrix.push({ platform: id, python: b.python, abi: b.abi, tag: { python: b.pythonTag, abi: b.abiTag, platform: platformTag } });
    }
  }
  return { matrix, abiChoice, pythonSupport };
}
