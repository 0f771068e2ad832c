// A release request: what kind of release, from which ref, with which overrides.
import { z } from "zod";
import { PlatformId } from "./platform.js";
import { IsoInstant, PythonVersion } from "./strings.js";

export const ReleaseKind = z.enum(["snapshot", "numbered"]);
export type ReleaseKind = z.infer<typeof ReleaseKind>;

export const ReleaseRequest = z.object({
  kind: ReleaseKind,
  /** numbered: llvmorg-X.Y.Z[-rcN]; snapshot: a branch or commit (default: the config's branch). */
  ref: z.string().optional(),
  /** snapshot cutoff, ISO-8601 UTC (2026-03-06T23:59Z, ...+00:00, or a bare date = the end of that UTC day); default now. */
  cutoff: IsoInstant.optional(),
  /** rebuild number for a numbered release that was already published (.postN). */
  post: z.number().int().positive().optional(),
  overrides: z
    .object({ pythons: z.array(PythonVersion).optional(), platforms: z.array(PlatformId).optional() })
    .default({}),
});
export type ReleaseRequest = z.infer<typeof ReleaseRequest>;
