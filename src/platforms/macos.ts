// macOS modules: one wheel per architecture (as the peer MLIR wheel projects publish), built with
// AppleClang for a fixed deployment target and repaired with delocate-wheel.
import { InvalidInputError } from "../errors.js";
import { MACOS_CONVENTIONS } from "./os-family.js";
import type { ListDir, Platform } from "./platform.js";
import { cmpVersion, posixExtensionSuffix, runnerPythonCandidates } from "./tags.js";

/**
 * 11.0: the first macOS that runs on arm64, and the floor the peers publish for both arches
 * (they range 11.0-13.0). LLVM needs >= 10.15 (std::filesystem), so 11.0 costs nothing.
 */
const MACOS_DEPLOYMENT_TARGET = "11.0";

/** Tag spelling of a macOS version: 10.x keeps its minor, 11+ only the major (packaging's rule). */
function macosTagVersion(v: string): string {
  const [maj = "0", min = "0"] = v.split(".");
  return Number(maj) >= 11 ? `${maj}_0` : `${maj}_${min}`;
}

/**
 * The published tag from the building Python's sysconfig platform (macosx-10.9-universal2,
 * macosx-11.0-arm64, ...): our single arch (never universal2: we build one arch per wheel), and
 * the newer of our deployment target and the interpreter's own minimum.
 */
export function macosWheelTag(sysconfigPlatform: string | undefined, arch: "arm64" | "x86_64", deploymentTarget: string): string {
  let version = deploymentTarget;
  if (sysconfigPlatform) {
    const m = /^macosx-(\d+(?:\.\d+)?)-(\w+)$/.exec(sysconfigPlatform);
    if (!m?.[1] || !m[2]) throw new InvalidInputError(`sysconfig platform '${sysconfigPlatform}' is not a macOS platform (macosx-<version>-<arch>)`);
    const pyArch = m[2];
    const fits = pyArch === arch || pyArch === "universal2" || (pyArch === "intel" && arch === "x86_64");
    if (!fits) throw new InvalidInputError(`Python built for ${pyArch} (sysconfig '${sysconfigPlatform}') cannot build ${arch} wheels`);
    if (cmpVersion(m[1], version) > 0) version = m[1];
  }
  return `macosx_${macosTagVersion(version)}_${arch}`;
}

export function macosPlatform(arch: "arm64" | "x86_64", runnerLabel: string, notes: string[]): Platform {
  const cacheArch = arch === "arm64" ? "arm64" : "x64";
  return {
    id: arch === "arm64" ? "macos-arm64" : "macos-x86_64",
    os: "macos",
    arch,
    runner: {
      label: runnerLabel,
      env: { RUNNER_TOOL_CACHE: "/Users/runner/hostedtoolcache" },
      pythons: ["3.10", "3.11", "3.12", "3.13", "3.14", "3.15", "3.13t", "3.14t", "3.15t"],
    },
    rawPlatformTag: macosWheelTag(undefined, arch, MACOS_DEPLOYMENT_TARGET),
    wheelPlatformTag: (opts) => macosWheelTag(opts?.sysconfigPlatform, arch, MACOS_DEPLOYMENT_TARGET),
    defaultRepairPolicy: () => macosWheelTag(undefined, arch, MACOS_DEPLOYMENT_TARGET),
    conventions: MACOS_CONVENTIONS,
    extensionSuffix: (python, abi) => posixExtensionSuffix(python, abi, "darwin"),
    generator: "Ninja",
    bindingsCmakeDefs: () => ({
      // One arch per wheel even when the Python is universal2: the layer is single-arch, and a
      // fat 180 MB aggregate library would double every download.
      CMAKE_OSX_ARCHITECTURES: arch,
      CMAKE_OSX_DEPLOYMENT_TARGET: MACOS_DEPLOYMENT_TARGET,
      CMAKE_C_COMPILER: "clang",
      CMAKE_CXX_COMPILER: "clang++",
    }),
    // setuptools/packaging and the compiler driver both read it; keeps tags and load commands in step.
    buildEnv: { MACOSX_DEPLOYMENT_TARGET: MACOS_DEPLOYMENT_TARGET },
    toolsFamily: "tools-macos",
    toolchainChecks: [
      { argv: ["xcode-select", "-p"], why: "AppleClang and the SDK come from the runner's Xcode; fail early if it is missing" },
      { argv: ["xcrun", "--sdk", "macosx", "--show-sdk-path"], why: "the macOS SDK the compiler links against (its version bounds the deployment target)" },
    ],
    buildVenv: true,
    pythonCandidates: (version, env, listDir?: ListDir) =>
      runnerPythonCandidates(
        version,
        env,
        // actions/setup-python's tool cache: Python/<X.Y.Z>/<arm64|x64>[-freethreaded]/bin/python<X.Y>[t]
        {
          cache: env["RUNNER_TOOL_CACHE"] ?? "/Users/runner/hostedtoolcache",
          sep: "/",
          arch: cacheArch,
          exe: (s) => `bin/python${s.base}${s.freeThreaded ? "t" : ""}`,
          ...(listDir ? { listDir } : {}),
        },
        // python.org installers: free-threaded builds live in their own PythonT.framework.
        (p) => [
          p.freeThreaded
            ? `/Library/Frameworks/PythonT.framework/Versions/${p.base}/bin/python${p.base}t`
            : `/Library/Frameworks/Python.framework/Versions/${p.base}/bin/python${p.base}`,
          `python${version}`,
        ],
      ),
    // Apple's strip: -x drops local symbols (GNU --strip-unneeded does not exist there).
    strip: ["strip", "-x"],
    repair: {
      tool: "delocate-wheel",
      // delocate matches substrings of the install name.
      nativeExcludes: ["libMLIRPythonCAPI"],
      checks: `every Mach-O in the wheel is ${arch} (--require-archs) and needs at most macOS ${MACOS_DEPLOYMENT_TARGET}; copies non-system dylibs in`,
      argv: (wheel, outDir, _policy, toolsBin, ctx) => [
        `${toolsBin}/delocate-wheel`,
        ...(ctx?.exclude ?? []).flatMap((x) => ["--exclude", x]),
        "--require-archs",
        arch,
        "--require-target-macos-version",
        MACOS_DEPLOYMENT_TARGET,
        "-w",
        outDir,
        "-v",
        wheel,
      ],
    },
    notes,
  };
}
