// Inputs of the module functions that are not Dagger objects: the lock and the release config,
// read from the module's own source (the repository), and argument checks. The config goes through
// the one resolver (src/options/resolve-options.ts), so unknown keys fail here exactly as they do in the CLI.
import { readFileSync } from "node:fs";
import { parsePolicyFlag, REPO_ROOT, resolveOptions } from "../options/resolve-options.js";
import { type ReleaseConfig } from "../schema/config.js";
import { ImagesLock } from "../schema/images-lock.js";
import { type ResolvedOptions } from "../schema/options.js";
import { parseOrExplain } from "../schema/parse.js";
import { type ManylinuxPolicy, PlatformId } from "../schema/platform.js";
import { loadImagesLock } from "../platforms/images.js";

/** The module's source: the same root the CLI resolves (src/options/resolve-options.ts). */
export const MODULE_ROOT = REPO_ROOT;

/**
 * The module's own environment, read once per module object (the constructor calls useHostInputs: the
 * engine makes one per call), with the constructor's arguments laid over it: what the image lock's
 * variables (registry, Node mirror) are read from.
 */
let moduleEnv: Record<string, string | undefined> = { ...process.env };

/** The variables the module's containers are pulled and provisioned with (MLIR_RELEASE_IMAGE_REGISTRY, MLIR_RELEASE_NODE_DIST_URL). */
export const moduleInputs = (): Readonly<Record<string, string | undefined>> => moduleEnv;

/** The image lock; MLIR_RELEASE_IMAGES_LOCK points at another file (a freshly refreshed lock under review). */
export function moduleLock(env: Readonly<Record<string, string | undefined>> = moduleEnv): ImagesLock {
  const override = env["MLIR_RELEASE_IMAGES_LOCK"];
  if (!override) return loadImagesLock(MODULE_ROOT);
  return parseOrExplain(ImagesLock, JSON.parse(readFileSync(override, "utf8")), `image lock ${override}`);
}

/** The module's options: the CLI's resolver on the module's source, without the caller's environment (a module sees none). */
export const moduleOptions = (): Readonly<ResolvedOptions> => resolveOptions({}, {}, MODULE_ROOT);

export const moduleConfig = (): ReleaseConfig => moduleOptions().config;

export const parsePlatform = (p: string): PlatformId => parseOrExplain(PlatformId, p, "--platform");

/** --policy of a module function: the CLI's check (src/options/resolve-options.ts). */
export const parsePolicy = (p: string): ManylinuxPolicy => parsePolicyFlag(p);

export { policyFor } from "../options/policy.js";

/** Module constructor arguments become the variables the image lock names (the module sees no caller env). */
export function useHostInputs(h: { imageRegistry?: string | undefined; nodeDistUrl?: string | undefined }): void {
  moduleEnv = { ...process.env };
  if (h.imageRegistry) moduleEnv["MLIR_RELEASE_IMAGE_REGISTRY"] = h.imageRegistry;
  if (h.nodeDistUrl) moduleEnv["MLIR_RELEASE_NODE_DIST_URL"] = h.nodeDistUrl;
}
