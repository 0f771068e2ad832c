// The one helper for paths built from data (versions, file names from manifests, release assets):
// the result is resolved and must stay under its root, so `../../x`, an absolute part or a
// symlink pointing out cannot make a stage, the index store, the site, publish, conda or dev
// write (or read) outside the folder it owns.
import { existsSync, realpathSync, statSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve, sep } from "node:path";
import { InvalidInputError, PathEscapeError } from "../errors.js";

const inside = (root: string, p: string): boolean => {
  const rel = relative(root, p);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
};

/** The deepest existing ancestor of p, resolved through symlinks. */
function realExisting(p: string): string {
  let cur = p;
  const rest: string[] = [];
  while (!existsSync(cur)) {
    const up = dirname(cur);
    if (up === cur) break;
    rest.unshift(cur.slice(up.length + (up.endsWith(sep) ? 0 : 1)));
    cur = up;
  }
  try {
    return resolve(realpathSync(cur), ...rest);
  } catch {
    return p;
  }
}

/**
 * resolve(root, ...parts), refused (PathEscapeError naming `what`) unless it stays under root —
 * lexically and after following the symlinks that exist. Every part must be one plain name:
 * non-empty, not `.` or `..`, without a `/` or `\` (a name like `x-../y` stays inside but is
 * no file name the data may choose).
 */
export function underRoot(root: string, parts: readonly string[], what: string): string {
  const base = resolve(root);
  for (const part of parts) {
    if (!part || part.includes("\0")) throw new PathEscapeError(`${what}: empty or invalid path part ${JSON.stringify(part)}`);
    if (isAbsolute(part)) throw new PathEscapeError(`${what}: '${part}' is an absolute path; expected a name under ${base}`);
  }
  const p = resolve(base, ...parts);
  if (!inside(base, p)) throw new PathEscapeError(`${what}: '${parts.join("/")}' leads outside ${base}; use a plain name`);
  const notPlain = parts.find((part) => part === "." || part === ".." || /[/\\]/.test(part));
  if (notPlain !== undefined) throw new PathEscapeError(`${what}: '${notPlain}' is not a plain name (a '/', '\\', '.' or '..'); use a plain name`);
  if (!inside(realExisting(base), realExisting(p))) throw new PathEscapeError(`${what}: '${parts.join("/")}' leads outside ${base} through a symlink`);
  return p;
}

/** A folder that must exist (and be a folder): one line naming the flag and the path otherwise. */
export function existingDir(path: string, what: string): string {
  const p = resolve(path);
  let st;
  try {
    st = statSync(p);
  } catch {
    throw new InvalidInputError(`${what} ${path}: the folder does not exist; create it or fix the path`);
  }
  if (!st.isDirectory()) throw new InvalidInputError(`${what} ${path}: is a file, not a folder`);
  return p;
}

/** A file that must exist (and be a file). */
export function existingFile(path: string, what: string): string {
  const p = resolve(path);
  let st;
  try {
    st = statSync(p);
  } catch {
    throw new InvalidInputError(`${what} ${path}: the file does not exist; fix the path`);
  }
  if (!st.isFile()) throw new InvalidInputError(`${what} ${path}: is a folder, not a file`);
  return p;
}

/**
 * A folder the command may create: its nearest existing ancestor must be a writable folder, and
 * (when `mustBeUnder` is given, e.g. /proc and /sys are refused) a real file system location.
 */
export function creatableDir(path: string, what: string): string {
  const p = resolve(path);
  if (/^\/(proc|sys|dev)(\/|$)/.test(p)) throw new InvalidInputError(`${what} ${path}: not a place for files (a kernel file system); choose another folder`);
  let cur = p;
  while (!existsSync(cur)) {
    const up = dirname(cur);
    if (up === cur) break;
    cur = up;
  }
  if (!statSync(cur).isDirectory()) throw new InvalidInputError(`${what} ${path}: ${cur} is a file, so the folder cannot be created; choose another path`);
  return p;
}

/** The parent folder of a file to be written must exist (no silent mkdir -p of a typo). */
export function writableFileIn(path: string, what: string): string {
  const p = resolve(path);
  const dir = dirname(p);
  if (!existsSync(dir)) throw new InvalidInputError(`${what} ${path}: the folder ${dir} does not exist; create it first`);
  if (!statSync(dir).isDirectory()) throw new InvalidInputError(`${what} ${path}: ${dir} is a file, not a folder`);
  if (existsSync(p) && statSync(p).isDirectory()) throw new InvalidInputError(`${what} ${path}: is a folder; give a file name`);
  return p;
}
