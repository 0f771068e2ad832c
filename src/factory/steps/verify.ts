// The verify steps' in-process parts (install with extras, upstream's lit suite) and the record a
// wheel's verification leaves in the build report, from its steps' results.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { InternalError } from "../../errors.js";
import type { ExecEnv } from "../../exec/env.js";
import type { InProcessStep, StepRecord } from "../../exec/steps.js";
import type { LlvmLayer } from "../../layer/layer.js";
import { type PlatformPlan, venvPython } from "../../platforms/platform-plan.js";
import { parsePython } from "../../platforms/tags.js";
import type { Progress } from "../../progress.js";
import type { BuildReport } from "../../schema/build-report.js";
import { wheelExtras, parseCheckWheelContents } from "../../verify/install.js";
import { runUpstreamLit } from "../../verify/lit.js";
import { abi3Verdict } from "../../verify/abi3audit.js";
import type { CheckInputs } from "../step-inputs.js";
import { got, type StepModule } from "./step-context.js";

export type LitResult = NonNullable<BuildReport["verification"][string]["lit"]>;

/** pip install of the final wheel with every extra its METADATA provides (opdsl's YAML dump needs PyYAML). */
export async function installWheel(s: CheckInputs, env: ExecEnv, plan: PlatformPlan, step: InProcessStep): Promise<void> {
  const wheel = step.produces[0];
  const vpy = venvPython(s.platform, join(s.workDir, "verify-venvs", `py${step.python ?? ""}`));
  if (!wheel) throw new InternalError(`step ${step.id}: no wheel named`);
  const extras = wheelExtras(wheel);
  // Runtime requirements from the index as a user gets them, but an older release with a wheel for this
  // interpreter beats a newer sdist: numpy 2.5 has no cp313t wheels and would compile for many minutes.
  // The native wheel from its file, as pip finds it for the pin (never from an index).
  const native = plan.native ? [join(dirname(wheel), plan.native.wheel)] : [];
  await env.run([vpy, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--prefer-binary", extras.length ? `${wheel}[${extras.join(",")}]` : wheel, ...native]);
}

/** Upstream's mlir/test/python against the installed wheel (nothing when lit is off). */
export async function runLit(
  i: { checks: CheckInputs; env: ExecEnv; progress: Progress; sourceRoot: string; layer: LlvmLayer; stableAbi?: boolean },
  step: InProcessStep,
): Promise<LitResult | undefined> {
  const s = i.checks;
  if (!s.lit || !step.python) return undefined;
  const vpy = venvPython(s.platform, join(s.workDir, "verify-venvs", `py${step.python}`));
  const lit = await runUpstreamLit({
    env: i.env,
    litExecutable: join(s.toolsDir, "bin", "lit"),
    sourceRoot: i.sourceRoot,
    layer: i.layer,
    python: vpy,
    pythonVersion: step.python,
    workDir: s.workDir,
    ...(s.lit.filter ? { filter: s.lit.filter } : {}),
    hostTriple: layerHostTriple(i.layer),
    targets: layerTargets(i.layer),
    ...(s.jobs ? { jobs: s.jobs } : {}),
    // Free-threaded: lit runs with PYTHON_GIL=0, as the smoke test does (the GIL cannot come back).
    ...(parsePython(step.python).freeThreaded ? { pythonEnv: { PYTHON_GIL: "0" } } : {}),
    ...(i.stableAbi ? { stableAbi: true } : {}),
  });
  i.progress.info(
    `lit (Python ${step.python}): ${lit.passed} passed, ${lit.failed} failed, ${lit.unsupported} unsupported` +
      (lit.failures.length ? ` — failed: ${lit.failures.join(", ")}` : ""),
  );
  return lit;
}

const llvmConfig = (layer: LlvmLayer): string | undefined => {
  try {
    return readFileSync(join(layer.prefix, "lib", "cmake", "llvm", "LLVMConfig.cmake"), "utf8");
  } catch {
    return undefined;
  }
};

/** The layer's host triple from its LLVMConfig.cmake (read, not run: no command outside the steps). */
export function layerHostTriple(layer: LlvmLayer): string {
  const cfg = llvmConfig(layer);
  return (cfg && /set\(LLVM_HOST_TRIPLE\s+"?([^")\s]+)"?\)/.exec(cfg)?.[1]) || "x86_64-unknown-linux-gnu";
}

/** The layer's LLVM_TARGETS_TO_BUILD (what lit's features follow). */
export function layerTargets(layer: LlvmLayer): string[] {
  const cfg = llvmConfig(layer);
  return (cfg && /set\(LLVM_TARGETS_TO_BUILD\s+([^)]*)\)/.exec(cfg)?.[1]?.split(";")) || [];
}

/** The JSON a checking script prints last (smoke.py, free_threaded.py). */
export const lastJsonLine = (stdout: string): Record<string, unknown> => JSON.parse(stdout.trim().split("\n").pop() ?? "{}") as Record<string, unknown>;

/**
 * One wheel's verification record on one interpreter from its verify steps' results (build and
 * `verify` both report it). The file's own checks (packaging lint, abi3audit) ran once, as steps of
 * the Python it was built with (`builtWith`); install, smoke and lit as steps of `python`.
 */
function verificationOf(
  python: string,
  results: ReadonlyMap<string, { stdout: string }>,
  lit: LitResult | undefined,
  seconds: number,
  builtWith = python,
): BuildReport["verification"][string] {
  const py = `py${python}`;
  const smoke = results.get(`${py}/smoke`);
  const threads = results.get(`${py}/threads`);
  const abi3 = results.get(`py${builtWith}/abi3audit`);
  return {
    python,
    wheelContents: parseCheckWheelContents(results.get(`py${builtWith}/check-wheel-contents`)?.stdout ?? ""),
    smoke: smoke ? lastJsonLine(smoke.stdout) : {},
    ...(threads ? { freeThreaded: lastJsonLine(threads.stdout) } : {}),
    ...(abi3 ? { abi3audit: abi3Verdict(lastJsonLine(abi3.stdout)) } : {}),
    ...(lit ? { lit } : {}),
    seconds,
  };
}

/** The report's key of a wheel's verification on one interpreter: its file name on the Python it was built with, `<file>@<python>` on each other Python it serves (an abi3 wheel on 3.13). */
export const verificationKey = (fileName: string, python: string, builtWith: string): string => (python === builtWith ? fileName : `${fileName}@${python}`);

/** Every verification record of the given wheels: one per interpreter the plan verifies each on (ResolvedBuild.verifiedOn). */
export function verificationsOf(i: {
  plan: PlatformPlan;
  wheels: ReadonlyArray<{ python: string; fileName: string }>;
  results: ReadonlyMap<string, { stdout: string }>;
  lit: Readonly<Record<string, LitResult>>;
  records: readonly StepRecord[];
}): BuildReport["verification"] {
  const verifyIds = new Set(i.plan.steps.filter((x) => x.phase === "verify").map((x) => x.id));
  const out: BuildReport["verification"] = {};
  for (const w of i.wheels) {
    const on = i.plan.builds.find((b) => b.python === w.python)?.verifiedOn ?? [{ python: w.python }];
    for (const { python } of on) {
      const seconds = i.records.filter((x) => x.id.startsWith(`py${python}/`) && verifyIds.has(x.id)).reduce((a, x) => a + x.seconds, 0);
      out[verificationKey(w.fileName, python, w.python)] = verificationOf(python, i.results, i.lit[python], seconds, w.python);
    }
  }
  return out;
}

/** Steps `py<v>/lit`: upstream's suite against the installed wheel, its counts recorded by Python. */
export const litStep: StepModule<"checks"> = {
  input: "checks",
  async run(step, c) {
    // The abi3 wheel is the one this Python is verified with when the plan says so (3.12+ on 23.x).
    const stableAbi = c.plan.builds.some((b) => b.abi === "abi3" && b.verifiedOn.some((v) => v.python === step.python));
    const r = await runLit({ checks: c.input, env: c.env, progress: c.progress, sourceRoot: got(c.outputs.source, "the source").tree.root, layer: got(c.outputs.layer, "the layer"), stableAbi }, step);
    if (r && step.python) c.outputs.lit[step.python] = r;
  },
};

/** Steps `py<v>/install`. */
export const installStep: StepModule<"checks"> = {
  input: "checks",
  run: (step, c) => installWheel(c.input, c.env, c.plan, step),
};
