// `publish --base-url` and serving the site (issue 29 item 3), through the real CLI: the first
// publish renders the install lines with --base-url; a republish without it (no config key either)
// keeps that URL, read back from what was published; and the serve command the CLI prints —
// `python3 -m http.server --directory <root>/site`, started from outside the folder — serves each new
// generation, while a server started inside the folder keeps the generation it started in and, once
// retention of generations removes it, serves nothing.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { execa, type ResultPromise } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { indexPaths } from "../../src/site/store.js";
import { runCli } from "../support/cli-inprocess.js";
import { stagedFixtureRelease } from "../support/release-fixture.js";
import { freePort } from "../support/servers.js";

const tmp = (): string => mkdtempSync(join(tmpdir(), "site-serve-"));
const started: ResultPromise[] = [];

/** Runs a printed serve command on a free port in `cwd`; resolves once it answers. */
async function serve(command: string, cwd: string): Promise<string> {
  const port = await freePort();
  const argv = command.split(/\s+/).map((a) => (a === "8000" ? String(port) : a));
  const p = execa(argv[0]!, argv.slice(1), { cwd, reject: false, stdio: "ignore" });
  started.push(p);
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    try {
      await fetch(`${url}/`);
      return url;
    } catch {
      await sleep(100);
    }
  }
  throw new Error(`${command} did not answer on ${url}`);
}

const releasesJson = async (url: string): Promise<{ baseUrl: string | null; releases: Array<{ version: string; pip?: string }> } | number> => {
  const r = await fetch(`${url}/releases.json`);
  return r.ok ? ((await r.json()) as { baseUrl: string | null; releases: Array<{ version: string; pip?: string }> }) : r.status;
};

describe("publish --base-url, kept across republishes; a serve command that does not go stale", () => {
  afterAll(async () => {
    for (const p of started) p.kill("SIGTERM");
    await Promise.all(started);
  });

  it("keeps the base URL and serves every new generation from the stable path", async () => {
    const root = join(tmp(), "index");
    const base = "https://example.org/mlir";
    const publish = async (version: string, extra: string[] = []) => {
      const stage = await stagedFixtureRelease(version, "snapshot");
      const r = await runCli(["publish", "--stage", stage.dir, "--targets", "index", "--index-root", root, "--cache", tmp(), ...extra]);
      expect(r.code, r.stderr).toBe(0);
      return r;
    };
    const first = await publish("23.0.0.dev2026112001", ["--base-url", base]);
    expect(first.stderr).toContain(`index: served at ${base}`);
    const command = /serve the index with: (python3 -m http\.server --directory \S+ 8000)/.exec(first.stderr)?.[1];
    expect(command).toBe(`python3 -m http.server --directory ${indexPaths(root).site} 8000`);

    const outside = await serve(command!, tmp());
    // What the issue saw: `cd <root>/site && python3 -m http.server` (the folder is the working directory).
    const inside = await serve("python3 -m http.server 8000", indexPaths(root).site);
    const one = await releasesJson(outside);
    expect(one).toMatchObject({ baseUrl: base, releases: [{ version: "23.0.0.dev2026112001", pip: `pip install 'mlir-python-bindings==23.0.0.dev2026112001' --extra-index-url ${base}/simple/` }] });

    // Republished without --base-url (and no config key): the published base URL is kept.
    const second = await publish("23.0.0.dev2026112101");
    expect(second.stderr).toContain(`index: keeping the published base URL ${base}`);
    const two = await releasesJson(outside);
    expect(typeof two === "object" && two.baseUrl).toBe(base);
    expect(typeof two === "object" && two.releases.map((e) => [e.version, e.pip])).toEqual([
      ["23.0.0.dev2026112001", `pip install 'mlir-python-bindings==23.0.0.dev2026112001' --extra-index-url ${base}/simple/`],
      ["23.0.0.dev2026112101", `pip install 'mlir-python-bindings==23.0.0.dev2026112101' --extra-index-url ${base}/simple/`],
    ]);
    // The server started inside the folder still serves the first generation.
    const stale = await releasesJson(inside);
    expect(typeof stale === "object" && stale.releases.map((e) => e.version)).toEqual(["23.0.0.dev2026112001"]);

    // Two generations on, the first one is deleted: the inside server has nothing left to serve.
    await publish("23.0.0.dev2026112201");
    expect(await releasesJson(inside)).toBe(404);
    const three = await releasesJson(outside);
    expect(typeof three === "object" && three.releases.map((e) => e.version)).toEqual(["23.0.0.dev2026112001", "23.0.0.dev2026112101", "23.0.0.dev2026112201"]);

    // A bad --base-url is refused naming the flag, before anything is published.
    const stage = await stagedFixtureRelease("23.0.0.dev2026112301", "snapshot");
    const bad = await runCli(["publish", "--stage", stage.dir, "--targets", "index", "--index-root", root, "--cache", tmp(), "--base-url", "ftp://x"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--base-url/);
    const after = await releasesJson(outside);
    expect(typeof after === "object" && after.releases.length).toBe(3);
  }, 240_000);
});
