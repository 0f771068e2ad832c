// The wheel factory: source → LLVM layer → bindings (once per platform) → one wheel per Python and
// the native wheel → repair → verify. Options are resolved once into BuildSettings (settings.ts);
// planBuild (build-plan.ts) turns them into the platform's step list, the step runner (src/exec/steps.ts)
// executes exactly that list, the step modules (steps/) do the in-process steps, report.ts records.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ExecEnv } from "../exec/env.js";
import { runSteps } from "../exec/steps.js";
import type { LlvmLayer } from "../layer/layer.js";
import type { Progress } from "../progress.js";
import { InvalidInputError } from "../errors.js";
import { BuildReport } from "../schema/build-report.js";
import { type PinnedRequirements } from "../schema/provenance.js";
import { type LlvmSourceTree } from "../source/tree.js";
import { readJsonAs } from "../util/json-input.js";
import { checkNanobindPin, pinnedRequirements, planBuild, requirementsFiles } from "./build-plan.js";
import { composeReport } from "./report.js";
import type { BuildSettings } from "./settings.js";
import { stepInputs } from "./step-inputs.js";
import { layerOf } from "./steps/layer.js";
import { sourceLayerSpaceNeed } from "../layer/layer.js";
import { buildPipeline, checkStepOrder } from "./steps/pipeline.js";
import { sourceTree } from "./steps/source.js";
import { projectFilesHash } from "./steps/stamps.js";
import { installWheel, type LitResult, runLit, verificationsOf } from "./steps/verify.js";
import { sha256File } from "../util/hash.js";
import { dirBytes, requireFreeSpace } from "../util/free-space.js";
import { buildSpaceNeeds } from "./disk-need.js";

export type { BuildSettings, LayerSpec, SourceSpec } from "./settings.js";
export { PIPELINE_VERSION } from "./settings.js";
export { pinnedRequirements, planBuild, plannedInputs } from "./build-plan.js";
export { releaseInfoModule } from "./steps/metadata.js";
export { tagOf } from "./steps/target.js";
export { layerHostTriple, layerTargets } from "./steps/verify.js";

/** The bindings' source tree of a build's settings, as its source step resolves it (for tools that need it without a build). */
export const resolveSource = (s: BuildSettings, env: ExecEnv, progress: Progress): Promise<LlvmSourceTree> => sourceTree(stepInputs(s).source, env, progress);

/** The layer of a build's settings, as its layer step resolves it against `source`. */
export const resolveLayer = (s: BuildSettings, source: LlvmSourceTree, env: ExecEnv, progress: Progress): Promise<LlvmLayer> => layerOf(stepInputs(s).layer, source, env, progress);

/** The hashed requirements files this build installs from, read and checked (nanobind's pin). */
function buildRequirements(s: BuildSettings): { tools: PinnedRequirements; build: PinnedRequirements } {
  const files = requirementsFiles(s);
  const requirements = { tools: pinnedRequirements(s.repoRoot, files.tools), build: pinnedRequirements(s.repoRoot, files.build) };
  checkNanobindPin(requirements.build, s.nanobind, files.build);
  return requirements;
}

/** Plan → run the plan's steps → report (written to <out>/build-report.json). */
export async function buildWheels(s: BuildSettings, env: ExecEnv, progress: Progress): Promise<BuildReport> {
  const startedAt = Date.now();
  const requirements = buildRequirements(s);
  const plan = planBuild(s);
  // A Python asked for (or the calendar's default) that this machine or runner lacks: say so, build the rest.
  for (const sk of plan.abi.skipped) progress.info(`not built: Python ${sk.python}: ${sk.reason}; building ${plan.builds.map((b) => b.python).join(", ")}`);
  // Before any folder is made (a refusal leaves nothing). What the folders hold already is credited, a
  // rerun's or another build's alike: lenient on purpose, a build that fits must never be refused.
  const layerKey = plan.planned.layerKey;
  requireFreeSpace(
    [
      ...buildSpaceNeeds(s, plan).map((n) => ({ ...n, bytes: n.bytes - dirBytes(n.path) })),
      ...(s.layer.kind === "source" && layerKey ? [sourceLayerSpaceNeed(s.cacheDir, s.platform.id, layerKey)] : []),
    ],
    "pass --work and --out on a larger disk, or point the cache (--cache, MLIR_RELEASE_CACHE) at one",
  );
  mkdirSync(s.outDir, { recursive: true });
  mkdirSync(s.workDir, { recursive: true });
  const pipeline = buildPipeline({
    settings: s,
    plan,
    env,
    progress,
    requirements: { tools: requirements.tools, build: requirements.build },
    projectHash: projectFilesHash(s.repoRoot),
    plannedRoot: plan.planned.sourceRoot,
    plannedPrefix: plan.planned.layerPrefix,
  });
  const { records, results } = await runSteps(plan.steps, { env, progress, handlers: pipeline.handlers, skip: pipeline.skip });
  const report = composeReport({ report: pipeline.inputs.report, plan, requirements, records, results, produced: pipeline.output(), startedAt });
  writeFileSync(join(s.outDir, "build-report.json"), `${JSON.stringify(report, null, 2)}\n`);
  return report;
}

/**
 * Verifies wheels already in outDir (one per Python asked for) and updates build-report.json: the
 * provision, source, layer and verify steps of the same plan `build` runs.
 */
export async function verifyDist(s: BuildSettings, env: ExecEnv, progress: Progress): Promise<BuildReport> {
  const reportPath = join(s.outDir, "build-report.json");
  if (!existsSync(reportPath)) {
    throw new InvalidInputError(`${reportPath} is missing: verify takes the output folder of 'mlir-release build'`);
  }
  const report = readJsonAs(BuildReport, reportPath, "build report");
  for (const w of report.wheels.filter((x) => s.pythons.includes(x.python))) {
    const path = join(s.outDir, w.fileName);
    if (!existsSync(path) || (await sha256File(path)) !== w.sha256) {
      throw new InvalidInputError(`${path} is missing or differs from build-report.json (sha256 ${w.sha256})`);
    }
  }
  Object.assign(report.verification, await verifyWheels(s, env, progress));
  writeFileSync(reportPath, `${JSON.stringify(report, null, 2)}\n`);
  return report;
}

/**
 * The verify steps of `s`'s plan (after its provision, source and layer steps) for the wheels the
 * plan names in s.outDir: check-wheel-contents, fresh venv, install, smoke (+ threads), lit.
 */
export async function verifyWheels(s: BuildSettings, env: ExecEnv, progress: Progress): Promise<BuildReport["verification"]> {
  const plan = planBuild({ ...s, verify: s.verify || { lit: false }, dev: false });
  for (const b of plan.builds) {
    if (!existsSync(join(s.outDir, b.wheel))) throw new InvalidInputError(`${join(s.outDir, b.wheel)} is missing: the plan verifies the wheels it names`);
  }
  const steps = plan.steps.filter((x) => ["provision", "source", "layer", "verify"].includes(x.phase));
  checkStepOrder(steps, ["source", "layer", "upstream-lit", "install-wheel"]);
  const inputs = stepInputs(s);
  let tree: LlvmSourceTree | undefined;
  let layer: LlvmLayer | undefined;
  const lit: Record<string, LitResult> = {};
  const { records, results } = await runSteps(steps, {
    env,
    progress,
    handlers: {
      source: async () => {
        tree = await sourceTree(inputs.source, env, progress);
      },
      layer: async () => {
        layer = await layerOf(inputs.layer, tree!, env, progress);
      },
      "upstream-lit": async (step) => {
        const r = await runLit({ checks: inputs.checks, env, progress, sourceRoot: tree!.root, layer: layer! }, step);
        if (r && step.python) lit[step.python] = r;
      },
      "install-wheel": (step) => installWheel(inputs.checks, env, plan, step),
    },
  });
  return verificationsOf({ plan, wheels: plan.builds.map((b) => ({ python: b.python, fileName: b.wheel })), results, lit, records });
}
