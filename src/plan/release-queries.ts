// Downstream questions answered from a set of manifests (pure): which version holds LLVM
// commit X; which wheel serves a Python/platform in the newest snapshot on or before a day.
import { InvalidInputError } from "../errors.js";
import { type ReleaseManifest } from "../schema/manifest.js";
import { type ReleaseListEntry, searchReleases } from "./resolve-core.js";
import { compareVersions, parseReleaseVersion } from "./version.js";

interface ReleaseRef {
  version: string;
  kind: "snapshot" | "numbered";
  llvmCommit: string;
  llvmVersion: string;
  llvmTag?: string;
  /** snapshot day (UTC), from the version */
  date?: string;
}

const refOf = (m: ReleaseManifest): ReleaseRef => {
  const p = m.plan;
  let date: string | undefined;
  try {
    const v = parseReleaseVersion(p.version);
    if (v.kind === "snapshot") date = v.date;
  } catch {
    /* a version outside the scheme has no day */
  }
  return {
    version: p.version,
    kind: p.kind,
    llvmCommit: p.llvm.commit,
    llvmVersion: p.llvm.version,
    ...(p.llvm.tag ? { llvmTag: p.llvm.tag } : {}),
    ...(date ? { date } : {}),
  };
};

/** The release list the dashboard publishes (releases.json) and searchReleases reads: oldest first, one per version. */
export function releaseListOf(manifests: readonly ReleaseManifest[]): Array<ReleaseListEntry & { ref: ReleaseRef }> {
  const seen = new Set<string>();
  return manifests
    .map((m) => ({ m, ref: refOf(m) }))
    .filter(({ ref }) => (seen.has(ref.version) ? false : (seen.add(ref.version), true)))
    .sort((a, b) => compareVersions(a.ref.version, b.ref.version))
    .map(({ m, ref }) => ({
      version: ref.version,
      kind: ref.kind,
      commit: ref.llvmCommit,
      date: ref.date ?? m.plan.llvm.commitDate.slice(0, 10),
      yanked: m.yanked[m.plan.version] ?? m.yanked["*"] ?? null,
      ref,
    }));
}

/** Every release built from `commit` (a full id or a prefix of at least 7 hex digits), oldest first. */
export function releasesOfCommit(manifests: readonly ReleaseManifest[], commit: string): ReleaseRef[] {
  if (!/^[0-9a-f]{7,40}$/.test(commit)) throw new InvalidInputError(`--commit '${commit}': expected 7 to 40 lowercase hex digits`);
  const r = searchReleases(releaseListOf(manifests), commit);
  if (r.kind === "error") throw new InvalidInputError(`--commit ${r.message}`);
  return r.hits.map((h) => h.ref);
}

/** The newest snapshot made on or before `day` (YYYY-MM-DD), not yanked by its manifest: the dashboard's date search. */
export function snapshotOnOrBefore(manifests: readonly ReleaseManifest[], day: string): ReleaseRef | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new InvalidInputError(`--on-or-before '${day}': expected YYYY-MM-DD`);
  const r = searchReleases(releaseListOf(manifests), day);
  return r.kind === "date" ? r.hits.find((h) => h.kind === "snapshot")?.ref : undefined;
}

interface WheelQuery {
  /** "3.12" or "cp312" */
  python: string;
  /** a platform id (linux-x86_64) or a wheel platform tag pattern <family>_<arch> (manylinux_x86_64, macosx_arm64, win_amd64) */
  platform: string;
  kind?: "snapshot" | "numbered" | "any";
  /** YYYY-MM-DD: the newest release made on or before that day (snapshots: their day; numbered: the LLVM commit's day) */
  onOrBefore?: string;
}

export interface WheelAnswer extends ReleaseRef {
  fileName: string;
  sha256: string;
  size: number;
  tag: string;
  /** The platform's native wheel the per-Python wheel pins (==version); absent in bundled releases. */
  native?: { fileName: string; sha256: string; size: number; tag: string };
}

const cpTag = (python: string): string => {
  if (/^cp3\d+t?$/.test(python)) return python;
  const m = /^3\.(\d+)(t?)$/.exec(python);
  if (!m) throw new InvalidInputError(`--python '${python}': expected 3.N or cp3N`);
  return `cp3${m[1]}${m[2]}`;
};

const platformMatches = (want: string, platformId: string | undefined, tagPlatform: string): boolean => {
  if (want === platformId) return true;
  // manylinux_x86_64 matches manylinux_2_28_x86_64, manylinux2014_x86_64 and manylinux_2_17_x86_64.manylinux2014_x86_64
  const m = /^([a-z]+)_(.+)$/.exec(want);
  if (!m) return tagPlatform === want;
  const [, family, arch] = m;
  return tagPlatform.split(".").some((t) => t.startsWith(family!) && t.endsWith(`_${arch}`));
};

/** Does a wheel for `python` (cpXY) install on interpreter `want`? abi3 wheels serve every later 3.x. */
const servesPython = (tag: { python: string; abi: string }, want: string): boolean => {
  if (tag.abi === "abi3") {
    const minor = (t: string): number => Number(t.replace(/^cp3/, "").replace(/t$/, ""));
    return !want.endsWith("t") && minor(want) >= minor(tag.python);
  }
  return tag.abi === want;
};

export function findWheel(manifests: readonly ReleaseManifest[], q: WheelQuery): WheelAnswer | undefined {
  const want = cpTag(q.python);
  if (q.onOrBefore && !/^\d{4}-\d{2}-\d{2}$/.test(q.onOrBefore)) throw new InvalidInputError(`--on-or-before '${q.onOrBefore}': expected YYYY-MM-DD`);
  const kind = q.kind ?? "snapshot";
  const candidates: WheelAnswer[] = [];
  for (const m of manifests) {
    const ref = refOf(m);
    if (kind !== "any" && ref.kind !== kind) continue;
    const day = ref.date ?? m.plan.llvm.commitDate.slice(0, 10);
    if (q.onOrBefore && day > q.onOrBefore) continue;
    for (const a of m.artifacts) {
      if (a.kind !== "wheel" || !a.tag || m.yanked[a.fileName] !== undefined) continue;
      if (!servesPython(a.tag, want) || !platformMatches(q.platform, a.platform, a.tag.platform)) continue;
      const n = m.artifacts.find((x) => x.kind === "native-wheel" && x.platform === a.platform && x.tag && m.yanked[x.fileName] === undefined);
      candidates.push({
        ...ref,
        fileName: a.fileName,
        sha256: a.sha256,
        size: a.size,
        tag: `${a.tag.python}-${a.tag.abi}-${a.tag.platform}`,
        ...(n?.tag ? { native: { fileName: n.fileName, sha256: n.sha256, size: n.size, tag: `${n.tag.python}-${n.tag.abi}-${n.tag.platform}` } } : {}),
      });
    }
  }
  // Newest version first; within it prefer the exact interpreter tag over abi3.
  candidates.sort((a, b) => compareVersions(b.version, a.version) || Number(b.tag.startsWith(`${want}-${want}-`)) - Number(a.tag.startsWith(`${want}-${want}-`)));
  return candidates[0];
}

/** Versions that exist and the newest snapshot's commit: what select needs from the past. */
export function history(manifests: readonly ReleaseManifest[]): { versions: string[]; previousSnapshotCommit?: string } {
  const versions = [...new Set(manifests.map((m) => m.plan.version))].sort(compareVersions);
  const snaps = manifests.filter((m) => m.plan.kind === "snapshot").sort((a, b) => compareVersions(a.plan.version, b.plan.version));
  const last = snaps.at(-1);
  return { versions, ...(last ? { previousSnapshotCommit: last.plan.llvm.commit } : {}) };
}
