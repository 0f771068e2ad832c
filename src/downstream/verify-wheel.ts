// One downstream wheel verified in a fresh venv: installed next to our wheel from the release's
// index, both imported with mixed IR, the project's check scripts, and its lit suite.
import { basename, join } from "node:path";
import { CheckFailedError } from "../errors.js";
import type { ExecEnv } from "../exec/env.js";
import { findPython } from "../platforms/pythons.js";
import type { Progress } from "../progress.js";
import { type PreparedLit, runProjectLit } from "./project-lit.js";
import { pipSourceArgs } from "./release.js";
import { type DownstreamCheck, type DownstreamPlan, type DownstreamSettings, type DownstreamVerifySettings, OUR_PACKAGE, secondsSince } from "./settings.js";

const lastJsonLine = (out: string, what: string): Record<string, unknown> => {
  const line = out.trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    throw new CheckFailedError(`${what}: its last output line is not JSON: ${line.slice(0, 200)}`);
  }
};

export async function verifyDownstreamWheel(
  s: DownstreamSettings,
  v: DownstreamVerifySettings,
  plan: DownstreamPlan,
  wheel: string,
  py: string,
  lit: PreparedLit | { skipped: string } | undefined,
  env: ExecEnv,
  progress: Progress,
): Promise<DownstreamCheck> {
  const t = Date.now();
  const m = plan.release.manifest;
  progress.step(`Python ${py}: fresh venv, ${basename(wheel)} + ${m.plan.distribution}==${m.plan.version} from ${plan.release.source.kind === "index" ? "the index" : "the dist folder"}`);
  const base = await findPython(env, py, undefined, s.host.discoveryEnv);
  const venv = join(s.workDir, "verify-venvs", `py${py}`);
  await env.run([base.executable, "-m", "venv", "--clear", venv]);
  const vpy = join(venv, "bin", "python");
  // The wheel's own Requires-Dist (<ours>==<v>) brings our wheel from the release's index.
  await env.run([vpy, "-m", "pip", "install", "-q", "--disable-pip-version-check", ...pipSourceArgs(plan.release), "--", wheel]);
  const installed = lastJsonLine(
    (
      await env.run(
        [vpy, join(s.repoRoot, "containers", "verify", "installed_versions.py"), m.plan.distribution, plan.project.distribution],
        { capture: true, cwd: "/" },
      )
    ).stdout,
    "installed versions",
  ) as Record<string, string>;
  if (installed[m.plan.distribution] !== m.plan.version) {
    throw new CheckFailedError(`Python ${py}: pip installed ${m.plan.distribution} ${installed[m.plan.distribution]}, not ${m.plan.version}`);
  }
  progress.step(`Python ${py}: import both, mixed IR`);
  const check = lastJsonLine(
    (
      await env.run([vpy, join(s.repoRoot, "containers", "verify", "downstream_check.py"), OUR_PACKAGE, plan.project.packagePrefix], {
        capture: true,
        cwd: "/",
      })
    ).stdout,
    "downstream_check.py",
  );
  if (check["ok"] !== true) throw new CheckFailedError(`Python ${py}: the downstream check failed: ${JSON.stringify(check)}`);
  const scripts: Record<string, Record<string, unknown>> = {};
  for (const script of v.checkScripts) {
    progress.step(`Python ${py}: ${basename(script)}`);
    scripts[basename(script)] = lastJsonLine((await env.run([vpy, script], { capture: true, cwd: "/" })).stdout, script);
  }
  const litResult: DownstreamCheck["lit"] = lit === undefined ? undefined : "skipped" in lit ? lit : await runProjectLit(s, lit, vpy, py, env, progress);
  return { python: py, installed, check, scripts, ...(litResult ? { lit: litResult } : {}), seconds: secondsSince(t) };
}
