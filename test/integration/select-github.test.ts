// The GitHub API source of selection, through octokit (with its retry plugin), against a local
// server on 127.0.0.1 that answers the endpoints used from a real git fixture repository, with
// injected faults (5xx answers the client must retry).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { rmSync } from "node:fs";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { plan } from "../../src/plan/release-planner.js";
import { GitHubHistory } from "../../src/select/github-history.js";
import { select, selectNumbered, selectSnapshot } from "../../src/select/rules.js";
import { ReleaseConfig } from "../../src/schema/config.js";
import { ReleaseRequest } from "../../src/schema/request.js";
import { type LlvmFixture, makeLlvmFixture } from "../support/llvm-git-fixture.js";

let fx: LlvmFixture;
let server: Server;
let baseUrl = "";
const requests: string[] = [];
/** path prefix → number of 502 answers still to give */
const faults = new Map<string, number>();
const config = ReleaseConfig.parse({});
const paths = config.mlirPaths;

async function git(args: string[]): Promise<{ ok: boolean; out: string }> {
  const r = await execa("git", ["-C", fx.dir, ...args], { reject: false });
  return { ok: r.exitCode === 0, out: r.stdout };
}
async function commitJson(sha: string, withFiles: boolean): Promise<unknown> {
  const info = (await git(["show", "-s", "--format=%H%x00%cI%x00%an%x00%B", sha])).out.split("\0");
  const body: Record<string, unknown> = {
    sha: info[0],
    commit: { message: info[3] ?? "", author: { name: info[2] }, committer: { date: info[1] } },
  };
  if (withFiles) {
    const parent = await git(["rev-parse", "--verify", "-q", `${sha}^1`]);
    const files = parent.ok
      ? (await git(["diff", "--name-only", "--no-renames", parent.out.trim(), sha])).out
      : (await git(["show", "--name-only", "--format=", sha])).out;
    body["files"] = files.split("\n").filter(Boolean).map((filename) => ({ filename }));
  }
  return body;
}

async function answer(path: string, q: URLSearchParams): Promise<[number, unknown]> {
  const parts = path.split("/").map(decodeURIComponent);
  // ["", "repos", owner, repo, ...rest]
  if (parts[1] !== "repos" || parts[2] !== "llvm" || parts[3] !== "llvm-project") return [404, { message: "Not Found" }];
  const rest = parts.slice(4).join("/");
  let m: RegExpExecArray | null;
  if ((m = /^git\/matching-refs\/(heads|tags)\/(.*)$/.exec(rest))) {
    const refs = (await git(["for-each-ref", "--format=%(refname) %(objectname) %(objecttype)", `refs/${m[1]}`])).out;
    return [200, refs.split("\n").filter(Boolean).map((l) => l.split(" ")).filter(([r]) => r!.startsWith(`refs/${m![1]}/${m![2]}`)).map(([ref, sha, type]) => ({ ref, object: { sha, type } }))];
  }
  if ((m = /^git\/tags\/([0-9a-f]{40})$/.exec(rest))) {
    const t = await git(["cat-file", "-p", m[1]!]);
    const obj = /^object (\w+)\ntype (\w+)/m.exec(t.out);
    return obj ? [200, { object: { sha: obj[1], type: obj[2] } }] : [404, { message: "Not Found" }];
  }
  if ((m = /^branches\/(.+)$/.exec(rest))) {
    return (await git(["rev-parse", "--verify", "-q", `refs/heads/${m[1]}`])).ok ? [200, { name: m[1] }] : [404, { message: "Branch not found" }];
  }
  if (rest === "commits") {
    const until = Math.floor(Date.parse(q.get("until") ?? "") / 1000);
    const sha = (await git(["rev-list", "-1", `--min-age=${until}`, q.get("sha") ?? "HEAD"])).out.trim();
    return [200, sha ? [await commitJson(sha, false)] : []];
  }
  if ((m = /^commits\/(.+)$/.exec(rest))) {
    const r = await git(["rev-parse", "--verify", "-q", `${m[1]}^{commit}`]);
    return r.ok ? [200, await commitJson(r.out.trim(), true)] : [422, { message: `No commit found for SHA: ${m[1]}` }];
  }
  if ((m = /^contents\/(.+)$/.exec(rest))) {
    const r = await git(["show", `${q.get("ref")}:${m[1]}`]);
    return r.ok ? [200, { content: Buffer.from(`${r.out}\n`).toString("base64"), encoding: "base64" }] : [404, { message: "Not Found" }];
  }
  if ((m = /^compare\/([0-9a-f]+)\.\.\.([0-9a-f]+)$/.exec(rest))) {
    const [base, head] = [m[1]!, m[2]!];
    const anc = async (a: string, b: string) => (await git(["merge-base", "--is-ancestor", a, b])).ok;
    const status = base === head ? "identical" : (await anc(base, head)) ? "ahead" : (await anc(head, base)) ? "behind" : "diverged";
    const files = (await git(["diff", "--name-only", "--no-renames", base, head])).out.split("\n").filter(Boolean).map((filename) => ({ filename }));
    const shas = (await git(["rev-list", "--reverse", `${base}..${head}`])).out.split("\n").filter(Boolean);
    return [200, { status, files, commits: await Promise.all(shas.map((s) => commitJson(s, false))) }];
  }
  return [404, { message: "Not Found" }];
}

beforeAll(async () => {
  fx = await makeLlvmFixture();
  server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    requests.push(url.pathname);
    for (const [prefix, n] of faults) {
      if (n > 0 && url.pathname.includes(prefix)) {
        faults.set(prefix, n - 1);
        res.writeHead(502, { "content-type": "application/json" }).end(JSON.stringify({ message: "Bad Gateway (injected)" }));
        return;
      }
    }
    answer(url.pathname, url.searchParams).then(
      ([status, body]) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body)),
      (e: Error) => res.writeHead(500).end(JSON.stringify({ message: e.message })),
    );
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(fx.dir, { recursive: true, force: true });
});

const gh = (): GitHubHistory => GitHubHistory.create("llvm/llvm-project", { baseUrl, retries: 2 });

describe("selection through the GitHub API (octokit → 127.0.0.1)", () => {
  it("applies the snapshot rules: newest commit at the cutoff, skip days without MLIR change, version from the tree", async () => {
    const h = gh();
    const s = await selectSnapshot(h, { ref: "main", cutoff: "2026-11-03T23:00:00Z", previousCommit: fx.c["c3"]!, paths });
    expect(s.commit.commit).toBe(fx.c["c4"]);
    expect(s.release && s.llvmVersion).toBe("22.0.0");
    const none = await selectSnapshot(h, { ref: "main", cutoff: "2026-11-04T23:00:00Z", previousCommit: fx.c["c4"]!, paths });
    expect(none.release).toBe(false);
    expect(!none.release && none.reason).toMatch(/^no MLIR-relevant change between/);
    const bump = await selectSnapshot(h, { ref: "main", cutoff: "2026-11-05T23:00:00Z", previousCommit: fx.c["c4"]!, paths });
    expect(bump.release && bump.llvmVersion).toBe("23.0.0");
    await expect(selectSnapshot(h, { ref: "main", cutoff: "2026-11-07T00:00:00Z", previousCommit: fx.c["r1"]!, paths })).rejects.toThrow(
      `the last snapshot's commit ${fx.c["r1"]!.slice(0, 12)} is not an ancestor`,
    );
    await expect(selectSnapshot(h, { ref: "main", cutoff: "2026-10-01T00:00:00Z", paths })).rejects.toThrow(
      "branch 'main' of github llvm/llvm-project has no commit at or before 2026-10-01T00:00:00.000Z",
    );
  });

  it("peels annotated rc tags, plans the numbered version, and refuses missing or ambiguous tags", async () => {
    const h = gh();
    const rc = await selectNumbered(h, "llvmorg-22.1.0-rc1");
    expect(rc.commit.commit).toBe(fx.c["r1"]);
    const req = ReleaseRequest.parse({ kind: "numbered", ref: "22.1.0" });
    const s = await select(h, { config, request: req, existingVersions: [], now: new Date() });
    expect(plan(config, req, s.facts!).version).toBe("22.1.0");
    expect(s.facts?.sourceDescription).toBe("github llvm/llvm-project");
    await expect(selectNumbered(h, "llvmorg-99.0.0")).rejects.toThrow("tag llvmorg-99.0.0 does not exist in github llvm/llvm-project (newest tags: ");
    await expect(selectNumbered(h, "llvmorg-20.1.0")).rejects.toThrow("ref 'llvmorg-20.1.0' is ambiguous in github llvm/llvm-project");
  });

  it("retries injected 5xx answers (octokit retry plugin) and gives up with the error after the retries", async () => {
    const h = gh();
    const before = requests.length;
    faults.set("/compare/", 1);
    const s = await selectSnapshot(h, { ref: "main", cutoff: "2026-11-03T23:00:00Z", previousCommit: fx.c["c3"]!, paths });
    expect(s.release).toBe(true);
    const compares = requests.slice(before).filter((p) => p.includes("/compare/"));
    expect(compares.length).toBeGreaterThanOrEqual(3); // isAncestor, the failed changedFiles, its retry
    faults.set("/branches/", 10);
    await expect(selectSnapshot(h, { ref: "main", cutoff: "2026-11-03T23:00:00Z", paths })).rejects.toThrow(/Bad Gateway \(injected\)/);
    faults.clear();
  }, 30_000);
});
