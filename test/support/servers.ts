// Real servers on 127.0.0.1 for publish tests: pypiserver (from the tools venv) with an
// htpasswd-protected upload, and a static file server for the generated index site.
import { execFileSync } from "node:child_process";
import { createReadStream, existsSync, mkdirSync, realpathSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createServer as netServer, type AddressInfo } from "node:net";
import { extname, join, normalize } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { execa, type ResultPromise } from "execa";
import { TOOLS } from "./env.js";

export async function freePort(): Promise<number> {
  const s = netServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function waitHttp(url: string, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const r = await fetch(url);
      if (r.status < 500) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() > until) throw new Error(`${url} did not come up within ${timeoutMs} ms`);
    await sleep(100);
  }
}

export interface PypiServer {
  url: string;
  simpleUrl: string;
  packages: string;
  token: string;
  stop(): Promise<void>;
}

export async function startPypiServer(dir: string): Promise<PypiServer> {
  const packages = join(dir, "packages");
  mkdirSync(packages, { recursive: true });
  const token = `pypi-test-${Math.random().toString(36).slice(2)}`;
  const htpasswd = join(dir, "htpasswd");
  execFileSync(join(TOOLS, "bin", "python"), [
    "-c",
    "import sys; from passlib.apache import HtpasswdFile as H; h=H(sys.argv[1], new=True); h.set_password('__token__', sys.argv[2]); h.save()",
    htpasswd,
    token,
  ]);
  const port = await freePort();
  const proc: ResultPromise = execa(
    join(TOOLS, "bin", "pypi-server"),
    ["run", "-i", "127.0.0.1", "-p", String(port), "-a", "update", "-P", htpasswd, "--hash-algo", "sha256", "--disable-fallback", packages],
    { reject: false, stdio: ["ignore", "ignore", "pipe"] },
  );
  const url = `http://127.0.0.1:${port}`;
  await waitHttp(`${url}/simple/`);
  return {
    url,
    simpleUrl: `${url}/simple/`,
    packages,
    token,
    async stop() {
      proc.kill("SIGTERM");
      await proc;
    },
  };
}

export interface StaticServer {
  url: string;
  requests: string[];
  stop(): Promise<void>;
}

const TYPES: Record<string, string> = { ".html": "text/html", ".json": "application/json", ".whl": "application/octet-stream", ".png": "image/png" };

/** Serves `root` (symlinks followed, directories by index.html; PEP 691 JSON when asked for). */
export async function serveStatic(root: string): Promise<StaticServer> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    requests.push(path);
    let file = normalize(join(root, path));
    if (!file.startsWith(normalize(root))) return void res.writeHead(403).end();
    try {
      const accept = req.headers.accept ?? "";
      if (existsSync(file) && statSync(file).isDirectory()) {
        const json = join(file, "index.json");
        file = accept.includes("application/vnd.pypi.simple.v1+json") && existsSync(json) ? json : join(file, "index.html");
      }
      if (!existsSync(file)) return void res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      const real = realpathSync(file);
      const type = file.endsWith("index.json") && path.includes("/simple/") ? "application/vnd.pypi.simple.v1+json" : (TYPES[extname(file)] ?? "application/octet-stream");
      res.writeHead(200, { "content-type": type, "content-length": String(statSync(real).size) });
      createReadStream(real).pipe(res);
    } catch (e) {
      res.writeHead(500).end(String(e));
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A fresh venv of `python` (default: the tools venv's interpreter), isolated from pip config. */
export async function freshVenv(dir: string, python = join(TOOLS, "bin", "python")): Promise<{ py: string; pip: (args: string[]) => Promise<string> }> {
  await execa(python, ["-m", "venv", "--clear", dir]);
  const py = join(dir, "bin", "python");
  const env = { PIP_CONFIG_FILE: "/dev/null", PIP_DISABLE_PIP_VERSION_CHECK: "1", PIP_NO_CACHE_DIR: "1" };
  return {
    py,
    pip: async (args) => (await execa(py, ["-m", "pip", ...args], { env, all: true })).all ?? "",
  };
}
