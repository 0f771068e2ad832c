// The second package (issue 31): clang's Python bindings (clang/bindings/python/clang, upstream's
// files, cindex.py's default library path pointed at the bundled library) with a self-contained
// libclang built from clang/tools/libclang of the same tree against the layer's static clang and
// LLVM archives, and clang's builtin headers so `#include <stddef.h>` works. The build is the CMake
// project containers/clang/; the tests are upstream's clang/bindings/python/tests, run by
// containers/clang/run_binding_tests.py against the installed wheel.
import type { PackageRecipe } from "../recipe.js";

/** What the build needs from the tree (libclang's sources, one header file) and the tests (the bindings and their tests). */
export const CLANG_SOURCE_PATHS = [
  "clang/tools/libclang",
  "clang/bindings/python",
  // The C API's headers: upstream's test_enums parses Index.h from the tree.
  "clang/include/clang-c",
  // Not installed into any layer (upstream installs include/'s *.h and *.def only), included by ExtractAPI's headers.
  "clang/include/clang/ExtractAPI/APIRecords.inc",
] as const;

export const clangRecipe: PackageRecipe = {
  id: "clang",
  title: "clang Python bindings + libclang",
  // `libclang` and `clang` on the index are community projects (a wheel that lags LLVM releases, and
  // an old upload of the bindings without the library): this project's name follows its MLIR one.
  defaultDistribution: "clang-python-bindings",
  sourcePaths: CLANG_SOURCE_PATHS,
  // libclang links all of clang's libraries (a from-source layer builds them at the snapshot's commit),
  // its builtin headers ship in the wheel: all of clang/ but its docs and test suites.
  relevantPaths: { include: ["clang/"], exclude: ["clang/docs/", "clang/test/", "clang/unittests/", "clang/www/"] },
  layer: {
    requires: (major) => [
      { path: "lib/libclangIndex.a", providedBy: `libclang-${major}-dev (clang's static archives)` },
      { path: "lib/libclangFrontend.a", providedBy: `libclang-${major}-dev (clang's static archives)` },
      { path: "include/clang-c/Index.h", providedBy: `libclang-${major}-dev (clang's headers)` },
      { path: `lib/clang/${major}/include/stddef.h`, providedBy: `libclang-common-${major}-dev (clang's builtin headers)` },
    ],
    projects: ["clang"],
    // The static archives and headers libclang links (clang-libraries, clang-headers) and the resource
    // dir's headers (clang-resource-headers); a layer without them cannot build the package.
    distributionComponents: ["clang-libraries", "clang-headers", "clang-resource-headers"],
  },
  wheel: {
    packageName: "clang",
    summary: (llvm) => `clang's Python bindings (clang.cindex) with libclang ${llvm} and its builtin headers, self-contained`,
    requiresPython: ">=3.9",
    license: "Apache-2.0 WITH LLVM-exception",
  },
  build: (c) => [
    {
      name: "configure",
      phase: "configure",
      argv: [
        c.tool("cmake"),
        "-G",
        "Ninja",
        "-S",
        `${c.repoRoot}/containers/clang`,
        "-B",
        c.buildDir,
        `-DCMAKE_MAKE_PROGRAM=${c.tool("ninja")}`,
        "-DCMAKE_BUILD_TYPE=Release",
        `-DCLANG_RELEASE_SOURCE_DIR=${c.sourceRoot}`,
        `-DCLANG_RELEASE_LLVM_PREFIX=${c.layerPrefix}`,
        `-DCLANG_RELEASE_LLVM_VERSION=${c.llvmVersion}`,
      ],
      why: "configure containers/clang: libclang's sources of this tree against the layer's static archives",
    },
    {
      name: "build",
      phase: "build",
      argv: [c.tool("ninja"), "-C", c.buildDir, ...(c.jobs ? [`-j${c.jobs}`] : [])],
      why: "libclang.so (~25 translation units, one link): only the C API exported (upstream's libclang.map)",
    },
    {
      name: "install",
      phase: "install",
      argv: [c.tool("cmake"), "--install", c.buildDir, "--prefix", c.stageDir, "--strip"],
      why: "the clang package as it goes into the wheel: bindings, native/libclang.so, lib/clang/<major>/include",
      cleans: [c.stageDir],
      produces: [`${c.stageDir}/clang`],
    },
  ],
  tests: (c) => [
    {
      name: "tests",
      phase: "verify",
      argv: [c.python, `${c.repoRoot}/containers/clang/run_binding_tests.py`, `${c.sourceRoot}/clang/bindings/python/tests`, c.workDir],
      // Upstream's check-clang-python sets it: no clang config file may add flags to the tests' parses.
      env: { CLANG_NO_DEFAULT_CONFIG: "1" },
      cwd: "/",
      why: "`#include <stddef.h>` from the bundled resource dir, then upstream's clang/bindings/python/tests against the installed wheel",
      cleans: [c.workDir],
      capture: true,
    },
  ],
};
