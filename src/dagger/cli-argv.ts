// The one function that turns an option object into the CLI's argv inside the containers. Keys are
// the CLI's own flag types (commander attribute names, imported as types from src/cli/), so a
// renamed field fails to compile here, and test/unit/dagger-argv.test.ts checks every argv the
// module builds against the CLI's real commander option table, so a renamed flag fails a test.
import type { BuildFlags } from "../cli/build-commands.js";
import type { RebuildFlags, SelectFlags } from "../cli/plan-commands.js";
import type { PublishFlags } from "../cli/publish.js";
import type { SiteSyncFlags } from "../cli/site-sync.js";
import type { BuildFlags as DownstreamBuildFlags } from "../cli/downstream.js";

/** The CLI commands the Dagger module runs, with the flags each accepts. */
interface CliFlags {
  build: BuildFlags;
  plan: SelectFlags;
  rebuild: RebuildFlags;
  publish: PublishFlags;
  "site-sync": SiteSyncFlags;
  "downstream build": DownstreamBuildFlags;
}

const CLI_ENTRY = ["node", "bin/mlir-release.mjs"] as const;

/** commander's attribute name back to its long flag: githubRepository → --github-repository. */
export const flagOf = (attribute: string): string => `--${attribute.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

type FlagValue = string | number | boolean | readonly string[] | undefined;

/**
 * `node bin/mlir-release.mjs <command> [positionals] --flag value ...` in the key order of `flags`
 * (a command group's subcommand is a second word: "downstream build"):
 * a string or number is one value, a list several (variadic), true the bare flag, false `--no-<flag>`,
 * undefined nothing.
 */
export function cliArgv<C extends keyof CliFlags>(command: C, flags: { [K in keyof CliFlags[C]]?: CliFlags[C][K] }, positionals: readonly string[] = []): string[] {
  const out: string[] = [...CLI_ENTRY, ...command.split(" "), ...positionals];
  for (const [key, value] of Object.entries(flags) as Array<[string, FlagValue]>) {
    if (value === undefined) continue;
    if (value === true) out.push(flagOf(key));
    else if (value === false) out.push(`--no-${flagOf(key).slice(2)}`);
    else if (Array.isArray(value)) out.push(flagOf(key), ...value);
    else out.push(flagOf(key), String(value));
  }
  return out;
}
