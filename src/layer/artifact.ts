// The installed layer as an artifact: one tar.zst per layer key, so a build whose
// (commit, platform, options hash) was built before restores the layer instead of building it
// (a `.postN` rebuild, a Python added to a release, a `rebuild` check, a numbered release on a
// snapshot's commit). A store is a directory: the local cache, or one that CI restores and saves
// (actions/cache keyed by the layer key, or the assets of a dedicated layer release downloaded
// into it). Every archive has a sha256 sidecar, checked before anything is extracted.
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { z } from "zod";
import type { ExecEnv } from "../exec/env.js";
import { InvalidInputError } from "../errors.js";
import { sha256File } from "../util/hash.js";

/** A layer key as sourceLayerKey makes it: `<platform>-<16 hex>`; anything else never becomes a path. */
export const LayerKey = z.string().regex(/^[a-z0-9_]+(-[a-z0-9_]+)*-[0-9a-f]{16}$/, "a layer key <platform>-<16 hex>");

export const LayerArtifactRecord = z
  .object({ key: LayerKey, file: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/), bytes: z.number().int().nonnegative() })
  .strict();
export type LayerArtifactRecord = z.infer<typeof LayerArtifactRecord>;

export class LayerArtifactDigestError extends InvalidInputError {
  override name = "LayerArtifactDigestError";
}

export const layerArchiveName = (key: string): string => `mlir-release-layer-${LayerKey.parse(key)}.tar.zst`;

export interface LayerStore {
  readonly root: string;
  /** The archive of `key`, verified against its record, or undefined when the store has none. */
  find(key: string): Promise<string | undefined>;
  /** Adds an archive (atomically: the record is written last). */
  put(key: string, archive: string): Promise<LayerArtifactRecord>;
}

export function dirLayerStore(root: string): LayerStore {
  const recordOf = (key: string): string => join(root, `${layerArchiveName(key)}.json`);
  return {
    root,
    async find(key) {
      const recFile = recordOf(key);
      if (!existsSync(recFile)) return undefined;
      const rec = LayerArtifactRecord.parse(JSON.parse(readFileSync(recFile, "utf8")));
      const file = join(root, layerArchiveName(key));
      if (rec.key !== key || rec.file !== layerArchiveName(key) || !existsSync(file)) return undefined;
      const got = await sha256File(file);
      if (got !== rec.sha256) {
        throw new LayerArtifactDigestError(
          `layer archive ${file}: sha256 is ${got}, its record says ${rec.sha256}; delete both files to rebuild the layer`,
        );
      }
      return file;
    },
    async put(key, archive) {
      mkdirSync(root, { recursive: true });
      const file = join(root, layerArchiveName(key));
      if (archive !== file) {
        copyFileSync(archive, `${file}.tmp`);
        renameSync(`${file}.tmp`, file);
      }
      const { size } = statSync(file);
      const rec: LayerArtifactRecord = { key, file: layerArchiveName(key), sha256: await sha256File(file), bytes: size };
      writeFileSync(`${recordOf(key)}.tmp`, `${JSON.stringify(rec, null, 2)}\n`);
      renameSync(`${recordOf(key)}.tmp`, recordOf(key));
      return rec;
    },
  };
}

/** argv of a deterministic archive of an install tree (sorted names, fixed owner and mtime). */
export function packLayerArgv(installDir: string, out: string, mtime: number): string[] {
  return [
    "tar",
    "--sort=name",
    `--mtime=@${mtime}`,
    "--owner=0",
    "--group=0",
    "--numeric-owner",
    "--format=gnu",
    "-I",
    "zstd -T0 -10 -q",
    "-cf",
    out,
    "-C",
    installDir,
    "--",
    ".",
  ];
}

/** Packs installDir into the store under key. */
export async function saveLayer(env: ExecEnv, store: LayerStore, key: string, installDir: string, mtime: number): Promise<LayerArtifactRecord> {
  mkdirSync(store.root, { recursive: true });
  const tmp = join(store.root, `${layerArchiveName(key)}.packing`);
  rmSync(tmp, { force: true });
  await env.run(packLayerArgv(installDir, tmp, mtime));
  const rec = await store.put(key, tmp);
  rmSync(tmp, { force: true });
  return rec;
}

/** Extracts the stored archive of key into installDir; false when the store has none. */
export async function restoreLayer(env: ExecEnv, store: LayerStore, key: string, installDir: string): Promise<boolean> {
  const archive = await store.find(key);
  if (!archive) return false;
  const tmp = `${installDir}.restoring`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  await env.run(["tar", "-I", "zstd -q", "-xf", archive, "-C", tmp]);
  rmSync(installDir, { recursive: true, force: true });
  mkdirSync(dirname(installDir), { recursive: true });
  renameSync(tmp, installDir);
  return true;
}
