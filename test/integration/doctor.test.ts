// `mlir-release doctor` against a local JSON API server on 127.0.0.1 standing in for the package
// index (Warehouse's /pypi/<name>/json with its ownership block), and the real CLI's exit status.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { doctor, formatChecks, localChecks } from "../../src/doctor/doctor.js";
import { REPO } from "../support/env.js";
import { resolvedLock } from "../support/dagger-lock.js";

const VARS = { MLIR_RELEASE_IMAGE_REGISTRY: "registry.example.org", MLIR_RELEASE_NODE_DIST_URL: "https://downloads.example.org/node" };

let server: Server;
let api: string;
const requests: string[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? "");
    if (req.url === "/pypi/mlir-python-bindings/json") {
      // The real name's state: a 0.0.1 placeholder reserved by someone else.
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ info: { name: "mlir-python-bindings", version: "0.0.1" }, ownership: { organization: null, roles: [{ role: "Owner", user: "name-reserver" }] } }));
    } else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  api = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

/** A repository root with a resolved lock and the given config (what a fork that did everything has). */
function resolvedRoot(config: object): string {
  const root = mkdtempSync(join(tmpdir(), "doctor-"));
  mkdirSync(join(root, "containers"));
  writeFileSync(join(root, "containers", "images.lock.json"), JSON.stringify(resolvedLock()));
  writeFileSync(join(root, "release.config.json"), JSON.stringify(config));
  return root;
}

describe("mlir-release doctor", () => {
  it("a fresh fork: the committed lock is resolved; names each missing variable, and an unresolved pin, with the fix", () => {
    const { checks } = localChecks({ repoRoot: REPO, kind: "snapshot", env: {} });
    const failed = checks.filter((c) => !c.ok);
    expect(failed.map((c) => c.item)).toEqual(["repository variable IMAGE_REGISTRY", "repository variable NODE_DIST_URL"]);
    expect(checks.find((c) => c.item === "containers/images.lock.json")).toMatchObject({ ok: true });
    // A lock whose Node pin is a placeholder again is named, with the fix.
    const root = mkdtempSync(join(tmpdir(), "doctor-"));
    mkdirSync(join(root, "containers"));
    const lock = resolvedLock();
    lock.node.builds["node-x86_64-glibc-2.17"] = { ...lock.node.builds["node-x86_64-glibc-2.17"]!, sha256: "0".repeat(64), placeholder: true };
    writeFileSync(join(root, "containers", "images.lock.json"), JSON.stringify(lock));
    writeFileSync(join(root, "release.config.json"), "{}");
    const bad = localChecks({ repoRoot: root, kind: "snapshot", env: {} }).checks.find((c) => c.item === "containers/images.lock.json");
    expect(bad).toMatchObject({ ok: false, detail: "unresolved pin(s) the builds need: node node-x86_64-glibc-2.17", fix: expect.stringMatching(/refresh-image-pins\.sh/) });
    expect(formatChecks(checks)).toMatch(/FAIL  repository variable IMAGE_REGISTRY: not set .*\n      fix: set it in Settings > Secrets and variables > Actions > Variables/);
    expect(checks.find((c) => c.item === "release.config.json")).toMatchObject({ ok: true });
  });

  it("says when the distribution name is owned by someone else on the index, and passes for its owner or a free name", async () => {
    const root = resolvedRoot({ distribution: "mlir-python-bindings" });
    const env = { ...VARS, PYPI_SIMPLE_URL: `${api}/simple/`, PYPI_JSON_URL: api, PYPI_OWNER: "llvm-bindings" };
    const foreign = await doctor({ repoRoot: root, kind: "numbered", env });
    expect(foreign.filter((c) => !c.ok)).toEqual([
      {
        item: `distribution name 'mlir-python-bindings' on ${api}`,
        ok: false,
        detail: "exists and is owned by name-reserver, not llvm-bindings",
        fix: 'choose another "distribution" in release.config.json, or ask name-reserver to add llvm-bindings as an owner',
      },
    ]);
    expect(requests).toContain("/pypi/mlir-python-bindings/json");
    expect((await doctor({ repoRoot: root, kind: "numbered", env: { ...env, PYPI_OWNER: "Name-Reserver" } })).every((c) => c.ok)).toBe(true);
    const free = await doctor({ repoRoot: resolvedRoot({ distribution: "mlir-release-unclaimed" }), kind: "numbered", env });
    expect(free.every((c) => c.ok)).toBe(true);
    expect(free.at(-1)!.detail).toMatch(/^available/);
  });

  it("numbered releases also need the PyPI variables; a bad URL or config is named", async () => {
    const root = resolvedRoot({ distribution: "mlir-release-unclaimed" });
    const missing = await doctor({ repoRoot: root, kind: "numbered", env: { ...VARS, PYPI_SIMPLE_URL: "index.example.org/simple" } });
    expect(missing.filter((c) => !c.ok).map((c) => `${c.item}: ${c.detail}`)).toEqual([
      "repository variable PYPI_SIMPLE_URL: 'index.example.org/simple' is not an http(s) URL",
      "repository variable PYPI_JSON_URL: not set (the job sees PYPI_JSON_URL empty)",
      "repository variable PYPI_OWNER: not set (the job sees PYPI_OWNER empty)",
    ]);
    const badConfig = resolvedRoot({ distribution: 7 });
    const c = (await doctor({ repoRoot: badConfig, kind: "snapshot", env: VARS })).find((x) => x.item === "release.config.json")!;
    expect(c.ok).toBe(false);
    expect(c.detail).toMatch(/distribution/);
  });

  it("the CLI exits 3 listing what to fix (this checkout: both variables), 2 on a bad flag", async () => {
    const cli = (env: Record<string, string>, args: string[] = []) =>
      execa(process.execPath, ["--import", "tsx", join(REPO, "src", "cli.ts"), "doctor", "--kind", "snapshot", ...args], { cwd: REPO, reject: false, env, extendEnv: false });
    const bad = await cli({ PATH: process.env["PATH"] ?? "" });
    expect(bad.exitCode).toBe(3);
    expect(bad.stdout).toMatch(/FAIL  repository variable IMAGE_REGISTRY/);
    expect(bad.stdout).toMatch(/hand  environment 'release' exists with required reviewers/);
    expect(bad.stdout).toMatch(/^ok    containers\/images\.lock\.json: every pin the builds need is resolved/m);
    expect(bad.stdout).toMatch(/^doctor: 2 item\(s\) to fix$/m);
    const wrongKind = await cli({ PATH: process.env["PATH"] ?? "" }, ["--kind", "nightly"]);
    expect(wrongKind.exitCode).toBe(2); // bad input (src/errors.ts)
    expect(wrongKind.stderr).toMatch(/--kind 'nightly': expected snapshot or numbered/);
  });
});
