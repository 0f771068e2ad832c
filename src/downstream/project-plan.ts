// The downstream build's plan: the release and the project resolved, and every clash refused before
// anything is fetched or built (domain, nanobind, Pythons the release lacks, missing names).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { InvalidInputError } from "../errors.js";
import { type DownstreamManifest, DownstreamProject } from "../schema/downstream.js";
import { type ReleaseManifest } from "../schema/manifest.js";
import { checkCompatibility } from "./checks.js";
import { parseDefines, passThroughDefines, projectIdentity, projectSourceDigest, readPyproject } from "./project.js";
import { devTarballOf, type LoadedRelease, loadRelease, ourWheel, releasePythons } from "./release.js";
import { type DownstreamPlan, type DownstreamSettings, OUR_PACKAGE } from "./settings.js";

/** Resolves the release and the project and refuses clashes: nothing is fetched or built yet. */
export async function planDownstream(s: DownstreamSettings): Promise<DownstreamPlan> {
  if (!existsSync(join(s.projectDir, "CMakeLists.txt"))) {
    throw new InvalidInputError(`--project ${s.projectDir}: no CMakeLists.txt (expected a CMake project using MLIR's AddMLIRPython)`);
  }
  const release = await loadRelease(s.release, s.releaseVersion, s.manifestFile);
  const m = release.manifest;
  const facts = readPyproject(s.projectDir);
  const id = projectIdentity(facts, {
    ...(s.packagePrefix ? { packagePrefix: s.packagePrefix } : {}),
    ...(s.nanobindDomain ? { nanobindDomain: s.nanobindDomain } : {}),
  });
  const { nanobind } = checkCompatibility({
    release: m,
    ourPackage: OUR_PACKAGE,
    ...id,
    ...(s.nanobind !== undefined ? { nanobindFlag: s.nanobind } : {}),
    ...(facts.nanobindRequirement ? { nanobindRequirement: facts.nanobindRequirement } : {}),
  });
  const pythons = releasePythons(m, s.platform.id, s.pythons);
  for (const py of pythons) ourWheel(m, s.platform.id, py);
  const devTarball = devTarballOf(m, s.platform.id);
  const distribution = s.distribution ?? facts.name;
  if (!distribution) throw new InvalidInputError("the project's distribution name is unknown: pass --name <distribution> or set [project].name in pyproject.toml");
  const project = DownstreamProject.safeParse({
    distribution,
    version: s.version ?? m.plan.version,
    ...id,
    sourceDigest: projectSourceDigest(s.projectDir),
    sourceDateEpoch: s.sourceDateEpoch ?? s.host.sourceDateEpoch ?? m.plan.sourceDateEpoch,
    buildTargets: s.buildTargets?.length ? s.buildTargets : facts.buildTargets.length ? facts.buildTargets : ["all"],
    installComponents: s.installComponents?.length ? s.installComponents : facts.installComponents,
    cmakeDefines: { ...passThroughDefines(facts.cmakeDefines), ...parseDefines(s.defines ?? []) },
    requiresDist: [`${m.plan.distribution}==${m.plan.version}`, ...facts.dependencies],
    requiresPython: facts.requiresPython ?? ">=3.10",
  });
  if (!project.success) {
    const lines = project.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new InvalidInputError(
      `downstream project ${s.projectDir}: ${lines.join("; ")}${lines.some((l) => l.startsWith("installComponents")) ? " (pass --install-component <cmake component>, as pyproject's [tool.scikit-build].install.components would)" : ""}`,
    );
  }
  return { release, project: project.data, pythons, nanobind, devTarball };
}

/** The release a downstream manifest was built against, checked to be the same bytes. */
export function checkBuiltAgainst(dm: DownstreamManifest, r: LoadedRelease): ReleaseManifest {
  if (r.manifestSha256 !== dm.builtAgainst.manifestSha256) {
    throw new InvalidInputError(
      `release ${r.manifest.plan.version}'s manifest (sha256 ${r.manifestSha256}) is not the one ${dm.project.distribution} ${dm.project.version} was built against (${dm.builtAgainst.manifestSha256})`,
    );
  }
  return r.manifest;
}
