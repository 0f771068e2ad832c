// `mlir-release publish`: a stage sent to GitHub Releases, PyPI, the static index and a conda channel;
// reruns send only what is missing. Secrets come from the environment only.
import { existsSync, mkdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { Command } from "commander";
import type { CliContext } from "./program.js";
import { InvalidInputError } from "../errors.js";
import { HostEnv } from "../exec/host.js";
import type { OptionFlags } from "../options/resolve-options.js";
import { ConsoleProgress } from "../progress.js";
import { publishRelease, type PublishTargets } from "../publish/run.js";
import type { ResolvedOptions } from "../schema/options.js";
import { parseFlag } from "../schema/parse.js";
import { PublishTarget } from "../schema/publish.js";
import { HttpUrl } from "../schema/strings.js";
import { publishedBaseUrl, serveInstruction } from "../site/store.js";
import { creatableDir, existingDir } from "../util/paths.js";
import { githubFlags, githubTarget } from "./github-flags.js";

/** `publish` flags as commander hands them over (the Dagger module builds its argv from this type). */
export interface PublishFlags extends Pick<OptionFlags, "config" | "cache" | "githubRepository" | "githubApiUrl" | "indexRoot"> {
  stage: string;
  targets?: string;
  condaChannel?: string;
  log?: string;
  /** Where the index site is served (absolute URL), for its install lines; kept across republishes. */
  baseUrl?: string;
}

export function register(program: Command, cli: CliContext): void {
  githubFlags(
    program
      .command("publish")
      .description("Publish a stage to GitHub Releases, PyPI, the static index and a conda channel; reruns send only what is missing")
      .requiredOption("--stage <dir>", "stage directory made by `stage`")
      .option("--config <file>", "release.config.json (publish.* and retention)")
      .option("--targets <list>", "comma-separated subset of github,pypi,index,conda (default: every configured one)"),
    "GitHub repository of the releases (overrides publish.github's)",
  )
    .option("--index-root <dir>", "index root directory (overrides publish.index.root)")
    .option("--base-url <url>", "where the index site is served, for its install lines (overrides publish.index.baseUrl; default: the base URL the site was last published with)")
    .option("--conda-channel <dir>", "local conda channel directory (overrides publish.conda.channel)")
    .option("--cache <dir>", "where the log goes by default (default: $MLIR_RELEASE_CACHE, else <repo>/.cache)")
    .option("--log <file>", "full log of the commands run (default: <cache>/logs/publish.log)")
    .action(cli.withOptions(async (opts, o: PublishFlags) => {
      const wanted = wantedTargets(o.targets);
      const log = resolve(o.log ?? join(opts.cacheDir, "logs", "publish.log"));
      // Every input is checked before anything is sent: the stage, the log's folder, each target's configuration.
      const stageDir = existingDir(o.stage, "--stage");
      if (o.baseUrl !== undefined) parseFlag(HttpUrl, o.baseUrl, "--base-url");
      creatableDir(dirname(log), "--log");
      if (existsSync(log) && !statSync(log).isFile()) throw new InvalidInputError(`--log ${log}: is a folder; give a file name`);
      const { targets, skipped } = publishTargets(o, wanted, opts, new HostEnv(log));
      if (targets.conda) mkdirSync(targets.conda.channel, { recursive: true });
      const report = await publishRelease(stageDir, targets, { progress: new ConsoleProgress(), skipped });
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      if (targets.index) {
        const served = publishedBaseUrl(targets.index.root);
        process.stderr.write(`${served ? `index: served at ${served} (its install lines use that URL)` : "index: no base URL yet (--base-url or publish.index.baseUrl): the dashboard shows no install line"}\n${serveInstruction(targets.index.root)}\n`);
      }
    }));
}

/** --targets as a set (default: every target); an unknown name is refused naming the choices. */
function wantedTargets(targets: string | undefined): Set<PublishTarget> {
  return new Set<PublishTarget>(
    (targets ?? "github,pypi,index,conda").split(",").map((t) => {
      const r = PublishTarget.safeParse(t.trim());
      if (!r.success) throw new InvalidInputError(`--targets '${targets}': unknown target '${t}'; give a comma-separated subset of github, pypi, index, conda`);
      return r.data;
    }),
  );
}

/** Each wanted target from flags and config, or the reason it is skipped; nothing is created yet (the conda channel is made by the caller). */
function publishTargets(o: PublishFlags, wanted: ReadonlySet<PublishTarget>, opts: ResolvedOptions, env: HostEnv): { targets: PublishTargets; skipped: Partial<Record<PublishTarget, string>> } {
  const config = opts.config;
  const explicit = o.targets !== undefined;
  const targets: PublishTargets = {};
  const skipped: Partial<Record<PublishTarget, string>> = {};
  if (wanted.has("github")) {
    const g = githubTarget(opts, "GitHub");
    if (g) targets.github = g;
    else skipped.github = "no --github-repository and no publish.github";
  }
  if (wanted.has("pypi")) {
    const p = config.publish.pypi;
    if (p)
      targets.pypi = {
        repositoryUrl: p.repositoryUrl,
        username: p.username,
        twine: join(opts.toolsDir, "bin", "twine"),
        env,
        ...(opts.host.pypiToken ? { token: opts.host.pypiToken } : {}),
        rule: { include: p.include, maxFileBytes: p.maxFileBytes },
        removeInterrupted: p.removeInterrupted,
        ...(p.simpleUrl ? { simpleUrl: p.simpleUrl } : {}),
      };
    else skipped.pypi = "publish.pypi not configured";
  }
  if (wanted.has("index")) {
    const root = opts.indexRoot;
    const ix = config.publish.index;
    // No --base-url and no config key: the store keeps the base URL the live site was rendered with.
    const baseUrl = o.baseUrl ?? ix?.baseUrl;
    if (root) targets.index = { root: creatableDir(root, o.indexRoot ? "--index-root" : "publish.index.root"), ...(baseUrl ? { baseUrl } : {}), ...(ix?.filesUrl ? { filesUrl: ix.filesUrl } : {}) };
    else skipped.index = "no --index-root and no publish.index.root";
  }
  if (wanted.has("conda")) {
    const ch = o.condaChannel ?? config.publish.conda?.channel;
    if (ch && /^[a-z][a-z0-9+.-]*:/i.test(ch)) throw new InvalidInputError(`--conda-channel '${ch}': a local channel folder is expected, not a URL (upload a local channel with your conda tooling)`);
    if (ch) {
      // Made by the caller, once every target's configuration is checked.
      const channel = creatableDir(ch, o.condaChannel ? "--conda-channel" : "publish.conda.channel");
      targets.conda = { channel, workDir: join(dirname(channel), "conda-recipes"), python: join(opts.toolsDir, "bin", "python"), env };
    } else skipped.conda = ch ? `channel ${ch} is not a local directory` : "publish.conda not configured";
  }
  // A target asked for by name that cannot be published to is an error, not "0 changes".
  const missing = Object.entries(skipped);
  if (explicit && missing.length) throw new InvalidInputError(`--targets ${o.targets}: ${missing.map(([t, why]) => `${t}: ${why}`).join("; ")}; configure it or leave it out of --targets`);
  if (!Object.keys(targets).length) throw new InvalidInputError(`publish: no target is configured (${missing.map(([t, why]) => `${t}: ${why}`).join("; ")}); see publish.* in release.config.json`);
  return { targets, skipped };
}
