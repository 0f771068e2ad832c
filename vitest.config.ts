import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 1_800_000,
    reporters: ["default"],
    globalSetup: ["test/support/run-tmpdir.ts"],
    // Files run one at a time, the unit tests first: integration tests share one machine's build caches.
    projects: [
      {
        extends: true,
        // In-process tests that clean up after themselves: one module registry for all of them (no
        // re-import per file, ~4x faster).
        test: { name: "unit", include: ["test/unit/**/*.test.ts"], isolate: false, fileParallelism: false, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: "integration", include: ["test/integration/**/*.test.ts"], fileParallelism: false, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
