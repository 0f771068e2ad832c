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

interface WheelContentsFinding {
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
