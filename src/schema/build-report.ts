// What one run of the wheel factory produced on one platform (written as build-report.json).
import { z } from "zod";
import { PlatformId, WheelTag } from "./platform.js";
import { PackageWheel } from "./packages.js";
import { BuildInputs, PinnedRequirements, WheelMembers } from "./provenance.js";
import { PlainFileName, PythonVersion, Sha256 } from "./strings.js";

/** A wheel the factory built (or reused): the per-Python wheels and the platform's native wheel alike. */
const BuiltWheel = z.object({
  fileName: PlainFileName, // joined to the output folder by verify and stage: never a path
  sha256: Sha256,
  size: z.number().int(),
  tag: WheelTag,
  reused: z.boolean(),
  seconds: z.record(z.string(), z.number()),
  auditwheel: z.object({ consistentWith: z.string(), policy: z.string(), reasons: z.array(z.string()) }).optional(),
});

export const BuildReport = z.object({
  platform: PlatformId,
  distribution: z.string(),
  version: z.string(),
  llvm: z.object({ version: z.string(), commit: z.string(), sourceIdentity: z.string() }),
  layer: z.object({ kind: z.enum(["prebuilt", "source"]), prefix: z.string(), key: z.string() }),
  sourceDateEpoch: z.number().int(),
  nanobindDomain: z.string(),
  /** The tools venv's and the build venvs' hashed requirements (optional: reports before issue 13 lack it). */
  requirements: z.object({ tools: PinnedRequirements, build: PinnedRequirements }).optional(),
  wheels: z.array(z.object({ python: PythonVersion, ...BuiltWheel.shape })),
  /** Each wheel's members with their sha256, and the outside inputs (src/rebuild/: added after the factory; optional). */
  members: WheelMembers.optional(),
  inputs: BuildInputs.optional(),
  verification: z
    .record(
      z.string(),
      z.object({
        python: PythonVersion,
        wheelContents: z.array(z.object({ code: z.string(), message: z.string() })),
        smoke: z.record(z.string(), z.unknown()),
        /** Free-threaded wheels: containers/verify/free_threaded.py's result (threads, GIL state). */
        freeThreaded: z.record(z.string(), z.unknown()).optional(),
        /** Stable-ABI wheels: abi3audit's verdict (extensions scanned, limited-API versions they need). */
        abi3audit: z.object({ scanned: z.number(), violations: z.array(z.string()), computed: z.array(z.string()) }).optional(),
        lit: z
          .object({
            passed: z.number(),
            failed: z.number(),
            unsupported: z.number(),
            xfail: z.number(),
            other: z.number(),
            failures: z.array(z.string()),
          })
          .optional(),
        seconds: z.number(),
      }),
    )
    .default({}),
  /** The platform's native wheel (the C API and runtime libraries every per-Python wheel pins with ==). */
  native: BuiltWheel.optional(),
  /** The platform's tools wheel (`<distribution>-tools`, built with --tools-wheel) and the layer's LLVM targets it leaves out. */
  tools: BuiltWheel.extend({ droppedTargets: z.array(z.string()) }).optional(),
  /** The downstream kit built from the same layer and bindings: a dev tarball and a dev wheel. */
  dev: z
    .array(
      z.object({
        kind: z.enum(["dev-tarball", "dev-wheel"]),
        fileName: PlainFileName,
        sha256: Sha256,
        size: z.number().int(),
        /** Bytes once unpacked (tarball) or installed (wheel). */
        unpackedSize: z.number().int(),
        tag: WheelTag.optional(),
      }),
    )
    .default([]),
  /** The enabled packages' wheels (src/packages/), each with its tests' counts per Python. */
  packages: z.array(PackageWheel).default([]),
  seconds: z.record(z.string(), z.number()),
});
export type BuildReport = z.infer<typeof BuildReport>;
