import { appendFileSync, mkdirSync } from "node:fs";
import { InternalError } from "../errors.js";
import { dirname } from "node:path";
import { execa } from "execa";
import { CommandFailedError, type ExecEnv, type RunOptions, type RunResult, shellLine } from "./env.js";

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
    const exitCode = r.exitCode ?? (r.signal ? 128 : 1);
    if (exitCode !== 0 || r.failed) {
      throw new CommandFailedError(argv, exitCode, this.logFile, tail.join("\n"));
    }
    return { stdout, exitCode };
  }
}
