// Where two builds of an artifact first differ: the first member of a wheel (zip, read with
// yauzl) or tarball whose name, content, timestamp, permissions or encoding is not the same.
import { readFileSync } from "node:fs";
import { Readable } from "node:stream";
import tar from "tar-stream";
import { CheckFailedError } from "../errors.js";
import { gunzipSync } from "node:zlib";
import { commandBytesSync } from "../exec/command.js";
import yauzl from "yauzl";
import { sha256Hex } from "../util/hash.js";

/** The fields of an archive member that can make two archives' bytes differ. */
interface ArchiveMember {
  name: string;
  /** crc32 (zip) or sha256 (tar) of the uncompressed content, and its size */
  content: string;
  size: number;
  mtime: number;
  mode: number;
  /** zip: compression method, compressed size and extra fields; tar: type flag */
  encoding: string;
}

/** Pure: a sentence naming the first differing member, or undefined when the member lists are equal. */
export function firstDifference(a: readonly ArchiveMember[], b: readonly ArchiveMember[]): string | undefined {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.name !== y.name) return `member #${i + 1}: ${x.name} in the recorded artifact, ${y.name} in the rebuilt one (order or names differ)`;
    const what: string[] = [];
    if (x.content !== y.content || x.size !== y.size) what.push(`content (${x.size} vs ${y.size} bytes)`);
    if (x.mtime !== y.mtime) what.push(`timestamp (${x.mtime} vs ${y.mtime})`);
    if (x.mode !== y.mode) what.push(`permissions (${x.mode.toString(8)} vs ${y.mode.toString(8)})`);
    if (x.encoding !== y.encoding) what.push(`encoding (${x.encoding} vs ${y.encoding})`);
    if (what.length) return `${x.name}: ${what.join(", ")}`;
  }
  if (a.length !== b.length) {
    const extra = a.length > b.length ? `${a[n]!.name} only in the recorded artifact` : `${b[n]!.name} only in the rebuilt one`;
    return `member #${n + 1}: ${extra} (${a.length} vs ${b.length} members)`;
  }
  return undefined;
}

/** Pure: every member (by name) whose content, timestamp, permissions or encoding differs, or that only one side has, sorted. */
export function differingMembers(a: readonly ArchiveMember[], b: readonly ArchiveMember[]): string[] {
  const byName = (xs: readonly ArchiveMember[]) => new Map(xs.map((m) => [m.name, m]));
  const [ma, mb] = [byName(a), byName(b)];
  const names = [...new Set([...ma.keys(), ...mb.keys()])].sort();
  return names.filter((n) => {
    const x = ma.get(n);
    const y = mb.get(n);
    return !x || !y || x.content !== y.content || x.size !== y.size || x.mtime !== y.mtime || x.mode !== y.mode || x.encoding !== y.encoding;
  });
}

export function zipMembers(path: string): Promise<ArchiveMember[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: true }, (err, zip) => {
      if (err || !zip) return reject(new CheckFailedError(`${path}: not a readable zip archive (${err?.message ?? "cannot open"})`, { cause: err }));
      const out: ArchiveMember[] = [];
      zip.on("entry", (e: yauzl.Entry) => {
        const dos = e.lastModFileDate * 65536 + e.lastModFileTime;
        out.push({
          name: e.fileName,
          content: e.crc32.toString(16),
          size: e.uncompressedSize,
          mtime: dos,
          mode: (e.externalFileAttributes >>> 16) & 0xffff,
          encoding: `m${e.compressionMethod}/${e.compressedSize}/${e.extraFields.map((f) => `${f.id}:${f.data.toString("hex")}`).join(",")}`,
        });
        zip.readEntry();
      });
      zip.on("end", () => resolve(out));
      zip.on("error", reject);
      zip.readEntry();
    });
  });
}

/** Members of a ustar/pax/GNU tarball (read with tar-stream), plain, gzip or zstd (the dev tarball) compressed. */
export async function tarMembers(path: string): Promise<ArchiveMember[]> {
  let buf = readFileSync(path);
  if (buf[0] === 0x1f && buf[1] === 0x8b) buf = gunzipSync(buf);
  // Node 20's zlib has no zstd; the zstd tool is part of the build environment.
  else if (buf.length >= 4 && buf.readUInt32LE(0) === 0xfd2fb528) buf = commandBytesSync(["zstd", "-dc", "--", path], 4 * 1024 ** 3);
  const out: ArchiveMember[] = [];
  const extract = tar.extract();
  try {
    for await (const entry of Readable.from([buf]).pipe(extract)) {
      const h = entry.header;
      const chunks: Buffer[] = [];
      for await (const c of entry) chunks.push(c as Buffer);
      const data = Buffer.concat(chunks);
      out.push({
        name: h.name,
        content: sha256Hex(data),
        size: h.size ?? data.length,
        mtime: Math.round((h.mtime?.getTime() ?? 0) / 1000),
        mode: h.mode ?? 0,
        encoding: `type ${h.type ?? "file"}`,
      });
    }
  } catch (e) {
    throw new CheckFailedError(`${path}: not a readable tar archive (${(e as Error).message})`, { cause: e });
  }
  return out;
}

/** The first differing member of two archives, or a note when the members agree but the bytes do not. */
export async function firstDifferingMember(recorded: string, rebuilt: string): Promise<string> {
  const isZip = /\.(whl|zip)$/.test(recorded);
  const isTar = /\.tar(\.gz|\.zst)?$|\.tgz$/.test(recorded);
  if (!isZip && !isTar) return "not an archive: no member comparison";
  const [a, b] = await Promise.all(isZip ? [zipMembers(recorded), zipMembers(rebuilt)] : [tarMembers(recorded), tarMembers(rebuilt)]);
  return firstDifference(a, b) ?? "every member is equal; the archive framing differs (comment, headers or member order of local records)";
}
