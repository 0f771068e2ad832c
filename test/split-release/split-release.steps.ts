// The split release as a user meets it (issue 17, "Done when"): the real 22.1.8 build's per-Python
// wheel and native wheel, staged and published by the real CLI (`mlir-release stage`, `publish
// --targets pypi,index`) to a pypiserver on 127.0.0.1 and to our static index (served on
// 127.0.0.1), then, from each index, `pip install <distribution>==<version>` into a fresh venv
// (pip resolves the native pin itself), pip check, the smoke test, a JIT call of printMemrefF32
// through the installed runtime libraries, and upstream's mlir/test/python lit suite against it.
// The release is the shared test build (wheel-settings.ts, reused through the factory's stamps) or
// MLIR_RELEASE_TEST_RELEASE_DIST=<a finished build's output folder> (every digest checked).
// `npm run test:split-release` (out of `npm test`: it runs lit twice).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findPython } from "../../src/platforms/pythons.js";
import { buildWheels, layerHostTriple, layerTargets, resolveLayer, resolveSource } from "../../src/factory/factory.js";
import { writeManifest } from "../../src/plan/manifest.js";
import { manifestForBuild } from "../../src/rebuild/build-manifest.js";
import type { BuildReport } from "../../src/schema/build-report.js";
import type { ReleaseManifest } from "../../src/schema/manifest.js";
import { headerValues, readWheel } from "../../src/stage/wheelinfo.js";
import { runUpstreamLit, type LitCounts } from "../../src/verify/lit.js";
import { OUTPUT, REPO, testEnv, testProgress } from "../support/env.js";
import { finishedBuild, ReleaseDist } from "../support/downstream-release.js";
import { serveStatic, startPypiServer, type PypiServer, type StaticServer } from "../support/servers.js";
import { NEEDS_TEST_EXTENSION, PYTHON, settings } from "../support/wheel-settings.js";

const DIR = join(OUTPUT, "split-release");
const cli = (args: string[], env: Record<string, string> = {}) =>
  execa("node", [join(REPO, "bin", "mlir-release.mjs"), ...args], { cwd: REPO, env: { MLIR_RELEASE_TOOLS: settings.toolsDir, ...env }, all: true, reject: false });

interface Installed {
  name: string;
  py: string;
  pipList: Record<string, string>;
  pipCheck: string;
  smoke: Record<string, unknown>;
  jit: { stdout: string; report: { result: number; directory: string; mapped: string[]; libraries: Record<string, string> } };
  lit: LitCounts;
  litSite: string;
}

describe(`the split release, Python ${PYTHON}: staged, published to pypiserver and our index, pip-installed from each`, () => {
  let report: BuildReport;
  let manifest: ReleaseManifest;
  let distDir: string;
  let server: PypiServer;
  let site: StaticServer;
  let publishOut: string;
  let published: { actions: { target: string; file: string; action: string }[] };
  const installs: Installed[] = [];

  beforeAll(async () => {
    rmSync(DIR, { recursive: true, force: true });
    mkdirSync(DIR, { recursive: true });
    const env = testEnv("split-release");
    const progress = testProgress("split-release");
    const distEnv = process.env["MLIR_RELEASE_TEST_RELEASE_DIST"];
    distDir = distEnv ? ReleaseDist.parse(distEnv) : settings.outDir;
    report = distEnv ? await finishedBuild(distDir) : await buildWheels({ ...settings, dev: false, verify: false }, env, progress);
    const m = manifestForBuild(settings, { ...report, dev: [] });
    if (!m.manifest) throw new Error(`no manifest for the shared build: ${m.reason}`);
    manifest = m.manifest;
    mkdirSync(join(DIR, "manifest"), { recursive: true });
    const manifestFile = writeManifest(join(DIR, "manifest"), manifest);

    // The real CLI, as the release workflow runs it.
    const staged = await cli(["stage", "--manifest", manifestFile, "--artifacts", distDir, "--out", join(DIR, "stage")]);
    if (staged.exitCode !== 0) throw new Error(`stage failed: ${staged.all}`);
    server = await startPypiServer(join(DIR, "pypiserver"));
    const config = join(DIR, "release.config.json");
    writeFileSync(config, JSON.stringify({ publish: { pypi: { repositoryUrl: server.url, simpleUrl: server.simpleUrl } } }));
    const pub = await cli(
      ["publish", "--stage", join(DIR, "stage"), "--config", config, "--targets", "pypi,index", "--index-root", join(DIR, "index"), "--log", join(DIR, "publish.log")],
      { TWINE_PASSWORD: server.token },
    );
    publishOut = pub.all ?? "";
    if (pub.exitCode !== 0) throw new Error(`publish failed (${pub.exitCode}): ${publishOut}`);
    published = JSON.parse(pub.stdout.slice(pub.stdout.indexOf("{"))) as typeof published;
    site = await serveStatic(join(DIR, "index", "site"));

    // What lit needs besides the venv: the source tree's tests and the layer's FileCheck (the factory's own steps, cached).
    const source = await resolveSource(settings, env, progress);
    const layer = await resolveLayer(settings, source, env, progress);
    const base = await findPython(env, PYTHON);
    const wheel = report.wheels[0]!;
    const meta = (await readWheel(join(distDir, wheel.fileName))).metadata.toString("utf8");
    const nativePin = `${manifest.plan.distribution}-native==`;
    // Every extra the wheel provides (opdsl's YAML dump needs PyYAML), as the factory's verify installs it.
    const extras = headerValues(meta, "Provides-Extra");
    const wanted = `${manifest.plan.distribution}${extras.length ? `[${extras.join(",")}]` : ""}==${manifest.plan.version}`;
    // Runtime requirements (numpy, …, the extras' too) from the machine's configured index; our two distributions only from the index under test.
    const deps = headerValues(meta, "Requires-Dist")
      .filter((d) => !d.startsWith(nativePin))
      .map((d) => d.replace(/;\s*extra == "[^"]+"\s*$/, ""));
    for (const [name, url] of [["pypiserver", server.simpleUrl], ["index", `${site.url}/simple/`]] as const) {
      const venv = join(DIR, `venv-${name}`);
      await execa(base.executable, ["-m", "venv", "--clear", venv]);
      const py = join(venv, "bin", "python");
      const pip = (args: string[], own = false) =>
        execa(py, ["-m", "pip", "--disable-pip-version-check", ...args], { all: true, ...(own ? { env: { PIP_CONFIG_FILE: "/dev/null", PIP_NO_CACHE_DIR: "1" } } : {}) });
      if (deps.length) await pip(["install", "-q", "--only-binary=:all:", ...deps]);
      progress.info(`pip install ${wanted} from ${name}`);
      await pip(["install", "--index-url", url, wanted], true);
      const pipList = Object.fromEntries(
        (JSON.parse((await pip(["list", "--format=json"])).stdout) as { name: string; version: string }[]).map((p) => [p.name.toLowerCase(), p.version]),
      );
      const pipCheck = (await execa(py, ["-m", "pip", "check"], { reject: false })).stdout;
      const smokeOut = await execa(py, [join(REPO, "containers", "verify", "smoke.py")], { cwd: "/", env: { LD_LIBRARY_PATH: "", PYTHONPATH: "" } });
      const jitFile = join(DIR, `runtime-jit-${name}.json`);
      const jitOut = await execa(py, [join(REPO, "containers", "verify", "runtime_jit.py"), jitFile], { cwd: "/", env: { LD_LIBRARY_PATH: "", PYTHONPATH: "" } });
      progress.info(`lit against the ${name} install`);
      const litDir = join(DIR, `lit-${name}`);
      const lit = await runUpstreamLit({
        env,
        litExecutable: join(settings.toolsDir, "bin", "lit"),
        sourceRoot: source.root,
        layer,
        python: py,
        pythonVersion: PYTHON,
        workDir: litDir,
        hostTriple: layerHostTriple(layer),
        targets: layerTargets(layer),
      });
      progress.info(`lit (${name}): ${lit.passed} passed, ${lit.failed} failed, ${lit.unsupported} unsupported${lit.failures.length ? ` — failed: ${lit.failures.join(", ")}` : ""}`);
      installs.push({
        name,
        py,
        pipList,
        pipCheck,
        smoke: JSON.parse(smokeOut.stdout.trim().split("\n").pop() ?? "{}") as Record<string, unknown>,
        jit: { stdout: jitOut.stdout, report: JSON.parse(readFileSync(jitFile, "utf8")) as Installed["jit"]["report"] },
        lit,
        litSite: readFileSync(join(litDir, `lit-py${PYTHON}`, "test", "lit.site.cfg.py"), "utf8"),
      });
    }
  }, 3_600_000);
  afterAll(async () => {
    await server?.stop();
    await site?.stop();
  });

  it("stages both wheels of the platform and publishes both to PyPI (native first) and the index", () => {
    expect(manifest.artifacts.map((a) => a.kind).sort()).toEqual(["native-wheel", "wheel"]);
    const nativeFile = report.native!.fileName;
    const wheelFile = report.wheels[0]!.fileName;
    const pypi = published.actions.filter((a) => a.target === "pypi");
    expect(pypi.map((a) => [a.file, a.action])).toEqual([
      [nativeFile, "uploaded"],
      [wheelFile, "uploaded"],
    ]);
    expect(published.actions.filter((a) => a.target === "index").map((a) => a.file).sort()).toEqual([nativeFile, wheelFile].sort());
    expect(readFileSync(join(server.packages, nativeFile)).length).toBe(report.native!.size);
    process.stderr.write(`split release: ${wheelFile} ${report.wheels[0]!.size} bytes sha256 ${report.wheels[0]!.sha256}\n`);
    process.stderr.write(`split release: ${nativeFile} ${report.native!.size} bytes sha256 ${report.native!.sha256}\n`);
  });

  it("installs both distributions at the release's version from each index (pip resolved the native pin), pip check clean", () => {
    expect(installs.map((i) => i.name)).toEqual(["pypiserver", "index"]);
    const v = manifest.plan.version;
    for (const i of installs) {
      expect(i.pipList, i.name).toMatchObject({ [manifest.plan.distribution]: v, [`${manifest.plan.distribution}-native`]: v });
      expect(i.pipCheck, i.name).toMatch(/No broken requirements found/);
    }
  });

  it("passes the smoke test (parse, pass pipeline, IR from Python, JIT) from each install", () => {
    for (const i of installs) expect(i.smoke, i.name).toMatchObject({ canonicalized: true, jit: 42, llvm_version: "22.1.8", distribution_version: manifest.plan.version });
  });

  it("JIT-calls printMemrefF32 through the runtime libraries the native wheel installed, mapping nothing of LLVM/MLIR outside the venv", () => {
    for (const i of installs) {
      expect(i.jit.stdout, i.name).toMatch(/data =\s*\n\[42\]/);
      expect(i.jit.report.result, i.name).toBe(42);
      const venv = join(DIR, `venv-${i.name}`);
      expect(i.jit.report.directory.startsWith(`${venv}/lib/`), i.name).toBe(true);
      expect(i.jit.report.mapped.filter((p) => !p.startsWith(`${venv}/`)), i.name).toEqual([]);
    }
  });

  it("passes upstream's mlir/test/python from each install (but the unshipped test extension's tests), shared_libs from the installed wheel", () => {
    for (const i of installs) {
      process.stderr.write(`lit ${i.name}: ${JSON.stringify(i.lit)}\n`);
      expect(i.lit.passed + i.lit.failed + i.lit.unsupported + i.lit.xfail, i.name).toBe(100);
      expect(i.lit.failures.filter((f) => !NEEDS_TEST_EXTENSION.includes(f)), i.name).toEqual([]);
      expect(i.lit.passed, i.name).toBeGreaterThanOrEqual(96);
      const shlib = /config\.llvm_shlib_dir = lit_config\.substitute\(path\(r?"([^"]+)"\)\)/.exec(i.litSite)?.[1];
      expect(shlib, i.name).toBe(join(DIR, `venv-${i.name}`, "lib", `python${PYTHON}`, "site-packages", "mlir", "_mlir_libs"));
    }
  });
});
