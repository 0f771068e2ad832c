// What the dashboard says about each release, as data: the entries of releases.json (what the
// page's search runs on in the browser), lit summaries, sizes and dates in words, and the pin lines.
import { releaseListOf } from "../plan/release-queries.js";
import type { ReleaseListEntry } from "../plan/resolve-core.js";
import { wheelProject } from "../schema/artifact.js";
import { type ReleaseManifest } from "../schema/manifest.js";
import { hashedInstallCommands, hashedRequirements, indexInstallLine, pylockToml, runtimeDependencies, simpleUrlOf, type PinnedDistribution } from "../plan/install.js";
import { knownLitFailure } from "../verify/lit-known.js";
import { toolsDistribution } from "../platforms/tags.js";
import { fileHref, type SiteFile, type SiteOptions, type SiteRelease } from "./site-input.js";

/** A wheel's lit result as the dashboard shows it: counts, and each failure known (with its reason) or not. */
export interface LitSummary {
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

export const absoluteIndex = (opts: SiteOptions): string | undefined => (opts.baseUrl ? simpleUrlOf(opts.baseUrl) : undefined);
const absoluteFile = (opts: SiteOptions, version: string, fileName: string): string => {
  const href = fileHref(opts, version, fileName, "");
  return opts.baseUrl ? new URL(href, `${opts.baseUrl.replace(/\/$/, "")}/`).toString() : href;
};

/** The releases.json entries, oldest first (PEP 440), one per release. */
export function dashboardEntries(releases: SiteRelease[], files: ReadonlyMap<string, SiteFile[]>, opts: SiteOptions): DashboardEntry[] {
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
export function pinLines(e: DashboardEntry, distribution: string, opts: SiteOptions): PinLines | undefined {
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
