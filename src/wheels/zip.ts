// Deterministic zip writing: sorted entries, one fixed timestamp, normalized permissions.
import { CheckFailedError, InternalError } from "../errors.js";
import { createWriteStream } from "node:fs";
import { Deflate, Zip, ZipDeflate, ZipPassThrough } from "fflate";
import { sha256Hex } from "../util/hash.js";

export interface ZipEntry {
  name: string;
  data: Uint8Array;
  executable?: boolean;
}

/** DOS timestamps cannot go below 1980-01-01; clamp as wheel/pip do. */
const zipEpoch = (sourceDateEpoch: number): Date =>
  new Date(Math.max(sourceDateEpoch, 315532800) * 1000);

// Deflating the same large member again is the slowest part of a wheel: the aggregate CAPI
// library (~180 MB) is byte-identical in every Python's wheel of a platform. Large members keep
// their compressed bytes for the rest of the process, keyed by content and level.
const deflated = new Map<string, Uint8Array<ArrayBuffer>>();
let deflatedBytes = 0;
const DEFLATED_MAX_BYTES = 1 << 30;
const MEMO_MIN_BYTES = 8 << 20;
const memoCounts = { hits: 0, misses: 0 };
/** How often the memo saved a deflate (for tests and the benchmark). */
export const deflateMemoCounts = (): Readonly<typeof memoCounts> => ({ ...memoCounts });

/** ZipDeflate's bytes exactly (same Deflate stream, same flag), computed at most once per content. */
class MemoizedDeflate extends ZipPassThrough {
  readonly flag: number;

  constructor(
    name: string,
    private readonly level: 6 | 9,
  ) {
    super(name);
    this.compression = 8;
    this.flag = level === 9 ? 1 : 0; // what fflate's ZipDeflate writes for these levels
  }

  protected override process(chunk: Uint8Array<ArrayBuffer>, final: boolean): void {
    if (!final) throw new InternalError(`${this.filename}: a memoized member is pushed in one piece`);
    const key = `${this.level}:${sha256Hex(chunk)}`;
    let out = deflated.get(key);
    memoCounts[out ? "hits" : "misses"]++;
    if (!out) {
      const parts: Uint8Array[] = [];
      new Deflate({ level: this.level }, (d) => parts.push(d)).push(chunk, true);
      out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of parts) {
        out.set(p, at);
        at += p.length;
      }
      deflated.set(key, out);
      deflatedBytes += out.length;
      for (const [k, v] of deflated) {
        if (deflatedBytes <= DEFLATED_MAX_BYTES) break;
        deflated.delete(k);
        deflatedBytes -= v.length;
      }
    }
    this.ondata(null, out, true);
  }
}

export async function writeDeterministicZip(
  path: string,
  entries: ZipEntry[],
  sourceDateEpoch: number,
  level: 0 | 6 | 9 = 6,
  /** Members this large or larger go through the process-wide deflate memo. */
  memoMinBytes = MEMO_MIN_BYTES,
): Promise<void> {
  const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const names = new Set<string>();
  for (const e of sorted) {
    if (names.has(e.name)) throw new CheckFailedError(`zip ${path}: duplicate entry ${e.name}`);
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
    const f =
      level === 0
        ? new ZipPassThrough(e.name)
        : e.data.length >= memoMinBytes
          ? new MemoizedDeflate(e.name, level)
          : new ZipDeflate(e.name, { level });
    f.mtime = mtime;
    f.os = 3; // unix: the high 16 bits of attrs are the mode
    f.attrs = (mode << 16) >>> 0;
    zip.add(f);
    f.push(e.data, true);
  }
  zip.end();
  await done;
}
