// Phase 4b of a platform's plan: the tools wheel (`<distribution>-tools`: mlir-opt, mlir-translate,
// mlir-lsp-server, mlir-tblgen, FileCheck, not, count, split-file; src/wheels/tools-wheel.ts), once
// per platform from the layer: link and stage the programs, raw wheel, inspect, repair, place. It
// needs no Python build, so it comes from the layer alone.
import { type BuildStepInput } from "../schema/build-step.js";
import { wheelTagString } from "../schema/platform.js";
import { toolsDistribution, toolsPackage, wheelFileName } from "./tags.js";
import type { PlanContext } from "./plan-context.js";
import { inspectSteps } from "./plan-inspect.js";
import type { PlatformPlan } from "./platform-plan.js";

export function toolsWheel(c: PlanContext): { tools: NonNullable<PlatformPlan["tools"]>; steps: BuildStepInput[] } {
  const { p, path, toolsBin, input } = c;
  const distribution = toolsDistribution(input.distribution);
  // The staged programs (remade by the link step) and the repair output.
  const stageDir = path.join(c.workDir, "stage", "tools");
  const repairDir = path.join(c.workDir, "repaired-tools");
  const tag = { python: "py3", abi: "none", platform: p.wheelPlatformTag({ policy: c.policy }) };
  const rawWheel = path.join(c.rawDir, wheelFileName(distribution, input.version, { ...tag, platform: p.rawPlatformTag }));
  const wheel = wheelFileName(distribution, input.version, tag);
  const steps: BuildStepInput[] = [
    {
      kind: "in-process",
      id: "tools/link",
      phase: "build",
      name: "link-tools",
      detail: `containers/tools/mlir-tools.cpp linked statically from the layer's archives (the LLVM targets of the layer's plan only) + the layer's small tools → ${path.join(stageDir, toolsPackage(input.distribution), "bin")}`,
      why: "mlir-opt, mlir-translate and mlir-lsp-server as one self-contained program, FileCheck, not, count, split-file, mlir-tblgen without system libraries",
      produces: [stageDir],
    },
    {
      kind: "in-process",
      id: "tools/zip",
      phase: "zip",
      name: "assemble-tools-wheel",
      detail: `${stageDir} → ${rawWheel} (launchers as console scripts; sorted entries, fixed timestamps, stored)`,
      why: "the raw tools wheel (py3-none: nothing in it is Python-specific), deterministic, before repair",
      produces: [rawWheel],
    },
    ...inspectSteps(c, "tools/inspect", rawWheel, "what the policy allows (recorded in the build report): the tools wheel must need nothing grafted"),
    {
      kind: "command",
      id: "tools/repair",
      phase: "repair",
      argv: p.repair.argv(rawWheel, repairDir, c.policy, toolsBin),
      why: `${p.repair.checks} (the tools wheel)`,
      pathPrepend: [toolsBin],
      cleans: [repairDir],
    },
    {
      kind: "in-process",
      id: "tools/place",
      phase: "repair",
      name: "place-tools-wheel",
      detail: `${repairDir}/*.whl → ${path.join(c.outDir, wheel)} (re-normalized, deflate level 9; refused over 40 MB)`,
      why: "one tools wheel per platform and release, under its planned file name",
      produces: [path.join(c.outDir, wheel)],
    },
  ];
  return { tools: { distribution, stageDir, rawWheel, repairDir, tag: wheelTagString(tag), wheel }, steps };
}
