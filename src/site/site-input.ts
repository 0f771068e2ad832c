// What the index site is rendered from (the releases, their files, the site's options) and the few
// helpers every page of it shares: file links, HTML escaping, version order, yank reasons.
import * as pep440 from "@renovatebot/pep440";
import { type ReleaseManifest } from "../schema/manifest.js";
import { type PrunedRecord } from "../schema/publish.js";

export interface SiteFile {
  fileName: string;
  sha256: string;
  size: number;
  kind: string;
  requiresPython?: string;
  /** sha256 of the file's METADATA, served at <file>.metadata (PEP 658). */
  metadataSha256?: string;
  /** The wheel's Requires-Dist (from its METADATA): what the install lines say about dependencies. */
  requiresDist?: string[];
}

export interface SiteRelease {
  manifest: ReleaseManifest;
  notes: string;
  /** Retention removed the files: every entry is yanked with the record's reason, restorable. */
  pruned?: PrunedRecord;
}

export interface SiteOptions {
  title?: string;
  /** Absolute base of the served site, for the install hint; pages themselves link relatively. */
  baseUrl?: string;
  /** Releases shown in full on the front page; older ones are listed compactly (each has its own page). */
  recent?: number;
  /** Where files live when the site does not host them (GitHub Pages' size limits), e.g.
   * https://github.com/OWNER/REPO/releases/download/v{version}/{file}; <file>.metadata must sit
   * next to each wheel there too (the GitHub publisher uploads it). */
  filesUrl?: string;
}

export const fileUrl = (version: string, fileName: string): string => `files/${version}/${fileName}`;

/** A file's link from a page `up` levels below the site root ("" or "../" or "../../"). */
export const fileHref = (opts: SiteOptions, version: string, fileName: string, up: string): string =>
  opts.filesUrl
    ? opts.filesUrl.replace(/\{version\}/g, encodeURIComponent(version)).replace(/\{file\}/g, encodeURIComponent(fileName))
    : `${up}${fileUrl(version, fileName)}`;

export const esc = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");

/** PEP 592: a yank key is a file name, the version, or "*" (the whole release). */
function yankReason(m: ReleaseManifest, fileName: string): string | undefined {
  return m.yanked[fileName] ?? m.yanked[m.plan.version] ?? m.yanked["*"];
}

/** PEP 440 order; plain string order when either is not a PEP 440 version. */
export const compareIndexVersions = (a: string, b: string): number =>
  pep440.valid(a) && pep440.valid(b) ? pep440.compare(a, b) : a < b ? -1 : a > b ? 1 : 0;

export const cmpVersionDesc = (a: SiteRelease, b: SiteRelease): number => compareIndexVersions(b.manifest.plan.version, a.manifest.plan.version);

/** The yank reason of a file: the manifest's own yank first, else the pruned record's. */
export const siteYankReason = (r: SiteRelease, fileName: string): string | undefined => yankReason(r.manifest, fileName) ?? r.pruned?.reason;
