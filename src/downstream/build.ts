// `mlir-release downstream build`: a downstream project's Python package built against one of our
// releases, for every Python of that release's matrix on this platform, with the release's
// nanobind and a domain of the project's own; wheels pin our distribution (==version), are repaired
// without grafting anything our wheels provide, and are verified in fresh venvs next to our wheel
// installed from the index. The stages are the factory's: build venvs (platforms/pythons), wheel
// assembly (wheels/wheel), repair (verify/repair), lit (verify/lit).
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import yauzl from "yauzl";
import { sharedObjects } from "../bindings/build.js";
import { buildVenv, findPython } from "../platforms/pythons.js";
import { CheckFailedError, InvalidInputError } from "../errors.js";
import type { ExecEnv } from "../exec/env.js";
import { tagOf } from "../factory/factory.js";
import type { Platform } from "../platforms/platform.js";
import { ninjaPercent, type Progress } from "../progress.js";
import { pipelineRevision } from "../rebuild/build-manifest.js";
import { type Artifact, byFileName } from "../schema/artifact.js";
import { DownstreamManifest, DownstreamProject } from "../schema/downstream.js";
import { type ReleaseManifest } from "../schema/manifest.js";
import { type WheelTag } from "../schema/platform.js";
import { sha256File } from "../source/tree.js";
import { type LitCounts, litSitePackages, parseLitResults } from "../verify/lit.js";
import { auditwheelShow, repairWheel } from "../verify/repair.js";
import { assembleWheel } from "../wheels/wheel.js";
import { checkCompatibility } from "./checks.js";
import { parseDefines, passThroughDefines, projectIdentity, projectSourceDigest, readPyproject } from "./project.js";
import {
  devTarballOf,
  fetchReleaseFile,
  type LoadedRelease,
  loadRelease,
  ourWheel,
  pipSourceArgs,
  releasePythons,
  type ReleaseSource,
} from "./release.js";

export const DOWNSTREAM_MANIFEST = "downstream-manifest.json";
/** Our wheels' import package. */
export const OUR_PACKAGE = "mlir";
const GENERATOR = "mlir-release 0.1.0 (downstream)";

export interface DownstreamVerifySettings {
  /** Run the project's lit suite (its check-* target) against the installed wheels. */
  lit: boolean;
  /** The check target; default: the shortest check-* target of the build. */
  checkTarget?: string;
  /** Extra Python scripts run in each verification venv (exit 0, last stdout line JSON). */
  checkScripts: string[];
}

export interface DownstreamSettings {
  repoRoot: string;
  cacheDir: string;
  workDir: string;
  outDir: string;
  toolsDir: string;
  platform: Platform;
  projectDir: string;
  release: ReleaseSource;
  releaseVersion?: string;
  manifestFile?: string;
  pythons?: string[];
  distribution?: string;
  version?: string;
  packagePrefix?: string;
  nanobindDomain?: string;
  /** The nanobind version the caller expects; refused unless it is the release's. */
  nanobind?: string;
  sourceDateEpoch?: number;
  /** --define NAME=VALUE */
  defines?: string[];
  buildTargets?: string[];
  installComponents?: string[];
  verify: DownstreamVerifySettings | false;
  jobs?: number;
}

/** Everything decided before building (pure apart from reading the project and the release). */
export interface DownstreamPlan {
  release: LoadedRelease;
  project: DownstreamProject;
  pythons: string[];
  nanobind: string;
  devTarball: Artifact;
}

export interface DownstreamCheck {
  python: string;
  installed: Record<string, string>;
  check: Record<string, unknown>;
  scripts: Record<string, Record<string, unknown>>;
  lit?: LitCounts | { skipped: string };
  seconds: number;
}

export interface DownstreamResult {
  manifest: DownstreamManifest;
  manifestPath: string;
  verification: Record<string, DownstreamCheck>;
}

const since = (t: number): number => Math.round((Date.now() - t) / 100) / 10;

/** Resolves the release and the project and refuses clashes: nothing is fetched or built yet. */
export async function planDownstream(s: DownstreamSettings): Promise<DownstreamPlan> {
  if (!existsSync(join(s.projectDir, "CMakeLists.txt"))) {
    throw new InvalidInputError(`--project ${s.projectDir}: no CMakeLists.txt (expected a CMake project using MLIR's AddMLIRPython)`);
  }
  const release = await loadRelease(s.release, s.releaseVersion, s.manifestFile);
  const m = release.manifest;
  const facts = readPyproject(s.projectDir);
  const id = projectIdentity(facts, {
    ...(s.packagePrefix ? { packagePrefix: s.packagePrefix } : {}),
    ...(s.nanobindDomain ? { nanobindDomain: s.nanobindDomain } : {}),
  });
  const { nanobind } = checkCompatibility({
    release: m,
    ourPackage: OUR_PACKAGE,
    ...id,
    ...(s.nanobind !== undefined ? { nanobindFlag: s.nanobind } : {}),
    ...(facts.nanobindRequirement ? { nanobindRequirement: facts.nanobindRequirement } : {}),
  });
  const pythons = releasePythons(m, s.platform.id, s.pythons);
  for (const py of pythons) ourWheel(m, s.platform.id, py);
  const devTarball = devTarballOf(m, s.platform.id);
  const distribution = s.distribution ?? facts.name;
  if (!distribution) throw new InvalidInputError("the project's distribution name is unknown: pass --name <distribution> or set [project].name in pyproject.toml");
  const envEpoch = process.env["SOURCE_DATE_EPOCH"];
  const project = DownstreamProject.safeParse({
    distribution,
    version: s.version ?? m.plan.version,
    ...id,
    sourceDigest: projectSourceDigest(s.projectDir),
    sourceDateEpoch: s.sourceDateEpoch ?? (envEpoch ? Number(envEpoch) : m.plan.sourceDateEpoch),
    buildTargets: s.buildTargets?.length ? s.buildTargets : facts.buildTargets.length ? facts.buildTargets : ["all"],
    installComponents: s.installComponents?.length ? s.installComponents : facts.installComponents,
    cmakeDefines: { ...passThroughDefines(facts.cmakeDefines), ...parseDefines(s.defines ?? []) },
    requiresDist: [`${m.plan.distribution}==${m.plan.version}`, ...facts.dependencies],
    requiresPython: facts.requiresPython ?? ">=3.10",
  });
  if (!project.success) {
    const lines = project.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new InvalidInputError(
      `downstream project ${s.projectDir}: ${lines.join("; ")}${lines.some((l) => l.startsWith("installComponents")) ? " (pass --install-component <cmake component>, as pyproject's [tool.scikit-build].install.components would)" : ""}`,
    );
  }
  return { release, project: project.data, pythons, nanobind, devTarball };
}

/** Basenames of the shared libraries inside our wheel (mlir/_mlir_libs/lib*.so*): never grafted into theirs. */
export function ourSharedLibraries(wheel: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(wheel, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(new CheckFailedError(`${wheel}: not a readable zip: ${err?.message ?? "?"}`));
      const out = new Set<string>();
      zip.on("entry", (e: yauzl.Entry) => {
        const m = /(?:^|\/)_mlir_libs\/(lib[^/]+\.so(?:\.[0-9.]+)?)$/.exec(e.fileName);
        if (m?.[1]) out.add(m[1]);
        zip.readEntry();
      });
      zip.on("end", () => resolve([...out].sort()));
      zip.on("error", reject);
      zip.readEntry();
    });
  });
}

function wheelMembers(wheel: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(wheel, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(new CheckFailedError(`${wheel}: not a readable zip`));
      const out: string[] = [];
      zip.on("entry", (e: yauzl.Entry) => {
        out.push(e.fileName);
        zip.readEntry();
      });
      zip.on("end", () => resolve(out));
      zip.on("error", reject);
      zip.readEntry();
    });
  });
}

/** The CMake configure argv of the project for one Python (pure). */
export function projectConfigureArgs(o: {
  projectDir: string;
  buildDir: string;
  mlirDir: string;
  devRoot: string;
  python: string;
  venvDir: string;
  project: DownstreamProject;
  lit?: string;
  extra?: Record<string, string>;
}): string[] {
  // Reproducible objects: no path of this machine reaches the binaries.
  const maps = [
    `-ffile-prefix-map=${o.buildDir}=/build`,
    `-ffile-prefix-map=${o.projectDir}=/project`,
    `-ffile-prefix-map=${o.devRoot}=/mlir-dev`,
    `-ffile-prefix-map=${o.venvDir}=/venv`,
  ].join(" ");
  const defs: Record<string, string> = {
    ...o.project.cmakeDefines,
    ...(o.extra ?? {}),
    CMAKE_BUILD_TYPE: "Release",
    CMAKE_BUILD_RPATH_USE_ORIGIN: "ON",
    CMAKE_C_FLAGS: maps,
    CMAKE_CXX_FLAGS: maps,
    MLIR_DIR: o.mlirDir,
    MLIR_ENABLE_BINDINGS_PYTHON: "ON",
    Python3_EXECUTABLE: o.python,
    Python_EXECUTABLE: o.python,
    MLIR_PYTHON_PACKAGE_PREFIX: o.project.packagePrefix,
    MLIR_BINDINGS_PYTHON_NB_DOMAIN: o.project.nanobindDomain,
    MLIR_BINDINGS_PYTHON_INSTALL_PREFIX: o.project.packagePrefix,
    ...(o.lit ? { LLVM_EXTERNAL_LIT: o.lit } : {}),
  };
  return [
    "cmake",
    "-G",
    "Ninja",
    "-U*Python*",
    "-Unanobind_DIR",
    "-S",
    o.projectDir,
    "-B",
    o.buildDir,
    ...Object.entries(defs)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `-D${k}=${v}`),
  ];
}

/** `ninja -t query` output → the inputs of the queried path (explicit, implicit and order-only). */
export function parseNinjaQuery(text: string): { rule: string; inputs: string[] } {
  const lines = text.split("\n");
  const at = lines.findIndex((l) => /^\s+input: /.test(l));
  if (at < 0) return { rule: "", inputs: [] };
  const rule = lines[at]!.replace(/^\s+input: /, "").trim();
  const inputs: string[] = [];
  for (const l of lines.slice(at + 1)) {
    if (/^\s+outputs:/.test(l) || /^\S/.test(l)) break;
    const name = l.trim().replace(/^\|\|?\s*/, "");
    if (name) inputs.push(name);
  }
  return { rule, inputs };
}

/** The custom command behind a check-* target (the one that runs lit), as ninja names it. */
export const isCheckCommand = (path: string, target: string): boolean => path === target || path.endsWith(`/${target}`);

/** The check-* targets of a build (`ninja -t targets all`), shortest first. */
export function checkTargets(targetsText: string): string[] {
  return [...new Set(targetsText.split("\n").map((l) => /^(check-[A-Za-z0-9_.-]+): phony$/.exec(l.trim())?.[1]).filter((x): x is string => !!x))].sort(
    (a, b) => a.length - b.length || (a < b ? -1 : 1),
  );
}

/**
 * The lit suites a check target's command runs (`ninja -t commands <target>`, last line): the
 * directories under the build tree named after lit in the last `&&` part, each once. CMake writes
 * `cd <build>/test && <python> <lit> -sv <build>/test`: the `cd` folder is not a second suite.
 */
export function litSuites(command: string, buildDir: string, isDir: (p: string) => boolean): string[] {
  const litPart = command.split("&&").at(-1) ?? "";
  const under = (tok: string): boolean => tok === buildDir || tok.startsWith(`${buildDir}/`);
  return [...new Set(litPart.trim().split(/\s+/).filter((tok) => under(tok) && isDir(tok) && !/(^|\/)bin(\/|$)/.test(tok.slice(buildDir.length))))];
}

/**
 * Symbol-visibility settings a wheel build asks for (upstream's example sets them in
 * [tool.scikit-build.cmake.define] so the package's private copy of MLIR never interposes with
 * ours). The lit suite's tools are built without them: a tool plugin (`mlir-opt
 * --load-pass-plugin/--load-dialect-plugin`) must export its entry point and share the tool's MLIR
 * symbols, which hidden visibility forbids.
 */
export const WHEEL_ONLY_DEFINES = ["CMAKE_C_VISIBILITY_PRESET", "CMAKE_CXX_VISIBILITY_PRESET", "CMAKE_VISIBILITY_INLINES_HIDDEN"] as const;

/** The project as its lit suite's tools are configured: the wheel build's settings minus WHEEL_ONLY_DEFINES (pure). */
export function testBuildProject(project: DownstreamProject): { project: DownstreamProject; dropped: string[] } {
  const dropped = WHEEL_ONLY_DEFINES.filter((k) => k in project.cmakeDefines);
  const cmakeDefines = Object.fromEntries(Object.entries(project.cmakeDefines).filter(([k]) => !(WHEEL_ONLY_DEFINES as readonly string[]).includes(k)));
  return { project: { ...project, cmakeDefines }, dropped };
}

export async function downstreamBuild(s: DownstreamSettings, env: ExecEnv, progress: Progress): Promise<DownstreamResult> {
  const t0 = Date.now();
  progress.stage("downstream: release and project");
  const plan = await planDownstream(s);
  return runDownstream(s, plan, env, progress, t0);
}

export async function runDownstream(s: DownstreamSettings, plan: DownstreamPlan, env: ExecEnv, progress: Progress, t0 = Date.now()): Promise<DownstreamResult> {
  const { release, project, nanobind } = plan;
  const m = release.manifest;
  const pid = s.platform.id;
  progress.info(
    `${project.distribution} ${project.version} against ${m.plan.distribution} ${m.plan.version} (nanobind ${nanobind}, domain ${project.nanobindDomain}, package ${project.packagePrefix}) for Python ${plan.pythons.join(", ")}`,
  );
  mkdirSync(s.outDir, { recursive: true });
  mkdirSync(s.workDir, { recursive: true });

  progress.stage("downstream: dev distribution");
  const tarball = await fetchReleaseFile(release, plan.devTarball.fileName, plan.devTarball.sha256, s.cacheDir);
  const devBase = join(s.workDir, "dev", plan.devTarball.sha256.slice(0, 16));
  const unpackedStamp = join(devBase, ".unpacked");
  if (!existsSync(unpackedStamp)) {
    progress.step(`unpack ${plan.devTarball.fileName}`);
    rmSync(devBase, { recursive: true, force: true });
    mkdirSync(devBase, { recursive: true });
    await env.run(["tar", "--zstd", "-xf", tarball, "-C", devBase]);
    writeFileSync(unpackedStamp, plan.devTarball.sha256);
  }
  const devName = readdirSync(devBase).find((d) => d.startsWith("mlir-dev-") && statSync(join(devBase, d)).isDirectory());
  if (!devName) throw new InvalidInputError(`${plan.devTarball.fileName}: no mlir-dev-* folder inside`);
  const devRoot = join(devBase, devName);
  const mlirDir = join(devRoot, "lib", "cmake", "mlir");

  // What our wheels provide is never grafted into theirs.
  const first = ourWheel(m, pid, plan.pythons[0]!);
  const ourWheelPath = await fetchReleaseFile(release, first.fileName, first.sha256, s.cacheDir);
  // The split: the C API and runtime libraries are in our platform's native wheel.
  const ourLibs = [
    ...(await ourSharedLibraries(ourWheelPath)),
    ...(first.native ? await ourSharedLibraries(await fetchReleaseFile(release, first.native.fileName, first.native.sha256, s.cacheDir)) : []),
  ];
  if (!ourLibs.length) throw new InvalidInputError(`${first.fileName}: no shared libraries under mlir/_mlir_libs (is it our wheel?)`);

  const buildDir = join(s.workDir, "build", pid);
  const lit = join(s.toolsDir, "bin", "lit");
  const artifacts: Artifact[] = [];
  const repairs: Record<string, unknown> = {};
  const wheelPaths = new Map<string, string>();
  let buildPython = "";
  progress.stage("downstream: build + wheels");
  for (const [i, py] of plan.pythons.entries()) {
    const tp = Date.now();
    progress.step(`Python ${py} (${i + 1}/${plan.pythons.length})`);
    const base = await findPython(env, py);
    const venvDir = join(s.cacheDir, "venvs", `downstream-${pid}-py${py}`);
    const venvPy = await buildVenv(env, base, venvDir, [`nanobind==${nanobind}`, "typing_extensions", "PyYAML", "numpy"]);
    buildPython ||= venvPy;
    await env.run(
      projectConfigureArgs({ projectDir: s.projectDir, buildDir, mlirDir, devRoot, python: venvPy, venvDir, project, ...(existsSync(lit) ? { lit } : {}) }),
    );
    const label = `build ${project.buildTargets.join(" ")} for Python ${py}`;
    progress.step(label, 0);
    await env.run(["ninja", "-C", buildDir, ...(s.jobs ? [`-j${s.jobs}`] : []), ...project.buildTargets], {
      onLine: (l) => {
        const p = ninjaPercent(l);
        if (p !== undefined) progress.step(label, p);
      },
    });
    const stage = join(s.workDir, "stage", `${pid}-py${py}`);
    rmSync(stage, { recursive: true, force: true });
    for (const c of project.installComponents) await env.run(["cmake", "--install", buildDir, "--prefix", stage, "--component", c]);
    const pkgDir = join(stage, project.packagePrefix);
    if (!existsSync(pkgDir)) {
      throw new InvalidInputError(
        `installing component(s) ${project.installComponents.join(", ")} put nothing under ${project.packagePrefix}/ (MLIR_BINDINGS_PYTHON_INSTALL_PREFIX); check --install-component`,
      );
    }
    if (s.platform.strip) {
      const libs = sharedObjects(pkgDir);
      if (libs.length) await env.run([...s.platform.strip, ...libs]);
    }
    const cp = `cp${py.replace(".", "")}`;
    const rawTag: WheelTag = { python: cp, abi: cp, platform: s.platform.rawPlatformTag };
    const rawDir = join(s.workDir, "raw-wheels");
    rmSync(rawDir, { recursive: true, force: true });
    mkdirSync(rawDir, { recursive: true });
    const raw = await assembleWheel({
      root: stage,
      packageName: project.packagePrefix,
      metadata: {
        distribution: project.distribution,
        version: project.version,
        summary: `${project.distribution} built against ${m.plan.distribution} ${m.plan.version} (LLVM ${m.plan.llvm.version})`,
        license: "see the project",
        requiresPython: project.requiresPython,
        requiresDist: project.requiresDist,
        projectUrls: {},
      },
      tag: rawTag,
      sourceDateEpoch: project.sourceDateEpoch,
      generator: GENERATOR,
      outDir: rawDir,
      compressionLevel: 0,
    });
    progress.step(`repair ${raw.fileName} (never grafting ${ourLibs.join(", ")})`);
    const verdict = await auditwheelShow(env, join(s.toolsDir, "bin", "auditwheel"), raw.path);
    const policy = verdict.constrainedTo ?? verdict.consistentWith;
    const repairDir = join(s.workDir, "repaired");
    rmSync(repairDir, { recursive: true, force: true });
    mkdirSync(repairDir, { recursive: true });
    for (const old of readdirSync(s.outDir)) {
      if (old.endsWith(".whl") && old.startsWith(`${raw.fileName.split("-")[0]}-`) && old.includes(`-${cp}-${cp}-`)) rmSync(join(s.outDir, old));
    }
    const toolsBin = join(s.toolsDir, "bin");
    const argv = s.platform.repair.argv(raw.path, repairDir, policy, toolsBin);
    const excludes = s.platform.repair.tool === "auditwheel" ? ourLibs.flatMap((l) => ["--exclude", l]) : [];
    const repaired = await repairWheel(env, [...argv.slice(0, -1), ...excludes, argv.at(-1)!], repairDir, s.outDir, project.sourceDateEpoch, toolsBin);
    const members = await wheelMembers(repaired);
    const second = members.filter((n) => ourLibs.some((l) => basename(n) === l || basename(n).startsWith(`${l.replace(/\.so.*$/, "")}-`)));
    if (second.length) throw new CheckFailedError(`${basename(repaired)} carries a second copy of what ${m.plan.distribution} provides: ${second.join(", ")}`);
    const fileName = basename(repaired);
    artifacts.push({ kind: "wheel", fileName, sha256: await sha256File(repaired), size: statSync(repaired).size, platform: pid, python: py, tag: tagOf(fileName) });
    wheelPaths.set(py, repaired);
    repairs[fileName] = { policy, reasons: verdict.reasons, excluded: ourLibs, seconds: since(tp) };
  }

  const verification: Record<string, DownstreamCheck> = {};
  if (s.verify) {
    progress.stage("downstream: verify in fresh venvs");
    const lit = s.verify.lit ? await prepareProjectLit(s, s.verify, plan, buildPython, devRoot, mlirDir, env, progress) : undefined;
    for (const py of plan.pythons) {
      const a = artifacts.find((x) => x.python === py)!;
      verification[a.fileName] = await verifyDownstreamWheel(s, s.verify, plan, wheelPaths.get(py)!, py, lit, env, progress);
    }
  }

  const manifest = DownstreamManifest.parse({
    schemaVersion: 1,
    kind: "downstream",
    project,
    builtAgainst: {
      distribution: m.plan.distribution,
      version: m.plan.version,
      llvmVersion: m.plan.llvm.version,
      llvmCommit: m.plan.llvm.commit,
      nanobind,
      nanobindDomain: m.plan.nanobindDomain,
      manifestSha256: release.manifestSha256,
      devTarball: { fileName: plan.devTarball.fileName, sha256: plan.devTarball.sha256 },
    },
    platform: pid,
    artifacts: [...artifacts].sort(byFileName),
    provenance: {
      builder: `host ${process.platform}-${process.arch}, node ${process.version}`,
      pipelineVersion: pipelineRevision(s.repoRoot),
      layer: { kind: "dev-distribution", tarball: plan.devTarball.fileName },
    },
    verification: { repair: repairs, ...verification, seconds: since(t0) },
  });
  const manifestPath = join(s.outDir, DOWNSTREAM_MANIFEST);
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  return { manifest, manifestPath, verification };
}

const lastJsonLine = (out: string, what: string): Record<string, unknown> => {
  const line = out.trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    throw new CheckFailedError(`${what}: its last output line is not JSON: ${line.slice(0, 200)}`);
  }
};

async function verifyDownstreamWheel(
  s: DownstreamSettings,
  v: DownstreamVerifySettings,
  plan: DownstreamPlan,
  wheel: string,
  py: string,
  lit: PreparedLit | { skipped: string } | undefined,
  env: ExecEnv,
  progress: Progress,
): Promise<DownstreamCheck> {
  const t = Date.now();
  const m = plan.release.manifest;
  progress.step(`Python ${py}: fresh venv, ${basename(wheel)} + ${m.plan.distribution}==${m.plan.version} from ${plan.release.source.kind === "index" ? "the index" : "the dist folder"}`);
  const base = await findPython(env, py);
  const venv = join(s.workDir, "verify-venvs", `py${py}`);
  await env.run([base.executable, "-m", "venv", "--clear", venv]);
  const vpy = join(venv, "bin", "python");
  // The wheel's own Requires-Dist (<ours>==<v>) brings our wheel from the release's index.
  await env.run([vpy, "-m", "pip", "install", "-q", "--disable-pip-version-check", ...pipSourceArgs(plan.release), "--", wheel]);
  const installed = lastJsonLine(
    (
      await env.run(
        [vpy, "-c", "import json,sys,importlib.metadata as md; print(json.dumps({d: md.version(d) for d in sys.argv[1:]}))", m.plan.distribution, plan.project.distribution],
        { capture: true, cwd: "/" },
      )
    ).stdout,
    "installed versions",
  ) as Record<string, string>;
  if (installed[m.plan.distribution] !== m.plan.version) {
    throw new CheckFailedError(`Python ${py}: pip installed ${m.plan.distribution} ${installed[m.plan.distribution]}, not ${m.plan.version}`);
  }
  progress.step(`Python ${py}: import both, mixed IR`);
  const check = lastJsonLine(
    (
      await env.run([vpy, join(s.repoRoot, "containers", "verify", "downstream_check.py"), OUR_PACKAGE, plan.project.packagePrefix], {
        capture: true,
        cwd: "/",
      })
    ).stdout,
    "downstream_check.py",
  );
  if (check["ok"] !== true) throw new CheckFailedError(`Python ${py}: the downstream check failed: ${JSON.stringify(check)}`);
  const scripts: Record<string, Record<string, unknown>> = {};
  for (const script of v.checkScripts) {
    progress.step(`Python ${py}: ${basename(script)}`);
    scripts[basename(script)] = lastJsonLine((await env.run([vpy, script], { capture: true, cwd: "/" })).stdout, script);
  }
  const litResult: DownstreamCheck["lit"] = lit === undefined ? undefined : "skipped" in lit ? lit : await runProjectLit(s, lit, vpy, py, env, progress);
  return { python: py, installed, check, scripts, ...(litResult ? { lit: litResult } : {}), seconds: since(t) };
}

/** The project's lit suite, configured and with its tools built once for every Python. */
interface PreparedLit {
  testBuildDir: string;
  target: string;
  suites: string[];
  /** Wheel-only settings the test build leaves out (WHEEL_ONLY_DEFINES). */
  dropped: string[];
  /** The wheel's own targets, never built in the test build: the suite imports the installed wheel. */
  notBuilt: string[];
}

/**
 * The project's own lit suite against the installed wheels, prepared once: a test build of the
 * project (the wheel build's configuration minus WHEEL_ONLY_DEFINES, see there) in which the check
 * target's dependencies are built except the wheel's own targets. The suite's Python tests import
 * the installed wheel: the build tree's copy of the package sits under <build>/<package prefix>, not
 * where the suites' PYTHONPATH looks, and the test build never builds it.
 */
async function prepareProjectLit(
  s: DownstreamSettings,
  v: DownstreamVerifySettings,
  plan: DownstreamPlan,
  buildPython: string,
  devRoot: string,
  mlirDir: string,
  env: ExecEnv,
  progress: Progress,
): Promise<PreparedLit | { skipped: string }> {
  const testBuildDir = join(s.workDir, "test-build", s.platform.id);
  const lit = join(s.toolsDir, "bin", "lit");
  const { project, dropped } = testBuildProject(plan.project);
  progress.step(`configure the lit suite's test build${dropped.length ? ` (without the wheel-only ${dropped.join(", ")})` : ""}`);
  await env.run(
    projectConfigureArgs({ projectDir: s.projectDir, buildDir: testBuildDir, mlirDir, devRoot, python: buildPython, venvDir: dirname(dirname(buildPython)), project, ...(existsSync(lit) ? { lit } : {}) }),
  );
  const targets = checkTargets((await env.run(["ninja", "-C", testBuildDir, "-t", "targets", "all"], { capture: true })).stdout);
  const target = v.checkTarget ?? targets[0];
  if (!target) return { skipped: "the project has no check-* target (no lit tests)" };
  if (!targets.includes(target)) throw new InvalidInputError(`--check-target ${target}: not a target of the build (check targets: ${targets.join(", ") || "none"})`);
  // The phony target → its custom command (which runs lit: never built here) → what that command needs.
  const query = async (path: string) => parseNinjaQuery((await env.run(["ninja", "-C", testBuildDir, "-t", "query", path], { capture: true })).stdout);
  const deps = new Set<string>();
  const walk = async (path: string, depth: number): Promise<void> => {
    for (const i of (await query(path)).inputs) {
      if (!isCheckCommand(i, target)) deps.add(i);
      else if (depth < 4) await walk(i, depth + 1);
    }
  };
  await walk(target, 0);
  // ninja names a utility target by its phony alias, bare or under its folder (python/StandalonePythonModules).
  const notBuilt = [...deps].filter((d) => project.buildTargets.some((t) => d === t || d.endsWith(`/${t}`)));
  for (const d of notBuilt) deps.delete(d);
  progress.step(`build what ${target} needs (${deps.size} inputs; not ${notBuilt.join(", ") || "-"}: the suite imports the installed wheel)`);
  const label = `build the tools of ${target}`;
  if (deps.size) {
    await env.run(["ninja", "-C", testBuildDir, ...(s.jobs ? [`-j${s.jobs}`] : []), ...[...deps].sort()], {
      onLine: (l) => {
        const p = ninjaPercent(l);
        if (p !== undefined) progress.step(label, p);
      },
    });
  }
  const commands = (await env.run(["ninja", "-C", testBuildDir, "-t", "commands", target], { capture: true })).stdout.trim().split("\n");
  const litCommand = commands.at(-1) ?? "";
  const suites = litSuites(litCommand, testBuildDir, (p) => existsSync(p) && statSync(p).isDirectory());
  if (!suites.length) throw new InvalidInputError(`${target}: could not find the lit suites in its command: ${litCommand.slice(0, 300)}`);
  return { testBuildDir, target, suites, dropped, notBuilt };
}

/** One lit run of the prepared suite, with the suites' python_executable pointed at the verification venv. */
async function runProjectLit(
  s: DownstreamSettings,
  p: PreparedLit,
  vpy: string,
  py: string,
  env: ExecEnv,
  progress: Progress,
): Promise<LitCounts & { target: string; suites: string[]; dropped: string[]; notBuilt: string[] }> {
  const siteConfigs = p.suites.flatMap((d) => findFiles(d, "lit.site.cfg.py"));
  const saved = new Map(siteConfigs.map((f) => [f, readFileSync(f, "utf8")]));
  const results = join(s.workDir, `lit-py${py}.json`);
  rmSync(results, { force: true });
  const rel = p.suites.map((d) => relative(p.testBuildDir, d) || ".");
  progress.step(`Python ${py}: lit ${rel.join(" ")} against the installed wheels`);
  try {
    for (const [f, text] of saved) writeFileSync(f, text.replace(/^config\.python_executable = .*$/m, `config.python_executable = ${JSON.stringify(vpy)}`));
    await env.run(
      [
        vpy,
        "-c",
        `import sys; sys.path.insert(0, ${JSON.stringify(litSitePackages(join(s.toolsDir, "bin", "lit")))}); from lit.main import main; main()`,
        "-sv",
        "--no-progress-bar",
        `-j${s.jobs ?? 2}`,
        "-o",
        results,
        "--",
        ...p.suites,
      ],
      // LLVM 22's lit configs ask for an external shell unless told otherwise; lit 23 refuses that.
      { env: { LIT_USE_INTERNAL_SHELL: "1" }, cwd: "/" },
    ).catch((e: unknown) => {
      if (!existsSync(results)) throw e;
    });
  } finally {
    for (const [f, text] of saved) writeFileSync(f, text);
  }
  const counts = parseLitResults(readFileSync(results, "utf8"));
  progress.info(`lit (Python ${py}): ${counts.passed} passed, ${counts.failed} failed, ${counts.unsupported} unsupported${counts.failures.length ? ` — failed: ${counts.failures.join(", ")}` : ""}`);
  return { ...counts, target: p.target, suites: rel, dropped: p.dropped, notBuilt: p.notBuilt };
}

function findFiles(dir: string, name: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (e === name) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

/** The release a downstream manifest was built against, checked to be the same bytes. */
export function checkBuiltAgainst(dm: DownstreamManifest, r: LoadedRelease): ReleaseManifest {
  if (r.manifestSha256 !== dm.builtAgainst.manifestSha256) {
    throw new InvalidInputError(
      `release ${r.manifest.plan.version}'s manifest (sha256 ${r.manifestSha256}) is not the one ${dm.project.distribution} ${dm.project.version} was built against (${dm.builtAgainst.manifestSha256})`,
    );
  }
  return r.manifest;
}
