// The bad-input probe (issue 14): every command × malformed inputs, run against a real CLI
// (bin/mlir-release.mjs of this checkout, or of the checkout given with --checkout) in a fresh
// temporary root, each case classified:
//   good   exit status ≠ 0, exactly one `error:` line, no stack trace, no raw zod dump
//   stack  exit ≠ 0 but a stack trace / raw dump / several or no `error:` lines, or a hang
//   silent exit status 0 (the bad input was accepted)
// Usage: npm run bench:input-probe [-- --checkout <dir>] [--only <command>] [--verbose]
// It prints one line per case that is not "good" and the table; nothing here names a host.
import { spawn } from "node:child_process";
import { createServer, type AddressInfo } from "node:net";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { makeLlvmFixture } from "../test/support/llvm-git-fixture.js";
import { makeFixtureRelease } from "../test/support/release-fixture.js";

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const checkout = resolve(flag("--checkout") ?? new URL("..", import.meta.url).pathname);
const only = flag("--only");
const verbose = args.includes("--verbose");
const CLI = join(checkout, "bin", "mlir-release.mjs");
const TIMEOUT_MS = Number(flag("--timeout") ?? 30_000);

export type Verdict = "good" | "stack" | "silent";
export interface ProbeCase {
  command: string;
  what: string;
  argv: string[];
  env?: Record<string, string>;
}
export interface ProbeResult extends ProbeCase {
  verdict: Verdict;
  status: number | null;
  stderr: string;
  ms: number;
}

/** The verdict of one run: see the header. */
export function classify(status: number | null, stderr: string, timedOut: boolean): Verdict {
  if (timedOut) return "stack";
  if (status === 0) return "silent";
  const lines = stderr.split("\n");
  const errorLines = lines.filter((l) => l.startsWith("error:"));
  const stack = lines.some((l) => /^\s+at .+[(:]/.test(l)) || /ZodError|"code":\s*"invalid_|\[\s*\{\s*"(expected|code)"/.test(stderr);
  return errorLines.length === 1 && !stack ? "good" : "stack";
}

function run(c: ProbeCase, cwd: string): Promise<ProbeResult> {
  const t0 = Date.now();
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, ...c.argv], {
      cwd,
      env: { ...process.env, ...c.env },
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => void (stderr += d.toString()));
    child.stdout.resume();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        /* gone */
      }
    }, TIMEOUT_MS);
    child.on("close", (status) => {
      clearTimeout(timer);
      done({ ...c, status, stderr, ms: Date.now() - t0, verdict: classify(status, stderr, timedOut) });
    });
  });
}

/** The fixture root and the cases over it. */
export async function probeCases(T: string): Promise<{ cases: ProbeCase[]; setup: (cli: (argv: string[]) => Promise<unknown>) => Promise<void> }> {
  const rel = await makeFixtureRelease({ dir: join(T, "rel"), version: "22.1.8.dev20261124" });
  const llvm = await makeLlvmFixture();
  cpSync(llvm.dir, join(T, "llvm"), { recursive: true });
  rmSync(llvm.dir, { recursive: true, force: true });
  const c1 = llvm.c["c1"]!;
  const c3 = llvm.c["c3"]!;
  const m = rel.manifest;
  const w = (name: string, v: unknown): string => {
    const p = join(T, name);
    mkdirSync(join(p, ".."), { recursive: true });
    writeFileSync(p, typeof v === "string" ? v : JSON.stringify(v, null, 2));
    return p;
  };
  const nx = join(T, "nonexistent");
  const dir = join(T, "a-dir");
  mkdirSync(dir);
  const file = w("a-file", "not a directory\n");
  const trunc = w("trunc.json", JSON.stringify(m).slice(0, 200));
  const plan = w("plan.json", m.plan);
  const withPlan = (p: Partial<typeof m.plan> & Record<string, unknown>) => ({ ...m, plan: { ...m.plan, ...p } });
  const evil = w("evil/manifest.json", { ...withPlan({ version: "../../escaped" }), artifacts: [] });
  const inject = w("inject/manifest.json", withPlan({ llvm: { ...m.plan.llvm, commit: `--output=${join(T, "pwned")}` } }));
  const unknownField = w("unknown/manifest.json", { ...m, extra: true, plan: { ...m.plan, surprise: 1 } });
  const noArtifacts = w("empty/manifest.json", { ...m, artifacts: [] });
  const spaceVersion = w("space/manifest.json", withPlan({ version: "not a version" }));
  const wrongTypes = w("wrong/manifest.json", { ...m, schemaVersion: "1", artifacts: "none" });
  const badFile = w("badfile/manifest.json", { ...m, artifacts: [{ ...m.artifacts[0]!, fileName: "../x.whl" }] });
  const evilPlan = w("evil-plan.json", { ...m.plan, version: "../../escaped" });
  const injectPlan = w("inject-plan.json", { ...m.plan, llvm: { ...m.plan.llvm, commit: "--help" } });
  w("bad-report/build-report.json", "{\"platform\": \"linux-x86_64\", \"wheels\": [");
  w("wrong-report/build-report.json", { platform: "linux-x86_64", distribution: 3, wheels: "x" });
  const cfg = (name: string, v: unknown): string => w(`cfg/${name}.json`, v);
  const badConfigs: Array<[string, string]> = [
    ["missing", nx],
    ["truncated", w("cfg/trunc.json", "{\"distribution\": ")],
    ["directory", dir],
    ["devDistribution ../../evil dev", cfg("devdist", { devDistribution: "../../evil dev" })],
    ["tools.nanobind ; rm -rf /", cfg("nanobind", { tools: { nanobind: "; rm -rf /" } })],
    ["unknown field", cfg("unknown", { distrbution: "x" })],
    ["javascript: base URL", cfg("js", { publish: { index: { baseUrl: "javascript:alert(1)" } } })],
    ["index root under a file", cfg("root-file", { publish: { index: { baseUrl: "https://example.org/", root: join(file, "x") } } })],
    ["keepSnapshots -1", cfg("keep", { retention: { keepSnapshots: -1 } })],
    ["github owner ../x", cfg("gh", { publish: { github: { owner: "..", repo: "x/../y" } } })],
    ["llvm.branch --upload-pack", cfg("branch", { llvm: { branch: "--upload-pack=touch x" } })],
  ];
  // A loopback port where nothing listens (bound, then closed): connections are refused.
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const refusedPort = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  const ghEnv = { GITHUB_TOKEN: "not-a-token", MLIR_RELEASE_GITHUB_TOKEN: "not-a-token", GITHUB_API_URL: `http://127.0.0.1:${refusedPort}/api` };
  const cases: ProbeCase[] = [];
  const add = (command: string, what: string, argv: string[], env?: Record<string, string>): void => void cases.push({ command, what, argv, ...(env ? { env } : {}) });

  // build (--dry-run unless the case is about the real run)
  const dry = ["build", "--dry-run"];
  add("build", "--plan missing", ["build", "--plan", nx, "--out", join(T, "o1")]);
  add("build", "--plan truncated", ["build", "--plan", trunc, "--out", join(T, "o1")]);
  add("build", "--plan a directory", ["build", "--plan", dir, "--out", join(T, "o1")]);
  add("build", "--dry-run --plan missing", [...dry, "--plan", nx]);
  add("build", "--dry-run --plan truncated", [...dry, "--plan", trunc]);
  add("build", "--dry-run --plan a directory", [...dry, "--plan", dir]);
  add("build", "--dry-run --plan with version ../../escaped", [...dry, "--plan", evilPlan]);
  add("build", "--dry-run --plan with commit --help", [...dry, "--plan", injectPlan]);
  for (const j of ["abc", "0", "-1", "1.5"]) add("build", `-j ${j}`, [...dry, "-j", j]);
  for (const v of ["not a version", "1.0/../../x", ""]) add("build", `--version '${v}'`, [...dry, "--version", v]);
  for (const d of ["/tmp/evil", "../evil", "a b", "-x"]) add("build", `--distribution '${d}'`, [...dry, "--distribution", d]);
  for (const p of ["nope", "../linux-x86_64", ""]) add("build", `--platform '${p}'`, [...dry, "--platform", p]);
  for (const p of ["3.99", "abc", ",", "2.7"]) add("build", `--python '${p}'`, [...dry, "--python", p]);
  for (const s of ["bogus", `tarball:${nx}@${"0".repeat(64)}`, `dir:${nx}`, `git:--upload-pack=x@${"0".repeat(40)}`]) add("build", `--source '${s}'`, [...dry, "--source", s]);
  for (const l of ["bogus", `prebuilt:${nx}`]) add("build", `--layer '${l}'`, [...dry, "--layer", l]);
  for (const p of ["bogus", "manylinux1"]) add("build", `--policy ${p}`, [...dry, "--policy", p]);
  for (const [what, c] of badConfigs) add("build", `--config ${what}`, [...dry, "--config", c]);
  add("build", "unknown option", ["build", "--frobnicate"]);

  // verify
  add("verify", "--out missing", ["verify", "--out", nx]);
  add("verify", "--out a file", ["verify", "--out", file]);
  add("verify", "--out truncated build-report.json", ["verify", "--out", join(T, "bad-report")]);
  add("verify", "--out wrong-typed build-report.json", ["verify", "--out", join(T, "wrong-report")]);
  add("verify", "--platform nope", ["verify", "--out", join(T, "bad-report"), "--platform", "nope"]);
  add("verify", "--python abc", ["verify", "--out", join(T, "bad-report"), "--python", "abc"]);
  for (const [what, c] of badConfigs.slice(0, 6)) add("verify", `--config ${what}`, ["verify", "--out", join(T, "bad-report"), "--config", c]);

  // stage
  const stageArgs = (manifest: string, out: string, more: string[] = []): string[] => ["stage", "--manifest", manifest, "--artifacts", rel.dir, "--out", join(T, out), ...more];
  add("stage", "--manifest missing", stageArgs(nx, "s1"));
  add("stage", "--manifest truncated", stageArgs(trunc, "s1"));
  add("stage", "--manifest a directory", stageArgs(dir, "s1"));
  add("stage", "version ../../escaped, no wheels", stageArgs(evil, "s-evil"));
  add("stage", "unknown manifest fields", stageArgs(unknownField, "s-unknown"));
  add("stage", "0 artifacts", stageArgs(noArtifacts, "s-empty"));
  add("stage", "version with spaces", stageArgs(spaceVersion, "s-space"));
  add("stage", "wrong-typed manifest", stageArgs(wrongTypes, "s1"));
  add("stage", "artifact file name ../x.whl", stageArgs(badFile, "s1"));
  add("stage", "--artifacts missing", ["stage", "--manifest", join(rel.dir, "manifest.json"), "--artifacts", nx, "--out", join(T, "s1")]);
  add("stage", "--artifacts a file", ["stage", "--manifest", join(rel.dir, "manifest.json"), "--artifacts", file, "--out", join(T, "s1")]);
  add("stage", "--out under a file", stageArgs(join(rel.dir, "manifest.json"), "a-file/sub"));
  add("stage", "--out under /proc", ["stage", "--manifest", join(rel.dir, "manifest.json"), "--artifacts", rel.dir, "--out", "/proc/x"]);
  add("stage", "--previous truncated", stageArgs(join(rel.dir, "manifest.json"), "s2", ["--previous", trunc]));
  add("stage", "--previous commit --output=…", stageArgs(join(rel.dir, "manifest.json"), "s3", ["--previous", inject]));
  add("stage", "--manifest commit --output=…", stageArgs(inject, "s4"));
  add("stage", "missing --out", ["stage", "--manifest", join(rel.dir, "manifest.json"), "--artifacts", rel.dir]);

  // site
  const index = join(T, "index");
  add("site", "--index-root missing", ["site", "--index-root", nx]);
  add("site", "--index-root a file", ["site", "--index-root", file]);
  add("site", "--base-url javascript:", ["site", "--index-root", index, "--base-url", "javascript:alert(1)"]);
  add("site", "--base-url not a URL", ["site", "--index-root", index, "--base-url", "not a url"]);
  add("site", "--files-url javascript:", ["site", "--index-root", index, "--files-url", "javascript:alert('{file}')"]);
  add("site", "--files-url ftp:", ["site", "--index-root", index, "--files-url", "ftp://x/{version}/{file}"]);

  // site-sync
  add("site-sync", "--github-repository noslash", ["site-sync", "--index-root", index, "--github-repository", "noslash"], ghEnv);
  add("site-sync", "--github-repository a/b/c", ["site-sync", "--index-root", index, "--github-repository", "a/b/c"], ghEnv);
  add("site-sync", "--github-repository ../x", ["site-sync", "--index-root", index, "--github-repository", "../x"], ghEnv);
  add("site-sync", "--github-repository -x/y", ["site-sync", "--index-root", index, "--github-repository", "-x/y"], ghEnv);
  add("site-sync", "no token", ["site-sync", "--index-root", index, "--github-repository", "a/b"], { GITHUB_TOKEN: "", MLIR_RELEASE_GITHUB_TOKEN: "", GH_TOKEN: "" });
  add("site-sync", "API refuses the connection", ["site-sync", "--index-root", index, "--github-repository", "a/b"], ghEnv);
  add("site-sync", "API on a port fetch refuses (:9)", ["site-sync", "--index-root", index, "--github-repository", "a/b"], { ...ghEnv, GITHUB_API_URL: "http://127.0.0.1:9/api" });
  add("site-sync", "--base-url javascript:", ["site-sync", "--index-root", index, "--github-repository", "a/b", "--base-url", "javascript:x"], ghEnv);
  add("site-sync", "GITHUB_SERVER_URL javascript:", ["site-sync", "--index-root", index, "--github-repository", "a/b"], { ...ghEnv, GITHUB_SERVER_URL: "javascript:x" });
  add("site-sync", "--index-root missing", ["site-sync", "--index-root", nx, "--github-repository", "a/b"], ghEnv);
  for (const [what, c] of badConfigs.slice(0, 7)) add("site-sync", `--config ${what}`, ["site-sync", "--index-root", index, "--github-repository", "a/b", "--config", c], ghEnv);

  // publish
  const stage = join(T, "stage");
  const pub = (more: string[], env?: Record<string, string>): void => add("publish", more.join(" ").replaceAll(T, "T"), ["publish", "--stage", stage, "--log", join(T, "logs", "publish.log"), ...more], env);
  add("publish", "--stage missing", ["publish", "--stage", nx, "--targets", "index", "--index-root", index]);
  add("publish", "--stage a file", ["publish", "--stage", file, "--targets", "index", "--index-root", index]);
  add("publish", "--stage a directory without a stage", ["publish", "--stage", dir, "--targets", "index", "--index-root", index]);
  add("publish", "--stage with version ../../escaped", ["publish", "--stage", join(T, "s-evil"), "--targets", "index", "--index-root", index]);
  pub(["--targets", "index"]);
  pub(["--targets", "github"], { GITHUB_TOKEN: "", MLIR_RELEASE_GITHUB_TOKEN: "" });
  pub(["--targets", "pypi"]);
  pub(["--targets", "conda", "--conda-channel", "https://example.org/channel"]);
  pub(["--targets", "bogus"]);
  pub(["--targets", ""]);
  pub(["--targets", "index,index,"]);
  pub(["--targets", "index", "--index-root", file]);
  pub(["--targets", "index", "--index-root", join(file, "sub")]);
  pub(["--targets", "conda", "--conda-channel", join(file, "sub")]);
  add("publish", "--log under a file", ["publish", "--stage", stage, "--targets", "index", "--index-root", index, "--log", join(file, "x.log")]);
  pub(["--targets", "github", "--github-repository", "noslash"], ghEnv);
  pub(["--targets", "github", "--github-repository", "a/b"], ghEnv);
  pub(["--targets", "github", "--github-repository", "a/b"], { ...ghEnv, GITHUB_API_URL: "javascript:alert(1)" });
  for (const [what, c] of badConfigs) add("publish", `--config ${what}`, ["publish", "--stage", stage, "--targets", "index", "--index-root", index, "--config", c]);

  // prune
  for (const k of ["abc", "-1", "0", "1.5", ""]) add("prune", `--keep '${k}'`, ["prune", "--index-root", index, "--keep", k]);
  add("prune", "--index-root missing", ["prune", "--index-root", nx]);
  add("prune", "--index-root a file", ["prune", "--index-root", file]);
  add("prune", "--apply --github-repository noslash", ["prune", "--index-root", index, "--apply", "--github-repository", "noslash"], ghEnv);
  for (const [what, c] of badConfigs.slice(0, 9)) add("prune", `--config ${what}`, ["prune", "--index-root", index, "--config", c]);

  // select and plan
  for (const cmd of ["select", "plan"]) {
    const sel = [cmd, "--repo", join(T, "llvm"), "--cache", join(T, "cache")];
    add(cmd, "--kind bogus", [...sel, "--kind", "bogus"]);
    for (const c of ["2026-13-45", "2026-02-31", "2026-02-31T10:00Z", "yesterday", "2026-11-05T25:00:00Z"]) add(cmd, `--cutoff ${c}`, [...sel, "--cutoff", c]);
    for (const p of ["abc", "-1", "0"]) add(cmd, `--post ${p}`, [...sel, "--kind", "numbered", "--ref", "llvmorg-22.1.0", "--post", p]);
    add(cmd, "--ref --output=…", [...sel, "--ref", `--output=${join(T, "pwned")}`]);
    add(cmd, "--kind numbered --ref bogus", [...sel, "--kind", "numbered", "--ref", "bogus"]);
    add(cmd, "--repo missing", [cmd, "--repo", nx, "--cache", join(T, "cache")]);
    add(cmd, "--repo a file", [cmd, "--repo", file, "--cache", join(T, "cache")]);
    add(cmd, "--repo --upload-pack=…", [cmd, "--repo", "--upload-pack=touch x", "--cache", join(T, "cache")]);
    add(cmd, "--manifests missing", [...sel, "--manifests", nx]);
    add(cmd, "--manifests truncated", [...sel, "--manifests", trunc]);
    add(cmd, "--manifests commit --output=…", [...sel, "--manifests", inject]);
    add(cmd, "--published-in noslash", [...sel, "--github-repository", "noslash"], ghEnv);
    add(cmd, "--github noslash", [cmd, "--llvm-github", "noslash", "--cache", join(T, "cache")], ghEnv);
    add(cmd, "--api-url javascript:", [cmd, "--llvm-github", "a/b", "--github-api-url", "javascript:alert(1)"], ghEnv);
    for (const [what, c] of badConfigs.slice(0, 6)) add(cmd, `--config ${what}`, [...sel, "--config", c]);
  }
  add("plan", "--out in a missing folder", ["plan", "--repo", join(T, "llvm"), "--cache", join(T, "cache"), "--cutoff", "2026-11-03T12:00:00Z", "--out", join(nx, "p.json")]);
  add("plan", "--out a directory", ["plan", "--repo", join(T, "llvm"), "--cache", join(T, "cache"), "--cutoff", "2026-11-03T12:00:00Z", "--out", dir]);

  // resolve
  const res = ["resolve", "--manifests", rel.dir];
  add("resolve", "--manifests missing", ["resolve", "--manifests", nx, "--commit", c1]);
  add("resolve", "--manifests truncated", ["resolve", "--manifests", trunc, "--commit", c1]);
  add("resolve", "--manifests unknown fields", ["resolve", "--manifests", unknownField, "--commit", c1]);
  add("resolve", "--commit zz", [...res, "--commit", "zz"]);
  add("resolve", "--commit --x", [...res, "--commit=--x"]);
  add("resolve", "--python abc", [...res, "--python", "abc", "--platform", "linux-x86_64"]);
  add("resolve", "--python 3.99", [...res, "--python", "3.99", "--platform", "linux-x86_64"]);
  add("resolve", "--platform ../x", [...res, "--python", "3.12", "--platform", "../x"]);
  for (const d of ["2026-13-45", "2026-02-31", "tomorrow", "2026-1-5"]) add("resolve", `--on-or-before ${d}`, [...res, "--python", "3.12", "--platform", "linux-x86_64", "--on-or-before", d]);
  add("resolve", "--kind bogus", [...res, "--python", "3.12", "--platform", "linux-x86_64", "--kind", "bogus"]);
  add("resolve", "no question", res);

  // notes
  const notes = ["notes", "--repo", join(T, "llvm"), "--cache", join(T, "cache")];
  add("notes", "--from --output=…", [...notes, `--from=--output=${join(T, "pwned")}`, "--to", c3]);
  add("notes", "--to --output=…", [...notes, "--from", c1, `--to=--output=${join(T, "pwned")}`]);
  add("notes", "--from unknown sha", [...notes, "--from", "0123456789abcdef0123456789abcdef01234567", "--to", c3]);
  add("notes", "--from not a sha", [...notes, "--from", "not a sha", "--to", c3]);
  add("notes", "--manifest truncated", [...notes, "--manifest", trunc, "--previous", join(rel.dir, "manifest.json")]);
  add("notes", "--previous commit --output=…", [...notes, "--manifest", join(rel.dir, "manifest.json"), "--previous", inject]);
  add("notes", "--repo missing", ["notes", "--repo", nx, "--from", c1, "--to", c3, "--cache", join(T, "cache")]);
  add("notes", "no range", notes);
  add("notes", "--version ../x", [...notes, "--from", c1, "--to", c3, "--version", "../x"]);

  // rebuild
  add("rebuild", "manifest missing", ["rebuild", nx, "--cache", join(T, "cache")]);
  add("rebuild", "manifest truncated", ["rebuild", trunc, "--cache", join(T, "cache")]);
  add("rebuild", "manifest a directory", ["rebuild", dir, "--cache", join(T, "cache")]);
  add("rebuild", "manifest version ../../escaped", ["rebuild", evil, "--cache", join(T, "cache")]);
  add("rebuild", "-j abc", ["rebuild", join(rel.dir, "manifest.json"), "-j", "abc", "--cache", join(T, "cache")]);
  add("rebuild", "--cache a file", ["rebuild", join(rel.dir, "manifest.json"), "--cache", file]);
  add("rebuild", "unknown manifest fields", ["rebuild", unknownField, "--cache", join(T, "cache")]);

  // guide
  add("guide", "manifest missing", ["guide", nx]);
  add("guide", "manifest truncated", ["guide", trunc]);
  add("guide", "manifest a directory", ["guide", dir]);
  add("guide", "wrong-typed manifest", ["guide", wrongTypes]);
  add("guide", "unknown manifest fields", ["guide", unknownField]);
  add("guide", "--out under a file", ["guide", join(rel.dir, "manifest.json"), "--out", join(file, "g.md")]);
  add("guide", "--index-url javascript:", ["guide", join(rel.dir, "manifest.json"), "--index-url", "javascript:alert(1)"]);
  add("guide", "--download-url javascript:", ["guide", join(rel.dir, "manifest.json"), "--download-url", "javascript:alert(1)"]);

  // platforms
  for (const p of ["3.99", "abc", "", "3.12,,"]) add("platforms", `--python '${p}'`, ["platforms", "--python", p]);
  add("platforms", "--llvm-tree missing", ["platforms", "--llvm-tree", nx]);
  add("platforms", "--llvm-tree a file", ["platforms", "--llvm-tree", file]);
  add("platforms", "--mlir-cmake-dir missing", ["platforms", "--mlir-cmake-dir", nx]);

  // the CLI itself
  add("cli", "unknown command", ["frobnicate"]);
  add("cli", "unknown option", ["--frobnicate"]);

  const setup = async (cli: (argv: string[]) => Promise<unknown>): Promise<void> => {
    await cli(["stage", "--manifest", join(rel.dir, "manifest.json"), "--artifacts", rel.dir, "--out", stage]);
    await cli(["stage", "--manifest", evil, "--artifacts", rel.dir, "--out", join(T, "s-evil")]);
    mkdirSync(index, { recursive: true });
  };
  return { cases: only ? cases.filter((c) => c.command === only) : cases, setup };
}

async function main(): Promise<void> {
  const T = mkdtempSync(join(tmpdir(), "input-probe-"));
  const { cases, setup } = await probeCases(T);
  await setup((argv) => run({ command: "setup", what: "setup", argv }, T));
  process.stderr.write(`probing ${CLI} with ${cases.length} malformed inputs (root ${T})\n`);
  const results: ProbeResult[] = [];
  for (const [i, c] of cases.entries()) {
    const r = await run(c, T);
    results.push(r);
    if (r.verdict !== "good" || verbose) {
      const first = r.stderr.split("\n").find((l) => l.trim()) ?? "";
      process.stdout.write(`${r.verdict.padEnd(6)} ${c.command.padEnd(9)} ${c.what.slice(0, 60).padEnd(60)} exit ${r.status} ${first.slice(0, 100)}\n`);
    }
    if ((i + 1) % 20 === 0) process.stderr.write(`  ${i + 1}/${cases.length}\n`);
  }
  const found = (d: string, depth: number): boolean =>
    depth >= 0 && existsSync(d) && readdirSync(d, { withFileTypes: true }).some((e) => e.name.includes("escaped") || e.name === "pwned" || (e.isDirectory() && found(join(d, e.name), depth - 1)));
  const escaped = found(T, 6) || found(join(T, ".."), 0);
  const by = (v: Verdict): number => results.filter((r) => r.verdict === v).length;
  const commands = new Set(results.map((r) => r.command));
  process.stdout.write(
    `\n${results.length} inputs across ${commands.size} commands: good ${by("good")}, stack/raw/hang ${by("stack")}, silent ${by("silent")}` +
      `; exit statuses ${[...new Set(results.map((r) => r.status))].sort().join(",")}; file written outside the root or by git injection: ${escaped ? "YES" : "no"}\n`,
  );
  const perCommand = [...commands].map((cmd) => {
    const rs = results.filter((r) => r.command === cmd);
    return `${cmd.padEnd(10)} ${String(rs.length).padStart(3)}  good ${String(rs.filter((r) => r.verdict === "good").length).padStart(3)}  stack ${String(rs.filter((r) => r.verdict === "stack").length).padStart(3)}  silent ${String(rs.filter((r) => r.verdict === "silent").length).padStart(3)}`;
  });
  process.stdout.write(`${perCommand.join("\n")}\n`);
  writeFileSync(join(T, "probe-results.json"), JSON.stringify(results, null, 2));
  process.stderr.write(`details: ${join(T, "probe-results.json")}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
