// abi3audit as the verify stage runs it (the argv of plan-verify's py<ver>/abi3audit step): real
// extensions compiled here against CPython 3.12's headers, one within the limited API and one calling
// PyCode_NewEmpty (not in it), zipped into abi3-tagged wheels and scanned by the tools venv's abi3audit.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { zipSync } from "fflate";
import { writeFileSync } from "node:fs";
import { execa } from "execa";
import { findPython } from "../../src/platforms/pythons.js";
import { abi3Verdict } from "../../src/verify/abi3audit.js";
import { REPO, testEnv, TOOLS } from "../support/env.js";

const env = testEnv("abi3audit");
const abi3audit = join(TOOLS, "bin", "abi3audit");
let dir: string;

async function wheelOf(source: string, name: string): Promise<string> {
  const py = await findPython(env, "3.12");
  const include = (await env.run([py.executable, "-c", "import sysconfig; print(sysconfig.get_paths()['include'])"], { capture: true })).stdout.trim();
  const so = join(dir, `${name}.abi3.so`);
  await env.run(["cc", "-shared", "-fPIC", `-I${include}`, join(REPO, "test", "fixtures", "abi3", source), "-o", so]);
  const whl = join(dir, `${name}-1.0-cp312-abi3-linux_x86_64.whl`);
  writeFileSync(whl, zipSync({ [`${name}/${name}.abi3.so`]: readFileSync(so) }));
  return whl;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "abi3audit-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The step's argv (plan-verify): exit status and the verdict read from the report it prints. */
async function audit(wheel: string): Promise<{ exitCode: number; verdict: ReturnType<typeof abi3Verdict> }> {
  const r = await execa(abi3audit, ["--strict", "--report", wheel], { reject: false });
  return { exitCode: r.exitCode ?? -1, verdict: abi3Verdict(JSON.parse(r.stdout)) };
}

describe("abi3audit", () => {
  it("passes an extension that keeps to the limited API of 3.12", async () => {
    const { exitCode, verdict } = await audit(await wheelOf("limited.c", "limited"));
    expect(exitCode).toBe(0);
    expect(verdict.scanned).toBe(1);
    expect(verdict.violations).toEqual([]);
  }, 120_000);

  it("fails a wheel tagged abi3 whose extension calls a non-limited function, and the verdict names it", async () => {
    const { exitCode, verdict } = await audit(await wheelOf("unlimited.c", "unlimited"));
    expect(exitCode).toBe(1);
    expect(verdict.violations).toEqual(["unlimited.abi3.so: non-abi3 PyCode_NewEmpty"]);
  }, 120_000);

  it("reads the report's mismatch of version as a violation too", () => {
    const v = abi3Verdict({ specs: { "x.whl": { kind: "wheel", wheel: [{ name: "a.abi3.so", result: { is_abi3: true, is_abi3_baseline_compatible: false, baseline: "3.12", computed: "3.13", non_abi3_symbols: [] } }] } } });
    expect(v.violations).toEqual(["a.abi3.so: needs the limited API of 3.13, the wheel claims 3.12"]);
  });
});
