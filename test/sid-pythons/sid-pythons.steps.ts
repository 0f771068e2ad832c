// CPython 3.14 and 3.15 for real (issue 27), with Debian sid's interpreters from the root that
// ci/setup.d/35-sid.sh prepares (MLIR_RELEASE_SID=1). Outside `npm test` (about 20 min of builds):
// `npm run test:sid-pythons` prepares the root and runs it; without a prepared root it fails, never skips.
// 1. The route, in seconds: the root's interpreter runs on this host with the root's loader, a venv
//    made with it works and takes the root's pip, and a C extension compiled by the host's gcc
//    against the root's headers imports in it while needing no glibc symbol newer than the host's.
// 2. The wheels: 22.1.8 on the prebuilt Debian layer for 3.14 and 3.15, repaired on the host,
//    installed into fresh venvs of sid's interpreters, smoke-tested, upstream's lit suite.
//    MLIR_RELEASE_SID_TEST_WORK/_CACHE reuse the build directories of a CLI build (README, Pythons).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LLVM_22_1_8_TAG } from "../../src/cli/build-commands.js";
import { buildSettings } from "../support/build-settings.js";
import { buildWheels, type BuildSettings } from "../../src/factory/factory.js";
import { SID_PYTHONS, sidPaths } from "../../src/platforms/sid-python.js";
import type { BuildReport } from "../../src/schema/build-report.js";
import { CACHE, OUTPUT, REPO, testEnv, testProgress } from "../support/env.js";
import { NEEDS_TEST_EXTENSION } from "../support/wheel-settings.js";

const root = process.env["MLIR_RELEASE_SID_ROOT"];
const ready = !!root && existsSync(join(root, ".mlir-release-sid-root"));
if (!ready) {
  throw new Error(
    `sid-pythons: ${root ? `${root} is not a prepared sid root` : "MLIR_RELEASE_SID_ROOT is not set"}; ` +
      "run MLIR_RELEASE_SID=1 bash ci/setup.sh and set MLIR_RELEASE_SID_ROOT to the root it names (npm run test:sid-pythons does both)",
  );
}
const HOST_GLIBC = "2.36";
const tmp = mkdtempSync(join(tmpdir(), "sid-pythons-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The newest GLIBC_x.y symbol version a shared object needs (objdump -T). */
async function newestGlibc(file: string): Promise<string> {
  const r = await execa("objdump", ["-T", file]);
  const versions = [...r.stdout.matchAll(/GLIBC_(\d+)\.(\d+)/g)].map((m) => [Number(m[1]), Number(m[2])] as const);
  versions.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const top = versions.at(-1);
  return top ? `${top[0]}.${top[1]}` : "none";
}
const minor = (v: string): number => Number(v.split(".")[1]);

describe("the sid root's interpreters on this host", () => {
  for (const v of SID_PYTHONS) {
    it(`${v}: runs with the root's loader, makes a working venv with the root's pip, imports a host-compiled extension`, async () => {
      const { interpreter, includeDir } = sidPaths(root!, v);
      const facts = JSON.parse(
        (await execa(interpreter, ["-c", "import json, sys, sysconfig, platform; print(json.dumps([sys.version_info[:2], sysconfig.get_config_var('EXT_SUFFIX'), platform.libc_ver()[1]]))"])).stdout,
      ) as [[number, number], string, string];
      expect(facts[0]).toEqual([3, minor(v)]);
      expect(facts[1]).toBe(`.cpython-3${minor(v)}-x86_64-linux-gnu.so`);
      // sid's glibc, newer than this host's: the reason the interpreter needs its root.
      expect(minor(facts[2])).toBeGreaterThan(minor(HOST_GLIBC));
      const venv = join(tmp, `venv-${v}`);
      await execa(interpreter, ["-m", "venv", venv]);
      const pip = await execa(join(venv, "bin", "python"), ["-m", "pip", "--version"]);
      expect(pip.stdout).toMatch(new RegExp(`\\(python ${v.replace(".", "\\.")}\\)$`));
      // A C extension built by this host's gcc against the root's headers (what the bindings build does).
      const src = join(tmp, `ext${minor(v)}.c`);
      writeFileSync(
        src,
        // strtol: sid's glibc headers would redirect it to __isoc23_strtol (GLIBC_2.38); the host's must not.
        '#include <Python.h>\n#include <stdlib.h>\nstatic PyObject *hello(PyObject *s, PyObject *a) { return PyLong_FromLong(strtol(Py_GetVersion() + 2, 0, 10)); }\n' +
          'static PyMethodDef m[] = {{"hello", hello, METH_NOARGS, 0}, {0}};\nstatic struct PyModuleDef d = {PyModuleDef_HEAD_INIT, "sidext", 0, -1, m};\n' +
          "PyMODINIT_FUNC PyInit_sidext(void) { return PyModule_Create(&d); }\n",
      );
      const dir = join(tmp, `ext-${v}`);
      mkdirSync(dir, { recursive: true });
      const so = join(dir, `sidext${facts[1]}`);
      await execa("gcc", ["-shared", "-fPIC", "-O1", `-I${includeDir}`, src, "-o", so]);
      const r = await execa(join(venv, "bin", "python"), ["-c", "import sidext; print(sidext.hello())"], { cwd: dir });
      expect(r.stdout.trim()).toBe(String(minor(v)));
      const needs = await newestGlibc(so);
      expect(needs).toMatch(/^2\.\d+$/);
      expect(minor(needs)).toBeLessThanOrEqual(minor(HOST_GLIBC));
    }, 300_000);
  }
});

const work = process.env["MLIR_RELEASE_SID_TEST_WORK"] ?? join(CACHE, "test-work");
const cache = process.env["MLIR_RELEASE_SID_TEST_CACHE"] ?? CACHE;
describe("22.1.8 wheels for CPython 3.14 and 3.15, built here and tested on Debian's interpreters", () => {
  let report: BuildReport;
  let settings: BuildSettings;
  beforeAll(async () => {
    const resolved = buildSettings({ python: SID_PYTHONS.join(","), out: join(OUTPUT, "sid-pythons", "dist"), work, cache, verify: true, lit: true, dev: false });
    settings = { ...resolved, release: { ...resolved.release, sourceDateEpoch: 1_781_000_000 } };
    report = await buildWheels(settings, testEnv("sid-pythons"), testProgress("sid-pythons"));
    for (const w of report.wheels) process.stderr.write(`sid-pythons: ${w.fileName} ${w.sha256} lit ${JSON.stringify(report.verification[w.fileName]?.lit)}\n`);
  }, 7_200_000);

  it("builds one cp314 and one cp315 wheel with the host's manylinux tag, each holding its own extension suffix", () => {
    expect(report.wheels.map((w) => w.python)).toEqual(["3.14", "3.15"]);
    for (const w of report.wheels) {
      const n = minor(w.python);
      expect(w.fileName).toBe(`mlir_python_bindings-22.1.8-cp3${n}-cp3${n}-manylinux_2_36_x86_64.whl`);
      const names: string[] = [];
      unzipSync(readFileSync(join(settings.outDir, w.fileName)), { filter: (f) => (names.push(f.name), false) });
      expect(names).toContain(`mlir/_mlir_libs/_mlir.cpython-3${n}-x86_64-linux-gnu.so`);
      expect(names.filter((x) => /cpython-3\d+-x86_64/.test(x) && !x.includes(`cpython-3${n}-`))).toEqual([]);
    }
  });

  it("installs into fresh venvs of sid's 3.14/3.15 and passes the smoke test (JIT included)", () => {
    for (const w of report.wheels) {
      expect(report.verification[w.fileName]!.smoke, w.fileName).toMatchObject({ canonicalized: true, jit: 42, llvm_version: "22.1.8", llvm_commit: LLVM_22_1_8_TAG.commit });
    }
  });

  it("passes upstream's mlir/test/python suite but for the tests of the unshipped test extension", () => {
    for (const w of report.wheels) {
      const lit = report.verification[w.fileName]!.lit!;
      expect(lit.passed + lit.failed + lit.unsupported + lit.xfail, w.fileName).toBe(100);
      expect(lit.failures.filter((f) => !NEEDS_TEST_EXTENSION.includes(f)), w.fileName).toEqual([]);
      expect(lit.passed, w.fileName).toBeGreaterThanOrEqual(96);
    }
  });
});
