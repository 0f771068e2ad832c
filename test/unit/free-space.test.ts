// The free-space check before a build or a from-source layer writes gigabytes (src/util/free-space.ts).
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { formatError } from "../../src/errors.js";
import { dirBytes, DiskSpaceError, freeBytes, requireFreeSpace } from "../../src/util/free-space.js";
import { LAYER_STAMP, layerWorkDirs, sourceLayerSpaceNeed } from "../../src/layer/layer.js";

const dir = mkdtempSync(join(tmpdir(), "free-space-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("refuses when the folders of one file system need more than it has free, in one line naming them, the figures and what to do; exit 3", () => {
  const work = join(dir, "work");
  const out = join(dir, "not-yet", "out");
  const free = (): number => 2.5e9;
  let caught: unknown;
  try {
    requireFreeSpace(
      [
        { path: work, bytes: 2e9, what: "work: 2 interpreter builds" },
        { path: out, bytes: 1e9, what: "output: wheels" },
      ],
      "pass --work and --out on a larger disk",
      free,
    );
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(DiskSpaceError);
  const e = caught as DiskSpaceError;
  expect([e.code, e.exitCode]).toEqual(["disk-space", 3]);
  expect(formatError(e, false).trimEnd()).toBe(`error: ${work}, ${out}: 2.5 GB free, about 3.0 GB needed (work: 2 interpreter builds; output: wheels); free some space or pass --work and --out on a larger disk`);
  // Each alone fits; nothing or a negative need (a rerun's folders already hold it) passes.
  expect(() => requireFreeSpace([{ path: work, bytes: 2e9, what: "w" }], "x", free)).not.toThrow();
  expect(() => requireFreeSpace([{ path: work, bytes: -5e9, what: "w" }, { path: out, bytes: 2.4e9, what: "o" }], "x", free)).not.toThrow();
});

it("names every short file system in the one line", () => {
  // The temp folder and /proc are two file systems (two devices); each short of its need.
  const e = (() => {
    try {
      requireFreeSpace([{ path: join(dir, "w"), bytes: 2e9, what: "work" }, { path: "/proc/none", bytes: 1e9, what: "other" }], "do something", () => 0.5e9);
    } catch (x) {
      return x as DiskSpaceError;
    }
  })();
  expect(e?.message).toBe(`${join(dir, "w")}: 0.5 GB free, about 2.0 GB needed (work); and /proc/none: 0.5 GB free, about 1.0 GB needed (other); free some space or do something`);
});

it("a from-source layer's need: all of it for a new key, less what a resumed build of the same key wrote, none once installed", () => {
  const cache = join(dir, "cache");
  const key = "linux-x86_64-0123456789abcdef";
  const work = layerWorkDirs(cache, "linux-x86_64");
  const full = sourceLayerSpaceNeed(cache, "linux-x86_64", key);
  expect(full.path).toBe(join(cache, "layers"));
  expect(full.bytes).toBe(6e9);
  mkdirSync(work.build, { recursive: true });
  writeFileSync(join(work.build, "a.o"), Buffer.alloc(5000));
  writeFileSync(work.keyFile, "linux-x86_64-another\n");
  expect(sourceLayerSpaceNeed(cache, "linux-x86_64", key).bytes).toBe(6e9); // another key's folder is emptied first
  writeFileSync(work.keyFile, `${key}\n`);
  expect(sourceLayerSpaceNeed(cache, "linux-x86_64", key).bytes).toBe(6e9 - 5000);
  mkdirSync(join(cache, "layers", key, "install"), { recursive: true });
  writeFileSync(join(cache, "layers", key, "install", LAYER_STAMP), "{}");
  expect(sourceLayerSpaceNeed(cache, "linux-x86_64", key).bytes).toBe(0);
});

it("reads the real file system: free bytes of a folder yet to be made are its parent's; a folder's bytes count files, not links", () => {
  // Other processes write meanwhile: the same file system within 100 MB.
  expect(Math.abs(freeBytes(join(dir, "a", "b", "c")) - freeBytes(dir))).toBeLessThan(1e8);
  expect(freeBytes(dir)).toBeGreaterThan(0);
  const d = join(dir, "tree");
  mkdirSync(join(d, "sub"), { recursive: true });
  writeFileSync(join(d, "a"), Buffer.alloc(1000));
  writeFileSync(join(d, "sub", "b"), Buffer.alloc(234));
  symlinkSync(join(d, "a"), join(d, "link"));
  symlinkSync(d, join(d, "sub", "loop"));
  expect(dirBytes(d)).toBe(1234);
  expect(dirBytes(join(dir, "missing"))).toBe(0);
});
