// What every in-process step module is: one `run(step, context)` behind the same interface, called by
// the step runner through the pipeline's table (src/factory/steps/pipeline.ts), never by name from
// the factory. A step reads the one typed part of the settings it names (StepInputs[input]) and the
// outputs of the steps the plan ran before it (STEP_NEEDS, checked before the first step), and
// records its own.
import { InternalError } from "../../errors.js";
import type { ExecEnv, RunResult } from "../../exec/env.js";
import type { InProcessStep } from "../../exec/steps.js";
import type { LlvmLayer } from "../../layer/layer.js";
import type { Progress } from "../../progress.js";
import type { BuildReport } from "../../schema/build-report.js";
import type { BuildPlan } from "../build-plan.js";
import type { StepInputs } from "../step-inputs.js";
import type { ReleaseFiles } from "./metadata.js";
import type { SourceOutput } from "./source.js";
import type { TargetStamps } from "./stamps.js";
import type { NativeEntry, WheelEntry, WheelTarget } from "./target.js";
import type { ToolsEntry } from "./tools.js";
import type { LitResult } from "./verify.js";

/** What the in-process steps produced so far; each field is written by one step, read by later ones. */
export interface StepOutputs {
  source?: SourceOutput;
  /** The release's METADATA and _release_info.py (the source step composes them). */
  files?: ReleaseFiles;
  layer?: LlvmLayer;
  /** Wheels placed by this run, by target id (py3.12, native). */
  built: Map<string, WheelEntry | NativeEntry>;
  /** The enabled packages' placed wheels, by package id. */
  packages: Map<string, NativeEntry>;
  dev?: BuildReport["dev"];
  /** The layer's LLVM targets the tools wheel leaves out (tools/link). */
  droppedTargets?: string[];
  tools?: ToolsEntry;
  /** Upstream lit's counts, by Python. */
  lit: Record<string, LitResult>;
}

/** What a step runs with: its own part of the settings, the plan, the build's targets and stamps, and the outputs so far. */
interface StepContext<I> {
  input: I;
  plan: BuildPlan;
  env: ExecEnv;
  progress: Progress;
  /** Where the plan says the source step puts the tree and the layer step finds the layer. */
  planned: { sourceRoot: string; layerPrefix: string };
  targets: ReadonlyMap<string, WheelTarget>;
  /** The build's stamps, decided once the source, layer and metadata are known. */
  stamps(): TargetStamps;
  outputs: StepOutputs;
  /** The per-Python wheels so far, in plan order: built by this run or reused from their stamps. */
  perPythonWheels(): BuildReport["wheels"];
  /** Results of the command steps that ran so far, by step id (the runner's). */
  results: ReadonlyMap<string, RunResult>;
}

/** An in-process step: what the runner calls for a plan step of its name, with the part of the settings it names. */
export interface StepModule<K extends keyof StepInputs> {
  input: K;
  run(step: InProcessStep, c: StepContext<StepInputs[K]>): Promise<void>;
}

/** Any step module (each reads its own part). */
export type AnyStepModule = { [K in keyof StepInputs]: StepModule<K> }[keyof StepInputs];

/** An earlier step's output; unreachable once checkStepOrder passed, kept so a broken invariant names itself. */
export const got = <T>(v: T | undefined, what: string): T => {
  if (v === undefined) throw new InternalError(`${what} is not known yet (step order)`);
  return v;
};
