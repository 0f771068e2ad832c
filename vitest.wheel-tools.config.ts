import { defineConfig } from "vitest/config";

// `npm run test:wheel-tools`: the dev wheel's tool entry points installed and run from a venv. Kept out of
// `npm test` until it has completed once (it builds the dev distribution; it never finished on the loaded machine).
export default defineConfig({
  test: {
    include: ["test/wheel-tools/**/*.steps.ts"],
    testTimeout: 900_000,
    hookTimeout: 1_800_000,
    fileParallelism: false,
    reporters: ["default"],
  },
});
