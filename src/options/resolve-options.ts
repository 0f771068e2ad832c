// Options resolved once (cibuildwheel's options.py is the model): defaults → release.config.json →
// environment → flags, merged here into one frozen, zod-validated object. Commands and the Dagger
// module take what they need from it; nothing else reads configuration or the environment for them.
import { dirname, join, resolve } from "node:path";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { InvalidInputError } from "../errors.js";
import { ResolvedOptions } from "../schema/options.js";
import { parseFlag, parseOrExplain } from "../schema/parse.js";
import { ManylinuxPolicy } from "../schema/platform.js";
import { HttpUrl } from "../schema/strings.js";
import { CONFIG_FILE, loadReleaseConfig } from "./config.js";
import { compilerCacheSettings, type Env, hostOptions } from "./environment.js";

/** The checkout's root, computed once: src/options/ is two levels below it. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Every environment variable the resolver reads, by option. */
export const OPTION_ENV = {
  cache: "MLIR_RELEASE_CACHE",
  tools: "MLIR_RELEASE_TOOLS",
  githubToken: ["MLIR_RELEASE_GITHUB_TOKEN", "GITHUB_TOKEN"],
  githubApiUrl: "GITHUB_API_URL",
  githubServerUrl: "GITHUB_SERVER_URL",
} as const;

const PUBLIC_GITHUB = "https://github.com";

/** The flags every command shares the meaning of (commander's attribute names). */
export interface OptionFlags {
  config?: string | undefined;
  cache?: string | undefined;
  githubRepository?: string | undefined;
  githubApiUrl?: string | undefined;
  policy?: string | undefined;
  indexRoot?: string | undefined;
}

/** owner/name as GitHub spells it; `what` (the flag or config key) leads the error. */
export function parseGithubRepository(value: string, what = "--github-repository"): { owner: string; repo: string } {
  const m = /^([A-Za-z0-9][A-Za-z0-9_.-]*)\/([A-Za-z0-9_.-]+)$/.exec(value);
  if (!m) throw new InvalidInputError(`${what} '${value}': expected <owner>/<name>`);
  return { owner: m[1]!, repo: m[2]! };
}

/** --policy's value, or a one-line error listing the policies. */
export function parsePolicyFlag(value: string, what = "--policy"): ManylinuxPolicy {
  const r = ManylinuxPolicy.safeParse(value);
  if (!r.success) throw new InvalidInputError(`${what} '${value}': expected one of ${ManylinuxPolicy.options.join(", ")}`);
  return r.data;
}

/** The one GitHub token lookup: MLIR_RELEASE_GITHUB_TOKEN, else GITHUB_TOKEN. */
export function githubTokenOf(env: Env): string | undefined {
  for (const name of OPTION_ENV.githubToken) {
    const v = env[name];
    if (v) return v;
  }
  return undefined;
}

/** The token, or a one-line error naming who needs it and the variables to set. */
export function requireGithubToken(o: ResolvedOptions, what: string): string {
  if (!o.github.token) throw new InvalidInputError(`${what}: neither ${OPTION_ENV.githubToken.join(" nor ")} is set`);
  return o.github.token;
}

/** The tools venv when MLIR_RELEASE_TOOLS does not say: <repo>/.cache/tools (what `ci/setup.sh` creates). */
const defaultToolsDir = (repoRoot: string = REPO_ROOT): string => join(repoRoot, ".cache", "tools");

function deepFreeze<T>(v: T): T {
  if (v && typeof v === "object") {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

/**
 * Merge defaults → release.config.json (--config, else <repo>/release.config.json) → environment →
 * flags. Relative paths from flags and the environment resolve against the working directory.
 */
export function resolveOptions(flags: OptionFlags = {}, env: Env = process.env, repoRoot: string = REPO_ROOT): Readonly<ResolvedOptions> {
  const config = loadReleaseConfig(repoRoot, flags.config);
  const configFile = flags.config ? resolve(flags.config) : existsSync(join(repoRoot, CONFIG_FILE)) ? join(repoRoot, CONFIG_FILE) : null;
  const g = config.publish.github;
  const repository = flags.githubRepository
    ? parseGithubRepository(flags.githubRepository)
    : g
      ? parseGithubRepository(`${g.owner}/${g.repo}`, "publish.github owner/repo")
      : undefined;
  const token = githubTokenOf(env);
  // The API root is the one exception to "environment over config": every Actions job has
  // GITHUB_API_URL set, so a configured (Enterprise or local) root must not lose to it.
  const apiUrl =
    flags.githubApiUrl !== undefined
      ? parseFlag(HttpUrl, flags.githubApiUrl, "--github-api-url")
      : (g?.apiUrl ?? (env[OPTION_ENV.githubApiUrl] ? parseFlag(HttpUrl, env[OPTION_ENV.githubApiUrl]!, OPTION_ENV.githubApiUrl) : undefined));
  const indexRoot = flags.indexRoot ?? config.publish.index?.root;
  const policy = flags.policy === undefined ? config.manylinuxPolicy : parsePolicyFlag(flags.policy);
  const cache = flags.cache ?? env[OPTION_ENV.cache];
  const tools = env[OPTION_ENV.tools];
  const options = parseOrExplain(
    ResolvedOptions,
    {
      repoRoot,
      configFile,
      config,
      cacheDir: cache ? resolve(cache) : join(repoRoot, ".cache"),
      toolsDir: tools ? resolve(tools) : defaultToolsDir(repoRoot),
      policy,
      github: {
        ...(repository ? { repository } : {}),
        ...(token ? { token } : {}),
        ...(apiUrl ? { apiUrl } : {}),
        serverUrl: env[OPTION_ENV.githubServerUrl] || PUBLIC_GITHUB,
        tagPrefix: g?.tagPrefix ?? "v",
      },
      ...(indexRoot ? { indexRoot: resolve(indexRoot) } : {}),
      compilerCache: compilerCacheSettings(config.compilerCache, env),
      host: hostOptions(env, token),
    },
    "options (flags, environment, release.config.json)",
  );
  return deepFreeze(options);
}
