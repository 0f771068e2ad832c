// `mlir-release site`: regenerate an index root's static site (PEP 503/691/658, dashboard), atomically.
import { join } from "node:path";
import type { Command } from "commander";
import type { CliContext } from "./program.js";
import type { OptionFlags } from "../options/resolve-options.js";
import { parseFlag } from "../schema/parse.js";
import { HttpUrl, HttpUrlTemplate } from "../schema/strings.js";
import { regenerate, serveInstruction } from "../site/store.js";
import { existingDir } from "../util/paths.js";
import { indexRootOf, INDEX_ROOT_HELP } from "./index-root.js";

export function register(program: Command, cli: CliContext): void {
  program
    .command("site")
    .description("Regenerate the static index site (PEP 503/691/658, dashboard) of an index root, atomically")
    .option("--index-root <dir>", INDEX_ROOT_HELP)
    .option("--config <file>", "release.config.json")
    .option("--base-url <url>", "where the site is served (for the install hint)")
    .option("--files-url <template>", "link files at this URL ({version}, {file}) instead of hosting them")
    .action(cli.withOptions(async (opts, o: Pick<OptionFlags, "config" | "indexRoot"> & { baseUrl?: string; filesUrl?: string }) => {
      const root = existingDir(indexRootOf(opts, "site"), "--index-root");
      if (o.baseUrl !== undefined) parseFlag(HttpUrl, o.baseUrl, "--base-url");
      if (o.filesUrl !== undefined) parseFlag(HttpUrlTemplate, o.filesUrl, "--files-url");
      const config = opts.config;
      const baseUrl = o.baseUrl ?? config.publish.index?.baseUrl;
      const gen = await regenerate(root, { ...(baseUrl ? { baseUrl } : {}), ...(o.filesUrl ? { filesUrl: o.filesUrl } : {}), log: (l) => process.stderr.write(`${l}\n`) });
      process.stdout.write(`site: ${join(root, "site")} -> ${gen}\n`);
      process.stderr.write(`${serveInstruction(root)}\n`);
    }));
}
