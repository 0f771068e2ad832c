// `mlir-release stage | site | publish | prune`: thin wrappers over the stage, site and
// publish modules. Secrets come from the environment only.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { Command } from "commander";
import { HostEnv } from "../exec/host.js";
import { type OptionFlags, resolveOptions } from "../options/resolve.js";
import { ConsoleProgress } from "../progress.js";
import { InvalidInputError } from "../errors.js";
import { type ResolvedOptions } from "../schema/options.js";
import { parseFlag, parseOrExplain } from "../schema/parse.js";
import { ReleasePlan } from "../schema/plan.js";
import { PlatformId } from "../schema/platform.js";
import { PublishTarget } from "../schema/publish.js";
import { HttpUrl, HttpUrlTemplate, PositiveIntText, ReleaseVersionText, UtcDay } from "../schema/strings.js";
import { writeManifest } from "../plan/manifest.js";
import { promoteRelease, promotionBlockers, verifyPromoted } from "../rebuild/promote.js";
import { creatableDir, existingDir } from "../util/paths.js";
import { freshDir, newDir, refusalLeavesNothing } from "../util/fresh-dir.js";
import { rebuild } from "../rebuild/rebuild.js";
import { restore, type Rebuilder } from "../publish/restore.js";
import { syncIndexFromGithub } from "../publish/site-sync.js";
import { publishedBaseUrl, regenerate, serveInstruction } from "../site/store.js";
import { loadStage, readManifestFile, writeStage } from "../stage/stage.js";
import { collectForPypi } from "../publish/pypi.js";
import { githubFlags, githubTarget } from "./github-flags.js";
import { prune } from "../publish/retention.js";
import { publishRelease, type PublishTargets } from "../publish/run.js";

/** The index root of the resolved options, or a one-line error. */
function indexRootOf(o: ResolvedOptions, command: string): string {
  if (!o.indexRoot) throw new InvalidInputError(`${command}: no --index-root and no publish.index.root in the config`);
  return o.indexRoot;
}

/** `publish` flags as commander hands them over (the Dagger module builds its argv from this type). */
export interface PublishFlags extends Pick<OptionFlags, "config" | "cache" | "githubRepository" | "githubApiUrl" | "indexRoot"> {
  stage: string;
  targets?: string;
  condaChannel?: string;
  log?: string;
  /** Where the index site is served (absolute URL), for its install lines; kept across republishes. */
  baseUrl?: string;
}

/** `site-sync` flags as commander hands them over. */
export interface SiteSyncFlags extends Pick<OptionFlags, "config" | "githubRepository" | "githubApiUrl" | "indexRoot"> {
  out?: string;
  baseUrl?: string;
  prune: boolean;
}

const INDEX_ROOT_HELP = "index root, holds store/ and the site link (default: publish.index.root)";

export function register(program: Command): void {
  registerPromote(program);
  program
    .command("stage")
    .description("Stage a release directory (artifacts, manifest.json, SHA256SUMS, RELEASE_NOTES.md) after checking every file")
    .requiredOption("--manifest <file...>", "manifest(s) of the release (one per platform build is fine)")
    .requiredOption("--artifacts <dir>", "directory holding the files the manifests list")
    .requiredOption("--out <dir>", "stage directory to create")
    .option("--previous <manifest>", "manifest of the previous release of the same kind (for the notes' commit range)")
    .action(async (o: { manifest: string[]; artifacts: string; out: string; previous?: string }) => {
      const r = await writeStage({
        manifests: o.manifest.map(readManifestFile),
        artifactsDir: resolve(o.artifacts),
        outDir: resolve(o.out),
        ...(o.previous ? { previous: readManifestFile(o.previous) } : {}),
      });
      process.stdout.write(`${r.reused ? "already staged" : "staged"} ${r.manifest.plan.version}: ${r.manifest.artifacts.length} artifacts in ${r.dir}\n`);
    });

  program
    .command("site")
    .description("Regenerate the static index site (PEP 503/691/658, dashboard) of an index root, atomically")
    .option("--index-root <dir>", INDEX_ROOT_HELP)
    .option("--config <file>", "release.config.json")
    .option("--base-url <url>", "where the site is served (for the install hint)")
    .option("--files-url <template>", "link files at this URL ({version}, {file}) instead of hosting them")
    .action(async (o: Pick<OptionFlags, "config" | "indexRoot"> & { baseUrl?: string; filesUrl?: string }) => {
      const root = existingDir(indexRootOf(resolveOptions(o), "site"), "--index-root");
      if (o.baseUrl !== undefined) parseFlag(HttpUrl, o.baseUrl, "--base-url");
      if (o.filesUrl !== undefined) parseFlag(HttpUrlTemplate, o.filesUrl, "--files-url");
      const config = resolveOptions(o).config;
      const baseUrl = o.baseUrl ?? config.publish.index?.baseUrl;
      const gen = await regenerate(root, { ...(baseUrl ? { baseUrl } : {}), ...(o.filesUrl ? { filesUrl: o.filesUrl } : {}), log: (l) => process.stderr.write(`${l}\n`) });
      process.stdout.write(`site: ${join(root, "site")} -> ${gen}\n`);
      process.stderr.write(`${serveInstruction(root)}\n`);
    });

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
    .action(async (f: SiteSyncFlags) => {
      const opts = resolveOptions(f);
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
    });

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
    .action(async (o: PublishFlags) => {
      const opts = resolveOptions(o);
      const config = opts.config;
      const explicit = o.targets !== undefined;
      const wanted = new Set<PublishTarget>(
        (o.targets ?? "github,pypi,index,conda").split(",").map((t) => {
          const r = PublishTarget.safeParse(t.trim());
          if (!r.success) throw new InvalidInputError(`--targets '${o.targets}': unknown target '${t}'; give a comma-separated subset of github, pypi, index, conda`);
          return r.data;
        }),
      );
      const log = resolve(o.log ?? join(opts.cacheDir, "logs", "publish.log"));
      // Every input is checked before anything is sent: the stage, the log's folder, each target's configuration.
      const stageDir = existingDir(o.stage, "--stage");
      if (o.baseUrl !== undefined) parseFlag(HttpUrl, o.baseUrl, "--base-url");
      creatableDir(dirname(log), "--log");
      if (existsSync(log) && !statSync(log).isFile()) throw new InvalidInputError(`--log ${log}: is a folder; give a file name`);
      const env = new HostEnv(log);
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
          // Made below, once every target's configuration is checked.
          const channel = creatableDir(ch, o.condaChannel ? "--conda-channel" : "publish.conda.channel");
          targets.conda = { channel, workDir: join(dirname(channel), "conda-recipes"), python: join(opts.toolsDir, "bin", "python"), env };
        } else skipped.conda = ch ? `channel ${ch} is not a local directory` : "publish.conda not configured";
      }
      // A target asked for by name that cannot be published to is an error, not "0 changes".
      const missing = Object.entries(skipped);
      if (explicit && missing.length) throw new InvalidInputError(`--targets ${o.targets}: ${missing.map(([t, why]) => `${t}: ${why}`).join("; ")}; configure it or leave it out of --targets`);
      if (!Object.keys(targets).length) throw new InvalidInputError(`publish: no target is configured (${missing.map(([t, why]) => `${t}: ${why}`).join("; ")}); see publish.* in release.config.json`);
      if (targets.conda) mkdirSync(targets.conda.channel, { recursive: true });
      const report = await publishRelease(stageDir, targets, { progress: new ConsoleProgress(), skipped });
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      if (targets.index) {
        const served = publishedBaseUrl(targets.index.root);
        process.stderr.write(`${served ? `index: served at ${served} (its install lines use that URL)` : "index: no base URL yet (--base-url or publish.index.baseUrl): the dashboard shows no install line"}\n${serveInstruction(targets.index.root)}\n`);
      }
    });

  program
    .command("pypi-collect")
    .description("Copy the staged files PyPI lacks into --out (the upload action's packages-dir): the config's PyPI file filter and size limit, then each file compared by sha256 with the index's PEP 691 listing; other bytes under a name fail naming the file")
    .requiredOption("--stage <dir>", "stage directory made by `stage` (every file is checked against its manifest)")
    .requiredOption("--out <dir>", "folder to copy the files to upload into")
    .option("--config <file>", "release.config.json (publish.pypi)")
    .option("--simple-url <url>", "simple API root to compare with (default: publish.pypi.simpleUrl, else <repositoryUrl>/simple/)")
    .action(async (o: { stage: string; out: string; config?: string; simpleUrl?: string }) => {
      const config = resolveOptions(o).config;
      // The file rule comes from publish.pypi when configured, else its defaults (release wheels, 100 MiB);
      // CI passes the index as --simple-url (a repository variable), so the repository names no host.
      const p = config.publish.pypi;
      const simpleUrl = o.simpleUrl
        ? parseOrExplain(HttpUrl, o.simpleUrl, "--simple-url")
        : p
          ? (p.simpleUrl ?? `${p.repositoryUrl.replace(/\/$/, "")}/simple/`)
          : undefined;
      if (!simpleUrl) throw new InvalidInputError("pypi-collect: no index to compare with: pass --simple-url (on CI: the PYPI_SIMPLE_URL repository variable) or set publish.pypi in the config");
      if (!existsSync(resolve(o.stage))) throw new InvalidInputError(`--stage ${o.stage} does not exist`);
      const rule = p ? { include: p.include, maxFileBytes: p.maxFileBytes } : {};
      const r = await collectForPypi(await loadStage(resolve(o.stage)), { simpleUrl, outDir: resolve(o.out), rule });
      for (const s of r.skipped) process.stderr.write(`pypi-collect: not for PyPI: ${s.file}: ${s.reason}\n`);
      for (const f of r.present) process.stderr.write(`pypi-collect: already on the index with the same sha256: ${f}\n`);
      for (const f of r.upload) process.stderr.write(`pypi-collect: to upload: ${f}\n`);
      process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    });

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
    .action(async (o: Pick<OptionFlags, "config" | "indexRoot" | "githubRepository" | "githubApiUrl"> & { now?: string; apply: boolean }) => {
      const opts = resolveOptions(o);
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
    });

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
    .action(async (version: string, o: Pick<OptionFlags, "config" | "indexRoot" | "githubRepository" | "githubApiUrl" | "cache"> & { out?: string; jobs?: string }) => {
      const v = parseOrExplain(ReleaseVersionText, version, "version argument");
      const opts = resolveOptions(o);
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
    });
}

/** `promote`: re-version an earlier release whose build inputs equal the numbered plan's. */
function registerPromote(program: Command): void {
  program
    .command("promote")
    .description(
      "Promote an earlier release to a numbered version instead of rebuilding it: re-version its wheels (dist-info, METADATA, RECORD, _release_info), " +
        "re-zip deterministically, verify (install, smoke, lit) and write a manifest recording where it came from",
    )
    .requiredOption("--manifest <file>", "manifest.json of the earlier release")
    .requiredOption("--artifacts <dir>", "folder holding the earlier release's wheels")
    .requiredOption("--out <dir>", "fresh folder for the promoted wheels and manifest.json")
    .option("--plan <file>", "the numbered release's plan: refused unless its build inputs equal the earlier release's (its version and tag are used)")
    .option("--version <v>", "the new version (e.g. 22.1.8.post1); default: the plan's")
    .option("--tag <tag>", "the LLVM tag the version stands for (default: the plan's)")
    .option("--no-verify", "skip install, smoke and lit")
    .option("--no-lit", "skip upstream's lit suite")
    .option("--cache <dir>", "sources, trees, venvs (default: $MLIR_RELEASE_CACHE, else <repo>/.cache)")
    .action(async (o: { manifest: string; artifacts: string; out: string; plan?: string; version?: string; tag?: string; verify: boolean; lit: boolean; cache?: string }) => {
      const opts = resolveOptions(o);
      const earlier = readManifestFile(resolve(o.manifest));
      let version = o.version;
      let tag = o.tag;
      if (o.plan) {
        const plan = parseOrExplain(ReleasePlan, JSON.parse(readFileSync(resolve(o.plan), "utf8")), `plan ${o.plan}`);
        const blockers = promotionBlockers(earlier.plan, plan);
        if (blockers.length) throw new InvalidInputError(`promote: ${plan.version} cannot be promoted from ${earlier.plan.version}; build it instead:\n${blockers.map((b) => `  - ${b}`).join("\n")}`);
        version ??= plan.version;
        tag ??= plan.llvm.tag;
      }
      if (!version) throw new InvalidInputError("promote: give --version or --plan");
      const v = parseOrExplain(ReleaseVersionText, version, "--version");
      const outDir = resolve(o.out);
      if (existsSync(outDir) && readdirSync(outDir).length) throw new InvalidInputError(`promote: --out ${o.out} is not empty`);
      // --out and the work folder are taken back when promoting refuses the earlier release's files.
      const out = newDir(outDir);
      const work = freshDir(opts.cacheDir, "promote-");
      await refusalLeavesNothing([out, work], async () => {
        const r = await promoteRelease({ earlier, artifactsDir: resolve(o.artifacts), version: v, ...(tag ? { tag } : {}), outDir: out.path() });
        for (const w of r.wheels) process.stderr.write(`promoted ${w.from} → ${w.fileName} (changed: ${w.changed.join(", ")})\n`);
        for (const l of r.left) process.stderr.write(`not carried over: ${l.fileName}: ${l.reason}\n`);
        let manifest = r.manifest;
        if (o.verify) {
          const workDir = work.path();
          const env = new HostEnv(join(workDir, "logs", "promote.log"));
          manifest = await verifyPromoted(r, { repoRoot: opts.repoRoot, cacheDir: opts.cacheDir, workDir, outDir, toolsDir: opts.toolsDir, lit: o.lit }, env, new ConsoleProgress(), hostPlatform());
        }
        process.stdout.write(`manifest: ${writeManifest(outDir, manifest)}\n`);
      });
    });
}

const hostPlatform = (): PlatformId =>
  parseOrExplain(
    PlatformId,
    process.platform === "linux" ? (process.arch === "arm64" ? "linux-aarch64" : "linux-x86_64") : process.platform === "darwin" ? (process.arch === "arm64" ? "macos-arm64" : "macos-x86_64") : "windows-x64",
    "host platform",
  );

/** The CLI's rebuilder for `restore`: the wheel factory replaying the manifest on this host. */
function factoryRebuilder(o: ResolvedOptions, work: () => string, jobs?: number): Rebuilder {
  return async (manifestPath, _m, outDir) => {
    const workDir = work();
    const env = new HostEnv(join(workDir, "logs", "restore.log"));
    const progress = new ConsoleProgress();
    progress.info(`full log: ${env.logFile}`);
    const host = hostPlatform();
    const r = await rebuild(manifestPath, { repoRoot: o.repoRoot, cacheDir: o.cacheDir, workDir, outDir, toolsDir: o.toolsDir, ...(jobs ? { jobs } : {}) }, env, progress, [host]);
    for (const a of r.artifacts) process.stderr.write(`${a.result.toUpperCase().padEnd(11)} ${a.fileName}${a.firstDifference ? `  first difference: ${a.firstDifference}` : ""}${a.note ? `  (${a.note})` : ""}\n`);
  };
}

/** A YYYY-MM-DD flag as a UTC date (validated by the one schema of days). */
function parseDay(value: string, flag: string): Date {
  const r = UtcDay.safeParse(value);
  if (!r.success) throw new InvalidInputError(`${flag} '${value}': expected a UTC date YYYY-MM-DD`);
  return new Date(`${r.data}T00:00:00Z`);
}
