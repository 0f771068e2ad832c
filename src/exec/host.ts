import { appendFileSync, mkdirSync } from "node:fs";
import { InternalError } from "../errors.js";
import { dirname } from "node:path";
import { constants } from "node:os";
import { execa } from "execa";
import { CommandFailedError, type ExecEnv, type RunOptions, type RunResult, shellLine } from "./env.js";

/** A shell's status for how a command ended: its exit code, 128 + n when signal n killed it,
 * 127 when it could not be found, 126 when it could not be run. */
function statusOf(r: { exitCode?: number | undefined; signal?: string | undefined; code?: string | undefined }): number {
  if (r.exitCode !== undefined) return r.exitCode;
  if (r.signal) return 128 + (constants.signals[r.signal as keyof typeof constants.signals] ?? 0);
  return r.code === "ENOENT" ? 127 : 126;
}

/** Runs commands on this machine, teeing all output into one log file. */
export class HostEnv implements ExecEnv {
  readonly name = "host";
  // The log's folder is made by the first command, not here: a command refused for its input
  // before anything runs leaves no folder behind.
  constructor(readonly logFile: string) {}

  async run(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
    const [file, ...args] = argv;
    if (!file) throw new InternalError("run: empty argv");
    mkdirSync(dirname(this.logFile), { recursive: true });
    appendFileSync(this.logFile, `
$ ${opts.cwd ? `(cd ${opts.cwd}) ` : ""}${shellLine(argv)}
`);
    const tail: string[] = [];
    const proc = execa(file, args, {
      cwd: opts.cwd,
      env: opts.env,
      extendEnv: true,
      all: true,
      reject: false,
      stripFinalNewline: false,
      ...(opts.input !== undefined ? { input: opts.input } : { stdin: "ignore" as const }),
    });
    let stdout = "";
    if (opts.capture) proc.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
    let pending = "";
    proc.all?.on("data", (d: Buffer) => {
      const text = d.toString();
      appendFileSync(this.logFile, text);
      pending += text;
      const lines = pending.split(/\r?\n|\r/);
      pending = lines.pop() ?? "";
      for (const line of lines) {
        tail.push(line);
        if (tail.length > 40) tail.shift();
        opts.onLine?.(line);
      }
    });
    const r = await proc;
    if (pending) {
      tail.push(pending);
      opts.onLine?.(pending);
    }
    if (statusOf(r) !== 0 || r.failed) {
      // A command that could not start (not found, not executable) says why in the log and the tail.
      if (r.exitCode === undefined && !r.signal && r.shortMessage) {
        appendFileSync(this.logFile, `${r.shortMessage}\n`);
        tail.push(r.shortMessage);
      }
      throw new CommandFailedError(argv, statusOf(r), this.logFile, tail.join("\n"), r.signal ?? undefined);
    }
    return { stdout, exitCode: 0 };
  }
}
