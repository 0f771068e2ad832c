// .github/workflows/ci.yml, the pull-request workflow: it runs on pull requests and pushes to the
// default branch, holds a read-only token, persists no credentials, writes no cache, pins every action
// by commit SHA with the pins the other workflows use, and runs typecheck, the unit tests, actionlint
// and zizmor offline. (actionlint and zizmor themselves run over it in
// test/integration/lint-workflows-and-scripts.test.ts, which lints the whole folder.)
import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { z } from "zod";

const DIR = resolve(import.meta.dirname, "../../.github/workflows");
const Step = z.object({ uses: z.string().optional(), run: z.string().optional(), with: z.record(z.string(), z.unknown()).optional(), name: z.string().optional() });
const Job = z.object({ permissions: z.record(z.string(), z.string()), steps: z.array(Step), "runs-on": z.string() });
const Workflow = z.object({ on: z.record(z.string(), z.unknown()), permissions: z.unknown(), jobs: z.record(z.string(), Job) });

const text = readFileSync(resolve(DIR, "ci.yml"), "utf8");
const ci = Workflow.parse(parse(text));
const steps = Object.values(ci.jobs).flatMap((j) => j.steps);
const runs = steps.map((s) => s.run ?? "");

describe("ci.yml", () => {
  it("runs on pull requests and on pushes to the default branch (main), nothing else", () => {
    expect(Object.keys(ci.on).sort()).toEqual(["pull_request", "push"]);
    expect(ci.on["push"]).toEqual({ branches: ["main"] });
  });

  it("grants nothing at the top and only contents: read per job", () => {
    expect(ci.permissions).toEqual({});
    for (const [id, job] of Object.entries(ci.jobs)) expect(job.permissions, id).toEqual({ contents: "read" });
  });

  it("checks out without persisting credentials and writes no cache (no cache action, package-manager cache off)", () => {
    const checkouts = steps.filter((s) => s.uses?.startsWith("actions/checkout@"));
    expect(checkouts.length).toBeGreaterThan(0);
    for (const s of checkouts) expect(s.with?.["persist-credentials"]).toBe(false);
    expect(steps.filter((s) => /^actions\/cache/.test(s.uses ?? ""))).toEqual([]);
    for (const s of steps.filter((s) => s.uses?.startsWith("actions/setup-node@"))) expect(s.with?.["package-manager-cache"]).toBe(false);
    for (const s of steps.filter((s) => s.uses?.startsWith("actions/setup-python@"))) expect(s.with?.["cache"]).toBeUndefined();
    expect(text).not.toMatch(/secrets\./);
  });

  it("pins every action by full commit SHA, the same pin (and tag comment) another workflow uses", () => {
    const pinsElsewhere = new Set(
      readdirSync(DIR)
        .filter((f) => f.endsWith(".yml") && f !== "ci.yml")
        .flatMap((f) => [...readFileSync(resolve(DIR, f), "utf8").matchAll(/uses:\s*(\S+@[0-9a-f]{40}) (# v\S+)/g)].map(([, ref, tag]) => `${ref} ${tag}`)),
    );
    const uses = [...text.matchAll(/uses:\s*(\S+)(.*)$/gm)];
    expect(uses.length).toBe(3);
    for (const [, ref, rest] of uses) {
      expect(ref, ref).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
      expect(pinsElsewhere, ref).toContain(`${ref} ${rest!.trim()}`);
    }
  });

  it("runs typecheck, the unit tests, actionlint with shellcheck and zizmor offline over the workflows", () => {
    expect(runs).toContain("npm run typecheck");
    expect(runs).toContain("npx vitest run test/unit");
    expect(runs).toContain(".cache/tools/bin/actionlint -shellcheck shellcheck -color=false");
    expect(runs).toContain(".cache/tools/bin/zizmor --offline --no-progress .github/workflows");
    // The linters come from the hashed tools venv, provisioned before they run.
    const setup = runs.indexOf("node bin/mlir-release.mjs setup --platform linux-x86_64");
    expect(setup).toBeGreaterThan(-1);
    expect(setup).toBeLessThan(runs.findIndex((r) => r.includes("actionlint")));
  });
});
