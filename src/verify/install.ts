// Installing a wheel into a fresh venv of its Python and running the smoke test.
import { join } from "node:path";
import type { ExecEnv } from "../exec/env.js";

export interface SmokeResult {
  python: string;
  canonicalized: boolean;
  built_ops: number;
  jit: number;
  llvm_version: string | null;
  llvm_commit?: string;
  distribution_version?: string;
}

export async function installIntoFreshVenv(
  env: ExecEnv,
  basePython: string,
  venvDir: string,
  wheel: string,
): Promise<string> {
  await env.run([basePython, "-m", "venv", "--clear", venvDir]);
  const py = join(venvDir, "bin", "python");
  await env.run([py, "-m", "pip", "install", "-q", "--disable-pip-version-check", wheel]);
  return py;
}

/** `pythonEnv`: e.g. PYTHON_GIL=0 for a free-threaded interpreter (CPython then refuses to re-enable the GIL). */
export async function runSmoke(env: ExecEnv, python: string, repoRoot: string, pythonEnv: Record<string, string> = {}): Promise<SmokeResult> {
  const r = await env.run([python, join(repoRoot, "containers", "verify", "smoke.py")], {
    capture: true,
    cwd: "/",
    env: pythonEnv,
  });
  const last = r.stdout.trim().split("\n").pop() ?? "";
  return JSON.parse(last) as SmokeResult;
}

export interface WheelContentsFinding {
  code: string;
  message: string;
}

/** check-wheel-contents: each finding line is "<wheel>: Wxxx message". */
export function parseCheckWheelContents(text: string): WheelContentsFinding[] {
  const out: WheelContentsFinding[] = [];
  for (const line of text.split("\n")) {
    const m = /: ([WE]\d{3}) (.*)$/.exec(line);
    if (m?.[1] && m[2]) out.push({ code: m[1], message: m[2] });
  }
  return out;
}

/** What containers/verify/free_threaded.py saw: IR built and walked from several threads at once. */
export interface FreeThreadedResult {
  python: string;
  py_gil_disabled: boolean;
  gil_before_import: boolean;
  gil_after_import: boolean;
  gil_after_threads: boolean;
  threads: number;
  modules_walked: number;
  ops_per_module: number;
  errors: string[];
}

/**
 * Runs the free-threaded check without PYTHON_GIL=0, so that an extension that does not declare
 * itself free-threading-safe would re-enable the GIL and fail it; throws when the check fails.
 */
export async function runFreeThreadedCheck(env: ExecEnv, python: string, repoRoot: string): Promise<FreeThreadedResult> {
  const r = await env.run([python, join(repoRoot, "containers", "verify", "free_threaded.py")], { capture: true, cwd: "/" });
  const last = r.stdout.trim().split("\n").pop() ?? "";
  return JSON.parse(last) as FreeThreadedResult;
}
