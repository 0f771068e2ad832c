// Retention: keep the newest N snapshots and every numbered release. Planning is pure; applying
// removes the index entries (manifest first) and the GitHub releases, and only when asked.
import type { ReleaseManifest } from "../schema.js";
import { compareIndexVersions as cmp } from "../site/render.js";
import { listIndexManifests, removeRelease } from "../site/store.js";
import { deleteGithubRelease, type GithubOptions } from "./github.js";

export interface PrunePlan {
  keep: string[];
  remove: string[];
}

export function planPrune(manifests: ReleaseManifest[], keepSnapshots: number): PrunePlan {
  if (!Number.isInteger(keepSnapshots) || keepSnapshots < 1) throw new Error(`retention.keepSnapshots must be a positive integer, got ${keepSnapshots}`);
  const snapshots = manifests.filter((m) => m.plan.kind === "snapshot").map((m) => m.plan.version).sort((a, b) => cmp(b, a));
  const numbered = manifests.filter((m) => m.plan.kind !== "snapshot").map((m) => m.plan.version);
  const remove = snapshots.slice(keepSnapshots);
  return { keep: [...numbered, ...snapshots.slice(0, keepSnapshots)].sort(cmp), remove: remove.sort(cmp) };
}

export interface PruneOptions {
  indexRoot: string;
  keepSnapshots: number;
  apply: boolean;
  github?: GithubOptions;
  baseUrl?: string;
  filesUrl?: string;
  log?: (line: string) => void;
}

export async function prune(o: PruneOptions): Promise<PrunePlan & { applied: boolean }> {
  const manifests = listIndexManifests(o.indexRoot);
  const plan = planPrune(manifests, o.keepSnapshots);
  const log = o.log ?? (() => {});
  for (const v of plan.remove) {
    const kind = manifests.find((m) => m.plan.version === v)?.plan.kind;
    if (kind !== "snapshot") throw new Error(`prune: refusing to remove ${v}: not a snapshot`); // defence in depth
    if (!o.apply) {
      log(`would remove snapshot ${v}`);
      continue;
    }
    if (o.github) log(`github: ${(await deleteGithubRelease(o.github, v)) ? "deleted" : "no"} release for ${v}`);
    await removeRelease(o.indexRoot, v, { ...(o.baseUrl ? { baseUrl: o.baseUrl } : {}), ...(o.filesUrl ? { filesUrl: o.filesUrl } : {}) });
    log(`index: removed ${v}`);
  }
  if (!o.apply && plan.remove.length) log(`dry run: ${plan.remove.length} snapshot(s) would be removed; pass --apply to remove them`);
  return { ...plan, applied: o.apply };
}
