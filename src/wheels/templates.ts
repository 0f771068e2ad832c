// The Python modules a wheel carries are files under containers/wheels (read at build time, like the
// dev distribution's templates under containers/dev): reviewable and lintable as Python, not strings.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { InternalError } from "../errors.js";

export const WHEEL_TEMPLATES_DIR = ["containers", "wheels"] as const;
const MODULE_ROOT = resolve(new URL("../..", import.meta.url).pathname);

/** Path of one template (repository root: this checkout's unless told). */
export const wheelTemplatePath = (name: string, repoRoot: string = MODULE_ROOT): string => join(repoRoot, ...WHEEL_TEMPLATES_DIR, name);

/** The template with every @NAME@ replaced; a placeholder without a value is an error (no half-rendered file). */
export function renderWheelTemplate(name: string, values: Record<string, string>, repoRoot: string = MODULE_ROOT): string {
  const path = wheelTemplatePath(name, repoRoot);
  return readFileSync(path, "utf8").replace(/@([A-Z][A-Z0-9_]*)@/g, (_m, key: string) => {
    const v = values[key];
    if (v === undefined) throw new InternalError(`${path}: no value for @${key}@`);
    return v;
  });
}
