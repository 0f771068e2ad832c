// The CLI fuzz's cases (fast-check): for every command, malformed flags, configs, plans and
// manifests, run in a temporary root that holds a fixture release, its stage, a local LLVM-shaped
// git history and an empty index. test/unit/cli-fuzz.test.ts runs hundreds of them in-process through
// main; test/integration/cli-entry-point.test.ts a few as real processes of bin/mlir-release.mjs.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import type { ReleaseManifest } from "../../src/schema/manifest.js";
import { runCli } from "./cli-inprocess.js";
import { makeLlvmFixture, type LlvmFixture } from "./llvm-git-fixture.js";
import { makeFixtureRelease } from "./release-fixture.js";

/** The temporary root the cases run in, and what it holds. */
export interface FuzzRoot {
  T: string;
  fx: LlvmFixture;
  m: ReleaseManifest;
  relDir: string;
  stage: string;
  /** Files written for the cases so far (their names are numbered). */
  counter: number;
}

/** The environment of every case: no GitHub token, a GitHub API where nothing listens. */
export const FUZZ_ENV = { GITHUB_TOKEN: undefined, MLIR_RELEASE_GITHUB_TOKEN: undefined, GITHUB_API_URL: "http://127.0.0.1:9/api", MLIR_RELEASE_DEBUG: undefined };

/** Every file under a folder with its size and mtime (to prove nothing changed there). */
export const snapshot = (dir: string, skip: (p: string) => boolean = () => false): Map<string, string> => {
  const out = new Map<string, string>();
  if (!existsSync(dir)) return out;
  for (const rel of readdirSync(dir, { recursive: true }).map(String)) {
    const p = join(dir, rel);
    if (skip(p)) continue;
    try {
      const st = statSync(p);
      out.set(rel, st.isDirectory() ? "dir" : `${st.size}:${st.mtimeMs}`);
    } catch {
      /* vanished */
    }
  }
  return out;
};

/** A fresh root: the fixture release and its stage, a clone of the LLVM-shaped fixture, an empty index. */
export async function makeFuzzRoot(): Promise<FuzzRoot> {
  const T = mkdtempSync(join(tmpdir(), "cli-fuzz-"));
  const rel = await makeFixtureRelease({ dir: join(T, "rel"), version: "22.1.8.dev20261124" });
  const fx = await makeLlvmFixture();
  execFileSync("git", ["clone", "-q", "--", fx.dir, join(T, "llvm")]);
  mkdirSync(join(T, "index"));
  const stage = join(T, "stage");
  const r = await runCli(["stage", "--manifest", join(rel.dir, "manifest.json"), "--artifacts", rel.dir, "--out", stage]);
  if (r.code !== 0) throw new Error(`staging the fuzz root's release failed: ${r.stderr}`);
  return { T, fx, m: rel.manifest, relDir: rel.dir, stage, counter: 0 };
}

// ---- generators of bad values (each one is invalid for the slot it fills) ----
const junk = fc.oneof(
  fc.constantFrom("", " ", "-", "--", "--output=/x", "../../escaped", "/etc/passwd", "a b", "javascript:alert(1)", "%00", "\u0000", "💥", "-1", "0", "1e3", "NaN"),
  fc.string({ maxLength: 12 }).map((s) => `${s}!?`),
);
const badInt = fc.oneof(fc.constantFrom("abc", "0", "-1", "1.5", "", " 2", "0x10", "99999999999", "1e2"), fc.string({ maxLength: 6 }).filter((s) => !/^[1-9]\d{0,8}$/.test(s)));
const badVersion = fc.oneof(fc.constantFrom("not a version", "1.0/../../x", "", "v1.0", "1.0.0-rc1", "01.2", "1.0+local", "1..0"), junk).filter((s) => !/^(0|[1-9]\d*)(\.(0|[1-9]\d*))*((a|b|rc)(0|[1-9]\d*))?(\.post(0|[1-9]\d*))?(\.dev(0|[1-9]\d*))?$/.test(s));
const badName = fc.oneof(fc.constantFrom("/tmp/evil", "../evil", "a b", "-x", "UPPER", "a__b", "a.b", ""), junk).filter((s) => !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(s));
const badDate = fc.oneof(
  fc.constantFrom("2026-13-45", "2026-02-31", "2026-02-30T10:00Z", "2026-03-06T24:00Z", "2026-03-06T12:00", "yesterday", "2026-1-5", "2026-03-06T12:60Z", ""),
  fc.tuple(fc.integer({ min: 2000, max: 2100 }), fc.integer({ min: 13, max: 99 }), fc.integer({ min: 1, max: 28 })).map(([y, mo, d]) => `${y}-${mo}-${String(d).padStart(2, "0")}`),
  fc.tuple(fc.integer({ min: 2000, max: 2100 }), fc.constantFrom(2, 4, 6, 9, 11), fc.constant(31)).map(([y, mo, d]) => `${y}-${String(mo).padStart(2, "0")}-${d}`),
);
const badUrl = fc.oneof(fc.constantFrom("javascript:alert(1)", "file:///etc/passwd", "ftp://x/y", "not a url", "data:text/html,x", "//host/x", ""), junk.filter((s) => !/^https?:\/\/[^\s]+$/.test(s)));
const badPython = fc.oneof(fc.constantFrom("3.99", "2.7", "abc", ",", "3", "3.12,,", "cp312", "3.1x"), junk);
const badPlatform = fc.oneof(fc.constantFrom("nope", "../linux-x86_64", "linux", "LINUX-X86_64"), junk);
const badRepo = fc.oneof(fc.constantFrom("noslash", "a/b/c", "-x/y", "../x", "a/..", "/a", "a/"), junk.filter((s) => !/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(s)));
const badCommit = fc.oneof(fc.constantFrom("--output=/tmp/pwned", "zz", "HEAD~1", "0123456789abcdef0123456789abcdef01234567", "not a sha"), junk);

/** A JSON document broken in one way that its schema must refuse. */
const mutateJson = (base: Record<string, unknown>, required: readonly string[]) =>
  fc.oneof(
    fc.constantFrom(...required).map((k) => {
      const { [k]: _gone, ...rest } = base;
      return JSON.stringify(rest);
    }),
    // A value of the wrong type (never the field's own type: an empty list could be valid).
    fc.tuple(fc.constantFrom(...required), fc.constantFrom<unknown>(42, null, [], "x", { a: 1 }, true)).map(([k, v]) => {
      const sameType = Array.isArray(base[k]) ? Array.isArray(v) : typeof base[k] === typeof v && !Array.isArray(v);
      return JSON.stringify({ ...base, [k]: sameType ? (typeof v === "number" ? "seven" : 7) : v });
    }),
    fc.string({ minLength: 1, maxLength: 10 }).filter((k) => !(k in base) && k !== "__proto__").map((k) => JSON.stringify({ ...base, [k]: 1 })),
    fc.integer({ min: 1, max: 300 }).map((n) => JSON.stringify(base).slice(0, n)),
    fc.constantFrom("", "[]", "null", "\"text\"", "{", "{]"),
  );

export type FuzzCase = { argv: string[]; what: string };

/** Every command with one malformed input (flags, configs, plans, manifests), in the fuzz root `r`. */
export function commandCases(r: FuzzRoot): fc.Arbitrary<FuzzCase> {
  const { T, m, relDir, stage, fx } = r;
  const file = (name: string, text: string): string => {
    const p = join(T, "cases", `${r.counter++}-${name}`);
    mkdirSync(join(p, ".."), { recursive: true });
    writeFileSync(p, text);
    return p;
  };
  const planRequired = ["schemaVersion", "kind", "version", "distribution", "devDistribution", "llvm", "source", "matrix", "abiChoice", "tools", "layer", "nanobindDomain", "sourceDateEpoch"];
  const manifestRequired = ["schemaVersion", "plan", "artifacts", "provenance"];
  const evilPlan = fc.oneof(
    badVersion.map((v) => ({ ...m.plan, version: v })),
    badName.map((d) => ({ ...m.plan, distribution: d })),
    badCommit.filter((c) => !/^[0-9a-f]{40}$/.test(c)).map((c) => ({ ...m.plan, llvm: { ...m.plan.llvm, commit: c } })),
  );
  const manifestDoc = fc.oneof(
    mutateJson(m as unknown as Record<string, unknown>, manifestRequired),
    evilPlan.map((p) => JSON.stringify({ ...m, plan: p })),
    fc.constantFrom("../x.whl", "a/b.whl", ".hidden.whl", "-x.whl").map((f) => JSON.stringify({ ...m, artifacts: [{ ...m.artifacts[0]!, fileName: f }] })),
  );
  const planDoc = fc.oneof(mutateJson(m.plan as unknown as Record<string, unknown>, planRequired), evilPlan.map((p) => JSON.stringify(p)));
  const configDoc = fc.oneof(
    badName.map((d) => JSON.stringify({ devDistribution: d })),
    badName.map((d) => JSON.stringify({ distribution: d })),
    junk.map((n) => JSON.stringify({ tools: { nanobind: n } })).filter((s) => !/"nanobind":"\d+(\.\d+)*"/.test(s)),
    badUrl.map((u) => JSON.stringify({ publish: { index: { baseUrl: u } } })),
    badRepo.map((r) => JSON.stringify({ llvm: { githubRepo: r } })),
    fc.string({ minLength: 1, maxLength: 8 }).filter((k) => !["distribution", "devDistribution", "llvm", "pythons", "platforms", "layerCmakeOptions", "tools", "nanobindDomain", "publish", "retention", "mlirPaths", "compilerCache", "__proto__"].includes(k)).map((k) => JSON.stringify({ [k]: 1 })),
    fc.integer({ min: 1, max: 20 }).map((n) => JSON.stringify({ distribution: "mlir-python-bindings", pythons: ["3.12"] }).slice(0, n)),
  );
  const repo = join(T, "llvm");
  const cache = join(T, "cache");
  const index = join(T, "index");
  return fc.oneof(
    badInt.map((j) => ({ what: "build -j", argv: ["build", "--dry-run", "-j", j] })),
    badVersion.map((v) => ({ what: "build --version", argv: ["build", "--dry-run", "--version", v] })),
    badName.map((d) => ({ what: "build --distribution", argv: ["build", "--dry-run", "--distribution", d] })),
    badPython.map((p) => ({ what: "build --python", argv: ["build", "--dry-run", "--python", p] })),
    badPlatform.map((p) => ({ what: "build --platform", argv: ["build", "--dry-run", "--platform", p] })),
    planDoc.map((d) => ({ what: "build --plan", argv: ["build", "--dry-run", "--plan", file("plan.json", d)] })),
    configDoc.map((d) => ({ what: "build --config", argv: ["build", "--dry-run", "--config", file("config.json", d)] })),
    manifestDoc.map((d) => ({ what: "stage --manifest", argv: ["stage", "--manifest", file("manifest.json", d), "--artifacts", relDir, "--out", join(T, "cases", `stage-${r.counter}`)] })),
    manifestDoc.map((d) => ({ what: "guide", argv: ["guide", file("manifest.json", d)] })),
    manifestDoc.map((d) => ({ what: "resolve --manifests", argv: ["resolve", "--manifests", file("manifest.json", d), "--commit", fx.c["c1"]!] })),
    manifestDoc.map((d) => ({ what: "rebuild", argv: ["rebuild", file("manifest.json", d), "--cache", cache] })),
    badDate.map((d) => ({ what: "resolve --on-or-before", argv: ["resolve", "--manifests", relDir, "--python", "3.12", "--platform", "linux-x86_64", "--on-or-before", d] })),
    fc.tuple(fc.constantFrom("select", "plan"), badDate).map(([c, d]) => ({ what: `${c} --cutoff`, argv: [c, "--repo", repo, "--cache", cache, "--cutoff", d] })),
    fc.tuple(fc.constantFrom("select", "plan"), badInt).map(([c, p]) => ({ what: `${c} --post`, argv: [c, "--repo", repo, "--cache", cache, "--kind", "numbered", "--ref", "llvmorg-22.1.0", "--post", p] })),
    fc.tuple(fc.constantFrom("select", "plan"), configDoc).map(([c, d]) => ({ what: `${c} --config`, argv: [c, "--repo", repo, "--cache", cache, "--config", file("config.json", d)] })),
    fc.tuple(fc.constantFrom("select", "plan"), badRepo).map(([c, r]) => ({ what: `${c} --published-in`, argv: [c, "--repo", repo, "--cache", cache, "--published-in", r] })),
    fc.tuple(badCommit, fc.boolean()).map(([c, asFrom]) => ({ what: "notes --from/--to", argv: ["notes", "--repo", repo, "--cache", cache, ...(asFrom ? [`--from=${c}`, "--to", fx.c["c3"]!] : ["--from", fx.c["c1"]!, `--to=${c}`])] })),
    badUrl.map((u) => ({ what: "site --base-url", argv: ["site", "--index", index, "--base-url", u] })),
    badUrl.map((u) => ({ what: "guide --index-url", argv: ["guide", join(relDir, "manifest.json"), "--index-url", u] })),
    fc.oneof(junk, fc.constantFrom("bogus", "index,bogus", ",", "github;pypi")).filter((t) => !t.split(",").every((x) => ["github", "pypi", "index", "conda"].includes(x.trim()))).map((t) => ({ what: "publish --targets", argv: ["publish", "--stage", stage, "--targets", t, "--log", join(T, "logs", "p.log")] })),
    fc.constantFrom("index", "github", "pypi").map((t) => ({ what: "publish --targets unconfigured", argv: ["publish", "--stage", stage, "--targets", t, "--log", join(T, "logs", "p.log")] })),
    badRepo.map((r) => ({ what: "publish --github-repo", argv: ["publish", "--stage", stage, "--targets", "github", "--github-repo", r, "--log", join(T, "logs", "p.log")] })),
    badRepo.map((r) => ({ what: "site-sync --github-repo", argv: ["site-sync", "--index", join(T, "cases", "sync"), "--github-repo", r] })),
    badDate.map((d) => ({ what: "prune --now", argv: ["prune", "--index", index, "--now", d] })),
    fc.constantFrom(join(T, "nonexistent"), join(relDir, "manifest.json")).map((p) => ({ what: "prune --index", argv: ["prune", "--index", p] })),
    badPython.map((p) => ({ what: "platforms --python", argv: ["platforms", "--python", p] })),
    fc.constantFrom(join(T, "nonexistent"), join(relDir, "manifest.json")).map((p) => ({ what: "verify --dist", argv: ["verify", "--dist", p] })),
    fc.tuple(fc.constantFrom("build", "stage", "publish", "site", "prune", "plan", "resolve", "notes", "guide", "platforms", "verify", "select", "rebuild", "site-sync"), fc.string({ minLength: 1, maxLength: 8 }).filter((s) => /^[a-z]+$/.test(s) && s !== "help")).map(([c, o]) => ({ what: `${c} unknown option`, argv: [c, `--zz${o}`] })),
  );
}
