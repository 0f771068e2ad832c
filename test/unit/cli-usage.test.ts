// Issue 25, items 2 and 3, through the real CLI (src/cli.ts main, in this process):
// usage errors answer exit 2 in at most three lines (the error, a did-you-mean where one fits, the
// see-help line with the full command path) on every command, nested ones included; --version;
// refused values are named; and a command refused for bad input leaves no file or folder behind.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildProgram } from "../../src/cli.js";
import { commandPath } from "../../src/cli/usage.js";
import { CheckFailedError, EXIT, InvalidInputError } from "../../src/errors.js";
import { REPO_ROOT } from "../../src/options/resolve-options.js";
import { BuildReport } from "../../src/schema/build-report.js";
import { freshDir, newDir, refusalLeavesNothing } from "../../src/util/fresh-dir.js";
import { runCli, type CliRun } from "../support/cli-inprocess.js";
import { makeFixtureRelease } from "../support/release-fixture.js";

const env = { GITHUB_TOKEN: undefined, MLIR_RELEASE_GITHUB_TOKEN: undefined, GITHUB_API_URL: "http://127.0.0.1:9/api", MLIR_RELEASE_DEBUG: undefined };
const lines = (r: CliRun): string[] => r.stderr.split("\n").filter((l) => l.trim() !== "");

/** The usage-error contract: exit 2, at most 3 lines, `error:` first, the see-help line last, no help text. */
function usageError(r: CliRun, path: string): string[] {
  const l = lines(r);
  expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: EXIT.usage });
  expect(l.length, r.stderr).toBeLessThanOrEqual(3);
  expect(l[0]).toMatch(/^error: /);
  expect(l.at(-1)).toBe(`see '${path} --help'`);
  expect(r.stderr).not.toMatch(/Usage:|Options:/);
  expect(r.stdout).toBe("");
  return l;
}

let T: string;
/** Every temporary folder this file makes, removed at the end. */
const temps: string[] = [];
const temp = (prefix: string): string => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  temps.push(d);
  return d;
};
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});
let manifestPath: string;
let relDir: string;
beforeAll(async () => {
  T = temp("cli-usage-");
  const rel = await makeFixtureRelease({ dir: join(T, "rel"), version: "22.1.8.dev20261124" });
  relDir = rel.dir;
  manifestPath = join(rel.dir, "manifest.json");
}, 120_000);

describe("usage errors: exit 2, at most 3 lines, a did-you-mean where one fits, the see-help line", () => {
  const cases: Array<{ argv: string[]; path: string; error: RegExp; mean?: string }> = [
    { argv: ["bild"], path: "mlir-release", error: /unknown command 'bild'/, mean: "build" },
    { argv: ["build", "--platfrm", "linux-x86_64"], path: "mlir-release build", error: /unknown option '--platfrm'/, mean: "--platform" },
    { argv: ["build", "--platform"], path: "mlir-release build", error: /option '--platform <id>' argument missing/ },
    { argv: ["verify", "one", "two"], path: "mlir-release verify", error: /too many arguments for 'verify'/ },
    { argv: ["rebuild"], path: "mlir-release rebuild", error: /missing required argument 'manifest'/ },
    { argv: ["help", "buidl"], path: "mlir-release", error: /unknown command 'buidl'/, mean: "build" },
    { argv: ["downstream"], path: "mlir-release downstream", error: /missing command for 'mlir-release downstream': one of build, rebuild, resolve/ },
    { argv: ["downstream", "rebild"], path: "mlir-release downstream", error: /unknown command 'rebild'/, mean: "rebuild" },
    { argv: ["downstream", "build"], path: "mlir-release downstream build", error: /required option '--project <dir>' not specified/ },
    { argv: ["downstream", "build", "--project", ".", "--bogus"], path: "mlir-release downstream build", error: /unknown option '--bogus'/ },
    { argv: ["downstream", "build", "--project", ".", "--nanobnd", "2.9.2"], path: "mlir-release downstream build", error: /unknown option '--nanobnd'/, mean: "--nanobind" },
    { argv: ["downstream", "rebuild", "m.json"], path: "mlir-release downstream rebuild", error: /required option '--project <dir>' not specified/ },
    { argv: ["layer-store", "push"], path: "mlir-release layer-store push", error: /required option '--from <dir>' not specified/ },
    { argv: ["layer-store", "psh"], path: "mlir-release layer-store", error: /unknown command 'psh'/, mean: "push" },
    { argv: ["layer-store", "push", "--from", "x", "extra"], path: "mlir-release layer-store push", error: /too many arguments for 'push'/ },
    { argv: ["publish", "--stage"], path: "mlir-release publish", error: /option '--stage <dir>' argument missing/ },
  ];
  for (const c of cases) {
    it(`${c.argv.join(" ")}`, async () => {
      const l = usageError(await runCli(c.argv, { env, cwd: T }), c.path);
      expect(l[0]).toMatch(c.error);
      if (c.mean) expect(l[1]).toBe(`(Did you mean ${c.mean}?)`);
      else expect(l).toHaveLength(2);
    });
  }

  it("every command of the program, however deeply nested: an unknown option (or its missing required input) is a usage error of that command", async () => {
    const all: Command[] = [];
    const walk = (c: Command): void => {
      for (const s of c.commands) {
        all.push(s);
        walk(s);
      }
    };
    walk(buildProgram());
    expect(all.length).toBeGreaterThan(20);
    const paths: string[] = [];
    for (const cmd of all) {
      const path = commandPath(cmd);
      paths.push(path);
      const r = await runCli([...path.split(" ").slice(1), "--zz-not-an-option"], { env, cwd: T });
      const l = usageError(r, path);
      expect(l[0], path).toMatch(cmd.commands.length ? /unknown option '--zz-not-an-option'|missing command/ : /unknown option '--zz-not-an-option'|required option|missing required argument/);
    }
    expect(paths).toEqual(expect.arrayContaining(["mlir-release downstream build", "mlir-release downstream rebuild", "mlir-release layer-store push"]));
  }, 120_000);
});

describe("--version", () => {
  it("mlir-release --version (and -V, and after --debug) prints package.json's version and exits 0", async () => {
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string };
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
    for (const argv of [["--version"], ["-V"], ["--debug", "--version"]]) {
      const r = await runCli(argv, { env, cwd: T });
      expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ code: 0, stdout: `${version}\n`, stderr: "" });
    }
    expect((await runCli(["--help"], { env, cwd: T })).stdout).toMatch(/-V, --version\s+print mlir-release's version/);
  });

  it("build --version <v> stays build's own flag (the release version), not the tool's", async () => {
    const r = await runCli(["build", "--version", "not a version", "--dry-run"], { env, cwd: T });
    expect(r.code).toBe(EXIT.badInput);
    expect(r.stderr).toMatch(/^error: --version 'not a version': a canonical PEP 440 version/m);
  });
});

describe("refused values are named", () => {
  it("an invalid choice names the value given, every valid one, and the nearest when it is a typo", async () => {
    const r = await runCli(["build", "--platform", "linux-mips64"], { env, cwd: T });
    expect(r.code).toBe(EXIT.badInput);
    expect(lines(r)).toHaveLength(1);
    expect(r.stderr).toMatch(/^error: invalid --platform "linux-mips64": /);
    for (const p of ["linux-x86_64", "linux-aarch64", "macos-arm64", "macos-x86_64", "windows-x64"]) expect(r.stderr).toContain(`"${p}"`);
    expect(r.stderr).not.toMatch(/did you mean/);
    const typo = await runCli(["verify", "--platform", "linux-x86-64"], { env, cwd: T });
    expect(typo.stderr).toMatch(/^error: invalid --platform "linux-x86-64": .*; did you mean "linux-x86_64"\?$/m);
  });

  it("a manifest whose wheel fileName holds ../ is refused by rebuild, promote, stage and guide naming the field and the value", async () => {
    const m = JSON.parse(readFileSync(manifestPath, "utf8")) as { artifacts: Array<{ fileName: string }> };
    m.artifacts[0]!.fileName = "../evil.whl";
    const evil = join(T, "evil-manifest.json");
    writeFileSync(evil, JSON.stringify(m));
    for (const argv of [["rebuild", evil], ["promote", "--manifest", evil, "--artifacts", relDir, "--out", join(T, "p-out"), "--version", "22.1.8"], ["stage", "--manifest", evil, "--artifacts", relDir, "--out", join(T, "s-out")], ["guide", evil]]) {
      const r = await runCli(argv, { env, cwd: T, });
      expect(r.code, argv[0]).toBe(EXIT.badInput);
      expect(lines(r), argv[0]).toHaveLength(1);
      expect(r.stderr).toContain(`invalid manifest ${evil}: artifacts.0.fileName: a plain file name`);
      expect(r.stderr).toContain(`(got "../evil.whl")`);
    }
  });

  it("verify refuses a build-report.json whose wheel fileName holds ../, naming it", async () => {
    const dir = join(T, "evil-dist");
    mkdirSync(dir);
    const report = {
      platform: "linux-x86_64", distribution: "mlir-python-bindings", version: "22.1.8",
      llvm: { version: "22.1.8", commit: "0".repeat(40), sourceIdentity: "x" }, layer: { kind: "prebuilt", prefix: "/usr/lib/llvm-22", key: "k" },
      sourceDateEpoch: 1, nanobindDomain: "mlir_release", seconds: {},
      wheels: [{ python: "3.12", fileName: "../../outside.whl", sha256: "1".repeat(64), size: 1, tag: { python: "cp312", abi: "cp312", platform: "linux_x86_64" }, reused: false, seconds: {} }],
    };
    // The report is valid but for the file name, so the message is about that alone.
    expect(BuildReport.safeParse(report).error?.issues.map((i) => i.path.join("."))).toEqual(["wheels.0.fileName"]);
    writeFileSync(join(dir, "build-report.json"), JSON.stringify(report));
    const r = await runCli(["verify", "--out", dir, "--python", "3.12"], { env: { ...env, MLIR_RELEASE_CACHE: join(T, "verify-cache") }, cwd: T });
    expect(r.code).toBe(EXIT.badInput);
    expect(r.stderr).toMatch(/^error: invalid build report .*: wheels\.0\.fileName: a plain file name .*\(got "\.\.\/\.\.\/outside\.whl"\)$/m);
  });
});

/** Every file and folder under `root` (relative), with each file's size: what "unchanged" compares. */
const tree = (root: string): string[] =>
  readdirSync(root, { recursive: true })
    .map(String)
    .sort()
    .map((p) => {
      const s = statSync(join(root, p));
      return s.isDirectory() ? `${p}/` : `${p} ${s.size}`;
    });

describe("no litter on refusal: a command refused for bad input creates nothing", () => {
  it("verify, publish, restore, rebuild, promote, downstream rebuild, build refused in a checkout-like folder with an empty MLIR_RELEASE_CACHE", async () => {
    // A stage to publish from, made once (publish then refuses for its targets, not its stage).
    const stage = join(T, "litter-stage");
    expect((await runCli(["stage", "--manifest", manifestPath, "--artifacts", relDir, "--out", stage], { env, cwd: T })).code).toBe(0);
    const cases: string[][] = [
      ["verify"],
      ["verify", "--out", relDir],
      ["verify", "--platform", "linux-mips64"],
      ["publish", "--stage", stage],
      ["publish", "--stage", stage, "--targets", "github"],
      ["publish", "--stage", stage, "--targets", "conda,github", "--conda-channel", "channel"],
      ["publish", "--stage", "no-such-stage", "--targets", "bogus"],
      ["restore", "22.1.8"],
      ["restore", "22.1.8", "--index-root", "index"],
      ["restore", "22.1.8", "--index-root", "index", "--out", "restored"],
      ["restore", "22.1.8", "--index-root", "index", "-j", "0"],
      ["rebuild", manifestPath],
      ["rebuild", manifestPath, "--out", "rebuilt", "--work", "rebuild-work"],
      ["promote", "--manifest", manifestPath, "--artifacts", join(T, "no-such-artifacts"), "--out", "promoted", "--version", "22.1.8"],
      ["downstream", "rebuild", manifestPath, "--project", "."],
      ["downstream", "build", "--project", "."],
      ["build", "--platform", "linux-mips64", "--out", "wheels"],
      // Refused by the factory, after the CLI has resolved its folders.
      ["build", "--python", "3.99", "--out", "wheels"],
      ["setup", "--platform", "linux-mips64"],
    ];
    const left: Array<{ what: string; made: string[] }> = [];
    for (const argv of cases) {
      // A checkout-like working folder (the config, an empty index folder) and an empty cache.
      const cwd = temp("cli-litter-cwd-");
      cpSync(join(REPO_ROOT, "release.config.json"), join(cwd, "release.config.json"));
      mkdirSync(join(cwd, "index"));
      const cache = temp("cli-litter-cache-");
      const before = { cwd: tree(cwd), cache: tree(cache), rel: tree(relDir) };
      const r = await runCli(argv, { env: { ...env, MLIR_RELEASE_CACHE: cache }, cwd });
      const what = argv.join(" ").replaceAll(T, "T");
      expect(r.code, `${what}: ${r.stderr}`).toBe(EXIT.badInput);
      expect(lines(r).filter((l) => l.startsWith("error:")), what).toHaveLength(1);
      const made = [...tree(cwd).filter((p) => !before.cwd.includes(p)).map((p) => `cwd/${p}`), ...tree(cache).filter((p) => !before.cache.includes(p)).map((p) => `cache/${p}`)];
      const after = { cwd: tree(cwd), cache: tree(cache), rel: tree(relDir) };
      if (JSON.stringify(after) !== JSON.stringify(before)) left.push({ what, made: made.length ? made : ["(a file changed)"] });
    }
    expect(left).toEqual([]);
  }, 300_000);
});

describe("fresh folders (src/util/fresh-dir.ts)", () => {
  const refuse = (): Promise<never> => Promise.reject(new InvalidInputError("refused"));
  it("a refusal before any command ran takes back what was made, parents included; a folder that existed stays", async () => {
    const root = temp("fresh-dir-");
    mkdirSync(join(root, "existing"));
    const base = freshDir(join(root, "cache", "rebuild"), "v-");
    const out = newDir(join(root, "a", "b", "out"));
    const kept = newDir(join(root, "existing"));
    await expect(refusalLeavesNothing([base, out, kept], async () => {
      writeFileSync(join(base.path(), "x"), "x");
      out.path();
      kept.path();
      return refuse();
    })).rejects.toThrow("refused");
    expect(tree(root)).toEqual(["existing/"]);
  });

  it("once a command ran (a *.log in a folder), or when the failure is not a refusal, everything stays", async () => {
    const root = temp("fresh-dir-");
    const base = freshDir(join(root, "cache"), "v-");
    await expect(refusalLeavesNothing([base], async () => {
      mkdirSync(join(base.path(), "work", "logs"), { recursive: true });
      writeFileSync(join(base.path(), "work", "logs", "rebuild.log"), "$ cmake ...\n");
      return refuse();
    })).rejects.toThrow("refused");
    expect(tree(root).filter((p) => p.endsWith(".log 12"))).toHaveLength(1);
    const other = freshDir(join(root, "cache2"), "v-");
    await expect(refusalLeavesNothing([other], async () => {
      other.path();
      throw new CheckFailedError("differs");
    })).rejects.toThrow("differs");
    expect(tree(root).filter((p) => p.startsWith("cache2/"))).toEqual(["cache2/", expect.stringMatching(/^cache2\/v-\w+\/$/)]);
  });
});
