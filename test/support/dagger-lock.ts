// The image lock with every pin resolved to a digest derived from its name: the tests' stand-in for
// a lock refreshed against a registry (tests that pull need digests they can serve themselves).
import { createHash } from "node:crypto";
import { resolve } from "node:path";
import { loadImagesLock } from "../../src/platforms/images.js";
import type { ImagesLock } from "../../src/schema/images-lock.js";

export const hexOf = (s: string): string => createHash("sha256").update(s).digest("hex");

const TEST_SOURCE = { kind: "registry", by: "test/support/dagger-lock.ts (digests of the repository names)" } as const;

export function resolvedLock(l: ImagesLock = loadImagesLock(resolve(import.meta.dirname, "../.."))): ImagesLock {
  return {
    ...l,
    images: Object.fromEntries(Object.entries(l.images).map(([k, i]) => [k, { ...i, digest: `sha256:${hexOf(i.repository)}`, placeholder: false, date: "2026-12-01", source: TEST_SOURCE }])),
    node: {
      ...l.node,
      builds: Object.fromEntries(Object.entries(l.node.builds).map(([k, b]) => [k, { ...b, sha256: hexOf(b.file), placeholder: false, date: "2026-12-01", source: TEST_SOURCE }])),
    },
  };
}
