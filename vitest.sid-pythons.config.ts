import { defineConfig } from "vitest/config";

// `npm run test:sid-pythons`: CPython 3.14 and 3.15 from Debian sid's binaries (ci/setup.d/35-sid.sh),
// the 22.1.8 cp314/cp315 wheels built here, smoke and upstream lit on each. Out of `npm test`: two
// wheel builds (about 20 minutes on 2 cores) and a root that setup prepares only on request.
export default defineConfig({
  test: {
    globalSetup: ["test/support/run-tmpdir.ts"],
    include: ["test/sid-pythons/**/*.steps.ts"],
    testTimeout: 900_000,
    hookTimeout: 3_600_000,
    fileParallelism: false,
    reporters: ["default"],
  },
});
