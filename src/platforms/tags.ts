// Pure helpers shared by the platform modules: CPython version spellings, PEP 425 tags, wheel file
// names, extension suffixes, and discovery of tool-cache interpreters.
import { InvalidInputError } from "../errors.js";
import { type AbiVariant, type WheelTag, wheelTagString } from "../schema/platform.js";
import type { ListDir } from "./platform.js";

interface PythonSpec {
  /** "3.13" */
  base: string;
  minor: number;
  freeThreaded: boolean;
  /** "313" */
  nodot: string;
}

export function parsePython(version: string): PythonSpec {
  const m = /^3\.(\d+)(t?)$/.exec(version);
  if (!m?.[1]) throw new InvalidInputError(`Python version '${version}': expected 3.N or 3.Nt (free-threaded)`);
  const minor = Number(m[1]);
  if (m[2] && minor < 13) throw new InvalidInputError(`Python version '${version}': free-threaded CPython starts at 3.13`);
  return { base: `3.${minor}`, minor, freeThreaded: m[2] === "t", nodot: `3${minor}` };
}

/** The (python, abi) half of a wheel tag: cp312-cp312, cp313-cp313t, cp312-abi3. */
export function interpreterTags(version: string, abi: AbiVariant): Pick<WheelTag, "python" | "abi"> {
  const p = parsePython(version);
  if (abi === "freethreaded" && !p.freeThreaded) throw new InvalidInputError(`free-threaded build needs a 3.Nt Python, got ${version}`);
  if (abi !== "freethreaded" && p.freeThreaded) throw new InvalidInputError(`${version} is free-threaded; its ABI variant must be 'freethreaded'`);
  if (abi === "abi3" && p.minor < 12) throw new InvalidInputError(`stable ABI wheels need CPython >= 3.12 (got ${version})`);
  const cp = `cp${p.nodot}`;
  return { python: cp, abi: abi === "abi3" ? "abi3" : abi === "freethreaded" ? `${cp}t` : cp };
}

/** EXT_SUFFIX as CPython computes it on ELF/Mach-O platforms (`multiarch` is e.g. x86_64-linux-gnu, darwin). */
export function posixExtensionSuffix(version: string, abi: AbiVariant, multiarch: string): string {
  if (abi === "abi3") return ".abi3.so";
  const p = parsePython(version);
  return `.cpython-${p.nodot}${p.freeThreaded ? "t" : ""}-${multiarch}.so`;
}

/** EXT_SUFFIX on Windows: .cp312-win_amd64.pyd, .cp313t-win_amd64.pyd; abi3 modules are plain .pyd. */
export function windowsExtensionSuffix(version: string, abi: AbiVariant, platform: string): string {
  if (abi === "abi3") return ".pyd";
  const p = parsePython(version);
  return `.cp${p.nodot}${p.freeThreaded ? "t" : ""}-${platform}.pyd`;
}

/** Orders dotted numeric versions (missing components count as 0). */
export const cmpVersion = (a: string, b: string): number => {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d;
  }
  return 0;
};

/**
 * The newest installed patch release X.Y.Z of `base` in a setup-python tool cache
 * (`<cache>/Python/<X.Y.Z>/<arch>[-freethreaded]/`), or undefined.
 */
export function newestToolCacheVersion(entries: string[], base: string): string | undefined {
  const re = new RegExp(`^${base.replace(".", "\\.")}\\.\\d+$`);
  return entries.filter((e) => re.test(e)).sort(cmpVersion).pop();
}

/**
 * Interpreter in a setup-python tool cache. The cache keeps each build under
 * `Python/<X.Y.Z>/<arch>` and free-threaded builds under `<arch>-freethreaded`; without a
 * listing the patch level is left as a pattern (`3.12.*`) for the dry run to show.
 */
function toolCachePython(opts: {
  cache: string;
  sep: "/" | "\\";
  version: string;
  arch: string;
  exe: (p: PythonSpec) => string;
  listDir?: ListDir;
}): string {
  const p = parsePython(opts.version);
  const root = `${opts.cache}${opts.sep}Python`;
  const patch = opts.listDir ? newestToolCacheVersion(opts.listDir(root), p.base) : undefined;
  const dir = [root, patch ?? `${p.base}.*`, `${opts.arch}${p.freeThreaded ? "-freethreaded" : ""}`].join(opts.sep);
  return `${dir}${opts.sep}${opts.exe(p)}`;
}

/**
 * Where a hosted runner's interpreter for `version` may be, best first: the explicit override,
 * setup-python's tool cache, then the platform's installer locations.
 */
export function runnerPythonCandidates(
  version: string,
  env: Record<string, string | undefined>,
  toolCache: Omit<Parameters<typeof toolCachePython>[0], "version">,
  installers: (p: PythonSpec) => string[],
): string[] {
  const override = env[overrideVariable(version)];
  return [...(override ? [override] : []), toolCachePython({ ...toolCache, version }), ...installers(parsePython(version))];
}

/** MLIR_RELEASE_PYTHON_3_12 / MLIR_RELEASE_PYTHON_3_13T: an explicit interpreter always wins. */
export function overrideVariable(version: string): string {
  return `MLIR_RELEASE_PYTHON_${version.replace(".", "_").toUpperCase()}`;
}

/** auditwheel's file-name platform tag for a manylinux policy (legacy aliases keep both names). */
export function manylinuxWheelTag(policy: string, arch: string): string {
  const legacy: Record<string, string> = { manylinux2014: "manylinux_2_17", manylinux2010: "manylinux_2_12", manylinux1: "manylinux_2_5" };
  const stripped = policy.endsWith(`_${arch}`) ? policy.slice(0, -arch.length - 1) : policy;
  const pep600 = legacy[stripped];
  if (pep600) return `${pep600}_${arch}.${stripped}_${arch}`;
  if (!/^manylinux_\d+_\d+$/.test(stripped)) throw new InvalidInputError(`manylinux policy '${policy}': expected manylinux2014 or manylinux_X_Y`);
  return `${stripped}_${arch}`;
}

/** PEP 427 escaping of the distribution name in file names. */
export const wheelDistName = (name: string): string => name.replace(/[-_.]+/g, "_").toLowerCase();

export const wheelFileName = (distribution: string, version: string, tag: WheelTag): string =>
  `${wheelDistName(distribution)}-${version}-${wheelTagString(tag)}.whl`;

/** The native wheel's distribution name: `<distribution>-native` (src/wheels/native.ts splits what goes in it). */
export const nativeDistribution = (distribution: string): string => `${distribution}-native`;

/** The tools wheel's distribution name and its importable package (src/wheels/tools-wheel.ts fills it). */
export const toolsDistribution = (distribution: string): string => `${distribution}-tools`;
export const toolsPackage = (distribution: string): string => wheelDistName(toolsDistribution(distribution));
