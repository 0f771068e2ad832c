// PyPI upload through twine to a real pypiserver on 127.0.0.1, then pip install from it and from
// the generated static index (served over http), in fresh venvs, and import.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { publishPypi } from "../../src/publish/pypi.js";
import { publishRelease } from "../../src/publish/run.js";
import { FakeGitHub } from "../support/fake-github.js";
import { addRelease, indexPaths } from "../../src/site/store.js";
import { loadStage, writeStage, type LoadedStage } from "../../src/stage/stage.js";
import { parseWheelFileName, readWheel, headerValues } from "../../src/stage/wheelinfo.js";
import { testEnv, testProgress, TOOLS } from "../support/env.js";
import { sharedSplitPair } from "../support/wheel-settings.js";
import { FIXTURE_MODULE, makeFixtureRelease, stagedFixtureRelease, stagedWheelPair } from "../support/release-fixture.js";
import { freshVenv, serveStatic, startPypiServer, type PypiServer, type StaticServer } from "../support/servers.js";

const tmp = (): string => mkdtempSync(join(tmpdir(), "pypi-"));

const stageOf = (version: string): Promise<LoadedStage> => stagedFixtureRelease(version, "numbered");

describe("PyPI via twine to a local pypiserver; pip install from it and from the static index", () => {
  let server: PypiServer;
  let site: StaticServer;
  const env = testEnv("publish-pypi");
  const indexRoot = join(tmp(), "index");
  beforeAll(async () => {
    server = await startPypiServer(tmp());
    site = await serveStatic(join(indexRoot, "site"));
  });
  afterAll(async () => {
    await server?.stop();
    await site?.stop();
  });

  it("uploads once, skips on rerun, keeps the token out of argv and logs, and pip installs from both indexes", async () => {
    const st = await stageOf("22.1.8");
    const opts = { repositoryUrl: server.url, simpleUrl: server.simpleUrl, twine: join(TOOLS, "bin", "twine"), env, environ: { TWINE_PASSWORD: server.token } };
    const a1 = await publishPypi(st, opts);
    expect(a1.map((a) => a.action)).toEqual(["uploaded", "uploaded"]);
    for (const f of st.files) expect(createHash("sha256").update(readFileSync(join(server.packages, f.fileName))).digest("hex")).toBe(f.sha256);
    const a2 = await publishPypi(st, opts);
    expect(a2.map((a) => a.action)).toEqual(["skipped", "skipped"]);
    expect(readFileSync(env.logFile, "utf8")).not.toContain(server.token);
    expect(readFileSync(env.logFile, "utf8")).toContain("twine upload");

    // From pypiserver.
    const v1 = await freshVenv(join(tmp(), "venv1"));
    await v1.pip(["install", "--index-url", server.simpleUrl, "mlir-python-bindings==22.1.8"]);
    const out1 = execFileSync(v1.py, ["-c", `import ${FIXTURE_MODULE} as m; print(m.VERSION)`]).toString().trim();
    expect(out1).toBe("22.1.8");

    // From the static index, over http; pip reads the PEP 658 metadata file instead of the wheel.
    await addRelease(indexRoot, st);
    const v2 = await freshVenv(join(tmp(), "venv2"));
    const log = await v2.pip(["install", "-v", "--index-url", `${site.url}/simple/`, "mlir-python-bindings==22.1.8"]);
    expect(log).toMatch(/Successfully installed mlir-python-bindings-22\.1\.8/);
    expect(site.requests.some((p) => p.endsWith(".whl.metadata"))).toBe(true);
    const out2 = execFileSync(v2.py, ["-c", `import ${FIXTURE_MODULE} as m; print(m.LLVM_COMMIT)`]).toString().trim();
    expect(out2).toBe(st.manifest.plan.llvm.commit);
  });

  it("static index on one host, files on GitHub release downloads (filesUrl): pip reads .metadata there and installs", async () => {
    const st = await stageOf("22.1.9");
    const gh = await new FakeGitHub().start();
    const root = join(tmp(), "index-gh");
    const ghSite = await serveStatic(indexPaths(root).site);
    try {
      const filesUrl = `${gh.url}/o/r/releases/download/v{version}/{file}`;
      await publishRelease(st.dir, { github: { token: gh.token, owner: "o", repo: "r", apiUrl: gh.url, retryUnitMs: 1 }, index: { root, filesUrl } });
      // The site holds pages only: no wheel bytes (GitHub Pages stays small).
      expect(existsSync(join(indexPaths(root).site, "files"))).toBe(false);
      const page = readFileSync(join(indexPaths(root).site, "simple", "mlir-python-bindings", "index.html"), "utf8");
      expect(page).toContain(`href="${gh.url}/o/r/releases/download/v22.1.9/${st.files[0]!.fileName}#sha256=${st.files[0]!.sha256}"`);
      const v = await freshVenv(join(tmp(), "venv-gh"));
      await v.pip(["install", "--index-url", `${ghSite.url}/simple/`, "mlir-python-bindings==22.1.9"]);
      expect(execFileSync(v.py, ["-c", `import ${FIXTURE_MODULE} as m; print(m.VERSION)`]).toString().trim()).toBe("22.1.9");
      const downloads = gh.requests.filter((r) => r.path.includes("/releases/download/")).map((r) => r.path);
      expect(downloads.some((p) => p.endsWith(".whl.metadata"))).toBe(true);
      expect(downloads.some((p) => p.endsWith(".whl"))).toBe(true);
    } finally {
      await ghSite.stop();
      await gh.stop();
    }
  });

  it("refuses to send different bytes under a name the index already has", async () => {
    const st = await stageOf("22.1.8");
    // Another build of the same name: patch the stage so its manifest names other bytes.
    const other = await makeFixtureRelease({ dir: tmp(), version: "22.1.8", commit: "f".repeat(40) });
    const out = join(tmp(), "stage");
    await writeStage({ manifests: [other.manifest], artifactsDir: other.dir, outDir: out });
    const st2 = await loadStage(out);
    expect(st2.files[0]!.sha256).not.toBe(st.files[0]!.sha256);
    const opts = { repositoryUrl: server.url, simpleUrl: server.simpleUrl, twine: join(TOOLS, "bin", "twine"), env, environ: { TWINE_PASSWORD: server.token } };
    await expect(publishPypi(st2, opts)).rejects.toThrow(/an index never takes different bytes/);
    await expect(publishPypi(st2, { ...opts, environ: {} })).rejects.toThrow(/TWINE_PASSWORD or MLIR_RELEASE_PYPI_TOKEN/);
  });

  it("the real wheel (the factory's shared test wheel, or MLIR_RELEASE_TEST_WHEEL): all four targets, pip install from both indexes, import mlir.ir", async () => {
    // The wheel factory's stamps make this a reuse when another test already built the shared wheel.
    // The split: the per-Python wheel and its platform's native wheel (MLIR_RELEASE_TEST_NATIVE_WHEEL beside MLIR_RELEASE_TEST_WHEEL).
    const { wheel, native: nativeWheel } = await sharedSplitPair(env, testProgress("publish-pypi"));
    const nativeName = parseWheelFileName(basename(nativeWheel));
    const name = parseWheelFileName(basename(wheel));
    const inner = await readWheel(wheel);
    const tag = name.tags[0]!;
    const st = await stagedWheelPair(wheel, nativeWheel);
    const out = st.dir;
    // All four targets at once, as a release would be published.
    const realRoot = join(tmp(), "index-real");
    const gh = await new FakeGitHub().start();
    const condaDir = tmp();
    const report = await publishRelease(out, {
      github: { token: gh.token, owner: "o", repo: "r", apiUrl: gh.url, retryUnitMs: 1 },
      pypi: { repositoryUrl: server.url, simpleUrl: server.simpleUrl, twine: join(TOOLS, "bin", "twine"), env, environ: { TWINE_PASSWORD: server.token } },
      index: { root: realRoot },
      conda: { channel: join(condaDir, "channel"), workDir: join(condaDir, "recipes"), python: join(TOOLS, "bin", "python"), env },
    });
    await gh.stop();
    // GitHub gets both wheels, their PEP 658 .metadata files, SHA256SUMS and manifest.json.
    expect(report.actions.map((a) => `${a.target}:${a.action}`).sort()).toEqual([
      // conda: the native package and the per-Python one (test/integration/conda-split.test.ts installs them).
      "conda:built",
      "conda:built",
      "github:created",
      ...Array(6).fill("github:uploaded"),
      // The index stores each file (both wheels); PyPI gets the native wheel first.
      "index:uploaded",
      "index:uploaded",
      "pypi:uploaded",
      "pypi:uploaded",
    ]);
    const assets = gh.snapshot()[0]!.assets;
    expect(assets.map((a) => a.name).sort()).toEqual(
      ["SHA256SUMS", "manifest.json", basename(wheel), `${basename(wheel)}.metadata`, basename(nativeWheel), `${basename(nativeWheel)}.metadata`].sort(),
    );
    expect(assets.find((a) => a.name === basename(wheel))!.digest).toBe(`sha256:${st.files.find((f) => f.fileName === basename(wheel))!.sha256}`);
    expect(existsSync(join(condaDir, "channel", "linux-64", `${inner.name}-${name.version}-py${tag.python.slice(2)}_0.conda`))).toBe(true);
    const realSite = await serveStatic(indexPaths(realRoot).site);
    try {
      const pyPrefix = (await execa("pyenv", ["prefix", `3.${tag.python.slice(3)}`])).stdout.trim().split("\n")[0]!;
      // The native pin is ours: it comes from the index under test with the wheel, never from the machine's index.
      const deps = headerValues(inner.metadata.toString(), "Requires-Dist").filter((d) => !d.includes("extra ==") && !d.startsWith(`${nativeName.distribution.replace(/_/g, "-")}==`));
      for (const [i, index] of [server.simpleUrl, `${realSite.url}/simple/`].entries()) {
        const venv = join(tmp(), `venv-real-${i}`);
        await execa(join(pyPrefix, "bin", "python3"), ["-m", "venv", venv]);
        const py = join(venv, "bin", "python");
        // Dependencies from the machine's configured index; our package only from the index under test.
        if (deps.length) await execa(py, ["-m", "pip", "install", "-q", ...deps]);
        await execa(py, ["-m", "pip", "install", "--no-deps", "--index-url", index, `${inner.name}==${name.version}`, `${nativeName.distribution}==${name.version}`], { env: { PIP_CONFIG_FILE: "/dev/null" } });
        // Every requirement (the native pin included) is met by what came from the two indexes.
        expect((await execa(py, ["-m", "pip", "check"], { reject: false })).stdout).toMatch(/No broken requirements found/);
        const r = await execa(py, ["-c", "import mlir.ir as ir\nwith ir.Context():\n    m = ir.Module.parse('func.func @f() { return }')\n    print(m.operation.name)"]);
        expect(r.stdout.trim()).toBe("builtin.module");
        expect(existsSync(venv)).toBe(true);
      }
    } finally {
      await realSite.stop();
    }
  }, 600_000);
});
