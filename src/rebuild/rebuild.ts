// rebuild <manifest>: replay the recorded plan through the wheel factory into a fresh output
// folder and compare every artifact with the recorded sha256 (and, when the recorded file is at
// hand, name the first member that differs).
import { readJsonAs } from "../util/json-input.js";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { type BuildSettings, buildWheels } from "../factory/factory.js";
import type { ExecEnv } from "../exec/env.js";
import { plannedPackages } from "../packages/index.js";
import { platformById } from "../platforms/index.js";
import type { Progress } from "../progress.js";
import { InvalidInputError } from "../errors.js";
import { type Artifact } from "../schema/artifact.js";
import { type BuildReport } from "../schema/build-report.js";
import { type CompilerCacheSettings } from "../schema/config.js";
import { ReleaseManifest } from "../schema/manifest.js";
import type { HostOptions } from "../schema/options.js";
import { type PlatformId } from "../schema/platform.js";
import { type WheelMember } from "../schema/provenance.js";
import { sha256Hex } from "../util/hash.js";
import { firstDifferingMember } from "./archive-diff.js";
import { manifestFromBuild, writeManifest } from "../plan/manifest.js";
import { buildProvenance, pipelineRevision, recordBuildFacts } from "./build-manifest.js";
import { compareInputs, describeInputChanges, type InputChange, packageDrift } from "./inputs.js";
import { describeMemberDifferences, memberDifferences } from "./wheel-members.js";

export function readManifest(path: string): ReleaseManifest {
  return readJsonAs(ReleaseManifest, path, "manifest");
}

export interface RebuildDirs {
  repoRoot: string;
  cacheDir: string;
  workDir: string;
  outDir: string;
  toolsDir: string;
  jobs?: number;
  /** The compiler cache of the layer's build (the CLI: the config's, with MLIR_RELEASE_COMPILER_CACHE over it). */
  compilerCache?: CompilerCacheSettings;
  /** This host (the resolved options'): its interpreters, prepared environments and layer store; none given, none used. */
  host?: HostOptions;
}

/** The factory settings that replay `m`'s plan for one platform (pure). */
export function settingsFromManifest(m: ReleaseManifest, platform: PlatformId, d: RebuildDirs): BuildSettings {
  const p = m.plan;
  const pythons = [...new Set(p.matrix.filter((x) => x.platform === platform).map((x) => x.python))];
  if (!pythons.length) throw new InvalidInputError(`the manifest's plan has no ${platform} entries`);
  const layer = m.provenance.layer;
  // The plan's record (plans since the one policy default); older manifests only name it in the provenance.
  const policy = p.policies?.[platform] ?? layer["policy"];
  if (p.source.kind !== "git" && p.source.kind !== "tarball") throw new InvalidInputError("the plan's source is not pinned");
  return {
    repoRoot: d.repoRoot,
    cacheDir: d.cacheDir,
    workDir: d.workDir,
    outDir: d.outDir,
    platform: platformById(platform, { ...(policy ? { policy } : {}), ...(d.host ? { host: d.host } : {}) }),
    pythons,
    source: p.source.kind === "git" ? { kind: "git", ref: p.source } : { kind: "tarball", ref: p.source },
    layer:
      layer["kind"] === "prebuilt"
        ? { kind: "prebuilt", prefix: layer["prefix"] ?? "" }
        : { kind: "source", cmakeOptions: p.layer.cmakeOptions },
    release: {
      distribution: p.distribution,
      devDistribution: p.devDistribution,
      version: p.version,
      llvmRepository: p.llvm.repository,
      llvmCommit: p.llvm.commit,
      ...(p.llvm.tag ? { llvmTag: p.llvm.tag } : {}),
      sourceDateEpoch: p.sourceDateEpoch,
    },
    nanobind: p.tools["nanobind"] ?? "",
    nanobindDomain: p.nanobindDomain,
    verify: false,
    toolsDir: d.toolsDir,
    dev: m.artifacts.some((a) => a.platform === platform && (a.kind === "dev-wheel" || a.kind === "dev-tarball")),
    // The plan's packages, under its names: their wheels are compared like every other artifact.
    ...(p.packages?.length ? { packages: plannedPackages(p.packages) } : {}),
    ...(d.jobs ? { jobs: d.jobs } : {}),
    ...(d.compilerCache ? { compilerCache: d.compilerCache } : {}),
    host: d.host ?? { discoveryEnv: {} },
  };
}

/**
 * The requirements files the manifest recorded (every pin with its hashes), written out so the
 * rebuild's tools venv and build venvs install exactly those; nothing when the manifest predates them.
 */
export function recordedRequirements(m: ReleaseManifest, workDir: string): Pick<BuildSettings, "requirements"> {
  const r = m.provenance.requirements;
  if (!r) return {};
  const dir = join(workDir, "recorded-requirements");
  mkdirSync(dir, { recursive: true });
  const write = (name: string, p: { text: string; sha256: string; file: string }): string => {
    if (sha256Hex(p.text) !== p.sha256) throw new InvalidInputError(`the manifest's ${p.file} text does not match its recorded sha256 ${p.sha256}: the manifest was altered`);
    const f = join(dir, `${name}.txt`);
    writeFileSync(f, p.text);
    return f;
  };
  return { requirements: { tools: write("tools", r.tools), build: write("build", r.build) } };
}

interface ArtifactComparison {
  fileName: string;
  recorded: string;
  rebuilt?: string;
  result: "equal" | "different" | "missing" | "not-rebuilt";
  /** different: the first differing member (or why none could be named) */
  firstDifference?: string;
  /** different: the members whose sha256 differs from the manifest's member list (no old file needed) */
  differingMembers?: string[];
  note?: string;
}

/** What the manifest recorded and this rebuild found, to explain a difference without the old files. */
interface DifferenceEvidence {
  recordedMembers?: Record<string, WheelMember[]>;
  rebuiltMembers?: Record<string, WheelMember[]>;
  /** The recorded inputs that differ on this machine (undefined: the manifest recorded none). */
  inputChanges?: InputChange[];
}

export interface RebuildReport {
  manifest: string;
  version: string;
  outDir: string;
  artifacts: ArtifactComparison[];
  allEqual: boolean;
  /** Set when the pipeline's code is not the one the manifest records: differences may come from it. */
  pipelineNote?: string;
  /** The manifest's recorded outside inputs that differ on this machine (absent: the manifest recorded none). */
  inputChanges?: InputChange[];
  seconds: number;
}

/** A note when the recorded and current pipeline revisions differ or either had uncommitted changes (pure). */
export function pipelineNote(recorded: string, current: string): string | undefined {
  if (recorded !== current) return `the manifest was built by ${recorded}; this rebuild runs ${current}: a difference may come from the pipeline's code`;
  if (/uncommitted changes/.test(current)) return `built and rebuilt with uncommitted pipeline changes (${current}): equal revisions do not prove equal code`;
  return undefined;
}

/** The manifest's member lists and inputs against the rebuild's (pure). */
export function differenceEvidence(m: ReleaseManifest, rebuilt: Pick<BuildReport, "members" | "inputs">): DifferenceEvidence {
  return {
    ...(m.provenance.members ? { recordedMembers: m.provenance.members } : {}),
    ...(rebuilt.members ? { rebuiltMembers: rebuilt.members } : {}),
    ...(m.provenance.inputs && rebuilt.inputs ? { inputChanges: compareInputs(m.provenance.inputs, rebuilt.inputs) } : {}),
  };
}

/** Compares recorded artifacts with a rebuilt folder; `recordedDir` holds the originals when available. */
export async function compareArtifacts(recorded: Artifact[], rebuiltDir: string, recordedDir: string, evidence: DifferenceEvidence = {}): Promise<ArtifactComparison[]> {
  const out: ArtifactComparison[] = [];
  for (const a of recorded) {
    const path = join(rebuiltDir, a.fileName);
    if (!existsSync(path)) {
      const same = readdirSync(rebuiltDir).filter((f) => f.split("-")[0] === a.fileName.split("-")[0] && f.endsWith(a.fileName.slice(a.fileName.lastIndexOf("."))));
      out.push({ fileName: a.fileName, recorded: a.sha256, result: "missing", note: `not produced by the rebuild${same.length ? ` (it produced ${same.join(", ")})` : ""}` });
      continue;
    }
    const sha = sha256Hex(readFileSync(path));
    if (sha === a.sha256) {
      out.push({ fileName: a.fileName, recorded: a.sha256, rebuilt: sha, result: "equal" });
      continue;
    }
    const original = join(recordedDir, a.fileName);
    const haveOriginal = existsSync(original) && sha256Hex(readFileSync(original)) === a.sha256;
    // The manifest's member list names differing members even when the old wheel is elsewhere.
    const was = evidence.recordedMembers?.[a.fileName];
    const now = evidence.rebuiltMembers?.[a.fileName];
    const diffs = was && now ? memberDifferences(was, now) : undefined;
    let firstDifference: string;
    if (diffs?.length) firstDifference = `members whose sha256 differs from the manifest's list: ${describeMemberDifferences(diffs)}`;
    else if (haveOriginal) firstDifference = await firstDifferingMember(original, path);
    else if (diffs) firstDifference = "every member's sha256 equals the manifest's list: the zip framing differs (timestamps, permissions, order or compression)";
    else firstDifference = `the recorded file is not next to the manifest (${original}) and the manifest lists no members, so members cannot be compared`;
    const changes = evidence.inputChanges;
    const note =
      changes === undefined
        ? "the manifest records no outside inputs (built before they were recorded)"
        : changes.length
          ? `inputs that differ on this machine: ${describeInputChanges(changes)}`
          : "every recorded outside input is the same on this machine";
    out.push({
      fileName: a.fileName,
      recorded: a.sha256,
      rebuilt: sha,
      result: "different",
      firstDifference,
      ...(diffs?.length ? { differingMembers: diffs.map((d) => d.name) } : {}),
      note,
    });
  }
  return out;
}

export async function rebuild(
  manifestPath: string,
  d: RebuildDirs,
  env: ExecEnv,
  progress: Progress,
  buildablePlatforms: readonly PlatformId[],
): Promise<RebuildReport> {
  const t0 = Date.now();
  const m = readManifest(manifestPath);
  if (existsSync(d.outDir) && readdirSync(d.outDir).length) {
    throw new InvalidInputError(`rebuild output folder ${d.outDir} is not empty: a rebuild writes into a fresh folder`);
  }
  mkdirSync(d.outDir, { recursive: true });
  const platforms = [...new Set(m.plan.matrix.map((x) => x.platform))];
  const artifacts: ArtifactComparison[] = [];
  const inputChanges: InputChange[] = [];
  for (const platform of platforms) {
    const recorded = m.artifacts.filter((a) => a.platform === platform);
    if (!buildablePlatforms.includes(platform)) {
      for (const a of recorded) artifacts.push({ fileName: a.fileName, recorded: a.sha256, result: "not-rebuilt", note: `${platform} cannot be built on this host` });
      continue;
    }
    progress.stage(`rebuild ${m.plan.version} for ${platform}`);
    // Said before the long build: installed packages that are not the versions the manifest recorded.
    const drift = m.provenance.inputs ? await packageDrift(env, m.provenance.inputs) : [];
    if (drift.length) progress.info(`installed packages differ from the manifest's record, the bytes may too: ${describeInputChanges(drift)}`);
    const s = { ...settingsFromManifest(m, platform, d), ...recordedRequirements(m, d.workDir) };
    const report = await recordBuildFacts(s, await buildWheels(s, env, progress), env);
    writeManifest(d.outDir, manifestFromBuild(m.plan, report, buildProvenance(s)));
    const evidence = differenceEvidence(m, report);
    inputChanges.push(...(evidence.inputChanges ?? []));
    artifacts.push(...(await compareArtifacts(recorded, d.outDir, dirname(resolve(manifestPath)), evidence)));
  }
  const note = pipelineNote(m.provenance.pipelineVersion, pipelineRevision(d.repoRoot));
  if (note) progress.info(`note: ${note}`);
  if (inputChanges.length) progress.info(`inputs that differ from the manifest's: ${describeInputChanges(inputChanges)}`);
  const result: RebuildReport = {
    manifest: resolve(manifestPath),
    version: m.plan.version,
    outDir: d.outDir,
    artifacts,
    allEqual: artifacts.length > 0 && artifacts.every((a) => a.result === "equal"),
    ...(note ? { pipelineNote: note } : {}),
    ...(m.provenance.inputs ? { inputChanges } : {}),
    seconds: Math.round((Date.now() - t0) / 100) / 10,
  };
  writeFileSync(join(d.outDir, "rebuild-report.json"), `${JSON.stringify(result, null, 2)}\n`);
  return result;
}
