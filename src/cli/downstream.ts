// `mlir-release downstream build|rebuild|resolve`: thin — validate flags, call src/downstream/*.
// Exit status (src/errors.ts): 0 done; 2 bad input or a refusal (domain clash, nanobind mismatch),
// before anything is built; 3 a build step or a check failed (the message names the log), or
// `rebuild` produced a wheel whose sha256 differs from the record; 5 the index could not be read.
import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import type { CliContext } from "./program.js";
import { z } from "zod";
import { EXIT, InvalidInputError } from "../errors.js";
import { freshDir, newDir, refusalLeavesNothing } from "../util/fresh-dir.js";
import { HostEnv } from "../exec/host.js";
import type { ResolvedOptions } from "../schema/options.js";
import { platformById } from "../platforms/index.js";
import { parsePythons } from "../platforms/pythons.js";
import { ConsoleProgress } from "../progress.js";
import { PyIdentifier } from "../schema/downstream.js";
import { parseOrExplain } from "../schema/parse.js";
import { PlatformId } from "../schema/platform.js";
import { DistributionName, HttpUrl, normalizeDistribution, Pep440Version, ReleaseVersionText, ToolVersion } from "../schema/strings.js";
import { runDownstream } from "../downstream/downstream-build.js";
import { planDownstream } from "../downstream/project-plan.js";
import type { DownstreamSettings } from "../downstream/settings.js";
import { downstreamBuildsFor, downstreamRebuild, readDownstreamManifest } from "../downstream/manifest.js";
import type { ReleaseSource } from "../downstream/release.js";
import { hostPlatform } from "./host-platform.js";

const print = (v: unknown): void => void process.stdout.write(`${JSON.stringify(v, null, 2)}\n`);
const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

const TargetName = z.string().regex(/^[A-Za-z0-9_.+-]+$/, "a CMake target or component name");

interface SourceFlags {
  indexUrl?: string;
  dist?: string;
  manifest?: string;
}

function releaseSource(f: SourceFlags): ReleaseSource {
  if (f.indexUrl && f.dist) throw new InvalidInputError("give --index-url or --dist, not both");
  if (f.indexUrl) return { kind: "index", url: parseOrExplain(HttpUrl, f.indexUrl, "--index-url") };
  if (f.dist) return { kind: "dir", dir: resolve(f.dist) };
  throw new InvalidInputError("where is the release? pass --index-url <our index root> (with --release <version>) or --dist <a build's output folder>");
}


function existingDir(p: string, flag: string): string {
  const d = resolve(p);
  if (!existsSync(d) || !statSync(d).isDirectory()) throw new InvalidInputError(`${flag} ${p}: not a directory`);
  return d;
}

function existingFile(p: string, flag: string): string {
  const f = resolve(p);
  if (!existsSync(f) || !statSync(f).isFile()) throw new InvalidInputError(`${flag} ${p}: not a file`);
  return f;
}

/** `downstream build`'s flags as commander hands them over (the Dagger module builds its argv from this type). */
export interface BuildFlags extends SourceFlags {
  project: string;
  release?: string;
  python?: string;
  name?: string;
  version?: string;
  packagePrefix?: string;
  nbDomain?: string;
  nanobind?: string;
  define?: string[];
  buildTarget?: string[];
  installComponent?: string[];
  checkScript?: string[];
  checkTarget?: string;
  verify: boolean;
  lit: boolean;
  out: string;
  work?: string;
  /** Default: the resolver's cache ($MLIR_RELEASE_CACHE, else <repo>/.cache). */
  cache?: string;
  jobs?: string;
}

/** A downstream build's settings from the resolved options (the program's, src/cli/program.ts) and the command's flags. */
export function resolveDownstreamSettings(o: Readonly<ResolvedOptions>, f: BuildFlags): DownstreamSettings {
  const cacheDir = o.cacheDir;
  const outDir = resolve(f.out);
  return {
    repoRoot: o.repoRoot,
    cacheDir,
    workDir: resolve(f.work ?? join(cacheDir, "downstream", "work")),
    outDir,
    toolsDir: o.toolsDir,
    platform: platformById(hostPlatform(), { host: o.host }),
    host: o.host,
    projectDir: existingDir(f.project, "--project"),
    release: releaseSource(f),
    ...(f.release ? { releaseVersion: parseOrExplain(ReleaseVersionText, f.release, "--release") } : {}),
    ...(f.manifest ? { manifestFile: existingFile(f.manifest, "--manifest") } : {}),
    ...(f.python ? { pythons: parsePythons(f.python) } : {}),
    ...(f.name ? { distribution: parseOrExplain(DistributionName, normalizeDistribution(f.name), "--name") } : {}),
    ...(f.version ? { version: parseOrExplain(Pep440Version, f.version, "--version") } : {}),
    ...(f.packagePrefix ? { packagePrefix: parseOrExplain(PyIdentifier, f.packagePrefix, "--package-prefix") } : {}),
    ...(f.nbDomain ? { nanobindDomain: parseOrExplain(PyIdentifier, f.nbDomain, "--nb-domain") } : {}),
    ...(f.nanobind ? { nanobind: parseOrExplain(ToolVersion, f.nanobind, "--nanobind") } : {}),
    defines: f.define ?? [],
    buildTargets: (f.buildTarget ?? []).map((t) => parseOrExplain(TargetName, t, "--build-target")),
    installComponents: (f.installComponent ?? []).map((t) => parseOrExplain(TargetName, t, "--install-component")),
    verify: f.verify
      ? {
          lit: f.lit,
          ...(f.checkTarget ? { checkTarget: parseOrExplain(TargetName, f.checkTarget, "--check-target") } : {}),
          checkScripts: (f.checkScript ?? []).map((p) => existingFile(p, "--check-script")),
        }
      : false,
    ...(f.jobs ? { jobs: parseOrExplain(z.coerce.number().int().positive(), f.jobs, "--jobs") } : {}),
  };
}

const sourceOptions = (c: Command): Command =>
  c
    .option("--index-url <url>", "our index root (serves manifests/<v>.json, files/<v>/<file>, simple/)")
    .option("--dist <dir>", "instead of an index: a build's output folder (manifest.json, wheels, dev tarball)")
    .option("--manifest <file>", "the release's manifest.json (default: the index's or the folder's)")
    .option("--out <dir>", "where the wheels and downstream-manifest.json go", "dist-downstream")
    .option("--work <dir>", "build, stage and venv folders (default: <cache>/downstream/work)")
    .option("--cache <dir>", "downloads and build venvs (default: $MLIR_RELEASE_CACHE, else <repo>/.cache)")
    .option("-j, --jobs <n>", "parallel compile jobs");

export function register(program: Command, cli: CliContext): void {
  const ds = program.command("downstream").description("Build a downstream project's wheels against one of our releases, replay or look them up");

  sourceOptions(
    ds
      .command("build")
      .description("Build, repair and verify a downstream project's Python wheels against a release, one per Python of its matrix")
      .requiredOption("--project <dir>", "the project: a CMake project using MLIR's AddMLIRPython (pyproject.toml optional)")
      .option("--release <version>", "our release to build against (needed with --index-url)")
      .option("--python <versions>", "a subset of the release's Pythons (default: all of its matrix on this platform)")
      .option("--name <distribution>", "the wheels' distribution name (default: pyproject's [project].name)")
      .option("--version <pep440>", "the wheels' version (default: the release's)")
      .option("--package-prefix <name>", "MLIR_PYTHON_PACKAGE_PREFIX (default: pyproject's cmake.define)")
      .option("--nb-domain <name>", "MLIR_BINDINGS_PYTHON_NB_DOMAIN, never ours (default: pyproject's, else the package prefix)")
      .option("--nanobind <version>", "refuse unless the release was built with this nanobind")
      .option("--define <NAME=VALUE>", "extra CMake cache entry (repeatable)", collect)
      .option("--build-target <name>", "ninja target (repeatable; default: pyproject's build.targets, else all)", collect)
      .option("--install-component <name>", "CMake install component holding the package (repeatable; default: pyproject's install.components)", collect)
      .option("--check-script <file>", "extra Python check run in each verification venv (repeatable; exit 0, last line JSON)", collect)
      .option("--check-target <name>", "the lit suite's check-* target (default: the shortest one)")
      .option("--no-verify", "build and repair only")
      .option("--no-lit", "skip the project's lit tests"),
  ).action(cli.withOptions(async (o, f: BuildFlags) => {
    const s = resolveDownstreamSettings(o, f);
    const progress = new ConsoleProgress();
    progress.stage("downstream: release and project");
    // Refusals (domain clash, nanobind mismatch) come before anything is written, the log included.
    const plan = await planDownstream(s);
    const env = new HostEnv(join(s.workDir, "logs", "downstream-build.log"));
    progress.info(`full log: ${env.logFile}`);
    const r = await runDownstream(s, plan, env, progress);
    for (const a of r.manifest.artifacts) {
      const v = r.verification[a.fileName];
      const lit = !v?.lit ? "" : "passed" in v.lit ? `  lit ${v.lit.passed} passed, ${v.lit.failed} failed` : `  lit: ${v.lit.skipped}`;
      process.stderr.write(`${a.fileName}  ${(a.size / 1e6).toFixed(1)} MB${v ? `  check ${v.check["ok"] ? "ok" : "FAILED"}` : ""}${lit}\n`);
    }
    print({ manifest: r.manifestPath, artifacts: r.manifest.artifacts, verification: r.verification });
  }));

  sourceOptions(
    ds
      .command("rebuild <manifest>")
      .description("Replay a downstream manifest (same project source, same release) into a fresh folder; compare every wheel's sha256")
      .requiredOption("--project <dir>", "the project's sources (checked against the recorded digest)"),
  ).action(cli.withOptions(async (o, manifest: string, f: SourceFlags & { project: string; out: string; work?: string; cache?: string; jobs?: string }) => {
    const dm = readDownstreamManifest(resolve(manifest));
    const cacheDir = o.cacheDir;
    // Taken back, with a --out or --work this run makes, when the flags or the replay are refused.
    const base = freshDir(join(cacheDir, "downstream"), "rebuild-");
    const taken = [base, ...(f.out === "dist-downstream" ? [] : [newDir(resolve(f.out))]), ...(f.work ? [newDir(resolve(f.work))] : [])];
    const { s, r } = await refusalLeavesNothing(taken, async () => {
      const s = resolveDownstreamSettings(o, {
        ...f,
        out: f.out === "dist-downstream" ? join(base.path(), "out") : f.out,
        work: f.work ?? join(base.path(), "work"),
        verify: false,
        lit: false,
      });
      const env = new HostEnv(join(s.workDir, "logs", "downstream-rebuild.log"));
      const progress = new ConsoleProgress();
      progress.info(`full log: ${env.logFile}`);
      return { s, r: await downstreamRebuild(dm, s, env, progress) };
    });
    for (const a of r.artifacts) process.stderr.write(`${a.result.toUpperCase().padEnd(9)} ${a.fileName}\n`);
    print({ out: s.outDir, ...r });
    if (!r.allEqual) process.exitCode = EXIT.check;
  }));

  ds.command("resolve")
    .description("Which build of project P matches mlir X: wheels from downstream manifests (JSON)")
    .requiredOption("--manifests <files...>", "downstream-manifest.json files")
    .requiredOption("--project <name>", "the project's distribution name")
    .requiredOption("--mlir <version>", "our release version")
    .option("--python <v>", "only wheels for this Python (3.12)")
    .option("--platform <id>", "only this platform (linux-x86_64)")
    .action((f: { manifests: string[]; project: string; mlir: string; python?: string; platform?: string }) => {
      const manifests = f.manifests.map((p) => readDownstreamManifest(resolve(p)));
      const hits = downstreamBuildsFor(manifests, {
        project: parseOrExplain(DistributionName, normalizeDistribution(f.project), "--project"),
        mlir: parseOrExplain(ReleaseVersionText, f.mlir, "--mlir"),
        ...(f.python ? { python: parsePythons(f.python)[0]! } : {}),
        ...(f.platform ? { platform: parseOrExplain(PlatformId, f.platform, "--platform") } : {}),
      });
      if (!hits.length) throw new InvalidInputError(`no build of ${f.project} against mlir ${f.mlir} in ${manifests.length} downstream manifest(s)`);
      print(hits);
    });
}
