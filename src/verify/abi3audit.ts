// abi3audit's verdict on a stable-ABI wheel: every extension must use only the limited API of the
// CPython it claims (cp312-abi3 → 3.12). A wheel tagged abi3 that calls a non-limited function installs
// on 3.13+ and then fails to import there. The verify stage runs the tool as a plan step
// (src/platforms/plan-verify.ts: `abi3audit --strict --report <wheel>`, exit 1 on a violation); this reads
// the JSON report it prints into the build report.
import { z } from "zod";

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

const Abi3AuditReport = z.object({
  specs: z.record(
    z.string(),
    z.union([
      z.object({ kind: z.literal("wheel"), wheel: z.array(Abi3AuditObject).nullable() }),
      z.object({ kind: z.literal("object"), object: Abi3AuditObject }),
    ]),
  ),
});

interface Abi3Verdict {
  /** Extensions scanned (the wheel's *.abi3.so / *.pyd). */
  scanned: number;
  /** "name: symbol, …" for each extension outside its limited API; empty when clean. */
  violations: string[];
  /** The newest limited-API version any extension needs, as abi3audit computed it. */
  computed: string[];
}

/** Reads abi3audit's JSON report (parsed) into a verdict. */
export function abi3Verdict(json: unknown): Abi3Verdict {
  const report = Abi3AuditReport.parse(json);
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
