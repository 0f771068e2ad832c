#!/usr/bin/env node
// The host CLI: thin, parses input and calls the stages. Each area registers its own commands.
// Errors end as one `error:` line and the exit status of their class (src/errors.ts).
import { fileURLToPath } from "node:url";
import { realpathSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { EXIT, formatError, toReleaseError, UsageError } from "./errors.js";
import { createProgram } from "./cli/program.js";

/** The commander program (src/cli/program.ts) with errors turned into exit statuses instead of exits. */
export function buildProgram(): Command {
  const program = createProgram().option("--debug", "print the stack of an error (also MLIR_RELEASE_DEBUG=1)").showHelpAfterError("(run with --help for usage)").exitOverride();
  for (const c of program.commands) c.exitOverride();
  return program;
}

const debugOn = (argv: readonly string[]): boolean => argv.includes("--debug") || process.env["MLIR_RELEASE_DEBUG"] === "1";

/** Runs the CLI on argv (without node and script); returns the exit status, never throws. */
export async function main(argv: readonly string[], write: (text: string) => void = (t) => void process.stderr.write(t)): Promise<number> {
  const program = buildProgram();
  program.configureOutput({ writeErr: write });
  const before = process.exitCode;
  process.exitCode = undefined;
  try {
    await program.parseAsync([...argv], { from: "user" });
    const code = typeof process.exitCode === "number" ? process.exitCode : EXIT.ok;
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander printed its own one-line `error: ...` already; help and --version are not failures.
      if (err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.code === "commander.help") return EXIT.ok;
      return new UsageError(err.message).exitCode;
    }
    const e = toReleaseError(err);
    write(formatError(e, debugOn(argv)));
    return e.exitCode;
  } finally {
    process.exitCode = before;
  }
}

const invokedDirectly = (() => {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
})();

if (invokedDirectly) {
  const code = await main(process.argv.slice(2));
  // Let pending output drain, then exit with the class's status.
  process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
}
