// One Python's wheel of the downstream project: its build venv (the release's nanobind), configure
// against the dev distribution, build, install, strip; then the wheel assembled, repaired without
// grafting anything our wheels provide, and refused if it still carries a second copy of ours.
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { sharedObjects } from "../bindings/build-tree.js";
import { CheckFailedError, InvalidInputError } from "../errors.js";
import type { ExecEnv } from "../exec/env.js";
import { tagOf } from "../factory/factory.js";
import { buildVenv, findPython } from "../platforms/pythons.js";
import { ninjaPercent, type Progress } from "../progress.js";
import { type Artifact } from "../schema/artifact.js";
import { type WheelTag } from "../schema/platform.js";
import { sha256File } from "../util/hash.js";
import { auditwheelShow, repairWheel } from "../verify/repair.js";
import { assembleWheel } from "../wheels/wheel.js";
import { projectConfigureArgs } from "./cmake-args.js";
import { type DevDistribution, wheelMembers } from "./release-inputs.js";

import { type DownstreamPlan, type DownstreamSettings, secondsSince } from "./settings.js";

const GENERATOR = "mlir-release 0.1.0 (downstream)";

/** What every Python's build shares: the settings, the plan, the unpacked dev distribution, our libraries. */
interface ProjectBuild {
  s: DownstreamSettings;
  plan: DownstreamPlan;
  dev: DevDistribution;
  /** Basenames of our wheels' shared libraries: never grafted. */
  ourLibs: string[];
  env: ExecEnv;
  progress: Progress;
}

export interface ProjectWheel {
  artifact: Artifact;
  path: string;
  /** The build venv's Python (the lit suite's test build configures with the first one). */
  buildPython: string;
  repair: { policy: string; reasons: string[]; excluded: string[]; seconds: number };
}

/** Builds, installs and strips the project for one Python; returns the install stage and the build venv's Python. */
async function buildAndInstall(b: ProjectBuild, py: string): Promise<{ stage: string; venvPy: string }> {
  const { s, plan, env, progress } = b;
  const { project } = plan;
  const pid = s.platform.id;
  const buildDir = join(s.workDir, "build", pid);
  const lit = join(s.toolsDir, "bin", "lit");
  const base = await findPython(env, py, undefined, b.s.host.discoveryEnv);
  const venvDir = join(s.cacheDir, "venvs", `downstream-${pid}-py${py}`);
  const venvPy = await buildVenv(env, base, venvDir, [`nanobind==${plan.nanobind}`, "typing_extensions", "PyYAML", "numpy"]);
  await env.run(
    projectConfigureArgs({ projectDir: s.projectDir, buildDir, mlirDir: b.dev.mlirDir, devRoot: b.dev.devRoot, python: venvPy, venvDir, project, ...(existsSync(lit) ? { lit } : {}) }),
  );
  const label = `build ${project.buildTargets.join(" ")} for Python ${py}`;
  progress.step(label, 0);
  await env.run(["ninja", "-C", buildDir, ...(s.jobs ? [`-j${s.jobs}`] : []), ...project.buildTargets], {
    onLine: (l) => {
      const p = ninjaPercent(l);
      if (p !== undefined) progress.step(label, p);
    },
  });
  const stage = join(s.workDir, "stage", `${pid}-py${py}`);
  rmSync(stage, { recursive: true, force: true });
  for (const c of project.installComponents) await env.run(["cmake", "--install", buildDir, "--prefix", stage, "--component", c]);
  const pkgDir = join(stage, project.packagePrefix);
  if (!existsSync(pkgDir)) {
    throw new InvalidInputError(
      `installing component(s) ${project.installComponents.join(", ")} put nothing under ${project.packagePrefix}/ (MLIR_BINDINGS_PYTHON_INSTALL_PREFIX); check --install-component`,
    );
  }
  if (s.platform.strip) {
    const libs = sharedObjects(pkgDir);
    if (libs.length) await env.run([...s.platform.strip, ...libs]);
  }
  return { stage, venvPy };
}

/** The raw wheel of one Python's install stage (tagged cpXY-cpXY-<raw platform>, uncompressed: repair rewrites it). */
async function assembleRawWheel(b: ProjectBuild, py: string, stage: string): Promise<{ fileName: string; path: string }> {
  const { s, plan } = b;
  const { project } = plan;
  const m = plan.release.manifest;
  const cp = `cp${py.replace(".", "")}`;
  const rawTag: WheelTag = { python: cp, abi: cp, platform: s.platform.rawPlatformTag };
  const rawDir = join(s.workDir, "raw-wheels");
  rmSync(rawDir, { recursive: true, force: true });
  mkdirSync(rawDir, { recursive: true });
  return assembleWheel({
    root: stage,
    packageName: project.packagePrefix,
    metadata: {
      distribution: project.distribution,
      version: project.version,
      summary: `${project.distribution} built against ${m.plan.distribution} ${m.plan.version} (LLVM ${m.plan.llvm.version})`,
      license: "see the project",
      requiresPython: project.requiresPython,
      requiresDist: project.requiresDist,
      projectUrls: {},
    },
    tag: rawTag,
    sourceDateEpoch: project.sourceDateEpoch,
    generator: GENERATOR,
    outDir: rawDir,
    compressionLevel: 0,
  });
}

/** Repairs the raw wheel into the output folder (excluding our libraries) and refuses a second copy of ours. */
async function repairProjectWheel(b: ProjectBuild, py: string, raw: { fileName: string; path: string }): Promise<{ path: string; policy: string; reasons: string[] }> {
  const { s, plan, env, progress, ourLibs } = b;
  const m = plan.release.manifest;
  const cp = `cp${py.replace(".", "")}`;
  progress.step(`repair ${raw.fileName} (never grafting ${ourLibs.join(", ")})`);
  const verdict = await auditwheelShow(env, join(s.toolsDir, "bin", "auditwheel"), raw.path);
  const policy = verdict.constrainedTo ?? verdict.consistentWith;
  const repairDir = join(s.workDir, "repaired");
  rmSync(repairDir, { recursive: true, force: true });
  mkdirSync(repairDir, { recursive: true });
  for (const old of readdirSync(s.outDir)) {
    if (old.endsWith(".whl") && old.startsWith(`${raw.fileName.split("-")[0]}-`) && old.includes(`-${cp}-${cp}-`)) rmSync(join(s.outDir, old));
  }
  const toolsBin = join(s.toolsDir, "bin");
  const argv = s.platform.repair.argv(raw.path, repairDir, policy, toolsBin);
  const excludes = s.platform.repair.tool === "auditwheel" ? ourLibs.flatMap((l) => ["--exclude", l]) : [];
  const repaired = await repairWheel(env, [...argv.slice(0, -1), ...excludes, argv.at(-1)!], repairDir, s.outDir, plan.project.sourceDateEpoch, toolsBin);
  const members = await wheelMembers(repaired);
  const second = members.filter((n) => ourLibs.some((l) => basename(n) === l || basename(n).startsWith(`${l.replace(/\.so.*$/, "")}-`)));
  if (second.length) throw new CheckFailedError(`${basename(repaired)} carries a second copy of what ${m.plan.distribution} provides: ${second.join(", ")}`);
  return { path: repaired, policy, reasons: verdict.reasons };
}

/** One Python's repaired wheel of the project, with its artifact record and repair verdict. */
export async function buildProjectWheel(b: ProjectBuild, py: string): Promise<ProjectWheel> {
  const tp = Date.now();
  const { stage, venvPy } = await buildAndInstall(b, py);
  const raw = await assembleRawWheel(b, py, stage);
  const repaired = await repairProjectWheel(b, py, raw);
  const fileName = basename(repaired.path);
  return {
    artifact: { kind: "wheel", fileName, sha256: await sha256File(repaired.path), size: statSync(repaired.path).size, platform: b.s.platform.id, python: py, tag: tagOf(fileName) },
    path: repaired.path,
    buildPython: venvPy,
    repair: { policy: repaired.policy, reasons: repaired.reasons, excluded: b.ourLibs, seconds: secondsSince(tp) },
  };
}
