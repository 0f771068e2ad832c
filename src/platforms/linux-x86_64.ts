import type { Platform } from "./platform.js";

/** Native Linux x86_64: a manylinux image on CI, or this Debian host (then the policy is what its glibc allows). */
export const linuxX86_64: Platform = {
  id: "linux-x86_64",
  os: "linux",
  arch: "x86_64",
  rawPlatformTag: "linux_x86_64",
  extensionSuffix: (python, abi) =>
    abi === "abi3" ? ".abi3.so" : `.cpython-${python.replace(".", "").replace("t", "")}${abi === "freethreaded" ? "t" : ""}-x86_64-linux-gnu.so`,
  bindingsCmakeDefs: () => ({}),
  strip: ["strip", "--strip-unneeded"],
  repair: {
    tool: "auditwheel",
    argv: (wheel, outDir, policy, toolsBin) => [`${toolsBin}/auditwheel`, "repair", "--zip-compression-level", "0", "--plat", policy, "-w", outDir, wheel],
  },
  notes: [
    "auditwheel repair against the policy of the environment it runs in: manylinux2014 in the pinned image,",
    "the newest policy the host's glibc/libstdc++ symbol versions allow elsewhere (Debian 12: manylinux_2_36).",
    "libzstd is grafted by auditwheel; everything else from LLVM/MLIR is linked statically into the aggregate.",
  ],
};
