// GitHub access in one place: one Octokit factory with one retry/throttle policy, the token
// lookup (one environment order), owner/name parsing, the API URL, release tags and asset
// matching, and githubCall, through which every call's failure leaves as an ExternalServiceError
// with status and endpoint. plan/history, publish/github and site/github-sync (the releases
// reader, which also knows retention's pruned marker) build their clients only here.
import Bottleneck from "bottleneck";
import { Octokit, RequestError } from "octokit";
import { InvalidInputError, wrapHttpError } from "../errors.js";
import { GithubRepoRef, HttpUrl, parseFlag } from "../schema.js";

export { RequestError };

export interface GithubOptions {
  token: string;
  owner: string;
  repo: string;
  /** REST root; undefined = the public API. */
  apiUrl?: string;
  tagPrefix?: string;
  /** Milliseconds per second of back-off (GitHub's Retry-After is in seconds). Tests use ~1. */
  retryUnitMs?: number;
  retries?: number;
  log?: (line: string) => void;
}

/** owner/name as a flag gives it (--github-repo, --published-in, --github). */
export function parseGithubRepo(value: string, flag: string): { owner: string; repo: string } {
  const v = parseFlag(GithubRepoRef, value, flag);
  const [owner = "", repo = ""] = v.split("/");
  return { owner, repo };
}

/** The environment variables a token is read from, in this order (the first non-empty wins). */
export const TOKEN_ENV = ["MLIR_RELEASE_GITHUB_TOKEN", "GITHUB_TOKEN"] as const;

/** The GitHub token, if any, from the environment only. */
export const githubTokenOptional = (): string | undefined => TOKEN_ENV.map((k) => process.env[k]).find((t) => !!t);

/** The GitHub token, from the environment only; `what` (who needs it) leads the error. */
export function githubTokenFromEnv(what: string): string {
  const token = githubTokenOptional();
  if (!token) throw new InvalidInputError(`${what}: neither ${TOKEN_ENV.join(" nor ")} is set`);
  return token;
}

/** The REST root: an explicit one (flag, config), else $GITHUB_API_URL, else the public API; http(s) only. */
export function githubApiUrl(explicit: string | undefined, what = "--api-url"): string | undefined {
  const fromEnv = process.env["GITHUB_API_URL"];
  const v = explicit ?? (fromEnv ? fromEnv : undefined);
  if (v === undefined) return undefined;
  return parseFlag(HttpUrl, v, explicit !== undefined ? what : "GITHUB_API_URL");
}

/** The one Octokit: retries (5 by default) and throttling with GitHub's Retry-After, writes spaced out. */
export function makeOctokit(o: Omit<GithubOptions, "owner" | "repo" | "token"> & { token?: string }): InstanceType<typeof Octokit> {
  const unit = o.retryUnitMs ?? 1000;
  const retries = o.retries ?? 5;
  const log = o.log ?? (() => {});
  const onLimit = (kind: string) => (after: number, opts: { method: string; url: string }, _o: unknown, retryCount: number): boolean => {
    log(`github: ${kind} on ${opts.method} ${opts.url}; retry ${retryCount + 1}/${retries} after ${after}s`);
    return retryCount < retries;
  };
  return new Octokit({
    ...(o.token ? { auth: o.token } : {}),
    ...(o.apiUrl ? { baseUrl: o.apiUrl.replace(/\/$/, "") } : {}),
    retry: { retries, retryAfterBaseValue: unit },
    throttle: {
      retryAfterBaseValue: unit,
      onRateLimit: onLimit("rate limit"),
      onSecondaryRateLimit: onLimit("secondary rate limit"),
      // GitHub asks for >= 1s between writes; tests on loopback shrink it with the unit.
      write: new Bottleneck.Group({ maxConcurrent: 1, minTime: unit }),
      notifications: new Bottleneck.Group({ maxConcurrent: 1, minTime: 3 * unit }),
    },
    log: { debug: () => {}, info: () => {}, warn: (m: string) => log(m), error: (m: string) => log(m) },
  });
}

/** Runs a GitHub call; any failure leaves as an ExternalServiceError naming `what`, the status and endpoint. */
export async function githubCall<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw wrapHttpError(e, "GitHub", what);
  }
}

export const releaseTag = (version: string, prefix = "v"): string => `${prefix}${version}`;

export type ReleaseAsset = { id: number; name: string; size: number; state: string; digest?: string | null };

/** An asset holds a file's bytes: same size, and the same digest where GitHub reports one. */
export const assetMatches = (a: ReleaseAsset, f: { size: number; sha256: string }): boolean =>
  a.size === f.size && !(a.digest && a.digest !== `sha256:${f.sha256}`);

export interface SkippedRelease {
  tag: string;
  reason: string;
}
