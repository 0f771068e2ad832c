// The options resolved once (src/options/): defaults, config, environment and flags, frozen.
import { z } from "zod";
import { ReleaseConfig } from "./config.js";
import { ManylinuxPolicy } from "./platform.js";

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
