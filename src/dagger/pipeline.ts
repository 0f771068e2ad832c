// What the Dagger functions build, as functions of a Dagger client and plain inputs. Nothing runs
// until a caller asks for a value (sync/export/contents): the SDK only accumulates a query, which
// is what the engine-free tests record. The stages themselves run inside the container through
// the same CLI the host path uses (node bin/mlir-release.mjs ...).
import { CacheSharingMode, type Client, type Container, type Directory, type File, type Platform, type Secret } from "@dagger.io/dagger";
import { InvalidInputError } from "../errors.js";
import { ReleaseConfig } from "../schema/config.js";
import { type ImagesLock } from "../schema/images-lock.js";
import { LAYER_STORE_ENV, LayerStoreSpec } from "../schema/layer-store.js";
import { parseFlag } from "../schema/parse.js";
import { type PlatformId } from "../schema/platform.js";
import { GithubRepoRef } from "../schema/strings.js";
import { COMPILER_CACHE_ENV } from "../options/environment.js";
import { canonicalHash } from "../util/hash.js";
import { policyFor } from "../options/policy.js";
import { cliArgv } from "./cli-argv.js";
import { moduleInputs } from "./module-support.js";
import { type BuildImage, buildImageFor, type ManylinuxPolicy } from "../platforms/images.js";

/** Paths inside the build container. */
export const PATHS = {
  src: "/src",
  out: "/out",
  work: "/work",
  cache: "/cache/mlir-release",
  layers: "/cache/mlir-release/layers",
  /** The CLI's local layer store (<cache>/layer-artifacts): in the cache volume, not the layer volume. */
  layerArtifacts: "/cache/mlir-release/layer-artifacts",
  compilerCache: "/cache/sccache",
  npm: "/root/.npm",
  node: "/opt/node",
  tools: "/opt/mlir-release-tools",
  provision: "/opt/mlir-release-provision",
  plan: "/in/plan.json",
} as const;

/** What is never copied from the repository into a container: caches, outputs, dependencies. */
export const SOURCE_EXCLUDE = [".git", ".cache", "dist", "node_modules"];

interface LinuxBuildOptions {
  platform: PlatformId;
  policy: ManylinuxPolicy;
  /** CLI --source spec (debian:22.1.8 | tarball:… | git:<url>@<commit>); a plan names its own source. */
  llvmSource?: string;
  /** CLI --layer spec (source | prebuilt:<prefix>). */
  layer: string;
  /** Comma-separated CPython versions, or the config's default. */
  pythons?: string;
  nanobind: string;
  /** The plan's layer options hash: the LLVM layer's cache volume is keyed by it. */
  optionsHash: string;
  /** A ReleasePlan JSON file; when given the build follows it (--plan). */
  plan?: File;
  /** Seeds a fresh compiler-cache (sccache) volume, e.g. the directory CI restored with actions/cache. */
  ccacheSeed?: Directory;
  jobs?: number;
  /**
   * The layer store the CLI reads through to (its MLIR_RELEASE_LAYER_STORE), already checked by
   * checkLayerStore: `github:<owner>/<name>` restores a layer an earlier run built instead of building it.
   */
  layerStore?: string;
  /** Read-only token for the layer store's release assets; mounted as a secret, only with a GitHub store. */
  githubToken?: Secret;
}

/**
 * The module's --layer-store, checked with the CLI's own schema before it reaches the container.
 * Bare `github` means $GITHUB_REPOSITORY, which a module does not see: it must name the repository.
 */
export function checkLayerStore(spec: string, flag = "--layer-store"): string {
  const s = parseFlag(LayerStoreSpec, spec, flag);
  if (s === "github") throw new InvalidInputError(`${flag} 'github': the module does not see $GITHUB_REPOSITORY; pass github:<owner>/<name> (CI: github:$GITHUB_REPOSITORY)`);
  const repo = s.startsWith("github:") ? GithubRepoRef.safeParse(s.slice("github:".length)) : undefined;
  if (repo && !repo.success) throw new InvalidInputError(`${flag} '${spec}': ${repo.error.issues.map((i) => i.message).join("; ")}`);
  return s;
}

/** Options hash when no plan is given: the same inputs the plan stage hashes (source + CMake options). */
export function defaultOptionsHash(llvmSource: string, config: ReleaseConfig = ReleaseConfig.parse({})): string {
  return canonicalHash({ source: llvmSource, cmakeOptions: config.layerCmakeOptions });
}

const NPM_CACHE_KEY = "mlir-release-npm";

const cacheKeys = (platform: PlatformId, policy: ManylinuxPolicy, optionsHash: string) => ({
  layer: `mlir-release-llvm-layer-${platform}-${policy}-${optionsHash.slice(0, 16)}`,
  ccache: `mlir-release-sccache-${platform}-${policy}`,
  cache: `mlir-release-cache-${platform}-${policy}`,
});

/**
 * The locked image, provisioned: Node (tarball checked against the lock), compiler check, ccache,
 * tools venv. Depends only on the provisioning scripts, so editing the stages keeps this layer cached.
 */
export function provisionedImage(dag: Client, img: BuildImage, provisionScripts: Directory, nanobind: string): Container {
  // Registry host and download base are inputs (MLIR_RELEASE_IMAGE_REGISTRY, MLIR_RELEASE_NODE_DIST_URL).
  const nodeTarball = dag.http(img.nodeUrl(moduleInputs()), { checksum: `sha256:${img.node.sha256}` });
  return dag
    .container({ platform: img.image.platform as Platform })
    .from(img.pullRef(moduleInputs()))
    .withDirectory(PATHS.provision, provisionScripts)
    .withMountedFile("/tmp/node.tar.xz", nodeTarball)
    .withExec(["bash", `${PATHS.provision}/node.sh`, "/tmp/node.tar.xz", img.node.sha256, PATHS.node])
    .withEnvVariable("NANOBIND_VERSION", nanobind)
    .withEnvVariable("TOOLS_DIR", PATHS.tools)
    .withExec(["bash", `${PATHS.provision}/manylinux.sh`])
    .withEnvVariable("PATH", `${PATHS.node}/bin:${PATHS.tools}/bin:$PATH`, { expand: true })
    .withEnvVariable("MLIR_RELEASE_TOOLS", PATHS.tools);
}

/** The repository in the provisioned image with its npm dependencies installed. */
export function cliContainer(dag: Client, base: Container, source: Directory): Container {
  return base
    .withMountedCache(PATHS.npm, dag.cacheVolume(NPM_CACHE_KEY))
    .withDirectory(PATHS.src, source, { exclude: SOURCE_EXCLUDE })
    .withWorkdir(PATHS.src)
    .withExec(["npm", "ci", "--no-audit", "--no-fund"]);
}

/** The CLI in the provisioned x86_64 image, where plan, publish and site-sync run. */
function x86Cli(dag: Client, lock: ImagesLock, source: Directory, nanobind: string, allowPlaceholderPins: boolean): Container {
  const img = buildImageFor(lock, "linux-x86_64", policyFor("linux-x86_64"), allowPlaceholderPins);
  return cliContainer(dag, provisionedImage(dag, img, source.directory("containers/provision"), nanobind), source);
}

/**
 * A container for a stage that reads the world (the LLVM remote, the GitHub releases), the token as
 * a secret. Its exec's inputs are otherwise the same from run to run, and the engine reuses an exec
 * whose inputs are unchanged even inside a cache: "never" function, which would hand back an earlier
 * answer; `variable` holding `at` (when the call was made) makes every call a new one.
 */
function askedAt(c: Container, variable: string, at: string, githubToken: Secret | undefined): Container {
  const asked = c.withEnvVariable(variable, at);
  return githubToken ? asked.withSecretVariable("GITHUB_TOKEN", githubToken) : asked;
}

export function buildArgv(o: LinuxBuildOptions): string[] {
  return cliArgv("build", {
    platform: o.platform,
    policy: o.policy,
    ...(o.plan ? { plan: PATHS.plan } : { source: o.llvmSource ?? "debian:22.1.8" }),
    layer: o.layer,
    out: PATHS.out,
    work: PATHS.work,
    cache: PATHS.cache,
    python: o.pythons,
    jobs: o.jobs ? String(o.jobs) : undefined,
  });
}

/** One Linux platform's wheels: the dist directory the CLI writes (wheels + build-report.json). */
export function linuxWheels(dag: Client, lock: ImagesLock, source: Directory, o: LinuxBuildOptions, allowPlaceholderPins = false): Directory {
  const img = buildImageFor(lock, o.platform, o.policy, allowPlaceholderPins);
  const keys = cacheKeys(o.platform, o.policy, o.optionsHash);
  let c = withBuildCaches(dag, cliContainer(dag, provisionedImage(dag, img, source.directory("containers/provision"), o.nanobind), source), keys, o.ccacheSeed);
  if (o.plan) c = c.withMountedFile(PATHS.plan, o.plan);
  // The CLI's read-through layer store: a key an earlier run built is downloaded (sha256-checked)
  // into PATHS.layerArtifacts and extracted instead of built. The build stays a cacheable function:
  // a key's layer has one content whether restored or built, so the wheels do not depend on the store.
  c = layerStoreEnv(c, o);
  return c.withExec(buildArgv(o)).directory(PATHS.out);
}

/** A build's cache volumes (the CLI's cache, the LLVM layer, sccache) and the setting that points sccache at its volume. */
function withBuildCaches(dag: Client, c: Container, keys: ReturnType<typeof cacheKeys>, ccacheSeed?: Directory): Container {
  return (
    c
      .withMountedCache(PATHS.cache, dag.cacheVolume(keys.cache))
      // One writer per layer: two builds of the same layer would otherwise race on its install tree.
      .withMountedCache(PATHS.layers, dag.cacheVolume(keys.layer), { sharing: CacheSharingMode.Locked })
      .withMountedCache(PATHS.compilerCache, dag.cacheVolume(keys.ccache), {
        sharing: CacheSharingMode.Locked,
        ...(ccacheSeed ? { source: ccacheSeed } : {}),
      })
      // The source layer's sccache (src/layer/compiler-cache.ts) keeps its entries in the volume.
      .withEnvVariable(COMPILER_CACHE_ENV, JSON.stringify({ dir: PATHS.compilerCache }))
  );
}

/** The compiler-cache setting of a rebuild with every cache off (what the CLI's factory reads). */
export const NO_COMPILER_CACHE = JSON.stringify({ kind: "none" });

/**
 * A platform's compiler-cache volume copied out as a Directory: CI saves it with actions/cache after
 * a trusted build and passes it back as the next build's seed. A Directory rather than the cache
 * service's credentials inside the engine: no write-capable token enters a container, and whether
 * a run may write the cache stays a decision of the workflow (its trusted-trigger condition).
 */
export function compilerCacheDirectory(dag: Client, lock: ImagesLock, o: { platform: PlatformId; policy: ManylinuxPolicy }, allowPlaceholderPins = false): Directory {
  const img = buildImageFor(lock, o.platform, o.policy, allowPlaceholderPins);
  return dag
    .container({ platform: img.image.platform as Platform })
    .from(img.pullRef(moduleInputs()))
    .withMountedCache(PATHS.compilerCache, dag.cacheVolume(cacheKeys(o.platform, o.policy, "").ccache), { sharing: CacheSharingMode.Locked })
    .withExec(["cp", "-a", "--", `${PATHS.compilerCache}/.`, "/export"])
    .directory("/export");
}

/** The container's environment for the CLI's layer store: its variable, and the token as a secret (GitHub stores only). */
function layerStoreEnv(c: Container, o: Pick<LinuxBuildOptions, "layerStore" | "githubToken">): Container {
  if (!o.layerStore) return c;
  const withStore = c.withEnvVariable(LAYER_STORE_ENV, o.layerStore);
  return o.githubToken && o.layerStore.startsWith("github") ? withStore.withSecretVariable("GITHUB_TOKEN", o.githubToken) : withStore;
}

/**
 * The layer archives builds left in a platform's local layer store (PATHS.layerArtifacts, in the
 * build's `cache` volume) as a Directory: complete pairs only (an archive with its record; no
 * temporary or half-written file), nothing else of the cache. CI exports it after a trusted build
 * and hands it to the `layers` job, the one job that may write the GitHub layer store; the build
 * itself gets a read-only token, so no write-capable token enters a container.
 */
export function layerArtifactsDirectory(dag: Client, lock: ImagesLock, o: { platform: PlatformId; policy: ManylinuxPolicy }, allowPlaceholderPins = false): Directory {
  const img = buildImageFor(lock, o.platform, o.policy, allowPlaceholderPins);
  const copyPairs = 'set -eu; mkdir -p -- "$2"; for r in "$1"/mlir-release-layer-*.tar.zst.json; do [ -f "$r" ] && [ -f "${r%.json}" ] || continue; cp -p -- "${r%.json}" "$r" "$2"/; done';
  return dag
    .container({ platform: img.image.platform as Platform })
    .from(img.pullRef(moduleInputs()))
    .withMountedCache(PATHS.cache, dag.cacheVolume(cacheKeys(o.platform, o.policy, "").cache))
    .withExec(["sh", "-c", copyPairs, "sh", PATHS.layerArtifacts, "/export"])
    .directory("/export");
}

/** Host-built wheels (macOS, Windows) arrive as directories; they are laid out next to Linux's. */
export function collectDist(dag: Client, parts: Partial<Record<PlatformId, Directory>>): Directory {
  let dist = dag.directory();
  for (const [platform, dir] of Object.entries(parts).sort(([a], [b]) => a.localeCompare(b))) {
    if (dir) dist = dist.withDirectory(platform, dir);
  }
  return dist;
}

interface PublishOptions {
  /** Stage only: check and lay out everything, send nothing. */
  dryRun: boolean;
  /** CLI publish --targets (github, pypi, index, conda); CI sends PyPI through trusted publishing instead. */
  targets: string;
  githubToken?: Secret;
  /** owner/name of the repository whose releases receive the artifacts (CLI --github-repository). */
  githubRepository?: string;
}

/** owner/name as GitHub spells it; checked here so a typo fails before anything is pulled. */
export function checkGithubRepository(repo: string, flag = "--github-repository"): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*\/[A-Za-z0-9_.-]+$/.test(repo)) throw new InvalidInputError(`${flag} '${repo}': expected owner/name`);
  return repo;
}

/**
 * Stage the collected dist (one folder per platform, each with its manifest) and publish the stage,
 * in the provisioned x86_64 image. Its stdout is what was staged and published.
 */
export function publishContainer(dag: Client, lock: ImagesLock, source: Directory, dist: Directory, nanobind: string, o: PublishOptions, allowPlaceholderPins = false): Container {
  let c = x86Cli(dag, lock, source, nanobind, allowPlaceholderPins)
    .withDirectory("/dist", dist)
    .withExec(["bash", "containers/stage-dist.sh", "/dist", "/artifacts", "/stage"]);
  if (o.dryRun) return c;
  if (o.githubToken) c = c.withSecretVariable("GITHUB_TOKEN", o.githubToken);
  return c.withExec(publishArgv(o));
}

interface SiteOptions {
  /** owner/name whose releases (those carrying a manifest.json) the index is rebuilt from. */
  githubRepository: string;
  githubToken?: Secret;
  /** The site's public base URL (CLI --base-url), e.g. the GitHub Pages URL. */
  baseUrl?: string;
  /** Apply retention (CLI --prune): thinned snapshots lose their files on GitHub and stay in the index as yanked, restorable. */
  prune?: boolean;
  /** When the sync was asked for: every sync is a new one, never yesterday's site (see askedAt). */
  syncedAt: string;
}

/**
 * The wheel index rebuilt from the GitHub releases themselves (the CLI's site-sync), in the same
 * provisioned x86_64 image as publish: the site holds pages only (files link to the release
 * downloads), so it needs no artifacts and CI can deploy it whole. /site is the live site directory.
 */
export function siteDirectory(dag: Client, lock: ImagesLock, source: Directory, nanobind: string, o: SiteOptions, allowPlaceholderPins = false): Directory {
  return askedAt(x86Cli(dag, lock, source, nanobind, allowPlaceholderPins), "MLIR_RELEASE_SITE_SYNCED_AT", o.syncedAt, o.githubToken)
    .withExec(siteSyncArgv(o))
    .directory("/site");
}

interface RebuildOptions {
  platform: PlatformId;
  policy: ManylinuxPolicy;
  optionsHash: string;
  nanobind: string;
  /**
   * Every cache off (the integrity check): no cache, layer or sccache volume is mounted, so the
   * CLI's cache folder, its layers and its local layer store start empty in the container's own
   * filesystem; the compiler cache is off ({"kind":"none"}); and the exec carries the time asked,
   * so the engine cannot hand back an earlier rebuild's answer. Off: the build's own volumes (a
   * quick warm replay, which proves nothing about the caches).
   */
  cacheOff: boolean;
  /** When the rebuild was asked for (ISO); stamped into the exec only with cacheOff. */
  requestedAt: string;
}

/** The variable that makes every cache-off rebuild a new exec (see askedAt). */
const REBUILT_AT_ENV = "MLIR_RELEASE_REBUILT_AT";

/** Replays a manifest through the CLI's rebuild, which compares every artifact's sha256 with the record. */
export function rebuildContainer(dag: Client, lock: ImagesLock, source: Directory, manifest: File, o: RebuildOptions): Container {
  const img = buildImageFor(lock, o.platform, o.policy);
  const c = cliContainer(dag, provisionedImage(dag, img, source.directory("containers/provision"), o.nanobind), source);
  const cached = o.cacheOff
    ? askedAt(c.withEnvVariable(COMPILER_CACHE_ENV, NO_COMPILER_CACHE), REBUILT_AT_ENV, o.requestedAt, undefined)
    : withBuildCaches(dag, c, cacheKeys(o.platform, o.policy, o.optionsHash));
  return cached.withMountedFile("/in/manifest.json", manifest).withExec(rebuildArgv());
}

/** The plan stage: selection needs the LLVM remote, so it runs where the build does. Its file is the CLI's JSON answer. */
interface PlanOptions {
  ref?: string;
  cutoff?: string;
  /** owner/name whose GitHub releases say what exists: the last snapshot's commit, taken versions. */
  githubRepository?: string;
  githubToken?: Secret;
  /** When the plan was asked for: a plan depends on the world, not only on its inputs (see askedAt). */
  plannedAt: string;
}

export function planFile(dag: Client, lock: ImagesLock, source: Directory, nanobind: string, kind: string, o: PlanOptions, allowPlaceholderPins = false): File {
  if (kind !== "snapshot" && kind !== "numbered") throw new InvalidInputError(`--kind '${kind}': expected snapshot or numbered`);
  if (kind === "numbered" && !o.ref) throw new InvalidInputError("--kind numbered needs --ref llvmorg-X.Y.Z");
  // stdout is the plan, or {"release": false, "reason": …} on a day with nothing to build.
  return askedAt(x86Cli(dag, lock, source, nanobind, allowPlaceholderPins), "MLIR_RELEASE_PLANNED_AT", o.plannedAt, o.githubToken)
    .withExec(planArgv(kind, o), { redirectStdout: PATHS.plan })
    .file(PATHS.plan);
}

// The CLI argv of each container exec, through cliArgv (checked against the CLI's option table in
// test/unit/dagger-argv.test.ts).
export const publishArgv = (o: Pick<PublishOptions, "targets" | "githubRepository">): string[] =>
  cliArgv("publish", { stage: "/stage", targets: o.targets, githubRepository: o.githubRepository });

export const siteSyncArgv = (o: Pick<SiteOptions, "githubRepository" | "baseUrl" | "prune">): string[] =>
  cliArgv("site-sync", { indexRoot: "/index", githubRepository: o.githubRepository, out: "/site", baseUrl: o.baseUrl, prune: o.prune ? true : undefined });

export const rebuildArgv = (): string[] => cliArgv("rebuild", { out: PATHS.out, work: PATHS.work, cache: PATHS.cache }, ["/in/manifest.json"]);

export const planArgv = (kind: string, o: Pick<PlanOptions, "ref" | "cutoff" | "githubRepository">): string[] =>
  cliArgv("plan", { kind, ref: o.ref, cutoff: o.cutoff, githubRepository: o.githubRepository });
