import { macosPlatform } from "./macos.js";

/**
 * Intel macOS. GitHub retired the macos-13 image in December 2025; macos-15-intel is the
 * remaining x86_64 image (the Python layout is the same tool cache, x64 arch directory).
 */
export const macosX86_64 = macosPlatform("x86_64", "macos-15-intel", [
  "x86_64 wheel of its own (not universal2), built natively on an Intel runner: no cross-compiling LLVM.",
  "MACOSX_DEPLOYMENT_TARGET=11.0, the same floor as arm64; delocate-wheel --require-archs x86_64.",
  "runner: macos-15-intel (macos-13, the image the facts were first taken from, is retired).",
]);
