// The wheel factory's side of the manifest: which plan a build followed (given, or implicit in
// its settings) and who built it. Called by `build` and `rebuild` after the factory returns.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { commandOutputSync } from "../exec/command.js";
import type { ExecEnv } from "../exec/env.js";
import type { BuildSettings } from "../factory/factory.js";
import { PIPELINE_VERSION, planBuild } from "../factory/factory.js";
import { type BuildReport } from "../schema/build-report.js";
import { type ReleaseManifest } from "../schema/manifest.js";
import { parseOrExplain } from "../schema/parse.js";
import { ReleasePlan } from "../schema/release-plan.js";
import { ManylinuxPolicy } from "../schema/platform.js";
import { implicitPlan, manifestFromBuild, type Provenance, writeManifest } from "../plan/manifest.js";
import { collectInputs } from "./inputs.js";
import { reportMembers } from "./wheel-members.js";

/**
 * After the factory: each wheel's members with their sha256 and this machine's outside inputs,
 * added to the report (build-report.json is rewritten) so the manifest records them.
 */
export async function recordBuildFacts(s: BuildSettings, report: BuildReport, env: ExecEnv): Promise<BuildReport> {
  const members = await reportMembers(report, s.outDir);
  const built = new Set(report.wheels.map((w) => w.python));
  // The build venv's interpreter is the one CMake compiled against (its headers); the plan names it.
  const pythons = planBuild(s)
    .builds.filter((b) => built.has(b.python))
    .map((b) => ({ python: b.python, executable: b.cmakeCache["Python_EXECUTABLE"] ?? b.interpreter }));
  const inputs = await collectInputs(env, {
    layer: report.layer,
    ...(s.layer.kind === "source" ? { cmakeOptions: s.layer.cmakeOptions } : {}),
    pythons,
    members,
  });
  const out: BuildReport = { ...report, members, inputs };
  writeFileSync(join(s.outDir, "build-report.json"), `${JSON.stringify(out, null, 2)}\n`);
  return out;
}

/** The pipeline's own source revision: a rebuild needs the same code, so the manifest names it. */
export function pipelineRevision(repoRoot: string): string {
  try {
    const head = commandOutputSync(["git", "-C", repoRoot, "rev-parse", "HEAD"]).trim();
    const dirty = commandOutputSync(["git", "-C", repoRoot, "status", "--porcelain", "--untracked-files=no", "--", "src", "containers"]).trim();
    return `${PIPELINE_VERSION} (git ${head}${dirty ? ", with uncommitted changes" : ""})`;
  } catch {
    return PIPELINE_VERSION;
  }
}

export function buildProvenance(s: BuildSettings): Provenance {
  return {
    builder: `host ${process.platform}-${process.arch}, node ${process.version}`,
    pipelineVersion: pipelineRevision(s.repoRoot),
    layer: {
      ...(s.layer.kind === "prebuilt" ? { prefix: s.layer.prefix } : {}),
      ...(s.platform.policy ? { policy: s.platform.policy } : {}),
    },
  };
}

/** The manifest of a finished build, or undefined (with the reason) when its source is not pinned. */
export function manifestForBuild(
  s: BuildSettings,
  report: BuildReport,
  planFile?: string,
): { manifest?: ReleaseManifest; reason?: string } {
  let plan: ReleasePlan;
  if (planFile) {
    plan = parseOrExplain(ReleasePlan, JSON.parse(readFileSync(planFile, "utf8")), `plan ${planFile}`);
  } else {
    if (s.source.kind === "dir") return { reason: "the source is a plain directory (not pinned by digest or commit): no manifest, not rebuildable" };
    plan = implicitPlan({
      report,
      devDistribution: s.release.devDistribution,
      llvmRepository: s.release.llvmRepository,
      ...(s.release.llvmTag ? { llvmTag: s.release.llvmTag } : {}),
      source: s.source.ref,
      nanobind: s.nanobind,
      layerCmakeOptions: s.layer.kind === "source" ? s.layer.cmakeOptions : {},
    });
    // The policy the build resolved (src/options/policy.ts) is recorded like a planned one.
    const policy = ManylinuxPolicy.safeParse(s.platform.policy);
    if (policy.success) plan = { ...plan, policies: { [s.platform.id]: policy.data } };
  }
  return { manifest: manifestFromBuild(plan, report, buildProvenance(s)) };
}

/** `build`'s last step: manifest.json next to the artifacts; returns the line to print. */
export function writeBuildManifest(s: BuildSettings, report: BuildReport, planFile?: string): string {
  const { manifest, reason } = manifestForBuild(s, report, planFile);
  return manifest ? `manifest: ${writeManifest(s.outDir, manifest)}` : `no manifest: ${reason}`;
}
