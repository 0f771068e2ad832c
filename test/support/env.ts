// Shared test plumbing: a host env logging to test-output/, a quiet progress, repo paths.
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { HostEnv } from "../../src/exec/host.js";
import type { Progress } from "../../src/progress.js";

export const REPO = resolve(new URL("../..", import.meta.url).pathname);
export const OUTPUT = join(REPO, "test-output");
export const CACHE = process.env["MLIR_RELEASE_CACHE"] ?? join(REPO, ".cache");
export const TOOLS = process.env["MLIR_RELEASE_TOOLS"] ?? join(REPO, ".cache", "tools");

export function testEnv(name: string): HostEnv {
  mkdirSync(OUTPUT, { recursive: true });
  return new HostEnv(join(OUTPUT, "logs", `${name}.log`));
}

/** Progress lines go to stderr with a prefix so a long integration test shows where it is. */
export function testProgress(name: string): Progress {
  const at = Date.now();
  const say = (s: string): void => {
    process.stderr.write(`[${name} ${Math.round((Date.now() - at) / 1000)}s] ${s}\n`);
  };
  let last = 0;
  return {
    stage: say,
    step: (s, pct) => {
      if (pct !== undefined && pct < 100 && Date.now() - last < 15_000) return;
      last = Date.now();
      say(pct === undefined ? s : `${s} ${Math.round(pct)}%`);
    },
    info: say,
  };
}
