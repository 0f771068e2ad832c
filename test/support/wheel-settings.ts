// The one real wheel the integration tests share: Debian's pinned LLVM 22.1.8 source on the prebuilt
// /usr/lib/llvm-22 layer, for one Python. Tests that need it call buildWheels with these settings;
// the factory's stamps make the second caller reuse the first one's wheel.
import { join } from "node:path";
import { LLVM_22_1_8_TAG } from "../../src/build/cli.js";
import type { BuildSettings } from "../../src/build/factory.js";
import { linuxX86_64 } from "../../src/platforms/linux-x86_64.js";
import { DEBIAN_LLVM_22_1_8 } from "../../src/source/tree.js";
import { CACHE, OUTPUT, REPO, TOOLS } from "./env.js";

export const PYTHON = process.env["MLIR_RELEASE_TEST_PYTHON"] ?? "3.12";

export const settings: BuildSettings = {
  repoRoot: REPO,
  cacheDir: CACHE,
  workDir: join(CACHE, "test-work"),
  outDir: join(OUTPUT, "wheel-factory", "dist"),
  platform: linuxX86_64,
  pythons: [PYTHON],
  source: { kind: "tarball", ref: DEBIAN_LLVM_22_1_8 },
  layer: { kind: "prebuilt", prefix: "/usr/lib/llvm-22" },
  release: {
    distribution: "mlir-python-bindings",
    devDistribution: "mlir-python-bindings-dev",
    llvmRepository: "https://github.com/llvm/llvm-project.git",
    llvmCommit: LLVM_22_1_8_TAG.commit,
    llvmTag: LLVM_22_1_8_TAG.tag,
    sourceDateEpoch: 1_781_000_000,
  },
  nanobind: "2.9.2",
  nanobindDomain: "mlir_release",
  verify: { lit: true },
  dev: false,
  toolsDir: TOOLS,
};
