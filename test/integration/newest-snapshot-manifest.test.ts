// ci/newest-snapshot-manifest.sh (the integrity job's first step) with curl and jq against the
// local GitHub API server: the newest snapshot by version with an uploaded manifest.json wins;
// drafts, numbered releases and snapshots still without a manifest are passed over.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeGitHub } from "../support/fake-github.js";
import { REPO } from "../support/env.js";

const gh = new FakeGitHub();
const out = mkdtempSync(join(tmpdir(), "mlir-release-newest-"));
beforeAll(async () => {
  await gh.start();
});
afterAll(async () => {
  await gh.stop();
  rmSync(out, { recursive: true, force: true });
});

async function release(tag: string, assets: Record<string, string>, draft = false): Promise<void> {
  const auth = { authorization: `Bearer ${gh.token}` };
  const r = await fetch(`${gh.url}/repos/o/r/releases`, { method: "POST", headers: auth, body: JSON.stringify({ tag_name: tag, draft }) });
  const { id } = (await r.json()) as { id: number };
  for (const [name, text] of Object.entries(assets)) {
    const up = await fetch(`${gh.url}/uploads/repos/o/r/releases/${id}/assets?name=${encodeURIComponent(name)}`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/octet-stream", "content-length": String(Buffer.byteLength(text)) },
      body: text,
    });
    expect(up.status).toBe(201);
  }
}

const manifest = (version: string): string => JSON.stringify({ plan: { version } });
const run = (args: string[], env: Record<string, string> = {}) =>
  execa("bash", [join(REPO, "ci", "newest-snapshot-manifest.sh"), ...args], {
    env: { GITHUB_API_URL: gh.url, GITHUB_TOKEN: gh.token, ...env },
    reject: false,
  });

describe("newest-snapshot-manifest.sh", () => {
  it("says so when there is no published snapshot (exit 1)", async () => {
    await release("v22.1.8", { "manifest.json": manifest("22.1.8") });
    const r = await run(["o/r", out]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/no published snapshot release .* in o\/r/);
  });

  it("picks the highest snapshot version with an uploaded manifest", async () => {
    await release("v23.0.0.dev2026112500", { "manifest.json": manifest("23.0.0.dev2026112500") });
    await release("v23.0.0.dev2026112901", { "manifest.json": manifest("23.0.0.dev2026112901") });
    await release("v23.0.0.dev2026112900", { "manifest.json": manifest("23.0.0.dev2026112900") });
    await release("v23.0.0.dev2026113000", { "x.whl": "partial" }); // manifest not uploaded yet
    await release("v23.0.0.dev2026120100", { "manifest.json": manifest("23.0.0.dev2026120100") }, true); // draft
    const r = await run(["o/r", out]);
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim()).toBe("v23.0.0.dev2026112901");
    expect(JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"))).toEqual({ plan: { version: "23.0.0.dev2026112901" } });
  });

  it("refuses bad arguments and a missing environment (exit 2)", async () => {
    expect((await run(["o/r/../x", out])).exitCode).toBe(2);
    const noApi = await run(["o/r", out], { GITHUB_API_URL: "" });
    expect(noApi.exitCode).toBe(2);
    expect(noApi.stderr).toMatch(/GITHUB_API_URL/);
  });
});
