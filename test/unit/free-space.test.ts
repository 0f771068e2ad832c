// The free-space check before a build or a from-source layer writes gigabytes (src/util/free-space.ts).
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { formatError } from "../../src/errors.js";
import { dirBytes, DiskSpaceError, freeBytes, requireFreeSpace } from "../../src/util/free-space.js";

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
