// containers/images.lock.json: the pinned build images and Node runtimes, each pin with its source.
import { z } from "zod";
import { ManylinuxPolicy } from "./platform.js";
import { Sha256 } from "./strings.js";

/** containers/images.lock.json: build images (and the Node runtime the CLI runs on inside them),
 * pinned by digest. A placeholder pin has the right shape but was never resolved against a
 * registry; the pipeline refuses it rather than pull something unverified. */
const ImageDigest = z.string().regex(/^sha256:[0-9a-f]{64}$/, "sha256:<64 hex>");
/** Where a pinned digest or checksum was found: a public file that pins it (repository, path, commit),
 * or a registry resolution by containers/refresh-image-pins.sh. Recorded so every pin can be re-checked. */
const PinSource = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("published-pin"),
    repository: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, "<owner>/<name> of a public repository"),
    path: z.string().regex(/^[A-Za-z0-9_.@+-]+(\/[A-Za-z0-9_.@+-]+)*$/, "a relative file path inside the repository"),
    commit: z.string().regex(/^[0-9a-f]{40}$/, "a 40-hex commit"),
    committed: z.string().regex(/^\d{4}-\d\d-\d\d$/).optional(),
  }),
  z.object({ kind: z.literal("registry"), by: z.string().min(1) }),
]);
type PinSource = z.infer<typeof PinSource>;
/** A pin that is not a placeholder must say when it was made and where it came from. */
const sourcedPin = (x: { placeholder: boolean; source?: unknown; date?: unknown }, ctx: z.RefinementCtx) => {
  if (x.placeholder) return;
  if (!x.source) ctx.addIssue({ code: "custom", path: ["source"], message: "a resolved pin needs its source (where the digest was found)" });
  if (!x.date) ctx.addIssue({ code: "custom", path: ["date"], message: "a resolved pin needs the date of the tag or file it pins" });
};
const PinDate = z.string().regex(/^\d{4}-\d\d-\d\d$/, "YYYY-MM-DD");

export const LockedImage = z.object({
  /** Repository path without registry host, tag or digest, e.g. pypa/manylinux2014_x86_64. The host
   * is an input (ImagesLock.registryEnv) so no registry is named in the repository. */
  repository: z
    .string()
    .regex(/^[a-z0-9_-]+(\/[a-z0-9._-]+)+$/, "<namespace>/<name> without a registry host (the host comes from the environment)"),
  /** The tag the digest was resolved from (informative; the digest is what is pulled). */
  tag: z.string(),
  digest: ImageDigest,
  /** OCI platform, e.g. linux/amd64. */
  platform: z.enum(["linux/amd64", "linux/arm64"]),
  /** The wheel policy auditwheel repairs to inside this image. */
  policy: ManylinuxPolicy,
  /** glibc of the image: decides which Node build can run in it. */
  glibc: z.string().regex(/^\d+\.\d+$/),
  placeholder: z.boolean().default(false),
  /** Date of the tag (or release) the digest belongs to. */
  date: PinDate.optional(),
  source: PinSource.optional(),
}).superRefine(sourcedPin);
export type LockedImage = z.infer<typeof LockedImage>;
export const LockedDownload = z.object({
  /** File name under <dist base>/v<version>/; the base is an input (ImagesLock.node.distEnv). */
  file: z.string().regex(/^[A-Za-z0-9._-]+$/, "a file name without host or path"),
  /** This build's Node version when it is not node.version (the newest one with a published checksum). */
  version: z.string().regex(/^\d+\.\d+\.\d+$/).optional(),
  sha256: Sha256,
  placeholder: z.boolean().default(false),
  date: PinDate.optional(),
  source: PinSource.optional(),
});
export type LockedDownload = z.infer<typeof LockedDownload>;
export const ImagesLock = z.object({
  schemaVersion: z.literal(1),
  /** Where and when the pins were last resolved (refresh-image-pins.sh writes this). */
  refreshed: z.object({ at: z.string().nullable(), by: z.string(), registryAccess: z.boolean() }),
  /** Environment variable holding the image registry host (host[:port]); read when an image is pulled. */
  registryEnv: z.string().regex(/^[A-Z][A-Z0-9_]*$/).default("MLIR_RELEASE_IMAGE_REGISTRY"),
  images: z.record(z.string().regex(/^[a-z0-9_]+$/), LockedImage),
  /** Node runtimes for the CLI inside the images, keyed like node-<arch>-glibc-<min glibc>. */
  node: z.object({
    version: z.string().regex(/^\d+\.\d+\.\d+$/),
    /** Environment variable holding the Node download base URL (serves <base>/v<version>/<file>). */
    distEnv: z.string().regex(/^[A-Z][A-Z0-9_]*$/).default("MLIR_RELEASE_NODE_DIST_URL"),
    builds: z.record(z.string(), LockedDownload.extend({ arch: z.enum(["x86_64", "aarch64"]), minGlibc: z.string() }).superRefine(sourcedPin)),
  }),
});
export type ImagesLock = z.infer<typeof ImagesLock>;
