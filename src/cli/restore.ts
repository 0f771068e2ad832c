// `mlir-release restore <version>`: a pruned snapshot rebuilt from its manifest, checked byte for byte, republished.
import { join, resolve } from "node:path";
import type { Command } from "commander";
import type { CliContext } from "./program.js";
import { HostEnv } from "../exec/host.js";
import type { OptionFlags } from "../options/resolve-options.js";
import { ConsoleProgress } from "../progress.js";
import { restore, type Rebuilder } from "../publish/restore.js";
import { rebuild } from "../rebuild/rebuild.js";
import type { ResolvedOptions } from "../schema/options.js";
import { parseFlag, parseOrExplain } from "../schema/parse.js";
import { PositiveIntText, ReleaseVersionText } from "../schema/strings.js";
import { freshDir, refusalLeavesNothing } from "../util/fresh-dir.js";
import { githubFlags, githubTarget } from "./github-flags.js";
import { hostPlatform } from "./host-platform.js";
import { indexRootOf } from "./index-root.js";

export function register(program: Command, cli: CliContext): void {
  githubFlags(
    program
      .command("restore <version>")
      .description(
        "Bring back a pruned snapshot: rebuild it from its published manifest, refuse unless every artifact's sha256 equals the manifest's, " +
          "then republish the same bytes (index, and the GitHub release with --github-repository or publish.github) and lift the yank",
      )
      .option("--index-root <dir>", "index root holding the pruned release (default: publish.index.root)")
      .option("--config <file>", "release.config.json"),
    "also put the files back on that repository's release",
  )
    .option("--out <dir>", "fresh folder for the rebuilt files (default: a new folder under <cache>/restore)")
    .option("--cache <dir>", "sources, trees, venvs (default: $MLIR_RELEASE_CACHE, else <repo>/.cache)")
    .option("-j, --jobs <n>", "parallel compile jobs")
    .action(cli.withOptions(async (opts, version: string, o: Pick<OptionFlags, "config" | "indexRoot" | "githubRepository" | "githubApiUrl" | "cache"> & { out?: string; jobs?: string }) => {
      const v = parseOrExplain(ReleaseVersionText, version, "version argument");
      const config = opts.config;
      const gh = githubTarget(opts, "GitHub");
      const cache = opts.cacheDir;
      const indexRoot = indexRootOf(opts, "restore");
      const jobs = o.jobs !== undefined ? parseFlag(PositiveIntText, o.jobs, "-j/--jobs") : undefined;
      // Made once restore has checked the index (the manifest, the pruned mark); a later refusal takes it back.
      const base = freshDir(join(cache, "restore"), `${v}-`);
      const r = await refusalLeavesNothing([base], () =>
        restore({
          indexRoot,
          version: v,
          outDir: o.out !== undefined ? resolve(o.out) : () => join(base.path(), "out"),
          rebuild: factoryRebuilder(opts, () => join(base.path(), "work"), jobs),
          ...(gh ? { github: gh } : {}),
          ...(config.publish.index?.baseUrl ? { baseUrl: config.publish.index.baseUrl } : {}),
          ...(config.publish.index?.filesUrl ? { filesUrl: config.publish.index.filesUrl } : {}),
          log: (l) => process.stderr.write(`${l}\n`),
        }),
      );
      process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    }));
}

/** The CLI's rebuilder for `restore`: the wheel factory replaying the manifest on this host. */
function factoryRebuilder(o: ResolvedOptions, work: () => string, jobs?: number): Rebuilder {
  return async (manifestPath, _m, outDir) => {
    const workDir = work();
    const env = new HostEnv(join(workDir, "logs", "restore.log"));
    const progress = new ConsoleProgress();
    progress.info(`full log: ${env.logFile}`);
    const host = hostPlatform();
    const r = await rebuild(manifestPath, { repoRoot: o.repoRoot, cacheDir: o.cacheDir, workDir, outDir, toolsDir: o.toolsDir, ...(jobs ? { jobs } : {}), host: o.host }, env, progress, [host]);
    for (const a of r.artifacts) process.stderr.write(`${a.result.toUpperCase().padEnd(11)} ${a.fileName}${a.firstDifference ? `  first difference: ${a.firstDifference}` : ""}${a.note ? `  (${a.note})` : ""}\n`);
  };
}
