// One real wheel, end to end: Debian's pinned LLVM 22.1.8 source + the prebuilt /usr/lib/llvm-22
// layer → out-of-tree bindings → wheel → auditwheel repair → fresh venv → smoke test → upstream's
// mlir/test/python lit suite. Then a rerun that must reuse the wheel byte for byte.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { unzipSync } from "fflate";
import { beforeAll, describe, expect, it } from "vitest";
import { LLVM_22_1_8_TAG } from "../../src/factory/cli.js";
import { buildWheels } from "../../src/factory/factory.js";
import type { BuildReport } from "../../src/schema.js";
import { CACHE, REPO, testEnv, testProgress } from "../support/env.js";
import { PYTHON, settings } from "../support/wheel-settings.js";

/**
 * Upstream tests that need upstream's test-only extension (_mlirPythonTestNanobind, built with
 * MLIR_INCLUDE_TESTS=ON): a release wheel deliberately does not ship it.
 */
export const NEEDS_TEST_EXTENSION = [
  "python/dialects/python_test.py",
  "python/ir/diagnostic_handler.py",
  "python/multithreaded_tests.py",
];

describe(`wheel factory, Python ${PYTHON}`, () => {
  let report: BuildReport;
  beforeAll(async () => {
    report = await buildWheels(settings, testEnv("wheel-factory"), testProgress("wheel-factory"));
  }, 1_800_000);

  it("produces one manylinux wheel for the Python asked for", () => {
    expect(report.wheels).toHaveLength(1);
    const w = report.wheels[0]!;
    const cp = `cp${PYTHON.replace(".", "")}`;
    expect(w.fileName).toMatch(new RegExp(`^mlir_python_bindings-22\\.1\\.8-${cp}-${cp}-manylinux_2_\\d+_x86_64\\.whl$`));
    expect(w.size).toBeGreaterThan(20e6);
    expect(w.auditwheel?.policy).toMatch(/^manylinux_2_\d+_x86_64$/);
  });

  it("is self-contained: only libzstd is grafted, no LLVM/MLIR shared library is needed", () => {
    const w = report.wheels[0]!;
    const names: string[] = [];
    unzipSync(readFileSync(join(settings.outDir, w.fileName)), { filter: (f) => (names.push(f.name), false) });
    const grafted = names.filter((n) => n.startsWith("mlir_python_bindings.libs/"));
    expect(grafted.map((n) => n.replace(/-[0-9a-f]{8}/, ""))).toEqual(["mlir_python_bindings.libs/libzstd.so.1.5.4"]);
    expect(names.some((n) => /libLLVM|libMLIR\.so/.test(n))).toBe(false);
  });

  it("carries metadata and the LLVM identity, and no build path", () => {
    const w = report.wheels[0]!;
    const files = unzipSync(readFileSync(join(settings.outDir, w.fileName)));
    const meta = Buffer.from(files["mlir_python_bindings-22.1.8.dist-info/METADATA"]!).toString();
    expect(meta).toContain("Requires-Python: >=3.10");
    expect(meta).toMatch(/Requires-Dist: numpy>=1\.19\.5/);
    expect(meta).toMatch(/Requires-Dist: ml_dtypes/);
    const info = Buffer.from(files["mlir/_release_info.py"]!).toString();
    expect(info).toContain(`LLVM_COMMIT = "${LLVM_22_1_8_TAG.commit}"`);
    expect(info).toContain('NANOBIND_DOMAIN = "mlir_release"');
    const needles = [settings.workDir, CACHE, REPO].map((p) => Buffer.from(p));
    const leaks = Object.entries(files)
      .filter(([, data]) => needles.some((n) => Buffer.from(data).includes(n)))
      .map(([name]) => name);
    expect(leaks).toEqual([]);
  });

  it("passes check-wheel-contents and the smoke test (parse, pass pipeline, IR from Python, JIT)", () => {
    const v = report.verification[report.wheels[0]!.fileName]!;
    expect(v.wheelContents).toEqual([]);
    expect(v.smoke).toMatchObject({ canonicalized: true, jit: 42, llvm_version: "22.1.8", llvm_commit: LLVM_22_1_8_TAG.commit });
  });

  it("passes upstream's mlir/test/python suite but for the tests of the unshipped test extension", () => {
    const lit = report.verification[report.wheels[0]!.fileName]!.lit!;
    process.stderr.write(`lit Python ${PYTHON}: ${JSON.stringify(lit)}\n`);
    expect(lit.passed + lit.failed + lit.unsupported + lit.xfail).toBe(100);
    expect(lit.failures.filter((f) => !NEEDS_TEST_EXTENSION.includes(f))).toEqual([]);
    expect(lit.passed).toBeGreaterThanOrEqual(96);
  });

  it("reuses the wheel byte for byte when nothing changed", async () => {
    const again = await buildWheels({ ...settings, verify: false }, testEnv("wheel-factory-rerun"), testProgress("rerun"));
    expect(again.wheels[0]!.reused).toBe(true);
    expect(again.wheels[0]!.sha256).toBe(report.wheels[0]!.sha256);
  }, 600_000);
});
