// The release plan: pure data, every pin a build depends on; what a manifest records and a rebuild replays.
import { z } from "zod";
import { PlannedPackage } from "./packages.js";
import { AbiVariant, ManylinuxPolicy, PlatformId, WheelTag } from "./platform.js";
import { ReleaseKind } from "./request.js";
import { CalendarDate, CmakeValue, CmakeVariable, DistributionName, GitCommit, GitRefName, GitRemote, LlvmVersion, Pep440Version, PlainFileName, PythonVersion, Sha256, ToolVersion } from "./strings.js";

/** A platform's Pythons in a plan: what was built and dropped, and why (basis: the calendar, the config or the request). */
export const PythonSupportRecord = z.strictObject({
  platform: PlatformId,
  basis: z.enum(["calendar", "config", "request"]),
  /** The plan's date the calendar was read at. */
  date: CalendarDate,
  calendar: z.string(),
  pythons: z.array(PythonVersion),
  added: z.array(z.strictObject({ python: PythonVersion, reason: z.string() })),
  dropped: z.array(z.strictObject({ python: PythonVersion, reason: z.string() })),
});
export type PythonSupportRecord = z.infer<typeof PythonSupportRecord>;

/** One cell of the build matrix: a platform × Python (or one abi3 build serving several). */
export const MatrixEntry = z.object({
  platform: PlatformId,
  python: PythonVersion,
  abi: AbiVariant,
  tag: WheelTag,
});
export type MatrixEntry = z.infer<typeof MatrixEntry>;

export const LlvmSourceRef = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("tarball"),
    /** File name of the tarball (e.g. Debian's orig tarball); located via a provider. */
    file: PlainFileName,
    sha256: Sha256,
    /** How to obtain it when it is not cached, e.g. {"debian": "llvm-toolchain-22"}. */
    origin: z.record(z.string(), z.string()).default({}),
  }),
  z.object({
    kind: z.literal("git"),
    repository: GitRemote,
    commit: GitCommit,
  }),
]);
export type LlvmSourceRef = z.infer<typeof LlvmSourceRef>;

/** Unknown fields are refused (a misspelt or foreign field would otherwise be dropped silently). */
export const ReleasePlan = z.strictObject({
  schemaVersion: z.literal(1),
  kind: ReleaseKind,
  /** PEP 440 version of every artifact of this release. */
  version: Pep440Version,
  distribution: DistributionName,
  devDistribution: DistributionName,
  llvm: z.strictObject({
    /** The LLVM commit the release is built from, or the tag's peeled commit. */
    commit: GitCommit,
    version: LlvmVersion,
    repository: GitRemote,
    /** ISO-8601 commit date; the source of SOURCE_DATE_EPOCH. */
    commitDate: z.iso.datetime({ offset: true }),
    tag: GitRefName.optional(),
  }),
  source: LlvmSourceRef,
  sourceDateEpoch: z.number().int().nonnegative(),
  matrix: z.array(MatrixEntry).min(1),
  abiChoice: z.strictObject({ variant: AbiVariant, reason: z.string() }),
  /** Which Pythons each platform builds and why: the CPython calendar at the plan's date (src/plan/python-support.ts). */
  pythonSupport: z.array(PythonSupportRecord).optional(),
  /** The manylinux policy of each Linux platform (what build, rebuild and the Dagger module use). */
  policies: z.record(z.string(), ManylinuxPolicy).optional(),
  /** Container image pins by platform (image reference with @sha256 digest). */
  images: z.partialRecord(PlatformId, z.string().regex(/^[a-z0-9][a-z0-9._:/@-]*$/, "an image reference")).default({}),
  tools: z.record(z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, "a tool name"), ToolVersion),
  layer: z.strictObject({
    cmakeOptions: z.record(CmakeVariable, CmakeValue),
    /** sha256 over (commit, cmakeOptions); the cache key of the LLVM layer together with platform. */
    optionsHash: Sha256,
  }),
  nanobindDomain: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "a C identifier"),
  /** Packages built besides the MLIR bindings on every platform (absent: none). */
  packages: z.array(PlannedPackage).optional(),
  /** How select chose the commit: where from, which ref and cutoff, the snapshot's day and sequence. */
  selection: z
    .strictObject({
      source: z.string(),
      ref: z.string(),
      cutoff: z.string().optional(),
      snapshotDate: CalendarDate.optional(),
      sequence: z.number().int().min(0).max(99).optional(),
      /** The previous snapshot's commit, the start of the release notes' range. */
      previousCommit: GitCommit.optional(),
      /** The CI gate's evidence: the checks the chosen commit passed, and the newer commits passed over. */
      gate: z
        .object({
          commit: z.string(),
          checks: z.array(z.object({ name: z.string(), source: z.enum(["check-run", "status", "none"]), state: z.string(), detail: z.string() })),
          examined: z.array(z.object({ commit: z.string(), verdict: z.string() })),
        })
        .optional(),
    })
    .optional(),
});
export type ReleasePlan = z.infer<typeof ReleasePlan>;
