#!/usr/bin/env node
// The host CLI: thin, parses input and calls the stages. Each area registers its own commands.
// Errors end as one `error:` line and the exit status of their class (src/errors.ts).
import { fileURLToPath } from "node:url";
import { readFileSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { Command, CommanderError, Help, Option } from "commander";
import { z } from "zod";
import { EXIT, formatError, InternalError, toReleaseError, UsageError } from "./errors.js";
import { createProgram } from "./cli/program.js";
import { configureUsageErrors } from "./cli/usage.js";
import type { Env } from "./options/environment.js";
import { REPO_ROOT } from "./options/resolve-options.js";

const VERSION_FLAGS = ["--version", "-V"];
// Shown in the root's help only: registered as a root option, commander would take `build --version <v>`
// (a build flag) for it too, so main() answers it when it comes before any command.
const versionOption = new Option(`${VERSION_FLAGS[1]}, ${VERSION_FLAGS[0]}`, "print mlir-release's version (package.json) and exit");

/** The tool's version: package.json's `version`. */
export function toolVersion(): string {
  const file = join(REPO_ROOT, "package.json");
  const pkg = z.object({ version: z.string().regex(/^\d+\.\d+\.\d+([-+][0-9A-Za-z.+-]+)?$/) }).safeParse(JSON.parse(readFileSync(file, "utf8")));
  if (!pkg.success) throw new InternalError(`${file}: no semver "version" field (a broken checkout?)`);
  return pkg.data.version;
}

/** The commander program (src/cli/program.ts) with errors turned into exit statuses instead of exits,
 * usage errors in at most three lines on every command (src/cli/usage.ts), written through `write`. */
export function buildProgram(write: (text: string) => void = (t) => void process.stderr.write(t), env: Env = {}): Command {
  const program = createProgram(env).option("--debug", "print the stack of an error (also MLIR_RELEASE_DEBUG=1)");
  program.configureHelp({ visibleOptions: (cmd) => [versionOption, ...Help.prototype.visibleOptions.call(new Help(), cmd)] });
  configureUsageErrors(program, write);
  return program;
}

const debugOn = (argv: readonly string[], env: Env): boolean => argv.includes("--debug") || env["MLIR_RELEASE_DEBUG"] === "1";

/** Runs the CLI on argv (without node and script) in `env` (the process's environment, read here and
 * nowhere else in the CLI); returns the exit status, never throws. */
export async function main(argv: readonly string[], write: (text: string) => void = (t) => void process.stderr.write(t), env: Env = process.env): Promise<number> {
  const before = process.exitCode;
  process.exitCode = undefined;
  try {
    // `mlir-release --version` (before any command; `build --version <v>` is build's flag).
    const first = argv.find((a) => a !== "--debug");
    if (first !== undefined && VERSION_FLAGS.includes(first)) {
      process.stdout.write(`${toolVersion()}\n`);
      return EXIT.ok;
    }
    const program = buildProgram(write, env);
    await program.parseAsync([...argv], { from: "user" });
    const code = typeof process.exitCode === "number" ? process.exitCode : EXIT.ok;
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander printed the error, a did-you-mean and the see-help line already (src/cli/usage.ts);
      // help asked for is not a failure.
      if (err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.code === "commander.help") return EXIT.ok;
      return new UsageError(err.message).exitCode;
    }
    const e = toReleaseError(err);
    write(formatError(e, debugOn(argv, env)));
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
