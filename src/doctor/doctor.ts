// `mlir-release doctor`: the day-one checklist (README) checked as far as it can be from here.
// The workflows run it first, so a fork that lacks a setting fails at once with the exact item,
// not an hour later inside a build. What cannot be seen from a job (secrets' values, environment
// protection rules, the trusted-publisher form on the index) is printed as "check by hand".
import { z } from "zod";
import { imageRegistry, loadImagesLock, LOCK_PATH, nodeDownloadUrl, unresolvedPins } from "../platforms/images.js";
import { imageLockKey } from "../platforms/linux.js";
import { httpFetch } from "../external/http.js";
import { loadReleaseConfig } from "../options/config.js";
import { type ReleaseConfig } from "../schema/config.js";
import { type ImagesLock } from "../schema/images-lock.js";
import { parseOrExplain } from "../schema/parse.js";
import { HttpUrl } from "../schema/strings.js";

type Check = { item: string; ok: true; detail: string } | { item: string; ok: false; detail: string; fix: string };

interface DoctorInput {
  repoRoot: string;
  kind: "snapshot" | "numbered";
  env: Readonly<Record<string, string | undefined>>;
  configPath?: string;
}

/** Repository variables the workflows read, as the job sees them (env names) and as set on GitHub. */
const VARIABLES = {
  imageRegistry: { env: "MLIR_RELEASE_IMAGE_REGISTRY", github: "IMAGE_REGISTRY" },
  nodeDist: { env: "MLIR_RELEASE_NODE_DIST_URL", github: "NODE_DIST_URL" },
  pypiSimple: { env: "PYPI_SIMPLE_URL", github: "PYPI_SIMPLE_URL" },
  pypiJson: { env: "PYPI_JSON_URL", github: "PYPI_JSON_URL" },
  pypiOwner: { env: "PYPI_OWNER", github: "PYPI_OWNER" },
} as const;

/** What a job cannot check; listed so the maintainer sees the whole checklist in one place. */
const BY_HAND = [
  "environment 'release' exists with required reviewers (Settings > Environments): the publish and index jobs run in it",
  "environment 'pypi' exists with required reviewers: the PyPI job runs in it",
  "GitHub Pages serves the gh-pages branch (Settings > Pages > Deploy from a branch)",
  "the index's trusted publisher for the distribution names this repository, workflow release.yml and environment pypi",
];

const ok = (item: string, detail: string): Check => ({ item, ok: true, detail });
const fail = (item: string, detail: string, fix: string): Check => ({ item, ok: false, detail, fix });

function variableSet(env: DoctorInput["env"], v: { env: string; github: string }, what: string): Check | undefined {
  if (env[v.env]?.trim()) return undefined;
  return fail(`repository variable ${v.github}`, `not set (the job sees ${v.env} empty)`, `set it in Settings > Secrets and variables > Actions > Variables to ${what}`);
}

/** Config, lock and variables: pure over the inputs (no network). */
export function localChecks(input: DoctorInput): { checks: Check[]; config?: ReleaseConfig } {
  const checks: Check[] = [];
  let config: ReleaseConfig | undefined;
  try {
    config = loadReleaseConfig(input.repoRoot, input.configPath);
    checks.push(ok("release.config.json", `valid (distribution ${config.distribution})`));
  } catch (e) {
    checks.push(fail("release.config.json", (e as Error).message.split("\n").join(" "), "fix the config file (schema/ holds its JSON schema)"));
  }
  let lock: ImagesLock | undefined;
  try {
    lock = loadImagesLock(input.repoRoot);
  } catch (e) {
    checks.push(fail(LOCK_PATH, (e as Error).message, "restore the lock from git or run containers/refresh-image-pins.sh"));
  }
  if (lock) {
    // Only the pins the configured Linux builds pull (default policy: manylinux2014 x86_64, manylinux_2_28 aarch64).
    const needed = new Set<string>();
    const platforms = config?.platforms.map((p) => p.id) ?? [];
    if (platforms.includes("linux-x86_64")) needed.add(`image ${imageLockKey("manylinux2014", "x86_64")}`).add("node node-x86_64-glibc-2.17");
    if (platforms.includes("linux-aarch64")) needed.add(`image ${imageLockKey("manylinux_2_28", "aarch64")}`).add("node node-aarch64-glibc-2.28");
    const bad = unresolvedPins(lock).filter((p) => needed.has(p));
    if (bad.length) {
      checks.push(fail(LOCK_PATH, `unresolved pin(s) the builds need: ${bad.join(", ")}`, "run containers/refresh-image-pins.sh where the registry and the Node download base are reachable, review, commit"));
    } else checks.push(ok(LOCK_PATH, `every pin the builds need is resolved with a recorded source (${needed.size})`));
  }
  const registryMissing = variableSet(input.env, VARIABLES.imageRegistry, "the host[:port] of a registry serving pypa's manylinux images");
  if (registryMissing) checks.push(registryMissing);
  else if (lock) {
    try {
      checks.push(ok(`repository variable ${VARIABLES.imageRegistry.github}`, imageRegistry(lock, { [lock.registryEnv]: input.env[VARIABLES.imageRegistry.env] })));
    } catch (e) {
      checks.push(fail(`repository variable ${VARIABLES.imageRegistry.github}`, (e as Error).message, "set it to a host[:port] without a scheme"));
    }
  }
  const nodeMissing = variableSet(input.env, VARIABLES.nodeDist, "the base URL of a Node.js release mirror");
  if (nodeMissing) checks.push(nodeMissing);
  else if (lock) {
    const build = Object.values(lock.node.builds)[0]!;
    try {
      checks.push(ok(`repository variable ${VARIABLES.nodeDist.github}`, `e.g. ${nodeDownloadUrl(lock, build, { [lock.node.distEnv]: input.env[VARIABLES.nodeDist.env] })}`));
    } catch (e) {
      checks.push(fail(`repository variable ${VARIABLES.nodeDist.github}`, (e as Error).message, "set it to an http(s) base URL"));
    }
  }
  if (input.kind === "numbered") {
    for (const [v, what] of [
      [VARIABLES.pypiSimple, "the simple API root of the package index (PEP 691), e.g. https://index.example.org/simple/"],
      [VARIABLES.pypiJson, "the root of the index's JSON API (serves /pypi/<name>/json), e.g. https://index.example.org"],
      [VARIABLES.pypiOwner, "the index account or organization that owns the distribution"],
    ] as const) {
      const missing = variableSet(input.env, v, what);
      if (missing) checks.push(missing);
      else if (v !== VARIABLES.pypiOwner && !HttpUrl.safeParse(input.env[v.env]!.trim()).success) {
        checks.push(fail(`repository variable ${v.github}`, `'${input.env[v.env]}' is not an http(s) URL`, `set it to ${what}`));
      } else checks.push(ok(`repository variable ${v.github}`, input.env[v.env]!.trim()));
    }
  }
  return { checks, ...(config ? { config } : {}) };
}

/** The index's project JSON (Warehouse's /pypi/<name>/json): only the ownership part is read. */
const ProjectJson = z.object({
  info: z.object({ name: z.string() }).optional(),
  ownership: z
    .object({
      organization: z.string().nullable().optional(),
      roles: z.array(z.object({ role: z.string(), user: z.string() })).default([]),
    })
    .optional(),
});

/** Whether the distribution name is free or owned by the expected account on the index. */
async function nameCheck(jsonApi: string, name: string, owner: string): Promise<Check> {
  const item = `distribution name '${name}' on ${jsonApi}`;
  const url = `${parseOrExplain(HttpUrl, jsonApi, VARIABLES.pypiJson.github).replace(/\/+$/, "")}/pypi/${encodeURIComponent(name)}/json`;
  let res: Response;
  try {
    res = await httpFetch(url, { headers: { accept: "application/json" } }, { service: "PyPI", what: `looking up ${name}`, reachHint: `check ${VARIABLES.pypiJson.github}` });
  } catch (e) {
    return fail(item, (e as Error).message, `check ${VARIABLES.pypiJson.github}`);
  }
  if (res.status === 404) return ok(item, "available: the first trusted publish creates it (register a pending trusted publisher for it first)");
  if (!res.ok) return fail(item, `GET ${url} answered ${res.status}`, `check ${VARIABLES.pypiJson.github}`);
  const parsed = ProjectJson.safeParse(await res.json());
  if (!parsed.success || !parsed.data.ownership) {
    return fail(item, "exists, and the index does not say who owns it", `confirm ownership by hand, or choose another distribution in release.config.json`);
  }
  const o = parsed.data.ownership;
  const owners = [...(o.organization ? [o.organization] : []), ...o.roles.filter((r) => r.role === "Owner" || r.role === "Maintainer").map((r) => r.user)];
  if (owners.some((x) => x.toLowerCase() === owner.toLowerCase())) return ok(item, `owned by ${owner}`);
  return fail(
    item,
    `exists and is owned by ${owners.join(", ") || "someone else"}, not ${owner}`,
    `choose another "distribution" in release.config.json, or ask ${owners[0] ?? "its owner"} to add ${owner} as an owner`,
  );
}

export async function doctor(input: DoctorInput): Promise<Check[]> {
  const { checks, config } = localChecks(input);
  const jsonApi = input.env[VARIABLES.pypiJson.env]?.trim();
  const owner = input.env[VARIABLES.pypiOwner.env]?.trim();
  if (input.kind === "numbered" && config && jsonApi && owner && HttpUrl.safeParse(jsonApi).success) {
    checks.push(await nameCheck(jsonApi, config.distribution, owner));
  }
  return checks;
}

export function formatChecks(checks: readonly Check[]): string {
  const lines = checks.map((c) => (c.ok ? `ok    ${c.item}: ${c.detail}` : `FAIL  ${c.item}: ${c.detail}\n      fix: ${c.fix}`));
  lines.push(...BY_HAND.map((b) => `hand  ${b}`));
  const failed = checks.filter((c) => !c.ok).length;
  lines.push(failed ? `doctor: ${failed} item(s) to fix` : "doctor: everything checkable here is set");
  return `${lines.join("\n")}\n`;
}
