// Thinning retention (pure): every snapshot for 30 days, the newest of each ISO week for a year,
// the newest of each month after that, numbered releases forever; choices never flip back.
import { describe, expect, it } from "vitest";
import { isoWeek, planThinning, prunedReason, snapshotDay } from "../../src/publish/retention.js";
import { ReleaseConfig } from "../../src/schema/config.js";
import { type ReleaseManifest } from "../../src/schema/manifest.js";
import { parseReleaseConfig } from "../../src/options/config.js";
import { basePlan } from "../support/release-fixture.js";

const m = (v: string, kind: "snapshot" | "numbered" = "snapshot"): ReleaseManifest => ({
  schemaVersion: 1,
  plan: basePlan(v, kind, "c".repeat(40)),
  artifacts: [],
  provenance: { builder: "t", pipelineVersion: "0", layer: {} },
  verification: {},
  yanked: {},
});
const policy = ReleaseConfig.parse({}).retention;
const DAY = 86_400_000;
const day = (t: number): string => new Date(t).toISOString().slice(0, 10);
const snap = (d: string, seq = 0): string => `23.0.0.dev${d.replaceAll("-", "")}${String(seq).padStart(2, "0")}`;

describe("retention: thinning policy", () => {
  it("defaults to 30 days / a year of weeks / months, refuses nonsense and the old keep-last-N", () => {
    expect(policy).toEqual({ allDays: 30, weeklyDays: 365, monthly: true });
    expect(() => parseReleaseConfig({ retention: { allDays: 40, weeklyDays: 30 } }, "x")).toThrow(/weeklyDays/);
    expect(() => parseReleaseConfig({ retention: { keepSnapshots: 30 } }, "x")).toThrow(/retention\.keepSnapshots: unknown field/);
  });

  it("spells ISO weeks and reads a snapshot's day from its version", () => {
    expect(isoWeek("2026-01-01")).toBe("2026-W01");
    expect(isoWeek("2026-12-31")).toBe("2026-W53");
    expect(isoWeek("2027-01-01")).toBe("2026-W53");
    expect(isoWeek("2021-01-03")).toBe("2020-W53");
    expect(isoWeek("2026-11-30")).toBe("2026-W49");
    expect(snapshotDay(m("23.0.0.dev2026112501"))).toBe("2026-11-25");
    expect(snapshotDay(m("22.1.8", "numbered"))).toBe("2026-11-24"); // its commit date
  });

  it("keeps every snapshot for 30 days, one a week for a year, one a month after, numbered forever", () => {
    const now = Date.parse("2026-12-01T12:00:00Z");
    const all = [m("21.1.0", "numbered"), m("22.1.8", "numbered")];
    // Two snapshots a day for 600 days.
    for (let t = now - 600 * DAY; t <= now; t += DAY) all.push(m(snap(day(t), 0)), m(snap(day(t), 1)));
    const p = planThinning(all, policy, new Date(now));
    const kept = new Map(p.keep.map((k) => [k.version, k.why]));
    expect(kept.get("21.1.0")).toMatch(/numbered/);
    expect(kept.get("22.1.8")).toMatch(/numbered/);
    expect(p.prune.some((d) => !d.version.includes(".dev"))).toBe(false);
    const keptSnaps = p.keep.filter((k) => k.version.includes(".dev"));
    const daysOld = (v: string): number => Math.round((Date.parse("2026-12-01") - Date.parse(snapshotDay(m(v)))) / DAY);
    // Every snapshot of the last 30 days (two a day: 60).
    expect(keptSnaps.filter((k) => daysOld(k.version) < 30)).toHaveLength(60);
    // 30..364 days: exactly one per ISO week, the week's newest, plus each month's newest (which
    // must survive the weekly window to be the month's snapshot after a year).
    const window = keptSnaps.filter((k) => daysOld(k.version) >= 30 && daysOld(k.version) < 365);
    const weekly = window.filter((k) => /newest snapshot of week/.test(k.why));
    expect(window.filter((k) => !/newest snapshot of week/.test(k.why)).every((k) => /newest snapshot of month/.test(k.why))).toBe(true);
    const weeks = weekly.map((k) => isoWeek(snapshotDay(m(k.version))));
    expect(new Set(weeks).size).toBe(weeks.length);
    expect(weekly.length).toBeGreaterThanOrEqual(47);
    expect(weekly.length).toBeLessThanOrEqual(49);
    for (const k of weekly) {
      expect(k.version.endsWith("01")).toBe(true); // the second of its day
      expect(new Date(`${snapshotDay(m(k.version))}T00:00:00Z`).getUTCDay()).toBe(0); // a Sunday: the week's last day
    }
    // Older than a year: one per calendar month, the month's newest.
    const monthly = keptSnaps.filter((k) => daysOld(k.version) >= 365);
    expect(monthly.map((k) => k.why).every((w) => /newest snapshot of month/.test(w))).toBe(true);
    expect(new Set(monthly.map((k) => snapshotDay(m(k.version)).slice(0, 7))).size).toBe(monthly.length);
    expect(monthly.every((k) => snapshotDay(m(k.version)).endsWith("-30") || snapshotDay(m(k.version)).endsWith("-31") || snapshotDay(m(k.version)).endsWith("-28"))).toBe(true);
    expect(p.keep.length + p.prune.length).toBe(all.length);
    // With monthly: false nothing older than a year keeps its files.
    const noMonthly = planThinning(all, { ...policy, monthly: false }, new Date(now));
    expect(noMonthly.keep.filter((k) => k.version.includes(".dev") && daysOld(k.version) >= 365)).toEqual([]);
    expect(noMonthly.prune.find((d) => daysOld(d.version) >= 365)?.why).toMatch(/monthly: false/);
  });

  it("never gives a pruned snapshot's files back by itself, and skips what is already pruned", () => {
    const start = Date.parse("2026-01-01T00:00:00Z");
    const all: ReleaseManifest[] = [];
    let prunedBefore = new Set<string>();
    for (let d = 0; d < 420; d += 2) {
      const t = start + d * DAY;
      all.push(m(snap(day(t))), m(snap(day(t + DAY))));
      const p = planThinning(all, policy, new Date(t), prunedBefore);
      const keptNow = new Set(p.keep.map((k) => k.version));
      for (const v of prunedBefore) expect(keptNow.has(v)).toBe(false);
      expect(p.alreadyPruned).toEqual([...prunedBefore].sort());
      prunedBefore = new Set([...prunedBefore, ...p.prune.map((x) => x.version)]);
    }
    expect(prunedBefore.size).toBeGreaterThan(250);
  });

  it("names the restore command in the yank reason", () => {
    expect(prunedReason("23.0.0.dev2026010100", "2026-12-01")).toBe(
      "files pruned by retention on 2026-12-01; restorable bit for bit from its manifest: mlir-release restore 23.0.0.dev2026010100",
    );
  });
});
