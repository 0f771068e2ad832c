// The downstream kit, proven with upstream's own example: the dev tarball unpacked at another path,
// upstream's mlir/examples/standalone (C++ standalone-opt + its Python package) built against it,
// upstream's lit tests of the example, and one Python process holding our `mlir` wheel and the
// standalone package together. The dev wheel's --cmake-dir is checked by configuring against it.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildWheels, plannedInputs } from "../../src/factory/factory.js";
import { findPython } from "../../src/platforms/pythons.js";
import type { BuildReport } from "../../src/schema/build-report.js";
import { sha256File } from "../../src/util/hash.js";
import { OUTPUT, REPO, TOOLS, testEnv, testProgress } from "../support/env.js";
import { PYTHON, settings, sharedWheelFiles } from "../support/wheel-settings.js";

const env = testEnv("downstream");
const progress = testProgress("downstream");
const DIR = join(OUTPUT, "downstream");
// Deliberately not the directory the kit was assembled in.
const UNPACKED = join(DIR, "unpacked", "somewhere-else");
const VENV = join(DIR, "venv");
const BUILD = join(DIR, "standalone-build");
const PY = join(VENV, "bin", "python");

interface InProcess {
  built_verifies: boolean;
  parsed_verifies: boolean;
  folded_to_5: boolean;
  custom_type: string;
  ours_roundtrip_has_foo: boolean;
  has_FooOp: boolean;
  foreign_context: string;
  mlir: string;
  mlir_standalone: string;
}

const run = async (argv: string[], opts: { cwd?: string; capture?: boolean; env?: Record<string, string> } = {}) =>
  env.run(argv, opts);

function standaloneConfigureArgs(mlirDir: string, buildDir: string, sourceRoot: string): string[] {
  return [
    "cmake",
    "-G",
    "Ninja",
    "-S",
    join(sourceRoot, "mlir", "examples", "standalone"),
    "-B",
    buildDir,
    "-DCMAKE_BUILD_TYPE=Release",
    `-DMLIR_DIR=${mlirDir}`,
    "-DMLIR_ENABLE_BINDINGS_PYTHON=ON",
    `-DPython3_EXECUTABLE=${PY}`,
    `-DPython_EXECUTABLE=${PY}`,
    "-DMLIR_INCLUDE_TESTS=ON",
    `-DLLVM_EXTERNAL_LIT=${join(TOOLS, "bin", "lit")}`,
  ];
}

describe("downstream kit: upstream's standalone example against the dev distribution", () => {
  let report: BuildReport;
  let sourceRoot: string;
  let devRoot: string;
  let litSummary = "";
  let inProcess: InProcess;
  let inProcessStderr = "";

  beforeAll(async () => {
    report = await buildWheels({ ...settings, dev: true, verify: false }, env, progress);
    sourceRoot = plannedInputs(settings).sourceRoot;

    progress.stage("unpack the dev tarball elsewhere");
    const tarball = report.dev.find((a) => a.kind === "dev-tarball")!;
    rmSync(join(DIR, "unpacked"), { recursive: true, force: true });
    mkdirSync(UNPACKED, { recursive: true });
    await run(["tar", "--zstd", "-xf", join(settings.outDir, tarball.fileName), "-C", UNPACKED]);
    devRoot = join(UNPACKED, readdirSync(UNPACKED)[0]!);

    progress.stage("fresh venv: runtime wheel + dev wheel + nanobind");
    const base = await findPython(env, PYTHON);
    await run([base.executable, "-m", "venv", "--clear", VENV]);
    // add_lit_testsuite runs lit with the configured Python: the same lit as the tools venv.
    const litVersion = (await run([join(TOOLS, "bin", "lit"), "--version"], { capture: true })).stdout.trim().split(/\s+/).pop()!;
    await run([
      PY,
      "-m",
      "pip",
      "install",
      "-q",
      "--disable-pip-version-check",
      ...sharedWheelFiles(report),
      `nanobind==${settings.nanobind}`,
      `lit==${litVersion}`,
    ]);

    progress.stage("build standalone-opt + its Python package against the unpacked tarball");
    rmSync(BUILD, { recursive: true, force: true });
    await run(standaloneConfigureArgs(join(devRoot, "lib", "cmake", "mlir"), BUILD, sourceRoot));
    // check-standalone builds everything the example's tests need, then runs upstream's lit tests.
    try {
      // The example's lit.cfg.py asks for an external shell unless told otherwise; lit 23 refuses that.
      const r = await run(["ninja", "-C", BUILD, "-j2", "check-standalone"], { capture: true, env: { LIT_USE_INTERNAL_SHELL: "1" } });
      litSummary = r.stdout;
    } catch (e) {
      litSummary = String((e as Error).message);
    }

    progress.stage("one process: our mlir + mlir_standalone");
    const site = (await run([PY, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], { capture: true })).stdout.trim();
    cpSync(join(BUILD, "python_packages", "standalone", "mlir_standalone"), join(site, "mlir_standalone"), { recursive: true });
    const { execa } = await import("execa");
    const r = await execa(PY, [join(REPO, "containers", "verify", "downstream_in_process.py")], { cwd: "/", reject: false });
    inProcessStderr = r.stderr;
    expect(r.exitCode, `in-process script failed:\n${r.stderr}`).toBe(0);
    inProcess = JSON.parse(r.stdout.trim().split("\n").pop()!) as InProcess;
  }, 3_600_000);

  it("records the dev tarball and dev wheel with their digests", async () => {
    expect(report.dev.map((a) => a.kind).sort()).toEqual(["dev-tarball", "dev-wheel"]);
    for (const a of report.dev) {
      const path = join(settings.outDir, a.fileName);
      expect(statSync(path).size).toBe(a.size);
      expect(await sha256File(path)).toBe(a.sha256);
    }
    const wheel = report.dev.find((a) => a.kind === "dev-wheel")!;
    expect(wheel.fileName).toBe(`mlir_python_bindings_dev-${report.version}-py3-none-${report.wheels[0]!.tag.platform}.whl`);
  });

  it("is relocatable: no path of the build machine in any CMake file of the unpacked tree", () => {
    const needles = ["/usr/lib/llvm-22", settings.workDir, settings.cacheDir, REPO];
    const offenders: string[] = [];
    const walk = (d: string): void => {
      for (const e of readdirSync(d)) {
        const p = join(d, e);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith(".cmake")) {
          const text = readFileSync(p, "utf8");
          for (const n of needles) {
            for (const line of text.split("\n")) if (!line.trimStart().startsWith("#") && line.includes(n)) offenders.push(`${p}: ${line.trim()}`);
          }
        }
      }
    };
    walk(join(devRoot, "lib", "cmake"));
    expect(offenders).toEqual([]);
    expect(existsSync(join(devRoot, "src", "python", "MLIRPythonSources.Core.Python"))).toBe(true);
    expect(existsSync(join(devRoot, "lib", "mlir-release", "libMLIRPythonCAPI.so"))).toBe(true);
  });

  it("builds upstream's standalone-opt, which knows the standalone dialect", async () => {
    const r = await run([join(BUILD, "bin", "standalone-opt"), "--show-dialects"], { capture: true });
    expect(r.stdout).toMatch(/standalone/);
    expect(r.stdout).toMatch(/arith/);
  });

  it("passes upstream's lit tests of the example (check-standalone)", () => {
    const passed = /Passed\s*:\s*(\d+)/.exec(litSummary);
    progress.info(`check-standalone: ${litSummary.split("\n").filter((l) => /Passed|Failed|Unsupported|Total/.test(l)).join("; ")}`);
    expect(passed, litSummary.slice(-3000)).not.toBeNull();
    expect(Number(passed![1])).toBeGreaterThanOrEqual(5);
    expect(litSummary).not.toMatch(/Failed\s*:/);
  });

  it("runs our mlir and mlir_standalone in one process: mixed IR parses, builds, verifies, canonicalizes", () => {
    expect(inProcess.mlir).toContain(join("site-packages", "mlir"));
    expect(inProcess.mlir_standalone).toContain(join("site-packages", "mlir_standalone"));
    expect(inProcess.parsed_verifies).toBe(true);
    expect(inProcess.built_verifies).toBe(true);
    expect(inProcess.has_FooOp).toBe(true);
    expect(inProcess.folded_to_5).toBe(true);
    expect(inProcess.custom_type).toBe('!standalone.custom<"foo">');
    expect(inProcess.ours_roundtrip_has_foo).toBe(true);
  });

  it("has no nanobind type-registration clash on stderr", () => {
    expect(inProcessStderr).not.toMatch(/was already registered/);
  });

  it("refuses our Context in the other package's extension with a TypeError, not a crash", () => {
    expect(inProcess.foreign_context).toBe("TypeError");
  });

  it("the dev wheel's MLIR_DIR builds a C-API extension that works on our mlir objects", async () => {
    const dir = (await run([PY, "-m", "mlir_python_bindings_dev", "--cmake-dir"], { capture: true })).stdout.trim();
    expect(dir).toMatch(/site-packages\/mlir_python_bindings_dev\/dist\/lib\/cmake\/mlir$/);
    const info = JSON.parse((await run([PY, "-m", "mlir_python_bindings_dev", "--info"], { capture: true })).stdout) as Record<string, string>;
    expect(info["version"]).toBe(report.version);
    expect(info["nanobindDomain"]).toBe(settings.nanobindDomain);
    const extBuild = join(DIR, "capi-extension-build");
    rmSync(extBuild, { recursive: true, force: true });
    await run([
      "cmake", "-G", "Ninja", "-S", join(REPO, "containers", "verify", "capi-extension"), "-B", extBuild,
      "-DCMAKE_BUILD_TYPE=Release", `-DMLIR_DIR=${dir}`, `-DPython_EXECUTABLE=${PY}`,
    ]);
    await run(["ninja", "-C", extBuild, "-j2"]);
    const site = (await run([PY, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], { capture: true })).stdout.trim();
    const pkg = join(site, "count_ops_demo");
    mkdirSync(pkg, { recursive: true });
    for (const f of readdirSync(extBuild).filter((f) => f.endsWith(".so"))) cpSync(join(extBuild, f), join(pkg, f));
    const r = await run([PY, join(REPO, "containers", "verify", "capi_extension_check.py")], { capture: true, cwd: "/" });
    const out = JSON.parse(r.stdout.trim().split("\n").pop()!) as Record<string, unknown>;
    progress.info(`C-API extension: ${JSON.stringify(out)}`);
    // module + func + arith.addi + return, counted through our wheel's own libMLIRPythonCAPI.so
    expect(out["count_ops"]).toBe(4);
    expect(out["loaded_dialects"]).toBeGreaterThanOrEqual(3);
    expect(out["other_prefix"]).toBe("TypeError");
  }, 900_000);

  it("shows why the domain matters: the example built with our domain clashes with our mlir", async () => {
    // The mistake the explicit domains prevent: a second copy of the core bindings in *our* domain.
    await run(["cmake", `-DMLIR_BINDINGS_PYTHON_NB_DOMAIN=${settings.nanobindDomain}`, BUILD]);
    await run(["ninja", "-C", BUILD, "-j2", "StandalonePythonModules"]);
    const clashDir = join(DIR, "clash-site");
    rmSync(clashDir, { recursive: true, force: true });
    cpSync(join(BUILD, "python_packages", "standalone", "mlir_standalone"), join(clashDir, "mlir_standalone"), { recursive: true });
    const { execa } = await import("execa");
    const r = await execa(PY, ["-c", "import mlir.ir, mlir_standalone.ir; print('imported')"], {
      cwd: "/",
      reject: false,
      env: { PYTHONPATH: clashDir },
    });
    progress.info(`shared domain: exit ${r.exitCode}, ${r.stderr.split("\n").filter((l) => /already registered/.test(l)).length} clash warnings`);
    expect(r.stderr).toMatch(/nanobind: type '.*' was already registered/);
  }, 900_000);
});
