// Each finished wheel's file members with the sha256 of their bytes, read back from the zip (yauzl,
// streamed: the native wheel's C API library is ~180 MB unpacked). Recorded in the build report and
// the manifest so that a rebuild elsewhere names the member that differs without the old wheel.
import { existsSync } from "node:fs";
import { join } from "node:path";
import yauzl from "yauzl";
import { CheckFailedError } from "../errors.js";
import type { BuildReport } from "../schema/build-report.js";
import type { WheelMember } from "../schema/provenance.js";
import { sha256Hasher } from "../util/hash.js";

/** The file members of a wheel (central directory order, directories left out) with their sha256 and size. */
export function wheelMemberDigests(path: string): Promise<WheelMember[]> {
  return new Promise((resolve, reject) => {
    const fail = (e: Error | null | undefined) => reject(new CheckFailedError(`${path}: not a readable wheel (${e?.message ?? "cannot open"})`, { cause: e }));
    yauzl.open(path, { lazyEntries: true, autoClose: true }, (err, zip) => {
      if (err || !zip) return fail(err);
      const out: WheelMember[] = [];
      zip.on("entry", (e: yauzl.Entry) => {
        if (e.fileName.endsWith("/")) return zip.readEntry();
        zip.openReadStream(e, (err2, stream) => {
          if (err2 || !stream) return fail(err2);
          const h = sha256Hasher();
          let size = 0;
          stream.on("data", (c: Buffer) => {
            h.update(c);
            size += c.length;
          });
          stream.on("error", fail);
          stream.on("end", () => {
            out.push({ name: e.fileName, sha256: h.digest("hex"), size });
            zip.readEntry();
          });
        });
      });
      zip.on("end", () => resolve(out));
      zip.on("error", fail);
      zip.readEntry();
    });
  });
}

/** The wheels of a build report (per-Python, native, dev wheel) that are in `outDir`, by file name. */
function reportWheelFiles(report: BuildReport): string[] {
  return [
    ...report.wheels.map((w) => w.fileName),
    ...(report.native ? [report.native.fileName] : []),
    ...report.dev.filter((d) => d.kind === "dev-wheel").map((d) => d.fileName),
  ];
}

/** Every wheel of the report found in `outDir`, with its members. */
export async function reportMembers(report: BuildReport, outDir: string): Promise<Record<string, WheelMember[]>> {
  const out: Record<string, WheelMember[]> = {};
  for (const f of reportWheelFiles(report)) {
    const path = join(outDir, f);
    if (existsSync(path)) out[f] = await wheelMemberDigests(path);
  }
  return out;
}

interface MemberDifference {
  name: string;
  /** sha256 and size on each side; absent when only the other side has the member. */
  recorded?: { sha256: string; size: number };
  rebuilt?: { sha256: string; size: number };
}

/** Pure: the members whose sha256 differs or that only one side has, sorted by name. */
export function memberDifferences(recorded: readonly WheelMember[], rebuilt: readonly WheelMember[]): MemberDifference[] {
  const a = new Map(recorded.map((m) => [m.name, m]));
  const b = new Map(rebuilt.map((m) => [m.name, m]));
  const names = [...new Set([...a.keys(), ...b.keys()])].sort();
  const out: MemberDifference[] = [];
  for (const name of names) {
    const x = a.get(name);
    const y = b.get(name);
    if (x && y && x.sha256 === y.sha256) continue;
    out.push({ name, ...(x ? { recorded: { sha256: x.sha256, size: x.size } } : {}), ...(y ? { rebuilt: { sha256: y.sha256, size: y.size } } : {}) });
  }
  return out;
}

/** Pure: one phrase per differing member, e.g. `mlir/_mlir_libs/_mlir.so (sha256 1d93…, 5 B vs 8ab2…, 6 B)`. */
export function describeMemberDifferences(diffs: readonly MemberDifference[], limit = 8): string {
  const short = (s: { sha256: string; size: number }) => `${s.sha256.slice(0, 8)}…, ${s.size.toLocaleString("en-US")} B`;
  const parts = diffs.slice(0, limit).map((d) =>
    !d.rebuilt ? `${d.name} (only in the recorded wheel)` : !d.recorded ? `${d.name} (only in the rebuilt wheel)` : `${d.name} (sha256 ${short(d.recorded)} recorded, ${short(d.rebuilt)} rebuilt)`,
  );
  if (diffs.length > limit) parts.push(`and ${diffs.length - limit} more`);
  return parts.join("; ");
}
