// The workflows' structure: what a reviewer checks by eye, asserted. One snapshot can be followed
// from the cron line to the publish job; every job has least privilege; only the PyPI job can mint
// an OIDC token; actions are pinned by commit; publish jobs restore no caches.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { platformById } from "../../src/platforms/index.js";
import { PlatformId } from "../../src/schema.js";

const ROOT = resolve(import.meta.dirname, "../..");
type Step = { uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string> };
type Job = {
  needs?: string | string[];
  permissions?: Record<string, string>;
  environment?: string | { name: string };
  concurrency?: { group: string };
  strategy?: { matrix: { include: Array<Record<string, string>> } };
  steps: Step[];
};
type Workflow = { on: Record<string, unknown>; env?: Record<string, string>; permissions: unknown; concurrency: { group: string; "cancel-in-progress": boolean }; jobs: Record<string, Job> };
const load = (name: string): Workflow => parse(readFileSync(resolve(ROOT, ".github/workflows", name), "utf8")) as Workflow;
const WORKFLOWS = { "daily-snapshot.yml": load("daily-snapshot.yml"), "release.yml": load("release.yml") };

describe.each(Object.entries(WORKFLOWS))("%s", (_name, wf) => {
  const jobs = Object.entries(wf.jobs);

  it("takes the image registry and the Node download base from repository variables, naming no host", () => {
    expect(wf.env).toMatchObject({
      MLIR_RELEASE_IMAGE_REGISTRY: "${{ vars.IMAGE_REGISTRY }}",
      MLIR_RELEASE_NODE_DIST_URL: "${{ vars.NODE_DIST_URL }}",
    });
    const calls = jobs.flatMap(([, j]) => j.steps.map((st) => st.run ?? "")).filter((r) => r.includes("dagger call"));
    expect(calls.length).toBeGreaterThanOrEqual(3);
    for (const r of calls) expect(r).toContain('dagger call --image-registry "$MLIR_RELEASE_IMAGE_REGISTRY" --node-dist-url "$MLIR_RELEASE_NODE_DIST_URL" ');
  });

  it("grants nothing at the top and least privilege per job", () => {
    expect(wf.permissions).toEqual({});
    for (const [id, job] of jobs) {
      expect(job.permissions, id).toBeDefined();
      const grants = Object.entries(job.permissions ?? {}).filter(([, v]) => v !== "none");
      const allowed: Record<string, string[]> = {
        plan: ["contents:read"],
        linux: ["contents:read"],
        host: ["contents:read"],
        publish: ["contents:write"],
        pypi: ["id-token:write"],
      };
      expect(grants.map(([k, v]) => `${k}:${v}`), id).toEqual(allowed[id]);
    }
  });

  it("pins every action by full commit SHA with the tag in a comment", () => {
    const text = readFileSync(resolve(ROOT, ".github/workflows", _name), "utf8");
    const uses = [...text.matchAll(/uses:\s*(\S+)(.*)$/gm)];
    expect(uses.length).toBeGreaterThan(5);
    for (const [, ref, rest] of uses) {
      expect(ref, ref).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
      expect(rest, ref).toMatch(/# v\d+\.\d+\.\d+/);
    }
  });

  it("builds Linux with dagger call, macOS and Windows with the host CLI, on the platform modules' runners", () => {
    const linux = wf.jobs["linux"]!;
    const host = wf.jobs["host"]!;
    const linuxRuns = linux.steps.map((s) => s.run ?? "").join("\n");
    expect(linuxRuns).toMatch(/^dagger call --image-registry "\$MLIR_RELEASE_IMAGE_REGISTRY" --node-dist-url "\$MLIR_RELEASE_NODE_DIST_URL" build --platform "\$PLATFORM" --plan plan\/plan\.json export --path "dist\/\$PLATFORM"$/m);
    expect(host.steps.map((s) => s.run ?? "").join("\n")).toMatch(/^node bin\/mlir-release\.mjs build --platform "\$PLATFORM" --plan plan\/plan\.json/m);
    const matrix = [...linux.strategy!.matrix.include, ...host.strategy!.matrix.include];
    // Every platform exactly once, each on the runner its module names.
    expect(matrix.map((m) => m["platform"]).sort()).toEqual([...PlatformId.options].sort());
    for (const m of matrix) {
      const id = PlatformId.parse(m["platform"]);
      // The policy form of a Linux module is the one CI uses (not the cross-build form of this host).
      const module = platformById(id, id.startsWith("linux-") ? { policy: "manylinux_2_28" } : {});
      expect(m["runner"], id).toBe(module.runner.label);
    }
  });

  it("publishes once, after every build, in a protected environment, serialized, without caches", () => {
    const publish = wf.jobs["publish"]!;
    expect(publish.needs).toEqual(["plan", "linux", "host"]);
    expect(publish.environment).toBe("release");
    expect(publish.concurrency?.group).toBe("mlir-release-publish");
    expect(wf.concurrency["cancel-in-progress"]).toBe(false);
    for (const id of ["publish", "pypi"]) {
      for (const s of wf.jobs[id]?.steps ?? []) {
        expect(s.uses ?? "", `${id}: ${s.uses}`).not.toMatch(/actions\/cache|setup-node|setup-python/);
      }
    }
    expect(publish.steps.map((s) => s.run ?? "").join("\n")).toContain('dagger call --image-registry "$MLIR_RELEASE_IMAGE_REGISTRY" --node-dist-url "$MLIR_RELEASE_NODE_DIST_URL" publish --dist dist --github-repository "$GITHUB_REPOSITORY" --github-token env:GITHUB_TOKEN --dry-run="$DRY_RUN"');
  });

  it("after publishing, rebuilds the index from the releases and deploys it to gh-pages, both skipped on a dry run", () => {
    const steps = wf.jobs["publish"]!.steps as Array<Step & { name?: string; if?: string }>;
    const at = (name: string) => steps.findIndex((s) => s.name === name);
    const publishAt = steps.findIndex((s) => (s.run ?? "").includes(" publish --dist dist "));
    const siteAt = at("Regenerate the wheel index from every release's manifest");
    const deployAt = at("Deploy the index to GitHub Pages (gh-pages branch)");
    expect([publishAt, siteAt, deployAt].every((i) => i >= 0)).toBe(true);
    expect(publishAt).toBeLessThan(siteAt);
    expect(siteAt).toBeLessThan(deployAt);
    const site = steps[siteAt]!;
    const deploy = steps[deployAt]!;
    // Retention runs with the daily snapshot; a numbered release leaves old snapshots alone.
    const prune = _name === "daily-snapshot.yml" ? " --prune" : "";
    expect(site.run).toContain(
      `dagger call --image-registry "$MLIR_RELEASE_IMAGE_REGISTRY" --node-dist-url "$MLIR_RELEASE_NODE_DIST_URL" site --github-repository "$GITHUB_REPOSITORY" --github-token env:GITHUB_TOKEN "\${base_url[@]}"${prune} export --path site`,
    );
    expect(site.run).toContain('base_url=(--base-url "$INDEX_BASE_URL")');
    expect(site.env).toEqual({ GITHUB_TOKEN: "${{ secrets.GITHUB_TOKEN }}", INDEX_BASE_URL: "${{ vars.INDEX_BASE_URL }}" });
    expect(deploy.run).toBe("bash ci/deploy-gh-pages.sh site");
    expect(deploy.env).toEqual({ GITHUB_TOKEN: "${{ secrets.GITHUB_TOKEN }}" });
    for (const s of [site, deploy]) expect(s.if).toBe("${{ !inputs.dry-run }}");
    // Pages from a branch push: no deploy-pages / upload-pages-artifact (they need id-token: write).
    for (const [id, job] of jobs) for (const s of job.steps) expect(s.uses ?? "", id).not.toMatch(/actions\/(deploy-pages|upload-pages-artifact)/);
  });

  it("plans against this repository's published releases (last snapshot, taken versions), read-only", () => {
    const plan = wf.jobs["plan"]!;
    const step = plan.steps.find((s) => (s.run ?? "").includes(" plan --kind "))!;
    expect(step.run).toContain('--github-repository "$GITHUB_REPOSITORY" --github-token env:GITHUB_TOKEN export --path plan/plan.json');
    expect(step.env?.["GITHUB_TOKEN"]).toBe("${{ secrets.GITHUB_TOKEN }}");
    expect(plan.permissions).toEqual({ contents: "read" });
  });

  it("skips the builds (and so the publish) when the plan says there is nothing to release", () => {
    const decide = wf.jobs["plan"]!.steps.find((s) => (s as { id?: string }).id === "decide");
    expect(decide?.run).toContain("jq -e '.release == false' plan/plan.json");
    for (const id of ["linux", "host"]) expect((wf.jobs[id] as { if?: string }).if).toBe("needs.plan.outputs.release == 'true'");
  });

  it("never expands user input inside a script", () => {
    for (const [id, job] of jobs) for (const s of job.steps) expect(s.run ?? "", id).not.toMatch(/\$\{\{/);
  });
});

describe("triggers", () => {
  it("daily snapshot: cron plus manual dispatch; release: manual with a version input", () => {
    const daily = WORKFLOWS["daily-snapshot.yml"].on;
    expect((daily["schedule"] as Array<{ cron: string }>)[0]!.cron).toMatch(/^\d+ \d+ \* \* \*$/);
    expect(daily).toHaveProperty("workflow_dispatch");
    const release = WORKFLOWS["release.yml"].on;
    expect(Object.keys(release)).toEqual(["workflow_dispatch"]);
    expect((release["workflow_dispatch"] as { inputs: Record<string, { required?: boolean }> }).inputs["version"]?.required).toBe(true);
  });

  it("only the numbered release publishes to PyPI, with trusted publishing (no password) and id-token only there", () => {
    expect(WORKFLOWS["daily-snapshot.yml"].jobs["pypi"]).toBeUndefined();
    const pypi = WORKFLOWS["release.yml"].jobs["pypi"]!;
    expect(pypi.environment).toBe("pypi");
    const step = pypi.steps.find((s) => s.uses?.startsWith("pypa/gh-action-pypi-publish@"))!;
    expect(step.with).not.toHaveProperty("password");
    for (const [wfName, wf] of Object.entries(WORKFLOWS)) {
      const minting = Object.entries(wf.jobs).filter(([, j]) => j.permissions?.["id-token"] === "write").map(([id]) => id);
      expect(minting, wfName).toEqual(wfName === "release.yml" ? ["pypi"] : []);
    }
  });
});
