// How each OS family lays out what a build touches: path joins, venvs, executables, shared objects,
// and where CI keeps the tools venv and the cache. Data a platform module carries (Platform.conventions),
// so the plan asks the platform instead of branching on its OS.
import { type PlatformPath, posix, win32 } from "node:path";

export interface OsConventions {
  /** Path joins of the build machine. */
  path: PlatformPath;
  /** A venv's program folder (bin, Scripts) and its programs' suffix (.exe on Windows). */
  venvBin: "bin" | "Scripts";
  exe: "" | ".exe";
  /** find -name patterns of the shared objects the strip step touches. */
  sharedObjects: string[];
  /** On CI: the tools venv (MLIR_RELEASE_TOOLS) and the cache of a platform this machine does not build. */
  ci: { toolsDir: string; cacheDir: string };
}

export const LINUX_CONVENTIONS: OsConventions = {
  path: posix,
  venvBin: "bin",
  exe: "",
  sharedObjects: ["*.so", "*.so.*"],
  // The images' tools venv (containers/provision).
  ci: { toolsDir: "/opt/mlir-release-tools", cacheDir: "$RUNNER_TEMP/mlir-release/cache" },
};

export const MACOS_CONVENTIONS: OsConventions = {
  path: posix,
  venvBin: "bin",
  exe: "",
  sharedObjects: ["*.so", "*.dylib"],
  ci: { toolsDir: "$GITHUB_WORKSPACE/.cache/tools", cacheDir: "$RUNNER_TEMP/mlir-release/cache" },
};

export const WINDOWS_CONVENTIONS: OsConventions = {
  path: win32,
  venvBin: "Scripts",
  exe: ".exe",
  sharedObjects: ["*.dll", "*.pyd"],
  ci: { toolsDir: "$GITHUB_WORKSPACE\\.cache\\tools", cacheDir: "C:\\mr" },
};

/** A program in a venv (or the tools venv): <dir>/bin/<name>, <dir>\Scripts\<name>.exe. */
export const venvProgram = (c: OsConventions, dir: string, name: string): string => c.path.join(dir, c.venvBin, `${name}${c.exe}`);
