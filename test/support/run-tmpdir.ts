// Vitest global setup: every temporary folder a test run makes (os.tmpdir(), Python's tempfile, the
// tools' own) goes under one folder of this run, removed when the run ends. Tests that forget their
// mkdtemp (there were thousands: stage-*, pypi-* with a venv each) no longer fill the disk run after
// run. A run that was killed leaves its folder; the next run removes folders whose process is gone.
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const PREFIX = "mlir-release-test-run-";

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
};

export default function setup(): () => void {
  // Each vitest project runs the global setups; the first one owns the folder.
  if (process.env["TMPDIR"]?.endsWith(`${PREFIX}${process.pid}`)) return () => {};
  const base = tmpdir();
  for (const name of readdirSync(base)) {
    const pid = Number(name.startsWith(PREFIX) ? name.slice(PREFIX.length) : NaN);
    if (Number.isInteger(pid) && pid > 0 && !alive(pid)) rmSync(join(base, name), { recursive: true, force: true });
  }
  const dir = join(base, `${PREFIX}${process.pid}`);
  mkdirSync(dir, { recursive: true });
  // Set before the workers start: they, and every program they run, inherit it.
  process.env["TMPDIR"] = dir;
  return () => {
    process.env["TMPDIR"] = base;
    rmSync(dir, { recursive: true, force: true });
  };
}
