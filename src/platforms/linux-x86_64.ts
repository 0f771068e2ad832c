import { policyFor } from "../options/policy.js";
import { linuxPlatform, type ManylinuxPolicy } from "./linux.js";

/**
 * Native Linux x86_64. On CI: the pinned image of the policy (default: the one default of
 * src/options/policy.ts, manylinux2014 — glibc 2.17, the widest reach; manylinux_2_28 the second
 * variant). On this Debian host the factory passes the policy `auditwheel show` allows instead
 * (manylinux_2_36 from Debian 12's archives).
 */
export const linuxX86_64Policy = (policy: ManylinuxPolicy = policyFor("linux-x86_64")) =>
  linuxPlatform({
    arch: "x86_64",
    policy,
    runnerLabel: "ubuntu-24.04",
    notes: [
      `auditwheel repair against the policy of the image it ran in (${policy}_x86_64 here); on a plain host`,
      "the newest policy the host's glibc/libstdc++ symbol versions allow (Debian 12: manylinux_2_36).",
      "libzstd is grafted by auditwheel; everything else from LLVM/MLIR is linked statically into the aggregate.",
    ],
  });

export const linuxX86_64 = linuxX86_64Policy();
