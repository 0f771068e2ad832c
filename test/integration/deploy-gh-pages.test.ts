// ci/deploy-gh-pages.sh run for real against a local bare repository standing where the GitHub
// repository would (GITHUB_SERVER_URL=file://<dir>, GITHUB_REPOSITORY=owner/name): the gh-pages
// branch ends up holding exactly the site, one commit by mlir-release[bot]; a second run converges;
// the token appears in no output and in nothing the branch holds; bad input is refused.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const SCRIPT = join(ROOT, "ci/deploy-gh-pages.sh");
const TOKEN = "ghs_not-a-real-token-0123456789";

const git = (dir: string, args: string[]) => execFileSync("git", ["-C", dir, ...args], { encoding: "utf8" }).trim();

/** A bare repository at <server>/owner/name.git, as GITHUB_SERVER_URL + GITHUB_REPOSITORY name it. */
function server(): { url: string; bare: string } {
  const base = mkdtempSync(join(tmpdir(), "pages-server-"));
  const bare = join(base, "llvm-wheels/mlir-python.git");
  mkdirSync(bare, { recursive: true });
  execFileSync("git", ["init", "-q", "--bare", bare]);
  return { url: `file://${base}`, bare };
}

function site(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "pages-site-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

function deploy(siteDir: string, serverUrl: string, env: Record<string, string | undefined> = {}) {
  const full: Record<string, string | undefined> = {
    PATH: process.env["PATH"],
    HOME: mkdtempSync(join(tmpdir(), "pages-home-")),
    GITHUB_TOKEN: TOKEN,
    GITHUB_REPOSITORY: "llvm-wheels/mlir-python",
    GITHUB_SERVER_URL: serverUrl,
    GITHUB_RUN_ID: "4242",
    ...env,
  };
  const r = spawnSync("bash", [SCRIPT, siteDir], { encoding: "utf8", env: Object.fromEntries(Object.entries(full).filter(([, v]) => v !== undefined)) as NodeJS.ProcessEnv, timeout: 60_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

const SITE = {
  "index.html": "<!doctype html><title>MLIR wheels</title>\n",
  ".nojekyll": "",
  "simple/index.html": "<a href=\"mlir-python-bindings/\">mlir-python-bindings</a>\n",
  "simple/mlir-python-bindings/index.html": "<a href=\"https://example.org/w.whl#sha256=00\">w.whl</a>\n",
  "simple/mlir-python-bindings/index.json": "{\"meta\":{\"api-version\":\"1.1\"}}\n",
};

describe("deploy-gh-pages.sh", () => {
  it("pushes exactly the site's files as one commit by mlir-release[bot] naming the run; a second run converges", () => {
    const { url, bare } = server();
    const dir = site(SITE);
    const first = deploy(dir, url);
    expect(first.code, first.out).toBe(0);
    expect(first.out).toMatch(/pushed 5 files .* to gh-pages of llvm-wheels\/mlir-python/);
    expect(git(bare, ["ls-tree", "-r", "--name-only", "gh-pages"]).split("\n").sort()).toEqual(Object.keys(SITE).sort());
    expect(git(bare, ["show", "gh-pages:simple/mlir-python-bindings/index.json"])).toBe(SITE["simple/mlir-python-bindings/index.json"].trim());
    expect(git(bare, ["rev-list", "--count", "gh-pages"])).toBe("1");
    expect(git(bare, ["log", "-1", "--format=%an|%cn", "gh-pages"])).toBe("mlir-release[bot]|mlir-release[bot]");
    expect(git(bare, ["log", "-1", "--format=%B", "gh-pages"])).toBe(`Wheel index from release run 4242\n\n${url}/llvm-wheels/mlir-python/actions/runs/4242`);
    const tree = git(bare, ["rev-parse", "gh-pages^{tree}"]);
    const commit = git(bare, ["rev-parse", "gh-pages"]);

    // The same site again: nothing to push, the branch is left as it was.
    const second = deploy(dir, url, { GITHUB_RUN_ID: "4243" });
    expect(second.code, second.out).toBe(0);
    expect(second.out).toMatch(/already holds this site/);
    expect(git(bare, ["rev-parse", "gh-pages"])).toBe(commit);
    expect(git(bare, ["rev-parse", "gh-pages^{tree}"])).toBe(tree);
    for (const out of [first.out, second.out]) expect(out).not.toContain(TOKEN);
  });

  it("a changed site replaces the branch whole: removed files are gone, history stays one commit", () => {
    const { url, bare } = server();
    expect(deploy(site(SITE), url).code).toBe(0);
    const next = { "index.html": "<!doctype html><title>MLIR wheels, next</title>\n", ".nojekyll": "", "simple/index.html": "<p>empty</p>\n" };
    const r = deploy(site(next), url, { GITHUB_RUN_ID: undefined });
    expect(r.code, r.out).toBe(0);
    expect(git(bare, ["ls-tree", "-r", "--name-only", "gh-pages"]).split("\n").sort()).toEqual(Object.keys(next).sort());
    expect(git(bare, ["rev-list", "--count", "gh-pages"])).toBe("1");
    expect(git(bare, ["log", "-1", "--format=%s", "gh-pages"])).toBe("Wheel index (deployed outside a GitHub Actions run)");
    // The token is in nothing the remote holds (no URL, no config, no commit).
    const objects = execFileSync("git", ["-C", bare, "cat-file", "--batch-all-objects", "--batch"], { encoding: "utf8" });
    expect(objects).toContain("MLIR wheels, next");
    expect(objects).not.toContain(TOKEN);
    expect(spawnSync("grep", ["-rl", TOKEN, bare], { encoding: "utf8" }).stdout).toBe("");
  });

  it("over HTTP the token reaches the server only as the Authorization header git sends to it (never in a URL or the output)", async () => {
    const seen: Array<{ url: string; auth: string | undefined }> = [];
    const srv = createServer((req, res) => {
      seen.push({ url: req.url ?? "", auth: req.headers.authorization });
      res.writeHead(403).end();
    });
    await new Promise<void>((ok) => srv.listen(0, "127.0.0.1", ok));
    const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
    try {
      const env = { ...process.env, HOME: mkdtempSync(join(tmpdir(), "pages-home-")), GITHUB_TOKEN: TOKEN, GITHUB_REPOSITORY: "llvm-wheels/mlir-python", GITHUB_SERVER_URL: url };
      const child = spawn("bash", [SCRIPT, site(SITE)], { env });
      let out = "";
      child.stdout.on("data", (d: Buffer) => (out += d.toString()));
      child.stderr.on("data", (d: Buffer) => (out += d.toString()));
      const code = await new Promise<number | null>((ok) => child.on("close", ok));
      expect(code, out).not.toBe(0); // the server refuses: the push fails loudly
      expect(out).not.toContain(TOKEN);
      expect(seen.length).toBeGreaterThan(0);
      for (const r of seen) {
        expect(r.url).toMatch(/^\/llvm-wheels\/mlir-python\.git\/info\/refs\?service=git-(upload|receive)-pack$/);
        expect(r.auth).toBe(`basic ${Buffer.from(`x-access-token:${TOKEN}`).toString("base64")}`);
      }
    } finally {
      await new Promise((ok) => srv.close(ok));
    }
  });

  it("refuses an empty site, a site without index.html, a missing directory, and names each missing variable", () => {
    const { url, bare } = server();
    const empty = mkdtempSync(join(tmpdir(), "pages-empty-"));
    expect(deploy(empty, url)).toMatchObject({ code: 1, out: expect.stringMatching(/is empty; refusing/) });
    expect(deploy(site({ "simple/index.html": "x" }), url)).toMatchObject({ code: 1, out: expect.stringMatching(/has no index\.html; refusing/) });
    expect(deploy(join(empty, "nope"), url)).toMatchObject({ code: 1, out: expect.stringMatching(/is not a directory/) });
    for (const v of ["GITHUB_TOKEN", "GITHUB_REPOSITORY", "GITHUB_SERVER_URL"]) {
      expect(deploy(site(SITE), url, { [v]: undefined }), v).toMatchObject({ code: 1, out: expect.stringContaining(`deploy-gh-pages: ${v} is not set`) });
    }
    expect(deploy(site(SITE), url, { GITHUB_REPOSITORY: "../escape" })).toMatchObject({ code: 1, out: expect.stringMatching(/is not owner\/name/) });
    expect(spawnSync("bash", [SCRIPT], { encoding: "utf8" }).status).toBe(2);
    // Nothing was pushed by any refused run.
    expect(spawnSync("git", ["-C", bare, "rev-parse", "--verify", "-q", "gh-pages"]).status).not.toBe(0);
  });
});
