// The one HTTP client (src/external/http.ts) against a real server on 127.0.0.1 that faults as
// told: which statuses it retries, how many times, what it never repeats; and that no raw fetch
// is left in src/ outside src/external/.
import { readdirSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join, relative } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ExternalServiceError } from "../../src/errors.js";
import { DO_NOT_RETRY, httpFetch } from "../../src/external/http.js";

/** A server answering request n (from 0) with `plan(n)`: a status, "reset" (socket destroyed) or "hang". */
async function faultyServer(plan: (n: number) => number | "reset" | "hang"): Promise<{ url: string; requests: string[]; server: Server }> {
  const requests: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const answer = plan(requests.length);
    requests.push(req.method ?? "");
    if (answer === "reset") return void req.socket.destroy();
    if (answer === "hang") return;
    res.writeHead(answer, { "content-type": "text/plain" }).end(`answer ${requests.length}`);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`, requests, server };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});
const serve = async (plan: (n: number) => number | "reset" | "hang") => {
  const s = await faultyServer(plan);
  servers.push(s.server);
  return s;
};
const call = (log: string[] = [], policy: { retries?: number; timeoutMs?: number } = {}) => ({
  service: "index",
  what: "reading x",
  log: (l: string) => void log.push(l),
  policy: { unitMs: 1, retries: 3, ...policy },
});

describe("httpFetch retries the documented failures a bounded number of times", () => {
  it.each([408, 429, 500, 502, 503, 504])("HTTP %i twice, then 200: three requests, the 200 returned, each retry logged", async (status) => {
    const s = await serve((n) => (n < 2 ? status : 200));
    const log: string[] = [];
    const res = await httpFetch(s.url, {}, call(log));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("answer 3");
    expect(s.requests).toHaveLength(3);
    expect(log).toEqual([expect.stringMatching(`index: HTTP ${status} on GET .*/x; retry 1/3 after 1 ms`), expect.stringMatching("retry 2/3 after 4 ms")]);
  });

  it("a server that always answers 503: retries+1 requests, then the last answer is returned to the caller", async () => {
    const s = await serve(() => 503);
    const res = await httpFetch(s.url, {}, call([], { retries: 2 }));
    expect(res.status).toBe(503);
    expect(s.requests).toHaveLength(3);
  });

  it.each(DO_NOT_RETRY)("HTTP %i is an answer, not a fault: one request", async (status) => {
    const s = await serve(() => status);
    expect((await httpFetch(s.url, {}, call())).status).toBe(status);
    expect(s.requests).toHaveLength(1);
  });

  it("a POST is sent once even when the server answers 503 (its effect may not be repeated)", async () => {
    const s = await serve(() => 503);
    expect((await httpFetch(s.url, { method: "POST", body: "x" }, call())).status).toBe(503);
    expect(s.requests).toEqual(["POST"]);
  });

  it("a connection reset before the answer is retried", async () => {
    const s = await serve((n) => (n === 0 ? "reset" : 200));
    expect((await httpFetch(s.url, {}, call())).status).toBe(200);
    expect(s.requests).toHaveLength(2);
  });

  it("no answer within timeoutMs: retried, then one external-service error naming the service, the endpoint and the timeout", async () => {
    const s = await serve(() => "hang");
    const e = await httpFetch(s.url, {}, { ...call([], { retries: 1, timeoutMs: 150 }), reachHint: "check --index-url" }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ExternalServiceError);
    expect((e as Error).message).toMatch(/^index: reading x failed \(GET http:\/\/127\.0\.0\.1:\d+\/x\): no response within 150 ms.*; check --index-url$/);
    expect(s.requests).toHaveLength(2);
  });

  it("nothing listens: one short retry, then ECONNREFUSED with the endpoint (exit status 5)", async () => {
    const s = await serve(() => 200);
    const url = s.url;
    servers.splice(0);
    await new Promise((r) => s.server.close(r));
    const log: string[] = [];
    const e = await httpFetch(url, {}, call(log)).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ExternalServiceError);
    expect((e as ExternalServiceError).exitCode).toBe(5);
    expect((e as Error).message).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/x could not be reached \(ECONNREFUSED/);
    expect(log).toEqual([expect.stringMatching(/ECONNREFUSED on GET .*; retry 1\/3 after 0\.25 ms/)]);
  });
});

describe("one HTTP client", () => {
  it("no file in src/ outside src/external/ calls fetch itself (the browser's dashboard script aside)", () => {
    const src = join(import.meta.dirname, "../../src");
    // The dashboard's script runs in the reader's browser, not in Node: it has no client to use.
    const browserOnly = new Set(["site/assets/dashboard.js"]);
    const offenders = readdirSync(src, { recursive: true })
      .map(String)
      .filter((f) => /\.(ts|js|mjs)$/.test(f) && !f.startsWith("external/") && !browserOnly.has(f))
      .flatMap((f) =>
        readFileSync(join(src, f), "utf8")
          .split("\n")
          .flatMap((line, i) => (!/^\s*(\*|\/\/|\/\*)/.test(line) && /(?<![\w.$])fetch\s*\(|globalThis\.fetch\b|\bundici\b|from "node:https?"/.test(line) ? [`${relative(src, join(src, f))}:${i + 1}: ${line.trim()}`] : [])),
      );
    expect(offenders).toEqual([]);
  });
});
