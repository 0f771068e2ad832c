// conda: the generated rattler-build v1 recipe builds a real .conda with the wheel's files in
// site-packages; a split release (small fixture wheels) becomes one native package and one per
// Python whose symlinks reach the native files once py-rattler installs both. Retention: `prune` is a dry run unless --apply, removes old snapshots from the
// index and GitHub, and never a numbered release.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { condaRecipes, publishConda, renderRecipe } from "../../src/publish/conda.js";
import { publishGithub } from "../../src/publish/github.js";
import { addRelease, listPruned, listIndexManifests } from "../../src/site/store.js";
import { REPO, testEnv, TOOLS } from "../support/env.js";
import { FakeGitHub } from "../support/fake-github.js";
import { condaInstall, condaPayload } from "../support/conda.js";
import { FIXTURE_MODULE, makeFixtureRelease, stagedFixtureRelease as staged } from "../support/release-fixture.js";
import { loadStage, writeStage } from "../../src/stage/stage.js";

const tmp = (): string => mkdtempSync(join(tmpdir(), "cr-"));

describe("conda via rattler-build (py-rattler-build)", () => {
  it("recipe is a v1 recipe from the manifest; the build yields a .conda holding the wheel's files", async () => {
    const st = await staged("22.1.8", "numbered");
    const [r] = condaRecipes(st.manifest);
    const y = parse(renderRecipe(r!)) as Record<string, any>;
    expect(y["schema_version"]).toBe(1);
    expect(y["package"]).toEqual({ name: "mlir-python-bindings", version: "${{ version }}" });
    expect(y["source"][0]["sha256"]).toBe(st.manifest.artifacts[0]!.sha256);
    expect(y["requirements"]["run"]).toEqual(["python >=3.11,<3.12"]);
    const dir = tmp();
    const res = await publishConda(st, { channel: join(dir, "channel"), workDir: join(dir, "recipes"), python: join(TOOLS, "bin", "python"), env: testEnv("publish-conda") });
    expect(res.actions.map((a) => a.action)).toEqual(["built", "built"]);
    const pkg = join(dir, "channel", "linux-64", "mlir-python-bindings-22.1.8-py312_0.conda");
    expect(existsSync(pkg)).toBe(true);
    const repodata = JSON.parse(readFileSync(join(dir, "channel", "linux-64", "repodata.json"), "utf8"));
    expect(repodata["packages.conda"]["mlir-python-bindings-22.1.8-py312_0.conda"].depends).toEqual(["python >=3.12,<3.13"]);
    // .conda = zip of zstd tarballs: list the package payload.
    const x = join(dir, "x");
    execFileSync("python3", ["-m", "zipfile", "-e", pkg, x]);
    const files = execFileSync("sh", ["-c", `zstd -dc ${x}/pkg-*.tar.zst | tar -t`]).toString();
    expect(files).toContain(`lib/python3.12/site-packages/${FIXTURE_MODULE}/__init__.py`);
    expect(files).toMatch(/lib\/python3\.12\/site-packages\/mlir_python_bindings-22\.1\.8\.dist-info\/METADATA/);
    const again = await publishConda(st, { channel: join(dir, "channel"), workDir: join(dir, "recipes"), python: join(TOOLS, "bin", "python"), env: testEnv("publish-conda") });
    expect(again.actions.map((a) => a.action)).toEqual(["skipped", "skipped"]);
  }, 180_000);

  it("a split release: one native package per platform (no Python in it) and one per Python that links to it; installed without a solver, the module reads the native file", async () => {
    const wheels = ["3.12", "3.11"].map((python) => {
      const cp = `cp${python.replace(".", "")}`;
      return { python, tag: { python: cp, abi: cp, platform: "linux_x86_64" }, platform: "linux-x86_64" as const };
    });
    const fx = await makeFixtureRelease({ dir: tmp(), version: "22.1.8", kind: "numbered", split: true, wheels });
    const stageDir = join(tmp(), "stage");
    await writeStage({ manifests: [fx.manifest], artifactsDir: fx.dir, outDir: stageDir });
    const st = await loadStage(stageDir);
    const dir = tmp();
    const opts = { channel: join(dir, "channel"), workDir: join(dir, "recipes"), python: join(TOOLS, "bin", "python"), env: testEnv("publish-conda-split") };
    const seen: string[] = [];
    const res = await publishConda(st, { ...opts, checkpoint: (p) => seen.push(p) });
    const native = "mlir-python-bindings-native-22.1.8-0.conda";
    expect(res.actions.map((a) => `${a.action} ${a.file}`)).toEqual([`built ${native}`, "built mlir-python-bindings-22.1.8-py311_0.conda", "built mlir-python-bindings-22.1.8-py312_0.conda"]);
    expect(seen).toEqual(res.actions.map((a) => `conda:build:${a.file}`));
    const repodata = JSON.parse(readFileSync(join(dir, "channel", "linux-64", "repodata.json"), "utf8"))["packages.conda"];
    expect(repodata[native]).toMatchObject({ name: "mlir-python-bindings-native", build: "0", depends: [] });
    expect(repodata["mlir-python-bindings-22.1.8-py312_0.conda"].depends).toEqual(["python >=3.12,<3.13", "mlir-python-bindings-native ==22.1.8"]);
    const nativeFiles = condaPayload(join(dir, "channel", "linux-64", native)).entries.filter((e) => e.type !== "d" && !e.path.startsWith("info/"));
    expect(nativeFiles.map((e) => `${e.type} ${e.path}`)).toContain(`- lib/mlir_python_bindings_native/${FIXTURE_MODULE}/_libs/native.txt`);
    const per = condaPayload(join(dir, "channel", "linux-64", "mlir-python-bindings-22.1.8-py312_0.conda")).entries;
    expect(per.find((e) => e.path === `lib/python3.12/site-packages/${FIXTURE_MODULE}/_libs/native.txt`)).toMatchObject({
      type: "l",
      target: `../../../../mlir_python_bindings_native/${FIXTURE_MODULE}/_libs/native.txt`,
    });
    expect(per.some((e) => e.path.startsWith("lib/mlir_python_bindings_native/"))).toBe(false);
    // py-rattler links the two packages into a fresh prefix; CPython 3.12 imports the module from it.
    const prefix = join(dir, "prefix");
    const installed = await condaInstall(join(dir, "channel"), "linux-64", [native, "mlir-python-bindings-22.1.8-py312_0.conda"], prefix);
    expect(installed.map((r) => `${r.name} ${r.build}`).sort()).toEqual(["mlir-python-bindings py312_0", "mlir-python-bindings-native 0"]);
    const sp = join(prefix, "lib", "python3.12", "site-packages");
    const py = (await execa("pyenv", ["prefix", "3.12"])).stdout.trim().split("\n")[0]!;
    const out = await execa(join(py, "bin", "python3"), ["-s", "-c", `import ${FIXTURE_MODULE} as m, importlib.metadata as md; print(m.NATIVE, m.__file__, md.version("mlir-python-bindings-native"))`], {
      env: { PYTHONPATH: sp },
      extendEnv: false,
      cwd: "/",
    });
    expect(out.stdout).toBe(`native 22.1.8 ${join(sp, FIXTURE_MODULE, "__init__.py")} 22.1.8`);
    const again = await publishConda(st, opts);
    expect(again.actions.map((a) => a.action)).toEqual(["skipped", "skipped", "skipped"]);
  }, 240_000);
});

describe("retention", () => {
  let gh: FakeGitHub;
  beforeAll(async () => {
    gh = await new FakeGitHub().start();
  });
  afterAll(async () => gh.stop());

  it("prune: dry run changes nothing; --apply thins old snapshots only (files go; manifests, GitHub releases and tags stay, marked pruned)", async () => {
    const root = join(tmp(), "index");
    const gopts = gh.publisherOptions();
    for (const [v, k] of [
      ["22.1.8", "numbered"],
      ["23.0.0.dev2026112301", "snapshot"],
      ["23.0.0.dev2026112401", "snapshot"],
      ["23.0.0.dev2026112501", "snapshot"],
    ] as const) {
      const st = await staged(v, k);
      await addRelease(root, st);
      await publishGithub(st, gopts);
    }
    const cfg = join(tmp(), "release.config.json");
    // Every snapshot for 0 days, the newest of each week until 365: at 2026-12-01 the week of
    // 2026-11-23..29 keeps only its newest (…112501).
    writeFileSync(cfg, JSON.stringify({ publish: { github: { owner: "o", repo: "r", apiUrl: gh.url } }, retention: { allDays: 0, weeklyDays: 365 } }));
    const cli = (...args: string[]) =>
      execa(process.execPath, ["--import", "tsx", join(REPO, "src", "cli.ts"), "prune", "--index-root", root, "--config", cfg, "--now", "2026-12-01", ...args], {
        cwd: REPO,
        env: { GITHUB_TOKEN: gh.token },
      });
    const dry = await cli();
    expect(JSON.parse(dry.stdout)).toMatchObject({ prune: [{ version: "23.0.0.dev2026112301" }, { version: "23.0.0.dev2026112401" }], applied: false });
    expect(dry.stderr).toMatch(/dry run: 2 snapshot\(s\) would be pruned; pass --apply/);
    expect(listPruned(root)).toEqual([]);
    expect(gh.snapshot().every((r) => r.assets.some((a) => a.name.endsWith(".whl")))).toBe(true);
    const real = await cli("--apply");
    expect(JSON.parse(real.stdout).applied).toBe(true);
    // Manifests stay (listed, yanked); files go; GitHub releases and tags stay with manifest.json + pruned.json.
    expect(listIndexManifests(root)).toHaveLength(4);
    expect(listPruned(root).map((p) => p.version)).toEqual(["23.0.0.dev2026112301", "23.0.0.dev2026112401"]);
    expect(gh.snapshot().map((r) => r.tag)).toEqual(["v22.1.8", "v23.0.0.dev2026112301", "v23.0.0.dev2026112401", "v23.0.0.dev2026112501"]);
    expect([...gh.tags]).toHaveLength(4);
    for (const r of gh.snapshot()) {
      const pruned = r.tag.endsWith("112301") || r.tag.endsWith("112401");
      expect(r.assets.some((a) => a.name.endsWith(".whl")), r.tag).toBe(!pruned);
      expect(r.assets.some((a) => a.name === "pruned.json"), r.tag).toBe(pruned);
      expect(r.assets.some((a) => a.name === "manifest.json"), r.tag).toBe(true);
    }
    // Nothing left to prune: a second --apply is a no-op.
    expect(JSON.parse((await cli("--apply")).stdout).prune).toEqual([]);
  }, 120_000);
});
