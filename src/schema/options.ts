// The options resolved once (src/options/): defaults, config, environment and flags, frozen.
import { z } from "zod";
import { CompilerCacheSettings, ReleaseConfig } from "./config.js";
import { ManylinuxPolicy } from "./platform.js";

/** A layers release on GitHub a build reads layer archives from (MLIR_RELEASE_LAYER_STORE=github[:<owner>/<name>]). */
export const LayerStoreTarget = z.object({
  owner: z.string(),
  repo: z.string(),
  token: z.string().min(1).optional(),
  /** GITHUB_API_URL; unset = the public API. */
  apiUrl: z.url().optional(),
});
export type LayerStoreTarget = z.infer<typeof LayerStoreTarget>;

/** This host and this run as the environment describes them (src/options/environment.ts reads each variable once). */
export const HostOptions = z.object({
  /** What the platform modules read to find interpreters: PATH, HOME, PYENV_ROOT, RUNNER_TOOL_CACHE, LOCALAPPDATA, MLIR_RELEASE_CACHE, MLIR_RELEASE_PYTHON_<X_Y>. */
  discoveryEnv: z.record(z.string(), z.string()),
  /** MLIR_RELEASE_SID_ROOT: a prepared Debian sid root; linux-x86_64 builds add its CPython 3.14/3.15. */
  sidRoot: z.string().optional(),
  /** MLIR_RELEASE_AARCH64_CROSS: a prepared cross environment; linux-aarch64 builds cross-compile on x86_64. */
  aarch64Cross: z.string().optional(),
  /** AUDITWHEEL_PLAT: inside a manylinux image, the policy its wheels are repaired to. */
  auditwheelPlat: z.string().optional(),
  /** SOURCE_DATE_EPOCH: the wheels' timestamps when neither a plan nor the release fixes them. */
  sourceDateEpoch: z.number().optional(),
  /** MLIR_RELEASE_LAYER_STORE: a GitHub layer store besides the local one (unset or `local`: none). */
  layerStore: LayerStoreTarget.optional(),
  /** TWINE_PASSWORD, else MLIR_RELEASE_PYPI_TOKEN: the PyPI upload token (environment only). */
  pypiToken: z.string().min(1).optional(),
});
export type HostOptions = z.infer<typeof HostOptions>;

/** Options resolved once (src/options/resolve-options.ts): defaults → release.config.json → environment → flags. */
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
  /** The from-source layer's compiler cache: the config's, MLIR_RELEASE_COMPILER_CACHE laid over it. */
  compilerCache: CompilerCacheSettings,
  host: HostOptions,
});
export type ResolvedOptions = z.infer<typeof ResolvedOptions>;
