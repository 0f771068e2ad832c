// The caches' trust boundary in the workflows, asserted: a cache is written only by scheduled or
// dispatched runs (never by a workflow a pull request can trigger), publish jobs never restore one,
// and the weekly integrity job rebuilds the newest snapshot with every cache off.
import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { compilerCacheSettings } from "../../src/options/environment.js";
import { CompilerCacheSettings } from "../../src/schema/config.js";
import { NO_COMPILER_CACHE } from "../../src/dagger/pipeline.js";

const DIR = resolve(import.meta.dirname, "../../.github/workflows");
type Step = { uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string>; name?: string; if?: string };
type Job = { environment?: unknown; permissions?: Record<string, string>; env?: Record<string, string>; steps?: Step[]; uses?: string; "runs-on"?: string; needs?: string | string[]; if?: string };
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
  it("a workflow that writes a cache has only schedule / dispatch triggers, or is called only by such workflows", () => {
    const callers = (file: string): string[] =>
      Object.entries(WORKFLOWS)
        .filter(([, w]) => Object.values(w.jobs).some((j) => j.uses === `./.github/workflows/${file}` || j.uses?.endsWith(`/.github/workflows/${file}`)))
        .map(([n]) => n);
    let writers = 0;
    for (const [name, wf] of Object.entries(WORKFLOWS)) {
      const writes = Object.values(wf.jobs).some((j) => (j.steps ?? []).some(writesCache));
      if (!writes) continue;
      writers += 1;
      const triggers = Object.keys(wf.on);
      for (const t of triggers) expect([...untrustedTriggers, "workflow_run"], `${name}: trigger ${t}`).not.toContain(t);
      if (triggers.includes("workflow_call")) {
        expect(callers(name).length, name).toBeGreaterThan(0);
        for (const c of callers(name)) for (const t of Object.keys(WORKFLOWS[c]!.on)) expect(["schedule", "workflow_dispatch"], `${c} calls ${name}`).toContain(t);
      }
    }
    expect(writers).toBeGreaterThan(0);
  });

  it("build.yml: the trusted-run condition is written once (env TRUSTED_RUN: schedule, or dispatch on the default branch), and the plan hands it on", () => {
    const text = readFileSync(resolve(DIR, "build.yml"), "utf8");
    const build = WORKFLOWS["build.yml"] as Workflow;
    const condition = "github.event_name == 'schedule' || (github.event_name == 'workflow_dispatch' && github.ref_name == github.event.repository.default_branch)";
    expect(build.env?.["TRUSTED_RUN"]).toBe(`\${{ ${condition} }}`);
    expect(text.split("github.event_name").length - 1).toBe(2);
    expect((build.jobs["plan"] as Job & { outputs?: Record<string, string> }).outputs?.["trusted"]).toBe("${{ env.TRUSTED_RUN }}");
  });

  it("build.yml: only the build jobs restore and save the compiler cache, per platform, saving only on trusted runs", () => {
    const TRUSTED = "always() && env.TRUSTED_RUN == 'true'";
    const build = WORKFLOWS["build.yml"] as Workflow;
    expect(Object.keys(build.on)).toEqual(["workflow_call"]);
    for (const [id, job] of Object.entries(build.jobs)) {
      const steps = job.steps ?? [];
      const cacheSteps = steps.filter(isCache);
      if (id !== "linux" && id !== "host") {
        expect(cacheSteps, id).toEqual([]);
        continue;
      }
      const restore = steps.findIndex((s) => s.uses?.startsWith("actions/cache/restore@"));
      const save = steps.findIndex((s) => s.uses?.startsWith("actions/cache/save@"));
      const work = steps.findIndex((s) => / build --platform "\$PLATFORM" --plan plan\/plan\.json /.test(s.run ?? ""));
      expect([restore, work, save].every((i) => i >= 0), id).toBe(true);
      expect(restore).toBeLessThan(work);
      expect(save).toBeGreaterThan(work);
      expect(cacheSteps.length, id).toBe(2);
      const r = steps[restore] as Step & { with: Record<string, string> };
      const w = steps[save] as Step & { with: Record<string, string>; if?: string };
      expect(r.with).toEqual({ path: ".cache/sccache", key: "sccache-${{ matrix.platform }}-${{ github.run_id }}", "restore-keys": "sccache-${{ matrix.platform }}-" });
      expect(w.with).toEqual({ path: ".cache/sccache", key: "sccache-${{ matrix.platform }}-${{ github.run_id }}" });
      expect(w.if, id).toBe(TRUSTED);
      if (id === "linux") {
        expect(steps[work]?.run).toContain("--ccache-seed .cache/sccache");
        const exp = steps.find((s) => (s.run ?? "").includes(" compiler-cache --platform ")) as Step & { if?: string };
        expect(exp.if).toBe(TRUSTED);
        expect(steps.indexOf(exp)).toBeGreaterThan(work);
        expect(steps.indexOf(exp)).toBeLessThan(save);
      } else {
        // sccache comes from the one tool list (mlir-release setup), provisioned before the cache is restored.
        const setup = steps.findIndex((s) => s.run === 'node bin/mlir-release.mjs setup --platform "$PLATFORM"');
        expect(setup, id).toBeGreaterThanOrEqual(0);
        expect(setup).toBeLessThan(restore);
        expect(steps.some((s) => /pip install/.test(s.run ?? "")), id).toBe(false);
        for (const family of ["linux", "macos", "windows"]) {
          expect(readFileSync(resolve(DIR, `../../containers/provision/requirements/tools-${family}.txt`), "utf8"), family).toMatch(/^sccache==0\.16\.0 \\$/m);
        }
      }
      expect(job.permissions).toEqual({ contents: "read" });
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

describe("the layer store in build.yml: every build job reads it, only trusted runs hand layers to the one job that writes it", () => {
  const build = WORKFLOWS["build.yml"] as Workflow;
  const TRUSTED = "env.TRUSTED_RUN == 'true'";
  const DAGGER = "bash ci/dagger-call.sh "; // adds the hosts as the module's constructor arguments
  const linux = build.jobs["linux"] as Job;
  const steps = linux.steps ?? [];
  const at = (pred: (s: Step) => boolean): number => steps.findIndex(pred);
  const isHandOn = (s: Step): boolean => /^actions\/upload-artifact@/.test(s.uses ?? "") && String(s.with?.["name"] ?? "").startsWith("layer-");

  it("linux: the build reads github:$GITHUB_REPOSITORY with the job's read-only token, from the secret through env", () => {
    const work = steps[at((s) => / build --platform "\$PLATFORM" --plan plan\/plan\.json /.test(s.run ?? ""))]!;
    expect(work.run).toContain(`${DAGGER}build `);
    expect(work.run).toContain(' --layer-store "github:$GITHUB_REPOSITORY" --github-token env:GITHUB_TOKEN ');
    expect(work.env).toEqual({ PLATFORM: "${{ matrix.platform }}", GITHUB_TOKEN: "${{ secrets.GITHUB_TOKEN }}" });
    expect(linux.permissions).toEqual({ contents: "read" });
    // The host job reads the same store (the CLI's variable), with the same token.
    const host = (build.jobs["host"] as Job).steps!.find((s) => / build --platform "\$PLATFORM" --plan plan\/plan\.json /.test(s.run ?? ""))!;
    expect(host.env).toMatchObject({ MLIR_RELEASE_LAYER_STORE: "github", GITHUB_TOKEN: "${{ secrets.GITHUB_TOKEN }}" });
  });

  it("linux: after the build, trusted runs only export the engine's layer archives and upload them as layer-<platform>, exactly like the host job", () => {
    const work = at((s) => / build --platform "\$PLATFORM" --plan plan\/plan\.json /.test(s.run ?? ""));
    const exp = at((s) => (s.run ?? "").includes(" layer-artifacts "));
    const up = at(isHandOn);
    expect(steps[exp]!.run).toBe(`${DAGGER}layer-artifacts --platform "$PLATFORM" --plan plan/plan.json export --path .cache/layer-artifacts`);
    expect(work).toBeGreaterThanOrEqual(0);
    expect(exp).toBeGreaterThan(work);
    expect(up).toBeGreaterThan(exp);
    const hostUp = (build.jobs["host"] as Job).steps!.find(isHandOn)!;
    for (const s of [steps[exp]!, steps[up]!, hostUp]) expect(s.if, s.name).toBe(TRUSTED);
    expect(steps[up]!.with).toEqual(hostUp.with);
    expect(hostUp.with).toEqual({ name: "layer-${{ matrix.platform }}", path: ".cache/layer-artifacts", "if-no-files-found": "ignore" });
    // Nothing else in any build job touches the layer archives, and no untrusted step hands any on.
    for (const [id, job] of Object.entries(build.jobs)) {
      for (const s of job.steps ?? []) {
        if (!JSON.stringify(s).includes("layer-artifacts") && !isHandOn(s)) continue;
        expect(s.if, `${id}: ${s.name}`).toBe(TRUSTED);
      }
    }
  });

  it("layers: the one job that writes the store (contents: write), after linux and host, on trusted runs only", () => {
    const layers = build.jobs["layers"] as Job;
    expect(layers.needs).toEqual(["plan", "linux", "host"]);
    expect(layers.if).toBe("needs.plan.outputs.release == 'true' && needs.plan.outputs.trusted == 'true'");
    expect(layers.permissions).toEqual({ contents: "write" });
    const down = layers.steps!.find((s) => s.uses?.startsWith("actions/download-artifact@"))!;
    expect(down.with).toEqual({ pattern: "layer-*", path: "layers", "merge-multiple": true });
    const pushes = Object.entries(build.jobs).filter(([, j]) => (j.steps ?? []).some((s) => (s.run ?? "").includes("layer-store push"))).map(([id]) => id);
    expect(pushes).toEqual(["layers"]);
    const writers = Object.entries(build.jobs).filter(([, j]) => Object.values(j.permissions ?? {}).includes("write")).map(([id]) => id);
    expect(writers).toEqual(["layers"]);
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

  it("restores no cache on a fresh GitHub-hosted runner; the rebuild is cache-off by the module's argument, not the runner's env", () => {
    const job = wf.jobs["rebuild"] as Job;
    expect(job["runs-on"]).toMatch(/^ubuntu-\d+\.\d+$/);
    for (const s of job.steps ?? []) expect(isCache(s), s.uses).toBe(false);
    const text = readFileSync(resolve(DIR, "integrity.yml"), "utf8");
    expect(text).not.toMatch(/seed|actions\/cache|SCCACHE_/i);
    const rebuild = (job.steps ?? []).find((s) => / rebuild /.test(s.run ?? ""))?.run ?? "";
    expect(rebuild).toMatch(/ rebuild .* --cache-off (export|contents)\b/);
    expect(rebuild).not.toMatch(/--cache-off=/);
    // A Dagger module sees none of the runner's environment: a variable here would only look like a setting.
    expect(text).not.toContain("MLIR_RELEASE_COMPILER_CACHE");
    // What the module sets inside the container is what the CLI reads as "no compiler cache".
    expect(compilerCacheSettings(CompilerCacheSettings.parse({}), { MLIR_RELEASE_COMPILER_CACHE: NO_COMPILER_CACHE }).kind).toBe("none");
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
