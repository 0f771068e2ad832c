// The publisher converges: a real staged release is published to all four targets (GitHub
// Releases on a loopback API, a real pypiserver, the static index, a conda channel built by
// rattler-build) while faults are injected — server faults (5xx, secondary rate limits,
// connections reset mid-upload, stale half-uploaded assets), publisher crashes at random steps,
// and real SIGKILLs of the CLI process at random moments — and reruns until done. The final
// state must equal a clean single run's. Then two publishers of different versions run at once.
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { publishRelease, type PublishTargets } from "../../src/publish/run.js";
import { indexPaths, listIndexManifests } from "../../src/site/store.js";
import { writeStage } from "../../src/stage/stage.js";
import { REPO, testEnv, TOOLS } from "../support/env.js";
import { FakeGitHub, type Fault } from "../support/fake-github.js";
import { makeFixtureRelease } from "../support/release-fixture.js";
import { startPypiServer, type PypiServer } from "../support/servers.js";

const tmp = (): string => mkdtempSync(join(tmpdir(), "conv-"));

class SimulatedCrash extends Error {}

/** A small deterministic PRNG so a failing seed can be replayed (printed on failure). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface World {
  gh: FakeGitHub;
  pypi: PypiServer;
  indexRoot: string;
  channel: string;
  dir: string;
  targets: PublishTargets;
}

async function makeWorld(name: string): Promise<World> {
  const dir = tmp();
  const gh = await new FakeGitHub().start();
  const pypi = await startPypiServer(join(dir, "pypi"));
  const env = testEnv(`publish-converge-${name}`);
  const indexRoot = join(dir, "index");
  const channel = join(dir, "conda", "channel");
  return {
    gh,
    pypi,
    indexRoot,
    channel,
    dir,
    targets: {
      github: { token: gh.token, owner: "llvm-bindings", repo: "mlir-wheels", apiUrl: gh.url, retryUnitMs: 1 },
      pypi: { repositoryUrl: pypi.url, simpleUrl: pypi.simpleUrl, twine: join(TOOLS, "bin", "twine"), env, environ: { TWINE_PASSWORD: pypi.token } },
      index: { root: indexRoot, baseUrl: "https://example.org/mlir" },
      conda: { channel, workDir: join(dir, "conda", "recipes"), python: join(TOOLS, "bin", "python"), env },
    },
  };
}

function tree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(root, p)] = createHash("sha256").update(readFileSync(p)).digest("hex");
    }
  };
  if (existsSync(root)) walk(root);
  return out;
}

/** Everything a user can observe of the four targets. */
function observe(w: World): unknown {
  const conda: Record<string, string[]> = {};
  for (const sd of existsSync(w.channel) ? readdirSync(w.channel) : []) {
    const rd = join(w.channel, sd, "repodata.json");
    if (!existsSync(rd)) continue;
    conda[sd] = Object.keys((JSON.parse(readFileSync(rd, "utf8")) as { "packages.conda": object })["packages.conda"]).sort();
    expect(readdirSync(join(w.channel, sd)).filter((f) => f.endsWith(".conda")).sort()).toEqual(conda[sd]);
  }
  return { github: w.gh.snapshot(), pypi: tree(w.pypi.packages), index: tree(indexPaths(w.indexRoot).site), conda };
}

async function stageRelease(version: string, kind: "snapshot" | "numbered"): Promise<string> {
  const fx = await makeFixtureRelease({ dir: tmp(), version, kind });
  const out = join(tmp(), "stage");
  await writeStage({ manifests: [fx.manifest], artifactsDir: fx.dir, outDir: out });
  return out;
}

describe("publish convergence under faults", () => {
  const worlds: World[] = [];
  afterAll(async () => {
    for (const w of worlds) {
      await w.gh.stop();
      await w.pypi.stop();
    }
  });
  let stage: string;
  let stage2: string;
  let clean: unknown;
  let checkpoints: string[] = [];
  beforeAll(async () => {
    stage = await stageRelease("23.0.0.dev2026112501", "snapshot");
    const w = await makeWorld("clean");
    worlds.push(w);
    await publishRelease(stage, w.targets, { checkpoint: (p) => checkpoints.push(p) });
    stage2 = await stageRelease("23.0.0.dev2026112601", "snapshot");
    await publishRelease(stage2, w.targets);
    clean = observe(w);
  });

  it("a clean run publishes everything once, and a rerun changes nothing", async () => {
    const c = clean as { github: Array<{ assets: unknown[] }>; pypi: object; index: object; conda: Record<string, string[]> };
    expect(c.github.map((r) => r.assets.length)).toEqual([6, 6]); // 2 wheels + 2 .metadata + SHA256SUMS + manifest.json each
    expect(Object.keys(c.pypi)).toHaveLength(4);
    expect(Object.keys(c.index)).toContain("simple/mlir-python-bindings/index.html");
    expect(c.conda["linux-64"]).toEqual([
      "mlir-python-bindings-23.0.0.dev2026112501-py311_0.conda",
      "mlir-python-bindings-23.0.0.dev2026112501-py312_0.conda",
      "mlir-python-bindings-23.0.0.dev2026112601-py311_0.conda",
      "mlir-python-bindings-23.0.0.dev2026112601-py312_0.conda",
    ]);
    expect(checkpoints.length).toBeGreaterThan(8);
    const w = worlds[0]!;
    for (const st of [stage, stage2]) {
      const r = await publishRelease(st, w.targets);
      expect(r.actions.filter((a) => a.action !== "skipped")).toEqual([]);
    }
    expect(observe(w)).toEqual(clean);
  });

  it("survives >= 20 injected faults across all targets and ends equal to the clean run", async () => {
    const seed = Number(process.env["MLIR_RELEASE_FAULT_SEED"] ?? 20261125);
    const rand = rng(seed);
    const w = await makeWorld("faulty");
    worlds.push(w);
    const owner = "llvm-bindings";
    const repo = "mlir-wheels";
    const tag = "v23.0.0.dev2026112501";
    let survived = 0;
    const kinds: Record<string, number> = {};
    const count = (k: string): void => {
      survived++;
      kinds[k] = (kinds[k] ?? 0) + 1;
    };
    const serverFaults: Fault[] = [
      { kind: "500", method: "GET", path: /releases\/tags/ },
      { kind: "502", method: "POST", path: /\/releases$/ },
      { kind: "503", method: "GET", path: /assets$/ },
      { kind: "secondary-rate-limit", method: "POST", path: /uploads/ },
      { kind: "secondary-rate-limit", method: "GET", path: /releases\/tags/ },
      { kind: "reset-mid-upload", method: "POST", path: /uploads/ },
    ];
    const wheels = readdirSync(stage).filter((f) => f.endsWith(".whl")).sort();
    const crashAtPoint = async (point: string): Promise<void> => {
      w.gh.faultsFired.length = 0;
      await expect(
        publishRelease(stage, w.targets, {
          checkpoint: (p) => {
            if (p === point) throw new SimulatedCrash(`crash at ${p}`);
          },
        }),
        // The publisher wraps what it does not know as an internal error, keeping the crash as its cause.
      ).rejects.toSatisfy((e: unknown) => e instanceof SimulatedCrash || (e instanceof Error && e.cause instanceof SimulatedCrash));
      count("crash");
      for (const f of w.gh.faultsFired) count(`server-${f.kind}`);
    };
    // Prologue, so every fault kind occurs whatever the seed: a connection reset in the middle
    // of the first upload, then a crash; then a stale half-uploaded asset, then a crash in PyPI.
    w.gh.inject({ kind: "reset-mid-upload", method: "POST", path: /uploads/ });
    await crashAtPoint(`github:asset:${wheels[1]}`);
    w.gh.seedStaleAsset(owner, repo, tag, wheels[1]!, readFileSync(join(stage, wheels[1]!)).subarray(0, 100));
    count("stale-asset");
    await crashAtPoint(`pypi:upload:${wheels[1]}`);
    // Phase 1: in-process crashes at random steps + server faults, until >= 20 faults fired.
    let runs = 0;
    for (let done = false; !done && runs < 60; runs++) {
      w.gh.faultsFired.length = 0;
      const nServer = Math.floor(rand() * 4);
      for (let i = 0; i < nServer; i++) w.gh.inject(serverFaults[Math.floor(rand() * serverFaults.length)]!);
      // A stale half-uploaded asset where an upload is still missing.
      const rel = w.gh.releases.get(`${owner}/${repo}#${tag}`);
      if (rel && rand() < 0.3) {
        const stFiles = readdirSync(stage).filter((f) => f.endsWith(".whl"));
        const missing = stFiles.find((f) => !rel.assets.some((a) => a.name === f));
        if (missing) {
          w.gh.seedStaleAsset(owner, repo, tag, missing, readFileSync(join(stage, missing)).subarray(0, 100));
          count("stale-asset");
        }
      }
      const crashAt = survived < 20 ? Math.floor(rand() * checkpoints.length) : -1;
      let seen = 0;
      try {
        await publishRelease(stage, w.targets, {
          checkpoint: (p) => {
            if (seen++ === crashAt) throw new SimulatedCrash(`crash at ${p}`);
          },
        });
        done = crashAt < 0 || seen <= crashAt;
      } catch (e) {
        const crash = e instanceof SimulatedCrash || (e instanceof Error && e.cause instanceof SimulatedCrash);
        if (!crash) throw new Error(`seed ${seed}, run ${runs}: ${(e as Error).stack}`);
        count("crash");
      }
      for (const f of w.gh.faultsFired) count(`server-${f.kind}`);
      w.gh.faults.length = 0; // faults not reached this run do not carry over
      if (done && survived < 20) done = false;
    }
    // Phase 2: the real CLI process, SIGKILLed at random moments while it publishes a second
    // version (leaving, e.g., the index lock of a dead process), then run to completion.
    const cfg = join(w.dir, "release.config.json");
    writeFileSync(
      cfg,
      JSON.stringify({
        publish: {
          github: { owner, repo, apiUrl: w.gh.url },
          pypi: { repositoryUrl: w.pypi.url, simpleUrl: w.pypi.simpleUrl },
          index: { baseUrl: "https://example.org/mlir", root: w.indexRoot },
          conda: { channel: w.channel },
        },
      }),
    );
    const cli = (st: string) =>
      execa(process.execPath, ["--import", "tsx", join(REPO, "src", "cli.ts"), "publish", "--stage", st, "--config", cfg, "--log", join(w.dir, "cli.log")], {
        cwd: REPO,
        reject: false,
        env: { GITHUB_TOKEN: w.gh.token, TWINE_PASSWORD: w.pypi.token, MLIR_RELEASE_TOOLS: TOOLS },
      });
    let kills = 0;
    for (let i = 0; i < 12 && kills < 5; i++) {
      const p = cli(stage2);
      const delay = 1200 + Math.floor(rand() * 2500);
      const timer = setTimeout(() => p.kill("SIGKILL"), delay);
      const r = await p;
      clearTimeout(timer);
      if (r.signal === "SIGKILL") {
        kills++;
        count("sigkill");
      } else if (r.exitCode === 0) break;
      else throw new Error(`CLI failed (not killed): ${r.stderr}`);
    }
    const final = await cli(stage2);
    expect(final.exitCode, final.stderr).toBe(0);
    // The first version rerun through the CLI changes nothing.
    const again = await cli(stage);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).actions.every((a: { action: string }) => a.action === "skipped")).toBe(true);
    process.stderr.write(`[converge] seed ${seed}: ${runs} in-process runs + ${kills} SIGKILLed CLI runs; faults survived ${survived}: ${JSON.stringify(kinds)}\n`);
    writeFileSync(join(REPO, "test-output", "publish-faults.json"), JSON.stringify({ seed, survived, kinds, runs, kills }, null, 2));
    expect(survived).toBeGreaterThanOrEqual(20);
    expect(kinds["crash"] ?? 0).toBeGreaterThan(3);
    expect(kills).toBeGreaterThan(0);
    for (const k of ["stale-asset", "server-reset-mid-upload", "server-secondary-rate-limit"]) expect(kinds[k] ?? 0, k).toBeGreaterThan(0);
    expect(observe(w)).toEqual(clean);
    // No stray duplicates anywhere: one release, each asset once, no partial files served.
    expect(w.gh.snapshot().flatMap((r) => r.assets.map((a) => a.state))).toEqual(Array(12).fill("uploaded"));
  }, 280_000);

  it("two publishers of different versions at once leave an index (and GitHub, PyPI) listing both", async () => {
    const w = await makeWorld("concurrent");
    worlds.push(w);
    const a = await stageRelease("23.0.0.dev2026112502", "snapshot");
    const b = await stageRelease("22.1.8", "numbered");
    const { conda: _conda, ...noConda } = w.targets;
    const cfg = join(w.dir, "release.config.json");
    writeFileSync(
      cfg,
      JSON.stringify({
        publish: {
          github: { owner: "llvm-bindings", repo: "mlir-wheels", apiUrl: w.gh.url },
          pypi: { repositoryUrl: w.pypi.url, simpleUrl: w.pypi.simpleUrl },
          index: { baseUrl: "https://example.org/mlir", root: w.indexRoot },
        },
      }),
    );
    // Two real processes (the daily job and a manual release) at the same moment.
    const run = (st: string) =>
      execa(process.execPath, ["--import", "tsx", join(REPO, "src", "cli.ts"), "publish", "--stage", st, "--config", cfg, "--targets", "github,pypi,index", "--log", join(w.dir, `${st.length}.log`)], {
        cwd: REPO,
        env: { GITHUB_TOKEN: w.gh.token, TWINE_PASSWORD: w.pypi.token, MLIR_RELEASE_TOOLS: TOOLS },
      });
    await Promise.all([run(a), run(b)]);
    // And two in-process publishers racing on the index lock.
    const c = await stageRelease("23.0.0.dev2026112503", "snapshot");
    const d = await stageRelease("22.1.9", "numbered");
    await Promise.all([publishRelease(c, { index: noConda.index! }), publishRelease(d, { index: noConda.index! })]);
    const versions = listIndexManifests(w.indexRoot).map((m) => m.plan.version).sort();
    expect(versions).toEqual(["22.1.8", "22.1.9", "23.0.0.dev2026112502", "23.0.0.dev2026112503"]);
    const page = readFileSync(join(indexPaths(w.indexRoot).site, "simple", "mlir-python-bindings", "index.html"), "utf8");
    for (const v of versions) expect(page).toContain(`mlir_python_bindings-${v}-py3-none-any.whl#sha256=`);
    const dash = readFileSync(join(indexPaths(w.indexRoot).site, "index.html"), "utf8");
    for (const v of versions) expect(dash).toContain(`id="v${v}"`);
    expect(w.gh.snapshot().map((r) => r.tag)).toEqual(["v22.1.8", "v23.0.0.dev2026112502"]);
    expect(Object.keys(tree(w.pypi.packages))).toHaveLength(4);
    expect(existsSync(indexPaths(w.indexRoot).lock)).toBe(false);
  }, 120_000);
});
