// One step of a build as the step runner executes it and --dry-run prints it.
import { z } from "zod";
import { PythonVersion } from "./strings.js";

/**
 * One step of a build (issue 13): provision → source → layer → venv → configure → build → install →
 * strip → zip → repair → dev → verify. A command step is an argv the step runner executes; an
 * in-process step is work the factory does itself (assemble a wheel, extract a source), shown by name.
 */
export const BuildPhase = z.enum(["provision", "source", "layer", "venv", "configure", "build", "install", "strip", "zip", "repair", "dev", "verify"]);
export type BuildPhase = z.infer<typeof BuildPhase>;
const StepCommon = {
  /** Unique within one build, e.g. "py3.12/configure". */
  id: z.string().min(1),
  phase: BuildPhase,
  why: z.string(),
  /** CPython version of a per-Python step. */
  python: PythonVersion.optional(),
  /** Files or directories the step makes. */
  produces: z.array(z.string()).default([]),
  /** Directories emptied (removed) before the step runs. */
  cleans: z.array(z.string()).default([]),
  /** Skipped while `stamp` holds `key`; the step with `record` writes it after succeeding. */
  upToDate: z.object({ stamp: z.string(), key: z.string(), record: z.boolean().default(false) }).optional(),
};
export const BuildStep = z.discriminatedUnion("kind", [
  z.object({
    ...StepCommon,
    kind: z.literal("command"),
    argv: z.array(z.string()).min(1),
    env: z.record(z.string(), z.string()).default({}),
    /** Directories put in front of PATH for this command (the tools venv's bin). */
    pathPrepend: z.array(z.string()).default([]),
    cwd: z.string().optional(),
    /** Its output is data the factory reads (auditwheel show, the smoke test's JSON). */
    capture: z.boolean().default(false),
    /** A non-zero exit is a finding, not a failure (check-wheel-contents). */
    mayFail: z.boolean().default(false),
  }),
  z.object({ ...StepCommon, kind: z.literal("in-process"), name: z.string(), detail: z.string().default("") }),
]);
export type BuildStep = z.infer<typeof BuildStep>;
export type BuildStepInput = z.input<typeof BuildStep>;
