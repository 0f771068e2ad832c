import { InvalidInputError } from "../errors.js";
import { policyFor } from "../options/policy.js";
import { linuxPlatform, type ManylinuxPolicy } from "./linux.js";
import type { Platform } from "./platform.js";

/**
 * Linux aarch64, native on GitHub's arm64 runners inside the pinned manylinux image of the
 * chosen policy. manylinux2014 (glibc 2.17) is built because it was asked for and still reaches
 * the oldest arm64 distributions; manylinux_2_28 is the default (policyFor in src/options/policy.ts:
 * no Node build for glibc 2.17 on aarch64, and the CLI runs inside the image).
 */
export const linuxAarch64Policy = (policy: ManylinuxPolicy = policyFor("linux-aarch64")) =>
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

/**
 * linux-aarch64 cross-built on an x86_64 Debian host (issue 7 item 4): the aarch64 GNU toolchain
 * against an arm64 sysroot of Debian's packages (containers/aarch64/sysroot.sh), host tablegen,
 * and the arm64 Debian root's python3.11 under qemu-user as the target interpreter
 * (containers/aarch64/python-qemu.sh). `crossDir` holds sysroot/, root/ and pylib/.
 * Debian 12's root has only CPython 3.11, so that is the one version this mode builds.
 */
export function linuxAarch64Cross(crossDir: string, repoRoot: string): Platform {
  const base = linuxAarch64Policy("manylinux_2_28");
  const sysroot = `${crossDir}/sysroot`;
  const wrapper = `${repoRoot}/containers/aarch64/python-qemu.sh`;
  return {
    ...base,
    runner: { label: "x86_64 Debian host (cross + qemu-user)", env: { MLIR_RELEASE_AARCH64_CROSS: crossDir }, pythons: ["3.11"] },
    bindingsCmakeDefs: (python) => {
      if (python !== "3.11") throw new InvalidInputError(`linux-aarch64 cross build: the arm64 Debian root has CPython 3.11 only (asked for ${python})`);
      return {
        CMAKE_TOOLCHAIN_FILE: `${repoRoot}/containers/aarch64/toolchain.cmake`,
        MLIR_RELEASE_SYSROOT: sysroot,
        MLIR_RELEASE_HOST_TOOLS: "/usr/lib/llvm-22/bin",
        // The target interpreter answers CMake's and nanobind's questions and runs stubgen.
        Python_EXECUTABLE: wrapper,
        Python3_EXECUTABLE: wrapper,
        MLIR_RELEASE_STUBGEN_EMULATOR: wrapper,
        // FindPython cannot derive these for another architecture: the sysroot's headers and ABI.
        Python_INCLUDE_DIR: `${sysroot}/usr/include/python3.11`,
        Python3_INCLUDE_DIR: `${sysroot}/usr/include/python3.11`,
        Python_LIBRARY: `${sysroot}/usr/lib/aarch64-linux-gnu/libpython3.11.so`,
        Python3_LIBRARY: `${sysroot}/usr/lib/aarch64-linux-gnu/libpython3.11.so`,
        Python_SOABI: "cpython-311-aarch64-linux-gnu",
        Python3_SOABI: "cpython-311-aarch64-linux-gnu",
        NB_SUFFIX: ".cpython-311-aarch64-linux-gnu.so",
      };
    },
    pythonCandidates: () => [wrapper],
    // The tools (CMake, Ninja, auditwheel, lit) run on the x86_64 host: its own CPython, never the emulated target's.
    toolsPythonCandidates: base.pythonCandidates,
    toolchainChecks: [
      { argv: ["aarch64-linux-gnu-g++", "--version"], why: "the cross compiler (ci/setup.d/70-aarch64.sh installs it with MLIR_RELEASE_AARCH64=1)" },
      { argv: ["qemu-aarch64-static", "--version"], why: "runs the target's python3.11 for CMake's questions and stubgen" },
    ],
    // The target interpreter (under qemu) with the pure-Python build requirements in <cross>/pylib.
    buildVenv: false,
    strip: ["aarch64-linux-gnu-strip", "--strip-unneeded"],
    repair: {
      ...base.repair,
      // auditwheel's --plat choices are the host's (x86_64) policies: `auto` takes the best policy the
      // arm64 wheel satisfies (the one `auditwheel show` reported). LD_LIBRARY_PATH makes it graft the
      // sysroot's arm64 libzstd rather than look for one on the host.
      argv: (wheel, outDir, _policy, toolsBin) => [
        "env",
        `LD_LIBRARY_PATH=${sysroot}/usr/lib/aarch64-linux-gnu`,
        `${toolsBin}/auditwheel`,
        "repair",
        "--zip-compression-level",
        "0",
        "--plat",
        "auto",
        "-w",
        outDir,
        wheel,
      ],
    },
    notes: [
      "cross-build here: aarch64-linux-gnu-g++ + arm64 sysroot from Debian's packages (apt-get download + dpkg -x),",
      "host mlir-tblgen for the imported arm64 generators, target python3.11 under qemu-aarch64-static (stubgen too).",
      "Policy comes from auditwheel show of the result (Debian 12's glibc: manylinux_2_36_aarch64); CI uses the native module.",
    ],
  };
}
