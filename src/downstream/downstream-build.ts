// `mlir-release downstream build`: a downstream project's Python package built against one of our
// releases, for every Python of that release's matrix on this platform, with the release's
// nanobind and a domain of the project's own; wheels pin our distribution (==version), are repaired
// without grafting anything our wheels provide, and are verified in fresh venvs next to our wheel
// installed from the index. The stages are the factory's: build venvs (platforms/pythons), wheel
// assembly (wheels/wheel), repair (verify/repair), lit (verify/lit).
// The stages, each a module of this folder: project-plan (release and project resolved, clashes
// refused), release-inputs (dev distribution, our libraries), project-wheel (one per Python),
// project-lit + verify-wheel (fresh venvs), and the downstream manifest written here.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ExecEnv } from "../exec/env.js";
import type { Progress } from "../progress.js";
import { pipelineRevision } from "../rebuild/build-manifest.js";
import { type Artifact, byFileName } from "../schema/artifact.js";
import { DownstreamManifest } from "../schema/downstream.js";
import { prepareProjectLit } from "./project-lit.js";
import { buildProjectWheel, type ProjectWheel } from "./project-wheel.js";
import { ourLibraries, unpackDevDistribution } from "./release-inputs.js";
import {
  DOWNSTREAM_MANIFEST,
  type DownstreamCheck,
  type DownstreamPlan,
  type DownstreamResult,
  type DownstreamSettings,
  secondsSince,
} from "./settings.js";
import { verifyDownstreamWheel } from "./verify-wheel.js";

/** Runs a plan made by planDownstream (project-plan.ts): dev distribution, one wheel per Python, verification, manifest. */
export async function runDownstream(s: DownstreamSettings, plan: DownstreamPlan, env: ExecEnv, progress: Progress, t0 = Date.now()): Promise<DownstreamResult> {
  const { project, nanobind } = plan;
  const m = plan.release.manifest;
  progress.info(
    `${project.distribution} ${project.version} against ${m.plan.distribution} ${m.plan.version} (nanobind ${nanobind}, domain ${project.nanobindDomain}, package ${project.packagePrefix}) for Python ${plan.pythons.join(", ")}`,
  );
  mkdirSync(s.outDir, { recursive: true });
  mkdirSync(s.workDir, { recursive: true });

  progress.stage("downstream: dev distribution");
  const dev = await unpackDevDistribution(s, plan, env, progress);
  // What our wheels provide is never grafted into theirs.
  const ourLibs = await ourLibraries(s, plan);

  progress.stage("downstream: build + wheels");
  const wheels: ProjectWheel[] = [];
  for (const [i, py] of plan.pythons.entries()) {
    progress.step(`Python ${py} (${i + 1}/${plan.pythons.length})`);
    wheels.push(await buildProjectWheel({ s, plan, dev, ourLibs, env, progress }, py));
  }

  const verification: Record<string, DownstreamCheck> = {};
  if (s.verify) {
    progress.stage("downstream: verify in fresh venvs");
    const lit = s.verify.lit ? await prepareProjectLit(s, s.verify, plan, wheels[0]?.buildPython ?? "", dev.devRoot, dev.mlirDir, env, progress) : undefined;
    for (const w of wheels) verification[w.artifact.fileName] = await verifyDownstreamWheel(s, s.verify, plan, w.path, w.artifact.python!, lit, env, progress);
  }

  const repairs = Object.fromEntries(wheels.map((w) => [w.artifact.fileName, w.repair]));
  const manifest = downstreamManifest(s, plan, wheels.map((w) => w.artifact), { repair: repairs, ...verification, seconds: secondsSince(t0) });
  const manifestPath = join(s.outDir, DOWNSTREAM_MANIFEST);
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  return { manifest, manifestPath, verification };
}

/** The downstream manifest: the project, the release it was built against (by digest), its wheels. */
function downstreamManifest(s: DownstreamSettings, plan: DownstreamPlan, artifacts: Artifact[], verification: Record<string, unknown>): DownstreamManifest {
  const m = plan.release.manifest;
  return DownstreamManifest.parse({
    schemaVersion: 1,
    kind: "downstream",
    project: plan.project,
    builtAgainst: {
      distribution: m.plan.distribution,
      version: m.plan.version,
      llvmVersion: m.plan.llvm.version,
      llvmCommit: m.plan.llvm.commit,
      nanobind: plan.nanobind,
      nanobindDomain: m.plan.nanobindDomain,
      manifestSha256: plan.release.manifestSha256,
      devTarball: { fileName: plan.devTarball.fileName, sha256: plan.devTarball.sha256 },
    },
    platform: s.platform.id,
    artifacts: [...artifacts].sort(byFileName),
    provenance: {
      builder: `host ${process.platform}-${process.arch}, node ${process.version}`,
      pipelineVersion: pipelineRevision(s.repoRoot),
      layer: { kind: "dev-distribution", tarball: plan.devTarball.fileName },
    },
    verification,
  });
}
