// Parsing through a schema with one-line errors that name the input, the field and the value.
import { closest, distance } from "fastest-levenshtein";
import { z } from "zod";
import { InvalidInputError } from "../errors.js";

/** Parse with a one-line message that names the input, each failing field and the value it holds
 * (`invalid --platform "linux-mips64": …`, `artifacts.0.fileName: … (got "../x.whl")`; unknown keys too). */
export function parseOrExplain<T extends z.ZodType>(schema: T, input: unknown, what: string): z.infer<T> {
  const r = schema.safeParse(input, { reportInput: true });
  if (r.success) return r.data;
  const shown = shownValue(input);
  if (shown !== undefined && r.error.issues.every((i) => !i.path.length)) {
    throw new InvalidInputError(`invalid ${what} ${shown}: ${r.error.issues.map(issueMessage).join("; ")}`);
  }
  throw new InvalidInputError(`invalid ${what}: ${explainIssues(r.error.issues)}`);
}

// A value an error may repeat: never one under a secret-looking key (the resolved options hold the token).
const SECRET_KEY = /token|password|secret/i;
/** A string, number or boolean as an error shows it: JSON-quoted (so one line), at most ~80 characters. */
const shownValue = (v: unknown): string | undefined =>
  typeof v === "string" ? JSON.stringify(v.length > 80 ? `${v.slice(0, 77)}...` : v) : typeof v === "number" || typeof v === "boolean" ? String(v) : undefined;

/** An issue's message, plus the nearest allowed value when a string missed a list of choices by a typo. */
function issueMessage(i: z.core.$ZodIssue): string {
  if (i.code === "invalid_value" && typeof i.input === "string") {
    const choices = i.values.filter((v): v is string => typeof v === "string");
    const near = choices.length ? closest(i.input, choices) : undefined;
    if (near !== undefined && distance(i.input.toLowerCase(), near.toLowerCase()) <= Math.max(2, Math.floor(i.input.length / 4))) return `${i.message}; did you mean "${near}"?`;
  }
  return i.message;
}

/** zod issues on one line: "field.path: message (got "value"); other: message" (at most 6, then "and N more"). */
export function explainIssues(issues: readonly z.core.$ZodIssue[]): string {
  const parts = issues.map((i) => {
    const at = i.path.length ? i.path.map(String).join(".") : "(root)";
    const keys = i.code === "unrecognized_keys" ? ` (${i.keys.join(", ")}: unknown field, misspelt?)` : "";
    const shown = i.path.some((k) => SECRET_KEY.test(String(k))) ? undefined : shownValue(i.input);
    return `${at}: ${i.code === "unrecognized_keys" ? "unknown field" : issueMessage(i)}${keys}${shown === undefined ? "" : ` (got ${shown})`}`;
  });
  return parts.length > 6 ? `${parts.slice(0, 6).join("; ")}; and ${parts.length - 6} more` : parts.join("; ");
}

/** A flag's value through a schema: `--keep 'abc': expected a positive integer`. */
export function parseFlag<T extends z.ZodType>(schema: T, value: unknown, flag: string): z.infer<T> {
  const r = schema.safeParse(value, { reportInput: true });
  if (r.success) return r.data;
  throw new InvalidInputError(`${flag} '${String(value)}': ${r.error.issues.map(issueMessage).join("; ")}`);
}
