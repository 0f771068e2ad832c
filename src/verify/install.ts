// Installing a wheel into a fresh venv of its Python and running the smoke test.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { unzipSync } from "fflate";
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

/** The extras a wheel's METADATA provides (Provides-Extra lines). */
export function wheelExtras(wheel: string): string[] {
  const files = unzipSync(readFileSync(wheel), { filter: (f) => /^[^/]+\.dist-info\/METADATA$/.test(f.name) });
  const meta = Buffer.from(Object.values(files)[0] ?? new Uint8Array()).toString();
  return [...meta.matchAll(/^Provides-Extra: (\S+)$/gm)].map((m) => m[1]!).sort();
}

/**
 * A fresh venv with the wheel and, by default, every extra it provides: upstream's test suite
 * exercises optional features too (opdsl's YAML dump needs the `opdsl` extra's PyYAML).
 */
export async function installIntoFreshVenv(
  env: ExecEnv,
  basePython: string,
  venvDir: string,
  wheel: string,
  extras: string[] = wheelExtras(wheel),
): Promise<string> {
  await env.run([basePython, "-m", "venv", "--clear", venvDir]);
  const py = join(venvDir, "bin", "python");
  const spec = extras.length ? `${wheel}[${extras.join(",")}]` : wheel;
  // --prefer-binary: an older release with a wheel for this interpreter beats a newer sdist (numpy on 3.13t).
  await env.run([py, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--prefer-binary", spec]);
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
