// Every install line the project prints, pasted into a fresh venv and run (issue 29 item 1): the
// dashboard's (newest release/snapshot, per-release pip, hash-checked requirements.txt, pylock.toml),
// the release notes' (PyPI, find-links of the downloaded files), `guide`'s, `resolve`'s and the
// build's closing table's. Each line is read from what the code printed (the served pages, the staged
// notes, the CLI's stdout), written to a shell as is, and must install the per-Python wheel, the native
// wheel it pins and its dependency, which lives only on "PyPI": a real pypiserver on 127.0.0.1 that
// is pip's default index here (PIP_INDEX_URL, as PyPI is for a user). Our index is the real static
// site served on 127.0.0.1. Small fixture wheels made by the test stand in for the 22.1.8 ones.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closingSummary } from "../../src/cli/build-commands.js";
import { downstreamGuide } from "../../src/dev/guide.js";
import { publishPypi } from "../../src/publish/pypi.js";
import { addRelease, indexPaths } from "../../src/site/store.js";
import { loadStage, NOTES, writeStage, type LoadedStage } from "../../src/stage/stage.js";
import { assembleWheel } from "../../src/wheels/wheel.js";
import { runCli } from "../support/cli-inprocess.js";
import { testEnv, TOOLS } from "../support/env.js";
import { FIXTURE_MODULE, makeFixtureRelease } from "../support/release-fixture.js";
import { pasteIntoVenv } from "../support/paste.js";
import { serveStatic, startPypiServer, type PypiServer, type StaticServer } from "../support/servers.js";

const tmp = (): string => mkdtempSync(join(tmpdir(), "install-lines-"));
const VERSION = "22.1.8";
const DEP = { name: "mlir-release-fixture-dep", module: "mlir_release_fixture_dep" };
const WHEELS = [{ python: "3.12", tag: { python: "py3", abi: "none", platform: "any" }, platform: "linux-x86_64" as const }];

const unescapeHtml = (s: string): string => s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&");
/** The text of every element `<tag class="cls" …>text</tag>` of a served page. */
const texts = (html: string, tag: string, cls: string): string[] =>
  [...html.matchAll(new RegExp(`<${tag} class="${cls}"[^>]*>([^<]*)</${tag}>`, "g"))].map((m) => unescapeHtml(m[1]!));

/** The dependency, a wheel that only "PyPI" (the pypiserver standing in for it) has. */
async function dependencyWheel(dir: string): Promise<string> {
  const src = join(dir, "dep-src");
  mkdirSync(join(src, DEP.module), { recursive: true });
  writeFileSync(join(src, DEP.module, "__init__.py"), "FROM = 'pypi'\n");
  const { path } = await assembleWheel({
    root: src,
    packageName: DEP.module,
    metadata: { distribution: DEP.name, version: "1.5", summary: "a dependency from PyPI", requiresPython: ">=3.9", requiresDist: [], projectUrls: {}, license: "MIT" },
    tag: { python: "py3", abi: "none", platform: "any" },
    sourceDateEpoch: 1795478400,
    generator: "mlir-release-test",
    outDir: dir,
  });
  return path;
}

interface Venv {
  dir: string;
  /** Runs one pasted line in bash with the venv first on PATH and "PyPI" as pip's default index. */
  paste(line: string, o?: { cwd?: string; pypi?: string }): Promise<{ exitCode: number; all: string }>;
  installed(): Promise<Record<string, string>>;
}

let pypiDefault = "";
async function freshVenv(o: { pip26?: boolean } = {}): Promise<Venv> {
  const dir = tmp();
  const venv = join(dir, "venv");
  await execa(join(TOOLS, "bin", "python"), ["-m", "venv", venv]);
  if (o.pip26) {
    // pylock.toml needs pip >= 26.1; a fresh venv has the interpreter's bundled pip. The tools venv's
    // pip (26.3, hash-pinned in containers/provision/requirements) stands in for `pip install -U pip`.
    const site = join(venv, "lib", "python3.12", "site-packages");
    execFileSync("bash", ["-c", `rm -rf "${site}"/pip "${site}"/pip-*.dist-info && cp -r "${TOOLS}"/lib/python3.12/site-packages/pip "${TOOLS}"/lib/python3.12/site-packages/pip-26.3.dist-info "${site}"/`]);
  }
  const env = (pypi: string) => ({
    PIP_CONFIG_FILE: "/dev/null",
    PIP_INDEX_URL: pypi,
    PIP_DISABLE_PIP_VERSION_CHECK: "1",
    PIP_NO_CACHE_DIR: "1",
    // Never the interpreter's own site-packages, whatever PATH resolves `pip` to.
    PIP_REQUIRE_VIRTUALENV: "1",
  });
  return {
    dir,
    async paste(line, p = {}) {
      return pasteIntoVenv(venv, line, { cwd: p.cwd ?? dir, env: env(p.pypi ?? pypiDefault), basePath: process.env["PATH"] ?? "/usr/bin:/bin" });
    },
    async installed() {
      const r = await execa(join(venv, "bin", "python"), ["-m", "pip", "list", "--format=json"], { env: { ...env(pypiDefault), VIRTUAL_ENV: venv } });
      return Object.fromEntries((JSON.parse(r.stdout) as Array<{ name: string; version: string }>).map((x) => [x.name.toLowerCase(), x.version]));
    },
  };
}

/** A pasted line installed the release: both our wheels, the dependency from "PyPI", and the module imports. */
async function expectInstalled(v: Venv, r: { exitCode: number; all: string }, line: string): Promise<void> {
  expect(r.exitCode, `${line}\n${r.all}`).toBe(0);
  expect(await v.installed(), `${line}\n${r.all}`).toMatchObject({ "mlir-python-bindings": VERSION, "mlir-python-bindings-native": VERSION, [DEP.name]: "1.5" });
  const py = join(v.dir, "venv", "bin", "python");
  expect(execFileSync(py, ["-c", `import ${FIXTURE_MODULE} as m, ${DEP.module} as d; print(m.VERSION, m.NATIVE, d.FROM)`]).toString().trim()).toBe(`${VERSION} native ${VERSION} pypi`);
}

describe("install lines, as printed, pasted into fresh venvs", () => {
  let pypi: PypiServer; // PyPI: the dependency; our wheels only once the last test publishes them
  let site: StaticServer;
  let stage: LoadedStage;
  const root = join(tmp(), "index");
  let page = "";
  let front = "";
  beforeAll(async () => {
    const fx = await makeFixtureRelease({ dir: tmp(), version: VERSION, kind: "numbered", split: true, wheels: WHEELS, requires: [{ requirement: `${DEP.name}>=1.0`, module: DEP.module }] });
    const out = join(tmp(), "stage");
    await writeStage({ manifests: [fx.manifest], artifactsDir: fx.dir, outDir: out });
    stage = await loadStage(out);
    const dep = await dependencyWheel(tmp());
    pypi = await startPypiServer(tmp());
    cpSync(dep, join(pypi.packages, dep.split("/").pop()!));
    pypiDefault = pypi.simpleUrl;
    site = await serveStatic(indexPaths(root).site);
    await addRelease(root, stage, { baseUrl: site.url });
    front = await (await fetch(`${site.url}/`)).text();
    page = await (await fetch(`${site.url}/releases/${VERSION}.html`)).text();
  }, 300_000);
  afterAll(async () => {
    await pypi?.stop();
    await site?.stop();
  });

  it("control: our index in PyPI's place (the old line) cannot install the dependency", async () => {
    const v = await freshVenv();
    const r = await v.paste(`pip install '${stage.manifest.plan.distribution}==${VERSION}' --index-url ${site.url}/simple/`);
    expect(r.exitCode).not.toBe(0);
    expect(r.all).toMatch(new RegExp(`No matching distribution found for ${DEP.name}`));
  }, 120_000);

  it("dashboard: the front page's newest-release line and the release's pip line", async () => {
    const lines = [...texts(front, "code", "install"), ...texts(page, "pre", "pin-pip")];
    expect(lines).toEqual([`pip install '${stage.manifest.plan.distribution}==${VERSION}' --extra-index-url ${site.url}/simple/`, expect.stringContaining("--extra-index-url")]);
    for (const line of lines) {
      const v = await freshVenv();
      await expectInstalled(v, await v.paste(line), line);
    }
  }, 180_000);

  it("dashboard: requirements.txt (hash-checked, both wheels) with the commands printed under it", async () => {
    const [requirements] = texts(page, "pre", "pin-requirements");
    const [commands] = texts(page, "pre", "pin-requirements-install");
    expect(requirements).toMatch(/mlir-python-bindings-native==22\.1\.8 \\\n {4}--hash=sha256:[0-9a-f]{64}/);
    const v = await freshVenv();
    writeFileSync(join(v.dir, "requirements.txt"), `${requirements}\n`);
    expect(commands!.split("\n")).toEqual([`pip install '${DEP.name}>=1.0'`, "pip install -r requirements.txt"]);
    for (const line of commands!.split("\n")) {
      const r = await v.paste(line);
      expect(r.exitCode, `${line}\n${r.all}`).toBe(0);
    }
    await expectInstalled(v, { exitCode: 0, all: "" }, "requirements.txt");
    // The hashes are checked: one wrong digit and pip refuses.
    const bad = await freshVenv();
    writeFileSync(join(bad.dir, "requirements.txt"), `${requirements!.replace(/--hash=sha256:([0-9a-f])/, (_m, c: string) => `--hash=sha256:${c === "0" ? "1" : "0"}`)}\n`);
    for (const line of commands!.split("\n").slice(0, -1)) await bad.paste(line);
    const r = await bad.paste("pip install -r requirements.txt");
    expect(r.exitCode).not.toBe(0);
    expect(r.all).toMatch(/THESE PACKAGES DO NOT MATCH THE HASHES/);
  }, 180_000);

  it("dashboard: pylock.toml with the commands printed under it (pip >= 26.1)", async () => {
    const [pylock] = texts(page, "pre", "pin-pylock");
    const [commands] = texts(page, "pre", "pin-pylock-install");
    const v = await freshVenv({ pip26: true });
    writeFileSync(join(v.dir, "pylock.toml"), `${pylock}\n`);
    for (const line of commands!.split("\n")) {
      const r = await v.paste(line);
      expect(r.exitCode, `${line}\n${r.all}`).toBe(0);
    }
    await expectInstalled(v, { exitCode: 0, all: "" }, "pylock.toml");
  }, 180_000);

  it("`resolve --index-url` and the build's closing table", async () => {
    // (The fixture's wheels are py3-none-any, which --python/--platform lookups do not serve; the commit lookup prints the same line.)
    const r = await runCli(["resolve", "--manifests", join(stage.dir, "manifest.json"), "--commit", stage.manifest.plan.llvm.commit.slice(0, 10), "--index-url", site.url]);
    expect(r.code, r.stderr).toBe(0);
    const line = (JSON.parse(r.stdout) as Array<{ install: string }>)[0]!.install;
    expect(line).toBe(`pip install '${stage.manifest.plan.distribution}==${VERSION}' --extra-index-url ${site.url}/simple/`);
    const v1 = await freshVenv();
    await expectInstalled(v1, await v1.paste(line), line);

    // The closing table of a build whose --out is ./dist: every wheel of ours, then the line for the folder.
    const v2 = await freshVenv();
    const dist = join(v2.dir, "dist");
    mkdirSync(dist);
    for (const f of stage.files) cpSync(f.path, join(dist, f.fileName));
    const wheel = stage.manifest.artifacts.find((a) => a.kind === "wheel")!;
    const native = stage.manifest.artifacts.find((a) => a.kind === "native-wheel")!;
    const built = (a: typeof wheel) => ({ fileName: a.fileName, size: a.size, sha256: a.sha256, seconds: { zip: 1 }, reused: false, tag: a.tag! });
    const table = closingSummary(
      { distribution: stage.manifest.plan.distribution, version: VERSION, wheels: [{ python: "3.12", ...built(wheel) }] as never, native: built(native) as never, verification: {} },
      dist,
      v2.dir,
    );
    expect(table).toContain(native.fileName);
    const install = /^install: (.+)$/m.exec(table)![1]!;
    expect(install).toBe(`pip install '${stage.manifest.plan.distribution}==${VERSION}' --find-links dist`);
    await expectInstalled(v2, await v2.paste(install), install);
  }, 180_000);

  it("guide: the by-hand pip line resolves our index added to PyPI (the dependency comes from PyPI)", async () => {
    const md = downstreamGuide(stage.manifest, { indexUrl: site.url });
    const line = /^pip install .*$/m.exec(md)![0];
    expect(line).toContain(`--extra-index-url ${site.url}/simple/`);
    // The guide's line also names the dev wheel, nanobind and numpy; the fixture release ships no dev
    // wheel, so the line is run with only the packages this release has (the rest of it unchanged).
    const ours = line.replace(/ "[^"]*-dev==[^"]*"| "nanobind==[^"]*"| numpy$/g, "");
    expect(ours).toBe(`pip install --extra-index-url ${site.url}/simple/ "${stage.manifest.plan.distribution}==${VERSION}"`);
    const v = await freshVenv();
    await expectInstalled(v, await v.paste(ours), ours);
    rmSync(v.dir, { recursive: true, force: true });
  }, 120_000);
  it("release notes: the PyPI line (after publish to PyPI) and the find-links line on the downloaded files", async () => {
    const notes = readFileSync(join(stage.dir, NOTES), "utf8");
    const lines = [...notes.matchAll(/`(pip install [^`]+)`/g)].map((m) => m[1]!);
    expect(lines).toEqual([`pip install '${stage.manifest.plan.distribution}==${VERSION}'`, `pip install '${stage.manifest.plan.distribution}==${VERSION}' --find-links dist`]);
    const v2 = await freshVenv();
    mkdirSync(join(v2.dir, "dist"));
    for (const f of stage.files) cpSync(f.path, join(v2.dir, "dist", f.fileName));
    await expectInstalled(v2, await v2.paste(lines[1]!), lines[1]!);
    // Last: our wheels sent to "PyPI" as `publish --targets pypi` does (twine), then the PyPI line.
    await publishPypi(stage, { repositoryUrl: pypi.url, simpleUrl: pypi.simpleUrl, twine: join(TOOLS, "bin", "twine"), env: testEnv("install-lines"), environ: { TWINE_PASSWORD: pypi.token } });
    const v1 = await freshVenv();
    await expectInstalled(v1, await v1.paste(lines[0]!), lines[0]!);
  }, 180_000);

});
