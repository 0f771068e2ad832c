// Free-threaded CPython for real (issue 18 item 5): the cp313t wheel from Debian's pinned LLVM
// 22.1.8 source on the prebuilt layer, built with the 3.13t that ci/setup.sh builds from Debian's
// source when MLIR_RELEASE_FREE_THREADED=1, installed into a fresh 3.13t venv, smoke-tested and run
// through upstream's lit suite with PYTHON_GIL=0, then IR built and walked from several threads
// at once with the GIL off before and after (containers/verify/free_threaded.py). The wheel shares
// the bindings build directory (and so the aggregate C API library) with wheel-factory.test.ts;
// when nothing changed the factory's stamp reuses it and only the verification runs again.
// Without a 3.13t interpreter the suite is skipped with the reason printed: a skip, not a pass.
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { unzipSync } from "fflate";
import { beforeAll, describe, expect, it } from "vitest";
import { findPython } from "../../src/platforms/pythons.js";
import { LLVM_22_1_8_TAG } from "../../src/cli/build-commands.js";
import { buildSettings } from "../support/build-settings.js";
import { buildWheels, type BuildSettings } from "../../src/factory/factory.js";
import { findWheel } from "../../src/plan/release-queries.js";
import { manifestForBuild } from "../../src/rebuild/build-manifest.js";
import type { BuildReport } from "../../src/schema/build-report.js";
import type { ReleaseManifest } from "../../src/schema/manifest.js";
import { writeStage } from "../../src/stage/stage.js";
import type { FreeThreadedResult } from "../../src/verify/install.js";
import { CACHE, OUTPUT, REPO, testEnv, testProgress } from "../support/env.js";
import { NEEDS_TEST_EXTENSION } from "../support/wheel-settings.js";

const FT = "3.13t";

// findPython's error names where it looked and how to get one (ci/setup.sh with MLIR_RELEASE_FREE_THREADED=1).
const lookup: { interpreter: string; missing?: string } = await findPython(testEnv("free-threaded-find"), FT, CACHE).then(
  (p) => ({ interpreter: p.executable }),
  (e: Error) => ({ interpreter: "", missing: e.message }),
);
const interpreter = lookup.interpreter;
if (lookup.missing) process.stderr.write(`free-threaded.test.ts: SKIPPED (not a pass): ${lookup.missing}\n`);

const resolved = buildSettings({
  python: FT,
  out: join(OUTPUT, "free-threaded", "dist"),
  work: join(CACHE, "test-work"),
  cache: CACHE,
  verify: true,
  lit: true,
});
// The same fixed timestamp as wheel-settings.ts: the stamp then depends only on the Python.
const settings: BuildSettings = { ...resolved, release: { ...resolved.release, sourceDateEpoch: 1_781_000_000 } };

describe.skipIf(!interpreter)(`free-threaded CPython ${FT}: build, install, smoke, lit with PYTHON_GIL=0, threads`, () => {
  let report: BuildReport;
  let fileName: string;
  const verifyPython = join(settings.workDir, "verify-venvs", `py${FT}`, "bin", "python");
  beforeAll(async () => {
    report = await buildWheels(settings, testEnv("free-threaded"), testProgress("free-threaded"));
    fileName = report.wheels[0]!.fileName;
    process.stderr.write(`free-threaded: ${fileName} (${report.wheels[0]!.reused ? "reused" : "built"}), lit ${JSON.stringify(report.verification[fileName]?.lit)}\n`);
  }, 3_600_000);

  it("was built with a free-threaded interpreter (Py_GIL_DISABLED)", async () => {
    const r = await execa(interpreter, ["-c", "import sys, sysconfig; print(sysconfig.get_config_var('Py_GIL_DISABLED'), sys.abiflags)"]);
    expect(r.stdout.trim()).toBe("1 t");
  });

  it("is tagged cp313-cp313t (what pip on 3.13t accepts) and carries cpython-313t extension modules", () => {
    expect(report.wheels).toHaveLength(1);
    const w = report.wheels[0]!;
    expect(w.python).toBe(FT);
    expect(w.fileName).toMatch(/^mlir_python_bindings-22\.1\.8-cp313-cp313t-manylinux_2_\d+_x86_64\.whl$/);
    expect(w.tag).toMatchObject({ python: "cp313", abi: "cp313t" });
    const names: string[] = [];
    const files = unzipSync(readFileSync(join(settings.outDir, w.fileName)), { filter: (f) => (names.push(f.name), /\.dist-info\/WHEEL$/.test(f.name)) });
    const wheelFile = Buffer.from(Object.values(files)[0]!).toString();
    expect(wheelFile).toMatch(/^Tag: cp313-cp313t-manylinux_2_\d+_x86_64$/m);
    const ext = names.filter((n) => /^mlir\/_mlir_libs\/_mlir\..*\.so$/.test(n));
    expect(ext).toEqual(["mlir/_mlir_libs/_mlir.cpython-313t-x86_64-linux-gnu.so"]);
    expect(names.filter((n) => /cpython-313-x86_64/.test(n))).toEqual([]);
  });

  it("installs into a fresh 3.13t venv whose pip accepts the tag, and passes the smoke test with PYTHON_GIL=0", async () => {
    const v = report.verification[fileName]!;
    expect(v.smoke).toMatchObject({ canonicalized: true, jit: 42, llvm_version: "22.1.8", llvm_commit: LLVM_22_1_8_TAG.commit });
    const tags = await execa(verifyPython, ["-c", "from pip._vendor.packaging.tags import sys_tags; print(next(iter(sys_tags())))"]);
    expect(tags.stdout.trim()).toMatch(/^cp313-cp313t-manylinux_2_\d+_x86_64$/);
    const shown = await execa(verifyPython, ["-m", "pip", "show", "--disable-pip-version-check", "mlir-python-bindings"]);
    expect(shown.stdout).toMatch(/^Version: 22\.1\.8$/m);
  });

  it("passes upstream's mlir/test/python suite under PYTHON_GIL=0 but for the tests of the unshipped test extension", () => {
    const lit = report.verification[fileName]!.lit!;
    process.stderr.write(`lit Python ${FT} (PYTHON_GIL=0): ${JSON.stringify(lit)}\n`);
    expect(lit.passed + lit.failed + lit.unsupported + lit.xfail).toBe(100);
    expect(lit.failures.filter((f) => !NEEDS_TEST_EXTENSION.includes(f))).toEqual([]);
    expect(lit.passed).toBeGreaterThanOrEqual(96);
  });

  it("builds and walks IR from 8 threads at once with the GIL disabled before import, after it and after the threads", async () => {
    // As the build recorded it (run without PYTHON_GIL=0: an extension lacking Py_mod_gil would turn the GIL on) ...
    const recorded = report.verification[fileName]!.freeThreaded as unknown as FreeThreadedResult;
    // ... and once more here, in the venv the build installed the wheel into.
    const r = await execa(verifyPython, [join(REPO, "containers", "verify", "free_threaded.py")], { cwd: "/", reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    const now = JSON.parse(r.stdout.trim().split("\n").pop()!) as FreeThreadedResult;
    for (const res of [recorded, now]) {
      expect(res).toMatchObject({ python: "3.13.15", py_gil_disabled: true, gil_before_import: false, gil_after_import: false, gil_after_threads: false, errors: [], threads: 8 });
      expect(res.modules_walked).toBe(8 * 20);
      expect(res.ops_per_module).toBeGreaterThan(4 * 4);
    }
  }, 300_000);

  it("the threaded check fails when the GIL is on (PYTHON_GIL=1): it can tell", async () => {
    const r = await execa(verifyPython, [join(REPO, "containers", "verify", "free_threaded.py")], { cwd: "/", env: { PYTHON_GIL: "1" }, reject: false });
    expect(r.exitCode).toBe(1);
    expect(JSON.parse(r.stdout.trim().split("\n").pop()!)).toMatchObject({ gil_before_import: true, gil_after_threads: true });
  }, 300_000);

  it("is recorded in the manifest like the other versions, stages, and resolves for 3.13t only", async () => {
    const { manifest } = manifestForBuild(settings, report);
    const m = manifest as ReleaseManifest;
    expect(m.plan.matrix).toHaveLength(1);
    expect(m.plan.matrix[0]).toMatchObject({ platform: "linux-x86_64", python: FT, abi: "freethreaded", tag: report.wheels[0]!.tag });
    expect(m.artifacts.find((a) => a.fileName === fileName)).toMatchObject({ kind: "wheel", python: FT, tag: { python: "cp313", abi: "cp313t" } });
    expect((m.verification[fileName] as { freeThreaded?: { gil_after_threads?: boolean } }).freeThreaded?.gil_after_threads).toBe(false);
    const out = join(OUTPUT, "free-threaded", "stage");
    rmSync(out, { recursive: true, force: true });
    mkdirSync(join(OUTPUT, "free-threaded"), { recursive: true });
    const staged = await writeStage({ manifests: [m], artifactsDir: settings.outDir, outDir: out });
    expect(readFileSync(join(staged.dir, "SHA256SUMS"), "utf8")).toContain(`${report.wheels[0]!.sha256}  ${fileName}\n`);
    expect(findWheel([m], { python: FT, platform: "manylinux_x86_64", kind: "any" })?.fileName).toBe(fileName);
    expect(findWheel([m], { python: "cp313t", platform: "linux-x86_64", kind: "any" })?.fileName).toBe(fileName);
    // A GIL 3.13 interpreter cannot load a cp313t wheel: resolve must not offer it.
    expect(findWheel([m], { python: "3.13", platform: "manylinux_x86_64", kind: "any" })).toBeUndefined();
  });
});
