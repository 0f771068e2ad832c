import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 1_800_000,
    // Integration tests share one machine's build caches; run files one at a time.
    fileParallelism: false,
    reporters: ["default"],
  },
});
