// Wheel assembly (PEP 427/491): the bindings' install tree plus .dist-info, written
// deterministically so equal inputs give equal sha256.
import { lstatSync, readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { type WheelTag, wheelTagString } from "../schema/platform.js";
import { wheelDistName, wheelFileName } from "../platforms/tags.js";
import { providedExtras } from "./requirements.js";
import { type ZipEntry, writeDeterministicZip } from "./zip.js";
import { InternalError } from "../errors.js";
import { sha256Base64Url } from "../util/hash.js";

export interface WheelMetadata {
  distribution: string;
  version: string;
  summary: string;
  requiresPython: string;
  requiresDist: string[];
  projectUrls: Record<string, string>;
  license: string;
  description?: string;
}

// The names are the plan's too (src/platforms/ names every wheel before it is built).
export { wheelDistName, wheelFileName } from "../platforms/tags.js";

export function renderMetadata(m: WheelMetadata): string {
  const lines = [
    "Metadata-Version: 2.1",
    `Name: ${m.distribution}`,
    `Version: ${m.version}`,
    `Summary: ${m.summary}`,
    `License: ${m.license}`,
    ...Object.entries(m.projectUrls).map(([k, v]) => `Project-URL: ${k}, ${v}`),
    `Requires-Python: ${m.requiresPython}`,
    ...providedExtras(m.requiresDist).map((e) => `Provides-Extra: ${e}`),
    ...m.requiresDist.map((r) => `Requires-Dist: ${r}`),
  ];
  if (m.description) lines.push("Description-Content-Type: text/markdown", "", m.description);
  return `${lines.join("\n")}\n`;
}

function renderWheelFile(tag: WheelTag, generator: string): string {
  return ["Wheel-Version: 1.0", `Generator: ${generator}`, "Root-Is-Purelib: false", `Tag: ${wheelTagString(tag)}`, ""].join(
    "\n",
  );
}

/** entry_points.txt with one [console_scripts] section, commands sorted. */
export function renderEntryPoints(scripts: Record<string, string>): string {
  const lines = Object.entries(scripts)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([cmd, target]) => {
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(cmd) || !/^[A-Za-z_][\w.]*:[A-Za-z_]\w*$/.test(target)) {
        throw new InternalError(`console script '${cmd} = ${target}' is not a valid entry point`);
      }
      return `${cmd} = ${target}`;
    });
  return `[console_scripts]\n${lines.join("\n")}\n`;
}

export function recordLine(name: string, data: Uint8Array): string {
  return `${name},sha256=${sha256Base64Url(data)},${data.length}`;
}

/** Files under `root/pkg`, sorted; symlinks are skipped (the real file is there under its SONAME). */
function collectPackageFiles(root: string, pkg: string): { name: string; path: string }[] {
  const out: { name: string; path: string }[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir).sort()) {
      if (entry === "__pycache__") continue;
      const p = join(dir, entry);
      const st = lstatSync(p);
      if (st.isSymbolicLink()) continue;
      if (st.isDirectory()) walk(p);
      else if (st.isFile()) out.push({ name: relative(root, p).split(sep).join("/"), path: p });
    }
  };
  walk(join(root, pkg));
  return out;
}

const isExecutable = (path: string): boolean => (lstatSync(path).mode & 0o111) !== 0;

interface AssembleWheelInput {
  /** Directory that holds the import package (e.g. <stage>/mlir). */
  root: string;
  packageName: string;
  metadata: WheelMetadata;
  tag: WheelTag;
  sourceDateEpoch: number;
  generator: string;
  /** Which of the package's files go in (wheel member names); all when absent. */
  include?: (name: string) => boolean;
  /** Extra generated files inside the package, path relative to root → content. */
  extraFiles?: Record<string, string>;
  /** Console scripts (command → "module:function"): .dist-info/entry_points.txt. */
  consoleScripts?: Record<string, string>;
  outDir: string;
  compressionLevel?: 0 | 6 | 9;
}

export async function assembleWheel(input: AssembleWheelInput): Promise<{ path: string; fileName: string }> {
  const fileName = wheelFileName(input.metadata.distribution, input.metadata.version, input.tag);
  const distInfo = `${wheelDistName(input.metadata.distribution)}-${input.metadata.version}.dist-info`;
  const entries: ZipEntry[] = [];
  for (const f of collectPackageFiles(input.root, input.packageName)) {
    if (input.include && !input.include(f.name)) continue;
    // .so files keep their execute bit so the dynamic loader and auditwheel treat them alike everywhere.
    entries.push({ name: f.name, data: readFileSync(f.path), executable: f.name.endsWith(".so") || isExecutable(f.path) });
  }
  for (const [name, text] of Object.entries(input.extraFiles ?? {})) {
    entries.push({ name, data: Buffer.from(text) });
  }
  entries.push({ name: `${distInfo}/METADATA`, data: Buffer.from(renderMetadata(input.metadata)) });
  entries.push({ name: `${distInfo}/WHEEL`, data: Buffer.from(renderWheelFile(input.tag, input.generator)) });
  entries.push({ name: `${distInfo}/top_level.txt`, data: Buffer.from(`${input.packageName}\n`) });
  if (input.consoleScripts && Object.keys(input.consoleScripts).length > 0) {
    entries.push({ name: `${distInfo}/entry_points.txt`, data: Buffer.from(renderEntryPoints(input.consoleScripts)) });
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const record = [...entries.map((e) => recordLine(e.name, e.data)), `${distInfo}/RECORD,,`].join("\n");
  entries.push({ name: `${distInfo}/RECORD`, data: Buffer.from(`${record}\n`) });
  const path = join(input.outDir, fileName);
  await writeDeterministicZip(path, entries, input.sourceDateEpoch, input.compressionLevel ?? 6);
  return { path, fileName };
}
