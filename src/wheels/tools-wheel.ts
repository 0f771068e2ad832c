// The tools wheel (issue 29 item 2): `<distribution>-tools`, one py3-none wheel per platform that puts
// mlir-opt, mlir-translate, mlir-lsp-server, mlir-tblgen, FileCheck, not, count and split-file on PATH
// with nothing from the system's LLVM, z3, libxml2 or libedit. Taken from any layer (its prefix):
// - mlir-opt, mlir-translate and mlir-lsp-server are linked statically, as ONE program
//   (containers/tools/mlir-tools.cpp), from the layer's MLIR and LLVM archives: a layer's own binaries
//   link libMLIR/libLLVM (Debian's) or carry a 135+ MB static copy each (a from-source layer).
// - the small tools are the layer's own; DT_NEEDED entries they import no symbol from (Debian's list
//   libz3, libz and libzstd) are removed, and anything else outside the C/C++ runtime is refused.
// Then auditwheel repairs and checks it like every other wheel, and the size limit is enforced.
// mlir-tblgen is in: 2.6 MB, and dialect authors run it by hand; CMake builds use the dev distribution's.
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { CheckFailedError, InvalidInputError } from "../errors.js";
import { renderWheelTemplate } from "./templates.js";
import { assembleWheel, wheelDistName } from "./wheel.js";

export const toolsDistribution = (distribution: string): string => `${distribution}-tools`;

/** The one statically linked program behind the three MLIR tools. */
export const MULTI_CALL_PROGRAM = "mlir-tools";
export const MULTI_CALL_TOOLS = ["mlir-opt", "mlir-translate", "mlir-lsp-server"] as const;
export const LAYER_TOOLS = ["mlir-tblgen", "FileCheck", "not", "count", "split-file"] as const;
export const TOOLS_WHEEL_COMMANDS = [...MULTI_CALL_TOOLS, ...LAYER_TOOLS] as const;

/** The issue's limit: small enough for PyPI and a quick download. */
export const TOOLS_WHEEL_MAX_BYTES = 40_000_000;

/** What a manylinux policy lets a binary link from the system (the C and C++ runtimes). */
export const SYSTEM_LIBRARY = /^(libc|libm|libstdc\+\+|libgcc_s|libpthread|libdl|librt|ld-linux-[\w-]+)\.so(\.\d+)*$/;

/** The importable package that holds bin/ and the launchers. */
export const toolsPackage = (distribution: string): string => wheelDistName(toolsDistribution(distribution));

const pyName = (cmd: string): string => `run_${cmd.replace(/[^A-Za-z0-9]/g, "_")}`;

export function toolsConsoleScripts(pkg: string): Record<string, string> {
  return Object.fromEntries(TOOLS_WHEEL_COMMANDS.map((c) => [c, `${pkg}._launch:${pyName(c)}`]));
}

export function launcherModule(): string {
  const programs = `{${MULTI_CALL_TOOLS.map((t) => `${JSON.stringify(t)}: ${JSON.stringify(MULTI_CALL_PROGRAM)}`).join(", ")}}`;
  const fns = TOOLS_WHEEL_COMMANDS.map((c) => `def ${pyName(c)}():\n    _run(${JSON.stringify(c)})\n`).join("\n\n");
  return renderWheelTemplate("tools-launcher.py.in", { PROGRAMS: programs, FUNCTIONS: fns });
}

/** The one-line refusal of a wheel over the limit, or undefined. */
export function sizeProblem(fileName: string, bytes: number, max: number = TOOLS_WHEEL_MAX_BYTES): string | undefined {
  return bytes > max ? `tools wheel ${fileName} is ${(bytes / 1e6).toFixed(1)} MB, over the ${(max / 1e6).toFixed(1)} MB limit (a layer with fewer LLVM targets links less)` : undefined;
}

const neededOf = async (file: string): Promise<string[]> =>
  [...(await execa("readelf", ["-d", file])).stdout.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]!);
const symbols = async (file: string, which: "--undefined-only" | "--defined-only"): Promise<Set<string>> =>
  new Set((await execa("nm", ["-D", which, file])).stdout.split("\n").map((l) => l.trim().split(/\s+/).pop()!.replace(/@.*$/, "")).filter(Boolean));

/** Where the loader would find `lib` for a binary of `prefix` (its lib/ first, then the system's). */
function findLibrary(prefix: string, lib: string): string | undefined {
  for (const d of [join(prefix, "lib"), "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib"]) if (existsSync(join(d, lib))) return join(d, lib);
  return undefined;
}

/**
 * Removes the DT_NEEDED entries of `file` outside the C/C++ runtime that it imports no symbol from;
 * refuses (naming the tool and the library) an entry it does use. Returns the removed names.
 */
export async function pruneUnusedNeeded(file: string, prefix: string, patchelf: string): Promise<string[]> {
  const imports = await symbols(file, "--undefined-only");
  const removed: string[] = [];
  for (const lib of (await neededOf(file)).filter((n) => !SYSTEM_LIBRARY.test(n))) {
    const path = findLibrary(prefix, lib);
    const used = path ? [...(await symbols(path, "--defined-only"))].filter((s) => imports.has(s)) : ["(library not found)"];
    if (used.length) throw new CheckFailedError(`tools wheel: ${file} uses ${lib} (${used.slice(0, 3).join(", ")}${used.length > 3 ? ", …" : ""}); only the C/C++ runtime may come from the system`);
    await execa(patchelf, ["--remove-needed", lib, file]);
    removed.push(lib);
  }
  return removed;
}

export interface ToolsWheelInput {
  /** The layer's install prefix: bin/ for the small tools, include/ and lib/*.a for the static link. */
  prefix: string;
  distribution: string;
  version: string;
  /** Scratch folder (made fresh by the caller). */
  workDir: string;
  /** The tools venv's bin/ (auditwheel, patchelf). */
  toolsBin: string;
  /** auditwheel --plat, e.g. manylinux_2_36_x86_64 (Debian 12's layer: its glibc and libstdc++). */
  plat: string;
  sourceDateEpoch: number;
  maxBytes?: number;
  log?: (line: string) => void;
}

export interface ToolsWheelResult {
  path: string;
  fileName: string;
  size: number;
  /** Per small tool, the DT_NEEDED entries removed. */
  pruned: Record<string, string[]>;
  linkSeconds: number;
}

/** Links containers/tools/mlir-tools.cpp statically against the layer's MLIR and LLVM archives. */
async function linkMultiCall(prefix: string, repoRoot: string, out: string): Promise<void> {
  const obj = `${out}.o`;
  await execa("g++", ["-std=c++17", "-O2", "-fno-rtti", "-ffunction-sections", "-fdata-sections", `-I${join(prefix, "include")}`, "-c", join(repoRoot, "containers", "tools", "mlir-tools.cpp"), "-o", obj]);
  // Components whose dependencies a wheel cannot carry (libedit, curl, Polly) or that no tool here uses.
  const archives = readdirSync(join(prefix, "lib"))
    .sort()
    .filter((l) => (/^libMLIR.*\.a$/.test(l) && !/Test/.test(l)) || (/^libLLVM.*\.a$/.test(l) && !/LineEditor|Debuginfod|Exegesis|BOLT|Extensions/.test(l)))
    .map((l) => join(prefix, "lib", l));
  if (!archives.some((a) => a.endsWith("libMLIRIR.a"))) throw new InvalidInputError(`--prefix ${prefix}: no MLIR static archives in lib/ (libMLIRIR.a); the tools are linked from them`);
  const staticLib = (name: string): string[] => ["/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib"].map((d) => join(d, name)).filter(existsSync).slice(0, 1);
  await execa("g++", [
    "-o", out, obj, "-fuse-ld=gold", "-Wl,--gc-sections", "-Wl,--icf=safe", "-Wl,--as-needed", "-s",
    "-Wl,--start-group", ...archives, "-Wl,--end-group",
    ...staticLib("libzstd.a"), ...staticLib("libz.a"), "-lpthread", "-ldl", "-lrt", "-lm",
  ]);
}

/** Builds, repairs and checks the tools wheel into input.workDir/repaired; refuses one over the limit. */
export async function buildToolsWheel(input: ToolsWheelInput, repoRoot: string): Promise<ToolsWheelResult> {
  const log = input.log ?? (() => {});
  const pkg = toolsPackage(input.distribution);
  const root = join(input.workDir, "root");
  const bin = join(root, pkg, "bin");
  mkdirSync(bin, { recursive: true });
  const patchelf = join(input.toolsBin, "patchelf");
  const pruned: Record<string, string[]> = {};
  for (const t of LAYER_TOOLS) {
    const src = join(input.prefix, "bin", t);
    if (!existsSync(src)) throw new InvalidInputError(`--prefix ${input.prefix}: bin/${t} is missing`);
    copyFileSync(src, join(bin, t));
    pruned[t] = await pruneUnusedNeeded(join(bin, t), input.prefix, patchelf);
  }
  log(`linking ${MULTI_CALL_PROGRAM} (${MULTI_CALL_TOOLS.join(", ")}) from ${input.prefix}/lib`);
  const t0 = Date.now();
  await linkMultiCall(input.prefix, repoRoot, join(bin, MULTI_CALL_PROGRAM));
  const linkSeconds = (Date.now() - t0) / 1000;
  for (const f of readdirSync(bin)) if (f.endsWith(".o")) rmSync(join(bin, f));
  const other = (await neededOf(join(bin, MULTI_CALL_PROGRAM))).filter((n) => !SYSTEM_LIBRARY.test(n));
  if (other.length) throw new CheckFailedError(`tools wheel: ${MULTI_CALL_PROGRAM} still links ${other.join(", ")}`);
  const raw = await assembleWheel({
    root,
    packageName: pkg,
    metadata: {
      distribution: toolsDistribution(input.distribution),
      version: input.version,
      summary: "MLIR command-line tools (mlir-opt, mlir-translate, mlir-lsp-server, mlir-tblgen) and LLVM's lit utilities (FileCheck, not, count, split-file), self-contained",
      requiresPython: ">=3.9",
      requiresDist: [],
      projectUrls: {},
      license: "Apache-2.0 WITH LLVM-exception",
    },
    tag: { python: "py3", abi: "none", platform: "linux_x86_64" },
    extraFiles: { [`${pkg}/_launch.py`]: launcherModule(), [`${pkg}/__init__.py`]: "" },
    consoleScripts: toolsConsoleScripts(pkg),
    sourceDateEpoch: input.sourceDateEpoch,
    generator: "mlir-release",
    outDir: input.workDir,
  });
  log(`auditwheel repair --plat ${input.plat}`);
  const repairedDir = join(input.workDir, "repaired");
  await execa(join(input.toolsBin, "auditwheel"), ["repair", "--plat", input.plat, "-w", repairedDir, raw.path], { env: { PATH: `${input.toolsBin}:${process.env["PATH"]}` } });
  const fileName = readdirSync(repairedDir).find((f) => f.endsWith(".whl"))!;
  const path = join(repairedDir, fileName);
  // auditwheel show: the policy it is consistent with (repair already refused anything outside --plat).
  log((await execa(join(input.toolsBin, "auditwheel"), ["show", path], { env: { PATH: `${input.toolsBin}:${process.env["PATH"]}` } })).stdout.split("\n").slice(0, 4).join(" "));
  const size = statSync(path).size;
  const problem = sizeProblem(fileName, size, input.maxBytes);
  if (problem) throw new CheckFailedError(problem);
  return { path, fileName, size, pruned, linkSeconds };
}
