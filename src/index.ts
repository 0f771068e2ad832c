// The Dagger module: `dagger call <function> ...`. Thin: arguments in, the pipeline's containers
// out (src/dagger/pipeline.ts). Linux wheels build in the locked manylinux images; macOS and
// Windows wheels are built by the host CLI on their runners and come in as directories, so
// `release` is the same function on a laptop and on CI.
import { argument, dag, type Directory, type File, func, object, type Secret } from "@dagger.io/dagger";
import { checkGithubRepository, checkLayerStore, collectDist, compilerCacheDirectory, defaultOptionsHash, layerArtifactsDirectory, linuxWheels, planFile, publishContainer, rebuildContainer, siteDirectory, SOURCE_EXCLUDE } from "./dagger/pipeline.js";
import { moduleConfig, moduleLock, parsePlatform, parsePolicy, policyFor, useHostInputs } from "./dagger/module-support.js";
import { buildPolicy } from "./options/policy.js";
import { InvalidInputError } from "./errors.js";
import { ReleaseManifest } from "./schema/manifest.js";
import { parseOrExplain } from "./schema/parse.js";
import { ReleasePlan } from "./schema/release-plan.js";
import { type PlatformId } from "./schema/platform.js";
import { refMatches } from "./platforms/images.js";
import { downstreamContainer } from "./dagger/downstream.js";

/** The plan stage's answer on a day with nothing to build. */
const isNoRelease = (x: unknown): x is { release: false; reason?: string; commit?: string } =>
  typeof x === "object" && x !== null && (x as { release?: unknown }).release === false;

/** A --plan file, parsed and checked (what build and the cache exports read their policy from). */
async function readPlan(plan: File | undefined): Promise<ReleasePlan | undefined> {
  return plan ? parseOrExplain(ReleasePlan, JSON.parse(await plan.contents()), "--plan") : undefined;
}

/** The policy a Linux build of `platform` uses: --policy, else the plan's, else the config's (one rule: buildPolicy). */
function linuxPolicy(platform: PlatformId, policy: string | undefined, plan: ReleasePlan | undefined) {
  return policyFor(platform, buildPolicy(platform, { requested: policy ? parsePolicy(policy) : undefined, plan, configured: moduleConfig().manylinuxPolicy }));
}

@object()
export class MlirRelease {
  /**
   * The image registry host[:port] and the Node release mirror's base URL. A module runs in its own
   * container and does not see the caller's environment, so CI passes them here
   * (dagger call --image-registry "$MLIR_RELEASE_IMAGE_REGISTRY" --node-dist-url "$MLIR_RELEASE_NODE_DIST_URL" ...);
   * unset, the module's own MLIR_RELEASE_IMAGE_REGISTRY / MLIR_RELEASE_NODE_DIST_URL apply.
   */
  constructor(imageRegistry?: string, nodeDistUrl?: string) {
    useHostInputs({ imageRegistry, nodeDistUrl });
  }

  /**
   * Compute the release plan (LLVM commit, version, matrix, pins) for a snapshot or a numbered release.
   * With --github-repository the releases published there say what exists (last snapshot, taken versions).
   */
  @func({ cache: "never" })
  plan(
    @argument({ defaultPath: "/", ignore: SOURCE_EXCLUDE }) source: Directory,
    kind = "snapshot",
    ref?: string,
    cutoff?: string,
    githubRepository?: string,
    githubToken?: Secret,
  ): File {
    return planFile(dag, moduleLock(), source, moduleConfig().tools.nanobind, kind, {
      ...(ref ? { ref } : {}),
      ...(cutoff ? { cutoff } : {}),
      ...(githubRepository ? { githubRepository: checkGithubRepository(githubRepository) } : {}),
      ...(githubToken ? { githubToken } : {}),
      plannedAt: new Date().toISOString(),
    });
  }

  /**
   * Build, repair and verify the wheels of one Linux platform in its locked manylinux image.
   * With --plan the build follows a plan (its source, version, Pythons, policy; its options hash keys the layer).
   * --policy: manylinux2014 | manylinux_2_28; default the plan's, else release.config.json's manylinuxPolicy
   * (manylinux2014); linux-aarch64 always builds in manylinux_2_28.
   * --layer-store github:<owner>/<name> (the CLI's MLIR_RELEASE_LAYER_STORE): a from-source layer whose
   * key that repository's `layers` release holds is restored (sha256-checked) instead of built;
   * --github-token (a read-only token is enough) is passed to it as a secret.
   */
  @func()
  async build(
    @argument({ defaultPath: "/", ignore: SOURCE_EXCLUDE }) source: Directory,
    platform = "linux-x86_64",
    policy?: string,
    llvmSource = "debian:22.1.8",
    layer = "source",
    python?: string,
    plan?: File,
    ccacheSeed?: Directory,
    jobs?: number,
    layerStore?: string,
    githubToken?: Secret,
  ): Promise<Directory> {
    const store = layerStore ? checkLayerStore(layerStore) : undefined;
    const config = moduleConfig();
    const p = parsePlatform(platform);
    const lock = moduleLock();
    const parsedPlan = await readPlan(plan);
    return linuxWheels(dag, lock, source, {
      platform: p,
      policy: linuxPolicy(p, policy, parsedPlan),
      layer,
      nanobind: parsedPlan?.tools["nanobind"] ?? config.tools.nanobind,
      optionsHash: parsedPlan?.layer.optionsHash ?? defaultOptionsHash(llvmSource, config),
      ...(plan ? { plan } : { llvmSource }),
      ...(python ? { pythons: python } : {}),
      ...(ccacheSeed ? { ccacheSeed } : {}),
      ...(jobs ? { jobs } : {}),
      ...(store ? { layerStore: store } : {}),
      ...(githubToken ? { githubToken } : {}),
    });
  }

  /**
   * The Linux compiler-cache (sccache) volume of a platform as a Directory, for CI to save after a
   * trusted build (restored next time and passed to build as --ccache-seed). --policy / --plan as
   * for build (the volume is keyed by the policy the build used).
   */
  @func({ cache: "never" })
  async compilerCache(
    @argument({ defaultPath: "/", ignore: SOURCE_EXCLUDE }) source: Directory,
    platform = "linux-x86_64",
    policy?: string,
    plan?: File,
  ): Promise<Directory> {
    void source; // every function takes the repository; this one only reads the lock
    const p = parsePlatform(platform);
    return compilerCacheDirectory(dag, moduleLock(), { platform: p, policy: linuxPolicy(p, policy, await readPlan(plan)) });
  }

  /**
   * The layer archives a platform's builds left in their local layer store (each with its sha256
   * record; nothing else of the cache) as a Directory, for CI to hand to the `layers` job after a
   * trusted build, which adds them to the GitHub layer store (`mlir-release layer-store push`).
   * --policy / --plan as for build: the store lives in the build's `cache` volume, keyed by its policy.
   */
  @func({ cache: "never" })
  async layerArtifacts(
    @argument({ defaultPath: "/", ignore: SOURCE_EXCLUDE }) source: Directory,
    platform = "linux-x86_64",
    policy?: string,
    plan?: File,
  ): Promise<Directory> {
    void source; // every function takes the repository; this one only reads the lock
    const p = parsePlatform(platform);
    return layerArtifactsDirectory(dag, moduleLock(), { platform: p, policy: linuxPolicy(p, policy, await readPlan(plan)) });
  }

  /**
   * Rebuild a published release from its manifest in the image it recorded; the CLI's rebuild
   * compares every artifact's sha256 with the record (and fails, listing the differences, if any differ).
   * --cache-off (the default) reads no cache: no cache, layer or compiler-cache volume, the compiler
   * cache off inside, and a new exec each call. A rebuild that checks published bytes must not reuse
   * what may have produced them, and the module sees none of the caller's environment, so this is an
   * argument. --cache-off=false replays with the build's volumes (quick, proves nothing about them).
   */
  @func({ cache: "never" })
  async rebuild(
    @argument({ defaultPath: "/", ignore: SOURCE_EXCLUDE }) source: Directory,
    manifest: File,
    platform = "linux-x86_64",
    cacheOff = true,
  ): Promise<Directory> {
    const p = parsePlatform(platform);
    const m = parseOrExplain(ReleaseManifest, JSON.parse(await manifest.contents()), "--manifest");
    const recorded = m.plan.images[p];
    if (!recorded) throw new InvalidInputError(`--manifest records no image for ${p} (images: ${Object.keys(m.plan.images).join(", ") || "none"})`);
    // Rebuild in exactly the recorded image, even if the lock has moved on since.
    const lock = moduleLock();
    const entry = Object.values(lock.images).find((i) => refMatches(i, recorded));
    if (!entry) throw new InvalidInputError(`--manifest's image ${recorded} for ${p} is not in containers/images.lock.json; check out the commit that built it`);
    const planned = m.plan.policies?.[p];
    if (planned && planned !== entry.policy) throw new InvalidInputError(`--manifest's plan records ${planned} for ${p} but its image ${recorded} is ${entry.policy}`);
    return rebuildContainer(dag, lock, source, manifest, {
      platform: p,
      policy: entry.policy,
      optionsHash: m.plan.layer.optionsHash,
      nanobind: m.plan.tools["nanobind"] ?? moduleConfig().tools.nanobind,
      cacheOff,
      requestedAt: new Date().toISOString(),
    }).directory("/out");
  }

  /**
   * Build a downstream project's wheels (a CMake project using MLIR's AddMLIRPython) against release
   * --release served by our index --index-url, for every Python of its matrix (or --python), in the
   * platform's locked image: the wheels and downstream-manifest.json (mlir-release downstream build).
   */
  @func()
  downstream(
    @argument({ defaultPath: "/", ignore: SOURCE_EXCLUDE }) source: Directory,
    project: Directory,
    release: string,
    indexUrl: string,
    platform = "linux-x86_64",
    policy = "manylinux2014",
    python?: string,
  ): Directory {
    const p = parsePlatform(platform);
    return downstreamContainer(dag, moduleLock(), source, project, {
      platform: p,
      policy: policyFor(p, parsePolicy(policy)),
      nanobind: moduleConfig().tools.nanobind,
      release,
      indexUrl,
      ...(python ? { pythons: python } : {}),
    }).directory("/out");
  }

  /**
   * Stage a dist directory (one folder per platform, each with its manifest.json) and publish it:
   * GitHub release and index by default; PyPI goes through trusted publishing on CI.
   * --github-repository owner/name names the releases' repository (CI passes $GITHUB_REPOSITORY).
   */
  @func({ cache: "never" })
  async publish(
    @argument({ defaultPath: "/", ignore: SOURCE_EXCLUDE }) source: Directory,
    dist: Directory,
    dryRun = false,
    githubToken?: Secret,
    targets = "github,index",
    githubRepository?: string,
  ): Promise<string> {
    return publishContainer(dag, moduleLock(), source, dist, moduleConfig().tools.nanobind, {
      dryRun,
      targets,
      ...(githubToken ? { githubToken } : {}),
      ...(githubRepository ? { githubRepository: checkGithubRepository(githubRepository) } : {}),
    }).stdout();
  }

  /**
   * The wheel index (PEP 503/691/658 pages and dashboard) rebuilt from every GitHub release of
   * --github-repository that carries its manifest.json, with file links to the release downloads:
   * a directory ready for GitHub Pages. Rebuilt from the releases, not kept between runs, so a
   * lost or partial earlier deploy heals on the next one.
   */
  @func({ cache: "never" })
  site(
    @argument({ defaultPath: "/", ignore: SOURCE_EXCLUDE }) source: Directory,
    githubRepository: string,
    githubToken?: Secret,
    baseUrl?: string,
    prune = false,
  ): Directory {
    return siteDirectory(dag, moduleLock(), source, moduleConfig().tools.nanobind, {
      githubRepository: checkGithubRepository(githubRepository),
      ...(githubToken ? { githubToken } : {}),
      ...(baseUrl ? { baseUrl } : {}),
      prune,
      syncedAt: new Date().toISOString(),
    });
  }

  /**
   * The whole release: plan, Linux wheels (x86_64 and aarch64), the host-built macOS/Windows
   * wheels given as directories (--macos-arm, --macos-intel, --windows), then publish (or, with --dry-run, stage and print what would be published)
   * to the releases of --github-repository.
   */
  @func({ cache: "never" })
  async release(
    @argument({ defaultPath: "/", ignore: SOURCE_EXCLUDE }) source: Directory,
    kind = "snapshot",
    ref?: string,
    cutoff?: string,
    policy?: string,
    macosArm?: Directory,
    macosIntel?: Directory,
    windows?: Directory,
    dryRun = false,
    githubToken?: Secret,
    targets = "github,index",
    githubRepository?: string,
  ): Promise<string> {
    const config = moduleConfig();
    const repo = githubRepository ? checkGithubRepository(githubRepository) : undefined;
    const lock = moduleLock();
    const plan = planFile(dag, lock, source, config.tools.nanobind, kind, {
      ...(ref ? { ref } : {}),
      ...(cutoff ? { cutoff } : {}),
      ...(repo ? { githubRepository: repo } : {}),
      ...(githubToken ? { githubToken } : {}),
      plannedAt: new Date().toISOString(),
    });
    const answer = JSON.parse(await plan.contents()) as unknown;
    if (isNoRelease(answer)) return `no release: ${answer.reason || "nothing MLIR is built from changed"} (LLVM ${answer.commit ?? "?"})\n`;
    const parsed = parseOrExplain(ReleasePlan, answer, "the plan stage's output");
    const linux = (platform: PlatformId): Directory =>
      linuxWheels(dag, lock, source, {
        platform,
        policy: linuxPolicy(platform, policy, parsed),
        layer: "source",
        nanobind: parsed.tools["nanobind"] ?? config.tools.nanobind,
        optionsHash: parsed.layer.optionsHash,
        plan,
      });
    const dist = collectDist(dag, {
      "linux-x86_64": linux("linux-x86_64"),
      "linux-aarch64": linux("linux-aarch64"),
      ...(macosArm ? { "macos-arm64": macosArm } : {}),
      ...(macosIntel ? { "macos-x86_64": macosIntel } : {}),
      ...(windows ? { "windows-x64": windows } : {}),
    });
    return publishContainer(dag, lock, source, dist, config.tools.nanobind, {
      dryRun,
      targets,
      ...(githubToken ? { githubToken } : {}),
      ...(repo ? { githubRepository: repo } : {}),
    }).stdout();
  }
}
