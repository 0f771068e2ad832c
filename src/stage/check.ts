// The refusals of the stage: pure checks of manifests against the files' digests and the
// wheels' own descriptions. Anything wrong here means nothing is staged or published.
import { CheckFailedError } from "../errors.js";
import { type Artifact, byFileName, isWheelKind, wheelProject } from "../schema/artifact.js";
import { type ReleaseManifest } from "../schema/manifest.js";
import { wheelTagString } from "../schema/platform.js";
import { normalizeProjectName, parseWheelFileName } from "./wheelinfo.js";

export interface ObservedFile {
  sha256: string;
  size: number;
  /** For wheels: what the wheel's METADATA and WHEEL say. */
  wheel?: { name: string; version: string; tags: string[]; requiresDist?: string[] };
  /** For wheels that could not be read as a zip with .dist-info. */
  wheelError?: string;
}

export class StageRefusedError extends CheckFailedError {
  override name = "StageRefusedError";
  constructor(
    readonly what: string,
    readonly problems: string[],
  ) {
    super(`refusing to stage ${what}; nothing was staged or published:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}

/** Merges the per-platform manifests of one release into one, or explains why it cannot. */
export function mergeManifests(parts: ReleaseManifest[], what: string): ReleaseManifest {
  const first = parts[0];
  if (!first) throw new StageRefusedError(what, ["no manifest given"]);
  const problems: string[] = [];
  const commits = [...new Set(parts.map((p) => p.plan.llvm.commit))];
  if (commits.length > 1) problems.push(`two LLVM commits in one release: ${commits.join(", ")} — build every platform from one commit`);
  for (const key of ["version", "distribution", "devDistribution", "kind"] as const) {
    const vals = [...new Set(parts.map((p) => p.plan[key]))];
    if (vals.length > 1) problems.push(`manifests disagree on plan.${key}: ${vals.join(", ")}`);
  }
  if (problems.length) throw new StageRefusedError(what, problems);
  const artifacts: Artifact[] = parts.flatMap((p) => p.artifacts);
  artifacts.sort(byFileName);
  return {
    ...first,
    artifacts,
    verification: Object.assign({}, ...parts.map((p) => p.verification)),
    yanked: Object.assign({}, ...parts.map((p) => p.yanked)),
  };
}

/** Every problem of a release's files against its manifest (empty when it may be staged). */
export function checkRelease(manifest: ReleaseManifest, files: ReadonlyMap<string, ObservedFile>): string[] {
  const problems: string[] = [];
  const plan = manifest.plan;
  if (!manifest.artifacts.length) problems.push("the manifest lists no artifacts: nothing to stage (a build's manifest lists its wheels)");
  const seen = new Set<string>();
  for (const a of manifest.artifacts) {
    if (seen.has(a.fileName)) {
      problems.push(`${a.fileName}: listed twice in the manifest (duplicate file name)`);
      continue;
    }
    seen.add(a.fileName);
    if (a.fileName.includes("/") || a.fileName.includes("\\") || a.fileName.startsWith(".")) {
      problems.push(`${a.fileName}: artifact file names must be plain names`);
      continue;
    }
    const f = files.get(a.fileName);
    if (!f) {
      problems.push(`${a.fileName}: listed in the manifest but missing from the artifacts directory`);
    } else {
      if (f.sha256 !== a.sha256) problems.push(`${a.fileName}: sha256 ${f.sha256} does not match the manifest's ${a.sha256}`);
      if (f.size !== a.size) problems.push(`${a.fileName}: size ${f.size} does not match the manifest's ${a.size}`);
    }
    if (!isWheelKind(a.kind)) continue;
    let parsed;
    try {
      parsed = parseWheelFileName(a.fileName);
    } catch (e) {
      problems.push((e as Error).message);
      continue;
    }
    const wantDist = wheelProject(a.kind, plan, a.fileName);
    if (a.kind === "package-wheel" && !(plan.packages ?? []).some((p) => normalizeProjectName(p.distribution) === normalizeProjectName(wantDist)))
      problems.push(`${a.fileName}: a package wheel of ${wantDist}, which is not among the plan's packages (${(plan.packages ?? []).map((p) => p.distribution).join(", ") || "none"})`);
    if (normalizeProjectName(parsed.distribution) !== normalizeProjectName(wantDist))
      problems.push(`${a.fileName}: file name says distribution ${parsed.distribution}, the manifest says ${wantDist}`);
    if (parsed.version !== plan.version)
      problems.push(`${a.fileName}: file name says version ${parsed.version}, the manifest says ${plan.version}`);
    const nameTags = parsed.tags.map(wheelTagString).sort();
    // The manifest's python must be the one its cpXY tag names (abi3/py3 wheels serve several).
    if (a.tag && a.python && /^cp3\d+$/.test(a.tag.python) && a.tag.abi !== "abi3" && a.tag.python !== `cp${a.python.replace(/t$/, "").replace(".", "")}`)
      problems.push(`${a.fileName}: manifest says Python ${a.python} but its tag is ${wheelTagString(a.tag)}`);
    // Free-threaded (3.13t) wheels carry a ...t ABI tag, and only they do: pip on the other kind refuses them.
    else if (a.tag && a.python && /^cp3\d+t?$/.test(a.tag.abi) && a.tag.abi.endsWith("t") !== a.python.endsWith("t"))
      problems.push(`${a.fileName}: manifest says Python ${a.python} but its ABI tag is ${a.tag.abi}`);
    if (a.tag && !nameTags.includes(wheelTagString(a.tag)))
      problems.push(`${a.fileName}: manifest tag ${wheelTagString(a.tag)} is not among the file name's tags ${nameTags.join(", ")}`);
    if (f?.wheelError) problems.push(`${a.fileName}: not a readable wheel: ${f.wheelError}`);
    if (f?.wheel) {
      if (normalizeProjectName(f.wheel.name) !== normalizeProjectName(wantDist))
        problems.push(`${a.fileName}: METADATA Name ${f.wheel.name} disagrees with ${wantDist}`);
      if (f.wheel.version !== plan.version)
        problems.push(`${a.fileName}: METADATA Version ${f.wheel.version} disagrees with the manifest's ${plan.version}`);
      const inner = [...f.wheel.tags].sort();
      if (inner.join(" ") !== nameTags.join(" "))
        problems.push(`${a.fileName}: WHEEL tags ${inner.join(", ") || "(none)"} disagree with the file name's ${nameTags.join(", ")}`);
    }
  }
  problems.push(...checkNativePins(manifest, files));
  return problems;
}

/** `name==version` of a Requires-Dist line (marker-free), normalized; undefined for anything else. */
function exactPin(line: string): { name: string; version: string } | undefined {
  const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\(\s*)?==\s*([^\s;,)]+)\s*\)?\s*$/.exec(line.trim());
  return m ? { name: normalizeProjectName(m[1]!), version: m[2]! } : undefined;
}

/**
 * The split (issue 17): a platform's per-Python wheels pin its native wheel with
 * `<distribution>-native==<version>`. A pin needs that native wheel in the release for the same
 * platform, exactly one; a platform with a native wheel needs every per-Python wheel to pin it.
 * A release without native wheels (the bundled layout of older releases) has nothing to check.
 */
export function checkNativePins(manifest: ReleaseManifest, files: ReadonlyMap<string, ObservedFile>): string[] {
  const problems: string[] = [];
  const plan = manifest.plan;
  const nativeName = normalizeProjectName(wheelProject("native-wheel", plan));
  const natives = new Map<string, Artifact[]>();
  for (const a of manifest.artifacts.filter((x) => x.kind === "native-wheel")) {
    if (!a.platform) problems.push(`${a.fileName}: a native wheel names no platform in the manifest`);
    else natives.set(a.platform, [...(natives.get(a.platform) ?? []), a]);
    if (a.tag && (a.tag.python !== "py3" || a.tag.abi !== "none")) problems.push(`${a.fileName}: a native wheel is py3-none-<platform>, the manifest says ${wheelTagString(a.tag)}`);
  }
  for (const [pl, list] of natives) if (list.length > 1) problems.push(`${pl}: ${list.length} native wheels (${list.map((x) => x.fileName).join(", ")}); one per platform`);
  for (const a of manifest.artifacts.filter((x) => x.kind === "wheel")) {
    const observed = files.get(a.fileName)?.wheel;
    if (!observed?.requiresDist) continue;
    const pins = observed.requiresDist.map(exactPin).filter((p) => p?.name === nativeName);
    const native = a.platform ? natives.get(a.platform)?.[0] : undefined;
    if (!pins.length) {
      if (native) problems.push(`${a.fileName}: does not require ${nativeName}==${plan.version}, yet the release has the native wheel ${native.fileName} for ${a.platform}`);
      continue;
    }
    for (const p of pins) {
      if (p!.version !== plan.version) problems.push(`${a.fileName}: requires ${nativeName}==${p!.version}, the release is ${plan.version}`);
    }
    if (!native) problems.push(`${a.fileName}: requires ${nativeName}==${plan.version} but the release has no native wheel for ${a.platform ?? "its platform"}`);
    else if (native.tag && a.tag && native.tag.platform !== a.tag.platform)
      problems.push(`${a.fileName}: platform tag ${a.tag.platform} differs from its native wheel's ${native.tag.platform} (${native.fileName})`);
  }
  return problems;
}

/** SHA256SUMS in the format `sha256sum -c` reads: "<hex>  <name>", sorted by name. */
export function renderSha256Sums(entries: Array<{ fileName: string; sha256: string }>): string {
  return [...entries]
    .sort(byFileName)
    .map((e) => `${e.sha256}  ${e.fileName}\n`)
    .join("");
}

export function parseSha256Sums(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (!m) throw new CheckFailedError(`SHA256SUMS: malformed line: ${line.slice(0, 120)}`);
    out.set(m[2]!, m[1]!);
  }
  return out;
}
