// The test run's temporary folder (test/support/run-tmpdir.ts): one per run, gone at the end, and a
// killed run's folder removed by the next run while a live run's is kept.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import setup from "../support/run-tmpdir.js";

const saved = process.env["TMPDIR"];
const base = mkdtempSync(join(tmpdir(), "run-tmpdir-"));
afterEach(() => {
  process.env["TMPDIR"] = saved;
  rmSync(base, { recursive: true, force: true });
});

it("makes one folder for the run, points TMPDIR at it, removes it at teardown; a dead run's folder goes, a live one's stays", () => {
  // A pid that is certainly gone: a child that has exited and been reaped.
  const deadPid = spawnSync("true").pid!;
  const dead = join(base, `mlir-release-test-run-${deadPid}`);
  const live = join(base, `mlir-release-test-run-${process.ppid}`);
  const other = join(base, "someone-elses");
  for (const d of [dead, live, other]) mkdirSync(d);
  writeFileSync(join(dead, "leftover.whl"), "x");
  process.env["TMPDIR"] = base;

  const teardown = setup();
  const mine = join(base, `mlir-release-test-run-${process.pid}`);
  expect(process.env["TMPDIR"]).toBe(mine);
  expect(tmpdir()).toBe(mine);
  expect(existsSync(dead)).toBe(false);
  expect(existsSync(live) && existsSync(other)).toBe(true);
  // A second project's setup in the same process owns nothing.
  setup()();
  expect(existsSync(mine)).toBe(true);

  writeFileSync(join(mkdtempSync(join(tmpdir(), "stage-")), "a.whl"), "x");
  teardown();
  expect(existsSync(mine)).toBe(false);
  expect(process.env["TMPDIR"]).toBe(base);
  expect(readdirSync(base).sort()).toEqual([`mlir-release-test-run-${process.ppid}`, "someone-elses"].sort());
});
