// Retention that never breaks a pin. A thinning policy decides which snapshots keep their files:
// every snapshot for `allDays`, then the newest of each ISO week until `weeklyDays`, then the
// newest of each calendar month (or none, with monthly: false); numbered releases forever.
// A pruned snapshot loses its files only: its manifest stays published, its index entries stay as
// PEP 592 yanked with a reason naming `mlir-release restore <version>`, and the GitHub release
// keeps manifest.json, the PEP 658 .metadata files and a pruned.json marker. Planning is pure.
import { RequestError } from "octokit";
import { parseReleaseVersion } from "../plan/version.js";
import { type ReleaseConfig } from "../schema/config.js";
import { type ReleaseManifest } from "../schema/manifest.js";
import { PrunedRecord } from "../schema/publish.js";
import { compareIndexVersions as cmp } from "../site/site-input.js";
import { listIndexManifests, listPruned, pruneReleaseFiles } from "../site/store.js";
import { InternalError } from "../errors.js";
import { makeOctokit, PRUNED_ASSET, releaseTag, type GithubOptions, type ReleaseAsset } from "./github.js";

export { PRUNED_ASSET };

export type ThinningPolicy = ReleaseConfig["retention"];

interface PruneDecision {
  version: string;
  why: string;
}

interface PrunePlan {
  /** Versions that keep their files, with the rule that keeps them. */
  keep: PruneDecision[];
  /** Snapshots whose files go now (they stay listed as yanked and restorable). */
  prune: PruneDecision[];
  /** Snapshots pruned earlier (still yanked, restorable). */
  alreadyPruned: string[];
}

const DAY = 86_400_000;

/** The UTC day a snapshot belongs to: its version's YYYYMMDD, else its LLVM commit date. */
export function snapshotDay(m: ReleaseManifest): string {
  try {
    const p = parseReleaseVersion(m.plan.version);
    if (p.kind === "snapshot") return p.date;
  } catch {
    /* not one of our version forms: fall back to the commit date */
  }
  return m.plan.llvm.commitDate.slice(0, 10);
}

/** ISO 8601 week of a YYYY-MM-DD day, e.g. 2026-W48. */
export function isoWeek(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  const dow = (d.getUTCDay() + 6) % 7; // Monday = 0
  const thursday = new Date(d.getTime() + (3 - dow) * DAY);
  const year = thursday.getUTCFullYear();
  // The week's Thursday decides its year; its 0-based day of that year / 7 is the week - 1.
  const week = 1 + Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / DAY / 7);
  return `${year}-W${String(week).padStart(2, "0")}`;
}

const restoreHint = (version: string): string => `mlir-release restore ${version}`;

/** The PEP 592 reason shown by pip and the dashboard for a pruned snapshot. */
export const prunedReason = (version: string, day: string): string =>
  `files pruned by retention on ${day}; restorable bit for bit from its manifest: ${restoreHint(version)}`;

/**
 * Which snapshots keep their files at `now` (pure). A week's or month's representative is its
 * newest snapshot overall, so a choice never changes once the period is over: a snapshot kept as
 * "newest of its week" stays until the weekly window ends, and only month representatives stay
 * after that.
 */
export function planThinning(manifests: ReleaseManifest[], policy: ThinningPolicy, now: Date, alreadyPruned: ReadonlySet<string> = new Set()): PrunePlan {
  const keep: PruneDecision[] = [];
  const prune: PruneDecision[] = [];
  const snaps = manifests.filter((m) => m.plan.kind === "snapshot");
  for (const m of manifests) if (m.plan.kind !== "snapshot") keep.push({ version: m.plan.version, why: "numbered release: kept forever" });
  const newestOf = (key: (m: ReleaseManifest) => string): Map<string, string> => {
    const out = new Map<string, string>();
    for (const m of snaps) {
      const k = key(m);
      const cur = out.get(k);
      if (cur === undefined || cmp(m.plan.version, cur) > 0) out.set(k, m.plan.version);
    }
    return out;
  };
  const week = newestOf((m) => isoWeek(snapshotDay(m)));
  const month = newestOf((m) => snapshotDay(m).slice(0, 7));
  const today = Date.parse(`${now.toISOString().slice(0, 10)}T00:00:00Z`);
  for (const m of snaps) {
    const v = m.plan.version;
    if (alreadyPruned.has(v)) continue;
    const day = snapshotDay(m);
    const age = Math.round((today - Date.parse(`${day}T00:00:00Z`)) / DAY);
    const w = isoWeek(day);
    const mo = day.slice(0, 7);
    if (age < policy.allDays) keep.push({ version: v, why: `younger than ${policy.allDays} days (${age})` });
    else if (age < policy.weeklyDays && week.get(w) === v) keep.push({ version: v, why: `newest snapshot of week ${w}` });
    else if (policy.monthly && month.get(mo) === v) keep.push({ version: v, why: `newest snapshot of month ${mo}` });
    else
      prune.push({
        version: v,
        why:
          age < policy.weeklyDays
            ? `${age} days old and not the newest of week ${w} (${week.get(w)})`
            : `${age} days old and not the newest of month ${mo}${policy.monthly ? ` (${month.get(mo)})` : " (monthly: false)"}`,
      });
  }
  const byVersion = (a: PruneDecision, b: PruneDecision): number => cmp(a.version, b.version);
  return { keep: keep.sort(byVersion), prune: prune.sort(byVersion), alreadyPruned: [...alreadyPruned].sort(cmp) };
}

interface PruneOptions {
  indexRoot: string;
  policy: ThinningPolicy;
  /** The date the ages are measured at (default: now). */
  now?: Date;
  apply: boolean;
  github?: GithubOptions;
  baseUrl?: string;
  filesUrl?: string;
  log?: (line: string) => void;
}

export async function prune(o: PruneOptions): Promise<PrunePlan & { applied: boolean }> {
  const manifests = listIndexManifests(o.indexRoot);
  const now = o.now ?? new Date();
  const plan = planThinning(manifests, o.policy, now, new Set(listPruned(o.indexRoot).map((p) => p.version)));
  const log = o.log ?? (() => {});
  const day = now.toISOString().slice(0, 10);
  for (const { version: v, why } of plan.prune) {
    const kind = manifests.find((m) => m.plan.version === v)?.plan.kind;
    if (kind !== "snapshot") throw new InternalError(`prune: refusing to prune ${v}: not a snapshot`); // defence in depth
    if (!o.apply) {
      log(`would prune snapshot ${v}: ${why}`);
      continue;
    }
    const record = PrunedRecord.parse({ version: v, reason: prunedReason(v, day), prunedOn: day });
    if (o.github) log(`github: ${await pruneGithubRelease(o.github, record)}`);
    await pruneReleaseFiles(o.indexRoot, record, { ...(o.baseUrl ? { baseUrl: o.baseUrl } : {}), ...(o.filesUrl ? { filesUrl: o.filesUrl } : {}) });
    log(`index: pruned ${v} (${why}); listed as yanked, restorable with '${restoreHint(v)}'`);
  }
  if (!o.apply && plan.prune.length) log(`dry run: ${plan.prune.length} snapshot(s) would be pruned; pass --apply to prune them`);
  return { ...plan, applied: o.apply };
}

/** Files a pruned release keeps on GitHub: what the index needs to list it as yanked. */
export const keptWhenPruned = (name: string): boolean =>
  name === "manifest.json" || name === "SHA256SUMS" || name === "RELEASE_NOTES.md" || name === PRUNED_ASSET || name.endsWith(".metadata");

/**
 * Prunes one GitHub release: pruned.json is uploaded first (so an interrupted prune is still seen
 * as pruned, never as incomplete), then every artifact asset is deleted; manifest.json and the
 * .metadata files stay. Idempotent.
 */
async function pruneGithubRelease(o: GithubOptions, record: PrunedRecord): Promise<string> {
  const gh = makeOctokit(o);
  const tag = releaseTag(record.version, o.tagPrefix);
  let release;
  try {
    release = (await gh.rest.repos.getReleaseByTag({ owner: o.owner, repo: o.repo, tag })).data;
  } catch (e) {
    if (e instanceof RequestError && e.status === 404) return `no release ${tag}`;
    throw e;
  }
  const assets = (await gh.paginate(gh.rest.repos.listReleaseAssets, { owner: o.owner, repo: o.repo, release_id: release.id, per_page: 100 })) as unknown as ReleaseAsset[];
  if (!assets.some((a) => a.name === PRUNED_ASSET && a.state === "uploaded")) {
    const data = Buffer.from(`${JSON.stringify(record, null, 2)}\n`);
    await gh.request(`POST ${release.upload_url}`, {
      name: PRUNED_ASSET,
      data,
      headers: { "content-type": "application/octet-stream", "content-length": data.length },
    });
  }
  let deleted = 0;
  for (const a of assets) {
    if (keptWhenPruned(a.name)) continue;
    await gh.rest.repos.deleteReleaseAsset({ owner: o.owner, repo: o.repo, asset_id: a.id });
    deleted++;
  }
  return `pruned ${tag}: ${deleted} file(s) deleted, manifest.json, metadata and ${PRUNED_ASSET} kept`;
}
