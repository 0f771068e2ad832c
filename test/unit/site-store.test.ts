// The index store: atomic regeneration by link swap, refusals, the lock of a dead publisher.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { addRelease, indexPaths, listIndexManifests, regenerate, removeRelease, withIndexLock } from "../../src/site/store.js";
import { stagedFixtureRelease as staged } from "../support/release-fixture.js";

const tmp = (): string => mkdtempSync(join(tmpdir(), "store-"));

describe("index store", () => {
  it("swaps the site link to a complete new generation; same input, same generation", async () => {
    const root = tmp();
    const P = indexPaths(root);
    await addRelease(root, await staged("22.1.8", "numbered"));
    const g1 = readlinkSync(P.site);
    expect(existsSync(join(P.site, "simple", "mlir-python-bindings", "index.html"))).toBe(true);
    const wheel = readdirSync(join(P.site, "files", "22.1.8")).find((f) => f.endsWith(".whl"))!;
    // PEP 658: the .metadata next to the wheel is the wheel's METADATA, hashed on the page.
    const meta = readFileSync(join(P.site, "files", "22.1.8", `${wheel}.metadata`), "utf8");
    expect(meta).toMatch(/^Metadata-Version: 2\.1\nName: mlir-python-bindings\nVersion: 22\.1\.8/);
    await regenerate(root);
    expect(readlinkSync(P.site)).toBe(g1);
    await addRelease(root, await staged("23.0.0.dev2026112501"));
    const g2 = readlinkSync(P.site);
    expect(g2).not.toBe(g1);
    // The old generation stays complete for readers still in it; older ones are collected.
    expect(existsSync(join(root, g1, "simple", "mlir-python-bindings", "index.html"))).toBe(true);
    expect(readFileSync(join(root, g1, "simple", "mlir-python-bindings", "index.html"), "utf8")).not.toContain("dev2026");
    await addRelease(root, await staged("23.0.0.dev2026112601"));
    expect(existsSync(join(root, g1))).toBe(false);
    expect(readdirSync(P.generations)).toHaveLength(2);
  });

  it("refuses a second, different build under a published version", async () => {
    const root = tmp();
    await addRelease(root, await staged("22.1.8", "numbered", "a".repeat(40)));
    await expect(addRelease(root, await staged("22.1.8", "numbered", "b".repeat(40)))).rejects.toThrow(/already published with a different manifest/);
    expect(listIndexManifests(root)[0]!.plan.llvm.commit).toBe("a".repeat(40));
  });

  it("takes over the lock of a publisher that died, and waits for a live one", async () => {
    const root = tmp();
    const P = indexPaths(root);
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]).stdout.toString();
    mkdirSync(P.lock, { recursive: true });
    writeFileSync(join(P.lock, "owner"), `${dead}:x`);
    await addRelease(root, await staged("22.1.8", "numbered"));
    expect(existsSync(P.lock)).toBe(false);
    // A live holder: the second caller waits until the first is done.
    const order: string[] = [];
    await Promise.all([
      withIndexLock(root, async () => {
        order.push("a-in");
        await new Promise((r) => setTimeout(r, 100));
        order.push("a-out");
      }),
      withIndexLock(root, async () => {
        order.push("b-in");
        order.push("b-out");
      }),
    ]);
    expect(order.join(",")).toMatch(/^(a-in,a-out,b-in,b-out|b-in,b-out,a-in,a-out)$/);
  });

  it("removes a release from the index: listing first, then files", async () => {
    const root = tmp();
    await addRelease(root, await staged("22.1.8", "numbered"));
    await addRelease(root, await staged("23.0.0.dev2026112501"));
    await removeRelease(root, "23.0.0.dev2026112501");
    expect(listIndexManifests(root).map((m) => m.plan.version)).toEqual(["22.1.8"]);
    expect(readFileSync(join(indexPaths(root).site, "simple", "mlir-python-bindings", "index.html"), "utf8")).not.toContain("dev2026");
    expect(existsSync(join(indexPaths(root).files, "23.0.0.dev2026112501"))).toBe(false);
  });
});
