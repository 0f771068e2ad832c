import { defineConfig } from "vitest/config";

// `npm run test:split-release`: the real split release staged, published to pypiserver and the
// index by the CLI, pip-installed from each, smoke + JIT + upstream lit against both installs.
// Out of `npm test`: it runs the lit suite twice (several minutes on 2 cores).
export default defineConfig({
  test: {
    globalSetup: ["test/support/run-tmpdir.ts"],
    include: ["test/split-release/**/*.steps.ts"],
    testTimeout: 900_000,
    hookTimeout: 3_600_000,
    fileParallelism: false,
    reporters: ["default"],
  },
});
