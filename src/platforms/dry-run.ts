// `build --dry-run`: resolve the plan of one platform (or all) and print it, building nothing.
// The native platform is resolved against this machine (its Pythons, its paths); the others
// against their CI runner's facts, with placeholders for paths that only exist there.
import { existsSync, readdirSync } from "node:fs";
import { runnable } from "../exec/env.js";
import { join } from "node:path";
import { imageRef, loadImagesLock, LOCK_PATH } from "./images.js";
import { InvalidInputError } from "../errors.js";
import { PlatformId } from "../schema/platform.js";
import { type LlvmAbiFacts, probeLlvmAbiFacts } from "./abi.js";
import { allPlatformVariants, platformById } from "./index.js";
import type { Platform } from "./platform.js";
import { formatPlatformPlan, type PlatformPlan, resolvePlatformPlan } from "./platform-plan.js";
import { formatDryRunSummary, type SummaryRow } from "./plan-format.js";
import { llvmFactsFromVersion } from "../plan/python-support.js";
import { sourceLayerKey } from "../layer/layer.js";
import type { LlvmSourceTree } from "../source/tree.js";
import type { HostOptions } from "../schema/options.js";
import type { ReleasePlan } from "../schema/release-plan.js";

interface DryRunInput {
  /** a PlatformId or "all" */
  platform: string;
  policy?: string;
  pythons: string[];
  /** Pythons per platform (a plan's matrix), over `pythons`. */
  pythonsByPlatform?: Partial<Record<PlatformId, string[]>>;
  distribution: string;
  version?: string;
  nanobind: string;
  nanobindDomain: string;
  repoRoot: string;
  workDir: string;
  toolsBin: string;
  /** An llvm-project tree to read ABI facts from (a dir: source), if any. */
  sourceRoot?: string;
  /** The layer's install prefix (prebuilt), if any. */
  layerPrefix?: string;
  /**
   * The plan of a platform this machine builds natively, from the factory's own settings (the
   * exact steps `build` runs here); other platforms are resolved against their CI runner's facts.
   */
  native?: (p: Platform) => PlatformPlan;
  /**
   * `--plan`: every platform takes the plan's version, LLVM version, source, Pythons (unless
   * --python), policies and image pins, as CI builds it; `--platform all` means the plan's platforms.
   */
  plan?: ReleasePlan;
  /** The file the plan was read from (named in the summary). */
  planFile?: string;
  /** The layer spec's kind; a from-source layer's CMake options (its key is derived from them). */
  layerKind?: "prebuilt" | "source";
  layerCmakeOptions?: Record<string, string>;
  /** This host (the resolved options'): its prepared environments and what finds its interpreters. */
  host?: HostOptions;
}

/** Image pins by lock key from containers/images.lock.json (placeholders marked as such). */
export function readImagePins(repoRoot: string): Record<string, string> {
  if (!existsSync(join(repoRoot, LOCK_PATH))) return {};
  return Object.fromEntries(
    Object.entries(loadImagesLock(repoRoot).images).map(([k, v]) => [
      k,
      `${imageRef(v)}${v.placeholder ? " (placeholder: run containers/refresh-image-pins.sh)" : ""}`,
    ]),
  );
}

const listDir = (d: string): string[] => {
  try {
    return readdirSync(d);
  } catch {
    return [];
  }
};

/** This machine's own platforms, resolved with real paths; none when it builds none natively. */
const nativePlatforms = (host: HostOptions | undefined): PlatformId[] =>
  process.platform === "linux" && process.arch === "x64"
    ? ["linux-x86_64", ...(host?.aarch64Cross ? (["linux-aarch64"] as const) : [])]
    : [];

export function dryRunPlans(input: DryRunInput): PlatformPlan[] {
  return resolveDryRun(input).map((r) => r.plan);
}

/** Each platform's plan, and whether it is this machine's own (the steps `build` runs here) or a CI runner's. */
function resolveDryRun(input: DryRunInput): { plan: PlatformPlan; here: boolean }[] {
  let platforms: Platform[];
  const plan = input.plan;
  const on = input.host ? { host: input.host } : {};
  const planPolicy = (id: PlatformId): { policy?: string; host?: HostOptions } => {
    const policy = input.policy ?? plan?.policies?.[id];
    return id.startsWith("linux-") && policy ? { policy, ...on } : on;
  };
  if (input.platform === "all" && plan) {
    // What CI builds from this plan: its platforms, each with the plan's policy.
    const ids = new Set(plan.matrix.map((m) => m.platform));
    platforms = PlatformId.options.filter((id) => ids.has(id)).map((id) => platformById(id, planPolicy(id)));
  } else if (input.platform === "all") {
    platforms = input.policy ? PlatformId.options.map((id) => platformById(id, id.startsWith("linux-") ? { policy: input.policy!, ...on } : on)) : allPlatformVariants(input.host);
  } else {
    const r = PlatformId.safeParse(input.platform);
    if (!r.success) throw new InvalidInputError(`--platform '${input.platform}': expected all or one of ${PlatformId.options.join(", ")}`);
    platforms = [platformById(r.data, plan ? planPolicy(r.data) : input.policy ? { policy: input.policy, ...on } : on)];
  }
  const mlirCmakeDir = input.layerPrefix ? join(input.layerPrefix, "lib", "cmake", "mlir") : undefined;
  // The aarch64 module is resolved here only in its cross variant (the native one runs on an arm64 runner).
  // With a plan, `all` is CI's view: every platform is resolved against its runner, this one too.
  const isNative = (p: Platform): boolean => !(plan && input.platform === "all") && nativePlatforms(input.host).includes(p.id) && (p.id !== "linux-aarch64" || "MLIR_RELEASE_AARCH64_CROSS" in p.runner.env);
  // This machine's plans first: they know the LLVM version without a tree (the factory reads the source spec).
  const nativePlans = new Map(input.native ? platforms.filter(isNative).map((p) => [p, input.native!(p)] as const) : []);
  let llvm: LlvmAbiFacts | undefined;
  const facts = (): LlvmAbiFacts => {
    if (llvm) return llvm;
    // The plan names the LLVM version CI builds; a local tree or layer may be another one.
    if (plan) return (llvm = llvmFactsFromVersion(plan.llvm.version));
    try {
      llvm = probeLlvmAbiFacts({ ...(input.sourceRoot ? { sourceRoot: input.sourceRoot } : {}), ...(mlirCmakeDir ? { mlirCmakeDir } : {}) });
    } catch (e) {
      const known = [...nativePlans.values()][0];
      if (!(e instanceof InvalidInputError) || !known) throw e;
      llvm = known.llvm;
    }
    return llvm;
  };
  const lockPins = readImagePins(input.repoRoot);
  // The plan's pin of a platform's image is what CI pulls; the lock's stands for images the plan does not pin.
  const pinsFor = (p: Platform): Record<string, string> => {
    const pinned = plan?.images[p.id];
    const image = p.runner.image;
    return image && pinned && (pinned === image || pinned.split("@")[0]!.endsWith(`/${image}`)) ? { ...lockPins, [image]: `${pinned} (the plan's pin)` } : lockPins;
  };
  return platforms.map((p) => {
    const native = isNative(p);
    const own = nativePlans.get(p);
    // This machine's plan does not run in the image; the image CI uses for the platform is still pinned.
    if (own) return { here: true, plan: own.runner.image && !own.runner.imagePin && pinsFor(p)[own.runner.image] ? { ...own, runner: { ...own.runner, imagePin: pinsFor(p)[own.runner.image]! } } : own };
    const llvm = facts();
    const pythons = input.pythonsByPlatform?.[p.id] ?? input.pythons;
    // On CI the tools venv is <checkout>/.cache/tools (MLIR_RELEASE_TOOLS), in the images /opt/mlir-release-tools.
    const ci = p.conventions.ci;
    return { here: false, plan: resolvePlatformPlan(p, {
      pythons,
      llvm,
      distribution: input.distribution,
      version: input.version ?? plan?.version ?? llvm.version,
      nanobind: input.nanobind,
      nanobindDomain: input.nanobindDomain,
      repoRoot: native ? input.repoRoot : "$GITHUB_WORKSPACE",
      sourceRoot: native && input.sourceRoot ? input.sourceRoot : "<llvm-project>",
      mlirCmakeDir: native && mlirCmakeDir ? mlirCmakeDir : "<layer>/lib/cmake/mlir",
      workDir: native ? input.workDir : "$RUNNER_TEMP/mlir-release",
      toolsBin: native ? input.toolsBin : p.conventions.path.join(ci.toolsDir, p.conventions.venvBin),
      ...(native ? {} : { toolsDir: ci.toolsDir, cacheDir: ci.cacheDir }),
      ...(native ? { env: input.host?.discoveryEnv ?? {}, listDir, exists: (f: string) => runnable(f, input.host?.discoveryEnv["PATH"]) } : {}),
      imagePins: pinsFor(p),
      ...(plan ? { source: describePlanSource(plan) } : {}),
      ...(layerDescription(input, p, native) ? { layer: layerDescription(input, p, native)! } : {}),
    }) };
  });
}

/** The plan's source as the source step describes it (what the build fetches). */
function describePlanSource(plan: ReleasePlan): string {
  const s = plan.source;
  return s.kind === "git" ? `git ${s.repository} @ ${s.commit.slice(0, 12)}` : `tarball ${s.file} (sha256 ${s.sha256.slice(0, 16)}…)`;
}

/** A remote git URL (scheme or user@host:path); anything else names a path on one machine. */
const isRemote = (repo: string): boolean => /^[a-z][a-z0-9+.-]*:\/\//i.test(repo) && !/^file:/i.test(repo) || /^[A-Za-z0-9_.-]+@[^:]+:/.test(repo);

/** Where the plan's commit was selected, when that is not where the build fetches it from. */
function selectionNote(plan: ReleasePlan): string | undefined {
  const from = plan.selection?.source;
  if (!from || plan.source.kind !== "git") return undefined;
  const where = from.replace(/^git /, "");
  if (where === plan.source.repository) return undefined;
  const local = from.startsWith("git ") && !isRemote(where);
  return `selected in ${from}${local ? " (a local repository)" : ""}; the build fetches ${plan.source.commit.slice(0, 12)} from ${plan.source.repository}, which must have it`;
}

/** The layer as the summary and a runner's layer step name it: a from-source layer's key is known before anything runs. */
function layerDescription(input: DryRunInput, p: Platform, native: boolean): string | undefined {
  if (input.layerKind === "source") {
    const identity = input.plan ? (input.plan.source.kind === "git" ? input.plan.source.commit : input.plan.source.sha256) : input.sourceRoot ? `dir:${input.sourceRoot}` : undefined;
    const options = input.plan?.layer.cmakeOptions ?? input.layerCmakeOptions ?? {};
    return identity ? `from source, key ${sourceLayerKey({ identity } as LlvmSourceTree, p.id, options)}` : "from source";
  }
  if (input.layerKind === "prebuilt") return native && input.layerPrefix ? `prebuilt ${input.layerPrefix}` : "prebuilt <layer> (the runner's)";
  return undefined;
}

/** The summary's rows: one per platform, from the resolved plans. */
function summaryRows(resolved: { plan: PlatformPlan; here: boolean }[]): SummaryRow[] {
  return resolved.map(({ plan, here }) => {
    const layerStep = plan.steps.find((s) => s.id === "layer");
    const layer = layerStep?.kind === "in-process" ? layerStep.detail.split("\n")[0]! : "";
    const sourceStep = plan.steps.find((s) => s.id === "source");
    const source = sourceStep?.kind === "in-process" ? sourceStep.detail.replace(/ → .*$/, "") : "";
    return { plan, here, layer, source };
  });
}

/** The dry run: a one-screen summary first, then each platform's facts and complete step list. */
export function dryRunText(input: DryRunInput): string {
  const resolved = resolveDryRun(input);
  const plans = resolved.map((r) => r.plan);
  const summary = formatDryRunSummary(summaryRows(resolved), {
    distribution: input.distribution,
    ...(input.plan ? { plan: input.plan, ...(input.planFile ? { planFile: input.planFile } : {}), ...(selectionNote(input.plan) ? { selection: selectionNote(input.plan)! } : {}) } : {}),
  });
  return `${summary}\n${plans.map(formatPlatformPlan).join("\n")}`;
}
