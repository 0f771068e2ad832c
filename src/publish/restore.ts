// restore <version>: a snapshot whose files retention pruned is rebuilt from its published
// manifest, every artifact's sha256 must equal the manifest's, then the same bytes are put back
// (index store, and the GitHub release when given) and the yank is lifted. Refuses — publishing
// nothing — when the release is not pruned or any rebuilt file differs.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { RequestError } from "octokit";
import { CheckFailedError, InvalidInputError } from "../errors.js";
import { type ReleaseManifest } from "../schema/manifest.js";
import { type PublishAction } from "../schema/publish.js";
import { indexPaths, listPruned, restoreReleaseFiles } from "../site/store.js";
import { readManifestFile } from "../stage/stage.js";
import { sha256Hex } from "../util/hash.js";
import { makeOctokit, releaseTag, type GithubOptions, type ReleaseAsset } from "./github.js";
import { keptWhenPruned, PRUNED_ASSET } from "./retention.js";

/** Rebuilds `manifest` (the manifest file at `manifestPath`) into the empty folder `outDir`. */
export type Rebuilder = (manifestPath: string, manifest: ReleaseManifest, outDir: string) => Promise<void>;

interface RestoreOptions {
  indexRoot: string;
  version: string;
  /** Fresh folder the rebuild writes into, or what makes one (called once the index is checked, so a
   * refused restore makes no folder). */
  outDir: string | (() => string);
  rebuild: Rebuilder;
  github?: GithubOptions;
  baseUrl?: string;
  filesUrl?: string;
  log?: (line: string) => void;
}

interface RestoreResult {
  version: string;
  artifacts: Array<{ fileName: string; sha256: string; equal: boolean }>;
  actions: PublishAction[];
}

export async function restore(o: RestoreOptions): Promise<RestoreResult> {
  const log = o.log ?? (() => {});
  const P = indexPaths(o.indexRoot);
  const manifestPath = join(P.manifests, `${o.version}.json`);
  if (!existsSync(manifestPath)) throw new InvalidInputError(`restore: ${o.version} has no manifest in the index ${o.indexRoot}; only a published release can be restored`);
  if (!listPruned(o.indexRoot).some((p) => p.version === o.version)) {
    throw new InvalidInputError(`restore: ${o.version} is not pruned (its files are published); nothing to restore`);
  }
  const m = readManifestFile(manifestPath);
  if (typeof o.outDir === "string" && existsSync(o.outDir) && readdirSync(o.outDir).length) throw new InvalidInputError(`restore: output folder ${o.outDir} is not empty`);
  const outDir = typeof o.outDir === "string" ? o.outDir : o.outDir();
  log(`rebuilding ${o.version} from its manifest into ${outDir}`);
  await o.rebuild(manifestPath, m, outDir);
  const artifacts = m.artifacts.map((a) => {
    const p = join(outDir, a.fileName);
    const sha256 = existsSync(p) ? sha256Hex(readFileSync(p)) : "";
    return { fileName: a.fileName, sha256, equal: sha256 === a.sha256 };
  });
  const bad = artifacts.filter((a) => !a.equal);
  if (bad.length) {
    throw new CheckFailedError(
      `restore: refusing to republish ${o.version}: ${bad.length} of ${artifacts.length} rebuilt artifact(s) differ from the manifest:\n` +
        bad.map((b) => `  - ${b.fileName}: ${b.sha256 ? `sha256 ${b.sha256}` : "not produced"} (manifest: ${m.artifacts.find((a) => a.fileName === b.fileName)!.sha256})`).join("\n"),
    );
  }
  for (const a of artifacts) log(`EQUAL ${a.fileName} sha256 ${a.sha256}`);
  const actions: PublishAction[] = [];
  // GitHub first: the index lists the files at GitHub when filesUrl points there, so they must be back before the yank is lifted.
  if (o.github) actions.push(...(await restoreGithubRelease(o.github, m, outDir)));
  actions.push(
    ...(await restoreReleaseFiles(
      o.indexRoot,
      o.version,
      m.artifacts.map((a) => ({ fileName: a.fileName, path: join(outDir, a.fileName) })),
      { ...(o.baseUrl ? { baseUrl: o.baseUrl } : {}), ...(o.filesUrl ? { filesUrl: o.filesUrl } : {}) },
    )),
  );
  log(`restored ${o.version}: ${artifacts.length} file(s) republished, no longer yanked`);
  return { version: o.version, artifacts, actions };
}

/** Uploads the rebuilt artifacts to the pruned release, then deletes its pruned.json (un-yank). */
async function restoreGithubRelease(o: GithubOptions, m: ReleaseManifest, dir: string): Promise<PublishAction[]> {
  const gh = makeOctokit(o);
  const tag = releaseTag(m.plan.version, o.tagPrefix);
  let release;
  try {
    release = (await gh.rest.repos.getReleaseByTag({ owner: o.owner, repo: o.repo, tag })).data;
  } catch (e) {
    if (e instanceof RequestError && e.status === 404) throw new InvalidInputError(`restore: GitHub ${o.owner}/${o.repo} has no release ${tag}`);
    throw e;
  }
  const list = async (): Promise<Map<string, ReleaseAsset>> =>
    new Map(
      ((await gh.paginate(gh.rest.repos.listReleaseAssets, { owner: o.owner, repo: o.repo, release_id: release.id, per_page: 100 })) as unknown as ReleaseAsset[]).map((a) => [a.name, a]),
    );
  const assets = await list();
  const actions: PublishAction[] = [];
  for (const a of m.artifacts) {
    if (keptWhenPruned(a.fileName)) continue;
    const have = assets.get(a.fileName);
    if (have?.state === "uploaded" && have.size === a.size) {
      actions.push({ target: "github", file: a.fileName, action: "skipped" });
      continue;
    }
    if (have) await gh.rest.repos.deleteReleaseAsset({ owner: o.owner, repo: o.repo, asset_id: have.id });
    const data = readFileSync(join(dir, a.fileName));
    await gh.request(`POST ${release.upload_url}`, {
      name: a.fileName,
      data,
      headers: { "content-type": "application/octet-stream", "content-length": data.length },
    });
    actions.push({ target: "github", file: a.fileName, action: have ? "replaced-incomplete" : "uploaded" });
  }
  const marker = (await list()).get(PRUNED_ASSET);
  if (marker) await gh.rest.repos.deleteReleaseAsset({ owner: o.owner, repo: o.repo, asset_id: marker.id });
  return actions;
}
