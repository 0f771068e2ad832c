// The wheel factory: source → LLVM layer → bindings (once per platform) → one wheel per Python
// → repair → verify. Options are resolved once into BuildSettings; planBuild turns them into the
// platform's step list (src/platforms/resolve.ts), the step runner (src/exec/steps.ts) executes
// exactly that list, and this module supplies the in-process steps and records what they produced.
import { InternalError } from "../errors.js";
import { runnable } from "../util/paths.js";
import { readJsonAs } from "../util/json-input.js";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import type { ExecEnv } from "../exec/env.js";
import { runSteps, type StepHandler } from "../exec/steps.js";
import { dirLayerStore } from "../layer/artifact.js";
import { layerStoreFromEnv } from "../layer/github-store.js";
import { type LlvmLayer, prebuiltLayer, readPrefixVersion, sourceLayer, sourceLayerKey } from "../layer/layer.js";
import { probeLlvmAbiFacts } from "../platforms/abi.js";
import { parsePython } from "../platforms/tags.js";
import type { Platform } from "../platforms/platform.js";
import { type PlatformPlan, requirementsPath, resolvePlatformPlan, venvPython } from "../platforms/resolve.js";
import type { Progress } from "../progress.js";
import { BuildReport, type CompilerCacheSettings, InvalidInputError, type LlvmSourceRef, PinnedRequirements, type WheelTag } from "../schema.js";
import { buildDevDistribution, devTemplateFiles } from "../dev/devdist.js";
import { dirSource, gitSource, type LlvmSourceTree, readTreeVersion, sha256File, tarballSource, treeDirName } from "../source/tree.js";
import { canonicalHash, sha256Hex } from "../util/hash.js";
import { runUpstreamLit } from "../verify/lit.js";
import { parseCheckWheelContents, wheelExtras } from "../verify/install.js";
import { normalizeWheel, parseAuditwheelShow } from "../verify/repair.js";
import { runtimeRequirements } from "../wheels/requirements.js";
import { isNativeMember, nativeDistribution, nativeRequirement } from "../wheels/native.js";
import { runtimeLibsModule } from "../wheels/runtime-libs.js";
import { assembleWheel, type WheelMetadata } from "../wheels/wheel.js";

export type SourceSpec =
  | { kind: "tarball"; ref: Extract<LlvmSourceRef, { kind: "tarball" }>; localPath?: string }
  | { kind: "git"; ref: Extract<LlvmSourceRef, { kind: "git" }> }
  | { kind: "dir"; path: string };

export type LayerSpec = { kind: "prebuilt"; prefix: string } | { kind: "source"; cmakeOptions: Record<string, string> };

export interface ReleaseIdentity {
  distribution: string;
  /** Distribution name of the dev wheel (the downstream kit). */
  devDistribution: string;
  /** PEP 440 version; default: the source tree's LLVM version. */
  version?: string;
  llvmRepository: string;
  llvmCommit?: string;
  llvmTag?: string;
  /** Default: SOURCE_DATE_EPOCH from the environment, else the newest mtime in the source tree. */
  sourceDateEpoch?: number;
}

export interface VerifySettings {
  lit: boolean;
  /** Subset of mlir/test/python to run; all when empty. */
  litFilter?: string[];
}

export interface BuildSettings {
  repoRoot: string;
  cacheDir: string;
  workDir: string;
  outDir: string;
  platform: Platform;
  pythons: string[];
  source: SourceSpec;
  layer: LayerSpec;
  release: ReleaseIdentity;
  nanobind: string;
  nanobindDomain: string;
  verify: VerifySettings | false;
  toolsDir: string;
  jobs?: number;
  /** The from-source layer's compiler cache (default: sccache, local directory under cacheDir). */
  compilerCache?: CompilerCacheSettings;
  /** Also build the dev distribution (tarball + dev wheel) from the same layer and bindings. */
  dev: boolean;
  /** Hashed requirements files to install from instead of the repository's (a rebuild's recorded ones). */
  requirements?: { tools?: string; build?: string };
}

export const PIPELINE_VERSION = "mlir-release 0.1.0";

export async function resolveSource(s: BuildSettings, env: ExecEnv, progress: Progress): Promise<LlvmSourceTree> {
  const common = { env, progress, cacheDir: s.cacheDir, repoRoot: s.repoRoot };
  switch (s.source.kind) {
    case "tarball":
      return tarballSource(s.source.ref, common, s.source.localPath);
    case "git":
      return gitSource(s.source.ref, common);
    case "dir":
      return dirSource(s.source.path);
  }
}

export async function resolveLayer(
  s: BuildSettings,
  source: LlvmSourceTree,
  env: ExecEnv,
  progress: Progress,
): Promise<LlvmLayer> {
  if (s.layer.kind === "prebuilt") return prebuiltLayer(s.layer.prefix, source, s.platform.id);
  const layerSource = await resolveSource(s, env, progress).then((t) =>
    s.source.kind === "dir"
      ? t
      : s.source.kind === "tarball"
        ? tarballSource(s.source.ref, { env, progress, cacheDir: s.cacheDir, repoRoot: s.repoRoot, parts: "layer" }, s.source.localPath)
        : gitSource(s.source.ref, { env, progress, cacheDir: s.cacheDir, repoRoot: s.repoRoot, parts: "layer" }),
  );
  return sourceLayer(layerSource, {
    env,
    progress,
    cacheDir: s.cacheDir,
    // The local store under the cache, read through to the GitHub layer store when
    // MLIR_RELEASE_LAYER_STORE says so (CI: a fresh runner restores a layer an earlier run built).
    store: layerStoreFromEnv(dirLayerStore(join(s.cacheDir, "layer-artifacts"))),
    platform: s.platform.id,
    cmakeOptions: s.layer.cmakeOptions,
    ...(s.jobs ? { jobs: s.jobs } : {}),
    ...(s.compilerCache ? { compilerCache: s.compilerCache } : {}),
    // The tools venv's sccache (bin/ on Linux and macOS, Scripts\ on Windows), else sccache on PATH.
    ...(() => {
      const bin = [join(s.toolsDir, "bin", "sccache"), join(s.toolsDir, "Scripts", "sccache.exe")].find((p) => existsSync(p));
      return bin ? { sccache: bin } : {};
    })(),
  });
}

/** Newest mtime of the files the bindings are built from: stable for a given source tree. */
export function treeEpoch(root: string): number {
  let newest = 0;
  const walk = (d: string, depth: number): void => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      const st = statSync(p);
      if (st.isDirectory()) {
        if (depth < 12 && !e.startsWith(".")) walk(p, depth + 1);
      } else newest = Math.max(newest, Math.floor(st.mtimeMs / 1000));
    }
  };
  walk(join(root, "mlir", "python"), 0);
  return newest;
}

const projectFilesHash = (repoRoot: string): string => {
  const dir = join(repoRoot, "containers", "bindings");
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else files.push(`${p.slice(dir.length)}:${sha256Hex(readFileSync(p))}`);
    }
  };
  walk(dir);
  return sha256Hex(files.join("\n"));
};

export function releaseInfoModule(fields: Record<string, string | number>): string {
  const lines = ['"""What this mlir wheel was built from (generated by mlir-release)."""', ""];
  for (const [k, v] of Object.entries(fields)) lines.push(`${k} = ${JSON.stringify(v)}`);
  return `${lines.join("\n")}\n`;
}

/** A hashed requirements file as the report records it (every pin, the file's digest and text). */
export function pinnedRequirements(repoRoot: string, file: string): PinnedRequirements {
  const text = readFileSync(file, "utf8");
  const pins = text
    .split("\n")
    .map((l) => /^([A-Za-z0-9][A-Za-z0-9_.-]*==[^\s\\]+(?: ; [^\\]+?)?)\s*\\?$/.exec(l)?.[1]?.trim())
    .filter((l): l is string => !!l);
  return PinnedRequirements.parse({ file: relative(repoRoot, file), sha256: sha256Hex(text), pins, text });
}

/** The requirements files a build installs from: the settings' override (a rebuild's recorded files) or the repository's. */
export function requirementsFiles(s: BuildSettings): { tools: string; build: string } {
  return {
    tools: s.requirements?.tools ?? join(s.repoRoot, requirementsPath(s.platform.toolsFamily)),
    build: s.requirements?.build ?? join(s.repoRoot, requirementsPath("build")),
  };
}

/** nanobind as build.txt pins it must be the release config's (one pin, checked). */
function checkNanobindPin(build: PinnedRequirements, nanobind: string, file: string): void {
  const pinned = build.pins.map((p) => /^nanobind==([^\s;]+)/.exec(p)?.[1]).find(Boolean);
  if (pinned !== nanobind) {
    throw new InvalidInputError(
      `${file} pins nanobind ${pinned ?? "(not at all)"}, the release config says ${nanobind}: edit containers/provision/requirements/build.in and rerun containers/provision/compile-requirements.sh`,
    );
  }
}

/**
 * The repair policy of this host: inside a manylinux image its AUDITWHEEL_PLAT; on a plain Linux
 * host (or an arm64 sysroot) the manylinux_X_Y of its glibc, the newest its symbol versions can need.
 */
export function hostRepairPolicy(p: Platform): string | undefined {
  if (p.os !== "linux") return undefined;
  const cross = p.runner.env["MLIR_RELEASE_AARCH64_CROSS"];
  if (cross) {
    const features = readFileSync(join(cross, "sysroot", "usr", "include", "features.h"), "utf8");
    const major = /#define\s+__GLIBC__\s+(\d+)/.exec(features)?.[1];
    const minor = /#define\s+__GLIBC_MINOR__\s+(\d+)/.exec(features)?.[1];
    if (!major || !minor) throw new InvalidInputError(`${cross}/sysroot: no glibc version in usr/include/features.h`);
    return `manylinux_${major}_${minor}_${p.arch}`;
  }
  const image = process.env["AUDITWHEEL_PLAT"];
  if (image) return image;
  const glibc = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header?.glibcVersionRuntime;
  return glibc ? `manylinux_${glibc.replace(".", "_")}_${p.arch}` : undefined;
}

/** Where the source step puts the tree and the layer step finds the layer: known before either runs. */
export function plannedInputs(s: BuildSettings): { sourceRoot: string; identity: string; layerPrefix: string; layerKey?: string } {
  const src = s.source;
  const sourceRoot =
    src.kind === "dir" ? resolve(src.path) : join(s.cacheDir, "trees", treeDirName(src.kind === "tarball" ? src.ref.sha256 : src.ref.commit, "bindings"));
  const identity = src.kind === "dir" ? `dir:${sourceRoot}` : src.kind === "tarball" ? src.ref.sha256 : src.ref.commit;
  if (s.layer.kind === "prebuilt") return { sourceRoot, identity, layerPrefix: resolve(s.layer.prefix) };
  const layerKey = sourceLayerKey({ identity } as LlvmSourceTree, s.platform.id, s.layer.cmakeOptions);
  return { sourceRoot, identity, layerPrefix: join(s.cacheDir, "layers", layerKey, "install"), layerKey };
}

const describeSource = (s: BuildSettings, root: string): string =>
  s.source.kind === "dir"
    ? `directory ${root}`
    : s.source.kind === "tarball"
      ? `tarball ${s.source.ref.file} (sha256 ${s.source.ref.sha256.slice(0, 16)}…) → ${root}`
      : `git ${s.source.ref.repository} @ ${s.source.ref.commit.slice(0, 12)} → ${root}`;

/** The wheel version: the release's, else the layer's (prebuilt) or the tree's LLVM version. */
function plannedVersion(s: BuildSettings, sourceRoot: string, layerPrefix: string): string {
  if (s.release.version) return s.release.version;
  const text = s.layer.kind === "prebuilt" && existsSync(layerPrefix) ? readPrefixVersion(layerPrefix) : existsSync(sourceRoot) ? readTreeVersion(sourceRoot).text : undefined;
  if (!text) return probeLlvmAbiFacts({ ...(existsSync(sourceRoot) ? { sourceRoot } : {}) }).version;
  return text.replace(/-(rc\d+)$/, "$1");
}

/**
 * The complete step list of one build: what `build --dry-run` prints for this machine and what
 * buildWheels executes, from the same settings through the same function.
 */
export function planBuild(s: BuildSettings): PlatformPlan {
  const planned = plannedInputs(s);
  const mlirCmakeDir = join(planned.layerPrefix, "lib", "cmake", "mlir");
  const llvm = probeLlvmAbiFacts({
    ...(existsSync(planned.sourceRoot) ? { sourceRoot: planned.sourceRoot } : {}),
    ...(existsSync(mlirCmakeDir) ? { mlirCmakeDir } : {}),
  });
  const files = requirementsFiles(s);
  const key = (f: string): string => (existsSync(f) ? sha256Hex(readFileSync(f)) : `<missing ${f}>`);
  const policy = hostRepairPolicy(s.platform);
  const listDir = (d: string): string[] => {
    try {
      return readdirSync(d);
    } catch {
      return [];
    }
  };
  return resolvePlatformPlan(s.platform, {
    pythons: s.pythons,
    llvm,
    distribution: s.release.distribution,
    version: plannedVersion(s, planned.sourceRoot, planned.layerPrefix),
    nanobind: s.nanobind,
    nanobindDomain: s.nanobindDomain,
    repoRoot: s.repoRoot,
    sourceRoot: planned.sourceRoot,
    mlirCmakeDir,
    workDir: s.workDir,
    cacheDir: s.cacheDir,
    outDir: s.outDir,
    toolsBin: join(s.toolsDir, "bin"),
    toolsDir: s.toolsDir,
    requirements: { tools: { file: files.tools, key: key(files.tools) }, build: { file: files.build, key: key(files.build) } },
    ...(policy ? { repairPolicy: policy } : {}),
    source: describeSource(s, planned.sourceRoot),
    layer: s.layer.kind === "prebuilt" ? `prebuilt ${planned.layerPrefix}` : `from source, key ${planned.layerKey} → ${planned.layerPrefix}`,
    ...(s.jobs ? { jobs: s.jobs } : {}),
    dev: s.dev,
    verify: s.verify ? { lit: s.verify.lit } : false,
    // Discovery also looks under the cache (ci/setup.d/30-python313t.sh builds 3.13t there).
    env: { ...process.env, MLIR_RELEASE_CACHE: s.cacheDir },
    listDir,
    exists: (f: string) => runnable(f),
  });
}

/** What the factory's in-process steps share while one build runs. */
interface BuildState {
  source?: LlvmSourceTree;
  layer?: LlvmLayer;
  version: string;
  sourceDateEpoch?: number;
  metadata?: WheelMetadata;
  /** The native wheel's METADATA (same version; no requirements). */
  nativeMetadata?: WheelMetadata;
  releaseInfo?: string;
  projectHash: string;
  lit: Record<string, NonNullable<BuildReport["verification"][string]["lit"]>>;
}

const need = <T>(v: T | undefined, what: string): T => {
  if (v === undefined) throw new InternalError(`${what} is not known yet (step order)`);
  return v;
};

export async function buildWheels(s: BuildSettings, env: ExecEnv, progress: Progress): Promise<BuildReport> {
  const t0 = Date.now();
  mkdirSync(s.outDir, { recursive: true });
  mkdirSync(s.workDir, { recursive: true });
  const files = requirementsFiles(s);
  const requirements = { tools: pinnedRequirements(s.repoRoot, files.tools), build: pinnedRequirements(s.repoRoot, files.build) };
  checkNanobindPin(requirements.build, s.nanobind, files.build);
  const plan = planBuild(s);
  // A Python asked for (or the calendar's default) that this machine or runner lacks: say so, build the rest.
  for (const sk of plan.abi.skipped) progress.info(`not built: Python ${sk.python}: ${sk.reason}; building ${plan.builds.map((b) => b.python).join(", ")}`);
  const planned = plannedInputs(s);
  const byPython = new Map(plan.builds.map((b) => [b.python, b]));
  const st: BuildState = { version: plan.builds[0] ? versionOfWheel(plan.builds[0].wheel) : "", projectHash: projectFilesHash(s.repoRoot), lit: {} };
  const wheels: BuildReport["wheels"] = [];
  const stamps = new Map<string, { file: string; key: string; reused?: Omit<BuildReport["wheels"][number], "reused" | "seconds"> }>();

  const stampKey = (python: string): string => {
    const b = need(byPython.get(python), `the plan of Python ${python}`);
    return canonicalHash({
      pipeline: PIPELINE_VERSION,
      source: need(st.source, "the source").identity,
      layer: need(st.layer, "the layer").key,
      python: b.interpreter,
      nanobind: s.nanobind,
      domain: s.nanobindDomain,
      metadata: st.metadata,
      releaseInfo: st.releaseInfo,
      runtimeLibs: runtimeLibsModule(),
      projectHash: st.projectHash,
      platform: s.platform.id,
      requirements: { tools: requirements.tools.sha256, build: requirements.build.sha256 },
      steps: plan.steps.filter((x) => x.python === python && x.phase !== "verify"),
    });
  };
  // The native wheel is made from the first Python's staged package: same inputs as that wheel, plus its own steps.
  const nativePlan = plan.native;
  let nativeStampCache: { file: string; key: string; reused?: NonNullable<BuildReport["native"]> } | undefined;
  const nativeStamp = () => {
    if (nativeStampCache) return nativeStampCache;
    const np = need(nativePlan, "the native wheel's plan");
    const key = canonicalHash({
      python: stampKey(np.fromPython),
      nativeMetadata: st.nativeMetadata,
      steps: plan.steps.filter((x) => x.id.startsWith("native/")),
    });
    const file = join(s.workDir, "stamps", `${s.platform.id}-native.json`);
    const reused = reuseIfUnchanged(file, key, s.outDir) as NonNullable<BuildReport["native"]> | undefined;
    nativeStampCache = { file, key, ...(reused ? { reused: { ...reused, reused: true, seconds: {} } } : {}) };
    return nativeStampCache;
  };

  const stampOf = (python: string) => {
    let x = stamps.get(python);
    if (x) return x;
    const key = stampKey(python);
    const file = join(s.workDir, "stamps", `${s.platform.id}-py${python}.json`);
    let reused = reuseIfUnchanged(file, key, s.outDir);
    // The first Python's staged package is what the native wheel is made from: rebuild it when the native wheel must be.
    if (reused && nativePlan?.fromPython === python && !nativeStamp().reused) reused = undefined;
    x = { file, key, ...(reused ? { reused } : {}) };
    stamps.set(python, x);
    if (reused) wheels.push({ ...reused, reused: true, seconds: {} });
    return x;
  };

  const handlers: Record<string, StepHandler> = {
    source: async () => {
      const source = await resolveSource(s, env, progress);
      if (source.root !== planned.sourceRoot) throw new InternalError(`the source step made ${source.root}, the plan says ${planned.sourceRoot}`);
      const version = s.release.version ?? source.version.text.replace(/-(rc\d+)$/, "$1");
      if (version !== st.version && plan.builds.length) {
        throw new InvalidInputError(`the source tree ${source.root} is LLVM ${version}, the plan was made for ${st.version}: pass --version or a matching --layer`);
      }
      st.version = version;
      st.source = source;
      const envEpoch = process.env["SOURCE_DATE_EPOCH"];
      st.sourceDateEpoch = s.release.sourceDateEpoch ?? (envEpoch ? Number(envEpoch) : treeEpoch(source.root));
      const commit = s.release.llvmCommit ?? (source.ref.kind === "git" ? source.ref.commit : "unknown");
      st.metadata = {
        distribution: s.release.distribution,
        version,
        summary: `MLIR Python bindings built from LLVM ${source.version.text}${commit !== "unknown" ? ` (${commit.slice(0, 12)})` : ""}`,
        license: "Apache-2.0 WITH LLVM-exception",
        requiresPython: ">=3.10",
        requiresDist: [
          ...(plan.native ? [nativeRequirement(s.release.distribution, version)] : []),
          ...runtimeRequirements(readFileSync(join(source.root, "mlir", "python", "requirements.txt"), "utf8")),
        ],
        projectUrls: {
          Source: commit !== "unknown" ? `${s.release.llvmRepository.replace(/\.git$/, "")}/tree/${commit}` : s.release.llvmRepository,
        },
      };
      st.nativeMetadata = {
        ...st.metadata,
        distribution: nativeDistribution(s.release.distribution),
        summary: `MLIR's C API and runtime libraries for ${s.release.distribution} ${version} (LLVM ${source.version.text}), shared by its per-Python wheels`,
        requiresDist: [],
      };
      st.releaseInfo = releaseInfoModule({
        DISTRIBUTION: s.release.distribution,
        VERSION: version,
        LLVM_VERSION: source.version.text,
        LLVM_COMMIT: commit,
        LLVM_TAG: s.release.llvmTag ?? "",
        LLVM_REPOSITORY: s.release.llvmRepository,
        SOURCE: source.identity,
        NANOBIND_DOMAIN: s.nanobindDomain,
        SOURCE_DATE_EPOCH: st.sourceDateEpoch,
      });
    },
    layer: async () => {
      st.layer = await resolveLayer(s, need(st.source, "the source"), env, progress);
      if (st.layer.prefix !== planned.layerPrefix) throw new InternalError(`the layer step found ${st.layer.prefix}, the plan says ${planned.layerPrefix}`);
    },
    "assemble-wheel": async (step) => {
      const b = need(byPython.get(step.python ?? ""), `the plan of ${step.id}`);
      mkdirSync(dirname(b.rawWheel), { recursive: true });
      const raw = await assembleWheel({
        root: join(s.workDir, "stage", `${s.platform.id}-py${b.python}`),
        packageName: "mlir",
        metadata: need(st.metadata, "the wheel metadata"),
        tag: tagOf(b.rawWheel.split("/").pop()!),
        sourceDateEpoch: need(st.sourceDateEpoch, "SOURCE_DATE_EPOCH"),
        generator: PIPELINE_VERSION,
        extraFiles: { "mlir/_release_info.py": need(st.releaseInfo, "the release info"), "mlir/_runtime_libs.py": runtimeLibsModule() },
        // The C API and runtime libraries are the native wheel's.
        ...(plan.native ? { include: (name: string) => !isNativeMember(name, s.platform.os) } : {}),
        outDir: dirname(b.rawWheel),
        // Stored, not deflated: the repair tool rewrites it and the final normalization compresses once.
        compressionLevel: 0,
      });
      if (raw.path !== b.rawWheel) throw new InternalError(`assembled ${raw.path}, the plan says ${b.rawWheel}`);
    },
    "assemble-native-wheel": async () => {
      const np = need(plan.native, "the native wheel's plan");
      mkdirSync(dirname(np.rawWheel), { recursive: true });
      const root = join(s.workDir, "stage", `${s.platform.id}-py${np.fromPython}`);
      let members = 0;
      const raw = await assembleWheel({
        root,
        packageName: "mlir",
        metadata: need(st.nativeMetadata, "the native wheel metadata"),
        tag: tagOf(np.rawWheel.split("/").pop()!),
        sourceDateEpoch: need(st.sourceDateEpoch, "SOURCE_DATE_EPOCH"),
        generator: PIPELINE_VERSION,
        include: (name) => isNativeMember(name, s.platform.os) && ++members > 0,
        outDir: dirname(np.rawWheel),
        compressionLevel: 0,
      });
      if (!members) throw new InvalidInputError(`${join(root, "mlir", "_mlir_libs")} holds no C API library: the native wheel would be empty (rerun the build of Python ${np.fromPython})`);
      if (raw.path !== np.rawWheel) throw new InternalError(`assembled ${raw.path}, the plan says ${np.rawWheel}`);
    },
    "place-native-wheel": async (_step, ctx) => {
      const np = need(plan.native, "the native wheel's plan");
      const repairDir = join(s.workDir, "repaired-native");
      const made = readdirSync(repairDir).filter((f) => f.endsWith(".whl"));
      if (made.length !== 1 || made[0] !== np.wheel) {
        throw new InvalidInputError(
          `repair wrote ${made.join(", ") || "no wheel"} into ${repairDir}; the plan expected ${np.wheel} (policy ${plan.repair.policy}): the native wheel does not meet the policy this host planned`,
        );
      }
      for (const old of readdirSync(s.outDir)) if (old.endsWith(".whl") && old.startsWith(`${np.wheel.split("-")[0]}-`)) rmSync(join(s.outDir, old));
      const dest = join(s.outDir, np.wheel);
      renameSync(join(repairDir, np.wheel), dest);
      await normalizeWheel(dest, need(st.sourceDateEpoch, "SOURCE_DATE_EPOCH"));
      const shown = ctx.results.get("native/inspect");
      const verdict = shown ? parseAuditwheelShow(shown.stdout) : undefined;
      const entry = {
        fileName: np.wheel,
        sha256: await sha256File(dest),
        size: statSync(dest).size,
        tag: tagOf(np.wheel),
        ...(verdict ? { auditwheel: { consistentWith: verdict.consistentWith, policy: plan.repair.policy, reasons: verdict.reasons } } : {}),
      };
      nativeEntry = { ...entry, reused: false, seconds: {} };
      const stamp = nativeStamp();
      mkdirSync(dirname(stamp.file), { recursive: true });
      writeFileSync(stamp.file, JSON.stringify({ key: stamp.key, wheel: entry }, null, 2));
    },
    "place-wheel": async (step, ctx) => {
      const b = need(byPython.get(step.python ?? ""), `the plan of ${step.id}`);
      const repairDir = join(s.workDir, "repaired");
      const made = readdirSync(repairDir).filter((f) => f.endsWith(".whl"));
      if (made.length !== 1 || made[0] !== b.wheel) {
        throw new InvalidInputError(
          `repair wrote ${made.join(", ") || "no wheel"} into ${repairDir}; the plan expected ${b.wheel} (policy ${plan.repair.policy}): the wheel does not meet the policy this host planned`,
        );
      }
      const tag = tagOf(b.wheel);
      for (const old of readdirSync(s.outDir)) {
        if (old.endsWith(".whl") && old.includes(`-${tag.python}-${tag.abi}-`)) rmSync(join(s.outDir, old));
      }
      const dest = join(s.outDir, b.wheel);
      renameSync(join(repairDir, b.wheel), dest);
      await normalizeWheel(dest, need(st.sourceDateEpoch, "SOURCE_DATE_EPOCH"));
      const shown = ctx.results.get(`py${b.python}/inspect`);
      const verdict = shown ? parseAuditwheelShow(shown.stdout) : undefined;
      const entry = {
        python: b.python,
        fileName: b.wheel,
        sha256: await sha256File(dest),
        size: statSync(dest).size,
        tag,
        ...(verdict ? { auditwheel: { consistentWith: verdict.consistentWith, policy: plan.repair.policy, reasons: verdict.reasons } } : {}),
      };
      wheels.push({ ...entry, reused: false, seconds: {} });
      const stamp = stampOf(b.python);
      mkdirSync(dirname(stamp.file), { recursive: true });
      writeFileSync(stamp.file, JSON.stringify({ key: stamp.key, wheel: entry }, null, 2));
    },
    "dev-distribution": async () => {
      const layer = need(st.layer, "the layer");
      const source = need(st.source, "the source");
      const first = wheels[0];
      if (!first) return;
      const buildDir = join(s.workDir, "bindings", s.platform.id);
      const devKey = canonicalHash({ wheels: wheels.map((w) => w.sha256), layer: layer.key, devCode: devCodeHash(s.repoRoot) });
      const devStamp = join(s.workDir, "stamps", `${s.platform.id}-dev.json`);
      const reusedDev = reuseDevIfUnchanged(devStamp, devKey, s.outDir);
      if (reusedDev) {
        progress.step("unchanged, reusing the dev distribution");
        dev = reusedDev;
        return;
      }
      const stagedPackageDir = join(s.workDir, "stage", `${s.platform.id}-py${first.python}`, "mlir");
      if (!existsSync(join(buildDir, "CMakeCache.txt")) || !existsSync(stagedPackageDir)) {
        throw new InvalidInputError(
          `the dev distribution needs the bindings build (${buildDir}) and a staged package (${stagedPackageDir}); rerun without reused wheels (delete ${join(s.workDir, "stamps")})`,
        );
      }
      dev = await buildDevDistribution({
        env,
        progress,
        repoRoot: s.repoRoot,
        layer,
        bindingsBuildDir: buildDir,
        stagedPackageDir,
        capiFromNativeWheel: !!plan.native,
        workDir: s.workDir,
        outDir: s.outDir,
        info: {
          distribution: s.release.distribution,
          devDistribution: s.release.devDistribution,
          version: st.version,
          llvmVersion: source.version.text,
          llvmCommit: s.release.llvmCommit ?? (source.ref.kind === "git" ? source.ref.commit : "unknown"),
          platform: s.platform.id,
          nanobind: s.nanobind,
          nanobindDomain: s.nanobindDomain,
          packagePrefix: "mlir",
        },
        platformTag: first.tag.platform,
        sourceDateEpoch: need(st.sourceDateEpoch, "SOURCE_DATE_EPOCH"),
        generator: PIPELINE_VERSION,
      });
      writeFileSync(devStamp, JSON.stringify({ key: devKey, dev }, null, 2));
    },
    "upstream-lit": litHandler(s, env, progress, st),
    "install-wheel": installHandler(s, env, plan),
  };
  let dev: BuildReport["dev"] | undefined;
  let nativeEntry: BuildReport["native"];
  const { records, results } = await runSteps(plan.steps, {
    env,
    progress,
    handlers,
    // A Python whose wheel is unchanged (same inputs, same steps) skips its build steps; verify still runs.
    skip: (step) => {
      if (step.id.startsWith("native/")) {
        const reused = nativeStamp().reused;
        if (!reused) return undefined;
        nativeEntry ??= reused;
        return `skipped (reusing ${reused.fileName})`;
      }
      if (!step.python || step.phase === "verify") return undefined;
      const reused = stampOf(step.python).reused;
      return reused ? `skipped (reusing ${reused.fileName})` : undefined;
    },
  });
  const sourceTree = need(st.source, "the source");
  const layer = need(st.layer, "the layer");
  const seconds: Record<string, number> = { total: Math.round((Date.now() - t0) / 100) / 10 };
  for (const r of records) {
    const phase = plan.steps.find((x) => x.id === r.id)?.phase ?? "other";
    seconds[phase] = Math.round(((seconds[phase] ?? 0) + r.seconds) * 10) / 10;
  }
  for (const w of wheels) {
    for (const r of records.filter((x) => x.id.startsWith(`py${w.python}/`) && x.status === "ran")) w.seconds[r.id.split("/")[1]!] = r.seconds;
  }
  if (nativeEntry) for (const r of records.filter((x) => x.id.startsWith("native/") && x.status === "ran")) nativeEntry.seconds[r.id.split("/")[1]!] = r.seconds;
  const verification: BuildReport["verification"] = {};
  if (s.verify) {
    for (const w of wheels) {
      const py = `py${w.python}`;
      const seconds = records.filter((x) => x.id.startsWith(`${py}/`) && plan.steps.find((y) => y.id === x.id)?.phase === "verify").reduce((a, x) => a + x.seconds, 0);
      verification[w.fileName] = verificationOf(w.python, results, st, seconds);
    }
  }
  const report: BuildReport = BuildReport.parse({
    platform: s.platform.id,
    distribution: s.release.distribution,
    version: st.version,
    llvm: { version: sourceTree.version.text, commit: s.release.llvmCommit ?? (sourceTree.ref.kind === "git" ? sourceTree.ref.commit : "unknown"), sourceIdentity: sourceTree.identity },
    layer: { kind: layer.kind, prefix: layer.prefix, key: layer.key },
    sourceDateEpoch: need(st.sourceDateEpoch, "SOURCE_DATE_EPOCH"),
    nanobindDomain: s.nanobindDomain,
    requirements,
    wheels: wheels.sort((a, b) => s.pythons.indexOf(a.python) - s.pythons.indexOf(b.python)),
    ...(nativeEntry ? { native: nativeEntry } : {}),
    verification,
    ...(dev ? { dev } : {}),
    seconds,
  });
  writeFileSync(join(s.outDir, "build-report.json"), `${JSON.stringify(report, null, 2)}\n`);
  return report;
}

const versionOfWheel = (fileName: string): string => fileName.split("-")[1] ?? "";

/** The threaded IR check of a free-threaded wheel (its last stdout line is JSON), when it ran. */
const freeThreadedResult = (r: { stdout: string } | undefined): { freeThreaded?: Record<string, unknown> } =>
  r ? { freeThreaded: JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}") as Record<string, unknown> } : {};

/** One wheel's verification record from its verify steps' results (build and `verify` both report it). */
function verificationOf(python: string, results: ReadonlyMap<string, { stdout: string }>, st: BuildState, seconds: number): BuildReport["verification"][string] {
  const py = `py${python}`;
  const smoke = results.get(`${py}/smoke`);
  return {
    python,
    wheelContents: parseCheckWheelContents(results.get(`${py}/check-wheel-contents`)?.stdout ?? ""),
    smoke: smoke ? (JSON.parse(smoke.stdout.trim().split("\n").pop() ?? "{}") as Record<string, unknown>) : {},
    ...freeThreadedResult(results.get(`${py}/threads`)),
    ...(st.lit[python] ? { lit: st.lit[python] } : {}),
    seconds,
  };
}

/** pip install of the final wheel with every extra its METADATA provides (opdsl's YAML dump needs PyYAML). */
function installHandler(s: BuildSettings, env: ExecEnv, plan: PlatformPlan): StepHandler {
  return async (step) => {
    const wheel = step.produces[0];
    const vpy = venvPython(s.platform.os, join(s.workDir, "verify-venvs", `py${step.python ?? ""}`));
    if (!wheel) throw new InternalError(`step ${step.id}: no wheel named`);
    const extras = wheelExtras(wheel);
    // Runtime requirements from the index as a user gets them, but an older release with a wheel for this
    // interpreter beats a newer sdist: numpy 2.5 has no cp313t wheels and would compile for many minutes.
    // The native wheel from its file, as pip finds it for the pin (never from an index).
    const native = plan.native ? [join(dirname(wheel), plan.native.wheel)] : [];
    await env.run([vpy, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--prefer-binary", extras.length ? `${wheel}[${extras.join(",")}]` : wheel, ...native]);
  };
}

function litHandler(s: BuildSettings, env: ExecEnv, progress: Progress, st: BuildState): StepHandler {
  return async (step) => {
    if (!s.verify || !s.verify.lit || !step.python) return;
    const layer = need(st.layer, "the layer");
    const source = need(st.source, "the source");
    const vpy = venvPython(s.platform.os, join(s.workDir, "verify-venvs", `py${step.python}`));
    const lit = await runUpstreamLit({
      env,
      litExecutable: join(s.toolsDir, "bin", "lit"),
      sourceRoot: source.root,
      layer,
      python: vpy,
      pythonVersion: step.python,
      workDir: s.workDir,
      ...(s.verify.litFilter ? { filter: s.verify.litFilter } : {}),
      hostTriple: layerHostTriple(layer),
      targets: layerTargets(layer),
      ...(s.jobs ? { jobs: s.jobs } : {}),
      // Free-threaded: lit runs with PYTHON_GIL=0, as the smoke test does (the GIL cannot come back).
      ...(parsePython(step.python).freeThreaded ? { pythonEnv: { PYTHON_GIL: "0" } } : {}),
    });
    progress.info(
      `lit (Python ${step.python}): ${lit.passed} passed, ${lit.failed} failed, ${lit.unsupported} unsupported` +
        (lit.failures.length ? ` — failed: ${lit.failures.join(", ")}` : ""),
    );
    st.lit[step.python] = lit;
  };
}

/** What the dev distribution is made from besides the wheels and the layer: its template files and the layer fixups. */
const devCodeHash = (repoRoot: string): string =>
  sha256Hex(
    [...devTemplateFiles(repoRoot), join(repoRoot, "src", "wheels", "tools.ts"), join(repoRoot, "containers", "bindings", "cmake", "MLIRReleaseLayerFixups.cmake")]
      .map((f) => `${relative(repoRoot, f)} ${sha256Hex(readFileSync(f))}`)
      .join("\n"),
  );

/** What a stamp recorded, if it was written for `key` (the same inputs); undefined otherwise. */
function stampFor<T>(stampFile: string, key: string): T | undefined {
  if (!existsSync(stampFile)) return undefined;
  const stamp = JSON.parse(readFileSync(stampFile, "utf8")) as { key: string } & T;
  return stamp.key === key ? stamp : undefined;
}

/** Whether the recorded output file is still there with the recorded size. */
const stillThere = (path: string, size: number): boolean => existsSync(path) && statSync(path).size === size;

function reuseDevIfUnchanged(stampFile: string, key: string, outDir: string): BuildReport["dev"] | undefined {
  const dev = stampFor<{ dev: BuildReport["dev"] }>(stampFile, key)?.dev;
  return dev?.every((a) => stillThere(join(outDir, a.fileName), a.size)) ? dev : undefined;
}

function reuseIfUnchanged(
  stampFile: string,
  key: string,
  outDir: string,
): Omit<BuildReport["wheels"][number], "reused" | "seconds"> | undefined {
  const wheel = stampFor<{ wheel: Omit<BuildReport["wheels"][number], "reused" | "seconds"> }>(stampFile, key)?.wheel;
  if (!wheel) return undefined;
  const path = join(outDir, wheel.fileName);
  if (!stillThere(path, wheel.size)) return undefined;
  // A full hash costs ~0.3 s for a 60 MB wheel: cheap enough to never reuse a tampered file.
  if (sha256Hex(readFileSync(path)) !== wheel.sha256) return undefined;
  return wheel;
}

export function tagOf(fileName: string): WheelTag {
  const parts = fileName.replace(/\.whl$/, "").split("-");
  const [python, abi, platform] = parts.slice(-3);
  if (!python || !abi || !platform) throw new InternalError(`not a wheel file name: ${fileName}`);
  return { python, abi, platform };
}

/**
 * Verifies wheels already in outDir (one per Python asked for) and updates build-report.json: the
 * provision, source, layer and verify steps of the same plan `build` runs.
 */
export async function verifyDist(s: BuildSettings, env: ExecEnv, progress: Progress): Promise<BuildReport> {
  const reportPath = join(s.outDir, "build-report.json");
  if (!existsSync(reportPath)) {
    throw new InvalidInputError(`${reportPath} is missing: verify takes the output folder of 'mlir-release build'`);
  }
  const report = readJsonAs(BuildReport, reportPath, "build report");
  for (const w of report.wheels.filter((x) => s.pythons.includes(x.python))) {
    const path = join(s.outDir, w.fileName);
    if (!existsSync(path) || (await sha256File(path)) !== w.sha256) {
      throw new InvalidInputError(`${path} is missing or differs from build-report.json (sha256 ${w.sha256})`);
    }
  }
  Object.assign(report.verification, await verifyWheels(s, env, progress));
  writeFileSync(reportPath, `${JSON.stringify(report, null, 2)}\n`);
  return report;
}

/**
 * The verify steps of `s`'s plan (after its provision, source and layer steps) for the wheels the
 * plan names in s.outDir: check-wheel-contents, fresh venv, install, smoke (+ threads), lit.
 */
export async function verifyWheels(s: BuildSettings, env: ExecEnv, progress: Progress): Promise<BuildReport["verification"]> {
  const plan = planBuild({ ...s, verify: s.verify || { lit: false }, dev: false });
  for (const b of plan.builds) {
    if (!existsSync(join(s.outDir, b.wheel))) throw new InvalidInputError(`${join(s.outDir, b.wheel)} is missing: the plan verifies the wheels it names`);
  }
  const st: BuildState = { version: plan.builds[0] ? versionOfWheel(plan.builds[0].wheel) : "", projectHash: "", lit: {} };
  const steps = plan.steps.filter((x) => ["provision", "source", "layer", "verify"].includes(x.phase));
  const { records, results } = await runSteps(steps, {
    env,
    progress,
    handlers: {
      source: async () => {
        st.source = await resolveSource(s, env, progress);
      },
      layer: async () => {
        st.layer = await resolveLayer(s, need(st.source, "the source"), env, progress);
      },
      "upstream-lit": litHandler(s, env, progress, st),
      "install-wheel": installHandler(s, env, plan),
    },
  });
  const out: BuildReport["verification"] = {};
  for (const b of plan.builds) {
    const py = `py${b.python}`;
    out[b.wheel] = verificationOf(b.python, results, st, records.filter((x) => x.id.startsWith(`${py}/`)).reduce((a, x) => a + x.seconds, 0));
  }
  return out;
}

/** The layer's host triple from its LLVMConfig.cmake (read, not run: no command outside the steps). */
export function layerHostTriple(layer: LlvmLayer): string {
  try {
    const cfg = readFileSync(join(layer.prefix, "lib", "cmake", "llvm", "LLVMConfig.cmake"), "utf8");
    return /set\(LLVM_HOST_TRIPLE\s+"?([^")\s]+)"?\)/.exec(cfg)?.[1] ?? "x86_64-unknown-linux-gnu";
  } catch {
    return "x86_64-unknown-linux-gnu";
  }
}

/** The layer's LLVM_TARGETS_TO_BUILD (what lit's features follow). */
export function layerTargets(layer: LlvmLayer): string[] {
  try {
    const cfg = readFileSync(join(layer.prefix, "lib", "cmake", "llvm", "LLVMConfig.cmake"), "utf8");
    return /set\(LLVM_TARGETS_TO_BUILD\s+([^)]*)\)/.exec(cfg)?.[1]?.split(";") ?? [];
  } catch {
    return [];
  }
}
