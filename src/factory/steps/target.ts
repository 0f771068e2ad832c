// A wheel the build makes: a per-Python wheel or the platform's native wheel (later the tools wheel
// and other packages). Every target goes through the same two in-process steps around the repair
// tool: `assemble` (a deterministic raw wheel from a staged package) and `place` (the repaired
// wheel under its planned name in the output folder, re-normalized, recorded with its stamp).
import { mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { InternalError, InvalidInputError } from "../../errors.js";
import type { RunResult } from "../../exec/env.js";
import type { PlatformPlan } from "../../platforms/platform-plan.js";
import { BuildReport } from "../../schema/build-report.js";
import { type WheelTag } from "../../schema/platform.js";
import { normalizeWheel, parseAuditwheelShow } from "../../verify/repair.js";
import { isNativeMember } from "../../wheels/native.js";
import { runtimeLibsModule } from "../../wheels/runtime-libs.js";
import { assembleWheel, type WheelMetadata } from "../../wheels/wheel.js";
import { PIPELINE_VERSION } from "../settings.js";
import type { TargetInputs } from "../step-inputs.js";
import type { ReleaseFiles } from "./metadata.js";
import { TargetStamps } from "./stamps.js";
import { got, type StepModule } from "./step-context.js";
import { sha256File } from "../../util/hash.js";

/** A wheel as the build report records it (before `reused` and the step times). */
export type WheelEntry = Omit<BuildReport["wheels"][number], "reused" | "seconds">;
export type NativeEntry = Omit<NonNullable<BuildReport["native"]>, "reused" | "seconds">;

export interface WheelTarget {
  /** The prefix of its steps' ids: `py3.12`, `native`, a package's id (`clang`). */
  id: string;
  kind: "python" | "native" | "package";
  /** The importable package at the wheel's root (default: mlir). */
  packageName?: string;
  /** entry_points.txt [console_scripts] (a package's). */
  consoleScripts?: Record<string, string>;
  /** The Python whose staged package the wheel is made from (its own, or the first one's). */
  fromPython: string;
  rawWheel: string;
  /** The published file name (after repair). */
  wheel: string;
  repairDir: string;
  /** Holds the staged `mlir` package. */
  stageRoot: string;
  metadata(r: ReleaseFiles): WheelMetadata;
  /** Generated files inside the package. */
  extraFiles?(r: ReleaseFiles): Record<string, string>;
  /** Which staged files go in (all when absent). */
  include?: (name: string) => boolean;
  /** Whether an older file in the output folder is this wheel's earlier version (replaced by it). */
  replaces(fileName: string): boolean;
  /** What it is, for errors ("the wheel", "the native wheel"). */
  what: string;
}

export function tagOf(fileName: string): WheelTag {
  const parts = fileName.replace(/\.whl$/, "").split("-");
  const [python, abi, platform] = parts.slice(-3);
  if (!python || !abi || !platform) throw new InternalError(`not a wheel file name: ${fileName}`);
  return { python, abi, platform };
}

const stageRootOf = (s: TargetInputs, python: string): string => join(s.workDir, "stage", `${s.platform.id}-py${python}`);

/** The targets of a plan, by id: one per Python, and the native wheel when the plan splits. */
export function wheelTargets(s: TargetInputs, plan: PlatformPlan): Map<string, WheelTarget> {
  const os = s.platform.os;
  const out = new Map<string, WheelTarget>();
  for (const b of plan.builds) {
    const tag = tagOf(b.wheel);
    out.set(`py${b.python}`, {
      id: `py${b.python}`,
      kind: "python",
      fromPython: b.python,
      rawWheel: b.rawWheel,
      wheel: b.wheel,
      repairDir: join(s.workDir, "repaired"),
      stageRoot: stageRootOf(s, b.python),
      metadata: (r) => r.metadata,
      extraFiles: (r) => ({ "mlir/_release_info.py": r.releaseInfo, "mlir/_runtime_libs.py": runtimeLibsModule() }),
      // The C API and runtime libraries are the native wheel's.
      ...(plan.native ? { include: (name: string) => !isNativeMember(name, os) } : {}),
      replaces: (old) => old.endsWith(".whl") && old.includes(`-${tag.python}-${tag.abi}-`),
      what: "the wheel",
    });
  }
  const np = plan.native;
  if (np) {
    out.set("native", {
      id: "native",
      kind: "native",
      fromPython: np.fromPython,
      rawWheel: np.rawWheel,
      wheel: np.wheel,
      repairDir: join(s.workDir, "repaired-native"),
      stageRoot: stageRootOf(s, np.fromPython),
      metadata: (r) => r.nativeMetadata,
      include: (name) => isNativeMember(name, os),
      replaces: (old) => old.endsWith(".whl") && old.startsWith(`${np.wheel.split("-")[0]}-`),
      what: "the native wheel",
    });
  }
  return out;
}

/** The target a step belongs to (its id's prefix). */
export function targetOf(targets: ReadonlyMap<string, WheelTarget>, stepId: string): WheelTarget {
  const t = targets.get(stepId.split("/")[0] ?? "");
  if (!t) throw new InternalError(`step ${stepId}: no wheel target in the plan`);
  return t;
}

/** Step `<target>/zip`: the raw wheel, deterministic (sorted entries, fixed timestamps), stored for the repair tool. */
export async function assembleTarget(t: WheelTarget, files: ReleaseFiles, sourceDateEpoch: number): Promise<void> {
  mkdirSync(dirname(t.rawWheel), { recursive: true });
  let members = 0;
  const include = t.include;
  const extraFiles = t.extraFiles?.(files);
  const raw = await assembleWheel({
    root: t.stageRoot,
    packageName: t.packageName ?? "mlir",
    metadata: t.metadata(files),
    ...(t.consoleScripts ? { consoleScripts: t.consoleScripts } : {}),
    tag: tagOf(t.rawWheel.split("/").pop()!),
    sourceDateEpoch,
    generator: PIPELINE_VERSION,
    ...(extraFiles ? { extraFiles } : {}),
    ...(include ? { include: (name: string) => include(name) && ++members > 0 } : {}),
    outDir: dirname(t.rawWheel),
    // Stored, not deflated: the repair tool rewrites it and the final normalization compresses once.
    compressionLevel: 0,
  });
  if (t.kind === "native" && !members) {
    throw new InvalidInputError(`${join(t.stageRoot, "mlir", "_mlir_libs")} holds no C API library: the native wheel would be empty (rerun the build of Python ${t.fromPython})`);
  }
  if (raw.path !== t.rawWheel) throw new InternalError(`assembled ${raw.path}, the plan says ${t.rawWheel}`);
}

/** Step `<target>/place`: the repaired wheel into the output folder under its planned name, re-normalized; its report entry. */
export async function placeTarget(
  t: Pick<WheelTarget, "id" | "wheel" | "repairDir" | "replaces" | "what">,
  o: { outDir: string; policy: string; sourceDateEpoch: number; results: ReadonlyMap<string, RunResult>; zip?: Parameters<typeof normalizeWheel>[2] },
): Promise<NativeEntry> {
  const made = readdirSync(t.repairDir).filter((f) => f.endsWith(".whl"));
  if (made.length !== 1 || made[0] !== t.wheel) {
    throw new InvalidInputError(
      `repair wrote ${made.join(", ") || "no wheel"} into ${t.repairDir}; the plan expected ${t.wheel} (policy ${o.policy}): ${t.what} does not meet the policy this host planned`,
    );
  }
  for (const old of readdirSync(o.outDir)) if (t.replaces(old)) rmSync(join(o.outDir, old));
  const dest = join(o.outDir, t.wheel);
  renameSync(join(t.repairDir, t.wheel), dest);
  await normalizeWheel(dest, o.sourceDateEpoch, o.zip);
  const shown = o.results.get(`${t.id}/inspect`);
  const verdict = shown ? parseAuditwheelShow(shown.stdout) : undefined;
  return {
    fileName: t.wheel,
    sha256: await sha256File(dest),
    size: statSync(dest).size,
    tag: tagOf(t.wheel),
    ...(verdict ? { auditwheel: { consistentWith: verdict.consistentWith, policy: o.policy, reasons: verdict.reasons } } : {}),
  };
}

/** Steps `<target>/zip` of every wheel target (per-Python, native, a package's). */
export const assembleStep: StepModule<"targets"> = {
  input: "targets",
  async run(step, c) {
    const src = got(c.outputs.source, "the source");
    await assembleTarget(targetOf(c.targets, step.id), got(c.outputs.files, "the metadata"), src.sourceDateEpoch);
  },
};

/** Steps `<target>/place`: the wheel in the output folder, recorded under its target (and its stamp: a package's wheel has none, its own incremental build runs each time). */
export const placeStep: StepModule<"targets"> = {
  input: "targets",
  async run(step, c) {
    const t = targetOf(c.targets, step.id);
    const entry = await placeTarget(t, { outDir: c.input.outDir, policy: c.plan.repair.policy, sourceDateEpoch: got(c.outputs.source, "the source").sourceDateEpoch, results: c.results });
    if (t.kind === "package") return void c.outputs.packages.set(t.id, entry);
    const stamp = t.kind === "native" ? c.stamps().native() : c.stamps().perPython(t.fromPython);
    const recorded = t.kind === "python" ? { python: t.fromPython, ...entry } : entry;
    c.outputs.built.set(t.id, recorded);
    TargetStamps.record(stamp, recorded);
  },
};
