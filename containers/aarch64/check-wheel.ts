// Usage: npx tsx containers/aarch64/check-wheel.ts <aarch64 wheel> [--lit[=path,path]] [--cross <dir>] [--source <llvm-project>]
// Smoke test (and optionally upstream's lit suite) of a cross-built wheel under qemu-user.
import { join, resolve } from "node:path";
import { HostEnv } from "../../src/exec/host.js";
import { checkEmulatedWheel } from "../../src/verify/emulated.js";

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const wheel = args[0];
if (!wheel?.endsWith(".whl")) {
  process.stderr.write("usage: check-wheel.ts <wheel> [--lit[=a,b]] [--cross <dir>] [--source <llvm-project>]\n");
  process.exit(2);
}
const repoRoot = resolve(import.meta.dirname, "..", "..");
const lit = args.find((a) => a.startsWith("--lit"));
const workDir = resolve(opt("--work") ?? join(repoRoot, ".cache", "aarch64", "check"));
const env = new HostEnv(join(workDir, "check.log"));
const r = await checkEmulatedWheel({
  env,
  wheel: resolve(wheel),
  repoRoot,
  crossDir: resolve(opt("--cross") ?? join(repoRoot, ".cache", "aarch64")),
  workDir,
  sourceRoot: resolve(opt("--source") ?? join(repoRoot, ".cache", "trees", "b49b9277aef97616-bindings")),
  litExecutable: join(repoRoot, ".cache", "tools", "bin", "lit"),
  llvmVersion: "22.1.8",
  ...(lit ? { litFilter: lit.includes("=") ? lit.split("=")[1]!.split(",") : [] } : {}),
});
process.stdout.write(`${JSON.stringify(r, null, 2)}\nlog: ${env.logFile}\n`);
