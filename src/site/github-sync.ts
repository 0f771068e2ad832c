// The index rebuilt from GitHub Releases. On CI no disk outlives a job, so the index's store is
// recomputed from the releases themselves: every release that carries a manifest.json asset
// (published last, so only complete releases have one) is listed, its files linked at GitHub.
import { cpSync, existsSync, readdirSync, realpathSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { RequestError } from "octokit";
import { explainIssues, PrunedRecord, ReleaseManifest } from "../schema.js";
import { manifestJson } from "../plan/manifest.js";
import { assetMatches, githubCall, makeOctokit, releaseTag, type GithubOptions, type ReleaseAsset } from "../external/github.js";
import { InvalidInputError } from "../errors.js";
import { underRoot } from "../util/paths.js";
import { prune, PRUNED_ASSET, type ThinningPolicy } from "../publish/retention.js";
import type { SiteOptions } from "./render.js";
import { indexPaths, putText, regenerate, withIndexLock, writePrunedRecord } from "./store.js";

export interface SiteSyncOptions extends SiteOptions {
  /** Web root of the GitHub server (download links); default $GITHUB_SERVER_URL or github.com. */
  serverUrl?: string;
  /** Also copy the live site, as plain files, here (what GitHub Pages serves). */
  outDir?: string;
  /** Apply retention after syncing: thin the snapshots (files go, entries stay yanked, restorable). */
  prune?: { policy: ThinningPolicy; now?: Date; log?: (line: string) => void };
}

export interface SiteSyncResult {
  versions: string[];
  skipped: Array<{ tag: string; reason: string }>;
  removed: string[];
  /** Snapshots retention pruned in this run (their files deleted; still listed, yanked). */
  pruned: string[];
  site: string;
}

/** The download URL template of a repository's release assets, for the site's file links. */
export function githubFilesUrl(serverUrl: string, o: Pick<GithubOptions, "owner" | "repo" | "tagPrefix">): string {
  return `${serverUrl.replace(/\/$/, "")}/${o.owner}/${o.repo}/releases/download/${o.tagPrefix ?? "v"}{version}/{file}`;
}

export interface PublishedRelease {
  manifest: ReleaseManifest;
  notes: string;
  /** PEP 658 METADATA text per wheel file name. */
  metadata: Map<string, string>;
  /** Retention pruned its files (a pruned.json asset): listed as yanked, restorable. */
  pruned?: PrunedRecord;
}

/**
 * Every complete release of a repository: one carrying a manifest.json whose artifacts are all
 * there with the manifest's size and digest. Others are returned as skipped, with the reason.
 * Planning reads past versions from here; site-sync the index.
 */
export async function fetchPublishedReleases(
  o: GithubOptions,
  want: { metadata: boolean } = { metadata: true },
): Promise<{ releases: PublishedRelease[]; skipped: SiteSyncResult["skipped"]; tags: string[] }> {
  return githubCall(`reading the releases of ${o.owner}/${o.repo}`, () => readReleases(o, want));
}

async function readReleases(
  o: GithubOptions,
  want: { metadata: boolean },
): Promise<{ releases: PublishedRelease[]; skipped: SiteSyncResult["skipped"]; tags: string[] }> {
  const gh = makeOctokit(o);
  const { owner, repo } = o;
  const download = async (a: ReleaseAsset): Promise<Buffer> => {
    const r = await gh.rest.repos.getReleaseAsset({ owner, repo, asset_id: a.id, headers: { accept: "application/octet-stream" } });
    return Buffer.from(r.data as unknown as ArrayBuffer);
  };
  const releases = await gh.paginate(gh.rest.repos.listReleases, { owner, repo, per_page: 100 });
  const found: PublishedRelease[] = [];
  const skipped: SiteSyncResult["skipped"] = [];
  for (const rel of releases) {
    if (rel.draft) continue;
    let assets = rel.assets as unknown as ReleaseAsset[];
    if (assets.length >= 100) {
      assets = (await gh.paginate(gh.rest.repos.listReleaseAssets, { owner, repo, release_id: rel.id, per_page: 100 })) as unknown as ReleaseAsset[];
    }
    const byName = new Map(assets.filter((a) => a.state === "uploaded").map((a) => [a.name, a]));
    const manifestAsset = byName.get("manifest.json");
    if (!manifestAsset) {
      skipped.push({ tag: rel.tag_name, reason: "no manifest.json asset (not published by mlir-release, or its publish has not finished)" });
      continue;
    }
    let manifest: ReleaseManifest;
    try {
      const parsed = ReleaseManifest.safeParse(JSON.parse((await download(manifestAsset)).toString("utf8")));
      if (!parsed.success) throw new InvalidInputError(explainIssues(parsed.error.issues));
      manifest = parsed.data;
    } catch (e) {
      if (e instanceof RequestError) throw e;
      skipped.push({ tag: rel.tag_name, reason: `manifest.json is not a release manifest: ${(e as Error).message}` });
      continue;
    }
    const tag = releaseTag(manifest.plan.version, o.tagPrefix);
    if (tag !== rel.tag_name) {
      skipped.push({ tag: rel.tag_name, reason: `its manifest is for version ${manifest.plan.version} (tag ${tag})` });
      continue;
    }
    let pruned: PrunedRecord | undefined;
    const prunedAsset = byName.get(PRUNED_ASSET);
    if (prunedAsset) {
      const r = PrunedRecord.safeParse(JSON.parse((await download(prunedAsset)).toString("utf8")));
      if (!r.success || r.data.version !== manifest.plan.version) {
        skipped.push({ tag: rel.tag_name, reason: `${PRUNED_ASSET} is not a pruned record of ${manifest.plan.version}` });
        continue;
      }
      pruned = r.data;
    }
    const problems = pruned ? [] : manifest.artifacts.flatMap((a) => {
      const have = byName.get(a.fileName);
      if (!have) return [`${a.fileName} missing`];
      if (!assetMatches(have, a)) return [`${a.fileName} differs from the manifest`];
      return [];
    });
    if (problems.length) {
      skipped.push({ tag: rel.tag_name, reason: problems.join("; ") });
      continue;
    }
    const metadata = new Map<string, string>();
    for (const a of manifest.artifacts) {
      const meta = byName.get(`${a.fileName}.metadata`);
      if (want.metadata && meta && (a.kind === "wheel" || a.kind === "dev-wheel")) metadata.set(a.fileName, (await download(meta)).toString("utf8"));
    }
    found.push({ manifest, notes: rel.body ?? "", metadata, ...(pruned ? { pruned } : {}) });
  }
  return { releases: found, skipped, tags: releases.filter((r) => !r.draft).map((r) => r.tag_name) };
}

export async function syncIndexFromGithub(root: string, o: GithubOptions, opts: SiteSyncOptions = {}): Promise<SiteSyncResult> {
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
  const serverUrl = opts.serverUrl ?? process.env["GITHUB_SERVER_URL"] ?? "https://github.com";
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
