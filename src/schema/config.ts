// release.config.json: the release's configuration, with every default written here once.
import { z } from "zod";
import { PackageConfig, PackageId } from "./packages.js";
import { ManylinuxPolicy, PlatformConfig } from "./platform.js";
import { CmakeValue, CmakeVariable, DistributionName, GitRefName, GitRemote, GithubName, GithubRepoRef, HttpUrl, HttpUrlTemplate, PythonVersion, ToolVersion, TreePath } from "./strings.js";

// MLIR links most of LLVM (IR, ExecutionEngine + the host target for the JIT, TableGen, Support),
// so the set is "mlir/ and llvm/ and the shared CMake", minus what never reaches a wheel.
const MLIR_PATHS_INCLUDE = ["mlir/", "llvm/", "cmake/", "third-party/siphash/"];
const MLIR_PATHS_EXCLUDE = [
  "mlir/docs/",
  "mlir/unittests/",
  "mlir/utils/vim/",
  "mlir/utils/emacs/",
  "llvm/docs/",
  "llvm/test/",
  "llvm/unittests/",
  "llvm/utils/gn/",
  "llvm/benchmarks/",
  "llvm/examples/",
  "llvm/bindings/",
];

/** The compiler cache of the from-source layer build. An input of the plan, never of the layer's
 * key or options hash: a cache changes how long a build takes, never its bytes. */
export const CompilerCacheSettings = z
  .object({
    /** sccache (one binary on Linux, macOS and Windows, remote backends) or none. */
    kind: z.enum(["sccache", "none"]).default("sccache"),
    /** Where the hits come from: a local directory (restored/saved by CI), or the GitHub Actions
     * cache service (sccache's gha backend, credentials from the runner's environment). */
    backend: z.enum(["local", "gha"]).default("local"),
    /** Local cache directory; default <cache>/sccache. */
    dir: z.string().min(1).optional(),
    /** Untrusted builds (pull requests) read the cache but never write it. */
    readOnly: z.boolean().default(false),
    maxSize: z.string().regex(/^[1-9]\d*[KMGT]$/, "a size such as 10G").default("10G"),
  })
  .strict();
export type CompilerCacheSettings = z.infer<typeof CompilerCacheSettings>;

export const ReleaseConfig = z.object({
  distribution: DistributionName.default("mlir-python-bindings"),
  devDistribution: DistributionName.default("mlir-python-bindings-dev"),
  llvm: z
    .object({
      repository: GitRemote.default("https://github.com/llvm/llvm-project.git"),
      githubRepo: GithubRepoRef.default("llvm/llvm-project"),
      branch: GitRefName.default("main"),
    })
    .prefault({}),
  /** Python versions built on every platform (a platform may override). Absent (the default): the
   * CPython calendar's non-EOL versions at the plan's date ∩ the runners' offer (src/plan/python-support.ts). */
  pythons: z.array(PythonVersion).min(1).optional(),
  platforms: z.array(PlatformConfig).min(1).default([{ id: "linux-x86_64" }]),
  compilerCache: CompilerCacheSettings.prefault({}),
  /** The one default manylinux policy (widest reach: glibc 2.17); src/options/policy.ts applies it per platform. */
  manylinuxPolicy: ManylinuxPolicy.default("manylinux2014"),
  /** CMake options of the LLVM layer; part of the layer's cache key. */
  layerCmakeOptions: z.record(CmakeVariable, CmakeValue).default({
    CMAKE_BUILD_TYPE: "Release",
    LLVM_ENABLE_PROJECTS: "mlir",
    // What the bindings need, as upstream's own packaging builds: the host, plus NVPTX and AMDGPU for
    // the GPU dialects' module-to-binary paths. Every other backend would only add bytes to the
    // aggregate library (Debian's all-targets layer: see docs/wheel-measurements.md, "Where the aggregate library's bytes go").
    LLVM_TARGETS_TO_BUILD: "host;NVPTX;AMDGPU",
    LLVM_ENABLE_ASSERTIONS: "OFF",
    MLIR_ENABLE_BINDINGS_PYTHON: "OFF",
    LLVM_INCLUDE_TESTS: "OFF",
    LLVM_INCLUDE_BENCHMARKS: "OFF",
    LLVM_INCLUDE_EXAMPLES: "OFF",
    MLIR_INSTALL_AGGREGATE_OBJECTS: "ON",
    // Only what a release uses is built and installed (`ninja install-distribution`): LLVM's and MLIR's
    // libraries, headers and CMake exports (the bindings' aggregate, the runtime libraries, the dev
    // distribution), the MLIR tools the dev distribution and the tools wheel ship, and lit's utilities.
    // Left out: LLVM's own tools (llc, opt, lli, llvm-objdump, … ~90 programs, each a large static link).
    LLVM_INSTALL_UTILS: "ON",
    LLVM_DISTRIBUTION_COMPONENTS: [
      "llvm-headers", "llvm-libraries", "cmake-exports", "llvm-config", "llvm-tblgen",
      "FileCheck", "count", "not", "split-file",
      "mlir-headers", "mlir-libraries", "mlir-cmake-exports",
      "mlir-tblgen", "mlir-opt", "mlir-translate", "mlir-runner", "mlir-linalg-ods-yaml-gen", "mlir-pdll",
      "mlir-reduce", "mlir-query", "mlir-lsp-server", "tblgen-to-irdl",
      // Not mlir-src-sharder and mlir-irdl-to-cpp: build-time helpers that 22.x does not install (naming
      // them fails the configure there), and that Debian's layer does not ship either.
    ].join(";"),
    // Self-contained: no system library a manylinux wheel could not carry (Debian's layer made the dev
    // wheel's tools need libz3, libxml2 and libedit).
    LLVM_ENABLE_ZLIB: "OFF",
    LLVM_ENABLE_ZSTD: "OFF",
    LLVM_ENABLE_LIBXML2: "OFF",
    LLVM_ENABLE_LIBEDIT: "OFF",
    LLVM_ENABLE_Z3_SOLVER: "OFF",
  }),
  tools: z
    .object({
      nanobind: ToolVersion.default("2.9.2"),
      cmake: ToolVersion.default("3.25"),
    })
    .prefault({}),
  /** nanobind domain of our bindings: isolates our types from other MLIR-based packages. */
  nanobindDomain: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).default("mlir_release"),
  publish: z
    .object({
      github: z
        .object({
          owner: GithubName,
          repo: GithubName,
          /** REST API root; GitHub Enterprise or a local test server. Default: the public API. */
          apiUrl: HttpUrl.optional(),
          /** Release tag = prefix + version. */
          tagPrefix: z.string().regex(/^[A-Za-z0-9._-]*$/, "letters, digits, . _ - (a tag prefix such as v)").default("v"),
        })
        .optional(),
      pypi: z
        .object({
          repositoryUrl: HttpUrl,
          /** PEP 503 page root used to see what the index already has (default: <repositoryUrl>/simple/). */
          simpleUrl: HttpUrl.optional(),
          username: z.string().default("__token__"),
          /** Artifact kinds sent to PyPI; the dev wheel and dev tarball go to GitHub Releases and the index only. */
          include: z.array(z.enum(["wheel", "native-wheel", "tools-wheel", "package-wheel", "dev-wheel", "dev-tarball"])).min(1).default(["wheel", "native-wheel", "tools-wheel", "package-wheel"]),
          /** Files larger than this are named and not sent (PyPI's default limit is 100 MiB). */
          maxFileBytes: z.number().int().positive().default(100 * 1024 * 1024),
          /** The server accepts `:action=remove_pkg` (pypiserver with auth; PyPI does not): an interrupted upload is removed and sent again. */
          removeInterrupted: z.boolean().default(false),
        })
        .optional(),
      /** baseUrl: where the site is served; root: the directory holding the store and the site;
       * filesUrl: where the files are when the site does not host them, with {version} and {file}
       * (e.g. the GitHub release download URL), keeping a GitHub Pages site small. */
      index: z.object({ baseUrl: HttpUrl, root: z.string().min(1).optional(), filesUrl: HttpUrlTemplate.optional() }).optional(),
      /** A local channel folder (a URL is refused: publishing to a remote channel is not done here). */
      conda: z.object({ channel: z.string().min(1).refine((c) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(c), "a local channel folder, not a URL") }).optional(),
    })
    .prefault({}),
  /** Thinning (publish/retention.ts): every snapshot for allDays, then the newest of each ISO week
   * until weeklyDays, then the newest of each month (monthly: false drops those too); numbered
   * releases forever. A pruned snapshot stays listed as yanked and restorable. */
  retention: z
    .object({
      allDays: z.number().int().nonnegative().default(30),
      weeklyDays: z.number().int().positive().default(365),
      monthly: z.boolean().default(true),
    })
    .refine((r) => r.weeklyDays >= r.allDays, { message: "weeklyDays must be >= allDays", path: ["weeklyDays"] })
    .prefault({}),
  /** Paths (of the LLVM tree) the wheels are built from: a day on which none changed gets no
   * snapshot. Prefixes ending in "/" match a folder, others a file; exclude wins over include. */
  /** Optional: snapshots only from commits whose upstream CI passed (select/gate.ts). `checks` are
   * GitHub check-run names or commit-status contexts that must all have succeeded; at most
   * `lookBack` first-parent commits before the cutoff are considered. */
  snapshotGate: z
    .object({
      checks: z.array(z.string().min(1)).min(1),
      lookBack: z.number().int().positive().max(500).default(30),
    })
    .optional(),
  /** Packages built besides the MLIR bindings (src/packages/), each off unless enabled: `{"clang": {"enabled": true}}`. */
  packages: z.record(PackageId, PackageConfig).default({}),
  mlirPaths: z
    .object({
      include: z.array(TreePath).min(1).default(MLIR_PATHS_INCLUDE),
      exclude: z.array(TreePath).default(MLIR_PATHS_EXCLUDE),
    })
    .prefault({}),
});
export type ReleaseConfig = z.infer<typeof ReleaseConfig>;
