// A local stand-in for the part of the GitHub REST API the publisher uses, on 127.0.0.1:
// releases (create, get by tag, list, update, delete), tag refs (delete), assets (list,
// upload, delete) and browser downloads — with GitHub's response shapes and status codes —
// plus injected faults: 5xx, secondary rate limits with Retry-After, connections reset in the
// middle of an upload (leaving a half-uploaded "starter" asset, as GitHub does), and seeded
// stale assets.
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { GithubOptions } from "../../src/publish/github.js";

export type FaultKind = "500" | "502" | "503" | "secondary-rate-limit" | "reset-mid-upload";
export interface Fault {
  kind: FaultKind;
  method?: string;
  /** Matched against the request path (no query). */
  path?: RegExp;
}

interface Asset {
  id: number;
  name: string;
  label: string | null;
  state: "uploaded" | "starter";
  size: number;
  digest: string | null;
  content_type: string;
  data: Buffer;
  created_at: string;
}

interface Release {
  id: number;
  tag_name: string;
  name: string | null;
  body: string | null;
  draft: boolean;
  prerelease: boolean;
  target_commitish: string;
  created_at: string;
  assets: Asset[];
}

export interface ReleaseSnapshot {
  tag: string;
  name: string | null;
  body: string | null;
  prerelease: boolean;
  assets: Array<{ name: string; size: number; digest: string | null; state: string }>;
}

const DOCS = "https://docs.github.com/rest";

export class FakeGitHub {
  private server?: Server;
  private nextId = 1000;
  readonly releases = new Map<string, Release>(); // by "owner/repo"+tag
  readonly tags = new Set<string>();
  readonly faults: Fault[] = [];
  readonly faultsFired: Fault[] = [];
  /** Commits by "owner/repo" (newest first) for the CI gate's endpoints: list, get (with files). */
  readonly commits = new Map<string, Array<{ sha: string; date: string; files: string[]; message?: string }>>();
  /** Check runs and commit statuses by "owner/repo#sha". */
  readonly checks = new Map<string, { runs: Array<{ id: number; name: string; status: string; conclusion: string | null }>; statuses: Array<{ id: number; context: string; state: string }> }>();
  readonly requests: Array<{ method: string; path: string; status: number }> = [];
  readonly token: string;
  port = 0;

  constructor(opts: { token?: string } = {}) {
    this.token = opts.token ?? "ghs_test_token";
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        if (!res.headersSent) this.json(res, 500, { message: String(e) }, req);
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, "127.0.0.1", r));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }

  /** The publisher's options for a repository on this server, its back-off cut to milliseconds. */
  publisherOptions(owner = "o", repo = "r"): GithubOptions {
    return { token: this.token, owner, repo, apiUrl: this.url, retryUnitMs: 1 };
  }

  /** Seeds a branch's first-parent history (any order; served newest first). */
  seedCommits(owner: string, repo: string, commits: Array<{ sha: string; date: string; files: string[]; message?: string }>): void {
    this.commits.set(`${owner}/${repo}`, [...commits].sort((a, b) => (a.date < b.date ? 1 : -1)));
  }

  /** Check runs (name, status, conclusion) and statuses (context, state) of a commit; later entries are newer. */
  setChecks(
    owner: string,
    repo: string,
    sha: string,
    c: { runs?: Array<{ name: string; status?: string; conclusion?: string | null }>; statuses?: Array<{ context: string; state: string }> },
  ): void {
    this.checks.set(`${owner}/${repo}#${sha}`, {
      runs: (c.runs ?? []).map((r) => ({ id: this.nextId++, name: r.name, status: r.status ?? "completed", conclusion: r.conclusion === undefined ? "success" : r.conclusion })),
      statuses: (c.statuses ?? []).map((st) => ({ id: this.nextId++, context: st.context, state: st.state })),
    });
  }

  inject(...faults: Fault[]): void {
    this.faults.push(...faults);
  }

  /** A half-uploaded asset, as left by an upload that died: state "starter", partial size. */
  seedStaleAsset(owner: string, repo: string, tag: string, name: string, partial: Buffer): void {
    const rel = this.releases.get(`${owner}/${repo}#${tag}`);
    if (!rel) throw new Error(`no release ${tag}`);
    rel.assets.push(this.asset(name, partial, "starter"));
  }

  /** The observable state, without ids and timestamps, for comparing runs. */
  snapshot(): ReleaseSnapshot[] {
    return [...this.releases.values()]
      .map((r) => ({
        tag: r.tag_name,
        name: r.name,
        body: r.body,
        prerelease: r.prerelease,
        assets: r.assets
          .map((a) => ({ name: a.name, size: a.size, digest: a.digest, state: a.state }))
          .sort((a, b) => (a.name < b.name ? -1 : 1)),
      }))
      .sort((a, b) => (a.tag < b.tag ? -1 : 1));
  }

  private asset(name: string, data: Buffer, state: Asset["state"], contentType = "application/octet-stream"): Asset {
    return {
      id: this.nextId++,
      name,
      label: null,
      state,
      size: data.length,
      digest: state === "uploaded" ? `sha256:${createHash("sha256").update(data).digest("hex")}` : null,
      content_type: contentType,
      data,
      created_at: new Date().toISOString(),
    };
  }

  private assetJson(owner: string, repo: string, rel: Release, a: Asset): Record<string, unknown> {
    return {
      url: `${this.url}/repos/${owner}/${repo}/releases/assets/${a.id}`,
      browser_download_url: `${this.url}/${owner}/${repo}/releases/download/${encodeURIComponent(rel.tag_name)}/${encodeURIComponent(a.name)}`,
      id: a.id,
      node_id: `RA_${a.id}`,
      name: a.name,
      label: a.label,
      state: a.state,
      content_type: a.content_type,
      size: a.size,
      digest: a.digest,
      download_count: 0,
      created_at: a.created_at,
      updated_at: a.created_at,
      uploader: { login: "release-bot", id: 1, type: "Bot" },
    };
  }

  private releaseJson(owner: string, repo: string, r: Release): Record<string, unknown> {
    const base = `${this.url}/repos/${owner}/${repo}/releases/${r.id}`;
    return {
      url: base,
      html_url: `${this.url}/${owner}/${repo}/releases/tag/${encodeURIComponent(r.tag_name)}`,
      assets_url: `${base}/assets`,
      upload_url: `${this.url}/uploads/repos/${owner}/${repo}/releases/${r.id}/assets{?name,label}`,
      id: r.id,
      node_id: `RE_${r.id}`,
      tag_name: r.tag_name,
      target_commitish: r.target_commitish,
      name: r.name,
      body: r.body,
      draft: r.draft,
      prerelease: r.prerelease,
      created_at: r.created_at,
      published_at: r.draft ? null : r.created_at,
      author: { login: "release-bot", id: 1, type: "Bot" },
      assets: r.assets.map((a) => this.assetJson(owner, repo, r, a)),
    };
  }

  private json(res: ServerResponse, status: number, body: unknown, req: IncomingMessage, headers: Record<string, string> = {}): void {
    const path = (req.url ?? "").split("?")[0] ?? "";
    this.requests.push({ method: req.method ?? "", path, status });
    if (status === 204) {
      res.writeHead(204, headers).end();
      return;
    }
    const text = JSON.stringify(body);
    res.writeHead(status, {
      "content-type": "application/json; charset=utf-8",
      "x-github-api-version-selected": "2022-11-28",
      "x-ratelimit-limit": "5000",
      "x-ratelimit-remaining": "4999",
      ...headers,
    });
    res.end(text);
  }

  private notFound(res: ServerResponse, req: IncomingMessage): void {
    this.json(res, 404, { message: "Not Found", documentation_url: DOCS, status: "404" }, req);
  }

  private validation(res: ServerResponse, req: IncomingMessage, resource: string, field: string): void {
    this.json(
      res,
      422,
      { message: "Validation Failed", errors: [{ resource, code: "already_exists", field }], documentation_url: DOCS, status: "422" },
      req,
    );
  }

  private takeFault(method: string, path: string): Fault | undefined {
    const i = this.faults.findIndex((f) => (!f.method || f.method === method) && (!f.path || f.path.test(path)));
    if (i < 0) return undefined;
    const [f] = this.faults.splice(i, 1);
    this.faultsFired.push(f!);
    return f;
  }

  private body(req: IncomingMessage): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => resolve(Buffer.concat(chunks)));
      req.on("error", reject);
    });
  }

  private findById(key: string, id: number): Release | undefined {
    for (const [k, r] of this.releases) if (k.startsWith(`${key}#`) && r.id === id) return r;
    return undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? "GET";
    const u = new URL(req.url ?? "/", this.url);
    const path = u.pathname;
    // Browser downloads are public (like public repositories' assets).
    const dl = /^\/([^/]+)\/([^/]+)\/releases\/download\/([^/]+)\/([^/]+)$/.exec(path);
    if (method === "GET" && dl) {
      const rel = this.releases.get(`${dl[1]}/${dl[2]}#${decodeURIComponent(dl[3]!)}`);
      const a = rel?.assets.find((x) => x.name === decodeURIComponent(dl[4]!) && x.state === "uploaded");
      if (!a) return this.notFound(res, req);
      this.requests.push({ method, path, status: 200 });
      res.writeHead(200, { "content-type": a.content_type, "content-length": String(a.size) }).end(a.data);
      return;
    }
    const auth = req.headers.authorization ?? "";
    if (auth !== `token ${this.token}` && auth !== `Bearer ${this.token}`) {
      await this.body(req);
      return this.json(res, 401, { message: "Requires authentication", documentation_url: DOCS, status: "401" }, req);
    }
    const fault = this.takeFault(method, path);
    if (fault) {
      if (fault.kind === "secondary-rate-limit") {
        await this.body(req);
        return this.json(
          res,
          403,
          { message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.", documentation_url: DOCS, status: "403" },
          req,
          { "retry-after": "1", "x-ratelimit-remaining": "4990" },
        );
      }
      if (fault.kind === "reset-mid-upload") {
        const up = /^\/uploads\/repos\/([^/]+)\/([^/]+)\/releases\/(\d+)\/assets$/.exec(path);
        const rel = up ? this.findById(`${up[1]}/${up[2]}`, Number(up[3])) : undefined;
        const total = Number(req.headers["content-length"] ?? 0);
        const got: Buffer[] = [];
        let n = 0;
        await new Promise<void>((resolve) => {
          req.on("data", (c: Buffer) => {
            got.push(c);
            n += c.length;
            if (n >= total / 2) {
              req.pause();
              resolve();
            }
          });
          req.on("end", () => resolve());
        });
        const name = u.searchParams.get("name");
        if (rel && name && !rel.assets.some((a) => a.name === name)) rel.assets.push(this.asset(name, Buffer.concat(got), "starter"));
        this.requests.push({ method, path, status: 0 });
        req.socket.destroy();
        return;
      }
      await this.body(req);
      return this.json(res, Number(fault.kind), { message: fault.kind === "502" ? "Server Error" : "Service Unavailable" }, req);
    }

    let m: RegExpExecArray | null;
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/releases\/tags\/(.+)$/.exec(path)) && method === "GET") {
      const rel = this.releases.get(`${m[1]}/${m[2]}#${decodeURIComponent(m[3]!)}`);
      return rel ? this.json(res, 200, this.releaseJson(m[1]!, m[2]!, rel), req) : this.notFound(res, req);
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/releases$/.exec(path))) {
      const key = `${m[1]}/${m[2]}`;
      if (method === "GET") {
        const all = [...this.releases.entries()].filter(([k]) => k.startsWith(`${key}#`)).map(([, r]) => r).sort((a, b) => b.id - a.id);
        return this.page(req, res, u, all.map((r) => this.releaseJson(m![1]!, m![2]!, r)));
      }
      if (method === "POST") {
        const b = JSON.parse((await this.body(req)).toString() || "{}") as Partial<Release>;
        if (!b.tag_name) return this.json(res, 422, { message: "Validation Failed", errors: [{ resource: "Release", code: "missing_field", field: "tag_name" }], documentation_url: DOCS, status: "422" }, req);
        if (this.releases.has(`${key}#${b.tag_name}`)) return this.validation(res, req, "Release", "tag_name");
        const rel: Release = {
          id: this.nextId++,
          tag_name: b.tag_name,
          name: b.name ?? b.tag_name,
          body: b.body ?? null,
          draft: b.draft ?? false,
          prerelease: b.prerelease ?? false,
          target_commitish: b.target_commitish ?? "main",
          created_at: new Date().toISOString(),
          assets: [],
        };
        this.releases.set(`${key}#${b.tag_name}`, rel);
        this.tags.add(`${key}#${b.tag_name}`);
        return this.json(res, 201, this.releaseJson(m[1]!, m[2]!, rel), req, { location: `${this.url}/repos/${key}/releases/${rel.id}` });
      }
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/releases\/(\d+)$/.exec(path))) {
      const key = `${m[1]}/${m[2]}`;
      const rel = this.findById(key, Number(m[3]));
      if (!rel) {
        await this.body(req);
        return this.notFound(res, req);
      }
      if (method === "PATCH") {
        const b = JSON.parse((await this.body(req)).toString() || "{}") as Partial<Release>;
        for (const k of ["name", "body", "prerelease", "draft"] as const) if (b[k] !== undefined) (rel as unknown as Record<string, unknown>)[k] = b[k];
        return this.json(res, 200, this.releaseJson(m[1]!, m[2]!, rel), req);
      }
      if (method === "DELETE") {
        this.releases.delete(`${key}#${rel.tag_name}`);
        return this.json(res, 204, null, req);
      }
      if (method === "GET") return this.json(res, 200, this.releaseJson(m[1]!, m[2]!, rel), req);
    }
    // octokit sends ref "tags/x" URL-encoded (tags%2Fx), as GitHub accepts.
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/git\/refs\/tags\/(.+)$/.exec(decodeURIComponent(path))) && method === "DELETE") {
      const k = `${m[1]}/${m[2]}#${m[3]!}`;
      if (!this.tags.delete(k)) return this.json(res, 422, { message: "Reference does not exist", documentation_url: DOCS, status: "422" }, req);
      return this.json(res, 204, null, req);
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/releases\/(\d+)\/assets$/.exec(path)) && method === "GET") {
      const rel = this.findById(`${m[1]}/${m[2]}`, Number(m[3]));
      if (!rel) return this.notFound(res, req);
      return this.page(req, res, u, rel.assets.map((a) => this.assetJson(m![1]!, m![2]!, rel, a)));
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/releases\/assets\/(\d+)$/.exec(path)) && method === "GET") {
      for (const [k, r] of this.releases) {
        if (!k.startsWith(`${m[1]}/${m[2]}#`)) continue;
        const a = r.assets.find((x) => x.id === Number(m![3]));
        if (!a) continue;
        const json = this.assetJson(m[1]!, m[2]!, r, a);
        // Like the real API: the bytes are a 302 to the download location.
        if ((req.headers.accept ?? "").includes("application/octet-stream")) {
          this.requests.push({ method, path, status: 302 });
          res.writeHead(302, { location: String(json["browser_download_url"]) }).end();
          return;
        }
        return this.json(res, 200, json, req);
      }
      return this.notFound(res, req);
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/releases\/assets\/(\d+)$/.exec(path)) && method === "DELETE") {
      for (const [k, r] of this.releases) {
        if (!k.startsWith(`${m[1]}/${m[2]}#`)) continue;
        const i = r.assets.findIndex((a) => a.id === Number(m![3]));
        if (i >= 0) {
          r.assets.splice(i, 1);
          return this.json(res, 204, null, req);
        }
      }
      return this.notFound(res, req);
    }
    if ((m = /^\/uploads\/repos\/([^/]+)\/([^/]+)\/releases\/(\d+)\/assets$/.exec(path)) && method === "POST") {
      const rel = this.findById(`${m[1]}/${m[2]}`, Number(m[3]));
      const data = await this.body(req);
      if (!rel) return this.notFound(res, req);
      const name = u.searchParams.get("name");
      if (!name) return this.json(res, 422, { message: "Validation Failed", errors: [{ resource: "ReleaseAsset", code: "missing_field", field: "name" }], documentation_url: DOCS }, req);
      if (rel.assets.some((a) => a.name === name)) return this.validation(res, req, "ReleaseAsset", "name");
      const declared = Number(req.headers["content-length"] ?? -1);
      if (declared !== data.length) return this.json(res, 400, { message: "Bad Content-Length", documentation_url: DOCS }, req);
      const a = this.asset(name, data, "uploaded", String(req.headers["content-type"] ?? "application/octet-stream"));
      rel.assets.push(a);
      return this.json(res, 201, this.assetJson(m[1]!, m[2]!, rel, a), req);
    }
    // The CI gate: commits (list with sha/until, one with files), check runs, statuses.
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/commits$/.exec(path)) && method === "GET") {
      const until = u.searchParams.get("until");
      const list = (this.commits.get(`${m[1]}/${m[2]}`) ?? []).filter((c) => !until || Date.parse(c.date) <= Date.parse(until));
      return this.page(req, res, u, list.map((c) => ({ sha: c.sha, commit: { message: c.message ?? `commit ${c.sha.slice(0, 7)}`, author: { name: "A" }, committer: { date: c.date } } })));
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/commits\/([0-9a-f]{40})\/check-runs$/.exec(path)) && method === "GET") {
      const runs = this.checks.get(`${m[1]}/${m[2]}#${m[3]}`)?.runs ?? [];
      const per = Math.min(Number(u.searchParams.get("per_page") ?? 30), 100);
      const page = Number(u.searchParams.get("page") ?? 1);
      const headers: Record<string, string> = {};
      if (page * per < runs.length) {
        const next = new URL(u);
        next.searchParams.set("page", String(page + 1));
        next.searchParams.set("per_page", String(per));
        headers.link = `<${next.toString()}>; rel="next"`;
      }
      return this.json(res, 200, { total_count: runs.length, check_runs: runs.slice((page - 1) * per, page * per) }, req, headers);
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/commits\/([0-9a-f]{40})\/statuses$/.exec(path)) && method === "GET") {
      // Newest first, as GitHub lists them.
      return this.page(req, res, u, [...(this.checks.get(`${m[1]}/${m[2]}#${m[3]}`)?.statuses ?? [])].reverse());
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/commits\/([0-9a-f]{40})$/.exec(path)) && method === "GET") {
      const c = (this.commits.get(`${m[1]}/${m[2]}`) ?? []).find((x) => x.sha === m![3]);
      if (!c) return this.notFound(res, req);
      return this.json(res, 200, { sha: c.sha, commit: { message: c.message ?? "", author: { name: "A" }, committer: { date: c.date } }, files: c.files.map((filename) => ({ filename })) }, req);
    }
    await this.body(req);
    this.notFound(res, req);
  }

  /** GitHub pagination: per_page (default 30, max 100), page, and a Link header. */
  private page(req: IncomingMessage, res: ServerResponse, u: URL, items: unknown[]): void {
    const per = Math.min(Number(u.searchParams.get("per_page") ?? 30), 100);
    const page = Number(u.searchParams.get("page") ?? 1);
    const slice = items.slice((page - 1) * per, page * per);
    const headers: Record<string, string> = {};
    if (page * per < items.length) {
      const next = new URL(u);
      next.searchParams.set("page", String(page + 1));
      next.searchParams.set("per_page", String(per));
      headers.link = `<${next.toString()}>; rel="next"`;
    }
    this.json(res, 200, slice, req, headers);
  }
}
