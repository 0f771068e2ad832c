// The supported Pythons by date: the CPython calendar table, the default matrix at the plan's date
// (∩ the runners' offer, free-threaded where LLVM builds it), the recorded reasons, and the plan.
import { describe, expect, it } from "vitest";
import { plan, type PlanFacts } from "../../src/plan/release-planner.js";
import { calendarPythons, CPYTHON_CALENDAR, CPYTHON_CALENDAR_SOURCE, explicitPythons, lastSupportedDay, supportedPythons } from "../../src/plan/python-support.js";
import { platformById } from "../../src/platforms/index.js";
import { ReleaseConfig } from "../../src/schema/config.js";
import { ReleasePlan } from "../../src/schema/release-plan.js";
import { ReleaseRequest } from "../../src/schema/request.js";

const LINUX = platformById("linux-x86_64").runner.pythons;
const eol = (v: string): string => lastSupportedDay(CPYTHON_CALENDAR.find((c) => c.version === v)!);

describe("the CPython calendar", () => {
  it("holds the devguide's end-of-life dates (a month means its last day) and names its source", () => {
    expect(Object.fromEntries(["3.9", "3.10", "3.11", "3.12", "3.13", "3.14"].map((v) => [v, eol(v)]))).toEqual({
      "3.9": "2025-10-31",
      "3.10": "2026-10-31",
      "3.11": "2027-10-31",
      "3.12": "2028-10-31",
      "3.13": "2029-10-31",
      "3.14": "2030-10-31",
    });
    expect(lastSupportedDay({ version: "3.99", firstRelease: "2030-10-01", endOfLife: "2028-02" })).toBe("2028-02-29");
    expect(CPYTHON_CALENDAR_SOURCE).toMatch(/release-cycle\.json/);
    // Sorted, one row per version, each released before its end of life.
    const versions = CPYTHON_CALENDAR.map((c) => Number(c.version.split(".")[1]));
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    for (const c of CPYTHON_CALENDAR) expect(c.firstRelease < lastSupportedDay(c)).toBe(true);
  });
});

describe("supportedPythons(date, offer, LLVM)", () => {
  it("at 2026-12-01 on Linux: 3.11–3.15 and their free-threaded builds; 3.10 dropped for end of life; a runner without 3.15 drops it", () => {
    const c = supportedPythons({ date: "2026-12-01", offered: LINUX, llvmFreeThreaded: true, llvmVersion: "22.1.8" });
    expect(c.pythons).toEqual(["3.11", "3.12", "3.13", "3.13t", "3.14", "3.14t", "3.15", "3.15t"]);
    const dropped = Object.fromEntries(c.dropped.map((d) => [d.python, d.reason]));
    expect(dropped["3.10"]).toBe("end of life since 2026-10-31 (CPython calendar)");
    const older = supportedPythons({ date: "2026-12-01", offered: LINUX.filter((v) => !v.startsWith("3.15")), llvmFreeThreaded: true });
    const droppedOlder = Object.fromEntries(older.dropped.map((d) => [d.python, d.reason]));
    expect(droppedOlder["3.15"]).toMatch(/supported until 2031-10-31, but the platform's runners offer no CPython 3\.15/);
    expect(droppedOlder["3.15t"]).toMatch(/runners offer no CPython 3\.15t/);
    expect(Object.keys(dropped)).not.toContain("3.9"); // more than a year past its end of life and not offered
    expect(c.added.find((a) => a.python === "3.13t")!.reason).toBe("free-threaded (LLVM 22.1.8 builds FREE_THREADED), supported until 2029-10-31");
  });

  it("the end-of-life day still counts, the day after does not", () => {
    expect(supportedPythons({ date: "2026-10-31", offered: LINUX }).pythons).toContain("3.10");
    expect(supportedPythons({ date: "2026-11-01", offered: LINUX }).pythons).not.toContain("3.10");
    expect(supportedPythons({ date: "2026-11-01T00:30:00+02:00", offered: LINUX }).pythons).toContain("3.10"); // 2026-10-31 in UTC
  });

  it("a version the runners offer before its release is dropped as not released yet", () => {
    const c = supportedPythons({ date: "2025-06-01", offered: LINUX });
    expect(c.pythons).toEqual(["3.10", "3.11", "3.12", "3.13"]);
    expect(c.dropped.find((d) => d.python === "3.14")!.reason).toBe("not released yet at 2025-06-01 (CPython 3.14.0 is due 2025-10-07)");
  });

  it("free-threaded builds only where the LLVM tree builds FREE_THREADED", () => {
    const no = supportedPythons({ date: "2026-12-01", offered: LINUX, llvmFreeThreaded: false, llvmVersion: "19.1.0" });
    expect(no.pythons).toEqual(["3.11", "3.12", "3.13", "3.14", "3.15"]);
    expect(no.dropped.find((d) => d.python === "3.13t")!.reason).toBe("LLVM 19.1.0's bindings are not built FREE_THREADED");
    const unknown = supportedPythons({ date: "2026-12-01", offered: LINUX });
    expect(unknown.dropped.find((d) => d.python === "3.14t")!.reason).toMatch(/ABI facts/);
  });

  it("says what changed against the previous release", () => {
    const c = supportedPythons({ date: "2026-12-01", offered: LINUX, llvmFreeThreaded: false, previous: ["3.10", "3.11", "3.12", "3.13"] });
    expect(c.dropped.find((d) => d.python === "3.10")!.reason).toBe("end of life since 2026-10-31 (CPython calendar) (was in the previous release)");
    expect(c.added.find((a) => a.python === "3.14")!.reason).toBe("supported until 2030-10-31 (new since the previous release)");
    expect(c.added.find((a) => a.python === "3.11")!.reason).toBe("supported until 2027-10-31");
  });

  it("an explicit list is built as asked, with the calendar's verdict on each version", () => {
    const c = explicitPythons(["3.10", "3.12"], "2026-12-01");
    expect(c.pythons).toEqual(["3.10", "3.12"]);
    expect(c.added[0]!.reason).toBe("asked for explicitly; past its end of life (2026-10-31)");
    expect(c.dropped.map((d) => d.python)).toEqual(["3.11", "3.13", "3.14", "3.15"]);
  });

  it("a build without a plan or config list uses the calendar at its own date", () => {
    expect(calendarPythons("linux-x86_64", new Date("2026-12-01T12:00:00Z"))).toEqual(["3.11", "3.12", "3.13", "3.13t", "3.14", "3.14t", "3.15", "3.15t"]);
    expect(calendarPythons("linux-x86_64", new Date("2026-10-31T23:59:59Z"))).toContain("3.10");
  });
});

describe("plan(): the default matrix follows the calendar at the plan's date", () => {
  const config = ReleaseConfig.parse({ platforms: [{ id: "linux-x86_64" }] });
  const facts = (over: Partial<PlanFacts> = {}): PlanFacts => ({
    commit: "c".repeat(40),
    commitDate: "2026-09-30T10:00:00Z",
    llvmVersion: "22.1.8",
    tag: "llvmorg-22.1.8",
    existingVersions: [],
    abi: { version: "22.1.8", stableAbiOption: false, freeThreaded: true, evidence: ["test"] },
    ...over,
  });
  const numbered = ReleaseRequest.parse({ kind: "numbered", ref: "llvmorg-22.1.8" });

  it("the date is an input: the same tag planned before and after 3.10's end of life", () => {
    const before = plan(config, numbered, facts({ date: "2026-10-15" }));
    const after = plan(config, numbered, facts({ date: "2026-12-01" }));
    expect(before.matrix.map((m) => m.python)).toEqual(["3.10", "3.11", "3.12", "3.13", "3.14", "3.15", "3.13t", "3.14t", "3.15t"]);
    expect(after.matrix.map((m) => m.python)).toEqual(["3.11", "3.12", "3.13", "3.14", "3.15", "3.13t", "3.14t", "3.15t"]);
    expect(after.matrix.find((m) => m.python === "3.13t")!.tag).toMatchObject({ python: "cp313", abi: "cp313t" });
    const rec = after.pythonSupport![0]!;
    expect(rec).toMatchObject({ platform: "linux-x86_64", basis: "calendar", date: "2026-12-01", calendar: CPYTHON_CALENDAR_SOURCE });
    expect(rec.dropped.find((d) => d.python === "3.10")!.reason).toMatch(/end of life since 2026-10-31/);
    expect(ReleasePlan.parse(after)).toEqual(after);
    // Pure: equal inputs, equal plans; without a date the commit date is the plan's date (no clock).
    expect(plan(config, numbered, facts({ date: "2026-12-01" }))).toEqual(after);
    expect(plan(config, numbered, facts()).pythonSupport![0]!.date).toBe("2026-09-30");
  });

  it("a config list or request override wins and is recorded as such", () => {
    const withList = ReleaseConfig.parse({ platforms: [{ id: "linux-x86_64" }], pythons: ["3.10", "3.12"] });
    const p = plan(withList, numbered, facts({ date: "2026-12-01" }));
    expect(p.matrix.map((m) => m.python)).toEqual(["3.10", "3.12"]);
    expect(p.pythonSupport![0]).toMatchObject({ basis: "config", pythons: ["3.10", "3.12"] });
    expect(p.pythonSupport![0]!.added[0]!.reason).toMatch(/past its end of life/);
    const req = plan(config, ReleaseRequest.parse({ kind: "numbered", ref: "llvmorg-22.1.8", overrides: { pythons: ["3.13"] } }), facts({ date: "2026-12-01" }));
    expect(req.pythonSupport![0]!.basis).toBe("request");
    expect(req.matrix.map((m) => m.python)).toEqual(["3.13"]);
  });
});

describe("build on this machine without --python: the calendar's versions, the missing ones named", () => {
  it("build --dry-run lists a build or a 'skipped <v>: <reason>' line for every calendar version, and none for 3.10", async () => {
    const { REPO } = await import("../support/env.js");
    const { runCliOk } = await import("../support/cli-inprocess.js");
    const r = await runCliOk(["build", "--dry-run"], { cwd: REPO });
    // Both streams, as a terminal shows them: the plan on stdout, the skipped versions on stderr.
    const text = `${r.stdout}${r.stderr}`;
    for (const v of calendarPythons("linux-x86_64", new Date())) {
      const built = new RegExp(`python ${v.replace(".", "\\.")} \\(`).test(text);
      const skipped = new RegExp(`skipped ${v.replace(".", "\\.")}: the runner has no`).test(text);
      expect(built || skipped, `${v} in:\n${text.slice(0, 2000)}`).toBe(true);
    }
    expect(text).not.toMatch(/python 3\.10 \(/);
  }, 60_000);
});
