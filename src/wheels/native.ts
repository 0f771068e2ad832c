// One native wheel per platform (issue 17 item 3): the Python-independent part of the bindings —
// the aggregate C API library and MLIR's runtime libraries (plus what the repair tool grafts for
// them) — goes into `<distribution>-native`, a py3-none-<platform> wheel that every per-Python
// wheel requires with `==<version>`. The per-Python wheel keeps the extension modules, nanobind's
// and the Python support library, and the Python sources.
//
// Layout: the native wheel installs its libraries into the same package directory,
// `mlir/_mlir_libs/`, that the per-Python wheel's extensions live in (two distributions may own
// files in one directory, as the nvidia-* wheels share `nvidia/`). So the loaders keep working
// unchanged: Linux RUNPATH `$ORIGIN`, macOS `@loader_path`, and Windows' search of the loading
// extension's own directory (Python >= 3.8 loads extensions with LOAD_LIBRARY_SEARCH_DLL_LOAD_DIR);
// the runtime libraries keep the paths downstream code looks for; and pip uninstall of one
// distribution removes only the files its RECORD lists. The repair of the per-Python wheel is told
// to exclude the native libraries (auditwheel/delocate/delvewheel `--exclude`).
import { nativeDistribution } from "../platforms/tags.js";
import { RUNTIME_LIBRARIES, RUNTIME_LIBRARY_SUBDIR, runtimeLibraryFileName } from "./runtime-libs.js";

type OsFamily = "linux" | "macos" | "windows";

export { nativeDistribution } from "../platforms/tags.js";

/** The per-Python wheel's requirement on its platform's native wheel (same version, exactly). */
export const nativeRequirement = (distribution: string, version: string): string => `${nativeDistribution(distribution)}==${version}`;

/** The aggregate C API library's file name as the build installs it (Linux carries its SONAME version). */
function capiLibraryPattern(os: OsFamily): RegExp {
  return os === "windows" ? /^MLIRPythonCAPI\.dll$/ : os === "macos" ? /^libMLIRPythonCAPI(\.\d+)*\.dylib$/ : /^libMLIRPythonCAPI\.so(\.\d+)*$/;
}

/** Whether a wheel member (path inside the wheel, `/`-separated) belongs to the native wheel. */
export function isNativeMember(name: string, os: OsFamily, pkg = "mlir"): boolean {
  const dir = `${pkg}/${RUNTIME_LIBRARY_SUBDIR}/`;
  if (!name.startsWith(dir)) return false;
  const base = name.slice(dir.length);
  if (base.includes("/")) return false;
  if (capiLibraryPattern(os).test(base)) return true;
  return RUNTIME_LIBRARIES.some((r) => runtimeLibraryFileName(r, os) === base);
}

/** Splits a package's files into the native wheel's and the per-Python wheel's (order kept). */
export function splitMembers<T extends { name: string }>(files: readonly T[], os: OsFamily, pkg = "mlir"): { native: T[]; python: T[] } {
  const native: T[] = [];
  const python: T[] = [];
  for (const f of files) (isNativeMember(f.name, os, pkg) ? native : python).push(f);
  return { native, python };
}
