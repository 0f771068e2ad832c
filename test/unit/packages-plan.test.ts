// A package is a recipe the factory plans through the same steps as every wheel: the clang recipe on
// linux-x86_64 gives its CMake project's commands, one py3-none wheel with the shared assemble/place
// handlers and the platform's repair, and per Python a fresh venv, the wheel alone, upstream's tests.
import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../../src/errors.js";
import { clangRecipe } from "../../src/packages/clang/recipe.js";
import { enabledPackages, RECIPES } from "../../src/packages/index.js";
import { planPackage } from "../../src/packages/plan.js";
import { platformById } from "../../src/platforms/index.js";
import { planContext } from "../../src/platforms/plan-context.js";

const context = () =>
  planContext(platformById("linux-x86_64"), {
    pythons: ["3.11", "3.13"],
    llvm: { version: "22.1.8", stableAbiOption: false, freeThreaded: true, evidence: [] },
    distribution: "mlir-python-bindings",
    version: "22.1.8",
    nanobind: "2.9.2",
    nanobindDomain: "mlir_release",
    repoRoot: "repo",
    sourceRoot: "tree",
    mlirCmakeDir: "layer/lib/cmake/mlir",
    workDir: "work",
    outDir: "out",
    toolsBin: "tools/bin",
    repairPolicy: "manylinux_2_36_x86_64",
    jobs: 2,
  });

const plan = () =>
  planPackage({ recipe: clangRecipe, distribution: "clang-python-bindings" }, context(), {
    sourceRoot: "tree",
    layerPrefix: "layer",
    llvmVersion: "22.1.8",
    version: "22.1.8",
    pythons: [
      { python: "3.11", interpreter: "py311" },
      { python: "3.13", interpreter: "py313" },
    ],
  });

describe("package recipes", () => {
  it("plans the clang package: recipe commands, then the wheel target's steps, then per Python its tests", () => {
    const { planned, steps, verify } = plan();
    expect(steps.map((s) => s.id)).toEqual(["clang/configure", "clang/build", "clang/install", "clang/zip", "clang/inspect", "clang/repair", "clang/place"]);
    expect(verify.map((s) => s.id)).toEqual([
      "clang/py3.11/verify-venv",
      "clang/py3.11/verify-install",
      "clang/py3.11/tests",
      "clang/py3.13/verify-venv",
      "clang/py3.13/verify-install",
      "clang/py3.13/tests",
    ]);
    expect(planned.wheel).toBe("clang_python_bindings-22.1.8-py3-none-manylinux_2_36_x86_64.whl");
    expect(planned.rawWheel).toBe("work/raw-wheels/clang_python_bindings-22.1.8-py3-none-linux_x86_64.whl");
    // The in-process steps are the handlers every wheel target uses.
    expect(steps.filter((s) => s.kind === "in-process").map((s) => s.kind === "in-process" && s.name)).toEqual(["assemble-wheel", "place-wheel"]);
  });

  it("configures containers/clang against the layer and the tree, and installs into the stage", () => {
    const { steps } = plan();
    const configure = steps.find((s) => s.id === "clang/configure");
    expect(configure?.kind === "command" && configure.argv).toEqual(
      expect.arrayContaining(["-S", "repo/containers/clang", "-DCLANG_RELEASE_SOURCE_DIR=tree", "-DCLANG_RELEASE_LLVM_PREFIX=layer", "-DCLANG_RELEASE_LLVM_VERSION=22.1.8"]),
    );
    const build = steps.find((s) => s.id === "clang/build");
    expect(build?.kind === "command" && build.argv).toEqual(["tools/bin/ninja", "-C", "work/packages/clang/linux-x86_64/build", "-j2"]);
    const repair = steps.find((s) => s.id === "clang/repair");
    expect(repair?.kind === "command" && repair.argv).toEqual(expect.arrayContaining(["--plat", "manylinux_2_36_x86_64", "-w", "work/packages/clang/linux-x86_64/repaired"]));
    // Nothing excluded: the package's wheel carries what its library needs (the MLIR wheels exclude the native wheel's).
    expect(repair?.kind === "command" && repair.argv).not.toContain("--exclude");
  });

  it("installs the wheel alone (no index, no dependencies) and runs upstream's tests with the fresh venv's Python", () => {
    const { verify } = plan();
    const install = verify.find((s) => s.id === "clang/py3.13/verify-install");
    expect(install?.kind === "command" && install.argv).toEqual([
      "work/verify-venvs/clang-py3.13/bin/python",
      "-m",
      "pip",
      "install",
      "-q",
      "--disable-pip-version-check",
      "--no-index",
      "--no-deps",
      "out/clang_python_bindings-22.1.8-py3-none-manylinux_2_36_x86_64.whl",
    ]);
    const tests = verify.find((s) => s.id === "clang/py3.13/tests");
    expect(tests?.kind === "command" && tests.argv).toEqual([
      "work/verify-venvs/clang-py3.13/bin/python",
      "repo/containers/clang/run_binding_tests.py",
      "tree/clang/bindings/python/tests",
      "work/packages/clang/linux-x86_64/tests/py3.13",
    ]);
    expect(tests?.kind === "command" && tests.capture).toBe(true);
    expect(tests?.python).toBe("3.13");
  });

  it("enables what the config enables or the build asks for, with the config's distribution name", () => {
    expect(enabledPackages({})).toEqual([]);
    expect(enabledPackages({ clang: { enabled: false } })).toEqual([]);
    expect(enabledPackages({}, ["clang"])).toEqual([{ recipe: RECIPES["clang"], distribution: "clang-python-bindings" }]);
    expect(enabledPackages({ clang: { enabled: true, distribution: "our-clang" } })).toEqual([{ recipe: RECIPES["clang"], distribution: "our-clang" }]);
    expect(() => enabledPackages({}, ["gcc"])).toThrow(InvalidInputError);
  });

  it("names what a prebuilt layer must hold for it, and what a source layer must build", () => {
    expect(clangRecipe.layer.requires(22).map((r) => r.path)).toEqual(["lib/libclangIndex.a", "lib/libclangFrontend.a", "include/clang-c/Index.h", "lib/clang/22/include/stddef.h"]);
    expect(clangRecipe.layer.projects).toEqual(["clang"]);
  });
});
