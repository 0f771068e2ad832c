// The layer store that survives CI runs: the assets of one dedicated GitHub release (tag `layers`),
// two per layer key — the archive `mlir-release-layer-<key>.tar.zst` and its record
// `<archive>.json` (key, file, sha256, bytes). A GitHub-hosted runner starts with an empty local
// store; a build whose key was built by an earlier (trusted) run downloads the pair, checks the
// archive's bytes against the record (and GitHub's own asset digest where it reports one) and only
// then lets the layer be extracted. Downloaded pairs are kept beside the local store
// (<cache>/layer-downloads), so the local store (<cache>/layer-artifacts) holds only layers built on
// this machine: what a trusted CI run hands on to be pushed. An asset that does not match is refused, never used: the build
// stops with a one-line error naming the asset (a poisoned or truncated store is a failure, not a
// silent rebuild). Writing (`pushLayers`) happens only in the workflow's `layers` job, which runs
// on scheduled runs and dispatches on the default branch (the compiler-cache save rule).
// All GitHub access goes through src/external/github.ts (one Octokit, one retry policy).
import { createWriteStream, existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Octokit } from "octokit";
import { ConflictError, InvalidInputError } from "../errors.js";
import { assetMatches, githubCall, makeOctokit, parseGithubRepo, RequestError, type GithubOptions, type ReleaseAsset } from "../external/github.js";
import type { LayerStoreTarget } from "../schema/options.js";
import { parseFlag, parseOrExplain } from "../schema/parse.js";
import { dirLayerStore, LayerArtifactDigestError, LayerArtifactRecord, layerArchiveName, LayerKey, type LayerStore } from "./artifact.js";
import { sha256File, sha256Hasher, sha256Hex } from "../util/hash.js";

/** The release whose assets are the layer store. */
export const LAYER_RELEASE_TAG = "layers";

export interface GithubLayerStoreOptions extends GithubOptions {
  /** Release tag of the store (default `layers`). */
  storeTag?: string;
}

type Gh = InstanceType<typeof Octokit>;

async function releaseByTag(gh: Gh, o: GithubLayerStoreOptions, tag: string) {
  try {
    return (await gh.rest.repos.getReleaseByTag({ owner: o.owner, repo: o.repo, tag })).data;
  } catch (e) {
    if (e instanceof RequestError && e.status === 404) return undefined;
    throw e;
  }
}

async function listAssets(gh: Gh, o: GithubLayerStoreOptions, releaseId: number): Promise<Map<string, ReleaseAsset>> {
  const list = await gh.paginate(gh.rest.repos.listReleaseAssets, { owner: o.owner, repo: o.repo, release_id: releaseId, per_page: 100 });
  return new Map(list.map((a) => [a.name, a as unknown as ReleaseAsset]));
}

/** Streams an asset's bytes into `dest`; returns their sha256. */
async function downloadAsset(gh: Gh, o: GithubLayerStoreOptions, a: ReleaseAsset, dest: string): Promise<string> {
  const r = await gh.request("GET /repos/{owner}/{repo}/releases/assets/{asset_id}", {
    owner: o.owner,
    repo: o.repo,
    asset_id: a.id,
    headers: { accept: "application/octet-stream" },
    request: { parseSuccessResponseBody: false },
  });
  const body = r.data as unknown as ReadableStream<Uint8Array> | ArrayBuffer;
  const h = sha256Hasher();
  const source = body instanceof ArrayBuffer ? Readable.from([Buffer.from(body)]) : Readable.fromWeb(body as import("node:stream/web").ReadableStream<Uint8Array>);
  source.on("data", (c: Buffer) => h.update(c));
  await pipeline(source, createWriteStream(dest));
  return h.digest("hex");
}

const where = (o: GithubLayerStoreOptions): string => `release ${o.storeTag ?? LAYER_RELEASE_TAG} of ${o.owner}/${o.repo}`;

/**
 * A store that reads through to the GitHub release: `find` looks in `local`, then in `downloads`,
 * then downloads a verified pair from the release into `downloads`; `put` adds to `local` only. So
 * `local` holds only what builds made (what a trusted run hands to pushLayers), never a restored
 * copy of what the store already has; `downloads` defaults to `local` (one folder).
 */
export function githubLayerStore(local: LayerStore, o: GithubLayerStoreOptions, downloads: LayerStore = local): LayerStore {
  return {
    root: `${local.root} (then the ${where(o)})`,
    put: (key, archive) => local.put(key, archive),
    async find(key) {
      const have = (await local.find(key)) ?? (downloads !== local ? await downloads.find(key) : undefined);
      if (have) return have;
      return githubCall(`reading layer ${key} from the ${where(o)}`, async () => {
        const gh = makeOctokit(o);
        const rel = await releaseByTag(gh, o, o.storeTag ?? LAYER_RELEASE_TAG);
        if (!rel) return undefined;
        const name = layerArchiveName(key);
        const assets = await listAssets(gh, o, rel.id);
        const archive = assets.get(name);
        const recordAsset = assets.get(`${name}.json`);
        // The record is uploaded last: without it (or with a half-uploaded archive) the pair is not there yet.
        if (!archive || !recordAsset || archive.state !== "uploaded" || recordAsset.state !== "uploaded") return undefined;
        const tmpRecord = join(downloads.root, `${name}.json.download`);
        const tmpArchive = join(downloads.root, `${name}.download`);
        const { mkdirSync } = await import("node:fs");
        mkdirSync(downloads.root, { recursive: true });
        try {
          await downloadAsset(gh, o, recordAsset, tmpRecord);
          let raw: unknown;
          try {
            raw = JSON.parse(readFileSync(tmpRecord, "utf8"));
          } catch {
            throw new LayerArtifactDigestError(`layer record ${recordAsset.name} in the ${where(o)} is not JSON; refused (delete the asset pair to rebuild the layer)`);
          }
          const rec = parseOrExplain(LayerArtifactRecord, raw, `layer record ${recordAsset.name} in the ${where(o)}`);
          if (rec.key !== key || rec.file !== name) {
            throw new LayerArtifactDigestError(`layer record ${recordAsset.name} in the ${where(o)} names ${rec.key} (${rec.file}), not ${key}; refused`);
          }
          if (!assetMatches(archive, { size: rec.bytes, sha256: rec.sha256 })) {
            throw new LayerArtifactDigestError(
              `layer asset ${name} in the ${where(o)}: size ${archive.size}, digest ${archive.digest ?? "?"}; its record says ${rec.bytes} bytes, sha256:${rec.sha256}; refused, nothing extracted (delete the asset pair to rebuild the layer)`,
            );
          }
          const got = await downloadAsset(gh, o, archive, tmpArchive);
          if (got !== rec.sha256) {
            throw new LayerArtifactDigestError(
              `layer asset ${name} in the ${where(o)}: sha256 is ${got}, its record says ${rec.sha256}; refused, nothing extracted (delete the asset pair to rebuild the layer)`,
            );
          }
          // Into the downloads store: its own record is written last, by put.
          renameSync(tmpArchive, join(downloads.root, name));
          await downloads.put(key, join(downloads.root, name));
          return downloads.find(key);
        } finally {
          rmSync(tmpRecord, { force: true });
          rmSync(tmpArchive, { force: true });
        }
      });
    },
  };
}

export class LayerStoreConflictError extends ConflictError {
  override name = "LayerStoreConflictError";
}

export interface PushResult {
  key: string;
  action: "uploaded" | "skipped";
}

/**
 * Publishes every layer archive of a local store directory (pairs `<archive>` + `<archive>.json`,
 * as saveLayer writes them) to the store release: each archive checked against its record first,
 * the archive uploaded before its record, an existing identical pair skipped, an existing pair with
 * other bytes refused (a key's layer never changes; the store is not overwritten).
 */
export async function pushLayers(fromDir: string, o: GithubLayerStoreOptions, log: (l: string) => void = () => {}): Promise<PushResult[]> {
  const records = existsSync(fromDir) ? readdirSync(fromDir).filter((n) => /^mlir-release-layer-.*\.tar\.zst\.json$/.test(n)).sort() : [];
  const local: Array<{ rec: LayerArtifactRecord; file: string; recordFile: string }> = [];
  for (const r of records) {
    const recordFile = join(fromDir, r);
    const rec = parseOrExplain(LayerArtifactRecord, JSON.parse(readFileSync(recordFile, "utf8")), `layer record ${recordFile}`);
    LayerKey.parse(rec.key);
    const file = join(fromDir, layerArchiveName(rec.key));
    if (rec.file !== layerArchiveName(rec.key) || !existsSync(file)) throw new LayerArtifactDigestError(`layer record ${recordFile}: no archive ${rec.file} next to it`);
    const got = await sha256File(file);
    if (got !== rec.sha256 || statSync(file).size !== rec.bytes) {
      throw new LayerArtifactDigestError(`layer archive ${file}: sha256 is ${got}, its record says ${rec.sha256}; nothing pushed`);
    }
    local.push({ rec, file, recordFile });
  }
  if (!local.length) {
    log(`layer-store: no layer archives in ${fromDir}; nothing to push`);
    return [];
  }
  return githubCall(`pushing ${local.length} layer(s) to the ${where(o)}`, async () => {
    const gh = makeOctokit(o);
    const tag = o.storeTag ?? LAYER_RELEASE_TAG;
    let rel = await releaseByTag(gh, o, tag);
    if (!rel) {
      try {
        rel = (
          await gh.rest.repos.createRelease({
            owner: o.owner,
            repo: o.repo,
            tag_name: tag,
            name: "LLVM layers (build cache)",
            body: "Installed LLVM/MLIR layers by key (platform + source + CMake options), restored by builds instead of rebuilt. Not a release of the bindings.",
            prerelease: true,
            make_latest: "false",
          })
        ).data;
      } catch (e) {
        if (!(e instanceof RequestError && e.status === 422)) throw e;
        rel = await releaseByTag(gh, o, tag);
        if (!rel) throw e;
      }
    }
    const out: PushResult[] = [];
    let assets = await listAssets(gh, o, rel.id);
    for (const { rec, file, recordFile } of local) {
      const recordBytes = readFileSync(recordFile);
      const pair = [
        { name: rec.file, path: file, size: rec.bytes, sha256: rec.sha256 },
        { name: `${rec.file}.json`, path: recordFile, size: recordBytes.length, sha256: sha256Hex(recordBytes) },
      ];
      const existing = pair.map((p) => assets.get(p.name));
      if (existing.every((a) => a?.state === "uploaded")) {
        if (!assetMatches(existing[0]!, pair[0]!)) {
          throw new LayerStoreConflictError(
            `layer ${rec.key}: the ${where(o)} already has ${rec.file} with other bytes (size ${existing[0]!.size}, digest ${existing[0]!.digest ?? "?"}; here ${rec.bytes}, sha256:${rec.sha256}); refusing to overwrite — a key's layer must not change`,
          );
        }
        log(`layer-store: ${rec.key} already in the store`);
        out.push({ key: rec.key, action: "skipped" });
        continue;
      }
      // Archive first, record last: a reader only takes a complete pair.
      for (const [i, p] of pair.entries()) {
        const a = existing[i];
        if (a?.state === "uploaded" && assetMatches(a, p)) continue;
        if (a) await gh.rest.repos.deleteReleaseAsset({ owner: o.owner, repo: o.repo, asset_id: a.id });
        const data = readFileSync(p.path);
        log(`layer-store: uploading ${p.name} (${(data.length / 1e6).toFixed(1)} MB)`);
        await gh.request(`POST ${rel.upload_url}`, { name: p.name, data, headers: { "content-type": "application/octet-stream", "content-length": data.length } });
      }
      assets = await listAssets(gh, o, rel.id);
      out.push({ key: rec.key, action: "uploaded" });
    }
    return out;
  });
}

/** Where the read-through store keeps pairs it downloaded: beside the local store, not in it. */
export const LAYER_DOWNLOADS_DIR = "layer-downloads";

/**
 * The store a build reads layers from: the local store under the cache, read through to the GitHub
 * layer store the options name (MLIR_RELEASE_LAYER_STORE, src/options/environment.ts), if any.
 */
export function readThroughStore(local: LayerStore, github: LayerStoreTarget | undefined): LayerStore {
  if (!github) return local;
  const { owner, repo, token, apiUrl } = github;
  // Downloads go beside the local store (<cache>/layer-downloads), so <cache>/layer-artifacts, what
  // CI hands to the layers job, holds only layers built here.
  return githubLayerStore(local, { owner, repo, token: token ?? "", ...(apiUrl ? { apiUrl } : {}) }, dirLayerStore(join(dirname(local.root), LAYER_DOWNLOADS_DIR)));
}
