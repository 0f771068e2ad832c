// The GitHub repository + API flags several commands share (publish, site-sync, prune, restore,
// layer-store, plan/select), and the resolved target with its token: one help text, one lookup.
import type { Command } from "commander";
import { requireGithubToken } from "../options/resolve-options.js";
import type { GithubOptions } from "../publish/github.js";
import type { ResolvedOptions } from "../schema/options.js";

const GITHUB_API_HELP = "GitHub API base URL (default: $GITHUB_API_URL, publish.github.apiUrl, the public API)";

/** Adds `--github-repository` (with what the repository is for this command) and `--github-api-url`. */
export function githubFlags(c: Command, repositoryHelp: string): Command {
  return c.option("--github-repository <owner/name>", repositoryHelp).option("--github-api-url <url>", GITHUB_API_HELP);
}

/** The repository of the resolved options (--github-repository, else publish.github) with its token; undefined when neither names one. */
export function githubTarget(o: ResolvedOptions, what: string): GithubOptions | undefined {
  const where = o.github.repository;
  if (!where) return undefined;
  const token = requireGithubToken(o, `${what} ${where.owner}/${where.repo}`);
  const apiUrl = o.github.apiUrl;
  return { token, ...where, tagPrefix: o.github.tagPrefix, ...(apiUrl ? { apiUrl } : {}), log: (l) => process.stderr.write(`${l}\n`) };
}
