// The index's storage and its atomic regeneration. Layout under the index root:
//   store/manifests/<version>.json   a release is in the index once its manifest is here
//   store/notes/<version>.md
//   store/files/<version>/<file>     (+ <file>.metadata for wheels, PEP 658)
//   store/pruned/<version>.json      retention removed the files (the .metadata stay): listed as yanked
//   .generations/<hash>/             one complete rendered site
//   site -> .generations/<hash>      swapped with one rename(2), so readers never see a half site
// Writers (several publishers at once) serialize on a lock directory.
import {
  copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync,
  statSync, symlinkSync, writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { isWheelKind } from "../schema/artifact.js";
import { type ReleaseManifest } from "../schema/manifest.js";
import { parseOrExplain } from "../schema/parse.js";
import { PrunedRecord, type PublishAction } from "../schema/publish.js";
import { HttpUrl } from "../schema/strings.js";
import { manifestJson } from "../plan/manifest.js";
import { readManifestFile } from "../stage/stage.js";
import { headerValues, readWheel } from "../stage/wheelinfo.js";
import { sha256File, sha256Hasher, sha256Hex } from "../util/hash.js";
import { CheckFailedError, ConflictError } from "../errors.js";
import { acquireLock, isLockHeld, pidAlive } from "../util/lock.js";
import { underRoot } from "../util/paths.js";
import { renderSite } from "./render.js";
import { fileUrl, type SiteFile, type SiteOptions, type SiteRelease } from "./site-input.js";

interface IndexPaths {
  root: string;
  manifests: string;
  notes: string;
  files: string;
  pruned: string;
  generations: string;
  site: string;
  lock: string;
}

export const indexPaths = (root: string): IndexPaths => ({
  root,
  manifests: join(root, "store", "manifests"),
  notes: join(root, "store", "notes"),
  files: join(root, "store", "files"),
  pruned: join(root, "store", "pruned"),
  generations: join(root, ".generations"),
  site: join(root, "site"),
  lock: join(root, ".lock"),
});

/** Who holds the index lock: written into the lock folder by its holder. */
interface LockOwner {
  host: string;
  pid: number;
  /** ISO time the lock was taken. */
  started: string;
  /** What the holder does (the command). */
  command: string;
}

interface LockOptions {
  /** Give up waiting after this long (ms); default 10 minutes. */
  timeoutMs?: number;
  /** A lock whose heartbeat (the lock folder's mtime, refreshed every staleMs/6) is older than this is stale (ms); default 120 s: a synchronous copy of a 600 MB
   *  wheel on a loaded machine held the event loop past 30 s and lost the lock mid-publish. A dead holder on this
   *  host is taken over at once (its PID), so the longer threshold only delays a takeover from another host. */
  staleMs?: number;
  /** Where "waiting for …" and "taking over …" go; default stderr. */
  log?: (line: string) => void;
}

const readOwner = (lock: string): LockOwner | undefined => {
  try {
    return JSON.parse(readFileSync(join(lock, "owner.json"), "utf8")) as LockOwner;
  } catch {
    // The older lock layout: an `owner` file holding "<pid>:<token>", always of this host.
    try {
      const pid = Number(readFileSync(join(lock, "owner"), "utf8").split(":")[0]);
      return pid ? { host: hostname(), pid, started: "?", command: "an older mlir-release" } : undefined;
    } catch {
      return undefined;
    }
  }
};
const describeOwner = (o: LockOwner | undefined): string => (o ? `${o.command} (pid ${o.pid} on ${o.host}, since ${o.started})` : "an unknown process");
const heartbeatAge = (lock: string): number | undefined => {
  try {
    return Date.now() - statSync(lock).mtimeMs;
  } catch {
    return undefined;
  }
};

/**
 * Runs fn holding the index lock (proper-lockfile: a lock folder whose mtime is the holder's
 * heartbeat). The holder records host, PID, start time and command; a waiter prints who holds it;
 * a lock whose heartbeat is stale — or whose holder on this host is dead — is taken over with a
 * message, so a crashed publisher or a reused PID in a container cannot wedge the index.
 */
export async function withIndexLock<T>(root: string, fn: () => Promise<T>, opts: LockOptions | number = {}): Promise<T> {
  const o: LockOptions = typeof opts === "number" ? { timeoutMs: opts } : opts;
  const timeoutMs = o.timeoutMs ?? 600_000;
  const staleMs = Math.max(o.staleMs ?? 120_000, 2_000);
  const log = o.log ?? ((l: string) => void process.stderr.write(`${l}\n`));
  const lock = indexPaths(root).lock;
  mkdirSync(root, { recursive: true });
  const until = Date.now() + timeoutMs;
  let lastSaid = 0;
  let release: (() => Promise<void>) | undefined;
  let compromised: Error | undefined;
  for (;;) {
    const owner = readOwner(lock);
    const age = heartbeatAge(lock);
    if (age !== undefined && owner && owner.host === hostname() && owner.pid !== process.pid && !pidAlive(owner.pid)) {
      // Re-read right before removing: another waiter may have taken it over meanwhile.
      if (JSON.stringify(readOwner(lock)) === JSON.stringify(owner)) {
        log(`index lock: taking over ${lock} from ${describeOwner(owner)}: that process is gone`);
        rmSync(lock, { recursive: true, force: true });
      }
    } else if (age !== undefined && age > staleMs) {
      log(`index lock: taking over ${lock} from ${describeOwner(owner)}: no heartbeat for ${Math.round(age / 1000)} s (stale after ${Math.round(staleMs / 1000)} s)`);
    }
    try {
      release = await acquireLock(root, {
        lockPath: lock,
        realpath: false,
        holdsFiles: true,
        staleMs,
        updateMs: Math.max(Math.floor(staleMs / 6), 1_000),
        onCompromised: (e) => {
          compromised = e;
          log(`index lock: ${lock} was taken by another process while held (${e.message})`);
        },
      });
      break;
    } catch (e) {
      if (!isLockHeld(e)) throw e;
      const now = Date.now();
      if (now > until) {
        throw new ConflictError(`index ${root}: lock ${lock} is held by ${describeOwner(readOwner(lock))} (heartbeat ${Math.round((heartbeatAge(lock) ?? 0) / 1000)} s ago) for longer than ${Math.round(timeoutMs / 1000)} s; retry when it is done`);
      }
      if (now - lastSaid > 15_000) {
        log(`index lock: waiting for ${describeOwner(readOwner(lock))} to finish (${lock})`);
        lastSaid = now;
      }
      await sleep(50);
    }
  }
  const me: LockOwner = { host: hostname(), pid: process.pid, started: new Date().toISOString(), command: process.argv.slice(2, 3).join(" ") || "mlir-release" };
  writeFileSync(join(lock, "owner.json"), `${JSON.stringify(me)}\n`);
  try {
    const r = await fn();
    if (compromised) throw new ConflictError(`index ${root}: the lock was lost while publishing (${compromised.message}); rerun (publishing is idempotent)`);
    return r;
  } finally {
    await release().catch(() => {});
  }
}


/** Puts bytes at path unless the same bytes are there; different bytes are an error. */
async function putFile(src: string, dest: string, sha256: string): Promise<"uploaded" | "skipped"> {
  if (existsSync(dest)) {
    const have = await sha256File(dest);
    if (have === sha256) return "skipped";
    throw new ConflictError(`index: ${dest} exists with sha256 ${have}, not ${sha256}; refusing to overwrite (a changed build needs a new version)`);
  }
  mkdirSync(dirname(dest), { recursive: true });
  const tmp = `${dest}.tmp-${process.pid}`;
  copyFileSync(src, tmp);
  renameSync(tmp, dest);
  return "uploaded";
}

export function putText(dest: string, text: string): void {
  if (existsSync(dest) && readFileSync(dest, "utf8") === text) return;
  if (existsSync(dest)) throw new ConflictError(`index: ${dest} exists with different content; refusing to overwrite (a changed build needs a new version)`);
  mkdirSync(dirname(dest), { recursive: true });
  writeFileSync(`${dest}.tmp-${process.pid}`, text);
  renameSync(`${dest}.tmp-${process.pid}`, dest);
}

interface IndexHooks {
  /** Called at each step; tests throw here to simulate a killed publisher. */
  checkpoint?: (point: string) => void;
  log?: (line: string) => void;
}

/**
 * Removes `<file>.tmp-<pid>` copies left in store/files/<version>/ by a publisher killed mid-copy.
 * Called with the index lock held: no live publisher is writing there, so every such file is stale.
 */
function removeStaleTemps(filesDir: string, log?: (line: string) => void): string[] {
  const removed: string[] = [];
  if (!existsSync(filesDir)) return removed;
  for (const v of readdirSync(filesDir, { withFileTypes: true })) {
    if (!v.isDirectory()) continue;
    for (const n of readdirSync(join(filesDir, v.name))) {
      if (!/\.tmp-\d+$/.test(n)) continue;
      rmSync(join(filesDir, v.name, n), { force: true });
      removed.push(join(v.name, n));
      log?.(`index: removed ${join(v.name, n)}, left by a publisher that was stopped mid-copy`);
    }
  }
  return removed;
}

/** Adds a staged release to the index store and regenerates the site. Idempotent. */
export async function addRelease(
  root: string,
  stage: { manifest: ReleaseManifest; notes: string; files: Array<{ fileName: string; path: string; sha256: string; kind: string }> },
  opts: SiteOptions & IndexHooks = {},
): Promise<PublishAction[]> {
  const P = indexPaths(root);
  const v = stage.manifest.plan.version;
  const actions: PublishAction[] = [];
  await withIndexLock(root, async () => {
    const existing = underRoot(P.manifests, [`${v}.json`], `release version ${v}`);
    if (existsSync(existing) && readFileSync(existing, "utf8") !== manifestJson(stage.manifest))
      throw new ConflictError(`index: version ${v} is already published with a different manifest (${existing}); a new build needs a new version`);
    removeStaleTemps(P.files, (l) => opts.log?.(l));
    for (const f of stage.files) {
      opts.checkpoint?.(`index:file:${f.fileName}`);
      const dest = underRoot(P.files, [v, f.fileName], `release ${v} file`);
      actions.push({ target: "index", file: f.fileName, action: await putFile(f.path, dest, f.sha256) });
      if (isWheelKind(f.kind)) putText(`${dest}.metadata`, (await readWheel(f.path)).metadata.toString("utf8"));
    }
    opts.checkpoint?.("index:notes");
    putText(underRoot(P.notes, [`${v}.md`], `release version ${v}`), stage.notes);
    opts.checkpoint?.("index:manifest");
    putText(existing, manifestJson(stage.manifest));
    opts.checkpoint?.("index:regenerate");
    await regenerateLocked(root, opts);
  });
  return actions;
}

/** Removes a release from the index (manifest first, so the index stops listing it at once). */
export async function removeRelease(root: string, version: string, opts: SiteOptions = {}): Promise<void> {
  const P = indexPaths(root);
  await withIndexLock(root, async () => {
    const manifest = underRoot(P.manifests, [`${version}.json`], `release version ${version}`);
    const notes = underRoot(P.notes, [`${version}.md`], `release version ${version}`);
    const files = underRoot(P.files, [version], `release version ${version}`);
    rmSync(manifest, { force: true });
    await regenerateLocked(root, opts);
    rmSync(notes, { force: true });
    rmSync(files, { recursive: true, force: true });
    rmSync(underRoot(P.pruned, [`${version}.json`], `release version ${version}`), { force: true });
  });
}

/** Snapshots retention pruned: their manifests stay, their files are gone, their entries yanked. */
export function listPruned(root: string): PrunedRecord[] {
  const dir = indexPaths(root).pruned;
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => n.endsWith(".json"))
    .sort()
    .map((n) => parseOrExplain(PrunedRecord, JSON.parse(readFileSync(join(dir, n), "utf8")), `pruned record ${join(dir, n)}`));
}

/**
 * Retention: the record first (the site lists the release as yanked from then on), then the
 * files; the manifest, notes and PEP 658 .metadata stay. Idempotent.
 */
export async function pruneReleaseFiles(root: string, record: PrunedRecord, opts: SiteOptions = {}): Promise<void> {
  const P = indexPaths(root);
  await withIndexLock(root, async () => {
    if (!existsSync(join(P.manifests, `${record.version}.json`))) throw new ConflictError(`index: ${record.version} is not published here; nothing to prune`);
    writePrunedRecord(root, record);
    await regenerateLocked(root, opts);
    const dir = join(P.files, record.version);
    for (const name of existsSync(dir) ? readdirSync(dir) : []) if (!name.endsWith(".metadata")) rmSync(join(dir, name), { force: true });
  });
}

/** The pruned record as the store keeps it (also what site-sync copies from GitHub's pruned.json). */
export function writePrunedRecord(root: string, record: PrunedRecord): void {
  const path = join(indexPaths(root).pruned, `${record.version}.json`);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.tmp-${process.pid}`, `${JSON.stringify(record, null, 2)}\n`);
  renameSync(`${path}.tmp-${process.pid}`, path);
}

/**
 * Restore: puts back the files of a pruned release, each checked against the manifest's sha256
 * (and size) under the lock, then drops the record (un-yanks) and regenerates. Nothing is put
 * back unless every artifact matches.
 */
export async function restoreReleaseFiles(
  root: string,
  version: string,
  files: Array<{ fileName: string; path: string }>,
  opts: SiteOptions = {},
): Promise<PublishAction[]> {
  const P = indexPaths(root);
  const actions: PublishAction[] = [];
  await withIndexLock(root, async () => {
    const manifestPath = join(P.manifests, `${version}.json`);
    if (!existsSync(manifestPath)) throw new ConflictError(`index: ${version} is not published here`);
    const m = readManifestFile(manifestPath);
    const byName = new Map(files.map((f) => [f.fileName, f.path]));
    const bad: string[] = [];
    for (const a of m.artifacts) {
      const p = byName.get(a.fileName);
      if (!p || !existsSync(p)) bad.push(`${a.fileName}: not rebuilt`);
      else if (statSync(p).size !== a.size || (await sha256File(p)) !== a.sha256) bad.push(`${a.fileName}: sha256 ${await sha256File(p)} ≠ the manifest's ${a.sha256}`);
    }
    if (bad.length) throw new ConflictError(`index: refusing to restore ${version}, the rebuilt files differ from its manifest:\n${bad.map((b) => `  - ${b}`).join("\n")}`);
    for (const a of m.artifacts) {
      const src = byName.get(a.fileName)!;
      const dest = join(P.files, version, a.fileName);
      actions.push({ target: "index", file: a.fileName, action: await putFile(src, dest, a.sha256) });
      if (isWheelKind(a.kind) && !existsSync(`${dest}.metadata`)) putText(`${dest}.metadata`, (await readWheel(src)).metadata.toString("utf8"));
    }
    rmSync(join(P.pruned, `${version}.json`), { force: true });
    await regenerateLocked(root, opts);
  });
  return actions;
}

export function listIndexManifests(root: string): ReleaseManifest[] {
  const dir = indexPaths(root).manifests;
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => n.endsWith(".json"))
    .sort()
    .map((n) => readManifestFile(join(dir, n)));
}

export async function regenerate(root: string, opts: SiteOptions & IndexHooks = {}): Promise<string> {
  return withIndexLock(root, () => regenerateLocked(root, opts));
}

/**
 * How to serve the site so it never goes stale: from outside the folder, by its link's path
 * (http.server joins --directory with each request, so every request follows the current link).
 * A server started inside `site/` keeps the generation it started in (its working directory),
 * which a later publish replaces and, two generations on, deletes.
 */
export function serveInstruction(root: string): string {
  const site = indexPaths(root).site;
  return `serve the index with: python3 -m http.server --directory ${/^[A-Za-z0-9_.,:/=@+-]+$/.test(site) ? site : `'${site.replace(/'/g, "'\\''")}'`} 8000   (from any folder but the site's own: a server started inside ${site} keeps serving the generation it started in after a republish)`;
}

/** What the live site says about itself (releases.json): only the base URL is read back. */
const PublishedSite = z.object({ baseUrl: HttpUrl.nullable().optional(), indexUrl: z.string().nullable().optional() }).passthrough();

/**
 * The base URL the live site was rendered with (its releases.json), so a regeneration without
 * --base-url (a republish, prune, restore, `site`) keeps the install lines instead of dropping them.
 */
export function publishedBaseUrl(root: string): string | undefined {
  const path = join(indexPaths(root).site, "releases.json");
  if (!existsSync(path)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new CheckFailedError(`index: ${path} is not JSON (${(e as Error).message}); regenerate with --base-url`);
  }
  const site = parseOrExplain(PublishedSite, json, `index: ${path}`);
  if (site.baseUrl) return site.baseUrl;
  // Sites rendered before releases.json carried baseUrl: the index URL is <base>/simple/.
  const m = site.indexUrl ? /^(.*)\/simple\/$/.exec(site.indexUrl) : null;
  return m?.[1] ? parseOrExplain(HttpUrl, m[1], `index: ${path} indexUrl`) : undefined;
}

/** Renders the site from the store into a new generation and swaps the `site` link to it. */
async function regenerateLocked(root: string, given: SiteOptions & IndexHooks): Promise<string> {
  const P = indexPaths(root);
  const kept = given.baseUrl ? undefined : publishedBaseUrl(root);
  if (kept) given.log?.(`index: keeping the published base URL ${kept} (pass --base-url to change it)`);
  const opts: SiteOptions = { ...given, ...(kept ? { baseUrl: kept } : {}) };
  const releases: SiteRelease[] = [];
  const files = new Map<string, SiteFile[]>();
  const pruned = new Map(listPruned(root).map((r) => [r.version, r]));
  for (const m of listIndexManifests(root)) {
    const v = m.plan.version;
    const notesPath = underRoot(P.notes, [`${v}.md`], `release version ${v}`);
    const pr = pruned.get(v);
    releases.push({ manifest: m, notes: existsSync(notesPath) ? readFileSync(notesPath, "utf8") : "", ...(pr ? { pruned: pr } : {}) });
    files.set(
      v,
      m.artifacts.map((a) => {
        const metaPath = underRoot(P.files, [v, `${a.fileName}.metadata`], `release ${v} file`);
        const f: SiteFile = { fileName: a.fileName, sha256: a.sha256, size: a.size, kind: a.kind };
        if (existsSync(metaPath)) {
          const meta = readFileSync(metaPath);
          f.metadataSha256 = sha256Hex(meta);
          const rp = headerValues(meta.toString("utf8"), "Requires-Python")[0];
          if (rp) f.requiresPython = rp;
          const rd = headerValues(meta.toString("utf8"), "Requires-Dist");
          if (rd.length) f.requiresDist = rd;
        }
        return f;
      }),
    );
  }
  const pages = renderSite(releases, files, opts);
  const h = sha256Hasher();
  for (const [k, text] of [...pages].sort(([a], [b]) => (a < b ? -1 : 1))) h.update(`${k}\0${text}\0`);
  for (const m of releases) h.update(manifestJson(m.manifest) + (m.pruned ? JSON.stringify(m.pruned) : ""));
  const gen = h.digest("hex").slice(0, 16);
  const genDir = join(P.generations, gen);
  if (!existsSync(genDir)) {
    const tmp = `${genDir}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    writePages(tmp, pages);
    for (const r of releases) {
      const v = r.manifest.plan.version;
      mkdirSync(join(tmp, "manifests"), { recursive: true });
      writeFileSync(underRoot(join(tmp, "manifests"), [`${v}.json`], `release version ${v}`), manifestJson(r.manifest));
      // Files hosted elsewhere (opts.filesUrl) are not part of the site; a pruned release keeps
      // only its PEP 658 metadata (pip resolves `==<version>`, shows the yank reason, then 404s).
      for (const f of opts.filesUrl ? [] : (files.get(v) ?? [])) {
        const dest = underRoot(tmp, fileUrl(v, f.fileName).split("/"), `release ${v} file`);
        mkdirSync(dirname(dest), { recursive: true });
        const src = underRoot(P.files, [v, f.fileName], `release ${v} file`);
        if (!r.pruned) {
          if (!existsSync(src)) throw new CheckFailedError(`index: ${src} is missing from the store; republish ${v}`);
          linkSync(src, dest); // hard links: a generation costs no copy of the wheels
        }
        if (f.metadataSha256) linkSync(`${src}.metadata`, `${dest}.metadata`);
      }
    }
    renameSync(tmp, genDir);
  }
  swapLink(P.site, join(".generations", gen));
  // Keep the live generation and the one before it (a reader may still be in it).
  const live = new Set([gen]);
  for (const name of readdirSync(P.generations).sort((a, b) => statSync(join(P.generations, b)).mtimeMs - statSync(join(P.generations, a)).mtimeMs)) {
    if (live.has(name)) continue;
    if (live.size < 2 && !name.includes(".tmp-")) live.add(name);
    else rmSync(join(P.generations, name), { recursive: true, force: true });
  }
  return genDir;
}

/**
 * Writes rendered pages (path relative to the site root → text) under `dir`. The paths carry
 * versions and project names from the manifests: every one is checked to stay under `dir`
 * (underRoot) before the first is written.
 */
export function writePages(dir: string, pages: ReadonlyMap<string, string>): void {
  const dests = [...pages].map(([rel, text]) => [underRoot(dir, rel.split("/"), `site page '${rel}'`), text] as const);
  for (const [dest, text] of dests) {
    mkdirSync(dirname(dest), { recursive: true });
    writeFileSync(dest, text);
  }
}

function swapLink(link: string, target: string): void {
  try {
    if (readlinkSync(link) === target) return;
  } catch {
    /* absent, or a plain directory from an older layout */
  }
  if (existsSync(link) && !isSymlink(link)) throw new ConflictError(`index: ${link} is not a symlink; move it away once`);
  const tmp = `${link}.tmp-${process.pid}`;
  rmSync(tmp, { force: true });
  symlinkSync(target, tmp);
  renameSync(tmp, link);
}

const isSymlink = (p: string): boolean => {
  try {
    readlinkSync(p);
    return true;
  } catch {
    return false;
  }
};
