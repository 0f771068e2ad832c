// The verify steps' in-process parts (install with extras, upstream's lit suite) and the record a
// wheel's verification leaves in the build report, from its steps' results.
import { dirname, join } from "node:path";
import { InternalError } from "../../errors.js";
import type { ExecEnv } from "../../exec/env.js";
import type { InProcessStep } from "../../exec/steps.js";
import type { LlvmLayer } from "../../layer/layer.js";
import { type PlatformPlan, venvPython } from "../../platforms/resolve.js";
import { parsePython } from "../../platforms/tags.js";
import type { Progress } from "../../progress.js";
import type { BuildReport } from "../../schema.js";
import { wheelExtras, parseCheckWheelContents } from "../../verify/install.js";
import { runUpstreamLit } from "../../verify/lit.js";
import { abi3Verdict } from "../../verify/abi3audit.js";
import type { BuildSettings } from "../settings.js";
import { layerHostTriple, layerTargets } from "./layer.js";

export type LitResult = NonNullable<BuildReport["verification"][string]["lit"]>;

/** pip install of the final wheel with every extra its METADATA provides (opdsl's YAML dump needs PyYAML). */
export async function installWheel(s: BuildSettings, env: ExecEnv, plan: PlatformPlan, step: InProcessStep): Promise<void> {
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
  i: { settings: BuildSettings; env: ExecEnv; progress: Progress; sourceRoot: string; layer: LlvmLayer },
  step: InProcessStep,
): Promise<LitResult | undefined> {
  const s = i.settings;
  if (!s.verify || !s.verify.lit || !step.python) return undefined;
  const vpy = venvPython(s.platform, join(s.workDir, "verify-venvs", `py${step.python}`));
  const lit = await runUpstreamLit({
    env: i.env,
    litExecutable: join(s.toolsDir, "bin", "lit"),
    sourceRoot: i.sourceRoot,
    layer: i.layer,
    python: vpy,
    pythonVersion: step.python,
    workDir: s.workDir,
    ...(s.verify.litFilter ? { filter: s.verify.litFilter } : {}),
    hostTriple: layerHostTriple(i.layer),
    targets: layerTargets(i.layer),
    ...(s.jobs ? { jobs: s.jobs } : {}),
    // Free-threaded: lit runs with PYTHON_GIL=0, as the smoke test does (the GIL cannot come back).
    ...(parsePython(step.python).freeThreaded ? { pythonEnv: { PYTHON_GIL: "0" } } : {}),
  });
  i.progress.info(
    `lit (Python ${step.python}): ${lit.passed} passed, ${lit.failed} failed, ${lit.unsupported} unsupported` +
      (lit.failures.length ? ` — failed: ${lit.failures.join(", ")}` : ""),
  );
  return lit;
}

/** The JSON a checking script prints last (smoke.py, free_threaded.py). */
const lastJsonLine = (stdout: string): Record<string, unknown> => JSON.parse(stdout.trim().split("\n").pop() ?? "{}") as Record<string, unknown>;

/** One wheel's verification record from its verify steps' results (build and `verify` both report it). */
export function verificationOf(
  python: string,
  results: ReadonlyMap<string, { stdout: string }>,
  lit: LitResult | undefined,
  seconds: number,
): BuildReport["verification"][string] {
  const py = `py${python}`;
  const smoke = results.get(`${py}/smoke`);
  const threads = results.get(`${py}/threads`);
  const abi3 = results.get(`${py}/abi3audit`);
  return {
    python,
    wheelContents: parseCheckWheelContents(results.get(`${py}/check-wheel-contents`)?.stdout ?? ""),
    smoke: smoke ? lastJsonLine(smoke.stdout) : {},
    ...(threads ? { freeThreaded: lastJsonLine(threads.stdout) } : {}),
    ...(abi3 ? { abi3audit: abi3Verdict(lastJsonLine(abi3.stdout)) } : {}),
    ...(lit ? { lit } : {}),
    seconds,
  };
}
