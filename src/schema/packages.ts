// Packages built besides the MLIR bindings (src/packages/): how the release config enables one,
// how a plan records it (rebuild replays it), and what a build report says about its wheel.
import { z } from "zod";
import { WheelTag } from "./platform.js";
import { DistributionName, PlainFileName, PythonVersion, Sha256 } from "./strings.js";

/** A recipe's id (src/packages/index.ts RECIPES): `clang`. */
export const PackageId = z.string().regex(/^[a-z][a-z0-9-]*$/, "a package id such as clang");

/** release.config.json `packages.<id>`: off unless enabled (or asked for with `build --package <id>`). */
export const PackageConfig = z.strictObject({
  enabled: z.boolean().default(false),
  /** The distribution's name on the indexes (default: the recipe's). */
  distribution: DistributionName.optional(),
});
export type PackageConfig = z.infer<typeof PackageConfig>;

/** A package a plan builds on every platform of its matrix. */
export const PlannedPackage = z.strictObject({ id: PackageId, distribution: DistributionName });
export type PlannedPackage = z.infer<typeof PlannedPackage>;

/** The counts a recipe's test command reports for one Python. */
export const PackageTestCounts = z.object({
  ran: z.number().int(),
  passed: z.number().int(),
  failed: z.number().int(),
  errors: z.number().int(),
  skipped: z.number().int(),
});

/** A package's wheel as the build report records it, with its tests per Python. */
export const PackageWheel = z.object({
  package: PackageId,
  distribution: z.string(),
  fileName: PlainFileName,
  sha256: Sha256,
  size: z.number().int(),
  tag: WheelTag,
  seconds: z.record(z.string(), z.number()),
  auditwheel: z.object({ consistentWith: z.string(), policy: z.string(), reasons: z.array(z.string()) }).optional(),
  tests: z.record(PythonVersion, PackageTestCounts).default({}),
});
export type PackageWheel = z.infer<typeof PackageWheel>;
