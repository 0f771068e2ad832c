// abi3audit in the verify stage: real extensions compiled here against CPython 3.12's headers, one
// within the limited API and one calling PyCode_NewEmpty (not in it), zipped into abi3-tagged wheels
// and scanned by the real abi3audit of the tools venv.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { zipSync } from "fflate";
import { writeFileSync } from "node:fs";
import { CheckFailedError } from "../../src/errors.js";
import { findPython } from "../../src/platforms/pythons.js";
import { abi3Audit, abi3Verdict } from "../../src/verify/abi3audit.js";
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

describe("abi3audit", () => {
  it("passes an extension that keeps to the limited API of 3.12", async () => {
    const verdict = await abi3Audit(env, abi3audit, await wheelOf("limited.c", "limited"), join(dir, "limited.json"));
    expect(verdict.scanned).toBe(1);
    expect(verdict.violations).toEqual([]);
  }, 120_000);

  it("refuses a wheel tagged abi3 whose extension calls a non-limited function, naming it", async () => {
    const whl = await wheelOf("unlimited.c", "unlimited");
    const err = await abi3Audit(env, abi3audit, whl, join(dir, "unlimited.json")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckFailedError);
    expect(String((err as Error).message)).toMatch(/unlimited\.abi3\.so: non-abi3 PyCode_NewEmpty/);
  }, 120_000);

  it("reads the report's mismatch of version as a violation too", () => {
    const v = abi3Verdict(JSON.stringify({ specs: { "x.whl": { kind: "wheel", wheel: [{ name: "a.abi3.so", result: { is_abi3: true, is_abi3_baseline_compatible: false, baseline: "3.12", computed: "3.13", non_abi3_symbols: [] } }] } } }));
    expect(v.violations).toEqual(["a.abi3.so: needs the limited API of 3.13, the wheel claims 3.12"]);
  });
});
