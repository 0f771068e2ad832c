// The workflows' structure: what a reviewer checks by eye, asserted. The two entry points share two
// reusable workflows (build.yml: doctor -> plan -> builds -> stage; publish.yml: GitHub release ->
// index) and differ only in their inputs and the PyPI job; they share no run of more than 12 lines; every job's work is one command; every job has least privilege;
// only the PyPI job can mint an OIDC token; actions are pinned by commit; publish jobs restore no caches.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { platformById } from "../../src/platforms/index.js";
import { PlatformId } from "../../src/schema/platform.js";

const ROOT = resolve(import.meta.dirname, "../..");
type Step = { uses?: string; run?: string; id?: string; name?: string; if?: string; with?: Record<string, unknown>; env?: Record<string, string> };
type Job = {
  needs?: string | string[];
  if?: string;
  uses?: string;
  with?: Record<string, unknown>;
  permissions?: Record<string, string>;
  environment?: string | { name: string };
  concurrency?: { group: string };
  strategy?: { matrix: { include: Array<Record<string, string>> } };
  steps: Step[];
};
type Workflow = { on: Record<string, unknown>; env?: Record<string, string>; permissions: unknown; concurrency: { group: string; "cancel-in-progress": boolean }; jobs: Record<string, Job> };
const load = (name: string): Workflow => parse(readFileSync(resolve(ROOT, ".github/workflows", name), "utf8")) as Workflow;
const WORKFLOWS = { "daily-snapshot.yml": load("daily-snapshot.yml"), "release.yml": load("release.yml"), "build.yml": load("build.yml"), "publish.yml": load("publish.yml") };
const ENTRY = { "daily-snapshot.yml": WORKFLOWS["daily-snapshot.yml"], "release.yml": WORKFLOWS["release.yml"] };
const BUILD = WORKFLOWS["build.yml"];
const PUBLISH = WORKFLOWS["publish.yml"];
/** Every `dagger call` of build.yml and publish.yml goes through ci/dagger-call.sh, which adds the hosts. */
const DAGGER = "bash ci/dagger-call.sh ";
/** Steps that only set up the toolchain, move the compiler cache or layer archives out of the engine, or hand a job output on: not the job's work. */
const SETUP_RUN =
  /^(npm ci --no-audit --no-fund|node bin\/mlir-release\.mjs setup --platform "\$PLATFORM"|mkdir -p \.cache\/sccache|bash ci\/dagger-call\.sh (compiler-cache|layer-artifacts) --platform "\$PLATFORM" --plan plan\/plan\.json export --path \.cache\/(sccache|layer-artifacts))$/;
const workOf = (job: Job): string[] => (job.steps ?? []).filter((s) => s.run && !SETUP_RUN.test(s.run.trim()) && s.id !== "decide").map((s) => s.run!.trim());

describe("every job's work is one command", () => {
  it("one CLI or dagger call per job (the index job: the site call and the gh-pages push)", () => {
    for (const [wfName, wf] of Object.entries(WORKFLOWS)) {
      for (const [id, job] of Object.entries(wf.jobs)) {
        if (job.uses) continue; // a call of the reusable workflow
        const work = workOf(job);
        if (id === "index") {
          expect(work.map((w) => w.split("\n").pop()!.split(" ").slice(0, 2).join(" ")), `${wfName} ${id}`).toEqual(["bash ci/dagger-call.sh", "bash ci/deploy-gh-pages.sh"]);
          continue;
        }
        expect(work.length, `${wfName} ${id}: ${work.join(" | ")}`).toBe(1);
        expect(work[0], `${wfName} ${id}`).toMatch(/^(bash ci\/dagger-call\.sh |node bin\/mlir-release\.mjs |bash containers\/stage-dist\.sh )/);
      }
    }
  });

  it("snapshot and numbered entry points call the same build, differing only in inputs and the publish jobs that follow", () => {
    const daily = ENTRY["daily-snapshot.yml"];
    const release = ENTRY["release.yml"];
    expect(BUILD.on).toHaveProperty("workflow_call");
    for (const wf of [daily, release]) expect(wf.jobs["build"]!.uses).toBe("$/.github/workflows/build.yml");
    expect(daily.jobs["build"]!.with).toEqual({ kind: "snapshot" });
    expect(release.jobs["build"]!.with).toEqual({ kind: "numbered", ref: "llvmorg-${{ inputs.version }}" });
    expect(Object.keys(daily.jobs)).toEqual(["build", "publish"]);
    expect(Object.keys(release.jobs)).toEqual(["build", "publish", "pypi"]);
    // Both call publish.yml after a build that staged something, unless dry-run; only the snapshot
    // asks for retention.
    expect(PUBLISH.on).toHaveProperty("workflow_call");
    for (const wf of [daily, release]) {
      const { with: inputs, ...call } = wf.jobs["publish"]!;
      expect(call).toMatchObject({ needs: "build", if: "needs.build.outputs.release == 'true' && !inputs.dry-run", uses: "$/.github/workflows/publish.yml", permissions: { contents: "write" } });
      expect(Object.keys(inputs ?? {})).toEqual(["retention"]);
    }
    expect(daily.jobs["publish"]!.with).toEqual({ retention: true });
    expect(release.jobs["publish"]!.with).toEqual({ retention: false });
    // Build and publish jobs live only in the reusable workflows.
    for (const wf of [daily, release]) for (const id of ["plan", "linux", "host", "stage", "index"]) expect(wf.jobs[id]).toBeUndefined();
  });

  it("the two entry workflows share no run of more than 12 identical lines", () => {
    const [a, b] = ["daily-snapshot.yml", "release.yml"].map((f) => readFileSync(resolve(ROOT, ".github/workflows", f), "utf8").split("\n"));
    // Longest common run of consecutive lines (dynamic programming over the two line lists).
    let longest = 0;
    let prev = new Array<number>(b!.length + 1).fill(0);
    for (let i = 1; i <= a!.length; i++) {
      const cur = new Array<number>(b!.length + 1).fill(0);
      for (let j = 1; j <= b!.length; j++) if (a![i - 1] === b![j - 1]) longest = Math.max(longest, (cur[j] = prev[j - 1]! + 1));
      prev = cur;
    }
    expect(longest).toBeGreaterThan(0);
    expect(longest).toBeLessThanOrEqual(12);
  });

  it("the doctor runs first, then plan, builds, stage", () => {
    expect(BUILD.jobs["doctor"]!.needs).toBeUndefined();
    expect(workOf(BUILD.jobs["doctor"]!)).toEqual(['node bin/mlir-release.mjs doctor --kind "$KIND"']);
    expect(BUILD.jobs["plan"]!.needs).toBe("doctor");
    expect(BUILD.jobs["stage"]!.needs).toEqual(["plan", "linux", "host"]);
    expect(workOf(BUILD.jobs["stage"]!)).toEqual(["bash containers/stage-dist.sh dist artifacts stage"]);
    const upload = BUILD.jobs["stage"]!.steps.find((s) => s.uses?.startsWith("actions/upload-artifact@"));
    expect(upload?.with).toMatchObject({ name: "stage", path: "stage" });
  });
});

describe.each(Object.entries(WORKFLOWS))("%s", (_name, wf) => {
  const isBuild = _name === "build.yml";
  const jobs = Object.entries(wf.jobs);

  const callsDagger = _name === "build.yml" || _name === "publish.yml";

  if (!callsDagger) it("calls no Dagger itself (its reusable workflows do)", () => {
    expect(JSON.stringify(wf.jobs)).not.toContain("dagger");
  });

  if (callsDagger) it("takes the image registry and the Node download base from repository variables, naming no host", () => {
    expect(wf.env).toMatchObject({
      MLIR_RELEASE_IMAGE_REGISTRY: "${{ vars.IMAGE_REGISTRY }}",
      MLIR_RELEASE_NODE_DIST_URL: "${{ vars.NODE_DIST_URL }}",
    });
    const runs = jobs.flatMap(([, j]) => (j.steps ?? []).map((st) => st.run ?? ""));
    expect(runs.filter((r) => r.includes(DAGGER)).length).toBeGreaterThanOrEqual(isBuild ? 4 : 1);
    // The prefix is written once, in ci/dagger-call.sh: no run spells `dagger call` itself.
    expect(runs.filter((r) => r.includes("dagger call"))).toEqual([]);
  });

  it("grants nothing at the top and least privilege per job", () => {
    expect(wf.permissions).toEqual({});
    for (const [id, job] of jobs) {
      expect(job.permissions, id).toBeDefined();
      const grants = Object.entries(job.permissions ?? {}).filter(([, v]) => v !== "none");
      const allowed: Record<string, string[]> = {
        // The ceiling of build.yml's jobs (each narrows it); contents: write only for its `layers` job.
        build: ["contents:write"],
        doctor: ["contents:read"],
        layers: ["contents:write"],
        plan: ["contents:read"],
        linux: ["contents:read"],
        host: ["contents:read"],
        stage: ["contents:read"],
        publish: ["contents:write"],
        index: ["contents:write"],
        pypi: ["contents:read", "id-token:write"],
      };
      expect(grants.map(([k, v]) => `${k}:${v}`), id).toEqual(allowed[id]);
    }
  });

  it("pins every action by full commit SHA with the tag in a comment", () => {
    const text = readFileSync(resolve(ROOT, ".github/workflows", _name), "utf8");
    const uses = [...text.matchAll(/uses:\s*(\S+)(.*)$/gm)].filter(([, ref]) => !ref!.startsWith("$/"));
    // daily-snapshot.yml calls only the two reusable workflows; release.yml adds the PyPI job's actions.
    const external: Record<string, number> = { "publish.yml": 5, "release.yml": 4, "daily-snapshot.yml": 0 };
    if (isBuild) expect(uses.length).toBeGreaterThan(5);
    else expect(uses.length).toBe(external[_name]);
    for (const [, ref, rest] of uses) {
      expect(ref, ref).toMatch(/^[\w.-]+\/[\w.-]+(\/[\w.-]+)?@[0-9a-f]{40}$/);
      expect(rest, ref).toMatch(/# v\d+\.\d+\.\d+/);
    }
  });

  if (isBuild) it("builds Linux with dagger call, macOS and Windows with the host CLI, on the platform modules' runners", () => {
    const linux = wf.jobs["linux"]!;
    const host = wf.jobs["host"]!;
    const linuxRuns = linux.steps.map((s) => s.run ?? "").join("\n");
    expect(linuxRuns).toMatch(/^bash ci\/dagger-call\.sh build --platform "\$PLATFORM" --plan plan\/plan\.json --ccache-seed \.cache\/sccache --layer-store "github:\$GITHUB_REPOSITORY" --github-token env:GITHUB_TOKEN export --path "dist\/\$PLATFORM"$/m);
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

  if (!isBuild && !callsDagger) it("runs one at a time: a queued run waits rather than cancelling a publish", () => {
    expect(wf.concurrency["cancel-in-progress"]).toBe(false);
  });

  if (_name === "publish.yml") it("publishes the staged folder once, in a protected environment, serialized, without caches", () => {
    const publish = wf.jobs["publish"]!;
    expect(publish.needs).toBeUndefined();
    expect(publish.environment).toBe("release");
    expect(publish.concurrency?.group).toBe("mlir-release-publish");
    for (const id of ["publish", "index", "pypi"]) {
      for (const s of wf.jobs[id]?.steps ?? []) {
        expect(s.uses ?? "", `${id}: ${s.uses}`).not.toMatch(/actions\/cache|setup-python/);
        if (s.uses?.startsWith("actions/setup-node@")) expect(s.with?.["package-manager-cache"], id).toBe(false);
      }
    }
    expect(publish.steps.find((s) => s.uses?.startsWith("actions/download-artifact@"))?.with).toEqual({ name: "stage", path: "stage" });
    expect(workOf(publish)).toEqual(['node bin/mlir-release.mjs publish --stage stage --targets github --github-repository "$GITHUB_REPOSITORY"']);
  });

  if (_name === "publish.yml") it("after publishing, rebuilds the index from the releases (retention when asked) and deploys it to gh-pages", () => {
    const index = wf.jobs["index"]!;
    expect(index.needs).toBe("publish");
    const steps = index.steps;
    const at = (name: string) => steps.findIndex((s) => s.name === name);
    const siteAt = at("Regenerate the wheel index from every release's manifest");
    const deployAt = at("Deploy the index to GitHub Pages (gh-pages branch)");
    expect(siteAt).toBeGreaterThanOrEqual(0);
    expect(siteAt).toBeLessThan(deployAt);
    const site = steps[siteAt]!;
    const deploy = steps[deployAt]!;
    // Retention (--prune) only when the caller asks (the daily snapshot; a numbered release does not).
    expect(site.run).toContain(`${DAGGER}site --github-repository "$GITHUB_REPOSITORY" --github-token env:GITHUB_TOKEN "\${base_url[@]}" "\${prune[@]}" export --path site`);
    expect(site.run).toContain('base_url=(--base-url "$INDEX_BASE_URL")');
    expect(site.run).toContain("if [[ $RETENTION == true ]]; then prune=(--prune); fi");
    expect(site.env).toEqual({ GITHUB_TOKEN: "${{ secrets.GITHUB_TOKEN }}", INDEX_BASE_URL: "${{ vars.INDEX_BASE_URL }}", RETENTION: "${{ inputs.retention }}" });
    expect(wf.on["workflow_call"]).toEqual({ inputs: { retention: { description: expect.any(String), type: "boolean", default: false } } });
    expect(deploy.run).toBe("bash ci/deploy-gh-pages.sh site");
    expect(deploy.env).toEqual({ GITHUB_TOKEN: "${{ secrets.GITHUB_TOKEN }}" });
    // Pages from a branch push: no deploy-pages / upload-pages-artifact (they need id-token: write).
    for (const [id, job] of jobs) for (const s of job.steps ?? []) expect(s.uses ?? "", id).not.toMatch(/actions\/(deploy-pages|upload-pages-artifact)/);
  });

  if (isBuild) it("plans against this repository's published releases (last snapshot, taken versions), read-only", () => {
    const plan = wf.jobs["plan"]!;
    const step = plan.steps.find((s) => (s.run ?? "").includes(" plan --kind "))!;
    expect(step.run).toContain(`${DAGGER}plan --kind "$KIND" \${REF:+--ref "$REF"} `);
    expect(step.env).toMatchObject({ KIND: "${{ inputs.kind }}", REF: "${{ inputs.ref }}" });
    expect(step.run).toContain('--github-repository "$GITHUB_REPOSITORY" --github-token env:GITHUB_TOKEN export --path plan/plan.json');
    expect(step.env?.["GITHUB_TOKEN"]).toBe("${{ secrets.GITHUB_TOKEN }}");
    expect(plan.permissions).toEqual({ contents: "read" });
  });

  if (isBuild) it("skips the builds (and so the publish) when the plan says there is nothing to release", () => {
    const decide = wf.jobs["plan"]!.steps.find((s) => (s as { id?: string }).id === "decide");
    expect(decide?.run).toContain("jq -e '.release == false' plan/plan.json");
    for (const id of ["linux", "host"]) expect((wf.jobs[id] as { if?: string }).if).toBe("needs.plan.outputs.release == 'true'");
  });

  it("never expands user input inside a script", () => {
    for (const [id, job] of jobs) for (const s of job.steps ?? []) expect(s.run ?? "", id).not.toMatch(/\$\{\{/);
  });
});

describe("ci/dagger-call.sh (the workflows' one `dagger call` prefix)", () => {
  const dir = mkdtempSync(join(tmpdir(), "dagger-call-"));
  // A fake `dagger` that prints its arguments, one per line.
  writeFileSync(join(dir, "dagger"), '#!/bin/sh\nfor a in "$@"; do printf \'%s\\n\' "$a"; done\n', { mode: 0o755 });
  const run = (env: Record<string, string>, args: string[]) =>
    spawnSync("bash", [resolve(ROOT, "ci/dagger-call.sh"), ...args], { encoding: "utf8", env: { PATH: `${dir}:${process.env["PATH"] ?? ""}`, ...env } });
  const hosts = { MLIR_RELEASE_IMAGE_REGISTRY: "registry.example.org:5000", MLIR_RELEASE_NODE_DIST_URL: "https://downloads.example.org/node" };

  it("passes the two hosts as the module's constructor arguments, then the function and its arguments unchanged", () => {
    const r = run(hosts, ["site", "--base-url", "https://x.example/a b", "export", "--path", "site"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.split("\n").filter(Boolean)).toEqual([
      "call", "--image-registry", "registry.example.org:5000", "--node-dist-url", "https://downloads.example.org/node",
      "site", "--base-url", "https://x.example/a b", "export", "--path", "site",
    ]);
  });

  it("refuses an empty host variable or a missing function: exit 2, one line naming it", () => {
    const empty = run({ ...hosts, MLIR_RELEASE_NODE_DIST_URL: "" }, ["site"]);
    expect(empty.status).toBe(2);
    expect(empty.stderr).toBe("ci/dagger-call.sh: MLIR_RELEASE_NODE_DIST_URL is empty (set the repository variable NODE_DIST_URL)\n");
    expect(empty.stdout).toBe("");
    const none = run(hosts, []);
    expect(none.status).toBe(2);
    expect(none.stderr).toBe("usage: ci/dagger-call.sh <function> [arguments...]\n");
  });
});

describe("triggers", () => {
  it("daily snapshot: cron plus manual dispatch; release: manual with a version input", () => {
    const daily = ENTRY["daily-snapshot.yml"].on;
    expect((daily["schedule"] as Array<{ cron: string }>)[0]!.cron).toMatch(/^\d+ \d+ \* \* \*$/);
    expect(daily).toHaveProperty("workflow_dispatch");
    const release = ENTRY["release.yml"].on;
    expect(Object.keys(release)).toEqual(["workflow_dispatch"]);
    expect((release["workflow_dispatch"] as { inputs: Record<string, { required?: boolean }> }).inputs["version"]?.required).toBe(true);
  });

  it("only the numbered release publishes to PyPI: from the stage, compared by digest, trusted publishing with attestations, id-token only there", () => {
    expect(ENTRY["daily-snapshot.yml"].jobs["pypi"]).toBeUndefined();
    const pypi = ENTRY["release.yml"].jobs["pypi"]!;
    expect(pypi.environment).toBe("pypi");
    expect(pypi.needs).toBe("publish");
    expect(pypi.steps.find((s) => s.uses?.startsWith("actions/download-artifact@"))?.with).toEqual({ name: "stage", path: "stage" });
    expect(workOf(pypi)).toEqual(['node bin/mlir-release.mjs pypi-collect --stage stage --out pypi-dist --simple-url "$PYPI_SIMPLE_URL"']);
    const step = pypi.steps.find((s) => s.uses?.startsWith("pypa/gh-action-pypi-publish@"))!;
    expect(step.with).not.toHaveProperty("password");
    expect(step.with).toMatchObject({ "packages-dir": "pypi-dist/", attestations: true, "skip-existing": false });
    // No upload of raw build artifacts: nothing in the job reads wheels-* folders.
    expect(JSON.stringify(pypi)).not.toContain("wheels-");
    for (const [wfName, wf] of Object.entries(WORKFLOWS)) {
      const minting = Object.entries(wf.jobs).filter(([, j]) => j.permissions?.["id-token"] === "write").map(([id]) => id);
      expect(minting, wfName).toEqual(wfName === "release.yml" ? ["pypi"] : []);
    }
  });
});
