import { defineConfig } from "vitest/config";

// `npm run test:clang-package` (issue 31): the clang package's steps on Debian's 22.1.8 layer (libclang
// compiled and linked, the wheel repaired), upstream's binding tests on 3.11 and 3.13, stage, index and
// pypiserver, and the same steps again for the same bytes. Out of `npm test`: libclang is a few minutes
// of compiling on 2 cores, twice.
export default defineConfig({
  test: {
    globalSetup: ["test/support/run-tmpdir.ts"],
    include: ["test/clang-package/**/*.steps.ts"],
    testTimeout: 900_000,
    hookTimeout: 3_600_000,
    fileParallelism: false,
    reporters: ["default"],
  },
});
