// npm run test:downstream-matrix — the full proof of `mlir-release downstream build`, too slow for
// npm test: our 22.1.8 release built here for every Python of the matrix (MLIR_RELEASE_DOWNSTREAM_PYTHONS,
// default below), served from our static index on 127.0.0.1; upstream's standalone example
// built by the command for all of them and verified next to ours (mixed IR, its lit tests); then
// `downstream rebuild` of the downstream manifest in fresh folders, every wheel's sha256 compared.
// Prints what it measured; exits 1 if any check fails.
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { parsePythons } from "../../src/platforms/pythons.js";
import { loadReleaseConfig } from "../../src/options/config.js";
import { DownstreamManifest } from "../../src/schema/downstream.js";
import { servedRelease } from "../support/downstream-release.js";
import { CACHE, OUTPUT, REPO } from "../support/env.js";

const t0 = Date.now();
const el = (): string => `${Math.round((Date.now() - t0) / 1000)}s`;
const say = (s: string): void => void process.stdout.write(`[downstream-matrix ${el()}] ${s}\n`);
// Default: the config's Pythons if it lists them, else the two the issue asks for (3.12 and 3.13).
const pythons = process.env["MLIR_RELEASE_DOWNSTREAM_PYTHONS"] ? parsePythons(process.env["MLIR_RELEASE_DOWNSTREAM_PYTHONS"]) : (loadReleaseConfig(REPO).pythons ?? ["3.12", "3.13"]);
const OUT = join(OUTPUT, "downstream-matrix", "dist");
const cli = join(REPO, "bin", "mlir-release.mjs");
let failed = 0;
const check = (ok: boolean, what: string): void => {
  say(`${ok ? "PASS" : "FAIL"} ${what}`);
  if (!ok) failed++;
};

say(`our release for Python ${pythons.join(", ")} (reusing the shared build where it can)`);
const rel = await servedRelease("downstream-matrix", pythons);
try {
  const matrix = rel.manifest.plan.matrix.map((m) => m.python);
  say(`release ${rel.manifest.plan.version} served at ${rel.server.url}; matrix on linux-x86_64: ${matrix.join(", ")}`);
  const project = join(rel.sourceRoot, "mlir", "examples", "standalone");
  rmSync(OUT, { recursive: true, force: true });
  const b = await execa(
    cli,
    ["downstream", "build", "--project", project, "--index-url", rel.server.url, "--release", rel.manifest.plan.version,
      "--check-script", join(REPO, "containers", "verify", "downstream_in_process.py"), "--out", OUT, "--work", join(CACHE, "test-work-downstream"), "-j", "2"],
    { reject: false, env: { MLIR_RELEASE_CACHE: CACHE }, stderr: "inherit" },
  );
  check(b.exitCode === 0, `downstream build exit ${b.exitCode}`);
  const manifestPath = join(OUT, "downstream-manifest.json");
  if (existsSync(manifestPath)) {
    const dm = DownstreamManifest.parse(JSON.parse(readFileSync(manifestPath, "utf8")));
    check(dm.artifacts.length === matrix.length, `${dm.artifacts.length} wheels for ${matrix.length} Pythons`);
    for (const a of dm.artifacts) {
      const v = dm.verification[a.fileName] as { installed: Record<string, string>; check: { ok: boolean }; scripts: Record<string, { folded_to_5?: boolean }>; lit?: { passed: number; failed: number; unsupported: number } };
      say(`${a.fileName}  ${(a.size / 1e6).toFixed(1)} MB  sha256 ${a.sha256.slice(0, 16)}…  installed ${JSON.stringify(v?.installed)}`);
      check(v?.installed?.["mlir-python-bindings"] === "22.1.8", `Python ${a.python}: our wheel 22.1.8 from the index next to theirs`);
      check(v?.check?.ok === true && v.scripts["downstream_in_process.py"]?.folded_to_5 === true, `Python ${a.python}: both imported, mixed IR verified and folded`);
      check(!!v?.lit && v.lit.failed === 0 && v.lit.passed >= 7, `Python ${a.python}: lit ${v?.lit?.passed} passed, ${v?.lit?.failed} failed, ${v?.lit?.unsupported} unsupported`);
    }
    say("downstream rebuild in fresh folders");
    const r = await execa(cli, ["downstream", "rebuild", manifestPath, "--project", project, "--index-url", rel.server.url, "-j", "2"], {
      reject: false,
      env: { MLIR_RELEASE_CACHE: CACHE },
      stderr: "inherit",
    });
    const res = r.stdout ? (JSON.parse(r.stdout) as { allEqual: boolean; artifacts: Array<{ fileName: string; result: string; recorded: string; rebuilt?: string }> }) : undefined;
    for (const a of res?.artifacts ?? []) say(`${a.result.toUpperCase()} ${a.fileName} recorded ${a.recorded.slice(0, 16)}… rebuilt ${a.rebuilt?.slice(0, 16) ?? "-"}…`);
    check(r.exitCode === 0 && res?.allEqual === true, `rebuild: every wheel's sha256 equal (exit ${r.exitCode})`);
  }
} finally {
  await rel.server.stop();
}
say(failed ? `${failed} check(s) FAILED` : "all checks passed");
process.exit(failed ? 1 : 0);
