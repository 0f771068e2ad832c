// The tools wheel's in-process steps (src/platforms/plan-tools.ts plans them): `tools/link` stages the
// programs from the layer (src/wheels/tools-wheel.ts), `tools/zip` assembles the raw wheel with its
// launchers, and after the platform's repair `tools/place` puts it into the output folder, deflated at
// level 9 with its programs executable, and refuses it over the size limit.
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { CheckFailedError, InternalError } from "../../errors.js";
import type { RunResult } from "../../exec/env.js";
import type { LlvmLayer } from "../../layer/layer.js";
import type { PlatformPlan } from "../../platforms/platform-plan.js";
import type { Progress } from "../../progress.js";
import { keptTargets, sizeProblem, stageTools, toolsConsoleScripts, toolsExtraFiles, toolsPackage, toolsWheelMetadata } from "../../wheels/tools-wheel.js";
import { assembleWheel } from "../../wheels/wheel.js";
import { PIPELINE_VERSION } from "../settings.js";
import type { ToolsInputs } from "../step-inputs.js";
import type { ReleaseFiles } from "./metadata.js";
import { got, type StepModule } from "./step-context.js";
import { placeTarget, tagOf, type NativeEntry } from "./target.js";

/** The tools wheel as the build report records it: a wheel, and the layer's LLVM targets it leaves out. */
export type ToolsEntry = NativeEntry & { droppedTargets: string[] };

const plannedTools = (plan: PlatformPlan): NonNullable<PlatformPlan["tools"]> => {
  if (!plan.tools) throw new InternalError("a tools step ran, and the plan has no tools wheel");
  return plan.tools;
};

/** Step `tools/link`: the programs into the stage folder; returns the layer's targets left out. */
async function linkTools(s: ToolsInputs, plan: PlatformPlan, layer: LlvmLayer, progress: Progress): Promise<string[]> {
  const staged = await stageTools({
    prefix: layer.prefix,
    root: plannedTools(plan).stageDir,
    distribution: s.distribution,
    keepTargets: keptTargets(s.targets, s.arch),
    toolsBin: join(s.toolsDir, "bin"),
    repoRoot: s.repoRoot,
    log: (l) => progress.info(l),
  });
  progress.info(`tools linked in ${staged.linkSeconds.toFixed(0)} s; DT_NEEDED removed from the small tools: ${Object.entries(staged.pruned).map(([t, l]) => `${t}: ${l.join(" ") || "none"}`).join("; ")}`);
  return staged.droppedTargets;
}

/** Step `tools/zip`: the raw wheel, stored (the repair rewrites it and the place step compresses once). */
async function assembleTools(s: ToolsInputs, plan: PlatformPlan, files: ReleaseFiles, sourceDateEpoch: number): Promise<void> {
  const t = plannedTools(plan);
  const version = t.wheel.split("-")[1]!;
  mkdirSync(dirname(t.rawWheel), { recursive: true });
  const raw = await assembleWheel({
    root: t.stageDir,
    packageName: toolsPackage(s.distribution),
    metadata: { ...toolsWheelMetadata(s.distribution, version), projectUrls: files.metadata.projectUrls },
    tag: tagOf(t.rawWheel.split("/").pop()!),
    extraFiles: toolsExtraFiles(s.distribution),
    consoleScripts: toolsConsoleScripts(toolsPackage(s.distribution)),
    sourceDateEpoch,
    generator: PIPELINE_VERSION,
    outDir: dirname(t.rawWheel),
    compressionLevel: 0,
  });
  if (raw.path !== t.rawWheel) throw new InternalError(`assembled ${raw.path}, the plan says ${t.rawWheel}`);
}

/** Step `tools/place`: the repaired wheel into the output folder (level 9, programs executable), its report entry; over the limit it is refused. */
async function placeTools(
  s: ToolsInputs,
  plan: PlatformPlan,
  o: { sourceDateEpoch: number; results: ReadonlyMap<string, RunResult>; droppedTargets: string[] },
): Promise<ToolsEntry> {
  const t = plannedTools(plan);
  const prefix = `${t.wheel.split("-")[0]}-`;
  const entry = await placeTarget(
    { id: "tools", wheel: t.wheel, repairDir: t.repairDir, replaces: (old) => old.endsWith(".whl") && old.startsWith(prefix), what: "the tools wheel" },
    { outDir: s.outDir, policy: plan.repair.policy, sourceDateEpoch: o.sourceDateEpoch, results: o.results, zip: { level: 9, executable: (name) => name.startsWith(`${toolsPackage(s.distribution)}/bin/`) } },
  );
  const problem = sizeProblem(entry.fileName, entry.size);
  if (problem) throw new CheckFailedError(problem);
  return { ...entry, droppedTargets: o.droppedTargets };
}

/** Step `tools/link`. */
export const linkToolsStep: StepModule<"tools"> = {
  input: "tools",
  async run(_step, c) {
    c.outputs.droppedTargets = await linkTools(c.input, c.plan, got(c.outputs.layer, "the layer"), c.progress);
  },
};

/** Step `tools/zip`. */
export const assembleToolsStep: StepModule<"tools"> = {
  input: "tools",
  run: (_step, c) => assembleTools(c.input, c.plan, got(c.outputs.files, "the metadata"), got(c.outputs.source, "the source").sourceDateEpoch),
};

/** Step `tools/place`. */
export const placeToolsStep: StepModule<"tools"> = {
  input: "tools",
  async run(_step, c) {
    c.outputs.tools = await placeTools(c.input, c.plan, { sourceDateEpoch: got(c.outputs.source, "the source").sourceDateEpoch, results: c.results, droppedTargets: got(c.outputs.droppedTargets, "the tools' targets") });
  },
};
