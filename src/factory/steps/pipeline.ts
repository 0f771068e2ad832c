// Wiring the step modules to the plan's in-process steps. Each module is a function from typed
// inputs to a typed output; this is the one place outputs are kept and handed to later steps. Which
// step reads which earlier output is declared (STEP_NEEDS) and checked against the plan's order
// before the first step runs, so a misordered plan fails at construction, not halfway through.
import { InternalError } from "../../errors.js";
import type { ExecEnv } from "../../exec/env.js";
import type { StepHandler } from "../../exec/steps.js";
import type { LlvmLayer } from "../../layer/layer.js";
import type { Progress } from "../../progress.js";
import type { BuildReport } from "../../schema/build-report.js";
import type { BuildStep } from "../../schema/build-step.js";
import type { BuildPlan } from "../build-plan.js";
import type { BuildSettings } from "../settings.js";
import { runDev } from "./dev.js";
import { runLayer } from "./layer.js";
import { composeReleaseFiles, type ReleaseFiles } from "./metadata.js";
import { runSource, type SourceOutput } from "./source.js";
import { TargetStamps } from "./stamps.js";
import { packageTargets } from "./package.js";
import { assembleTarget, type NativeEntry, placeTarget, targetOf, type WheelEntry, wheelTargets } from "./target.js";
import { assembleTools, linkTools, placeTools, type ToolsEntry } from "./tools.js";
import { installWheel, type LitResult, runLit } from "./verify.js";

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

const got = <T>(v: T | undefined, what: string): T => {
  // Unreachable once checkStepOrder passed: kept so a broken invariant names itself.
  if (v === undefined) throw new InternalError(`${what} is not known yet (step order)`);
  return v;
};

/** The handlers and the reuse rule of one build, and what they produced once the runner is done. */
export function buildPipeline(i: PipelineInput): { handlers: Record<StepName, StepHandler>; skip: (step: BuildStep) => string | undefined; output: () => PipelineOutput } {
  const { settings: s, plan, env, progress } = i;
  checkStepOrder(plan.steps);
  const targets = new Map([...wheelTargets(s, plan), ...packageTargets(s, plan)]);
  const packages = new Map<string, NativeEntry>();
  let source: SourceOutput | undefined;
  let layer: LlvmLayer | undefined;
  let files: ReleaseFiles | undefined;
  let stamps: TargetStamps | undefined;
  let dev: BuildReport["dev"] | undefined;
  let droppedTargets: string[] | undefined;
  let tools: ToolsEntry | undefined;
  const built = new Map<string, WheelEntry | NativeEntry>();
  const lit: Record<string, LitResult> = {};
  const stampsNow = (): TargetStamps =>
    (stamps ??= new TargetStamps({ settings: s, plan, source: got(source, "the source"), layer: got(layer, "the layer"), files: got(files, "the metadata"), requirements: i.requirements, projectHash: i.projectHash }));
  const perPython = (): BuildReport["wheels"] =>
    plan.builds.flatMap((b) => {
      const reused = stamps?.perPython(b.python).reused;
      if (reused) return [{ ...reused, reused: true, seconds: {} }];
      const w = built.get(`py${b.python}`);
      return w ? [{ python: b.python, ...w, reused: false, seconds: {} } as BuildReport["wheels"][number]] : [];
    });
  const assemble: StepHandler = async (step) => {
    const src = got(source, "the source");
    await assembleTarget(targetOf(targets, step.id), got(files, "the metadata"), src.sourceDateEpoch);
  };
  const place: StepHandler = async (step, ctx) => {
    const t = targetOf(targets, step.id);
    const entry = await placeTarget(t, { outDir: s.outDir, policy: plan.repair.policy, sourceDateEpoch: got(source, "the source").sourceDateEpoch, results: ctx.results });
    // A package's wheel is rebuilt by its own incremental build each time: no stamp.
    if (t.kind === "package") return void packages.set(t.id, entry);
    const stamp = t.kind === "native" ? stampsNow().native() : stampsNow().perPython(t.fromPython);
    const recorded = t.kind === "python" ? { python: t.fromPython, ...entry } : entry;
    built.set(t.id, recorded);
    TargetStamps.record(stamp, recorded);
  };
  const handlers: Record<StepName, StepHandler> = {
    source: async () => {
      source = await runSource({ settings: s, env, progress, plannedRoot: i.plannedRoot, plannedVersion: plan.builds[0] ? versionOfWheel(plan.builds[0].wheel) : "", buildsWheels: plan.builds.length > 0, ...(plan.packageSourceRoot ? { plannedPackageRoot: plan.packageSourceRoot } : {}) });
      files = composeReleaseFiles(s, source, !!plan.native);
    },
    layer: async () => {
      layer = await runLayer({ settings: s, env, progress, source: got(source, "the source").tree, plannedPrefix: i.plannedPrefix });
    },
    "assemble-wheel": assemble,
    "assemble-native-wheel": assemble,
    "place-wheel": place,
    "place-native-wheel": place,
    "dev-distribution": async () => {
      dev = await runDev({ settings: s, env, progress, source: got(source, "the source"), layer: got(layer, "the layer"), wheels: perPython(), split: !!plan.native });
    },
    "link-tools": async () => {
      droppedTargets = await linkTools(s, plan, got(layer, "the layer"), progress);
    },
    "assemble-tools-wheel": () => assembleTools(s, plan, got(files, "the metadata"), got(source, "the source").sourceDateEpoch),
    "place-tools-wheel": async (_step, ctx) => {
      tools = await placeTools(s, plan, { sourceDateEpoch: got(source, "the source").sourceDateEpoch, results: ctx.results, droppedTargets: got(droppedTargets, "the tools' targets") });
    },
    "upstream-lit": async (step) => {
      const r = await runLit({ settings: s, env, progress, sourceRoot: got(source, "the source").tree.root, layer: got(layer, "the layer") }, step);
      if (r && step.python) lit[step.python] = r;
    },
    "install-wheel": (step) => installWheel(s, env, plan, step),
  };
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
    const nativeBuilt = built.get("native");
    const native = reusedNative ? { ...reusedNative, reused: true, seconds: {} } : nativeBuilt ? { ...nativeBuilt, reused: false, seconds: {} } : undefined;
    return { source: got(source, "the source"), layer: got(layer, "the layer"), wheels: perPython(), ...(native ? { native } : {}), ...(tools ? { tools: { ...tools, reused: false, seconds: {} } } : {}), ...(dev ? { dev } : {}), lit, packages };
  };
  return { handlers, skip, output };
}

const versionOfWheel = (fileName: string): string => fileName.split("-")[1] ?? "";
