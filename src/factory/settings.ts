// What one build is asked to do, resolved once from flags, config and environment (src/cli/build-commands.ts)
// and passed down unchanged: every step reads its inputs from here or from an earlier step's output.
import type { EnabledPackage } from "../packages/recipe.js";
import type { Platform } from "../platforms/platform.js";
import type { CompilerCacheSettings } from "../schema/config.js";
import type { HostOptions } from "../schema/options.js";
import type { LlvmSourceRef } from "../schema/release-plan.js";

export type SourceSpec =
  | { kind: "tarball"; ref: Extract<LlvmSourceRef, { kind: "tarball" }>; localPath?: string }
  | { kind: "git"; ref: Extract<LlvmSourceRef, { kind: "git" }> }
  | { kind: "dir"; path: string };

export type LayerSpec = { kind: "prebuilt"; prefix: string } | { kind: "source"; cmakeOptions: Record<string, string> };

interface ReleaseIdentity {
  distribution: string;
  /** Distribution name of the dev wheel (the downstream kit). */
  devDistribution: string;
  /** PEP 440 version; default: the source tree's LLVM version. */
  version?: string;
  llvmRepository: string;
  llvmCommit?: string;
  llvmTag?: string;
  /** X.Y.Z of the LLVM tree when known before it is fetched (a plan's llvm.version): a dry run needs no tree. */
  llvmVersion?: string;
  /** Default: the host's SOURCE_DATE_EPOCH, else the newest mtime in the source tree. */
  sourceDateEpoch?: number;
}

interface VerifySettings {
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
  /**
   * Also build the tools wheel (`<distribution>-tools`) from the layer, keeping the LLVM targets
   * `targets` names (LLVM_TARGETS_TO_BUILD syntax: the config's layerCmakeOptions, whatever the layer).
   */
  toolsWheel?: { targets: string };
  /** The packages built besides the MLIR bindings (src/packages): each one's wheel, tested (default: none). */
  packages?: readonly EnabledPackage[];
  /** Hashed requirements files to install from instead of the repository's (a rebuild's recorded ones). */
  requirements?: { tools?: string; build?: string };
  /** This host as the resolved options describe it: what finds its interpreters, AUDITWHEEL_PLAT, SOURCE_DATE_EPOCH, the layer store. */
  host: HostOptions;
}

export const PIPELINE_VERSION = "mlir-release 0.1.0";
