// The error taxonomy (after cibuildwheel's errors.py and changesets' error classes): every error
// that reaches a user is a ReleaseError with a stable `code`, the exit status of its class, an
// optional `cause`, and a one-line message naming the input and what to do. The CLI prints
// `error: <message>` and exits with `exitCode`; the stack only with --debug / MLIR_RELEASE_DEBUG=1.
//
// Exit statuses (documented in README.md, "Exit status"):
//   0  success
//   1  a command reported a negative answer on purpose (e.g. `plan` on a day without a release)
//   2  usage or bad input: a flag, config, plan, manifest or path is wrong (fix the input)
//   3  a check or a build step failed (verification, stage checks, a tool's non-zero exit)
//   4  conflict: the target already holds something else (another version, a held lock)
//   5  an external service failed or refused (GitHub, PyPI, a git remote)
//   70 internal error: a bug in mlir-release (please report it with --debug output)

import { CommandFailedError } from "./exec/env.js";
import { toolFailureLine } from "./exec/tool-failure.js";
import { currentPosition } from "./progress.js";

export const EXIT = {
  ok: 0,
  negative: 1,
  usage: 2,
  badInput: 2,
  check: 3,
  conflict: 4,
  external: 5,
  internal: 70,
} as const;

/** The exit statuses a failing run may end with (the fuzz test asserts membership). */
export const FAILURE_EXIT_STATUSES: readonly number[] = [EXIT.negative, EXIT.usage, EXIT.check, EXIT.conflict, EXIT.external, EXIT.internal];

interface ReleaseErrorOptions {
  cause?: unknown;
}

/** Base of every error meant for a user. Subclasses fix `code` and `exitCode`. */
class ReleaseError extends Error {
  override name = "ReleaseError";
  readonly code: string = "release-error";
  readonly exitCode: number = EXIT.internal;
  constructor(message: string, opts: ReleaseErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
  }
}

/** A command line that cannot be parsed (unknown option, missing argument). */
export class UsageError extends ReleaseError {
  override name = "UsageError";
  override readonly code: string = "usage";
  override readonly exitCode: number = EXIT.usage;
}

/** A flag, config, plan, manifest, file or folder that is wrong: the message names it and the fix. */
export class InvalidInputError extends ReleaseError {
  override name = "InvalidInputError";
  override readonly code: string = "bad-input";
  override readonly exitCode: number = EXIT.badInput;
}

/** A path built from data that would leave its root (`../`, an absolute part, a symlink out). */
export class PathEscapeError extends InvalidInputError {
  override name = "PathEscapeError";
  override readonly code = "path-escape";
}

/** A check that ran and said no: verification, stage checks, a tool that exited non-zero. */
export class CheckFailedError extends ReleaseError {
  override name = "CheckFailedError";
  override readonly code: string = "check-failed";
  override readonly exitCode: number = EXIT.check;
}

/** An external tool that exited non-zero or was killed (CommandFailedError): exit 3, one line naming
 * the step, the tool, its status and the log (src/exec/tool-failure.ts). */
export class ToolFailedError extends CheckFailedError {
  override name = "ToolFailedError";
  override readonly code: string = "tool-failed";
}

/** The target already holds something else (a published version, different bytes, a held lock). */
export class ConflictError extends ReleaseError {
  override name = "ConflictError";
  override readonly code: string = "conflict";
  override readonly exitCode: number = EXIT.conflict;
}

/** An external service (GitHub, PyPI, a git remote) failed or refused; status and endpoint kept. */
export class ExternalServiceError extends ReleaseError {
  override name = "ExternalServiceError";
  override readonly code: string = "external-service";
  override readonly exitCode: number = EXIT.external;
  constructor(
    message: string,
    readonly service: string,
    readonly status?: number,
    readonly endpoint?: string,
    opts: ReleaseErrorOptions = {},
  ) {
    super(message, opts);
  }
}

/** A bug: something that should not happen whatever the input. */
export class InternalError extends ReleaseError {
  override name = "InternalError";
  override readonly code: string = "internal";
  override readonly exitCode: number = EXIT.internal;
}

/** A command's deliberate negative answer (exit 1), e.g. "no release today" from `plan`. */
export class NegativeAnswer extends ReleaseError {
  override name = "NegativeAnswer";
  override readonly code: string = "negative";
  override readonly exitCode: number = EXIT.negative;
}

interface HttpLikeError {
  status: number;
  request?: { method?: string; url?: string };
  response?: { data?: unknown };
  message: string;
}
const isHttpError = (e: unknown): e is HttpLikeError =>
  e instanceof Error && typeof (e as { status?: unknown }).status === "number" && (e.name === "HttpError" || e.name === "RequestError" || "request" in e);

/** Strips the query (tokens, signatures) from an endpoint before it is shown. */
export const redactUrl = (url: string): string => {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return url.split("?")[0] ?? url;
  }
};

/** What to do after a given HTTP status (the token variables and the 404 hint are the service's). */
const httpAdvice = (status: number, service: string): string =>
  status === 401
    ? service === "PyPI"
      ? "check the upload token (TWINE_PASSWORD / MLIR_RELEASE_PYPI_TOKEN)"
      : "check the token (GITHUB_TOKEN / MLIR_RELEASE_GITHUB_TOKEN)"
    : status === 403
      ? service === "PyPI"
        ? "the token may not upload to this project"
        : "the token lacks a permission (contents: write for releases) or a rate limit was hit; retry later"
      : status === 404
        ? service === "PyPI"
          ? "check the repository URL"
          : "check the repository owner/name and that the token can see it"
        : status === 422
          ? "the service refused the request's content"
          : status >= 500
            ? "the service failed; retry later"
            : "see the service's message";

/**
 * Connection failures that no retry will fix soon: nothing listens (ECONNREFUSED), the host name
 * does not resolve (ENOTFOUND), no route, or a port fetch refuses to use ("bad port"). A reset or
 * a timeout in the middle of a transfer is not one of them (that is retried like a 5xx).
 */
const UNREACHABLE: Record<string, string> = {
  ECONNREFUSED: "connection refused: nothing listens there",
  ENOTFOUND: "host name not found",
  EAI_AGAIN: "host name lookup failed",
  EHOSTUNREACH: "no route to the host",
  ENETUNREACH: "network unreachable",
  "bad port": "a port fetch refuses to use",
};

/**
 * The reason a request never reached its server, if that is why `e` failed: the errno code found
 * in its cause chain (octokit reports these as "status 500" with the fetch error as the cause).
 */
export function connectionFailure(e: unknown): keyof typeof UNREACHABLE | undefined {
  let c: unknown = e;
  for (let depth = 0; c instanceof Error && depth < 6; depth++) {
    const code = (c as NodeJS.ErrnoException).code;
    if (typeof code === "string" && code in UNREACHABLE) return code;
    if (c.message === "bad port") return "bad port";
    const inner = c instanceof AggregateError ? c.errors.find((x) => connectionFailure(x)) : undefined;
    if (inner) return connectionFailure(inner);
    c = c.cause;
  }
  return undefined;
}

/** An HTTP answer that is not a success, as an external-service error: status, endpoint, what to do. */
export function httpStatusError(service: string, what: string, method: string, url: string, status: number): ExternalServiceError {
  const endpoint = redactUrl(url);
  return new ExternalServiceError(`${service}: ${what} failed: HTTP ${status} from ${method} ${endpoint}; ${httpAdvice(status, service)}`, service, status, endpoint);
}

interface WrapHttpOptions {
  /** What to check when the server could not be reached at all. */
  reachHint?: string;
  /** The request, when the error does not carry it (a plain fetch). */
  method?: string;
  url?: string;
}

/** Wraps an octokit/HTTP/fetch error: the service, the status, the endpoint (without query) and what to do. */
export function wrapHttpError(e: unknown, service: string, what: string, o: WrapHttpOptions = {}): ReleaseError {
  if (e instanceof ReleaseError) return e;
  const reachHint = o.reachHint ?? "check the URL and the network";
  const unreachable = connectionFailure(e);
  if (unreachable) {
    const req = (e as { request?: { method?: string; url?: string } }).request ?? (o.url ? { method: o.method, url: o.url } : undefined);
    const endpoint = req?.url ? redactUrl(req.url) : undefined;
    const where = endpoint ? `${req?.method ?? "GET"} ${endpoint}` : "the server";
    return new ExternalServiceError(`${service}: ${what} failed: ${where} could not be reached (${unreachable === "bad port" ? "" : `${unreachable}, `}${UNREACHABLE[unreachable]}); ${reachHint}`, service, undefined, endpoint, { cause: e });
  }
  if (isHttpError(e)) {
    const endpoint = e.request?.url ? redactUrl(e.request.url) : undefined;
    const method = e.request?.method ?? "";
    const first = firstLine(e.message);
    const status = e.status;
    return new ExternalServiceError(
      status
        ? `${service}: ${what} failed: HTTP ${status} from ${method} ${endpoint ?? "?"} (${first}); ${httpAdvice(status, service)}`
        : `${service}: ${what} failed: ${method} ${endpoint ?? "?"} could not be reached (${first}); ${reachHint}`,
      service,
      status,
      endpoint,
      { cause: e },
    );
  }
  const errno = (e as NodeJS.ErrnoException | undefined)?.code;
  if (e instanceof Error && (errno === "ECONNREFUSED" || errno === "ENOTFOUND" || errno === "ECONNRESET" || errno === "ETIMEDOUT" || e.name === "FetchError" || e.message === "fetch failed" || e.name === "TimeoutError")) {
    const cause = e.cause instanceof Error ? `: ${firstLine(e.cause.message)}` : "";
    const where = o.url ? ` (${o.method ?? "GET"} ${redactUrl(o.url)})` : "";
    return new ExternalServiceError(`${service}: ${what} failed${where}: ${firstLine(e.message)}${cause}${errno ? ` (${errno})` : ""}; ${reachHint}`, service, undefined, o.url ? redactUrl(o.url) : undefined, { cause: e });
  }
  return toReleaseError(e);
}

const firstLine = (s: string): string => (s.split("\n").find((l) => l.trim()) ?? s).trim();

const FS_ADVICE: Record<string, string> = {
  ENOENT: "it does not exist; check the path",
  ENOTDIR: "a part of the path is a file, not a folder",
  EISDIR: "it is a folder where a file was expected",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EEXIST: "it already exists",
  EROFS: "the file system is read-only",
  ENOSPC: "no space left on the device",
};

/** Any thrown value as a ReleaseError: file-system errors name the path (bad input), zod issues are
 * joined on one line, HTTP errors are external, the rest is internal. */
export function toReleaseError(e: unknown): ReleaseError {
  if (e instanceof ReleaseError) return e;
  if (isHttpError(e)) return wrapHttpError(e, "HTTP", "a request");
  if (e instanceof CommandFailedError) return new ToolFailedError(toolFailureLine(e, currentPosition()), { cause: e });
  if (e instanceof Error) {
    const err = e as NodeJS.ErrnoException & { path?: string; dest?: string };
    if (typeof err.code === "string" && err.code in FS_ADVICE && err.syscall) {
      const path = err.path ?? "?";
      return new InvalidInputError(`${path}: cannot ${err.syscall}: ${FS_ADVICE[err.code]} (${err.code})`, { cause: e });
    }
    if (e.name === "ZodError" && Array.isArray((e as { issues?: unknown }).issues)) {
      const issues = (e as unknown as { issues: Array<{ path: PropertyKey[]; message: string }> }).issues;
      return new InvalidInputError(`invalid input: ${issues.map((i) => `${i.path.map(String).join(".") || "(root)"}: ${i.message}`).join("; ")}`, { cause: e });
    }
    return new InternalError(`internal error: ${firstLine(e.message)} (a bug in mlir-release; rerun with --debug for the stack and report it)`, { cause: e });
  }
  return new InternalError(`internal error: ${String(e)} (rerun with --debug and report it)`, { cause: e });
}

/** The text the CLI prints for an error: one `error:` line, then (for some errors) indented detail
 * lines that never start with `error:`; with debug, the stack and the causes' stacks. */
export function formatError(e: ReleaseError, debug: boolean): string {
  const [head, ...rest] = e.message.split("\n");
  const detail = rest.filter((l) => l.trim()).map((l) => `  ${l.replace(/^\s*/, "")}`);
  let out = `error: ${head}${detail.length ? `\n${detail.join("\n")}` : ""}\n`;
  if (debug) {
    out += `[${e.code}, exit ${e.exitCode}]\n${e.stack ?? ""}\n`;
    let c: unknown = e.cause;
    while (c) {
      out += `caused by: ${c instanceof Error ? (c.stack ?? c.message) : String(c)}\n`;
      c = c instanceof Error ? c.cause : undefined;
    }
  }
  return out;
}
