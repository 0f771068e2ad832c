// Downstream projects (issue 19): a project that extends MLIR-Python, built by this machinery
// against one of our releases.
import { z } from "zod";
import { Artifact } from "./artifact.js";
import { ReleaseManifest } from "./manifest.js";
import { PlatformId } from "./platform.js";
import { CmakeValue, CmakeVariable, DistributionName, LlvmVersion, Pep440Version, Sha256, ToolVersion } from "./strings.js";

// ---- Downstream projects (issue 19): a project that extends MLIR-Python, built by this machinery
// against one of our releases. Its manifest is the same family as ours: artifacts (the Artifact
// schema), provenance, and the release it was built against, pinned by digests.
/** A Python identifier: an import package prefix or a nanobind domain. */
export const PyIdentifier = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "a Python identifier (letters, digits, _)");

/** How a downstream project is built: recorded in its manifest, replayed by `downstream rebuild`. */
export const DownstreamProject = z.strictObject({
  distribution: DistributionName,
  version: Pep440Version,
  /** MLIR_PYTHON_PACKAGE_PREFIX: the project's import package (its own copy of the core bindings lives under it). */
  packagePrefix: PyIdentifier,
  /** MLIR_BINDINGS_PYTHON_NB_DOMAIN: never the release's own domain. */
  nanobindDomain: PyIdentifier,
  /** sha256 over the project's files (sorted relative path and content): what a rebuild must be given. */
  sourceDigest: Sha256,
  sourceDateEpoch: z.number().int().nonnegative(),
  buildTargets: z.array(z.string().regex(/^[A-Za-z0-9_.+-]+$/)).min(1),
  installComponents: z.array(z.string().regex(/^[A-Za-z0-9_.+-]+$/)).min(1),
  cmakeDefines: z.record(CmakeVariable, CmakeValue).default({}),
  requiresDist: z.array(z.string()),
  requiresPython: z.string(),
});
export type DownstreamProject = z.infer<typeof DownstreamProject>;

export const DownstreamManifest = z.strictObject({
  schemaVersion: z.literal(1),
  kind: z.literal("downstream"),
  project: DownstreamProject,
  /** Our release the wheels were built against and pin (Requires-Dist: <distribution>==<version>). */
  builtAgainst: z.object({
    distribution: DistributionName,
    version: z.string(),
    llvmVersion: LlvmVersion,
    llvmCommit: z.string(),
    nanobind: ToolVersion,
    nanobindDomain: PyIdentifier,
    /** sha256 of the release's manifest.json as served. */
    manifestSha256: Sha256,
    devTarball: z.object({ fileName: z.string().min(1), sha256: Sha256 }),
  }),
  platform: PlatformId,
  artifacts: z.array(Artifact),
  provenance: ReleaseManifest.shape.provenance,
  verification: z.record(z.string(), z.unknown()).default({}),
  yanked: z.record(z.string(), z.string()).default({}),
});
export type DownstreamManifest = z.infer<typeof DownstreamManifest>;
