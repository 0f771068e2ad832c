// The lookup a downstream user runs to find the build to pin — which release holds an LLVM commit
// (a prefix), which snapshot was current on a day — as ONE self-contained function over the
// published release list. `resolve` (src/plan/resolve.ts) calls it in Node; the dashboard embeds
// the same function's source (Function.prototype.toString) and runs it in the browser on the
// site's releases.json. So it must not reference anything outside its own body: no imports, no
// module-level helpers, plain ES2020.

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
 * YYYY-MM-DD (the newest snapshot made on or before it, not yanked by its manifest), or an exact
 * version. `entries` must be oldest first. Pure and self-contained (see the file comment).
 */
export function searchReleases<E extends ReleaseListEntry>(entries: readonly E[], query: string): SearchAnswer<E> {
  const q = String(query).trim().toLowerCase();
  if (/^[0-9a-f]{7,40}$/.test(q)) {
    const hits = entries.filter((e) => e.commit.startsWith(q));
    const commits = hits.map((e) => e.commit).filter((c, i, all) => all.indexOf(c) === i);
    if (commits.length > 1) return { kind: "error", query: q, message: `'${q}' is ambiguous: it prefixes ${commits.join(", ")}` };
    return { kind: "commit", query: q, hits };
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(q)) {
    let best: E | undefined;
    for (const e of entries) if (e.kind === "snapshot" && !e.yanked && e.date <= q) best = e;
    return { kind: "date", query: q, hits: best ? [best] : [] };
  }
  const exact = entries.filter((e) => e.version === q);
  if (exact.length) return { kind: "version", query: q, hits: exact };
  return { kind: "error", query: q, message: `'${q}': type an LLVM commit (7 to 40 hex digits), a day YYYY-MM-DD or a version` };
}
