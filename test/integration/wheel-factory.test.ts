// One real wheel, end to end: Debian's pinned LLVM 22.1.8 source + the prebuilt /usr/lib/llvm-22
// layer → out-of-tree bindings → wheel → auditwheel repair → fresh venv → smoke test → upstream's
// mlir/test/python lit suite. The build's log must hold exactly the commands `build --dry-run`
// prints, in order. Then a rerun that must reuse the wheel byte for byte.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { unzipSync } from "fflate";
import { parseStepLog } from "../../src/exec/steps.js";
import { beforeAll, describe, expect, it } from "vitest";
import { LLVM_22_1_8_TAG } from "../../src/cli/build-commands.js";
import { findPython } from "../../src/platforms/pythons.js";
import { buildWheels } from "../../src/factory/factory.js";
import { RUNTIME_LIBRARIES } from "../../src/wheels/runtime-libs.js";
import type { BuildReport } from "../../src/schema/build-report.js";
import { CACHE, OUTPUT, REPO, testEnv, testProgress } from "../support/env.js";
import { NEEDS_TEST_EXTENSION, PYTHON, settings } from "../support/wheel-settings.js";


/** `build --dry-run` of the same settings through the real CLI: step ids and the `$` lines, in order. */
async function dryRun(): Promise<{ id: string; command?: string }[]> {
  const r = await execa(
    "node",
    [join(REPO, "bin", "mlir-release.mjs"), "build", "--dry-run", "--python", PYTHON, "--no-dev", "--no-tools-wheel", "--out", settings.outDir, "--work", settings.workDir, "--cache", CACHE],
    { cwd: REPO, env: { MLIR_RELEASE_TOOLS: settings.toolsDir } },
  );
  const steps: { id: string; command?: string }[] = [];
  for (const line of r.stdout.split("\n")) {
    const h = /^\s+\d+\/\d+ (\S+) \[\w+\]$/.exec(line);
    if (h?.[1]) steps.push({ id: h[1] });
    else if (/^\s+\$ /.test(line)) steps.at(-1)!.command = line.trim().slice(2);
  }
  return steps;
}

describe(`wheel factory, Python ${PYTHON}`, () => {
  let report: BuildReport;
  let log: string;
  beforeAll(async () => {
    const env = testEnv("wheel-factory");
    rmSync(env.logFile, { force: true });
    report = await buildWheels(settings, env, testProgress("wheel-factory"));
    log = readFileSync(env.logFile, "utf8");
  }, 1_800_000);

  it("ran exactly the steps `build --dry-run` lists: the same ids in order, each command step's argv as printed", async () => {
    const planned = await dryRun();
    const ran = parseStepLog(log);
    expect(ran.map((s) => s.id)).toEqual(planned.map((s) => s.id));
    expect(planned.map((s) => s.id)).toEqual(expect.arrayContaining(["provision/tools-install", "source", "layer", `py${PYTHON}/configure`, `py${PYTHON}/build`, `py${PYTHON}/strip`, `py${PYTHON}/repair`, `py${PYTHON}/smoke`]));
    for (const [i, p] of planned.entries()) {
      const r = ran[i]!;
      // A command step that ran logged exactly its own argv and nothing else; skipped ones none.
      if (p.command !== undefined) expect(r.commands, p.id).toEqual(r.status === "ran" ? [p.command] : []);
    }
    if (!report.wheels[0]!.reused) {
      // A fresh wheel: every build step of the Python ran (a stamp may only skip the venvs and the tools).
      const notRun = ran.filter((s) => s.status !== "ran").map((s) => s.id);
      expect(notRun.filter((id) => !/\/(venv|venv-install)$|^provision\/tools-/.test(id))).toEqual([]);
    }
  });

  it("produces one manylinux wheel for the Python asked for and one native wheel of the same tag", () => {
    expect(report.wheels).toHaveLength(1);
    const w = report.wheels[0]!;
    const cp = `cp${PYTHON.replace(".", "")}`;
    expect(w.fileName).toMatch(new RegExp(`^mlir_python_bindings-22\\.1\\.8-${cp}-${cp}-manylinux_2_\\d+_x86_64\\.whl$`));
    // The split: the per-Python wheel holds the extensions and Python sources only.
    expect(w.size).toBeLessThan(10e6);
    expect(w.auditwheel?.policy).toMatch(/^manylinux_2_\d+_x86_64$/);
    const n = report.native!;
    expect(n.fileName).toBe(`mlir_python_bindings_native-22.1.8-py3-none-${w.tag.platform}.whl`);
    expect(n.size).toBeGreaterThan(20e6);
    process.stderr.write(`split sizes: per-Python ${w.size} bytes, native ${n.size} bytes\n`);
  });

  it("is self-contained: the native wheel grafts only libzstd; the per-Python wheel grafts nothing and pins the native wheel", () => {
    const w = report.wheels[0]!;
    const names = (file: string): string[] => {
      const out: string[] = [];
      unzipSync(readFileSync(join(settings.outDir, file)), { filter: (f) => (out.push(f.name), false) });
      return out;
    };
    const nat = names(report.native!.fileName);
    const grafted = nat.filter((n) => n.startsWith("mlir_python_bindings_native.libs/"));
    expect(grafted.map((n) => n.replace(/-[0-9a-f]{8}/, ""))).toEqual(["mlir_python_bindings_native.libs/libzstd.so.1.5.4"]);
    expect(nat.filter((n) => n.startsWith("mlir/")).sort()).toEqual(
      ["mlir/_mlir_libs/libMLIRPythonCAPI.so.22.1", ...RUNTIME_LIBRARIES.map((r) => `mlir/_mlir_libs/lib${r}.so`)].sort(),
    );
    const per = names(w.fileName);
    expect(per.filter((n) => /\.libs\//.test(n) || /libMLIRPythonCAPI|libmlir_/.test(n))).toEqual([]);
    expect(per.some((n) => /^mlir\/_mlir_libs\/_mlir\.cpython-.*\.so$/.test(n))).toBe(true);
    for (const list of [nat, per]) expect(list.some((n) => /libLLVM|libMLIR\.so/.test(n))).toBe(false);
    const meta = Buffer.from(unzipSync(readFileSync(join(settings.outDir, w.fileName)))["mlir_python_bindings-22.1.8.dist-info/METADATA"]!).toString();
    expect(meta).toContain("Requires-Dist: mlir-python-bindings-native==22.1.8\n");
  });

  it("carries metadata and the LLVM identity, and no build path", () => {
    const w = report.wheels[0]!;
    const files = unzipSync(readFileSync(join(settings.outDir, w.fileName)));
    const meta = Buffer.from(files["mlir_python_bindings-22.1.8.dist-info/METADATA"]!).toString();
    expect(meta).toContain("Requires-Python: >=3.10");
    expect(meta).toMatch(/Requires-Dist: numpy>=1\.19\.5\n/);
    expect(meta).toMatch(/Requires-Dist: ml_dtypes>=0\.5\.0; python_version>="3\.13"\n/);
    expect(meta).toContain('Requires-Dist: PyYAML>=5.4.0; extra == "opdsl"\n');
    // No CI pin of upstream's requirements.txt reaches the published metadata.
    // (The one exact pin is our own native wheel's, same version.)
    expect(meta.split("\n").filter((l) => l.startsWith("Requires-Dist:") && /[<]=?\d|~=|==/.test(l.split(";")[0]!))).toEqual(["Requires-Dist: mlir-python-bindings-native==22.1.8"]);
    const info = Buffer.from(files["mlir/_release_info.py"]!).toString();
    expect(info).toContain(`LLVM_COMMIT = "${LLVM_22_1_8_TAG.commit}"`);
    expect(info).toContain('NANOBIND_DOMAIN = "mlir_release"');
    const needles = [settings.workDir, CACHE, REPO].map((p) => Buffer.from(p));
    const native = unzipSync(readFileSync(join(settings.outDir, report.native!.fileName)));
    const leaks = [...Object.entries(files), ...Object.entries(native)]
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

  it("ships MLIR's runtime libraries next to the bindings (in the native wheel), RUNPATH $ORIGIN, needing only system libraries", async () => {
    const w = report.wheels[0]!;
    const files = unzipSync(readFileSync(join(settings.outDir, report.native!.fileName)));
    const dir = join(OUTPUT, "wheel-factory", "runtime-libs");
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const name of RUNTIME_LIBRARIES) {
      const member = `mlir/_mlir_libs/lib${name}.so`;
      expect(files[member], member).toBeDefined();
      writeFileSync(join(dir, `lib${name}.so`), files[member]!);
      const dyn = (await execa("readelf", ["-d", "--", join(dir, `lib${name}.so`)])).stdout;
      expect(dyn, name).toMatch(/\((?:RUNPATH|RPATH)\)\s+Library (?:runpath|rpath): \[\$ORIGIN[^\]]*\]/);
      const needed = [...dyn.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]!);
      const allowed = /^(libc|libm|libstdc\+\+|libgcc_s|libpthread|libdl|librt|ld-linux-x86-64)\.so|^libmlir_(float16_utils|apfloat_wrappers)\.so$/;
      expect(needed.filter((n) => !allowed.test(n)), name).toEqual([]);
      // As upstream links them: loading the runner utils loads float16 and APFloat support too.
      if (name === "mlir_runner_utils" || name === "mlir_c_runner_utils") {
        expect(needed, name).toEqual(expect.arrayContaining(["libmlir_float16_utils.so", "libmlir_apfloat_wrappers.so"]));
      }
    }
    // The helper module (in the per-Python wheel) names exactly these files.
    const perPython = unzipSync(readFileSync(join(settings.outDir, w.fileName)), { filter: (f) => f.name === "mlir/_runtime_libs.py" });
    expect(Buffer.from(perPython["mlir/_runtime_libs.py"]!).toString()).toContain(`NAMES = (${RUNTIME_LIBRARIES.map((n) => `"${n}"`).join(", ")})`);
  });

  it("installs next to the newest numpy/ml_dtypes without a downgrade, pip check clean, and JIT-calls printMemrefF32 from the wheel's own runtime libraries", async () => {
    const venv = join(OUTPUT, "wheel-factory", "newest-deps-venv");
    const base = await findPython(testEnv("wheel-runtime"), PYTHON);
    await execa(base.executable, ["-m", "venv", "--clear", venv]);
    const py = join(venv, "bin", "python");
    const pip = (...args: string[]) => execa(py, ["-m", "pip", "--disable-pip-version-check", ...args]);
    await pip("install", "-q", "--upgrade", "numpy", "ml_dtypes");
    const versions = async () =>
      Object.fromEntries((JSON.parse((await pip("list", "--format=json")).stdout) as { name: string; version: string }[]).map((p) => [p.name.toLowerCase(), p.version]));
    const before = await versions();
    expect(Object.keys(before)).toEqual(expect.arrayContaining(["numpy", "ml_dtypes"]));
    await pip("install", "-q", join(settings.outDir, report.wheels[0]!.fileName), join(settings.outDir, report.native!.fileName));
    const after = await versions();
    expect({ numpy: after["numpy"], ml_dtypes: after["ml_dtypes"] }).toEqual({ numpy: before["numpy"], ml_dtypes: before["ml_dtypes"] });
    expect(after["pyyaml"]).toBeUndefined(); // an extra, not a requirement
    const check = await pip("check");
    expect(check.stdout).toMatch(/No broken requirements found/);

    // A fresh process with no library path: everything LLVM/MLIR it maps must come from the venv.
    const reportFile = join(venv, "runtime-jit.json");
    const r = await execa(py, [join(REPO, "containers", "verify", "runtime_jit.py"), reportFile], {
      cwd: "/",
      env: { LD_LIBRARY_PATH: "", PYTHONPATH: "" },
    });
    expect(r.stdout).toMatch(/Unranked Memref base@ = 0x[0-9a-f]+ rank = 1 offset = 0 sizes = \[1\] strides = \[1\] data =\s*\n\[42\]/);
    const jit = JSON.parse(readFileSync(reportFile, "utf8")) as {
      directory: string;
      libraries: Record<string, string>;
      symbols: Record<string, boolean>;
      result: number;
      mapped: string[];
      prefix: string;
    };
    expect(jit.result).toBe(42);
    expect(Object.keys(jit.libraries).sort()).toEqual([...RUNTIME_LIBRARIES].sort());
    expect(Object.values(jit.symbols).every(Boolean)).toBe(true);
    expect(jit.directory.startsWith(`${venv}/lib/`)).toBe(true);
    expect(jit.mapped.filter((p) => !p.startsWith(`${venv}/`))).toEqual([]);
    expect(jit.mapped).toEqual(expect.arrayContaining([jit.libraries["mlir_c_runner_utils"], jit.libraries["mlir_runner_utils"]]));

    // Two distributions own files in mlir/_mlir_libs; uninstalling the per-Python one leaves exactly the native wheel's files.
    const nativeFiles = async () => {
      const show = await pip("show", "-f", "mlir-python-bindings-native");
      return show.stdout.split("\n").filter((l) => /^\s+mlir/.test(l)).map((l) => l.trim()).sort();
    };
    const owned = await nativeFiles();
    expect(owned).toEqual(expect.arrayContaining(["mlir/_mlir_libs/libMLIRPythonCAPI.so.22.1", "mlir/_mlir_libs/libmlir_c_runner_utils.so"]));
    await pip("uninstall", "-y", "-q", "mlir-python-bindings");
    const site = (await execa(py, ["-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"])).stdout.trim();
    const left = (await execa("find", [join(site, "mlir"), "-type", "f"])).stdout.split("\n").filter(Boolean).map((f) => f.slice(site.length + 1)).sort();
    expect(left).toEqual(owned.filter((f) => f.startsWith("mlir/")));
    expect((await nativeFiles()).length).toBe(owned.length);
  }, 900_000);

  it("ran upstream's execution_engine.py with shared_libs pointing at the installed wheel's copies", () => {
    const logText = readFileSync(join(OUTPUT, "logs", "wheel-factory.log"), "utf8");
    // The wheel's runtime library folder was asked from the installed wheel (containers/verify/runtime_libs_dir.py prints mlir._runtime_libs.directory()).
    expect(logText).toMatch(/verify-venvs\/py\d+\.\d+t?\/bin\/python \S+\/containers\/verify\/runtime_libs_dir\.py$/m);
    const site = readFileSync(join(settings.workDir, `lit-py${PYTHON}`, "test", "lit.site.cfg.py"), "utf8");
    const shlib = /config\.llvm_shlib_dir = lit_config\.substitute\(path\(r?"([^"]+)"\)\)/.exec(site)?.[1];
    expect(shlib).toMatch(new RegExp(`verify-venvs/py${PYTHON.replace(".", "\\.")}/lib/python${PYTHON.replace(".", "\\.")}/site-packages/mlir/_mlir_libs$`));
    const lit = report.verification[report.wheels[0]!.fileName]!.lit!;
    expect(lit.failures).not.toContain("python/execution_engine.py");
  });

  it("reuses the wheel byte for byte when nothing changed", async () => {
    const again = await buildWheels({ ...settings, verify: false }, testEnv("wheel-factory-rerun"), testProgress("rerun"));
    expect(again.wheels[0]!.reused).toBe(true);
    expect(again.wheels[0]!.sha256).toBe(report.wheels[0]!.sha256);
    expect(again.native?.reused).toBe(true);
    expect(again.native?.sha256).toBe(report.native!.sha256);
  }, 600_000);
});
