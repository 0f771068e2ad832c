// A build on a disk without room refuses before it makes anything: the real CLI on a 300 MB tmpfs,
// mounted in a private mount namespace (unshare -m: gone with the process, whatever happens).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa, execaSync } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { REPO } from "../support/env.js";

// A private mount namespace needs CAP_SYS_ADMIN (root, as the README's setup runs): said, not faked.
const canMount = process.platform === "linux" && execaSync("unshare", ["-m", "true"], { reject: false }).exitCode === 0;
const dir = mkdtempSync(join(tmpdir(), "disk-space-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// $1 the mount point, then the CLI's argv; prints the exit status and what the tmpfs holds after.
const SCRIPT = 'm=$1; shift; mount -t tmpfs -o size=300m tmpfs "$m" && { "$@"; echo "status $?"; mkdir -p "$m/kept"; ls -A "$m"; }';

const onTmpfs = (args: string[]) =>
  execa("unshare", ["-m", "--propagation", "private", "bash", "-c", SCRIPT, "disk-space", dir, "node", join(REPO, "bin", "mlir-release.mjs"), ...args], { cwd: REPO, reject: false, stdin: "ignore" });

describe.skipIf(!canMount)("a build on a 300 MB disk (unshare -m + tmpfs; skipped without CAP_SYS_ADMIN)", () => {
  it("prebuilt layer: exit 3, one line naming the folders, free and needed, what to do; no folder left", async () => {
    const r = await onTmpfs(["build", "--python", "3.12", "--no-tools-wheel", "--out", join(dir, "a", "out"), "--work", join(dir, "a", "work")]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr.split("\n").filter((l) => l.startsWith("error:"))).toEqual([
      `error: ${join(dir, "a", "work")}, ${join(dir, "a", "out")}: 0.3 GB free, about 3.7 GB needed (work: 1 interpreter build, the dev distribution; output: wheels); free some space or pass --work and --out on a larger disk, or point the cache (--cache, MLIR_RELEASE_CACHE) at one`,
    ]);
    // Exit 3 (a failed check), and the tmpfs holds only what the script made after the CLI ended.
    expect(r.stdout.trim().split("\n")).toEqual(["status 3", "kept"]);
  }, 60_000);

  it("from-source layer not built yet: its ~6 GB counted with the build's, on the cache's disk, before anything is fetched", async () => {
    const r = await onTmpfs(["build", "--python", "3.12", "--no-tools-wheel", "--no-dev", "--source", "debian:23.1.1", "--layer", "source", "--cache", join(dir, "c"), "--out", join(dir, "o"), "--work", join(dir, "w")]);
    expect(r.exitCode, r.stderr).toBe(0);
    const errors = r.stderr.split("\n").filter((l) => l.startsWith("error:"));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^error: \S+\/w, \S+\/o, \S+\/c\/layers: 0\.3 GB free, about 7\.0 GB needed \(work: 1 interpreter build; output: wheels; the from-source layer linux-x86_64-[0-9a-f]{16}: build folder, install, archive\); /);
    expect(r.stdout.trim().split("\n")).toEqual(["status 3", "kept"]);
  }, 60_000);
});
