// What a wheel says about itself: its file name (PEP 427) and its .dist-info METADATA/WHEEL.
import { CheckFailedError, InvalidInputError } from "../errors.js";
import yauzl from "yauzl";
import { type WheelTag } from "../schema/platform.js";

interface WheelFileName {
  distribution: string;
  version: string;
  build?: string;
  tags: WheelTag[];
}

/** Parses name-version(-build)?-py-abi-plat.whl; compressed tag sets expand to every triple. */
export function parseWheelFileName(fileName: string): WheelFileName {
  const m = /^([^-]+)-([^-]+)(?:-(\d[^-]*))?-([^-]+)-([^-]+)-([^-]+)\.whl$/.exec(fileName);
  if (!m) throw new InvalidInputError(`${fileName}: not a wheel file name (name-version-python-abi-platform.whl)`);
  const [, distribution, version, build, py, abi, plat] = m as unknown as string[];
  const tags: WheelTag[] = [];
  for (const p of py!.split(".")) for (const a of abi!.split(".")) for (const pl of plat!.split(".")) tags.push({ python: p, abi: a, platform: pl });
  return { distribution: distribution!, version: version!, ...(build ? { build } : {}), tags };
}

interface WheelSelfDescription {
  /** Raw METADATA text (PEP 658 serves exactly these bytes). */
  metadata: Buffer;
  name: string;
  version: string;
  requiresPython?: string;
  /** Tag lines of WHEEL. */
  tags: string[];
  /** Requires-Dist lines of METADATA. */
  requiresDist: string[];
}

function readEntries(path: string, want: (name: string) => boolean): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(new CheckFailedError(`${path}: not a readable zip: ${err?.message ?? "?"}; rebuild or re-download it`));
      const out = new Map<string, Buffer>();
      zip.on("entry", (e: yauzl.Entry) => {
        if (!want(e.fileName)) return zip.readEntry();
        zip.openReadStream(e, (err2, stream) => {
          if (err2 || !stream) return reject(err2 ?? new CheckFailedError(`${path}: an entry of the zip cannot be read`));
          const chunks: Buffer[] = [];
          stream.on("data", (c: Buffer) => chunks.push(c));
          stream.on("end", () => {
            out.set(e.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
          stream.on("error", reject);
        });
      });
      zip.on("end", () => resolve(out));
      zip.on("error", reject);
      zip.readEntry();
    });
  });
}

export function headerValues(text: string, key: string): string[] {
  const out: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line === "") break; // the body (long description) starts here
    const i = line.indexOf(":");
    if (i > 0 && line.slice(0, i).toLowerCase() === key.toLowerCase()) out.push(line.slice(i + 1).trim());
  }
  return out;
}

export async function readWheel(path: string): Promise<WheelSelfDescription> {
  const isDistInfo = (n: string): boolean => /^[^/]+\.dist-info\/(METADATA|WHEEL)$/.test(n);
  const entries = await readEntries(path, isDistInfo);
  const find = (base: string): Buffer | undefined => [...entries].find(([n]) => n.endsWith(`/${base}`))?.[1];
  const metadata = find("METADATA");
  const wheel = find("WHEEL");
  if (!metadata || !wheel) throw new CheckFailedError(`${path}: no .dist-info/METADATA or WHEEL inside`);
  const text = metadata.toString("utf8");
  const name = headerValues(text, "Name")[0];
  const version = headerValues(text, "Version")[0];
  if (!name || !version) throw new CheckFailedError(`${path}: METADATA lacks Name or Version`);
  const rp = headerValues(text, "Requires-Python")[0];
  return {
    metadata,
    name,
    version,
    ...(rp ? { requiresPython: rp } : {}),
    tags: headerValues(wheel.toString("utf8"), "Tag"),
    requiresDist: headerValues(text, "Requires-Dist"),
  };
}

/** PEP 503 normalized project name. */
export const normalizeProjectName = (name: string): string => name.replace(/[-_.]+/g, "-").toLowerCase();

/** The file members of a wheel (zip central directory order; directory entries left out), without reading their bytes. */
export function listWheelMembers(path: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: true }, (err, zip) => {
      if (err || !zip) return reject(new CheckFailedError(`${path}: not a readable zip: ${err?.message ?? "?"}; rebuild or re-download it`));
      const out: string[] = [];
      zip.on("entry", (e: yauzl.Entry) => {
        if (!e.fileName.endsWith("/")) out.push(e.fileName);
        zip.readEntry();
      });
      zip.on("end", () => resolve(out));
      // yauzl refuses a member named absolute or with `..` here: one line naming the wheel.
      zip.on("error", (e: Error) => reject(new CheckFailedError(`${path}: ${e.message}; rebuild or re-download the wheel`)));
      zip.readEntry();
    });
  });
}
