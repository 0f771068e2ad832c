// Issue 14's findings, one case each, through the real CLI (in-process main with a fake argv;
// bench/input-probe.ts runs the same inputs as spawned processes, before and after): every bad
// input ends in one `error:` line and its class's exit status, and nothing is written or published.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, utimesSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT } from "../../src/errors.js";
import { GitHistory } from "../../src/select/git-history.js";
import { ReleaseManifest } from "../../src/schema/manifest.js";
import { IsoInstant } from "../../src/schema/strings.js";
import { indexPaths, withIndexLock } from "../../src/site/store.js";
import { underRoot } from "../../src/util/paths.js";
import { failureShape, runCli, type CliRun } from "../support/cli-inprocess.js";
import { FakeGitHub } from "../support/fake-github.js";
import { makeLlvmFixture, type LlvmFixture } from "../support/llvm-git-fixture.js";
import { makeFixtureRelease } from "../support/release-fixture.js";

let T: string;
let fx: LlvmFixture;
let manifestPath: string;
let m: ReleaseManifest;
let relDir: string;
const w = (name: string, v: unknown): string => {
  const p = join(T, name);
  mkdirSync(join(p, ".."), { recursive: true });
  writeFileSync(p, typeof v === "string" ? v : JSON.stringify(v, null, 2));
  return p;
};
/** One `error:` line, no stack, the expected status, and the message matching. */
const refused = (r: CliRun, status: number, message: RegExp): void => {
  const shape = failureShape(r);
  expect({ code: r.code, ...shape, stderr: r.stderr }).toMatchObject({ code: status, errorLines: 1, stack: false });
  expect(r.stderr).toMatch(message);
};
const escaped = (): string[] => readdirSync(T, { recursive: true }).map(String).filter((n) => /escaped|pwned/.test(n));

beforeAll(async () => {
  T = mkdtempSync(join(tmpdir(), "cli-inputs-"));
  const rel = await makeFixtureRelease({ dir: join(T, "rel"), version: "22.1.8.dev20261124" });
  relDir = rel.dir;
  m = rel.manifest;
  manifestPath = join(rel.dir, "manifest.json");
  fx = await makeLlvmFixture();
  mkdirSync(join(T, "index"));
}, 120_000);
afterAll(() => void 0);

describe("path traversal and option injection (the two security findings)", () => {
  it("a manifest whose version is ../../… is refused by stage; nothing is written outside", async () => {
    const evil = w("evil/manifest.json", { ...m, plan: { ...m.plan, version: "../../escaped" }, artifacts: [] });
    refused(await runCli(["stage", "--manifest", evil, "--artifacts", relDir, "--out", join(T, "s-evil")]), EXIT.badInput, /version: a canonical PEP 440 version/);
    expect(existsSync(join(T, "s-evil"))).toBe(false);
    expect(() => underRoot(join(T, "index", "store", "files"), ["../../escaped", "x.whl"], "release file")).toThrow(/leads outside/);
    expect(escaped()).toEqual([]);
  });

  it("a hand-made stage carrying such a version cannot make publish --targets index write outside the index", async () => {
    const stage = join(T, "hand-stage");
    mkdirSync(stage);
    w("hand-stage/manifest.json", { ...m, plan: { ...m.plan, version: "../../escaped" }, artifacts: [] });
    refused(await runCli(["publish", "--stage", stage, "--targets", "index", "--index-root", join(T, "index"), "--log", join(T, "p.log")]), EXIT.badInput, /invalid manifest .*version/);
    expect(readdirSync(join(T, "index"))).toEqual([]);
    expect(escaped()).toEqual([]);
  });

  it("notes --from=--output=… and a manifest 'commit' --output=… never reach git as options", async () => {
    const target = join(T, "pwned");
    refused(await runCli(["notes", "--repo", fx.dir, "--cache", join(T, "cache"), `--from=--output=${target}`, "--to", fx.c["c3"]!]), EXIT.badInput, /--from '--output=.*': expected a commit id/);
    const inject = w("inject/manifest.json", { ...m, plan: { ...m.plan, llvm: { ...m.plan.llvm, commit: `--output=${target}` } } });
    refused(await runCli(["notes", "--repo", fx.dir, "--cache", join(T, "cache"), "--manifest", manifestPath, "--previous", inject]), EXIT.badInput, /llvm\.commit: a full 40-hex git commit id/);
    refused(await runCli(["stage", "--manifest", manifestPath, "--artifacts", relDir, "--out", join(T, "s-inj"), "--previous", inject]), EXIT.badInput, /llvm\.commit/);
    // The history itself passes data after --end-of-options: git refuses, and writes nothing.
    const h = await GitHistory.open(fx.dir);
    await expect(h.commitsBetween(`--output=${target}`, fx.c["c3"]!)).rejects.toThrow();
    await expect(h.changedFiles(`--output=${target}`, fx.c["c3"]!)).rejects.toThrow();
    expect(existsSync(target)).toBe(false);
  });
});

describe("silently accepted before, refused now", () => {
  it("build: a missing/truncated/folder plan, -j abc, a bad --version or --distribution, also in a dry run", async () => {
    const trunc = w("trunc.json", JSON.stringify(m.plan).slice(0, 120));
    for (const dry of [["--dry-run"], []]) {
      refused(await runCli(["build", ...dry, "--plan", join(T, "nonexistent"), "--out", join(T, "o")]), EXIT.badInput, /--plan .*nonexistent: the file does not exist/);
      refused(await runCli(["build", ...dry, "--plan", trunc, "--out", join(T, "o")]), EXIT.badInput, /--plan .*trunc\.json: not valid JSON/);
      refused(await runCli(["build", ...dry, "--plan", T, "--out", join(T, "o")]), EXIT.badInput, /is a folder; give the JSON file/);
    }
    refused(await runCli(["build", "--dry-run", "-j", "abc"]), EXIT.badInput, /-j\/--jobs 'abc': a positive integer/);
    refused(await runCli(["build", "--dry-run", "--version", "not a version"]), EXIT.badInput, /--version 'not a version': a canonical PEP 440 version/);
    refused(await runCli(["build", "--dry-run", "--distribution", "/tmp/evil"]), EXIT.badInput, /--distribution '\/tmp\/evil': expected a PEP 503-normalized name such as tmp-evil/);
    expect(existsSync(join(T, "o"))).toBe(false);
  });

  it("config: devDistribution with a path, tools.nanobind with shell text, javascript: base URLs", async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ devDistribution: "../../evil dev" }, /devDistribution: a PEP 503-normalized distribution name/],
      [{ tools: { nanobind: "; rm -rf /" } }, /tools\.nanobind: a version such as 2\.9\.2/],
      [{ publish: { index: { baseUrl: "javascript:alert(1)" } } }, /publish\.index\.baseUrl: an http\(s\) URL/],
      [{ publish: { conda: { channel: "https://example.org/c" } } }, /publish\.conda\.channel: a local channel folder, not a URL/],
    ];
    for (const [cfg, msg] of cases) refused(await runCli(["build", "--dry-run", "--config", w(`cfg-${cases.findIndex((c) => c[0] === cfg)}.json`, cfg)]), EXIT.badInput, msg);
  });

  it("stage: 0 artifacts and unknown manifest fields", async () => {
    refused(await runCli(["stage", "--manifest", w("empty/manifest.json", { ...m, artifacts: [] }), "--artifacts", relDir, "--out", join(T, "s0")]), EXIT.check, /lists no artifacts/);
    refused(await runCli(["stage", "--manifest", w("unk/manifest.json", { ...m, extra: 1, plan: { ...m.plan, surprise: 2 } }), "--artifacts", relDir, "--out", join(T, "s1")]), EXIT.badInput, /unknown field \(extra\b.*|unknown field \(surprise/);
    expect(existsSync(join(T, "s0")) || existsSync(join(T, "s1"))).toBe(false);
  });

  it("publish: a target named in --targets without its configuration is an error, not '0 changes'", async () => {
    const stage = join(T, "stage");
    expect((await runCli(["stage", "--manifest", manifestPath, "--artifacts", relDir, "--out", stage])).code).toBe(0);
    const pub = (more: string[], env: Record<string, string | undefined> = {}) => runCli(["publish", "--stage", stage, "--log", join(T, "logs", "p.log"), ...more], { env: { GITHUB_TOKEN: undefined, MLIR_RELEASE_GITHUB_TOKEN: undefined, ...env } });
    refused(await pub(["--targets", "index"]), EXIT.badInput, /--targets index: index: no --index-root and no publish\.index\.root/);
    refused(await pub(["--targets", "github"]), EXIT.badInput, /--targets github: github: no --github-repo/);
    refused(await pub(["--targets", "conda", "--conda-channel", "https://example.org/c"]), EXIT.badInput, /--conda-channel .*not a URL/);
    refused(await pub(["--targets", "index", "--index-root", manifestPath]), EXIT.badInput, /--index-root .* is a file/);
    refused(await runCli(["publish", "--stage", stage, "--targets", "index", "--index-root", join(T, "index"), "--log", join(manifestPath, "x.log")]), EXIT.badInput, /--log .* is a file/);
    expect(readdirSync(join(T, "index"))).toEqual([]);
  });

  it("site/prune on a missing index, resolve with impossible dates, platforms --python 3.99", async () => {
    refused(await runCli(["site", "--index-root", join(T, "nonexistent")]), EXIT.badInput, /--index-root .*nonexistent: the folder does not exist/);
    expect(existsSync(join(T, "nonexistent"))).toBe(false);
    refused(await runCli(["site", "--index-root", join(T, "index"), "--base-url", "javascript:alert(1)"]), EXIT.badInput, /--base-url 'javascript:alert\(1\)': an http\(s\) URL/);
    refused(await runCli(["prune", "--index-root", join(T, "nonexistent")]), EXIT.badInput, /--index-root .*: the folder does not exist/);
    for (const d of ["2026-13-45", "2026-02-31"]) {
      refused(await runCli(["resolve", "--manifests", relDir, "--python", "3.12", "--platform", "linux-x86_64", "--on-or-before", d]), EXIT.badInput, /--on-or-before .*a date that exists/);
    }
    refused(await runCli(["platforms", "--python", "3.99"]), EXIT.badInput, /--python 3\.99: no platform's runner provides CPython 3\.99/);
  });
});

describe("stack traces and raw dumps before, one line now", () => {
  it("verify with a truncated or wrong-typed build-report.json; guide with a missing or truncated file", async () => {
    w("bad-report/build-report.json", '{"platform": "linux-x86_64", "wheels": [');
    w("wrong-report/build-report.json", { platform: "linux-x86_64", distribution: 3, wheels: "x" });
    refused(await runCli(["verify", "--out", join(T, "bad-report")]), EXIT.badInput, /build report .*: not valid JSON/);
    refused(await runCli(["verify", "--out", join(T, "wrong-report")]), EXIT.badInput, /invalid build report .*distribution: /);
    refused(await runCli(["guide", join(T, "nonexistent")]), EXIT.badInput, /manifest .*nonexistent: the file does not exist/);
    refused(await runCli(["guide", w("trunc-m.json", "{\"schemaVersion\": 1,")]), EXIT.badInput, /not valid JSON/);
    refused(await runCli(["guide", manifestPath, "--out", join(manifestPath, "g.md")]), EXIT.badInput, /--out .* is a file, not a folder/);
  });

  it("stage --out under a file or under /proc ends at once with one line (it used to hang or dump)", async () => {
    const t0 = Date.now();
    refused(await runCli(["stage", "--manifest", manifestPath, "--artifacts", relDir, "--out", join(manifestPath, "sub")]), EXIT.badInput, /--out .* is a file, so the folder cannot be created/);
    refused(await runCli(["stage", "--manifest", manifestPath, "--artifacts", relDir, "--out", "/proc/x"]), EXIT.badInput, /--out \/proc\/x: not a place for files/);
    expect(Date.now() - t0).toBeLessThan(20_000);
  });

  it("notes with an unknown sha, plan --out in a missing folder, unknown options: one line, the documented status", async () => {
    refused(await runCli(["notes", "--repo", fx.dir, "--cache", join(T, "cache"), "--from", "0123456789abcdef0123456789abcdef01234567", "--to", fx.c["c3"]!]), EXIT.badInput, /fetch the clone: commit 0123456789abcdef0123456789abcdef01234567 is missing/);
    refused(await runCli(["plan", "--repo", fx.dir, "--cache", join(T, "cache"), "--out", join(T, "nonexistent", "p.json")]), EXIT.badInput, /--out .*: the folder .* does not exist/);
    refused(await runCli(["build", "--frobnicate"]), EXIT.usage, /unknown option '--frobnicate'/);
    const debug = await runCli(["--debug", "guide", join(T, "nonexistent")]);
    expect(debug.code).toBe(EXIT.badInput);
    expect(debug.stderr).toMatch(/\[bad-input, exit 2\]\n.*InvalidInputError/);
  });

  it("a wrong GitHub token ends as an external-service error naming the status and the endpoint", async () => {
    const gh = await new FakeGitHub().start();
    try {
      const r = await runCli(["site-sync", "--index-root", join(T, "sync-index"), "--github-repository", "o/r"], { env: { GITHUB_TOKEN: "wrong", MLIR_RELEASE_GITHUB_TOKEN: undefined, GITHUB_API_URL: gh.url } });
      refused(r, EXIT.external, /GitHub: reading the releases of o\/r failed: HTTP 401 from GET http:\/\/127\.0\.0\.1:\d+\/repos\/o\/r\/releases .*check the token/);
    } finally {
      await gh.stop();
    }
  });
});

describe("what the last round's probe still found (3 hangs, 3 silent, prune --keep)", () => {
  it("a GitHub API where nothing listens: site-sync, publish --targets github and plan end at once, exit 5, naming the endpoint", async () => {
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
    const { port } = s.address() as AddressInfo;
    await new Promise<void>((r) => s.close(() => r()));
    const env = { GITHUB_TOKEN: "t", MLIR_RELEASE_GITHUB_TOKEN: undefined, GITHUB_API_URL: `http://127.0.0.1:${port}` };
    const stage = join(T, "stage-refused");
    expect((await runCli(["stage", "--manifest", manifestPath, "--artifacts", relDir, "--out", stage])).code).toBe(0);
    const t0 = Date.now();
    const endpoint = (path: string) => new RegExp(`GitHub: .* failed: GET http://127\\.0\\.0\\.1:${port}${path}\\S* could not be reached \\(ECONNREFUSED, connection refused: nothing listens there\\); check the GitHub API URL`);
    refused(await runCli(["site-sync", "--index-root", join(T, "refused-index"), "--github-repository", "o/r"], { env }), EXIT.external, endpoint("/repos/o/r/releases"));
    refused(await runCli(["publish", "--stage", stage, "--targets", "github", "--github-repository", "o/r", "--log", join(T, "logs", "refused.log")], { env }), EXIT.external, endpoint("/repos/o/r/releases/tags/"));
    refused(await runCli(["plan", "--repo", fx.dir, "--cache", join(T, "cache"), "--cutoff", "2026-11-03T21:00Z", "--github-repository", "o/r"], { env }), EXIT.external, endpoint("/repos/o/r/releases"));
    // Each used to retry with 1+4+9+16+25 s of back-off; now one 250 ms retry each.
    expect(Date.now() - t0).toBeLessThan(30_000);
  }, 60_000);

  it("a publish.index.root (or conda channel) under a file is refused by every command that loads the config, used or not", async () => {
    for (const [field, cfg] of [
      ["publish.index.root", { publish: { index: { baseUrl: "https://example.org/", root: join(manifestPath, "x") } } }],
      ["publish.conda.channel", { publish: { conda: { channel: join(manifestPath, "ch") } } }],
    ] as const) {
      const c = w(`cfg-under-file-${field}.json`, cfg);
      const msg = new RegExp(`config .*: ${field.replace(/\./g, "\\.")} .*manifest\\.json is a file, so the folder cannot be created`);
      refused(await runCli(["build", "--dry-run", "--config", c]), EXIT.badInput, msg);
      refused(await runCli(["prune", "--index-root", join(T, "index"), "--config", c]), EXIT.badInput, msg);
      refused(await runCli(["publish", "--stage", join(T, "nonexistent"), "--targets", "index", "--index-root", join(T, "index"), "--config", c]), EXIT.badInput, msg);
    }
  });

  it("prune's retention (the --keep of the finding is config now): abc, -1, 1.5 or weeklyDays < allDays, one line naming the field (a stack trace before)", async () => {
    for (const [retention, msg] of [
      [{ allDays: "abc" }, /retention\.allDays: /],
      [{ allDays: -1 }, /retention\.allDays: /],
      [{ weeklyDays: 1.5 }, /retention\.weeklyDays: /],
      [{ allDays: 40, weeklyDays: 30 }, /retention\.weeklyDays: weeklyDays must be >= allDays/],
    ] as const) {
      refused(await runCli(["prune", "--index-root", join(T, "index"), "--config", w(`cfg-retention-${JSON.stringify(retention).replace(/\W/g, "")}.json`, { retention })]), EXIT.badInput, msg);
    }
    refused(await runCli(["prune", "--index-root", join(T, "index"), "--keep", "abc"]), EXIT.usage, /unknown option '--keep'/);
  });
});

describe("planning on an LLVM-shaped history", () => {
  it("--cutoff takes ISO 8601 minute precision, +00:00 and a bare date; impossible dates are refused with the accepted forms", () => {
    expect(IsoInstant.parse("2026-03-06T23:59Z")).toBe("2026-03-06T23:59:00.000Z");
    expect(IsoInstant.parse("2026-03-06T23:59:00+00:00")).toBe("2026-03-06T23:59:00.000Z");
    expect(IsoInstant.parse("2026-03-06")).toBe("2026-03-06T23:59:59.999Z");
    for (const bad of ["2026-02-31", "2026-13-45", "2026-03-06T24:00Z", "2026-03-06T12:00", "yesterday"]) expect(IsoInstant.safeParse(bad).success, bad).toBe(false);
  });

  it("plan --out p.json on a day without a release removes yesterday's p.json and exits 1", async () => {
    const out = join(T, "p.json");
    const day = (cutoff: string) => runCli(["plan", "--repo", fx.dir, "--cache", join(T, "cache"), "--cutoff", cutoff, "--manifests", join(T, "prev"), "--out", out]);
    mkdirSync(join(T, "prev"), { recursive: true });
    const first = await day("2026-11-03T21:00Z");
    expect(first.code, first.stderr).toBe(0);
    expect(existsSync(out)).toBe(true);
    // Yesterday's snapshot (c4) is published: the next day (tests and docs only) has no release.
    const plan = JSON.parse(first.stdout) as ReleaseManifest["plan"];
    writeFileSync(join(T, "prev", "manifest.json"), JSON.stringify({ ...m, plan }));
    const quiet = await day("2026-11-04T23:00+00:00");
    expect(JSON.parse(quiet.stdout)).toMatchObject({ release: false });
    expect(quiet.code).toBe(EXIT.negative);
    expect(existsSync(out)).toBe(false);
  }, 60_000);

  it("a clone without the last snapshot's commit: 'fetch the clone: commit X is missing'", async () => {
    const missing = "fedcba9876543210fedcba9876543210fedcba98";
    w("gone/manifest.json", { ...m, plan: { ...m.plan, llvm: { ...m.plan.llvm, commit: missing }, source: { ...m.plan.source, commit: missing } } });
    refused(await runCli(["plan", "--repo", fx.dir, "--cache", join(T, "cache"), "--cutoff", "2026-11-05", "--manifests", join(T, "gone")]), EXIT.badInput, new RegExp(`fetch the clone: commit ${missing} is missing`));
  });
});

describe("the index lock cannot wedge", () => {
  it("a stale lock owned by an unrelated live PID is taken over with a message; a waiter says who holds it", async () => {
    const root = join(T, "lock-index");
    const P = indexPaths(root);
    mkdirSync(P.lock, { recursive: true });
    // PID reuse in a container: the recorded PID is alive (our parent) but its heartbeat stopped.
    writeFileSync(join(P.lock, "owner.json"), JSON.stringify({ host: hostname(), pid: process.ppid, started: "2026-11-01T00:00:00Z", command: "publish" }));
    const old = new Date(Date.now() - 120_000);
    utimesSync(P.lock, old, old);
    const log: string[] = [];
    const t0 = Date.now();
    await withIndexLock(root, async () => void 0, { staleMs: 5_000, log: (l) => log.push(l) });
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(log.join("\n")).toMatch(new RegExp(`taking over .* from publish \\(pid ${process.ppid} on .*, since 2026-11-01T00:00:00Z\\): no heartbeat for 1[12]\\d s`));
    // A live holder: the waiter names it, then runs once it is released.
    const said: string[] = [];
    let inside = false;
    await Promise.all([
      withIndexLock(root, async () => {
        inside = true;
        await new Promise((r) => setTimeout(r, 300));
        inside = false;
      }),
      new Promise((r) => setTimeout(r, 50)).then(() =>
        withIndexLock(root, async () => expect(inside).toBe(false), { log: (l) => said.push(l) }),
      ),
    ]);
    expect(said.join("\n")).toMatch(new RegExp(`waiting for .*\\(pid ${process.pid} on ${hostname()}, since .*\\) to finish`));
    expect(existsSync(P.lock)).toBe(false);
  }, 30_000);
});
