// Cross-checkout reproducibility: what a second machine would see. The committed HEAD is cloned
// twice, at two paths of different lengths (<tmp>/a/m and <tmp>/bb/longer-path/mlir-release), each
// with its own .cache (tools venv, build venvs, source tree, work dir); each clone runs `setup` and
// `build --python X --no-dev --no-lit` from its own checkout, the second one with another umask,
// locale and TMPDIR. The wheels must be byte-identical; otherwise every differing member is named
// (and, for shared objects, the strings only one side has). Prints a verdict line; exit 0 = EQUAL.
//   npx tsx bench/reproduce.ts [--python 3.12] [--keep]
// Only the pinned source tarball is shared (hard-linked from this checkout's .cache/sources when
// present; its sha256 is checked by the source stage) and node_modules (npm ci of the same lockfile).
import { existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { execa } from "execa";
import { unzipSync } from "fflate";
import { unmappedCompilePaths } from "../src/bindings/build-tree.js";
import { OPTION_ENV } from "../src/options/resolve-options.js";
import { differingMembers, zipMembers } from "../src/rebuild/archive-diff.js";
import { z } from "zod";
import { BuildReport } from "../src/schema/build-report.js";
import { CompileCommand } from "../src/schema/compile-database.js";
import { parseFlag } from "../src/schema/parse.js";
import { PythonVersion } from "../src/schema/strings.js";
import { readJsonAs } from "../src/util/json-input.js";

const REPO = resolve(new URL("..", import.meta.url).pathname);
const argv = process.argv.slice(2);
const i = argv.indexOf("--python");
const python = parseFlag(PythonVersion, i >= 0 ? (argv[i + 1] ?? "") : "3.12", "--python");
const keep = argv.includes("--keep");
const t0 = Date.now();
const elapsed = (): string => `${Math.round((Date.now() - t0) / 1000)}s`;
const say = (m: string): void => void process.stderr.write(`[repro ${elapsed()}] ${m}\n`);

const commit = (await execa("git", ["-C", REPO, "rev-parse", "HEAD"])).stdout.trim();
const base = mkdtempSync(join(process.env["TMPDIR"] ?? tmpdir(), "mlir-release-repro-"));

interface Checkout {
  name: string;
  dir: string;
  /** What differs besides the path, as on another machine. */
  umask: string;
  env: Record<string, string>;
}
const checkouts: Checkout[] = [
  { name: "a", dir: join(base, "a", "m"), umask: "0022", env: { LC_ALL: "C.UTF-8", LANG: "C.UTF-8", TMPDIR: join(base, "tmp-a") } },
  { name: "b", dir: join(base, "bb", "longer-path", "mlir-release"), umask: "0002", env: { LC_ALL: "C", LANG: "C", TMPDIR: join(base, "tmp-bb-other") } },
];

async function prepare(c: Checkout): Promise<void> {
  mkdirSync(dirname(c.dir), { recursive: true });
  await execa("git", ["clone", "--quiet", "--no-hardlinks", "--no-checkout", "--end-of-options", REPO, c.dir]);
  await execa("git", ["-C", c.dir, "checkout", "--quiet", "--detach", commit, "--"]);
  symlinkSync(join(REPO, "node_modules"), join(c.dir, "node_modules"));
  const sources = join(REPO, ".cache", "sources");
  mkdirSync(join(c.dir, ".cache", "sources"), { recursive: true });
  for (const f of existsSync(sources) ? readdirSync(sources).filter((f) => f.endsWith(".tar.xz")) : []) {
    linkSync(join(sources, f), join(c.dir, ".cache", "sources", f));
  }
  mkdirSync(c.env["TMPDIR"]!, { recursive: true });
}

async function run(c: Checkout, args: string[], log: string): Promise<void> {
  const started = Date.now();
  say(`${c.name}: ${args.join(" ")} (log ${log})`);
  const env: Record<string, string | undefined> = { ...process.env, ...c.env };
  // Each clone uses its own .cache: nothing from this checkout's settings leaks in.
  for (const k of [OPTION_ENV.cache, OPTION_ENV.tools, "SOURCE_DATE_EPOCH"]) delete env[k];
  const r = await execa("sh", ["-c", 'umask "$1"; shift; exec "$@"', "sh", c.umask, "node", join(c.dir, "bin", "mlir-release.mjs"), ...args], {
    cwd: c.dir,
    env,
    extendEnv: false,
    stdout: { file: log, append: true },
    stderr: { file: log, append: true },
    reject: false,
  });
  if (r.exitCode !== 0) throw new Error(`${c.name}: '${args.join(" ")}' exited ${r.exitCode}; see ${log}`);
  say(`${c.name}: done in ${Math.round((Date.now() - started) / 1000)}s`);
}

/** Printable strings (>= 8 chars) of a binary: what a path or a timestamp would show up as. */
const stringsOf = (b: Uint8Array): Set<string> => new Set(Buffer.from(b).toString("latin1").match(/[\x20-\x7e]{8,}/g) ?? []);

const results: { fileName: string; equal: boolean; a: string; b: string }[] = [];
try {
  const reports: BuildReport[] = [];
  for (const c of checkouts) {
    await prepare(c);
    const log = join(base, `${c.name}.log`);
    await run(c, ["setup"], log);
    await run(c, ["build", "--python", python, "--no-dev", "--no-lit", "--out", join(c.dir, "dist")], log);
    reports.push(readJsonAs(BuildReport, join(c.dir, "dist", "build-report.json"), "build report"));
    // Every compiled file and include dir must be under a -ffile-prefix-map or a fixed prefix (the layer's /usr).
    const db = readJsonAs(z.array(CompileCommand), join(c.dir, ".cache", "work", "bindings", reports.at(-1)!.platform, "compile_commands.json"), "compile database");
    const unmapped = unmappedCompilePaths(db, ["/usr"]);
    console.log(`${c.name}: ${db.length} compile commands, ${unmapped.length} input path(s) outside every prefix map${unmapped.length ? `: ${unmapped.slice(0, 5).join(", ")}` : ""}`);
  }
  const [ra, rb] = reports as [BuildReport, BuildReport];
  for (const wa of ra.wheels) {
    const wb = rb.wheels.find((w) => w.fileName === wa.fileName);
    if (!wb) throw new Error(`${wa.fileName} was built in checkout a only (b built ${rb.wheels.map((w) => w.fileName).join(", ")})`);
    const equal = wa.sha256 === wb.sha256;
    results.push({ fileName: wa.fileName, equal, a: wa.sha256, b: wb.sha256 });
    console.log(`${wa.fileName}: ${equal ? "EQUAL" : "DIFFERENT"} ${wa.sha256}${equal ? "" : ` vs ${wb.sha256}`}`);
    if (equal) continue;
    const [pa, pb] = [join(checkouts[0]!.dir, "dist", wa.fileName), join(checkouts[1]!.dir, "dist", wb.fileName)];
    const names = differingMembers(await zipMembers(pa), await zipMembers(pb));
    const [fa, fb] = [unzipSync(readFileSync(pa)), unzipSync(readFileSync(pb))];
    console.log(`  ${names.length} differing member(s):`);
    for (const n of names) {
      const [x, y] = [fa[n], fb[n]];
      let hint = !x ? "only in b" : !y ? "only in a" : `${x.length} vs ${y.length} bytes`;
      if (x && y && /\.so(\.\d+)*$/.test(n)) {
        const [sa, sb] = [stringsOf(x), stringsOf(y)];
        const onlyA = [...sa].filter((s) => !sb.has(s)).slice(0, 3);
        const onlyB = [...sb].filter((s) => !sa.has(s)).slice(0, 3);
        hint += `; strings only in a: ${JSON.stringify(onlyA)}, only in b: ${JSON.stringify(onlyB)}`;
      }
      console.log(`    ${n}: ${hint}`);
      if (keep) {
        for (const [side, data] of [["a", x], ["b", y]] as const) {
          if (!data) continue;
          const p = join(base, "differing", side, n);
          mkdirSync(dirname(p), { recursive: true });
          writeFileSync(p, data);
        }
      }
    }
  }
  const same = results.length > 0 && results.every((r) => r.equal);
  console.log(
    `verdict: ${same ? "EQUAL" : "DIFFERENT"} — ${results.length} wheel(s) of commit ${commit.slice(0, 12)} built from two checkouts ` +
      `(${checkouts.map((c) => `${c.dir.length}-char path, umask ${c.umask}, LC_ALL=${c.env["LC_ALL"]}`).join("; ")}) in ${elapsed()}`,
  );
  process.exitCode = same ? 0 : 1;
} catch (e) {
  console.log(`verdict: NOT RUN — ${(e as Error).message}`);
  process.exitCode = 2;
} finally {
  // A failed run keeps its logs (and clones) for reading; delete the folder afterwards.
  if (keep || process.exitCode === 2) say(`kept ${base}`);
  else rmSync(base, { recursive: true, force: true });
}
