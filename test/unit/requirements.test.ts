// The hashed requirements files (containers/provision/requirements): compiled from their .in,
// every pin carries hashes, nanobind is the release config's, and what a build records is what a
// rebuild writes back out (byte for byte, refusing an altered manifest).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { pinnedRequirements } from "../../src/factory/factory.js";
import { recordedRequirements } from "../../src/rebuild/rebuild.js";
import { ReleaseManifest } from "../../src/schema/manifest.js";
import { sha256Hex } from "../../src/util/hash.js";

const REPO = join(import.meta.dirname, "..", "..");
const DIR = join(REPO, "containers", "provision", "requirements");
const tmp = mkdtempSync(join(tmpdir(), "reqs-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const norm = (n: string): string => n.toLowerCase().replace(/[-_.]+/g, "-");

describe.each(["tools-linux", "tools-macos", "tools-windows", "build"])("%s.txt", (name) => {
  const txt = readFileSync(join(DIR, `${name}.txt`), "utf8");
  const pinned = pinnedRequirements(REPO, join(DIR, `${name}.txt`));

  it("pins every package of its .in (exact versions stay exact) and hashes every pin", () => {
    const wanted = readFileSync(join(DIR, `${name}.in`), "utf8").split("\n").filter((l) => /^[A-Za-z]/.test(l));
    const names = new Set(pinned.pins.map((p) => norm(p.split("==")[0]!)));
    for (const w of wanted) {
      // "name", "name==X.Y.Z" or a constraint such as "numpy<2.5 ; python_version == '3.13'".
      const [, pkg, version] = /^([A-Za-z0-9._-]+)(?:==([^\s;]+))?/.exec(w)!;
      expect(names.has(norm(pkg!)), `${name}.txt lacks ${pkg}`).toBe(true);
      if (version) expect(pinned.pins.some((p) => norm(p.split("==")[0]!) === norm(pkg!) && p.split("==")[1]!.startsWith(version))).toBe(true);
    }
    const blocks = txt.split(/\n(?=[a-z0-9])/i).filter((b) => /^[a-z0-9][^\n]*==/i.test(b));
    expect(blocks).toHaveLength(pinned.pins.length);
    for (const b of blocks) expect(b, b.split("\n")[0]).toMatch(/--hash=sha256:[0-9a-f]{64}/);
    expect(pinned.sha256).toBe(sha256Hex(readFileSync(join(DIR, `${name}.txt`))));
    expect(pinned.file).toBe(`containers/provision/requirements/${name}.txt`);
  });
});

describe("build venv pins", () => {
  it("nanobind is the release config's, numpy is pinned for every Python the matrix can have", () => {
    const pins = pinnedRequirements(REPO, join(DIR, "build.txt")).pins;
    const config = JSON.parse(readFileSync(join(REPO, "release.config.json"), "utf8")) as { tools: { nanobind: string } };
    expect(pins).toContain(`nanobind==${config.tools.nanobind}`);
    const numpy = pins.filter((p) => p.startsWith("numpy=="));
    expect(numpy.length).toBeGreaterThanOrEqual(1);
    for (const p of numpy) expect(p).toMatch(/^numpy==\d+\.\d+\.\d+( ; python_full_version .*)?$/);
    // 3.13 (and so 3.13t, which no marker tells apart) gets a numpy below 2.5: the newest with cp313t wheels.
    const on313 = numpy.filter((p) => /python_full_version == '3\.13\.\*'/.test(p));
    expect(on313).toHaveLength(1);
    expect(on313[0]).toMatch(/^numpy==2\.[0-4]\./);
  });

  it("a rebuild writes the recorded files back with their recorded digests, and refuses altered text", () => {
    const tools = pinnedRequirements(REPO, join(DIR, "tools-linux.txt"));
    const build = pinnedRequirements(REPO, join(DIR, "build.txt"));
    const m = { provenance: { builder: "b", pipelineVersion: "p", layer: {}, requirements: { tools, build } } } as unknown as ReleaseManifest;
    const out = recordedRequirements(m, tmp).requirements!;
    expect(sha256Hex(readFileSync(out.tools!))).toBe(tools.sha256);
    expect(sha256Hex(readFileSync(out.build!))).toBe(build.sha256);
    const altered = { provenance: { ...m.provenance, requirements: { tools, build: { ...build, text: build.text.replace("nanobind==2.9.2", "nanobind==2.13.0") } } } } as unknown as ReleaseManifest;
    expect(() => recordedRequirements(altered, tmp)).toThrow(/build\.txt text does not match its recorded sha256/);
    expect(recordedRequirements({ provenance: { builder: "b", pipelineVersion: "p", layer: {} } } as unknown as ReleaseManifest, tmp)).toEqual({});
  });
});
