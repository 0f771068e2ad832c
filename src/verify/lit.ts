// Upstream's own Python test suite (mlir/test/python) run with lit against an installed wheel.
import { CheckFailedError } from "../errors.js";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { ExecEnv } from "../exec/env.js";
import type { LlvmLayer } from "../layer/layer.js";
import { containersFile, readContainersFile } from "../util/containers.js";

export interface LitCounts {
  passed: number;
  failed: number;
  unsupported: number;
  xfail: number;
  other: number;
  failures: string[];
}

interface LitSiteValues {
  [key: string]: string | number | boolean;
}

/**
 * Fills upstream's lit.site.cfg.py.in: quoted @VAR@ become strings, bare ones Python literals;
 * every variable must be defined (lit.cfg.py reads them all), unknown ones get empty/0.
 */
export function renderLitSiteConfig(template: string, values: LitSiteValues): string {
  // The header (a path() helper upstream's template calls) is containers/verify/lit_site_header.py, without its final newline.
  const header = readContainersFile("verify", "lit_site_header.py").replace(/\n$/, "");
  return template
    .replace("@LIT_SITE_CFG_IN_HEADER@", header)
    // Inside a string literal a variable is spliced in as text (escaped for Python).
    .replace(/"([^"\n]*@[A-Za-z0-9_]+@[^"\n]*)"/g, (_m, body: string) =>
      JSON.stringify(body.replace(/@([A-Za-z0-9_]+)@/g, (_v, k: string) => String(values[k] ?? ""))),
    )
    .replace(/@([A-Za-z0-9_]+)@/g, (_m, k: string) => {
      const v = values[k];
      if (typeof v === "boolean") return v ? "True" : "False";
      if (typeof v === "number") return String(v);
      if (typeof v === "string" && v !== "") return JSON.stringify(v);
      return "0";
    });
}

export function parseLitResults(json: string): LitCounts {
  const data = JSON.parse(json) as { tests?: { name: string; code: string }[] };
  const c: LitCounts = { passed: 0, failed: 0, unsupported: 0, xfail: 0, other: 0, failures: [] };
  for (const t of data.tests ?? []) {
    switch (t.code) {
      case "PASS":
        c.passed++;
        break;
      case "FAIL":
      case "XPASS":
      case "TIMEOUT":
      case "UNRESOLVED":
        c.failed++;
        c.failures.push(t.name.replace(/^MLIR :: /, ""));
        break;
      case "UNSUPPORTED":
        c.unsupported++;
        break;
      case "XFAIL":
        c.xfail++;
        break;
      default:
        c.other++;
    }
  }
  c.failures.sort();
  return c;
}

interface LitRunInput {
  env: ExecEnv;
  litExecutable: string;
  sourceRoot: string;
  layer: LlvmLayer;
  python: string;
  pythonVersion: string;
  workDir: string;
  /** Subset of mlir/test/python to run (paths relative to it); all when empty. */
  filter?: string[];
  hostTriple: string;
  targets: string[];
  jobs?: number;
  /** Extra environment of the Python under test (PYTHON_GIL=0 on a free-threaded interpreter). */
  pythonEnv?: Record<string, string>;
  /** The wheel under test is the stable-ABI (abi3) one: lit's `python-stable-abi` feature, which upstream's tests mark UNSUPPORTED on. */
  stableAbi?: boolean;
  /**
   * Where %mlir_runner_utils / %mlir_c_runner_utils (the execution engine tests' shared_libs) are
   * found: the installed wheel's runtime libraries. Default: asked from the wheel under test
   * (mlir._runtime_libs.directory()), so the tests load the wheel's copies, never the layer's.
   */
  runtimeLibDir?: string;
}

/** The installed wheel's runtime library directory, from its own helper module. */
async function installedRuntimeLibDir(env: ExecEnv, python: string, pythonEnv: Record<string, string> = {}): Promise<string> {
  const r = await env.run([python, containersFile("verify", "runtime_libs_dir.py")], { capture: true, cwd: "/", env: pythonEnv });
  const dir = r.stdout.trim().split("\n").pop() ?? "";
  if (!dir) throw new CheckFailedError(`${python}: mlir._runtime_libs.directory() printed nothing`);
  return dir;
}

export async function runUpstreamLit(input: LitRunInput): Promise<LitCounts> {
  const objRoot = join(input.workDir, `lit-py${input.pythonVersion}`);
  // lit.cfg.py puts <obj>/python_packages/mlir_core first on PYTHONPATH: an obj root without it
  // makes the tests import the installed wheel.
  mkdirSync(join(objRoot, "test", "python"), { recursive: true });
  const template = readFileSync(join(input.sourceRoot, "mlir", "test", "lit.site.cfg.py.in"), "utf8");
  const arch = input.hostTriple.split("-")[0] ?? "x86_64";
  const runtimeLibDir = input.runtimeLibDir ?? (await installedRuntimeLibDir(input.env, input.python, input.pythonEnv));
  const site = renderLitSiteConfig(template, {
    LLVM_TARGET_TRIPLE: input.hostTriple,
    LLVM_SOURCE_DIR: join(input.sourceRoot, "llvm"),
    LLVM_TOOLS_DIR: input.layer.toolsDir,
    SHLIBEXT: ".so",
    // lit.cfg.py's find_runtime() looks in llvm_shlib_dir: the wheel's runtime libraries.
    SHLIBDIR: runtimeLibDir,
    Python3_EXECUTABLE: input.python,
    ENABLE_ASSERTIONS: 0,
    LLVM_NATIVE_ARCH: arch === "x86_64" ? "X86" : "AArch64",
    HOST_OS: "Linux",
    HOST_CC: "cc",
    HOST_CXX: "c++",
    HOST_ARCH: arch,
    CMAKE_BUILD_TYPE: "Release",
    MLIR_SOURCE_DIR: join(input.sourceRoot, "mlir"),
    MLIR_BINARY_DIR: objRoot,
    MLIR_TOOLS_DIR: input.layer.toolsDir,
    MLIR_CMAKE_DIR: input.layer.mlirCmakeDir,
    MLIR_LIB_DIR: runtimeLibDir,
    LLVM_BUILD_EXAMPLES: 0,
    LLVM_HAS_NVPTX_TARGET: input.targets.includes("NVPTX") ? 1 : 0,
    MLIR_ENABLE_ROCM_CONVERSIONS: input.targets.includes("AMDGPU") ? 1 : 0,
    MLIR_ENABLE_BINDINGS_PYTHON: 1,
    MLIR_ENABLE_PYTHON_STABLE_ABI: input.stableAbi ? 1 : 0,
    MLIR_INCLUDE_INTEGRATION_TESTS: 1,
    BUILD_SHARED_LIBS: 0,
  });
  writeFileSync(join(objRoot, "test", "lit.site.cfg.py"), site);
  const resultsFile = join(objRoot, "results.json");
  const tests = (input.filter?.length ? input.filter : [""]).map((f) => join(objRoot, "test", "python", f));
  try {
    // lit.cfg.py decides features such as python-ge-311 from the Python lit itself runs in: run lit
    // in the Python under test (lit is pure Python; its package is taken from the tools venv).
    await input.env.run(
      [
        ...litInPython(input.python, input.litExecutable),
        "-sv",
        "--no-progress-bar",
        `-j${input.jobs ?? 2}`,
        "-o",
        resultsFile,
        ...tests,
      ],
      { env: { MLIR_LIT_PYTHONPATH: "", ...(input.pythonEnv ?? {}) } },
    );
  } catch (e) {
    // lit exits 1 when a test fails; the results file still says which.
    try {
      readFileSync(resultsFile);
    } catch {
      throw e;
    }
  }
  return parseLitResults(readFileSync(resultsFile, "utf8"));
}

/** The argv start that runs lit's main() in `python`, with lit's package from the venv of `litExecutable` (containers/verify/run_lit.py). */
export const litInPython = (python: string, litExecutable: string): string[] => [python, containersFile("verify", "run_lit.py"), litSitePackages(litExecutable)];

/** site-packages of the venv whose bin/ holds `lit`. */
function litSitePackages(litExecutable: string): string {
  const lib = join(dirname(dirname(litExecutable)), "lib");
  const py = readdirSync(lib).find((d) => /^python3\.\d+$/.test(d));
  if (!py) throw new CheckFailedError(`${lib}: no python3.X directory (lit's venv)`);
  return join(lib, py, "site-packages");
}
