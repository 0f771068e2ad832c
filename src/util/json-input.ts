// Reading a JSON input file (plan, manifest, config, build report) with one-line errors that name
// the file and what is wrong: missing, a folder, unreadable, not JSON, or not the schema.
import { readFileSync, statSync } from "node:fs";
import type { z } from "zod";
import { InvalidInputError } from "../errors.js";
import { parseOrExplain } from "../schema/parse.js";

/** The parsed JSON of `path`; `what` names it in errors ("plan p.json", "--manifest"). */
function readJsonInput(path: string, what: string): unknown {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new InvalidInputError(`${what} ${path}: the file does not exist; check the path`);
  }
  if (st.isDirectory()) throw new InvalidInputError(`${what} ${path}: is a folder; give the JSON file`);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new InvalidInputError(`${what} ${path}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { cause: e });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InvalidInputError(`${what} ${path}: not valid JSON (${(e as Error).message}); a truncated or hand-edited file? regenerate it`, { cause: e });
  }
}

/** readJsonInput, then the schema (unknown fields refused where the schema is strict). */
export function readJsonAs<T extends z.ZodType>(schema: T, path: string, what: string): z.infer<T> {
  return parseOrExplain(schema, readJsonInput(path, what), `${what} ${path}`);
}
