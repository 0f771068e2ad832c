// A line as a user pastes it: `bash -c`, the venv's bin first on PATH, and the line runs only if
// `pip` is that venv's (a guard, not part of the line).
import { join } from "node:path";
import { execa } from "execa";

interface ShellResult {
  exitCode: number;
  /** stdout and stderr, interleaved. */
  all: string;
}

/**
 * Runs one shell line, `env` over this process's variables, with no stdin. No stdin matters: node's pipes are
 * sockets, and bash with a socket for stdin and SHLVL < 2 (a CI job, a setsid'd shell) sources
 * ~/.bashrc, whose pyenv shims would then come first on PATH.
 */
export async function shellLine(line: string, o: { cwd: string; env: Record<string, string> }): Promise<ShellResult> {
  const r = await execa("bash", ["-c", line], { cwd: o.cwd, env: o.env, stdin: "ignore", all: true, reject: false });
  return { exitCode: r.exitCode ?? -1, all: r.all ?? "" };
}

/** Status 97: the guard found another `pip` first on PATH. */
export const NOT_THE_VENVS_PIP = 97;

/**
 * Pastes `line` into a shell where the venv at `venv` is active. `env` adds variables (an index URL);
 * PATH is the venv's bin, then `basePath` (the system's, by default, never this process's).
 */
export async function pasteIntoVenv(venv: string, line: string, o: { cwd: string; env?: Record<string, string>; basePath?: string }): Promise<ShellResult> {
  const bin = join(venv, "bin");
  const guard = `[ "$(command -v pip)" = "${join(bin, "pip")}" ] || { echo "pip is $(command -v pip), not the venv's" >&2; exit ${NOT_THE_VENVS_PIP}; }`;
  const env = { ...o.env, PATH: `${bin}:${o.basePath ?? "/usr/bin:/bin"}`, VIRTUAL_ENV: venv };
  return shellLine(`${guard}\n${line}`, { cwd: o.cwd, env });
}
