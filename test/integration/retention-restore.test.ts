// Retention that never breaks a pin, end to end with small real wheels and real pip over HTTP:
// publish → prune (CLI) → the pruned version is still listed, yanked with a reason naming the
// restore command (PEP 592 in HTML and PEP 691 JSON), its manifest still published → pip: an
// unpinned install does not pick it, `==<v>` selects the yanked file and fails on the missing
// bytes → restore (rebuild → identical sha256 → same bytes back, un-yanked) → pip installs it.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { restore, type Rebuilder } from "../../src/publish/restore.js";
import { addRelease, indexPaths, listPruned } from "../../src/site/store.js";
import { loadStage, writeStage } from "../../src/stage/stage.js";
import { sha256Hex } from "../../src/util/hash.js";
import { REPO } from "../support/env.js";
import { FIXTURE_MODULE, makeFixtureRelease } from "../support/release-fixture.js";
import { freshVenv, serveStatic, type StaticServer } from "../support/servers.js";

const tmp = (): string => mkdtempSync(join(tmpdir(), "retention-"));
const DIST = "mlir-python-bindings";
// 2026-06-02 (Tue) and 2026-06-04 (Thu) share ISO week 23; at 2026-12-01 both are > 30 days old,
// so only the week's newest (…0604) keeps its files. 2026-11-20 is recent, 22.1.8 is numbered.
const PRUNED = "23.0.0.dev2026060200";
const WEEKLY = "23.0.0.dev2026060400";
const RECENT = "23.0.0.dev2026112000";
const NUMBERED = "22.1.8";
const one = (_v: string) => [{ python: "3.12", tag: { python: "py3", abi: "none", platform: "any" }, platform: "linux-x86_64" as const }];

/** What rebuilding a fixture release from its manifest is: the same deterministic wheel writer, same inputs. */
const fixtureRebuilder: Rebuilder = async (_path, m, outDir) => {
  await makeFixtureRelease({ dir: outDir, version: m.plan.version, kind: m.plan.kind, commit: m.plan.llvm.commit, wheels: one(m.plan.version) });
};

describe("retention: prune keeps pins resolvable, restore brings the same bytes back", () => {
  let root: string;
  let server: StaticServer;
  let venv: Awaited<ReturnType<typeof freshVenv>>;
  const shas = new Map<string, string>();
  const indexUrl = (): string => `${server.url}/simple/`;
  const pipInstall = (spec: string) =>
    execa(venv.py, ["-m", "pip", "install", "--no-deps", "--force-reinstall", "--index-url", indexUrl(), spec], {
      env: { PIP_CONFIG_FILE: "/dev/null", PIP_DISABLE_PIP_VERSION_CHECK: "1", PIP_NO_CACHE_DIR: "1" },
      all: true,
      reject: false,
    });
  const installedVersion = async (): Promise<string> => (await execa(venv.py, ["-c", `import ${FIXTURE_MODULE} as m; print(m.VERSION)`])).stdout.trim();

  beforeAll(async () => {
    root = join(tmp(), "index");
    for (const [v, kind] of [[NUMBERED, "numbered"], [PRUNED, "snapshot"], [WEEKLY, "snapshot"], [RECENT, "snapshot"]] as const) {
      const fx = await makeFixtureRelease({ dir: join(tmp(), "fx"), version: v, kind, wheels: one(v) });
      shas.set(v, fx.manifest.artifacts[0]!.sha256);
      const out = join(tmp(), "stage");
      await writeStage({ manifests: [fx.manifest], artifactsDir: fx.dir, outDir: out });
      await addRelease(root, await loadStage(out));
    }
    server = await serveStatic(indexPaths(root).site);
    venv = await freshVenv(join(tmp(), "venv"));
  }, 600_000);
  afterAll(async () => server?.stop());

  it("prune (CLI, dry run then --apply): only the snapshot that is neither recent nor its week's newest loses its files", async () => {
    const cfg = join(tmp(), "release.config.json");
    writeFileSync(cfg, JSON.stringify({ retention: { allDays: 30, weeklyDays: 365, monthly: true } }));
    const cli = (...args: string[]) =>
      execa(process.execPath, ["--import", "tsx", join(REPO, "src", "cli.ts"), "prune", "--index-root", root, "--config", cfg, "--now", "2026-12-01", ...args], { cwd: REPO });
    const dry = await cli();
    const planned = JSON.parse(dry.stdout) as { prune: Array<{ version: string; why: string }>; keep: Array<{ version: string; why: string }>; applied: boolean };
    expect(planned.applied).toBe(false);
    expect(planned.prune.map((p) => p.version)).toEqual([PRUNED]);
    expect(planned.prune[0]!.why).toMatch(/not the newest of week 2026-W23 \(23\.0\.0\.dev2026060400\)/);
    expect(Object.fromEntries(planned.keep.map((k) => [k.version, k.why]))).toMatchObject({
      [NUMBERED]: expect.stringMatching(/numbered/),
      [WEEKLY]: expect.stringMatching(/newest snapshot of week 2026-W23/),
      [RECENT]: expect.stringMatching(/younger than 30 days/),
    });
    expect(dry.stderr).toMatch(/dry run: 1 snapshot\(s\) would be pruned; pass --apply/);
    expect(listPruned(root)).toEqual([]);

    const real = await cli("--apply");
    expect(JSON.parse(real.stdout).applied).toBe(true);
    expect(real.stderr).toContain(`restorable with 'mlir-release restore ${PRUNED}'`);
    expect(listPruned(root).map((p) => p.version)).toEqual([PRUNED]);
    // The bytes are gone from the store and the site; the manifest and the PEP 658 metadata stay.
    const P = indexPaths(root);
    expect(readdirSync(join(P.files, PRUNED)).every((f) => f.endsWith(".metadata"))).toBe(true);
    expect(readdirSync(join(P.site, "files", PRUNED)).every((f) => f.endsWith(".metadata"))).toBe(true);
    const published = JSON.parse(readFileSync(join(P.site, "manifests", `${PRUNED}.json`), "utf8")) as { artifacts: Array<{ sha256: string }> };
    expect(published.artifacts[0]!.sha256).toBe(shas.get(PRUNED));
    // Converged: nothing more to prune.
    expect(JSON.parse((await cli("--apply")).stdout).prune).toEqual([]);
  }, 600_000);

  it("lists the pruned snapshot as yanked with the restore command (PEP 592 HTML, PEP 691 JSON) and marks it restorable", async () => {
    const html = await (await fetch(`${indexUrl()}${DIST}/`)).text();
    const reason = `files pruned by retention on 2026-12-01; restorable bit for bit from its manifest: mlir-release restore ${PRUNED}`;
    const link = html.split("\n").find((l) => l.includes(`-${PRUNED}-`))!;
    expect(link).toContain(`data-yanked="${reason}"`);
    for (const v of [NUMBERED, WEEKLY, RECENT]) expect(html.split("\n").find((l) => l.includes(`-${v}-`))).not.toContain("data-yanked");
    const json = (await (await fetch(`${indexUrl()}${DIST}/`, { headers: { accept: "application/vnd.pypi.simple.v1+json" } })).json()) as {
      versions: string[];
      files: Array<{ filename: string; yanked: string | boolean }>;
    };
    expect(json.versions).toContain(PRUNED);
    expect(json.files.find((f) => f.filename.includes(`-${PRUNED}-`))!.yanked).toBe(reason);
    expect(json.files.filter((f) => f.yanked !== false)).toHaveLength(1);
    const dash = await (await fetch(`${server.url}/index.html`)).text();
    expect(dash).toMatch(new RegExp(`id="v${PRUNED.replace(/\./g, "\\.")}"[^]*?class="restorable"[^]*?mlir-release restore ${PRUNED.replace(/\./g, "\\.")}`));
  });

  it("pip: an unpinned install skips the yanked snapshot; ==<pruned> selects the yanked file, shows the reason, and fails on the missing bytes", async () => {
    const below = await pipInstall(`${DIST}<${WEEKLY}`);
    // The newest non-yanked version below the weekly snapshot is the numbered release (22.1.8 < 23.0.0.dev…).
    expect(below.exitCode).toBe(0);
    expect(await installedVersion()).toBe(NUMBERED);
    const pinned = await pipInstall(`${DIST}==${PRUNED}`);
    process.stderr.write(`pip install ==${PRUNED} after prune (exit ${pinned.exitCode}):\n${pinned.all}\n`);
    expect(pinned.exitCode).not.toBe(0);
    expect(pinned.all).toMatch(/The candidate selected for download or install is a yanked version/);
    expect(pinned.all).toContain(`Reason for being yanked: files pruned by retention on 2026-12-01; restorable bit for bit from its manifest: mlir-release restore ${PRUNED}`);
    expect(pinned.all).toMatch(/404/);
    expect(await installedVersion()).toBe(NUMBERED);
  }, 180_000);

  it("restore refuses a rebuild whose bytes differ, and publishes nothing", async () => {
    const other: Rebuilder = async (_p, m, outDir) => {
      await makeFixtureRelease({ dir: outDir, version: m.plan.version, kind: m.plan.kind, commit: "f".repeat(40), wheels: one(m.plan.version) });
    };
    await expect(restore({ indexRoot: root, version: PRUNED, outDir: join(tmp(), "out"), rebuild: other })).rejects.toThrow(
      new RegExp(`refusing to republish ${PRUNED.replace(/\./g, "\\.")}: 1 of 1 rebuilt artifact\\(s\\) differ from the manifest`),
    );
    expect(listPruned(root).map((p) => p.version)).toEqual([PRUNED]);
    expect(readdirSync(join(indexPaths(root).files, PRUNED)).every((f) => f.endsWith(".metadata"))).toBe(true);
    await expect(restore({ indexRoot: root, version: WEEKLY, outDir: join(tmp(), "out"), rebuild: fixtureRebuilder })).rejects.toThrow(/is not pruned/);
  });

  it("restore: rebuilt from the manifest, identical sha256, same bytes back, un-yanked; pip installs the pin", async () => {
    const out = join(tmp(), "restored");
    const r = await restore({ indexRoot: root, version: PRUNED, outDir: out, rebuild: fixtureRebuilder });
    expect(r.artifacts).toEqual([{ fileName: expect.stringContaining(`-${PRUNED}-`), sha256: shas.get(PRUNED), equal: true }]);
    expect(listPruned(root)).toEqual([]);
    const served = readdirSync(join(indexPaths(root).site, "files", PRUNED)).find((f) => f.endsWith(".whl"))!;
    expect(sha256Hex(readFileSync(join(indexPaths(root).site, "files", PRUNED, served)))).toBe(shas.get(PRUNED));
    const html = await (await fetch(`${indexUrl()}${DIST}/`)).text();
    expect(html).not.toContain("data-yanked");
    const pinned = await pipInstall(`${DIST}==${PRUNED}`);
    expect(pinned.exitCode, pinned.all).toBe(0);
    expect(pinned.all).not.toMatch(/yanked/i);
    expect(await installedVersion()).toBe(PRUNED);
  }, 180_000);

  it("the CLI refuses a version that is not pruned, naming it, with exit status 2 (bad input, src/errors.ts)", async () => {
    const r = await execa(process.execPath, ["--import", "tsx", join(REPO, "src", "cli.ts"), "restore", WEEKLY, "--index-root", root, "--cache", join(tmp(), "cache")], {
      cwd: REPO,
      reject: false,
    });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^error: restore: ${WEEKLY.replace(/\./g, "\\.")} is not pruned`, "m"));
    const bad = await execa(process.execPath, ["--import", "tsx", join(REPO, "src", "cli.ts"), "restore", "../etc", "--index-root", root], { cwd: REPO, reject: false });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/invalid version argument/);
  }, 300_000);
});
