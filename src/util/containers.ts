// Programs and templates are files under containers/ (Python, CMake, shell: read, linted and
// reviewed as what they are), never strings in src/. This names one in the checkout this code runs from.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";

const MODULE_ROOT = resolve(new URL("../..", import.meta.url).pathname);

/** Path of a file under containers/ (e.g. containersFile("verify", "run_lit.py")). */
export const containersFile = (...parts: string[]): string => join(MODULE_ROOT, "containers", ...parts);

/** The text of a file under containers/. */
export const readContainersFile = (...parts: string[]): string => readFileSync(containersFile(...parts), "utf8");
