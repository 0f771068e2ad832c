// Phase 4 of a platform's plan: the native wheel (C API + runtime libraries), once per platform,
// from the first Python's staged (and stripped) package: raw wheel, inspect, repair, place.
import { type BuildStepInput } from "../schema/build-step.js";
import { wheelTagString } from "../schema/platform.js";
import type { PlanContext } from "./plan-context.js";
import { inspectSteps } from "./plan-inspect.js";
import type { PlatformPlan, ResolvedBuild } from "./platform-plan.js";
import { nativeDistribution, wheelFileName } from "./tags.js";

export function nativeWheel(c: PlanContext, first: ResolvedBuild): { native: NonNullable<PlatformPlan["native"]>; steps: BuildStepInput[] } {
  const { p, path, toolsBin, input } = c;
  const stageDir = path.join(c.workDir, "stage", `${p.id}-py${first.python}`);
  const distribution = nativeDistribution(input.distribution);
  const rawTag = { python: "py3", abi: "none", platform: p.rawPlatformTag };
  const tag = { ...rawTag, platform: first.tag.split("-").slice(2).join("-") };
  const rawWheel = path.join(c.rawDir, wheelFileName(distribution, input.version, rawTag));
  const wheel = wheelFileName(distribution, input.version, tag);
  const repairDir = path.join(c.workDir, "repaired-native");
  const steps: BuildStepInput[] = [
    {
      kind: "in-process",
      id: "native/zip",
      phase: "zip",
      name: "assemble-native-wheel",
      detail: `the C API and runtime libraries of ${path.join(stageDir, "mlir")} → ${rawWheel} (sorted entries, fixed timestamps, stored)`,
      why: "the raw native wheel: the Python-independent libraries, once per platform, shared by every per-Python wheel",
      produces: [rawWheel],
    },
    ...inspectSteps(c, "native/inspect", rawWheel, "what the policy allows and which libraries get grafted into the native wheel (recorded in the build report)"),
    {
      kind: "command",
      id: "native/repair",
      phase: "repair",
      argv: p.repair.argv(rawWheel, repairDir, c.policy, toolsBin, { stageDir, nanobindDomain: input.nanobindDomain, native: true }),
      why: `${p.repair.checks} (the native wheel: the C API and runtime libraries and what they need grafted)`,
      pathPrepend: [toolsBin],
      cleans: [repairDir],
    },
    {
      kind: "in-process",
      id: "native/place",
      phase: "repair",
      name: "place-native-wheel",
      detail: `${repairDir}/*.whl → ${path.join(c.outDir, wheel)} (re-normalized)`,
      why: "one native wheel per platform and release, under its planned file name",
      produces: [path.join(c.outDir, wheel)],
    },
  ];
  return { native: { distribution, rawWheel, tag: wheelTagString(tag), wheel, fromPython: first.python }, steps };
}
