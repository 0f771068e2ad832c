// Vitest global setup: the temporary folders a test run makes (os.tmpdir(), Python's tempfile, the
// tools' own; not those of a child started with a cleared environment) go under one folder of this
// run, removed when the run ends. Tests that forget their mkdtemp (there were thousands: stage-*,
// pypi-* with a venv each) no longer fill the disk run after run. A run that was killed leaves its
// folder; the next run removes this user's folders whose process is gone.
import { lstatSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pidAlive } from "../../src/util/lock.js";

const PREFIX = "mlir-release-test-run-";


const owned = (path: string): boolean => process.getuid === undefined || lstatSync(path).uid === process.getuid();

/** Removes a folder; what cannot be removed (a container's root-owned files) is said, not thrown. */
const remove = (path: string): void => {
  try {
    rmSync(path, { recursive: true, force: true });
  } catch (e) {
    process.stderr.write(`test run: could not remove ${path}: ${(e as Error).message}\n`);
  }
};

export default function setup(): () => void {
  // Each vitest project runs the global setups; the first one owns the folder.
  if (process.env["TMPDIR"]?.endsWith(`${PREFIX}${process.pid}`)) return () => {};
  const base = tmpdir();
  for (const name of readdirSync(base)) {
    const pid = Number(name.startsWith(PREFIX) ? name.slice(PREFIX.length) : NaN);
    // Only this user's folders (a shared temp folder holds others'), and never a reason to fail a run.
    if (Number.isInteger(pid) && pid > 0 && !pidAlive(pid) && owned(join(base, name))) remove(join(base, name));
  }
  const dir = join(base, `${PREFIX}${process.pid}`);
  mkdirSync(dir, { recursive: true });
  // Set before the workers start: they, and every program they run, inherit it.
  process.env["TMPDIR"] = dir;
  return () => {
    process.env["TMPDIR"] = base;
    remove(dir);
  };
}
