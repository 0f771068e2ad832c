// containers/stage-dist.sh: per-platform outputs into one artifacts folder, then the real `stage`
// command over every platform's manifest.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
function layout(files: Record<string, string>): string {
  const d = mkdtempSync(join(tmpdir(), "stage-dist-"));
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(join(d, "dist", p, ".."), { recursive: true });
    writeFileSync(join(d, "dist", p), text);
  }
  return d;
}
const run = (d: string) => {
  const r = spawnSync("bash", ["containers/stage-dist.sh", join(d, "dist"), join(d, "artifacts"), join(d, "stage")], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
};

describe("stage-dist.sh", () => {
  it("refuses two different files with one name", () => {
    const d = layout({ "linux-x86_64/a.whl": "one", "macos-arm64/a.whl": "two", "linux-x86_64/manifest.json": "{}" });
    const r = run(d);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/two different files named a\.whl/);
  });

  it("refuses a dist without manifests", () => {
    const r = run(layout({ "linux-x86_64/a.whl": "one" }));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/no <platform>\/manifest\.json/);
  });

  it("flattens the artifacts (same bytes twice is fine) and hands every manifest to `stage`", () => {
    const d = layout({
      "linux-x86_64/a.whl": "one",
      "linux-x86_64/build-report.json": "{}",
      "linux-x86_64/manifest.json": "{}",
      "macos-arm64/a.whl": "one",
      "macos-arm64/b.whl": "two",
      "macos-arm64/manifest.json": "{}",
    });
    const r = run(d);
    expect(r.out).toMatch(/stage-dist: 2 manifests, 2 files/);
    expect(readdirSync(join(d, "artifacts")).sort()).toEqual(["a.whl", "b.whl"]);
    // The real stage command then rejects these empty manifests, naming the first one.
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/linux-x86_64\/manifest\.json/);
  });
});
