// The resolved build plan of one platform: the complete ordered list of typed steps (provision →
// source → layer → per Python: venv, configure, build, install, strip, zip, repair → native wheel →
// dev → verify), every environment variable, CMake cache entry and wheel tag. Pure: `build --dry-run`
// prints it, the factory executes exactly these steps (src/exec/steps.ts), and the tests for
// macOS/Windows (which cannot run here) assert against it. One file per phase (plan-*.ts); what
// differs between operating systems is the platform module's (Platform.conventions and friends).
import { BuildStep, type BuildStepInput } from "../schema/build-step.js";
import { type AbiVariant } from "../schema/platform.js";
import { type AbiChoice, chooseAbi, type LlvmAbiFacts } from "./abi.js";
import { planContext, type PlanContext } from "./plan-context.js";
import { nativeWheel } from "./plan-native.js";
import { provisionSteps, toolsInterpreter } from "./plan-provision.js";
import { pythonBuild } from "./plan-python.js";
import { toolsWheel } from "./plan-tools.js";
import { wheelVerifySteps } from "./plan-verify.js";
import type { ListDir, Platform, ProvisionStep } from "./platform.js";

export { formatPlatformPlan, formatStep } from "./plan-format.js";
export { provisionSteps, requirementsPath, toolsInterpreter, venvKey, venvPython } from "./plan-provision.js";

export interface ResolvedBuild {
  python: string;
  abi: AbiVariant;
  /** CPython versions the wheel installs on. */
  serves: string[];
  /** Where the verify steps install and test it: the building interpreter first, then the other served Pythons (an abi3 wheel on 3.13+). */
  verifiedOn: Array<{ python: string; interpreter: string }>;
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
  /** The platform's tools wheel (src/platforms/plan-tools.ts), when asked for and the platform builds it. */
  tools?: { distribution: string; stageDir: string; rawWheel: string; repairDir: string; tag: string; wheel: string };
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
  /** Also the tools wheel (platforms whose module builds one). */
  toolsWheel?: boolean;
  verify?: false | { lit: boolean };
}

/** Phase 2: the source tree and the LLVM layer (in-process: the factory's source and layer steps). */
function inputSteps(c: PlanContext): BuildStepInput[] {
  return [
    {
      kind: "in-process",
      id: "source",
      phase: "source",
      name: "source",
      detail: c.input.source ?? "the llvm-project tree",
      why: "the llvm-project parts the bindings are built from, verified by digest or commit",
      produces: [c.input.sourceRoot],
    },
    {
      kind: "in-process",
      id: "layer",
      phase: "layer",
      name: "layer",
      detail: c.input.layer ?? "the LLVM layer",
      why: "the installed LLVM+MLIR the bindings link against (its version must equal the source's)",
      produces: [c.input.mlirCmakeDir],
    },
  ];
}

/** Phase 5: the dev distribution, when asked for. */
const devSteps = (c: PlanContext): BuildStepInput[] =>
  c.input.dev
    ? [
        {
          kind: "in-process",
          id: "dev",
          phase: "dev",
          name: "dev-distribution",
          detail: "tarball + dev wheel from the layer and the first Python's bindings build",
          why: "downstream projects build against the exact same MLIR",
        },
      ]
    : [];

/** Which wheels: the ABI choice for the Pythons asked for and the ones this runner really has. */
function abiChoiceOf(c: PlanContext): AbiChoice {
  const { p, input } = c;
  const exists = input.exists;
  return chooseAbi({
    llvm: input.llvm,
    pythons: input.pythons,
    // Resolving on the machine itself: only the Pythons it really has, and only those asked for.
    runnerPythons: exists ? p.runner.pythons.filter((v) => p.pythonCandidates(v, c.env, input.listDir).some((x) => exists(x))) : p.runner.pythons,
    ...(exists ? { freeThreaded: false } : {}),
    ...(input.cmakeVersion ? { cmakeVersion: input.cmakeVersion } : {}),
  });
}

export function resolvePlatformPlan(p: Platform, input: ResolveInput, abiChoice?: AbiChoice): PlatformPlan {
  const c = planContext(p, input);
  // No Python asked for: only the Python-independent targets (the tools wheel), no bindings build.
  const choice = abiChoice ?? (input.pythons.length ? abiChoiceOf(c) : { variant: "cpython" as const, reason: "no Python asked for", builds: [], skipped: [] });
  const toolsPython = input.toolsPython ?? toolsInterpreter(p, c.env, input.listDir, input.exists);
  const perPython = choice.builds.map((b) => pythonBuild(c, b));
  const builds = perPython.map((x) => x.build);
  const first = builds[0];
  const native = first ? nativeWheel(c, first) : undefined;
  const tools = input.toolsWheel && p.toolsWheel ? toolsWheel(c) : undefined;
  const verify = input.verify;
  const steps: BuildStepInput[] = [
    ...provisionSteps(p, { toolsDir: c.toolsDir, toolsPython, requirements: c.requirements.tools }),
    ...inputSteps(c),
    ...perPython.flatMap((x) => x.steps),
    ...(native?.steps ?? []),
    ...(tools?.steps ?? []),
    ...devSteps(c),
    ...(verify ? builds.flatMap((b) => wheelVerifySteps(c, b, verify.lit)) : []),
  ];
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
    repair: { tool: p.repair.tool, checks: p.repair.checks, policy: c.policy },
    builds,
    ...(native ? { native: native.native } : {}),
    ...(tools ? { tools: tools.tools } : {}),
    steps: steps.map((s) => BuildStep.parse(s)),
    notes: p.notes,
  };
}
