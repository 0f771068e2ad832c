// Release manifests from files and folders (`resolve --manifests`, `plan --manifests`), in both
// layouts they are kept in: a build's or a stage's folder holds `manifest.json`; the published
// index names each by its version, `store/manifests/<version>.json` (src/site/store.ts), and its
// rendered site carries a copy at `site/manifests/<version>.json`.
//
// A file that is found and fails the manifest schema is an error naming it (exit 2), not skipped
// with a warning: resolve and plan answer "the newest …" from the whole set, so a silently missing
// manifest would give a wrong answer that looks right.
import { existsSync, readdirSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { InvalidInputError } from "../errors.js";
import { ReleaseManifest } from "../schema/manifest.js";
import { Pep440Version } from "../schema/strings.js";
import { canonicalHash } from "../util/hash.js";
import { readJsonAs } from "../util/json-input.js";
import { MANIFEST_FILE } from "../plan/manifest.js";

/** How deep folders are searched under each given path. */
const MAX_DEPTH = 4;
/** The folder the published layout keeps `<version>.json` manifests in. */
const VERSIONED_FOLDER = "manifests";

/** The version a published manifest's file name claims (`22.1.8.json` → 22.1.8), or undefined. */
export function versionOfManifestName(file: string): string | undefined {
  const m = /^(.+)\.json$/.exec(file);
  return m?.[1] && Pep440Version.safeParse(m[1]).success ? m[1] : undefined;
}

/** Is `path` a manifest a folder walk takes: `manifest.json`, or `<version>.json` inside a `manifests` folder. */
export const isManifestFile = (path: string): boolean =>
  basename(path) === MANIFEST_FILE || (basename(dirname(path)) === VERSIONED_FOLDER && versionOfManifestName(basename(path)) !== undefined);

function readOne(path: string): ReleaseManifest {
  const m = readJsonAs(ReleaseManifest, path, "--manifests file");
  const named = versionOfManifestName(basename(path));
  if (named !== undefined && named !== m.plan.version) {
    throw new InvalidInputError(`--manifests file ${path}: its name says version ${named} but its plan is ${m.plan.version}; a published manifest is named <version>.json`);
  }
  return m;
}

/**
 * Every manifest in `paths` (files are read whatever their name; folders are searched four levels
 * deep, dot folders skipped), one per version: the index's store and its site copy of the same
 * manifest count once; two different manifests of one version are refused.
 */
export function loadManifests(paths: readonly string[]): ReleaseManifest[] {
  const found = new Map<string, { path: string; hash: string; manifest: ReleaseManifest }>();
  const add = (path: string): void => {
    const manifest = readOne(path);
    const v = manifest.plan.version;
    const hash = canonicalHash(manifest);
    const seen = found.get(v);
    if (!seen) return void found.set(v, { path, hash, manifest });
    if (seen.hash !== hash) throw new InvalidInputError(`--manifests: two different manifests of version ${v}: ${seen.path} and ${path}`);
  };
  const walk = (p: string, depth: number): void => {
    if (!existsSync(p)) throw new InvalidInputError(`--manifests ${p} does not exist`);
    if (statSync(p).isFile()) return add(p);
    for (const e of readdirSync(p).sort()) {
      const q = join(p, e);
      const st = statSync(q, { throwIfNoEntry: false });
      if (!st) continue; // a dangling link
      if (st.isFile()) {
        if (isManifestFile(q)) add(q);
      } else if (depth < MAX_DEPTH && st.isDirectory() && !e.startsWith(".")) walk(q, depth + 1);
    }
  };
  for (const p of paths) walk(resolve(p), 0);
  return [...found.values()].map((x) => x.manifest);
}
