// A from-source layer builds clang only while the clang package is enabled: the default options
// (and so the layer's key) are untouched without it, and gain the project and its components with it.
import { describe, expect, it } from "vitest";
import { clangRecipe } from "../../src/packages/clang/recipe.js";
import { layerOptionsWithPackages } from "../../src/packages/layer-options.js";
import { layerOptionsHash } from "../../src/plan/release-planner.js";
import { ReleaseConfig } from "../../src/schema/config.js";

const defaults = ReleaseConfig.parse({}).layerCmakeOptions;
const clang = [{ recipe: clangRecipe, distribution: "clang-python-bindings" }];

describe("layer options with packages", () => {
  it("leaves the default options and the layer key alone when no package is enabled", () => {
    const out = layerOptionsWithPackages(defaults, []);
    expect(out).toEqual(defaults);
    expect(layerOptionsHash("c".repeat(40), out)).toBe(layerOptionsHash("c".repeat(40), defaults));
  });

  it("adds clang to LLVM_ENABLE_PROJECTS and its components to the distribution when clang is enabled", () => {
    const out = layerOptionsWithPackages(defaults, clang);
    expect(out["LLVM_ENABLE_PROJECTS"]).toBe("mlir;clang");
    const components = out["LLVM_DISTRIBUTION_COMPONENTS"]!.split(";");
    expect(components).toEqual([...defaults["LLVM_DISTRIBUTION_COMPONENTS"]!.split(";"), "clang-libraries", "clang-headers", "clang-resource-headers"]);
    // Everything else as configured; a different key, so a clang-less layer is never reused for it.
    expect({ ...out, LLVM_ENABLE_PROJECTS: defaults["LLVM_ENABLE_PROJECTS"], LLVM_DISTRIBUTION_COMPONENTS: defaults["LLVM_DISTRIBUTION_COMPONENTS"] }).toEqual(defaults);
    expect(layerOptionsHash("c".repeat(40), out)).not.toBe(layerOptionsHash("c".repeat(40), defaults));
  });

  it("adds nothing twice and leaves a layer without a distribution list installing everything", () => {
    const out = layerOptionsWithPackages({ LLVM_ENABLE_PROJECTS: "clang;mlir" }, clang);
    expect(out).toEqual({ LLVM_ENABLE_PROJECTS: "clang;mlir" });
  });
});
