import { linuxPlatform, type ManylinuxPolicy } from "./linux.js";

/**
 * Native Linux x86_64. On CI: the pinned manylinux_2_28 image (the policy every live MLIR wheel
 * project has moved to: gcc-toolset 12+ builds LLVM; manylinux2014's devtoolset can but pip >= 20.3
 * users gain nothing from 2_17 now). On this Debian host the factory passes the policy
 * `auditwheel show` allows instead (manylinux_2_36 from Debian 12's archives).
 */
export const linuxX86_64Policy = (policy: ManylinuxPolicy = "manylinux_2_28") =>
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
