// Linux modules share one shape: build inside a pinned manylinux image (or on a Debian host),
// find CPython under the image's /opt/python, repair with auditwheel against the image's policy.
import type { AbiVariant, ManylinuxPolicy } from "../schema/platform.js";
import { LINUX_CONVENTIONS } from "./os-family.js";
import type { ListDir, Platform, RunnerSpec } from "./platform.js";
import { manylinuxWheelTag, overrideVariable, parsePython, posixExtensionSuffix } from "./tags.js";

export type { ManylinuxPolicy } from "../schema/platform.js";
export { MANYLINUX_POLICIES } from "../options/policy.js";

/** Key of the image's pin in containers/images.lock.json (the lock file owns the reference). */
export const imageLockKey = (policy: ManylinuxPolicy, arch: "x86_64" | "aarch64"): string => `${policy}_${arch}`;

/**
 * What every pinned manylinux image (containers/images.lock.json: manylinux2014 and manylinux_2_28,
 * x86_64 and aarch64, all tag 2026.08.15-1, cibuildwheel's pinned_docker_images.cfg) carries under
 * /opt/python that the matrix can use: cp310–cp315 and the free-threaded cp313t, cp314t, cp315t
 * (older ones too, past their end of life). The images predate CPython 3.15.0 (2026-10-01): their
 * cp315-cp315 and cp315-cp315t are release candidates (images from 2026.08.04-1 on carry 3.15.0rc1),
 * ABI-stable since rc1, which is why cibuildwheel builds release candidates by default. A 3.15.0 final
 * needs newer pins (containers/refresh-image-pins.sh, with registry access).
 */
export const MANYLINUX_PYTHONS = ["3.10", "3.11", "3.12", "3.13", "3.14", "3.15", "3.13t", "3.14t", "3.15t"];

function manylinuxPython(version: string): string {
  const p = parsePython(version);
  const tag = `cp${p.nodot}`;
  return `/opt/python/${tag}-${tag}${p.freeThreaded ? "t" : ""}/bin/python`;
}

interface LinuxOptions {
  arch: "x86_64" | "aarch64";
  policy: ManylinuxPolicy;
  runnerLabel: string;
  notes: string[];
  /** Extra cache entries (a cross toolchain) merged over the common ones. */
  extraCmakeDefs?: (python: string, abi: AbiVariant) => Record<string, string>;
}

export function linuxPlatform(o: LinuxOptions): Platform {
  const multiarch = `${o.arch}-linux-gnu`;
  const runner: RunnerSpec = {
    label: o.runnerLabel,
    image: imageLockKey(o.policy, o.arch),
    env: {},
    pythons: MANYLINUX_PYTHONS,
  };
  return {
    id: o.arch === "x86_64" ? "linux-x86_64" : "linux-aarch64",
    os: "linux",
    arch: o.arch,
    policy: o.policy,
    runner,
    rawPlatformTag: `linux_${o.arch}`,
    wheelPlatformTag: (opts) => manylinuxWheelTag(opts?.policy ?? o.policy, o.arch),
    defaultRepairPolicy: () => `${o.policy}_${o.arch}`,
    // The static link of the tools wheel names the x86_64 multiarch folders; aarch64 (cross) is not done yet.
    toolsWheel: o.arch === "x86_64",
    conventions: LINUX_CONVENTIONS,
    extensionSuffix: (python, abi) => posixExtensionSuffix(python, abi, multiarch),
    generator: "Ninja",
    // Natively nothing beyond the common entries: the image's PATH puts its gcc-toolset first,
    // and that compiler is what makes the policy's symbol versions hold.
    bindingsCmakeDefs: (python, abi) => ({ ...(o.extraCmakeDefs?.(python, abi) ?? {}) }),
    buildEnv: {},
    toolsFamily: "tools-linux",
    toolchainChecks: [
      {
        argv: ["c++", "--version"],
        why: "the C++ compiler CMake will pick (the image's gcc-toolset keeps the policy's symbol versions; LLVM 22 needs GCC >= 7.4)",
      },
    ],
    buildVenv: true,
    inspect: (wheel, toolsBin) => [`${toolsBin}/auditwheel`, "show", wheel],
    pythonCandidates: (version, env, listDir?: ListDir) => {
      const override = env[overrideVariable(version)];
      const out = override ? [override] : [];
      const p = parsePython(version);
      // A free-threaded build ci/setup.d/30-python313t.sh made under the cache (MLIR_RELEASE_CACHE).
      if (p.freeThreaded && env["MLIR_RELEASE_CACHE"]) out.push(`${env["MLIR_RELEASE_CACHE"]}/python${version}/bin/python${version}`);
      out.push(manylinuxPython(version));
      // Outside an image (a developer's Linux box, this Debian host): pyenv, then PATH.
      const root = env["PYENV_ROOT"] ?? (env["HOME"] ? `${env["HOME"]}/.pyenv` : undefined);
      if (root && listDir) {
        const re = new RegExp(`^${p.base.replace(".", "\\.")}\\.\\d+${p.freeThreaded ? "t" : ""}$`);
        const found = listDir(`${root}/versions`).filter((v) => re.test(v)).sort((a, b) => a.localeCompare(b, undefined, { numeric: true })).pop();
        if (found) out.push(`${root}/versions/${found}/bin/python${version}`);
      }
      out.push(`python${version}`);
      return out;
    },
    strip: ["strip", "--strip-unneeded"],
    repair: {
      tool: "auditwheel",
      // auditwheel matches SONAMEs with fnmatch patterns.
      nativeExcludes: ["libMLIRPythonCAPI.so*"],
      checks: `glibc/libstdc++ symbol versions and external libraries against ${o.policy}_${o.arch}; grafts what the policy does not allow (libzstd)`,
      // Stored (level 0): the repaired wheel is re-normalized and compressed once afterwards.
      // --only-plat: the per-Python wheel keeps its native wheel's tag even when its own extensions would allow an older glibc.
      argv: (wheel, outDir, policy, toolsBin, ctx) => [
        `${toolsBin}/auditwheel`,
        "repair",
        "--zip-compression-level",
        "0",
        "--plat",
        policy,
        "--only-plat",
        ...(ctx?.exclude ?? []).flatMap((x) => ["--exclude", x]),
        "-w",
        outDir,
        wheel,
      ],
    },
    notes: o.notes,
  };
}
