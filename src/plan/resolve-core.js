// The lookup a downstream user runs to find the build to pin — which release holds an LLVM commit
// (a prefix), which snapshot was current on a day — as ONE self-contained function over the
// published release list. `resolve` (src/plan/release-queries.ts) calls it in Node; the dashboard embeds
// this file's own text (src/site/render.ts) and runs it in the browser on the site's releases.json.
// Plain JavaScript (types in resolve-core.d.ts), so the page's bytes are this file's bytes and do
// not depend on how a TypeScript runner transpiled it: no imports, nothing outside the function.

/**
 * `query` is an LLVM commit or prefix (7–40 hex digits: every release built from it), a day
 * YYYY-MM-DD (the newest snapshot made on or before it, then the newest numbered release whose
 * LLVM commit is of that day or earlier; neither yanked by its manifest), or an exact version.
 * `entries` must be oldest first.
 */
export function searchReleases(entries, query) {
  const q = String(query).trim().toLowerCase();
  if (/^[0-9a-f]{7,40}$/.test(q)) {
    const hits = entries.filter((e) => e.commit.startsWith(q));
    const commits = hits.map((e) => e.commit).filter((c, i, all) => all.indexOf(c) === i);
    if (commits.length > 1) return { kind: "error", query: q, message: `'${q}' is ambiguous: it prefixes ${commits.join(", ")}` };
    return { kind: "commit", query: q, hits };
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(q)) {
    const best = {};
    for (const e of entries) if (!e.yanked && e.date <= q) best[e.kind] = e;
    return { kind: "date", query: q, hits: [best.snapshot, best.numbered].filter(Boolean) };
  }
  const exact = entries.filter((e) => e.version === q);
  if (exact.length) return { kind: "version", query: q, hits: exact };
  return { kind: "error", query: q, message: `'${q}': type an LLVM commit (7 to 40 hex digits), a day YYYY-MM-DD or a version` };
}
