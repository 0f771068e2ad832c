// The release manifest (manifest.json): the plan, the artifacts and their provenance. Changes are
// additive: a manifest written by an older version must still parse (schemaVersion says which rules apply).
import { z } from "zod";
import { Artifact } from "./artifact.js";
import { ReleasePlan } from "./release-plan.js";
import { BuildInputs, PinnedRequirements, WheelMembers } from "./provenance.js";
import { Sha256 } from "./strings.js";

export const ReleaseManifest = z.strictObject({
  schemaVersion: z.literal(1),
  plan: ReleasePlan,
  artifacts: z.array(Artifact),
  provenance: z.strictObject({
    builder: z.string(),
    pipelineVersion: z.string(),
    /** What produced the LLVM layer: a from-source build or a prebuilt prefix (and its version). */
    layer: z.record(z.string(), z.string()).default({}),
    /** The hashed requirements the tools venv and build venvs were installed from: what `rebuild` installs. */
    requirements: z.strictObject({ tools: PinnedRequirements, build: PinnedRequirements }).optional(),
    /** Each wheel's members with their sha256 (manifests before issue 25 lack it). */
    members: WheelMembers.optional(),
    /** The inputs from outside the repository that reached the bytes (manifests before issue 25 lack it). */
    inputs: BuildInputs.optional(),
  }),
  /** Result of verify per wheel file name (lit counts, auditwheel verdict); informative. */
  verification: z.record(z.string(), z.unknown()).default({}),
  yanked: z.record(z.string(), z.string()).default({}),
  /** Set when the release was promoted (re-versioned, no compiler) from an earlier one with the same build inputs. */
  promotedFrom: z
    .object({
      version: z.string(),
      /** Per promoted file: the earlier file, its sha256, and the members that changed (metadata only). */
      artifacts: z.record(z.string(), z.object({ from: z.string(), sha256: Sha256, changed: z.array(z.string()) })),
    })
    .optional(),
});
export type ReleaseManifest = z.infer<typeof ReleaseManifest>;

/** JSON Schema of the manifest, for downstream tools that validate manifests without TypeScript. */
export const manifestJsonSchema = (): unknown => z.toJSONSchema(ReleaseManifest, { io: "input" });
