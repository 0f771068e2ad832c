// The image lock with every pin resolved to a digest derived from its name: the tests' stand-in for
// a refreshed lock (the committed one holds placeholders until refreshed with registry access).
import { createHash } from "node:crypto";
import { resolve } from "node:path";
import { loadImagesLock } from "../../src/dagger/images.js";
import type { ImagesLock } from "../../src/schema.js";

export const hexOf = (s: string): string => createHash("sha256").update(s).digest("hex");

export function resolvedLock(l: ImagesLock = loadImagesLock(resolve(import.meta.dirname, "../.."))): ImagesLock {
  return {
    ...l,
    images: Object.fromEntries(Object.entries(l.images).map(([k, i]) => [k, { ...i, digest: `sha256:${hexOf(i.repository)}`, placeholder: false }])),
    node: {
      ...l.node,
      builds: Object.fromEntries(Object.entries(l.node.builds).map(([k, b]) => [k, { ...b, sha256: hexOf(b.file), placeholder: false }])),
    },
  };
}
