// The static index site as a pure function of the releases: the package index (simple-index.ts:
// PEP 503 HTML, PEP 691 JSON with PEP 700 fields, PEP 658/714 metadata attributes, PEP 592 yanks)
// and the dashboard (dashboard.ts). Output is byte-identical for equal input (no clocks), so reruns converge.
import { ConflictError } from "../errors.js";
import { dashboardPages } from "./dashboard.js";
import { simpleIndexPages } from "./simple-index.js";
import type { SiteFile, SiteOptions, SiteRelease } from "./site-input.js";

/** Every text page of the site, by path relative to the site root. */
export function renderSite(releases: SiteRelease[], files: ReadonlyMap<string, SiteFile[]>, opts: SiteOptions = {}): Map<string, string> {
  const out = new Map<string, string>();
  const versions = new Set<string>();
  for (const r of releases) {
    if (versions.has(r.manifest.plan.version)) throw new ConflictError(`site: version ${r.manifest.plan.version} appears twice in the index store; remove the duplicate manifest`);
    versions.add(r.manifest.plan.version);
  }
  for (const [k, v] of simpleIndexPages(releases, files, opts)) out.set(k, v);
  for (const [k, v] of dashboardPages(releases, files, opts)) out.set(k, v);
  out.set(".nojekyll", "");
  return out;
}
