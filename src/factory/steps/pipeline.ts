// Wiring the step modules to the plan's in-process steps. Each in-process step is a module behind one
// interface (steps/step-context.ts): the runner calls it through STEP_MODULES with its typed part of
// the settings and the earlier steps' outputs; this is the one place outputs are kept. Which step
// reads which earlier output is declared (STEP_NEEDS) and checked against the plan's order before
// the first step runs, so a misordered plan fails at construction, not halfway through.
import { InternalError } from "../../errors.js";
import type { ExecEnv, RunResult } from "../../exec/env.js";
import type { InProcessStep, StepHandler } from "../../exec/steps.js";
import type { LlvmLayer } from "../../layer/layer.js";
import type { Progress } from "../../progress.js";
import type { BuildReport } from "../../schema/build-report.js";
import type { BuildStep } from "../../schema/build-step.js";
import type { BuildPlan } from "../build-plan.js";
import type { BuildSettings } from "../settings.js";
import { type StepInputs, stepInputs } from "../step-inputs.js";
import { devStep } from "./dev.js";
import { layerStep } from "./layer.js";
import { sourceStep, type SourceOutput } from "./source.js";
import { TargetStamps } from "./stamps.js";
import { type AnyStepModule, got, type StepModule, type StepOutputs } from "./step-context.js";
import { packageTargets } from "./package.js";
import { assembleStep, type NativeEntry, placeStep, wheelTargets } from "./target.js";
import { assembleToolsStep, linkToolsStep, placeToolsStep } from "./tools.js";
import { installStep, type LitResult, litStep } from "./verify.js";

/** The in-process steps by handler name, and the earlier in-process steps whose output each reads. */
const STEP_NEEDS = {
  source: [],
  layer: ["source"],
  "assemble-wheel": ["source", "layer"],
  "assemble-native-wheel": ["source", "layer"],
  "place-wheel": ["source", "layer"],
  "place-native-wheel": ["source", "layer"],
  "dev-distribution": ["source", "layer"],
  "link-tools": ["source", "layer"],
  "assemble-tools-wheel": ["source", "layer", "link-tools"],
  "place-tools-wheel": ["source", "link-tools"],
  "upstream-lit": ["source", "layer"],
  "install-wheel": [],
} as const satisfies Record<string, readonly string[]>;
type StepName = keyof typeof STEP_NEEDS;

/** Every in-process step has a module, and each comes after the steps it reads (the handlers given: a subset run by `verify`). */
export function checkStepOrder(steps: readonly BuildStep[], handlers: readonly string[] = Object.keys(STEP_NEEDS)): void {
  const seen = new Set<string>();
  for (const st of steps) {
    if (st.kind !== "in-process") continue;
    if (!handlers.includes(st.name)) throw new InternalError(`step ${st.id}: no module for the in-process step '${st.name}'`);
    for (const need of STEP_NEEDS[st.name as StepName]) {
      if (!seen.has(need)) throw new InternalError(`step ${st.id} reads the output of '${need}', which the plan does not run before it`);
    }
    seen.add(st.name);
  }
}

interface PipelineInput {
  settings: BuildSettings;
  plan: BuildPlan;
  env: ExecEnv;
  progress: Progress;
  requirements: { tools: { sha256: string }; build: { sha256: string } };
  projectHash: string;
  plannedRoot: string;
  plannedPrefix: string;
}

/** What the build's steps produced, for the report. */
export interface PipelineOutput {
  source: SourceOutput;
  layer: LlvmLayer;
  /** Per-Python wheels in plan order, built or reused. */
  wheels: BuildReport["wheels"];
  native?: NonNullable<BuildReport["native"]>;
  tools?: NonNullable<BuildReport["tools"]>;
  dev?: BuildReport["dev"];
  lit: Record<string, LitResult>;
  /** The enabled packages' placed wheels, by package id (report.ts adds their tests). */
  packages: ReadonlyMap<string, NativeEntry>;
}

/** Each in-process step's module, by the name its plan steps carry (the assemble and place steps of every wheel target share theirs). */
const STEP_MODULES: Record<StepName, AnyStepModule> = {
  source: sourceStep,
  layer: layerStep,
  "assemble-wheel": assembleStep,
  "assemble-native-wheel": assembleStep,
  "place-wheel": placeStep,
  "place-native-wheel": placeStep,
  "dev-distribution": devStep,
  "link-tools": linkToolsStep,
  "assemble-tools-wheel": assembleToolsStep,
  "place-tools-wheel": placeToolsStep,
  "upstream-lit": litStep,
  "install-wheel": installStep,
};

/** The handlers and the reuse rule of one build, and what they produced once the runner is done. */
export function buildPipeline(i: PipelineInput): { inputs: StepInputs; handlers: Record<StepName, StepHandler>; skip: (step: BuildStep) => string | undefined; output: () => PipelineOutput } {
  const { plan, env, progress } = i;
  checkStepOrder(plan.steps);
  // The settings taken apart once: each step reads its own typed part.
  const inputs = stepInputs(i.settings);
  const targets = new Map([...wheelTargets(inputs.targets, plan), ...packageTargets(inputs, plan)]);
  const outputs: StepOutputs = { built: new Map(), packages: new Map(), lit: {} };
  let stamps: TargetStamps | undefined;
  const stampsNow = (): TargetStamps =>
    (stamps ??= new TargetStamps({
      settings: inputs.stamps,
      plan,
      source: got(outputs.source, "the source"),
      layer: got(outputs.layer, "the layer"),
      files: got(outputs.files, "the metadata"),
      requirements: i.requirements,
      projectHash: i.projectHash,
    }));
  const perPython = (): BuildReport["wheels"] =>
    plan.builds.flatMap((b) => {
      const reused = stamps?.perPython(b.python).reused;
      if (reused) return [{ ...reused, reused: true, seconds: {} }];
      const w = outputs.built.get(`py${b.python}`);
      return w ? [{ python: b.python, ...w, reused: false, seconds: {} } as BuildReport["wheels"][number]] : [];
    });
  const planned = { sourceRoot: i.plannedRoot, layerPrefix: i.plannedPrefix };
  // The runner calls a step's module with the context of this build; no step reaches another's state but through `outputs`.
  const handlerOf =
    <K extends keyof StepInputs>(m: StepModule<K>): StepHandler =>
    (step: InProcessStep, ctx: { results: ReadonlyMap<string, RunResult> }) =>
      m.run(step, { input: inputs[m.input], plan, env, progress, planned, targets, stamps: stampsNow, outputs, perPythonWheels: perPython, results: ctx.results });
  const handlers = Object.fromEntries((Object.keys(STEP_MODULES) as StepName[]).map((name) => [name, handlerOf<keyof StepInputs>(STEP_MODULES[name] as StepModule<keyof StepInputs>)])) as Record<StepName, StepHandler>;
  // A target whose wheel is unchanged (same inputs, same steps) skips its build steps; verify still runs.
  const skip = (step: BuildStep): string | undefined => {
    if (step.id.startsWith("native/")) {
      const reused = stampsNow().native().reused;
      return reused ? `skipped (reusing ${reused.fileName})` : undefined;
    }
    if (!step.python || step.phase === "verify") return undefined;
    const reused = stampsNow().perPython(step.python).reused;
    return reused ? `skipped (reusing ${reused.fileName})` : undefined;
  };
  const output = (): PipelineOutput => {
    const reusedNative = stamps && plan.native ? stamps.native().reused : undefined;
    const nativeBuilt = outputs.built.get("native");
    const native = reusedNative ? { ...reusedNative, reused: true, seconds: {} } : nativeBuilt ? { ...nativeBuilt, reused: false, seconds: {} } : undefined;
    const { tools, dev } = outputs;
    return {
      source: got(outputs.source, "the source"),
      layer: got(outputs.layer, "the layer"),
      wheels: perPython(),
      ...(native ? { native } : {}),
      ...(tools ? { tools: { ...tools, reused: false, seconds: {} } } : {}),
      ...(dev ? { dev } : {}),
      lit: outputs.lit,
      packages: outputs.packages,
    };
  };
  return { inputs, handlers, skip, output };
}

