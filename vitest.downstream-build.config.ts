import { defineConfig } from "vitest/config";

// `npm run test:downstream-build`: `mlir-release downstream build` end to end for one Python (upstream's
// standalone example against the 22.1.8 release built here, served from our index). Kept out of
// `npm test` until it has completed once on this machine (the shared build slots were never free for it).
export default defineConfig({
  test: {
    include: ["test/downstream-build/**/*.steps.ts"],
    testTimeout: 60_000,
    hookTimeout: 3_600_000,
    fileParallelism: false,
    reporters: ["default"],
  },
});
