// GitHub access in one place: one Octokit factory with one retry/throttle policy, the token
// lookup (one environment order), owner/name parsing, the API URL, release tags and asset
// matching, githubCall, through which every call's failure leaves as an ExternalServiceError
// with status and endpoint, and the releases reader (fetchPublishedReleases, which also knows
// retention's pruned marker). select (history, gate, past versions), publish (github, retention,
// restore) and site (github-sync) get their clients and releases only from here. The retry policy
// (retryDelay, its values) is the one of http.ts, the client for every other HTTP request.
import Bottleneck from "bottleneck";
import { Octokit, RequestError } from "octokit";
import { connectionFailure, InvalidInputError, redactUrl, wrapHttpError } from "../errors.js";
import { HTTP_POLICY, retryDelay } from "./http.js";
import { isWheelKind } from "../schema/artifact.js";
import { ReleaseManifest } from "../schema/manifest.js";
import { explainIssues, parseFlag } from "../schema/parse.js";
import { PrunedRecord } from "../schema/publish.js";
import { GithubRepoRef } from "../schema/strings.js";

export { RequestError };

export interface GithubOptions {
  token: string;
  owner: string;
  repo: string;
  /** REST root; undefined = the public API. */
  apiUrl?: string;
  tagPrefix?: string;
  /** Milliseconds per second of back-off (GitHub's Retry-After is in seconds). Tests use ~1. */
  retryUnitMs?: number;
  retries?: number;
  log?: (line: string) => void;
}

/** owner/name as a flag gives it (--github-repo, --published-in, --github). */
export function parseGithubRepo(value: string, flag: string): { owner: string; repo: string } {
  const v = parseFlag(GithubRepoRef, value, flag);
  const [owner = "", repo = ""] = v.split("/");
  return { owner, repo };
}

/**
 * The one Octokit: throttling with GitHub's Retry-After (writes spaced out), and retries by
 * retryDelay. @octokit/plugin-retry is switched off because it cannot tell a refused connection
 * from a 500 (octokit reports both as status 500), so it retried an API URL where nothing
 * listens for a minute and more.
 */
export function makeOctokit(o: Omit<GithubOptions, "owner" | "repo" | "token"> & { token?: string }): InstanceType<typeof Octokit> {
  const unit = o.retryUnitMs ?? HTTP_POLICY.unitMs;
  const retries = o.retries ?? HTTP_POLICY.retries;
  const log = o.log ?? (() => {});
  const onLimit = (kind: string) => (after: number, opts: { method: string; url: string }, _o: unknown, retryCount: number): boolean => {
    log(`github: ${kind} on ${opts.method} ${opts.url}; retry ${retryCount + 1}/${retries} after ${after}s`);
    return retryCount < retries;
  };
  const gh = new Octokit({
    ...(o.token ? { auth: o.token } : {}),
    ...(o.apiUrl ? { baseUrl: o.apiUrl.replace(/\/$/, "") } : {}),
    retry: { enabled: false },
    throttle: {
      retryAfterBaseValue: unit,
      onRateLimit: onLimit("rate limit"),
      onSecondaryRateLimit: onLimit("secondary rate limit"),
      // GitHub asks for >= 1s between writes; tests on loopback shrink it with the unit.
      write: new Bottleneck.Group({ maxConcurrent: 1, minTime: unit }),
      notifications: new Bottleneck.Group({ maxConcurrent: 1, minTime: 3 * unit }),
    },
    log: { debug: () => {}, info: () => {}, warn: (m: string) => log(m), error: (m: string) => log(m) },
  });
  // Registered last, so it wraps the throttling plugin: a rate limit is waited out there first.
  gh.hook.wrap("request", async (request, options) => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await request(options);
      } catch (e) {
        const wait = retryDelay(e, attempt, retries, unit);
        if (wait === undefined) throw e;
        const unreachable = connectionFailure(e);
        const why = unreachable ?? `HTTP ${(e as { status?: number }).status}`;
        log(`github: ${why} on ${options.method} ${redactUrl(String(options.url))}; retry ${attempt + 1}/${unreachable ? 1 : retries} after ${wait} ms`);
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  });
  return gh;
}

/** What to check when the GitHub API cannot be reached at all. */
const GITHUB_REACH_HINT = "check the GitHub API URL (--github-api-url, GITHUB_API_URL or publish.github.apiUrl) and that the server is up";

/** Runs a GitHub call; any failure leaves as an ExternalServiceError naming `what`, the status and endpoint. */
export async function githubCall<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw wrapHttpError(e, "GitHub", what, { reachHint: GITHUB_REACH_HINT });
  }
}

export const releaseTag = (version: string, prefix = "v"): string => `${prefix}${version}`;

export type ReleaseAsset = { id: number; name: string; size: number; state: string; digest?: string | null };

/** An asset holds a file's bytes: same size, and the same digest where GitHub reports one. */
export const assetMatches = (a: ReleaseAsset, f: { size: number; sha256: string }): boolean =>
  a.size === f.size && !(a.digest && a.digest !== `sha256:${f.sha256}`);

export interface SkippedRelease {
  tag: string;
  reason: string;
}

/** The asset retention leaves on a pruned release (its record: what went, why, restorable). */
export const PRUNED_ASSET = "pruned.json";

// The releases reader: what plan (past versions), site-sync (the index) and prune read back.
/** The download URL template of a repository's release assets, for the site's file links. */
export function githubFilesUrl(serverUrl: string, o: Pick<GithubOptions, "owner" | "repo" | "tagPrefix">): string {
  return `${serverUrl.replace(/\/$/, "")}/${o.owner}/${o.repo}/releases/download/${o.tagPrefix ?? "v"}{version}/{file}`;
}

interface PublishedRelease {
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
): Promise<{ releases: PublishedRelease[]; skipped: SkippedRelease[]; tags: string[] }> {
  return githubCall(`reading the releases of ${o.owner}/${o.repo}`, () => readReleases(o, want));
}

async function readReleases(
  o: GithubOptions,
  want: { metadata: boolean },
): Promise<{ releases: PublishedRelease[]; skipped: SkippedRelease[]; tags: string[] }> {
  const gh = makeOctokit(o);
  const { owner, repo } = o;
  const download = async (a: ReleaseAsset): Promise<Buffer> => {
    const r = await gh.rest.repos.getReleaseAsset({ owner, repo, asset_id: a.id, headers: { accept: "application/octet-stream" } });
    return Buffer.from(r.data as unknown as ArrayBuffer);
  };
  const releases = await gh.paginate(gh.rest.repos.listReleases, { owner, repo, per_page: 100 });
  const found: PublishedRelease[] = [];
  const skipped: SkippedRelease[] = [];
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
      if (want.metadata && meta && isWheelKind(a.kind)) metadata.set(a.fileName, (await download(meta)).toString("utf8"));
    }
    found.push({ manifest, notes: rel.body ?? "", metadata, ...(pruned ? { pruned } : {}) });
  }
  return { releases: found, skipped, tags: releases.filter((r) => !r.draft).map((r) => r.tag_name) };
}

