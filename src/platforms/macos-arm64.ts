import { macosPlatform } from "./macos.js";

/** Apple silicon on GitHub's macos-14 (arm64) runners. */
export const macosArm64 = macosPlatform("arm64", "macos-14", [
  "arm64 only (not universal2): the peers ship one wheel per arch and a fat aggregate would double the size.",
  "MACOSX_DEPLOYMENT_TARGET=11.0, the first arm64 macOS; delocate-wheel --require-archs arm64 rejects any x86_64-only dylib.",
  "setup-python's interpreters are universal2 (sysconfig macosx-10.9/10.13-universal2): the tag comes from our target, not theirs.",
]);
