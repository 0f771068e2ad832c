import { defineConfig } from "vitest/config";

// `npm run test:workflow-steps`: the workflow jobs' own steps in a bare Debian container (slow; not in npm test).
export default defineConfig({
  test: {
    globalSetup: ["test/support/run-tmpdir.ts"],
    include: ["test/workflow-steps/**/*.steps.ts"],
    testTimeout: 900_000,
    hookTimeout: 1_800_000,
    fileParallelism: false,
    reporters: ["default"],
  },
});
