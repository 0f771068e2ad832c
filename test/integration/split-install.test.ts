// The split layout as users meet it (issue 17 item 3), on small real wheels: a per-Python wheel
// that requires `<distribution>-native==<version>` and a native wheel owning a file in the same
// package directory. Staged (the pin checks), then `pip install <distribution>==<v>` from a real
// pypiserver, from our static index over http and from a find-links directory installs both;
// `pip install -U` upgrades both together; `pip uninstall` of the per-Python wheel leaves exactly
// the native wheel's files.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { publishPypi } from "../../src/publish/pypi.js";
import { addRelease } from "../../src/site/store.js";
import { StageRefusedError } from "../../src/stage/check.js";
import { loadStage, writeStage, type LoadedStage } from "../../src/stage/stage.js";
import { testEnv, TOOLS } from "../support/env.js";
import { FIXTURE_MODULE, makeFixtureRelease } from "../support/release-fixture.js";
import { freshVenv, serveStatic, startPypiServer, type PypiServer, type StaticServer } from "../support/servers.js";

const tmp = (): string => mkdtempSync(join(tmpdir(), "split-"));
const WHEELS = [{ python: "3.12", tag: { python: "py3", abi: "none", platform: "any" }, platform: "linux-x86_64" as const }];

async function splitStage(version: string): Promise<LoadedStage> {
  const fx = await makeFixtureRelease({ dir: tmp(), version, kind: "numbered", split: true, wheels: WHEELS });
  const out = join(tmp(), "stage");
  await writeStage({ manifests: [fx.manifest], artifactsDir: fx.dir, outDir: out });
  return loadStage(out);
}

/** name → version of what pip has installed in the venv. */
const installed = async (pip: (a: string[]) => Promise<string>): Promise<Record<string, string>> =>
  Object.fromEntries((JSON.parse(await pip(["list", "--format=json"])) as { name: string; version: string }[]).map((p) => [p.name.toLowerCase(), p.version]));

describe("split wheels: per-Python + native, installed and upgraded together", () => {
  let server: PypiServer;
  let site: StaticServer;
  let v1: LoadedStage;
  let v2: LoadedStage;
  const indexRoot = join(tmp(), "index");
  beforeAll(async () => {
    v1 = await splitStage("22.1.8");
    v2 = await splitStage("22.1.8.post1");
    server = await startPypiServer(tmp());
    await addRelease(indexRoot, v1);
    await addRelease(indexRoot, v2);
    site = await serveStatic(join(indexRoot, "site"));
  }, 300_000);
  afterAll(async () => {
    await server?.stop();
    await site?.stop();
  });

  it("stages the native wheel as its own artifact and refuses a pin without its native wheel", async () => {
    expect(v1.manifest.artifacts.map((a) => a.kind).sort()).toEqual(["native-wheel", "wheel"]);
    const fx = await makeFixtureRelease({ dir: tmp(), version: "22.1.8", kind: "numbered", split: true, wheels: WHEELS });
    const noNative = { ...fx.manifest, artifacts: fx.manifest.artifacts.filter((a) => a.kind !== "native-wheel") };
    const err = await writeStage({ manifests: [noNative], artifactsDir: fx.dir, outDir: join(tmp(), "stage") }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(StageRefusedError);
    expect((err as Error).message).toMatch(/requires mlir-python-bindings-native==22\.1\.8 but the release has no native wheel for linux-x86_64/);
    // A native wheel of another version under this release's pin is refused too (file name and METADATA).
    const other = await makeFixtureRelease({ dir: fx.dir, version: "22.1.9", kind: "numbered", split: true, wheels: WHEELS });
    const wrong = { ...fx.manifest, artifacts: [...noNative.artifacts, other.manifest.artifacts.find((a) => a.kind === "native-wheel")!] };
    const err2 = await writeStage({ manifests: [wrong], artifactsDir: fx.dir, outDir: join(tmp(), "stage") }).catch((e: Error) => e);
    expect((err2 as Error).message).toMatch(/file name says version 22\.1\.9, the manifest says 22\.1\.8/);
  });

  it("PyPI (pypiserver): uploads the native wheel first; pip install <distribution>==<v> brings both", async () => {
    const env = testEnv("split-install");
    const opts = { repositoryUrl: server.url, simpleUrl: server.simpleUrl, twine: join(TOOLS, "bin", "twine"), env, environ: { TWINE_PASSWORD: server.token } };
    const actions = await publishPypi(v1, opts);
    expect(actions.map((a) => a.action)).toEqual(["uploaded", "uploaded"]);
    expect(actions[0]!.file).toMatch(/^mlir_python_bindings_native-22\.1\.8-py3-none-any\.whl$/);
    const v = await freshVenv(join(tmp(), "venv-pypi"));
    await v.pip(["install", "--index-url", server.simpleUrl, "mlir-python-bindings==22.1.8"]);
    expect(await installed(v.pip)).toMatchObject({ "mlir-python-bindings": "22.1.8", "mlir-python-bindings-native": "22.1.8" });
    expect(execFileSync(v.py, ["-c", `import ${FIXTURE_MODULE} as m; print(m.NATIVE)`]).toString().trim()).toBe("native 22.1.8");
  });

  it("our index over http: installs both, then pip install -U upgrades both together", async () => {
    const page = readdirSync(join(indexRoot, "site", "simple"));
    expect(page).toEqual(expect.arrayContaining(["mlir-python-bindings", "mlir-python-bindings-native"]));
    const v = await freshVenv(join(tmp(), "venv-index"));
    await v.pip(["install", "--index-url", `${site.url}/simple/`, "mlir-python-bindings==22.1.8"]);
    expect(await installed(v.pip)).toMatchObject({ "mlir-python-bindings": "22.1.8", "mlir-python-bindings-native": "22.1.8" });
    await v.pip(["install", "-U", "--index-url", `${site.url}/simple/`, "mlir-python-bindings"]);
    expect(await installed(v.pip)).toMatchObject({ "mlir-python-bindings": "22.1.8.post1", "mlir-python-bindings-native": "22.1.8.post1" });
    expect(execFileSync(v.py, ["-c", `import ${FIXTURE_MODULE} as m; print(m.VERSION, m.NATIVE)`]).toString().trim()).toBe("22.1.8.post1 native 22.1.8.post1");
    expect(await v.pip(["check"])).toMatch(/No broken requirements found/);
  });

  it("a find-links directory installs both; uninstalling the per-Python wheel leaves exactly the native wheel's files", async () => {
    const v = await freshVenv(join(tmp(), "venv-links"));
    await v.pip(["install", "--no-index", "--find-links", v1.dir, "mlir-python-bindings==22.1.8"]);
    expect(await installed(v.pip)).toMatchObject({ "mlir-python-bindings": "22.1.8", "mlir-python-bindings-native": "22.1.8" });
    const site = execFileSync(v.py, ["-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).toString().trim();
    const owned = (await v.pip(["show", "-f", "mlir-python-bindings-native"])).split("\n").filter((l) => l.startsWith(`  ${FIXTURE_MODULE}/`)).map((l) => l.trim());
    expect(owned).toEqual([`${FIXTURE_MODULE}/_libs/native.txt`]);
    await v.pip(["uninstall", "-y", "mlir-python-bindings"]);
    const left = execFileSync("find", [join(site, FIXTURE_MODULE), "-type", "f"]).toString().split("\n").filter(Boolean).map((f) => f.slice(site.length + 1));
    expect(left).toEqual(owned);
    expect(await installed(v.pip)).toMatchObject({ "mlir-python-bindings-native": "22.1.8" });
    expect((await installed(v.pip))["mlir-python-bindings"]).toBeUndefined();
  });
});
