// PyPI (or any server speaking its upload API) from the staged release. Three parts:
//  1. selection (pure): which staged files go to PyPI — the config's per-target kinds (dev wheel
//     and dev tarball go to GitHub Releases and the index only) and size limit (a file over it is
//     named and skipped, never silently dropped);
//  2. comparison: what the index already has, read from its simple API as PEP 691 JSON
//     (`Accept: application/vnd.pypi.simple.v1+json`; a server that answers PEP 503 HTML is read
//     from the links' #sha256 fragments). Same sha256 → skip; missing → upload; other bytes → an
//     error naming the file, unless the server copy is an interrupted upload (a strict prefix of
//     the staged file, or not a valid wheel), which is replaced where the server allows removal;
//  3. upload: twine from the tools venv (here and for non-GitHub servers), or the CI job's
//     pypa/gh-action-pypi-publish (trusted publishing + PEP 740 attestations) on the folder that
//     `pypi-collect` wrote. The token comes from the environment only, never a command line.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { ExternalServiceError, httpStatusError, InvalidInputError } from "../errors.js";
import type { ExecEnv } from "../exec/env.js";
import { httpFetch } from "../external/http.js";
import { type ArtifactKind as ArtifactKindSchema, wheelProject } from "../schema/artifact.js";
import { type PublishAction } from "../schema/publish.js";
import type { LoadedStage, StagedFile } from "../stage/stage.js";
import { normalizeProjectName, parseWheelFileName, readWheel } from "../stage/wheelinfo.js";
import { checkUnchangedSinceStaging, PublishConflictError } from "./github.js";

type ArtifactKind = z.infer<typeof ArtifactKindSchema>;

/** PyPI's default per-file upload limit (a project can ask for more). */
const PYPI_DEFAULT_MAX_FILE_BYTES = 100 * 1024 * 1024;
/** What goes to PyPI unless the config says otherwise: the release wheels (per-Python and native), not the dev kit. */
export const PYPI_DEFAULT_KINDS: readonly ArtifactKind[] = ["wheel", "native-wheel", "tools-wheel", "package-wheel"];

interface PypiRule {
  include: readonly ArtifactKind[];
  maxFileBytes: number;
}

export interface PypiOptions {
  repositoryUrl: string;
  simpleUrl?: string;
  username?: string;
  /** Path of the twine executable (the tools venv's). */
  twine: string;
  env: ExecEnv;
  /** The upload token (the CLI: the resolved options' host.pypiToken); else read from `environ`. */
  token?: string;
  /** Variables holding the token when `token` is not given: TWINE_PASSWORD, then MLIR_RELEASE_PYPI_TOKEN. */
  environ?: Record<string, string | undefined>;
  rule?: Partial<PypiRule>;
  /** The server accepts `:action=remove_pkg` (pypiserver with auth; PyPI does not). */
  removeInterrupted?: boolean;
}

/** Through the one HTTP client (its retries; a POST is sent once): failures as one PyPI line naming the URL. */
const pypiFetch = (url: string, init: RequestInit | undefined, what: string): Promise<Response> =>
  httpFetch(url, init ?? {}, { service: "PyPI", what, reachHint: "check the repository URL (publish.pypi) and the network" });

export function pypiToken(environ: Record<string, string | undefined>): string {
  const t = environ["TWINE_PASSWORD"] || environ["MLIR_RELEASE_PYPI_TOKEN"];
  if (!t) throw new InvalidInputError("pypi: no upload token; set TWINE_PASSWORD or MLIR_RELEASE_PYPI_TOKEN in the environment (never in a file in the repo)");
  return t;
}

// ---------------------------------------------------------------------------------------------
// 1. Selection

interface PypiSelection {
  files: StagedFile[];
  /** Each staged file that is not sent, with why (printed by the job, so nothing disappears silently). */
  skipped: Array<{ file: string; reason: string }>;
}

export function selectForPypi(files: readonly StagedFile[], rule: Partial<PypiRule> = {}): PypiSelection {
  const include = rule.include ?? PYPI_DEFAULT_KINDS;
  const max = rule.maxFileBytes ?? PYPI_DEFAULT_MAX_FILE_BYTES;
  const out: PypiSelection = { files: [], skipped: [] };
  // Native wheels first: a per-Python wheel on the index never pins a native wheel that is not there yet.
  const ordered = [...files].sort((a, b) => Number(b.kind === "native-wheel") - Number(a.kind === "native-wheel"));
  for (const f of ordered) {
    if (!(include as readonly string[]).includes(f.kind)) {
      out.skipped.push({ file: f.fileName, reason: `${f.kind} goes to GitHub Releases and the index only (publish.pypi.include: ${include.join(", ")})` });
    } else if (f.size > max) {
      out.skipped.push({ file: f.fileName, reason: `${f.size} bytes is over publish.pypi.maxFileBytes (${max}); ask the index for a larger limit or raise the setting` });
    } else out.files.push(f);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// 2. Comparison

export const PEP691_ACCEPT = "application/vnd.pypi.simple.v1+json, text/html;q=0.1";

/** PEP 691 project page (only the fields read here). */
const Pep691Project = z.object({
  meta: z.object({ "api-version": z.string() }).optional(),
  name: z.string(),
  files: z.array(
    z.object({
      filename: z.string().regex(/^[A-Za-z0-9._+!-]+$/, "a file name without a path"),
      url: z.string().min(1),
      hashes: z.record(z.string(), z.string()),
      size: z.number().int().nonnegative().optional(),
    }),
  ),
});

interface IndexFile {
  sha256: string;
  url: string;
}

/** File name → sha256 from a PEP 503 project page (links without a sha256 fragment map to ""). */
function parseSimplePage(html: string, base = "http://invalid/"): Map<string, IndexFile> {
  const out = new Map<string, IndexFile>();
  const re = /<a\s[^>]*href="([^"]+)"[^>]*>([^<]+)<\/a>/gi;
  for (let m = re.exec(html); m; m = re.exec(html)) {
    const frag = /#sha256=([0-9a-f]{64})/.exec(m[1]!);
    out.set(m[2]!.trim(), { sha256: frag ? frag[1]! : "", url: new URL(m[1]!.replace(/&amp;/g, "&"), base).href.replace(/#.*$/, "") });
  }
  return out;
}

function parsePep691(json: unknown, base: string, what: string): Map<string, IndexFile> {
  const r = Pep691Project.safeParse(json);
  if (!r.success) throw new ExternalServiceError(`pypi: ${what} is not a PEP 691 project page: ${r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}; check the repository URL`, "PyPI");
  return new Map(r.data.files.map((f) => [f.filename, { sha256: (f.hashes["sha256"] ?? "").toLowerCase(), url: new URL(f.url, base).href.replace(/#.*$/, "") }]));
}

/** What the index lists for a project: PEP 691 JSON when the server speaks it, else its PEP 503 page. */
export async function listIndexFiles(simpleUrl: string, project: string): Promise<Map<string, IndexFile>> {
  const url = `${simpleUrl.replace(/\/?$/, "/")}${normalizeProjectName(project)}/`;
  const res = await pypiFetch(url, { headers: { accept: PEP691_ACCEPT } }, `listing ${project}`);
  if (res.status === 404) return new Map();
  if (!res.ok) throw httpStatusError("PyPI", `listing ${project}`, "GET", url, res.status);
  const type = res.headers.get("content-type") ?? "";
  if (/application\/vnd\.pypi\.simple\.v1\+json|application\/json/.test(type)) return parsePep691(await res.json(), res.url || url, url);
  return parseSimplePage(await res.text(), res.url || url);
}

type Comparison =
  | { state: "missing" }
  | { state: "same" }
  | { state: "interrupted"; why: string }
  | { state: "conflict"; why: string };

/** Whether bytes are a readable wheel (a zip with .dist-info/METADATA and WHEEL). */
async function isValidWheel(bytes: Buffer): Promise<boolean> {
  const dir = mkdtempSync(join(tmpdir(), "pypi-check-"));
  try {
    const p = join(dir, "w.whl");
    writeFileSync(p, bytes);
    await readWheel(p);
    return true;
  } catch {
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Pure part of the rule: the server's bytes against the staged bytes. */
export function classifyServerCopy(server: Buffer, staged: Buffer, serverIsWheel: boolean): Comparison {
  if (server.equals(staged)) return { state: "same" };
  if (server.length < staged.length && staged.subarray(0, server.length).equals(server)) {
    return { state: "interrupted", why: `the server copy is ${server.length} of ${staged.length} bytes, a strict prefix of the staged file (an interrupted upload)` };
  }
  if (!serverIsWheel) return { state: "interrupted", why: `the server copy (${server.length} bytes) is not a valid wheel (an interrupted or damaged upload)` };
  return { state: "conflict", why: `the server has a complete wheel with other bytes (${server.length} bytes)` };
}

async function compareWithIndex(f: StagedFile, there: IndexFile | undefined, staged: Buffer = readFileSync(f.path)): Promise<Comparison> {
  if (!there) return { state: "missing" };
  if (there.sha256 === f.sha256) return { state: "same" };
  // Another (or no) digest: look at the server's bytes to tell a broken upload from other bytes.
  const res = await pypiFetch(there.url, undefined, `reading the listed ${f.fileName}`);
  if (!res.ok) throw httpStatusError("PyPI", `reading the listed ${f.fileName}`, "GET", there.url, res.status);
  const server = Buffer.from(await res.arrayBuffer());
  return classifyServerCopy(server, staged, f.fileName.endsWith(".whl") ? await isValidWheel(server) : true);
}

// ---------------------------------------------------------------------------------------------
// 3. Collection (CI) and upload (twine)

interface PypiPlanEntry {
  file: StagedFile;
  comparison: Comparison;
}

async function compareAll(stage: LoadedStage, simple: string, rule: Partial<PypiRule>): Promise<{ selection: PypiSelection; entries: PypiPlanEntry[] }> {
  const selection = selectForPypi(stage.files, rule);
  const byProject = new Map<string, Map<string, IndexFile>>();
  const entries: PypiPlanEntry[] = [];
  for (const f of selection.files) {
    const project = wheelProject(f.kind, stage.manifest.plan, f.fileName);
    if (!byProject.has(project)) byProject.set(project, await listIndexFiles(simple, project));
    entries.push({ file: f, comparison: await compareWithIndex(f, byProject.get(project)!.get(f.fileName)) });
  }
  return { selection, entries };
}

function conflicts(entries: PypiPlanEntry[], simple: string, canRemove: boolean): void {
  const bad = entries.filter((e) => e.comparison.state === "conflict" || (e.comparison.state === "interrupted" && !canRemove));
  if (!bad.length) return;
  const lines = bad.map((e) => {
    const c = e.comparison as { state: string; why: string };
    const fix = c.state === "interrupted" ? "remove that file on the index (its web interface), then rerun" : "an index never takes different bytes under one name; publish a new version";
    return `  ${e.file.fileName}: ${c.why}, staged sha256 ${e.file.sha256}: ${fix}`;
  });
  throw new PublishConflictError(`pypi: ${bad.length} file(s) on ${simple} differ from the stage:\n${lines.join("\n")}`);
}

interface CollectResult {
  /** Files copied to the output folder, to be uploaded. */
  upload: string[];
  /** Already on the index with the same sha256. */
  present: string[];
  skipped: PypiSelection["skipped"];
}

/**
 * The CI PyPI job's collection step: compares the staged PyPI set with the index and copies only the
 * missing files to outDir (the upload action's packages-dir). Other bytes under a name fail the job.
 */
export async function collectForPypi(stage: LoadedStage, o: { simpleUrl: string; outDir: string; rule?: Partial<PypiRule> }): Promise<CollectResult> {
  const { selection, entries } = await compareAll(stage, o.simpleUrl, o.rule ?? {});
  // PyPI refuses removal through its API: an interrupted copy there is named and the job stops.
  conflicts(entries, o.simpleUrl, false);
  mkdirSync(o.outDir, { recursive: true });
  const r: CollectResult = { upload: [], present: [], skipped: selection.skipped };
  for (const e of entries) {
    if (e.comparison.state === "same") r.present.push(e.file.fileName);
    else {
      checkUnchangedSinceStaging(e.file, readFileSync(e.file.path));
      copyFileSync(e.file.path, join(o.outDir, e.file.fileName));
      r.upload.push(e.file.fileName);
    }
  }
  return r;
}

interface PypiHooks {
  checkpoint?: (point: string) => void;
  log?: (line: string) => void;
}

/** Removes every file of <name> <version> from a pypiserver-style index (`:action=remove_pkg`). */
async function removeVersion(o: PypiOptions, token: string, name: string, version: string): Promise<void> {
  const body = new URLSearchParams({ ":action": "remove_pkg", name, version });
  const auth = Buffer.from(`${o.username ?? "__token__"}:${token}`).toString("base64");
  const what = `removing the interrupted upload of ${name} ${version}`;
  const res = await pypiFetch(o.repositoryUrl, { method: "POST", body, headers: { authorization: `Basic ${auth}` } }, what);
  if (!res.ok) throw httpStatusError("PyPI", what, "POST", o.repositoryUrl, res.status);
}

export async function publishPypi(stage: LoadedStage, o: PypiOptions, hooks: PypiHooks = {}): Promise<PublishAction[]> {
  const token = o.token ?? pypiToken(o.environ ?? {});
  const simple = o.simpleUrl ?? `${o.repositoryUrl.replace(/\/$/, "")}/simple/`;
  const log = hooks.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  let { selection, entries } = await compareAll(stage, simple, o.rule ?? {});
  for (const s of selection.skipped) log(`pypi: not sent: ${s.file}: ${s.reason}`);
  conflicts(entries, simple, o.removeInterrupted === true);
  const interrupted = entries.filter((e) => e.comparison.state === "interrupted");
  if (interrupted.length) {
    // remove_pkg drops every file of the version: only safe when each of them is one of ours
    // (the same bytes, re-sent below, or an interrupted copy of a staged file).
    const ours = new Set(entries.map((e) => e.file.fileName));
    for (const version of new Set(interrupted.map((e) => parseWheelFileName(e.file.fileName).version))) {
      for (const project of new Set(interrupted.map((e) => wheelProject(e.file.kind, stage.manifest.plan, e.file.fileName)))) {
        const foreign = [...(await listIndexFiles(simple, project)).keys()].filter((n) => n.includes(`-${version}-`) && !ours.has(n));
        if (foreign.length) throw new PublishConflictError(`pypi: cannot replace the interrupted upload(s) ${interrupted.map((e) => e.file.fileName).join(", ")}: removal would also drop ${foreign.join(", ")}, which this stage does not hold`);
        for (const e of interrupted) log(`pypi: ${e.file.fileName}: ${(e.comparison as { why: string }).why}; removing it to upload again`);
        // pypiserver matches remove_pkg's name against the file name's distribution part as written
        // (mlir_python_bindings), not the normalized project name: send that.
        const inProject = interrupted.find((e) => wheelProject(e.file.kind, stage.manifest.plan, e.file.fileName) === project)!;
        await removeVersion(o, token, parseWheelFileName(inProject.file.fileName).distribution, version);
      }
    }
    ({ selection, entries } = await compareAll(stage, simple, o.rule ?? {}));
    conflicts(entries, simple, false);
  }
  const actions: PublishAction[] = [];
  for (const e of entries) {
    const f = e.file;
    hooks.checkpoint?.(`pypi:upload:${f.fileName}`);
    if (e.comparison.state === "same") {
      actions.push({ target: "pypi", file: f.fileName, action: "skipped" });
      continue;
    }
    checkUnchangedSinceStaging(f, readFileSync(f.path));
    await o.env.run(
      [o.twine, "upload", "--non-interactive", "--disable-progress-bar", "--repository-url", o.repositoryUrl, "-u", o.username ?? "__token__", "--", f.path],
      { env: { TWINE_PASSWORD: token, TWINE_USERNAME: undefined, TWINE_REPOSITORY_URL: undefined } },
    );
    actions.push({ target: "pypi", file: f.fileName, action: "uploaded" });
  }
  // Verify what the index now serves.
  const after = await compareAll(stage, simple, o.rule ?? {});
  for (const e of after.entries) {
    if (e.comparison.state !== "same") throw new PublishConflictError(`pypi: ${e.file.fileName} is ${e.comparison.state} on ${simple} after upload`);
  }
  return actions;
}
