// Downstream manifests: read, answer "which build of project P matches mlir X" (pure), and replay a
// manifest bit for bit (`downstream rebuild`): the same project source (by digest), the same release
// (by its manifest's digest), the recorded settings, fresh folders; every wheel's sha256 compared.
import { existsSync, readFileSync } from "node:fs";
import * as pep440 from "@renovatebot/pep440";
import type { ExecEnv } from "../exec/env.js";
import type { Progress } from "../progress.js";
import { InvalidInputError } from "../errors.js";
import { DownstreamManifest } from "../schema/downstream.js";
import { parseOrExplain } from "../schema/parse.js";
import { type PlatformId } from "../schema/platform.js";
import { normalizeProjectName } from "../stage/wheelinfo.js";
import { runDownstream } from "./downstream-build.js";
import { checkBuiltAgainst } from "./project-plan.js";
import type { DownstreamPlan, DownstreamSettings } from "./settings.js";
import { checkCompatibility } from "./checks.js";
import { projectSourceDigest } from "./project.js";
import { devTarballOf, loadRelease, ourWheel } from "./release.js";

export function readDownstreamManifest(path: string): DownstreamManifest {
  if (!existsSync(path)) throw new InvalidInputError(`downstream manifest ${path} does not exist`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new InvalidInputError(`downstream manifest ${path} is not valid JSON: ${(e as Error).message}`);
  }
  return parseOrExplain(DownstreamManifest, raw, `downstream manifest ${path}`);
}

interface DownstreamQuery {
  /** The project's distribution name (PEP 503 normalized for comparison). */
  project: string;
  /** Our release version the build must be against. */
  mlir: string;
  python?: string;
  platform?: PlatformId;
}

interface DownstreamAnswer {
  project: string;
  version: string;
  mlir: string;
  llvmCommit: string;
  platform: PlatformId;
  fileName: string;
  sha256: string;
  python?: string;
}

/** Every wheel of project P built against mlir X (optionally for one Python/platform), newest project version first. */
export function downstreamBuildsFor(manifests: readonly DownstreamManifest[], q: DownstreamQuery): DownstreamAnswer[] {
  const want = normalizeProjectName(q.project);
  const out: DownstreamAnswer[] = [];
  for (const m of manifests) {
    if (normalizeProjectName(m.project.distribution) !== want || m.builtAgainst.version !== q.mlir) continue;
    if (q.platform && m.platform !== q.platform) continue;
    for (const a of m.artifacts) {
      if (a.kind !== "wheel" || m.yanked[a.fileName] !== undefined) continue;
      if (q.python && a.python !== q.python) continue;
      out.push({
        project: m.project.distribution,
        version: m.project.version,
        mlir: m.builtAgainst.version,
        llvmCommit: m.builtAgainst.llvmCommit,
        platform: m.platform,
        fileName: a.fileName,
        sha256: a.sha256,
        ...(a.python ? { python: a.python } : {}),
      });
    }
  }
  const cmp = (a: string, b: string): number => (pep440.valid(a) && pep440.valid(b) ? pep440.compare(a, b) : a < b ? -1 : a > b ? 1 : 0);
  return out.sort((a, b) => cmp(b.version, a.version) || (a.fileName < b.fileName ? -1 : 1));
}

interface DownstreamRebuildResult {
  allEqual: boolean;
  artifacts: Array<{ fileName: string; recorded: string; rebuilt?: string; result: "equal" | "different" | "missing" }>;
}

/** Replays `dm` (settings other than the recorded ones are ignored) and compares every wheel. */
export async function downstreamRebuild(
  dm: DownstreamManifest,
  s: DownstreamSettings,
  env: ExecEnv,
  progress: Progress,
): Promise<DownstreamRebuildResult> {
  if (s.platform.id !== dm.platform) throw new InvalidInputError(`the downstream manifest is for ${dm.platform}; this host builds ${s.platform.id}`);
  const digest = projectSourceDigest(s.projectDir);
  if (digest !== dm.project.sourceDigest) {
    throw new InvalidInputError(
      `--project ${s.projectDir}: its files digest to ${digest}, not the recorded ${dm.project.sourceDigest}; check out the sources ${dm.project.distribution} ${dm.project.version} was built from`,
    );
  }
  progress.stage("downstream rebuild: release");
  const release = await loadRelease(s.release, dm.builtAgainst.version, s.manifestFile);
  const m = checkBuiltAgainst(dm, release);
  const { nanobind } = checkCompatibility({ release: m, ourPackage: "mlir", packagePrefix: dm.project.packagePrefix, nanobindDomain: dm.project.nanobindDomain });
  const pythons = [...new Set(dm.artifacts.filter((a) => a.kind === "wheel" && a.python).map((a) => a.python!))];
  for (const py of pythons) ourWheel(m, dm.platform, py);
  const plan: DownstreamPlan = { release, project: dm.project, pythons, nanobind, devTarball: devTarballOf(m, dm.platform) };
  const r = await runDownstream({ ...s, verify: false }, plan, env, progress);
  const rebuilt = new Map(r.manifest.artifacts.map((a) => [a.fileName, a.sha256]));
  const artifacts = dm.artifacts.map((a) => {
    const got = rebuilt.get(a.fileName);
    return { fileName: a.fileName, recorded: a.sha256, ...(got ? { rebuilt: got } : {}), result: got === undefined ? ("missing" as const) : got === a.sha256 ? ("equal" as const) : ("different" as const) };
  });
  return { allEqual: artifacts.every((a) => a.result === "equal"), artifacts };
}
