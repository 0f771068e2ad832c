// PEP 440 versions of releases. Numbered releases follow LLVM's tags; snapshots are dev releases
// of the version the tree declares, numbered by UTC day and a two-digit sequence within the day:
//   llvmorg-22.1.8        → 22.1.8          (a rebuild of it → 22.1.8.post1)
//   llvmorg-23.1.0-rc2    → 23.1.0rc2
//   main on 2026-11-25    → 23.0.0.dev2026112500 (a second snapshot that day → 23.0.0.dev2026112501)
// The dev number always has 10 digits, so every snapshot compares correctly with every other one
// (a bare YYYYMMDD would sort the next day's 20261126 below 2026112501). No local part: an index
// such as PyPI refuses local versions.
import * as pep440 from "@renovatebot/pep440";
import semver from "semver";
import { InvalidInputError } from "../errors.js";

const MAX_SNAPSHOTS_PER_DAY = 100;

/** An LLVM version as LLVM spells it: 22.1.8, 23.1.0-rc2. */
export function parseLlvmVersion(text: string): semver.SemVer {
  const v = semver.parse(text);
  if (!v || v.build.length || (v.prerelease.length && !/^rc\d+$/.test(v.prerelease.join(".")))) {
    throw new InvalidInputError(`LLVM version '${text}': expected X.Y.Z or X.Y.Z-rcN`);
  }
  return v;
}

const TAG_RE = /^llvmorg-(\d+)\.(\d+)\.(\d+)(?:-rc(\d+))?$/;

/** llvmorg-X.Y.Z[-rcN] → LLVM version "X.Y.Z[-rcN]"; anything else is refused. */
export function llvmVersionOfTag(tag: string): string {
  const m = TAG_RE.exec(tag);
  if (!m) throw new InvalidInputError(`tag '${tag}': a numbered release takes a tag llvmorg-X.Y.Z or llvmorg-X.Y.Z-rcN`);
  const [, a, b, c, rc] = m;
  const text = `${Number(a)}.${Number(b)}.${Number(c)}${rc !== undefined ? `-rc${Number(rc)}` : ""}`;
  if (`llvmorg-${text}` !== tag) throw new InvalidInputError(`tag '${tag}': leading zeros are not part of any LLVM tag (did you mean llvmorg-${text}?)`);
  return text;
}

/** Accepts "llvmorg-22.1.8", "22.1.8", "23.1.0-rc2", "23.1.0rc2" and returns the tag name. */
export function tagOfRef(ref: string): string {
  if (ref.startsWith("llvmorg-")) return (llvmVersionOfTag(ref), ref);
  const m = /^(\d+\.\d+\.\d+)(?:-?rc(\d+))?$/.exec(ref);
  if (!m) throw new InvalidInputError(`ref '${ref}': a numbered release takes llvmorg-X.Y.Z[-rcN] (or X.Y.Z[-rcN])`);
  const tag = `llvmorg-${m[1]}${m[2] !== undefined ? `-rc${m[2]}` : ""}`;
  llvmVersionOfTag(tag);
  return tag;
}

/** PEP 440 version of a numbered release: 22.1.8, 23.1.0rc2, 22.1.8.post1. */
export function numberedVersion(llvmVersion: string, post?: number): string {
  const v = parseLlvmVersion(llvmVersion);
  const rc = v.prerelease.length ? String(v.prerelease[0]) : "";
  if (post !== undefined && (!Number.isInteger(post) || post < 1)) throw new InvalidInputError(`post ${post}: expected a positive integer`);
  return `${v.major}.${v.minor}.${v.patch}${rc}${post ? `.post${post}` : ""}`;
}

interface SnapshotDay {
  /** YYYY-MM-DD (UTC) */
  date: string;
  /** 0-based sequence among the snapshots of that day */
  sequence: number;
}

/** The UTC day of an instant, YYYY-MM-DD. */
export function utcDay(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new InvalidInputError(`date '${iso}': not an ISO-8601 date/time`);
  return new Date(t).toISOString().slice(0, 10);
}

/** PEP 440 version of a snapshot: the tree's X.Y.Z (any rc suffix dropped) + .devYYYYMMDDNN. */
export function snapshotVersion(llvmVersion: string, day: SnapshotDay): string {
  const v = parseLlvmVersion(llvmVersion);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day.date) || utcDay(`${day.date}T00:00:00Z`) !== day.date) {
    throw new InvalidInputError(`snapshot date '${day.date}': expected a real YYYY-MM-DD day`);
  }
  if (!Number.isInteger(day.sequence) || day.sequence < 0 || day.sequence >= MAX_SNAPSHOTS_PER_DAY) {
    throw new InvalidInputError(`snapshot sequence ${day.sequence} on ${day.date}: at most ${MAX_SNAPSHOTS_PER_DAY} snapshots a day (00–99)`);
  }
  return `${v.major}.${v.minor}.${v.patch}.dev${day.date.replaceAll("-", "")}${String(day.sequence).padStart(2, "0")}`;
}

type ParsedVersion =
  | { kind: "numbered"; llvmVersion: string; post?: number }
  | { kind: "snapshot"; llvmVersion: string; date: string; sequence: number };

/** Inverse of numberedVersion/snapshotVersion: refuses any PEP 440 form this scheme never produces. */
export function parseReleaseVersion(version: string): ParsedVersion {
  const bad = (why: string): never => {
    throw new InvalidInputError(`version '${version}': ${why}`);
  };
  const e = pep440.explain(version);
  if (!e) return bad("not a PEP 440 version");
  if (e.local) return bad("local versions (+...) cannot be published to an index");
  if (e.public !== version) return bad(`not in canonical form (${e.public})`);
  if (e.epoch !== 0) return bad("epochs are not used");
  if (e.release.length !== 3) return bad("expected three release numbers X.Y.Z");
  const xyz = e.release.join(".");
  if (e.dev !== null) {
    if (e.pre || e.post !== null) return bad("a snapshot is X.Y.Z.devYYYYMMDDNN, without rc or post");
    const m = /^(\d{4})(\d{2})(\d{2})(\d{2})$/.exec(String(e.dev));
    if (!m) return bad("a snapshot's dev number is YYYYMMDDNN (10 digits)");
    const date = `${m[1]}-${m[2]}-${m[3]}`;
    if (Number.isNaN(Date.parse(`${date}T00:00:00Z`)) || utcDay(`${date}T00:00:00Z`) !== date) return bad(`${date} is not a real day`);
    return { kind: "snapshot", llvmVersion: xyz, date, sequence: Number(m[4]) };
  }
  if (e.pre && e.pre[0] !== "rc") return bad("only rc pre-releases exist (LLVM has no alpha/beta tags)");
  const llvmVersion = `${xyz}${e.pre ? `-rc${e.pre[1]}` : ""}`;
  if (e.post !== null) {
    // The typings say (string|number)[]; at run time explain() returns the post number.
    const post = Number(e.post);
    if (!(post >= 1)) return bad("post releases start at .post1");
    return { kind: "numbered", llvmVersion, post };
  }
  return { kind: "numbered", llvmVersion };
}

export const compareVersions = (a: string, b: string): number => pep440.compare(a, b);
export const sortVersions = (vs: readonly string[]): string[] => [...vs].sort(compareVersions);

/** Next free sequence number for a snapshot on `date`, given every version already released. */
export function nextSnapshotSequence(date: string, existing: readonly string[]): number {
  let next = 0;
  for (const v of existing) {
    const e = pep440.explain(v);
    if (!e || e.dev === null) continue;
    const s = String(e.dev);
    if (s.length === 10 && s.slice(0, 8) === date.replaceAll("-", "")) next = Math.max(next, Number(s.slice(8)) + 1);
  }
  return next;
}
