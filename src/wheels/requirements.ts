// Runtime requirements of the `mlir` package, derived from the source tree being built
// (mlir/python/requirements.txt) so they follow each LLVM version, but as a published wheel
// needs them: what the installed package imports at run time, with lower bounds only.
//
// Upstream's file pins its CI: `numpy<=2.1.2` and `ml_dtypes<=0.6.0` are the versions its
// builders were tested with, not known incompatibilities, and a cap would make pip downgrade a
// user's numpy (or find no wheel at all on a newer Python). An upper bound is kept only when it is
// recorded in KNOWN_INCOMPATIBILITIES with its reason.
//
// The BUILD section (nanobind, typing_extensions, PyYAML) is not needed at run time. PyYAML is
// imported lazily, only by linalg's opdsl YAML dump (mlir.dialects.linalg.opdsl.dump_oplib), so it
// becomes the `opdsl` extra; the others go.
import { InvalidInputError } from "../errors.js";

interface KnownIncompatibility {
  /** Distribution name as in requirements.txt (compared case- and separator-insensitively). */
  name: string;
  /** The specifier kept, e.g. "<3" . */
  cap: string;
  /** Why: the upstream issue or the failure seen, so the cap can be dropped when it is fixed. */
  reason: string;
}

/** None known for the versions built today; add one only with its reason. */
const KNOWN_INCOMPATIBILITIES: readonly KnownIncompatibility[] = [];

/** Build-only packages that the run time imports optionally: the extra that brings them. */
const OPTIONAL_RUNTIME_EXTRAS: Readonly<Record<string, string>> = { pyyaml: "opdsl" };

const normName = (n: string): string => n.toLowerCase().replace(/[-_.]+/g, "-");

/** Drops upper bounds (`<`, `<=`, `~=` becomes `>=`, `==` becomes `>=`); keeps `>=`, `>`, `!=`. */
function lowerBoundsOnly(specifiers: string): string[] {
  const out: string[] = [];
  for (const raw of specifiers.split(",")) {
    const s = raw.trim();
    if (!s) continue;
    const m = /^(~=|===|==|!=|<=|>=|<|>)\s*(\S+)$/.exec(s);
    if (!m) throw new InvalidInputError(`requirements.txt: cannot read the version specifier '${s}'; fix that line`);
    const [, op, v] = m;
    if (op === "<" || op === "<=") continue;
    if (op === "~=" || op === "==" || op === "===") {
      if (!v!.includes("*")) out.push(`>=${v}`);
      continue;
    }
    out.push(`${op}${v}`);
  }
  return out;
}

interface ParsedLine {
  name: string;
  specifiers: string;
  marker: string | undefined;
}

function parseLine(line: string): ParsedLine {
  const [req, marker] = line.split(";", 2).map((p) => p.trim());
  const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(.*)$/.exec(req ?? "");
  if (!m) throw new InvalidInputError(`requirements.txt: cannot read the requirement '${line}'; fix that line`);
  return { name: m[1]!, specifiers: m[2] ?? "", marker: marker || undefined };
}

/** Requires-Dist lines (PEP 508) for the wheel's METADATA, in requirements.txt order. */
export function runtimeRequirements(
  requirementsTxt: string,
  known: readonly KnownIncompatibility[] = KNOWN_INCOMPATIBILITIES,
): string[] {
  const out: string[] = [];
  let section: "build" | "run" | undefined;
  for (const raw of requirementsTxt.split("\n")) {
    const line = raw.replace(/(^|\s)#.*$/, "").trim();
    if (/^\s*#\s*BUILD/i.test(raw)) section = "build";
    else if (/^\s*#\s*RUN/i.test(raw)) section = "run";
    if (!line || line.startsWith("-")) continue;
    const p = parseLine(line);
    const extra = OPTIONAL_RUNTIME_EXTRAS[normName(p.name)];
    if (section !== "run" && !extra) continue;
    const specs = lowerBoundsOnly(p.specifiers);
    for (const k of known) if (normName(k.name) === normName(p.name)) specs.push(k.cap.replace(/\s+/g, ""));
    const markers = [p.marker, section !== "run" && extra ? `extra == "${extra}"` : undefined].filter(Boolean);
    const marker = markers.length > 1 ? markers.map((m) => `(${m})`).join(" and ") : markers[0];
    out.push(`${p.name}${specs.join(",")}${marker ? `; ${marker}` : ""}`);
  }
  return out;
}

/** The extras named by `extra == "..."` markers: METADATA's Provides-Extra lines. */
export function providedExtras(requiresDist: readonly string[]): string[] {
  const names = new Set<string>();
  for (const r of requiresDist) for (const m of r.matchAll(/extra\s*==\s*["']([^"']+)["']/g)) names.add(m[1]!);
  return [...names].sort();
}
