// Free space before a long job writes gigabytes: a build that runs out of disk fails late, in a step
// that has nothing to do with the disk (an install, a zip), and leaves a half-written folder behind.
import { existsSync, lstatSync, readdirSync, statfsSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { CheckFailedError } from "../errors.js";

/** Not enough free space where a job writes (exit 3, like any failed check). */
export class DiskSpaceError extends CheckFailedError {
  override name = "DiskSpaceError";
  override readonly code = "disk-space";
}

const GB = 1e9;
const gb = (bytes: number): string => `${(bytes / GB).toFixed(1)} GB`;

/** `path`, or its nearest parent that exists (a folder the job has yet to make). */
const existing = (path: string): string => {
  let p = resolve(path);
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  return p;
};

/** Bytes free on the file system that holds `path` (to this user on POSIX; Windows reports the volume's). */
export function freeBytes(path: string): number {
  const s = statfsSync(existing(path));
  return s.bavail * s.bsize;
}

/** What a job will write, and where: one entry per folder (folders on one file system are added up). */
export interface SpaceNeed {
  path: string;
  bytes: number;
  /** What the bytes are for, in a few words ("2 Python builds, the dev distribution"). */
  what: string;
}

/**
 * Refuses to start when a file system lacks the space its folders will take: one line naming the
 * folder, what is free, what is needed and for what, and what to do.
 */
export function requireFreeSpace(needs: readonly SpaceNeed[], advice: string, free: (path: string) => number = freeBytes): void {
  const byDevice = new Map<number, { free: number; bytes: number; paths: string[]; what: string[] }>();
  for (const n of needs) {
    if (n.bytes <= 0) continue;
    const dev = statSync(existing(n.path)).dev;
    const e = byDevice.get(dev) ?? { free: free(n.path), bytes: 0, paths: [], what: [] };
    e.bytes += n.bytes;
    e.paths.push(n.path);
    e.what.push(n.what);
    byDevice.set(dev, e);
  }
  // Every short file system in the one line: a user learns all of them from one run.
  const short = [...byDevice.values()].filter((e) => e.free < e.bytes);
  if (short.length) {
    const each = short.map((e) => `${e.paths.join(", ")}: ${gb(e.free)} free, about ${gb(e.bytes)} needed (${e.what.join("; ")})`);
    throw new DiskSpaceError(`${each.join("; and ")}; free some space or ${advice}`);
  }
}

/**
 * Bytes of the files under `path` (symbolic links not followed; 0 when it does not exist). What
 * cannot be read, or vanishes while another run writes, counts 0: the figure only lowers a need.
 */
export function dirBytes(path: string): number {
  try {
    const st = lstatSync(path);
    if (!st.isDirectory()) return st.isFile() ? st.size : 0;
    let total = 0;
    for (const e of readdirSync(path)) total += dirBytes(join(path, e));
    return total;
  } catch {
    return 0;
  }
}
