// The project's one file lock (proper-lockfile is imported nowhere else): a lock folder next to what
// it guards whose mtime is the holder's heartbeat, so a crashed holder's lock goes stale instead of
// wedging the next run. The index store (src/site/store.ts) and the layer's work folder
// (src/layer/layer.ts) both take theirs here.
import fs from "node:fs";
import lockfile from "proper-lockfile";

/** Whether a process of this machine is running (EPERM: running, another user's). */
export const pidAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
};

interface FolderLockOptions {
  /** The lock folder (proper-lockfile's lockfilePath). */
  lockPath: string;
  /** A lock whose heartbeat is older than this is stale and may be taken over. */
  staleMs: number;
  /** How often the holder refreshes its heartbeat (default: staleMs / 2, proper-lockfile's). */
  updateMs?: number;
  /** Waiting: how many retries, how long between them (default: none, ELOCKED at once; see isLockHeld). */
  retries?: number | { retries: number; minTimeout: number; maxTimeout: number };
  /** Called when the lock is lost while held (its heartbeat could not be refreshed, or another process took it). */
  onCompromised: (e: Error) => void;
  /** The holder writes files into the lock folder (owner.json): release and takeover must remove a non-empty folder. */
  holdsFiles?: boolean;
  /** Resolve the guarded path's real path first (default true; false when it may not exist). */
  realpath?: boolean;
}

// proper-lockfile removes its lock folder with rmdir, which refuses a folder holding an owner file.
const filesFs = {
  ...fs,
  rmdir: (p: string, cb: (e: NodeJS.ErrnoException | null) => void) => fs.rm(p, { recursive: true, force: true }, cb),
  rmdirSync: (p: string) => fs.rmSync(p, { recursive: true, force: true }),
};

/** Takes the lock on `target`; resolves to its release. Rejects with code ELOCKED when another holds it and no retry is left. */
export function acquireLock(target: string, o: FolderLockOptions): Promise<() => Promise<void>> {
  return lockfile.lock(target, {
    lockfilePath: o.lockPath,
    stale: o.staleMs,
    ...(o.updateMs !== undefined ? { update: o.updateMs } : {}),
    retries: o.retries ?? 0,
    ...(o.realpath !== undefined ? { realpath: o.realpath } : {}),
    ...(o.holdsFiles ? { fs: filesFs } : {}),
    onCompromised: o.onCompromised,
  });
}

/** Whether acquireLock failed only because another process holds the lock. */
export const isLockHeld = (e: unknown): boolean => (e as NodeJS.ErrnoException | undefined)?.code === "ELOCKED";

/** Runs fn holding the lock on `target`, and releases it however fn ends (a failed release is not fn's failure). */
export async function withLock<T>(target: string, o: FolderLockOptions, fn: () => Promise<T>): Promise<T> {
  const release = await acquireLock(target, o);
  try {
    return await fn();
  } finally {
    await release().catch(() => undefined);
  }
}
