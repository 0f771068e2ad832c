// `mlir-release prune`: retention (thin old snapshots; a pruned one stays listed as yanked, restorable).
import type { Command } from "commander";
import type { CliContext } from "./program.js";
import { InvalidInputError } from "../errors.js";
import type { OptionFlags } from "../options/resolve-options.js";
import { prune } from "../publish/retention.js";
import { UtcDay } from "../schema/strings.js";
import { existingDir } from "../util/paths.js";
import { githubFlags, githubTarget } from "./github-flags.js";
import { indexRootOf, INDEX_ROOT_HELP } from "./index-root.js";

export function register(program: Command, cli: CliContext): void {
  githubFlags(
    program
      .command("prune")
      .description(
        "Thin old snapshots (retention: every one for allDays, the newest of each week until weeklyDays, then the newest of each month; numbered releases forever). " +
          "A pruned snapshot loses its files but stays listed as yanked and restorable with `restore`. A dry run unless --apply",
      )
      .option("--index-root <dir>", INDEX_ROOT_HELP)
      .option("--config <file>", "release.config.json")
      .option("--now <date>", "measure ages at this UTC date (YYYY-MM-DD; default: today)")
      .option("--apply", "really prune (default: only print what would be pruned)", false),
    "also prune the releases there: artifacts deleted, manifest.json and metadata kept (overrides publish.github's)",
  )
    .action(cli.withOptions(async (opts, o: Pick<OptionFlags, "config" | "indexRoot" | "githubRepository" | "githubApiUrl"> & { now?: string; apply: boolean }) => {
      const config = opts.config;
      const gh = o.apply ? githubTarget(opts, "GitHub") : undefined;
      const r = await prune({
        indexRoot: existingDir(indexRootOf(opts, "prune"), "--index-root"),
        policy: config.retention,
        ...(o.now !== undefined ? { now: parseDay(o.now, "--now") } : {}),
        apply: o.apply,
        ...(gh ? { github: gh } : {}),
        ...(config.publish.index?.baseUrl ? { baseUrl: config.publish.index.baseUrl } : {}),
        ...(config.publish.index?.filesUrl ? { filesUrl: config.publish.index.filesUrl } : {}),
        log: (l) => process.stderr.write(`${l}\n`),
      });
      process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    }));
}

/** A YYYY-MM-DD flag as a UTC date (validated by the one schema of days). */
function parseDay(value: string, flag: string): Date {
  const r = UtcDay.safeParse(value);
  if (!r.success) throw new InvalidInputError(`${flag} '${value}': expected a UTC date YYYY-MM-DD`);
  return new Date(`${r.data}T00:00:00Z`);
}
