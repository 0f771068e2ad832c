// abi3audit on a stable-ABI wheel: every extension must use only the limited API of the CPython it
// claims (cp312-abi3 → 3.12). A wheel tagged abi3 that calls a non-limited function installs on 3.13+
// and then fails to import there; this is the check that catches it before publishing.
import { existsSync, readFileSync, rmSync } from "node:fs";
import { z } from "zod";
import { CheckFailedError } from "../errors.js";
import { CommandFailedError, type ExecEnv } from "../exec/env.js";

/** One scanned extension of abi3audit's JSON report (`--report`), as far as the verdict needs it. */
const Abi3AuditObject = z.object({
  name: z.string(),
  result: z.object({
    is_abi3: z.boolean(),
    is_abi3_baseline_compatible: z.boolean(),
    baseline: z.string(),
    computed: z.string(),
    non_abi3_symbols: z.array(z.string()),
  }),
});

export const Abi3AuditReport = z.object({
  specs: z.record(
    z.string(),
    z.union([
      z.object({ kind: z.literal("wheel"), wheel: z.array(Abi3AuditObject).nullable() }),
      z.object({ kind: z.literal("object"), object: Abi3AuditObject }),
    ]),
  ),
});

export interface Abi3Verdict {
  /** Extensions scanned (the wheel's *.abi3.so / *.pyd). */
  scanned: number;
  /** "name: symbol, …" for each extension outside its limited API; empty when clean. */
  violations: string[];
  /** The newest limited-API version any extension needs, as abi3audit computed it. */
  computed: string[];
}

/** Reads abi3audit's JSON report into a verdict. */
export function abi3Verdict(json: string): Abi3Verdict {
  const report = Abi3AuditReport.parse(JSON.parse(json));
  const objects = Object.values(report.specs).flatMap((s) => (s.kind === "wheel" ? (s.wheel ?? []) : [s.object]));
  return {
    scanned: objects.length,
    violations: objects
      .filter((o) => !o.result.is_abi3 || !o.result.is_abi3_baseline_compatible)
      .map((o) =>
        o.result.non_abi3_symbols.length
          ? `${o.name}: non-abi3 ${o.result.non_abi3_symbols.join(", ")}`
          : `${o.name}: needs the limited API of ${o.result.computed}, the wheel claims ${o.result.baseline}`,
      ),
    computed: [...new Set(objects.map((o) => o.result.computed))].sort(),
  };
}

/** Runs abi3audit on a wheel and refuses it (CheckFailedError) unless every extension is clean. */
export async function abi3Audit(env: ExecEnv, abi3audit: string, wheel: string, reportFile: string): Promise<Abi3Verdict> {
  // --strict: a step it cannot finish is a failure. Violations exit 1 with the report written: the
  // report, not the exit status, says what is wrong, so it is read either way.
  rmSync(reportFile, { force: true });
  let failed: CommandFailedError | undefined;
  try {
    await env.run([abi3audit, "--strict", "--report", "--output", reportFile, wheel]);
  } catch (e) {
    if (!(e instanceof CommandFailedError) || e.exitCode !== 1 || !existsSync(reportFile)) throw e;
    failed = e;
  }
  const verdict = abi3Verdict(readFileSync(reportFile, "utf8"));
  if (!verdict.scanned) throw new CheckFailedError(`abi3audit: ${wheel} holds no abi3 extension, though its tag says abi3`);
  if (verdict.violations.length) throw new CheckFailedError(`abi3audit: ${wheel}: ${verdict.violations.join("; ")}`);
  if (failed) throw failed;
  return verdict;
}
