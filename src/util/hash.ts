// The project's one place for sha256 (node:crypto is imported nowhere else in src/): hex digests of
// bytes, streams and files, the wheel RECORD's urlsafe-base64 form, and canonical-JSON hashes.
import { createHash, type Hash } from "node:crypto";
import { createReadStream } from "node:fs";

/** JSON with object keys sorted at every level: equal values always give equal text. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object") {
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>)
        .filter(([, x]) => x !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, x]) => [k, sortKeys(x)]),
    );
  }
  return v;
}

/** An incremental sha256 (update() as data arrives, digest("hex") at the end). */
export const sha256Hasher = (): Hash => createHash("sha256");

export const sha256Hex = (data: string | Uint8Array): string => sha256Hasher().update(data).digest("hex");

/** The digest as a wheel's RECORD writes it (PEP 376/427: urlsafe base64, no padding). */
export const sha256Base64Url = (data: string | Uint8Array): string => sha256Hasher().update(data).digest("base64url");

/** A file's sha256 (hex), read as a stream: archives of gigabytes never sit in memory. */
export async function sha256File(path: string): Promise<string> {
  const h = sha256Hasher();
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest("hex");
}

export const canonicalHash = (value: unknown): string => sha256Hex(canonicalJson(value));
