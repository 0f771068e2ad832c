// A command's fresh folder under the cache (`<cache>/rebuild/<version>-XXXXXX`) that a refusal takes
// back: inputs are checked before it is made where the command can, and the checks that only the
// work itself can make (a manifest the index lacks, a pin the factory refuses) remove it again, so a
// command refused for bad input leaves nothing behind.
import { existsSync, mkdirSync, mkdtempSync, rmdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { EXIT, toReleaseError } from "../errors.js";

export interface FreshDir {
  /** The folder, made on first use (mkdtemp). */
  readonly path: () => string;
  /** Removes the folder and the parents it made (when empty); a no-op before first use. */
  readonly discard: () => void;
}

/** `<parent>/<prefix>XXXXXX`, made when `path()` is first called. */
export function freshDir(parent: string, prefix: string): FreshDir {
  let made: string | undefined;
  const parents: string[] = [];
  return {
    path: () => {
      if (made === undefined) {
        for (let p = resolve(parent); !existsSync(p) && dirname(p) !== p; p = dirname(p)) parents.push(p);
        mkdirSync(parent, { recursive: true });
        made = mkdtempSync(join(parent, prefix));
      }
      return made;
    },
    discard: () => {
      if (made === undefined) return;
      rmSync(made, { recursive: true, force: true });
      for (const p of parents) {
        try {
          rmdirSync(p);
        } catch {
          break; // not empty: another run uses it
        }
      }
    },
  };
}

/** `path` itself (a --out the user named), made when `path()` is first called; `discard` removes
 * it only when this made it (it did not exist before). */
export function newDir(path: string): FreshDir {
  let made = false;
  const parents: string[] = [];
  return {
    path: () => {
      if (!made && !existsSync(path)) {
        for (let p = resolve(path); !existsSync(p) && dirname(p) !== p; p = dirname(p)) parents.push(p);
        mkdirSync(path, { recursive: true });
        made = true;
      }
      return path;
    },
    discard: () => {
      if (!made) return;
      rmSync(path, { recursive: true, force: true });
      for (const p of parents.slice(1)) {
        try {
          rmdirSync(p);
        } catch {
          break;
        }
      }
    },
  };
}

/** Runs `work`; when it ends in a refusal of its input (exit 2), the fresh folders are taken back. */
export async function refusalLeavesNothing<T>(dirs: readonly FreshDir[], work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (toReleaseError(e).exitCode === EXIT.badInput) for (const d of dirs) d.discard();
    throw e;
  }
}
