// The build report (<out>/build-report.json) from the plan, the runner's records and what the
// steps produced: every wheel with its step times, its verification, and the build's phases' times.
import type { RunResult } from "../exec/env.js";
import type { StepRecord } from "../exec/steps.js";
import { BuildReport } from "../schema/build-report.js";
import { type PinnedRequirements } from "../schema/provenance.js";
import type { BuildPlan } from "./build-plan.js";
import type { ReportInputs } from "./step-inputs.js";
import { packageReport } from "./steps/package.js";
import type { PipelineOutput } from "./steps/pipeline.js";
import { verificationsOf } from "./steps/verify.js";

interface ReportInput {
  report: ReportInputs;
  plan: BuildPlan;
  requirements: { tools: PinnedRequirements; build: PinnedRequirements };
  records: readonly StepRecord[];
  results: ReadonlyMap<string, RunResult>;
  produced: PipelineOutput;
  startedAt: number;
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

/** The seconds of each step a target ran, by step name (`py3.12/build` → build). */
function stepSeconds(records: readonly StepRecord[], target: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of records.filter((x) => x.id.startsWith(`${target}/`) && x.status === "ran")) out[r.id.split("/")[1]!] = r.seconds;
  return out;
}

export function composeReport(i: ReportInput): BuildReport {
  const { report: s, plan, records, produced } = i;
  const phaseOf = (id: string): string => plan.steps.find((x) => x.id === id)?.phase ?? "other";
  const seconds: Record<string, number> = { total: Math.round((Date.now() - i.startedAt) / 100) / 10 };
  for (const r of records) seconds[phaseOf(r.id)] = round1((seconds[phaseOf(r.id)] ?? 0) + r.seconds);
  const wheels = produced.wheels.map((w) => ({ ...w, seconds: stepSeconds(records, `py${w.python}`) }));
  const native = produced.native ? { ...produced.native, seconds: stepSeconds(records, "native") } : undefined;
  const tools = produced.tools ? { ...produced.tools, seconds: stepSeconds(records, "tools") } : undefined;
  const verification = s.verified ? verificationsOf({ plan, wheels, results: i.results, lit: produced.lit, records }) : {};
  const { source, layer } = produced;
  return BuildReport.parse({
    platform: s.platform,
    distribution: s.distribution,
    version: source.version,
    llvm: { version: source.tree.version.text, commit: source.commit, sourceIdentity: source.tree.identity },
    layer: { kind: layer.kind, prefix: layer.prefix, key: layer.key },
    sourceDateEpoch: source.sourceDateEpoch,
    nanobindDomain: s.nanobindDomain,
    requirements: i.requirements,
    wheels: wheels.sort((a, b) => s.pythons.indexOf(a.python) - s.pythons.indexOf(b.python)),
    ...(native ? { native } : {}),
    ...(tools ? { tools } : {}),
    verification,
    ...(produced.dev ? { dev: produced.dev } : {}),
    packages: packageReport(plan, produced.packages, i.results, records),
    seconds,
  });
}
