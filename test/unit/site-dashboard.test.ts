// The dashboard's data and pin lines (pure): releases.json (what the page's search runs on), the
// absolute pip / requirements / pylock lines, the trend SVG, and the search function the page
// embeds — evaluated here from the page's own <script> text, outside any module, and checked to
// answer exactly like the TypeScript searchReleases that `resolve` uses. Human sizes and dates, sha256
// on the page, known lit failures labelled with their reason, every wheel of ours in the pins.
import { parse as parseToml } from "smol-toml";
import { describe, expect, it } from "vitest";
import { releasesOfCommit, snapshotOnOrBefore } from "../../src/plan/release-queries.js";
import { searchReleases } from "../../src/plan/resolve-core.js";
import { type DashboardEntry, humanDate, humanSize, litText } from "../../src/site/dashboard-data.js";
import { trendSvg } from "../../src/site/dashboard.js";
import { renderSite } from "../../src/site/render.js";
import type { SiteFile, SiteRelease } from "../../src/site/site-input.js";
import type { ReleaseManifest } from "../../src/schema/manifest.js";
import { basePlan } from "../support/release-fixture.js";

const H = (c: string): string => c.repeat(64);
function release(version: string, kind: "snapshot" | "numbered", commit: string, size: number, passed?: number, yanked: Record<string, string> = {}): { r: SiteRelease; files: SiteFile[] } {
  const fileName = `mlir_python_bindings-${version}-cp312-cp312-manylinux_2_28_x86_64.whl`;
  const manifest: ReleaseManifest = {
    schemaVersion: 1,
    plan: basePlan(version, kind, commit),
    artifacts: [{ kind: "wheel", fileName, sha256: H("a"), size, platform: "linux-x86_64", python: "3.12", tag: { python: "cp312", abi: "cp312", platform: "manylinux_2_28_x86_64" } }],
    provenance: { builder: "t", pipelineVersion: "0", layer: {} },
    verification:
      passed === undefined
        ? {}
        : { [fileName]: { lit: { passed, failed: 100 - passed, failures: passed === 97 ? ["python/dialects/python_test.py", "python/ir/diagnostic_handler.py", "python/multithreaded_tests.py"] : [] } } },
    yanked,
  };
  return { r: { manifest, notes: "" }, files: [{ fileName, sha256: H("a"), size, kind: "wheel" }] };
}

const rel = [
  release("22.1.8", "numbered", "1".repeat(40), 59_700_000, 97),
  release("23.0.0.dev2026111000", "snapshot", "abcdef1".padEnd(40, "2"), 59_800_000, 96),
  release("23.0.0.dev2026112401", "snapshot", "abcdef1".padEnd(40, "3"), 60_100_000, 97, { "23.0.0.dev2026112401": "broken" }),
  release("23.0.0.dev2026112500", "snapshot", "4".repeat(40), 60_000_000),
];
rel[1]!.r.pruned = { version: "23.0.0.dev2026111000", reason: "files pruned by retention on 2026-12-01; restorable", prunedOn: "2026-12-01" };
const files = new Map(rel.map((x) => [x.r.manifest.plan.version, x.files]));
const BASE = "https://example.org/mlir/";
const site = renderSite(rel.map((x) => x.r).reverse(), files, { baseUrl: BASE });
const data = JSON.parse(site.get("releases.json")!) as { indexUrl: string; releases: DashboardEntry[] };

describe("releases.json and pin lines", () => {
  it("lists every release oldest first with absolute URLs, lit counts, sizes, yank and restore marks", () => {
    expect(data.indexUrl).toBe("https://example.org/mlir/simple/");
    expect(data.releases.map((e) => e.version)).toEqual(["22.1.8", "23.0.0.dev2026111000", "23.0.0.dev2026112401", "23.0.0.dev2026112500"]);
    const [num, pruned, yanked, plain] = data.releases;
    expect(num).toMatchObject({ kind: "numbered", date: "2026-11-24", litPassed: 97, meanWheelBytes: 59_700_000, pruned: false, yanked: null });
    expect(pruned).toMatchObject({ pruned: true, restore: "mlir-release restore 23.0.0.dev2026111000", date: "2026-11-10" });
    expect(yanked!.yanked).toBe("broken");
    expect(plain!.litPassed).toBeUndefined();
    // Our index is added to PyPI (the dependencies live there), never put in its place.
    expect(plain!.pip).toBe("pip install 'mlir-python-bindings==23.0.0.dev2026112500' --extra-index-url https://example.org/mlir/simple/");
    expect(num!.dateText).toBe("24 Nov 2026, 00:00 UTC");
    expect(plain!.dateText).toBe("25 Nov 2026");
    expect(plain!.wheels[0]!.url).toBe("https://example.org/mlir/files/23.0.0.dev2026112500/mlir_python_bindings-23.0.0.dev2026112500-cp312-cp312-manylinux_2_28_x86_64.whl");
  });

  it("each release section has pip, hash-pinned requirements and a pylock.toml that parses (PEP 751 fields)", () => {
    const page = site.get("releases/23.0.0.dev2026112500.html")!;
    const pre = (cls: string): string =>
      new RegExp(`<pre class="${cls}">([^<]*)</pre>`).exec(page)![1]!.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&");
    expect(pre("pin-requirements").split("\n").filter((l) => !l.startsWith("#"))).toEqual([
      "--extra-index-url https://example.org/mlir/simple/",
      "mlir-python-bindings==23.0.0.dev2026112500 \\",
      `    --hash=sha256:${H("a")}`,
    ]);
    expect(pre("pin-requirements-install")).toBe("pip install -r requirements.txt");
    const lock = parseToml(pre("pin-pylock")) as { "lock-version": string; packages: Array<{ name: string; version: string; index: string; wheels: Array<{ url: string; hashes: { sha256: string }; size: number }> }> };
    expect(lock["lock-version"]).toBe("1.0");
    expect(lock.packages[0]).toMatchObject({ name: "mlir-python-bindings", version: "23.0.0.dev2026112500", index: "https://example.org/mlir/simple/" });
    expect(lock.packages[0]!.wheels[0]).toMatchObject({ url: data.releases[3]!.wheels[0]!.url, hashes: { sha256: H("a") }, size: 60_000_000 });
    expect(page).toContain('<span class="lit none">lit: not recorded</span>');
    const num = site.get("releases/22.1.8.html")!;
    expect(num).toContain('<span class="size">59.7 MB</span> <span class="lit known"');
    expect(num).toContain("lit 97 passed, 3 failed — all 3 known: needs upstream&#39;s test extension");
    expect(num).toContain(`sha256 <code>${H("a")}</code>`);
    expect(num).toContain('<time datetime="2026-11-24T00:00:00Z">24 Nov 2026, 00:00 UTC</time>');
  });

  it("a split release pins the native wheel too, and says how the dependencies resolve", () => {
    const split = release("22.1.9", "numbered", "5".repeat(40), 7_900_000);
    const nativeName = "mlir_python_bindings_native-22.1.9-py3-none-manylinux_2_28_x86_64.whl";
    split.r.manifest.artifacts.push({ kind: "native-wheel", fileName: nativeName, sha256: H("b"), size: 52_000_000, platform: "linux-x86_64", tag: { python: "py3", abi: "none", platform: "manylinux_2_28_x86_64" } });
    split.files[0]!.requiresDist = ["mlir-python-bindings-native==22.1.9", "numpy>=1.19.5", "ml_dtypes>=0.1.0", 'PyYAML>=5.4.0; extra == "opdsl"'];
    split.files.push({ fileName: nativeName, sha256: H("b"), size: 52_000_000, kind: "native-wheel" });
    const s2 = renderSite([split.r], new Map([["22.1.9", split.files]]), { baseUrl: BASE });
    const page = s2.get("releases/22.1.9.html")!;
    const pre = (cls: string): string => new RegExp(`<pre class="${cls}">([^<]*)</pre>`).exec(page)![1]!.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&gt;/g, ">");
    const req = pre("pin-requirements");
    expect(req).toContain(`mlir-python-bindings-native==22.1.9 \\\n    --hash=sha256:${H("b")}`);
    expect(req).toContain("# Hash-checking mode installs only what is pinned here; the dependencies (numpy>=1.19.5, ml_dtypes>=0.1.0)");
    expect(pre("pin-requirements-install").split("\n")).toEqual(["pip install 'numpy>=1.19.5' 'ml_dtypes>=0.1.0'", "pip install -r requirements.txt"]);
    const lock = parseToml(pre("pin-pylock")) as { packages: Array<{ name: string; wheels: Array<{ hashes: { sha256: string } }> }> };
    expect(lock.packages.map((p) => [p.name, p.wheels[0]!.hashes.sha256])).toEqual([["mlir-python-bindings", H("a")], ["mlir-python-bindings-native", H("b")]]);
    expect(page).toContain(`<code>${nativeName}</code></a> <span class="size">52.0 MB</span>`);
    expect(s2.get("index.html")).toContain("1 published version ·");
    expect(site.get("index.html")).toContain("4 published versions ·");
    // The newest installable release and snapshot, each pinned (a bare name could meet another project's upload on PyPI).
    expect(site.get("index.html")).toContain(`<code class="install" data-kind="numbered">pip install &#39;mlir-python-bindings==22.1.8&#39; --extra-index-url ${BASE}simple/</code>`);
    expect(site.get("index.html")).toContain(`<code class="install" data-kind="snapshot">pip install &#39;mlir-python-bindings==23.0.0.dev2026112500&#39; --extra-index-url ${BASE}simple/</code>`);
  });

  it("words: sizes, dates, lit results", () => {
    expect([humanSize(512), humanSize(4_100), humanSize(59_700_000), humanSize(1_520_000_000)]).toEqual(["512 B", "4.1 kB", "59.7 MB", "1.5 GB"]);
    expect([humanDate("2026-11-24"), humanDate("2026-11-24T13:05:09Z"), humanDate("2026-11-24T13:05:09+02:00"), humanDate("soon")]).toEqual(["24 Nov 2026", "24 Nov 2026, 13:05 UTC", "24 Nov 2026, 13:05 UTC+02:00", "soon"]);
    expect(litText({ passed: 100, failed: 0 })).toBe("lit 100 passed, 0 failed");
    expect(litText({ passed: 97, failed: 3 })).toBe("lit 97 passed, 3 failed (failures not itemized)");
    expect(litText({ passed: 96, failed: 4, failures: [{ test: "python/ir/x.py" }, { test: "python/multithreaded_tests.py", reason: "r" }] })).toBe("lit 96 passed, 4 failed — 1 known (r), 3 NEW: python/ir/x.py");
  });

  it("without a base URL: no relative install line, a notice naming the setting instead", () => {
    const bare = renderSite(rel.map((x) => x.r), files, {});
    expect(bare.get("index.html")).not.toContain("--index-url simple/");
    expect(bare.get("index.html")).toContain("publish.index.baseUrl");
    expect(bare.get("releases/22.1.8.html")).toContain('class="pin-missing"');
    expect(JSON.parse(bare.get("releases.json")!).indexUrl).toBeNull();
  });

  it("the trend plot: an SVG with one circle per snapshot that has the figure", () => {
    const index = site.get("index.html")!;
    const svg = (cls: string): string => new RegExp(`<svg class="trend ${cls}"[\\s\\S]*?</svg>`).exec(index)![0];
    expect((svg("size").match(/<circle /g) ?? []).length).toBe(3);
    expect((svg("lit").match(/<circle /g) ?? []).length).toBe(2); // the newest snapshot recorded no lit run
    expect(trendSvg([], { title: "t", unit: "u", cls: "x" })).toContain("no data yet");
    expect((trendSvg([{ label: "a", value: 1 }], { title: "t", unit: "u", cls: "x" }).match(/<circle /g) ?? []).length).toBe(1);
  });
});

describe("one search implementation: the page's embedded copy answers like resolve's", () => {
  const script = /<script>\n([\s\S]*?)\n<\/script>/.exec(site.get("index.html")!)![1]!;
  const head = script.slice(0, script.indexOf("(function () {"));
  // Evaluated with nothing from this module in scope (as in the browser): only the page's own text.
  const embedded = new Function(`${head}\nreturn searchReleases;`)() as typeof searchReleases;
  const manifests = rel.map((x) => x.r.manifest);
  const queries = ["abcdef1", "abcdef13", "4444444", "1".repeat(40), "2026-11-09", "2026-11-24", "2026-11-25", "2027-01-01", "22.1.8", "zzz", "ABCDEF12"];
  it.each(queries)("%s", (q) => {
    const a = embedded(data.releases, q);
    const b = searchReleases(data.releases, q);
    expect(JSON.parse(JSON.stringify(a))).toEqual(JSON.parse(JSON.stringify(b)));
  });
  it("and resolve's answers are the same releases", () => {
    expect(embedded(data.releases, "abcdef12").kind === "commit" && (embedded(data.releases, "abcdef12") as { hits: DashboardEntry[] }).hits.map((h) => h.version)).toEqual(
      releasesOfCommit(manifests, "abcdef12").map((r) => r.version),
    );
    expect(embedded(data.releases, "abcdef1")).toMatchObject({ kind: "error", message: expect.stringMatching(/ambiguous/) });
    expect(() => releasesOfCommit(manifests, "abcdef1")).toThrow(/ambiguous/);
    // A day: the newest snapshot on or before it that its manifest did not yank (pruned ones count: restorable),
    // then the numbered release current on that day (its LLVM commit's day).
    expect((embedded(data.releases, "2026-11-24") as { hits: DashboardEntry[] }).hits.map((h) => h.version)).toEqual(["23.0.0.dev2026111000", "22.1.8"]);
    expect((embedded(data.releases, "2026-11-23") as { hits: DashboardEntry[] }).hits.map((h) => h.version)).toEqual(["23.0.0.dev2026111000"]);
    expect(snapshotOnOrBefore(manifests, "2026-11-24")?.version).toBe("23.0.0.dev2026111000");
    expect(snapshotOnOrBefore(manifests, "2026-11-09")).toBeUndefined();
  });
});
