// The manylinux policy: one default (the config schema's `manylinuxPolicy`, manylinux2014 — glibc
// 2.17, the widest reach), applied per platform by one function. Build, rebuild, plan, the platform
// modules and the Dagger module all ask policyFor.
import { ReleaseConfig } from "../schema/config.js";
import { ManylinuxPolicy, type PlatformId } from "../schema/platform.js";

/** The default when neither release.config.json nor a flag chooses (read from the config schema, not repeated). */
const DEFAULT_MANYLINUX_POLICY: ManylinuxPolicy = ReleaseConfig.parse({}).manylinuxPolicy;
export const MANYLINUX_POLICIES: readonly ManylinuxPolicy[] = ManylinuxPolicy.options;

/**
 * The policy `platform` builds with when `configured` is asked for. linux-aarch64 is always
 * manylinux_2_28: there is no Node build for glibc 2.17 on aarch64, and the CLI runs inside the image.
 */
export function policyFor(platform: PlatformId, configured: ManylinuxPolicy = DEFAULT_MANYLINUX_POLICY): ManylinuxPolicy {
  return platform === "linux-aarch64" ? "manylinux_2_28" : configured;
}

/** The policies a plan records: one per Linux platform. */
export function planPolicies(platforms: readonly PlatformId[], configured: ManylinuxPolicy): Partial<Record<PlatformId, ManylinuxPolicy>> {
  return Object.fromEntries(platforms.filter((p) => p.startsWith("linux-")).map((p) => [p, policyFor(p, configured)]));
}

/**
 * The policy of one Linux build: an explicit request (--policy), else what the plan recorded for the
 * platform, else policyFor(the config's default). The CLI, rebuild and the Dagger module all call this.
 */
export function buildPolicy(
  platform: PlatformId,
  o: { requested?: ManylinuxPolicy | undefined; plan?: { policies?: Record<string, ManylinuxPolicy> | undefined } | undefined; configured: ManylinuxPolicy },
): ManylinuxPolicy {
  return o.requested ?? o.plan?.policies?.[platform] ?? policyFor(platform, o.configured);
}
