// PyPI (or any server speaking its upload API) through twine from the tools venv. What the
// index already has is read from its PEP 503 page first: the same file with the same digest
// is skipped, the same name with another digest is an error. The token comes from the
// environment only and is passed to twine through its environment, never on a command line.
import { readFileSync } from "node:fs";
import type { ExecEnv } from "../exec/env.js";
import type { PublishAction } from "../schema.js";
import type { LoadedStage } from "../stage/stage.js";
import { normalizeProjectName } from "../stage/wheelinfo.js";
import { checkUnchangedSinceStaging, PublishConflictError } from "./github.js";

export interface PypiOptions {
  repositoryUrl: string;
  simpleUrl?: string;
  username?: string;
  /** Path of the twine executable (the tools venv's). */
  twine: string;
  env: ExecEnv;
  /** Defaults to process.env; read TWINE_PASSWORD, then MLIR_RELEASE_PYPI_TOKEN. */
  environ?: Record<string, string | undefined>;
}

export function pypiToken(environ: Record<string, string | undefined> = process.env): string {
  const t = environ["TWINE_PASSWORD"] || environ["MLIR_RELEASE_PYPI_TOKEN"];
  if (!t) throw new Error("pypi: no upload token; set TWINE_PASSWORD or MLIR_RELEASE_PYPI_TOKEN in the environment (never in a file in the repo)");
  return t;
}

/** File name → sha256 from a PEP 503 project page (links without a sha256 fragment map to ""). */
export function parseSimplePage(html: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /<a\s[^>]*href="([^"]+)"[^>]*>([^<]+)<\/a>/gi;
  for (let m = re.exec(html); m; m = re.exec(html)) {
    const frag = /#sha256=([0-9a-f]{64})/.exec(m[1]!);
    out.set(m[2]!.trim(), frag ? frag[1]! : "");
  }
  return out;
}

export async function listIndexFiles(simpleUrl: string, project: string): Promise<Map<string, string>> {
  const url = `${simpleUrl.replace(/\/?$/, "/")}${normalizeProjectName(project)}/`;
  const res = await fetch(url, { headers: { accept: "text/html" } });
  if (res.status === 404) return new Map();
  if (!res.ok) throw new Error(`pypi: GET ${url} answered ${res.status}`);
  return parseSimplePage(await res.text());
}

export interface PypiHooks {
  checkpoint?: (point: string) => void;
}

export async function publishPypi(stage: LoadedStage, o: PypiOptions, hooks: PypiHooks = {}): Promise<PublishAction[]> {
  const token = pypiToken(o.environ);
  const simple = o.simpleUrl ?? `${o.repositoryUrl.replace(/\/$/, "")}/simple/`;
  const plan = stage.manifest.plan;
  const actions: PublishAction[] = [];
  const wheels = stage.files.filter((f) => f.kind === "wheel" || f.kind === "dev-wheel");
  const byProject = new Map<string, Map<string, string>>();
  const have = async (kind: string): Promise<Map<string, string>> => {
    const project = kind === "wheel" ? plan.distribution : plan.devDistribution;
    if (!byProject.has(project)) byProject.set(project, await listIndexFiles(simple, project));
    return byProject.get(project)!;
  };
  for (const f of wheels) {
    hooks.checkpoint?.(`pypi:upload:${f.fileName}`);
    const there = (await have(f.kind)).get(f.fileName);
    if (there !== undefined) {
      if (there && there !== f.sha256)
        throw new PublishConflictError(`pypi: ${f.fileName} is on ${simple} with sha256 ${there}, staged ${f.sha256}; an index never takes different bytes under one name`);
      actions.push({ target: "pypi", file: f.fileName, action: "skipped" });
      continue;
    }
    checkUnchangedSinceStaging(f, readFileSync(f.path));
    await o.env.run(
      [o.twine, "upload", "--non-interactive", "--disable-progress-bar", "--repository-url", o.repositoryUrl, "-u", o.username ?? "__token__", f.path],
      { env: { TWINE_PASSWORD: token, TWINE_USERNAME: undefined, TWINE_REPOSITORY_URL: undefined } },
    );
    actions.push({ target: "pypi", file: f.fileName, action: "uploaded" });
  }
  // Verify what the index now serves.
  byProject.clear();
  for (const f of wheels) {
    const there = (await have(f.kind)).get(f.fileName);
    if (there === undefined) throw new Error(`pypi: ${f.fileName} is not listed on ${simple} after upload`);
    if (there && there !== f.sha256) throw new PublishConflictError(`pypi: ${f.fileName} listed with sha256 ${there}, staged ${f.sha256}`);
  }
  return actions;
}
