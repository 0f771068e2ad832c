// Promotion instead of rebuild: when a numbered tag points at the commit an existing release was
// built from with the same plan inputs, its wheels are re-versioned (dist-info directory,
// METADATA, RECORD, mlir/_release_info.py) and re-zipped deterministically; every compiled member
// keeps its bytes. The new manifest records the release it was promoted from. No compiler runs.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { unzipSync } from "fflate";
import type { ExecEnv } from "../exec/env.js";
import { verifyWheels } from "../factory/factory.js";
import { parseReleaseVersion } from "../plan/version.js";
import type { Progress } from "../progress.js";
import { InvalidInputError } from "../errors.js";
import { type Artifact, byFileName } from "../schema/artifact.js";
import { type ReleaseManifest, ReleaseManifest as ManifestSchema } from "../schema/manifest.js";
import { type ReleasePlan } from "../schema/release-plan.js";
import { type PlatformId } from "../schema/platform.js";
import { parseWheelFileName } from "../stage/wheelinfo.js";
import { sha256Hex } from "../util/hash.js";
import { recordLine, wheelDistName } from "../wheels/wheel.js";
import { writeDeterministicZip, type ZipEntry } from "../wheels/zip.js";
import { type RebuildDirs, settingsFromManifest } from "./rebuild.js";

/** The plan inputs that decide a build's bytes; equal inputs → equal wheels but for the version. */
function buildInputs(p: ReleasePlan): unknown {
  return {
    commit: p.llvm.commit,
    llvmVersion: p.llvm.version,
    source: p.source,
    sourceDateEpoch: p.sourceDateEpoch,
    matrix: p.matrix.map((m) => ({ platform: m.platform, python: m.python, abi: m.abi, tag: m.tag })),
    images: p.images,
    tools: p.tools,
    layer: p.layer,
    nanobindDomain: p.nanobindDomain,
    distribution: p.distribution,
  };
}

/** Why `candidate` cannot be promoted from `earlier` (pure); empty when it can. */
export function promotionBlockers(earlier: ReleasePlan, candidate: ReleasePlan): string[] {
  const a = buildInputs(earlier) as Record<string, unknown>;
  const b = buildInputs(candidate) as Record<string, unknown>;
  return Object.keys(a)
    .filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]))
    .map((k) => `${k} differs (${JSON.stringify(a[k]).slice(0, 80)} vs ${JSON.stringify(b[k]).slice(0, 80)})`);
}

/** The existing release a numbered plan can be promoted from: the same commit and build inputs, newest first. */
export function promotionSource(existing: ReleaseManifest[], candidate: ReleasePlan): ReleaseManifest | undefined {
  if (candidate.kind !== "numbered") return undefined;
  return existing
    .filter((m) => m.plan.version !== candidate.version && m.plan.llvm.commit === candidate.llvm.commit && promotionBlockers(m.plan, candidate).length === 0)
    .sort((x, y) => (x.plan.version < y.plan.version ? 1 : -1))[0];
}

interface ReversionedWheel {
  fileName: string;
  path: string;
  sha256: string;
  size: number;
  /** Members whose bytes changed (metadata only); every other member is byte-identical. */
  changed: string[];
}

const setVersionLine = (text: string, key: string, version: string, where: string): string => {
  const re = new RegExp(`^${key}: .*$`, "m");
  if (!re.test(text)) throw new InvalidInputError(`${where}: no '${key}:' line`);
  return text.replace(re, `${key}: ${version}`);
};

/** The wheel's own component in an SBOM (purl, bom-ref, version) re-versioned; grafted libraries' entries keep theirs (pure). */
export function reversionSbom(text: string, distribution: string, old: string, version: string, oldFileName: string): string {
  const newFileName = oldFileName.replace(`${distribution}-${old}-`, `${distribution}-${version}-`);
  const esc = (x: string): string => x.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return text
    .split(`@${old}?file_name=${oldFileName}`)
    .join(`@${version}?file_name=${newFileName}`)
    .replace(new RegExp(`("name": "${esc(distribution)}", "version": ")${esc(old)}(")`, "g"), `$1${version}$2`);
}

/**
 * Rewrites one wheel for `version`: <dist>-<old>.dist-info/ (and .data/) renamed, METADATA's
 * Version, mlir/_release_info.py's VERSION, then RECORD recomputed; written with the project's
 * deterministic zip writer at `sourceDateEpoch`.
 */
export async function reversionWheel(src: string, version: string, outDir: string, sourceDateEpoch: number): Promise<ReversionedWheel> {
  const name = src.slice(src.lastIndexOf("/") + 1);
  const parsed = parseWheelFileName(name);
  const old = parsed.version;
  const dist = wheelDistName(parsed.distribution);
  const files = unzipSync(readFileSync(src));
  const oldInfo = `${dist}-${old}.dist-info/`;
  const oldData = `${dist}-${old}.data/`;
  const newInfo = `${dist}-${version}.dist-info/`;
  if (!Object.keys(files).some((n) => n.startsWith(oldInfo))) throw new InvalidInputError(`${name}: no ${oldInfo} directory`);
  const changed: string[] = [];
  const entries: ZipEntry[] = [];
  for (const [n, data] of Object.entries(files)) {
    if (n.endsWith("/") || n === `${oldInfo}RECORD`) continue;
    let outName = n;
    let bytes: Uint8Array = data;
    if (n.startsWith(oldInfo)) outName = newInfo + n.slice(oldInfo.length);
    else if (n.startsWith(oldData)) outName = `${dist}-${version}.data/${n.slice(oldData.length)}`;
    if (n === `${oldInfo}METADATA`) {
      const text = setVersionLine(Buffer.from(data).toString("utf8"), "Version", version, `${name} METADATA`);
      // The split: the per-Python wheel's exact pin on its native wheel follows the version.
      bytes = Buffer.from(text.replace(/^(Requires-Dist: [A-Za-z0-9._-]+-native\s*==\s*)(\S+)$/gm, (line, head: string, v: string) => (v === old ? `${head}${version}` : line)));
    }
    // auditwheel's CycloneDX SBOM names the wheel by purl (…@<version>?file_name=<wheel>) and version.
    if (n.startsWith(oldInfo) && /\/sboms\/[^/]+\.json$/.test(n)) bytes = Buffer.from(reversionSbom(Buffer.from(data).toString("utf8"), parsed.distribution, old, version, name));
    if (/^[^/]+\/_release_info\.py$/.test(n)) {
      const text = Buffer.from(data).toString("utf8");
      if (!/^VERSION = ".*"$/m.test(text)) throw new InvalidInputError(`${name}: ${n} has no VERSION line`);
      bytes = Buffer.from(text.replace(/^VERSION = ".*"$/m, `VERSION = ${JSON.stringify(version)}`));
    }
    if (outName !== n || Buffer.compare(Buffer.from(bytes), Buffer.from(data)) !== 0) changed.push(n === outName ? n : `${n} → ${outName}`);
    entries.push({ name: outName, data: bytes, executable: /\.so(\.\d+)*$/.test(n) });
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const record = [...entries.map((e) => recordLine(e.name, e.data)), `${newInfo}RECORD,,`, ""].join("\n");
  entries.push({ name: `${newInfo}RECORD`, data: Buffer.from(record) });
  const fileName = name.replace(`${parsed.distribution}-${old}-`, `${parsed.distribution}-${version}-`);
  if (fileName === name) throw new InvalidInputError(`${name}: cannot rename for version ${version}`);
  const path = join(outDir, fileName);
  await writeDeterministicZip(path, entries, sourceDateEpoch);
  const bytes = readFileSync(path);
  return { fileName, path, sha256: sha256Hex(bytes), size: bytes.length, changed };
}

interface PromoteInput {
  earlier: ReleaseManifest;
  /** Where the earlier release's files are. */
  artifactsDir: string;
  version: string;
  /** The numbered tag being promoted to, e.g. llvmorg-22.1.8. */
  tag?: string;
  outDir: string;
}

interface PromoteResult {
  manifest: ReleaseManifest;
  wheels: Array<ReversionedWheel & { from: string }>;
  /** Artifacts of the earlier release that are not carried over, with the reason. */
  left: Array<{ fileName: string; reason: string }>;
}

/** Promotes every wheel of `earlier` to `version` and writes nothing but the new wheels. */
export async function promoteRelease(i: PromoteInput): Promise<PromoteResult> {
  const v = parseReleaseVersion(i.version);
  if (v.kind !== "numbered") throw new InvalidInputError(`promote: ${i.version} is not a numbered version (X.Y.Z, X.Y.ZrcN or X.Y.Z.postN)`);
  const wheels: PromoteResult["wheels"] = [];
  const left: PromoteResult["left"] = [];
  for (const a of i.earlier.artifacts) {
    if (a.kind !== "wheel" && a.kind !== "native-wheel") {
      left.push({ fileName: a.fileName, reason: `${a.kind}: carries the version inside its files; rebuild it with 'build --plan' if needed` });
      continue;
    }
    const src = join(i.artifactsDir, a.fileName);
    const have = sha256Hex(readFileSync(src));
    if (have !== a.sha256) throw new InvalidInputError(`promote: ${src} has sha256 ${have}, not the manifest's ${a.sha256}`);
    wheels.push({ ...(await reversionWheel(src, i.version, i.outDir, i.earlier.plan.sourceDateEpoch)), from: a.fileName });
  }
  const artifacts: Artifact[] = wheels
    .map((w) => {
      const a = i.earlier.artifacts.find((x) => x.fileName === w.from)!;
      return { ...a, fileName: w.fileName, sha256: w.sha256, size: w.size };
    })
    .sort(byFileName);
  const plan: ReleasePlan = {
    ...i.earlier.plan,
    kind: "numbered",
    version: i.version,
    llvm: { ...i.earlier.plan.llvm, ...(i.tag ? { tag: i.tag } : {}) },
  };
  const verification: Record<string, unknown> = {};
  for (const w of wheels) {
    const earlierV = i.earlier.verification[w.from];
    if (earlierV !== undefined) verification[w.fileName] = { promotedFrom: w.from, earlier: earlierV };
  }
  const manifest = ManifestSchema.parse({
    ...i.earlier,
    plan,
    artifacts,
    verification,
    yanked: {},
    promotedFrom: {
      version: i.earlier.plan.version,
      artifacts: Object.fromEntries(wheels.map((w) => [w.fileName, { from: w.from, sha256: i.earlier.artifacts.find((x) => x.fileName === w.from)!.sha256, changed: w.changed }])),
    },
  });
  return { manifest, wheels, left };
}

/**
 * Verifies promoted wheels like a build does: check-wheel-contents, a fresh venv per wheel, the
 * smoke test, upstream's lit suite (unless lit is false), on this host's platform. The results go
 * into the manifest's verification next to the earlier release's.
 */
export async function verifyPromoted(
  r: PromoteResult,
  d: RebuildDirs & { lit: boolean },
  env: ExecEnv,
  progress: Progress,
  host: PlatformId,
): Promise<ReleaseManifest> {
  const m = r.manifest;
  // Only the Pythons of the promoted wheels on this host: the plan's verify steps name exactly those files.
  const pythons = r.wheels.flatMap((w) => {
    const a = m.artifacts.find((x) => x.fileName === w.fileName);
    return a && a.platform === host && a.python ? [a.python] : [];
  });
  const verification: Record<string, unknown> = { ...m.verification };
  if (pythons.length) {
    const s = { ...settingsFromManifest(m, host, d), pythons, verify: { lit: d.lit } };
    const results = await verifyWheels(s, env, progress);
    for (const [file, v] of Object.entries(results)) {
      verification[file] = { ...(verification[file] as object | undefined), lit: v.lit ?? null, wheelContents: v.wheelContents, smoke: v.smoke, ...(v.freeThreaded ? { freeThreaded: v.freeThreaded } : {}) };
    }
  }
  return ManifestSchema.parse({ ...m, verification });
}
