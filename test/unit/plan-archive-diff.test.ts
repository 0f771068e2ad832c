import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { zipSync } from "fflate";
import { afterAll, describe, expect, it } from "vitest";
import { differingMembers, firstDifference, firstDifferingMember, tarMembers, zipMembers } from "../../src/rebuild/archive-diff.js";
import { compareArtifacts } from "../../src/rebuild/rebuild.js";
import { sha256Hex } from "../../src/util/hash.js";

const dir = mkdtempSync(join(tmpdir(), "archive-diff-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const mtime = new Date("2026-01-01T00:00:00Z");
function wheel(name: string, files: Record<string, string>, opts: { mtime?: Date; attrs?: number } = {}): string {
  const entries = Object.fromEntries(
    Object.entries(files).map(([k, v]) => [k, [enc(v), { mtime: opts.mtime ?? mtime, ...(opts.attrs ? { attrs: opts.attrs } : {}) }] as const]),
  );
  const path = join(dir, name);
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, zipSync(entries as never, { level: 6 }));
  return path;
}

describe("first differing member", () => {
  it("names the member whose content, timestamp or permissions differ, or the order", async () => {
    const base = { "mlir/__init__.py": "x = 1\n", "mlir/_mlir.so": "ELF...", "mlir-1.0.dist-info/RECORD": "r\n" };
    const a = wheel("a/pkg-1.0-py3-none-any.whl", base);
    const same = wheel("b/pkg-1.0-py3-none-any.whl", base);
    expect(sha256Hex(readFileSync(a))).toBe(sha256Hex(readFileSync(same)));
    expect(firstDifference(await zipMembers(a), await zipMembers(same))).toBeUndefined();

    const content = wheel("c.whl", { ...base, "mlir/_mlir.so": "ELF..!" });
    expect(await firstDifferingMember(a, content)).toBe("mlir/_mlir.so: content (6 vs 6 bytes)");
    const time = wheel("d.whl", base, { mtime: new Date("2026-01-02T00:00:00Z") });
    expect(await firstDifferingMember(a, time)).toMatch(/^mlir\/__init__.py: timestamp \(\d+ vs \d+\)$/);
    const perms = wheel("e.whl", base, { attrs: 0o755 << 16 });
    expect(await firstDifferingMember(a, perms)).toMatch(/^mlir\/__init__.py: permissions \(0 vs 755\)/);
    const order = wheel("f.whl", { "mlir/_mlir.so": "ELF...", "mlir/__init__.py": "x = 1\n", "mlir-1.0.dist-info/RECORD": "r\n" });
    expect(await firstDifferingMember(a, order)).toBe("member #1: mlir/__init__.py in the recorded artifact, mlir/_mlir.so in the rebuilt one (order or names differ)");
    const extra = wheel("g.whl", { ...base, "mlir/extra.py": "" });
    expect(await firstDifferingMember(a, extra)).toBe("member #4: mlir/extra.py only in the rebuilt one (3 vs 4 members)");
  });

  it("lists every differing member, whatever the order, and the ones only one side has", async () => {
    const base = { "mlir/__init__.py": "x = 1\n", "mlir/_mlir.so": "ELF...", "mlir/a.pyi": "a\n", "mlir-1.0.dist-info/RECORD": "r\n" };
    const a = await zipMembers(wheel("all/a.whl", base));
    expect(differingMembers(a, await zipMembers(wheel("all/same.whl", base)))).toEqual([]);
    const b = await zipMembers(wheel("all/b.whl", { "mlir/a.pyi": "b\n", "mlir/_mlir.so": "ELF..!", "mlir/__init__.py": "x = 1\n", "mlir/new.py": "" }));
    expect(differingMembers(a, b)).toEqual(["mlir-1.0.dist-info/RECORD", "mlir/_mlir.so", "mlir/a.pyi", "mlir/new.py"]);
    expect(differingMembers(a, await zipMembers(wheel("all/t.whl", base, { mtime: new Date("2026-01-02T00:00:00Z") })))).toHaveLength(4);
  });

  it("reads tarball members (gzip, ustar) and names the first difference", async () => {
    const mk = async (name: string, text: string, mode: number): Promise<string> => {
      const root = join(dir, `${name}-root`);
      mkdirSync(join(root, "include"), { recursive: true });
      writeFileSync(join(root, "include", "a.h"), text);
      chmodSync(join(root, "include", "a.h"), mode);
      utimesSync(join(root, "include", "a.h"), mtime, mtime);
      utimesSync(join(root, "include"), mtime, mtime);
      const out = join(dir, `${name}.tar.gz`);
      await execa("tar", ["--sort=name", "--owner=0", "--group=0", "--numeric-owner", "--format=ustar", "-czf", out, "-C", root, "include"]);
      return out;
    };
    const t1 = await mk("t1", "int a;\n", 0o644);
    const t2 = await mk("t2", "int b;\n", 0o644);
    const t3 = await mk("t3", "int a;\n", 0o600);
    expect((await tarMembers(t1)).map((m) => m.name)).toEqual(["include/", "include/a.h"]);
    expect(await firstDifferingMember(t1, t2)).toBe("include/a.h: content (7 vs 7 bytes)");
    expect(await firstDifferingMember(t1, t3)).toBe("include/a.h: permissions (644 vs 600)");
    // zstd, as the dev tarball is compressed
    const z1 = `${t1.replace(/\.gz$/, "")}.zst`;
    const z2 = `${t2.replace(/\.gz$/, "")}.zst`;
    await execa("sh", ["-c", `gzip -dc ${t1} | zstd -q -o ${z1} && gzip -dc ${t2} | zstd -q -o ${z2}`]);
    expect(await tarMembers(z1)).toEqual(await tarMembers(t1));
    expect(await firstDifferingMember(z1, z2)).toBe("include/a.h: content (7 vs 7 bytes)");
  });

  it("reads pax and GNU long names as one member each (tar-stream, not a hand-written header walk)", async () => {
    const root = join(dir, "long");
    const deep = join(root, "include", "x".repeat(60), "y".repeat(60));
    mkdirSync(deep, { recursive: true });
    writeFileSync(join(deep, "header-with-a-long-name.h"), "int c;\n");
    const want = ["include/", `include/${"x".repeat(60)}/`, `include/${"x".repeat(60)}/${"y".repeat(60)}/`, `include/${"x".repeat(60)}/${"y".repeat(60)}/header-with-a-long-name.h`];
    for (const format of ["pax", "gnu"]) {
      const out = join(dir, `long-${format}.tar`);
      await execa("tar", ["--sort=name", `--format=${format}`, "-cf", out, "-C", root, "include"]);
      const members = await tarMembers(out);
      expect(members.map((m) => m.name), format).toEqual(want);
      expect(members[3]!.size).toBe(7);
    }
    writeFileSync(join(dir, "not.tar"), "x".repeat(700));
    await expect(tarMembers(join(dir, "not.tar"))).rejects.toThrow(/not a readable tar archive/);
  });

  it("compareArtifacts reports equal, different (with the member) and missing", async () => {
    const rec = join(dir, "recorded");
    const reb = join(dir, "rebuilt");
    mkdirSync(rec, { recursive: true });
    mkdirSync(reb, { recursive: true });
    const files = { "mlir/__init__.py": "x = 1\n" };
    wheel("recorded/same-1.0-py3-none-any.whl", files);
    wheel("rebuilt/same-1.0-py3-none-any.whl", files);
    wheel("recorded/diff-1.0-py3-none-any.whl", files);
    wheel("rebuilt/diff-1.0-py3-none-any.whl", { "mlir/__init__.py": "x = 2\n" });
    const art = (f: string) => ({ kind: "wheel" as const, fileName: f, sha256: sha256Hex(readFileSync(join(rec, f))), size: 1 });
    const r = await compareArtifacts(
      [art("same-1.0-py3-none-any.whl"), art("diff-1.0-py3-none-any.whl"), { kind: "wheel", fileName: "gone-1.0-py3-none-any.whl", sha256: "0".repeat(64), size: 1 }],
      reb,
      rec,
    );
    expect(r.map((x) => [x.fileName, x.result, x.firstDifference ?? x.note ?? null])).toEqual([
      ["same-1.0-py3-none-any.whl", "equal", null],
      ["diff-1.0-py3-none-any.whl", "different", "mlir/__init__.py: content (6 vs 6 bytes)"],
      ["gone-1.0-py3-none-any.whl", "missing", "not produced by the rebuild"],
    ]);
    // Without the recorded file at hand, the report says why no member is named.
    const r2 = await compareArtifacts([art("diff-1.0-py3-none-any.whl")], reb, join(dir, "nowhere"));
    expect(r2[0]?.firstDifference).toMatch(/^the recorded file is not next to the manifest/);
  });
});
