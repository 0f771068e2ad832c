import { linuxPlatform, type ManylinuxPolicy } from "./linux.js";

/**
 * Linux aarch64, native on GitHub's arm64 runners inside the pinned manylinux image of the
 * chosen policy. manylinux2014 (glibc 2.17) is built because it was asked for and still reaches
 * the oldest arm64 distributions; manylinux_2_28 is the default because every live MLIR wheel
 * project has moved to it (newer gcc-toolset, and LLVM's own minimum toolchain keeps rising).
 */
export const linuxAarch64Policy = (policy: ManylinuxPolicy = "manylinux_2_28") =>
  linuxPlatform({
    arch: "aarch64",
    policy,
    runnerLabel: "ubuntu-24.04-arm",
    notes: [
      `native arm64 runner + ${policy}_aarch64 image: no emulation in the release path (qemu is for checking here only).`,
      `auditwheel repair --plat ${policy}_aarch64: the wheel's symbol versions must fit glibc ${policy === "manylinux2014" ? "2.17" : "2.28"}.`,
      "On an x86_64 host the same module cross-builds (containers/aarch64): see ci/setup.d/70-aarch64.sh.",
    ],
  });

export const linuxAarch64 = linuxAarch64Policy();
