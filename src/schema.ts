// The one place where the concepts of a release are defined (zod). Every stage imports its
// types from here; nothing else declares a parallel shape. Changes are additive: a manifest
// written by an older version must still parse (schemaVersion says which rules apply).
import { closest, distance } from "fastest-levenshtein";
import { z } from "zod";
import { InvalidInputError } from "./errors.js";

export const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, "a lowercase hex sha256 (64 chars)");
export const GitCommit = z.string().regex(/^[0-9a-f]{40}$/, "a full 40-hex git commit id");
export const LlvmVersion = z
  .string()
  .regex(/^\d+\.\d+\.\d+(-rc\d+)?$/, "an LLVM version such as 22.1.8 or 23.1.0-rc2");
export const PythonVersion = z.string().regex(/^3\.\d+t?$/, "a CPython version such as 3.12 or 3.13t");

// ---- Validated strings: every string that becomes a path, URL, argv element or file name. ----

/** PEP 440 version in canonical form (what wheel file names and indexes use): 22.1.8,
 * 23.0.0.dev2026112500, 23.1.0rc2, 22.1.8.post1. No local part, no spaces, nothing path-like. */
export const Pep440Version = z
  .string()
  .regex(
    /^([1-9][0-9]*!)?(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*((a|b|rc)(0|[1-9][0-9]*))?(\.post(0|[1-9][0-9]*))?(\.dev(0|[1-9][0-9]*))?$/,
    "a canonical PEP 440 version such as 22.1.8, 23.1.0rc2 or 23.0.0.dev2026112500",
  );
/** A tool's version pin (nanobind 2.9.2, cmake 3.25): dotted numbers, PEP 440 pre/post/dev allowed. */
export const ToolVersion = z
  .string()
  .regex(/^\d+(\.\d+)*((a|b|rc)\d+)?(\.post\d+)?(\.dev\d+)?$/, "a version such as 2.9.2 (digits and dots)");
/** PEP 503-normalized distribution name: lowercase, runs of -_. folded to one "-". */
export const DistributionName = z
  .string()
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "a PEP 503-normalized distribution name such as mlir-python-bindings (lowercase letters, digits, single dashes)");
/** PEP 503 normalization: what a name becomes (for "did you mean"). */
export const normalizeDistribution = (name: string): string => name.toLowerCase().replace(/[-_.]+/g, "-");
/** A file name without any folder part: never "", ".", "..", never a separator, never a leading "-" or ".". */
export const PlainFileName = z
  .string()
  .regex(/^[A-Za-z0-9_+][A-Za-z0-9._+-]*$/, "a plain file name (letters, digits, . _ + -; no folder, no leading dot or dash)")
  .max(255);
/** A member of a wheel (zip) as conda's recipes turn it into a path: `/`-separated plain names (no `..`, no absolute, no `\`). */
export const WheelMemberPath = z
  .string()
  .max(1024)
  .refine((p) => p.split("/").every((part) => PlainFileName.safeParse(part).success), "a relative path of plain names (a/b.so: no '..', no leading '/', no '\\')");
/** http(s) URL only: no javascript:, file:, data: or schemeless text. */
export const HttpUrl = z.url({ protocol: /^https?$/, error: "an http(s) URL" });
/** A URL template with {version} and/or {file} placeholders that is an http(s) URL once filled. */
export const HttpUrlTemplate = z
  .string()
  .refine((t) => HttpUrl.safeParse(t.replaceAll("{version}", "1.0").replaceAll("{file}", "f.whl")).success, "an http(s) URL template such as https://host/{version}/{file}")
  .refine((t) => t.includes("{file}"), "the template must contain {file}");
/** A git remote: an http(s)/ssh/git URL or a local path; never an option (leading "-"), never a control char. */
export const GitRemote = z
  .string()
  .min(1)
  .refine((r) => !r.startsWith("-") && !/[\u0000-\u001f]/.test(r), "a git URL or path (not starting with '-')")
  .refine((r) => !/^[a-z][a-z0-9+.-]*:/i.test(r) || /^(https?|ssh|git|file):\/\//i.test(r) || /^[A-Za-z0-9_.-]+@[^:]+:/.test(r), "a git URL (https://, ssh://, git://, file://, user@host:path) or a path");
/** A git ref name (branch, tag) as git check-ref-format allows, never an option. */
export const GitRefName = z
  .string()
  .regex(/^(?!-)(?!.*\.\.)(?!.*\/\/)(?!.*@\{)[A-Za-z0-9._\/+-]+(?<!\.lock)(?<![./])$/, "a git branch or tag name (no leading '-', no '..')");
/** A GitHub owner or repository name. */
export const GithubName = z
  .string()
  .regex(/^(?!\.{1,2}$)[A-Za-z0-9_.-]{1,100}$/, "a GitHub owner or repository name (letters, digits, . _ -)")
  .refine((n) => !n.startsWith("-"), "a GitHub name does not start with '-'");
/** owner/name of a GitHub repository. */
export const GithubRepoRef = z
  .string()
  .regex(/^[^/]+\/[^/]+$/, "owner/name")
  .refine((s) => s.split("/").every((p) => GithubName.safeParse(p).success), "owner/name, each a GitHub name (letters, digits, . _ -)");
/** The environment variable the CLI's build reads its LayerStoreSpec from (the Dagger module sets it in the container). */
export const LAYER_STORE_ENV = "MLIR_RELEASE_LAYER_STORE";
/** Where builds read LLVM layer archives from (MLIR_RELEASE_LAYER_STORE): the local store, or a layers release on GitHub. */
export const LayerStoreSpec = z.union([z.enum(["local", "github"]), z.string().regex(/^github:[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, "local | github | github:<owner>/<name>")]);

const daysIn = (y: number, m: number): number => new Date(Date.UTC(y, m, 0)).getUTCDate();
const dateExists = (y: number, m: number, d: number): boolean => m >= 1 && m <= 12 && d >= 1 && d <= daysIn(y, m);
/** A day that exists: YYYY-MM-DD (2026-02-31 and 2026-13-45 are refused). */
export const CalendarDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "a date YYYY-MM-DD")
  .refine((s) => dateExists(Number(s.slice(0, 4)), Number(s.slice(5, 7)), Number(s.slice(8, 10))), "a date that exists (YYYY-MM-DD)");
const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
/** An instant in ISO 8601 as people write it: 2026-03-06T23:59Z (minute precision), ...:59:30.5Z,
 * ...+00:00, or a bare date (that whole UTC day: its last millisecond). Parsed to canonical
 * UTC (toISOString); impossible dates and times are refused. */
export const IsoInstant = z
  .string()
  .refine((s) => {
    const m = ISO_INSTANT.exec(s);
    if (!m) return false;
    if (!dateExists(Number(m[1]), Number(m[2]), Number(m[3]))) return false;
    if (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 59)) return false;
    if (m[4] !== undefined && m[8] === undefined) return false; // a time needs its zone: UTC is Z or +00:00
    return !Number.isNaN(Date.parse(normalizeInstant(s)));
  }, "an ISO 8601 UTC time such as 2026-03-06T23:59Z, 2026-03-06T23:59:00+00:00, or a date 2026-03-06")
  .transform((s) => new Date(Date.parse(normalizeInstant(s))).toISOString());
function normalizeInstant(s: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return `${s}T23:59:59.999Z`;
  return s.replace(/T(\d{2}):(\d{2})(Z|[+-])/, "T$1:$2:00$3").replace(/([+-]\d{2})(\d{2})$/, "$1:$2");
}
/** A positive integer given as text (a flag): "8" → 8; "abc", "0", "-1", "1.5", "" refused. */
export const PositiveIntText = z
  .string()
  .regex(/^[1-9][0-9]{0,8}$/, "a positive integer such as 1, 2 or 8")
  .transform(Number);
/** A CMake cache variable name and a value without newlines (they become -D argv elements). */
export const CmakeVariable = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "a CMake variable name");
export const CmakeValue = z.string().refine((v) => !/[\n\r\u0000]/.test(v), "a CMake value on one line");
/** A relative path inside a tree (mlirPaths): no leading "/" or "-", no ".." segment. */
export const TreePath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith("/") && !p.startsWith("-") && !p.split("/").includes(".."), "a path relative to the tree root (no leading / or -, no ..)");

export const PlatformId = z.enum([
  "linux-x86_64",
  "linux-aarch64",
  "macos-arm64",
  "macos-x86_64",
  "windows-x64",
]);
export type PlatformId = z.infer<typeof PlatformId>;

/** A wheel's compatibility tag triple (PEP 425), e.g. cp312-cp312-manylinux_2_17_x86_64. */
export const WheelTag = z.object({
  python: z.string().regex(/^(cp3\d+|py3)$/),
  abi: z.string().regex(/^(cp3\d+t?|abi3|none)$/),
  // A compressed tag set (PEP 425) joins tags with dots: manylinux2014 wheels are manylinux_2_17_x86_64.manylinux2014_x86_64.
  platform: z.string().regex(/^[a-z0-9_]+(\.[a-z0-9_]+)*$/, "a platform tag such as manylinux_2_28_x86_64, macosx_11_0_arm64, win_amd64 or any"),
});
export type WheelTag = z.infer<typeof WheelTag>;
export const wheelTagString = (t: WheelTag): string => `${t.python}-${t.abi}-${t.platform}`;

/** How the per-Python part of the bindings is built: per version, stable ABI, or free-threaded. */
export const AbiVariant = z.enum(["cpython", "abi3", "freethreaded"]);
export type AbiVariant = z.infer<typeof AbiVariant>;

export const PlatformConfig = z.object({
  id: PlatformId,
  /** Container image reference for Linux builds; must name an entry of containers/images.lock.json. */
  image: z.string().optional(),
  pythons: z.array(PythonVersion).min(1).optional(),
});
export type PlatformConfig = z.infer<typeof PlatformConfig>;

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
/** manylinux policies of the Linux builds (the image a build runs in and the tag auditwheel repairs to). */
export const ManylinuxPolicy = z.enum(["manylinux2014", "manylinux_2_28"]);
export type ManylinuxPolicy = z.infer<typeof ManylinuxPolicy>;

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
          include: z.array(z.enum(["wheel", "native-wheel", "tools-wheel", "dev-wheel", "dev-tarball"])).min(1).default(["wheel", "native-wheel", "tools-wheel"]),
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
  /** Optional: snapshots only from commits whose upstream CI passed (plan/gate.ts). `checks` are
   * GitHub check-run names or commit-status contexts that must all have succeeded; at most
   * `lookBack` first-parent commits before the cutoff are considered. */
  snapshotGate: z
    .object({
      checks: z.array(z.string().min(1)).min(1),
      lookBack: z.number().int().positive().max(500).default(30),
    })
    .optional(),
  mlirPaths: z
    .object({
      include: z.array(TreePath).min(1).default(MLIR_PATHS_INCLUDE),
      exclude: z.array(TreePath).default(MLIR_PATHS_EXCLUDE),
    })
    .prefault({}),
});
export type ReleaseConfig = z.infer<typeof ReleaseConfig>;

/** Options resolved once (src/options/resolve.ts): defaults → release.config.json → environment → flags. */
export const ResolvedOptions = z.object({
  /** The checkout the CLI runs from (the Dagger module's source inside its container). */
  repoRoot: z.string(),
  /** The config file that was read, or null when none exists and the defaults apply. */
  configFile: z.string().nullable(),
  config: ReleaseConfig,
  /** Sources, trees, layers, venvs, work dirs and logs: --cache, MLIR_RELEASE_CACHE, <repo>/.cache. */
  cacheDir: z.string(),
  /** The tools venv (auditwheel, lit, twine, ...): MLIR_RELEASE_TOOLS, <repo>/.cache/tools. */
  toolsDir: z.string(),
  policy: ManylinuxPolicy,
  github: z.object({
    /** The releases' repository: --github-repository, else publish.github's owner/repo. */
    repository: z.object({ owner: z.string(), repo: z.string() }).optional(),
    /** MLIR_RELEASE_GITHUB_TOKEN, else GITHUB_TOKEN (environment only). */
    token: z.string().min(1).optional(),
    /** REST root: --github-api-url, GITHUB_API_URL, publish.github.apiUrl; unset = the public API. */
    apiUrl: z.url().optional(),
    /** Web root for download links: GITHUB_SERVER_URL, else the public site. */
    serverUrl: z.url(),
    tagPrefix: z.string(),
  }),
  /** --index-root, else publish.index.root. */
  indexRoot: z.string().optional(),
});
export type ResolvedOptions = z.infer<typeof ResolvedOptions>;

export const ReleaseKind = z.enum(["snapshot", "numbered"]);
export type ReleaseKind = z.infer<typeof ReleaseKind>;

export const ReleaseRequest = z.object({
  kind: ReleaseKind,
  /** numbered: llvmorg-X.Y.Z[-rcN]; snapshot: a branch or commit (default: the config's branch). */
  ref: z.string().optional(),
  /** snapshot cutoff, ISO-8601 UTC (2026-03-06T23:59Z, ...+00:00, or a bare date = the end of that UTC day); default now. */
  cutoff: IsoInstant.optional(),
  /** rebuild number for a numbered release that was already published (.postN). */
  post: z.number().int().positive().optional(),
  overrides: z
    .object({ pythons: z.array(PythonVersion).optional(), platforms: z.array(PlatformId).optional() })
    .default({}),
});
export type ReleaseRequest = z.infer<typeof ReleaseRequest>;

/** A platform's Pythons in a plan: what was built and dropped, and why (basis: the calendar, the config or the request). */
export const PythonSupportRecord = z.strictObject({
  platform: PlatformId,
  basis: z.enum(["calendar", "config", "request"]),
  /** The plan's date the calendar was read at. */
  date: CalendarDate,
  calendar: z.string(),
  pythons: z.array(PythonVersion),
  added: z.array(z.strictObject({ python: PythonVersion, reason: z.string() })),
  dropped: z.array(z.strictObject({ python: PythonVersion, reason: z.string() })),
});
export type PythonSupportRecord = z.infer<typeof PythonSupportRecord>;

/** One cell of the build matrix: a platform × Python (or one abi3 build serving several). */
export const MatrixEntry = z.object({
  platform: PlatformId,
  python: PythonVersion,
  abi: AbiVariant,
  tag: WheelTag,
});
export type MatrixEntry = z.infer<typeof MatrixEntry>;

export const LlvmSourceRef = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("tarball"),
    /** File name of the tarball (e.g. Debian's orig tarball); located via a provider. */
    file: PlainFileName,
    sha256: Sha256,
    /** How to obtain it when it is not cached, e.g. {"debian": "llvm-toolchain-22"}. */
    origin: z.record(z.string(), z.string()).default({}),
  }),
  z.object({
    kind: z.literal("git"),
    repository: GitRemote,
    commit: GitCommit,
  }),
]);
export type LlvmSourceRef = z.infer<typeof LlvmSourceRef>;

/** Unknown fields are refused (a misspelt or foreign field would otherwise be dropped silently). */
export const ReleasePlan = z.strictObject({
  schemaVersion: z.literal(1),
  kind: ReleaseKind,
  /** PEP 440 version of every artifact of this release. */
  version: Pep440Version,
  distribution: DistributionName,
  devDistribution: DistributionName,
  llvm: z.strictObject({
    /** The LLVM commit the release is built from, or the tag's peeled commit. */
    commit: GitCommit,
    version: LlvmVersion,
    repository: GitRemote,
    /** ISO-8601 commit date; the source of SOURCE_DATE_EPOCH. */
    commitDate: z.iso.datetime({ offset: true }),
    tag: GitRefName.optional(),
  }),
  source: LlvmSourceRef,
  sourceDateEpoch: z.number().int().nonnegative(),
  matrix: z.array(MatrixEntry).min(1),
  abiChoice: z.strictObject({ variant: AbiVariant, reason: z.string() }),
  /** Which Pythons each platform builds and why: the CPython calendar at the plan's date (src/plan/python-support.ts). */
  pythonSupport: z.array(PythonSupportRecord).optional(),
  /** The manylinux policy of each Linux platform (what build, rebuild and the Dagger module use). */
  policies: z.record(z.string(), ManylinuxPolicy).optional(),
  /** Container image pins by platform (image reference with @sha256 digest). */
  images: z.partialRecord(PlatformId, z.string().regex(/^[a-z0-9][a-z0-9._:/@-]*$/, "an image reference")).default({}),
  tools: z.record(z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, "a tool name"), ToolVersion),
  layer: z.strictObject({
    cmakeOptions: z.record(CmakeVariable, CmakeValue),
    /** sha256 over (commit, cmakeOptions); the cache key of the LLVM layer together with platform. */
    optionsHash: Sha256,
  }),
  nanobindDomain: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "a C identifier"),
  /** How select chose the commit: where from, which ref and cutoff, the snapshot's day and sequence. */
  selection: z
    .strictObject({
      source: z.string(),
      ref: z.string(),
      cutoff: z.string().optional(),
      snapshotDate: CalendarDate.optional(),
      sequence: z.number().int().min(0).max(99).optional(),
      /** The previous snapshot's commit, the start of the release notes' range. */
      previousCommit: GitCommit.optional(),
      /** The CI gate's evidence: the checks the chosen commit passed, and the newer commits passed over. */
      gate: z
        .object({
          commit: z.string(),
          checks: z.array(z.object({ name: z.string(), source: z.enum(["check-run", "status", "none"]), state: z.string(), detail: z.string() })),
          examined: z.array(z.object({ commit: z.string(), verdict: z.string() })),
        })
        .optional(),
    })
    .optional(),
});
export type ReleasePlan = z.infer<typeof ReleasePlan>;

/** "native-wheel": the one py3-none wheel per platform (`<distribution>-native`) every per-Python wheel pins.
 *  "tools-wheel": the self-contained command-line tools per platform (`<distribution>-tools`, src/wheels/tools-wheel.ts). */
export const ArtifactKind = z.enum(["wheel", "native-wheel", "tools-wheel", "dev-wheel", "dev-tarball", "conda", "notes"]);
export type ArtifactKind = z.infer<typeof ArtifactKind>;
/** The artifact kinds that are wheels (served by an index, PEP 658 metadata beside them). */
export const isWheelKind = (k: string): boolean => k === "wheel" || k === "native-wheel" || k === "tools-wheel" || k === "dev-wheel";
/** The distribution (project) a wheel artifact belongs to. */
export const wheelProject = (k: string, plan: { distribution: string; devDistribution: string }): string =>
  k === "dev-wheel" ? plan.devDistribution : k === "native-wheel" ? `${plan.distribution}-native` : k === "tools-wheel" ? `${plan.distribution}-tools` : plan.distribution;
export const Artifact = z.strictObject({
  kind: ArtifactKind,
  fileName: PlainFileName,
  sha256: Sha256,
  size: z.number().int().nonnegative(),
  platform: PlatformId.optional(),
  python: PythonVersion.optional(),
  tag: WheelTag.optional(),
});
export type Artifact = z.infer<typeof Artifact>;
/** Artifacts (and SHA256SUMS lines) are listed by file name in code-unit order, the same on every host. */
export const byFileName = (a: { fileName: string }, b: { fileName: string }): number => (a.fileName < b.fileName ? -1 : a.fileName > b.fileName ? 1 : 0);

/** A hashed requirements file a venv was installed from, as the report and manifest record it. */
export const PinnedRequirements = z.strictObject({
  /** Repository-relative path of the file (containers/provision/requirements/…). */
  file: z.string(),
  sha256: Sha256,
  /** Every pin in it (name==version, with its environment marker when it has one). */
  pins: z.array(z.string()),
  /** The file itself (every pin with its hashes): what `rebuild` installs. */
  text: z.string(),
});
export type PinnedRequirements = z.infer<typeof PinnedRequirements>;

/** One file member of a wheel and the sha256 of its bytes: what `rebuild` compares without the old wheel. */
export const WheelMember = z.strictObject({ name: z.string(), sha256: Sha256, size: z.number().int().nonnegative() });
export type WheelMember = z.infer<typeof WheelMember>;
/** Every wheel's file members (central directory order), by wheel file name. */
export const WheelMembers = z.record(z.string(), z.array(WheelMember));

/**
 * What reached a build's bytes from outside the repository (src/rebuild/inputs.ts): the layer and
 * the packages it came from, the compiler and binutils, each Python's headers, nanobind, and the
 * libraries auditwheel grafted with the packages they came from. Recorded, not pinned.
 */
export const BuildInputs = z.strictObject({
  /** `c++ --version` and `ld --version`, first lines. */
  compiler: z.string(),
  linker: z.string(),
  layer: z.strictObject({
    kind: z.string(),
    key: z.string(),
    prefix: z.string(),
    /** A source layer's CMake options; a prebuilt layer's owning packages are in `packages`. */
    cmakeOptions: z.record(z.string(), z.string()).optional(),
  }),
  /** Installed system packages (dpkg) that own the layer, the compiler, binutils and grafted libraries: name → version. */
  packages: z.record(z.string(), z.string()),
  /** Per Python: the interpreter whose headers the extensions were compiled against, and nanobind in its build venv. */
  pythons: z.record(z.string(), z.strictObject({ version: z.string(), nanobind: z.string() })),
  /** Per wheel: the libraries auditwheel grafted (member, sha256, the file and package it came from). */
  grafted: z.record(
    z.string(),
    z.array(z.strictObject({ member: z.string(), sha256: Sha256, from: z.string().optional(), package: z.string().optional() })),
  ),
  /** What could not be found out (e.g. no dpkg on this host). */
  notes: z.array(z.string()).default([]),
});
export type BuildInputs = z.infer<typeof BuildInputs>;

export const ReleaseManifest = z.strictObject({
  schemaVersion: z.literal(1),
  plan: ReleasePlan,
  artifacts: z.array(Artifact),
  provenance: z.strictObject({
    builder: z.string(),
    pipelineVersion: z.string(),
    /** What produced the LLVM layer: a from-source build or a prebuilt prefix (and its version). */
    layer: z.record(z.string(), z.string()).default({}),
    /** The hashed requirements the tools venv and build venvs were installed from: what `rebuild` installs. */
    requirements: z.strictObject({ tools: PinnedRequirements, build: PinnedRequirements }).optional(),
    /** Each wheel's members with their sha256 (manifests before issue 25 lack it). */
    members: WheelMembers.optional(),
    /** The inputs from outside the repository that reached the bytes (manifests before issue 25 lack it). */
    inputs: BuildInputs.optional(),
  }),
  /** Result of verify per wheel file name (lit counts, auditwheel verdict); informative. */
  verification: z.record(z.string(), z.unknown()).default({}),
  yanked: z.record(z.string(), z.string()).default({}),
  /** Set when the release was promoted (re-versioned, no compiler) from an earlier one with the same build inputs. */
  promotedFrom: z
    .object({
      version: z.string(),
      /** Per promoted file: the earlier file, its sha256, and the members that changed (metadata only). */
      artifacts: z.record(z.string(), z.object({ from: z.string(), sha256: Sha256, changed: z.array(z.string()) })),
    })
    .optional(),
});
export type ReleaseManifest = z.infer<typeof ReleaseManifest>;

/** A UTC calendar day, YYYY-MM-DD (a real one). */
export const UtcDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "YYYY-MM-DD")
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), "not a real day");

/** A release version as a command argument or file name part (PEP 440 characters only; no path). */
export const ReleaseVersionText = z.string().regex(/^[0-9][0-9A-Za-z.!+_-]*$/, "a PEP 440 version such as 23.0.0.dev2026112500");

/** A snapshot whose files retention removed (store/pruned/<version>.json, GitHub pruned.json). */
export const PrunedRecord = z.object({
  version: ReleaseVersionText,
  /** The PEP 592 yank reason (names the restore command). */
  reason: z.string().min(1),
  prunedOn: UtcDay,
});
export type PrunedRecord = z.infer<typeof PrunedRecord>;

/** JSON Schema of the manifest, for downstream tools that validate manifests without TypeScript. */
export const manifestJsonSchema = (): unknown => z.toJSONSchema(ReleaseManifest, { io: "input" });

/** containers/images.lock.json: build images (and the Node runtime the CLI runs on inside them),
 * pinned by digest. A placeholder pin has the right shape but was never resolved against a
 * registry; the pipeline refuses it rather than pull something unverified. */
export const ImageDigest = z.string().regex(/^sha256:[0-9a-f]{64}$/, "sha256:<64 hex>");
/** Where a pinned digest or checksum was found: a public file that pins it (repository, path, commit),
 * or a registry resolution by containers/refresh-image-pins.sh. Recorded so every pin can be re-checked. */
export const PinSource = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("published-pin"),
    repository: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, "<owner>/<name> of a public repository"),
    path: z.string().regex(/^[A-Za-z0-9_.@+-]+(\/[A-Za-z0-9_.@+-]+)*$/, "a relative file path inside the repository"),
    commit: z.string().regex(/^[0-9a-f]{40}$/, "a 40-hex commit"),
    committed: z.string().regex(/^\d{4}-\d\d-\d\d$/).optional(),
  }),
  z.object({ kind: z.literal("registry"), by: z.string().min(1) }),
]);
export type PinSource = z.infer<typeof PinSource>;
/** A pin that is not a placeholder must say when it was made and where it came from. */
const sourcedPin = (x: { placeholder: boolean; source?: unknown; date?: unknown }, ctx: z.RefinementCtx) => {
  if (x.placeholder) return;
  if (!x.source) ctx.addIssue({ code: "custom", path: ["source"], message: "a resolved pin needs its source (where the digest was found)" });
  if (!x.date) ctx.addIssue({ code: "custom", path: ["date"], message: "a resolved pin needs the date of the tag or file it pins" });
};
const PinDate = z.string().regex(/^\d{4}-\d\d-\d\d$/, "YYYY-MM-DD");

export const LockedImage = z.object({
  /** Repository path without registry host, tag or digest, e.g. pypa/manylinux2014_x86_64. The host
   * is an input (ImagesLock.registryEnv) so no registry is named in the repository. */
  repository: z
    .string()
    .regex(/^[a-z0-9_-]+(\/[a-z0-9._-]+)+$/, "<namespace>/<name> without a registry host (the host comes from the environment)"),
  /** The tag the digest was resolved from (informative; the digest is what is pulled). */
  tag: z.string(),
  digest: ImageDigest,
  /** OCI platform, e.g. linux/amd64. */
  platform: z.enum(["linux/amd64", "linux/arm64"]),
  /** The wheel policy auditwheel repairs to inside this image. */
  policy: ManylinuxPolicy,
  /** glibc of the image: decides which Node build can run in it. */
  glibc: z.string().regex(/^\d+\.\d+$/),
  placeholder: z.boolean().default(false),
  /** Date of the tag (or release) the digest belongs to. */
  date: PinDate.optional(),
  source: PinSource.optional(),
}).superRefine(sourcedPin);
export type LockedImage = z.infer<typeof LockedImage>;
export const LockedDownload = z.object({
  /** File name under <dist base>/v<version>/; the base is an input (ImagesLock.node.distEnv). */
  file: z.string().regex(/^[A-Za-z0-9._-]+$/, "a file name without host or path"),
  /** This build's Node version when it is not node.version (the newest one with a published checksum). */
  version: z.string().regex(/^\d+\.\d+\.\d+$/).optional(),
  sha256: Sha256,
  placeholder: z.boolean().default(false),
  date: PinDate.optional(),
  source: PinSource.optional(),
});
export type LockedDownload = z.infer<typeof LockedDownload>;
export const ImagesLock = z.object({
  schemaVersion: z.literal(1),
  /** Where and when the pins were last resolved (refresh-image-pins.sh writes this). */
  refreshed: z.object({ at: z.string().nullable(), by: z.string(), registryAccess: z.boolean() }),
  /** Environment variable holding the image registry host (host[:port]); read when an image is pulled. */
  registryEnv: z.string().regex(/^[A-Z][A-Z0-9_]*$/).default("MLIR_RELEASE_IMAGE_REGISTRY"),
  images: z.record(z.string().regex(/^[a-z0-9_]+$/), LockedImage),
  /** Node runtimes for the CLI inside the images, keyed like node-<arch>-glibc-<min glibc>. */
  node: z.object({
    version: z.string().regex(/^\d+\.\d+\.\d+$/),
    /** Environment variable holding the Node download base URL (serves <base>/v<version>/<file>). */
    distEnv: z.string().regex(/^[A-Z][A-Z0-9_]*$/).default("MLIR_RELEASE_NODE_DIST_URL"),
    builds: z.record(z.string(), LockedDownload.extend({ arch: z.enum(["x86_64", "aarch64"]), minGlibc: z.string() }).superRefine(sourcedPin)),
  }),
});
export type ImagesLock = z.infer<typeof ImagesLock>;

/** Parse with a one-line message that names the input, each failing field and the value it holds
 * (`invalid --platform "linux-mips64": …`, `artifacts.0.fileName: … (got "../x.whl")`; unknown keys too). */
export function parseOrExplain<T extends z.ZodType>(schema: T, input: unknown, what: string): z.infer<T> {
  const r = schema.safeParse(input, { reportInput: true });
  if (r.success) return r.data;
  const shown = shownValue(input);
  if (shown !== undefined && r.error.issues.every((i) => !i.path.length)) {
    throw new InvalidInputError(`invalid ${what} ${shown}: ${r.error.issues.map(issueMessage).join("; ")}`);
  }
  throw new InvalidInputError(`invalid ${what}: ${explainIssues(r.error.issues)}`);
}

// A value an error may repeat: never one under a secret-looking key (the resolved options hold the token).
const SECRET_KEY = /token|password|secret/i;
/** A string, number or boolean as an error shows it: JSON-quoted (so one line), at most ~80 characters. */
const shownValue = (v: unknown): string | undefined =>
  typeof v === "string" ? JSON.stringify(v.length > 80 ? `${v.slice(0, 77)}...` : v) : typeof v === "number" || typeof v === "boolean" ? String(v) : undefined;

/** An issue's message, plus the nearest allowed value when a string missed a list of choices by a typo. */
function issueMessage(i: z.core.$ZodIssue): string {
  if (i.code === "invalid_value" && typeof i.input === "string") {
    const choices = i.values.filter((v): v is string => typeof v === "string");
    const near = choices.length ? closest(i.input, choices) : undefined;
    if (near !== undefined && distance(i.input.toLowerCase(), near.toLowerCase()) <= Math.max(2, Math.floor(i.input.length / 4))) return `${i.message}; did you mean "${near}"?`;
  }
  return i.message;
}

/** zod issues on one line: "field.path: message (got "value"); other: message" (at most 6, then "and N more"). */
export function explainIssues(issues: readonly z.core.$ZodIssue[]): string {
  const parts = issues.map((i) => {
    const at = i.path.length ? i.path.map(String).join(".") : "(root)";
    const keys = i.code === "unrecognized_keys" ? ` (${i.keys.join(", ")}: unknown field, misspelt?)` : "";
    const shown = i.path.some((k) => SECRET_KEY.test(String(k))) ? undefined : shownValue(i.input);
    return `${at}: ${i.code === "unrecognized_keys" ? "unknown field" : issueMessage(i)}${keys}${shown === undefined ? "" : ` (got ${shown})`}`;
  });
  return parts.length > 6 ? `${parts.slice(0, 6).join("; ")}; and ${parts.length - 6} more` : parts.join("; ");
}

/** A flag's value through a schema: `--keep 'abc': expected a positive integer`. */
export function parseFlag<T extends z.ZodType>(schema: T, value: unknown, flag: string): z.infer<T> {
  const r = schema.safeParse(value, { reportInput: true });
  if (r.success) return r.data;
  throw new InvalidInputError(`${flag} '${String(value)}': ${r.error.issues.map(issueMessage).join("; ")}`);
}

export { InvalidInputError } from "./errors.js";

/** What one run of the wheel factory produced on one platform (written as build-report.json). */
/**
 * One step of a build (issue 13): provision → source → layer → venv → configure → build → install →
 * strip → zip → repair → dev → verify. A command step is an argv the step runner executes; an
 * in-process step is work the factory does itself (assemble a wheel, extract a source), shown by name.
 */
export const BuildPhase = z.enum(["provision", "source", "layer", "venv", "configure", "build", "install", "strip", "zip", "repair", "dev", "verify"]);
export type BuildPhase = z.infer<typeof BuildPhase>;
const StepCommon = {
  /** Unique within one build, e.g. "py3.12/configure". */
  id: z.string().min(1),
  phase: BuildPhase,
  why: z.string(),
  /** CPython version of a per-Python step. */
  python: PythonVersion.optional(),
  /** Files or directories the step makes. */
  produces: z.array(z.string()).default([]),
  /** Directories emptied (removed) before the step runs. */
  cleans: z.array(z.string()).default([]),
  /** Skipped while `stamp` holds `key`; the step with `record` writes it after succeeding. */
  upToDate: z.object({ stamp: z.string(), key: z.string(), record: z.boolean().default(false) }).optional(),
};
export const BuildStep = z.discriminatedUnion("kind", [
  z.object({
    ...StepCommon,
    kind: z.literal("command"),
    argv: z.array(z.string()).min(1),
    env: z.record(z.string(), z.string()).default({}),
    /** Directories put in front of PATH for this command (the tools venv's bin). */
    pathPrepend: z.array(z.string()).default([]),
    cwd: z.string().optional(),
    /** Its output is data the factory reads (auditwheel show, the smoke test's JSON). */
    capture: z.boolean().default(false),
    /** A non-zero exit is a finding, not a failure (check-wheel-contents). */
    mayFail: z.boolean().default(false),
  }),
  z.object({ ...StepCommon, kind: z.literal("in-process"), name: z.string(), detail: z.string().default("") }),
]);
export type BuildStep = z.infer<typeof BuildStep>;
export type BuildStepInput = z.input<typeof BuildStep>;


/** One entry of CMake's compile_commands.json (the bindings build's compile database). */
export const CompileCommand = z.object({
  directory: z.string(),
  command: z.string().optional(),
  arguments: z.array(z.string()).optional(),
  file: z.string(),
});
export type CompileCommand = z.infer<typeof CompileCommand>;

/** A wheel the factory built (or reused): the per-Python wheels and the platform's native wheel alike. */
const BuiltWheel = z.object({
  fileName: PlainFileName, // joined to the output folder by verify and stage: never a path
  sha256: Sha256,
  size: z.number().int(),
  tag: WheelTag,
  reused: z.boolean(),
  seconds: z.record(z.string(), z.number()),
  auditwheel: z.object({ consistentWith: z.string(), policy: z.string(), reasons: z.array(z.string()) }).optional(),
});

export const BuildReport = z.object({
  platform: PlatformId,
  distribution: z.string(),
  version: z.string(),
  llvm: z.object({ version: z.string(), commit: z.string(), sourceIdentity: z.string() }),
  layer: z.object({ kind: z.enum(["prebuilt", "source"]), prefix: z.string(), key: z.string() }),
  sourceDateEpoch: z.number().int(),
  nanobindDomain: z.string(),
  /** The tools venv's and the build venvs' hashed requirements (optional: reports before issue 13 lack it). */
  requirements: z.object({ tools: PinnedRequirements, build: PinnedRequirements }).optional(),
  wheels: z.array(z.object({ python: PythonVersion, ...BuiltWheel.shape })),
  /** Each wheel's members with their sha256, and the outside inputs (src/rebuild/: added after the factory; optional). */
  members: WheelMembers.optional(),
  inputs: BuildInputs.optional(),
  verification: z
    .record(
      z.string(),
      z.object({
        python: PythonVersion,
        wheelContents: z.array(z.object({ code: z.string(), message: z.string() })),
        smoke: z.record(z.string(), z.unknown()),
        /** Free-threaded wheels: containers/verify/free_threaded.py's result (threads, GIL state). */
        freeThreaded: z.record(z.string(), z.unknown()).optional(),
        /** Stable-ABI wheels: abi3audit's verdict (extensions scanned, limited-API versions they need). */
        abi3audit: z.object({ scanned: z.number(), violations: z.array(z.string()), computed: z.array(z.string()) }).optional(),
        lit: z
          .object({
            passed: z.number(),
            failed: z.number(),
            unsupported: z.number(),
            xfail: z.number(),
            other: z.number(),
            failures: z.array(z.string()),
          })
          .optional(),
        seconds: z.number(),
      }),
    )
    .default({}),
  /** The platform's native wheel (the C API and runtime libraries every per-Python wheel pins with ==). */
  native: BuiltWheel.optional(),
  /** The downstream kit built from the same layer and bindings: a dev tarball and a dev wheel. */
  dev: z
    .array(
      z.object({
        kind: z.enum(["dev-tarball", "dev-wheel"]),
        fileName: PlainFileName,
        sha256: Sha256,
        size: z.number().int(),
        /** Bytes once unpacked (tarball) or installed (wheel). */
        unpackedSize: z.number().int(),
        tag: WheelTag.optional(),
      }),
    )
    .default([]),
  seconds: z.record(z.string(), z.number()),
});
export type BuildReport = z.infer<typeof BuildReport>;


/** Publish targets of a staged release (publish stage). */
export const PublishTarget = z.enum(["github", "pypi", "index", "conda"]);
export type PublishTarget = z.infer<typeof PublishTarget>;
/** What publishing did with one file on one target; a rerun after success is all "skipped". */
export const PublishAction = z.object({
  target: PublishTarget,
  file: z.string(),
  action: z.enum(["uploaded", "skipped", "replaced-incomplete", "created", "updated", "built"]),
});
export type PublishAction = z.infer<typeof PublishAction>;
export const PublishReport = z.object({
  version: z.string(),
  actions: z.array(PublishAction),
  /** Targets not configured or not possible here, with the reason. */
  skippedTargets: z.record(z.string(), z.string()).default({}),
});
export type PublishReport = z.infer<typeof PublishReport>;

// ---- Downstream projects (issue 19): a project that extends MLIR-Python, built by this machinery
// against one of our releases. Its manifest is the same family as ours: artifacts (the Artifact
// schema), provenance, and the release it was built against, pinned by digests.
/** A Python identifier: an import package prefix or a nanobind domain. */
export const PyIdentifier = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "a Python identifier (letters, digits, _)");

/** How a downstream project is built: recorded in its manifest, replayed by `downstream rebuild`. */
export const DownstreamProject = z.strictObject({
  distribution: DistributionName,
  version: Pep440Version,
  /** MLIR_PYTHON_PACKAGE_PREFIX: the project's import package (its own copy of the core bindings lives under it). */
  packagePrefix: PyIdentifier,
  /** MLIR_BINDINGS_PYTHON_NB_DOMAIN: never the release's own domain. */
  nanobindDomain: PyIdentifier,
  /** sha256 over the project's files (sorted relative path and content): what a rebuild must be given. */
  sourceDigest: Sha256,
  sourceDateEpoch: z.number().int().nonnegative(),
  buildTargets: z.array(z.string().regex(/^[A-Za-z0-9_.+-]+$/)).min(1),
  installComponents: z.array(z.string().regex(/^[A-Za-z0-9_.+-]+$/)).min(1),
  cmakeDefines: z.record(CmakeVariable, CmakeValue).default({}),
  requiresDist: z.array(z.string()),
  requiresPython: z.string(),
});
export type DownstreamProject = z.infer<typeof DownstreamProject>;

export const DownstreamManifest = z.strictObject({
  schemaVersion: z.literal(1),
  kind: z.literal("downstream"),
  project: DownstreamProject,
  /** Our release the wheels were built against and pin (Requires-Dist: <distribution>==<version>). */
  builtAgainst: z.object({
    distribution: DistributionName,
    version: z.string(),
    llvmVersion: LlvmVersion,
    llvmCommit: z.string(),
    nanobind: ToolVersion,
    nanobindDomain: PyIdentifier,
    /** sha256 of the release's manifest.json as served. */
    manifestSha256: Sha256,
    devTarball: z.object({ fileName: z.string().min(1), sha256: Sha256 }),
  }),
  platform: PlatformId,
  artifacts: z.array(Artifact),
  provenance: ReleaseManifest.shape.provenance,
  verification: z.record(z.string(), z.unknown()).default({}),
  yanked: z.record(z.string(), z.string()).default({}),
});
export type DownstreamManifest = z.infer<typeof DownstreamManifest>;
