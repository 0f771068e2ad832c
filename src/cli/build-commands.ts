// `mlir-release build` and `mlir-release verify`: options resolved once (src/options/) into BuildSettings.
import { calendarPythons } from "../plan/python-support.js";
import { isAbsolute, join, relative, resolve } from "node:path";
import type { Command } from "commander";
import type { CliContext } from "./program.js";
import { HostEnv } from "../exec/host.js";
import type { OptionFlags } from "../options/resolve-options.js";
import type { ResolvedOptions } from "../schema/options.js";
import { buildPolicy } from "../options/policy.js";
import { dryRunText } from "../platforms/dry-run.js";
import { platformById } from "../platforms/index.js";
import { parsePythons } from "../platforms/pythons.js";
import { ConsoleProgress } from "../progress.js";
import { InvalidInputError } from "../errors.js";
import { ReleaseConfig } from "../schema/config.js";
import { parseFlag, parseOrExplain } from "../schema/parse.js";
import { ReleasePlan, type LlvmSourceRef } from "../schema/release-plan.js";
import { type ManylinuxPolicy, PlatformId } from "../schema/platform.js";
import { DistributionName, GitRemote, normalizeDistribution, Pep440Version, PositiveIntText } from "../schema/strings.js";
import { readJsonAs } from "../util/json-input.js";
import { existingDir, existingFile } from "../util/paths.js";
import { newDir, refusalLeavesNothing } from "../util/fresh-dir.js";
import { DEBIAN_SOURCES, DEBIAN_UPSTREAM_TAGS, upstreamTagOf } from "../source/tree.js";
import { recordBuildFacts, writeBuildManifest } from "../rebuild/build-manifest.js";
import { findLinksInstallLine } from "../plan/install.js";
import { toolsDistribution } from "../platforms/tags.js";
import { enabledPackages, plannedPackages } from "../packages/index.js";
import { layerOptionsWithPackages } from "../packages/layer-options.js";
import type { BuildReport } from "../schema/build-report.js";
import { type BuildSettings, buildWheels, type LayerSpec, planBuild, type SourceSpec, verifyDist } from "../factory/factory.js";

/** llvmorg-22.1.8 as published upstream; the Debian orig tarball is that tag's tree. */
export const LLVM_22_1_8_TAG = DEBIAN_UPSTREAM_TAGS["22.1.8"]!;

export function parseSourceSpec(spec: string): SourceSpec {
  let m = /^debian:(.+)$/.exec(spec);
  if (m?.[1]) {
    const ref = DEBIAN_SOURCES[m[1]];
    if (!ref) throw new InvalidInputError(`--source '${spec}': no pinned Debian tarball of LLVM ${m[1]}; pinned: ${Object.keys(DEBIAN_SOURCES).map((v) => `debian:${v}`).join(", ")}`);
    return { kind: "tarball", ref };
  }
  m = /^tarball:(.+)@([0-9a-f]{64})$/.exec(spec);
  if (m?.[1] && m[2]) {
    const path = existingFile(m[1], "--source tarball:");
    return { kind: "tarball", ref: { kind: "tarball", file: path.split("/").pop() ?? path, sha256: m[2], origin: {} }, localPath: path };
  }
  m = /^git:(.+)@([0-9a-f]{40})$/.exec(spec);
  if (m?.[1] && m[2]) return { kind: "git", ref: { kind: "git", repository: parseFlag(GitRemote, m[1], "--source git:"), commit: m[2] } };
  m = /^dir:(.+)$/.exec(spec);
  if (m?.[1]) return { kind: "dir", path: existingDir(m[1], "--source dir:") };
  throw new InvalidInputError(
    `--source '${spec}': expected debian:<${Object.keys(DEBIAN_SOURCES).join('|')}> | tarball:<path>@<sha256> | git:<url>@<40-hex commit> | dir:<llvm-project dir>`,
  );
}

export function parseLayerSpec(spec: string, config: ReleaseConfig): LayerSpec {
  if (spec === "source") return { kind: "source", cmakeOptions: config.layerCmakeOptions };
  const m = /^prebuilt:(.+)$/.exec(spec);
  if (m?.[1]) return { kind: "prebuilt", prefix: existingDir(m[1], "--layer prebuilt:") };
  throw new InvalidInputError(`--layer '${spec}': expected prebuilt:<install prefix> or source`);
}

/** The defaults of `build` and `verify`: Debian's pinned 22.1.8 source on the prebuilt /usr/lib/llvm-22 layer.
 * The work dir defaults to <cache>/work and the cache to the resolver's (src/options/resolve-options.ts). */
export const BUILD_DEFAULTS = {
  platform: "linux-x86_64",
  source: "debian:22.1.8",
  layer: "prebuilt:/usr/lib/llvm-22",
  out: "dist",
} as const;

/** `build`'s flags as commander hands them over (the Dagger module builds its argv from this type). */
export interface BuildFlags extends Pick<OptionFlags, "config" | "cache" | "policy"> {
  platform: string;
  source: string;
  layer: string;
  python?: string;
  out: string;
  /** Build directories; default <cache>/work. */
  work?: string;
  plan?: string;
  distribution?: string;
  version?: string;
  verify: boolean;
  /** Build the dev distribution too (default on; verify passes false). */
  dev?: boolean;
  /** Build the tools wheel too (default on where the platform builds one; `--no-tools-wheel`; tests leave it out unless they ask). */
  toolsWheel?: boolean;
  lit: boolean;
  litFilter?: string;
  /** Packages built besides the MLIR bindings, comma-separated ids (src/packages/: clang), on top of the config's enabled ones. */
  package?: string;
  jobs?: string;
  dryRun?: boolean;
}

/** What `build` resolves with the defaults and these flags, given the options resolved from them (benches and tests build exactly that). */
export function defaultBuildSettings(o: Readonly<ResolvedOptions>, flags: Partial<BuildFlags> & Pick<BuildFlags, "out">): BuildSettings {
  return resolveBuildSettings(o, { ...BUILD_DEFAULTS, verify: false, lit: false, ...flags });
}

/** --policy belongs to Linux builds; the policy itself comes from buildPolicy (src/options/policy.ts). */
function linuxPolicy(platformId: PlatformId, requested: ManylinuxPolicy | undefined, configured: ManylinuxPolicy, plan?: ReleasePlan): ManylinuxPolicy | undefined {
  if (!platformId.startsWith("linux-")) {
    if (requested) throw new InvalidInputError(`--policy ${requested}: only Linux platforms have a manylinux policy (${platformId} does not)`);
    return undefined;
  }
  return buildPolicy(platformId, { requested, plan, configured });
}

/** One build's settings from the resolved options (the program's, src/cli/program.ts) and the command's flags. */
export function resolveBuildSettings(o: Readonly<ResolvedOptions>, f: BuildFlags): BuildSettings {
  const config = o.config;
  const platformId = parseOrExplain(PlatformId, f.platform, "--platform");
  const plan = f.plan ? readJsonAs(ReleasePlan, f.plan, "--plan") : undefined;
  if (plan && !plan.matrix.some((m) => m.platform === platformId)) {
    throw new InvalidInputError(`--plan ${f.plan}: the plan builds nothing for --platform ${platformId} (its matrix has ${[...new Set(plan.matrix.map((m) => m.platform))].join(", ")})`);
  }
  const jobs = f.jobs === undefined ? undefined : parseFlag(PositiveIntText, f.jobs, "-j/--jobs");
  if (f.version !== undefined) parseFlag(Pep440Version, f.version, "--version");
  if (f.distribution !== undefined && !DistributionName.safeParse(f.distribution).success) {
    throw new InvalidInputError(`--distribution '${f.distribution}': expected a PEP 503-normalized name such as ${normalizeDistribution(f.distribution.replace(/[^A-Za-z0-9._-]+/g, "-")).replace(/^-+|-+$/g, "") || "mlir-python-bindings"}`);
  }
  let source = parseSourceSpec(f.source);
  if (plan) {
    source = plan.source.kind === "git" ? { kind: "git", ref: plan.source } : { kind: "tarball", ref: plan.source as Extract<LlvmSourceRef, { kind: "tarball" }> };
  }
  const pythons = f.python !== undefined
    ? parsePythons(f.python)
    : plan
      ? [...new Set(plan.matrix.filter((m) => m.platform === platformId).map((m) => m.python))]
      : (config.pythons ?? calendarPythons(platformId, new Date()));
  const upstream = source.kind === "tarball" ? upstreamTagOf(source.ref) : undefined;
  const policy = linuxPolicy(platformId, f.policy === undefined ? undefined : o.policy, o.config.manylinuxPolicy, plan);
  // A plan builds exactly its packages (a rebuild replays them); otherwise the config's and --package's.
  const packages = plan
    ? plannedPackages(plan.packages)
    : enabledPackages(config.packages, f.package ? f.package.split(",").map((x) => x.trim()).filter(Boolean) : []);
  const layer = parseLayerSpec(f.layer, config);
  return {
    repoRoot: o.repoRoot,
    cacheDir: o.cacheDir,
    workDir: resolve(f.work ?? join(o.cacheDir, "work")),
    outDir: resolve(f.out),
    platform: platformById(platformId, policy ? { policy, host: o.host } : { host: o.host }),
    pythons,
    source,
    layer: layer.kind === "source" ? { ...layer, cmakeOptions: layerOptionsWithPackages(layer.cmakeOptions, packages) } : layer,
    ...(packages.length ? { packages } : {}),
    release: {
      distribution: f.distribution ?? plan?.distribution ?? config.distribution,
      devDistribution: plan?.devDistribution ?? config.devDistribution,
      ...(f.version || plan ? { version: f.version ?? plan?.version } : {}),
      llvmRepository: plan?.llvm.repository ?? config.llvm.repository,
      ...(plan
        ? { llvmCommit: plan.llvm.commit, llvmVersion: plan.llvm.version, sourceDateEpoch: plan.sourceDateEpoch, ...(plan.llvm.tag ? { llvmTag: plan.llvm.tag } : {}) }
        : upstream
          ? { llvmCommit: upstream.commit, llvmTag: upstream.tag }
          : {}),
    },
    nanobind: plan?.tools["nanobind"] ?? config.tools.nanobind,
    nanobindDomain: plan?.nanobindDomain ?? config.nanobindDomain,
    dev: f.dev ?? false,
    // The tools keep the targets the release's layers are configured with, whichever layer this build uses.
    ...(f.toolsWheel ? { toolsWheel: { targets: config.layerCmakeOptions["LLVM_TARGETS_TO_BUILD"] ?? "all" } } : {}),
    verify: f.verify ? { lit: f.lit, ...(f.litFilter ? { litFilter: f.litFilter.split(",") } : {}) } : false,
    toolsDir: o.toolsDir,
    ...(jobs !== undefined ? { jobs } : {}),
    compilerCache: o.compilerCache,
    host: o.host,
  };
}

/**
 * The build's closing table: every wheel a user installs (per-Python wheels and the native wheel
 * they pin), then the line that installs from the output folder (find-links added to PyPI, which
 * serves the dependencies) and the report's path. `cwd` makes the folder relative when it is below.
 */
export function closingSummary(report: Pick<BuildReport, "wheels" | "verification" | "native" | "distribution" | "version"> & Partial<Pick<BuildReport, "tools" | "packages">>, outDir: string, cwd = process.cwd()): string {
  const time = (w: { reused?: boolean; seconds: Record<string, number> }): string => (w.reused ? "reused" : `${Object.values(w.seconds).reduce((a, x) => a + x, 0).toFixed(1)}s`);
  const lines = report.wheels.map((w) => {
    const v = report.verification[w.fileName];
    const lit = v?.lit ? `  lit ${v.lit.passed} passed, ${v.lit.failed} failed, ${v.lit.unsupported} unsupported` : "";
    const smoke = v ? `  smoke ${v.smoke["jit"] === 42 ? "ok" : "FAILED"}` : "";
    return `${w.fileName}  ${(w.size / 1e6).toFixed(1)} MB  ${time(w)}${smoke}${lit}`;
  });
  if (report.native) lines.push(`${report.native.fileName}  ${(report.native.size / 1e6).toFixed(1)} MB  ${time(report.native)}  (native part: every wheel above pins it)`);
  if (report.tools) lines.push(`${report.tools.fileName}  ${(report.tools.size / 1e6).toFixed(1)} MB  ${time(report.tools)}  (tools: mlir-opt, mlir-translate, FileCheck, … on PATH)`);
  for (const p of report.packages ?? []) {
    const tests = Object.entries(p.tests).map(([py, t]) => `${py}: ${t.passed} passed, ${t.failed + t.errors} failed, ${t.skipped} skipped`);
    lines.push(`${p.fileName}  ${(p.size / 1e6).toFixed(1)} MB  (package ${p.package}${tests.length ? `; upstream's tests ${tests.join("; ")}` : ""})`);
  }
  const rel = relative(cwd, outDir);
  const dir = rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : outDir;
  lines.push(`install: ${findLinksInstallLine({ distribution: report.distribution, version: report.version }, dir)}`);
  if (report.tools) lines.push(`tools: ${findLinksInstallLine({ distribution: toolsDistribution(report.distribution), version: report.version }, dir)}`);
  lines.push(`report: ${join(outDir, "build-report.json")}`);
  return `${lines.join("\n")}\n`;
}

function summarize(report: Awaited<ReturnType<typeof buildWheels>>, outDir: string): void {
  process.stdout.write(closingSummary(report, outDir));
}

/** The options `verify` and `build` share, declared once; a description says what each command does with it. */
const SHARED_OPTIONS: ReadonlyArray<{ flags: string; build: string; verify: string; default?: string }> = [
  { flags: "--platform <id>", build: "target platform", verify: "target platform", default: BUILD_DEFAULTS.platform },
  { flags: "--source <spec>", build: "debian:22.1.8|23.1.1 | tarball:<path>@<sha256> | git:<url>@<commit> | dir:<path>", verify: "the source the wheels were built from", default: BUILD_DEFAULTS.source },
  { flags: "--layer <spec>", build: "prebuilt:<prefix> | source", verify: "the layer (its tools run the lit suite)", default: BUILD_DEFAULTS.layer },
  { flags: "--python <versions>", build: "comma-separated CPython versions (default: the config's)", verify: "which wheels to verify (default: the config's)" },
  { flags: "--out <dir>", build: "where wheels and build-report.json go", verify: "the build's output folder (what `build --out` wrote)", default: BUILD_DEFAULTS.out },
  { flags: "--work <dir>", build: "build directories (default: <cache>/work)", verify: "venvs and lit work dirs (default: <cache>/work)" },
  { flags: "--cache <dir>", build: "sources, trees, layers, venvs (default: $MLIR_RELEASE_CACHE, else <repo>/.cache)", verify: "sources, trees, layers, venvs (default: $MLIR_RELEASE_CACHE, else <repo>/.cache)" },
  { flags: "--config <file>", build: "release config (default: release.config.json)", verify: "release config" },
  { flags: "--no-lit", build: "skip upstream's lit suite (smoke test only)", verify: "smoke test only" },
  { flags: "--lit-filter <paths>", build: "comma-separated subset of mlir/test/python", verify: "comma-separated subset of mlir/test/python" },
];

const withSharedOptions = (cmd: Command, role: "build" | "verify"): Command =>
  SHARED_OPTIONS.reduce((c, o) => (o.default === undefined ? c.option(o.flags, o[role]) : c.option(o.flags, o[role], o.default)), cmd);

export function register(program: Command, cli: CliContext): void {
  withSharedOptions(
    program.command("verify").description("Verify the wheels of a build output folder: check-wheel-contents, fresh venv, smoke test, upstream lit"),
    "verify",
  )
    .action(cli.withOptions(async (o, flags: Omit<BuildFlags, "verify">) => {
      const settings = resolveBuildSettings(o, { ...flags, verify: true });
      const env = new HostEnv(join(settings.workDir, "logs", `verify-${settings.platform.id}.log`));
      const progress = new ConsoleProgress();
      progress.info(`full log: ${env.logFile}`);
      summarize(await verifyDist(settings, env, progress), settings.outDir);
    }));

  withSharedOptions(program.command("build").description("Build, repair and verify MLIR Python wheels for one platform"), "build")
    .option("--plan <file>", "build exactly what a ReleasePlan says (version, commit, source, Pythons)")
    .option("--distribution <name>", "distribution name")
    .option("--version <pep440>", "version of the wheels (default: the LLVM version)")
    .option("--no-verify", "skip check-wheel-contents, install, smoke test and lit")
    .option("--no-dev", "skip the dev distribution (tarball + dev wheel for downstream builds)")
    .option("--no-tools-wheel", "skip the tools wheel (<distribution>-tools: mlir-opt, mlir-translate, mlir-lsp-server, FileCheck, … statically linked from the layer; about 1 min of link on linux-x86_64)")
    .option("--package <ids>", "also build these packages' wheels, comma-separated (clang: clang's Python bindings with libclang; see release.config.json packages)")
    .option("-j, --jobs <n>", "parallel compile jobs")
    .option("--policy <name>", "Linux: manylinux2014 | manylinux_2_28 (default: the config's manylinuxPolicy, manylinux2014; linux-aarch64: manylinux_2_28)")
    .option("--dry-run", "print the resolved plan (commands, env, CMake cache, wheel tags) of --platform <id|all>; build nothing")
    .action(cli.withOptions(async (o, flags: BuildFlags) => {
      if (flags.dryRun) {
        // A dry run reads and validates the same inputs as the real run (plan, flags, config, paths).
        resolveBuildSettings(o, { ...flags, platform: flags.platform === "all" ? BUILD_DEFAULTS.platform : flags.platform });
        const config = o.config;
        const src = parseSourceSpec(flags.source);
        const layer = parseLayerSpec(flags.layer, config);
        // With --plan every platform shows the plan's version, source, Pythons and pins (what CI builds).
        const plan = flags.plan ? readJsonAs(ReleasePlan, flags.plan, "--plan") : undefined;
        const planPythons = plan && flags.python === undefined
          ? Object.fromEntries(PlatformId.options.map((id) => [id, [...new Set(plan.matrix.filter((m) => m.platform === id).map((m) => m.python))]] as const).filter(([, v]) => v.length > 0))
          : undefined;
        process.stdout.write(
          dryRunText({
            platform: flags.platform,
            ...(flags.policy ? { policy: o.policy } : {}),
            pythons: flags.python !== undefined ? parsePythons(flags.python) : (config.pythons ?? calendarPythons(parseOrExplain(PlatformId, flags.platform === "all" ? BUILD_DEFAULTS.platform : flags.platform, "--platform"), new Date())),
            ...(planPythons ? { pythonsByPlatform: planPythons } : {}),
            ...(plan ? { plan, planFile: flags.plan! } : {}),
            layerKind: layer.kind,
            ...(layer.kind === "source" ? { layerCmakeOptions: layer.cmakeOptions } : {}),
            distribution: flags.distribution ?? plan?.distribution ?? config.distribution,
            ...(flags.version ? { version: flags.version } : {}),
            nanobind: plan?.tools["nanobind"] ?? config.tools.nanobind,
            nanobindDomain: plan?.nanobindDomain ?? config.nanobindDomain,
            repoRoot: o.repoRoot,
            host: o.host,
            workDir: resolve(flags.work ?? join(o.cacheDir, "work")),
            toolsBin: join(o.toolsDir, "bin"),
            ...(src.kind === "dir" ? { sourceRoot: src.path } : {}),
            ...(layer.kind === "prebuilt" ? { layerPrefix: layer.prefix } : {}),
            // This machine's own platform: the plan `build` itself executes, from the same settings.
            native: (p) => planBuild({ ...resolveBuildSettings(o, { ...flags, platform: p.id }), platform: p }),
          }),
        );
        return;
      }
      const settings = resolveBuildSettings(o, flags);
      const env = new HostEnv(join(settings.workDir, "logs", `build-${settings.platform.id}.log`));
      const progress = new ConsoleProgress();
      progress.info(`full log: ${env.logFile}`);
      // An --out or work folder this run made is taken back when the factory refuses the input before running anything.
      const built = await refusalLeavesNothing([newDir(settings.outDir), newDir(settings.workDir)], () => buildWheels(settings, env, progress));
      // Each wheel's members and this machine's outside inputs go into the report and the manifest (issue 25).
      const report = await recordBuildFacts(settings, built, env);
      summarize(report, settings.outDir);
      process.stdout.write(`${writeBuildManifest(settings, report, flags.plan)}\n`);
    }));
}
