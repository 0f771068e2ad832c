// The installed entry point as a real process (bin/mlir-release.mjs → tsx → src/cli.ts): what the
// in-process tests (test/unit/cli-usage.test.ts, cli-fuzz.test.ts) cannot see — the exit status and
// the output passing through the launcher's spawn. A usage error, --version, and a few fuzz cases.
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT, FAILURE_EXIT_STATUSES } from "../../src/errors.js";
import { failureShape } from "../support/cli-inprocess.js";
import { commandCases, FUZZ_ENV, type FuzzRoot, makeFuzzRoot } from "../support/cli-fuzz-cases.js";
import { REPO } from "../support/env.js";

const SPAWN_RUNS = 3;
const BIN = join(REPO, "bin", "mlir-release.mjs");
let root: FuzzRoot;

beforeAll(async () => {
  root = await makeFuzzRoot();
}, 120_000);
afterAll(() => {
  rmSync(root.T, { recursive: true, force: true });
  rmSync(root.fx.dir, { recursive: true, force: true });
});

describe("the installed entry point (bin/mlir-release.mjs, a real process)", () => {
  it("passes the usage error's status and its three lines through; --version prints the version", () => {
    const run = (argv: string[]) => spawnSync(process.execPath, [BIN, ...argv], { cwd: root.T, encoding: "utf8", timeout: 60_000 });
    const r = run(["downstream", "rebild"]);
    expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({
      status: EXIT.usage,
      stdout: "",
      stderr: "error: unknown command 'rebild'\n(Did you mean rebuild?)\nsee 'mlir-release downstream --help'\n",
    });
    const v = run(["--version"]);
    expect({ status: v.status, stdout: v.stdout }).toEqual({ status: 0, stdout: `${(JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string }).version}\n` });
  }, 120_000);

  it(`${SPAWN_RUNS} malformed inputs of the CLI fuzz as real processes: a documented non-zero exit, one error: line, no stack`, () => {
    const samples = fc.sample(commandCases(root), { numRuns: SPAWN_RUNS, seed: 1415 });
    for (const c of samples) {
      const r = spawnSync(process.execPath, [BIN, ...c.argv], { cwd: root.T, encoding: "utf8", env: { ...process.env, GITHUB_TOKEN: "", MLIR_RELEASE_GITHUB_TOKEN: "", GITHUB_API_URL: FUZZ_ENV.GITHUB_API_URL }, timeout: 60_000 });
      const shape = failureShape({ code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr });
      const verdict = { what: c.what, code: r.status, ...shape, stderr: r.stderr.slice(0, 400) };
      expect(verdict).toMatchObject({ errorLines: 1, stack: false });
      expect(FAILURE_EXIT_STATUSES, JSON.stringify(verdict)).toContain(r.status);
    }
  }, 180_000);
});
