// Types of resolve-core.js (plain JavaScript so the dashboard can embed its exact bytes; see there).

/** One release as releases.json publishes it (oldest first, in PEP 440 order). */
export interface ReleaseListEntry {
  version: string;
  kind: "snapshot" | "numbered";
  commit: string;
  /** The snapshot's day, or the LLVM commit's day for a numbered release (YYYY-MM-DD). */
  date: string;
  /** The manifest yanked the whole release (broken): never the answer to a date. */
  yanked?: string | null;
  /** Retention pruned its files: still an answer, restorable. */
  pruned?: boolean;
}

export type SearchAnswer<E extends ReleaseListEntry = ReleaseListEntry> =
  | { kind: "commit"; query: string; hits: E[] }
  | { kind: "date"; query: string; hits: E[] }
  | { kind: "version"; query: string; hits: E[] }
  | { kind: "error"; query: string; message: string };

/**
 * `query` is an LLVM commit or prefix (7–40 hex digits: every release built from it), a day
 * YYYY-MM-DD (the newest snapshot made on or before it, then the newest numbered release whose
 * LLVM commit is of that day or earlier; neither yanked by its manifest), or an exact version.
 * `entries` must be oldest first.
 */
export declare function searchReleases<E extends ReleaseListEntry>(entries: readonly E[], query: string): SearchAnswer<E>;
