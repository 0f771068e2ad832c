// The downstream command's pure parts (pyproject facts, refusals, configure argv, ninja parsing,
// resolve over downstream manifests) and its refusals through the real CLI, before anything is built.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { runCli } from "../support/cli-inprocess.js";
import { describe, expect, it } from "vitest";
import { projectConfigureArgs, testBuildProject } from "../../src/downstream/cmake-args.js";
import { checkTargets, isCheckCommand, litSuites, parseNinjaQuery } from "../../src/downstream/ninja-queries.js";
import { checkCompatibility, DownstreamRefusedError } from "../../src/downstream/checks.js";
import { downstreamBuildsFor } from "../../src/downstream/manifest.js";
import { parseDefines, parsePyproject, passThroughDefines, projectIdentity, projectSourceDigest } from "../../src/downstream/project.js";
import { DownstreamManifest, type DownstreamProject } from "../../src/schema/downstream.js";
import { type ReleaseManifest } from "../../src/schema/manifest.js";
import { basePlan } from "../support/release-fixture.js";

const REPO = resolve(import.meta.dirname, "../..");

// The parts of upstream's mlir/examples/standalone/pyproject.toml (LLVM 22.1.8) the command reads.
const STANDALONE_PYPROJECT = `
[project]
name = "standalone-python-bindings"
dynamic = ["version"]
requires-python = ">=3.8"
dependencies = [
    "numpy>=1.19.5, <=2.1.2",
    "PyYAML>=5.4.0, <=6.0.1",
]
[build-system]
requires = [
    "scikit-build-core>=0.10.7",
    "typing_extensions>=4.12.2",
    "nanobind>=2.9, <3.0",
]
build-backend = "scikit_build_core.build"
[tool.scikit-build]
build.targets = ["StandalonePythonModules"]
install.components = ["StandalonePythonModules"]
[tool.scikit-build.cmake.define]
CMAKE_C_COMPILER = { env = "CMAKE_C_COMPILER", default = "" }
CMAKE_GENERATOR = { env = "CMAKE_GENERATOR", default = "Ninja" }
CMAKE_VISIBILITY_INLINES_HIDDEN = "ON"
CMAKE_CXX_VISIBILITY_PRESET = "hidden"
MLIR_DIR = { env = "MLIR_DIR", default = "" }
MLIR_ENABLE_BINDINGS_PYTHON = "ON"
MLIR_BINDINGS_PYTHON_NB_DOMAIN = { env = "MLIR_BINDINGS_PYTHON_NB_DOMAIN", default = "mlir_standalone" }
MLIR_PYTHON_PACKAGE_PREFIX = { env = "MLIR_PYTHON_PACKAGE_PREFIX", default = "mlir_standalone" }
MLIR_BINDINGS_PYTHON_INSTALL_PREFIX = { env = "MLIR_BINDINGS_PYTHON_INSTALL_PREFIX", default = "mlir_standalone" }
MLIR_INCLUDE_TESTS = { env = "MLIR_INCLUDE_TESTS", default = "ON" }
`;

const COMMIT = "ca7933e47d3a3451d81e72ac174dcb5aa28b59d1";
function release(): ReleaseManifest {
  const plan = { ...basePlan("22.1.8", "numbered", COMMIT), tools: { nanobind: "2.9.2" } };
  return {
    schemaVersion: 1,
    plan,
    artifacts: [
      { kind: "wheel", fileName: "mlir_python_bindings-22.1.8-cp312-cp312-manylinux_2_36_x86_64.whl", sha256: "a".repeat(64), size: 10, platform: "linux-x86_64", python: "3.12", tag: { python: "cp312", abi: "cp312", platform: "manylinux_2_36_x86_64" } },
      { kind: "dev-tarball", fileName: "mlir-dev-22.1.8-linux-x86_64.tar.zst", sha256: "b".repeat(64), size: 10, platform: "linux-x86_64" },
    ],
    provenance: { builder: "test", pipelineVersion: "test", layer: {} },
    verification: {},
    yanked: {},
  };
}

describe("pyproject facts", () => {
  const facts = parsePyproject(STANDALONE_PYPROJECT, "pyproject.toml");
  it("reads name, dependencies, the nanobind requirement, targets and the cmake defaults", () => {
    expect(facts.name).toBe("standalone-python-bindings");
    expect(facts.dependencies).toEqual(["numpy>=1.19.5, <=2.1.2", "PyYAML>=5.4.0, <=6.0.1"]);
    expect(facts.nanobindRequirement).toBe("nanobind>=2.9, <3.0");
    expect(facts.buildTargets).toEqual(["StandalonePythonModules"]);
    expect(facts.installComponents).toEqual(["StandalonePythonModules"]);
    expect(facts.cmakeDefines["MLIR_BINDINGS_PYTHON_NB_DOMAIN"]).toBe("mlir_standalone");
    expect(facts.cmakeDefines["CMAKE_C_COMPILER"]).toBeUndefined(); // empty default: not set
  });
  it("passes on the project's own options but never the ones mlir-release sets", () => {
    expect(passThroughDefines(facts.cmakeDefines)).toEqual({
      CMAKE_CXX_VISIBILITY_PRESET: "hidden",
      CMAKE_VISIBILITY_INLINES_HIDDEN: "ON",
      MLIR_INCLUDE_TESTS: "ON",
    });
  });
  it("takes prefix and domain from flags, else the pyproject, else the prefix as domain", () => {
    expect(projectIdentity(facts, {})).toEqual({ packagePrefix: "mlir_standalone", nanobindDomain: "mlir_standalone" });
    expect(projectIdentity({ ...facts, cmakeDefines: {} }, { packagePrefix: "p" })).toEqual({ packagePrefix: "p", nanobindDomain: "p" });
    expect(() => projectIdentity({ ...facts, cmakeDefines: {} }, {})).toThrow(/--package-prefix/);
    expect(() => projectIdentity(facts, { nanobindDomain: "bad-domain" })).toThrow(/--nb-domain/);
  });
  it("refuses bad TOML and bad --define flags with the input named", () => {
    expect(() => parsePyproject("[project\n", "x/pyproject.toml")).toThrow(/x\/pyproject.toml: not valid TOML/);
    expect(parseDefines(["FOO=a=b"])).toEqual({ FOO: "a=b" });
    expect(() => parseDefines(["=x"])).toThrow(/--define/);
    expect(() => parseDefines(["MLIR_DIR=/x"])).toThrow(/sets this itself/);
  });
});

describe("refusals before building", () => {
  const m = release();
  const ok = { release: m, ourPackage: "mlir", packagePrefix: "mlir_standalone", nanobindDomain: "mlir_standalone" };
  it("accepts the standalone example's identity and nanobind range", () => {
    expect(checkCompatibility({ ...ok, nanobindRequirement: "nanobind>=2.9, <3.0" })).toEqual({ nanobind: "2.9.2" });
  });
  it("refuses our nanobind domain", () => {
    expect(() => checkCompatibility({ ...ok, nanobindDomain: "mlir_release" })).toThrow(DownstreamRefusedError);
    expect(() => checkCompatibility({ ...ok, nanobindDomain: "mlir_release" })).toThrow(/nanobind domain 'mlir_release' is the domain of mlir-python-bindings 22.1.8/);
  });
  it("refuses our import package as the prefix", () => {
    expect(() => checkCompatibility({ ...ok, packagePrefix: "mlir" })).toThrow(/package prefix 'mlir' is the import package/);
  });
  it("refuses a nanobind version other than the release's, from the flag or the project's requirement", () => {
    expect(() => checkCompatibility({ ...ok, nanobindFlag: "2.10.0" })).toThrow(/--nanobind 2.10.0: release 22.1.8 was built with nanobind 2.9.2/);
    expect(() => checkCompatibility({ ...ok, nanobindRequirement: "nanobind==2.4.0" })).toThrow(/requires 'nanobind==2.4.0'.*built with nanobind 2.9.2/);
    expect(() => checkCompatibility({ ...ok, nanobindRequirement: "nanobind>=2.10" })).toThrow(DownstreamRefusedError);
  });
  it("refuses a release whose manifest records no nanobind", () => {
    const bare = { ...m, plan: { ...m.plan, tools: {} } };
    expect(() => checkCompatibility({ ...ok, release: bare })).toThrow(/records no nanobind version/);
  });
});

const project: DownstreamProject = {
  distribution: "standalone-python-bindings",
  version: "22.1.8",
  packagePrefix: "mlir_standalone",
  nanobindDomain: "mlir_standalone",
  sourceDigest: "c".repeat(64),
  sourceDateEpoch: 1781000000,
  buildTargets: ["StandalonePythonModules"],
  installComponents: ["StandalonePythonModules"],
  cmakeDefines: { MLIR_INCLUDE_TESTS: "ON" },
  requiresDist: ["mlir-python-bindings==22.1.8"],
  requiresPython: ">=3.8",
};

describe("configure argv", () => {
  const argv = projectConfigureArgs({ projectDir: "P", buildDir: "B", mlirDir: "D/lib/cmake/mlir", devRoot: "D", python: "V/bin/python", venvDir: "V", project });
  it("sets the package prefix, its own domain and install prefix, the release's MLIR and both Python variables", () => {
    for (const d of [
      "-DMLIR_PYTHON_PACKAGE_PREFIX=mlir_standalone",
      "-DMLIR_BINDINGS_PYTHON_NB_DOMAIN=mlir_standalone",
      "-DMLIR_BINDINGS_PYTHON_INSTALL_PREFIX=mlir_standalone",
      "-DMLIR_DIR=D/lib/cmake/mlir",
      "-DPython3_EXECUTABLE=V/bin/python",
      "-DPython_EXECUTABLE=V/bin/python",
      "-DMLIR_INCLUDE_TESTS=ON",
    ])
      expect(argv).toContain(d);
    expect(argv.slice(0, 9)).toEqual(["cmake", "-G", "Ninja", "-U*Python*", "-Unanobind_DIR", "-S", "P", "-B", "B"]);
  });
  it("configures the lit suite's tools without the wheel-only visibility presets, keeping the project's other options", () => {
    const withPresets: DownstreamProject = {
      ...project,
      cmakeDefines: { ...project.cmakeDefines, CMAKE_CXX_VISIBILITY_PRESET: "hidden", CMAKE_C_VISIBILITY_PRESET: "hidden", CMAKE_VISIBILITY_INLINES_HIDDEN: "ON", MLIR_INCLUDE_TESTS: "ON" },
    };
    const t = testBuildProject(withPresets);
    expect(t.dropped).toEqual(["CMAKE_C_VISIBILITY_PRESET", "CMAKE_CXX_VISIBILITY_PRESET", "CMAKE_VISIBILITY_INLINES_HIDDEN"]);
    const a = projectConfigureArgs({ projectDir: "P", buildDir: "T", mlirDir: "D/lib/cmake/mlir", devRoot: "D", python: "V/bin/python", venvDir: "V", project: t.project });
    expect(a.filter((x) => /VISIBILITY/.test(x))).toEqual([]);
    expect(a).toContain("-DMLIR_INCLUDE_TESTS=ON");
    expect(projectConfigureArgs({ projectDir: "P", buildDir: "B", mlirDir: "M", devRoot: "D", python: "V/bin/python", venvDir: "V", project: withPresets })).toContain("-DCMAKE_CXX_VISIBILITY_PRESET=hidden");
    expect(testBuildProject(project)).toEqual({ project, dropped: [] });
  });
  it("maps every machine path out of the objects", () => {
    const flags = argv.find((a) => a.startsWith("-DCMAKE_CXX_FLAGS="))!;
    for (const p of ["B=/build", "P=/project", "D=/mlir-dev", "V=/venv"]) expect(flags).toContain(`-ffile-prefix-map=${p}`);
  });
});

describe("ninja parsing", () => {
  it("finds the inputs of a custom command (explicit, implicit, order-only)", () => {
    const q = parseNinjaQuery("CMakeFiles/check-x:\n  input: CUSTOM_COMMAND\n    bin/x-opt\n    | bin/FileCheck\n    || python/Mods\n  outputs:\n    check-x\n");
    expect(q).toEqual({ rule: "CUSTOM_COMMAND", inputs: ["bin/x-opt", "bin/FileCheck", "python/Mods"] });
    expect(parseNinjaQuery("check-x:\n  input: phony\n    CMakeFiles/check-x\n  outputs:\n")).toEqual({ rule: "phony", inputs: ["CMakeFiles/check-x"] });
  });
  it("tells the check target's own lit command from what it needs (that command is never built)", () => {
    expect(isCheckCommand("test/CMakeFiles/check-standalone", "check-standalone")).toBe(true);
    expect(isCheckCommand("check-standalone", "check-standalone")).toBe(true);
    expect(isCheckCommand("test/check-standalone", "check-standalone")).toBe(true);
    expect(isCheckCommand("bin/standalone-opt", "check-standalone")).toBe(false);
    expect(isCheckCommand("test/CMakeFiles/check-standalone-python", "check-standalone")).toBe(false);
  });
  it("names each lit suite of a check command once (the `cd` folder is not a second suite)", () => {
    const dirs = new Set(["/b/test", "/b/test/python", "/b/bin"]);
    const isDir = (p: string): boolean => dirs.has(p);
    expect(litSuites("cd /b/test && /v/bin/python3 /t/bin/lit -sv /b/test", "/b", isDir)).toEqual(["/b/test"]);
    expect(litSuites("cd /b/test && /t/bin/lit -sv /b/test /b/test/python /b/test", "/b", isDir)).toEqual(["/b/test", "/b/test/python"]);
    // tools under the build tree's bin/, files, and paths of another tree are not suites
    expect(litSuites("cd /b && /b/bin/llvm-lit -sv /b/bin /b/test/lit.site.cfg.py /bb/test", "/b", isDir)).toEqual([]);
  });
  it("lists check-* targets shortest first", () => {
    expect(checkTargets("all: phony\ncheck-standalone-python: phony\ncheck-standalone: phony\nfoo.o: CXX_COMPILER\n")).toEqual(["check-standalone", "check-standalone-python"]);
  });
});

describe("downstream manifests", () => {
  const dm = (version: string, mlir: string, python = "3.12"): DownstreamManifest =>
    DownstreamManifest.parse({
      schemaVersion: 1,
      kind: "downstream",
      project: { ...project, version },
      builtAgainst: { distribution: "mlir-python-bindings", version: mlir, llvmVersion: "22.1.8", llvmCommit: COMMIT, nanobind: "2.9.2", nanobindDomain: "mlir_release", manifestSha256: "d".repeat(64), devTarball: { fileName: "mlir-dev.tar.zst", sha256: "e".repeat(64) } },
      platform: "linux-x86_64",
      artifacts: [{ kind: "wheel", fileName: `standalone_python_bindings-${version}-cp${python.replace(".", "")}-x.whl`, sha256: "f".repeat(64), size: 1, platform: "linux-x86_64", python }],
      provenance: { builder: "t", pipelineVersion: "t" },
    });
  it("answers which build of project P matches mlir X, newest project version first", () => {
    const all = [dm("1.0", "22.1.8"), dm("1.1", "22.1.8"), dm("1.2", "23.1.1"), dm("1.1", "22.1.8", "3.11")];
    const hits = downstreamBuildsFor(all, { project: "Standalone_Python.Bindings", mlir: "22.1.8", python: "3.12" });
    expect(hits.map((h) => h.version)).toEqual(["1.1", "1.0"]);
    expect(hits[0]!.mlir).toBe("22.1.8");
    expect(downstreamBuildsFor(all, { project: "standalone-python-bindings", mlir: "23.1.0" })).toEqual([]);
  });
  it("refuses a manifest that is not a downstream one", () => {
    expect(DownstreamManifest.safeParse(release()).success).toBe(false);
  });
  it("digests a project's files, so a changed file changes the digest", () => {
    const d = mkdtempSync(join(tmpdir(), "ds-digest-"));
    writeFileSync(join(d, "CMakeLists.txt"), "project(x)\n");
    const a = projectSourceDigest(d);
    mkdirSync(join(d, ".git"));
    writeFileSync(join(d, ".git", "HEAD"), "ignored\n");
    expect(projectSourceDigest(d)).toBe(a);
    writeFileSync(join(d, "CMakeLists.txt"), "project(y)\n");
    expect(projectSourceDigest(d)).not.toBe(a);
  });
});

describe("mlir-release downstream build refuses through the CLI before fetching or building", () => {
  // A dist folder with only a manifest: any step past the refusal would fail on the missing files.
  const dist = mkdtempSync(join(tmpdir(), "ds-dist-"));
  writeFileSync(join(dist, "manifest.json"), JSON.stringify(release()));
  const projectDir = (nanobindReq: string): string => {
    const p = mkdtempSync(join(tmpdir(), "ds-proj-"));
    writeFileSync(join(p, "CMakeLists.txt"), "cmake_minimum_required(VERSION 3.20)\nproject(x)\n");
    writeFileSync(join(p, "pyproject.toml"), STANDALONE_PYPROJECT.replace('"nanobind>=2.9, <3.0"', JSON.stringify(nanobindReq)));
    return p;
  };
  const cli = (args: string[]) => runCli(["downstream", "build", "--dist", dist, ...args], { env: { MLIR_RELEASE_CACHE: join(dist, "cache") } });

  it("a domain clash: exit 2 (bad input), one line naming the domain and what to do, nothing written", async () => {
    const out = join(dist, "out-clash");
    const r = await cli(["--project", projectDir("nanobind>=2.9, <3.0"), "--nb-domain", "mlir_release", "--out", out]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n").filter((l) => l.startsWith("error:"))).toEqual([
      expect.stringMatching(/^error: nanobind domain 'mlir_release' is the domain of mlir-python-bindings 22\.1\.8 itself.*pass --nb-domain/),
    ]);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(join(dist, "cache"))).toBe(false);
  }, 60_000);

  it("a nanobind version mismatch from the project's requirement: exit 2, nothing written", async () => {
    const out = join(dist, "out-nb");
    const r = await cli(["--project", projectDir("nanobind==2.4.0"), "--out", out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: the project requires 'nanobind==2\.4\.0' .* built with nanobind 2\.9\.2/m);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dist).sort()).toEqual(["manifest.json"]);
  }, 60_000);
});
