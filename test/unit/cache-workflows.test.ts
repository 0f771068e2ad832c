// The caches' trust boundary in the workflows, asserted: a cache is written only by scheduled or
// dispatched runs (never by a workflow a pull request can trigger), publish jobs never restore one,
// and the weekly integrity job rebuilds the newest snapshot with every cache off.
import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { compilerCacheSettings } from "../../src/layer/compiler-cache.js";
import { CompilerCacheSettings } from "../../src/schema.js";

const DIR = resolve(import.meta.dirname, "../../.github/workflows");
type Step = { uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string>; name?: string };
type Job = { environment?: unknown; permissions?: Record<string, string>; env?: Record<string, string>; steps?: Step[]; uses?: string; "runs-on"?: string };
type Workflow = { on: Record<string, unknown>; env?: Record<string, string>; permissions: unknown; jobs: Record<string, Job> };
const WORKFLOWS = Object.fromEntries(
  readdirSync(DIR)
    .filter((f) => f.endsWith(".yml"))
    .map((f) => [f, parse(readFileSync(resolve(DIR, f), "utf8")) as Workflow]),
);

const isCache = (s: Step): boolean => /^actions\/cache(\/restore|\/save)?@/.test(s.uses ?? "");
const writesCache = (s: Step): boolean => /^actions\/cache(\/save)?@/.test(s.uses ?? "") || /SCCACHE_GHA_ENABLED/.test(JSON.stringify(s.env ?? {}));
const untrustedTriggers = ["pull_request", "pull_request_target", "push", "issue_comment", "workflow_run"];

describe("cache trust boundary (every workflow)", () => {
  it("a workflow that writes a cache has only schedule / dispatch / workflow_call triggers", () => {
    for (const [name, wf] of Object.entries(WORKFLOWS)) {
      const writes = Object.values(wf.jobs).some((j) => (j.steps ?? []).some(writesCache));
      if (!writes) continue;
      for (const t of Object.keys(wf.on)) expect(untrustedTriggers, `${name}: trigger ${t}`).not.toContain(t);
    }
  });

  it("publish jobs (those with an environment or write permissions) restore no cache", () => {
    for (const [name, wf] of Object.entries(WORKFLOWS)) {
      for (const [id, job] of Object.entries(wf.jobs)) {
        const publishes = job.environment !== undefined || Object.values(job.permissions ?? {}).includes("write");
        if (!publishes) continue;
        for (const s of job.steps ?? []) expect(isCache(s), `${name}/${id}: ${s.uses}`).toBe(false);
        expect(JSON.stringify(job), `${name}/${id}`).not.toMatch(/SCCACHE_|MLIR_RELEASE_COMPILER_CACHE/);
      }
    }
  });
});

describe("integrity.yml (weekly rebuild of the newest snapshot, caches off)", () => {
  const wf = WORKFLOWS["integrity.yml"] as Workflow;

  it("runs weekly and on dispatch, never from a pull request, read-only", () => {
    expect(Object.keys(wf.on).sort()).toEqual(["schedule", "workflow_dispatch"]);
    const [cron] = wf.on["schedule"] as Array<{ cron: string }>;
    expect(cron?.cron).toMatch(/^\d+ \d+ \* \* [0-6]$/);
    expect(wf.permissions).toEqual({});
    for (const job of Object.values(wf.jobs)) expect(job.permissions).toEqual({ contents: "read" });
  });

  it("restores no cache, turns the compiler cache off, on a fresh GitHub-hosted runner", () => {
    const job = wf.jobs["rebuild"] as Job;
    expect(job["runs-on"]).toMatch(/^ubuntu-\d+\.\d+$/);
    for (const s of job.steps ?? []) expect(isCache(s), s.uses).toBe(false);
    const text = readFileSync(resolve(DIR, "integrity.yml"), "utf8");
    expect(text).not.toMatch(/seed|actions\/cache|SCCACHE_/i);
    const settings = compilerCacheSettings(CompilerCacheSettings.parse({}), { MLIR_RELEASE_COMPILER_CACHE: wf.env?.["MLIR_RELEASE_COMPILER_CACHE"] });
    expect(settings.kind).toBe("none");
  });

  it("downloads the newest published snapshot's manifest, then rebuilds and compares it in the recorded image", () => {
    const steps = (wf.jobs["rebuild"] as Job).steps ?? [];
    const find = steps.findIndex((s) => (s.run ?? "").includes('bash ci/newest-snapshot-manifest.sh "$GITHUB_REPOSITORY" integrity'));
    const rebuild = steps.findIndex((s) => (s.run ?? "").includes(" rebuild --manifest integrity/manifest.json --platform linux-x86_64 "));
    expect(find).toBeGreaterThanOrEqual(0);
    expect(rebuild).toBeGreaterThan(find);
    expect(steps[find]?.env).toEqual({ GITHUB_TOKEN: "${{ secrets.GITHUB_TOKEN }}" });
    expect(steps[rebuild]?.run).toMatch(/^dagger call --image-registry "\$MLIR_RELEASE_IMAGE_REGISTRY" --node-dist-url "\$MLIR_RELEASE_NODE_DIST_URL" rebuild /);
    for (const s of steps) expect(s.run ?? "").not.toMatch(/\$\{\{/);
  });
});
