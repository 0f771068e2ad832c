// The dashboard in real headless Chromium (Debian's chromium, driven by playwright-core): it
// renders the releases and their matrix, every link on it resolves on the served site, and a
// screenshot is saved under test-output/.
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addRelease, indexPaths } from "../../src/site/store.js";
import { loadStage, writeStage } from "../../src/stage/stage.js";
import { OUTPUT } from "../support/env.js";
import { makeFixtureRelease } from "../support/release-fixture.js";
import { serveStatic, type StaticServer } from "../support/servers.js";

const tmp = (): string => mkdtempSync(join(tmpdir(), "dash-"));
const CHROMIUM = process.env["MLIR_RELEASE_CHROMIUM"] ?? "/usr/bin/chromium";
export const SCREENSHOT = join(OUTPUT, "dashboard.png");

describe("dashboard in headless Chromium", () => {
  let site: StaticServer;
  const root = join(tmp(), "index");
  beforeAll(async () => {
    const releases: Array<[string, "snapshot" | "numbered", Record<string, string>]> = [
      ["22.1.8", "numbered", {}],
      ["23.0.0.dev2026112401", "snapshot", { "23.0.0.dev2026112401": "miscompiles affine loops" }],
      ["23.0.0.dev2026112501", "snapshot", {}],
    ];
    for (const [v, kind, yanked] of releases) {
      const fx = await makeFixtureRelease({ dir: tmp(), version: v, kind });
      const out = join(tmp(), "stage");
      await writeStage({ manifests: [{ ...fx.manifest, yanked }], artifactsDir: fx.dir, outDir: out });
      await addRelease(root, await loadStage(out), { title: "MLIR Python bindings — test index", recent: 2 });
    }
    site = await serveStatic(indexPaths(root).site);
  });
  afterAll(async () => site?.stop());

  it("renders, every link resolves, screenshot saved", async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const resp = await page.goto(`${site.url}/`);
      expect(resp?.status()).toBe(200);
      expect(await page.title()).toBe("MLIR Python bindings — test index");
      const ids = await page.$$eval("section.release", (els) => els.map((e) => e.id));
      expect(ids).toEqual(["v23.0.0.dev2026112501", "v23.0.0.dev2026112401"]);

      expect(await page.locator("#v23\\.0\\.0\\.dev2026112401 .yanked").innerText()).toContain("miscompiles affine loops");
      // The matrix: rows per platform, a column per Python, wheel links in the cells.
      const headers = await page.$$eval("#v23\\.0\\.0\\.dev2026112501 table.matrix thead th", (els) => els.map((e) => e.textContent));
      expect(headers).toEqual(["platform", "Python 3.11", "Python 3.12"]);
      expect(await page.locator("#v23\\.0\\.0\\.dev2026112501 a.wheel").count()).toBe(2);
      // Notes open on click.
      await page.locator("#v23\\.0\\.0\\.dev2026112501 details summary").click();
      expect(await page.locator("#v23\\.0\\.0\\.dev2026112501 details pre").isVisible()).toBe(true);
      const hrefs = await page.$$eval("a[href]", (as) => as.map((a) => (a as unknown as { href: string }).href));
      const local = [...new Set(hrefs.filter((h) => h.startsWith(site.url)))];
      expect(local.length).toBeGreaterThan(8);
      for (const h of local) {
        const r = await page.request.get(h);
        expect(r.status(), h).toBe(200);
      }
      // Older releases are listed compactly, each with its own page.
      expect(await page.locator("#older tbody tr").count()).toBe(1);
      await page.click("#older a");
      expect(page.url()).toBe(`${site.url}/releases/22.1.8.html`);
      expect(await page.locator("section.release a.wheel").count()).toBe(2);
      for (const h of await page.$$eval("a[href]", (as) => as.map((a) => (a as unknown as { href: string }).href)))
        if (h.startsWith(site.url)) expect((await page.request.get(h)).status(), h).toBe(200);
      await page.goto(`${site.url}/`);
      // The simple index page is reachable from the dashboard and lists every wheel.
      await page.click("text=simple index");
      await page.click("text=mlir-python-bindings");
      expect(await page.locator("a").count()).toBe(6);
      await page.goto(`${site.url}/`);
      mkdirSync(OUTPUT, { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      process.stderr.write(`[dashboard] screenshot: ${SCREENSHOT}\n`);
    } finally {
      await browser.close();
    }
  });
});
