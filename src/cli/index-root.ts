// The index root a command works on (--index-root, else publish.index.root), shared by site, site-sync, prune and restore.
import { InvalidInputError } from "../errors.js";
import { type ResolvedOptions } from "../schema/options.js";

export const INDEX_ROOT_HELP = "index root, holds store/ and the site link (default: publish.index.root)";

/** The index root of the resolved options, or a one-line error. */
export function indexRootOf(o: ResolvedOptions, command: string): string {
  if (!o.indexRoot) throw new InvalidInputError(`${command}: no --index-root and no publish.index.root in the config`);
  return o.indexRoot;
}
