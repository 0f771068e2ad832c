// The from-source LLVM layer provider, checked as the issue allows on 2 cores: extract llvm/ +
// mlir/ from the pinned tarball, configure with MLIR and the release options, build llvm-tblgen.
// (A full LLVM+MLIR build takes hours here; the prebuilt layer stands in for it elsewhere.)
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sourceLayer, sourceLayerKey } from "../../src/layer/layer.js";
import { ReleaseConfig } from "../../src/schema/config.js";
import { DEBIAN_LLVM_22_1_8, tarballSource } from "../../src/source/tree.js";
import { CACHE, REPO, TOOLS, testEnv, testProgress } from "../support/env.js";

describe("source LLVM layer", () => {
  it("configures llvm/ with MLIR from the pinned source and builds llvm-tblgen", async () => {
    const env = testEnv("layer-source");
    const progress = testProgress("layer-source");
    const tree = await tarballSource(DEBIAN_LLVM_22_1_8, { env, progress, cacheDir: CACHE, repoRoot: REPO, parts: "layer" });
    expect(existsSync(join(tree.root, "llvm", "lib", "Support"))).toBe(true);
    expect(existsSync(join(tree.root, "mlir", "lib", "IR"))).toBe(true);
    expect(existsSync(join(tree.root, "clang"))).toBe(false);
    const cmakeOptions = ReleaseConfig.parse({}).layerCmakeOptions;
    const layer = await sourceLayer(tree, {
      env,
      progress,
      cacheDir: CACHE,
      platform: "linux-x86_64",
      cmakeOptions,
      targets: ["llvm-tblgen"],
      sccache: join(TOOLS, "bin", "sccache"),
    });
    expect(layer.key).toBe(sourceLayerKey(tree, "linux-x86_64", cmakeOptions));
    const cache = readFileSync(join(layer.prefix, "CMakeCache.txt"), "utf8");
    expect(cache).toMatch(/^LLVM_ENABLE_PROJECTS:STRING=mlir$/m);
    expect(cache).toMatch(/^MLIR_ENABLE_BINDINGS_PYTHON:BOOL=OFF$/m);
    expect(cache).toMatch(/^MLIR_INSTALL_AGGREGATE_OBJECTS:\w+=ON$/m);
    expect(cache).toMatch(/^LLVM_TARGETS_TO_BUILD:STRING=host;NVPTX;AMDGPU$/m);
    const tblgen = join(layer.prefix, "bin", "llvm-tblgen");
    expect(existsSync(tblgen)).toBe(true);
    const version = (await env.run([tblgen, "--version"], { capture: true })).stdout;
    expect(version).toContain("22.1.8");
  }, 1_800_000);
});
