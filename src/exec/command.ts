// Commands run for what they print or to change one file, outside a build log: readelf, nm, patchelf,
// g++ (the tools wheel), git (history, the pipeline's revision), zstd -dc (an archive's members).
// Build steps go through an ExecEnv (src/exec/host.ts) instead, which logs every line; these are the
// few calls whose output is data. execa is imported here and in host.ts only.
import { execa, execaSync } from "execa";
import { InternalError } from "../errors.js";

interface CommandOptions {
  cwd?: string;
  /** Variables added to (or replacing in) this process's environment for the child. */
  env?: Record<string, string | undefined>;
  /** Stdin text. */
  input?: string;
}

/** How a command ended when its status is an answer (git rev-parse, cat-file), not a failure. */
interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

// No stdin unless given: node's stdio pipes are sockets, and a bash child whose stdin is a socket
// sources ~/.bashrc when SHLVL < 2 (a shell started by a service, CI, setsid), so a user's rc file
// (pyenv's shims first on PATH) would change what the command finds.
const withStdin = (o: CommandOptions) => (o.input !== undefined ? o : { ...o, stdin: "ignore" as const });

const argvOf = (argv: readonly string[]): [string, string[]] => {
  const [file, ...args] = argv;
  if (!file) throw new InternalError("command: empty argv");
  return [file, args];
};

/** Runs argv and returns its stdout (final newline stripped); a non-zero exit rejects with execa's error (command, status, stderr). */
export async function commandOutput(argv: readonly string[], o: CommandOptions = {}): Promise<string> {
  const [file, args] = argvOf(argv);
  return (await execa(file, args, withStdin(o))).stdout;
}

/** Runs argv for its effect (patchelf, a compiler); a non-zero exit rejects as commandOutput's does. */
export async function runCommand(argv: readonly string[], o: CommandOptions = {}): Promise<void> {
  await commandOutput(argv, o);
}

/** Runs argv and returns how it ended without rejecting on its status (stdout kept verbatim, final newline included). */
export async function commandResult(argv: readonly string[], o: CommandOptions = {}): Promise<CommandResult> {
  const [file, args] = argvOf(argv);
  const r = await execa(file, args, { ...withStdin(o), reject: false, stripFinalNewline: false });
  return { exitCode: r.exitCode ?? 1, stdout: r.stdout, stderr: r.stderr };
}

/** commandOutput, synchronously (for the few synchronous callers: the pipeline's git revision). */
export function commandOutputSync(argv: readonly string[], o: CommandOptions = {}): string {
  const [file, args] = argvOf(argv);
  return execaSync(file, args, withStdin(o)).stdout;
}

/** stdout as bytes, synchronously (a decompressor's output): up to maxBytes. */
export function commandBytesSync(argv: readonly string[], maxBytes: number): Buffer<ArrayBuffer> {
  const [file, args] = argvOf(argv);
  return Buffer.from(execaSync(file, args, { stdin: "ignore", encoding: "buffer", maxBuffer: maxBytes }).stdout);
}
