// `select`, `plan`, `resolve`, `notes`, `rebuild`: thin — parse input, gather facts through
// select/ (git, GitHub, earlier manifests), call the pure stages, print JSON (or Markdown for notes) for scripts.
import { renameSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import type { CliContext } from "./program.js";
import { buildImageFor, loadImagesLock, LOCK_PATH } from "../platforms/images.js";
import { HostEnv } from "../exec/host.js";
import { policyFor } from "../options/policy.js";
import { type OptionFlags, parseGithubRepository } from "../options/resolve-options.js";
import { ConsoleProgress } from "../progress.js";
import { EXIT, InvalidInputError } from "../errors.js";
import { type ReleaseConfig } from "../schema/config.js";
import type { ResolvedOptions } from "../schema/options.js";
import { parseFlag, parseOrExplain } from "../schema/parse.js";
import { PlatformId } from "../schema/platform.js";
import { ReleaseRequest } from "../schema/request.js";
import { CalendarDate, GitCommit, GitRefName, HttpUrl, IsoInstant, PositiveIntText } from "../schema/strings.js";
import { creatableDir, writableFileIn } from "../util/paths.js";
import { freshDir, newDir, refusalLeavesNothing } from "../util/fresh-dir.js";
import { renderCommitNotes } from "../plan/notes.js";
import { releasePaths } from "../plan/paths.js";
import { plan } from "../plan/release-planner.js";
import { readManifest, rebuild } from "../rebuild/rebuild.js";
import { findWheel, releasesOfCommit } from "../plan/release-queries.js";
import { indexInstallLine, pypiInstallLine, simpleUrlOf } from "../plan/install.js";
import { loadManifests } from "../select/manifest-files.js";
import { openHistory, selectRelease } from "../select/sources.js";
import { githubFlags } from "./github-flags.js";

const CACHE_HELP = "(default: $MLIR_RELEASE_CACHE, else <repo>/.cache)";
const print = (v: unknown): void => void process.stdout.write(`${JSON.stringify(v, null, 2)}\n`);

/** `rebuild <manifest>` flags as commander hands them over (the Dagger module builds its argv from this type). */
export interface RebuildFlags extends Pick<OptionFlags, "cache"> {
  out?: string;
  work?: string;
  jobs?: string;
}

/** `select`/`plan` flags as commander hands them over (the Dagger module builds its argv from this type). */
export interface SelectFlags extends Pick<OptionFlags, "config" | "cache" | "githubRepository" | "githubApiUrl"> {
  kind: string;
  ref?: string;
  cutoff?: string;
  post?: string;
  repo?: string;
  /** The LLVM repository read through the GitHub API instead of git (owner/name). */
  llvmGithub?: string;
  manifests?: string[];
  out?: string;
}

async function selectAndPlan(o: Readonly<ResolvedOptions>, f: SelectFlags) {
  if (f.llvmGithub !== undefined) parseGithubRepository(f.llvmGithub, "--llvm-github");
  const config = o.config;
  if (!["snapshot", "numbered"].includes(f.kind)) throw new InvalidInputError(`--kind '${f.kind}': expected snapshot or numbered`);
  const cutoff = f.cutoff === undefined ? undefined : parseFlag(IsoInstant, f.cutoff, "--cutoff");
  const post = f.post === undefined ? undefined : parseFlag(PositiveIntText, f.post, "--post");
  if (f.ref !== undefined && !GitRefName.safeParse(f.ref).success) throw new InvalidInputError(`--ref '${f.ref}': expected a branch, a tag (llvmorg-X.Y.Z) or a commit id`);
  if (f.out !== undefined) writableFileIn(f.out, "--out");
  const request = parseOrExplain(
    ReleaseRequest,
    { kind: f.kind, ...(f.ref ? { ref: f.ref } : {}), ...(f.cutoff ? { cutoff } : {}), ...(post !== undefined ? { post } : {}) },
    "request (--kind/--ref/--cutoff/--post)",
  );
  const r = await selectRelease(o, request, { ...(f.repo ? { repo: f.repo } : {}), ...(f.llvmGithub ? { llvmGithub: f.llvmGithub } : {}), ...(f.manifests ? { manifests: f.manifests } : {}) });
  return { options: o, config, request, ...r };
}

const selectOptions = (c: Command): Command =>
  githubFlags(c, "read earlier releases from this repository's GitHub releases (default: publish.github's; token: MLIR_RELEASE_GITHUB_TOKEN or GITHUB_TOKEN)")
    .option("--kind <kind>", "snapshot | numbered", "snapshot")
    .option("--ref <ref>", "numbered: llvmorg-X.Y.Z[-rcN]; snapshot: a branch or commit (default: the config's branch)")
    .option("--cutoff <iso>", "snapshot: newest commit at or before this UTC time: 2026-03-06T23:59Z, …+00:00, or a date = the end of that UTC day (default: now)")
    .option("--post <n>", "numbered: post-release number of a rebuild")
    .option("--repo <path|url>", "LLVM git repository (default: the config's llvm.repository)")
    .option("--llvm-github <owner/name>", "read the LLVM repository through the GitHub API instead of git")
    .option("--cache <dir>", `where remote repositories are mirrored ${CACHE_HELP}`)
    .option("--manifests <paths...>", "manifests of earlier releases (files or folders): existing versions, the last snapshot")
    .option("--config <file>", "release config (default: release.config.json)");

export function register(program: Command, cli: CliContext): void {
  registerSelectAndPlan(program, cli);
  registerResolve(program, cli);
  registerNotes(program, cli);
  registerRebuild(program, cli);
}

/** `select` and `plan`: the LLVM commit of a release, and its plan. */
function registerSelectAndPlan(program: Command, cli: CliContext): void {
  selectOptions(program.command("select").description("Pick the LLVM commit of a release, or say why there is none (JSON)")).action(
    cli.withOptions(async (o, f: SelectFlags) => {
      const { selection } = await selectAndPlan(o, f);
      print(selection);
    }),
  );

  selectOptions(program.command("plan").description("Select and plan a release: version, matrix, pins (ReleasePlan JSON)"))
    .option("--out <file>", "also write the plan to this file")
    .action(cli.withOptions(async (o, f: SelectFlags) => {
      const { options, config, request, selection, facts } = await selectAndPlan(o, f);
      if (!facts) {
        // No release today: yesterday's --out file must not survive (`plan --out p.json && build --plan p.json`).
        print({ release: false, reason: selection.release ? "" : selection.reason, commit: selection.commit.commit });
        if (f.out) {
          rmSync(f.out, { force: true });
          process.stderr.write(`no release: ${f.out} not written (an older one was removed); exit status ${EXIT.negative}\n`);
          process.exitCode = EXIT.negative;
        }
        return;
      }
      const p = plan(config, request, { ...facts, images: lockedImages(options.repoRoot, config, config.platforms.map((x) => x.id)) });
      if (f.out) {
        const tmp = `${f.out}.tmp-${process.pid}`;
        writeFileSync(tmp, `${JSON.stringify(p, null, 2)}\n`);
        renameSync(tmp, f.out);
      }
      print(p);
    }));
}

/** `resolve`: which release holds a commit; which wheel fits. */
function registerResolve(program: Command, cli: CliContext): void {
  program
    .command("resolve")
    .description("Answer from manifests: which release holds an LLVM commit; which wheel fits a Python/platform (JSON)")
    .requiredOption("--manifests <paths...>", "manifest files, or folders holding manifest.json or manifests/<version>.json (an index: <root>/store/manifests)")
    .option("--commit <sha>", "releases built from this LLVM commit (full or >= 7 hex)")
    .option("--python <v>", "wheel for this Python (3.12 or cp312)")
    .option("--platform <p>", "platform id (linux-x86_64) or tag pattern (manylinux_x86_64)")
    .option("--kind <kind>", "snapshot | numbered | any", "snapshot")
    .option("--on-or-before <day>", "newest release made on or before YYYY-MM-DD")
    .option("--index-url <url>", "the index root the releases are served from (…/simple/ is appended): the install line adds it to PyPI")
    .action((f: { manifests: string[]; commit?: string; python?: string; platform?: string; kind: string; onOrBefore?: string; indexUrl?: string }) => {
      const manifests = loadManifests(f.manifests);
      if (f.indexUrl !== undefined) parseFlag(HttpUrl, f.indexUrl, "--index-url");
      // The line a user pastes: our index added to PyPI (which serves the dependencies), or PyPI alone.
      const install = (version: string): string => {
        const t = { distribution: manifests.find((m) => m.plan.version === version)!.plan.distribution, version };
        return f.indexUrl ? indexInstallLine(t, simpleUrlOf(f.indexUrl)) : pypiInstallLine(t);
      };
      if (f.onOrBefore !== undefined) parseFlag(CalendarDate, f.onOrBefore, "--on-or-before");
      if (f.commit !== undefined && !/^[0-9a-f]{7,40}$/.test(f.commit)) throw new InvalidInputError(`--commit '${f.commit}': expected a commit id (7 to 40 lowercase hex digits)`);
      if (f.python !== undefined && !/^(3\.\d+t?|cp3\d+t?)$/.test(f.python)) throw new InvalidInputError(`--python '${f.python}': expected a CPython version such as 3.12 (or cp312)`);
      if (f.platform !== undefined && !/^[a-z0-9_-]+$/.test(f.platform)) throw new InvalidInputError(`--platform '${f.platform}': expected a platform id (linux-x86_64) or a tag pattern (manylinux_x86_64)`);
      if (f.commit) {
        const hits = releasesOfCommit(manifests, f.commit);
        if (!hits.length) throw new InvalidInputError(`no release in ${manifests.length} manifest(s) was built from LLVM commit ${f.commit}`);
        return print(hits.map((h) => ({ ...h, install: install(h.version) })));
      }
      if (!f.python || !f.platform) throw new InvalidInputError("resolve needs --commit, or --python and --platform");
      if (!["snapshot", "numbered", "any"].includes(f.kind)) throw new InvalidInputError(`--kind '${f.kind}': expected snapshot, numbered or any`);
      const w = findWheel(manifests, { python: f.python, platform: f.platform, kind: f.kind as "snapshot", ...(f.onOrBefore ? { onOrBefore: f.onOrBefore } : {}) });
      if (!w) {
        throw new InvalidInputError(
          `no ${f.kind === "any" ? "" : `${f.kind} `}wheel for Python ${f.python} on ${f.platform}${f.onOrBefore ? ` on or before ${f.onOrBefore}` : ""} in ${manifests.length} manifest(s)`,
        );
      }
      print({ ...w, install: install(w.version) });
    });
}

/** `notes`: release notes between two commits or manifests. */
function registerNotes(program: Command, cli: CliContext): void {
  program
    .command("notes")
    .description("Markdown release notes: the MLIR-relevant LLVM commits between two commits (or two manifests)")
    .option("--manifest <file>", "the release (its commit, version)")
    .option("--previous <file>", "the previous release (where the range starts)")
    .option("--from <commit>", "range start (exclusive)")
    .option("--to <commit>", "range end")
    .option("--version <v>", "the release's version (with --from/--to)", "unreleased")
    .option("--repo <path|url>", "LLVM git repository (default: the config's)")
    .option("--cache <dir>", `where remote repositories are mirrored ${CACHE_HELP}`)
    .option("--config <file>", "release config")
    .action(cli.withOptions(async (o, f: { manifest?: string; previous?: string; from?: string; to?: string; version: string; repo?: string; cache?: string; config?: string }) => {
      const config = o.config;
      const m = f.manifest ? readManifest(f.manifest) : undefined;
      const prev = f.previous ? readManifest(f.previous) : undefined;
      const from = f.from ?? prev?.plan.llvm.commit ?? m?.plan.selection?.previousCommit;
      const to = f.to ?? m?.plan.llvm.commit;
      if (!from || !to) throw new InvalidInputError("notes needs a range: --from and --to, or --manifest with --previous (or a plan that records its previous snapshot)");
      for (const [flag, v] of [["--from", from], ["--to", to]] as const) {
        if (!/^[0-9a-f]{4,40}$/.test(v) && !GitRefName.safeParse(v).success) throw new InvalidInputError(`${flag} '${v}': expected a commit id, a branch or a tag`);
      }
      if (f.version !== "unreleased" && !/^[A-Za-z0-9][A-Za-z0-9.+_-]*$/.test(f.version)) throw new InvalidInputError(`--version '${f.version}': expected a PEP 440 version`);
      const h = await openHistory(o, f.repo ? { repo: f.repo } : {});
      const commitOf = async (flag: string, ref: string): Promise<string> => {
        const c = (await h.refCandidates(ref))[0]?.commit;
        if (!c) throw new InvalidInputError(`${flag} ${ref}: no such commit, branch or tag in ${h.description}; fetch the clone: commit ${ref} is missing (or fix the id)`);
        return parseFlag(GitCommit, c, flag);
      };
      const to0 = await commitOf("--to", to);
      const from0 = await commitOf("--from", from);
      process.stdout.write(
        renderCommitNotes({
          repository: m?.plan.llvm.repository ?? config.llvm.repository,
          from: from0,
          to: to0,
          version: m?.plan.version ?? f.version,
          llvmVersion: m?.plan.llvm.version ?? (await h.llvmVersionAt(to0)),
          commits: await h.commitsBetween(from0, to0),
          paths: releasePaths(config),
        }),
      );
    }));
}

/** `rebuild`: replay a manifest's plan, compare every artifact. */
function registerRebuild(program: Command, cli: CliContext): void {
  program
    .command("rebuild <manifest>")
    .description("Replay a manifest's plan through the wheel factory into a fresh folder; compare every artifact's sha256")
    .option("--out <dir>", "fresh output folder (default: a new folder under <cache>/rebuild)")
    .option("--work <dir>", "build directories (default: fresh, so nothing is reused)")
    .option("--cache <dir>", `sources, trees, venvs ${CACHE_HELP}`)
    .option("-j, --jobs <n>", "parallel compile jobs")
    .action(cli.withOptions(async (o, manifest: string, f: RebuildFlags) => {
      const cache = creatableDir(o.cacheDir, "--cache");
      const m = readManifest(manifest);
      const jobs = f.jobs === undefined ? undefined : parseFlag(PositiveIntText, f.jobs, "-j/--jobs");
      // Taken back, with a --out or --work this run makes, when the rebuild refuses the manifest's inputs.
      const base = freshDir(join(cache, "rebuild"), `${m.plan.version}-`);
      const outDir = resolve(f.out ?? join(base.path(), "out"));
      const workDir = resolve(f.work ?? join(base.path(), "work"));
      const taken = [base, newDir(outDir), newDir(workDir)];
      const env = new HostEnv(join(workDir, "logs", "rebuild.log"));
      const progress = new ConsoleProgress();
      progress.info(`full log: ${env.logFile}`);
      const hostPlatform = parseOrExplain(PlatformId, process.platform === "linux" ? (process.arch === "arm64" ? "linux-aarch64" : "linux-x86_64") : process.platform === "darwin" ? (process.arch === "arm64" ? "macos-arm64" : "macos-x86_64") : "windows-x64", "host platform");
      const r = await refusalLeavesNothing(taken, () => rebuild(manifest, {
        repoRoot: o.repoRoot,
        cacheDir: cache,
        workDir,
        outDir,
        toolsDir: o.toolsDir,
        ...(jobs !== undefined ? { jobs } : {}),
        // As build: the integrity rebuild's {"kind":"none"} reaches the layer's compiler cache.
        compilerCache: o.compilerCache,
        host: o.host,
      }, env, progress, [hostPlatform]));
      for (const a of r.artifacts) {
        process.stderr.write(`${a.result.toUpperCase().padEnd(11)} ${a.fileName}${a.firstDifference ? `  first difference: ${a.firstDifference}` : ""}${a.note ? `  (${a.note})` : ""}\n`);
      }
      if (r.pipelineNote) process.stderr.write(`note: ${r.pipelineNote}\n`);
      print(r);
      if (!r.allEqual) process.exitCode = EXIT.check;
    }));
}

/** Image pins of the Linux platforms from containers/images.lock.json; placeholder pins are left out (and said so). */
function lockedImages(repoRoot: string, config: ReleaseConfig, platforms: readonly PlatformId[]): Partial<Record<PlatformId, string>> {
  const out: Partial<Record<PlatformId, string>> = {};
  let lock;
  try {
    lock = loadImagesLock(repoRoot);
  } catch (e) {
    process.stderr.write(`note: no image pins in the plan: ${(e as Error).message}\n`);
    return out;
  }
  for (const id of platforms.filter((p) => p.startsWith("linux-"))) {
    const policy = policyFor(id, config.manylinuxPolicy); // the same policy the plan records for id
    const img = buildImageFor(lock, id, policy, true);
    if (img.image.placeholder) process.stderr.write(`note: ${img.key} is a placeholder pin in ${LOCK_PATH}; the plan records no image for ${id}\n`);
    else out[id] = img.ref;
  }
  return out;
}

