// Usage errors as a well-kept CLI answers them, on every command however deeply nested: the error,
// commander's did-you-mean when one fits, and one `see 'mlir-release <cmd> --help'` line; never the
// whole help text. main() (src/cli.ts) turns the CommanderError into UsageError's exit status.
import type { Command } from "commander";
import { EXIT } from "../errors.js";
import { didYouMean } from "../options/config.js";

/** The command's full path as typed: `mlir-release downstream build`. */
export const commandPath = (cmd: Command): string => {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(" ");
};

/** The line printed after a usage error of `cmd`. */
const seeHelpLine = (cmd: Command): string => `see '${commandPath(cmd)} --help'`;

/**
 * Configures `program` and every subcommand below it: exits become CommanderErrors (exitOverride),
 * errors go to `writeErr`, a usage error ends with the see-help line, and a command group called
 * without its subcommand (`mlir-release downstream`) is a usage error naming the subcommands.
 * Commander copies these settings into a subcommand only when it is created, so they are set here
 * on each command after the areas have registered theirs.
 */
export function configureUsageErrors(program: Command, writeErr: (text: string) => void): void {
  const visit = (cmd: Command): void => {
    cmd.exitOverride().configureOutput({ writeErr }).showHelpAfterError(seeHelpLine(cmd)).showSuggestionAfterError(true);
    // Commander prints the whole help to stderr for a group without its subcommand and for
    // `help <unknown>`; the bare root keeps that (`mlir-release` alone asks what there is), the rest
    // answer in two or three lines instead.
    if (cmd.commands.length) {
      cmd.on("beforeHelp", (ctx: { error: boolean }) => {
        if (!ctx.error) return;
        const names = cmd.commands.map((c) => c.name());
        const asked = cmd.args[0] === "help" ? cmd.args[1] : undefined;
        if (asked !== undefined) {
          const near = didYouMean(asked, names);
          cmd.error(`error: unknown command '${asked}'${near ? `\n(Did you mean ${near}?)` : ""}`, { code: "commander.unknownCommand", exitCode: EXIT.usage });
        }
        if (!cmd.parent) return;
        cmd.error(`error: missing command for '${commandPath(cmd)}': one of ${names.join(", ")}`, { code: "mlir-release.missingCommand", exitCode: EXIT.usage });
      });
    }
    for (const sub of cmd.commands) visit(sub);
  };
  visit(program);
}
