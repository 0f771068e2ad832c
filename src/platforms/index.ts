import { InvalidInputError } from "../errors.js";
import type { HostOptions } from "../schema/options.js";
import { PlatformId } from "../schema/platform.js";
import { resolve } from "node:path";
import { linuxAarch64Cross, linuxAarch64Policy } from "./linux-aarch64.js";
import { linuxX86_64Policy } from "./linux-x86_64.js";
import { MANYLINUX_POLICIES, type ManylinuxPolicy } from "./linux.js";
import { macosArm64 } from "./macos-arm64.js";
import { withSidPythons } from "./sid-python.js";
import { macosX86_64 } from "./macos-x86_64.js";
import type { Platform } from "./platform.js";
import { windowsX64 } from "./windows-x64.js";

const REPO_ROOT = resolve(new URL("../..", import.meta.url).pathname);

const ALL_PLATFORMS: readonly PlatformId[] = PlatformId.options;

interface PlatformOptions {
  /** Linux only: manylinux2014 | manylinux_2_28 (default). */
  policy?: string;
  /** This host's prepared environments (the resolved options' host): a build here uses them, a CI runner's view does not. */
  host?: Pick<HostOptions, "sidRoot" | "aarch64Cross">;
}

function linuxPolicy(id: PlatformId, policy: string | undefined): ManylinuxPolicy | undefined {
  if (policy === undefined) return undefined;
  if (!id.startsWith("linux-")) throw new InvalidInputError(`--policy ${policy}: only Linux platforms have a manylinux policy (${id} does not)`);
  if (!(MANYLINUX_POLICIES as readonly string[]).includes(policy)) {
    throw new InvalidInputError(`--policy '${policy}': expected one of ${MANYLINUX_POLICIES.join(", ")}`);
  }
  return policy as ManylinuxPolicy;
}

export function platformById(id: PlatformId, opts: PlatformOptions = {}): Platform {
  const policy = linuxPolicy(id, opts.policy);
  switch (id) {
    case "linux-x86_64": {
      // A prepared Debian sid root (ci/setup.d/35-sid.sh) adds its CPython 3.14/3.15 on this host.
      const sid = opts.host?.sidRoot;
      return sid && process.arch === "x64" ? withSidPythons(linuxX86_64Policy(policy), resolve(sid)) : linuxX86_64Policy(policy);
    }
    case "linux-aarch64": {
      // On an x86_64 host with a prepared cross environment (ci/setup.d/70-aarch64.sh), build by
      // cross-compiling; its policy is manylinux_2_28, the aarch64 default the resolver passes.
      const cross = opts.host?.aarch64Cross;
      if (cross && process.arch === "x64" && (policy === undefined || policy === "manylinux_2_28")) return linuxAarch64Cross(resolve(cross), REPO_ROOT);
      return linuxAarch64Policy(policy);
    }
    case "macos-arm64":
      return macosArm64;
    case "macos-x86_64":
      return macosX86_64;
    case "windows-x64":
      return windowsX64;
  }
}

/** Every module with every policy it supports: what the CI matrix is generated from. */
export function allPlatformVariants(host?: PlatformOptions["host"]): Platform[] {
  const on = host ? { host } : {};
  return ALL_PLATFORMS.flatMap((id) =>
    id.startsWith("linux-") ? MANYLINUX_POLICIES.map((policy) => platformById(id, { policy, ...on })) : [platformById(id, on)],
  );
}
