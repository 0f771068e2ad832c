// The static index site as a pure function of the releases: PEP 503 HTML, PEP 691 JSON (with
// PEP 700 fields), PEP 658/714 metadata attributes, PEP 592 yanks, and the dashboard page.
// Output is byte-identical for equal input (no clocks), so reruns converge.
import { readFileSync } from "node:fs";
import { ConflictError } from "../errors.js";
import * as pep440 from "@renovatebot/pep440";
import { releaseListOf } from "../plan/release-queries.js";
import type { ReleaseListEntry } from "../plan/resolve-core.js";
import { isWheelKind, wheelProject } from "../schema/artifact.js";
import { type ReleaseManifest } from "../schema/manifest.js";
import { type PrunedRecord } from "../schema/publish.js";
import { normalizeProjectName } from "../stage/wheelinfo.js";
import { hashedInstallCommands, hashedRequirements, indexInstallLine, pylockToml, runtimeDependencies, simpleUrlOf, type PinnedDistribution } from "../plan/install.js";
import { knownLitFailure } from "../verify/lit-known.js";
import { toolsDistribution } from "../platforms/tags.js";

export interface SiteFile {
  fileName: string;
  sha256: string;
  size: number;
  kind: string;
  requiresPython?: string;
  /** sha256 of the file's METADATA, served at <file>.metadata (PEP 658). */
  metadataSha256?: string;
  /** The wheel's Requires-Dist (from its METADATA): what the install lines say about dependencies. */
  requiresDist?: string[];
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
const fileHref = (opts: SiteOptions, version: string, fileName: string, up: string): string =>
  opts.filesUrl
    ? opts.filesUrl.replace(/\{version\}/g, encodeURIComponent(version)).replace(/\{file\}/g, encodeURIComponent(fileName))
    : `${up}${fileUrl(version, fileName)}`;

const esc = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");

/** PEP 592: a yank key is a file name, the version, or "*" (the whole release). */
function yankReason(m: ReleaseManifest, fileName: string): string | undefined {
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
const siteYankReason = (r: SiteRelease, fileName: string): string | undefined => yankReason(r.manifest, fileName) ?? r.pruned?.reason;

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

const githubWeb = (repository: string): string | undefined => {
  const m = /github\.com[/:]([^/]+\/[^/]+?)(\.git)?\/?$/.exec(repository);
  return m ? `https://github.com/${m[1]}` : undefined;
};


/** A wheel's lit result as the dashboard shows it: counts, and each failure known (with its reason) or not. */
interface LitSummary {
  passed: number;
  failed: number;
  /** The failures' names when recorded; `reason` set for the known ones (src/verify/lit-known.ts). */
  failures?: Array<{ test: string; reason?: string }>;
}

/** A wheel's lit summary from its manifest verification (lenient: verification is free-form per file). */
function litOf(m: ReleaseManifest, fileName: string): LitSummary | undefined {
  const v = m.verification[fileName] as { lit?: unknown; earlier?: { lit?: unknown } } | undefined;
  const lit = (v?.lit ?? v?.earlier?.lit) as { passed?: unknown; failed?: unknown; failures?: unknown } | null | undefined;
  if (!lit || typeof lit.passed !== "number" || typeof lit.failed !== "number") return undefined;
  const names = Array.isArray(lit.failures) ? lit.failures.filter((f): f is string => typeof f === "string") : [];
  const failures = names.map((test) => {
    const k = knownLitFailure(test);
    return k ? { test, reason: k.reason } : { test };
  });
  return { passed: lit.passed, failed: lit.failed, ...(failures.length ? { failures } : {}) };
}

/** "lit 97 passed, 3 failed — all 3 known: <reason>" (the words the dashboard shows). */
export function litText(l: LitSummary): string {
  const head = `lit ${l.passed} passed, ${l.failed} failed`;
  if (!l.failed) return head;
  const f = l.failures ?? [];
  if (!f.length) return `${head} (failures not itemized)`;
  const known = f.filter((x) => x.reason);
  const reasons = [...new Set(known.map((x) => x.reason!))];
  const unknown = f.filter((x) => !x.reason).map((x) => x.test);
  if (!unknown.length && known.length === l.failed) return `${head} — all ${known.length} known: ${reasons.join("; ")}`;
  return `${head} — ${known.length} known${reasons.length ? ` (${reasons.join("; ")})` : ""}, ${l.failed - known.length} NEW${unknown.length ? `: ${unknown.join(", ")}` : ""}`;
}

/** One release as the dashboard's releases.json publishes it (what searchReleases runs on in the browser). */
export interface DashboardEntry extends ReleaseListEntry {
  llvmVersion: string;
  tag?: string;
  page: string;
  restore?: string;
  pip?: string;
  /** The tools wheel's install line (`<distribution>-tools`: mlir-opt, FileCheck, … on PATH), when the release has one. */
  toolsPip?: string;
  /** The packages built besides the bindings (clang's, …): each one's install line from the index. */
  packagesPip?: string[];
  /** The day (and time) in words: "24 Nov 2026, 00:00 UTC". */
  dateText: string;
  wheels: Array<{ fileName: string; python?: string; platform?: string; size: number; sha256: string; url: string; lit?: LitSummary }>;
  /** The native wheels every per-Python wheel pins (`<distribution>-native==<version>`); empty in bundled releases. */
  nativeWheels: Array<{ fileName: string; platform?: string; size: number; sha256: string; url: string }>;
  /** Run-time dependencies outside our distributions (numpy, …), from the per-Python wheels' METADATA. */
  dependencies: string[];
  /** Mean wheel size (bytes) and the lowest lit pass count over the release's wheels: the trend plot's points. */
  meanWheelBytes?: number;
  litPassed?: number;
}

/** 1.2 GB, 59.7 MB, 4.1 kB, 512 B: file sizes on the dashboard. */
export const humanSize = (n: number): string =>
  n >= 1e9 ? `${(n / 1e9).toFixed(1)} GB` : n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} kB` : `${n} B`;

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
/** "24 Nov 2026" for a day, "24 Nov 2026, 13:05 UTC" for a time; the text itself when it is neither. */
export function humanDate(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.exec(iso);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12) return iso;
  const day = `${Number(m[3])} ${MONTHS[Number(m[2]) - 1]} ${m[1]}`;
  if (m[4] === undefined) return day;
  const zone = !m[6] || m[6] === "Z" || /^[+-]00:?00$/.test(m[6]) ? "UTC" : `UTC${m[6]}`;
  return `${day}, ${m[4]}:${m[5]} ${zone}`;
}

const absoluteIndex = (opts: SiteOptions): string | undefined => (opts.baseUrl ? simpleUrlOf(opts.baseUrl) : undefined);
const absoluteFile = (opts: SiteOptions, version: string, fileName: string): string => {
  const href = fileHref(opts, version, fileName, "");
  return opts.baseUrl ? new URL(href, `${opts.baseUrl.replace(/\/$/, "")}/`).toString() : href;
};

/** The releases.json entries, oldest first (PEP 440), one per release. */
function dashboardEntries(releases: SiteRelease[], files: ReadonlyMap<string, SiteFile[]>, opts: SiteOptions): DashboardEntry[] {
  const byVersion = new Map(releases.map((r) => [r.manifest.plan.version, r]));
  const index = absoluteIndex(opts);
  return releaseListOf(releases.map((r) => r.manifest)).map(({ ref: _ref, ...e }) => {
    const r = byVersion.get(e.version)!;
    const m = r.manifest;
    const arts = new Map(m.artifacts.map((a) => [a.fileName, a]));
    const fl = files.get(e.version) ?? [];
    const wheels = fl
      .filter((f) => f.kind === "wheel")
      .map((f) => {
        const a = arts.get(f.fileName);
        const lit = litOf(m, f.fileName);
        return { fileName: f.fileName, ...(a?.python ? { python: a.python } : {}), ...(a?.platform ? { platform: a.platform } : {}), size: f.size, sha256: f.sha256, url: absoluteFile(opts, e.version, f.fileName), ...(lit ? { lit } : {}) };
      });
    const nativeWheels = fl
      .filter((f) => f.kind === "native-wheel")
      .map((f) => {
        const a = arts.get(f.fileName);
        return { fileName: f.fileName, ...(a?.platform ? { platform: a.platform } : {}), size: f.size, sha256: f.sha256, url: absoluteFile(opts, e.version, f.fileName) };
      });
    const dependencies = runtimeDependencies(fl.filter((f) => f.kind === "wheel").flatMap((f) => f.requiresDist ?? []), m.plan.distribution);
    const lits = wheels.flatMap((w) => (w.lit ? [w.lit.passed] : []));
    return {
      ...e,
      pruned: r.pruned !== undefined,
      llvmVersion: m.plan.llvm.version,
      ...(m.plan.llvm.tag ? { tag: m.plan.llvm.tag } : {}),
      page: `releases/${e.version}.html`,
      ...(r.pruned ? { restore: `mlir-release restore ${e.version}` } : {}),
      ...(index ? { pip: indexInstallLine({ distribution: m.plan.distribution, version: e.version }, index) } : {}),
      ...(index && fl.some((f) => f.kind === "tools-wheel") ? { toolsPip: indexInstallLine({ distribution: toolsDistribution(m.plan.distribution), version: e.version }, index) } : {}),
      ...(index && fl.some((f) => f.kind === "package-wheel")
        ? { packagesPip: [...new Set(fl.filter((f) => f.kind === "package-wheel").map((f) => wheelProject(f.kind, m.plan, f.fileName)))].map((d) => indexInstallLine({ distribution: d, version: e.version }, index)) }
        : {}),
      dateText: humanDate(e.kind === "snapshot" ? e.date : m.plan.llvm.commitDate),
      wheels,
      nativeWheels,
      dependencies,
      ...(wheels.length ? { meanWheelBytes: Math.round(wheels.reduce((n, w) => n + w.size, 0) / wheels.length) } : {}),
      ...(lits.length ? { litPassed: Math.min(...lits) } : {}),
    };
  });
}

/** What pins one release: pip from our index added to PyPI; requirements.txt and pylock.toml (PEP 751) by hash, with the commands that install them. */
interface PinLines {
  pip: string;
  requirements: string;
  requirementsInstall: string[];
  pylock: string;
  pylockInstall: string[];
}

/** The pin lines of one release (every wheel of ours it needs: per-Python and native); absolute URLs only. */
function pinLines(e: DashboardEntry, distribution: string, opts: SiteOptions): PinLines | undefined {
  const index = absoluteIndex(opts);
  if (!index) return undefined;
  const pins: PinnedDistribution[] = [
    { name: distribution, version: e.version, wheels: e.wheels },
    ...(e.nativeWheels.length ? [{ name: `${distribution}-native`, version: e.version, wheels: e.nativeWheels }] : []),
  ];
  return {
    pip: indexInstallLine({ distribution, version: e.version }, index),
    requirements: hashedRequirements(pins, e.dependencies, index),
    requirementsInstall: hashedInstallCommands("requirements.txt", e.dependencies),
    pylock: pylockToml(pins, e.dependencies, index),
    pylockInstall: hashedInstallCommands("pylock.toml", e.dependencies),
  };
}

/** A small inline SVG line plot of one series over the snapshots (oldest → newest); one circle per point. */
export function trendSvg(points: Array<{ label: string; value: number }>, o: { title: string; unit: string; cls: string; format?: (v: number) => string }): string {
  const W = 360;
  const H = 90;
  const pad = 18;
  const fmt = o.format ?? ((v: number) => String(v));
  if (!points.length) return `<p class="trend-empty">${esc(o.title)}: no data yet</p>`;
  const lo = Math.min(...points.map((p) => p.value));
  const hi = Math.max(...points.map((p) => p.value));
  const x = (i: number): number => (points.length === 1 ? W / 2 : pad + (i * (W - 2 * pad)) / (points.length - 1));
  const y = (v: number): number => (hi === lo ? H / 2 : H - pad - ((v - lo) * (H - 2 * pad)) / (hi - lo));
  const xy = points.map((p, i) => `${x(i).toFixed(1)},${y(p.value).toFixed(1)}`);
  return [
    `<figure class="trend ${esc(o.cls)}"><figcaption>${esc(o.title)} (${esc(o.unit)}), ${points.length} snapshot(s): ${esc(fmt(points[0]!.value))} → ${esc(fmt(points.at(-1)!.value))}</figcaption>`,
    `<svg class="trend ${esc(o.cls)}" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(o.title)}">`,
    `<rect x="0" y="0" width="${W}" height="${H}" fill="#fafafa" stroke="#ddd"/>`,
    `<text x="2" y="11" font-size="9" fill="#666">${esc(fmt(hi))}</text><text x="2" y="${H - 3}" font-size="9" fill="#666">${esc(fmt(lo))}</text>`,
    points.length > 1 ? `<polyline fill="none" stroke="#36c" stroke-width="1.5" points="${xy.join(" ")}"/>` : "",
    ...points.map((p, i) => `<circle cx="${xy[i]!.split(",")[0]}" cy="${xy[i]!.split(",")[1]}" r="3" fill="#36c" data-version="${esc(p.label)}"><title>${esc(p.label)}: ${esc(fmt(p.value))}</title></circle>`),
    "</svg></figure>",
  ].join("");
}

// The one searchReleases implementation, as the bytes of its file (not Function.prototype.toString,
// whose text depends on the runner's transpiler: vitest's and tsx's pages differed).
const SEARCH_SOURCE = readFileSync(new URL("../plan/resolve-core.js", import.meta.url), "utf8").replace(/^export function /m, "function ");

// The page's own program is a file too (src/site/assets/dashboard.js), read once like the dev distribution's templates.
const DASHBOARD_SCRIPT = readFileSync(new URL("./assets/dashboard.js", import.meta.url), "utf8");

/** The browser side of the search box: the one searchReleases implementation, then the page's script, both from their files. */
function searchScript(): string {
  return ["<script>", SEARCH_SOURCE, DASHBOARD_SCRIPT, "</script>"].join("\n");
}

/** One release's section of the dashboard (and of its own page): matrix, other files, wheel facts, install and pin lines, notes. */
function releaseSection(r: SiteRelease, up: string, entry: DashboardEntry, files: ReadonlyMap<string, SiteFile[]>, opts: SiteOptions): string {
  const p = r.manifest.plan;
  const mb = humanSize;
  const pins = pinLines(entry, p.distribution, opts);
  const litCell = (l: LitSummary | undefined): string => {
    if (!l) return ' <span class="lit none">lit: not recorded</span>';
    const known = (l.failures ?? []).filter((f) => f.reason);
    const title = (l.failures ?? []).map((f) => `${f.test}${f.reason ? ` (known: ${f.reason})` : " (new)"}`).join("\n");
    const cls = !l.failed ? "lit ok" : known.length === l.failed ? "lit known" : "lit failed";
    return ` <span class="${cls}"${title ? ` title="${esc(title)}"` : ""}>${esc(litText(l))}</span>`;
  };
  const wheelFacts = [
    ...entry.wheels.map(
      (w) =>
        `<li class="wheel-facts" data-file="${esc(w.fileName)}"><code>${esc(w.fileName)}</code> <span class="size">${esc(mb(w.size))}</span>${litCell(w.lit)}<br><span class="sha256">sha256 <code>${w.sha256}</code></span></li>`,
    ),
    ...entry.nativeWheels.map(
      (w) =>
        `<li class="wheel-facts native" data-file="${esc(w.fileName)}"><a href="${esc(fileHref(opts, p.version, w.fileName, up))}"><code>${esc(w.fileName)}</code></a> <span class="size">${esc(mb(w.size))}</span> <span class="role">native part, pinned by every wheel above</span><br><span class="sha256">sha256 <code>${w.sha256}</code></span></li>`,
    ),
  ];
  const cmds = (lines: string[], cls: string): string => `<pre class="${cls}">${esc(lines.join("\n"))}</pre>`;
  const pinBlock = pins
    ? `<details class="pin"><summary>Pin this build</summary><p>pip (our index added to PyPI, which serves the dependencies):</p><pre class="pin-pip">${esc(pins.pip)}</pre>` +
      `<p><code>requirements.txt</code> (hash-checked; every wheel of ours the release needs):</p><pre class="pin-requirements">${esc(pins.requirements)}</pre><p>installed with:</p>${cmds(pins.requirementsInstall, "pin-requirements-install")}` +
      `<p><code>pylock.toml</code> (PEP 751, pip ≥ 26.1):</p><pre class="pin-pylock">${esc(pins.pylock)}</pre><p>installed with:</p>${cmds(pins.pylockInstall, "pin-pylock-install")}</details>`
    : '<p class="pin-missing">Pin lines need the site\'s absolute URL: set <code>publish.index.baseUrl</code> in release.config.json or pass <code>--base-url</code>.</p>';
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
    .filter((f) => f.kind !== "native-wheel")
    .map((f) => `<li><a href="${esc(fileHref(opts, p.version, f.fileName, up))}">${esc(f.fileName)}</a> (${esc(f.kind)}, <span class="size">${esc(mb(f.size))}</span>) <span class="sha256">sha256 <code>${f.sha256}</code></span></li>`);
  const yankedAll = r.manifest.yanked[p.version] ?? r.manifest.yanked["*"];
  const restorable = r.pruned
    ? ` <span class="restorable" title="${esc(r.pruned.reason)}">files pruned ${esc(r.pruned.prunedOn)}, restorable: <code>mlir-release restore ${esc(p.version)}</code></span>`
    : "";
  return [
    `<section class="release ${p.kind}" id="v${esc(p.version)}">`,
    `<h2>${esc(p.version)} <span class="kind">${p.kind === "snapshot" ? "snapshot" : "release"}</span>${yankedAll !== undefined ? ` <span class="yanked">yanked: ${esc(yankedAll)}</span>` : ""}${restorable}</h2>`,
    `<p>LLVM ${esc(p.llvm.version)}${p.llvm.tag ? ` (${esc(p.llvm.tag)})` : ""}, commit ${commit} of <time datetime="${esc(p.llvm.commitDate)}">${esc(humanDate(p.llvm.commitDate))}</time> · <a href="${up}manifests/${esc(p.version)}.json">manifest</a> · <a href="${up}releases/${esc(p.version)}.html">page</a></p>`,
    `<table class="matrix"><thead><tr><th>platform</th>${pythons.map((py) => `<th>Python ${esc(py)}</th>`).join("")}</tr></thead><tbody>${rows.join("")}</tbody></table>`,
    others.length ? `<ul class="other">${others.join("")}</ul>` : "",
    wheelFacts.length ? `<ul class="wheels">${wheelFacts.join("")}</ul>` : "",
    ...(entry.packagesPip ?? []).map((line) => `<p>Also built from this LLVM: <code class="install package">${esc(line)}</code></p>`),
    entry.toolsPip ? `<p>Command-line tools (mlir-opt, mlir-translate, mlir-lsp-server, FileCheck, …; no Python package): <code class="install tools">${esc(entry.toolsPip)}</code></p>` : "",
    pinBlock,
    `<details><summary>Release notes</summary><pre>${esc(r.notes)}</pre></details>`,
    "</section>",
  ].join("\n");
}

/** The front page (newest releases in full, older ones compactly) and one page per release. */
function dashboardPages(releases: SiteRelease[], files: ReadonlyMap<string, SiteFile[]>, opts: SiteOptions): Map<string, string> {
  const title = opts.title ?? "MLIR Python bindings";
  const sorted = [...releases].sort(cmpVersionDesc);
  const dist = sorted[0]?.manifest.plan.distribution ?? "mlir-python-bindings";
  const indexUrl = absoluteIndex(opts);
  const entries = dashboardEntries(releases, files, opts);
  const entryOf = new Map(entries.map((e) => [e.version, e]));
  const section = (r: SiteRelease, up: string): string => releaseSection(r, up, entryOf.get(r.manifest.plan.version)!, files, opts);
  const recent = opts.recent ?? 30;
  const sections = sorted.slice(0, recent).map((r) => section(r, ""));
  const older = sorted.slice(recent).map((r) => {
    const p = r.manifest.plan;
    const e = entryOf.get(p.version)!;
    return `<tr><td><a href="releases/${esc(p.version)}.html">${esc(p.version)}</a></td><td>${p.kind}</td><td><code>${esc(p.llvm.commit.slice(0, 12))}</code></td><td>${esc(e.dateText)}</td><td>${(files.get(p.version) ?? []).length}</td></tr>`;
  });
  if (older.length)
    sections.push(`<section id="older"><h2>Older (${older.length})</h2><table><thead><tr><th>version</th><th>kind</th><th>LLVM commit</th><th>date</th><th>files</th></tr></thead><tbody>${older.join("")}</tbody></table></section>`);
  const pages = new Map<string, string>();
  const head = (t: string): string[] => [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    `<title>${esc(t)}</title>`,
    "<style>body{font-family:sans-serif;max-width:70em;margin:2em auto;padding:0 1em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .6em}td.none{color:#999}.kind{font-size:.6em;background:#eef;padding:.1em .4em;border-radius:.3em}.yanked{color:#a00;font-size:.6em}.restorable{color:#850;font-size:.6em}pre{white-space:pre-wrap}pre.pin-pip,pre.pin-requirements,pre.pin-pylock,pre.pip{background:#f4f4f4;padding:.4em}.pin-missing{color:#850}figure.trend{display:inline-block;margin:.5em 1em .5em 0}#search-result .hit{margin:.3em 0}.search-error{color:#a00}.sha256 code{font-size:.8em;color:#555}.lit.known{color:#850}.lit.failed{color:#a00}.lit.ok{color:#070}.role{color:#555;font-size:.9em}ul.wheels li{margin:.3em 0}</style>",
    "</head>",
    "<body>",
  ];
  for (const r of sorted)
    pages.set(
      `releases/${r.manifest.plan.version}.html`,
      [...head(`${title} ${r.manifest.plan.version}`), `<p><a href="../index.html">all releases</a></p>`, section(r, "../"), "</body>", "</html>", ""].join("\n"),
    );
  const snaps = entries.filter((e) => e.kind === "snapshot");
  const sizePoints = snaps.flatMap((e) => (e.meanWheelBytes !== undefined ? [{ label: e.version, value: e.meanWheelBytes }] : []));
  const litPoints = snaps.flatMap((e) => (e.litPassed !== undefined ? [{ label: e.version, value: e.litPassed }] : []));
  // The newest installable release and snapshot, pinned: an unpinned name could resolve to another
  // project's upload of the same name on PyPI (pre-releases are skipped when a final version exists).
  const installable = (e: DashboardEntry): boolean => !e.yanked && !e.pruned;
  const newest = (["numbered", "snapshot"] as const).flatMap((kind) => {
    const e = [...entries].reverse().find((x) => x.kind === kind && installable(x));
    return e?.pip ? [`<li>the newest ${kind === "numbered" ? "release" : "snapshot"} (${esc(e.version)}): <code class="install" data-kind="${kind}">${esc(e.pip)}</code></li>`] : [];
  });
  const count = `${sorted.length} published version${sorted.length === 1 ? "" : "s"}`;
  pages.set("index.html", [
    ...head(title),
    `<h1>${esc(title)}</h1>`,
    indexUrl
      ? `<p>${count} · <a href="simple/">simple index</a> · <a href="releases.json">releases.json</a></p><p>Install (our index is added to PyPI, which serves the dependencies):</p><ul class="install">${newest.join("")}</ul><p>Every release below has its own pin lines (pip, hash-checked requirements.txt and pylock.toml with every wheel of ours it needs).</p>`
      : `<p>${count} · <a href="simple/">simple index</a> · <a href="releases.json">releases.json</a></p><p class="pin-missing">This site's absolute URL is not configured (<code>publish.index.baseUrl</code> or <code>--base-url</code>), so no copy-pastable install line can be shown.</p>`,
    '<form id="search" class="search"><label>Find the build of an LLVM commit (7+ hex digits), or the snapshot and the release current on a day (YYYY-MM-DD); the address keeps the search (<code>?commit=</code>, <code>?date=</code>), so it can be linked: <input id="search-q" type="search" size="42" placeholder="commit prefix or 2026-11-24"></label> <button type="submit">find</button></form><div id="search-result" aria-live="polite"></div>',
    `<section id="trends"><h2>Over the snapshots</h2>${trendSvg(sizePoints, { title: "mean wheel size", unit: "bytes", cls: "size", format: humanSize })}${trendSvg(litPoints, { title: "upstream lit tests passed (lowest wheel)", unit: "tests", cls: "lit" })}</section>`,
    ...sections,
    searchScript(),
    "</body>",
    "</html>",
    "",
  ].join("\n"));
  // baseUrl: what a later regeneration without --base-url keeps (src/site/store.ts reads it back).
  pages.set("releases.json", `${JSON.stringify({ distribution: dist, baseUrl: opts.baseUrl ?? null, indexUrl: indexUrl ?? null, releases: entries }, null, 1)}\n`);
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
