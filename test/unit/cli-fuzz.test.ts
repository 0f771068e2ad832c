// Property-based fuzzing of the real CLI (fast-check): malformed flags, configs, plans and
// manifests for every command (test/support/cli-fuzz-cases.ts), run in a temporary root in-process
// through src/cli.ts's main with a fake argv (hundreds of cases; a few more as real processes of
// bin/mlir-release.mjs in test/integration/cli-entry-point.test.ts). Each case: exit status ≠ 0
// and one of the documented ones, exactly one `error:` line, no stack trace; after all of them, no
// file was written outside the temporary root and nothing was published.
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FAILURE_EXIT_STATUSES } from "../../src/errors.js";
import { REPO } from "../support/env.js";
import { failureShape, runCli } from "../support/cli-inprocess.js";
import { commandCases, FUZZ_ENV as env, type FuzzRoot, makeFuzzRoot, snapshot } from "../support/cli-fuzz-cases.js";

const IN_PROCESS_RUNS = Number(process.env["MLIR_RELEASE_FUZZ_RUNS"] ?? 500);

let root: FuzzRoot;
let tried = 0;

beforeAll(async () => {
  root = await makeFuzzRoot();
}, 120_000);

afterAll(() => {
  process.stdout.write(`cli fuzz: ${tried} malformed cases tried in-process through main\n`);
});

describe("CLI fuzz (fast-check)", () => {
  it(`${IN_PROCESS_RUNS} malformed inputs through main: documented non-zero exit, one error: line, no stack, nothing outside the root`, async () => {
    const { T, stage } = root;
    const repoBefore = execFileSync("git", ["-C", REPO, "status", "--porcelain", "--untracked-files=all"], { encoding: "utf8" });
    const tmpBefore = new Set(readdirSync(tmpdir()));
    const indexBefore = snapshot(join(T, "index"));
    const stageBefore = snapshot(stage);
    await fc.assert(
      fc.asyncProperty(commandCases(root), async (c) => {
        tried++;
        const r = await runCli(c.argv, { env, cwd: T });
        const shape = failureShape(r);
        const verdict = { what: c.what, argv: c.argv.join(" ").replaceAll(T, "T"), code: r.code, ...shape, stderr: r.stderr.slice(0, 400) };
        expect(verdict).toMatchObject({ errorLines: 1, stack: false });
        expect(r.code, JSON.stringify(verdict)).not.toBe(0);
        expect(FAILURE_EXIT_STATUSES, JSON.stringify(verdict)).toContain(r.code);
      }),
      { numRuns: IN_PROCESS_RUNS, seed: Number(process.env["MLIR_RELEASE_FUZZ_SEED"] ?? 1414), endOnFailure: true },
    );
    // Nothing written outside the temporary root, nothing published, the stage untouched.
    expect(execFileSync("git", ["-C", REPO, "status", "--porcelain", "--untracked-files=all"], { encoding: "utf8" })).toBe(repoBefore);
    const newInTmp = readdirSync(tmpdir()).filter((n) => !tmpBefore.has(n) && !n.startsWith("cli-fuzz-"));
    expect(newInTmp.filter((n) => /escaped|pwned|evil/.test(n))).toEqual([]);
    expect(snapshot(join(T, "index"))).toEqual(indexBefore);
    expect(snapshot(stage)).toEqual(stageBefore);
    expect(readdirSync(T, { recursive: true }).map(String).filter((n) => /escaped|pwned/.test(n) && !n.startsWith("cases"))).toEqual([]);
  }, 180_000);
});
