// CPython 3.14 and 3.15 on this Debian 12 host (issue 27): Debian sid ships them as binaries, but
// they need sid's glibc (2.43), so they run from a sid root (containers/sid/root.sh, made by
// ci/setup.d/35-sid.sh with MLIR_RELEASE_SID=1). The wheel is compiled and repaired on the host,
// like every other wheel here (manylinux_2_36: the host's glibc/libstdc++ symbol versions); only
// the interpreter comes from the root — the way the aarch64 cross build borrows an arm64 root's
// python under qemu. Building inside the root instead would give manylinux_2_43 wheels, which no
// released distribution's glibc but sid's can install.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { InvalidInputError } from "../errors.js";
import type { Platform } from "./platform.js";
import { overrideVariable, parsePython } from "./tags.js";

/** The Pythons the sid root provides (containers/sid/root.sh installs exactly these). */
export const SID_PYTHONS = ["3.14", "3.15"] as const;

/** Environment variable naming a prepared sid root. */
export const SID_ROOT_VARIABLE = "MLIR_RELEASE_SID_ROOT";

export const isSidPython = (version: string): boolean => (SID_PYTHONS as readonly string[]).includes(version);

/** What the build uses from the root for one Python (paths root.sh creates). */
export function sidPaths(root: string, version: string): { interpreter: string; includeDir: string } {
  if (!isSidPython(version)) throw new InvalidInputError(`${SID_ROOT_VARIABLE}: the sid root provides CPython ${SID_PYTHONS.join(", ")} only (asked for ${version})`);
  return {
    // The root's python run with the root's loader and libraries on the host (ld.so --argv0 keeps venvs working).
    interpreter: join(root, "usr", "local", "bin", `python${version}`),
    // The root's headers with the x86_64 pyconfig.h in place (Debian's is a multiarch switch).
    includeDir: join(root, "usr", "local", "include", "mlir-release-host", `python${version}`),
  };
}

/**
 * The sid root's interpreters added to a Linux x86_64 module: 3.14/3.15 are found there first
 * (an explicit MLIR_RELEASE_PYTHON_3_14 still wins), and their configure gets the root's headers.
 * Every other Python is the module's own, unchanged.
 */
export function withSidPythons(base: Platform, root: string, exists: (p: string) => boolean = existsSync): Platform {
  if (base.os !== "linux" || base.arch !== "x86_64") throw new InvalidInputError(`${SID_ROOT_VARIABLE}: the sid root's interpreters are x86_64 Linux binaries; ${base.id} cannot use them`);
  if (!exists(join(root, ".mlir-release-sid-root"))) {
    throw new InvalidInputError(`${SID_ROOT_VARIABLE}=${root}: not a prepared sid root (no .mlir-release-sid-root stamp); run MLIR_RELEASE_SID=1 bash ci/setup.sh`);
  }
  const runnerPythons = [...base.runner.pythons];
  for (const v of SID_PYTHONS) if (!runnerPythons.includes(v)) runnerPythons.push(v);
  return {
    ...base,
    runner: { ...base.runner, env: { ...base.runner.env, [SID_ROOT_VARIABLE]: root }, pythons: runnerPythons },
    pythonCandidates: (version, env, listDir) => {
      const own = base.pythonCandidates(version, env, listDir);
      if (!isSidPython(version) || parsePython(version).freeThreaded) return own;
      // An explicit MLIR_RELEASE_PYTHON_3_14 (the module's first candidate) still wins.
      return env[overrideVariable(version)] ? own : [sidPaths(root, version).interpreter, ...own];
    },
    bindingsCmakeDefs: (python, abi) => {
      const defs = base.bindingsCmakeDefs(python, abi);
      if (!isSidPython(python)) return defs;
      const inc = sidPaths(root, python).includeDir;
      return { ...defs, Python_INCLUDE_DIR: inc, Python3_INCLUDE_DIR: inc };
    },
    notes: [
      ...base.notes,
      `CPython ${SID_PYTHONS.join("/")} from the Debian sid root ${root} (its own loader and libc; containers/sid/root.sh): compiled and repaired on this host, so the wheels keep this host's manylinux tag.`,
    ],
  };
}
