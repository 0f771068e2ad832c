// `build --dry-run`: resolve the plan of one platform (or all) and print it, building nothing.
// The native platform is resolved against this machine (its Pythons, its paths); the others
// against their CI runner's facts, with placeholders for paths that only exist there.
import { existsSync, readdirSync } from "node:fs";
import { runnable } from "../util/paths.js";
import { join } from "node:path";
import { imageRef, loadImagesLock, LOCK_PATH } from "./images.js";
import { InvalidInputError, PlatformId } from "../schema.js";
import { type LlvmAbiFacts, probeLlvmAbiFacts } from "./abi.js";
import { allPlatformVariants, platformById } from "./index.js";
import type { Platform } from "./platform.js";
import { formatPlatformPlan, type PlatformPlan, resolvePlatformPlan } from "./resolve.js";

export interface DryRunInput {
  /** a PlatformId or "all" */
  platform: string;
  policy?: string;
  pythons: string[];
  distribution: string;
  version?: string;
  nanobind: string;
  nanobindDomain: string;
  repoRoot: string;
  workDir: string;
  toolsBin: string;
  /** An llvm-project tree to read ABI facts from (a dir: source), if any. */
  sourceRoot?: string;
  /** The layer's install prefix (prebuilt), if any. */
  layerPrefix?: string;
  /**
   * The plan of a platform this machine builds natively, from the factory's own settings (the
   * exact steps `build` runs here); other platforms are resolved against their CI runner's facts.
   */
  native?: (p: Platform) => PlatformPlan;
}

/** Image pins by lock key from containers/images.lock.json (placeholders marked as such). */
export function readImagePins(repoRoot: string): Record<string, string> {
  if (!existsSync(join(repoRoot, LOCK_PATH))) return {};
  return Object.fromEntries(
    Object.entries(loadImagesLock(repoRoot).images).map(([k, v]) => [
      k,
      `${imageRef(v)}${v.placeholder ? " (placeholder: run containers/refresh-image-pins.sh)" : ""}`,
    ]),
  );
}

const listDir = (d: string): string[] => {
  try {
    return readdirSync(d);
  } catch {
    return [];
  }
};

/** This machine's own platform, resolved with real paths; undefined when it builds none natively. */
const nativePlatforms = (): PlatformId[] =>
  process.platform === "linux" && process.arch === "x64"
    ? ["linux-x86_64", ...(process.env["MLIR_RELEASE_AARCH64_CROSS"] ? (["linux-aarch64"] as const) : [])]
    : [];

export function dryRunPlans(input: DryRunInput): PlatformPlan[] {
  let platforms: Platform[];
  if (input.platform === "all") {
    platforms = input.policy ? PlatformId.options.map((id) => platformById(id, id.startsWith("linux-") ? { policy: input.policy! } : {})) : allPlatformVariants();
  } else {
    const r = PlatformId.safeParse(input.platform);
    if (!r.success) throw new InvalidInputError(`--platform '${input.platform}': expected all or one of ${PlatformId.options.join(", ")}`);
    platforms = [platformById(r.data, input.policy ? { policy: input.policy } : {})];
  }
  const mlirCmakeDir = input.layerPrefix ? join(input.layerPrefix, "lib", "cmake", "mlir") : undefined;
  // The aarch64 module is resolved here only in its cross variant (the native one runs on an arm64 runner).
  const isNative = (p: Platform): boolean => nativePlatforms().includes(p.id) && (p.id !== "linux-aarch64" || "MLIR_RELEASE_AARCH64_CROSS" in p.runner.env);
  // This machine's plans first: they know the LLVM version without a tree (the factory reads the source spec).
  const nativePlans = new Map(input.native ? platforms.filter(isNative).map((p) => [p, input.native!(p)] as const) : []);
  let llvm: LlvmAbiFacts | undefined;
  const facts = (): LlvmAbiFacts => {
    if (llvm) return llvm;
    try {
      llvm = probeLlvmAbiFacts({ ...(input.sourceRoot ? { sourceRoot: input.sourceRoot } : {}), ...(mlirCmakeDir ? { mlirCmakeDir } : {}) });
    } catch (e) {
      const known = [...nativePlans.values()][0];
      if (!(e instanceof InvalidInputError) || !known) throw e;
      llvm = known.llvm;
    }
    return llvm;
  };
  const imagePins = readImagePins(input.repoRoot);
  return platforms.map((p) => {
    const native = isNative(p);
    const own = nativePlans.get(p);
    if (own) return own;
    const llvm = facts();
    // On CI the tools venv is <checkout>/.cache/tools (MLIR_RELEASE_TOOLS), in the images /opt/mlir-release-tools.
    const ci = p.conventions.ci;
    return resolvePlatformPlan(p, {
      pythons: input.pythons,
      llvm,
      distribution: input.distribution,
      version: input.version ?? llvm.version,
      nanobind: input.nanobind,
      nanobindDomain: input.nanobindDomain,
      repoRoot: native ? input.repoRoot : "$GITHUB_WORKSPACE",
      sourceRoot: native && input.sourceRoot ? input.sourceRoot : "<llvm-project>",
      mlirCmakeDir: native && mlirCmakeDir ? mlirCmakeDir : "<layer>/lib/cmake/mlir",
      workDir: native ? input.workDir : "$RUNNER_TEMP/mlir-release",
      toolsBin: native ? input.toolsBin : p.conventions.path.join(ci.toolsDir, p.conventions.venvBin),
      ...(native ? {} : { toolsDir: ci.toolsDir, cacheDir: ci.cacheDir }),
      ...(native ? { env: process.env, listDir, exists: (f: string) => runnable(f) } : {}),
      imagePins,
    });
  });
}

export function dryRunText(input: DryRunInput): string {
  const plans = dryRunPlans(input);
  return plans.map(formatPlatformPlan).join("\n");
}
