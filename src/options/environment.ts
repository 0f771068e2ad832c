// What the environment says beyond flags and config, read here once (resolveOptions calls these with
// the process's environment; tests call them with a record): this host (its Pythons, a sid root, a
// cross environment, a manylinux image's policy), the run (SOURCE_DATE_EPOCH, the compiler cache
// and layer store CI chooses per job) and the PyPI token a publish job is handed.
import { InvalidInputError } from "../errors.js";
import { CompilerCacheSettings } from "../schema/config.js";
import { LAYER_STORE_ENV, LayerStoreSpec } from "../schema/layer-store.js";
import type { HostOptions, LayerStoreTarget } from "../schema/options.js";
import { parseFlag } from "../schema/parse.js";
import { GithubRepoRef, HttpUrl } from "../schema/strings.js";

export type Env = Readonly<Record<string, string | undefined>>;

/** The variable CI sets per job: a JSON object of CompilerCacheSettings fields laid over the config's. */
export const COMPILER_CACHE_ENV = "MLIR_RELEASE_COMPILER_CACHE";

/** The variables each part reads (README "Environment" lists them). */
const HOST_ENV = {
  sidRoot: "MLIR_RELEASE_SID_ROOT",
  aarch64Cross: "MLIR_RELEASE_AARCH64_CROSS",
  auditwheelPlat: "AUDITWHEEL_PLAT",
  sourceDateEpoch: "SOURCE_DATE_EPOCH",
  compilerCache: COMPILER_CACHE_ENV,
  pypiToken: ["TWINE_PASSWORD", "MLIR_RELEASE_PYPI_TOKEN"],
  /** What the platform modules look at to find an interpreter (pythonCandidates), besides MLIR_RELEASE_PYTHON_<X_Y>. */
  discovery: ["PATH", "HOME", "PYENV_ROOT", "RUNNER_TOOL_CACHE", "LOCALAPPDATA", "MLIR_RELEASE_CACHE"],
} as const;

/** MLIR_RELEASE_PYTHON_3_12, MLIR_RELEASE_PYTHON_3_13T, …: an explicit interpreter per version. */
const PYTHON_OVERRIDE = /^MLIR_RELEASE_PYTHON_\d+_\d+T?$/i;

const pick = (env: Env, keep: (name: string) => boolean): Record<string, string> =>
  Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && keep(e[0])));

/** The compiler cache of a from-source layer: the config's, with MLIR_RELEASE_COMPILER_CACHE's JSON
 * fields laid over it (`{"readOnly":true}` in an untrusted build, `{"kind":"none"}` in the integrity rebuild). */
export function compilerCacheSettings(config: CompilerCacheSettings, env: Env): CompilerCacheSettings {
  const name = HOST_ENV.compilerCache;
  const text = env[name];
  if (!text) return config;
  let over: unknown;
  try {
    over = JSON.parse(text);
  } catch {
    throw new InvalidInputError(`${name}: not JSON; expected an object such as {"kind":"none"} or {"readOnly":true}`);
  }
  const r = CompilerCacheSettings.safeParse({ ...config, ...(over && typeof over === "object" ? over : { bad: over }) });
  if (!r.success) {
    throw new InvalidInputError(`${name}: ${r.error.issues.map((i) => `${i.path.join(".") || "value"}: ${i.message}`).join("; ")}`);
  }
  return r.data;
}

/**
 * The GitHub layer store MLIR_RELEASE_LAYER_STORE names, or undefined for the local store (unset or
 * `local`): `github` = the store release of $GITHUB_REPOSITORY (the runner sets it), `github:<owner>/<name>`
 * = that repository's. The REST root is $GITHUB_API_URL or the public API; the token, when present,
 * the resolver's one lookup (a public repository's assets need none).
 */
export function layerStoreTarget(env: Env, token: string | undefined): LayerStoreTarget | undefined {
  const spec = parseFlag(LayerStoreSpec, env[LAYER_STORE_ENV] ?? "local", LAYER_STORE_ENV);
  if (spec === "local") return undefined;
  const repoText = spec === "github" ? env["GITHUB_REPOSITORY"] : spec.slice("github:".length);
  if (!repoText) throw new InvalidInputError(`${LAYER_STORE_ENV}=github: GITHUB_REPOSITORY is not set; set it to <owner>/<name> or use github:<owner>/<name>`);
  const [owner = "", repo = ""] = parseFlag(GithubRepoRef, repoText, spec === "github" ? "GITHUB_REPOSITORY" : LAYER_STORE_ENV).split("/");
  const apiUrl = env["GITHUB_API_URL"] ? parseFlag(HttpUrl, env["GITHUB_API_URL"], "GITHUB_API_URL") : undefined;
  return { owner, repo, ...(token ? { token } : {}), ...(apiUrl ? { apiUrl } : {}) };
}

function sourceDateEpoch(env: Env): number | undefined {
  const text = env[HOST_ENV.sourceDateEpoch];
  if (!text) return undefined;
  // As before: a number (Number("1.7e9") too); what is no number at all is refused here, not deep in a wheel.
  const n = Number(text);
  if (!Number.isFinite(n)) throw new InvalidInputError(`${HOST_ENV.sourceDateEpoch}='${text}': expected seconds since 1970 (an integer)`);
  return n;
}

/** This host and this run as the environment describes them. */
export function hostOptions(env: Env, githubToken: string | undefined): HostOptions {
  const discovery = new Set<string>(HOST_ENV.discovery);
  const epoch = sourceDateEpoch(env);
  const store = layerStoreTarget(env, githubToken);
  const pypiToken = HOST_ENV.pypiToken.map((n) => env[n]).find(Boolean);
  return {
    discoveryEnv: pick(env, (n) => discovery.has(n) || PYTHON_OVERRIDE.test(n)),
    ...(env[HOST_ENV.sidRoot] ? { sidRoot: env[HOST_ENV.sidRoot] } : {}),
    ...(env[HOST_ENV.aarch64Cross] ? { aarch64Cross: env[HOST_ENV.aarch64Cross] } : {}),
    ...(env[HOST_ENV.auditwheelPlat] ? { auditwheelPlat: env[HOST_ENV.auditwheelPlat] } : {}),
    ...(epoch !== undefined ? { sourceDateEpoch: epoch } : {}),
    ...(store ? { layerStore: store } : {}),
    ...(pypiToken ? { pypiToken } : {}),
  };
}
