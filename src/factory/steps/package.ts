// The enabled packages' wheels (src/packages/) as targets of the same assemble and place handlers as
// the MLIR wheels: the staged package, its METADATA (the recipe's summary and license, the release's
// version and source), and its report entry with the tests' counts per Python (the counting test
// step's last stdout line; a failing test already failed its step, and so the build).
import type { RunResult } from "../../exec/env.js";
import type { StepRecord } from "../../exec/steps.js";
import { InternalError } from "../../errors.js";
import { PackageTestCounts, type PackageWheel } from "../../schema/packages.js";
import type { BuildPlan } from "../build-plan.js";
import type { BuildSettings } from "../settings.js";
import type { NativeEntry, WheelTarget } from "./target.js";
import { lastJsonLine } from "./verify.js";

/** One target per planned package, by its id (the prefix of its steps' ids). */
export function packageTargets(s: Pick<BuildSettings, "packages">, plan: BuildPlan): Map<string, WheelTarget> {
  const out = new Map<string, WheelTarget>();
  for (const p of plan.packages) {
    const recipe = (s.packages ?? []).find((x) => x.recipe.id === p.id)?.recipe;
    if (!recipe) throw new InternalError(`the plan builds package ${p.id}, which the settings do not enable`);
    const w = recipe.wheel;
    out.set(p.id, {
      id: p.id,
      kind: "package",
      fromPython: "",
      rawWheel: p.rawWheel,
      wheel: p.wheel,
      repairDir: p.repairDir,
      stageRoot: p.stageDir,
      packageName: p.packageName,
      ...(w.consoleScripts ? { consoleScripts: w.consoleScripts } : {}),
      metadata: (r) => ({
        ...r.nativeMetadata,
        distribution: p.distribution,
        summary: w.summary(plan.llvm.version),
        requiresPython: w.requiresPython,
        requiresDist: w.requiresDist ?? [],
        license: w.license,
      }),
      replaces: (old) => old.endsWith(".whl") && old.startsWith(`${p.wheel.split("-")[0]}-`),
      what: `the ${p.title} wheel`,
    });
  }
  return out;
}

/** The packages' report entries: each placed wheel, its steps' seconds and its tests' counts per Python. */
export function packageReport(plan: BuildPlan, placed: ReadonlyMap<string, NativeEntry>, results: ReadonlyMap<string, RunResult>, records: readonly StepRecord[]): PackageWheel[] {
  return plan.packages.flatMap((p) => {
    const entry = placed.get(p.id);
    if (!entry) return [];
    const tests = Object.fromEntries(
      p.tests.flatMap((t) => {
        const r = results.get(t.step);
        return r ? [[t.python, PackageTestCounts.parse(lastJsonLine(r.stdout))]] : [];
      }),
    );
    const seconds = Object.fromEntries(records.filter((r) => r.id.startsWith(`${p.id}/`) && r.status === "ran").map((r) => [r.id.slice(p.id.length + 1), r.seconds]));
    return [{ package: p.id, distribution: p.distribution, ...entry, seconds, tests }];
  });
}
