// conda packages of a local channel, installed the way conda links them but without a solver:
// py-rattler (pinned in the tools venv; test/support/conda-install.py) reads the channel's repodata.json
// records of the named files and `rattler.install`s exactly those into a fresh prefix (file:// URLs,
// nothing fetched).
// Also: a .conda's payload listing (a .conda is a zip of zstd tarballs).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { TOOLS } from "./env.js";

// The installer is a file of its own; it ends with os._exit once its answer is flushed (why: in the file).
const INSTALL = fileURLToPath(new URL("./conda-install.py", import.meta.url));

export interface InstalledRecord {
  name: string;
  version: string;
  build: string;
  depends: string[];
}

/** Installs the named package files of `channel/subdir` (records from its repodata) into `prefix`. */
export async function condaInstall(channel: string, subdir: string, files: string[], prefix: string): Promise<InstalledRecord[]> {
  const cache = mkdtempSync(join(tmpdir(), "rattler-cache-"));
  try {
    const r = await execa(join(TOOLS, "bin", "python"), [INSTALL, resolve(channel), subdir, resolve(prefix), cache, ...files]);
    return JSON.parse(r.stdout) as InstalledRecord[];
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
}

export interface PayloadEntry {
  /** Path in the package (relative to the prefix). */
  path: string;
  /** tar's type letter: "-" file, "l" symlink, "d" folder. */
  type: string;
  size: number;
  /** A symlink's target. */
  target?: string;
}

/** The payload (pkg-*.tar.zst) of a .conda, listed by tar, and the payload tarball's size. */
export function condaPayload(condaFile: string): { entries: PayloadEntry[]; payloadBytes: number } {
  const x = mkdtempSync(join(tmpdir(), "conda-x-"));
  try {
    execFileSync("python3", ["-m", "zipfile", "-e", condaFile, x]);
    const pkg = execFileSync("sh", ["-c", `ls "${x}"/pkg-*.tar.zst`]).toString().trim();
    const payloadBytes = Number(execFileSync("sh", ["-c", `zstd -dc "${pkg}" | wc -c`]).toString().trim());
    const listing = execFileSync("sh", ["-c", `zstd -dc "${pkg}" | tar -tv --numeric-owner`], { maxBuffer: 64 << 20 }).toString();
    const entries = listing
      .split("\n")
      .filter(Boolean)
      .map((line): PayloadEntry => {
        // -rw-r--r-- 0/0   1234 2026-06-09 10:13 path[ -> target]
        const m = /^(\S)\S*\s+\S+\s+(\d+)\s+\S+\s+\S+\s+(.*)$/.exec(line);
        if (!m) throw new Error(`unexpected tar listing line: ${line}`);
        const [, type, size, rest] = m as unknown as [string, string, string, string];
        const arrow = type === "l" ? rest.indexOf(" -> ") : -1;
        return { type, size: Number(size), path: arrow >= 0 ? rest.slice(0, arrow) : rest, ...(arrow >= 0 ? { target: rest.slice(arrow + 4) } : {}) };
      });
    return { entries, payloadBytes };
  } finally {
    rmSync(x, { recursive: true, force: true });
  }
}
