// The one GitHub client fails fast when the API cannot be reached (issue 14: `site-sync`,
// `publish --targets github` and `plan` with an API URL where nothing listens used to retry
// for a minute and more: octokit reports a refused connection as "status 500"), and keeps its
// retries for what a retry can fix: 5xx, 429, a reset in the middle of a transfer.
// Real sockets on 127.0.0.1: a port that was just closed (refused) and the fake GitHub server.
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectionFailure, EXIT, ExternalServiceError } from "../../src/errors.js";
import { fetchPublishedReleases, makeOctokit } from "../../src/external/github.js";
import { retryDelay } from "../../src/external/http.js";
import { GitHubGateSource } from "../../src/select/github-gate.js";
import { FakeGitHub } from "../support/fake-github.js";

/** A loopback port where nothing listens: bound, then closed. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** The error a call ends with (the test fails if it resolves). */
async function failure(p: Promise<unknown>): Promise<ExternalServiceError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(ExternalServiceError);
  return e as ExternalServiceError;
}

const retryLines = (log: string[]): string[] => log.filter((l) => / retry \d+\/\d+ after /.test(l));

describe("an API URL where nothing listens", () => {
  it("the releases reader gives up after one short retry: exit 5, one line naming the endpoint and what to check", async () => {
    const port = await closedPort();
    const log: string[] = [];
    // The production back-off (1 s units, 5 retries): the old policy waited 1+4+9+16+25 s here.
    const t0 = Date.now();
    const e = await failure(fetchPublishedReleases({ token: "t", owner: "o", repo: "r", apiUrl: `http://127.0.0.1:${port}`, log: (l) => log.push(l) }, { metadata: false }));
    const ms = Date.now() - t0;
    expect(e.exitCode).toBe(EXIT.external);
    expect(e.code).toBe("external-service");
    expect(e.status).toBeUndefined();
    expect(e.message).not.toContain("\n");
    expect(e.message).toMatch(
      new RegExp(`^GitHub: reading the releases of o/r failed: GET http://127\\.0\\.0\\.1:${port}/repos/o/r/releases could not be reached \\(ECONNREFUSED, connection refused: nothing listens there\\); check the GitHub API URL \\(.*GITHUB_API_URL.*\\)`),
    );
    expect(retryLines(log)).toEqual([`github: ECONNREFUSED on GET http://127.0.0.1:${port}/repos/o/r/releases; retry 1/1 after 250 ms`]);
    expect(ms).toBeLessThan(15_000); // one 250 ms retry, not a minute of back-off
  });

  it("the CI gate's client is the same one: the gate fails at once with the endpoint too", async () => {
    const port = await closedPort();
    const gate = new GitHubGateSource("llvm", "llvm-project", { apiUrl: `http://127.0.0.1:${port}` });
    const e = await failure(gate.filesOf("0".repeat(40)));
    expect(e.exitCode).toBe(EXIT.external);
    expect(e.message).toMatch(new RegExp(`^GitHub: github llvm/llvm-project: the files of 0{40} failed: GET http://127\\.0\\.0\\.1:${port}/repos/llvm/llvm-project/commits/0{40} could not be reached \\(ECONNREFUSED`));
  });

  it("a port fetch refuses (the probe's :9) and an unknown host are not retried at all", () => {
    const badPort = Object.assign(new Error("fetch failed"), { status: 500, cause: new Error("bad port") });
    const notFound = Object.assign(new Error("getaddrinfo ENOTFOUND x.invalid"), { status: 500, cause: Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error("getaddrinfo ENOTFOUND x.invalid"), { code: "ENOTFOUND" }) }) });
    expect([connectionFailure(badPort), connectionFailure(notFound)]).toEqual(["bad port", "ENOTFOUND"]);
    expect([retryDelay(badPort, 0, 5, 1000), retryDelay(notFound, 0, 5, 1000)]).toEqual([undefined, undefined]);
  });
});

describe("what a retry can fix is still retried", () => {
  let gh: FakeGitHub;
  beforeAll(async () => {
    gh = await new FakeGitHub().start();
  });
  afterAll(async () => {
    await gh.stop();
  });

  it("503 and 502 on the releases list: retried with back-off, then the read succeeds", async () => {
    gh.inject({ kind: "503", method: "GET", path: /^\/repos\/o\/r\/releases$/ }, { kind: "502", method: "GET", path: /^\/repos\/o\/r\/releases$/ });
    const log: string[] = [];
    const r = await fetchPublishedReleases({ ...gh.publisherOptions(), log: (l) => log.push(l) }, { metadata: false });
    expect(r.releases).toEqual([]);
    expect(retryLines(log)).toEqual([expect.stringMatching(/HTTP 503 .* retry 1\/5 after 1 ms$/), expect.stringMatching(/HTTP 502 .* retry 2\/5 after 4 ms$/)]);
  });

  it("a 5xx that persists ends after the configured retries with the status and the endpoint", async () => {
    gh.inject(...Array.from({ length: 4 }, () => ({ kind: "500" as const, method: "GET", path: /^\/repos\/o\/r\/releases$/ })));
    const log: string[] = [];
    const e = await failure(fetchPublishedReleases({ ...gh.publisherOptions(), retries: 3, log: (l) => log.push(l) }, { metadata: false }));
    expect(retryLines(log)).toHaveLength(3);
    expect(e.status).toBe(500);
    expect(e.message).toMatch(new RegExp(`HTTP 500 from GET ${gh.url.replace(/\./g, "\\.")}/repos/o/r/releases .*the service failed; retry later$`));
  });

  it("a 401 (wrong token) is not retried", async () => {
    const log: string[] = [];
    const octokit = makeOctokit({ token: "wrong", apiUrl: gh.url, retryUnitMs: 1, log: (l) => log.push(l) });
    await expect(octokit.rest.repos.listReleases({ owner: "o", repo: "r" })).rejects.toMatchObject({ status: 401 });
    expect(retryLines(log)).toEqual([]);
  });

  it("the policy: 429, 5xx and a reset mid-transfer (octokit's 500) back off (n+1)² units; 4xx and unreachable servers do not", () => {
    const reset = Object.assign(new Error("other side closed"), { status: 500, cause: Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" }) }) });
    const refusedErr = Object.assign(new Error("connect ECONNREFUSED"), { status: 500, cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }) });
    expect([0, 1, 2, 3].map((n) => retryDelay(reset, n, 3, 10))).toEqual([10, 40, 90, undefined]);
    expect([0, 1].map((n) => retryDelay({ status: 429 }, n, 5, 10))).toEqual([10, 40]);
    expect([400, 401, 403, 404, 410, 422].map((status) => retryDelay({ status }, 0, 5, 10))).toEqual(Array(6).fill(undefined));
    expect([0, 1].map((n) => retryDelay(refusedErr, n, 5, 1000))).toEqual([250, undefined]);
  });
});
