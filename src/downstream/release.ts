// Where a downstream build finds the release it builds against: our static index (manifests/<v>.json,
// files/<v>/<file>, simple/) or a local dist folder (a build's output: manifest.json + its files),
// or a manifest file with either. Every file is checked against the manifest's sha256.
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { ExternalServiceError, InvalidInputError } from "../errors.js";
import { httpFetch } from "../external/http.js";
import { findWheel, type WheelAnswer } from "../plan/release-queries.js";
import { type Artifact } from "../schema/artifact.js";
import { ReleaseManifest } from "../schema/manifest.js";
import { parseOrExplain } from "../schema/parse.js";
import { type PlatformId } from "../schema/platform.js";
import { sha256File, sha256Hex } from "../util/hash.js";

export type ReleaseSource = { kind: "index"; url: string } | { kind: "dir"; dir: string };

export interface LoadedRelease {
  manifest: ReleaseManifest;
  /** sha256 of the manifest's bytes as read. */
  manifestSha256: string;
  source: ReleaseSource;
}

const trimSlash = (u: string): string => u.replace(/\/+$/, "");

function parseManifestBytes(bytes: Buffer, what: string): ReleaseManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString("utf8"));
  } catch (e) {
    throw new InvalidInputError(`${what} is not valid JSON: ${(e as Error).message}`);
  }
  return parseOrExplain(ReleaseManifest, raw, what);
}

/** manifest.json files in `dir` and one level of subfolders (a dist folder, or one per platform). */
function dirManifests(dir: string): string[] {
  const out: string[] = [];
  if (existsSync(join(dir, "manifest.json"))) out.push(join(dir, "manifest.json"));
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e, "manifest.json");
    if (!e.startsWith(".") && existsSync(p)) out.push(p);
  }
  return out;
}

/** A file of the index, through the one HTTP client (its retries); any answer but 200 is an error. */
async function httpGet(url: string, what: string): Promise<Response> {
  const r = await httpFetch(url, {}, { service: "index", what, reachHint: "check --index-url" });
  if (!r.ok) throw new ExternalServiceError(`${url}: HTTP ${r.status}; check --index-url and --release`, "index", r.status, url);
  return r;
}

/** The release's manifest: from --manifest, else the index's manifests/<version>.json, else the dist folder's. */
export async function loadRelease(source: ReleaseSource, version?: string, manifestFile?: string): Promise<LoadedRelease> {
  let bytes: Buffer;
  let what: string;
  if (manifestFile) {
    if (!existsSync(manifestFile)) throw new InvalidInputError(`--manifest ${manifestFile} does not exist`);
    bytes = readFileSync(manifestFile);
    what = `manifest ${manifestFile}`;
  } else if (source.kind === "index") {
    if (!version) throw new InvalidInputError("--release <version> is needed with --index-url (or pass --manifest <file>)");
    const url = `${trimSlash(source.url)}/manifests/${encodeURIComponent(version)}.json`;
    bytes = Buffer.from(await (await httpGet(url, `reading the manifest of ${version}`)).arrayBuffer());
    what = `manifest ${url}`;
  } else {
    if (!existsSync(source.dir)) throw new InvalidInputError(`--dist ${source.dir} does not exist`);
    const found = dirManifests(source.dir).map((p) => ({ p, bytes: readFileSync(p) }));
    const matching = found.filter((f) => !version || parseManifestBytes(f.bytes, `manifest ${f.p}`).plan.version === version);
    if (!matching.length) throw new InvalidInputError(`--dist ${source.dir}: no manifest.json${version ? ` of release ${version}` : ""} in it or its subfolders`);
    bytes = matching[0]!.bytes;
    what = `manifest ${matching[0]!.p}`;
  }
  const manifest = parseManifestBytes(bytes, what);
  if (version && manifest.plan.version !== version) {
    throw new InvalidInputError(`${what} is release ${manifest.plan.version}, not --release ${version}`);
  }
  return { manifest, manifestSha256: sha256Hex(bytes), source };
}

/** The Pythons of the release's matrix on `platform` (optionally a subset, each of which must be in it). */
export function releasePythons(m: ReleaseManifest, platform: PlatformId, only?: readonly string[]): string[] {
  const all = [...new Set(m.plan.matrix.filter((e) => e.platform === platform).map((e) => e.python))];
  if (!all.length) throw new InvalidInputError(`release ${m.plan.version} has no ${platform} entries in its matrix`);
  if (!only?.length) return all;
  const missing = only.filter((p) => !all.includes(p));
  if (missing.length) throw new InvalidInputError(`--python ${missing.join(",")}: not in release ${m.plan.version}'s ${platform} matrix (${all.join(", ")})`);
  return all.filter((p) => only.includes(p));
}

/** Our wheel serving `python` on `platform` in this release, through resolve's own rules. */
export function ourWheel(m: ReleaseManifest, platform: PlatformId, python: string): WheelAnswer {
  const w = findWheel([m], { python, platform, kind: "any" });
  if (!w) throw new InvalidInputError(`release ${m.plan.version} has no ${m.plan.distribution} wheel for Python ${python} on ${platform}`);
  return w;
}

export function devTarballOf(m: ReleaseManifest, platform: PlatformId): Artifact {
  const a = m.artifacts.find((x) => x.kind === "dev-tarball" && (x.platform === platform || x.fileName.includes(`-${platform}.`)));
  if (!a) throw new InvalidInputError(`release ${m.plan.version} has no dev tarball for ${platform} (its manifest lists: ${m.artifacts.map((x) => x.fileName).join(", ")})`);
  return a;
}

function findInDir(dir: string, fileName: string): string | undefined {
  if (existsSync(join(dir, fileName))) return join(dir, fileName);
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e, fileName);
    if (!e.startsWith(".") && statSync(join(dir, e)).isDirectory() && existsSync(p)) return p;
  }
  return undefined;
}

/** A release file on disk, its sha256 checked: in the dist folder, or downloaded from the index into the cache. */
export async function fetchReleaseFile(r: LoadedRelease, fileName: string, expectedSha256: string, cacheDir: string): Promise<string> {
  const v = r.manifest.plan.version;
  let path: string;
  if (r.source.kind === "dir") {
    const p = findInDir(r.source.dir, fileName);
    if (!p) throw new InvalidInputError(`--dist ${r.source.dir}: ${fileName} (of release ${v}) is not in it`);
    path = p;
  } else {
    const dir = join(cacheDir, "downstream", "downloads", expectedSha256.slice(0, 16));
    path = join(dir, fileName);
    if (!existsSync(path) || (await sha256File(path)) !== expectedSha256) {
      mkdirSync(dir, { recursive: true });
      const url = `${trimSlash(r.source.url)}/files/${encodeURIComponent(v)}/${encodeURIComponent(fileName)}`;
      const res = await httpGet(url, `downloading ${fileName}`);
      const tmp = `${path}.part-${process.pid}`;
      await pipeline(Readable.fromWeb(res.body as unknown as WebReadableStream<Uint8Array>), createWriteStream(tmp));
      renameSync(tmp, path);
    }
  }
  const got = await sha256File(path);
  if (got !== expectedSha256) {
    if (r.source.kind === "index") rmSync(path, { force: true });
    throw new InvalidInputError(`${fileName}: sha256 ${got} differs from release ${v}'s manifest (${expectedSha256}); the file was not used`);
  }
  return path;
}

/** pip arguments that make our release's wheels installable: the index's simple/ pages, or the dist folder. */
export function pipSourceArgs(r: LoadedRelease): string[] {
  if (r.source.kind === "index") return ["--extra-index-url", `${trimSlash(r.source.url)}/simple/`];
  const dirs = new Set<string>([r.source.dir]);
  for (const e of readdirSync(r.source.dir)) if (!e.startsWith(".") && statSync(join(r.source.dir, e)).isDirectory()) dirs.add(join(r.source.dir, e));
  return [...dirs].sort().flatMap((d) => ["--find-links", d]);
}
