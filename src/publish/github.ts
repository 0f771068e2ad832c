// GitHub Releases through octokit (retry + throttling plugins bundled in the `octokit`
// package): one release per version, assets sent only when absent. An asset with the same
// name and digest is skipped; one with other bytes is an error; a half-uploaded asset (state
// "starter", left by a dropped connection) is deleted and sent again.
import { readFileSync } from "node:fs";
import type { Octokit } from "octokit";
import { ConflictError, InternalError } from "../errors.js";
import { assetMatches, githubCall, makeOctokit, releaseTag, RequestError, type GithubOptions, type ReleaseAsset } from "../external/github.js";
import { type PublishAction } from "../schema/publish.js";
import type { LoadedStage } from "../stage/stage.js";
import { sha256Hex } from "../util/hash.js";

export { makeOctokit, PRUNED_ASSET, type GithubOptions } from "../external/github.js";

export class PublishConflictError extends ConflictError {
  override name = "PublishConflictError";
}

/** The bytes sent are the bytes the manifest names, checked at the moment of sending. */
export function checkUnchangedSinceStaging(f: { path: string; sha256: string }, data: Uint8Array): void {
  const sha = sha256Hex(data);
  if (sha !== f.sha256) throw new PublishConflictError(`${f.path}: changed since staging (sha256 ${sha}, manifest ${f.sha256}); nothing sent`);
}

interface GithubHooks {
  checkpoint?: (point: string) => void;
}

export { releaseTag, type ReleaseAsset };

const MAX_BODY = 120_000; // GitHub's release body limit is 125,000 characters


/** The release of a tag; undefined when there is none. */
async function releaseByTag(gh: InstanceType<typeof Octokit>, o: Pick<GithubOptions, "owner" | "repo">, tag: string) {
  try {
    return (await gh.rest.repos.getReleaseByTag({ owner: o.owner, repo: o.repo, tag })).data;
  } catch (e) {
    if (e instanceof RequestError && e.status === 404) return undefined;
    throw e;
  }
}

export async function publishGithub(stage: LoadedStage, o: GithubOptions, hooks: GithubHooks = {}): Promise<PublishAction[]> {
  return githubCall(`publishing ${stage.manifest.plan.version} to ${o.owner}/${o.repo}`, () => publishGithubUnwrapped(stage, o, hooks));
}

async function publishGithubUnwrapped(stage: LoadedStage, o: GithubOptions, hooks: GithubHooks): Promise<PublishAction[]> {
  const gh = makeOctokit(o);
  const { owner, repo } = o;
  const plan = stage.manifest.plan;
  const tag = releaseTag(plan.version, o.tagPrefix);
  const want = {
    name: `${plan.distribution} ${plan.version}`,
    body: stage.notes.length > MAX_BODY ? `${stage.notes.slice(0, MAX_BODY)}\n\n(truncated; see RELEASE_NOTES.md)` : stage.notes,
    prerelease: plan.kind === "snapshot",
  };
  const actions: PublishAction[] = [];
  const getByTag = () => releaseByTag(gh, o, tag);
  hooks.checkpoint?.("github:release");
  let release = await getByTag();
  if (!release) {
    try {
      release = (await gh.rest.repos.createRelease({ owner, repo, tag_name: tag, ...want, draft: false })).data;
      actions.push({ target: "github", file: tag, action: "created" });
    } catch (e) {
      // Created by an earlier attempt whose response was lost: use it.
      if (!(e instanceof RequestError && e.status === 422)) throw e;
      release = await getByTag();
      if (!release) throw e;
    }
  }
  if (release.name !== want.name || (release.body ?? "") !== want.body || release.prerelease !== want.prerelease) {
    hooks.checkpoint?.("github:update");
    release = (await gh.rest.repos.updateRelease({ owner, repo, release_id: release.id, ...want })).data;
    actions.push({ target: "github", file: tag, action: "updated" });
  }
  const releaseId = release.id;
  const uploadUrl = release.upload_url;
  const listAssets = async (): Promise<Map<string, ReleaseAsset>> => {
    const list = await gh.paginate(gh.rest.repos.listReleaseAssets, { owner, repo, release_id: releaseId, per_page: 100 });
    return new Map(list.map((a) => [a.name, a as unknown as ReleaseAsset]));
  };
  let assets = await listAssets();
  // Wheels first, then their PEP 658 .metadata (an index that links here serves both), then
  // SHA256SUMS and manifest.json: a release with its manifest asset is complete (site-sync relies on it).
  const files = [...stage.files, ...stage.metadata, ...stage.records];
  for (const f of files) {
    hooks.checkpoint?.(`github:asset:${f.fileName}`);
    const have = assets.get(f.fileName);
    if (have && have.state === "uploaded") {
      checkSame(have, f);
      actions.push({ target: "github", file: f.fileName, action: "skipped" });
      continue;
    }
    const data = readFileSync(f.path);
    checkUnchangedSinceStaging(f, data);
    let replaced = false;
    if (have) {
      await gh.rest.repos.deleteReleaseAsset({ owner, repo, asset_id: have.id });
      replaced = true;
    }
    for (let attempt = 0; ; attempt++) {
      try {
        hooks.checkpoint?.(`github:upload:${f.fileName}`);
        await gh.request(`POST ${uploadUrl}`, {
          name: f.fileName,
          data,
          headers: { "content-type": "application/octet-stream", "content-length": data.length },
        });
        break;
      } catch (e) {
        if (!(e instanceof RequestError && e.status === 422) || attempt >= 2) throw e;
        // A retry after a dropped connection meets the half-uploaded asset it left behind.
        assets = await listAssets();
        const now = assets.get(f.fileName);
        if (now?.state === "uploaded") {
          checkSame(now, f);
          break;
        }
        if (now) {
          await gh.rest.repos.deleteReleaseAsset({ owner, repo, asset_id: now.id });
          replaced = true;
        }
      }
    }
    actions.push({ target: "github", file: f.fileName, action: replaced ? "replaced-incomplete" : "uploaded" });
  }
  // Verify: every staged file is there, complete, with the staged digest.
  assets = await listAssets();
  for (const f of files) {
    const a = assets.get(f.fileName);
    if (!a || a.state !== "uploaded") throw new InternalError(`github: ${tag}/${f.fileName} missing after upload; rerun publish (it sends only what is missing)`);
    checkSame(a, f);
  }
  return actions;
}

function checkSame(a: ReleaseAsset, f: { fileName: string; size: number; sha256: string }): void {
  if (!assetMatches(a, f))
    throw new PublishConflictError(
      `github: asset ${f.fileName} exists with different bytes (size ${a.size}, digest ${a.digest ?? "?"}; staged ${f.size}, sha256:${f.sha256}); ` +
        "refusing to overwrite — a changed build needs a new version",
    );
}

/** Deletes a release and its tag (retention); absent ones are fine. */
export async function deleteGithubRelease(o: GithubOptions, version: string): Promise<boolean> {
  return githubCall(`deleting release ${version} of ${o.owner}/${o.repo}`, () => deleteGithubReleaseUnwrapped(o, version));
}

async function deleteGithubReleaseUnwrapped(o: GithubOptions, version: string): Promise<boolean> {
  const gh = makeOctokit(o);
  const tag = releaseTag(version, o.tagPrefix);
  const id = (await releaseByTag(gh, o, tag))?.id;
  if (id !== undefined) await gh.rest.repos.deleteRelease({ owner: o.owner, repo: o.repo, release_id: id });
  try {
    await gh.rest.git.deleteRef({ owner: o.owner, repo: o.repo, ref: `tags/${tag}` });
  } catch (e) {
    if (!(e instanceof RequestError && (e.status === 422 || e.status === 404))) throw e;
  }
  return id !== undefined;
}
