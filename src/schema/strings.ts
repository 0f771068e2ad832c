// Validated strings: every string that becomes a path, URL, argv element or file name is parsed
// by one of these before use (versions, digests, names, dates, git and GitHub references).
import { z } from "zod";

export const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, "a lowercase hex sha256 (64 chars)");
export const GitCommit = z.string().regex(/^[0-9a-f]{40}$/, "a full 40-hex git commit id");
export const LlvmVersion = z
  .string()
  .regex(/^\d+\.\d+\.\d+(-rc\d+)?$/, "an LLVM version such as 22.1.8 or 23.1.0-rc2");
export const PythonVersion = z.string().regex(/^3\.\d+t?$/, "a CPython version such as 3.12 or 3.13t");

/** PEP 440 version in canonical form (what wheel file names and indexes use): 22.1.8,
 * 23.0.0.dev2026112500, 23.1.0rc2, 22.1.8.post1. No local part, no spaces, nothing path-like. */
export const Pep440Version = z
  .string()
  .regex(
    /^([1-9][0-9]*!)?(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*((a|b|rc)(0|[1-9][0-9]*))?(\.post(0|[1-9][0-9]*))?(\.dev(0|[1-9][0-9]*))?$/,
    "a canonical PEP 440 version such as 22.1.8, 23.1.0rc2 or 23.0.0.dev2026112500",
  );
/** A tool's version pin (nanobind 2.9.2, cmake 3.25): dotted numbers, PEP 440 pre/post/dev allowed. */
export const ToolVersion = z
  .string()
  .regex(/^\d+(\.\d+)*((a|b|rc)\d+)?(\.post\d+)?(\.dev\d+)?$/, "a version such as 2.9.2 (digits and dots)");
/** PEP 503-normalized distribution name: lowercase, runs of -_. folded to one "-". */
export const DistributionName = z
  .string()
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "a PEP 503-normalized distribution name such as mlir-python-bindings (lowercase letters, digits, single dashes)");
/** PEP 503 normalization: what a name becomes (for "did you mean"). */
export const normalizeDistribution = (name: string): string => name.toLowerCase().replace(/[-_.]+/g, "-");
/** A file name without any folder part: never "", ".", "..", never a separator, never a leading "-" or ".". */
export const PlainFileName = z
  .string()
  .regex(/^[A-Za-z0-9_+][A-Za-z0-9._+-]*$/, "a plain file name (letters, digits, . _ + -; no folder, no leading dot or dash)")
  .max(255);
/** A member of a wheel (zip) as conda's recipes turn it into a path: `/`-separated plain names (no `..`, no absolute, no `\`). */
export const WheelMemberPath = z
  .string()
  .max(1024)
  .refine((p) => p.split("/").every((part) => PlainFileName.safeParse(part).success), "a relative path of plain names (a/b.so: no '..', no leading '/', no '\\')");
/** http(s) URL only: no javascript:, file:, data: or schemeless text. */
export const HttpUrl = z.url({ protocol: /^https?$/, error: "an http(s) URL" });
/** A URL template with {version} and/or {file} placeholders that is an http(s) URL once filled. */
export const HttpUrlTemplate = z
  .string()
  .refine((t) => HttpUrl.safeParse(t.replaceAll("{version}", "1.0").replaceAll("{file}", "f.whl")).success, "an http(s) URL template such as https://host/{version}/{file}")
  .refine((t) => t.includes("{file}"), "the template must contain {file}");
/** A git remote: an http(s)/ssh/git URL or a local path; never an option (leading "-"), never a control char. */
export const GitRemote = z
  .string()
  .min(1)
  .refine((r) => !r.startsWith("-") && !/[\u0000-\u001f]/.test(r), "a git URL or path (not starting with '-')")
  .refine((r) => !/^[a-z][a-z0-9+.-]*:/i.test(r) || /^(https?|ssh|git|file):\/\//i.test(r) || /^[A-Za-z0-9_.-]+@[^:]+:/.test(r), "a git URL (https://, ssh://, git://, file://, user@host:path) or a path");
/** A git ref name (branch, tag) as git check-ref-format allows, never an option. */
export const GitRefName = z
  .string()
  .regex(/^(?!-)(?!.*\.\.)(?!.*\/\/)(?!.*@\{)[A-Za-z0-9._\/+-]+(?<!\.lock)(?<![./])$/, "a git branch or tag name (no leading '-', no '..')");
/** A GitHub owner or repository name. */
export const GithubName = z
  .string()
  .regex(/^(?!\.{1,2}$)[A-Za-z0-9_.-]{1,100}$/, "a GitHub owner or repository name (letters, digits, . _ -)")
  .refine((n) => !n.startsWith("-"), "a GitHub name does not start with '-'");
/** owner/name of a GitHub repository. */
export const GithubRepoRef = z
  .string()
  .regex(/^[^/]+\/[^/]+$/, "owner/name")
  .refine((s) => s.split("/").every((p) => GithubName.safeParse(p).success), "owner/name, each a GitHub name (letters, digits, . _ -)");

const daysIn = (y: number, m: number): number => new Date(Date.UTC(y, m, 0)).getUTCDate();
const dateExists = (y: number, m: number, d: number): boolean => m >= 1 && m <= 12 && d >= 1 && d <= daysIn(y, m);
/** A day that exists: YYYY-MM-DD (2026-02-31 and 2026-13-45 are refused). */
export const CalendarDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "a date YYYY-MM-DD")
  .refine((s) => dateExists(Number(s.slice(0, 4)), Number(s.slice(5, 7)), Number(s.slice(8, 10))), "a date that exists (YYYY-MM-DD)");
const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
/** An instant in ISO 8601 as people write it: 2026-03-06T23:59Z (minute precision), ...:59:30.5Z,
 * ...+00:00, or a bare date (that whole UTC day: its last millisecond). Parsed to canonical
 * UTC (toISOString); impossible dates and times are refused. */
export const IsoInstant = z
  .string()
  .refine((s) => {
    const m = ISO_INSTANT.exec(s);
    if (!m) return false;
    if (!dateExists(Number(m[1]), Number(m[2]), Number(m[3]))) return false;
    if (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 59)) return false;
    if (m[4] !== undefined && m[8] === undefined) return false; // a time needs its zone: UTC is Z or +00:00
    return !Number.isNaN(Date.parse(normalizeInstant(s)));
  }, "an ISO 8601 UTC time such as 2026-03-06T23:59Z, 2026-03-06T23:59:00+00:00, or a date 2026-03-06")
  .transform((s) => new Date(Date.parse(normalizeInstant(s))).toISOString());
function normalizeInstant(s: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return `${s}T23:59:59.999Z`;
  return s.replace(/T(\d{2}):(\d{2})(Z|[+-])/, "T$1:$2:00$3").replace(/([+-]\d{2})(\d{2})$/, "$1:$2");
}
/** A positive integer given as text (a flag): "8" → 8; "abc", "0", "-1", "1.5", "" refused. */
export const PositiveIntText = z
  .string()
  .regex(/^[1-9][0-9]{0,8}$/, "a positive integer such as 1, 2 or 8")
  .transform(Number);
/** A CMake cache variable name and a value without newlines (they become -D argv elements). */
export const CmakeVariable = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "a CMake variable name");
export const CmakeValue = z.string().refine((v) => !/[\n\r\u0000]/.test(v), "a CMake value on one line");
/** A relative path inside a tree (mlirPaths): no leading "/" or "-", no ".." segment. */
export const TreePath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith("/") && !p.startsWith("-") && !p.split("/").includes(".."), "a path relative to the tree root (no leading / or -, no ..)");

/** A UTC calendar day, YYYY-MM-DD (a real one). */
export const UtcDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "YYYY-MM-DD")
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), "not a real day");

/** A release version as a command argument or file name part (PEP 440 characters only; no path). */
export const ReleaseVersionText = z.string().regex(/^[0-9][0-9A-Za-z.!+_-]*$/, "a PEP 440 version such as 23.0.0.dev2026112500");
