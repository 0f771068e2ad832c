// The one HTTP client and its one retry policy. Every request of src/ that is not the GitHub API
// (PyPI's simple API and uploads, a release index, the doctor's JSON API) goes through httpFetch;
// the one Octokit (github.ts) keeps its own transport but waits by the same retryDelay, so both
// back off alike. No raw fetch outside src/external/ (test/unit/http-client.test.ts checks it).
import { connectionFailure, redactUrl, wrapHttpError } from "../errors.js";

/** Statuses never retried (as @octokit/plugin-retry): the request itself is wrong or forbidden. */
export const DO_NOT_RETRY: readonly number[] = [400, 401, 403, 404, 410, 422, 451];

interface HttpPolicy {
  /** Retries after the first attempt of a transient failure. */
  retries: number;
  /** Milliseconds per unit of back-off: attempt n+1 waits (n+1)² units. Tests use ~1. */
  unitMs: number;
  /** Milliseconds until the response's headers arrive (a body is then read without a limit: large downloads). */
  timeoutMs: number;
}

/** The policy's values: shared by httpFetch and makeOctokit (which sets no timeout: its uploads take minutes). */
export const HTTP_POLICY: Readonly<HttpPolicy> = { retries: 5, unitMs: 1000, timeoutMs: 60_000 };

/** Connection failures get at most this one short retry (a server restarting); then they fail. */
const SHORT_RETRY_UNITS = 0.25;

/**
 * How long to wait before attempt `attempt + 1` of a request that failed with `e`, or undefined to
 * give up. A server that cannot be reached (refused, unknown host, bad port) fails at once: one
 * short retry for a refused connection, none for a name that does not resolve. Other failures
 * keep @octokit/plugin-retry's policy: any status >= 400 outside DO_NOT_RETRY (5xx, 429, 408, a
 * reset mid-transfer, which octokit reports as 500), a timeout and fetch's connection reset are
 * retried `retries` times, waiting (n+1)² units.
 */
export function retryDelay(e: unknown, attempt: number, retries: number, unitMs: number): number | undefined {
  const unreachable = connectionFailure(e);
  if (unreachable) return attempt === 0 && (unreachable === "ECONNREFUSED" || unreachable === "EAI_AGAIN") ? SHORT_RETRY_UNITS * unitMs : undefined;
  // No answer at all: a timeout, or fetch's "fetch failed" for a connection reset or closed mid-answer.
  const noAnswer = e instanceof Error && (e.name === "TimeoutError" || (e instanceof TypeError && e.message === "fetch failed"));
  const status = (e as { status?: unknown }).status;
  if (!noAnswer && (typeof status !== "number" || status < 400 || DO_NOT_RETRY.includes(status))) return undefined;
  return attempt >= retries ? undefined : (attempt + 1) ** 2 * unitMs;
}

/** Methods a retry cannot repeat the effect of (RFC 9110 §9.2.2); a POST is sent once. */
const IDEMPOTENT = new Set(["GET", "HEAD", "PUT", "DELETE", "OPTIONS"]);

interface HttpCall {
  /** The service errors name ("PyPI", "index") and what the request is for ("listing mlir"). */
  service: string;
  what: string;
  /** What to check when the server cannot be reached at all. */
  reachHint?: string;
  policy?: Partial<HttpPolicy>;
  log?: (line: string) => void;
}

/** One attempt: aborted with a TimeoutError when no response headers came within `timeoutMs`. */
async function attempt(url: string, init: RequestInit, timeoutMs: number): Promise<Response> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(new DOMException(`no response within ${timeoutMs} ms`, "TimeoutError")), timeoutMs);
  try {
    return await fetch(url, { ...init, signal: abort.signal });
  } finally {
    clearTimeout(timer);
  }
}

/**
 * fetch with the policy: idempotent requests are retried on a retryable status, a timeout or a
 * refused connection; the last answer is returned whatever its status (the caller reads 404 and
 * the like). A request that never got an answer leaves as an ExternalServiceError naming the
 * service, the endpoint and `reachHint`.
 */
export async function httpFetch(url: string, init: RequestInit, call: HttpCall): Promise<Response> {
  const { retries, unitMs, timeoutMs } = { ...HTTP_POLICY, ...call.policy };
  const method = (init.method ?? "GET").toUpperCase();
  const mayRetry = IDEMPOTENT.has(method);
  for (let n = 0; ; n++) {
    let res: Response | undefined;
    let failure: unknown;
    try {
      res = await attempt(url, init, timeoutMs);
    } catch (e) {
      failure = e;
    }
    const wait = mayRetry ? retryDelay(res ? { status: res.status } : failure, n, retries, unitMs) : undefined;
    if (wait === undefined) {
      if (res) return res;
      throw wrapHttpError(failure, call.service, call.what, { method, url, ...(call.reachHint ? { reachHint: call.reachHint } : {}) });
    }
    await res?.body?.cancel(); // frees the connection of an answer that is not read
    const why = res ? `HTTP ${res.status}` : (connectionFailure(failure) ?? (failure as Error).name);
    call.log?.(`${call.service}: ${why} on ${method} ${redactUrl(url)}; retry ${n + 1}/${retries} after ${wait} ms`);
    await new Promise((r) => setTimeout(r, wait));
  }
}
