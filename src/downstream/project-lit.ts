// The downstream project's own lit suite against the installed wheels: prepared once (a test build
// of the tools the check target needs), run once per verification venv.
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { InvalidInputError } from "../errors.js";
import type { ExecEnv } from "../exec/env.js";
import { ninjaPercent, type Progress } from "../progress.js";
import { type LitCounts, litInPython, parseLitResults } from "../verify/lit.js";
import { projectConfigureArgs, testBuildProject } from "./cmake-args.js";
import { checkTargets, isCheckCommand, litSuites, parseNinjaQuery } from "./ninja-queries.js";
import type { DownstreamPlan, DownstreamSettings, DownstreamVerifySettings } from "./settings.js";

/** The project's lit suite, configured and with its tools built once for every Python. */
export interface PreparedLit {
  testBuildDir: string;
  target: string;
  suites: string[];
  /** Wheel-only settings the test build leaves out (WHEEL_ONLY_DEFINES). */
  dropped: string[];
  /** The wheel's own targets, never built in the test build: the suite imports the installed wheel. */
  notBuilt: string[];
}

/**
 * The project's own lit suite against the installed wheels, prepared once: a test build of the
 * project (the wheel build's configuration minus WHEEL_ONLY_DEFINES, see there) in which the check
 * target's dependencies are built except the wheel's own targets. The suite's Python tests import
 * the installed wheel: the build tree's copy of the package sits under <build>/<package prefix>, not
 * where the suites' PYTHONPATH looks, and the test build never builds it.
 */
export async function prepareProjectLit(
  s: DownstreamSettings,
  v: DownstreamVerifySettings,
  plan: DownstreamPlan,
  buildPython: string,
  devRoot: string,
  mlirDir: string,
  env: ExecEnv,
  progress: Progress,
): Promise<PreparedLit | { skipped: string }> {
  const testBuildDir = join(s.workDir, "test-build", s.platform.id);
  const lit = join(s.toolsDir, "bin", "lit");
  const { project, dropped } = testBuildProject(plan.project);
  progress.step(`configure the lit suite's test build${dropped.length ? ` (without the wheel-only ${dropped.join(", ")})` : ""}`);
  await env.run(
    projectConfigureArgs({ projectDir: s.projectDir, buildDir: testBuildDir, mlirDir, devRoot, python: buildPython, venvDir: dirname(dirname(buildPython)), project, ...(existsSync(lit) ? { lit } : {}) }),
  );
  const targets = checkTargets((await env.run(["ninja", "-C", testBuildDir, "-t", "targets", "all"], { capture: true })).stdout);
  const target = v.checkTarget ?? targets[0];
  if (!target) return { skipped: "the project has no check-* target (no lit tests)" };
  if (!targets.includes(target)) throw new InvalidInputError(`--check-target ${target}: not a target of the build (check targets: ${targets.join(", ") || "none"})`);
  // The phony target → its custom command (which runs lit: never built here) → what that command needs.
  const query = async (path: string) => parseNinjaQuery((await env.run(["ninja", "-C", testBuildDir, "-t", "query", path], { capture: true })).stdout);
  const deps = new Set<string>();
  const walk = async (path: string, depth: number): Promise<void> => {
    for (const i of (await query(path)).inputs) {
      if (!isCheckCommand(i, target)) deps.add(i);
      else if (depth < 4) await walk(i, depth + 1);
    }
  };
  await walk(target, 0);
  // ninja names a utility target by its phony alias, bare or under its folder (python/StandalonePythonModules).
  const notBuilt = [...deps].filter((d) => project.buildTargets.some((t) => d === t || d.endsWith(`/${t}`)));
  for (const d of notBuilt) deps.delete(d);
  progress.step(`build what ${target} needs (${deps.size} inputs; not ${notBuilt.join(", ") || "-"}: the suite imports the installed wheel)`);
  const label = `build the tools of ${target}`;
  if (deps.size) {
    await env.run(["ninja", "-C", testBuildDir, ...(s.jobs ? [`-j${s.jobs}`] : []), ...[...deps].sort()], {
      onLine: (l) => {
        const p = ninjaPercent(l);
        if (p !== undefined) progress.step(label, p);
      },
    });
  }
  const commands = (await env.run(["ninja", "-C", testBuildDir, "-t", "commands", target], { capture: true })).stdout.trim().split("\n");
  const litCommand = commands.at(-1) ?? "";
  const suites = litSuites(litCommand, testBuildDir, (p) => existsSync(p) && statSync(p).isDirectory());
  if (!suites.length) throw new InvalidInputError(`${target}: could not find the lit suites in its command: ${litCommand.slice(0, 300)}`);
  return { testBuildDir, target, suites, dropped, notBuilt };
}

/** One lit run of the prepared suite, with the suites' python_executable pointed at the verification venv. */
export async function runProjectLit(
  s: DownstreamSettings,
  p: PreparedLit,
  vpy: string,
  py: string,
  env: ExecEnv,
  progress: Progress,
): Promise<LitCounts & { target: string; suites: string[]; dropped: string[]; notBuilt: string[] }> {
  const siteConfigs = p.suites.flatMap((d) => findFiles(d, "lit.site.cfg.py"));
  const saved = new Map(siteConfigs.map((f) => [f, readFileSync(f, "utf8")]));
  const results = join(s.workDir, `lit-py${py}.json`);
  rmSync(results, { force: true });
  const rel = p.suites.map((d) => relative(p.testBuildDir, d) || ".");
  progress.step(`Python ${py}: lit ${rel.join(" ")} against the installed wheels`);
  try {
    for (const [f, text] of saved) writeFileSync(f, text.replace(/^config\.python_executable = .*$/m, `config.python_executable = ${JSON.stringify(vpy)}`));
    await env.run(
      [
        ...litInPython(vpy, join(s.toolsDir, "bin", "lit")),
        "-sv",
        "--no-progress-bar",
        `-j${s.jobs ?? 2}`,
        "-o",
        results,
        "--",
        ...p.suites,
      ],
      // LLVM 22's lit configs ask for an external shell unless told otherwise; lit 23 refuses that.
      { env: { LIT_USE_INTERNAL_SHELL: "1" }, cwd: "/" },
    ).catch((e: unknown) => {
      if (!existsSync(results)) throw e;
    });
  } finally {
    for (const [f, text] of saved) writeFileSync(f, text);
  }
  const counts = parseLitResults(readFileSync(results, "utf8"));
  progress.info(`lit (Python ${py}): ${counts.passed} passed, ${counts.failed} failed, ${counts.unsupported} unsupported${counts.failures.length ? ` — failed: ${counts.failures.join(", ")}` : ""}`);
  return { ...counts, target: p.target, suites: rel, dropped: p.dropped, notBuilt: p.notBuilt };
}

function findFiles(dir: string, name: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (e === name) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}
