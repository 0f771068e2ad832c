// The Dagger module's CLI argv, built by one function (src/dagger/cli-argv.ts) from the CLI's own flag
// types, checked against the CLI's real commander option table (src/cli/program.ts): a flag the CLI
// does not have, a missing value or a missing required option fails here, not on CI.
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { checkCliArgv } from "../../src/cli/argv-check.js";
import { createProgram } from "../../src/cli/program.js";
import { cliArgv, flagOf } from "../../src/dagger/cli-argv.js";
import { buildArgv, PATHS, planArgv, publishArgv, rebuildArgv, siteSyncArgv } from "../../src/dagger/pipeline.js";
import { downstreamArgv } from "../../src/dagger/downstream.js";

const program = createProgram();

/** Every argv the module's functions build, with every optional part present and absent. */
const moduleArgvs: Record<string, string[]> = {
  "build (source)": buildArgv({ platform: "linux-x86_64", policy: "manylinux2014", layer: "source", nanobind: "2.9.2", optionsHash: "b".repeat(64) }),
  "build (everything)": buildArgv({
    platform: "linux-aarch64",
    policy: "manylinux_2_28",
    llvmSource: `git:https://example.org/llvm-project.git@${"c".repeat(40)}`,
    layer: "prebuilt:/opt/llvm",
    pythons: "3.12,3.13t",
    nanobind: "2.9.2",
    optionsHash: "b".repeat(64),
    jobs: 2,
  }),
  "build (plan)": buildArgv({ platform: "linux-x86_64", policy: "manylinux2014", layer: "source", nanobind: "2.9.2", optionsHash: "b".repeat(64), plan: {} as never }),
  "plan (bare)": planArgv("snapshot", {}),
  "plan (everything)": planArgv("numbered", { ref: "llvmorg-22.1.8", cutoff: "2026-11-25T00:00:00Z", githubRepository: "o/r" }),
  "publish (bare)": publishArgv({ targets: "github,index" }),
  "publish (repository)": publishArgv({ targets: "github", githubRepository: "o/r" }),
  "site-sync (bare)": siteSyncArgv({ githubRepository: "o/r" }),
  "site-sync (everything)": siteSyncArgv({ githubRepository: "o/r", baseUrl: "https://example.org/mlir/", prune: true }),
  rebuild: rebuildArgv(),
  "downstream build (bare)": downstreamArgv({ release: "22.1.8", indexUrl: "https://example.org/mlir/" }),
  "downstream build (pythons)": downstreamArgv({ release: "22.1.8", indexUrl: "https://example.org/mlir/", pythons: "3.12,3.13" }),
};

describe("the Dagger module's argv", () => {
  for (const [name, argv] of Object.entries(moduleArgvs)) {
    it(`${name}: the CLI has every flag it names`, () => {
      expect(argv.slice(0, 2)).toEqual(["node", "bin/mlir-release.mjs"]);
      expect(checkCliArgv(program, argv)).toEqual([]);
    });
  }

  it("is the option object in order: attribute → --kebab-case, true → bare flag, false → --no-flag, lists → several values", () => {
    expect(flagOf("githubRepository")).toBe("--github-repository");
    expect(cliArgv("build", { platform: "linux-x86_64", dryRun: true, verify: false, python: undefined })).toEqual([
      "node", "bin/mlir-release.mjs", "build", "--platform", "linux-x86_64", "--dry-run", "--no-verify",
    ]);
    expect(cliArgv("plan", { manifests: ["a", "b"], kind: "snapshot" })).toEqual(["node", "bin/mlir-release.mjs", "plan", "--manifests", "a", "b", "--kind", "snapshot"]);
    expect(rebuildArgv()).toEqual(["node", "bin/mlir-release.mjs", "rebuild", "/in/manifest.json", "--out", PATHS.out, "--work", PATHS.work, "--cache", PATHS.cache]);
  });
});

describe("fails when the Dagger module's argv names a flag the CLI does not have", () => {
  it("an old spelling of the repository flag is rejected, with the right name suggested when near", () => {
    const argv = ["node", "bin/mlir-release.mjs", "publish", "--stage", "/stage", "--github-repo", "o/r"];
    expect(checkCliArgv(program, argv)).toEqual(["publish: --github-repo is not an option of 'mlir-release publish'"]);
    const typo = cliArgv("build", { platfrom: "linux-x86_64" } as never);
    expect(checkCliArgv(program, typo)).toEqual(["build: --platfrom is not an option of 'mlir-release build' (did you mean --platform?)"]);
  });

  it("a flag the CLI renames breaks the module's unchanged argv", () => {
    const renamed = createProgram();
    const opt = renamed.commands.find((c) => c.name() === "publish")!.options.find((o) => o.long === "--github-repository")!;
    opt.long = "--releases-repository";
    expect(checkCliArgv(renamed, moduleArgvs["publish (repository)"]!)).toEqual(["publish: --github-repository is not an option of 'mlir-release publish'"]);
    expect(checkCliArgv(createProgram(), moduleArgvs["publish (repository)"]!)).toEqual([]);
  });

  it("an unknown command, a missing value, a missing required option, a stray positional", () => {
    expect(checkCliArgv(program, ["node", "bin/mlir-release.mjs", "biuld"])[0]).toMatch(/^'biuld' is not a command of mlir-release/);
    expect(checkCliArgv(program, ["node", "bin/mlir-release.mjs", "build", "--platform", "--dry-run"])).toEqual(["build: --platform needs a value"]);
    expect(checkCliArgv(program, ["node", "bin/mlir-release.mjs", "publish", "--targets", "github"])).toEqual(["publish: the required option --stage is missing"]);
    expect(checkCliArgv(program, ["node", "bin/mlir-release.mjs", "rebuild", "--out", "/out"])).toEqual(["rebuild: 0 positional argument(s), 'mlir-release rebuild' takes 1"]);
    expect(checkCliArgv(program, ["node", "bin/mlir-release.mjs", "build", "extra"])).toEqual(["build: 1 positional argument(s), 'mlir-release build' takes 0"]);
  });

  it("a command group's subcommand is checked like a command: its own options, its required ones", () => {
    expect(checkCliArgv(program, ["node", "bin/mlir-release.mjs", "downstream", "biuld"])[0]).toMatch(/^'biuld' is not a command of 'mlir-release downstream' \(commands: build, rebuild, resolve\)/);
    expect(checkCliArgv(program, ["node", "bin/mlir-release.mjs", "downstream", "build", "--index-url", "u"])).toEqual(["downstream build: the required option --project is missing"]);
    expect(checkCliArgv(program, ["node", "bin/mlir-release.mjs", "downstream", "build", "--project", "/p", "--index-root", "/i"])).toEqual([
      "downstream build: --index-root is not an option of 'mlir-release downstream build' (did you mean --index-url?)",
    ]);
  });
});

/** Words of one shell command line: quotes removed, variables and arrays kept as single words, a README placeholder (<our index root>) one word. */
const words = (line: string): string[] => [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S*<[^>]*>\S*|\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);

describe("the workflows', scripts', README's and docs' CLI calls", () => {
  const ROOT = resolve(import.meta.dirname, "../..");
  const under = (dir: string, ext: string): string[] =>
    readdirSync(join(ROOT, dir), { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(ext)).map((f) => join(dir, f));
  // docs/*.md: the measurement logs moved out of the README keep their commands, checked the same way.
  const files = [...under(join(".github", "workflows"), ".yml"), ...under("containers", ".sh"), ...under("ci", ".sh"), "README.md", ...under("docs", ".md")];
  // `node bin/mlir-release.mjs …` and `node "$ROOT/bin/mlir-release.mjs" …`, up to a closing backtick or a comment.
  const CALL = /node "?(?:\$[A-Za-z_{}]+\/)?bin\/mlir-release\.mjs"? ([^`#\n]*)/;
  const calls = files.flatMap((f) =>
    readFileSync(join(ROOT, f), "utf8")
      .split("\n")
      .map((l) => CALL.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      // README's optional parts are in brackets: [--index-root D] is still a flag that must exist.
      .map((m) => ({ where: f, argv: ["node", "bin/mlir-release.mjs", ...words(m[1]!.replace(/[[\]]/g, " ").replace(/\\$/, ""))] })),
  );

  it("there are some in each kind of file (the check reads the files it means to)", () => {
    const count = (prefix: string): number => calls.filter((c) => c.where.startsWith(prefix)).length;
    expect(count(".github")).toBeGreaterThanOrEqual(4);
    expect(count("containers")).toBeGreaterThanOrEqual(1);
    expect(count("ci")).toBeGreaterThanOrEqual(1);
    expect(count("README.md")).toBeGreaterThanOrEqual(25);
    expect(count("docs")).toBeGreaterThanOrEqual(5);
  });

  it("name only commands and flags the CLI has", () => {
    const problems = calls.flatMap((c) => checkCliArgv(program, c.argv).map((p) => `${c.where}: ${p}`));
    expect(problems).toEqual([]);
  });
});
