// The index rebuilt from GitHub Releases. On CI no disk outlives a job, so the index's store is
// recomputed from the releases themselves: every release that carries a manifest.json asset
// (published last, so only complete releases have one) is listed, its files linked at GitHub.
// The releases themselves are read by src/external/github.ts (fetchPublishedReleases).
import { cpSync, existsSync, readdirSync, realpathSync, renameSync, rmSync } from "node:fs";
import { manifestJson } from "../plan/manifest.js";
import { fetchPublishedReleases, githubFilesUrl, type GithubOptions, type SkippedRelease } from "../external/github.js";
import { underRoot } from "../util/paths.js";
import { prune, type ThinningPolicy } from "./retention.js";
import type { SiteOptions } from "../site/site-input.js";
import { indexPaths, putText, regenerate, withIndexLock, writePrunedRecord } from "../site/store.js";

interface SiteSyncOptions extends SiteOptions {
  /** Web root of the GitHub server (download links): the resolver's github.serverUrl ($GITHUB_SERVER_URL, else the public site). */
  serverUrl: string;
  /** Also copy the live site, as plain files, here (what GitHub Pages serves). */
  outDir?: string;
  /** Apply retention after syncing: thin the snapshots (files go, entries stay yanked, restorable). */
  prune?: { policy: ThinningPolicy; now?: Date; log?: (line: string) => void };
}

interface SiteSyncResult {
  versions: string[];
  skipped: SkippedRelease[];
  removed: string[];
  /** Snapshots retention pruned in this run (their files deleted; still listed, yanked). */
  pruned: string[];
  site: string;
}

export async function syncIndexFromGithub(root: string, o: GithubOptions, opts: SiteSyncOptions): Promise<SiteSyncResult> {
  const { releases: found, skipped } = await fetchPublishedReleases(o);
  const P = indexPaths(root);
  const versions = found.map((f) => f.manifest.plan.version).sort();
  const removed: string[] = [];
  await withIndexLock(root, async () => {
    for (const f of found) {
      const v = f.manifest.plan.version;
      for (const [file, text] of f.metadata) putText(underRoot(P.files, [v, `${file}.metadata`], "release asset path"), text);
      putText(underRoot(P.notes, [`${v}.md`], "release asset path"), f.notes);
      putText(underRoot(P.manifests, [`${v}.json`], "release asset path"), manifestJson(f.manifest));
      if (f.pruned) writePrunedRecord(root, f.pruned);
      else rmSync(underRoot(P.pruned, [`${v}.json`], "release asset path"), { force: true }); // restored since
    }
    // Releases deleted on GitHub (retention, by hand) leave the index too.
    const keep = new Set(versions);
    for (const name of existsSync(P.manifests) ? readdirSync(P.manifests) : []) {
      const v = name.replace(/\.json$/, "");
      if (!name.endsWith(".json") || keep.has(v)) continue;
      rmSync(underRoot(P.manifests, [name], "release asset path"), { force: true });
      rmSync(underRoot(P.notes, [`${v}.md`], "release asset path"), { force: true });
      rmSync(underRoot(P.files, [v], "release asset path"), { recursive: true, force: true });
      rmSync(underRoot(P.pruned, [`${v}.json`], "release asset path"), { force: true });
      removed.push(v);
    }
  });
  const serverUrl = opts.serverUrl;
  const siteOpts = { ...(opts.baseUrl ? { baseUrl: opts.baseUrl } : {}), filesUrl: opts.filesUrl ?? githubFilesUrl(serverUrl, o) };
  let pruned: string[] = [];
  if (opts.prune) {
    const r = await prune({
      indexRoot: root,
      policy: opts.prune.policy,
      ...(opts.prune.now ? { now: opts.prune.now } : {}),
      apply: true,
      github: o,
      ...siteOpts,
      ...(opts.prune.log ? { log: opts.prune.log } : {}),
    });
    pruned = r.prune.map((d) => d.version);
  }
  const site = await regenerate(root, siteOpts);
  if (opts.outDir) {
    const tmp = `${opts.outDir}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    cpSync(realpathSync(P.site), tmp, { recursive: true, dereference: true });
    rmSync(opts.outDir, { recursive: true, force: true });
    renameSync(tmp, opts.outDir);
  }
  return { versions, skipped, removed, pruned, site };
}
