// release.config.json: read, defaults applied, and refused with the field and the reason when
// wrong. Unknown fields are refused too, with the nearest known key as a suggestion: a misspelt key
// would otherwise silently fall back to its default. The one config loader (CLI and Dagger module).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { closest, distance } from "fastest-levenshtein";
import { z } from "zod";
import { InvalidInputError } from "../errors.js";
import { ReleaseConfig } from "../schema/config.js";
import { parseOrExplain } from "../schema/parse.js";
import { creatableDir } from "../util/paths.js";

export const CONFIG_FILE = "release.config.json";

/** The object schema under defaults/optionals, or undefined when `s` is not an object schema. */
function objectShape(s: z.ZodType): Record<string, z.ZodType> | undefined {
  let t: z.ZodType | undefined = s;
  for (let i = 0; t && i < 8; i++) {
    if (t instanceof z.ZodObject) return t.shape as Record<string, z.ZodType>;
    t = (t._zod.def as { innerType?: z.ZodType }).innerType;
  }
  return undefined;
}

function arrayElement(s: z.ZodType): z.ZodType | undefined {
  let t: z.ZodType | undefined = s;
  for (let i = 0; t && i < 8; i++) {
    if (t instanceof z.ZodArray) return t.element as z.ZodType;
    t = (t._zod.def as { innerType?: z.ZodType }).innerType;
  }
  return undefined;
}

/** The known key nearest to `key`, when it is near enough to be a typo. */
export function didYouMean(key: string, known: readonly string[]): string | undefined {
  if (!known.length) return undefined;
  const best = closest(key, [...known]);
  return distance(key.toLowerCase(), best.toLowerCase()) <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

interface UnknownField {
  path: string;
  suggestion?: string;
}

/** Keys of `raw` that `schema` does not declare, at every depth (records keep any key). */
export function unknownFields(raw: unknown, schema: z.ZodType = ReleaseConfig, at: string[] = []): UnknownField[] {
  if (Array.isArray(raw)) {
    const el = arrayElement(schema);
    return el ? raw.flatMap((v, i) => unknownFields(v, el, [...at, String(i)])) : [];
  }
  const shape = objectShape(schema);
  if (!shape || !raw || typeof raw !== "object") return [];
  const out: UnknownField[] = [];
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    const sub = shape[k];
    if (!sub) {
      const suggestion = didYouMean(k, Object.keys(shape));
      out.push({ path: [...at, k].join("."), ...(suggestion ? { suggestion: [...at, suggestion].join(".") } : {}) });
    } else out.push(...unknownFields(v, sub, [...at, k]));
  }
  return out;
}

export function parseReleaseConfig(raw: unknown, where: string): ReleaseConfig {
  const unknown = unknownFields(raw);
  if (unknown.length) {
    const fields = unknown.map((f) => `${f.path}: unknown field${f.suggestion ? ` (did you mean ${f.suggestion}?)` : ""}`);
    throw new InvalidInputError(`invalid config ${where}: ${fields.join("; ")}`);
  }
  return parseOrExplain(ReleaseConfig, raw, `config ${where}`);
}

/** Loads `path`, or <repoRoot>/release.config.json when no path is given (defaults if absent). */
export function loadReleaseConfig(repoRoot: string, path?: string): ReleaseConfig {
  const p = path ?? join(repoRoot, CONFIG_FILE);
  if (!existsSync(p)) {
    if (path) throw new InvalidInputError(`config file ${path} does not exist`);
    return ReleaseConfig.parse({});
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(p, "utf8"));
  } catch (e) {
    throw new InvalidInputError(`config file ${p} is not valid JSON: ${(e as Error).message}`);
  }
  return checkConfigFolders(parseReleaseConfig(raw, p), p);
}

/**
 * The folders a config names (index root, conda channel, compiler cache) are checked when it is
 * loaded, by every command, not only by the one that uses them: a root under a file used to pass
 * silently until a later publish failed.
 */
function checkConfigFolders(config: ReleaseConfig, where: string): ReleaseConfig {
  const folders: Array<[string, string | undefined]> = [
    ["publish.index.root", config.publish.index?.root],
    ["publish.conda.channel", config.publish.conda?.channel],
    ["compilerCache.dir", config.compilerCache.dir],
  ];
  for (const [field, dir] of folders) if (dir !== undefined) creatableDir(dir, `config ${where}: ${field}`);
  return config;
}
