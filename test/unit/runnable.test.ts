// A candidate program is runnable when it is an existing path or a bare name found on PATH: on a
// GitHub runner setup-python puts python3.12 on PATH (no pyenv, no /opt/python), and `setup` and
// `build` must take it instead of falling back to a path that does not exist (the workflow-steps
// run of the host job stopped at `python -m venv` on /opt/python/cp312-cp312 before this).
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { platformById } from "../../src/platforms/index.js";
import { runnable } from "../../src/exec/env.js";

describe("runnable", () => {
  const dir = mkdtempSync(join(tmpdir(), "runnable-"));
  writeFileSync(join(dir, "python3.12"), "#!/bin/sh\n");
  chmodSync(join(dir, "python3.12"), 0o755);
  it("finds a bare name on PATH and an existing path; refuses a missing path or name", () => {
    expect(runnable("python3.12", `/nonexistent:${dir}`)).toBe(true);
    expect(runnable("python3.12", "/nonexistent")).toBe(false);
    expect(runnable(join(dir, "python3.12"), "")).toBe(true);
    expect(runnable("/opt/python/cp312-cp312/bin/python", dir)).toBe(false);
  });
  it("picks the PATH interpreter among the linux candidates when no manylinux or pyenv one exists", () => {
    const p = platformById("linux-x86_64");
    const candidates = p.pythonCandidates("3.12", { HOME: join(dir, "no-home") }, () => []);
    expect(candidates.find((c) => runnable(c, dir))).toBe("python3.12");
  });
});
