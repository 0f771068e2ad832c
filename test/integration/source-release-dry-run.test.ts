// The runbook of the 23.1.1 from-source release (bench/source-release.ts) with --dry-run on an empty
// cache: it plans (one cp312-abi3 wheel, verified on 3.12 and 3.13), prints every stage's command,
// names what is missing (the layer, its archive) and writes nothing.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { REPO } from "../support/env.js";

const cache = join(mkdtempSync(join(tmpdir(), "source-release-")), "cache");
afterAll(() => rmSync(join(cache, ".."), { recursive: true, force: true }));

describe("proof:source-release --dry-run", () => {
  it("plans and prints every stage without running or writing anything", async () => {
    const r = await execa(join(REPO, "node_modules", ".bin", "tsx"), [join(REPO, "bench", "source-release.ts"), "--dry-run", "--skip", "sid"], {
      reject: false,
      env: { MLIR_RELEASE_CACHE: cache, MLIR_RELEASE_SID_ROOT: join(cache, "no-sid-root"), MLIR_RELEASE_PYTHON_3_13T: join(cache, "no-python3.13t") },
    });
    expect(r.stdout).toMatch(/mlir_python_bindings-23\.1\.1-cp312-abi3-\S+\.whl {2}built with 3\.12, verified on 3\.12 3\.13\n/);
    expect(r.stdout).toMatch(/mlir_python_bindings-23\.1\.1-cp311-cp311-\S+\.whl {2}built with 3\.11, verified on 3\.11\n/);
    expect(r.stdout).toMatch(/FAIL the layer of the planned key is installed/);
    expect(r.stdout).toMatch(/ok {3}the abi3 wheel is verified on every CPython >= 3\.12 asked for — 3\.12 3\.13/);
    for (const stage of ["release", "restore", "rebuild", "bench", "downstream"]) expect(r.stdout).toContain(`== ${stage}\n`);
    expect(r.stdout).not.toContain("== sid");
    // The release stage builds without the tools wheel; the tools stage measures it on its own (150bd4b).
    expect(r.stdout).toMatch(/mlir-release\.mjs build --source debian:23\.1\.1 --layer source --python 3\.11,3\.12,3\.13 --no-tools-wheel --out \S+/);
    expect(r.stdout).toMatch(/bench\/wheels\.ts --python 3\.11,3\.12,3\.13 --source debian:23\.1\.1 --layer source/);
    expect(r.exitCode).toBe(3); // the missing layer (and archive) fail the preflight's checks
    expect(existsSync(cache)).toBe(false);
  }, 120_000);

  it("refuses an unknown stage name in one line, exit 2, before planning anything", async () => {
    const r = await execa(join(REPO, "node_modules", ".bin", "tsx"), [join(REPO, "bench", "source-release.ts"), "--dry-run", "--redo", "restore,rebuld"], {
      reject: false,
      env: { MLIR_RELEASE_CACHE: cache },
    });
    expect([r.exitCode, r.stdout, r.stderr.trim()]).toEqual([2, "", "error: unknown stage 'rebuld' in --only/--skip/--redo: stages are release, tools, restore, rebuild, bench, downstream, sid"]);
    expect(existsSync(cache)).toBe(false);
  }, 60_000);
});
