// release.config.json: read, defaults applied, and refused with the field and the reason when
// wrong. Unknown fields are refused too: a misspelt key would otherwise silently fall back to its
// default.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { InvalidInputError, parseOrExplain, ReleaseConfig } from "../schema.js";

export const CONFIG_FILE = "release.config.json";

/** Paths of `raw` that the parsed config does not know (a key zod stripped). */
export function unknownFields(raw: unknown, parsed: unknown, at: string[] = []): string[] {
  if (!raw || typeof raw !== "object" || Array.isArray(raw) || !parsed || typeof parsed !== "object") return [];
  const out: string[] = [];
  const known = parsed as Record<string, unknown>;
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (!(k in known)) out.push([...at, k].join("."));
    // Records (layerCmakeOptions) keep every key, so recursing into them never reports anything.
    else out.push(...unknownFields(v, known[k], [...at, k]));
  }
  return out;
}

export function parseReleaseConfig(raw: unknown, where: string): ReleaseConfig {
  const config = parseOrExplain(ReleaseConfig, raw, `config ${where}`);
  const unknown = unknownFields(raw, config);
  if (unknown.length) {
    throw new InvalidInputError(`invalid config ${where}: ${unknown.map((f) => `${f}: unknown field (misspelt?)`).join("; ")}`);
  }
  return config;
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
  return parseReleaseConfig(raw, p);
}
