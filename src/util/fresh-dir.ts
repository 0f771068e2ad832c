// A command's fresh folder under the cache (`<cache>/rebuild/<version>-XXXXXX`) that a refusal takes
// back: inputs are checked before it is made where the command can, and the checks that only the
// work itself can make (a manifest the index lacks, a pin the factory refuses) remove it again, so a
// command refused for bad input leaves nothing behind. Once a command has run (a *.log file is in
// one of them) the folders stay: the log explains the failure, and a build's trees are not thrown away.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { EXIT, toReleaseError } from "../errors.js";

interface FreshDir {
  /** The folder, made on first use (mkdtemp). */
  readonly path: () => string;
  /** Removes the folder and the parents it made (when empty); a no-op before first use. */
  readonly discard: () => void;
  /** The folder this made, if it made one (what discard would remove). */
  readonly made: () => string | undefined;
}

const holdsLog = (dir: string | undefined): boolean =>
  dir !== undefined && existsSync(dir) && readdirSync(dir, { recursive: true }).some((p) => String(p).endsWith(".log"));

/** `path` and each of its ancestors that does not exist yet, nearest first. */
function missingAncestors(path: string): string[] {
  const missing: string[] = [];
  for (let p = resolve(path); !existsSync(p) && dirname(p) !== p; p = dirname(p)) missing.push(p);
  return missing;
}

/** Removes `dir` and then each of `parents` in order while they are empty (another run may use one). */
function removeWithEmptyParents(dir: string, parents: readonly string[]): void {
  rmSync(dir, { recursive: true, force: true });
  for (const p of parents) {
    try {
      rmdirSync(p);
    } catch {
      break; // not empty: another run uses it
    }
  }
}

/** `<parent>/<prefix>XXXXXX`, made when `path()` is first called. */
export function freshDir(parent: string, prefix: string): FreshDir {
  let made: string | undefined;
  let parents: string[] = [];
  return {
    path: () => {
      if (made === undefined) {
        parents = missingAncestors(parent);
        mkdirSync(parent, { recursive: true });
        made = mkdtempSync(join(parent, prefix));
      }
      return made;
    },
    discard: () => {
      if (made !== undefined) removeWithEmptyParents(made, parents);
    },
    made: () => made,
  };
}

/** `path` itself (a --out the user named): `path()` makes it; `discard` removes it, and the parents
 * missing with it, only when it did not exist when newDir was called (whoever made it since). */
export function newDir(path: string): FreshDir {
  const missing = missingAncestors(path);
  return {
    path: () => {
      mkdirSync(path, { recursive: true });
      return path;
    },
    discard: () => {
      const [own, ...parents] = missing;
      if (own !== undefined) removeWithEmptyParents(own, parents);
    },
    made: () => missing[0],
  };
}

/** Runs `work`; when it ends in a refusal of its input (exit 2) or of the disk (too little free
 * space) before any command ran (no log in the folders), the folders it made are taken back. */
export async function refusalLeavesNothing<T>(dirs: readonly FreshDir[], work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    const re = toReleaseError(e);
    if ((re.exitCode === EXIT.badInput || re.code === "disk-space") && !dirs.some((d) => holdsLog(d.made()))) for (const d of dirs) d.discard();
    throw e;
  }
}
