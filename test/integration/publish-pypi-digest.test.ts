// The PyPI job's rule, against real servers on 127.0.0.1: the per-target file filter and size
// limit; the comparison by sha256 with the index's PEP 691 JSON listing (a small local JSON API
// server, since pypiserver speaks only PEP 503 HTML) and with pypiserver — same digest skipped,
// other bytes fail naming the file, missing uploaded; interrupted uploads (a strict prefix of the
// staged file, or not a wheel) replaced where the server allows removal, a complete file with other
// bytes never; and a publisher whose whole process group (twine included) is SIGKILLed mid-upload,
// after which a rerun converges and stale index temp files are removed.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { connect, createServer as createTcpServer, type Server as TcpServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectForPypi, classifyServerCopy, PEP691_ACCEPT, publishPypi, selectForPypi } from "../../src/publish/pypi.js";
import { addRelease, indexPaths } from "../../src/site/store.js";
import { loadStage, writeStage, type LoadedStage, type StagedFile } from "../../src/stage/stage.js";
import { REPO, testEnv, TOOLS } from "../support/env.js";
import { makeFixtureRelease, stagedFixtureRelease } from "../support/release-fixture.js";
import { startPypiServer, type PypiServer } from "../support/servers.js";

const tmp = (): string => mkdtempSync(join(tmpdir(), "pypi-digest-"));
const sha = (b: Buffer): string => createHash("sha256").update(b).digest("hex");

/** A PEP 691 JSON simple API on 127.0.0.1 serving the given files (name → bytes) for one project. */
async function jsonIndex(project: string, files: Record<string, Buffer>): Promise<{ url: string; accepts: string[]; stop: () => Promise<void> }> {
  const accepts: string[] = [];
  const server: Server = createServer((req, res) => {
    accepts.push(String(req.headers.accept));
    const page = `/simple/${project}/`;
    if (req.url === page) {
      if (!String(req.headers.accept).includes("application/vnd.pypi.simple.v1+json")) {
        res.writeHead(406).end();
        return;
      }
      res.writeHead(200, { "content-type": "application/vnd.pypi.simple.v1+json" });
      res.end(
        JSON.stringify({
          meta: { "api-version": "1.1" },
          name: project,
          files: Object.entries(files).map(([filename, b]) => ({ filename, url: `../../files/${filename}`, hashes: { sha256: sha(b) }, size: b.length })),
        }),
      );
    } else if (req.url?.startsWith("/files/") && files[req.url.slice(7)]) res.writeHead(200).end(files[req.url.slice(7)]);
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}/simple/`, accepts, stop: () => new Promise((r) => server.close(() => r())) };
}

/** TCP proxy to target that forwards client bytes at `rate` bytes/s, counting them. */
async function slowProxy(targetPort: number, rate: number): Promise<{ url: string; forwarded: () => number; stop: () => Promise<void> }> {
  let forwarded = 0;
  const server: TcpServer = createTcpServer((client) => {
    const up = connect(targetPort, "127.0.0.1");
    up.pipe(client);
    client.on("data", (chunk: Buffer) => {
      client.pause();
      up.write(chunk, () => {
        forwarded += chunk.length;
        setTimeout(() => client.resume(), Math.ceil((chunk.length / rate) * 1000));
      });
    });
    client.on("end", () => up.end());
    client.on("error", () => up.end());
    client.on("close", () => up.end());
    up.on("error", () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}`, forwarded: () => forwarded, stop: () => new Promise((r) => server.close(() => r())) };
}

/** Pids whose process group is pgid (from /proc). */
function groupMembers(pgid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) === pgid && fields[0] !== "Z") out.push(Number(d));
    } catch {
      /* exited */
    }
  }
  return out;
}

const cmdline = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
  } catch {
    return "";
  }
};

describe("PyPI from the stage, compared by digest", () => {
  let server: PypiServer;
  let st: LoadedStage;
  const env = testEnv("publish-pypi-digest");
  const opts = () => ({ repositoryUrl: server.url, simpleUrl: server.simpleUrl, twine: join(TOOLS, "bin", "twine"), env, environ: { TWINE_PASSWORD: server.token } });
  beforeAll(async () => {
    server = await startPypiServer(tmp());
    st = await stagedFixtureRelease("22.1.20", "numbered");
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("the per-target filter keeps the dev wheel and dev tarball off PyPI and names every file over the size limit", () => {
    const f = (fileName: string, kind: string, size: number): StagedFile => ({ fileName, kind, size, path: `/nonexistent/${fileName}`, sha256: "1".repeat(64) });
    const files = [
      f("mlir_python_bindings-22.1.8-cp312-cp312-manylinux_2_17_x86_64.whl", "wheel", 60 << 20),
      f("mlir_python_bindings_dev-22.1.8-py3-none-manylinux_2_17_x86_64.whl", "dev-wheel", 320 << 20),
      f("mlir-python-bindings-dev-22.1.8.tar.xz", "dev-tarball", 300 << 20),
      f("mlir_python_bindings-22.1.8-cp313-cp313-win_amd64.whl", "wheel", 101 << 20),
      f("RELEASE_NOTES.md", "notes", 10),
    ];
    const r = selectForPypi(files);
    expect(r.files.map((x) => x.fileName)).toEqual(["mlir_python_bindings-22.1.8-cp312-cp312-manylinux_2_17_x86_64.whl"]);
    expect(r.skipped.map((s) => s.file)).toEqual(files.slice(1).map((x) => x.fileName));
    expect(r.skipped[0]!.reason).toMatch(/dev-wheel goes to GitHub Releases and the index only/);
    expect(r.skipped[2]!.reason).toMatch(/105906176 bytes is over publish\.pypi\.maxFileBytes \(104857600\)/);
    // A configured rule: a larger limit lets the big wheel through; the dev kit still stays off.
    expect(selectForPypi(files, { maxFileBytes: 200 << 20 }).files.map((x) => x.kind)).toEqual(["wheel", "wheel"]);
  });

  it("classifies a server copy: same bytes, strict prefix, not a wheel, complete other bytes", () => {
    const staged = Buffer.from("PK\u0003\u0004 a staged wheel's bytes ...");
    expect(classifyServerCopy(staged, staged, true).state).toBe("same");
    expect(classifyServerCopy(staged.subarray(0, 10), staged, false)).toMatchObject({ state: "interrupted", why: expect.stringMatching(/10 of \d+ bytes, a strict prefix/) });
    expect(classifyServerCopy(Buffer.from("garbage"), staged, false)).toMatchObject({ state: "interrupted", why: expect.stringMatching(/not a valid wheel/) });
    expect(classifyServerCopy(Buffer.from("another complete wheel"), staged, true).state).toBe("conflict");
  });

  it("PEP 691 JSON: same sha256 is skipped, missing is collected, other bytes fail naming the file (the dev wheel never collected)", async () => {
    const [a, b] = st.files.filter((f) => f.kind === "wheel");
    // A dev wheel in the stage (as a real release has): never collected.
    const dev: StagedFile = { ...a!, fileName: a!.fileName.replace("mlir_python_bindings-", "mlir_python_bindings_dev-"), kind: "dev-wheel" };
    const stage = { ...st, files: [...st.files, dev] };
    const idx = await jsonIndex("mlir-python-bindings", { [a!.fileName]: readFileSync(a!.path) });
    try {
      const out = join(tmp(), "pypi-dist");
      const r = await collectForPypi(stage, { simpleUrl: idx.url, outDir: out });
      expect(r).toMatchObject({ present: [a!.fileName], upload: [b!.fileName] });
      expect(r.skipped.map((s) => s.file)).toContain(dev.fileName);
      expect(readdirSync(out)).toEqual([b!.fileName]);
      expect(sha(readFileSync(join(out, b!.fileName)))).toBe(b!.sha256);
      expect(idx.accepts[0]).toBe(PEP691_ACCEPT);
    } finally {
      await idx.stop();
    }
    // A pre-existing file with other bytes (a complete wheel of another build) under a staged name.
    const other = await makeFixtureRelease({ dir: tmp(), version: "22.1.20", kind: "numbered", commit: "e".repeat(40) });
    const otherWheel = readFileSync(join(other.dir, a!.fileName));
    expect(sha(otherWheel)).not.toBe(a!.sha256);
    const bad = await jsonIndex("mlir-python-bindings", { [a!.fileName]: otherWheel });
    try {
      const out = join(tmp(), "pypi-dist");
      await expect(collectForPypi(stage, { simpleUrl: bad.url, outDir: out })).rejects.toThrow(
        new RegExp(`${a!.fileName.replace(/[.]/g, "\\.")}: the server has a complete wheel with other bytes.*publish a new version`),
      );
      expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
    } finally {
      await bad.stop();
    }
  });

  it("pypiserver: an interrupted upload (strict prefix, or not a wheel) is named and replaced; a complete file with other bytes never", async () => {
    const s = await stagedFixtureRelease("22.1.21", "numbered");
    const [a, b] = s.files;
    const staged = readFileSync(a!.path);
    // What a killed twine left: the first part of the wheel under the real name.
    writeFileSync(join(server.packages, a!.fileName), staged.subarray(0, Math.floor(staged.length / 2)));
    await expect(publishPypi(s, opts())).rejects.toThrow(/strict prefix of the staged file \(an interrupted upload\).*remove that file on the index/s);
    const logs: string[] = [];
    const r = await publishPypi(s, { ...opts(), removeInterrupted: true }, { log: (l) => logs.push(l) });
    expect(r.map((x) => x.action)).toEqual(["uploaded", "uploaded"]);
    expect(logs.join("\n")).toMatch(new RegExp(`${a!.fileName.replace(/[.]/g, "\\.")}: the server copy is \\d+ of ${staged.length} bytes`));
    expect(sha(readFileSync(join(server.packages, a!.fileName)))).toBe(a!.sha256);
    expect(sha(readFileSync(join(server.packages, b!.fileName)))).toBe(b!.sha256);

    // Not a wheel at all (same length, other bytes): also an interrupted/damaged upload.
    const s2 = await stagedFixtureRelease("22.1.22", "numbered");
    writeFileSync(join(server.packages, s2.files[0]!.fileName), Buffer.alloc(s2.files[0]!.size, 0x20));
    expect((await publishPypi(s2, { ...opts(), removeInterrupted: true })).map((x) => x.action)).toEqual(["uploaded", "uploaded"]);
    expect(sha(readFileSync(join(server.packages, s2.files[0]!.fileName)))).toBe(s2.files[0]!.sha256);

    // A complete wheel with other bytes: refused even where removal is allowed, and left in place.
    const other = await makeFixtureRelease({ dir: tmp(), version: "22.1.22", kind: "numbered", commit: "c".repeat(40) });
    const out = join(tmp(), "stage");
    await writeStage({ manifests: [other.manifest], artifactsDir: other.dir, outDir: out });
    const s3 = await loadStage(out);
    await expect(publishPypi(s3, { ...opts(), removeInterrupted: true })).rejects.toThrow(/complete wheel with other bytes/);
    expect(sha(readFileSync(join(server.packages, s2.files[0]!.fileName)))).toBe(s2.files[0]!.sha256);
  });

  it("a publisher whose whole process group is SIGKILLed mid-upload (twine included): nothing survives, the rerun converges, stale index temps go", async () => {
    const dir = tmp();
    const fx = await makeFixtureRelease({ dir: join(dir, "fx"), version: "22.1.30", kind: "numbered", payloadBytes: 6 << 20 });
    const stageDir = join(dir, "stage");
    await writeStage({ manifests: [fx.manifest], artifactsDir: fx.dir, outDir: stageDir });
    const s = await loadStage(stageDir);
    const total = s.files.reduce((n, f) => n + f.size, 0);
    const proxy = await slowProxy(Number(new URL(server.url).port), 2 << 20);
    const indexRoot = join(dir, "index");
    // What a publisher killed during the index copy leaves (pid 2^22+1 is above pid_max's default).
    mkdirSync(join(indexPaths(indexRoot).files, "22.1.30"), { recursive: true });
    const stale = join(indexPaths(indexRoot).files, "22.1.30", `${s.files[0]!.fileName}.tmp-4194305`);
    writeFileSync(stale, readFileSync(s.files[0]!.path).subarray(0, 1000));
    const cfg = join(dir, "release.config.json");
    writeFileSync(cfg, JSON.stringify({ publish: { pypi: { repositoryUrl: proxy.url, simpleUrl: server.simpleUrl, removeInterrupted: true }, index: { baseUrl: "https://example.org/mlir", root: indexRoot } } }));
    const cli = (detached: boolean) =>
      execa(process.execPath, ["--import", "tsx", join(REPO, "src", "cli.ts"), "publish", "--stage", stageDir, "--config", cfg, "--targets", "pypi,index", "--log", join(dir, "cli.log")], {
        cwd: REPO,
        reject: false,
        detached,
        env: { TWINE_PASSWORD: server.token, MLIR_RELEASE_TOOLS: TOOLS },
      });
    try {
      const p = cli(true);
      const pgid = p.pid!;
      // Wait until twine is sending (a third of the first wheel through the proxy), then kill the group.
      let twineSeen = false;
      const until = Date.now() + 120_000;
      while (Date.now() < until && proxy.forwarded() < s.files[0]!.size / 3) {
        twineSeen ||= groupMembers(pgid).some((pid) => cmdline(pid).includes("twine"));
        await new Promise((r) => setTimeout(r, 20));
      }
      twineSeen ||= groupMembers(pgid).some((pid) => cmdline(pid).includes("twine"));
      expect(twineSeen).toBe(true);
      expect(proxy.forwarded()).toBeLessThan(total);
      process.kill(-pgid, "SIGKILL");
      const killed = await p;
      expect(killed.signal).toBe("SIGKILL");
      await new Promise((r) => setTimeout(r, 200));
      expect(groupMembers(pgid).map(cmdline)).toEqual([]);
      const leftover = existsSync(join(server.packages, s.files[0]!.fileName)) ? readFileSync(join(server.packages, s.files[0]!.fileName)).length : 0;
      process.stderr.write(`[pypi-kill] killed group ${pgid} with ${proxy.forwarded()} of ${total} bytes sent; server copy of the first wheel: ${leftover} bytes\n`);

      const rerun = await cli(false);
      expect(rerun.exitCode, rerun.stderr).toBe(0);
      for (const f of s.files) expect(sha(readFileSync(join(server.packages, f.fileName))), f.fileName).toBe(f.sha256);
      expect(existsSync(stale)).toBe(false);
      expect(readdirSync(join(indexPaths(indexRoot).files, "22.1.30")).filter((n) => n.includes(".tmp-"))).toEqual([]);
      const again = await cli(false);
      expect(JSON.parse(again.stdout).actions.every((a: { action: string }) => a.action === "skipped")).toBe(true);
    } finally {
      await proxy.stop();
    }
  }, 300_000);

  it("stale temp files are removed by the next index publish", async () => {
    const s = await stagedFixtureRelease("22.1.31", "numbered");
    const root = join(tmp(), "index");
    await addRelease(root, s);
    const stale = join(indexPaths(root).files, "22.1.31", `${s.files[0]!.fileName}.tmp-4194306`);
    writeFileSync(stale, "half a copy");
    const s2 = await stagedFixtureRelease("22.1.32", "numbered");
    const logs: string[] = [];
    await addRelease(root, s2, { log: (l) => logs.push(l) });
    expect(existsSync(stale)).toBe(false);
    expect(logs.join("\n")).toMatch(/removed 22\.1\.31\/.*\.tmp-4194306, left by a publisher that was stopped mid-copy/);
  });
});
