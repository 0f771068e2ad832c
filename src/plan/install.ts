// The install lines a user pastes, written once for every place that prints them (dashboard,
// release notes, `guide`, `resolve`, the build's closing table). Pure.
//
// How they resolve:
// - Our index is ADDED to the default index (`--extra-index-url`), never put in its place: the
//   wheels' dependencies (numpy, ml_dtypes) live on PyPI, not on our index.
// - A local folder is a find-links source added to the default index, for the same reason.
// - Every per-Python wheel requires `<distribution>-native==<version>`: a hash-checked file lists
//   both distributions. pip's hash-checking mode (requirements.txt with --hash, pylock.toml) fetches
//   nothing that is not pinned by hash, so the dependencies are installed first, by name, from PyPI.

interface InstallTarget {
  distribution: string;
  version: string;
}

/** One distribution of ours pinned by hash: every wheel of it in the release (pip picks the one that fits). */
export interface PinnedDistribution {
  name: string;
  version: string;
  wheels: Array<{ fileName: string; url: string; sha256: string; size: number }>;
}

/** POSIX shell single quotes (a requirement holds `<`, `>`, `;` and spaces). */
const shellQuote = (s: string): string => (/^[A-Za-z0-9_.,:/=@+-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`);

const requirement = (t: InstallTarget): string => `'${t.distribution}==${t.version}'`;

/** From PyPI (or whatever index pip is configured with). */
export const pypiInstallLine = (t: InstallTarget): string => `pip install ${requirement(t)}`;

/** From our PEP 503 index added to PyPI: `indexUrl` ends in /simple/. */
export const indexInstallLine = (t: InstallTarget, indexUrl: string): string => `pip install ${requirement(t)} --extra-index-url ${indexUrl}`;

/** From a local folder holding the release's wheels (the build's --out, downloaded release files). */
export const findLinksInstallLine = (t: InstallTarget, dir: string): string => `pip install ${requirement(t)} --find-links ${shellQuote(dir)}`;

/** The index root's /simple/ URL of a site served at `baseUrl`. */
export const simpleUrlOf = (baseUrl: string): string => `${baseUrl.replace(/\/+$/, "")}/simple/`;

/**
 * The run-time dependencies of our wheels (their Requires-Dist), as pip arguments: our own
 * distributions and extras-only requirements left out, each once, in order.
 */
export function runtimeDependencies(requiresDist: readonly string[], distribution: string): string[] {
  const ours = new Set([distribution, `${distribution}-native`].map(normalize)); // src/wheels/native.ts names it so
  const out: string[] = [];
  for (const r of requiresDist) {
    if (/\bextra\s*==/.test(r)) continue;
    const name = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(r)?.[1];
    if (!name || ours.has(normalize(name))) continue;
    const clean = r.trim().replace(/\s*;\s*/, "; ");
    if (!out.includes(clean)) out.push(clean);
  }
  return out;
}

const normalize = (n: string): string => n.toLowerCase().replace(/[-_.]+/g, "-");

/** `pip install 'numpy>=1.19.5' …`: the step before a hash-checked install; undefined when there is nothing to install. */
const dependenciesInstallLine = (deps: readonly string[]): string | undefined =>
  deps.length ? `pip install ${deps.map((d) => `'${d.replace(/'/g, "'\\''")}'`).join(" ")}` : undefined;

/** The commands that install a hash-checked file: dependencies first (from PyPI), then the file. */
export function hashedInstallCommands(file: "requirements.txt" | "pylock.toml", deps: readonly string[]): string[] {
  const first = dependenciesInstallLine(deps);
  return [...(first ? [first] : []), `pip install -r ${file}`];
}

const howDependenciesResolve = (deps: readonly string[]): string[] =>
  deps.length
    ? [
        `Hash-checking mode installs only what is pinned here; the dependencies (${deps.join(", ")})`,
        "come from PyPI and are installed first, by name:",
        `  ${dependenciesInstallLine(deps)}`,
      ]
    : ["The wheels have no dependencies outside this file."];

/**
 * requirements.txt in hash-checking mode: every distribution of ours the release needs (the
 * per-Python wheels and the native wheel they pin), each with the sha256 of all its wheels.
 */
export function hashedRequirements(pins: readonly PinnedDistribution[], deps: readonly string[], indexUrl: string | undefined): string {
  const lines = [
    `# ${pins.map((p) => `${p.name}==${p.version}`).join(", ")}: every wheel pinned by sha256 (pip picks the one for your Python and platform).`,
    ...howDependenciesResolve(deps).map((l) => `# ${l}`),
    "# Then: pip install -r requirements.txt",
    ...(indexUrl ? [`--extra-index-url ${indexUrl}`] : []),
  ];
  for (const p of pins) {
    lines.push(`${p.name}==${p.version} \\`);
    p.wheels.forEach((w, i) => lines.push(`    --hash=sha256:${w.sha256}${i < p.wheels.length - 1 ? " \\" : ""}`));
  }
  return lines.join("\n");
}

/** pylock.toml (PEP 751; pip >= 26.1 installs it with `pip install -r pylock.toml`): absolute URLs and hashes. */
export function pylockToml(pins: readonly PinnedDistribution[], deps: readonly string[], indexUrl: string | undefined): string {
  const q = (x: string): string => JSON.stringify(x);
  const lines = [
    `# ${pins.map((p) => `${p.name}==${p.version}`).join(", ")}. Needs pip >= 26.1 (python -m pip install -U pip).`,
    ...howDependenciesResolve(deps).map((l) => `# ${l}`),
    "# Then: pip install -r pylock.toml",
    'lock-version = "1.0"',
    'created-by = "mlir-release"',
  ];
  for (const p of pins) {
    lines.push("", "[[packages]]", `name = ${q(p.name)}`, `version = ${q(p.version)}`, ...(indexUrl ? [`index = ${q(indexUrl)}`] : []));
    for (const w of p.wheels) lines.push("", "[[packages.wheels]]", `name = ${q(w.fileName)}`, `url = ${q(w.url)}`, `size = ${w.size}`, `hashes = { sha256 = ${q(w.sha256)} }`);
  }
  return lines.join("\n");
}
