// The repair tool's report on a raw wheel (auditwheel show), where the platform's tool has one: one
// step per wheel target (per-Python, native, tools, a package's), captured for the build report.
import type { BuildStepInput } from "../schema/build-step.js";
import type { PlanContext } from "./plan-context.js";

export function inspectSteps(c: Pick<PlanContext, "p" | "toolsBin">, id: string, rawWheel: string, why: string, python?: string): BuildStepInput[] {
  const inspect = c.p.inspect;
  if (!inspect) return [];
  return [{ ...(python ? { python } : {}), kind: "command", id, phase: "repair", argv: inspect(rawWheel, c.toolsBin), why, capture: true, pathPrepend: [c.toolsBin] }];
}
