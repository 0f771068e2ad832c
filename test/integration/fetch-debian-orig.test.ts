// containers/host/fetch-debian-orig.sh, run for real with a fake `apt-cache`, `curl` and `apt-get` first
// on PATH and a scratch apt configuration (no network, nothing written under /etc). The lookup once
// piped `apt-cache showsrc` into an awk that exited at the first match; under `set -o pipefail` that
// killed apt-cache with SIGPIPE (exit 141) whenever it was still writing — at random, more often the
// longer the answer (sid's llvm-toolchain-22 is ~29 KB). Here the answer is > 30 KB, written in chunks,
// the wanted tarball in its second stanza, and the fetch is run 200 times: every run must succeed.
// (Set FETCH_DEBIAN_ORIG_SCRIPT to run these tests against another version of the script.)
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { REPO } from "../support/env.js";

const SCRIPT = process.env["FETCH_DEBIAN_ORIG_SCRIPT"] ?? join(REPO, "containers/host/fetch-debian-orig.sh");
const FAKES = join(REPO, "test/fixtures/fetch-debian-orig/bin");
const PKG = "llvm-toolchain-22";
const FILE = "llvm-toolchain-22_22.1.8.orig.tar.xz";
const MIRROR = "http://mirror.invalid/debian";
const WANTED_DIR = "pool/main/l/llvm-toolchain-22";
const BODY = "not really a tarball\n";
const BODY_SHA = createHash("sha256").update(BODY).digest("hex");

const hex = (seed: string, n: number): string =>
  createHash("sha256").update(seed).digest("hex").repeat(2).slice(0, n);

/** One `apt-cache showsrc` stanza; `files` are listed under Files: and, last, Checksums-Sha256:. */
function stanza(version: string, directory: string, files: string[]): string {
  // The real stanzas are long mostly for their Binary and Package-List fields.
  const binaries = Array.from({ length: 60 }, (_, i) => `libllvm-tool-${i}-22`);
  return [
    `Package: ${PKG}`,
    `Format: 3.0 (quilt)`,
    `Binary: ${binaries.join(", ")}`,
    `Architecture: any all`,
    `Version: 1:${version}`,
    `Maintainer: LLVM Packaging Team <pkg-llvm-team@example.invalid>`,
    `Build-Depends: debhelper (>= 13), cmake, ninja-build, python3-dev, libffi-dev, zlib1g-dev`,
    `Package-List:`,
    ...binaries.map((b) => ` ${b} deb libs optional arch=any`),
    `Directory: ${directory}`,
    `Priority: source`,
    `Section: devel`,
    `Files:`,
    ...files.map((f) => ` ${hex(`md5 ${version} ${f}`, 32)} ${f.length * 1000} ${f}`),
    `Checksums-Sha256:`,
    ...files.map((f) => ` ${hex(`sha ${version} ${f}`, 64)} ${f.length * 1000} ${f}`),
  ].join("\n");
}

/** A showsrc answer of several stanzas: a decoy listing only `<FILE>.asc`, then the wanted one (its
 * tarball the stanza's very last line), then later versions that list the same tarball elsewhere. */
function showsrc(): string {
  const stanzas = [
    stanza("22.1.7-2", "pool/main/l/decoy-signature-only", [`${PKG}_22.1.7-2.dsc`, `${FILE}.asc`]),
    stanza("22.1.8-3", WANTED_DIR, [`${PKG}_22.1.8-3.dsc`, `${PKG}_22.1.8-3.debian.tar.xz`, FILE]),
  ];
  for (let i = 0; i < 8; i++) {
    stanzas.push(stanza(`22.1.8-${i}`, `pool/main/l/later-${i}`, [`${PKG}_22.1.8-${i}.dsc`, FILE]));
  }
  return `${stanzas.join("\n\n")}\n`;
}

const root = mkdtempSync(join(tmpdir(), "fetch-debian-orig-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A scratch apt configuration: a -security URI (skipped) before the main archive; the deb-src list the
 * script adds is there already unless `withSrcList` is false. */
function aptEtc(name: string, withSrcList = true): string {
  const etc = join(root, name, "apt");
  mkdirSync(join(etc, "sources.list.d"), { recursive: true });
  writeFileSync(
    join(etc, "sources.list.d", "debian.sources"),
    `Types: deb\nURIs: ${MIRROR}-security\nSuites: sid-security\n\nTypes: deb\nURIs: ${MIRROR}/\nSuites: sid\n`,
  );
  if (withSrcList) writeFileSync(join(etc, "sources.list.d", "mlir-release-src-sid.sources"), "Types: deb-src\n");
  return etc;
}

const SHOWSRC = join(root, "showsrc.txt");
writeFileSync(SHOWSRC, showsrc());

async function fetch(name: string, opts: { file?: string; sha?: string; etc?: string } = {}) {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const dest = join(dir, "sources");
  const curlLog = join(dir, "curl.log");
  const aptGetLog = join(dir, "apt-get.log");
  const r = await execa("bash", [SCRIPT, PKG, opts.file ?? FILE, opts.sha ?? BODY_SHA, dest, "sid"], {
    reject: false,
    env: {
      PATH: `${FAKES}:${process.env["PATH"] ?? ""}`,
      MLIR_RELEASE_APT_ETC: opts.etc ?? aptEtc(name),
      FAKE_SHOWSRC: SHOWSRC,
      FAKE_CURL_LOG: curlLog,
      FAKE_CURL_BODY: BODY,
      FAKE_APT_GET_LOG: aptGetLog,
    },
  });
  const read = (p: string): string => (existsSync(p) ? readFileSync(p, "utf8") : "");
  return { ...r, dest, curlUrls: read(curlLog).split("\n").filter(Boolean), aptGet: read(aptGetLog) };
}

describe("fetch-debian-orig.sh", () => {
  it("the generated showsrc answer is large, with the wanted tarball in an early stanza", () => {
    const text = readFileSync(SHOWSRC, "utf8");
    expect(text.length).toBeGreaterThan(30_000);
    const stanzas = text.split("\n\n");
    expect(stanzas.length).toBeGreaterThanOrEqual(10);
    expect(stanzas.findIndex((s) => s.includes(` ${FILE}\n`) || s.trimEnd().endsWith(` ${FILE}`))).toBe(1);
  });

  it("finds the first stanza listing the exact tarball, 200 runs in a row, never killed by SIGPIPE", async () => {
    const runs = 200;
    const failures: string[] = [];
    const concurrency = 4;
    for (let start = 0; start < runs; start += concurrency) {
      const batch = Array.from({ length: Math.min(concurrency, runs - start) }, (_, k) => start + k);
      const results = await Promise.all(batch.map((i) => fetch(`run-${i}`)));
      results.forEach((r, k) => {
        const ok =
          r.exitCode === 0 &&
          r.stdout.trim() === `fetched: ${join(r.dest, FILE)}` &&
          r.curlUrls.join(" ") === `${MIRROR}/${WANTED_DIR}/${FILE}` &&
          readFileSync(join(r.dest, FILE), "utf8") === BODY;
        if (!ok) failures.push(`run ${batch[k]}: exit ${r.exitCode} ${r.stderr.trim()} ${r.curlUrls.join(" ")}`);
      });
    }
    expect(failures, `${failures.length}/${runs} runs failed`).toEqual([]);
  }, 300_000);

  it("a tarball no stanza lists: exit 3, one line naming it, no download, nothing left behind", async () => {
    const missing = "llvm-toolchain-22_22.1.9.orig.tar.xz";
    const r = await fetch("not-listed", { file: missing });
    expect(r.exitCode).toBe(3);
    expect(r.stderr.trim()).toBe(`error: ${missing} is not listed by 'apt-cache showsrc ${PKG}' for suite sid`);
    expect(r.curlUrls).toEqual([]);
    expect(readdirSync(r.dest)).toEqual([]);
  });

  it("a download whose sha256 differs: exit 4 naming both digests, no partial file left", async () => {
    const wrong = "0".repeat(64);
    const r = await fetch("sha-mismatch", { sha: wrong });
    expect(r.exitCode).toBe(4);
    expect(r.stderr.trim()).toBe(`error: ${FILE} sha256 mismatch: expected ${wrong}, got ${BODY_SHA}`);
    expect(readdirSync(r.dest)).toEqual([]);
  });

  it("no Debian mirror in the apt configuration: exit 2", async () => {
    const etc = join(root, "no-mirror", "apt");
    mkdirSync(join(etc, "sources.list.d"), { recursive: true });
    const r = await fetch("no-mirror", { etc });
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim()).toBe(`error: no Debian mirror URI found in ${etc}/sources.list{,.d}`);
  });

  it("adds a deb-src list for the suite beside the mirror and updates only that list when it is missing", async () => {
    const etc = aptEtc("no-src-list", false);
    const r = await fetch("no-src-list", { etc });
    expect(r.exitCode, r.stderr).toBe(0);
    const list = join(etc, "sources.list.d", "mlir-release-src-sid.sources");
    expect(readFileSync(list, "utf8")).toContain(`Types: deb-src\nURIs: ${MIRROR}\nSuites: sid\n`);
    expect(r.aptGet).toContain(`update -q -o Dir::Etc::sourcelist=${list}`);
  });
});
