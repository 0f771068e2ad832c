// Every input from outside the repository that reaches a build's bytes, as this machine has it: the
// layer (a prebuilt prefix's owning Debian packages, or a source layer's key and CMake options), the
// compiler and binutils, each Python's interpreter version (its headers) and nanobind in its build
// venv, and the libraries auditwheel grafted with the packages they came from. Effects run through
// an ExecEnv; comparing two records is pure. These are recorded, not pinned: `rebuild` on another
// machine names the ones that changed.
import { z } from "zod";
import type { ExecEnv } from "../exec/env.js";
import type { BuildReport } from "../schema/build-report.js";
import type { BuildInputs, WheelMember } from "../schema/provenance.js";
import { containersFile } from "../util/containers.js";

interface InputsContext {
  layer: BuildReport["layer"];
  /** A source layer's CMake options. */
  cmakeOptions?: Record<string, string>;
  /** The build venv's interpreter per Python (the headers the extensions compiled against). */
  pythons: { python: string; executable: string }[];
  /** Each wheel's members: grafted libraries are the `<dist>.libs/` ones. */
  members: Record<string, WheelMember[]>;
}

/** A grafted member `<dist>.libs/libzstd-1a2b3c4d.so.1.5.4` → the library's own file name `libzstd.so.1.5.4` (pure). */
export function graftedLibrary(member: string): string | undefined {
  const m = /^[^/]+\.libs\/([^/]+)$/.exec(member);
  if (!m) return undefined;
  return m[1]!.replace(/-[0-9a-f]{8}(\.so(\.|$))/, "$1");
}

/** `dpkg-query -S` output → owning packages per path (pure). Lines: `pkg1, pkg2:arch: /path`. */
export function parseDpkgSearch(out: string): { packages: string[]; path: string }[] {
  const rows: { packages: string[]; path: string }[] = [];
  for (const line of out.split("\n")) {
    const i = line.indexOf(": /");
    if (i < 0 || line.startsWith("diversion ")) continue;
    rows.push({ packages: line.slice(0, i).split(", ").map((p) => p.trim()).filter(Boolean), path: line.slice(i + 2).trim() });
  }
  return rows;
}

/** `dpkg-query -W -f '${Package}\t${Version}\n'` output → name → version (pure). */
function parseDpkgVersions(out: string): Record<string, string> {
  const r: Record<string, string> = {};
  for (const line of out.split("\n")) {
    const [name, version] = line.split("\t");
    if (name && version) r[name.trim()] = version.trim();
  }
  return r;
}

const PythonFacts = z.object({ version: z.string().min(1), nanobind: z.string() });

const firstLine = (s: string): string => s.split("\n").find((l) => l.trim())?.trim() ?? "";

/** Runs argv and returns its stdout, or undefined when it fails (a missing tool is recorded as a note). */
async function tryRun(env: ExecEnv, argv: string[]): Promise<string | undefined> {
  try {
    return (await env.run(argv, { capture: true })).stdout;
  } catch {
    return undefined;
  }
}

/** This machine's inputs of a finished build (runs c++, ld, dpkg-query, each build venv's Python). */
export async function collectInputs(env: ExecEnv, c: InputsContext): Promise<BuildInputs> {
  const notes: string[] = [];
  const compiler = firstLine((await tryRun(env, ["c++", "--version"])) ?? "") || "unknown";
  const linker = firstLine((await tryRun(env, ["ld", "--version"])) ?? "") || "unknown";
  if (compiler === "unknown") notes.push("`c++ --version` failed");
  if (linker === "unknown") notes.push("`ld --version` failed");

  // Which files to ask dpkg about: the real compiler and linker, the prebuilt layer's prefix, each grafted library.
  const tools = ((await tryRun(env, ["sh", "-c", 'for t in c++ ld; do p=$(command -v "$t") && readlink -f "$p"; done'])) ?? "").split("\n").filter((l) => l.startsWith("/"));
  const owned: string[] = [...tools];
  if (c.layer.kind === "prebuilt" && c.layer.prefix) owned.push(c.layer.prefix);

  const grafted: BuildInputs["grafted"] = {};
  const graftSources = new Map<string, { from?: string; package?: string }>();
  for (const [wheel, members] of Object.entries(c.members)) {
    for (const m of members) {
      const lib = graftedLibrary(m.name);
      if (!lib) continue;
      if (!graftSources.has(lib)) {
        // auditwheel copies the library the loader found; dpkg knows which package installed a file of that name.
        const rows = parseDpkgSearch((await tryRun(env, ["dpkg-query", "-S", `*/${lib}`])) ?? "");
        const row = rows.find((r) => /\/(lib|lib64|usr\/lib|usr\/lib64)\//.test(r.path)) ?? rows[0];
        graftSources.set(lib, row ? { from: row.path, package: row.packages[0]! } : {});
        if (!row) notes.push(`grafted ${lib}: no installed package owns a file of that name`);
      }
      (grafted[wheel] ??= []).push({ member: m.name, sha256: m.sha256, ...graftSources.get(lib)! });
    }
  }

  const packages = new Set<string>();
  for (const g of graftSources.values()) if (g.package) packages.add(g.package);
  for (const path of owned) {
    const out = await tryRun(env, ["dpkg-query", "-S", path]);
    const rows = out === undefined ? [] : parseDpkgSearch(out).filter((r) => r.path === path);
    for (const r of rows) for (const p of r.packages) packages.add(p);
    if (!rows.length) notes.push(`${path}: not owned by an installed package (dpkg-query -S), so only its key is recorded`);
  }
  let versions: Record<string, string> = {};
  if (packages.size) {
    const out = await tryRun(env, ["dpkg-query", "-W", "-f", "${Package}\t${Version}\n", ...[...packages].sort()]);
    if (out === undefined) notes.push("dpkg-query -W failed: package versions not recorded");
    else versions = parseDpkgVersions(out);
  }
  // dpkg-query -S names multi-arch packages as name:arch, -W prints the bare name: key by what -W printed.
  const pkgVersions: Record<string, string> = {};
  for (const p of [...packages].sort()) {
    const v = versions[p] ?? versions[p.split(":")[0]!];
    if (v) pkgVersions[p.split(":")[0]!] = v;
  }
  for (const list of Object.values(grafted)) for (const g of list) if (g.package) g.package = g.package.split(":")[0]!;

  const pythons: BuildInputs["pythons"] = {};
  for (const p of c.pythons) {
    const last = (await tryRun(env, [p.executable, containersFile("host", "python_facts.py")]))?.trim().split("\n").pop();
    let facts: z.infer<typeof PythonFacts> | undefined;
    try {
      const r = PythonFacts.safeParse(JSON.parse(last ?? ""));
      if (r.success) facts = r.data;
    } catch {
      // not JSON: noted below
    }
    if (facts) pythons[p.python] = facts;
    else notes.push(`Python ${p.python} (${p.executable}): version not readable`);
  }

  return {
    compiler,
    linker,
    layer: {
      kind: c.layer.kind,
      key: c.layer.key,
      prefix: c.layer.prefix,
      ...(c.layer.kind === "source" && c.cmakeOptions ? { cmakeOptions: c.cmakeOptions } : {}),
    },
    packages: pkgVersions,
    pythons,
    grafted,
    notes,
  };
}

/** One input that differs between the manifest's record and this machine. */
export interface InputChange {
  what: string;
  recorded?: string;
  current?: string;
}

/** Pure: the record as `what → value` lines, the unit two machines are compared in. */
function flattenInputs(i: BuildInputs): Map<string, string> {
  const m = new Map<string, string>();
  m.set("compiler (c++ --version)", i.compiler);
  m.set("binutils (ld --version)", i.linker);
  m.set("layer kind", i.layer.kind);
  m.set("layer key", i.layer.key);
  // A source layer's prefix is a cache path of the machine (not in the bytes); a prebuilt one is the input.
  if (i.layer.kind === "prebuilt") m.set("layer prefix", i.layer.prefix);
  for (const [k, v] of Object.entries(i.layer.cmakeOptions ?? {})) m.set(`layer CMake option ${k}`, v);
  for (const [k, v] of Object.entries(i.packages)) m.set(`package ${k}`, v);
  for (const [py, f] of Object.entries(i.pythons)) {
    m.set(`Python ${py} headers (interpreter version)`, f.version);
    m.set(`nanobind (Python ${py} build venv)`, f.nanobind);
  }
  // A grafted member's name carries a hash of its bytes: compare by the library it was made from.
  for (const [wheel, list] of Object.entries(i.grafted)) {
    for (const g of list) {
      const lib = graftedLibrary(g.member) ?? g.member;
      m.set(`grafted ${lib} in ${wheel}`, `${g.member} sha256 ${g.sha256.slice(0, 12)}${g.package ? ` from ${g.package}` : ""}${g.from ? ` (${g.from})` : ""}`);
    }
  }
  return m;
}

/** Pure: every input whose value differs, or that only one side recorded, sorted by name. */
export function compareInputs(recorded: BuildInputs, current: BuildInputs): InputChange[] {
  const [a, b] = [flattenInputs(recorded), flattenInputs(current)];
  const out: InputChange[] = [];
  for (const what of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const [x, y] = [a.get(what), b.get(what)];
    if (x === y) continue;
    out.push({ what, ...(x !== undefined ? { recorded: x } : {}), ...(y !== undefined ? { current: y } : {}) });
  }
  return out;
}

/** Pure: one phrase per change, e.g. `package libzstd1: 1.5.4+dfsg2-5 recorded, 1.5.4+dfsg2-5+deb12u1 here`. */
export function describeInputChanges(changes: readonly InputChange[]): string {
  return changes
    .map((c) => `${c.what}: ${c.recorded === undefined ? "not recorded" : c.recorded} recorded, ${c.current === undefined ? "absent" : c.current} here`)
    .join("; ");
}

/**
 * Before a rebuild: the recorded packages whose installed version differs here (dpkg-query -W), so
 * the user learns before the build which inputs will not be the same. Empty when dpkg is absent.
 */
export async function packageDrift(env: ExecEnv, recorded: BuildInputs): Promise<InputChange[]> {
  const names = Object.keys(recorded.packages).sort();
  if (!names.length) return [];
  // -W exits 1 when one name is not installed but still prints the others: ask one by one.
  const here: Record<string, string> = {};
  for (const n of names) Object.assign(here, parseDpkgVersions((await tryRun(env, ["dpkg-query", "-W", "-f", "${Package}\t${Version}\n", n])) ?? ""));
  return names
    .filter((n) => here[n] !== recorded.packages[n])
    .map((n) => ({ what: `package ${n}`, recorded: recorded.packages[n]!, ...(here[n] !== undefined ? { current: here[n] } : {}) }));
}
