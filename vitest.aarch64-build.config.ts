import { defineConfig } from "vitest/config";

// `npm run test:aarch64-build`: the linux-aarch64 cross-build for real, its log against `build --dry-run`
// (needs `MLIR_RELEASE_AARCH64=1 bash ci/setup.sh`; ~10 min plus the downloads; not in npm test).
export default defineConfig({
  test: {
    globalSetup: ["test/support/run-tmpdir.ts"],
    include: ["test/aarch64-build/**/*.steps.ts"],
    testTimeout: 120_000,
    hookTimeout: 3_600_000,
    fileParallelism: false,
    reporters: ["default"],
  },
});
