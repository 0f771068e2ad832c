// Reads containers/images.lock.json and turns a (platform, policy) into a pinned image reference.
// Pure apart from loadImagesLock: the lock's content is the input, a digest reference the output.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { imageLockKey, MANYLINUX_POLICIES, type ManylinuxPolicy } from "./linux.js";
import { InvalidInputError } from "../errors.js";
import { ImagesLock, type LockedDownload, type LockedImage } from "../schema/images-lock.js";
import { parseOrExplain } from "../schema/parse.js";
import { type PlatformId } from "../schema/platform.js";

// The platform modules own the policy names and the lock key of each (policy, arch) image.
export { type ManylinuxPolicy } from "./linux.js";

export const LOCK_PATH = "containers/images.lock.json";

export function loadImagesLock(repoRoot: string): ImagesLock {
  const path = join(repoRoot, LOCK_PATH);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new InvalidInputError(`image lock ${path} cannot be read as JSON: ${(e as Error).message}`);
  }
  return parseOrExplain(ImagesLock, raw, `image lock ${path}`);
}

/**
 * Whether a hex digest looks made up rather than computed: a sha256 output has (with overwhelming
 * probability) many distinct hex digits and no short repeating unit, unlike "000…", "abab…" or "a"×64.
 */
export function looksLikePlaceholderHex(hex: string): boolean {
  const h = hex.replace(/^sha256:/, "");
  return new Set(h).size < 8 || /^(.{1,16})\1+$/.test(h);
}

/** Every pin of the lock that is not a real, sourced pin, named like `image manylinux2014_x86_64`. */
export function unresolvedPins(lock: ImagesLock): string[] {
  const out: string[] = [];
  for (const [k, i] of Object.entries(lock.images)) {
    if (i.placeholder || looksLikePlaceholderHex(i.digest) || !i.source) out.push(`image ${k}`);
  }
  for (const [k, b] of Object.entries(lock.node.builds)) {
    if (b.placeholder || looksLikePlaceholderHex(b.sha256) || !b.source) out.push(`node ${k}`);
  }
  return out;
}

/** Host-free pin `<repository>@<digest>`: what plans and manifests record, whatever mirror served it. */
export const imageRef = (img: LockedImage): string => `${img.repository}@${img.digest}`;

/** Whether a recorded image reference (host-free pin, or one with a registry host in front) is this image. */
export const refMatches = (img: LockedImage, recorded: string): boolean =>
  recorded === imageRef(img) || recorded.endsWith(`/${imageRef(img)}`);

type HostEnv = Readonly<Record<string, string | undefined>>;

function required(env: HostEnv, name: string, what: string): string {
  const v = env[name]?.trim();
  if (!v) throw new InvalidInputError(`${name} is not set: set it to ${what}`);
  return v;
}

/** The registry host[:port] images are pulled from, read only when an image is pulled. */
export function imageRegistry(lock: ImagesLock, env: HostEnv): string {
  const host = required(env, lock.registryEnv, "the host[:port] of the registry that serves pypa's manylinux images (a mirror works; e.g. registry.example.org)");
  if (!/^[A-Za-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)*$/.test(host)) {
    throw new InvalidInputError(`${lock.registryEnv}='${host}': expected a registry host[:port] (optionally with a path prefix), no scheme`);
  }
  return host;
}

/** Pull reference `<registry>/<repository>@<digest>`. */
const pullRef = (lock: ImagesLock, img: LockedImage, env: HostEnv): string =>
  `${imageRegistry(lock, env)}/${imageRef(img)}`;

/** The Node version of one locked build: its own, else the lock's node.version. */
const nodeVersionOf = (lock: ImagesLock, build: LockedDownload): string => build.version ?? lock.node.version;

/** Download URL of a locked Node build: <base>/v<version>/<file>, the base read only when downloading. */
export function nodeDownloadUrl(lock: ImagesLock, build: LockedDownload, env: HostEnv): string {
  const base = required(
    env,
    lock.node.distEnv,
    `the base URL of a Node.js release mirror serving <base>/v<version>/<file> for ${Object.values(lock.node.builds).map((b) => `v${nodeVersionOf(lock, b)}/${b.file}`).join(", ")} (e.g. https://downloads.example.org/node)`,
  ).replace(/\/+$/, "");
  if (!/^https?:\/\/[^\s/]+/.test(base)) throw new InvalidInputError(`${lock.node.distEnv}='${base}': expected an http(s) base URL`);
  return `${base}/v${nodeVersionOf(lock, build)}/${build.file}`;
}

const ARCH_OF: Partial<Record<PlatformId, "x86_64" | "aarch64">> = { "linux-x86_64": "x86_64", "linux-aarch64": "aarch64" };

/** The `release` argument (as a dagger call flag) that takes each host-built platform's wheels. */
const HOST_DIR_FLAG: Record<PlatformId, string> = {
  "linux-x86_64": "",
  "linux-aarch64": "",
  "macos-arm64": "macos-arm",
  "macos-x86_64": "macos-intel",
  "windows-x64": "windows",
};

/** The Linux architecture a platform builds in, or an error saying where that platform builds instead. */
export function linuxArch(platform: PlatformId): "x86_64" | "aarch64" {
  const arch = ARCH_OF[platform];
  if (!arch) {
    throw new InvalidInputError(
      `platform ${platform} cannot be built in a Linux container: build it with the host CLI on a ` +
        `${platform.startsWith("macos") ? "macOS" : "Windows"} runner (node bin/mlir-release.mjs build --platform ${platform}) ` +
        `and pass the resulting directory to 'release' (--${HOST_DIR_FLAG[platform]})`,
    );
  }
  return arch;
}

const versionKey = (v: string): number[] => v.split(".").map(Number);
const atLeast = (a: string, b: string): boolean => {
  const [x, y] = [versionKey(a), versionKey(b)];
  return (x[0] ?? 0) > (y[0] ?? 0) || ((x[0] ?? 0) === (y[0] ?? 0) && (x[1] ?? 0) >= (y[1] ?? 0));
};

export interface BuildImage {
  key: string;
  image: LockedImage;
  /** Host-free pin (repository@digest), as plans record it. */
  ref: string;
  node: LockedDownload & { key: string };
  /** Pull reference with the registry host from `env` (the Dagger module's inputs); throws naming the variable if unset. */
  pullRef: (env: HostEnv) => string;
  /** Node tarball URL with the download base from `env`; throws naming the variable if unset. */
  nodeUrl: (env: HostEnv) => string;
}

/**
 * The locked image for a Linux platform and policy, and the Node build that runs in it.
 * Refuses placeholder pins: pulling "whatever the tag is today" would make the build unrepeatable.
 */
export function buildImageFor(lock: ImagesLock, platform: PlatformId, policy: ManylinuxPolicy, allowPlaceholders = false): BuildImage {
  const arch = linuxArch(platform);
  const key = imageLockKey(policy, arch);
  const image = lock.images[key];
  if (!image) throw new InvalidInputError(`${LOCK_PATH} has no entry ${key} (${policy} for ${arch}; policies: ${MANYLINUX_POLICIES.join(", ")})`);
  const ociPlatform = arch === "x86_64" ? "linux/amd64" : "linux/arm64";
  if (image.policy !== policy || image.platform !== ociPlatform) {
    throw new InvalidInputError(`${LOCK_PATH}: entry ${key} says ${image.policy} ${image.platform}, expected ${policy} ${ociPlatform}`);
  }
  // The newest Node build whose glibc floor the image meets.
  const node = Object.entries(lock.node.builds)
    .filter(([, b]) => b.arch === arch && atLeast(image.glibc, b.minGlibc))
    .sort(([, a], [, b]) => (atLeast(a.minGlibc, b.minGlibc) ? -1 : 1))[0];
  if (!node) {
    throw new InvalidInputError(
      `no Node ${lock.node.version} build in ${LOCK_PATH} runs on ${key} (glibc ${image.glibc}, ${arch}): ` +
        `the CLI runs inside the image; use --policy manylinux_2_28 for ${platform}`,
    );
  }
  const [nodeKey, nodeBuild] = node;
  if (!allowPlaceholders) {
    const bad = new Set(unresolvedPins(lock));
    const unresolved = [`image ${key}`, `node ${nodeKey}`].filter((p) => bad.has(p));
    if (unresolved.length) {
      throw new InvalidInputError(
        `${LOCK_PATH}: ${unresolved.join(" and ")} ${unresolved.length > 1 ? "are placeholders" : "is a placeholder"} ` +
          `(never resolved against a registry). Run containers/refresh-image-pins.sh on a machine with registry access and commit the lock.`,
      );
    }
  }
  return {
    key,
    image,
    ref: imageRef(image),
    node: { key: nodeKey, ...nodeBuild },
    pullRef: (env: HostEnv) => pullRef(lock, image, env),
    nodeUrl: (env: HostEnv) => nodeDownloadUrl(lock, nodeBuild, env),
  };
}
