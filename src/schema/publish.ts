// Publishing: targets, what was done to each file, and the snapshots retention pruned.
import { z } from "zod";
import { ReleaseVersionText, UtcDay } from "./strings.js";

/** A snapshot whose files retention removed (store/pruned/<version>.json, GitHub pruned.json). */
export const PrunedRecord = z.object({
  version: ReleaseVersionText,
  /** The PEP 592 yank reason (names the restore command). */
  reason: z.string().min(1),
  prunedOn: UtcDay,
});
export type PrunedRecord = z.infer<typeof PrunedRecord>;


/** Publish targets of a staged release (publish stage). */
export const PublishTarget = z.enum(["github", "pypi", "index", "conda"]);
export type PublishTarget = z.infer<typeof PublishTarget>;
/** What publishing did with one file on one target; a rerun after success is all "skipped". */
export const PublishAction = z.object({
  target: PublishTarget,
  file: z.string(),
  action: z.enum(["uploaded", "skipped", "replaced-incomplete", "created", "updated", "built"]),
});
export type PublishAction = z.infer<typeof PublishAction>;
export const PublishReport = z.object({
  version: z.string(),
  actions: z.array(PublishAction),
  /** Targets not configured or not possible here, with the reason. */
  skippedTargets: z.record(z.string(), z.string()).default({}),
});
export type PublishReport = z.infer<typeof PublishReport>;
