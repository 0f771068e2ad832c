// Deterministic zip writing: sorted entries, one fixed timestamp, normalized permissions.
import { createWriteStream } from "node:fs";
import { Zip, ZipDeflate, ZipPassThrough } from "fflate";

export interface ZipEntry {
  name: string;
  data: Uint8Array;
  executable?: boolean;
}

/** DOS timestamps cannot go below 1980-01-01; clamp as wheel/pip do. */
export const zipEpoch = (sourceDateEpoch: number): Date =>
  new Date(Math.max(sourceDateEpoch, 315532800) * 1000);

export async function writeDeterministicZip(
  path: string,
  entries: ZipEntry[],
  sourceDateEpoch: number,
  level: 0 | 6 | 9 = 6,
): Promise<void> {
  const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const names = new Set<string>();
  for (const e of sorted) {
    if (names.has(e.name)) throw new Error(`zip ${path}: duplicate entry ${e.name}`);
    names.add(e.name);
  }
  // fflate encodes mtime in local time; shift so the stored DOS fields equal the UTC instant.
  const t = zipEpoch(sourceDateEpoch);
  const mtime = new Date(t.getTime() + t.getTimezoneOffset() * 60_000);
  const out = createWriteStream(path);
  const done = new Promise<void>((resolve, reject) => {
    out.on("finish", resolve);
    out.on("error", reject);
  });
  const zip = new Zip((err, chunk, final) => {
    if (err) {
      out.destroy(err);
      return;
    }
    out.write(chunk);
    if (final) out.end();
  });
  for (const e of sorted) {
    const mode = e.executable ? 0o100755 : 0o100644;
    const f = level === 0 ? new ZipPassThrough(e.name) : new ZipDeflate(e.name, { level });
    f.mtime = mtime;
    f.os = 3; // unix: the high 16 bits of attrs are the mode
    f.attrs = (mode << 16) >>> 0;
    zip.add(f);
    f.push(e.data, true);
  }
  zip.end();
  await done;
}
