// The release directory: artifacts, manifest.json, SHA256SUMS and RELEASE_NOTES.md, written
// only after every check passed, into a temporary directory renamed into place.
import { existsSync, linkSync, copyFileSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { InvalidInputError } from "../errors.js";
import { isWheelKind } from "../schema/artifact.js";
import { ReleaseManifest } from "../schema/manifest.js";
import { readJsonAs } from "../util/json-input.js";
import { creatableDir, existingDir, underRoot } from "../util/paths.js";
import { checkRelease, mergeManifests, type ObservedFile, parseSha256Sums, renderSha256Sums, StageRefusedError } from "./check.js";
import { renderReleaseNotes } from "./notes.js";
import { runtimeDependencies } from "../plan/install.js";
import { readWheel } from "./wheelinfo.js";
import { MANIFEST_FILE, manifestJson } from "../plan/manifest.js";
import { sha256File, sha256Hex } from "../util/hash.js";

const SUMS = "SHA256SUMS";
export const NOTES = "RELEASE_NOTES.md";

// The streaming file digest lives with the source tree's; re-exported for the site store.

export function readManifestFile(path: string): ReleaseManifest {
  return readJsonAs(ReleaseManifest, path, "manifest");
}

async function observe(dir: string, manifest: ReleaseManifest): Promise<Map<string, ObservedFile>> {
  const files = new Map<string, ObservedFile>();
  for (const a of manifest.artifacts) {
    const p = underRoot(dir, [a.fileName], `artifact ${a.fileName}`);
    if (files.has(a.fileName) || !existsSync(p)) continue;
    const o: ObservedFile = { sha256: await sha256File(p), size: statSync(p).size };
    if (isWheelKind(a.kind)) {
      try {
        const w = await readWheel(p);
        o.wheel = { name: w.name, version: w.version, tags: w.tags, requiresDist: w.requiresDist };
      } catch (e) {
        o.wheelError = (e as Error).message;
      }
    }
    files.set(a.fileName, o);
  }
  return files;
}

/** The per-Python wheels' run-time dependencies outside our distributions (what the notes say pip brings). */
const stagedDependencies = (manifest: ReleaseManifest, observed: ReadonlyMap<string, ObservedFile>): string[] =>
  runtimeDependencies(manifest.artifacts.filter((a) => a.kind === "wheel").flatMap((a) => observed.get(a.fileName)?.wheel?.requiresDist ?? []), manifest.plan.distribution);

interface StageInput {
  manifests: ReleaseManifest[];
  artifactsDir: string;
  outDir: string;
  previous?: ReleaseManifest;
}

/** Stages a release; an existing stage with the same content is accepted, a different one refused. */
export async function writeStage(input: StageInput): Promise<{ dir: string; manifest: ReleaseManifest; reused: boolean }> {
  const outDir = creatableDir(input.outDir, "--out");
  existingDir(input.artifactsDir, "--artifacts");
  const manifest = mergeManifests(input.manifests, outDir);
  const observed = await observe(input.artifactsDir, manifest);
  const problems = checkRelease(manifest, observed);
  if (problems.length) throw new StageRefusedError(`release ${manifest.plan.version}`, problems);
  const texts: Record<string, string> = {
    [MANIFEST_FILE]: manifestJson(manifest),
    [NOTES]: renderReleaseNotes(manifest, input.previous, { dependencies: stagedDependencies(manifest, observed) }),
  };
  // PEP 658: each wheel's METADATA beside it, so any host of the wheels can serve <wheel>.metadata.
  const metadata: Record<string, Buffer> = {};
  for (const a of manifest.artifacts)
    if (isWheelKind(a.kind)) metadata[`${a.fileName}.metadata`] = (await readWheel(join(input.artifactsDir, a.fileName))).metadata;
  texts[SUMS] = renderSha256Sums([
    ...manifest.artifacts,
    ...Object.entries(metadata).map(([fileName, b]) => ({ fileName, sha256: sha256Hex(b) })),
    { fileName: NOTES, sha256: sha256Hex(texts[NOTES]!) },
  ]);
  if (existsSync(outDir)) {
    const existing = await loadStage(outDir).catch((e: Error) => e);
    if (existing instanceof Error || readFileSync(join(outDir, MANIFEST_FILE), "utf8") !== texts[MANIFEST_FILE])
      throw new StageRefusedError(`release ${manifest.plan.version}`, [
        `${outDir} already holds a different stage${existing instanceof Error ? ` (${existing.message.split("\n")[0]})` : ""}; remove it or choose another --out`,
      ]);
    return { dir: outDir, manifest, reused: true };
  }
  const tmp = `${outDir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  for (const a of manifest.artifacts) {
    const src = underRoot(input.artifactsDir, [a.fileName], `artifact ${a.fileName}`);
    const dest = underRoot(tmp, [a.fileName], `artifact ${a.fileName}`);
    try {
      linkSync(src, dest); // same bytes, no copy of 60 MB wheels
    } catch {
      copyFileSync(src, dest);
    }
  }
  for (const [name, text] of Object.entries(texts)) writeFileSync(join(tmp, name), text);
  for (const [name, bytes] of Object.entries(metadata)) writeFileSync(join(tmp, name), bytes);
  // Re-verify what landed in tmp (a file could change between hashing and linking).
  await loadStage(tmp);
  renameSync(tmp, outDir);
  return { dir: outDir, manifest, reused: false };
}

export interface StagedFile {
  fileName: string;
  path: string;
  sha256: string;
  size: number;
  kind: string;
}

export interface LoadedStage {
  dir: string;
  manifest: ReleaseManifest;
  notes: string;
  /** Every file to publish (artifacts), absolute paths, in manifest order. */
  files: StagedFile[];
  /** <wheel>.metadata files (PEP 658), for hosts that serve the wheels themselves. */
  metadata: StagedFile[];
  /** SHA256SUMS then manifest.json: sent last, so a host that has the manifest has the whole release. */
  records: StagedFile[];
}

/** Reads a stage and re-verifies every byte against the manifest and SHA256SUMS. */
export async function loadStage(dir: string): Promise<LoadedStage> {
  existingDir(dir, "stage");
  if (!existsSync(join(dir, MANIFEST_FILE))) throw new InvalidInputError(`stage ${dir}: no ${MANIFEST_FILE}; not a folder made by \`mlir-release stage\``);
  const manifest = readManifestFile(join(dir, MANIFEST_FILE));
  const what = `stage ${dir}`;
  const problems = checkRelease(manifest, await observe(dir, manifest));
  let sums: Map<string, string> = new Map();
  try {
    sums = parseSha256Sums(readFileSync(join(dir, SUMS), "utf8"));
  } catch (e) {
    problems.push(`${SUMS}: ${(e as Error).message}`);
  }
  for (const a of manifest.artifacts)
    if (sums.size && sums.get(a.fileName) !== a.sha256) problems.push(`${SUMS} disagrees with the manifest on ${a.fileName}`);
  const notes = existsSync(join(dir, NOTES)) ? readFileSync(join(dir, NOTES), "utf8") : "";
  const notesSum = sums.get(NOTES);
  if (notesSum && notesSum !== sha256Hex(notes)) problems.push(`${NOTES} was changed after staging`);
  const read = (fileName: string, kind: string): StagedFile => {
    const path = underRoot(dir, [fileName], `staged file ${fileName}`);
    const bytes = readFileSync(path);
    return { fileName, path, sha256: sha256Hex(bytes), size: bytes.length, kind };
  };
  const metadata: StagedFile[] = [];
  for (const a of manifest.artifacts) {
    if (!isWheelKind(a.kind)) continue;
    const fileName = `${a.fileName}.metadata`;
    if (!existsSync(join(dir, fileName))) continue; // a stage written before PEP 658 files were staged
    const f = read(fileName, "metadata");
    if (sums.get(fileName) !== f.sha256) problems.push(`${fileName} disagrees with ${SUMS}`);
    metadata.push(f);
  }
  if (problems.length) throw new StageRefusedError(what, problems);
  const records = [SUMS, MANIFEST_FILE].map((fileName) => read(fileName, "record"));
  return {
    dir,
    manifest,
    notes,
    metadata,
    records,
    files: manifest.artifacts.map((a) => ({ fileName: a.fileName, path: underRoot(dir, [a.fileName], `staged file ${a.fileName}`), sha256: a.sha256, size: a.size, kind: a.kind })),
  };
}
