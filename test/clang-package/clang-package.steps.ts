// `npm run test:clang-package` (issue 31): the clang package's steps of the plan `build --package clang`
// makes (source, layer, then clang/configure … clang/place and per Python a fresh venv, the wheel alone,
// upstream's clang/bindings/python/tests), run by the factory's step runner and handlers on Debian's
// prebuilt 22.1.8 layer with clang's static archives (libclang-22-dev, ci/setup.d/25-clang.sh). The MLIR
// wheels of the same plan are left out here: they are the wheel-factory tests' (a package's steps read
// nothing of theirs). Then the wheel: what it holds, what libclang links and exports; that a parse
// takes clang's builtin headers from the wheel from any working directory, also with a system clang's
// headers hidden (a private mount namespace) and under strace; staged with a release, indexed, sent to
// a pypiserver and to GitHub Releases (the fake GitHub server), the dashboard's line pasted, repackaged
// for conda: each installs a wheel that parses `#include <stddef.h>` from its own headers. The same
// steps again give the same bytes.
// Out of `npm test`: libclang is ~25 translation units and one large link (an hour on 2 busy cores).
// MLIR_RELEASE_CLANG_SOURCE: the --source (default debian:22.1.8; dir:<llvm-project tree> reuses a tree).
// MLIR_RELEASE_CLANG_WORK: the build folders (default <cache>/test-work-clang; a `build --package clang
// --work <dir>` folder of the same source makes the compile incremental).
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { unzipSync } from "fflate";
import { beforeAll, describe, expect, it } from "vitest";
import { BUILD_DEFAULTS } from "../../src/cli/build-commands.js";
import { pasteIntoVenv } from "../support/paste.js";
import { buildSettingsOf } from "../support/build-settings.js";
import { runSteps } from "../../src/exec/steps.js";
import { type BuildPlan, planBuild, plannedInputs } from "../../src/factory/build-plan.js";
import { packageReport } from "../../src/factory/steps/package.js";
import { buildPipeline } from "../../src/factory/steps/pipeline.js";
import { projectFilesHash } from "../../src/factory/steps/stamps.js";
import { publishConda } from "../../src/publish/conda.js";
import { publishGithub } from "../../src/publish/github.js";
import { publishPypi } from "../../src/publish/pypi.js";
import type { PackageWheel } from "../../src/schema/packages.js";
import { parseAuditwheelShow } from "../../src/verify/repair.js";
import { addRelease, indexPaths } from "../../src/site/store.js";
import { loadStage, writeStage } from "../../src/stage/stage.js";
import { condaInstall } from "../support/conda.js";
import { CACHE, OUTPUT, testEnv, testProgress, TOOLS } from "../support/env.js";
import { FakeGitHub } from "../support/fake-github.js";
import { makeFixtureRelease } from "../support/release-fixture.js";
import { freshVenv, serveStatic, startPypiServer } from "../support/servers.js";

const tmp = (): string => mkdtempSync(join(tmpdir(), "clang-package-"));
const SOURCE = process.env["MLIR_RELEASE_CLANG_SOURCE"] ?? BUILD_DEFAULTS.source;
const WORK = process.env["MLIR_RELEASE_CLANG_WORK"] ?? join(CACHE, "test-work-clang");
const PYTHONS = ["3.11", "3.13"];
// What a self-contained wheel's library may link: the C/C++ runtime, and what auditwheel grafts (zstd).
const ALLOWED = /^(linux-vdso|libc|libm|libstdc\+\+|libgcc_s|ld-linux-x86-64|libz|libzstd-[0-9a-f]+|libpthread|libdl|librt)\.so/;

/** The plan's source, layer and clang steps, run by the factory's handlers; the package's report entry. */
async function buildClangPackage(out: string): Promise<{ plan: BuildPlan; wheel: PackageWheel }> {
  const s = buildSettingsOf({ ...BUILD_DEFAULTS, source: SOURCE, python: PYTHONS.join(","), out, work: WORK, cache: CACHE, verify: true, lit: false, package: "clang", jobs: "2" });
  const plan = planBuild(s);
  mkdirSync(out, { recursive: true });
  const steps = plan.steps.filter((st) => st.id === "source" || st.id === "layer" || st.id.startsWith("clang/"));
  const env = testEnv("clang-package");
  const progress = testProgress("clang-package");
  const planned = plannedInputs(s);
  const pipeline = buildPipeline({ settings: s, plan, env, progress, requirements: { tools: { sha256: "" }, build: { sha256: "" } }, projectHash: projectFilesHash(s.repoRoot), plannedRoot: planned.sourceRoot, plannedPrefix: planned.layerPrefix });
  const { records, results } = await runSteps(steps, { env, progress, handlers: pipeline.handlers, skip: pipeline.skip });
  const [wheel] = packageReport(plan, pipeline.output().packages, results, records);
  return { plan, wheel: wheel! };
}

const site = async (venvPython: string): Promise<string> => (await execa(venvPython, ["-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"])).stdout.trim();

const PROBE = join(import.meta.dirname, "stddef_probe.py");
const HIDE = join(import.meta.dirname, "hide-system-clang.sh");
const PIP_ENV = { PIP_CONFIG_FILE: "/dev/null", PIP_DISABLE_PIP_VERSION_CHECK: "1", PIP_NO_CACHE_DIR: "1" };
const works = (argv: string[]): boolean => {
  try {
    execFileSync(argv[0]!, argv.slice(1), { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
};
// A private mount namespace (root, or unprivileged user namespaces) to hide a system clang's headers; strace to watch the parse.
const CAN_HIDE = works(["unshare", "-m", "--propagation", "private", "true"]);
const HAS_STRACE = works(["strace", "-V"]);

interface Probe {
  library: string;
  package: string;
  cwd: string;
  errors: string[];
  headers: string[];
}
/** `#include <stddef.h>` parsed by `python` with the installed bindings, from `cwd` (stddef_probe.py). */
async function probe(python: string, cwd: string, hideSystemClang = false, env: Record<string, string> = {}): Promise<Probe> {
  const argv = hideSystemClang ? ["unshare", "-m", "--propagation", "private", "sh", HIDE, python, PROBE] : [python, PROBE];
  const r = await execa(argv[0]!, argv.slice(1), { cwd, extendEnv: false, env: { PATH: "/usr/bin:/bin", ...env } });
  const p = JSON.parse(r.stdout.trim().split("\n").pop()!) as Probe;
  expect(p.cwd).toBe(cwd);
  return p;
}

describe("clang package (clang's Python bindings + libclang) from Debian's 22.1.8 layer", () => {
  let plan: BuildPlan;
  let wheel: PackageWheel;
  let out = "";
  beforeAll(async () => {
    out = join(OUTPUT, "clang-package", "dist");
    ({ plan, wheel } = await buildClangPackage(out));
    process.stderr.write(`[clang-package] ${wheel.fileName}: ${(wheel.size / 1e6).toFixed(1)} MB; tests ${JSON.stringify(wheel.tests)}\n`);
  }, 3_600_000);

  it("is one py3-none manylinux wheel, repaired and consistent with the policy the host planned", async () => {
    expect(wheel.fileName).toBe("clang_python_bindings-22.1.8-py3-none-manylinux_2_36_x86_64.whl");
    expect(wheel.tag).toEqual({ python: "py3", abi: "none", platform: "manylinux_2_36_x86_64" });
    expect(wheel.auditwheel?.policy).toBe("manylinux_2_36_x86_64");
    // The raw wheel (the report's inspect step) needs libzstd grafted: plain linux until repaired.
    expect(wheel.auditwheel?.consistentWith).toBe("linux_x86_64");
    // The placed wheel, shown again: consistent with the policy as it is.
    const shown = parseAuditwheelShow((await execa(join(TOOLS, "bin", "auditwheel"), ["show", join(out, wheel.fileName)], { all: true })).all ?? "");
    expect(shown.consistentWith).toBe("manylinux_2_36_x86_64");
    expect(createHash("sha256").update(readFileSync(join(out, wheel.fileName))).digest("hex")).toBe(wheel.sha256);
  });

  it("upstream's clang/bindings/python/tests pass on 3.11 and 3.13, each in a fresh venv holding only the wheel", async () => {
    expect(Object.keys(wheel.tests).sort()).toEqual(PYTHONS);
    for (const py of PYTHONS) {
      const t = wheel.tests[py]!;
      expect(t.ran, py).toBeGreaterThan(100);
      expect(t.failed + t.errors, py).toBe(0);
      const vpy = join(WORK, "verify-venvs", `clang-py${py}`, "bin", "python");
      const installed = (await execa(vpy, ["-m", "pip", "list", "--format=freeze", "--disable-pip-version-check"])).stdout.split("\n").map((l) => l.split("==")[0]!.toLowerCase());
      expect(installed.filter((n) => !["pip", "setuptools"].includes(n)), py).toEqual(["clang-python-bindings"]);
    }
  });

  it("holds upstream's bindings, libclang and the builtin headers; cindex loads the bundled library", () => {
    const names = Object.keys(unzipSync(readFileSync(join(out, wheel.fileName))));
    expect(names).toEqual(expect.arrayContaining(["clang/__init__.py", "clang/cindex.py", "clang/native/libclang.so", "clang/lib/clang/22/include/stddef.h"]));
    const cindex = unzipSync(readFileSync(join(out, wheel.fileName)), { filter: (f) => f.name === "clang/cindex.py" })["clang/cindex.py"]!;
    expect(Buffer.from(cindex).toString()).toContain(`os.environ.get("LIBCLANG_LIBRARY_PATH", os.path.join(os.path.dirname(os.path.abspath(__file__)), "native"))`);
    // The second change: a parse names the bundled resource dir (containers/clang/bundled-resource-dir.py).
    expect(Buffer.from(cindex).toString()).toContain("        args = _bundled_resource_dir_args(args)\n        args_array = None\n");
    expect(Buffer.from(cindex).toString()).toContain(`os.path.join(package, "lib", "clang", "22")`);
  });

  it("libclang links nothing of the system's LLVM, z3, libxml2 or libedit, and exports only the C API", async () => {
    const vpy = join(WORK, "verify-venvs", "clang-py3.13", "bin", "python");
    const lib = join(await site(vpy), "clang", "native", "libclang.so");
    const linked = (await execa("ldd", [lib])).stdout.split("\n").map((l) => l.trim().split(/\s+/)[0]!.split("/").pop()!).filter(Boolean);
    expect(linked.filter((l) => !ALLOWED.test(l))).toEqual([]);
    const exported = (await execa("nm", ["-D", "--defined-only", lib])).stdout.split("\n").map((l) => l.trim().split(/\s+/).pop()!).filter(Boolean);
    expect(exported.length).toBeGreaterThan(300);
    expect(exported.filter((x) => !/^clang_/.test(x) && !/^LLVM_\d+$/.test(x))).toEqual([]);
  });

  it("from / and from a folder of its own, <stddef.h> is the wheel's", async () => {
    for (const py of PYTHONS) {
      const vpy = join(WORK, "verify-venvs", `clang-py${py}`, "bin", "python");
      for (const cwd of ["/", tmp()]) {
        const p = await probe(vpy, cwd);
        expect(p.errors, `${py} ${cwd}`).toEqual([]);
        expect(p.library, `${py} ${cwd}`).toBe(join(p.package, "native", "libclang.so"));
        expect(p.headers, `${py} ${cwd}`).toEqual([join(p.package, "lib", "clang", "22", "include")]);
      }
    }
  });

  it.skipIf(!CAN_HIDE)("the same in a mount namespace where /usr/lib/llvm-*/lib/clang, /usr/lib/clang and /usr/include/clang are empty", async () => {
    for (const py of PYTHONS) {
      const vpy = join(WORK, "verify-venvs", `clang-py${py}`, "bin", "python");
      for (const cwd of ["/", tmp()]) {
        const p = await probe(vpy, cwd, true);
        expect(p.errors, `${py} ${cwd}`).toEqual([]);
        expect(p.headers, `${py} ${cwd}`).toEqual([join(p.package, "lib", "clang", "22", "include")]);
      }
    }
  });

  it.skipIf(!HAS_STRACE)("strace: a parse opens no file of a system clang (/usr/lib/llvm-*, /usr/lib/clang, /lib/clang, /usr/include/clang) and no relative lib/clang", async () => {
    const vpy = join(WORK, "verify-venvs", "clang-py3.13", "bin", "python");
    const log = join(tmp(), "strace.txt");
    await execa("strace", ["-f", "-qq", "-e", "trace=%file", "-o", log, vpy, PROBE], { cwd: "/", env: { CLANG_NO_DEFAULT_CONFIG: "1" } });
    const lines = readFileSync(log, "utf8").split("\n");
    expect(lines.length).toBeGreaterThan(100);
    expect(lines.filter((l) => /"(\/usr)?\/lib\/(llvm-\d+|clang)\/|"\/usr\/include\/clang\/|"lib\/clang\//.test(l))).toEqual([]);
    expect(lines.some((l) => /open.*\/site-packages\/clang\/lib\/clang\/22\/include\/stddef\.h"/.test(l) && !/ENOENT/.test(l))).toBe(true);
  });

  it("is staged with its release; index, pypiserver, the dashboard's line as pasted, GitHub Releases and conda each deliver a wheel that works", async () => {
    const fx = await makeFixtureRelease({
      dir: tmp(),
      version: "22.1.8",
      kind: "numbered",
      split: true,
      wheels: PYTHONS.map((py) => ({ python: py, tag: { python: `cp3${py.slice(2)}`, abi: `cp3${py.slice(2)}`, platform: "linux_x86_64" }, platform: "linux-x86_64" as const })),
    });
    copyFileSync(join(out, wheel.fileName), join(fx.dir, wheel.fileName));
    const manifest = {
      ...fx.manifest,
      plan: { ...fx.manifest.plan, packages: [{ id: "clang", distribution: "clang-python-bindings" }] },
      artifacts: [...fx.manifest.artifacts, { kind: "package-wheel" as const, fileName: wheel.fileName, sha256: wheel.sha256, size: statSync(join(out, wheel.fileName)).size, platform: "linux-x86_64" as const, tag: wheel.tag }],
    };
    const staged = join(tmp(), "stage");
    await writeStage({ manifests: [manifest], artifactsDir: fx.dir, outDir: staged });
    const stage = await loadStage(staged);
    expect(stage.manifest.artifacts.map((a) => a.kind).sort()).toEqual(["native-wheel", "package-wheel", "wheel", "wheel"]);
    expect(existsSync(join(staged, `${wheel.fileName}.metadata`))).toBe(true);
    expect(readFileSync(join(staged, "SHA256SUMS"), "utf8")).toContain(`${wheel.sha256}  ${wheel.fileName}`);
    const root = join(tmp(), "index");
    const served = await serveStatic(indexPaths(root).site);
    const pypi = await startPypiServer(tmp());
    const gh = await new FakeGitHub().start();
    try {
      await addRelease(root, stage, { baseUrl: served.url });
      expect(readdirSync(join(indexPaths(root).site, "simple"))).toContain("clang-python-bindings");
      const sent = await publishPypi(stage, { repositoryUrl: pypi.url, simpleUrl: pypi.simpleUrl, twine: join(TOOLS, "bin", "twine"), env: testEnv("clang-package"), environ: { TWINE_PASSWORD: pypi.token } });
      expect(sent.find((a) => a.file === wheel.fileName)?.action).toBe("uploaded");
      // The dashboard's line for it, as printed.
      const page = await (await fetch(`${served.url}/index.html`)).text();
      const line = /<code class="install package">([^<]*)<\/code>/.exec(page)?.[1]?.replace(/&#39;/g, "'").replace(/&amp;/g, "&");
      expect(line).toBe(`pip install 'clang-python-bindings==22.1.8' --extra-index-url ${served.url}/simple/`);
      // GitHub Releases: the asset's digest is the wheel's; the download URL installs.
      const actions = await publishGithub(stage, gh.publisherOptions());
      expect(actions.find((a) => a.file === wheel.fileName)?.action).toBe("uploaded");
      const [release] = gh.snapshot();
      expect(release!.assets.find((a) => a.name === wheel.fileName)?.digest).toBe(`sha256:${wheel.sha256}`);
      const download = `${gh.url}/o/r/releases/download/${release!.tag}/${wheel.fileName}`;
      // Each way a user gets it, into a fresh venv of its own whose default index (PyPI's role) is the pypiserver; then the probe from /.
      const ways: Array<[string, string]> = [
        ["our index", `pip install --index-url ${served.url}/simple/ 'clang-python-bindings==22.1.8'`],
        ["pypiserver (PyPI)", "pip install 'clang-python-bindings==22.1.8'"],
        ["the dashboard's line", line!],
        ["GitHub Releases", `pip install ${download}`],
      ];
      for (const [what, cmd] of ways) {
        const v = (await freshVenv(join(tmp(), "venv"))).py;
        const bin = join(v, "..");
        const r = await pasteIntoVenv(join(bin, ".."), cmd, { cwd: tmp(), env: { ...PIP_ENV, PIP_INDEX_URL: pypi.simpleUrl } });
        expect(r.exitCode, `${what}: ${cmd}\n${r.all}`).toBe(0);
        const p = await probe(v, "/");
        expect(p.errors, what).toEqual([]);
        expect(p.headers, what).toEqual([join(p.package, "lib", "clang", "22", "include")]);
      }
      // conda: one package per Python of the release, the wheel's files in site-packages; installed without a solver, CPython 3.13 parses from it.
      const channel = join(tmp(), "channel");
      const conda = await publishConda(stage, { channel, workDir: join(tmp(), "recipes"), python: join(TOOLS, "bin", "python"), env: testEnv("clang-package") });
      const files = PYTHONS.map((py) => `clang-python-bindings-22.1.8-py3${py.slice(2)}_0.conda`);
      expect(conda.actions.filter((a) => a.file.startsWith("clang-python-bindings-")).map((a) => `${a.action} ${a.file}`)).toEqual(files.map((f) => `built ${f}`));
      const prefix = join(tmp(), "prefix");
      const installed = await condaInstall(channel, "linux-64", [files[1]!], prefix);
      expect(installed.map((r) => `${r.name} ${r.depends.join(",")}`)).toEqual(["clang-python-bindings python >=3.13,<3.14"]);
      const sp = join(prefix, "lib", "python3.13", "site-packages");
      const py313 = (await execa("pyenv", ["prefix", "3.13"])).stdout.trim().split("\n")[0]!;
      const p = await probe(join(py313, "bin", "python3.13"), "/", false, { PYTHONPATH: sp });
      expect(p.package).toBe(join(sp, "clang"));
      expect(p.errors).toEqual([]);
      expect(p.headers).toEqual([join(sp, "clang", "lib", "clang", "22", "include")]);
    } finally {
      await served.stop();
      await pypi.stop();
      await gh.stop();
    }
  }, 1_200_000);

  it("the same steps again give the same wheel, byte for byte (what rebuild compares)", async () => {
    const again = await buildClangPackage(join(tmp(), "dist"));
    expect(again.wheel.sha256).toBe(wheel.sha256);
    expect(again.plan.packages).toEqual(plan.packages);
  }, 3_600_000);
});
