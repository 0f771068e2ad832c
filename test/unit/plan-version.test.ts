import { describe, expect, it } from "vitest";
import {
  compareVersions,
  llvmVersionOfTag,
  nextSnapshotSequence,
  numberedVersion,
  parseReleaseVersion,
  snapshotVersion,
  sortVersions,
  tagOfRef,
} from "../../src/plan/version.js";

// Seeded PRNG (mulberry32) for property loops: failures reproduce from the seed.
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const int = (r: () => number, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
const day = (r: () => number): string => new Date(Date.UTC(2020, 0, 1) + int(r, 0, 3650) * 86400_000).toISOString().slice(0, 10);

describe("version scheme", () => {
  it("maps tags and snapshots to the documented examples", () => {
    expect(numberedVersion(llvmVersionOfTag("llvmorg-22.1.8"))).toBe("22.1.8");
    expect(numberedVersion(llvmVersionOfTag("llvmorg-23.1.0-rc2"))).toBe("23.1.0rc2");
    expect(numberedVersion("22.1.8", 1)).toBe("22.1.8.post1");
    expect(snapshotVersion("23.0.0", { date: "2026-11-25", sequence: 0 })).toBe("23.0.0.dev2026112500");
    expect(snapshotVersion("23.0.0", { date: "2026-11-25", sequence: 1 })).toBe("23.0.0.dev2026112501");
    expect(snapshotVersion("23.1.0-rc1", { date: "2026-01-02", sequence: 7 })).toBe("23.1.0.dev2026010207");
    expect(tagOfRef("23.1.0rc2")).toBe("llvmorg-23.1.0-rc2");
    expect(tagOfRef("22.1.8")).toBe("llvmorg-22.1.8");
  });

  it("orders snapshots, rcs, finals and posts as releases happen", () => {
    const chronological = [
      "22.0.0.dev2025071400",
      "22.0.0.dev2025071401",
      "22.1.0rc1",
      "22.1.0rc2",
      "22.1.0",
      "22.1.0.post1",
      "22.1.8",
      "23.0.0.dev2025071500",
      "23.0.0.dev2025120100",
      "23.0.0.dev2026010100",
      "23.1.0rc1",
      "23.1.0",
    ];
    const shuffled = [...chronological].reverse();
    expect(sortVersions(shuffled)).toEqual(chronological);
  });

  it("property: snapshots sort by (LLVM version, day, sequence) and round-trip", () => {
    const r = rng(20261125);
    for (let i = 0; i < 2000; i++) {
      const a = { v: `${int(r, 17, 25)}.${int(r, 0, 2)}.${int(r, 0, 9)}`, date: day(r), sequence: int(r, 0, 99) };
      const b = { v: `${int(r, 17, 25)}.${int(r, 0, 2)}.${int(r, 0, 9)}`, date: day(r), sequence: int(r, 0, 99) };
      const va = snapshotVersion(a.v, a);
      const vb = snapshotVersion(b.v, b);
      const key = (x: typeof a): string =>
        `${x.v.split(".").map((n) => n.padStart(3, "0")).join(".")}|${x.date}|${String(x.sequence).padStart(2, "0")}`;
      const expected = key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
      expect(Math.sign(compareVersions(va, vb)), `${va} vs ${vb}`).toBe(expected);
      expect(parseReleaseVersion(va)).toEqual({ kind: "snapshot", llvmVersion: a.v, date: a.date, sequence: a.sequence });
    }
  });

  it("property: numbered versions round-trip, and each snapshot of X.Y.Z sorts before X.Y.Z's rcs", () => {
    const r = rng(7);
    for (let i = 0; i < 1000; i++) {
      const xyz = `${int(r, 1, 30)}.${int(r, 0, 9)}.${int(r, 0, 20)}`;
      const rc = r() < 0.5 ? `-rc${int(r, 1, 9)}` : "";
      const post = r() < 0.3 ? int(r, 1, 5) : undefined;
      const v = numberedVersion(`${xyz}${rc}`, post);
      expect(parseReleaseVersion(v)).toEqual({ kind: "numbered", llvmVersion: `${xyz}${rc}`, ...(post ? { post } : {}) });
      expect(tagOfRef(`llvmorg-${xyz}${rc}`)).toBe(`llvmorg-${xyz}${rc}`);
      const snap = snapshotVersion(xyz, { date: day(r), sequence: int(r, 0, 99) });
      expect(compareVersions(snap, v)).toBeLessThan(0);
    }
  });

  it("rejects every form the scheme never produces, naming the version", () => {
    const invalid: Array<[string, RegExp]> = [
      ["22.1.8+local", /local versions/],
      ["22.1", /three release numbers/],
      ["22.1.8.1", /three release numbers/],
      ["1!22.1.8", /epochs/],
      ["22.1.8a1", /only rc/],
      ["22.1.8b2", /only rc/],
      ["22.1.8.dev20261125", /YYYYMMDDNN/],
      ["22.1.8.dev202611250", /YYYYMMDDNN/],
      ["22.1.8.dev2026113100", /not a real day/],
      ["22.1.8.dev2026023000", /not a real day/],
      ["22.1.8rc1.dev2026112500", /without rc or post/],
      ["22.1.8.post1.dev2026112500", /without rc or post/],
      ["22.1.8-rc1", /canonical form/],
      ["v22.1.8", /canonical form/],
      ["22.1.8.post0", /start at .post1/],
      ["not-a-version", /not a PEP 440/],
      ["22.01.8", /canonical form/],
    ];
    for (const [v, why] of invalid) {
      expect(() => parseReleaseVersion(v), v).toThrow(new RegExp(`version '${v.replace(/[.+!]/g, "\\$&")}'`));
      expect(() => parseReleaseVersion(v), v).toThrow(why);
    }
    expect(() => llvmVersionOfTag("llvmorg-22.1")).toThrow(/llvmorg-X.Y.Z/);
    expect(() => llvmVersionOfTag("llvmorg-22.01.8")).toThrow(/leading zeros/);
    expect(() => llvmVersionOfTag("release/22.x")).toThrow(/tag 'release\/22.x'/);
    expect(() => tagOfRef("main")).toThrow(/ref 'main'/);
    expect(() => snapshotVersion("22.1.8", { date: "2026-02-30", sequence: 0 })).toThrow(/real YYYY-MM-DD/);
    expect(() => snapshotVersion("22.1.8", { date: "2026-11-25", sequence: 100 })).toThrow(/at most 100 snapshots a day/);
    expect(() => snapshotVersion("22.1", { date: "2026-11-25", sequence: 0 })).toThrow(/LLVM version '22.1'/);
    expect(() => numberedVersion("22.1.8", 0)).toThrow(/post 0/);
  });

  it("property: any string the parser accepts re-renders to itself; everything else is refused by name", () => {
    const r = rng(440);
    const pieces = ["22", "1", "8", ".", ".", "rc", "a", "b", ".post", ".dev", "+", "local", "!", "-", "0", "01", "2026112500", "20261125", "v", "_", " "];
    let accepted = 0;
    for (let i = 0; i < 5000; i++) {
      const v = Array.from({ length: int(r, 1, 9) }, () => pieces[int(r, 0, pieces.length - 1)]).join("");
      let parsed;
      try {
        parsed = parseReleaseVersion(v);
      } catch (e) {
        expect((e as Error).message.startsWith(`version '${v}': `), v).toBe(true);
        continue;
      }
      accepted++;
      const again = parsed.kind === "snapshot" ? snapshotVersion(parsed.llvmVersion, parsed) : numberedVersion(parsed.llvmVersion, parsed.post);
      expect(again, v).toBe(v);
    }
    expect(accepted).toBeGreaterThan(0);
  });

  it("numbers a day's snapshots from what exists, across LLVM versions", () => {
    const existing = ["22.0.0.dev2026112400", "22.0.0.dev2026112500", "23.0.0.dev2026112501", "22.1.8", "23.0.0.dev2026112600"];
    expect(nextSnapshotSequence("2026-11-25", existing)).toBe(2);
    expect(nextSnapshotSequence("2026-11-24", existing)).toBe(1);
    expect(nextSnapshotSequence("2026-11-27", existing)).toBe(0);
  });
});
