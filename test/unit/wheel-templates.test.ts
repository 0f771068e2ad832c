// The Python a wheel ships lives in containers/wheels/*.py.in, rendered with its placeholders filled.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { InternalError } from "../../src/errors.js";
import { runtimeLibsModule } from "../../src/wheels/runtime-libs.js";
import { renderWheelTemplate, WHEEL_TEMPLATES_DIR } from "../../src/wheels/templates.js";
import { toolsModule } from "../../src/wheels/tools.js";
import { launcherModule } from "../../src/wheels/tools-wheel.js";

const REPO = join(import.meta.dirname, "..", "..");
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("wheel templates", () => {
  it("every template under containers/wheels renders without a placeholder left", () => {
    const names = readdirSync(join(REPO, ...WHEEL_TEMPLATES_DIR)).sort();
    expect(names).toEqual(["entry-point.py.in", "runtime_libs.py.in", "tools-launcher.py.in", "tools.py.in"]);
    for (const text of [runtimeLibsModule(), toolsModule(), launcherModule()]) expect(text).not.toMatch(/@[A-Z][A-Z0-9_]*@/);
    expect(runtimeLibsModule()).toContain('NAMES = ("mlir_c_runner_utils", ');
    expect(toolsModule(["not"])).toMatch(/\n\ndef run_not\(\):\n    _run\("not"\)\n$/);
    // One entry point per command, two blank lines apart, from entry-point.py.in.
    expect(toolsModule(["not", "split-file"])).toMatch(/\n\ndef run_not\(\):\n    _run\("not"\)\n\n\ndef run_split_file\(\):\n    _run\("split-file"\)\n$/);
  });

  it("a placeholder without a value is an error naming the template", () => {
    const root = mkdtempSync(join(tmpdir(), "wheel-templates-"));
    dirs.push(root);
    mkdirSync(join(root, ...WHEEL_TEMPLATES_DIR), { recursive: true });
    writeFileSync(join(root, ...WHEEL_TEMPLATES_DIR, "x.py.in"), "A = @A@\nB = @B@\n");
    expect(renderWheelTemplate("x.py.in", { A: "1", B: "2" }, root)).toBe("A = 1\nB = 2\n");
    expect(() => renderWheelTemplate("x.py.in", { A: "1" }, root)).toThrow(InternalError);
    expect(() => renderWheelTemplate("x.py.in", { A: "1" }, root)).toThrow(/x\.py\.in: no value for @B@/);
  });
});
