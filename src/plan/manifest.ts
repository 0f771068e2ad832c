// The manifest: the plan plus every artifact (name, sha256, size, tags, platform, Python) plus
// provenance. Built purely from a plan and the wheel factory's BuildReport; written next to the
// artifacts. A build run without a plan records the plan it implicitly followed, so any build's
// output can be rebuilt from its manifest.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { InvalidInputError } from "../errors.js";
import { type Artifact, byFileName } from "../schema/artifact.js";
import { type BuildReport } from "../schema/build-report.js";
import { ReleaseManifest } from "../schema/manifest.js";
import { type LlvmSourceRef, ReleasePlan } from "../schema/release-plan.js";
import { type AbiVariant, type WheelTag } from "../schema/platform.js";
import { layerOptionsHash } from "./release-planner.js";
import { parseReleaseVersion } from "./version.js";

export const MANIFEST_FILE = "manifest.json";

export interface Provenance {
  builder: string;
  pipelineVersion: string;
  layer: Record<string, string>;
}

const abiOfTag = (tag: WheelTag): AbiVariant => (tag.abi === "abi3" ? "abi3" : tag.abi.endsWith("t") ? "freethreaded" : "cpython");

/** What a build was asked for when it was not given a plan (the facts BuildSettings hold). */
interface ImplicitPlanInput {
  report: BuildReport;
  kind?: ReleasePlan["kind"];
  devDistribution: string;
  llvmRepository: string;
  llvmTag?: string;
  /** The pinned source; a plain directory is not rebuildable and gets no manifest. */
  source: LlvmSourceRef;
  nanobind: string;
  /** CMake options of a from-source layer; {} for a prebuilt one. */
  layerCmakeOptions: Record<string, string>;
}

/** The plan a build followed, reconstructed from its report (pure). */
export function implicitPlan(i: ImplicitPlanInput): ReleasePlan {
  const r = i.report;
  let kind = i.kind;
  if (!kind) {
    try {
      kind = parseReleaseVersion(r.version).kind;
    } catch {
      kind = "numbered";
    }
  }
  const variants = [...new Set(r.wheels.map((w) => abiOfTag(w.tag)))];
  return ReleasePlan.parse({
    schemaVersion: 1,
    kind,
    version: r.version,
    distribution: r.distribution,
    devDistribution: i.devDistribution,
    llvm: {
      commit: r.llvm.commit,
      version: r.llvm.version,
      repository: i.llvmRepository,
      commitDate: new Date(r.sourceDateEpoch * 1000).toISOString(),
      ...(i.llvmTag ? { tag: i.llvmTag } : {}),
    },
    source: i.source,
    sourceDateEpoch: r.sourceDateEpoch,
    matrix: r.wheels.map((w) => ({ platform: r.platform, python: w.python, abi: abiOfTag(w.tag), tag: w.tag })),
    abiChoice: {
      variant: variants.includes("abi3") ? "abi3" : "cpython",
      reason: "recorded from a build run without a plan",
    },
    images: {},
    tools: { nanobind: i.nanobind },
    layer: { cmakeOptions: i.layerCmakeOptions, optionsHash: layerOptionsHash(r.llvm.commit, i.layerCmakeOptions) },
    nanobindDomain: r.nanobindDomain,
    ...(r.packages.length ? { packages: r.packages.map((p) => ({ id: p.package, distribution: p.distribution })) } : {}),
  });
}

/** The artifacts of one build report: per-Python wheels, the platform's native and tools wheels, the dev kit. */
export function artifactsOf(report: BuildReport): Artifact[] {
  const wheels: Artifact[] = report.wheels.map((w) => ({
    kind: "wheel",
    fileName: w.fileName,
    sha256: w.sha256,
    size: w.size,
    platform: report.platform,
    python: w.python,
    tag: w.tag,
  }));
  const native: Artifact[] = report.native
    ? [{ kind: "native-wheel", fileName: report.native.fileName, sha256: report.native.sha256, size: report.native.size, platform: report.platform, tag: report.native.tag }]
    : [];
  const tools: Artifact[] = report.tools
    ? [{ kind: "tools-wheel", fileName: report.tools.fileName, sha256: report.tools.sha256, size: report.tools.size, platform: report.platform, tag: report.tools.tag }]
    : [];
  const dev: Artifact[] = report.dev.map((d) => ({
    kind: d.kind,
    fileName: d.fileName,
    sha256: d.sha256,
    size: d.size,
    platform: report.platform,
    ...(d.tag ? { tag: d.tag } : {}),
  }));
  const packages: Artifact[] = report.packages.map((p) => ({ kind: "package-wheel", fileName: p.fileName, sha256: p.sha256, size: p.size, platform: report.platform, tag: p.tag }));
  return [...wheels, ...native, ...tools, ...dev, ...packages].sort(byFileName);
}

/** plan + BuildReport → manifest (pure); refuses a report that did not follow the plan. */
export function manifestFromBuild(plan: ReleasePlan, report: BuildReport, provenance: Provenance): ReleaseManifest {
  const problems: string[] = [];
  if (report.version !== plan.version) problems.push(`version ${report.version} ≠ the plan's ${plan.version}`);
  if (report.distribution !== plan.distribution) problems.push(`distribution ${report.distribution} ≠ the plan's ${plan.distribution}`);
  if (report.llvm.commit !== plan.llvm.commit) problems.push(`LLVM commit ${report.llvm.commit} ≠ the plan's ${plan.llvm.commit}`);
  if (report.sourceDateEpoch !== plan.sourceDateEpoch) problems.push(`SOURCE_DATE_EPOCH ${report.sourceDateEpoch} ≠ the plan's ${plan.sourceDateEpoch}`);
  for (const w of report.wheels) {
    if (!plan.matrix.some((m) => m.platform === report.platform && m.python === w.python)) {
      problems.push(`wheel ${w.fileName} (${report.platform}, Python ${w.python}) is not in the plan's matrix`);
    }
  }
  for (const p of report.packages) {
    if (!(plan.packages ?? []).some((x) => x.id === p.package && x.distribution === p.distribution)) problems.push(`package wheel ${p.fileName} (${p.package}, ${p.distribution}) is not among the plan's packages`);
  }
  if (problems.length) throw new InvalidInputError(`build report does not match the plan:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  const verification: Record<string, unknown> = {};
  for (const [file, v] of Object.entries(report.verification)) {
    verification[file] = { lit: v.lit ?? null, wheelContents: v.wheelContents, smoke: v.smoke, ...(v.freeThreaded ? { freeThreaded: v.freeThreaded } : {}) };
  }
  // A package's wheel: its tests' counts per Python (upstream's suite against the installed wheel).
  for (const p of report.packages) verification[p.fileName] = { package: p.package, tests: p.tests };
  return ReleaseManifest.parse({
    schemaVersion: 1,
    plan,
    artifacts: artifactsOf(report),
    provenance: {
      builder: provenance.builder,
      pipelineVersion: provenance.pipelineVersion,
      layer: { ...provenance.layer, kind: report.layer.kind, key: report.layer.key, prefix: report.layer.prefix },
      ...(report.requirements ? { requirements: report.requirements } : {}),
      // What rebuild compares on another machine without the old files (src/rebuild/wheel-members.ts, inputs.ts).
      ...(report.members ? { members: report.members } : {}),
      ...(report.inputs ? { inputs: report.inputs } : {}),
    },
    verification,
    yanked: {},
  });
}

export const manifestJson = (m: ReleaseManifest): string => `${JSON.stringify(m, null, 2)}\n`;

export function writeManifest(outDir: string, m: ReleaseManifest): string {
  const path = join(outDir, MANIFEST_FILE);
  writeFileSync(path, manifestJson(m));
  return path;
}
