// The dashboard's HTML: the front page (newest releases in full, older ones compactly, the search
// box, the trend plots), one page per release, and releases.json. Its browser program is a file
// (src/site/assets/dashboard.js); the data it shows comes from dashboard-data.ts.
import { readFileSync } from "node:fs";
import { absoluteIndex, type DashboardEntry, dashboardEntries, humanDate, humanSize, type LitSummary, litText, pinLines } from "./dashboard-data.js";
import { cmpVersionDesc, esc, fileHref, type SiteFile, type SiteOptions, type SiteRelease } from "./site-input.js";

const githubWeb = (repository: string): string | undefined => {
  const m = /github\.com[/:]([^/]+\/[^/]+?)(\.git)?\/?$/.exec(repository);
  return m ? `https://github.com/${m[1]}` : undefined;
};

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
export function dashboardPages(releases: SiteRelease[], files: ReadonlyMap<string, SiteFile[]>, opts: SiteOptions): Map<string, string> {
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
