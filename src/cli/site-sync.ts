// `mlir-release site-sync`: the index rebuilt from the GitHub releases that carry a manifest.json.
import { resolve } from "node:path";
import type { Command } from "commander";
import type { CliContext } from "./program.js";
import { InvalidInputError } from "../errors.js";
import type { OptionFlags } from "../options/resolve-options.js";
import { syncIndexFromGithub } from "../publish/site-sync.js";
import { parseFlag } from "../schema/parse.js";
import { HttpUrl } from "../schema/strings.js";
import { creatableDir } from "../util/paths.js";
import { githubFlags, githubTarget } from "./github-flags.js";
import { indexRootOf, INDEX_ROOT_HELP } from "./index-root.js";

/** `site-sync` flags as commander hands them over. */
export interface SiteSyncFlags extends Pick<OptionFlags, "config" | "githubRepository" | "githubApiUrl" | "indexRoot"> {
  out?: string;
  baseUrl?: string;
  prune: boolean;
}


export function register(program: Command, cli: CliContext): void {
  githubFlags(
    program
      .command("site-sync")
      .description("Rebuild the index from the GitHub releases that carry a manifest.json (complete ones), regenerate the site, optionally copy it out for GitHub Pages")
      .option("--index-root <dir>", INDEX_ROOT_HELP),
    "repository of the releases (default: publish.github's)",
  )
    .option("--config <file>", "release.config.json")
    .option("--out <dir>", "copy the live site here as plain files (the GitHub Pages tree)")
    .option("--base-url <url>", "where the site is served (default: publish.index.baseUrl)")
    .option("--prune", "apply retention (release.config.json retention): thinned snapshots lose their files and stay listed as yanked, restorable", false)
    .action(cli.withOptions(async (opts, f: SiteSyncFlags) => {
      const config = opts.config;
      const gh = githubTarget(opts, "GitHub");
      if (!gh) throw new InvalidInputError("site-sync: no --github-repository and no publish.github in the config");
      // Download links: GITHUB_SERVER_URL, else the public site (resolved once).
      const o = { ...f, index: creatableDir(indexRootOf(opts, "site-sync"), "--index-root"), serverUrl: parseFlag(HttpUrl, opts.github.serverUrl, "GITHUB_SERVER_URL") };
      if (o.out !== undefined) creatableDir(o.out, "--out");
      if (o.baseUrl !== undefined) parseFlag(HttpUrl, o.baseUrl, "--base-url");
      const baseUrl = o.baseUrl ?? config.publish.index?.baseUrl;
      const filesUrl = config.publish.index?.filesUrl;
      const r = await syncIndexFromGithub(o.index, gh, {
        ...(baseUrl ? { baseUrl } : {}),
        ...(filesUrl ? { filesUrl } : {}),
        serverUrl: o.serverUrl,
        ...(o.out ? { outDir: resolve(o.out) } : {}),
        ...(o.prune ? { prune: { policy: config.retention, log: (l: string) => process.stderr.write(`${l}\n`) } } : {}),
      });
      for (const s of r.skipped) process.stderr.write(`site-sync: skipped ${s.tag}: ${s.reason}\n`);
      process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    }));
}
