// The package index of the site: PEP 503 HTML and PEP 691 JSON (with PEP 700 fields) per project,
// PEP 658/714 metadata attributes, PEP 592 yanks. Pure: the same releases give the same bytes.
import { isWheelKind, wheelProject } from "../schema/artifact.js";
import { type ReleaseManifest } from "../schema/manifest.js";
import { normalizeProjectName } from "../stage/wheelinfo.js";
import { compareIndexVersions, esc, fileHref, type SiteFile, type SiteOptions, type SiteRelease, siteYankReason } from "./site-input.js";

interface ProjectFile {
  release: ReleaseManifest;
  file: SiteFile;
  /** PEP 592 reason, or undefined when not yanked. */
  yanked: string | undefined;
}

/** The projects of the index: wheels under the distribution, native wheels under <distribution>-native, dev wheels under the dev distribution. */
function projects(releases: SiteRelease[], files: ReadonlyMap<string, SiteFile[]>): Map<string, ProjectFile[]> {
  const out = new Map<string, ProjectFile[]>();
  for (const r of releases) {
    for (const f of files.get(r.manifest.plan.version) ?? []) {
      if (!isWheelKind(f.kind)) continue;
      const name = normalizeProjectName(wheelProject(f.kind, r.manifest.plan, f.fileName));
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

/** The simple index's pages: the root (HTML and JSON) and each project's, by path relative to the site root. */
export function simpleIndexPages(releases: SiteRelease[], files: ReadonlyMap<string, SiteFile[]>, opts: SiteOptions): Map<string, string> {
  const out = new Map<string, string>();
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
  return out;
}
