// The static index site as a pure function of the releases: PEP 503 HTML, PEP 691 JSON (with
// PEP 700 fields), PEP 658/714 metadata attributes, PEP 592 yanks, and the dashboard page.
// Output is byte-identical for equal input (no clocks), so reruns converge.
import { ConflictError } from "../errors.js";
import * as pep440 from "@renovatebot/pep440";
import { type PrunedRecord, type ReleaseManifest } from "../schema.js";
import { normalizeProjectName } from "../stage/wheelinfo.js";

export interface SiteFile {
  fileName: string;
  sha256: string;
  size: number;
  kind: string;
  requiresPython?: string;
  /** sha256 of the file's METADATA, served at <file>.metadata (PEP 658). */
  metadataSha256?: string;
}

export interface SiteRelease {
  manifest: ReleaseManifest;
  notes: string;
  /** Retention removed the files: every entry is yanked with the record's reason, restorable. */
  pruned?: PrunedRecord;
}

export interface SiteOptions {
  title?: string;
  /** Absolute base of the served site, for the install hint; pages themselves link relatively. */
  baseUrl?: string;
  /** Releases shown in full on the front page; older ones are listed compactly (each has its own page). */
  recent?: number;
  /** Where files live when the site does not host them (GitHub Pages' size limits), e.g.
   * https://github.com/OWNER/REPO/releases/download/v{version}/{file}; <file>.metadata must sit
   * next to each wheel there too (the GitHub publisher uploads it). */
  filesUrl?: string;
}

export const fileUrl = (version: string, fileName: string): string => `files/${version}/${fileName}`;

/** A file's link from a page `up` levels below the site root ("" or "../" or "../../"). */
export const fileHref = (opts: SiteOptions, version: string, fileName: string, up: string): string =>
  opts.filesUrl
    ? opts.filesUrl.replace(/\{version\}/g, encodeURIComponent(version)).replace(/\{file\}/g, encodeURIComponent(fileName))
    : `${up}${fileUrl(version, fileName)}`;

export const esc = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");

/** PEP 592: a yank key is a file name, the version, or "*" (the whole release). */
export function yankReason(m: ReleaseManifest, fileName: string): string | undefined {
  return m.yanked[fileName] ?? m.yanked[m.plan.version] ?? m.yanked["*"];
}

/** PEP 440 order; plain string order when either is not a PEP 440 version. */
export const compareIndexVersions = (a: string, b: string): number =>
  pep440.valid(a) && pep440.valid(b) ? pep440.compare(a, b) : a < b ? -1 : a > b ? 1 : 0;

const cmpVersionDesc = (a: SiteRelease, b: SiteRelease): number => compareIndexVersions(b.manifest.plan.version, a.manifest.plan.version);

interface ProjectFile {
  release: ReleaseManifest;
  file: SiteFile;
  /** PEP 592 reason, or undefined when not yanked. */
  yanked: string | undefined;
}

/** The yank reason of a file: the manifest's own yank first, else the pruned record's. */
export const siteYankReason = (r: SiteRelease, fileName: string): string | undefined => yankReason(r.manifest, fileName) ?? r.pruned?.reason;

/** The projects of the index: wheels under the distribution, dev wheels under the dev distribution. */
function projects(releases: SiteRelease[], files: ReadonlyMap<string, SiteFile[]>): Map<string, ProjectFile[]> {
  const out = new Map<string, ProjectFile[]>();
  for (const r of releases) {
    for (const f of files.get(r.manifest.plan.version) ?? []) {
      if (f.kind !== "wheel" && f.kind !== "dev-wheel") continue;
      const name = normalizeProjectName(f.kind === "wheel" ? r.manifest.plan.distribution : r.manifest.plan.devDistribution);
      if (!out.has(name)) out.set(name, []);
      out.get(name)!.push({ release: r.manifest, file: f, yanked: siteYankReason(r, f.fileName) });
    }
  }
  for (const list of out.values()) list.sort((a, b) => (a.file.fileName < b.file.fileName ? -1 : a.file.fileName > b.file.fileName ? 1 : 0));
  return out;
}

function projectHtml(name: string, list: ProjectFile[], opts: SiteOptions): string {
  const links = list.map(({ release, file, yanked: y }) => {
    const attrs = [`href="${esc(fileHref(opts, release.plan.version, file.fileName, "../../"))}#sha256=${file.sha256}"`];
    if (file.requiresPython) attrs.push(`data-requires-python="${esc(file.requiresPython)}"`);
    if (file.metadataSha256)
      attrs.push(`data-dist-info-metadata="sha256=${file.metadataSha256}"`, `data-core-metadata="sha256=${file.metadataSha256}"`);
    if (y !== undefined) attrs.push(`data-yanked="${esc(y)}"`);
    return `    <a ${attrs.join(" ")}>${esc(file.fileName)}</a><br/>`;
  });
  return [
    "<!DOCTYPE html>",
    "<html>",
    "  <head>",
    '    <meta name="pypi:repository-version" content="1.1">',
    `    <title>Links for ${esc(name)}</title>`,
    "  </head>",
    "  <body>",
    `    <h1>Links for ${esc(name)}</h1>`,
    ...links,
    "  </body>",
    "</html>",
    "",
  ].join("\n");
}

function projectJson(name: string, list: ProjectFile[], opts: SiteOptions): string {
  const versions = [...new Set(list.map((p) => p.release.plan.version))];
  versions.sort(compareIndexVersions);
  const files = list.map(({ release, file, yanked: y }) => {
    return {
      filename: file.fileName,
      url: fileHref(opts, release.plan.version, file.fileName, "../../"),
      hashes: { sha256: file.sha256 },
      ...(file.requiresPython ? { "requires-python": file.requiresPython } : {}),
      ...(file.metadataSha256 ? { "core-metadata": { sha256: file.metadataSha256 }, "dist-info-metadata": { sha256: file.metadataSha256 } } : {}),
      yanked: y === undefined ? false : y || true,
      size: file.size,
    };
  });
  return `${JSON.stringify({ meta: { "api-version": "1.1" }, name, versions, files }, null, 1)}\n`;
}

function rootHtml(names: string[]): string {
  return [
    "<!DOCTYPE html>",
    "<html>",
    "  <head>",
    '    <meta name="pypi:repository-version" content="1.1">',
    "    <title>Simple index</title>",
    "  </head>",
    "  <body>",
    ...names.map((n) => `    <a href="${esc(n)}/">${esc(n)}</a><br/>`),
    "  </body>",
    "</html>",
    "",
  ].join("\n");
}

const githubWeb = (repository: string): string | undefined => {
  const m = /github\.com[/:]([^/]+\/[^/]+?)(\.git)?\/?$/.exec(repository);
  return m ? `https://github.com/${m[1]}` : undefined;
};

/** The front page (newest releases in full, older ones compactly) and one page per release. */
function dashboardPages(releases: SiteRelease[], files: ReadonlyMap<string, SiteFile[]>, opts: SiteOptions): Map<string, string> {
  const title = opts.title ?? "MLIR Python bindings";
  const sorted = [...releases].sort(cmpVersionDesc);
  const dist = sorted[0]?.manifest.plan.distribution ?? "mlir-python-bindings";
  const indexUrl = opts.baseUrl ? `${opts.baseUrl.replace(/\/$/, "")}/simple/` : "simple/";
  const section = (r: SiteRelease, up: string): string => {
    const p = r.manifest.plan;
    const fl = files.get(p.version) ?? [];
    const byName = new Map(r.manifest.artifacts.map((a) => [a.fileName, a]));
    const pythons = [...new Set(p.matrix.map((m) => m.python))].sort();
    const platforms = [...new Set(p.matrix.map((m) => m.platform))].sort();
    const web = githubWeb(p.llvm.repository);
    const commit = web
      ? `<a href="${esc(`${web}/commit/${p.llvm.commit}`)}"><code>${esc(p.llvm.commit.slice(0, 12))}</code></a>`
      : `<code>${esc(p.llvm.commit.slice(0, 12))}</code>`;
    const rows = platforms.map((pl) => {
      const cells = pythons.map((py) => {
        const hits = fl.filter((f) => {
          const a = byName.get(f.fileName);
          return f.kind === "wheel" && a?.platform === pl && a?.python === py;
        });
        if (!hits.length) return '<td class="none">–</td>';
        return `<td>${hits.map((f) => `<a class="wheel" href="${esc(fileHref(opts, p.version, f.fileName, up))}" title="sha256 ${f.sha256}">wheel</a>`).join(" ")}</td>`;
      });
      return `<tr><th>${esc(pl)}</th>${cells.join("")}</tr>`;
    });
    const others = fl
      .filter((f) => f.kind !== "wheel")
      .map((f) => `<li><a href="${esc(fileHref(opts, p.version, f.fileName, up))}">${esc(f.fileName)}</a> (${esc(f.kind)}, ${f.size} bytes)</li>`);
    const yankedAll = r.manifest.yanked[p.version] ?? r.manifest.yanked["*"];
    const restorable = r.pruned
      ? ` <span class="restorable" title="${esc(r.pruned.reason)}">files pruned ${esc(r.pruned.prunedOn)}, restorable: <code>mlir-release restore ${esc(p.version)}</code></span>`
      : "";
    return [
      `<section class="release ${p.kind}" id="v${esc(p.version)}">`,
      `<h2>${esc(p.version)} <span class="kind">${p.kind === "snapshot" ? "snapshot" : "release"}</span>${yankedAll !== undefined ? ` <span class="yanked">yanked: ${esc(yankedAll)}</span>` : ""}${restorable}</h2>`,
      `<p>LLVM ${esc(p.llvm.version)}${p.llvm.tag ? ` (${esc(p.llvm.tag)})` : ""}, commit ${commit}, ${esc(p.llvm.commitDate)} · <a href="${up}manifests/${esc(p.version)}.json">manifest</a> · <a href="${up}releases/${esc(p.version)}.html">page</a></p>`,
      `<table class="matrix"><thead><tr><th>platform</th>${pythons.map((py) => `<th>Python ${esc(py)}</th>`).join("")}</tr></thead><tbody>${rows.join("")}</tbody></table>`,
      others.length ? `<ul class="other">${others.join("")}</ul>` : "",
      `<details><summary>Release notes</summary><pre>${esc(r.notes)}</pre></details>`,
      "</section>",
    ].join("\n");
  };
  const recent = opts.recent ?? 30;
  const sections = sorted.slice(0, recent).map((r) => section(r, ""));
  const older = sorted.slice(recent).map((r) => {
    const p = r.manifest.plan;
    return `<tr><td><a href="releases/${esc(p.version)}.html">${esc(p.version)}</a></td><td>${p.kind}</td><td><code>${esc(p.llvm.commit.slice(0, 12))}</code></td><td>${(files.get(p.version) ?? []).length}</td></tr>`;
  });
  if (older.length)
    sections.push(`<section id="older"><h2>Older (${older.length})</h2><table><thead><tr><th>version</th><th>kind</th><th>LLVM commit</th><th>files</th></tr></thead><tbody>${older.join("")}</tbody></table></section>`);
  const pages = new Map<string, string>();
  const head = (t: string): string[] => [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    `<title>${esc(t)}</title>`,
    "<style>body{font-family:sans-serif;max-width:70em;margin:2em auto;padding:0 1em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .6em}td.none{color:#999}.kind{font-size:.6em;background:#eef;padding:.1em .4em;border-radius:.3em}.yanked{color:#a00;font-size:.6em}.restorable{color:#850;font-size:.6em}pre{white-space:pre-wrap}</style>",
    "</head>",
    "<body>",
  ];
  for (const r of sorted)
    pages.set(
      `releases/${r.manifest.plan.version}.html`,
      [...head(`${title} ${r.manifest.plan.version}`), `<p><a href="../index.html">all releases</a></p>`, section(r, "../"), "</body>", "</html>", ""].join("\n"),
    );
  pages.set("index.html", [
    ...head(title),
    `<h1>${esc(title)}</h1>`,
    `<p>${sorted.length} published versions. Install: <code>pip install ${esc(dist)} --index-url ${esc(indexUrl)}</code> · <a href="simple/">simple index</a></p>`,
    ...sections,
    "</body>",
    "</html>",
    "",
  ].join("\n"));
  return pages;
}

/** Every text page of the site, by path relative to the site root. */
export function renderSite(releases: SiteRelease[], files: ReadonlyMap<string, SiteFile[]>, opts: SiteOptions = {}): Map<string, string> {
  const out = new Map<string, string>();
  const versions = new Set<string>();
  for (const r of releases) {
    if (versions.has(r.manifest.plan.version)) throw new ConflictError(`site: version ${r.manifest.plan.version} appears twice in the index store; remove the duplicate manifest`);
    versions.add(r.manifest.plan.version);
  }
  const projs = projects(releases, files);
  const names = [...projs.keys()].sort();
  out.set("simple/index.html", rootHtml(names));
  out.set(
    "simple/index.json",
    `${JSON.stringify({ meta: { "api-version": "1.1" }, projects: names.map((name) => ({ name })) }, null, 1)}\n`,
  );
  for (const n of names) {
    out.set(`simple/${n}/index.html`, projectHtml(n, projs.get(n)!, opts));
    out.set(`simple/${n}/index.json`, projectJson(n, projs.get(n)!, opts));
  }
  for (const [k, v] of dashboardPages(releases, files, opts)) out.set(k, v);
  out.set(".nojekyll", "");
  return out;
}
