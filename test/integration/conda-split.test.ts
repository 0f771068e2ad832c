// conda on the REAL split build (the shared 22.1.8 wheels: sharedSplitPair): publishConda builds the
// platform's native package and the per-Python package with rattler-build into a local channel;
// py-rattler installs exactly those two records into a fresh prefix (no solver, nothing fetched);
// then CPython 3.12 with only that prefix's site-packages on its path imports mlir, finds the
// runtime libraries under the prefix and JIT-calls printMemrefF32 (containers/verify/runtime_jit.py,
// the wheel test's script), with libMLIRPythonCAPI mapped from the native package's private root.
import { mkdtempSync, readFileSync, realpathSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { publishConda } from "../../src/publish/conda.js";
import { RUNTIME_LIBRARIES } from "../../src/wheels/runtime-libs.js";
import { condaInstall, condaPayload } from "../support/conda.js";
import { REPO, testEnv, testProgress, TOOLS } from "../support/env.js";
import { stagedWheelPair } from "../support/release-fixture.js";
import { freshVenv } from "../support/servers.js";
import { sharedSplitPair } from "../support/wheel-settings.js";

const MB = 1024 * 1024;
const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), "conda-split-"));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("conda: two packages per platform from the real split build", () => {
  it("builds the native and the per-Python package, installs both into a fresh prefix, and JIT-calls printMemrefF32 from it", async () => {
    const at = Date.now();
    const env = testEnv("conda-split");
    const progress = testProgress("conda-split");
    const { wheel, native } = await sharedSplitPair(env, progress);
    const st = await stagedWheelPair(wheel, native);
    const { version, distribution } = st.manifest.plan;
    const dir = tmp();
    const channel = join(dir, "channel");
    const buildAt = Date.now();
    const res = await publishConda(st, { channel, workDir: join(dir, "recipes"), python: join(TOOLS, "bin", "python"), env });
    const buildSeconds = (Date.now() - buildAt) / 1000;
    const nativeFile = `${distribution}-native-${version}-0.conda`;
    const perFile = `${distribution}-${version}-py312_0.conda`;
    expect(res.actions.map((a) => `${a.action} ${a.file}`)).toEqual([`built ${nativeFile}`, `built ${perFile}`]);

    // The library is stored once: a regular file in the native package, only a symlink in the per-Python one.
    const nat = condaPayload(join(channel, "linux-64", nativeFile));
    const per = condaPayload(join(channel, "linux-64", perFile));
    const capi = (e: { path: string }) => /\/libMLIRPythonCAPI\.so[.\d]*$/.test(e.path);
    expect(nat.entries.filter(capi).map((e) => `${e.type} ${e.path}`)).toEqual(["- lib/mlir_python_bindings_native/mlir/_mlir_libs/libMLIRPythonCAPI.so.22.1"]);
    expect(nat.entries.some((e) => e.path.startsWith("lib/python"))).toBe(false);
    expect(per.entries.filter(capi).map((e) => `${e.type} ${e.path} -> ${e.target}`)).toEqual([
      "l lib/python3.12/site-packages/mlir/_mlir_libs/libMLIRPythonCAPI.so.22.1 -> ../../../../mlir_python_bindings_native/mlir/_mlir_libs/libMLIRPythonCAPI.so.22.1",
    ]);
    expect(per.entries.filter((e) => e.type === "-" && /\.so(\.|$)/.test(e.path) && !e.path.includes(".cpython-312-")).map((e) => e.path)).toEqual(
      expect.not.arrayContaining([expect.stringMatching(/libmlir_|libzstd/)]),
    );
    const sizes = {
      nativeConda: statSync(join(channel, "linux-64", nativeFile)).size,
      perPythonConda: statSync(join(channel, "linux-64", perFile)).size,
      perPythonPayloadUnpacked: per.payloadBytes,
      nativePayloadUnpacked: nat.payloadBytes,
    };
    expect(sizes.perPythonConda).toBeLessThan(10 * MB);
    expect(sizes.nativePayloadUnpacked).toBeGreaterThan(170 * MB); // the 177 MB library, once

    // Installed the way conda links packages, from the channel's own records (no solver).
    const prefix = join(dir, "prefix");
    const installed = await condaInstall(channel, "linux-64", [nativeFile, perFile], prefix);
    expect(installed.find((r) => r.name === distribution)!.depends).toEqual(["python >=3.12,<3.13", `${distribution}-native ==${version}`]);
    const sp = join(prefix, "lib", "python3.12", "site-packages");
    const capiReal = join(prefix, "lib", "mlir_python_bindings_native", "mlir", "_mlir_libs", "libMLIRPythonCAPI.so.22.1");
    expect(realpathSync(join(sp, "mlir", "_mlir_libs", "libMLIRPythonCAPI.so.22.1"))).toBe(capiReal);

    // CPython 3.12 (the tools') in a venv holding numpy and ml_dtypes only: no mlir of its own.
    const venv = await freshVenv(join(dir, "venv"));
    await venv.pip(["install", "-q", "numpy", "ml_dtypes"]);
    const run = (args: string[], pythonPath?: string) =>
      execa(venv.py, ["-s", ...args], { cwd: "/", extendEnv: false, reject: false, env: { PATH: "/usr/bin:/bin", LD_LIBRARY_PATH: "", ...(pythonPath ? { PYTHONPATH: pythonPath } : {}) } });
    expect((await run(["-c", "import mlir"])).exitCode).not.toBe(0);
    const where = await run(["-c", "import mlir.ir, importlib.metadata as md; print(mlir.ir.__file__); print(md.version('mlir-python-bindings-native'))"], sp);
    expect(where.stdout.split("\n")).toEqual([join(sp, "mlir", "ir.py"), version]);
    // pip sees both distributions (the native one's dist-info is linked too): the pin is satisfied.
    expect((await run(["-m", "pip", "check"], sp)).stdout).toMatch(/No broken requirements found/);

    const reportFile = join(dir, "runtime-jit.json");
    const jitRun = await run([join(REPO, "containers", "verify", "runtime_jit.py"), reportFile], sp);
    expect(jitRun.exitCode, jitRun.stderr).toBe(0);
    expect(jitRun.stdout).toMatch(/Unranked Memref base@ = 0x[0-9a-f]+ rank = 1 offset = 0 sizes = \[1\] strides = \[1\] data =\s*\n\[42\]/);
    const jit = JSON.parse(readFileSync(reportFile, "utf8")) as { directory: string; libraries: Record<string, string>; symbols: Record<string, boolean>; result: number; mapped: string[] };
    expect(jit.result).toBe(42);
    expect(jit.directory).toBe(join(sp, "mlir", "_mlir_libs"));
    expect(Object.keys(jit.libraries).sort()).toEqual([...RUNTIME_LIBRARIES].sort());
    expect(Object.values(jit.symbols).every(Boolean)).toBe(true);
    expect(jit.libraries["mlir_c_runner_utils"]).toBe(join(sp, "mlir", "_mlir_libs", "libmlir_c_runner_utils.so"));
    // /proc/self/maps: every LLVM/MLIR object from inside the prefix; the library and the runtime libraries from the native root.
    expect(jit.mapped.filter((p) => !p.startsWith(`${prefix}/`))).toEqual([]);
    expect(jit.mapped).toEqual(expect.arrayContaining([capiReal, realpathSync(jit.libraries["mlir_c_runner_utils"]!), realpathSync(jit.libraries["mlir_runner_utils"]!)]));

    const seconds = Math.round((Date.now() - at) / 100) / 10;
    progress.info(
      `sizes: native .conda ${(sizes.nativeConda / MB).toFixed(1)} MB (payload ${(sizes.nativePayloadUnpacked / MB).toFixed(1)} MB unpacked), ` +
        `per-Python .conda ${(sizes.perPythonConda / MB).toFixed(2)} MB (payload ${(sizes.perPythonPayloadUnpacked / MB).toFixed(1)} MB unpacked); ` +
        `rattler-build of both ${buildSeconds.toFixed(1)} s; whole test ${seconds} s`,
    );
  }, 1_800_000);
});
