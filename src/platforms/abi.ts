// Which ABI variants a release builds: per-version CPython wheels, one cp312-abi3 wheel for
// 3.12+, and free-threaded (3.13t, 3.14t) wheels. The choice is a pure function of what the LLVM
// tree supports and which Pythons the runner has; its reason is recorded in the plan/manifest.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { InvalidInputError } from "../errors.js";
import { type AbiVariant } from "../schema/platform.js";
import { parseLlvmVersionCmake } from "../source/llvm-version.js";
import { interpreterTags, overrideVariable, parsePython } from "./tags.js";

/** What the LLVM tree (or an installed MLIR's CMake files) says about the bindings' ABI options. */
export interface LlvmAbiFacts {
  /** X.Y.Z of the tree */
  version: string;
  /** upstream's MLIR_ENABLE_PYTHON_STABLE_ABI option exists (LLVM >= 23) */
  stableAbiOption: boolean;
  /** AddMLIRPython passes nanobind's FREE_THREADED (LLVM >= 20) */
  freeThreaded: boolean;
  /** Files the facts were read from, or why they were inferred. */
  evidence: string[];
}

export interface AbiBuild {
  /** The interpreter that builds it ("3.12", "3.13t"). */
  python: string;
  abi: AbiVariant;
  /** PEP 425 python/abi tags: cp312-cp312, cp312-abi3, cp313-cp313t */
  pythonTag: string;
  abiTag: string;
  /** The CPython versions this wheel installs on. */
  serves: string[];
  /** Extra CMake cache entries this variant needs. */
  cmakeDefs: Record<string, string>;
}

export interface AbiChoice {
  /** The variant that serves 3.12+ GIL Pythons: abi3 or cpython (what ReleasePlan.abiChoice records). */
  variant: AbiVariant;
  reason: string;
  builds: AbiBuild[];
  /** Requested or runner-offered Pythons that get no wheel, and why. */
  skipped: Array<{ python: string; reason: string }>;
}

interface AbiRequest {
  llvm: LlvmAbiFacts;
  /** GIL CPython versions of the matrix (a "3.Nt" here is treated as a free-threaded request). */
  pythons: string[];
  /** What the runner offers; free-threaded builds are added for every 3.Nt it has. */
  runnerPythons: string[];
  /** CMake the build will use, when known (stable ABI needs >= 3.26). */
  cmakeVersion?: string;
  /** Set false to leave free-threaded wheels out even where possible. */
  freeThreaded?: boolean;
}

const major = (v: string): number => Number(v.split(".")[0]);
const cmakeAtLeast = (v: string, want: [number, number]): boolean => {
  const [a = 0, b = 0] = v.split(".").map(Number);
  return a > want[0] || (a === want[0] && b >= want[1]);
};

export function chooseAbi(req: AbiRequest): AbiChoice {
  const { llvm } = req;
  const requested = [...new Set(req.pythons)];
  for (const p of requested) parsePython(p);
  const gil = requested.filter((p) => !parsePython(p).freeThreaded).sort((a, b) => parsePython(a).minor - parsePython(b).minor);
  const ftWanted = new Set(requested.filter((p) => parsePython(p).freeThreaded));
  if (req.freeThreaded !== false) {
    for (const p of req.runnerPythons) if (parsePython(p).freeThreaded) ftWanted.add(p);
  }
  const builds: AbiBuild[] = [];
  const skipped: AbiChoice["skipped"] = [];
  const reasons: string[] = [];
  const perVersion = (python: string): AbiBuild => {
    const t = interpreterTags(python, "cpython");
    return { python, abi: "cpython", pythonTag: t.python, abiTag: t.abi, serves: [python], cmakeDefs: {} };
  };

  for (const p of gil) {
    if (!req.runnerPythons.includes(p)) skipped.push({ python: p, reason: `the runner has no CPython ${p}` });
  }
  const available = gil.filter((p) => req.runnerPythons.includes(p));
  const below = available.filter((p) => parsePython(p).minor < 12);
  const from312 = available.filter((p) => parsePython(p).minor >= 12);
  builds.push(...below.map(perVersion));

  let variant: AbiVariant = "cpython";
  const cmakeTooOld = req.cmakeVersion !== undefined && !cmakeAtLeast(req.cmakeVersion, [3, 26]);
  if (from312.length && llvm.stableAbiOption && !cmakeTooOld) {
    variant = "abi3";
    const lowest = from312[0]!;
    const t = interpreterTags(lowest, "abi3");
    builds.push({
      python: lowest,
      abi: "abi3",
      pythonTag: t.python,
      abiTag: t.abi,
      serves: from312,
      cmakeDefs: { MLIR_ENABLE_PYTHON_STABLE_ABI: "ON" },
    });
    reasons.push(
      `LLVM ${llvm.version} has MLIR_ENABLE_PYTHON_STABLE_ABI: one ${t.python}-abi3 wheel built with ${lowest} serves ${from312.join(", ")}` +
        (below.length ? `; ${below.join(", ")} (< 3.12, no limited API nanobind can use) get per-version wheels` : ""),
    );
  } else {
    builds.push(...from312.map(perVersion));
    reasons.push(
      llvm.stableAbiOption
        ? `LLVM ${llvm.version} has MLIR_ENABLE_PYTHON_STABLE_ABI but CMake ${req.cmakeVersion} < 3.26 (nanobind drops STABLE_ABI silently there): one wheel per CPython version`
        : `LLVM ${llvm.version} has no MLIR_ENABLE_PYTHON_STABLE_ABI (first in LLVM 23; forcing nanobind's STABLE_ABI on 22.x fails to compile): one wheel per CPython version`,
    );
  }

  const ft = [...ftWanted].sort((a, b) => parsePython(a).minor - parsePython(b).minor);
  const ftBuilt: string[] = [];
  for (const p of ft) {
    if (!llvm.freeThreaded) {
      skipped.push({ python: p, reason: `LLVM ${llvm.version}'s bindings are not built FREE_THREADED (support arrived in LLVM 20)` });
    } else if (!req.runnerPythons.includes(p)) {
      skipped.push({ python: p, reason: `the runner has no free-threaded CPython ${p}` });
    } else {
      const t = interpreterTags(p, "freethreaded");
      // Free-threaded CPython has no limited API: never abi3, always its own wheel.
      builds.push({ python: p, abi: "freethreaded", pythonTag: t.python, abiTag: t.abi, serves: [p], cmakeDefs: {} });
      ftBuilt.push(p);
    }
  }
  if (ftBuilt.length) reasons.push(`free-threaded ${ftBuilt.join(", ")}: per-version wheels (no limited API for free-threaded CPython)`);
  else if (ft.length) reasons.push(`no free-threaded wheels: ${skipped.filter((s) => ft.includes(s.python)).map((s) => `${s.python}: ${s.reason}`).join("; ")}`);
  if (!builds.length) {
    // A missing free-threaded interpreter: say how to get one (ci/setup.d/30-python313t.sh builds 3.13t).
    const ftMissing = skipped.filter((s) => parsePython(s.python).freeThreaded && !req.runnerPythons.includes(s.python)).map((s) => s.python);
    const hint = ftMissing.length
      ? ` (${ftMissing.includes("3.13t") ? "MLIR_RELEASE_FREE_THREADED=1 bash ci/setup.sh builds 3.13t from Debian's pinned source under .cache/python3.13t; " : ""}` +
        `or point ${ftMissing.map(overrideVariable).join(", ")} at an interpreter)`
      : "";
    throw new InvalidInputError(`no Python of [${requested.join(", ")}] can be built: ${skipped.map((s) => `${s.python}: ${s.reason}`).join("; ")}${hint}`);
  }
  return { variant, reason: reasons.join("; "), builds, skipped };
}

const read = (p: string): string | undefined => (existsSync(p) ? readFileSync(p, "utf8") : undefined);

/**
 * Reads the ABI facts from an LLVM source tree and/or an installed MLIR CMake dir (a prebuilt
 * layer such as /usr/lib/llvm-22/lib/cmake/mlir). The option's name is the evidence for the
 * stable ABI; nanobind's FREE_THREADED keyword in AddMLIRPython.cmake for free-threading.
 */
export function probeLlvmAbiFacts(where: {
  sourceRoot?: string;
  mlirCmakeDir?: string;
  /** X.Y.Z the source spec pins (a Debian tarball, a plan), for when neither tree nor layer is there yet. */
  specVersion?: string;
  /** Which input to give when nothing names the version (appended to the error). */
  hint?: string;
}): LlvmAbiFacts {
  const evidence: string[] = [];
  let version: string | undefined;
  const files: string[] = [];
  if (where.sourceRoot) {
    const vfile = join(where.sourceRoot, "cmake", "Modules", "LLVMVersion.cmake");
    const vtext = read(vfile);
    if (vtext) {
      const v = parseLlvmVersionCmake(vtext, vfile);
      version = `${v.major}.${v.minor}.${v.patch}`;
    }
    files.push(
      join(where.sourceRoot, "mlir", "CMakeLists.txt"),
      join(where.sourceRoot, "mlir", "python", "CMakeLists.txt"),
      join(where.sourceRoot, "mlir", "cmake", "modules", "AddMLIRPython.cmake"),
    );
  }
  if (where.mlirCmakeDir) {
    if (!version) {
      const cv = read(join(where.mlirCmakeDir, "MLIRConfigVersion.cmake"));
      const m = cv ? /set\(PACKAGE_VERSION "(\d+\.\d+\.\d+)/.exec(cv) : null;
      if (m?.[1]) version = m[1];
    }
    files.push(join(where.mlirCmakeDir, "AddMLIRPython.cmake"), join(where.mlirCmakeDir, "MLIRConfig.cmake"));
  }
  if (!version && where.specVersion) {
    // No tree yet (a dry run on an empty cache): the option and the keyword arrived in known releases.
    version = where.specVersion;
    evidence.push(`no tree or layer yet: LLVM ${version} as the source spec pins it; MLIR_ENABLE_PYTHON_STABLE_ABI from LLVM 23, FREE_THREADED from LLVM 20`);
    return { version, stableAbiOption: major(version) >= 23, freeThreaded: major(version) >= 20, evidence };
  }
  if (!version) {
    throw new InvalidInputError(
      `cannot tell the LLVM version: no cmake/Modules/LLVMVersion.cmake under ${where.sourceRoot ?? "(no source tree)"} ` +
        `and no MLIRConfigVersion.cmake in ${where.mlirCmakeDir ?? "(no MLIR cmake dir)"}${where.hint ? `; ${where.hint}` : ""}`,
    );
  }
  let stableAbiOption = false;
  let freeThreaded: boolean | undefined;
  // Only mlir/CMakeLists.txt (which defines the option) and AddMLIRPython.cmake (which uses it) can
  // say it is absent: the bindings' partial tree has neither, so without them the version decides.
  let optionFileRead = false;
  for (const f of files) {
    const text = read(f);
    if (text === undefined) continue;
    if (f.endsWith("AddMLIRPython.cmake") || f.endsWith(join("mlir", "CMakeLists.txt"))) optionFileRead = true;
    if (/\bMLIR_ENABLE_PYTHON_STABLE_ABI\b/.test(text)) {
      stableAbiOption = true;
      evidence.push(`${f}: MLIR_ENABLE_PYTHON_STABLE_ABI`);
    }
    if (f.endsWith("AddMLIRPython.cmake")) {
      const ft = /nanobind_add_module\([^)]*\bFREE_THREADED\b/s.test(text);
      freeThreaded = (freeThreaded ?? false) || ft;
      evidence.push(`${f}: ${ft ? "nanobind_add_module(... FREE_THREADED ...)" : "no FREE_THREADED"}`);
    }
  }
  if (freeThreaded === undefined) {
    freeThreaded = major(version) >= 20;
    evidence.push(`no AddMLIRPython.cmake found: free-threading inferred from LLVM ${version} (>= 20)`);
  }
  if (!stableAbiOption && !optionFileRead) {
    stableAbiOption = major(version) >= 23;
    evidence.push(`neither mlir/CMakeLists.txt nor AddMLIRPython.cmake found: the stable-ABI option inferred from LLVM ${version} (>= 23)`);
  } else if (!stableAbiOption) evidence.push(`no MLIR_ENABLE_PYTHON_STABLE_ABI in ${files.filter((f) => existsSync(f)).length} CMake files read`);
  return { version, stableAbiOption, freeThreaded, evidence };
}
