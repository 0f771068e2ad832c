// Inputs of the module functions that are not Dagger objects: the lock and the release config,
// read from the module's own source (the repository), and argument checks.
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { ImagesLock, InvalidInputError, parseOrExplain, PlatformId, ReleaseConfig } from "../schema.js";
import { loadImagesLock, MANYLINUX_POLICIES, type ManylinuxPolicy } from "./images.js";

export const MODULE_ROOT = resolve(new URL("../..", import.meta.url).pathname);

/** The image lock; MLIR_RELEASE_IMAGES_LOCK points at another file (a freshly refreshed lock under review). */
export function moduleLock(): ImagesLock {
  const override = process.env["MLIR_RELEASE_IMAGES_LOCK"];
  if (!override) return loadImagesLock(MODULE_ROOT);
  return parseOrExplain(ImagesLock, JSON.parse(readFileSync(override, "utf8")), `image lock ${override}`);
}

export function moduleConfig(): ReleaseConfig {
  const p = join(MODULE_ROOT, "release.config.json");
  return existsSync(p) ? parseOrExplain(ReleaseConfig, JSON.parse(readFileSync(p, "utf8")), `config ${p}`) : ReleaseConfig.parse({});
}

export const parsePlatform = (p: string): PlatformId => parseOrExplain(PlatformId, p, "--platform");

export function parsePolicy(p: string): ManylinuxPolicy {
  if (!(MANYLINUX_POLICIES as readonly string[]).includes(p)) {
    throw new InvalidInputError(`--policy '${p}': expected one of ${MANYLINUX_POLICIES.join(", ")}`);
  }
  return p as ManylinuxPolicy;
}

/** linux-aarch64 has no Node build for glibc 2.17, so it always builds in manylinux_2_28. */
export const policyFor = (platform: PlatformId, requested: ManylinuxPolicy): ManylinuxPolicy =>
  platform === "linux-aarch64" ? "manylinux_2_28" : requested;

/** Module constructor arguments become the variables the image lock names (the module sees no caller env). */
export function useHostInputs(h: { imageRegistry?: string | undefined; nodeDistUrl?: string | undefined }): void {
  if (h.imageRegistry) process.env["MLIR_RELEASE_IMAGE_REGISTRY"] = h.imageRegistry;
  if (h.nodeDistUrl) process.env["MLIR_RELEASE_NODE_DIST_URL"] = h.nodeDistUrl;
}
