// The real CLI (src/cli.ts main) run in this process with a fake argv: stdout/stderr captured,
// the exit status returned. Many cases per second instead of one node spawn per case.
import { main } from "../../src/cli.js";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

let queue: Promise<unknown> = Promise.resolve();

/** Runs one CLI invocation; invocations are serialized (they share process.stdout/stderr). */
export function runCli(argv: readonly string[], opts: { env?: Record<string, string | undefined>; cwd?: string } = {}): Promise<CliRun> {
  const run = async (): Promise<CliRun> => {
    let stdout = "";
    let stderr = "";
    const out = process.stdout.write.bind(process.stdout);
    const err = process.stderr.write.bind(process.stderr);
    const saved: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(opts.env ?? {})) {
      saved[k] = process.env[k];
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    const cwd = process.cwd();
    if (opts.cwd) process.chdir(opts.cwd);
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      stdout += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString();
      const cb = rest.find((r) => typeof r === "function") as (() => void) | undefined;
      cb?.();
      return true;
    }) as typeof process.stdout.write;
    process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      stderr += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString();
      const cb = rest.find((r) => typeof r === "function") as (() => void) | undefined;
      cb?.();
      return true;
    }) as typeof process.stderr.write;
    try {
      const code = await main(argv, (t) => void (stderr += t));
      return { code, stdout, stderr };
    } finally {
      process.stdout.write = out;
      process.stderr.write = err;
      process.chdir(cwd);
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  };
  const p = queue.then(run, run);
  queue = p.catch(() => undefined);
  return p;
}

/** The failure contract of every bad input: a documented non-zero status, one `error:` line, no stack. */
export function failureShape(r: CliRun): { errorLines: number; stack: boolean } {
  const lines = r.stderr.split("\n");
  return {
    errorLines: lines.filter((l) => l.startsWith("error:")).length,
    stack: lines.some((l) => /^\s+at .+[(:]/.test(l)) || /ZodError|"code":\s*"invalid_/.test(r.stderr),
  };
}

/** Runs one CLI invocation that must succeed (exit 0); otherwise throws with its stderr, as a failed spawn would. */
export async function runCliOk(argv: readonly string[], opts: { env?: Record<string, string | undefined>; cwd?: string } = {}): Promise<CliRun> {
  const r = await runCli(argv, opts);
  if (r.code !== 0) throw new Error(`mlir-release ${argv.join(" ")} exited ${r.code}:\n${r.stderr}`);
  return r;
}
