// The supported Pythons, by date (pure). CPython's support calendar (PEP 602: a feature release
// every October, five years of support) is a table here; the default matrix of a platform is
// every version released and not past its end of life at the plan's date, intersected with what
// the platform's runners offer, plus the free-threaded builds (3.Nt) of those versions where the
// LLVM tree builds its bindings FREE_THREADED. Every decision is recorded with its reason.
import { type AbiChoice, chooseAbi, type LlvmAbiFacts } from "../platforms/abi.js";
import { platformById } from "../platforms/index.js";
import type { Platform } from "../platforms/platform.js";
import { parsePython } from "../platforms/tags.js";
import { InvalidInputError } from "../errors.js";
import { type PythonSupportRecord } from "../schema/release-plan.js";
import { type PlatformId } from "../schema/platform.js";

interface CpythonRelease {
  version: string;
  /** Day of the x.y.0 release. */
  firstRelease: string;
  /** End of life as the calendar gives it: a day, or a month (support lasts through that month). */
  endOfLife: string;
}

/**
 * From the devguide's release-cycle data (https://peps.python.org/api/release-cycle.json, the
 * source of https://devguide.python.org/versions/), read 2026-12-01. Months are as published:
 * "2026-10" means support ends with October 2026 (3.9's was published as 2025-10 and ended 2025-10-31).
 */
export const CPYTHON_CALENDAR_SOURCE = "https://peps.python.org/api/release-cycle.json (devguide.python.org/versions), read 2026-12-01";
export const CPYTHON_CALENDAR: readonly CpythonRelease[] = [
  { version: "3.6", firstRelease: "2016-12-23", endOfLife: "2021-12-23" },
  { version: "3.7", firstRelease: "2018-06-27", endOfLife: "2023-06-27" },
  { version: "3.8", firstRelease: "2019-10-14", endOfLife: "2024-10-07" },
  { version: "3.9", firstRelease: "2020-10-05", endOfLife: "2025-10-31" },
  { version: "3.10", firstRelease: "2021-10-04", endOfLife: "2026-10" },
  { version: "3.11", firstRelease: "2022-10-24", endOfLife: "2027-10" },
  { version: "3.12", firstRelease: "2023-10-02", endOfLife: "2028-10" },
  { version: "3.13", firstRelease: "2024-10-07", endOfLife: "2029-10" },
  { version: "3.14", firstRelease: "2025-10-07", endOfLife: "2030-10" },
  { version: "3.15", firstRelease: "2026-10-01", endOfLife: "2031-10" },
  { version: "3.16", firstRelease: "2027-10-06", endOfLife: "2032-10" },
];

/** The last supported day of a release (YYYY-MM-DD): a month's end-of-life is its last day. */
export function lastSupportedDay(r: CpythonRelease): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(r.endOfLife)) return r.endOfLife;
  const m = /^(\d{4})-(\d{2})$/.exec(r.endOfLife);
  if (!m) throw new InvalidInputError(`CPython calendar: end of life '${r.endOfLife}' of ${r.version} is neither YYYY-MM-DD nor YYYY-MM`);
  const last = new Date(Date.UTC(Number(m[1]), Number(m[2]), 0));
  return last.toISOString().slice(0, 10);
}

interface SupportInput {
  /** The plan's date (YYYY-MM-DD, or an ISO instant: its UTC day counts). */
  date: string;
  /** What the platform's runners offer (3.N and 3.Nt). */
  offered: readonly string[];
  /** Whether the LLVM tree's bindings build FREE_THREADED; undefined = not known (no free-threaded builds). */
  llvmFreeThreaded?: boolean;
  /** LLVM version, for the reasons. */
  llvmVersion?: string;
  /** llvmFreeThreaded was inferred from the LLVM version, not read from the tree (said in the reasons). */
  freeThreadedInferred?: boolean;
  /** The previous release's Pythons on this platform, when known: decisions say what changed. */
  previous?: readonly string[];
  calendar?: readonly CpythonRelease[];
}

interface SupportChoice {
  pythons: string[];
  added: Array<{ python: string; reason: string }>;
  dropped: Array<{ python: string; reason: string }>;
}

const dayOf = (date: string): string => {
  const day = /^\d{4}-\d{2}-\d{2}$/.test(date) ? date : new Date(date).toISOString().slice(0, 10);
  if (Number.isNaN(Date.parse(`${day}T00:00:00Z`))) throw new InvalidInputError(`plan date '${date}': expected YYYY-MM-DD or an ISO-8601 instant`);
  return day;
};

const byMinor = (a: string, b: string): number => parsePython(a).minor - parsePython(b).minor || Number(parsePython(a).freeThreaded) - Number(parsePython(b).freeThreaded);

/**
 * The default Pythons of one platform at `date`. Considered: every calendar version released and
 * at most a year past its end of life, every version the runners offer, every version of the
 * previous release; each ends up either built (`added`, with its support window) or `dropped`
 * (end of life, not released yet, not offered, no free-threaded LLVM), with the reason.
 */
export function supportedPythons(i: SupportInput): SupportChoice {
  const day = dayOf(i.date);
  const cal = i.calendar ?? CPYTHON_CALENDAR;
  const entry = (p: string): CpythonRelease | undefined => cal.find((c) => c.version === parsePython(p).base);
  const yearAgo = `${Number(day.slice(0, 4)) - 1}${day.slice(4)}`;
  const considered = new Set<string>();
  for (const c of cal) if (c.firstRelease <= day && lastSupportedDay(c) >= yearAgo) considered.add(c.version);
  for (const p of i.offered) considered.add(p);
  for (const p of i.previous ?? []) considered.add(p);
  // Free-threaded variants of every considered 3.13+ version (the runner may not list them).
  for (const p of [...considered]) if (!parsePython(p).freeThreaded && parsePython(p).minor >= 13) considered.add(`${p}t`);
  const prev = i.previous ? new Set(i.previous) : undefined;
  const note = (p: string, built: boolean): string =>
    prev === undefined ? "" : prev.has(p) ? (built ? "" : " (was in the previous release)") : built ? " (new since the previous release)" : "";
  const out: SupportChoice = { pythons: [], added: [], dropped: [] };
  const llvm = i.llvmVersion ? `LLVM ${i.llvmVersion}` : "the LLVM tree";
  for (const p of [...considered].sort(byMinor)) {
    const spec = parsePython(p);
    const c = entry(p);
    let why: string | undefined;
    if (!c) why = `not in the CPython calendar (${CPYTHON_CALENDAR_SOURCE})`;
    else if (c.firstRelease > day) why = `not released yet at ${day} (CPython ${c.version}.0 is due ${c.firstRelease})`;
    else if (lastSupportedDay(c) < day) why = `end of life since ${lastSupportedDay(c)} (CPython calendar)`;
    else if (spec.freeThreaded && i.llvmFreeThreaded !== true)
      why = i.llvmFreeThreaded === false ? `${llvm}'s bindings are not built FREE_THREADED` : "free-threaded builds need the tree's ABI facts (FREE_THREADED in AddMLIRPython.cmake), which were not gathered";
    else if (!i.offered.includes(p)) why = `supported until ${lastSupportedDay(c)}, but the platform's runners offer no CPython ${p}`;
    if (why) {
      out.dropped.push({ python: p, reason: why + note(p, false) });
      continue;
    }
    out.pythons.push(p);
    out.added.push({ python: p, reason: `${spec.freeThreaded ? `free-threaded (${llvm} builds FREE_THREADED${i.freeThreadedInferred ? ", inferred from its version: since LLVM 20" : ""}), ` : ""}supported until ${lastSupportedDay(c!)}${note(p, true)}` });
  }
  return out;
}

/** The plan's record for one platform (what ReleasePlan.pythonSupport holds). */
export function supportRecord(platform: string, basis: PythonSupportRecord["basis"], date: string, choice: SupportChoice): PythonSupportRecord {
  return { platform: platform as PythonSupportRecord["platform"], basis, date: dayOf(date), calendar: CPYTHON_CALENDAR_SOURCE, pythons: choice.pythons, added: choice.added, dropped: choice.dropped };
}

/**
 * What an explicit list (config or flags) means at `date`: built as asked, with a warning reason
 * for every version past its end of life or not yet released; what the calendar would add is
 * listed as dropped ("not asked for").
 */
export function explicitPythons(asked: readonly string[], date: string, calendar: readonly CpythonRelease[] = CPYTHON_CALENDAR): SupportChoice {
  const day = dayOf(date);
  const out: SupportChoice = { pythons: [...asked], added: [], dropped: [] };
  for (const p of asked) {
    const c = calendar.find((x) => x.version === parsePython(p).base);
    const state = !c ? "not in the CPython calendar" : c.firstRelease > day ? `not released yet at ${day}` : lastSupportedDay(c) < day ? `past its end of life (${lastSupportedDay(c)})` : `supported until ${lastSupportedDay(c)}`;
    out.added.push({ python: p, reason: `asked for explicitly; ${state}` });
  }
  for (const c of calendar) {
    if (c.firstRelease <= day && lastSupportedDay(c) >= day && !asked.includes(c.version)) out.dropped.push({ python: c.version, reason: `supported until ${lastSupportedDay(c)} but not in the explicit list` });
  }
  return out;
}

/**
 * The ABI facts an LLVM version implies when the tree itself was not read: AddMLIRPython passes
 * nanobind's FREE_THREADED since LLVM 20; MLIR_ENABLE_PYTHON_STABLE_ABI exists since LLVM 23
 * (src/platforms/abi.ts reads both from a tree when there is one).
 */
export function llvmFactsFromVersion(version: string): LlvmAbiFacts {
  const major = Number(/^(\d+)\./.exec(version)?.[1]);
  if (!Number.isInteger(major)) throw new InvalidInputError(`LLVM version '${version}': expected X.Y.Z`);
  return {
    version,
    stableAbiOption: major >= 23,
    freeThreaded: major >= 20,
    evidence: [`inferred from LLVM ${version}: FREE_THREADED since 20, MLIR_ENABLE_PYTHON_STABLE_ABI since 23`],
  };
}

interface PythonMatrixInput {
  /** The plan's date (a build without a plan: today). */
  date: string | Date;
  /** The tree's ABI facts, or the LLVM version (facts inferred from it). */
  llvm: LlvmAbiFacts | string;
  /** The platform module: its runner (the pinned image on Linux) says which interpreters exist. */
  platform: Platform;
  /** The previous release's Pythons here (the decisions say what changed). */
  previous?: readonly string[];
  cmakeVersion?: string;
}

interface PythonMatrix {
  /** Every Python built for: non-EOL CPython at the date ∩ the runner's, plus the free-threaded builds it carries. */
  pythons: string[];
  support: SupportChoice;
  /** Per-version or stable-ABI wheels for those Pythons (abi3 for 3.12+ where the LLVM version has it). */
  abi: AbiChoice;
  llvm: LlvmAbiFacts;
}

/**
 * THE Python matrix of one platform: `platforms`, `plan` and `build`'s default all take it (issue 27).
 * Pure: the date, the LLVM version (or its tree's facts) and the platform's runner/image decide.
 */
export function pythonMatrix(i: PythonMatrixInput): PythonMatrix {
  const llvm = typeof i.llvm === "string" ? llvmFactsFromVersion(i.llvm) : i.llvm;
  const date = i.date instanceof Date ? i.date.toISOString() : i.date;
  const offered = i.platform.runner.pythons;
  const support = supportedPythons({
    date,
    offered,
    llvmFreeThreaded: llvm.freeThreaded,
    llvmVersion: llvm.version,
    ...(typeof i.llvm === "string" ? { freeThreadedInferred: true } : {}),
    ...(i.previous ? { previous: i.previous } : {}),
  });
  // The calendar already chose the free-threaded builds: the runner's other 3.Nt add nothing.
  const abi = support.pythons.length
    ? chooseAbi({ llvm, pythons: support.pythons, runnerPythons: offered, freeThreaded: false, ...(i.cmakeVersion ? { cmakeVersion: i.cmakeVersion } : {}) })
    : { variant: "cpython" as const, reason: "no Python to build", builds: [], skipped: [] };
  return { pythons: support.pythons, support, abi, llvm };
}

/**
 * A build's default Pythons without a plan or a config list: pythonMatrix at `now` for the
 * platform. Without the tree's facts free-threading is assumed (the build's ABI check drops the
 * 3.Nt when the tree cannot build them, and the build says which versions this machine lacks).
 */
export function calendarPythons(platform: PlatformId, now: Date, llvm: LlvmAbiFacts | string = "22.1.8"): string[] {
  return pythonMatrix({ date: now, llvm, platform: platformById(platform) }).pythons;
}
