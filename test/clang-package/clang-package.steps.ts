// `npm run test:clang-package` (issue 31): the clang package's steps of the plan `build --package clang`
// makes (source, layer, then clang/configure … clang/place and per Python a fresh venv, the wheel alone,
// upstream's clang/bindings/python/tests), run by the factory's step runner and handlers on Debian's
// prebuilt 22.1.8 layer with clang's static archives (libclang-22-dev, ci/setup.d/25-clang.sh). The MLIR
// wheels of the same plan are left out here: they are the wheel-factory tests' (a package's steps read
// nothing of theirs). Then the wheel: what it holds, what libclang links and exports, staged with a
// release, indexed, sent to a pypiserver, installed from each, and the same steps again give the same bytes.
// Out of `npm test`: libclang is ~25 translation units and one large link (minutes on 2 cores).
// MLIR_RELEASE_CLANG_SOURCE: the --source (default debian:22.1.8; dir:<llvm-project tree> reuses a tree).
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { unzipSync } from "fflate";
import { beforeAll, describe, expect, it } from "vitest";
import { BUILD_DEFAULTS } from "../../src/cli/build-commands.js";
import { buildSettingsOf } from "../support/build-settings.js";
import { runSteps } from "../../src/exec/steps.js";
import { type BuildPlan, planBuild, plannedInputs } from "../../src/factory/build-plan.js";
import { packageReport } from "../../src/factory/steps/package.js";
import { buildPipeline } from "../../src/factory/steps/pipeline.js";
import { projectFilesHash } from "../../src/factory/steps/stamps.js";
import { publishPypi } from "../../src/publish/pypi.js";
import type { PackageWheel } from "../../src/schema/packages.js";
import { addRelease, indexPaths } from "../../src/site/store.js";
import { loadStage, writeStage } from "../../src/stage/stage.js";
import { CACHE, OUTPUT, testEnv, testProgress, TOOLS } from "../support/env.js";
import { makeFixtureRelease } from "../support/release-fixture.js";
import { serveStatic, startPypiServer } from "../support/servers.js";

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

describe("clang package (clang's Python bindings + libclang) from Debian's 22.1.8 layer", () => {
  let plan: BuildPlan;
  let wheel: PackageWheel;
  let out = "";
  beforeAll(async () => {
    out = join(OUTPUT, "clang-package", "dist");
    ({ plan, wheel } = await buildClangPackage(out));
    process.stderr.write(`[clang-package] ${wheel.fileName}: ${(wheel.size / 1e6).toFixed(1)} MB; tests ${JSON.stringify(wheel.tests)}\n`);
  }, 3_600_000);

  it("is one py3-none manylinux wheel, repaired and consistent with the policy the host planned", () => {
    expect(wheel.fileName).toBe("clang_python_bindings-22.1.8-py3-none-manylinux_2_36_x86_64.whl");
    expect(wheel.tag).toEqual({ python: "py3", abi: "none", platform: "manylinux_2_36_x86_64" });
    expect(wheel.auditwheel?.policy).toBe("manylinux_2_36_x86_64");
    expect(wheel.auditwheel?.consistentWith).toMatch(/manylinux_2_\d+_x86_64/);
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

  it("is staged with its release, indexed under its own name, sent to pypiserver, and pip installs it from each", async () => {
    const fx = await makeFixtureRelease({ dir: tmp(), version: "22.1.8", kind: "numbered", split: true, wheels: [{ python: "3.12", tag: { python: "py3", abi: "none", platform: "any" }, platform: "linux-x86_64" }] });
    copyFileSync(join(out, wheel.fileName), join(fx.dir, wheel.fileName));
    const manifest = {
      ...fx.manifest,
      plan: { ...fx.manifest.plan, packages: [{ id: "clang", distribution: "clang-python-bindings" }] },
      artifacts: [...fx.manifest.artifacts, { kind: "package-wheel" as const, fileName: wheel.fileName, sha256: wheel.sha256, size: statSync(join(out, wheel.fileName)).size, platform: "linux-x86_64" as const, tag: wheel.tag }],
    };
    const staged = join(tmp(), "stage");
    await writeStage({ manifests: [manifest], artifactsDir: fx.dir, outDir: staged });
    const stage = await loadStage(staged);
    expect(stage.manifest.artifacts.map((a) => a.kind).sort()).toEqual(["native-wheel", "package-wheel", "wheel"]);
    expect(existsSync(join(staged, `${wheel.fileName}.metadata`))).toBe(true);
    const root = join(tmp(), "index");
    const served = await serveStatic(indexPaths(root).site);
    const pypi = await startPypiServer(tmp());
    try {
      await addRelease(root, stage, { baseUrl: served.url });
      expect(readdirSync(join(indexPaths(root).site, "simple"))).toContain("clang-python-bindings");
      const sent = await publishPypi(stage, { repositoryUrl: pypi.url, simpleUrl: pypi.simpleUrl, twine: join(TOOLS, "bin", "twine"), env: testEnv("clang-package"), environ: { TWINE_PASSWORD: pypi.token } });
      expect(sent.find((a) => a.file === wheel.fileName)?.action).toBe("uploaded");
      for (const index of [`${served.url}/simple/`, pypi.simpleUrl]) {
        const v = join(tmp(), "venv");
        await execa(join(TOOLS, "bin", "python"), ["-m", "venv", v]);
        await execa(join(v, "bin", "python"), ["-m", "pip", "install", "--index-url", index, "clang-python-bindings==22.1.8"], { env: { PIP_CONFIG_FILE: "/dev/null", PIP_DISABLE_PIP_VERSION_CHECK: "1", PIP_NO_CACHE_DIR: "1" } });
        const probe = "import clang.cindex as c; tu = c.Index.create().parse('t.c', unsaved_files=[('t.c', '#include <stddef.h>\\nsize_t n;')]); print(len(list(tu.diagnostics)), c.conf.lib.clang_getClangVersion)";
        const r = await execa(join(v, "bin", "python"), ["-c", probe], { cwd: "/" });
        expect(r.stdout, index).toMatch(/^0 /);
      }
    } finally {
      await served.stop();
      await pypi.stop();
    }
  }, 600_000);

  it("the same steps again give the same wheel, byte for byte (what rebuild compares)", async () => {
    const again = await buildClangPackage(join(tmp(), "dist"));
    expect(again.wheel.sha256).toBe(wheel.sha256);
    expect(again.plan.packages).toEqual(plan.packages);
  }, 3_600_000);
});
