// A build on a disk without room refuses before it makes anything: the real CLI on a 300 MB tmpfs,
// mounted in a private mount namespace (unshare -m: gone with the process, whatever happens).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, expect, it } from "vitest";
import { REPO } from "../support/env.js";

const dir = mkdtempSync(join(tmpdir(), "disk-space-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// $1 the mount point, then the CLI's argv; prints the exit status and what the tmpfs holds after.
const SCRIPT = 'm=$1; shift; mount -t tmpfs -o size=300m tmpfs "$m" && { "$@"; echo "status $?"; mkdir -p "$m/kept"; ls -A "$m"; }';

it("build on a 300 MB disk: exit 3, one line naming the folders, free and needed, what to do; no folder left", async () => {
  const cli = ["node", join(REPO, "bin", "mlir-release.mjs"), "build", "--python", "3.12", "--no-tools-wheel"];
  const r = await execa("unshare", ["-m", "--propagation", "private", "bash", "-c", SCRIPT, "disk-space", dir, ...cli, "--out", join(dir, "a", "out"), "--work", join(dir, "a", "work")], {
    cwd: REPO,
    reject: false,
    stdin: "ignore",
  });
  expect(r.exitCode, r.stderr).toBe(0);
  const errors = r.stderr.split("\n").filter((l) => l.startsWith("error:"));
  expect(errors).toEqual([
    `error: ${join(dir, "a", "work")}, ${join(dir, "a", "out")}: 0.3 GB free, about 3.7 GB needed (work: 1 interpreter build, the dev distribution; output: wheels); free some space or pass --work and --out on a larger disk`,
  ]);
  // Exit 3 (a failed check), and the tmpfs holds only what the script made after the CLI ended.
  expect(r.stdout.trim().split("\n")).toEqual(["status 3", "kept"]);
}, 60_000);
