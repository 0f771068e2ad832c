// Runs a GitHub Actions job of this repository's workflows step by step, as written, inside a
// container started from a minimal Debian image built here (debootstrap --variant=minbase, then
// docker import): nothing of this checkout's setup is in it (no tools venv, no .cache, no npm cache).
// `run:` steps are executed with the runner's shell (bash --noprofile --norc -eo pipefail); `uses:`
// steps are replaced by the local equivalents below; anything else (an action without an
// equivalent, an expression the evaluator does not know) is an error, so the workflow and this
// runner cannot drift apart silently.
//
// Local equivalents of the actions:
//   actions/checkout          a fresh `git clone` of the repository's committed HEAD into the workspace
//   actions/setup-node        the machine's Node (binary and npm) mounted read-only and put on PATH
//   actions/download-artifact a folder copy from the run's artifact store (pattern: one folder per artifact)
//   actions/upload-artifact   a folder copy into the run's artifact store
//   actions/setup-python      the machine's CPython of each listed version mounted read-only at the
//                             runner's tool-cache path (/opt/hostedtoolcache/Python/<v>/x64), its bin
//                             on PATH (the last listed first) and its lib on LD_LIBRARY_PATH, as setup-python does
//   actions/cache/restore     a folder copy from the run's cache store: the exact key, else the newest
//                             entry starting with a restore-key
//   actions/cache/save        a folder copy into the run's cache store under the key; a path that
//                             does not exist saves nothing and passes with the action's warning
//   pypa/gh-action-pypi-publish  the packages-dir listed (trusted publishing needs GitHub's OIDC)
// What a hosted runner image brings before any step (compilers, system libraries) is the caller's
// `runnerImage` list of commands, run as root in the fresh container before the first step.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { execa } from "execa";
import { parse } from "yaml";

export const REPO = resolve(import.meta.dirname, "../..");
const CACHE = join(REPO, ".cache", "workflow-steps");
export const IMAGE = "mlir-release-bare:bookworm";

export interface Step { name?: string; id?: string; uses?: string; run?: string; if?: string; with?: Record<string, unknown>; env?: Record<string, string>; shell?: string }
/** The machine's CPython X.Y (newest patch under pyenv), for setup-python's local equivalent. */
function hostPython(version: string): { full: string; prefix: string } {
  const root = execFileSync("pyenv", ["root"], { encoding: "utf8" }).trim();
  const full = readdirSync(join(root, "versions"))
    .filter((v) => new RegExp(`^${version.replace(".", "\\.")}\\.\\d+$`).test(v))
    .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }))
    .pop();
  if (!full) throw new Error(`workflow-steps: setup-python: no CPython ${version} on this machine (pyenv versions)`);
  return { full, prefix: join(root, "versions", full) };
}
function hasHostPython(version: string): boolean {
  try {
    hostPython(version);
    return true;
  } catch {
    return false;
  }
}
export interface Job { steps?: Step[]; env?: Record<string, string>; uses?: string; "runs-on"?: string }
export interface Workflow { env?: Record<string, string>; jobs: Record<string, Job> }

export const loadWorkflow = (file: string): Workflow => parse(readFileSync(join(REPO, ".github/workflows", file), "utf8")) as Workflow;

const sh = (cmd: string, args: string[], opts: { cwd?: string } = {}): string => execFileSync(cmd, args, { encoding: "utf8", maxBuffer: 64 << 20, ...opts });

/** The Debian mirror apt uses on this machine (the first `URIs:` of its deb822 sources). */
function debianMirror(): string {
  const dir = "/etc/apt/sources.list.d";
  for (const f of readdirSync(dir).filter((n) => n.endsWith(".sources")).sort()) {
    const m = /^URIs:\s*(\S+)/m.exec(readFileSync(join(dir, f), "utf8"));
    if (m && /\/debian\/?$/.test(m[1]!)) return m[1]!;
  }
  throw new Error("no Debian mirror found in the apt sources");
}

/** A Docker engine: the running one, or dockerd started here (left running for later runs). */
export async function ensureDocker(log: (l: string) => void): Promise<void> {
  if (spawnSync("docker", ["info"], { stdio: "ignore" }).status === 0) return;
  mkdirSync(CACHE, { recursive: true });
  log(`starting dockerd (log: ${join(CACHE, "dockerd.log")})`);
  const { openSync } = await import("node:fs");
  const out = openSync(join(CACHE, "dockerd.log"), "a");
  const { spawn } = await import("node:child_process");
  spawn("dockerd", ["--iptables=false", "--bridge=none"], { detached: true, stdio: ["ignore", out, out] }).unref();
  for (let i = 0; i < 60; i++) {
    if (spawnSync("docker", ["info"], { stdio: "ignore" }).status === 0) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`dockerd did not come up; see ${join(CACHE, "dockerd.log")}`);
}

/** Builds (once) the bare image: debootstrap --variant=minbase bookworm, tarred and docker-imported. */
export function ensureBareImage(log: (l: string) => void): string {
  if (spawnSync("docker", ["image", "inspect", IMAGE], { stdio: "ignore" }).status === 0) return IMAGE;
  const root = join(CACHE, "rootfs");
  if (!existsSync(join(root, "usr/bin/bash"))) {
    log(`debootstrap --variant=minbase bookworm ${root}`);
    rmSync(root, { recursive: true, force: true });
    sh("debootstrap", ["--variant=minbase", "bookworm", root, debianMirror()]);
  }
  log(`docker import ${root} ${IMAGE}`);
  execFileSync("bash", ["-c", 'tar -C "$1" -c . | docker import - "$2"', "import", root, IMAGE], { stdio: "inherit" });
  return IMAGE;
}

export interface JobContext {
  inputs?: Record<string, string>;
  vars?: Record<string, string>;
  secrets?: Record<string, string>;
  matrix?: Record<string, string>;
  /** Artifact store of the run: <store>/<artifact name>/... */
  artifacts: string;
  /** Extra environment for every step (e.g. the npm registry from the machine's npm config). */
  extraEnv?: Record<string, string>;
  /** The `github` context: the triggering event, branch, default branch, run id. */
  github?: { event_name: string; ref_name: string; default_branch: string; run_id: string; repository?: string };
  /** Cache store of the repository (actions/cache): <caches>/<key>/... */
  caches?: string;
  /** Commands (bash, as root) standing in for what the runner image brings, run before the first step. */
  runnerImage?: string[];
}

export interface StepResult { step: string; kind: "run" | "uses"; code: number; output: string }

/** A context reference: inputs/vars/secrets/matrix/env.<name>, or github.<name> (github.event.repository.default_branch). */
function reference(expr: string, ctx: JobContext, env: Record<string, string>): string | undefined {
  const m = /^(inputs|vars|secrets|matrix|env)\.([A-Za-z0-9_-]+)$/.exec(expr);
  if (m) return ({ inputs: ctx.inputs, vars: ctx.vars, secrets: ctx.secrets, matrix: ctx.matrix, env }[m[1] as "inputs"] ?? {})[m[2]!] ?? "";
  const g = ctx.github;
  if (g && expr === "github.event.repository.default_branch") return g.default_branch;
  const n = /^github\.(event_name|ref_name|run_id|repository)$/.exec(expr);
  if (g && n) return n[1] === "repository" ? (g.repository ?? "local/mlir-release") : g[n[1] as "event_name"];
  return undefined;
}

/** Evaluates the `${{ … }}` forms the workflows use (references, and comparisons as in `if:`); anything else is an error. */
export function evaluate(text: string, ctx: JobContext, env: Record<string, string>): string {
  return text.replace(/\$\{\{\s*(.+?)\s*\}\}/g, (_m, expr: string) => {
    const v = reference(expr, ctx, env);
    if (v !== undefined) return v;
    // A comparison (build.yml's TRUSTED_RUN) renders as 'true' or 'false', as on GitHub.
    if (/==|!=|&&|\|\|/.test(expr)) return String(condition(expr, ctx, env, ""));
    throw new Error(`workflow-steps: no local evaluation for the expression '${expr}'`);
  });
}

/**
 * Step `if:` conditions: hashFiles('<path>') != '', always(), context references, string literals,
 * ==, !=, &&, || and parentheses (what the workflows use); anything else is an error.
 */
export function condition(cond: string, ctx: JobContext, env: Record<string, string>, workspace: string): boolean {
  const text = cond.trim().replace(/^\$\{\{\s*([\s\S]*?)\s*\}\}$/, "$1");
  const tokens = text.match(/hashFiles\('[^']*'\)|always\(\)|'[^']*'|==|!=|&&|\|\||\(|\)|[A-Za-z_][A-Za-z0-9_.-]*|\S/g) ?? [];
  let i = 0;
  const fail = (): never => {
    throw new Error(`workflow-steps: no local evaluation for the condition '${cond}'`);
  };
  const value = (): string | boolean => {
    const t = tokens[i++] ?? fail();
    if (t === "(") {
      const v = or();
      if (tokens[i++] !== ")") fail();
      return v;
    }
    if (t === "always()") return true;
    if (t.startsWith("'")) return t.slice(1, -1);
    const h = /^hashFiles\('([^']+)'\)$/.exec(t);
    if (h) {
      const [dir, pat] = [h[1]!.replace(/\/\*$/, ""), h[1]!.endsWith("/*")];
      const any = pat ? existsSync(join(workspace, dir)) && readdirSync(join(workspace, dir)).length > 0 : existsSync(join(workspace, h[1]!));
      return any ? "hash" : "";
    }
    return reference(t, ctx, env) ?? fail();
  };
  const cmp = (): string | boolean => {
    const a = value();
    const op = tokens[i];
    if (op !== "==" && op !== "!=") return a;
    i++;
    const b = value();
    return op === "==" ? a === b : a !== b;
  };
  const truthy = (v: string | boolean): boolean => v !== "" && v !== false;
  const and = (): boolean => {
    let v = truthy(cmp());
    while (tokens[i] === "&&") {
      i++;
      v = truthy(cmp()) && v;
    }
    return v;
  };
  const or = (): boolean => {
    let v = and();
    while (tokens[i] === "||") {
      i++;
      v = and() || v;
    }
    return v;
  };
  const r = or();
  if (i !== tokens.length) fail();
  return r;
}

/**
 * Runs one job in a fresh container from the bare image. Returns each step's result; stops at the
 * first failing step (as GitHub does) and marks it.
 */
export async function runJob(wf: Workflow, jobId: string, ctx: JobContext, log: (l: string) => void = () => {}): Promise<{ results: StepResult[]; workspace: string; failed?: StepResult }> {
  const job = wf.jobs[jobId];
  if (!job?.steps) throw new Error(`workflow-steps: no job ${jobId} with steps`);
  const workspace = mkdtempSync(join(tmpdir(), `wf-${jobId}-`));
  const name = `wf-steps-${jobId}-${process.pid}-${Date.now()}`;
  const caBundle = [process.env["NODE_EXTRA_CA_CERTS"], "/etc/ssl/certs/ca-certificates.crt"].find((f) => f && existsSync(f));
  const nodeBin = execFileSync("bash", ["-c", "readlink -f \"$(command -v node)\""], { encoding: "utf8" }).trim();
  const npmRoot = resolve(execFileSync("bash", ["-c", "readlink -f \"$(command -v npm)\""], { encoding: "utf8" }).trim(), "../../..");
  // setup-python's tool cache: each listed version of the job's setup-python steps, mounted read-only.
  const pythons = job.steps
    .filter((st) => st.uses?.replace(/@.*$/, "") === "actions/setup-python")
    .flatMap((st) => String(st.with?.["python-version"] ?? "").split(/\s+/).filter(Boolean))
    // A version this machine's pyenv lacks (3.14, 3.15, the free-threaded builds) is not mounted: the
    // build then reports it as "not built: … the runner has no CPython" and builds the others.
    .flatMap((v) => (hasHostPython(v) ? [{ v, ...hostPython(v) }] : (log(`setup-python: no CPython ${v} on this machine (pyenv): not provided`), [])));
  const toolcache = (p: { full: string }) => `/opt/hostedtoolcache/Python/${p.full}/x64`;
  sh("docker", [
    "run", "-d", "--name", name, "--network", "host",
    "-v", `${workspace}:/github/workspace`,
    "-v", `${nodeBin}:/opt/hostedtoolcache/node/bin/node:ro`,
    "-v", `${npmRoot}:/opt/hostedtoolcache/node/lib/node_modules:ro`,
    // The machine's CA bundle (its network path to the registries re-signs TLS), as a runner's own trust store.
    ...(caBundle ? ["-v", `${caBundle}:/etc/ssl/certs/ca-certificates.crt:ro`] : []),
    ...pythons.flatMap((p) => ["-v", `${p.prefix}:${toolcache(p)}:ro`]),
    IMAGE, "sleep", "infinity",
  ]);
  const results: StepResult[] = [];
  const tls = caBundle ? { NODE_EXTRA_CA_CERTS: "/etc/ssl/certs/ca-certificates.crt", PIP_CERT: "/etc/ssl/certs/ca-certificates.crt" } : {};
  let path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  const toolEnv: Record<string, string> = {};
  try {
    for (const [n, cmd] of (ctx.runnerImage ?? []).entries()) {
      log(`[${jobId}] runner image ${n + 1}/${ctx.runnerImage!.length}: ${cmd.split("\n")[0]}`);
      const r = await execa("docker", ["exec", "-e", "DEBIAN_FRONTEND=noninteractive", name, "bash", "-eo", "pipefail", "-c", cmd], { reject: false, all: true, maxBuffer: 256 << 20 });
      if (r.exitCode !== 0) throw new Error(`workflow-steps: ${jobId}: runner image command failed (${r.exitCode}): ${cmd}\n${String(r.all ?? "").slice(-4000)}`);
    }
    for (const [i, step] of job.steps.entries()) {
      const label = step.name ?? step.uses ?? step.run!.split("\n")[0]!;
      const env: Record<string, string> = {};
      for (const layer of [wf.env ?? {}, job.env ?? {}, step.env ?? {}]) for (const [k, v] of Object.entries(layer)) env[k] = evaluate(String(v), ctx, env);
      if (step.shell !== undefined && step.shell !== "bash") throw new Error(`workflow-steps: ${jobId}: no local shell '${step.shell}' (the runner runs bash)`);
      if (step.if && !condition(step.if, ctx, env, workspace)) {
        results.push({ step: label, kind: step.uses ? "uses" : "run", code: 0, output: "skipped by its if: condition" });
        continue;
      }
      if (step.run) {
        const script = evaluate(step.run, ctx, env);
        const envArgs = Object.entries({ ...env, ...ctx.extraEnv, ...tls, ...toolEnv, PATH: path, HOME: "/github/home", CI: "true", GITHUB_ACTIONS: "true", GITHUB_WORKSPACE: "/github/workspace", GITHUB_OUTPUT: `/github/workspace/.github-output-${i}`, GITHUB_REPOSITORY: ctx.github?.repository ?? "local/mlir-release", RUNNER_TEMP: "/tmp", RUNNER_OS: "Linux" }).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
        log(`[${jobId}] run: ${script.split("\n")[0]}`);
        // Asynchronous, so servers the caller runs on 127.0.0.1 (in this process) keep answering.
        const r = await execa("docker", ["exec", "-w", "/github/workspace", ...envArgs, name, "bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], { reject: false, all: true, maxBuffer: 256 << 20 });
        const res: StepResult = { step: label, kind: "run", code: r.exitCode ?? 1, output: String(r.all ?? "") };
        results.push(res);
        if (res.code !== 0) return { results, workspace, failed: res };
        continue;
      }
      const uses = step.uses!.replace(/@.*$/, "");
      const w = Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, evaluate(String(v), ctx, env)]));
      log(`[${jobId}] uses: ${uses} (local equivalent)`);
      let output = "";
      if (uses === "actions/checkout") {
        sh("git", ["clone", "--quiet", "--no-hardlinks", REPO, join(workspace, ".clone")]);
        for (const n of readdirSync(join(workspace, ".clone"))) cpSync(join(workspace, ".clone", n), join(workspace, n), { recursive: true });
        rmSync(join(workspace, ".clone"), { recursive: true, force: true });
        output = `cloned ${sh("git", ["-C", workspace, "rev-parse", "HEAD"]).trim()}`;
      } else if (uses === "actions/setup-node") {
        sh("docker", ["exec", name, "ln", "-sf", "../lib/node_modules/npm/bin/npm-cli.js", "/opt/hostedtoolcache/node/bin/npm"]);
        path = `/opt/hostedtoolcache/node/bin:${path}`;
        output = sh("docker", ["exec", "-e", `PATH=${path}`, name, "node", "--version"]).trim();
      } else if (uses === "actions/download-artifact") {
        const dest = join(workspace, String(w["path"] ?? "."));
        const names = w["name"] ? [String(w["name"])] : readdirSync(ctx.artifacts).filter((n) => new RegExp(`^${String(w["pattern"]).replace(/\*/g, ".*")}$`).test(n));
        if (!names.length) throw new Error(`workflow-steps: ${jobId}: no artifact ${String(w["name"] ?? w["pattern"])} in the run`);
        for (const n of names) cpSync(join(ctx.artifacts, n), w["name"] ? dest : join(dest, n), { recursive: true });
        output = `copied ${names.join(", ")}`;
      } else if (uses === "actions/upload-artifact") {
        const src = join(workspace, String(w["path"]));
        const empty = !existsSync(src) || readdirSync(src).length === 0;
        const ifNone = String(w["if-no-files-found"] ?? "warn");
        if (empty && ifNone === "error") throw new Error(`workflow-steps: ${jobId}: upload-artifact: ${w["path"]} has no files (if-no-files-found: error)`);
        if (empty) output = `no files in ${w["path"]}: nothing stored (if-no-files-found: ${ifNone})`;
        else {
          cpSync(src, join(ctx.artifacts, String(w["name"])), { recursive: true });
          output = `stored ${w["name"]}`;
        }
      } else if (uses === "actions/setup-python") {
        const listed = String(w["python-version"] ?? "").split(/\s+/).filter(Boolean).flatMap((v) => pythons.filter((p) => p.v === v));
        // The last listed version is the default `python`: its bin comes first on PATH.
        for (const p of listed) path = `${toolcache(p)}/bin:${path}`;
        toolEnv["LD_LIBRARY_PATH"] = listed.map((p) => `${toolcache(p)}/lib`).reverse().join(":");
        toolEnv["pythonLocation"] = toolcache(listed.at(-1)!);
        output = sh("docker", ["exec", "-e", `PATH=${path}`, "-e", `LD_LIBRARY_PATH=${toolEnv["LD_LIBRARY_PATH"]}`, name, "bash", "-c", listed.map((p) => `python${p.v} --version`).join("; ")]).trim();
      } else if (uses === "actions/cache/restore" || uses === "actions/cache/save") {
        if (!ctx.caches) throw new Error(`workflow-steps: ${jobId}: ${uses} needs the run's cache store (ctx.caches)`);
        const key = String(w["key"]);
        const dest = join(workspace, String(w["path"]));
        if (uses === "actions/cache/save") {
          // actions/cache warns and succeeds when the path is missing (nothing to save).
          if (!existsSync(dest)) output = "Warning: Path Validation Error: Path(s) specified in the action for caching do(es) not exist, hence no cache is being saved.";
          else {
            cpSync(dest, join(ctx.caches, key), { recursive: true });
            output = `saved ${w["path"]} as ${key}`;
          }
        } else {
          const prefixes = String(w["restore-keys"] ?? "").split("\n").map((k) => k.trim()).filter(Boolean);
          const stored = existsSync(ctx.caches) ? readdirSync(ctx.caches) : [];
          const hit = stored.includes(key) ? key : prefixes.map((p) => stored.filter((k) => k.startsWith(p)).sort().pop()).find(Boolean);
          if (hit) cpSync(join(ctx.caches, hit), dest, { recursive: true });
          output = hit ? `restored ${hit} into ${w["path"]}` : `cache miss for ${key}`;
        }
      } else if (uses === "pypa/gh-action-pypi-publish") {
        const dir = join(workspace, String(w["packages-dir"] ?? "dist"));
        output = `would upload (trusted publishing): ${readdirSync(dir).sort().join(" ")}`;
      } else {
        throw new Error(`workflow-steps: ${jobId}: no local equivalent for '${step.uses}'`);
      }
      results.push({ step: label, kind: "uses", code: 0, output });
    }
    return { results, workspace };
  } finally {
    spawnSync("docker", ["rm", "-f", name], { stdio: "ignore" });
  }
}
